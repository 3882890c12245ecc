from django.urls import path

from actions.views import organization_detail
from organizations import views

urlpatterns = [
    path("", views.organization_list, name="organization-list"),
    path("<str:acronym>/", organization_detail, name="organization-detail"),
]
