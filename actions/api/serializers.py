from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actions import permissions
from actions.models import (
    EVIDENCE_MAX_LINKS,
    Activity,
    Confidentiality,
    Objective,
    Participation,
    Plan,
    Responsibility,
    ReviewDecision,
    Status,
    StatusEntry,
    StatusEntryReview,
)
from organizations.models import Organization, OrganizationKind
from tracker.api import TranslationField, requested_language, translation_of


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
    language = serializers.CharField(
        source="plan.language", read_only=True, help_text="The language the texts were adopted in (the plan's)."
    )
    translation = TranslationField()

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
            "language",
            "translation",
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
        return [acronym for acronym, _ in activity.named_pairs]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_open_to(self, activity: Activity) -> list[str]:
        return list(activity.open_to_kinds)

    def to_representation(self, activity: Activity) -> dict[str, Any]:
        """The fields above, written directly from an activity ``with_relations_read``: DRF's field by
        field walk took two thirds of an API page of 100 activities. The declared fields stay the
        contract (the schema) and write the values that need formatting."""
        fields = self.fields
        language = requested_language(self.context.get("request"))
        last_update = activity.last_update  # type: ignore[attr-defined]  # annotated by with_progress
        return {
            "id": activity.pk,
            "url": fields["url"].to_representation(activity),
            "plan": activity.plan.code,
            "objective": activity.objective.number,
            "number": activity.number,
            "text": activity.text,
            "responsible_text": activity.responsible_text,
            "note": activity.note,
            "language": activity.plan.language,
            "translation": translation_of(activity, language),
            "organizations": self.get_organizations(activity),
            "responsibilities": [{"organization": acronym, "role": role} for acronym, role in activity.named_pairs],
            "open_to": self.get_open_to(activity),
            "themes": list(activity.theme_slugs),
            "due_date": fields["due_date"].to_representation(activity.due_date) if activity.due_date else None,
            "status": activity.status,  # type: ignore[attr-defined]  # annotated by with_progress
            "last_update": fields["last_update"].to_representation(last_update) if last_update else None,
        }


class ObjectiveSerializer(serializers.ModelSerializer):
    activity_count = serializers.IntegerField(read_only=True)
    translation = TranslationField()

    class Meta:
        model = Objective
        fields = ["number", "title", "text", "note", "translation", "activity_count"]


class PlanSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:plan-detail", lookup_field="code")
    objective_count = serializers.IntegerField(read_only=True)
    activity_count = serializers.IntegerField(read_only=True)
    translation = TranslationField()

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
            "language",
            "translation",
            "objective_count",
            "activity_count",
        ]


class PlanDetailSerializer(PlanSerializer):
    objectives = ObjectiveSerializer(many=True, read_only=True)

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "objectives"]


class ParticipantSerializer(serializers.ModelSerializer):
    """An organization taking part in a plan: from the day it joined until, if it left, the day it left."""

    acronym = serializers.CharField(source="organization.acronym", read_only=True)
    name = serializers.CharField(source="organization.name", read_only=True)
    kind = serializers.ChoiceField(source="organization.kind", choices=OrganizationKind.choices, read_only=True)
    joined = serializers.DateField(source="joined_on", read_only=True, help_text="The day it joined the plan.")
    left = serializers.DateField(
        source="left_on", read_only=True, allow_null=True, help_text="The day it left; null while it takes part."
    )

    class Meta:
        model = Participation
        fields = ["acronym", "name", "kind", "joined", "left"]


class StatusEntryReviewSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.get_username")

    class Meta:
        model = StatusEntryReview
        fields = ["decision", "comment", "reviewer", "created_at"]


class StatusEntrySerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:status-entry-detail")
    plan = serializers.CharField(source="activity.plan.code")
    activity_number = serializers.CharField(source="activity.number")
    organization = serializers.CharField(source="organization.acronym")
    author = serializers.CharField(source="author.get_username")
    supersedes = serializers.SerializerMethodField()
    superseded_by = serializers.SerializerMethodField()
    reviews = StatusEntryReviewSerializer(source="reviews_read", many=True, read_only=True)

    class Meta:
        model = StatusEntry
        fields = [
            "id", "url", "plan", "activity", "activity_number", "organization", "status", "observations",
            "evidence", "reported_on", "confidentiality", "review_state", "author", "supersedes",
            "superseded_by", "created_at", "reviews",
        ]  # fmt: skip

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_supersedes(self, entry: StatusEntry) -> int | None:
        return self._visible_id(entry.supersedes)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_superseded_by(self, entry: StatusEntry) -> int | None:
        return self._visible_id(getattr(entry, "superseded_by", None))

    def _visible_id(self, other: StatusEntry | None) -> int | None:
        # The id of an entry the reader may not see is not theirs to know.
        user = self.context["request"].user
        return other.pk if other is not None and permissions.may_read(user, other) else None

    def to_representation(self, entry: StatusEntry) -> dict[str, Any]:
        """The fields above, written directly from an entry of the API's queryset (its relations
        selected, its reviews read as ``reviews_read``): DRF's field by field walk took a third of a
        page of 100 entries. The declared fields stay the contract (the schema) and format the dates."""
        fields = self.fields
        date, moment = fields["reported_on"], fields["created_at"]
        return {
            "id": entry.pk,
            "url": fields["url"].to_representation(entry),
            "plan": entry.activity.plan.code,
            "activity": entry.activity_id,
            "activity_number": entry.activity.number,
            "organization": entry.organization.acronym,
            "status": entry.status,
            "observations": entry.observations,
            "evidence": entry.evidence,
            "reported_on": date.to_representation(entry.reported_on),
            "confidentiality": entry.confidentiality,
            "review_state": entry.review_state,
            "author": entry.author.get_username(),
            "supersedes": self.get_supersedes(entry),
            "superseded_by": self.get_superseded_by(entry),
            "created_at": moment.to_representation(entry.created_at),
            "reviews": [
                {
                    "decision": review.decision,
                    "comment": review.comment,
                    "reviewer": review.reviewer.get_username(),
                    "created_at": moment.to_representation(review.created_at),
                }
                for review in entry.reviews_read  # type: ignore[attr-defined]  # prefetched by the view
            ],
        }


class StatusEntryCreateSerializer(serializers.Serializer):
    """What an integration sends to log progress; the service decides the rest."""

    activity = serializers.PrimaryKeyRelatedField(queryset=Activity.objects.all())
    organization = serializers.SlugRelatedField(slug_field="acronym", queryset=Organization.objects.all())
    status = serializers.ChoiceField(choices=Status.choices)
    observations = serializers.CharField(max_length=StatusEntry.OBSERVATIONS_MAX_LENGTH)
    confidentiality = serializers.ChoiceField(choices=Confidentiality.choices, default=Confidentiality.PARTICIPANTS)
    reported_on = serializers.DateField(required=False)
    evidence = serializers.ListField(
        child=serializers.URLField(max_length=500), max_length=EVIDENCE_MAX_LINKS, required=False, default=list
    )
    supersedes = serializers.PrimaryKeyRelatedField(queryset=StatusEntry.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # An entry the user may not read cannot be named, not even to correct it.
            self.fields["supersedes"].queryset = StatusEntry.objects.visible_to(request.user)


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
