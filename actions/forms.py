from django import forms
from django.db.models import Case, Value, When
from django.utils import timezone

from actions.models import Confidentiality, ReviewDecision, Status, StatusEntry
from organizations.models import Organization


class EvidenceField(forms.CharField):
    """Links, one a line; the model's validator checks each is a web address."""

    widget = forms.Textarea(attrs={"rows": 2, "placeholder": "https://…, one link a line"})

    def to_python(self, value):
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value


class StatusEntryForm(forms.Form):
    # No organization is chosen for the user: of several, they pick one (a single one is a hidden field).
    organization: "forms.ModelChoiceField[Organization]" = forms.ModelChoiceField(
        queryset=None, empty_label="Choose the organization", label="On behalf of"
    )
    status = forms.ChoiceField(choices=Status.choices)
    observations = forms.CharField(
        max_length=StatusEntry.OBSERVATIONS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=f"Programme and status of progress, at most {StatusEntry.OBSERVATIONS_MAX_LENGTH:,} characters.",
    )
    reported_on = forms.DateField(
        label="Reports on", widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    confidentiality = forms.ChoiceField(choices=Confidentiality.choices, initial=Confidentiality.PARTICIPANTS)
    evidence = EvidenceField(required=False, label="Evidence links")
    supersedes: "forms.ModelChoiceField[StatusEntry]" = forms.ModelChoiceField(
        queryset=None, required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, organizations, activity, user, **kwargs):
        super().__init__(*args, **kwargs)
        # In the order given (permissions.loggable_organizations: leads, partners, then the others).
        order = Case(*[When(pk=o.pk, then=Value(i)) for i, o in enumerate(organizations)], default=Value(0))
        self.fields["organization"].queryset = Organization.objects.filter(
            pk__in=[o.pk for o in organizations]
        ).order_by(order)
        if len(organizations) == 1:
            self.fields["organization"].initial = organizations[0].pk
            self.fields["organization"].widget = forms.HiddenInput()
        # An entry the user may not read cannot be named, not even to correct it.
        self.fields["supersedes"].queryset = StatusEntry.objects.filter(activity=activity).visible_to(user)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=ReviewDecision.choices)
    comment = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
