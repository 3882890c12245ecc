import datetime

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from actions.models import Plan
from reports.models import StocktakingCycle
from tracker.forms import DayField


class CycleForm(forms.ModelForm):
    open_now = forms.BooleanField(required=False, initial=True, label=_("Open it now"))

    class Meta:
        model = StocktakingCycle
        fields = ["plan", "title", "period_start", "period_end", "deadline", "document_symbol"]
        field_classes = {"period_start": DayField, "period_end": DayField, "deadline": DayField}
        # The model's names and help, in the page's language.
        labels = {
            "plan": _("Plan"),
            "title": _("Title"),
            "period_start": _("Period start"),
            "period_end": _("Period end"),
            "deadline": _("Deadline"),
            "document_symbol": _("Document symbol"),
        }
        help_texts = {
            "deadline": _("The date by which organizations submit their entries."),
            "document_symbol": _(
                "The document symbol the report is circulated under, e.g. S/AC.40/2026/1: printed on its cover."
            ),
        }

    # Asked only when the deadline given has passed: a cycle of the past may be recorded, but not by a slip
    # of the year (an open one would send its overdue reminders at the next run). A question for a person
    # at the page, not a rule of cycles: the API, which programs use with the dates they mean, is not asked.
    past_deadline = forms.BooleanField(required=False, label=_("The deadline has passed: create the cycle anyway"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = Plan.objects.all()
        self.fields["plan"].to_field_name = "code"
        self.fields["plan"].empty_label = gettext("Choose a plan")
        deadline = self._deadline_given()
        if deadline is None or deadline >= timezone.localdate():
            del self.fields["past_deadline"]

    def _deadline_given(self) -> datetime.date | None:
        if not self.is_bound:
            return None
        try:
            deadline: datetime.date | None = self.fields["deadline"].clean(self.data.get(self.add_prefix("deadline")))
        except forms.ValidationError:
            return None
        return deadline

    def clean(self) -> dict:
        cleaned = super().clean() or self.cleaned_data
        if "past_deadline" in self.fields and not cleaned.get("past_deadline"):
            deadline = formats.date_format(cleaned["deadline"], "j F Y") if cleaned.get("deadline") else ""
            self.add_error(
                "deadline",
                gettext(
                    "This deadline, %(deadline)s, has passed: an open cycle would send its overdue reminders at the "
                    "next run. Correct it, or tick the box below to create the cycle anyway."
                )
                % {"deadline": deadline},
            )
        return cleaned


class SymbolForm(forms.ModelForm):
    class Meta:
        model = StocktakingCycle
        fields = ["document_symbol"]
        widgets = {"document_symbol": forms.TextInput(attrs={"aria-describedby": "symbol-help"})}
        labels = {"document_symbol": _("Document symbol")}
        help_texts = {"document_symbol": CycleForm.Meta.help_texts["document_symbol"]}


class UploadForm(forms.Form):
    spreadsheet = forms.FileField(
        label=_("Filled-in spreadsheet"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )
