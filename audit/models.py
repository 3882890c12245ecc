"""The audit trail: every change to what the tracker's rules rest on, with old and new values, and the
security events around it.

**Changes** are recorded by PostgreSQL itself (django-pghistory): a trigger on each table below
copies the row into an event table on every insert, update and delete, whether the change comes
from the admin, the API, a page, a command, a bulk update or raw SQL. Each event holds the row as
it stood after the change (before it, for a delete); the previous event of the same row holds the
old values, so a change reads as old -> new. A request's changes carry its user and address, a
command's its name (``audit.context``). pghistory rather than django-simple-history: the tracker
runs on PostgreSQL in production, and only triggers also see bulk updates and SQL. On SQLite, the
first-run database, no trigger exists and the trail stays empty; the audit page says so.

Status entries and reviews are not here: they are append-only (``actions`` migration 0005) and
are their own history.

**Security events** (``SecurityEvent``) are written by this app's receivers, on every database:
sign-ins, failed sign-ins, lockouts, password changes, role changes, API tokens made and revoked,
cycle transitions and refused requests. Who, what, when and from where; never a payload.
"""

from typing import Any

import pghistory
from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from actions.models import (
    Activity,
    ActivityOpenKind,
    NotApplicable,
    Objective,
    Participation,
    Plan,
    Responsibility,
    Theme,
)
from organizations.models import ApiToken, FocalPoint, Organization
from reports.models import StocktakingCycle


def _trackers() -> tuple[pghistory.RowEvent, ...]:
    # New tracker objects for each model: pghistory keeps per-model state on them.
    return (pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())


def _events(model: type[models.Model], exclude: tuple[str, ...] = ()) -> Any:
    """The event model of ``model``'s changes, ``<Model>Event``.

    The triggers are declared on a proxy of ``model`` in this app (``Audited<Model>``), so that
    they are made by this app's migrations: the apps whose tables are audited know nothing of it.
    """
    name = model.__name__
    proxy = type(
        f"Audited{name}",
        (model,),
        {
            "__module__": __name__,
            "__doc__": f"{name}, seen from the audit trail (its triggers' migrations live here).",
            "Meta": type("Meta", (), {"proxy": True, "app_label": "audit"}),
        },
    )
    globals()[proxy.__name__] = proxy
    return pghistory.create_event_model(
        proxy,
        *_trackers(),
        exclude=list(exclude),
        model_name=f"{name}Event",
        app_label="audit",
        abstract=False,
        obj_field=pghistory.ObjForeignKey(related_name="audit_events"),
        # The audit page reads each table's latest events first: an index, not a sort of the table.
        meta={
            "indexes": [
                models.Index(F("pgh_created_at").desc(), F("pgh_id").desc(), name=f"audit_{name.lower()}_latest")
            ]
        },
    )


PlanEvent = _events(Plan)
ObjectiveEvent = _events(Objective)
ThemeEvent = _events(Theme)
# The number's parts are computed by the database from the number, in the event table too.
ActivityEvent = _events(Activity, exclude=("number_major", "number_minor"))
ResponsibilityEvent = _events(Responsibility)
ActivityOpenKindEvent = _events(ActivityOpenKind)
ParticipationEvent = _events(Participation)
NotApplicableEvent = _events(NotApplicable)
OrganizationEvent = _events(Organization)
FocalPointEvent = _events(FocalPoint)
# The key's hash and the credentials fingerprint are secrets; the time of last use changes all day.
ApiTokenEvent = _events(ApiToken, exclude=("key_hash", "fingerprint", "last_used_at"))
# The frozen reports are the cycle's report itself, kept whole in the cycle: not copied on each change.
StocktakingCycleEvent = _events(StocktakingCycle, exclude=("frozen_reports", "summary"))
# Never the password hash; the time of the last sign-in is a security event, not a change.
UserEvent = _events(User, exclude=("password", "last_login"))

# Each audited model's event model, for the audit page.
EVENT_MODELS: tuple[Any, ...] = (
    PlanEvent,
    ObjectiveEvent,
    ThemeEvent,
    ActivityEvent,
    ResponsibilityEvent,
    ActivityOpenKindEvent,
    ParticipationEvent,
    NotApplicableEvent,
    OrganizationEvent,
    FocalPointEvent,
    ApiTokenEvent,
    StocktakingCycleEvent,
    UserEvent,
)


class SecurityEventKind(models.TextChoices):
    SIGNED_IN = "signed_in", pgettext_lazy("security event", "Signed in")
    SIGN_IN_FAILED = "sign_in_failed", pgettext_lazy("security event", "Sign-in failed")
    LOCKED_OUT = "locked_out", pgettext_lazy("security event", "Locked out")
    SIGNED_OUT = "signed_out", pgettext_lazy("security event", "Signed out")
    PASSWORD_CHANGED = "password_changed", pgettext_lazy("security event", "Password set")
    ROLE_CHANGED = "role_changed", pgettext_lazy("security event", "Role changed")
    TOKEN_CREATED = "token_created", pgettext_lazy("security event", "API token created")
    TOKEN_REVOKED = "token_revoked", pgettext_lazy("security event", "API token revoked")
    ACCOUNT_INVITED = "account_invited", pgettext_lazy("security event", "Person invited")
    ACCOUNT_DEACTIVATED = "account_deactivated", pgettext_lazy("security event", "Account deactivated")
    ACCOUNT_REACTIVATED = "account_reactivated", pgettext_lazy("security event", "Account reactivated")
    CYCLE_CREATED = "cycle_created", pgettext_lazy("security event", "Cycle created")
    CYCLE_OPENED = "cycle_opened", pgettext_lazy("security event", "Cycle opened")
    CYCLE_CLOSED = "cycle_closed", pgettext_lazy("security event", "Cycle closed")
    REQUEST_DENIED = "request_denied", pgettext_lazy("security event", "Request refused")


class SecurityEventQuerySet(models.QuerySet["SecurityEvent"]):
    def latest_first(self) -> "SecurityEventQuerySet":
        return self.select_related("user").order_by("-at", "-pk")


class SecurityEvent(models.Model):
    """Something that matters to the tracker's security: who, what, when, from where."""

    at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("at"))
    kind = models.CharField(max_length=20, choices=SecurityEventKind.choices, db_index=True, verbose_name=_("kind"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The signed-in user who acted, if any."),
        verbose_name=_("user"),
    )
    username = models.CharField(
        max_length=150,
        blank=True,
        help_text=_("The username given or concerned (a failed sign-in names no user)."),
        verbose_name=_("username"),
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("IP address"))
    method = models.CharField(max_length=10, blank=True, verbose_name=_("method"))
    path = models.CharField(max_length=500, blank=True, verbose_name=_("path"))
    detail = models.CharField(
        max_length=500, blank=True, help_text=_("What happened, in words; never a payload."), verbose_name=_("detail")
    )

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=SecurityEventKind.values), name="security_event_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}".strip()
