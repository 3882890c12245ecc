"""The offline round trip: download an organization's activities, fill them in, upload, see, confirm."""

import datetime
import html
import io
import re
import zipfile

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from actions.models import Activity, Confidentiality, Plan, ReviewState, Status, StatusEntry
from reports.spreadsheet import check_rows, read_upload
from tests.factories import StatusEntryFactory
from tests.helpers import nairobi
from tests.reports.scenario import organization, signed_in

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = ["Plan", "Activity", "Activity text", "Organization/Body", "Status", "Observations",
           "Reports on", "Confidentiality", "Evidence links", "Not applicable: why"]  # fmt: skip
GOOD_33 = {"Status": "Completed", "Observations": "Guidance on machine-readable passports published."}


def download(client, acronym: str = "ICAO"):
    response = client.get(f"/organizations/{acronym}/spreadsheet.xlsx")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith(f'attachment; filename="progress-{acronym}-')
    return load_workbook(io.BytesIO(response.content))


def row_of(workbook, number: str, plan: str = "nairobi-2007") -> int:
    """The row number of an activity in the sheet."""
    sheet = workbook["Activities"]
    [found] = [r[0].row for r in sheet.iter_rows(min_row=2) if (r[0].value, r[1].value) == (plan, number)]
    return found


def fill(workbook, answers: dict[str, dict]) -> None:
    """Fill in the cells of the activities named: ``{number: {column: value}}``."""
    sheet = workbook["Activities"]
    for number, cells in answers.items():
        row = row_of(workbook, number)
        for column, value in cells.items():
            sheet.cell(row=row, column=COLUMNS.index(column) + 1, value=value)


def add_row(workbook, plan: str, number: str, cells: dict) -> int:
    sheet = workbook["Activities"]
    values = {"Plan": plan, "Activity": number, **cells}
    sheet.append([values.get(column) for column in COLUMNS])
    return sheet.max_row


def saved(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, acronym: str = "ICAO", name: str = "progress-ICAO.xlsx"):
    file = SimpleUploadedFile(name, content, content_type=XLSX)
    return client.post(f"/organizations/{acronym}/upload/", {"spreadsheet": file})


def confirm(client, token: str, acronym: str = "ICAO"):
    return client.post(f"/organizations/{acronym}/upload/", {"confirm": "1", "token": token})


def shown_token(response) -> str:
    found = re.search(r'<input type="hidden" name="token" value="([^"]+)">', response.content.decode())
    assert found, "the preview offers no confirmation"
    return found.group(1)


def waiting_token(client, acronym: str = "ICAO") -> str:
    """The token of the upload waiting in the session, whether or not the page offers to confirm it."""
    return client.session[f"spreadsheet-import:{organization(acronym).pk}"]["token"]


def waiting(client, acronym: str = "ICAO") -> bool:
    """Whether an upload waits in the session to be confirmed."""
    return f"spreadsheet-import:{organization(acronym).pk}" in client.session


def to_log(response) -> list[tuple[int, str, str, str]]:
    """(row, plan code, activity, status) of each row the preview will log (which names the plan by its title, marked
    in the plan's language)."""
    cells = r'<tr><td>(\d+)</td><td>(\d+\.\d+) <span class="muted"[^>]*>([^<]+)</span></td>'
    rows = re.findall(cells + r'<td><span class="badge status-([a-z_]+)">', response.content.decode())
    codes = {html.escape(title): code for title, code in Plan.objects.values_list("title", "code")}
    return [(int(row), codes[title], number, status) for row, number, title, status in rows]


def row_errors(response) -> list[tuple[int, str]]:
    found = re.findall(r'<tr class="error-row"><td>(\d+)</td><td>(.*?)</td></tr>', response.content.decode())
    return [(int(row), html.unescape(message)) for row, message in found]


def file_errors(response) -> list[str]:
    found = re.findall(r'<p class="error" role="alert">(.*?)</p>', response.content.decode())
    return [html.unescape(message) for message in found]


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- Download ---


