"""The home page: each person's work first, then the plans and what changed.

It puts together what the apps answer: the plans and entries (actions), the stocktaking cycles
(reports) and the reminders sent (notifications); each part is read for the person's role:

- a focal point: the open cycles their organization reports in, with the deadline and what it
  still owes in each; its entries returned for a correction, with the reason; its entries
  awaiting review; how many activities it has never reported on;
- CTED staff: the review queue by plan and organization, and the cycles (below);
- the secretariat and CTED staff: the open and planned cycles with their completeness, days
  left and who has not reported, and the "send a reminder now" button;
- everyone: the latest report of each plan shown and how much was logged since it closed.

What it lists is bounded by what the page shows (a few cycles, a page of plans), not by the
history: the rest is one link away.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from actions import generation, permissions
from actions.models import (
    Activity,
    OrganizationProgress,
    Participation,
    Plan,
    Responsibility,
    ReviewDecision,
    ReviewState,
    StatusEntry,
    StatusEntryReview,
)
from notifications.jobs import reminders_sent_on
from notifications.models import Reminder
from organizations.models import Organization
from reports.models import CycleProgress, CycleState, StocktakingCycle, progress_now
from tracker.http import Request

HOME_PLANS_PAGE_SIZE = 24
# The cycles shown, soonest deadline first; the stocktaking page lists them all.
CYCLES_SHOWN = 8
# Of each cycle: the organizations named that have not reported, the activities a focal point still owes.
SILENT_NAMED = 12
OWED_SHOWN = 8
# Entries returned to, or awaiting review of, a focal point's organization; and groups of the review queue.
ENTRIES_SHOWN = 10
QUEUE_GROUPS_SHOWN = 12


@dataclass
class CycleLine:
    """A cycle as the home page shows it: its progress, and for whom it is read."""

    cycle: StocktakingCycle
    progress: CycleProgress
    # The first organizations that have not reported (secretariat, staff) or the first activities the
    # focal point's organization owes, and how many more.
    silent: list[Organization]
    owed: list[Activity]
    more: int
    # When reminders were last sent by hand today, and whether one may be sent now.
    reminded_today: Reminder | None = None
    may_remind: bool = False


def home(request: Request) -> HttpResponse:
    user = request.user
    actor = permissions.actor_of(user)
    today = timezone.localdate()
    # A page of plans at a time, and the status counts of those plans only.
    page = Paginator(Plan.objects.with_counts(), HOME_PLANS_PAGE_SIZE).get_page(request.GET.get("page"))
    plans = list(page.object_list)
    # Counted over every activity of the page's plans: kept until anything changes (actions/generation.py).
    distribution = generation.kept_or_computed(
        "home-distribution",
        (permissions.readership(user), [plan.pk for plan in plans]),
        lambda: Activity.objects.filter(plan__in=plans).status_distribution(user, by="plan_id"),
    )
    context: dict[str, Any] = {
        "today": today,
        "plans": [(plan, distribution.get(plan.pk, {})) for plan in plans],
        "page": page,
        "latest_reports": _latest_reports(user, plans),
        "recent_entries": StatusEntry.objects.recent(user)[:10],
    }
    if permissions.may_review(user):
        context.update(_review_part(user))
    if permissions.may_run_stocktaking(user):
        cycles = context["cycles"] = _cycle_lines(_cycles_to_watch(), today, may_remind=True)
        # Counted only when the page cannot show them all.
        context["cycles_total"] = len(cycles) if len(cycles) < CYCLES_SHOWN else _cycles_to_watch().count()
    organization = actor.organization
    if organization is not None and permissions.may_log(user, organization=organization):
        context.update(_focal_point_part(user, organization, today))
    return render(request, "home.html", context)


def _cycles_to_watch():
    """The open and planned cycles, soonest deadline first."""
    return (
        StocktakingCycle.objects.filter(state__in=[CycleState.OPEN, CycleState.PLANNED])
        .select_related("plan")
        .defer("frozen_reports")
        .order_by("deadline", "plan__code", "pk")
    )


def _cycle_lines(
    cycles_query: Any, today: datetime.date, *, organization: Organization | None = None, may_remind: bool = False
) -> list[CycleLine]:
    """The first CYCLES_SHOWN of ``cycles_query`` with their progress as of now: of every expected
    organization, or of ``organization`` only (and then only the cycles it reports in)."""
    cycles = list(cycles_query[:CYCLES_SHOWN])
    # Kept until anything it is read from changes (actions/generation.py): the entries, plans and
    # organizations move the generation; the cycles' own dates and the day are in the key.
    progress = generation.kept_or_computed(
        "home-cycle-progress",
        (
            [(c.pk, c.plan_id, c.state, c.period_start, c.period_end) for c in cycles],
            organization.pk if organization else None,
            timezone.localdate(),
        ),
        lambda: progress_now(cycles, organization),
    )
    if organization is not None:
        cycles = [cycle for cycle in cycles if progress[cycle.pk].expected]
    # Every organization that has not reported is read (a few hundred at most), to name the first by acronym.
    named = {o for c in cycles for o in progress[c.pk].pending} if organization is None else set()
    owed = (
        {a for c in cycles for ids in progress[c.pk].pending.values() for a in ids[:OWED_SHOWN]}
        if organization is not None
        else set()
    )
    organizations = Organization.objects.in_bulk(named)
    activities = Activity.objects.select_related("plan").in_bulk(owed)
    reminded = reminders_sent_on([c for c in cycles if c.is_open], today) if may_remind else {}
    lines = []
    for cycle in cycles:
        cycle_progress = progress[cycle.pk]
        if organization is None:
            silent = sorted((organizations[o] for o in cycle_progress.pending), key=_acronym)[:SILENT_NAMED]
            more = len(cycle_progress.pending) - len(silent)
            shown: list[Activity] = []
        else:
            ids = cycle_progress.pending.get(organization.pk, [])
            silent, shown, more = [], [activities[a] for a in ids[:OWED_SHOWN]], max(0, len(ids) - OWED_SHOWN)
        lines.append(
            CycleLine(
                cycle=cycle,
                progress=cycle_progress,
                silent=silent,
                owed=shown,
                more=more,
                reminded_today=reminded.get(cycle.pk),
                may_remind=may_remind and cycle.is_open and cycle.pk not in reminded,
            )
        )
    return lines


def _acronym(organization: Organization) -> str:
    return organization.acronym


def _review_part(user: Any) -> dict[str, Any]:
    """The review queue as CTED staff start their day: how many wait, by plan and organization
    (each a link to the queue so filtered), and the oldest few."""
    queue = StatusEntry.objects.for_review_queue(user)
    # Kept until anything changes (actions/generation.py), for everyone who reads the same entries: with
    # 64,000 entries waiting at scale, counting them was most of a staff home page.
    count, counted = generation.kept_or_computed(
        "home-review-groups", permissions.readership(user), lambda: _review_counts(queue)
    )
    plans = Plan.objects.only("code", "title", "language").in_bulk({group["activity__plan_id"] for group in counted})
    organizations = Organization.objects.only("acronym").in_bulk({group["organization_id"] for group in counted})
    groups = [
        {
            "plan_code": plans[group["activity__plan_id"]].code,
            "plan_title": plans[group["activity__plan_id"]].title,
            "plan_language": plans[group["activity__plan_id"]].language,
            "acronym": organizations[group["organization_id"]].acronym,
            "waiting": group["waiting"],
        }
        for group in counted
    ]
    return {
        "review_count": count,
        "review_groups": groups[:QUEUE_GROUPS_SHOWN],
        "review_groups_more": len(groups) > QUEUE_GROUPS_SHOWN,
        "review_entries": queue[:5],
    }


def _review_counts(queue: Any) -> tuple[int, list[dict[str, int]]]:
    """How many entries wait, and the largest groups of them by plan and organization (one more than
    shown, to tell whether there are more), by ids: the index entry_awaiting_pairs answers alone."""
    counted = list(
        queue.order_by()
        .values("activity__plan_id", "organization_id")
        .annotate(waiting=Count("*"))  # not the ids: the index has the pairs only
        .order_by("-waiting", "activity__plan_id", "organization_id")[: QUEUE_GROUPS_SHOWN + 1]
    )
    return queue.count(), counted


def _focal_point_part(user: Any, organization: Organization, today: datetime.date) -> dict[str, Any]:
    """A focal point's work: the cycles their organization reports in, what came back, what waits."""
    # The open cycles of the plans it may report in (a participant, or named in an activity), before the
    # page takes the first few: progress_now then drops a cycle that expects nothing of it (left, or declared).
    takes_part = Participation.objects.filter(plan=OuterRef("plan"), organization=organization)
    named = Responsibility.objects.filter(activity__plan=OuterRef("plan"), organization=organization)
    reporting_in = _cycles_to_watch().filter(Exists(takes_part) | Exists(named), state=CycleState.OPEN)
    kept = OrganizationProgress.objects.filter(organization=organization)
    returned = (
        kept.filter(review_state=ReviewState.RETURNED)
        .select_related("activity__plan", "entry")
        .annotate(reason=_last_return_reason(), returned_at=_last_review_time())
        .order_by("-returned_at", "pk")
    )
    awaiting = (
        kept.filter(review_state=ReviewState.SUBMITTED)
        .select_related("activity__plan", "entry")
        .order_by("entry__created_at", "pk")
    )
    # Never reported on: no standing entry at all (a returned one is listed above). Their own
    # organization's entries are all theirs to read, so the kept standing entries answer (one
    # anti-join), not a subquery into each activity's history.
    to_report = Activity.objects.open_to(organization).exclude(pk__in=kept.values("activity_id"))
    # How many came back and how many wait, in one query; the lists only when there is something to list.
    counts = dict(
        kept.filter(review_state__in=[ReviewState.RETURNED, ReviewState.SUBMITTED])
        .order_by()
        .values_list("review_state")
        .annotate(n=Count("pk"))
    )
    returned_count, awaiting_count = counts.get(ReviewState.RETURNED, 0), counts.get(ReviewState.SUBMITTED, 0)
    return {
        "organization": organization,
        "my_cycles": _cycle_lines(reporting_in, today, organization=organization),
        "returned": list(returned[:ENTRIES_SHOWN]) if returned_count else [],
        "returned_count": returned_count,
        "awaiting": list(awaiting[:ENTRIES_SHOWN]) if awaiting_count else [],
        "awaiting_count": awaiting_count,
        "to_report_count": generation.kept_or_computed("never-reported-count", organization.pk, to_report.count),
    }


