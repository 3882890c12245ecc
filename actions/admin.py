from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from actions.models import (
    Activity,
    ActivityOpenKind,
    Objective,
    Participation,
    Plan,
    Responsibility,
    StatusEntry,
    Theme,
)
from tracker.translation_admin import TranslationsAdmin, in_plan_language


class ObjectiveInline(admin.TabularInline):
    model = Objective
    fields = ["number", "title", "text"]
    extra = 0
    show_change_link = True


class ParticipationInline(admin.TabularInline):
    """The organizations taking part in the plan: when each joined and, if it left, when."""

    model = Participation
    fields = ["organization", "joined_on", "left_on"]
    autocomplete_fields = ["organization"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization", "plan")


@admin.register(Plan)
class PlanAdmin(TranslationsAdmin):
    list_display = ["code", "title", "venue", "adopted_on", "objective_count", "activity_count"]
    search_fields = ["code", "title", "venue", "meeting"]
    prepopulated_fields = {"code": ["title"]}
    inlines = [ObjectiveInline, ParticipationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts()

    @admin.display(description=_("objectives"), ordering="objective_count")
    def objective_count(self, plan):
        return plan.objective_count

    @admin.display(description=_("activities"), ordering="activity_count")
    def activity_count(self, plan):
        return plan.activity_count


class ActivityInlineForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["number", "text", "responsible_text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2}), "responsible_text": forms.Textarea(attrs={"rows": 2})}

    def clean_number(self):
        number = self.cleaned_data["number"]
        # The plan is not a field of the inline form, so Django would not check the
        # (plan, number) constraint itself; ask the database before it refuses the row.
        clash = Activity.objects.filter(plan=self.instance.plan, number=number).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Activity %(number)s already exists in this plan.") % {"number": number})
        return number


class ActivityInlineFormSet(forms.BaseInlineFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.plan = self.instance.plan  # the object, not its id: each activity reads its language
        return form


class ActivityInline(admin.TabularInline):
    model = Activity
    form = ActivityInlineForm
    formset = ActivityInlineFormSet
    extra = 0
    show_change_link = True


@admin.register(Objective)
class ObjectiveAdmin(TranslationsAdmin):
    list_display = ["number", "short_text", "plan", "activity_count"]
    list_display_links = ["number", "short_text"]
    list_filter = ["plan"]
    search_fields = ["text", "title", "note"]
    list_select_related = ["plan"]
    inlines = [ActivityInline]
    # Said here, not only in the model's Meta: a query that counts (GROUP BY) drops Meta.ordering, and
    # the autocomplete paginated the objectives in no order.
    ordering = ["plan", "number"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(activity_count=Count("activities"))

    @admin.display(description=_("text"))
    def short_text(self, objective):
        return in_plan_language(objective.title or objective.text[:120], objective.plan)

    @admin.display(description=_("activities"), ordering="activity_count")
    def activity_count(self, objective):
        return objective.activity_count


class ResponsibilityInline(admin.TabularInline):
    model = Responsibility
    extra = 0
    autocomplete_fields = ["organization"]


class ActivityOpenKindInline(admin.TabularInline):
    model = ActivityOpenKind
    extra = 0


@admin.register(Activity)
class ActivityAdmin(TranslationsAdmin):
    list_display = ["number", "short_text", "plan", "responsible"]
    list_filter = [
        "plan",
        "themes",
        "open_kinds__kind",
        ("responsibilities__organization", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["=number", "text", "responsible_text", "note", "responsibilities__organization__acronym"]
    list_select_related = ["plan"]
    autocomplete_fields = ["objective"]
    filter_horizontal = ["themes"]
    fields = ["plan", "objective", "number", "text", "responsible_text", "note", "due_date", "themes"]
    inlines = [ResponsibilityInline, ActivityOpenKindInline]

    @admin.display(description=_("text"))
    def short_text(self, activity):
        return in_plan_language(activity.text[:120], activity.plan)

    @admin.display(description=_("responsible text"), ordering="responsible_text")
    def responsible(self, activity):
        return in_plan_language(activity.responsible_text, activity.plan)


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin):
    """Participants of every plan: filter by organization to see the plans one takes part in (the
    organizations app cannot show them on its own admin page, as it does not depend on actions)."""

    list_display = ["organization", "plan", "joined_on", "left_on"]
    list_filter = ["plan", "organization__kind", ("organization", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["organization__acronym", "organization__name"]
    list_select_related = ["organization", "plan"]
    autocomplete_fields = ["plan", "organization"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(StatusEntry)
class StatusEntryAdmin(admin.ModelAdmin):
    """Entries are append-only and logged through the service, so the admin only reads them."""

    list_display = ["activity", "organization", "status", "review_state", "confidentiality", "reported_on", "author"]
    # The day reported on as a filter (today, past 7 days, this month, this year), not a date
    # hierarchy, whose list of years and months reads every entry on each page.
    list_filter = ["reported_on", "status", "review_state", "confidentiality", "activity__plan", "organization"]
    search_fields = ["observations", "activity__number", "organization__acronym"]
    list_select_related = ["activity", "organization", "author"]
    # A filtered list counts its own rows only: "of 2,000,000 in all" is a second full count per page.
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
