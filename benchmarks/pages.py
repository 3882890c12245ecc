"""How long the pages and the API take, for the shipped plans alone and at scale, on PostgreSQL (issue 11).

    make bench                         # the default scale: 2,000,000 entries
    make bench ENTRIES=200000          # a quicker run
    python benchmarks/pages.py --entries 200000 --repeats 10

It makes its own scratch database ``tracker_bench_<pid>`` on the PostgreSQL server at
127.0.0.1:5432 (user postgres), or on the server of ``BENCH_DATABASE_URL`` (a database there
to connect to while creating and dropping the scratch one, e.g.
``postgres://me:secret@db:5432/postgres``); DATABASE_URL is ignored. It migrates the database,
loads the shipped plans and measures each page and API call with Django's test client,
in-process: first for the shipped data alone, then, in the same run, after
``generate_scale_data`` (sizes from the options) and a VACUUM ANALYZE, twice: the same pages as
before (the shipped plan, its activity, the same organization and people), then the largest (the
plan of the busiest generated activity, 400 activities, and that activity). It prints one table:
for each page, the database queries and the size of the answer (shipped / scale), the median and
95th percentile of the repeated runs in milliseconds, how much slower the 95th percentile of the
same page is at scale (the cost of history), and the figures of the largest. The database and
the throwaway media folder are removed at the end, even after a failure. It prints figures; it
asserts nothing.

Settings: tracker.settings_test with DEBUG off and ALLOWED_HOSTS=testserver. Redis as deployed, if
it answers: ``BENCH_REDIS_URL`` (default ``redis://127.0.0.1:6379/15``, a database the benchmark
empties at the end) is the cache, which keeps the activity detail API's answers, and the broker,
to which logging an entry hands its e-mails (no worker takes them: they are dropped at the end).
Without Redis, the e-mails are written in the request and nothing is kept; the table says which.
"""

import argparse
import datetime
import gc
import json
import math
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
REPEATS = 20
# A row stops repeating once its runs took this many seconds (after at least MIN_RUNS runs).
BUDGET = 30.0
MIN_RUNS = 3


@dataclass
class Row:
    """One page measured: its answer's status, queries and size, and its times in milliseconds."""

    what: str
    status: int | str
    queries: int
    kb: float
    p50: float
    p95: float
    runs: int


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with ``share`` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def measure(what: str, send: Callable[[], Any], *, repeats: int = REPEATS, budget: float = BUDGET) -> Row:
    """Call ``send`` (a request through the test client) once to count its queries, then time it ``repeats`` times.

    A request that raises gives a row with the error as its status and no times.
    """
    from django.db import connection

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    try:
        with connection.execute_wrapper(count):
            response = send()
    except Exception as error:  # a crash in the app is a figure to report, not a reason to stop
        return Row(what, f"{type(error).__name__}: {error}"[:120], queries, 0.0, math.nan, math.nan, 0)
    if getattr(response, "streaming", False):
        size = sum(len(chunk) for chunk in response.streaming_content)
    else:
        size = len(response.content)
    times: list[float] = []
    while len(times) < repeats:
        started = time.perf_counter()
        send()
        times.append(time.perf_counter() - started)
        if sum(times) > budget and len(times) >= MIN_RUNS:
            break
    return Row(
        what,
        response.status_code,
        queries,
        size / 1024,
        statistics.median(times) * 1000,
        percentile(times, 0.95) * 1000,
        len(times),
    )


@dataclass
class Targets:
    """What a phase measures: the plan, the busiest activity and organization, and who asks."""

    plan: Any
    activity: Any
    organization: Any
    logging_activity: Any
    focal_point: Any
    staff: Any
    viewer: Any
    admin: Any
    staff_key: str
    focal_point_key: str
    cycle: Any


def busiest_activity(queryset) -> Any:
    from django.db.models import Count

    return queryset.annotate(n=Count("status_entries")).order_by("-n", "pk").select_related("plan").first()


