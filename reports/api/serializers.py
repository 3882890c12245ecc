from rest_framework import serializers

from actions.models import Plan
from reports.models import StocktakingCycle


class CycleSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:cycle-detail")
    plan = serializers.SlugRelatedField(slug_field="code", queryset=Plan.objects.all())
    open_now = serializers.BooleanField(write_only=True, required=False, default=False)

    class Meta:
        model = StocktakingCycle
        fields = [
            "id", "url", "plan", "title", "period_start", "period_end", "deadline", "state",
            "opened_at", "closed_at", "open_now",
        ]  # fmt: skip
        read_only_fields = ["state", "opened_at", "closed_at"]
        # The service checks the rules (dates in order, one open cycle a plan) and says which field is wrong.
        validators: list[object] = []


class CycleCloseSerializer(serializers.Serializer):
    """The body of ``POST /api/v1/cycles/{id}/close/``: closing cannot be undone, so it is confirmed."""

    confirm = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Must be true: closing freezes the report and e-mails it to the participants. "
        "Without it, a 400 on confirm says what closing would do.",
    )
