from django.urls import path

from audit import views

urlpatterns = [
    path("", views.changes, name="audit-changes"),
    path("security/", views.security_events, name="audit-security-events"),
]