def targets(plan_code: str | None, accounts: dict[str, Any], like: "Targets | None" = None) -> Targets:
    """The plan (``plan_code``, or that of the busiest generated activity), the busiest activity and
    organization, a focal point of that organization (or the activity, organization and focal point
    of ``like``), and an open cycle on the plan."""
    from django.db.models import Count

    from actions.models import Activity, Plan, Responsibility, StatusEntry
    from organizations.models import FocalPoint, Organization
    from organizations.roles import Role
    from organizations.services import api_token_create, user_create
    from reports.models import StocktakingCycle
    from reports.services import cycle_create

    staff = accounts["staff"]
    if plan_code is None:
        activity = busiest_activity(Activity.objects.filter(plan__code__startswith="scale-"))
        plan = activity.plan
    else:
        plan = Plan.objects.get(code=plan_code)
        activity = busiest_activity(
            Activity.objects.filter(plan=plan, pk=like.activity.pk) if like else plan.activities
        )
    # The organization with the most entries, then the one named in the most activities.
    entries = dict(StatusEntry.objects.order_by().values_list("organization").annotate(n=Count("pk")))
    named = dict(Responsibility.objects.order_by().values_list("organization").annotate(n=Count("pk")))
    organization = like.organization if like else None
    if organization is None:
        organization = max(
            Organization.objects.order_by("acronym"), key=lambda o: (entries.get(o.pk, 0), named.get(o.pk, 0))
        )
    organization.entries, organization.named = entries.get(organization.pk, 0), named.get(organization.pk, 0)
    contact = FocalPoint.objects.filter(organization=organization, user__isnull=False, is_active=True).first()
    if like is not None:
        focal_point = like.focal_point
    elif contact is not None and contact.user is not None:
        focal_point = contact.user
    else:
        focal_point = user_create(
            username=f"bench-fp-{organization.acronym.lower()}",
            role=Role.FOCAL_POINT,
            password="bench",
            email=f"bench-fp@{organization.acronym.lower()}.example.org",
            organization=organization,
            check_password=False,
        )
    # Logged on another activity than the one whose page is measured: that page shows the same rows
    # in the shipped phase and again at scale.
    logging_activity = busiest_activity(
        Activity.objects.filter(responsibilities__organization=organization).exclude(pk=activity.pk)
    )
    cycle = StocktakingCycle.objects.filter(plan=plan, title="Benchmark").first() or cycle_create(
        plan=plan,
        title="Benchmark",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        deadline=datetime.date(2026, 12, 15),
        author=staff,
        open_now=True,
    )
    return Targets(
        plan=plan,
        activity=activity,
        organization=organization,
        logging_activity=logging_activity,
        focal_point=focal_point,
        staff=staff,
        viewer=accounts["viewer"],
        admin=accounts["admin"],
        staff_key=api_token_create(user=staff, name="benchmark")[1],
        focal_point_key=api_token_create(user=focal_point, name="benchmark")[1],
        cycle=cycle,
    )


