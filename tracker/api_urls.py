from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
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

urlpatterns = [
    path("", include((router.urls, "api"), namespace="api")),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
