from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from actions.models import Confidentiality, Plan, ReviewState, Status
from reports.models import CycleState, Edition, StocktakingCycle


class CycleSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:cycle-detail")
    plan = serializers.SlugRelatedField(slug_field="code", queryset=Plan.objects.all())
    open_now = serializers.BooleanField(write_only=True, required=False, default=False)

    class Meta:
        model = StocktakingCycle
        fields = [
            "id", "url", "plan", "title", "period_start", "period_end", "deadline", "document_symbol", "state",
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


# The JSON stocktaking report (reports.builder.Report.to_dict), described for the OpenAPI schema only:
# the report writes itself, these serializers never run.

_statuses = serializers.DictField(
    child=serializers.IntegerField(),
    help_text="How many activities have each status code; `none` for those without an accepted entry.",
)


class ReportOrganizationSerializer(serializers.Serializer):
    acronym = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField(help_text="lead, partner, or empty for an organization the activity is open to.")
    status = serializers.ChoiceField(choices=Status.choices, allow_null=True)
    reported_on = serializers.DateField(allow_null=True)
    observations = serializers.CharField(allow_blank=True)
    review_state = serializers.ChoiceField(choices=ReviewState.choices, allow_null=True)
    confidentiality = serializers.ChoiceField(choices=Confidentiality.choices, allow_null=True)
    in_confidence = serializers.BooleanField(help_text="Reported, restricted, and not for this edition's readers.")


class ReportActivitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    text = serializers.CharField()
    responsible_text = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=Status.choices, allow_null=True)
    previous_status = serializers.CharField(allow_null=True, help_text="Its status in the previous cycle's report.")
    updated = serializers.BooleanField()
    changed = serializers.BooleanField()
    organizations = ReportOrganizationSerializer(many=True)


class ReportObjectiveSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField(allow_blank=True)
    text = serializers.CharField(allow_blank=True)
    activities = ReportActivitySerializer(many=True)
    distribution = _statuses


class ReportSerializer(serializers.Serializer):
    """A cycle's stocktaking report as JSON (``?format=json``)."""

    plan = inline_serializer("ReportPlan", {"code": serializers.CharField(), "title": serializers.CharField()})
    cycle = inline_serializer(
        "ReportCycle",
        {
            "id": serializers.IntegerField(),
            "title": serializers.CharField(),
            "period_start": serializers.DateField(),
            "period_end": serializers.DateField(),
            "deadline": serializers.DateField(),
            "state": serializers.ChoiceField(choices=CycleState.choices),
        },
    )
    as_of = serializers.DateTimeField(help_text="The moment the report shows: the closing, or now for an open cycle.")
    previous_cycle = serializers.CharField(allow_null=True, help_text="The title of the cycle compared with.")
    edition = serializers.ChoiceField(choices=Edition.choices)
    completeness = inline_serializer(
        "ReportCompleteness",
        {
            "reported": serializers.IntegerField(),
            "expected": serializers.IntegerField(),
            "not_applicable": serializers.IntegerField(),
            "share": serializers.FloatField(allow_null=True, help_text="reported / expected; null if none expected."),
        },
    )
    distribution = _statuses
    objectives = ReportObjectiveSerializer(many=True)
    silent_activities = serializers.ListField(
        child=serializers.CharField(), help_text="Numbers of activities without an update."
    )
    changes = inline_serializer(
        "ReportChange",
        {
            "activity": serializers.CharField(),
            "from": serializers.CharField(allow_null=True, help_text="The status code in the previous cycle."),
            "to": serializers.CharField(allow_null=True, help_text="The status code in this one."),
        },
        many=True,
    )
    not_reported = inline_serializer(
        "ReportMissing",
        {
            "acronym": serializers.CharField(),
            "name": serializers.CharField(),
            "activities": serializers.ListField(child=serializers.CharField()),
        },
        many=True,
    )
