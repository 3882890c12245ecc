"""A plan over its stocktaking cycles (reports.views.plan_progress): completeness per cycle and the statuses
at each close from the cycles' summaries, and the organizations by objective as they stand."""

import datetime
import importlib
import re

import pytest
from django.apps import apps
from django.test import Client

from actions.models import Confidentiality
from reports.builder import summary_of
from reports.models import StocktakingCycle
from reports.services import cycle_close, cycle_report_read
from tests.reports.scenario import accept, log, new_cycle

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def closed_cycle(staff, title: str, year: int) -> StocktakingCycle:
    cycle = new_cycle(
        staff,
        title=title,
        start=datetime.date(year, 1, 1),
        end=datetime.date(year, 6, 30),
        deadline=datetime.date(year, 7, 15),
    )
    cycle_close(cycle=cycle, actor=staff, confirm=True)
    cycle.refresh_from_db()
    return cycle


def test_a_closed_cycle_keeps_the_counts_of_its_participants_report(staff, focal_point):
    accept(log(focal_point, "3.2", "ICAO", "ongoing", "Under way."), staff)
    cycle = closed_cycle(staff, "First half 2025", 2025)
    report = cycle_report_read(cycle=cycle)
    assert cycle.summary_distribution == report.distribution
    assert cycle.summary["reported_pairs"] == report.reported_pairs > 0
    assert cycle.summary["expected_pairs"] == report.expected_pairs
    assert cycle.summary_completeness == report.completeness


def test_the_migration_summarizes_the_cycles_closed_before_it(staff, focal_point):
    accept(log(focal_point, "3.2", "ICAO", "ongoing", "Under way."), staff)
    cycle = closed_cycle(staff, "First half 2025", 2025)
    expected = cycle.summary
    StocktakingCycle.objects.filter(pk=cycle.pk).update(summary={})
    migration = importlib.import_module("reports.migrations.0010_cycle_summary")
    migration.summarize_closed_cycles(apps, None)
    cycle.refresh_from_db()
    assert cycle.summary == expected == summary_of(cycle.frozen_reports["participants"])


def test_the_progress_page_charts_each_closed_cycle_and_the_open_one(viewer, staff, focal_point):
    first = closed_cycle(staff, "First half 2024", 2024)
    accept(log(focal_point, "3.2", "ICAO", "ongoing", "Under way."), staff)
    accept(log(focal_point, "3.3", "ICAO", "completed", "Done."), staff)
    second = closed_cycle(staff, "First half 2025", 2025)
    html = signed_in(viewer).get("/plans/nairobi-2007/progress/").content.decode()
    chart = re.search(r'<svg class="chart completeness-chart" role="img" aria-label="([^"]+)"', html)[1]
    shares = [round(100 * c.summary_completeness) for c in (first, second)]
    assert chart == f"Completeness per cycle: First half 2024: {shares[0]}%; First half 2025: {shares[1]}%"
    assert shares[1] > shares[0]
    for share in shares:
        assert f'font-weight="bold">{share}%</text>' in html  # printed on the column, not only drawn
    statuses = html[html.index('id="statuses"') : html.index('id="matrix"')]
    assert statuses.index("First half 2024") < statuses.index("First half 2025")  # oldest first
    assert "Ongoing 1 · Completed 1" in statuses or "Completed 1 · Ongoing 1" in statuses
    assert 'href="/plans/nairobi-2007/progress/"' in signed_in(viewer).get("/plans/nairobi-2007/").content.decode()


def test_the_matrix_counts_what_each_reader_may_read(viewer, staff, focal_point):
    accept(log(focal_point, "3.2", "ICAO", "ongoing", "Under way."), staff)
    accept(
        log(focal_point, "3.3", "ICAO", "completed", "In confidence.", confidentiality=Confidentiality.RESTRICTED),
        staff,
    )

    def icao_objective_3(user) -> str:
        html = signed_in(user).get("/plans/nairobi-2007/progress/").content.decode()
        row = re.search(r'<th scope="row"><a href="/organizations/ICAO/">ICAO</a></th>(.*?)</tr>', html, re.S)[1]
        cells = re.findall(r"<td>(.*?)</td>", row, re.S)
        return re.sub(r"<[^>]+>", "", cells[2]).strip()

    assert icao_objective_3(viewer).startswith("1 of ")  # the restricted entry is not the viewer's to count
    assert icao_objective_3(staff).startswith("2 of ")
    assert "Completed: 1" in icao_objective_3(staff) and "Ongoing: 1" in icao_objective_3(staff)


def test_the_progress_page_s_queries_do_not_grow_with_the_cycles(viewer, staff, django_assert_max_num_queries):
    client = signed_in(viewer)
    closed_cycle(staff, "2020", 2020)
    client.get("/plans/nairobi-2007/progress/")
    with django_assert_max_num_queries(30) as few:
        client.get("/plans/nairobi-2007/progress/")
    for year in range(2021, 2025):
        closed_cycle(staff, str(year), year)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/plans/nairobi-2007/progress/")


def test_an_unknown_plan_has_no_progress_page(viewer):
    assert signed_in(viewer).get("/plans/no-such-plan/progress/").status_code == 404
