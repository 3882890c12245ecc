from django.urls import path

from actions import views

urlpatterns = [
    path("status-colours.css", views.status_stylesheet_view, name="status-stylesheet"),
    path("plans/<slug:code>/", views.plan_detail, name="plan-detail"),
    path("plans/<slug:code>/participants/", views.plan_participant_add, name="plan-participant-add"),
    path("plans/<slug:code>/participants/<int:pk>/left/", views.plan_participant_leave, name="plan-participant-leave"),
    path("activities/<int:pk>/", views.activity_detail, name="activity-detail"),
    path("activities/<int:pk>/not-applicable/", views.activity_not_applicable, name="activity-not-applicable"),
    path("not-applicable/<int:pk>/withdraw/", views.not_applicable_withdrawal, name="not-applicable-withdraw"),
    path("organizations/<str:acronym>/", views.organization_detail, name="organization-detail"),
    path("review/", views.review_queue, name="review-queue"),
    path("review/<int:pk>/", views.review_entry, name="review-entry"),
    path("review/accept/", views.review_accept_several, name="review-accept-several"),
]