def _last_return_reason() -> Subquery:
    return Subquery(
        StatusEntryReview.objects.filter(entry=OuterRef("entry"), decision=ReviewDecision.RETURN)
        .order_by("-created_at", "-pk")
        .values("comment")[:1]
    )


def _last_review_time() -> Coalesce:
    last = StatusEntryReview.objects.filter(entry=OuterRef("entry")).order_by("-created_at", "-pk")
    return Coalesce(Subquery(last.values("created_at")[:1]), F("entry__created_at"))


def _latest_reports(user: Any, plans: list[Plan]) -> list[StocktakingCycle]:
    """The latest closed cycle of each of ``plans`` (the page's), with its summary (the participants
    report's counts) and how many entries ``user`` may read were logged on the plan since it closed
    (``logged_since``)."""
    latest = StocktakingCycle.objects.filter(plan=OuterRef("plan"), state=CycleState.CLOSED).order_by(
        "-period_end", "-pk"
    )
    since = (
        StatusEntry.objects.visible_to(user)
        .filter(activity__plan=OuterRef("plan"), created_at__gt=OuterRef("closed_at"))
        .order_by()
        .values("activity__plan")
        .annotate(n=Count("pk"))
        .values("n")
    )
    cycles = (
        StocktakingCycle.objects.filter(plan__in=plans, pk=Subquery(latest.values("pk")[:1]))
        .select_related("plan")
        .defer("frozen_reports")
        .annotate(logged_since=Coalesce(Subquery(since), 0))
        .order_by("plan__code")
    )
    return list(cycles)
