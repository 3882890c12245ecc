from django.urls import include, path, re_path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound
from rest_framework.routers import DefaultRouter

from actions.api.views import ActivityViewSet, PlanViewSet, StatusEntryViewSet
from organizations.api.views import ApiTokenViewSet, OrganizationViewSet, TokenView
from reports.api.views import CycleViewSet

router = DefaultRouter()
router.register("plans", PlanViewSet, basename="plan")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("activities", ActivityViewSet, basename="activity")
router.register("status-entries", StatusEntryViewSet, basename="status-entry")
router.register("cycles", CycleViewSet, basename="cycle")
router.register("auth/tokens", ApiTokenViewSet, basename="api-token")


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
def not_found(request, path):
    """An API address that names nothing (e.g. a key its route refuses, like a plan code with a dot):
    a 404 in JSON, as every other of the API's answers, rather than Django's HTML page."""
    raise NotFound()


urlpatterns = [
    path("", include((router.urls, "api"), namespace="api")),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Last: only what nothing above answers. Ending in a slash, so that Django still redirects an
    # address without one to the address with it.
    re_path(r"^(?P<path>.*/)$", not_found),
]