def test_a_focal_point_downloads_the_activities_their_organization_answers_for(focal_point, icao):
    workbook = download(signed_in(focal_point))
    assert workbook.sheetnames == ["Activities", "How to fill it in"]
    sheet = workbook["Activities"]
    assert [cell.value for cell in sheet[1]] == COLUMNS
    rows = [(plan, number) for plan, number, *_ in sheet.iter_rows(min_row=2, values_only=True)]
    open_to_icao = Activity.objects.open_to(icao).select_related("plan")
    assert len(rows) == open_to_icao.count()
    assert set(rows) == {(a.plan.code, a.number) for a in open_to_icao}
    assert sum(1 for plan, _ in rows if plan == "nairobi-2007") == 27
    assert ("nairobi-2007", "3.2") in rows and ("nairobi-2007", "3.6") not in rows
    nairobi_rows = [number for plan, number in rows if plan == "nairobi-2007"]
    assert nairobi_rows[-2:] == ["10.1", "10.2"], "in the plan's order"
    # Only the columns to fill in are empty.
    for values in sheet.iter_rows(min_row=2, values_only=True):
        assert values[2] and all(v is None for v in values[4:])


# --- The round trip ---


def test_the_round_trip_logs_every_row_once(focal_point, icao):
    client = signed_in(focal_point)
    assert "Check the file" in client.get("/organizations/ICAO/upload/").content.decode()
    workbook = download(client)
    fill(
        workbook,
        {
            "3.2": {"Status": "In progress", "Observations": "Model legislation circulated.",
                    "Reports on": datetime.date(2025, 5, 1)},
            "3.3": {"Status": "completed", "Observations": GOOD_33["Observations"]},
            "1.2": {"Status": "Ongoing", "Observations": "Quarterly exchange continues.",
                    "Confidentiality": "restricted",
                    "Evidence links": "https://example.org/a.pdf https://example.org/b.pdf"},
        },
    )  # fmt: skip
    content = saved(workbook)
    rows = {n: row_of(workbook, n) for n in ("1.2", "3.2", "3.3")}

    preview = upload(client, content)
    assert preview.status_code == 200, file_errors(preview) or row_errors(preview)
    assert to_log(preview) == [
        (rows["1.2"], "nairobi-2007", "1.2", "ongoing"),
        (rows["3.2"], "nairobi-2007", "3.2", "in_progress"),
        (rows["3.3"], "nairobi-2007", "3.3", "completed"),
    ]
    assert row_errors(preview) == []
    assert not StatusEntry.objects.exists(), "a preview logs nothing"

    done = confirm(client, shown_token(preview))
    assert done.status_code == 302
    assert done["Location"] == "/organizations/ICAO/"
    entries = {e.activity.number: e for e in StatusEntry.objects.select_related("activity", "author")}
    assert set(entries) == {"1.2", "3.2", "3.3"}
    for entry in entries.values():
        assert entry.organization == icao
        assert entry.author == focal_point
        assert entry.review_state == ReviewState.SUBMITTED
    assert (entries["3.2"].status, entries["3.2"].reported_on) == ("in_progress", datetime.date(2025, 5, 1))
    assert entries["3.3"].reported_on == timezone.localdate()
    assert entries["3.3"].confidentiality == Confidentiality.PARTICIPANTS
    assert entries["1.2"].confidentiality == Confidentiality.RESTRICTED
    assert entries["1.2"].evidence == ["https://example.org/a.pdf", "https://example.org/b.pdf"]
    assert messages_of(client.get("/organizations/ICAO/")) == ["Logged 3 entries."]

    # The same file again: nothing new to log.
    again = upload(client, content)
    assert again.status_code == 200
    page = again.content.decode()
    assert to_log(again) == []
    assert "No new row to log." in page
    assert f"Already logged, left out: rows {', '.join(str(r) for r in sorted(rows.values()))}." in page
    assert 'name="confirm"' not in page
    confirm(client, waiting_token(client))
    assert StatusEntry.objects.count() == 3


def test_staff_upload_for_any_organization_and_their_entries_are_accepted(staff, wco):
    client = signed_in(staff)
    workbook = download(client, "WCO")
    fill(workbook, {"3.6": {"Status": "Planned", "Observations": "Customs workshop scheduled."}})
    preview = upload(client, saved(workbook), acronym="WCO", name="progress-WCO.xlsx")
    assert preview.status_code == 200
    assert confirm(client, shown_token(preview), acronym="WCO").status_code == 302
    entry = StatusEntry.objects.get()
    assert (entry.organization, entry.author, entry.review_state) == (wco, staff, ReviewState.ACCEPTED)


