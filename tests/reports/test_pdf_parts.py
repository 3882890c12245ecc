"""The PDF in parts (reports/pdf.py): cut at objectives, numbered throughout, the same in one process or two."""

import re

import pytest
import weasyprint

from reports import exports
from reports.builder import build_report
from tests.reports.scenario import nairobi_numbers, new_cycle, pdf_pages, populate, synthetic_report

pytestmark = pytest.mark.django_db


def test_whole_objectives_share_a_part_while_they_fit_and_a_long_one_is_cut_between_activities():
    # One organization per activity: each activity weighs 2 rows.
    report = synthetic_report([3, 10, 2, 1], organizations=1)
    parts = exports.pdf_parts(report, rows=8)

    shape = [[(s.objective.number, [a.number for a in s.activities], s.continued) for s in part] for part in parts]
    assert shape == [
        [(1, ["1.1", "1.2", "1.3"], False)],  # objective 2 (20 rows) does not fit beside it
        [(2, ["2.1", "2.2", "2.3", "2.4"], False)],
        [(2, ["2.5", "2.6", "2.7", "2.8"], True)],
        [(2, ["2.9", "2.10"], True), (3, ["3.1", "3.2"], False)],
        [(4, ["4.1"], False)],
    ]
    every_activity = [a.number for part in parts for section in part for a in section.activities]
    assert every_activity == [a.number for o in report.objectives for a in o.activities]


def test_a_report_that_fits_one_part_is_one_part():
    report = synthetic_report([2, 2])
    assert [[s.objective.number for s in part] for part in exports.pdf_parts(report)] == [[1, 2]]


def pdf_in_parts(report, settings, monkeypatch, processes: int) -> bytes:
    settings.REPORT_PDF_PROCESSES = processes
    monkeypatch.setattr(exports, "PDF_PART_ROWS", 40)  # the Nairobi plan's 40 activities in several parts
    return exports.to_pdf(report)


def test_a_pdf_in_parts_is_numbered_throughout_and_the_same_from_one_process_or_two(
    staff, focal_point, other_focal_point, secretariat, settings, monkeypatch
):
    cycle = new_cycle(secretariat)
    populate(staff, focal_point, other_focal_point)
    report = build_report(cycle=cycle, edition="internal")
    assert len(exports.pdf_parts(report, rows=40)) > 3

    pages = pdf_pages(pdf_in_parts(report, settings, monkeypatch, processes=2))
    total = len(pages)
    assert "Page" not in pages[0], "the title page carries no number"
    assert [re.findall(r"Page (\d+) of (\d+)", page) for page in pages[1:]] == [
        [(str(n), str(total))] for n in range(2, total + 1)
    ]
    assert all(report.plan_title in page for page in pages[1:]), "each page names the plan in its footer"
    text = "\n".join(pages)
    assert "(continued)" in text
    rows = re.findall(r"^\s*(\d{1,2}\.\d{1,2})\s{2,}\S", text, re.MULTILINE)
    assert sorted(rows) == sorted(nairobi_numbers())

    assert pdf_pages(pdf_in_parts(report, settings, monkeypatch, processes=1)) == pages


class HTMLFailingOnObjective3(weasyprint.HTML):
    """WeasyPrint failing on one part, in whichever process lays it out."""

    def __init__(self, *, string: str, **options):
        if "Objective 3" in string:
            raise ValueError("Pango could not load a font")
        super().__init__(string=string, **options)


def test_a_part_that_fails_in_a_worker_fails_the_whole_pdf(settings, monkeypatch):
    settings.REPORT_PDF_PROCESSES = 2
    monkeypatch.setattr(weasyprint, "HTML", HTMLFailingOnObjective3)  # the workers are forked after this
    monkeypatch.setattr(exports, "PDF_PART_ROWS", 8)
    with pytest.raises(ValueError, match="Pango could not load a font"):
        exports.to_pdf(synthetic_report([2, 2, 2, 2], organizations=1))
