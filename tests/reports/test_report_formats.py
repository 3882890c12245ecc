"""The stocktaking report in each format, read back the way a person or a program reads it."""

import re

import pytest

from actions.choices import Confidentiality, ResponsibilityRole, ReviewState
from actions.display import STATUS_COLOURS
from actions.models import Objective, Plan, Status
from reports.models import Edition
from tests.conftest import token_client
from tests.helpers import body
from tests.reports.scenario import (
    DEADLINE,
    OBSERVATIONS_32,
    REPORTED_PAIRS,
    RETURNED_WORD,
    SUPERSEDED_WORD,
    TITLE,
    api_report_url,
    expected_missing,
    expected_statuses,
    fetch,
    html_completeness,
    html_statuses,
    json_statuses,
    log,
    nairobi_numbers,
    new_cycle,
    pdf_pages,
    pdf_text,
    populate,
    read_csv,
    read_json,
    read_xlsx,
    report_url,
    responsible_pairs,
    signed_in,
    text_of,
)

pytestmark = pytest.mark.django_db

FORMATS = {
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "json": "application/json",
}
CSV_HEADER = [
    "Edition", "Plan", "Cycle", "Objective", "Activity", "Activity text", "Organization/Body", "Overall status",
    "Status at previous cycle", "Changed", "Organization", "Organization name", "Role",
    "Organization's status", "Reported on", "Review state", "Confidentiality", "Observations",
]  # fmt: skip
COLUMN = {name: index for index, name in enumerate(CSV_HEADER)}


@pytest.fixture
def cycle(staff, focal_point, other_focal_point, secretariat):
    cycle = new_cycle(secretariat)
    populate(staff, focal_point, other_focal_point)
    return cycle


@pytest.fixture
def client(staff):
    return signed_in(staff)


# --- Where the formats are ---


@pytest.mark.parametrize("format_", FORMATS)
def test_each_format_is_a_download_on_the_page_and_in_the_api(cycle, secretariat, format_):
    page = signed_in(secretariat).get(report_url(cycle, format_))
    api = token_client(secretariat).get(api_report_url(cycle, format_))
    for response in (page, api):
        assert response.status_code == 200, body(response)[:300]
        assert response["Content-Type"] == FORMATS[format_]
        disposition = "inline" if format_ == "html" else "attachment"
        assert response["Content-Disposition"] == (
            f'{disposition}; filename="stocktaking-nairobi-2007-first-half-2025-participants.{format_}"'
        )
    if format_ == "csv":
        assert body(page) == body(api)
    if format_ == "json":  # the same report but for "as_of", the moment of an open cycle's reading
        assert {**read_json(page.content), "as_of": None} == {**read_json(api.content), "as_of": None}


def test_the_api_gives_json_when_no_format_is_named(cycle, viewer):
    response = token_client(viewer).get(api_report_url(cycle))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert read_json(response.content)["cycle"]["title"] == TITLE


def test_an_unknown_format_is_a_400_with_a_format_error_in_the_api(cycle, secretariat):
    response = token_client(secretariat).get(api_report_url(cycle, "docx"))
    assert response.status_code == 400
    assert list(response.json()) == ["format"]


def test_an_unknown_format_is_a_404_on_the_page(cycle, secretariat):
    client = signed_in(secretariat)
    for format_ in ("docx", "txt"):
        response = client.get(report_url(cycle, format_), follow=True)
        assert (response.redirect_chain, response.status_code) == ([], 404), format_


def test_a_report_needs_a_signed_in_reader(cycle):
    from django.test import Client
    from rest_framework.test import APIClient

    assert Client().get(report_url(cycle, "csv")).status_code == 302
    assert APIClient().get(api_report_url(cycle, "csv")).status_code == 401


# --- What each format holds ---