def test_a_confirmation_with_a_stale_token_logs_nothing(focal_point):
    client = signed_in(focal_point)
    workbook = download(client)
    fill(workbook, {"3.3": GOOD_33})
    assert upload(client, saved(workbook)).status_code == 200
    response = confirm(client, "not-the-token")
    assert response.status_code == 302
    assert response["Location"] == "/organizations/ICAO/upload/"
    assert not StatusEntry.objects.exists()


# --- Logged once: a row saying what the organization's latest entry says is not logged again ---

FILLED_IN = {
    "3.2": {"Status": "In progress", "Observations": "Model legislation circulated."},
    "3.3": GOOD_33,
    "1.2": {"Status": "Ongoing", "Observations": "Quarterly exchange continues.", "Confidentiality": "restricted"},
}


def test_the_same_file_uploaded_on_a_later_day_logs_its_rows_once(focal_point, icao, monkeypatch):
    """ "Reports on" left empty is the day of the upload: the same file a week later reports on
    another day, yet its rows say what ICAO's latest entries say, so nothing is logged twice
    (the restricted row included)."""
    client = signed_in(focal_point)
    workbook = download(client)
    fill(workbook, FILLED_IN)
    content = saved(workbook)
    today = timezone.localdate()
    last_week = today - datetime.timedelta(days=7)

    with monkeypatch.context() as on_that_day:
        on_that_day.setattr(timezone, "localdate", lambda *args, **kwargs: last_week)
        preview = upload(client, content)
        assert [number for _, _, number, _ in to_log(preview)] == ["1.2", "3.2", "3.3"]
        assert confirm(client, shown_token(preview)).status_code == 302
    assert sorted(StatusEntry.objects.values_list("activity__number", "reported_on")) == [
        ("1.2", last_week), ("3.2", last_week), ("3.3", last_week),
    ]  # fmt: skip

    again = upload(client, content)  # today: the rows would report on today
    assert again.status_code == 200
    assert to_log(again) == []
    assert "No new row to log." in again.content.decode()
    confirm(client, waiting_token(client))
    assert StatusEntry.objects.count() == 3


def test_a_row_equal_to_an_older_entry_but_not_to_the_latest_is_logged(focal_point, icao):
    """ICAO said completed, then delayed; the file says completed again, word for word and on
    the same day as the first entry: ICAO changed its mind back, and that is logged."""
    first_day = datetime.date(2025, 3, 1)
    StatusEntryFactory(
        activity=nairobi("3.3"), organization=icao, status="completed",
        observations=GOOD_33["Observations"], reported_on=first_day,
    )  # fmt: skip
    StatusEntryFactory(
        activity=nairobi("3.3"), organization=icao, status="delayed",
        observations="Publication postponed.", reported_on=datetime.date(2025, 4, 1),
    )  # fmt: skip
    StatusEntryFactory(
        activity=nairobi("3.2"), organization=icao, status="planned",
        observations="Model legislation drafted.", reported_on=first_day,
    )  # fmt: skip
    client = signed_in(focal_point)
    workbook = download(client)
    fill(
        workbook,
        {
            "3.3": {**GOOD_33, "Reports on": first_day},
            # The same as ICAO's latest on 3.2, reported on another day: not logged again.
            "3.2": {"Status": "Planned", "Observations": "Model legislation drafted."},
        },
    )
    preview = upload(client, saved(workbook))
    assert preview.status_code == 200
    assert to_log(preview) == [(row_of(workbook, "3.3"), "nairobi-2007", "3.3", "completed")]
    assert f"Already logged, left out: row {row_of(workbook, '3.2')}." in preview.content.decode()
    assert confirm(client, shown_token(preview)).status_code == 302
    assert StatusEntry.objects.filter(activity=nairobi("3.3"), status="completed").count() == 2
    assert StatusEntry.objects.filter(activity=nairobi("3.2")).count() == 1


