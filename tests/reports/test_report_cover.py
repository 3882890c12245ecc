"""The PDF report as it is circulated: a cover that carries the plan, the cycle, the edition, the date
and the document symbol; objectives named in full; one font family throughout; the chart of
completeness per cycle."""

import datetime
import subprocess

import pytest

from reports.services import cycle_close, cycle_report_read, cycle_symbol_set
from tests.reports.scenario import accept, fetch, log, new_cycle, pdf_pages, populate, report_url, signed_in

pytestmark = pytest.mark.django_db

SYMBOL = "S/AC.40/2025/7"


@pytest.fixture
def closed(staff, focal_point, other_focal_point, secretariat):
    earlier = new_cycle(
        secretariat,
        title="2024",
        start=datetime.date(2024, 1, 1),
        end=datetime.date(2024, 12, 31),
        deadline=datetime.date(2025, 1, 15),
    )
    accept(log(focal_point, "3.2", "ICAO", "ongoing", "Under way.", reported_on=datetime.date(2024, 5, 1)), staff)
    cycle_close(cycle=earlier, actor=secretariat, confirm=True)
    cycle = new_cycle(secretariat)
    populate(staff, focal_point, other_focal_point)
    cycle_close(cycle=cycle, actor=secretariat, confirm=True)
    cycle_symbol_set(cycle=cycle, document_symbol=SYMBOL, actor=secretariat)
    return cycle


def test_the_cover_carries_the_plan_the_cycle_the_edition_the_date_and_the_symbol(closed, staff, tmp_path):
    pdf = fetch(signed_in(staff), report_url(closed, "pdf"))
    cover = " ".join(pdf_pages(pdf)[0].split())
    assert SYMBOL in cover
    assert "Plan of Action on Prevention of Terrorist Movement" in cover and closed.title in cover
    assert "Participants edition" in cover
    assert f"Issued {closed.closed_at:%-d %B %Y}" in cover
    assert "At a glance" in cover and "Completeness per cycle" in cover


def test_the_summary_names_each_objective_in_full(closed, staff):
    pages = pdf_pages(fetch(signed_in(staff), report_url(closed, "pdf")), layout=False)  # the table's lines in order
    # As pdftotext reads it: a hyphenated word broken across lines comes back with a space after the hyphen.
    summary = " ".join(" ".join(pages[1:4]).split()).replace("- ", "-")
    report = cycle_report_read(cycle=closed)
    longest = max((o.title or o.text for o in report.objectives), key=len)
    assert " ".join(longest.split()) in summary and "…" not in summary


def test_the_pdf_is_in_one_font_family(closed, staff, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(fetch(signed_in(staff), report_url(closed, "pdf")))
    listed = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    fonts = {line.split()[0].split("+")[-1] for line in listed.splitlines()[2:] if line.strip()}
    assert fonts and all(font.startswith("DejaVu-Sans") for font in fonts), listed  # its bold too, nothing else


def test_the_report_charts_completeness_per_cycle_up_to_its_own(closed, staff):
    html = fetch(signed_in(staff), report_url(closed, "html")).decode()
    assert 'aria-label="Completeness per cycle: 2024: ' in html and f"; {closed.title}: " in html
    cover = " ".join(pdf_pages(fetch(signed_in(staff), report_url(closed, "pdf")))[0].split())
    assert "Completeness per cycle" in cover and "Dec. 2024" in cover and "June 2025" in cover


def test_a_symbol_given_after_closing_reaches_the_report_and_only_staff_or_the_secretariat_give_it(
    closed, viewer, secretariat
):
    assert signed_in(viewer).post(f"/cycles/{closed.pk}/symbol/", {"document_symbol": "X/1"}).status_code == 403
    signed_in(secretariat).post(f"/cycles/{closed.pk}/symbol/", {"document_symbol": "S/AC.40/2025/8"})
    closed.refresh_from_db()
    assert closed.document_symbol == "S/AC.40/2025/8"
    assert cycle_report_read(cycle=closed).document_symbol == "S/AC.40/2025/8"
    too_long = signed_in(secretariat).post(f"/cycles/{closed.pk}/symbol/", {"document_symbol": "S" * 61}, follow=True)
    assert "at most 60 characters" in too_long.content.decode()


def test_the_report_shows_the_statuses_at_each_cycle_s_close(closed, staff):
    text = " ".join(" ".join(pdf_pages(fetch(signed_in(staff), report_url(closed, "pdf")), layout=False)[1:4]).split())
    section = text[text.index("Status at each cycle's close") :]
    assert section.index("2024") < section.index(closed.title)
    report = cycle_report_read(cycle=closed)
    assert report.history[-1].summary_distribution == report.distribution  # its own, as its summary says
    earlier = closed.previous()
    assert report.history[0].summary_distribution == earlier.summary_distribution


def test_the_report_has_the_organizations_by_objective_as_of_its_cycle(closed, staff, viewer):
    internal = cycle_report_read(cycle=closed, edition="internal")
    participants = cycle_report_read(cycle=closed)
    rows = dict(participants.organization_matrix())
    # ICAO under each objective; 5.2 was filed in confidence: for participants a count, not a status.
    icao = dict(internal.organization_matrix())["ICAO"]
    expected = {
        o.number: sum(1 for a in o.activities for r in a.organizations if r.acronym == "ICAO")
        for o in internal.objectives
    }
    assert [sum(n for _, n in cell) for cell in icao] == list(expected.values())
    assert ("in_confidence", 1) in rows["ICAO"][4] and all(status != "in_confidence" for status, _ in icao[4])
    html = fetch(signed_in(viewer), report_url(closed, "html")).decode()
    section = html[html.index("<h3>Organizations by objective</h3>") :]
    assert "<td>ICAO</td>" in section and "Reported in confidence: 1" in section
    pages = " ".join(" ".join(pdf_pages(fetch(signed_in(staff), report_url(closed, "pdf")), layout=False)).split())
    assert "Organizations by objective" in pages
