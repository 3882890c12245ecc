from django import forms

from actions.models import Plan
from reports.models import StocktakingCycle


class CycleForm(forms.ModelForm):
    open_now = forms.BooleanField(required=False, initial=True, label="Open it now")

    class Meta:
        model = StocktakingCycle
        fields = ["plan", "title", "period_start", "period_end", "deadline"]
        widgets = {
            "period_start": forms.DateInput(attrs={"type": "date"}),
            "period_end": forms.DateInput(attrs={"type": "date"}),
            "deadline": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = Plan.objects.all()
        self.fields["plan"].to_field_name = "code"


class UploadForm(forms.Form):
    spreadsheet = forms.FileField(
        label="Filled-in spreadsheet", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )
