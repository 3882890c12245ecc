from django.contrib import admin
from django.urls import include, path

from reports.urls import spreadsheet_urlpatterns

urlpatterns = [
    path("", include("actions.urls")),
    path("organizations/<str:acronym>/", include(spreadsheet_urlpatterns)),
    path("organizations/", include("organizations.urls")),
    path("cycles/", include("reports.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("tracker.api_urls")),
]
