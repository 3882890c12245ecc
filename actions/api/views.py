from django.db.models import Count, Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from actions import permissions
from actions.api import answers
from actions.api.serializers import (
    ActivitySerializer,
    ParticipantSerializer,
    PlanDetailSerializer,
    PlanSerializer,
    ReviewSerializer,
    StatusEntryCreateSerializer,
    StatusEntrySerializer,
)
from actions.filters import ActivityFilter, StatusEntryFilter
from actions.models import (
    Activity,
    Objective,
    Participation,
    Plan,
    StatusEntry,
    StatusEntryReview,
    with_relations_read,
)
from actions.services import status_entry_log, status_entry_review
from tracker.api import LANGUAGE_PARAMETER, ContentLanguage, service_errors


@extend_schema_view(
    list=extend_schema(parameters=[LANGUAGE_PARAMETER]), retrieve=extend_schema(parameters=[LANGUAGE_PARAMETER])
)
class PlanViewSet(ContentLanguage, viewsets.ReadOnlyModelViewSet):
    """Adopted plans of action; a plan's detail lists its objectives."""

    lookup_field = "code"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    filterset_fields: list[str] = []

    def get_queryset(self):
        if self.action == "participants":
            return Plan.objects.all()
        plans = Plan.objects.with_counts()
        if self.action == "retrieve":
            plans = plans.prefetch_related(
                Prefetch("objectives", queryset=Objective.objects.annotate(activity_count=Count("activities")))
            )
        return plans

    def get_serializer_class(self):
        return PlanDetailSerializer if self.action == "retrieve" else PlanSerializer

    @extend_schema(responses=ParticipantSerializer(many=True))
    @action(detail=True)
    def participants(self, request, code=None):
        """The organizations taking part in the plan, by acronym: when each joined and, if it left, when."""
        plan = self.get_object()
        participations = Participation.objects.for_plan(plan)
        page = self.paginate_queryset(participations)
        return self.get_paginated_response(ParticipantSerializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(parameters=[LANGUAGE_PARAMETER]), retrieve=extend_schema(parameters=[LANGUAGE_PARAMETER])
)
class ActivityViewSet(ContentLanguage, viewsets.ReadOnlyModelViewSet):
    """Activities of the plans, in natural order (1.9 < 1.10 < 2.1), with their overall status."""

    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter

    def get_queryset(self):
        return Activity.objects.for_api(self.request.user)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return with_relations_read(page) if page is not None else None

    def retrieve(self, request, *args, **kwargs):
        # Kept in the cache until anything it is read from changes (actions/api/answers.py).
        place, answer = answers.read(
            request, self.kwargs[self.lookup_url_kwarg or self.lookup_field], self.format_kwarg
        )
        if answer is None:
            [activity] = with_relations_read([self.get_object()])
            answer = dict(self.get_serializer(activity).data)
            answers.keep(place, answer)
        return Response(answer)


class StatusEntryViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Progress reports. Append-only: a correction is a new entry naming the one it supersedes.

    Lists and details show only what the user may read: another organization's
    restricted entry is a 404.
    """

    filterset_class = StatusEntryFilter

    def get_queryset(self):
        return (
            StatusEntry.objects.visible_to(self.request.user)
            .select_related("activity__plan", "organization", "author", "supersedes", "superseded_by")
            # As a list (to_attr): a related manager's queryset made for each of a page's hundred entries
            # cost a fifth of the list's time.
            .prefetch_related(
                Prefetch(
                    "reviews", queryset=StatusEntryReview.objects.select_related("reviewer"), to_attr="reviews_read"
                )
            )
            .latest_first()
        )

    def get_serializer_class(self):
        return StatusEntryCreateSerializer if self.action == "create" else StatusEntrySerializer

    @extend_schema(request=StatusEntryCreateSerializer, responses={201: StatusEntrySerializer})
    def create(self, request, *args, **kwargs):
        # Not theirs to log (a 403) is told before anything about the input (a 400).
        permissions.may_log(request.user).require_permission()
        incoming = StatusEntryCreateSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        with service_errors():
            entry = status_entry_log(author=request.user, **incoming.validated_data)
        entry = self.get_queryset().get(pk=entry.pk)
        return Response(StatusEntrySerializer(entry, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=ReviewSerializer, responses={200: StatusEntrySerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """CTED staff accept a submitted entry, or return it with a comment."""
        permissions.may_review(request.user).require()
        entry = self.get_object()
        decision = ReviewSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        with service_errors():
            status_entry_review(entry=entry, reviewer=request.user, **decision.validated_data)
        entry = self.get_queryset().get(pk=entry.pk)
        return Response(StatusEntrySerializer(entry, context=self.get_serializer_context()).data)
