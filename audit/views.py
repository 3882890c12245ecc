"""The audit trail, for CTED staff: every recorded change with its old and new values, and the
security events."""

import dataclasses
import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy

from actions import permissions
from audit.context import recorded
from audit.forms import ChangeFilters, SecurityEventFilters
from audit.models import EVENT_MODELS, SecurityEvent
from tracker.http import Request

PAGE_SIZE = 50

# What the change was, as the page says it (the events store pghistory's labels, in English).
ACTIONS = {
    "insert": pgettext_lazy("audit trail", "created"),
    "update": pgettext_lazy("audit trail", "changed"),
    "delete": pgettext_lazy("audit trail", "deleted"),
    "baseline": pgettext_lazy("audit trail", "as recorded when the trail began"),
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


class Trail:
    """The events of several audited tables, newest first, as one list the paginator can slice.

    pghistory's ``Events.across`` would compute every event's differences before sorting them,
    which at a few hundred thousand events takes minutes. Here each table is read by its
    ``(pgh_created_at, pgh_id)`` index only as deep as the page asked for, the tables are merged
    in one query, and only the page's events are read whole and compared with their previous
    event (``changes_of``).
    """

    def __init__(self, events: list[QuerySet]) -> None:
        # A table that cannot match (a user filter naming nobody) is left out, not queried.
        self.events = [e.order_by("-pgh_created_at", "-pgh_id") for e in events if not e.query.is_empty()]

    def count(self) -> int:
        keys = [events.order_by().values("pgh_id") for events in self.events]
        if len(keys) < 2:
            return keys[0].count() if keys else 0
        return keys[0].union(*keys[1:], all=True).count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list[tuple[int, int]]:
        """The (table, event id) pairs of ``page``, the table by its place in ``events``."""
        keys = [
            events.annotate(table=Value(n)).values_list("table", "pgh_id", "pgh_created_at")[: page.stop]
            for n, events in enumerate(self.events)
        ]
        if not keys:
            return []
        if len(keys) > 1:
            merged = keys[0].union(*keys[1:], all=True).order_by("-pgh_created_at", "-table", "-pgh_id")
        else:
            merged = keys[0]
        return [(table, pk) for table, pk, _ in list(merged)[page]]


def _events_of(trail: Trail, keys: list[tuple[int, int]]) -> list[tuple[Any, Any]]:
    """Each event of ``keys`` with the event before it of the same row (None for the first), in
    the keys' order: two queries per table the page shows."""
    found: dict[tuple[int, int], tuple[Any, Any]] = {}
    for table in {table for table, _ in keys}:
        model = trail.events[table].model
        ids = [pk for t, pk in keys if t == table]
        before = model.objects.filter(pgh_obj_id=OuterRef("pgh_obj_id"), pgh_id__lt=OuterRef("pgh_id"))
        events = list(
            model.objects.select_related("pgh_context")
            .filter(pgh_id__in=ids)
            .annotate(previous_id=Subquery(before.order_by("-pgh_id").values("pgh_id")[:1]))
        )
        wanted = [e.previous_id for e in events if e.pgh_label == "update" and e.previous_id]
        previous = model.objects.in_bulk(wanted) if wanted else {}
        for event in events:
            found[table, event.pgh_id] = event, previous.get(event.previous_id)
    return [found[key] for key in keys if key in found]


def _values(event: Any) -> dict[str, Any]:
    """The audited row's values as the event recorded them, by column, without its key."""
    tracked = event.pgh_tracked_model._meta.concrete_model
    return {
        field.column: field.value_from_object(event)
        for field in type(event)._meta.concrete_fields
        if not field.column.startswith("pgh_") and field.column != tracked._meta.pk.column
    }


def _change(event: Any, previous: Any, usernames: dict[int, str]) -> Change:
    tracked = event.pgh_tracked_model._meta.concrete_model  # the audited model, not its proxy
    labels = _labels(tracked)
    data = _values(event)
    context = getattr(event.pgh_context, "metadata", None) or {}
    if context.get("job") or context.get("task"):
        by = gettext("background job %(job)s") % {"job": context.get("job") or context["task"]}
    elif context.get("command") and context.get("os_user"):
        by = gettext("command %(command)s (%(os_user)s)") % {
            "command": context["command"],
            "os_user": context["os_user"],
        }
    elif context.get("command"):
        by = gettext("command %(command)s") % {"command": context["command"]}
    else:
        user_id = context.get("user")
        by = (usernames.get(user_id, "") if user_id is not None else "") or (
            gettext("anonymous") if context.get("url") else gettext("not recorded")
        )
    via = context.get("url", "")
    if event.pgh_label == "update":
        old = _values(previous) if previous is not None else {}
        fields = [
            (labels.get(column, column), old.get(column), new)
            for column, new in sorted(data.items())
            if previous is not None and old.get(column) != new
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
        what=capfirst(str(tracked._meta.verbose_name)),
        object_id=str(event.pgh_obj_id or ""),
        name=name,
        action=str(ACTIONS.get(event.pgh_label, event.pgh_label)),
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
        events = [model.objects.all() for model in models]
        if username := filters.cleaned_data["username"].strip():
            ids = list(User.objects.filter(username__iexact=username).values_list("pk", flat=True))
            events = [e.filter(pgh_context__metadata__user__in=ids) for e in events] if ids else []
        start, end = filters.bounds()
        if start:
            events = [e.filter(pgh_created_at__gte=start) for e in events]
        if end:
            events = [e.filter(pgh_created_at__lt=end) for e in events]
        trail = Trail(events)
        page = _page(request, trail)
        found = _events_of(trail, list(page.object_list))
        user_ids = {(getattr(e.pgh_context, "metadata", None) or {}).get("user") for e, _ in found} - {None}
        usernames = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "username"))
        page.object_list = [_change(event, previous, usernames) for event, previous in found]
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
