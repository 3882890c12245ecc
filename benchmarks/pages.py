"""How long the pages and the API take, for the shipped plans alone and at scale, on PostgreSQL (issue 11).

    make bench                         # the default scale: 2,000,000 entries
    make bench ENTRIES=200000          # a quicker run
    python benchmarks/pages.py --entries 200000 --repeats 10

It makes its own scratch database ``tracker_bench_<pid>`` on the PostgreSQL server at
127.0.0.1:5432 (user postgres), or on the server of ``BENCH_DATABASE_URL`` (a database there
to connect to while creating and dropping the scratch one, e.g.
``postgres://me:secret@db:5432/postgres``); DATABASE_URL is ignored. It migrates the database,
loads the shipped plans and measures each page and API call with Django's test client,
in-process, in five phases of one run: the shipped data alone; after ``generate_scale_data``
(sizes from the options) with a hundredth of the entries, the same pages as before (the shipped
plan, its activity, the same organization and people), then the largest (the plan of the busiest
generated activity, 400 activities, and that activity); and, in the scratch database made again,
with all the entries, the same pages and the same largest. The pages show as much with a hundredth
of the history as with all of it (a full page of entries, of plans, of the queue), so the ratio
of the two is the cost of history alone. It prints two tables: for each page, the database
queries and the size of the answer, the median and 95th percentile of the repeated runs in
milliseconds in each phase, and how much slower the 95th percentile is with all the history than
with the shipped data and than with a hundredth of it. The database and the throwaway media
folder are removed at the end, even after a failure. It prints figures; it asserts nothing.

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
import subprocess
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
# A row keeps repeating until its runs took at least this many seconds: a page of a few
# milliseconds gets a few hundred runs, so that its 95th percentile is not one stray run of twenty.
STEADY = 1.0
# A row stops repeating once its runs took this many seconds (after at least MIN_RUNS runs).
BUDGET = 30.0
MIN_RUNS = 3
# The baseline of the cost of history holds this fraction of the entries (1 in HISTORY_SHARE).
HISTORY_SHARE = 100
FEW = f"{100 / HISTORY_SHARE:g}%"


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


def measure(
    what: str, send: Callable[[], Any], *, repeats: int = REPEATS, steady: float = STEADY, budget: float = BUDGET
) -> Row:
    """Call ``send`` (a request through the test client) once to count its queries, then time it ``repeats``
    times and for at least ``steady`` seconds.

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
    while len(times) < repeats or sum(times) < steady:
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
    organization, a focal point of that organization, and an open cycle on the plan; or, given
    ``like``, the same plan, activity, organization and focal point as ``like``'s, found again by their
    codes, numbers and names (``like`` may come from another database)."""
    from django.contrib.auth.models import User
    from django.db.models import Count

    from actions.models import Activity, Plan, Responsibility, StatusEntry
    from organizations.models import FocalPoint, Organization
    from organizations.roles import Role
    from organizations.services import api_token_create, user_create
    from reports.models import StocktakingCycle
    from reports.services import cycle_create

    staff = accounts["staff"]
    if like is not None:
        plan = Plan.objects.get(code=like.plan.code)
        activity = busiest_activity(
            Activity.objects.filter(plan__code=like.activity.plan.code, number=like.activity.number)
        )
    elif plan_code is None:
        activity = busiest_activity(Activity.objects.filter(plan__code__startswith="scale-"))
        plan = activity.plan
    else:
        plan = Plan.objects.get(code=plan_code)
        activity = busiest_activity(plan.activities)
    # The organization with the most entries, then the one named in the most activities.
    entries = dict(StatusEntry.objects.order_by().values_list("organization").annotate(n=Count("pk")))
    named = dict(Responsibility.objects.order_by().values_list("organization").annotate(n=Count("pk")))
    if like is not None:
        organization = Organization.objects.get(acronym=like.organization.acronym)
    else:
        organization = max(
            Organization.objects.order_by("acronym"), key=lambda o: (entries.get(o.pk, 0), named.get(o.pk, 0))
        )
    organization.entries, organization.named = entries.get(organization.pk, 0), named.get(organization.pk, 0)
    focal_point = None
    if like is not None:
        focal_point = User.objects.filter(username=like.focal_point.username).first()
    else:
        contact = FocalPoint.objects.filter(organization=organization, user__isnull=False, is_active=True).first()
        focal_point = contact.user if contact is not None else None
    if focal_point is None:
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


def table(
    shipped: list[Row], few: list[Row], same: list[Row], few_largest: list[Row], largest: list[Row], repeats: int
) -> str:
    """Two tables. The same pages (the shipped plan's, its activity, the same organization and people)
    with the shipped data alone, with a hundredth of the history and with all of it: queries, KB and
    times, and how much slower the 95th percentile is with all the history than with the shipped data
    and than with a hundredth (the same pages showing as much: the cost of history alone). Then the
    largest (a 400-activity plan, the busiest activity) with a hundredth and with all of it."""

    def pair(a: float, b: float) -> str:
        return f"{a:.1f}/{b:.1f}"

    def times(*rows: Row) -> str:
        return "/".join(str(row.queries) for row in rows)

    def ratio(before: Row, after: Row) -> str:
        value = after.p95 / before.p95 if before.p95 and not math.isnan(after.p95) else math.nan
        return f"{value:.1f}x"

    notes: list[str] = []

    def noted(phases: dict[str, Row]) -> str:
        for phase, row in phases.items():
            if row.status not in (200, 201):
                notes.append(f"{row.what} ({phase}): answered {row.status}")
            if row.runs < repeats:
                notes.append(f"{row.what} ({phase}): {row.runs} runs (time budget)")
        return "*" if min(row.runs for row in phases.values()) < repeats else " "

    header = (
        f"{'the same pages':<38} {'queries':>8} {'KB':>16} {'shipped p50/p95':>16} {'1% p50/p95':>12} "
        f"{'all p50/p95':>12} {'/shipped':>8} {'/1%':>5}"
    )
    lines = [header, "-" * len(header)]
    for s, f, a in zip(shipped, few, same, strict=True):
        mark = noted({"shipped": s, "1%": f, "all": a})
        lines.append(
            f"{s.what:<38} {times(s, f, a):>8} {f'{s.kb:.1f}/{f.kb:.1f}/{a.kb:.1f}':>16} {pair(s.p50, s.p95):>16} "
            f"{pair(f.p50, f.p95):>12} {pair(a.p50, a.p95):>12} {ratio(s, a):>8} {ratio(f, a):>5}{mark}"
        )
    header = f"{'the largest':<38} {'queries':>8} {'KB':>16} {'1% p50/p95':>16} {'all p50/p95':>12} {'/1%':>5}"
    lines += ["", header, "-" * len(header)]
    for f, a in zip(few_largest, largest, strict=True):
        mark = noted({"1%, largest": f, "all, largest": a})
        lines.append(
            f"{f.what:<38} {times(f, a):>8} {pair(f.kb, a.kb):>16} {pair(f.p50, f.p95):>16} "
            f"{pair(a.p50, a.p95):>12} {ratio(f, a):>5}{mark}"
        )
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

    def create(drop: bool = False) -> None:
        with psycopg.connect(server, autocommit=True) as admin:
            if drop:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def start_again() -> None:
        """The scratch database made again, empty, and the cache emptied."""
        from django.conf import settings
        from django.db import connections

        connections.close_all()
        create(drop=True)
        if settings.REDIS_URL:
            import redis

            redis.Redis.from_url(settings.REDIS_URL).flushdb()

    create()
    try:
        import django

        django.setup()
        from django.conf import settings

        try:
            bench(options, start_again)
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


def prepare() -> dict[str, Any]:
    """Migrate the (empty) scratch database, load the shipped plans and make the benchmark's accounts."""
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
    return {
        "staff": user_create(username="bench-staff", role=Role.STAFF, password="bench", check_password=False),
        "viewer": user_create(username="bench-viewer", role=Role.VIEWER, password="bench", check_password=False),
        "admin": User.objects.create_superuser("bench-admin", "bench-admin@example.org", "bench"),
    }


def generate(options: argparse.Namespace, entries: int) -> float:
    """``generate_scale_data`` at the sizes of ``options`` with ``entries`` entries (which ends with
    VACUUM ANALYZE); the seconds it took.

    In a process of its own, as the data of a deployment exists before its server starts: made in
    the measuring process, two million entries left it (and its database connection) slower on
    every page afterwards, the pages that read no entry too.
    """
    from django.db import DatabaseError, connection

    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve().parent.parent / "manage.py"),
            "generate_scale_data",
            f"--plans={options.plans}",
            f"--activities={options.activities}",
            f"--organizations={options.organizations}",
            f"--focal-points={options.focal_points}",
            f"--entries={entries}",
            f"--seed={options.seed}",
        ],
        check=True,
    )
    generated = time.perf_counter() - started
    connection.close()  # its own, opened before the data existed
    started = time.perf_counter()
    with connection.cursor() as cursor:
        try:
            # The generated rows written out to disk now, not by the server's checkpointer while pages
            # are timed (a superuser's or pg_checkpoint's right; without it, left to the server).
            cursor.execute("CHECKPOINT")
            flushed = f"; CHECKPOINT: {time.perf_counter() - started:.1f} s"
        except DatabaseError as error:
            flushed = f"; no CHECKPOINT ({str(error).strip()})"
    print(f"generate_scale_data (and its VACUUM ANALYZE): {generated:.1f} s{flushed}", flush=True)
    return generated


