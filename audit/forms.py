import datetime

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audit.models import EVENT_MODELS, SecurityEventKind


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


class _Period(forms.Form):
    username = forms.CharField(required=False, max_length=150, label=_("User"))
    since = forms.DateField(required=False, label=pgettext_lazy("start of a period", "From"), widget=_date_input())
    until = forms.DateField(required=False, label=pgettext_lazy("end of a period", "To"), widget=_date_input())

    def clean(self) -> dict:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the period comes before its start."))
        return data

    def bounds(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        """The period as moments: from the start of its first day to the end of its last."""
        since, until = self.cleaned_data.get("since"), self.cleaned_data.get("until")
        zone = timezone.get_current_timezone()
        start = datetime.datetime.combine(since, datetime.time.min, zone) if since else None
        end = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min, zone) if until else None
        return start, end


class ChangeFilters(_Period):
    what = forms.ChoiceField(
        required=False,
        label=_("What"),
        choices=[
            ("", _("Everything")),
            # Named as the models are, in the page's language: lazily, when the form is shown.
            *[
                (m._meta.label, capfirst(m.pgh_tracked_model._meta.concrete_model._meta.verbose_name_plural))
                for m in EVENT_MODELS
            ],
        ],
    )
    field_order = ["what", "username", "since", "until"]


class SecurityEventFilters(_Period):
    kind = forms.ChoiceField(
        required=False, label=_("Event"), choices=[("", _("Every event")), *SecurityEventKind.choices]
    )
    field_order = ["kind", "username", "since", "until"]
