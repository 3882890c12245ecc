import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from actions.display import NO_UPDATE
from actions.models import Activity, Objective, Plan, ReviewState, Status, StatusEntry, Theme
from organizations.models import Organization
from tracker.forms import QuickSelect

NO_ACCEPTED_ENTRY = "none"


def start_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment of ``day`` in the site's time zone, for "on or after that day" filters."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


MAX_SEARCH_WORDS = 20


def validate_search_words(text: str) -> None:
    """Each word is one more condition for the database: a search of a thousand would fail there."""
    if len(text.split()) > MAX_SEARCH_WORDS:
        raise ValidationError(
            ngettext("Search for at most %(count)s word.", "Search for at most %(count)s words.", MAX_SEARCH_WORDS)
            % {"count": MAX_SEARCH_WORDS}
        )


class WholeNumberFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


@extend_schema_field(OpenApiTypes.STR)
class AcronymFilter(django_filters.ModelChoiceFilter):
    """An organization given by its acronym."""


@extend_schema_field(OpenApiTypes.INT)
class CycleFilter(django_filters.ModelChoiceFilter):
    """A stocktaking cycle given by its id."""


def stocktaking_cycles(request):
    # Through Plan.cycles, not an import: the reports app depends on this one, never the reverse.
    return Plan._meta.get_field("cycles").related_model.objects.all()


class ActivityFilter(django_filters.FilterSet):
    # A text search lists the best matches first.
    ranked = True

    plan = django_filters.ModelChoiceFilter(
        queryset=Plan.objects.all(),
        to_field_name="code",
        help_text="Plan code, e.g. nairobi-2007.",
        error_messages={"invalid_choice": _("No plan has the code “%(value)s”.")},
    )
    objective = WholeNumberFilter(
        field_name="objective__number",
        label=_("Objective"),
        help_text="Objective number, e.g. 3.",
        error_messages={"invalid": _("An objective is given by its number, e.g. 3.")},
    )
    organization = AcronymFilter(
        queryset=Organization.objects.all(),
        to_field_name="acronym",
        method="filter_organization",
        label=_("Organization"),
        empty_label=_("All organizations"),
        help_text="Acronym: the activities that organization may report on (named, or open to its kind).",
        error_messages={"invalid_choice": _("No organization has the acronym “%(value)s”.")},
    )
    status = django_filters.ChoiceFilter(
        choices=[*Status.choices, (NO_ACCEPTED_ENTRY, NO_UPDATE)],
        method="filter_status",
        label=_("Status"),
        empty_label=_("Any status"),
        help_text="Overall status (of the most recent accepted entry); 'none' for activities without one.",
    )
    theme = django_filters.ModelChoiceFilter(
        field_name="themes",
        queryset=Theme.objects.all(),
        to_field_name="slug",
        label=_("Theme"),
        empty_label=_("All themes"),
        help_text="Theme slug, e.g. maritime-security: the activities tagged with that theme.",
        error_messages={"invalid_choice": _("No theme has the slug “%(value)s”.")},
    )
    q = django_filters.CharFilter(
        method="filter_text",
        label=_("Text"),
        help_text=f"Words in the text, responsible text or note (on PostgreSQL in any form, best matches "
        f'first; "a phrase", or, -word), or an activity\'s number; at most {MAX_SEARCH_WORDS} words.',
        validators=[validate_search_words],
    )
    updated_since = django_filters.DateFilter(
        method="filter_updated_since",
        help_text="ISO date: activities with an entry logged on or after that day.",
        error_messages={"invalid": _("Give a date as YYYY-MM-DD.")},
    )

    class Meta:
        model = Activity
        fields = ["plan", "objective", "organization", "status", "theme", "q", "updated_since"]

    def filter_organization(self, queryset, name, organization):
        return queryset.open_to(organization) if organization else queryset

    def filter_status(self, queryset, name, value):
        if value == NO_ACCEPTED_ENTRY:
            return queryset.filter(status__isnull=True)
        return queryset.filter(status=value)

    def filter_text(self, queryset, name, value):
        # The API lists the best matches first; the plan page keeps the plan's order (PlanActivityFilter).
        return queryset.search(value, ranked=self.ranked)

    def filter_updated_since(self, queryset, name, value: datetime.date):
        # "The latest entry the reader may see was logged since": an entry they may see was. As an
        # Exists it is an index probe per activity (entry_activity_updated), not the latest of each.
        logged = StatusEntry.objects.filter(activity=OuterRef("pk"), created_at__gte=start_of_day(value))
        return queryset.filter(Exists(logged.visible_to(self.request.user)))


class PlanActivityFilter(ActivityFilter):
    """The plan page's filters: the API's, offering only the objectives, organizations and themes of one plan."""

    plan = None  # the page's address names the plan
    updated_since = None
    ranked = False  # the page lists the matches under their objectives, in the plan's order
    # A list of the plan's objectives, where the API takes any number.
    objective = django_filters.ChoiceFilter(
        field_name="objective__number", label=_("Objective"), empty_label=_("All objectives")
    )

    class Meta(ActivityFilter.Meta):
        fields = ["objective", "organization", "status", "theme", "q"]

    def __init__(self, data=None, queryset=None, *, plan: Plan, objectives: list[Objective], request=None):
        super().__init__(data, queryset, request=request)
        self.filters["objective"].extra["choices"] = [(o.number, o.number) for o in objectives]
        self.filters["organization"].queryset = (
            Organization.objects.filter(responsibilities__activity__plan=plan).distinct().order_by("acronym")
        )
        self.filters["theme"].queryset = Theme.objects.filter(activities__plan=plan).distinct()
        self.filters["q"].extra["max_length"] = 200  # the page's limit; the API has always taken any length
        for filter_ in self.filters.values():
            # The API's help texts and messages speak of its parameters ("No theme has the slug …",
            # though it may be in another plan); the page's lists keep Django's own words.
            filter_.extra.pop("help_text", None)
            filter_.extra.pop("error_messages", None)
            if isinstance(filter_, django_filters.ChoiceFilter | django_filters.ModelChoiceFilter):
                filter_.extra["widget"] = QuickSelect


class StatusEntryFilter(django_filters.FilterSet):
    activity = django_filters.ModelChoiceFilter(
        queryset=Activity.objects.all(),
        help_text="Activity id.",
        error_messages={"invalid_choice": _("No activity has the id “%(value)s”.")},
    )
    organization = django_filters.ModelChoiceFilter(
        queryset=Organization.objects.all(),
        to_field_name="acronym",
        help_text="Acronym of the reporting organization.",
        error_messages={"invalid_choice": _("No organization has the acronym “%(value)s”.")},
    )
    status = django_filters.ChoiceFilter(choices=Status.choices)
    review_state = django_filters.ChoiceFilter(choices=ReviewState.choices)
    cycle = CycleFilter(
        queryset=stocktaking_cycles,
        method="filter_cycle",
        help_text="Stocktaking cycle id: entries of its plan reporting on a day of its period.",
        error_messages={"invalid_choice": _("No stocktaking cycle has the id “%(value)s”.")},
    )
    since = django_filters.DateFilter(
        method="filter_since",
        help_text="ISO date: entries logged on or after that day.",
        error_messages={"invalid": _("Give a date as YYYY-MM-DD.")},
    )

    class Meta:
        model = StatusEntry
        fields = ["activity", "organization", "status", "review_state", "cycle", "since"]

    def filter_cycle(self, queryset, name, cycle):
        if not cycle:
            return queryset
        return queryset.filter(
            activity__plan=cycle.plan_id, reported_on__gte=cycle.period_start, reported_on__lte=cycle.period_end
        )

    def filter_since(self, queryset, name, value: datetime.date):
        return queryset.filter(created_at__gte=start_of_day(value))
