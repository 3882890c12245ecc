from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from actions.models import Confidentiality, Participation, Plan, ReviewDecision, Status, StatusEntry
from organizations.models import Organization
from tracker.forms import DayField, QuickSelect


class EvidenceField(forms.CharField):
    """Links, one a line; the model's validator checks each is a web address."""

    widget = forms.Textarea(attrs={"rows": 2, "placeholder": _("https://…, one link a line")})

    def to_python(self, value):
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value


class StatusEntryForm(forms.Form):
    # No organization is chosen for the user: of several, they pick one (a single one is a hidden field).
    organization: "forms.ModelChoiceField[Organization]" = forms.ModelChoiceField(
        queryset=None, empty_label=_("Choose the organization"), label=_("On behalf of")
    )
    status = forms.ChoiceField(choices=Status.choices, label=_("Status"))
    observations = forms.CharField(
        max_length=StatusEntry.OBSERVATIONS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        label=_("Observations"),
        help_text=format_lazy(
            _("Programme and status of progress, at most {most} characters."),
            most=f"{StatusEntry.OBSERVATIONS_MAX_LENGTH:,}",
        ),
    )
    reported_on = DayField(
        label=_("Progress as of"),
        initial=timezone.localdate,
        help_text=_("The day the progress described stood: it decides the stocktaking period the entry counts in."),
    )
    confidentiality = forms.ChoiceField(
        choices=Confidentiality.choices, initial=Confidentiality.PARTICIPANTS, label=_("Confidentiality")
    )
    evidence = EvidenceField(required=False, label=_("Evidence links"))
    supersedes: "forms.ModelChoiceField[StatusEntry]" = forms.ModelChoiceField(
        queryset=None, required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, organizations, activity, user, **kwargs):
        super().__init__(*args, **kwargs)
        offer_organizations(self.fields["organization"], organizations)
        # An entry the user may not read cannot be named, not even to correct it.
        self.fields["supersedes"].queryset = StatusEntry.objects.filter(activity=activity).visible_to(user)


def offer_organizations(field: forms.Field, organizations: list[Organization]) -> None:
    """Offer ``organizations`` on whose behalf the form acts, in the order given (for logging,
    ``permissions.loggable_organizations``: leads, partners, then the others); one goes without asking."""
    assert isinstance(field, forms.ModelChoiceField)
    # The choices written from the list in hand; the query set only checks what is posted. (Ordered in
    # SQL, a staff member's choice of some 300 organizations cost 300 ms a page: a CASE of 300 WHENs,
    # compiled each time the field was read, and two templates per option.)
    field.queryset = Organization.objects.filter(pk__in=[o.pk for o in organizations])
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    field.choices = [*empty, *((o.pk, field.label_from_instance(o)) for o in organizations)]
    field.widget = QuickSelect(choices=field.choices)
    if len(organizations) == 1:
        field.initial = organizations[0].pk
        field.widget = forms.HiddenInput()


class NotApplicableForm(forms.Form):
    """An organization's declaration that an activity open to its kind does not apply to it."""

    organization: "forms.ModelChoiceField[Organization]" = forms.ModelChoiceField(
        queryset=Organization.objects.none(), empty_label=None, label=_("Organization")
    )
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Reason"),
        help_text=_("Why the activity does not apply to the organization; CTED staff can withdraw the declaration."),
    )

    def __init__(self, *args: Any, organizations: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_organizations(self.fields["organization"], organizations)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=ReviewDecision.choices)
    comment = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class AcceptSeveralForm(forms.Form):
    """The entries of the review queue a reviewer chose to accept at once (a page at most)."""

    entries: "forms.ModelMultipleChoiceField[StatusEntry]" = forms.ModelMultipleChoiceField(
        queryset=StatusEntry.objects.none(),
        error_messages={
            "required": _("Choose the entries to accept: tick them in the queue."),
            "invalid_choice": _("One of the chosen entries is not in the queue any more."),
            "invalid_pk_value": _("“%(pk)s” is not an entry."),
        },
    )

    def __init__(self, *args: Any, reader: Any, most: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.most = most
        readable = StatusEntry.objects.visible_to(reader).select_related("activity", "organization")
        self.fields["entries"].queryset = readable.order_by("created_at", "pk")  # type: ignore[attr-defined]

    def clean_entries(self) -> list[StatusEntry]:
        chosen = list(self.cleaned_data["entries"])
        if len(chosen) > self.most:
            raise forms.ValidationError(
                ngettext(
                    "Accept at most %(most)s entry at once (a page of the queue).",
                    "Accept at most %(most)s entries at once (a page of the queue).",
                    self.most,
                )
                % {"most": self.most}
            )
        return chosen


class ParticipantAddForm(forms.Form):
    """CTED staff add an organization to a plan's participants."""

    # Any organization is accepted here, so that one already taking part is told so by the service;
    # the choices offered are those not taking part yet.
    organization: "forms.ModelChoiceField[Organization]" = forms.ModelChoiceField(
        queryset=Organization.objects.all(),
        empty_label=_("Choose the organization"),
        label=_("Organization"),
        widget=QuickSelect,
    )
    joined_on = DayField(label=_("Joined on"), initial=timezone.localdate)

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_participant_%s")
        super().__init__(*args, **kwargs)
        organization = cast("forms.ModelChoiceField[Organization]", self.fields["organization"])
        organization.choices = [
            ("", _("Choose the organization")),
            *((o.pk, f"{o.acronym} ({o.name})") for o in Organization.objects.exclude(participations__plan=plan)),
        ]


class ParticipantLeaveForm(forms.Form):
    """CTED staff record the day a participant left its plan."""

    left_on = DayField(label=_("Left on"), initial=timezone.localdate)

    def __init__(self, *args: Any, participation: Participation, **kwargs: Any) -> None:
        # One form per participant on the plan page: each has its own ids and says whose leaving it records.
        kwargs.setdefault("auto_id", f"id_left_{participation.pk}_%s")
        super().__init__(*args, **kwargs)
        self.fields["left_on"].label = _("%(acronym)s left on") % {"acronym": participation.organization.acronym}


class ReviewQueueFilter(forms.Form):
    """The review queue narrowed to one plan, one organization, or both (by code and acronym, in the address)."""

    plan = forms.ModelChoiceField(
        queryset=Plan.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("Every plan"),
        label=_("Plan"),
    )
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.order_by("acronym"),
        to_field_name="acronym",
        required=False,
        empty_label=_("Every organization"),
        label=_("Organization"),
    )

    @property
    def chosen(self) -> dict[str, str]:
        """What was chosen, as given in the address (for the links and the way back to the queue)."""
        return {name: self.data[name] for name in self.fields if self.data.get(name)}

    def apply(self, entries: Any) -> Any:
        """``entries`` narrowed by what was chosen (call once the form is valid)."""
        if plan := self.cleaned_data.get("plan"):
            entries = entries.filter(activity__plan=plan)
        if organization := self.cleaned_data.get("organization"):
            entries = entries.filter(organization=organization)
        return entries
