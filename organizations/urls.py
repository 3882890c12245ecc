from django.urls import path

from organizations import views

urlpatterns = [
    path("", views.organization_list, name="organization-list"),
]