def test_the_latest_entry_counts_though_it_awaits_review_and_a_replaced_one_does_not(focal_point, icao):
    """The entry that stands is the one compared: an accepted correction replaces the entry it
    corrects, whichever day it reports on."""
    original = StatusEntryFactory(
        activity=nairobi("3.3"), organization=icao, status="completed",
        observations=GOOD_33["Observations"], reported_on=datetime.date(2025, 4, 1),
    )  # fmt: skip
    StatusEntryFactory(
        activity=nairobi("3.3"), organization=icao, status="delayed", observations="Postponed.",
        reported_on=datetime.date(2025, 3, 1), supersedes=original,
    )  # fmt: skip
    StatusEntryFactory(
        activity=nairobi("3.2"), organization=icao, status="planned", observations="Drafted.",
        review_state=ReviewState.SUBMITTED,
    )  # fmt: skip
    workbook = download(signed_in(focal_point))
    fill(workbook, {"3.3": GOOD_33, "3.2": {"Status": "Planned", "Observations": "Drafted."}})
    check = check_rows(read_upload(uploaded(saved(workbook))), organization=icao, author=focal_point)
    assert [row.activity.number for row in check.to_log] == ["3.3"]
    assert [row.activity.number for row in check.already_logged] == ["3.2"]


def test_finding_what_is_already_logged_is_one_query_for_all_rows(focal_point, icao):
    def queries_to_check(answers: dict) -> int:
        workbook = download(signed_in(focal_point))
        fill(workbook, answers)
        raw = read_upload(uploaded(saved(workbook)))
        author = User.objects.get(pk=focal_point.pk)  # the actor read afresh each time
        with CaptureQueriesContext(connection) as queries:
            check_rows(raw, organization=icao, author=author)
        return len(queries)

    for number, cells in FILLED_IN.items():
        StatusEntryFactory(
            activity=nairobi(number), organization=icao, status=_status(cells["Status"]),
            observations=cells["Observations"],
        )  # fmt: skip
    assert queries_to_check({"3.3": GOOD_33}) == queries_to_check(FILLED_IN)


def _status(label: str) -> str:
    return next(s.value for s in Status if s.label == label)


