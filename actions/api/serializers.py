from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actions.models import Activity, Objective, Plan, Responsibility, Status


class ResponsibilitySerializer(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.acronym")

    class Meta:
        model = Responsibility
        fields = ["organization", "role"]


class ActivitySerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:activity-detail")
    plan = serializers.CharField(source="plan.code")
    objective = serializers.IntegerField(source="objective.number")
    organizations = serializers.SerializerMethodField(help_text="Acronyms of the organizations named as responsible.")
    responsibilities = ResponsibilitySerializer(many=True)
    open_to = serializers.SerializerMethodField(help_text="Kinds of organization the activity is open to.")
    status = serializers.ChoiceField(
        choices=Status.choices,
        allow_null=True,
        read_only=True,
        help_text="Status of the most recent accepted entry; null when there is none.",
    )
    last_update = serializers.DateTimeField(
        allow_null=True, read_only=True, help_text="When the most recent entry was logged."
    )
    themes = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "url",
            "plan",
            "objective",
            "number",
            "text",
            "responsible_text",
            "note",
            "organizations",
            "responsibilities",
            "open_to",
            "themes",
            "due_date",
            "status",
            "last_update",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_organizations(self, activity: Activity) -> list[str]:
        return [r.organization.acronym for r in activity.responsibilities.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_open_to(self, activity: Activity) -> list[str]:
        return [k.kind for k in activity.open_kinds.all()]


class ObjectiveSerializer(serializers.ModelSerializer):
    activity_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Objective
        fields = ["number", "title", "text", "note", "activity_count"]


class PlanSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:plan-detail", lookup_field="code")
    objective_count = serializers.IntegerField(read_only=True)
    activity_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Plan
        fields = [
            "code",
            "url",
            "title",
            "meeting",
            "venue",
            "adopted_on",
            "source",
            "review_interval_months",
            "review_note",
            "objective_count",
            "activity_count",
        ]


class PlanDetailSerializer(PlanSerializer):
    objectives = ObjectiveSerializer(many=True, read_only=True)

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "objectives"]