def test_the_csv_has_one_row_per_activity_and_organization_with_status_labels(cycle, client):
    header, rows = read_csv(fetch(client, report_url(cycle, "csv", "internal")))
    assert header == CSV_HEADER

    pairs = [(row["Activity"], row["Organization"]) for row in rows]
    assert len(pairs) == len(set(pairs)), "a pair appears twice"
    # Every expected pair: the named organizations, and the participants of a kind each activity is
    # open to (WCO on 1.2); an activity no one is expected to report on would get a row of its own.
    without_reporters = set(nairobi_numbers()) - {number for number, _ in responsible_pairs()}
    assert set(pairs) == responsible_pairs() | {(n, "") for n in without_reporters}
    assert {row["Plan"] for row in rows} == {"nairobi-2007"}
    assert {row["Edition"] for row in rows} == {"internal"}
    assert by_confidentiality(rows) == {"participants", "restricted", ""}
    assert {row["Cycle"] for row in rows} == {TITLE}

    by_pair = dict(zip(pairs, rows, strict=True))
    icao_32 = by_pair["3.2", "ICAO"]
    assert icao_32["Overall status"] == "In progress"
    assert icao_32["Organization's status"] == "In progress"
    assert icao_32["Observations"] == OBSERVATIONS_32
    assert icao_32["Reported on"] == "2025-05-01"
    assert icao_32["Review state"] == "accepted"
    assert icao_32["Role"] == "lead"
    assert by_pair["3.3", "INTERPOL"]["Organization's status"] == "Did not report"
    assert by_pair["3.3", "INTERPOL"]["Role"] == "partner"
    assert by_pair["1.2", "WCO"]["Role"] == "open to its kind"
    assert by_pair["1.2", "WCO"]["Organization's status"] == "Ongoing"
    # The correction replaces the entry it supersedes.
    assert by_pair["3.4", "ICAO"]["Organization's status"] == "Completed"
    assert by_pair["3.4", "ICAO"]["Observations"] == "Pilot finished at both airports."
    # A returned entry does not count.
    assert by_pair["3.7", "WCO"]["Organization's status"] == "Did not report"
    assert by_pair["3.7", "WCO"]["Overall status"] == "No accepted entry"
    # An entry reporting before the period gives the plan's state, not a report in the cycle.
    assert by_pair["3.8", "WCO"]["Overall status"] == "Not started"
    assert by_pair["3.8", "WCO"]["Organization's status"] == "Did not report"
    assert by_pair["3.1", "INTERPOL"]["Organization's status"] == "Ongoing"
    assert by_pair["1.1", "CTC"]["Overall status"] == "Completed"

    labels = {*Status.labels, "No accepted entry"}
    assert {row["Overall status"] for row in rows} <= labels
    assert {row["Organization's status"] for row in rows} <= {*labels, "Did not report", ""}
    text = fetch(client, report_url(cycle, "csv")).decode("utf-8-sig")
    assert SUPERSEDED_WORD not in text
    assert RETURNED_WORD not in text


def by_confidentiality(rows: list[dict[str, str]]) -> set[str]:
    return {row["Confidentiality"] for row in rows}


