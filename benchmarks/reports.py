"""How long each stocktaking report format takes, and how much memory it peaks at.

    python benchmarks/reports.py            # SQLite in memory, or the DATABASE_URL's server
    python benchmarks/reports.py json csv   # building the report and only these formats
    BENCH_ACTIVITIES=1000 python benchmarks/reports.py

It creates a throwaway test database, loads the shipped plans, adds a synthetic plan of
400 activities (the issue's size; ``BENCH_ACTIVITIES`` to change it) with 20 entries each,
half of them accepted through a review, opens a cycle on each plan and times every format
for a CTED staff reader. Each figure is the whole of what a worker does: reading the report
and rendering it. Memory is measured twice: Python's own allocations (tracemalloc) and the
peak resident size of a process forked to do only that export, which counts WeasyPrint's
and Pango's C allocations too; the process's size before the export is printed beside it,
and the peak of the largest worker process it started (the PDF's parts, REPORT_PDF_PROCESSES).
Nothing of it stays behind. It prints figures; it asserts nothing.
"""

import datetime
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings_test")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

ACTIVITIES = int(os.environ.get("BENCH_ACTIVITIES", "400"))
ENTRIES_PER_ACTIVITY = 20
REPEATS = 3
LONG_RUN = 10.0


def synthetic_plan(author):
    from actions.models import Activity, Objective, Plan, Responsibility, ReviewState, Status, StatusEntry
    from actions.models import StatusEntryReview as Review
    from organizations.models import Organization

    plan = Plan.objects.create(code="bench-plan", title=f"A plan of {ACTIVITIES:,} activities")
    objectives = Objective.objects.bulk_create(
        Objective(plan=plan, number=n, text=f"Objective {n}") for n in range(1, ACTIVITIES // 20 + 1)
    )
    activities = Activity.objects.bulk_create(
        Activity(
            plan=plan,
            objective=o,
            number=f"{o.number}.{i}",
            text=f"Activity {o.number}.{i} " * 6,
            responsible_text="ICAO, WCO",
        )
        for o in objectives
        for i in range(1, ACTIVITIES // len(objectives) + 1)
    )
    organizations = list(Organization.objects.filter(acronym__in=["ICAO", "WCO", "IMO", "INTERPOL"]))
    Responsibility.objects.bulk_create(
        Responsibility(
            activity=a,
            organization=organizations[(a.pk + k) % len(organizations)],
            role="lead" if k == 0 else "partner",
        )
        for a in activities
        for k in range(2)
    )
    statuses = list(Status)
    entries = StatusEntry.objects.bulk_create(
        StatusEntry(
            activity=a,
            organization=organizations[(a.pk + n) % len(organizations)],
            status=statuses[(a.pk + n) % len(statuses)],
            observations=f"Observation {n} on {a.number}: workshops, assessments and follow-up. " * 3,
            reported_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=(n * 17) % 300),
            author=author,
            review_state=ReviewState.ACCEPTED if n % 2 else ReviewState.SUBMITTED,
        )
        for a in activities
        for n in range(ENTRIES_PER_ACTIVITY)
    )
    Review.objects.bulk_create(
        Review(entry=e, reviewer=author, decision="accept") for e in entries if e.review_state == ReviewState.ACCEPTED
    )
    return plan


def measure(function):
    """Median seconds, peak traced bytes, the result, and how many timed runs the median is of.

    Times come from runs without tracemalloc, which slows allocation-heavy code several
    times over; the peak comes from one more run under it. A run longer than LONG_RUN
    seconds is not repeated: one such figure says enough.
    """
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
        if times[-1] > LONG_RUN:
            break
    tracemalloc.start()
    function()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(times), peak, result, len(times)


def peak_rss(function) -> tuple[float, float, float]:
    """The resident size (MiB) of a process forked from this one before and at its peak while it runs
    ``function``, and the peak of the largest process it started in turn (0 if none): the PDF's workers.

    The child's peak is its own: ru_maxrss of RUSAGE_CHILDREN is the largest of the children's.
    A worker is forked from the child and shares its pages until it writes to them, so the
    worker's figure counts what it shares too.
    """
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: measure, report through the pipe, leave without cleaning up the parent's state
        os.close(read)
        before = _current_rss()
        function()
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        os.write(write, f"{before} {own} {workers}".encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    before, peak, workers = (float(x) for x in answer.split())
    return before, peak, workers


def _current_rss() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from actions.models import Plan
        from organizations.roles import Role
        from organizations.services import user_create
        from reports import exports
        from reports.builder import build_report
        from reports.services import cycle_create

        call_command("loaddata", "organizations", "nairobi-2007", "cica-2008", verbosity=0)
        staff = user_create(username="bench", role=Role.STAFF, password="x", check_password=False)
        started = time.perf_counter()
        synthetic_plan(staff)
        print(f"database: {connection.vendor}; synthetic plan made in {time.perf_counter() - started:.1f} s")
        print(
            f"{'plan':<14}{'format':<8}{'median s':>10}{'py MiB':>8}{'RSS before':>12}{'RSS peak':>10}"
            f"{'worker peak':>13}{'size KiB':>10}{'runs':>6}",
            flush=True,
        )
        for code in ["nairobi-2007", "bench-plan"]:
            plan = Plan.objects.get(code=code)
            cycle = cycle_create(plan=plan, title="Benchmark", period_start=datetime.date(2026, 1, 1),
                                 period_end=datetime.date(2026, 12, 31), deadline=datetime.date(2026, 12, 1),
                                 author=staff)  # fmt: skip
            seconds, peak, _report, runs = measure(lambda cycle=cycle: build_report(cycle=cycle, edition="internal"))
            print(f"{code:<14}{'build':<8}{seconds:>10.3f}{peak / 2**20:>8.1f}{'':>45}{runs:>6}", flush=True)
            formats = sys.argv[1:] or ["json", "csv", "xlsx", "html", "pdf"]

            def export(format_, cycle=cycle) -> int:
                """The bytes written; the CSV as the page and the API send it, chunk by chunk."""
                report = build_report(cycle=cycle, edition="internal")
                if format_ == "csv":
                    return sum(len(chunk) for chunk in exports.csv_chunks(report))
                return len(exports.render(report, format_))

            # Each export's memory first, each in a child forked before any export ran here: a
            # child of a process that has run them could reuse the heap they left, and look smaller.
            connection.close()  # a child must not share this process's connection
            resident = {format_: peak_rss(lambda format_=format_: export(format_)) for format_ in formats}
            for format_ in formats:
                seconds, peak, size, runs = measure(lambda format_=format_: export(format_))
                before, rss, workers = resident[format_]
                print(
                    f"{'':<14}{format_:<8}{seconds:>10.3f}{peak / 2**20:>8.1f}{before:>12.0f}{rss:>10.0f}"
                    f"{f'{workers:.0f}' if workers else '':>13}{size / 1024:>10.0f}{runs:>6}",
                    flush=True,
                )
        print(f"(each figure: the median of its runs, building the report included; "
              f"{ACTIVITIES} activities x {ENTRIES_PER_ACTIVITY} entries in bench-plan)")  # fmt: skip
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