def uploaded(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("progress-ICAO.xlsx", content, content_type=XLSX)


# --- Malformed uploads: a clear error per row or per file, and nothing logged ---


def _without_status_column(workbook):
    workbook["Activities"].delete_cols(COLUMNS.index("Status") + 1)
    return saved(workbook), None


def _unknown_activity(workbook):
    row = add_row(workbook, "nairobi-2007", "3.99", {"Status": "Planned", "Observations": "A new item."})
    return saved(workbook), row


def _unknown_plan(workbook):
    row = add_row(workbook, "nairobi-2099", "3.2", {"Status": "Planned", "Observations": "Wrong plan."})
    return saved(workbook), row


def _bad_status(workbook):
    fill(workbook, {"3.2": {"Status": "Almost done", "Observations": "Nearly there."}})
    return saved(workbook), row_of(workbook, "3.2")


def _not_responsible(workbook):
    row = add_row(workbook, "nairobi-2007", "3.6", {"Status": "Planned", "Observations": "Customs is WCO's."})
    return saved(workbook), row


def _duplicate_row(workbook):
    fill(workbook, {"3.2": {"Status": "Planned", "Observations": "First."}})
    row = add_row(workbook, "nairobi-2007", "3.2", {"Status": "Completed", "Observations": "Second."})
    return saved(workbook), row


def _future_date(workbook):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    fill(workbook, {"3.2": {"Status": "Planned", "Observations": "Soon.", "Reports on": tomorrow}})
    return saved(workbook), row_of(workbook, "3.2")


def _date_not_iso(workbook):
    fill(workbook, {"3.2": {"Status": "Planned", "Observations": "Soon.", "Reports on": "31/12/2024"}})
    return saved(workbook), row_of(workbook, "3.2")


def _no_observations(workbook):
    fill(workbook, {"3.2": {"Status": "Planned"}})
    return saved(workbook), row_of(workbook, "3.2")


def _bad_confidentiality(workbook):
    fill(workbook, {"3.2": {"Status": "Planned", "Observations": "Hush.", "Confidentiality": "secret"}})
    return saved(workbook), row_of(workbook, "3.2")


def _bad_evidence(workbook):
    fill(workbook, {"3.2": {"Status": "Planned", "Observations": "See.", "Evidence links": "not-a-link"}})
    return saved(workbook), row_of(workbook, "3.2")


def _text_file(workbook):
    return b"Plan,Activity,Status,Observations\nnairobi-2007,3.2,Planned,Text\n", None


def _pdf_renamed(workbook):
    return b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n", None


def _zip_but_not_xlsx(workbook):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")
    return buffer.getvalue(), None


def _fifty_megabytes(workbook):
    return saved(workbook) + b"\0" * (50 * 1024 * 1024), None


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (_without_status_column, "The sheet has no column Status"),
        (_unknown_activity, "No activity 3.99 in plan nairobi-2007."),
        (_unknown_plan, "No activity 3.2 in plan nairobi-2099."),
        (_bad_status, "“Almost done” is not a status; use one of: Not started, Planned, In progress"),
        (_not_responsible, "ICAO is not responsible for activity 3.6."),
        (_duplicate_row, "Activity 3.2 of nairobi-2007 is already on row"),
        (_future_date, "“Reports on” is in the future."),
        (_date_not_iso, "“31/12/2024” is not a date: write it as YYYY-MM-DD."),
        (_no_observations, "Observations are empty"),
        (_bad_confidentiality, "“secret” is not a confidentiality"),
        (_bad_evidence, "“not-a-link” is not a web address"),
        (_text_file, "This is not an XLSX file"),
        (_pdf_renamed, "This is not an XLSX file"),
        (_zip_but_not_xlsx, "This is not an XLSX file"),
        (_fifty_megabytes, "the limit is 5 MB"),
    ],
    ids=lambda value: value.__name__.strip("_") if callable(value) else None,
)
def test_a_malformed_upload_is_explained_and_logs_nothing(focal_point, spoil, message):
    client = signed_in(focal_point)
    workbook = download(client)
    fill(workbook, {"3.3": GOOD_33})  # a good row beside the bad one: all or none
    content, bad_row = spoil(workbook)

    response = upload(client, content)
    assert response.status_code == 400
    if bad_row is None:
        [error] = file_errors(response)
        assert message in error
        assert not waiting(client), "nothing of a file refused as a whole is kept"
    else:
        errors = row_errors(response)
        assert any(row == bad_row and message in text for row, text in errors), errors
        assert 'name="confirm"' not in response.content.decode()
        refused = confirm(client, waiting_token(client))
        assert refused.status_code == 400
    assert not StatusEntry.objects.exists()


def test_a_mix_of_good_and_bad_rows_logs_none_of_them(focal_point):
    client = signed_in(focal_point)
    workbook = download(client)
    fill(
        workbook,
        {
            "3.2": {"Status": "In progress", "Observations": "Model legislation circulated."},
            "3.3": GOOD_33,
            "3.4": {"Status": "Finished", "Observations": "Done."},
        },
    )
    response = upload(client, saved(workbook))
    assert response.status_code == 400
    [(row, message)] = row_errors(response)
    assert row == row_of(workbook, "3.4")
    assert message.startswith("“Finished” is not a status")
    assert "1 error: nothing will be logged" in response.content.decode()
    assert [number for _, _, number, _ in to_log(response)] == ["3.2", "3.3"], "the good rows are shown"
    assert 'name="confirm"' not in response.content.decode()
    assert confirm(client, waiting_token(client)).status_code == 400
    assert not StatusEntry.objects.exists()


# --- Who may ---


@pytest.mark.parametrize("role", ["other_focal_point", "viewer", "secretariat"])
def test_others_may_neither_download_nor_upload_an_organizations_spreadsheet(request, focal_point, role):
    workbook = download(signed_in(focal_point))
    fill(workbook, {"3.3": GOOD_33})
    client = signed_in(request.getfixturevalue(role))
    assert client.get("/organizations/ICAO/spreadsheet.xlsx").status_code == 403
    assert client.get("/organizations/ICAO/upload/").status_code == 403
    assert upload(client, saved(workbook)).status_code == 403
    assert not StatusEntry.objects.exists()


def test_a_focal_point_may_not_confirm_another_organizations_upload(focal_point, other_focal_point):
    bob = signed_in(focal_point)
    workbook = download(bob)
    fill(workbook, {"3.3": GOOD_33})
    token = shown_token(upload(bob, saved(workbook)))
    assert confirm(signed_in(other_focal_point), token).status_code == 403
    assert not StatusEntry.objects.exists()