def test_the_xlsx_has_a_summary_with_a_chart_the_activities_and_who_did_not_report(cycle, client):
    workbook = read_xlsx(fetch(client, report_url(cycle, "xlsx")))
    assert workbook.sheetnames == ["Summary", "Activities", "Not reported"]
    for sheet in workbook.worksheets:  # the edition is printed on every page of every sheet
        assert sheet.oddHeader.center.text.startswith("Participants edition"), sheet.title

    summary = workbook["Summary"]
    assert summary._charts, "the summary has no chart"
    assert Plan.objects.get(code="nairobi-2007").title in summary["A1"].value
    facts = {row[0]: row[1] for row in summary.iter_rows(min_row=3, max_row=12, max_col=2, values_only=True)}
    assert facts["Cycle"] == TITLE
    assert facts["Edition"] == "Participants edition"
    assert facts["Completeness"] == f"{len(REPORTED_PAIRS)} of {len(responsible_pairs())} expected pairs reported"

    sheet = workbook["Activities"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:R{sheet.max_row}"
    header = [cell.value for cell in sheet[1]]
    assert header == CSV_HEADER
    # The same rows as the CSV, cell for cell: where the CSV gives a program a code or an ISO date, the
    # spreadsheet gives a person its words and a date cell.
    _, csv_rows = read_csv(fetch(client, report_url(cycle, "csv")))
    as_read = {
        "Edition": lambda code: Edition(code).label,
        "Changed": str.capitalize,
        "Role": lambda code: ResponsibilityRole(code).label if code in ResponsibilityRole.values else code,
        "Review state": lambda code: ReviewState(code).label if code else "",
        "Confidentiality": lambda code: Confidentiality(code).label if code else "",
    }
    expected_rows = [{name: as_read.get(name, str)(value) for name, value in row.items()} for row in csv_rows]
    xlsx_rows = [
        {
            name: "" if value is None else value.date().isoformat() if name == "Reported on" else str(value)
            for name, value in zip(header, values, strict=True)
        }
        for values in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert xlsx_rows == expected_rows
    reported_on = [r[COLUMN["Reported on"]] for r in sheet.iter_rows(min_row=2) if r[COLUMN["Reported on"]].value]
    assert reported_on and all(c.is_date and c.number_format == "d mmm yyyy" for c in reported_on)
    assert {r[COLUMN["Role"]].value for r in sheet.iter_rows(min_row=2)} >= {"Lead", "Partner"}
    deadline = next(row[1] for row in summary.iter_rows(min_row=3, max_row=14, max_col=2) if row[0].value == "Deadline")
    assert deadline.is_date and deadline.value.date() == DEADLINE
    third = Objective.objects.get(plan__code="nairobi-2007", number=3)
    assert f"3. {third.title or third.text}" in [c.value for (c,) in summary.iter_rows(min_col=1, max_col=1)]

    overall = header.index("Overall status")
    own = header.index("Organization's status")
    rows = {(r[COLUMN["Activity"]].value, r[COLUMN["Organization"]].value or ""): r for r in sheet.iter_rows(min_row=2)}
    for pair, status, column in [
        (("3.2", "ICAO"), "in_progress", overall),
        (("3.3", "ICAO"), "completed", overall),
        (("3.6", "WCO"), "planned", own),
        (("3.7", "WCO"), None, overall),
    ]:
        fill = rows[pair][column].fill
        assert fill.fill_type == "solid", pair
        assert fill.fgColor.rgb[-6:] == STATUS_COLOURS[status], pair

    missing = workbook["Not reported"]
    assert [c.value for c in missing[1]] == ["Organization", "Name", "Activities without a report in the cycle"]
    assert {row[0]: row[2] for row in missing.iter_rows(min_row=2, values_only=True)} == {
        acronym: ", ".join(numbers) for acronym, numbers in expected_missing(REPORTED_PAIRS).items()
    }


def test_the_pdf_has_a_title_page_page_numbers_and_every_activity(cycle, client):
    pages = pdf_pages(fetch(client, report_url(cycle, "pdf")))
    assert len(pages) > 2
    title_page = " ".join(pages[0].split())
    assert "stocktaking report" in title_page.lower()
    assert Plan.objects.get(code="nairobi-2007").title in title_page
    assert TITLE in title_page
    assert f"Page 2 of {len(pages)}" in pages[1]
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    assert "Page 1 of" not in pages[0], "the title page carries no page number"

    rows = re.findall(r"^\s*(\d{1,2}\.\d{1,2})\s{2,}\S", "\n".join(pages[1:]), re.MULTILINE)
    assert set(nairobi_numbers()) <= set(rows)
    assert OBSERVATIONS_32 in pdf_text(fetch(client, report_url(cycle, "pdf")))


def test_the_json_and_the_html_show_the_same_statuses_and_completeness(cycle, client):
    report = read_json(fetch(client, report_url(cycle, "json")))
    html = fetch(client, report_url(cycle, "html")).decode()

    assert json_statuses(report) == expected_statuses(sees_restricted=False)
    assert html_statuses(html) == json_statuses(report)

    completeness = report["completeness"]
    assert (completeness["reported"], completeness["expected"]) == (len(REPORTED_PAIRS), len(responsible_pairs()))
    assert completeness["share"] == round(len(REPORTED_PAIRS) / len(responsible_pairs()), 4)
    assert html_completeness(html) == (completeness["reported"], completeness["expected"])
    assert report["plan"] == {"code": "nairobi-2007", "title": Plan.objects.get(code="nairobi-2007").title}
    assert report["cycle"]["state"] == "open"


def test_the_html_report_carries_the_pages_status_colours_within_it(cycle, client):
    html = fetch(client, report_url(cycle, "html")).decode()
    inlined = re.search(r"<style>(.*?)</style>", html, re.S)[1]
    assert client.get("/status-colours.css").content.decode() in inlined
    assert f".status-completed {{ background: #{STATUS_COLOURS[Status.COMPLETED]}; color: #fff; }}" in inlined
    assert "<link" not in html  # nothing to fetch: the HTML, and the PDF made from it, stand alone


@pytest.mark.parametrize("format_", FORMATS)
def test_every_activity_of_the_plan_is_in_every_format(cycle, client, format_):
    content = fetch(client, report_url(cycle, format_))
    if format_ == "json":
        numbers = list(json_statuses(read_json(content)))
    elif format_ == "html":
        numbers = list(html_statuses(content.decode()))
    elif format_ == "csv":
        numbers = list(dict.fromkeys(row["Activity"] for row in read_csv(content)[1]))
    elif format_ == "xlsx":
        activity = COLUMN["Activity"] + 1
        column = read_xlsx(content)["Activities"].iter_rows(
            min_row=2, min_col=activity, max_col=activity, values_only=True
        )
        numbers = list(dict.fromkeys(value for (value,) in column))
    else:
        lines = "\n".join(pdf_pages(content)[1:])
        numbers = list(dict.fromkeys(re.findall(r"^\s*(\d{1,2}\.\d{1,2})\s{2,}\S", lines, re.MULTILINE)))
    assert len(nairobi_numbers()) == 40
    assert numbers == nairobi_numbers(), "every activity, once, in the plan's order"


# --- Text that spreadsheet programs would misread ---


def test_observations_that_look_like_a_formula_stay_text(cycle, client, staff):
    log(staff, "3.5", "IMO", "planned", '=HYPERLINK("https://example.org","click")')
    _, rows = read_csv(fetch(client, report_url(cycle, "csv")))
    [imo] = [row for row in rows if (row["Activity"], row["Organization"]) == ("3.5", "IMO")]
    assert imo["Observations"].startswith("'=")

    sheet = read_xlsx(fetch(client, report_url(cycle, "xlsx")))["Activities"]
    [cell] = [
        r[COLUMN["Observations"]]
        for r in sheet.iter_rows(min_row=2)
        if (r[COLUMN["Activity"]].value, r[COLUMN["Organization"]].value) == ("3.5", "IMO")
    ]
    assert cell.data_type == "s"
    assert cell.value.startswith("=HYPERLINK")


@pytest.mark.parametrize("format_", FORMATS)
def test_observations_pasted_with_control_characters_do_not_break_a_format(cycle, staff, format_):
    # Text pasted from a PDF or a terminal carries form feeds and escapes; the entry is accepted as it is.
    log(staff, "3.5", "IMO", "planned", "Page one\x0cpage two \x1b[1mbold\x1b[0m and a bell\x07.")
    client = signed_in(staff)
    client.raise_request_exception = False  # a crash is a 500 the reader sees, not an exception here
    response = client.get(report_url(cycle, format_))
    assert response.status_code == 200
    assert "page two" in text_of(format_, body(response))


def test_observations_are_text_not_markup_in_the_html_report(cycle, client, staff):
    log(staff, "3.5", "IMO", "planned", '<script>alert("x")</script> <b>Seminar</b> planned.')
    html = fetch(client, report_url(cycle, "html")).decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &lt;b&gt;Seminar&lt;/b&gt; planned." in html


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20"])
def test_every_start_of_a_formula_is_neutralized_in_the_csv(cycle, client, staff, start):
    log(staff, "3.5", "IMO", "planned", f"{start}1+2 workshops")
    _, rows = read_csv(fetch(client, report_url(cycle, "csv")))
    [imo] = [row for row in rows if (row["Activity"], row["Organization"]) == ("3.5", "IMO")]
    assert imo["Observations"] == f"'{start}1+2 workshops"
