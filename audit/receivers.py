"""Security events, recorded as the apps announce what happened."""

from typing import Any

import pghistory
from axes.signals import user_locked_out
from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import translation

from audit.context import recorded
from audit.models import SecurityEventKind
from audit.records import security_event_record
from organizations.models import ApiToken
from organizations.roles import user_role
from organizations.signals import (
    account_deactivated,
    account_reactivated,
    token_created,
    token_revoked,
    user_invited,
)
from reports.models import StocktakingCycle
from reports.signals import cycle_closed, cycle_created, cycle_opened


@receiver(user_logged_in, dispatch_uid="audit.signed_in")
def signed_in(sender: type, *, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    security_event_record(SecurityEventKind.SIGNED_IN, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="audit.signed_out")
def signed_out(sender: type, *, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        security_event_record(SecurityEventKind.SIGNED_OUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="audit.sign_in_failed")
def sign_in_failed(sender: str, *, credentials: dict, request: HttpRequest | None = None, **kwargs: Any) -> None:
    # Django has already masked the password in ``credentials``; only the username is kept.
    security_event_record(
        SecurityEventKind.SIGN_IN_FAILED, request=request, username=str(credentials.get("username") or "")
    )


@receiver(user_locked_out, dispatch_uid="audit.locked_out")
def locked_out(sender: str, *, request: HttpRequest, username: str | None, **kwargs: Any) -> None:
    security_event_record(
        SecurityEventKind.LOCKED_OUT,
        request=request,
        username=username or "",
        detail="Too many failed sign-ins for this username from this address.",
    )


@receiver(token_created, dispatch_uid="audit.token_created")
def api_token_created(sender: type, *, token: ApiToken, **kwargs: Any) -> None:
    security_event_record(
        SecurityEventKind.TOKEN_CREATED,
        username=token.user.get_username(),
        detail=f"Token {token.prefix}… “{token.name}”, expires {token.expires_at:%Y-%m-%d}.",
    )


@receiver(token_revoked, dispatch_uid="audit.token_revoked")
def api_token_revoked(sender: type, *, token: ApiToken, actor: User, **kwargs: Any) -> None:
    security_event_record(
        SecurityEventKind.TOKEN_REVOKED,
        user=actor,
        username=token.user.get_username(),
        detail=f"Token {token.prefix}… “{token.name}”.",
    )


@receiver(user_invited, dispatch_uid="audit.user_invited")
def person_invited(sender: type, *, user: User, invited_by: User, **kwargs: Any) -> None:
    role = user_role(user)
    security_event_record(
        SecurityEventKind.ACCOUNT_INVITED,
        user=invited_by,
        username=user.get_username(),
        detail=f"As {_english(role.label) if role else 'no role'}, at {user.email}.",
    )


@receiver(account_deactivated, dispatch_uid="audit.account_deactivated")
def account_closed(sender: type, *, user: User, actor: User, **kwargs: Any) -> None:
    security_event_record(SecurityEventKind.ACCOUNT_DEACTIVATED, user=actor, username=user.get_username())


@receiver(account_reactivated, dispatch_uid="audit.account_reactivated")
def account_opened(sender: type, *, user: User, actor: User, **kwargs: Any) -> None:
    security_event_record(SecurityEventKind.ACCOUNT_REACTIVATED, user=actor, username=user.get_username())


def _cycle(kind: SecurityEventKind, cycle: StocktakingCycle, actor: Any) -> None:
    person = actor if isinstance(actor, User) else None
    security_event_record(
        kind,
        user=person,
        username="" if person else "(scheduled job)",
        detail=f"{cycle.plan.code}: {cycle.title}",
    )


@receiver(cycle_created, dispatch_uid="audit.cycle_created")
def stocktaking_cycle_created(sender: type, *, cycle: StocktakingCycle, actor: Any, **kwargs: Any) -> None:
    _cycle(SecurityEventKind.CYCLE_CREATED, cycle, actor)


@receiver(cycle_opened, dispatch_uid="audit.cycle_opened")
def stocktaking_cycle_opened(sender: type, *, cycle: StocktakingCycle, actor: Any, **kwargs: Any) -> None:
    _cycle(SecurityEventKind.CYCLE_OPENED, cycle, actor)


@receiver(cycle_closed, dispatch_uid="audit.cycle_closed")
def stocktaking_cycle_closed(sender: type, *, cycle: StocktakingCycle, actor: Any = None, **kwargs: Any) -> None:
    _cycle(SecurityEventKind.CYCLE_CLOSED, cycle, actor)


def _role_label(user: User) -> str:
    # user_role keeps the role on the object: read it afresh, and leave nothing kept behind.
    user.__dict__.pop("_tracker_role", None)
    role = user_role(user)
    user.__dict__.pop("_tracker_role", None)
    return _english(role.label) if role is not None else "no role"


def _english(label: Any) -> str:
    """A label as the trail keeps it: in English, whatever the language of the page that caused it."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(label)


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="audit.role_changed")
def role_changed(sender: type, *, instance: Any, action: str, reverse: bool, pk_set: set | None, **kwargs: Any) -> None:
    """A role is a group: a change of a user's groups (admin, command, shell) changes their role."""
    users = [instance] if not reverse else list(User.objects.filter(pk__in=pk_set or ()))
    if reverse and action == "pre_clear":
        users = list(instance.user_set.all())
    if action.startswith("pre_"):
        for user in users:
            user.__dict__["_audit_role_before"] = _role_label(user)
        if reverse:
            instance.__dict__["_audit_users"] = users
        return
    if reverse and action == "post_clear":
        users = instance.__dict__.get("_audit_users", [])
    for user in users:
        before = user.__dict__.pop("_audit_role_before", None)
        after = _role_label(user)
        if before is not None and before != after:
            security_event_record(
                SecurityEventKind.ROLE_CHANGED, username=user.get_username(), detail=f"{before} → {after}"
            )


# A background task's changes carry the task's name (and the job's, for run_job) in the audit trail.
_task_contexts: dict[str, pghistory.context] = {}


@task_prerun.connect(dispatch_uid="audit.task_started")
def task_started(sender: Any = None, *, task_id: str, task: Any, args: Any = None, **kwargs: Any) -> None:
    if not recorded():
        return
    metadata = {"task": task.name}
    if task.name.endswith(".run_job") and args:
        metadata["job"] = str(args[0])
    context = pghistory.context(**metadata)
    context.__enter__()
    _task_contexts[task_id] = context


@task_postrun.connect(dispatch_uid="audit.task_ended")
def task_ended(sender: Any = None, *, task_id: str, **kwargs: Any) -> None:
    context = _task_contexts.pop(task_id, None)
    if context is not None:
        context.__exit__(None, None, None)
