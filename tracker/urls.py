from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("actions.urls")),
    path("organizations/", include("organizations.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("tracker.api_urls")),
]
