from django.db.models import Count, Prefetch
from rest_framework import viewsets

from actions.api.filters import ActivityFilter
from actions.api.serializers import ActivitySerializer, PlanDetailSerializer, PlanSerializer
from actions.models import Activity, Objective, Plan


class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    """Adopted plans of action; a plan's detail lists its objectives."""

    lookup_field = "code"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    filterset_fields = []

    def get_queryset(self):
        plans = Plan.objects.with_counts()
        if self.action == "retrieve":
            plans = plans.prefetch_related(
                Prefetch("objectives", queryset=Objective.objects.annotate(activity_count=Count("activities")))
            )
        return plans

    def get_serializer_class(self):
        return PlanDetailSerializer if self.action == "retrieve" else PlanSerializer


class ActivityViewSet(viewsets.ReadOnlyModelViewSet):
    """Activities of the plans, in natural order (1.9 < 1.10 < 2.1), with their overall status."""

    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter

    def get_queryset(self):
        return Activity.objects.for_api(self.request.user).prefetch_related("themes")
