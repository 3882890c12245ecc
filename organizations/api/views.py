from rest_framework import viewsets

from organizations.api.serializers import OrganizationDetailSerializer, OrganizationSerializer
from organizations.models import Organization


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """The organizations that answer for activities, and (in the detail) their focal points."""

    lookup_field = "acronym"
    lookup_value_regex = "[A-Za-z0-9-]+"
    filterset_fields = ["kind"]

    def get_queryset(self):
        organizations = Organization.objects.for_directory()
        if self.action == "retrieve":
            organizations = organizations.prefetch_related("children").with_active_focal_points()
        return organizations

    def get_serializer_class(self):
        return OrganizationDetailSerializer if self.action == "retrieve" else OrganizationSerializer