def test_an_unknown_organization_is_a_404(staff):
    assert signed_in(staff).get("/organizations/NOPE/spreadsheet.xlsx").status_code == 404


def test_the_spreadsheet_pages_need_a_signed_in_user():
    from django.test import Client

    response = Client().get("/organizations/ICAO/spreadsheet.xlsx")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- "Not applicable: why": an activity open to the organization's kind that does not apply to it ---


def test_a_row_can_declare_an_activity_not_applicable_once(focal_point):
    from actions.models import NotApplicable

    client = signed_in(focal_point)
    workbook = download(client)
    fill(workbook, {"1.2": {"Not applicable: why": "ICAO keeps no watch lists."}, "3.3": GOOD_33})
    content = saved(workbook)
    preview = upload(client, content)
    assert preview.status_code == 200
    assert "To be declared not applicable" in preview.content.decode()
    assert confirm(client, shown_token(preview)).status_code == 302
    [declaration] = NotApplicable.objects.all()
    assert (declaration.activity, declaration.organization, declaration.reason) == (
        nairobi("1.2"),
        organization("ICAO"),
        "ICAO keeps no watch lists.",
    )
    assert declaration.declared_by == focal_point
    # The same file again declares nothing twice (and logs nothing twice).
    again = upload(client, content)
    assert "is declared not applicable already" in again.content.decode()
    assert 'To be declared not applicable <span class="count">0</span>' in again.content.decode()
    assert NotApplicable.objects.count() == 1


def test_a_row_cannot_both_report_and_declare_and_a_named_activity_cannot_be_declared(focal_point):
    from actions.models import NotApplicable

    client = signed_in(focal_point)
    workbook = download(client)
    fill(
        workbook,
        {
            "1.2": {**GOOD_33, "Not applicable: why": "Does not apply."},
            "3.2": {"Not applicable: why": "Named, but we would rather not."},
        },
    )
    response = upload(client, saved(workbook))
    assert response.status_code == 400
    errors = dict(row_errors(response))
    assert errors[row_of(workbook, "1.2")].startswith("Either report on the activity or say why")
    assert errors[row_of(workbook, "3.2")] == "Activity 3.2 names ICAO: it reports on it."
    assert not NotApplicable.objects.exists()


def test_an_activity_text_that_looks_like_a_formula_is_text_in_the_template(focal_point):
    from actions.models import Activity

    Activity.objects.filter(pk=nairobi("3.2").pk).update(text='=HYPERLINK("https://example.org","click")')
    content = signed_in(focal_point).get("/organizations/ICAO/spreadsheet.xlsx").content
    sheet = load_workbook(io.BytesIO(content))["Activities"]
    [cell] = [r[2] for r in sheet.iter_rows(min_row=2) if (r[0].value, r[1].value) == ("nairobi-2007", "3.2")]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("https://example.org","click")'
    # Written as a shared or inline string, not as a formula: no <f> element in the sheet.
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_a_french_reader_fills_the_statuses_in_french_or_in_english(focal_point, icao):
    client = signed_in(focal_point)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    workbook = download(client)
    statuses = workbook["Activities"].data_validations.dataValidation[0]
    assert statuses.formula1 == '"Non commencée,Prévue,En cours,Permanente,Achevée,Retardée,Abandonnée"'
    fill(
        workbook,
        {
            "3.2": {"Status": "En cours", "Observations": "Loi type diffusée."},
            "3.3": {"Status": "Completed", "Observations": GOOD_33["Observations"], "Confidentiality": "Participants"},
        },
    )
    preview = upload(client, saved(workbook))
    assert preview.status_code == 200, file_errors(preview) or row_errors(preview)
    logged = [(number, status) for _, _, number, status in to_log(preview)]
    assert logged == [("3.2", "in_progress"), ("3.3", "completed")]
    wrong = download(client)
    fill(wrong, {"3.2": {"Status": "Presque", "Observations": "?"}})
    [(_, message)] = row_errors(upload(client, saved(wrong)))
    assert "Non commencée, Prévue, En cours" in message  # the statuses named in the reader's language
