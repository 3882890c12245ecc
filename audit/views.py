"""The audit trail, for CTED staff: every recorded change with its old and new values, and the
security events."""

import dataclasses
import datetime
from typing import Any

from django.apps import apps
from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import render
from pghistory.models import Events

from actions import permissions
from audit.context import recorded
from audit.forms import ChangeFilters, SecurityEventFilters
from audit.models import EVENT_MODELS, SecurityEvent
from tracker.http import Request

PAGE_SIZE = 50

ACTIONS = {
    "insert": "created",
    "update": "changed",
    "delete": "deleted",
    "baseline": "as recorded when the trail began",
}
# What names a row of each audited model, in that order of preference.
NAMING_FIELDS = ("acronym", "code", "number", "username", "title", "name", "prefix")


@dataclasses.dataclass
class Change:
    at: datetime.datetime
    what: str
    object_id: str
    name: str
    action: str
    by: str
    via: str
    fields: list[tuple[str, Any, Any]]  # label, old, new


def _page(request: Request, items: Any) -> Page:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _labels(model: Any) -> dict[str, str]:
    """Each column of ``model``'s table, by the name a person knows the field by."""
    return {field.column: str(field.verbose_name) for field in model._meta.concrete_fields}


def _change(event: Any, usernames: dict[int, str]) -> Change:
    tracked = apps.get_model(event.pgh_obj_model)._meta.concrete_model  # the audited model, not its proxy
    labels = _labels(tracked)
    data = {column: value for column, value in (event.pgh_data or {}).items() if column != tracked._meta.pk.column}
    context = event.pgh_context or {}
    if context.get("job") or context.get("task"):
        by = f"background job {context.get('job') or context['task']}"
    elif context.get("command"):
        by = f"command {context['command']}" + (f" ({context['os_user']})" if context.get("os_user") else "")
    else:
        user_id = context.get("user")
        by = (usernames.get(user_id, "") if user_id is not None else "") or (
            "anonymous" if context.get("url") else "not recorded"
        )
    via = context.get("url", "")
    if event.pgh_label == "update":
        fields = [
            (labels.get(column, column), old, new) for column, (old, new) in sorted((event.pgh_diff or {}).items())
        ]
    elif event.pgh_label == "delete":
        fields = [
            (labels.get(column, column), value, None) for column, value in data.items() if value not in ("", None)
        ]
    else:
        fields = [
            (labels.get(column, column), None, value) for column, value in data.items() if value not in ("", None)
        ]
    name = next((str(data[field]) for field in NAMING_FIELDS if data.get(field)), "")
    return Change(
        at=event.pgh_created_at,
        what=str(tracked._meta.verbose_name).capitalize(),
        object_id=event.pgh_obj_id or "",
        name=name,
        action=ACTIONS.get(event.pgh_label, event.pgh_label),
        by=by,
        via=via,
        fields=fields,
    )


def changes(request: Request) -> HttpResponse:
    permissions.may_read_audit(request.user).require()
    filters = ChangeFilters(request.GET)
    page = None
    if recorded() and filters.is_valid():
        what = filters.cleaned_data["what"]
        models = [m for m in EVENT_MODELS if m._meta.label == what] if what else list(EVENT_MODELS)
        events = Events.objects.across(*models).order_by("-pgh_created_at", "-pgh_id")
        if username := filters.cleaned_data["username"].strip():
            ids = list(User.objects.filter(username__iexact=username).values_list("pk", flat=True))
            events = events.filter(pgh_context__user__in=ids)
        start, end = filters.bounds()
        if start:
            events = events.filter(pgh_created_at__gte=start)
        if end:
            events = events.filter(pgh_created_at__lt=end)
        page = _page(request, events)
        user_ids = {(event.pgh_context or {}).get("user") for event in page.object_list} - {None}
        usernames = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "username"))
        page.object_list = [_change(event, usernames) for event in page.object_list]
    return render(request, "audit/changes.html", {"filters": filters, "page": page, "recorded": recorded()})


def security_events(request: Request) -> HttpResponse:
    permissions.may_read_audit(request.user).require()
    filters = SecurityEventFilters(request.GET)
    page = None
    if filters.is_valid():
        events = SecurityEvent.objects.latest_first()
        if kind := filters.cleaned_data["kind"]:
            events = events.filter(kind=kind)
        if username := filters.cleaned_data["username"].strip():
            events = events.filter(username__iexact=username)
        start, end = filters.bounds()
        if start:
            events = events.filter(at__gte=start)
        if end:
            events = events.filter(at__lt=end)
        page = _page(request, events)
    return render(request, "audit/security_events.html", {"filters": filters, "page": page})