def bench(options: argparse.Namespace, start_again: Callable[[], None]) -> None:
    """The phases in turn: the shipped data; the generated plans with a hundredth of the entries;
    then, in the scratch database made again (``start_again``), with all of them."""
    from django.conf import settings
    from django.db import connection

    runs = {"repeats": options.repeats, "budget": options.budget}
    accounts = prepare()
    shipped_targets = targets("nairobi-2007", accounts)
    shipped = run_phase("Shipped data", shipped_targets, **runs)
    shipped_load = activity_load(shipped_targets, options)

    # The same plans, organizations and people with a hundredth of the history: the pages show as much
    # as with all of it (a full page of entries, of plans, of the queue), so the ratio of the two is
    # what the history alone costs.
    few = max(1, options.entries // HISTORY_SHARE)
    generate(options, few)
    few_same = run_phase(
        f"{FEW} of the history, the same pages", targets("nairobi-2007", accounts, like=shipped_targets), **runs
    )
    few_largest_targets = targets(None, accounts)
    few_largest = run_phase(f"{FEW} of the history, the largest", few_largest_targets, **runs)

    start_again()
    accounts = prepare()
    generated = generate(options, options.entries)
    same = run_phase("All the history, the same pages", targets("nairobi-2007", accounts, like=shipped_targets), **runs)
    scale_targets = targets(None, accounts, like=few_largest_targets)
    largest = run_phase("All the history, the largest", scale_targets, **runs)
    scale_load = activity_load(scale_targets, options)

    print(
        f"\nPostgreSQL {connection.pg_version // 10000}, {options.repeats} runs per page and at least {STEADY:g} s "
        "(in-process test client); "
        f"scale: {options.plans} plans x {options.activities} activities, {options.organizations} organizations, "
        f"{options.focal_points} focal points, {options.entries:,} entries (generated in {generated:.0f} s); "
        f"{FEW}: {few:,} entries\n"
    )
    print(table(shipped, few_same, same, few_largest, largest, options.repeats), flush=True)
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
