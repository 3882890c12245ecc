"""generate_scale_data (issue 11) at a tiny size, and the page benchmark's measuring on the test database."""

import dataclasses
import datetime
import hashlib
import importlib.util
import time
import types
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.test import Client

from actions.models import (
    Activity,
    Confidentiality,
    Objective,
    OrganizationProgress,
    Participation,
    Plan,
    Responsibility,
    ResponsibilityRole,
    ReviewDecision,
    ReviewState,
    StatusEntry,
    StatusEntryReview,
)
from actions.permissions import SYSTEM
from organizations.models import FocalPoint, Organization
from organizations.roles import GROUP_NAMES, Role

TINY = {"plans": 2, "activities": 20, "organizations": 10, "focal_points": 12, "entries": 500}


def generate(**sizes) -> str:
    out = StringIO()
    call_command("generate_scale_data", **{**TINY, **sizes}, stdout=out)
    return out.getvalue()


def generated_entries():
    return StatusEntry.objects.filter(activity__plan__code__startswith="scale-")


ENTRY_FIELDS = (
    "pk", "activity__plan__code", "activity__number", "organization__acronym", "status", "observations", "evidence",
    "reported_on", "author__username", "confidentiality", "review_state", "supersedes_id", "created_at",
)  # fmt: skip


def digest() -> str:
    """A digest of every generated row, by natural keys (and the entries' and reviews' own ids)."""
    entries = generated_entries().order_by("pk")
    rows = [
        list(
            Plan.objects.filter(code__startswith="scale-").order_by("code").values_list("code", "title", "adopted_on")
        ),
        list(
            Activity.objects.filter(plan__code__startswith="scale-")
            .order_by("plan__code", "number_major", "number_minor")
            .values_list("plan__code", "objective__number", "number", "text", "responsible_text")
        ),
        list(
            Responsibility.objects.filter(activity__plan__code__startswith="scale-")
            .order_by("activity__plan__code", "activity__number", "organization__acronym")
            .values_list("activity__plan__code", "activity__number", "organization__acronym", "role")
        ),
        list(
            Participation.objects.filter(plan__code__startswith="scale-")
            .order_by("plan__code", "organization__acronym")
            .values_list("plan__code", "organization__acronym", "joined_on")
        ),
        list(Organization.objects.filter(acronym__startswith="SCALE-").values_list("acronym", "kind")),
        list(
            FocalPoint.objects.filter(user__username__startswith="scale-fp-")
            .order_by("user__username")
            .values_list("user__username", "organization__acronym", "email", "confirmed_on")
        ),
        list(
            User.objects.filter(username__startswith="scale-").order_by("username").values_list("username", "password")
        ),
        list(entries.values_list(*ENTRY_FIELDS)),
        list(
            StatusEntryReview.objects.filter(entry__in=entries)
            .order_by("pk")
            .values_list("pk", "entry_id", "reviewer__username", "decision", "comment", "created_at")
        ),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_tiny_sizes_make_the_counts_asked_for(db):
    output = generate()
    assert "status entries and reviews" in output and "Done in" in output

    plans = Plan.objects.filter(code__startswith="scale-")
    assert list(plans.order_by("code").values_list("code", flat=True)) == ["scale-001", "scale-002"]
    assert Objective.objects.filter(plan__in=plans).count() == 20
    activities = Activity.objects.filter(plan__in=plans)
    assert activities.count() == 40
    assert set(activities.filter(plan__code="scale-001").values_list("number", flat=True)) == {
        f"{o}.{i}" for o in range(1, 11) for i in (1, 2)
    }
    assert Organization.objects.filter(acronym__startswith="SCALE-").count() == 10
    assert Organization.objects.filter(acronym="SCALE-001").exists()
    focal_points = User.objects.filter(username__startswith="scale-fp-")
    assert focal_points.count() == 12
    assert focal_points.filter(groups__name=GROUP_NAMES[Role.FOCAL_POINT]).count() == 12
    assert FocalPoint.objects.filter(user__in=focal_points, organization__acronym__startswith="SCALE-").count() == 12
    # Every organization has a focal point (there are more focal points than organizations).
    assert FocalPoint.objects.filter(user__in=focal_points).values("organization").distinct().count() == 10
    assert User.objects.filter(username="scale-staff-1", groups__name=GROUP_NAMES[Role.STAFF]).exists()
    assert not any(user.has_usable_password() for user in User.objects.filter(username__startswith="scale-"))
    assert generated_entries().count() == 500
    # A lead and one or two partners on every activity.
    per_activity = (
        Responsibility.objects.filter(activity__in=activities)
        .values("activity")
        .annotate(leads=Count("pk", filter=Q(role=ResponsibilityRole.LEAD)), named=Count("pk"))
    )
    assert {(row["leads"], row["named"] in (2, 3)) for row in per_activity} == {(1, True)}


def test_generated_entries_respect_the_rules(db):
    generate()
    entries = generated_entries()
    named = Responsibility.objects.filter(activity=OuterRef("activity"), organization=OuterRef("organization"))
    assert not entries.exclude(Exists(named)).exists()
    # Each organization named in a plan takes part in it.
    taking_part = Participation.objects.filter(plan=OuterRef("activity__plan"), organization=OuterRef("organization"))
    assert not Responsibility.objects.filter(activity__plan__code__startswith="scale-").exclude(Exists(taking_part))

    # What is kept from the entries (COPY sends no signal) equals what the entries say.
    pairs = set(entries.values_list("activity_id", "organization_id"))
    kept = OrganizationProgress.objects.filter(activity__plan__code__startswith="scale-")
    assert set(kept.values_list("activity_id", "organization_id")) == pairs
    for row in kept.order_by("pk")[:50]:
        standing = entries.filter(activity=row.activity_id, organization=row.organization_id).standing(SYSTEM).first()
        assert (row.entry_id, row.status, row.review_state) == (standing.pk, standing.status, standing.review_state)

    staff = set(User.objects.filter(username__startswith="scale-staff-").values_list("pk", flat=True))
    focal_points = set(FocalPoint.objects.values_list("user_id", "organization_id"))
    reviews = {r.entry_id: r for r in StatusEntryReview.objects.filter(entry__in=entries)}
    assert len(reviews) == StatusEntryReview.objects.filter(entry__in=entries).count()  # one review at most
    ordered = list(entries.order_by("pk"))
    assert [e.created_at for e in ordered] == sorted(e.created_at for e in ordered)
    for entry in ordered:
        assert entry.author_id in staff or (entry.author_id, entry.organization_id) in focal_points
        assert datetime.date(2006, 7, 1) <= entry.reported_on <= entry.created_at.date() <= datetime.date(2026, 6, 30)
        review = reviews.get(entry.pk)
        if entry.review_state == ReviewState.ACCEPTED:
            assert (review is None and entry.author_id in staff) or review.decision == ReviewDecision.ACCEPT
        elif entry.review_state == ReviewState.RETURNED:
            assert review is not None and review.decision == ReviewDecision.RETURN and review.comment
        else:
            assert review is None
        if review is not None:
            assert review.reviewer_id in staff and entry.created_at <= review.created_at
        if entry.review_state == ReviewState.SUPERSEDED:
            assert StatusEntry.objects.filter(supersedes=entry).exists()
        if entry.supersedes is not None:
            corrected = entry.supersedes
            assert (corrected.activity_id, corrected.organization_id) == (entry.activity_id, entry.organization_id)
            assert corrected.created_at < entry.created_at
            assert corrected.review_state in (ReviewState.SUPERSEDED, ReviewState.RETURNED)

    states = dict(entries.values_list("review_state").annotate(n=Count("pk")))
    assert states[ReviewState.ACCEPTED] > 400 and states[ReviewState.RETURNED] > 0
    assert states.get(ReviewState.SUPERSEDED, 0) + states.get(ReviewState.SUBMITTED, 0) > 0
    assert entries.filter(supersedes__isnull=False).exists()
    secrecy = dict(entries.values_list("confidentiality").annotate(n=Count("pk")))
    assert secrecy[Confidentiality.PARTICIPANTS] > 250 and secrecy[Confidentiality.RESTRICTED] > 0
    # Skewed: the busiest activity has several times the entries of the median one.
    counts = sorted(entries.values("activity").annotate(n=Count("pk")).values_list("n", flat=True))
    assert counts[-1] >= 3 * counts[len(counts) // 2]


def test_a_second_run_is_refused_and_leaves_the_first(db):
    generate()
    with pytest.raises(CommandError, match="already exists"):
        generate(plans=1, entries=10)
    assert generated_entries().count() == 500
    assert Plan.objects.filter(code__startswith="scale-").count() == 2


def test_a_failure_leaves_nothing(db, monkeypatch):
    from tracker.management.commands import generate_scale_data

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(generate_scale_data, "make_entries", fail)
    with pytest.raises(RuntimeError):
        generate()
    assert not Plan.objects.filter(code__startswith="scale-").exists()
    assert not User.objects.filter(username__startswith="scale-").exists()


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_generated_rows_are_vacuumed_and_analyzed_once_committed():
    from django.db import connection

    out = generate()
    if connection.vendor != "postgresql":
        assert "VACUUM" not in out  # nothing of the kind to run
        return
    assert "VACUUM ANALYZE" in out
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT last_vacuum IS NOT NULL, last_analyze IS NOT NULL, reltuples "
            "FROM pg_stat_user_tables JOIN pg_class ON pg_class.oid = relid "
            "WHERE pg_class.relname = 'actions_statusentry'"
        )
        vacuumed, analyzed, rows = cursor.fetchone()
    assert vacuumed and analyzed and rows >= 500  # the planner knows the entries are there


class RolledBack(Exception):
    pass


def test_the_same_seed_gives_the_same_rows(db):
    digests = []
    for seed in (2007, 2007, 2008):
        try:
            with transaction.atomic():
                generate(seed=seed)
                digests.append(digest())
                raise RolledBack
        except RolledBack:
            pass
        assert not Plan.objects.filter(code__startswith="scale-").exists()
    assert digests[0] == digests[1]
    assert digests[2] != digests[0]


def load_bench():
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "pages.py"
    spec = importlib.util.spec_from_file_location("benchmark_pages", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_page_benchmark_measures_a_page(staff):
    pages = load_bench()
    client = Client()
    client.force_login(staff)
    row = pages.measure("home, staff", lambda: client.get("/"), repeats=2, steady=0)
    assert (row.what, row.status, row.runs) == ("home, staff", 200, 2)
    assert row.queries > 0 and row.kb > 1 and 0 < row.p50 <= row.p95
    slower = dataclasses.replace(row, p95=row.p95 * 2)
    table = pages.table([row], [row], [slower], [row], [slower], repeats=2)
    assert "shipped p50/p95" in table and "1% p50/p95" in table and "the largest" in table
    assert table.count("home, staff") == 2 and f"{row.p50:.1f}/{row.p95:.1f}" in table
    # The same page with all the history against the shipped data and against a hundredth of it,
    # and the largest against a hundredth: twice as slow at the 95th percentile each time.
    assert table.count("2.0x") == 3 and "1.0x" not in table


def test_a_quick_page_is_timed_for_a_steady_time_not_only_its_repeats():
    """A page of a millisecond timed twenty times would give a 95th percentile that is one stray run."""
    pages = load_bench()
    answer = types.SimpleNamespace(status_code=200, content=b"x" * 2048)

    def send():
        time.sleep(0.001)
        return answer

    row = pages.measure("quick", send, repeats=2, steady=0.05)
    assert row.runs > 2 and row.runs * row.p50 >= 40
    assert pages.measure("quick", send, repeats=2, steady=0).runs == 2


def test_every_page_the_benchmark_asks_for_answers(db):
    """Each request of the benchmark, once, on tiny generated data: its addresses and its users still work."""
    from organizations.services import user_create

    pages = load_bench()
    generate(entries=200)
    accounts = {
        "staff": user_create(username="bench-staff", role=Role.STAFF, password="x", check_password=False),
        "viewer": user_create(username="bench-viewer", role=Role.VIEWER, password="x", check_password=False),
        "admin": User.objects.create_superuser("bench-admin", "admin@example.org", "x"),
    }
    targets = pages.targets(None, accounts)
    assert targets.plan.code.startswith("scale-") and targets.organization.acronym.startswith("SCALE-")
    rows = [pages.measure(what, send, repeats=1, steady=0) for what, send in pages.probes(targets)]
    assert {row.what: row.status for row in rows} == {row.what: 201 if "POST" in row.what else 200 for row in rows}
    # The next phase finds the same plan, activity, organization and focal point again by their
    # names (in a database made again, their ids may differ), and the cycle it made.
    again = pages.targets("nairobi-2007", accounts, like=targets)
    assert (again.plan, again.activity, again.organization, again.focal_point, again.cycle) == (
        targets.plan,
        targets.activity,
        targets.organization,
        targets.focal_point,
        targets.cycle,
    )