def probes(t: Targets) -> list[tuple[str, Callable[[], Any]]]:
    """Each page or API call to measure, as (what, a function that sends it once)."""
    from django.test import Client

    def signed_in(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    staff, focal_point, viewer, admin = (signed_in(u) for u in (t.staff, t.focal_point, t.viewer, t.admin))
    api = Client()
    as_staff = {"Authorization": f"Token {t.staff_key}"}
    as_focal_point = {"Authorization": f"Token {t.focal_point_key}"}
    since = "2026-06-01"
    entry = {
        "activity": t.logging_activity.pk,
        "organization": t.organization.acronym,
        "status": "in_progress",
        "observations": "Benchmark: a regional workshop on border security was held; a report follows.",
        "reported_on": "2026-06-30",
    }
    return [
        ("home, staff", lambda: staff.get("/")),
        ("home, focal point", lambda: focal_point.get("/")),
        ("home, viewer", lambda: viewer.get("/")),
        ("plan page, staff", lambda: staff.get(f"/plans/{t.plan.code}/")),
        ("plan page, focal point", lambda: focal_point.get(f"/plans/{t.plan.code}/")),
        ("activity page (busiest)", lambda: staff.get(f"/activities/{t.activity.pk}/")),
        ("organization page (busiest)", lambda: staff.get(f"/organizations/{t.organization.acronym}/")),
        ("review queue", lambda: staff.get("/review/")),
        ("cycle page (open cycle)", lambda: staff.get(f"/cycles/{t.cycle.pk}/")),
        ("API status-entries", lambda: api.get("/api/v1/status-entries/", headers=as_staff)),
        ("API activities ?plan=", lambda: api.get(f"/api/v1/activities/?plan={t.plan.code}", headers=as_staff)),
        (
            "API activities ?updated_since=",
            lambda: api.get(f"/api/v1/activities/?updated_since={since}", headers=as_staff),
        ),
        ("API organizations", lambda: api.get("/api/v1/organizations/", headers=as_staff)),
        ("API activity detail", lambda: api.get(f"/api/v1/activities/{t.activity.pk}/", headers=as_staff)),
        (
            "API POST status-entries (focal point)",
            lambda: api.post(
                "/api/v1/status-entries/", json.dumps(entry), content_type="application/json", headers=as_focal_point
            ),
        ),
        ("admin status entries (baseline)", lambda: admin.get("/admin/actions/statusentry/")),
    ]


def run_phase(name: str, t: Targets, *, repeats: int, budget: float) -> list[Row]:
    print(
        f"\n{name}: plan {t.plan.code}, busiest activity {t.activity.plan.code} {t.activity.number} "
        f"({t.activity.n:,} entries), busiest organization {t.organization.acronym} ({t.organization.entries:,} "
        f"entries, named in {t.organization.named:,} activities), focal point {t.focal_point.username}",
        flush=True,
    )
    rows = []
    for what, send in probes(t):
        row = measure(what, send, repeats=repeats, budget=budget)
        print(
            f"  {what:<40} {row.status!s:>5} {row.queries:>5} q {row.kb:>8.1f} KB "
            f"{row.p50:>9.1f} / {row.p95:>9.1f} ms ({row.runs} runs)",
            flush=True,
        )
        rows.append(row)
    return rows


def table(shipped: list[Row], same: list[Row], largest: list[Row], repeats: int) -> str:
    """One table: each page's queries and KB (shipped / scale), its times with the shipped data alone and
    at scale, the ratio of those p95s (the same page: the shipped plan's), then the times of the largest
    at scale (a 400-activity plan, the busiest activity; the same page where no plan is shown)."""
    header = (
        f"{'what':<38} {'queries':>7} {'KB':>12} {'shipped p50/p95':>16} {'scale p50/p95':>15} {'ratio':>6}"
        f"  {'largest: q':>10} {'KB':>6} {'p50/p95 ms':>13}"
    )
    lines = [header, "-" * len(header)]
    notes = []
    for before, after, big in zip(shipped, same, largest, strict=True):
        ratio = after.p95 / before.p95 if before.p95 and not math.isnan(after.p95) else math.nan
        mark = "*" if min(before.runs, after.runs, big.runs) < repeats else " "
        lines.append(
            f"{before.what:<38} {f'{before.queries}/{after.queries}':>7} {f'{before.kb:.1f}/{after.kb:.1f}':>12} "
            f"{f'{before.p50:.1f}/{before.p95:.1f}':>16} {f'{after.p50:.1f}/{after.p95:.1f}':>15} "
            f"{f'{ratio:.1f}x':>6}{mark} {big.queries:>10} {big.kb:>6.1f} {f'{big.p50:.1f}/{big.p95:.1f}':>13}"
        )
        for phase, row in (("shipped", before), ("scale", after), ("largest", big)):
            if row.status not in (200, 201):
                notes.append(f"{row.what} ({phase}): answered {row.status}")
            if row.runs < repeats:
                notes.append(f"{row.what} ({phase}): {row.runs} runs (time budget)")
    return "\n".join([*lines, *(f"  * {note}" if "runs" in note else f"  ! {note}" for note in notes)])


def scratch_urls(pid: int) -> tuple[str, str, str]:
    """The server's maintenance database, the scratch database's URL and its name."""
    server = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_SERVER
    parts = urlsplit(server)
    name = f"tracker_bench_{pid}"
    return server, urlunsplit(parts._replace(path=f"/{name}")), name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=2_000_000)
    parser.add_argument("--plans", type=int, default=100)
    parser.add_argument("--activities", type=int, default=400)
    parser.add_argument("--organizations", type=int, default=300)
    parser.add_argument("--focal-points", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2007)
    parser.add_argument("--repeats", type=int, default=REPEATS, help=f"Timed runs of each page (default {REPEATS}).")
    parser.add_argument(
        "--budget", type=float, default=BUDGET, help=f"Seconds after which a page stops repeating (default {BUDGET:g})."
    )
    parser.add_argument("--clients", type=int, default=16, help="Clients asking the activity detail API at once.")
    parser.add_argument("--load-seconds", type=float, default=20.0, help="Seconds of that load (default 20).")
    options = parser.parse_args()

    import psycopg
    from psycopg import sql

    server, url, name = scratch_urls(os.getpid())
    # LOG_LEVEL: not a line per e-mail task run in-process (errors and warnings are still shown).
    os.environ.update(DATABASE_URL=url, DEBUG="0", ALLOWED_HOSTS="testserver", LOG_LEVEL="WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings_test")
    os.environ.pop("REDIS_URL", None)
    redis_url = os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS
    if answers(redis_url):
        os.environ["REDIS_URL"] = redis_url
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project, and benchmarks.load
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        import django

        django.setup()
        from django.conf import settings

        try:
            bench(options)
        finally:
            from django.db import connections

            connections.close_all()
            shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
            if settings.REDIS_URL:  # the queued e-mails and the kept answers
                import redis

                redis.Redis.from_url(settings.REDIS_URL).flushdb()
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def answers(redis_url: str) -> bool:
    """Whether Redis answers at ``redis_url``."""
    import redis

    try:
        return bool(redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def bench(options: argparse.Namespace) -> None:
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    from organizations.roles import Role
    from organizations.services import user_create

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_shipped_plans", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"database {connection.settings_dict['NAME']}: migrated, shipped plans loaded "
          f"in {time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
    # As tracker/wsgi.py does in a server: what is loaded by now is out of the collector's sight.
    gc.collect()
    gc.freeze()
    accounts = {
        "staff": user_create(username="bench-staff", role=Role.STAFF, password="bench", check_password=False),
        "viewer": user_create(username="bench-viewer", role=Role.VIEWER, password="bench", check_password=False),
        "admin": User.objects.create_superuser("bench-admin", "bench-admin@example.org", "bench"),
    }
    shipped_targets = targets("nairobi-2007", accounts)
    runs = {"repeats": options.repeats, "budget": options.budget}
    shipped = run_phase("Shipped data", shipped_targets, **runs)
    shipped_load = activity_load(shipped_targets, options)

    started = time.perf_counter()
    call_command(
        "generate_scale_data",
        plans=options.plans,
        activities=options.activities,
        organizations=options.organizations,
        focal_points=options.focal_points,
        entries=options.entries,
        seed=options.seed,
    )
    generated = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    vacuumed = time.perf_counter() - started
    print(f"generate_scale_data: {generated:.1f} s; VACUUM ANALYZE: {vacuumed:.1f} s", flush=True)
    # The same pages as before (the shipped plan's), then the largest: what more history costs, and
    # what a page of a 400-activity plan and of the busiest activity costs.
    same = run_phase("At scale, the same pages", targets("nairobi-2007", accounts, like=shipped_targets), **runs)
    scale_targets = targets(None, accounts)
    largest = run_phase("At scale, the largest", scale_targets, **runs)
    scale_load = activity_load(scale_targets, options)

    print(
        f"\nPostgreSQL {connection.pg_version // 10000}, {options.repeats} runs per page (in-process test client); "
        f"scale: {options.plans} plans x {options.activities} activities, {options.organizations} organizations, "
        f"{options.focal_points} focal points, {options.entries:,} entries (generated in {generated:.0f} s)\n"
    )
    print(table(shipped, same, largest, options.repeats), flush=True)
    if settings.REDIS_URL:
        print(
            f"\nRedis at {settings.REDIS_URL}: the cache (kept API answers) and the broker (e-mails queued, not sent)."
        )
    else:
        print("\nNo Redis: nothing kept in a cache; logging an entry writes its e-mails in the request.")
    print(f"\nAPI activity detail under gunicorn, {options.clients} clients:")
    print(f"  shipped: {shipped_load}\n  scale:   {scale_load}", flush=True)


def activity_load(t: Targets, options: argparse.Namespace) -> Any:
    """The activity detail API's throughput under gunicorn (benchmarks/load.py), as CTED staff."""
    from django.conf import settings
    from django.db import connection

    from benchmarks.load import throughput

    settings_dict = connection.settings_dict
    url = (
        f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD']}@{settings_dict['HOST'] or '127.0.0.1'}:"
        f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
    )
    load = throughput(
        url,
        settings.SECRET_KEY,
        f"/api/v1/activities/{t.activity.pk}/",
        t.staff_key,
        clients=options.clients,
        seconds=options.load_seconds,
        redis_url=settings.REDIS_URL,
    )
    print(f"  API activity detail under gunicorn: {load}", flush=True)
    return load


if __name__ == "__main__":
    main()
