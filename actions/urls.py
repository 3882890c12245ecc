from django.urls import path

from actions import views

urlpatterns = [
    path("", views.home, name="home"),
    path("status-colours.css", views.status_stylesheet_view, name="status-stylesheet"),
    path("plans/<slug:code>/", views.plan_detail, name="plan-detail"),
    path("activities/<int:pk>/", views.activity_detail, name="activity-detail"),
    path("organizations/<str:acronym>/", views.organization_detail, name="organization-detail"),
    path("review/", views.review_queue, name="review-queue"),
    path("review/<int:pk>/", views.review_entry, name="review-entry"),
]
