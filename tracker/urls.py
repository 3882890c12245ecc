from django.contrib import admin
from django.urls import include, path, re_path

from notifications import views as notification_views
from organizations import views as organization_views
from reports import views as report_views
from reports.urls import spreadsheet_urlpatterns
from tracker.home import home

urlpatterns = [
    path("", home, name="home"),
    path("", include("actions.urls")),
    path("plans/<slug:code>/progress/", report_views.plan_progress, name="plan-progress"),
    path("organizations/<str:acronym>/", include(spreadsheet_urlpatterns)),
    path("organizations/", include("organizations.urls")),
    path("cycles/", include("reports.urls")),
    path("cycles/<int:pk>/remind/", notification_views.cycle_remind, name="cycle-remind"),
    path("audit/", include("audit.urls")),
    path("accounts/profile/", organization_views.profile, name="profile"),
    path("i18n/setlang/", organization_views.language_set, name="set_language"),
    path("accounts/people/", organization_views.people, name="people"),
    path("accounts/people/invite/", organization_views.person_invite, name="person-invite"),
    re_path(
        r"^accounts/people/(?P<pk>[0-9]+)/(?P<action>deactivate|reactivate|invite)/$",
        organization_views.person_change,
        name="person-change",
    ),
    path("accounts/invitation/<str:token>/", organization_views.invitation_accept, name="invitation-accept"),
    path("accounts/tokens/", organization_views.api_tokens, name="api-tokens"),
    path("accounts/tokens/<int:pk>/revoke/", organization_views.api_token_revoke, name="api-token-revoke"),
    path("focal-points/confirm/<str:token>/", organization_views.focal_point_confirm, name="focal-point-confirm"),
    # Before Django's own, which it replaces: the same page, limited (at most 5 e-mails an hour).
    path("accounts/password_reset/", organization_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("tracker.api_urls")),
]
