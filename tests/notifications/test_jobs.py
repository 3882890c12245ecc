"""The background jobs other than reminders and the digest: closing cycles and sending their report,
the monthly matrix, the yearly check of focal points' details, the receipts of logged entries, and
what every job promises: run twice, nothing is sent twice; a mail server that fails delays, never loses.
"""

import datetime
import io
import re
import smtplib
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from actions.display import status_label
from actions.models import Confidentiality, Status
from notifications.delivery import reminder_deliver
from notifications.jobs import JOBS
from notifications.models import MailBody, Reminder, ReminderState
from organizations.models import FocalPoint
from reports.models import CycleState, ReportFile
from reports.services import cycle_close
from tests.notifications.mailbox import (
    SITE,
    add_focal_point,
    everything,
    html,
    links,
    one_to,
    recipients,
    run_job,
    settle,
    to,
)
from tests.reports.scenario import (
    DEADLINE,
    OBSERVATIONS_32,
    PERIOD_END,
    RESTRICTED_WORD,
    accept,
    give_back,
    log,
    new_cycle,
    populate,
    signed_in,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("named_only")]

ALICE, SAM, BOB, CHARLIE, VICTOR = (
    "alice@example.org",
    "sam@example.org",
    "bob@example.org",
    "charlie@example.org",
    "victor@example.org",
)
MIA = "mia@imo.example.org"


@pytest.fixture(autouse=True)
def site(settings, tmp_path):
    settings.SITE_URL = SITE
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REMINDER_DAYS_BEFORE = [14, 7, 1]
    settings.REMINDER_OVERDUE_MAX = 3


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def fetch_file(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return b"".join(response.streaming_content)


def xlsx_text(content: bytes) -> str:
    workbook = load_workbook(io.BytesIO(content))
    return "\n".join(
        str(cell.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row if cell.value
    )


# --- close-cycles: the cycle closes when its period has ended, and its report goes to every participant ---


@pytest.fixture
def ended(staff, focal_point, other_focal_point, secretariat, viewer):
    """The first half of 2025, open, with the entries of tests/reports/scenario.py; IMO's focal point too."""
    add_focal_point("IMO", "Mia")
    cycle = new_cycle(secretariat)
    populate(staff, focal_point, other_focal_point)
    settle()
    return cycle


def test_close_cycles_closes_an_ended_cycle_stores_its_report_and_sends_each_participant_one_link(ended, tmp_path):
    sent = run_job("close-cycles", DEADLINE + days(1))
    ended.refresh_from_db()
    assert ended.state == CycleState.CLOSED
    stored = {record.format: Path(record.file.path) for record in ReportFile.objects.filter(cycle=ended)}
    assert set(stored) == {"pdf", "xlsx"}
    for path in stored.values():
        assert path.is_file() and path.is_relative_to(tmp_path / "media")
    # ICAO, WCO and IMO are named in the plan; CTED staff, the secretariat and the viewer are no focal points.
    assert recipients(sent) == [BOB, CHARLIE, MIA]
    for address in (BOB, CHARLIE, MIA):
        message = one_to(sent, address)
        assert message.subject == "Stocktaking report: First half 2025 (nairobi-2007)"
        assert links(message) == [
            f"{SITE}/cycles/{ended.pk}/sent/pdf?lang=en",
            f"{SITE}/cycles/{ended.pk}/sent/xlsx?lang=en",
        ]
        assert f'href="{SITE}/cycles/{ended.pk}/sent/xlsx?lang=en"' in html(message)


def test_the_links_of_the_report_e_mail_download_the_stored_report_without_restricted_entries(
    ended, viewer, focal_point
):
    message = one_to(run_job("close-cycles", DEADLINE + days(1)), BOB)
    stored = {record.format: Path(record.file.path).read_bytes() for record in ReportFile.objects.filter(cycle=ended)}
    pdf_link, xlsx_link = links(message)
    for client in (signed_in(viewer), signed_in(focal_point)):
        pdf, xlsx = fetch_file(client, pdf_link.removeprefix(SITE)), fetch_file(client, xlsx_link.removeprefix(SITE))
        assert (pdf, xlsx) == (stored["pdf"], stored["xlsx"])
        assert pdf.startswith(b"%PDF-")
    text = xlsx_text(stored["xlsx"])
    assert OBSERVATIONS_32 in text
    # ICAO's restricted entry is left out even for ICAO's own focal point: the stored report is for all.
    assert RESTRICTED_WORD not in text


def test_the_stored_report_is_for_signed_in_people_only(ended, client):
    run_job("close-cycles", DEADLINE + days(1))
    response = client.get(f"/cycles/{ended.pk}/sent/xlsx")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_a_cycle_still_in_its_period_stays_open_and_nothing_is_sent(ended):
    assert run_job("close-cycles", PERIOD_END) == []
    ended.refresh_from_db()
    assert ended.state == CycleState.OPEN
    assert not ReportFile.objects.exists()


def test_a_cycle_whose_period_has_ended_stays_open_until_its_submission_deadline(ended):
    # The period ended on 30 June 2025; organizations have until 15 July to report on it, and the
    # reminders job reminds them in the meantime (only of open cycles).
    run_job("close-cycles", PERIOD_END + days(1))
    ended.refresh_from_db()
    assert ended.state == CycleState.OPEN
    assert to(run_job("reminders", DEADLINE - days(7)), MIA)


def test_a_cycle_closed_by_the_secretariat_sends_its_report_once(
    ended, secretariat, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cycle_close(cycle=ended, actor=secretariat, confirm=True)
    assert recipients(mail.outbox) == [BOB, CHARLIE, MIA]
    assert ReportFile.objects.filter(cycle=ended).count() == 2
    # The nightly job finds it closed and its report sent.
    assert run_job("close-cycles", DEADLINE + days(1)) == []


# --- matrix: organizations by objective, to CTED staff and the secretariat ---


def matrix_rows(message, plan_code: str = "nairobi-2007") -> dict[str, list[dict]]:
    """{acronym: one {status or None: count} per objective, in order} of the plan's table in the text e-mail."""
    rows, in_plan = {}, False
    for line in message.body.splitlines():
        if line.endswith(")") and not line.startswith("["):
            in_plan = line.endswith(f"({plan_code})")
            continue
        found = re.match(r"^(\S+): (\[1\] .*)$", line)
        if in_plan and found:
            cells = re.split(r"\s*\[\d+\] ", found.group(2))[1:]
            rows[found.group(1)] = [_cell(cell.strip()) for cell in cells]
    return rows


def _cell(text: str) -> dict:
    """{status or None: count} of a cell written ``In progress: 1, No accepted entry: 2`` (the statuses named)."""
    if text == "-":
        return {}
    status_of = {status_label(status): status for status in [*Status.values, None]}
    counts = {}
    for part in text.split(", "):
        name, count = part.rsplit(": ", 1)
        counts[status_of[name]] = int(count)
    return counts


@pytest.fixture
def logged(staff, focal_point, other_focal_point, secretariat, viewer):
    """ICAO: 3.2 planned then in progress, 3.3 completed, 3.4 nothing; 5.2 delayed, restricted. WCO: 3.6 returned."""
    accept(log(focal_point, "3.2", "ICAO", "planned", "Drafting.", reported_on=datetime.date(2025, 2, 1)), staff)
    accept(log(focal_point, "3.2", "ICAO", "in_progress", "Circulated.", reported_on=datetime.date(2025, 5, 1)), staff)
    log(focal_point, "3.3", "ICAO", "completed", "Published.")
    accept(
        log(focal_point, "5.2", "ICAO", "delayed", RESTRICTED_WORD, confidentiality=Confidentiality.RESTRICTED), staff
    )
    give_back(log(other_focal_point, "3.6", "WCO", "planned", "Scheduled."), staff)
    settle()


def test_the_matrix_goes_to_cted_staff_and_the_secretariat_only(logged):
    sent = run_job("matrix", datetime.date(2026, 11, 1))
    assert recipients(sent) == [ALICE, SAM]
    assert one_to(sent, ALICE).subject == "Matrix of organizations by objective, November 2026"


def test_the_matrix_counts_each_organizations_latest_status_per_objective(logged):
    staff_rows = matrix_rows(one_to(run_job("matrix", datetime.date(2026, 11, 1)), ALICE))
    # Objective 3: ICAO is named in 3.2 (latest: in progress), 3.3 (completed) and 3.4 (no entry).
    assert staff_rows["ICAO"][2] == {"in_progress": 1, "completed": 1, None: 1}
    assert staff_rows["ICAO"][0] == {}
    # WCO's only entry was returned: it counts as no entry on 3.6, 3.7 and 3.8.
    assert staff_rows["WCO"][2] == {None: 3}
    assert len(staff_rows["ICAO"]) == 10


def test_the_secretariats_matrix_counts_a_restricted_entry_as_no_entry(logged):
    sent = run_job("matrix", datetime.date(2026, 11, 1))
    assert matrix_rows(one_to(sent, ALICE))["ICAO"][4] == {"delayed": 1}
    assert matrix_rows(one_to(sent, SAM))["ICAO"][4] == {None: 1}
    assert "Delayed" not in one_to(sent, SAM).body and RESTRICTED_WORD not in everything(one_to(sent, SAM))


def test_the_matrix_is_sent_once_a_month(logged):
    assert run_job("matrix", datetime.date(2026, 11, 1))
    assert run_job("matrix", datetime.date(2026, 11, 20)) == []
    assert recipients(run_job("matrix", datetime.date(2026, 12, 1))) == [ALICE, SAM]


# --- confirm-focal-points: once a year, each focal point confirms their details ---

CONFIRM_LINK = re.compile(re.escape(SITE) + r"(/focal-points/confirm/[^/\s]+/)")


@pytest.fixture
def directory(focal_point, other_focal_point):
    """The day of last year's yearly run (15 January); bob never confirmed, charlie 400 days before it."""
    first_run = datetime.date(timezone.localdate().year - 1, 1, 15)
    FocalPoint.objects.filter(user=other_focal_point).update(confirmed_on=first_run - days(400))
    add_focal_point("IMO", "Mia", confirmed_on=first_run - days(30))
    add_focal_point("UNHCR", "Una", is_active=False)
    return first_run


def confirmation_path(message) -> str:
    [path] = CONFIRM_LINK.findall(message.body)
    return path


def test_each_focal_point_not_confirmed_for_a_year_is_asked_once_with_a_link(directory):
    sent = run_job("confirm-focal-points", directory)
    # Bob never confirmed, Charlie did 400 days ago; Mia did last month; Una is no longer active.
    assert recipients(sent) == [BOB, CHARLIE]
    message = one_to(sent, BOB)
    assert message.subject == "Please confirm your details as focal point of ICAO"
    assert confirmation_path(message) in html(message)
    assert run_job("confirm-focal-points", directory + days(1)) == []


def test_following_the_link_shows_the_details_and_posting_confirms_them(directory, focal_point):
    path = confirmation_path(one_to(run_job("confirm-focal-points", directory), BOB))
    visitor = Client()  # no one signed in: the link is enough
    page = visitor.get(path)
    assert page.status_code == 200
    assert "focal point of ICAO" in page.content.decode() and 'value="bob@example.org"' in page.content.decode()
    done = visitor.post(path, {"name": "Bob", "title": "Aviation security", "email": BOB, "phone": "+1 514 555 0100"})
    assert done.status_code == 200 and "are confirmed" in done.content.decode()
    details = FocalPoint.objects.get(user=focal_point)
    assert (details.confirmed_on, details.phone, details.name) == (timezone.localdate(), "+1 514 555 0100", "Bob")
    # The next yearly run, some 300 days later, asks the others again but not bob, who has just confirmed.
    assert recipients(run_job("confirm-focal-points", timezone.localdate() + days(300))) == [CHARLIE, MIA]


def test_the_link_confirms_once(directory, focal_point):
    path = confirmation_path(one_to(run_job("confirm-focal-points", directory), BOB))
    visitor = Client()
    details = {"name": "Bob", "title": "", "email": BOB, "phone": ""}
    assert visitor.post(path, details).status_code == 200
    for again in (visitor.get(path), visitor.post(path, {**details, "name": "Someone else"})):
        assert again.status_code == 410
        assert "This link was used already" in again.content.decode()
    assert FocalPoint.objects.get(user=focal_point).name == "Bob"


def test_a_tampered_link_is_a_404(directory, focal_point):
    path = confirmation_path(one_to(run_job("confirm-focal-points", directory), BOB))
    token = path.split("/")[-2]
    other = FocalPoint.objects.get(user__username="charlie").pk
    forged = token.replace(token[0], "A" if token[0] != "A" else "B", 1)
    for bad in (path.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B")), path.replace(token, forged)):
        assert Client().get(bad).status_code == 404
        assert Client().post(bad, {"name": "X", "email": "x@example.org"}).status_code == 404
    assert Client().get(f"/focal-points/confirm/{other}/").status_code == 404
    assert FocalPoint.objects.get(user=focal_point).confirmed_on is None


# --- receipts: logging and returning an entry tell the organization's focal points ---


def test_logging_progress_tells_the_organizations_other_focal_points(
    staff, focal_point, other_focal_point, django_capture_on_commit_callbacks
):
    add_focal_point("ICAO", "Ines")
    with django_capture_on_commit_callbacks(execute=True):
        log(focal_point, "3.2", "ICAO", "in_progress", "Model legislation circulated.")
    assert recipients(mail.outbox) == ["ines@icao.example.org"]  # not Bob, who logged it
    message = one_to(mail.outbox, "ines@icao.example.org")
    assert message.subject == "ICAO: progress logged on nairobi-2007 3.2"
    assert "bob logged progress for ICAO on activity 3.2" in message.body
    assert "In progress, reporting on 15 March 2025" in message.body
    assert Reminder.objects.get(recipient="ines@icao.example.org").state == ReminderState.SENT
    assert not Reminder.objects.filter(recipient=BOB).exists()


def test_progress_logged_by_cted_staff_tells_every_focal_point_of_the_organization(
    staff, focal_point, django_capture_on_commit_callbacks
):
    add_focal_point("ICAO", "Ines")
    with django_capture_on_commit_callbacks(execute=True):
        log(staff, "3.2", "ICAO", "in_progress", "Model legislation circulated.")
    assert recipients(mail.outbox) == [BOB, "ines@icao.example.org"]


def test_returning_an_entry_tells_the_organizations_focal_points_why(
    staff, focal_point, other_focal_point, django_capture_on_commit_callbacks
):
    entry = log(other_focal_point, "3.6", "WCO", "planned", "Workshop scheduled.")
    settle()
    with django_capture_on_commit_callbacks(execute=True):
        give_back(entry, staff, comment="Say which ports took part.")
    assert recipients(mail.outbox) == [CHARLIE]
    message = one_to(mail.outbox, CHARLIE)
    assert message.subject == "WCO: your entry on nairobi-2007 3.6 was returned"
    assert "Say which ports took part." in message.body and "Say which ports took part." in html(message)


# --- Every job: run twice, nothing is sent twice ---


@pytest.fixture
def everything_due(staff, focal_point, other_focal_point, secretariat, viewer):
    """Data on which every job sends something today."""
    today = timezone.localdate()
    first = new_cycle(secretariat, title="First half 2025")
    cycle_close(cycle=first, actor=secretariat, confirm=True)  # its report not yet sent: the broker "was down"
    new_cycle(
        secretariat,
        title="Now",
        start=today - days(60),
        end=today + days(30),
        deadline=today + days(14),
    )
    log(focal_point, "3.2", "ICAO", "in_progress", "Model legislation circulated.", reported_on=today)
    settle()
    return today


def test_running_every_job_twice_sends_nothing_twice(everything_due):
    assert sorted(JOBS) == sorted(["reminders", "digest", "close-cycles", "matrix", "confirm-focal-points"])
    for name in JOBS:
        first = run_job(name, everything_due)
        assert first, f"{name} sent nothing: the test data does not exercise it"
        assert len(recipients(first)) == len(set(recipients(first))), name
        assert run_job(name, everything_due) == [], name
    assert Reminder.objects.exclude(state=ReminderState.SENT).count() == 0


def test_two_reminders_with_the_same_recipient_and_key_cannot_both_exist(db):
    fields = {
        "recipient": BOB,
        "key": "cycle:1:before-14",
        "step": "before-14",
        "subject": "S",
        "body": MailBody.objects.stored([MailBody.of("B")])[0],
    }
    Reminder.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(**fields)
    assert Reminder.objects.create(**{**fields, "recipient": CHARLIE})


def test_delivering_a_reminder_already_sent_sends_nothing(everything_due):
    run_job("confirm-focal-points", everything_due)
    reminder = Reminder.objects.get(recipient=BOB, step="confirm")
    assert reminder.state == ReminderState.SENT
    before = len(mail.outbox)
    assert reminder_deliver(reminder_id=reminder.pk) is False
    assert len(mail.outbox) == before


# --- A mail server that fails once ---


@pytest.fixture
def smtp_fails_once(monkeypatch):
    calls = []
    send = EmailBackend.send_messages

    def failing_once(self, messages):
        calls.append(messages)
        if len(calls) == 1:
            raise smtplib.SMTPException("451 try again later")
        return send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", failing_once)
    return calls


def test_a_reminder_that_could_not_be_sent_stays_pending_and_the_next_run_sends_it_once(
    staff, focal_point, secretariat, smtp_fails_once
):
    new_cycle(secretariat)
    settle()
    smtp_fails_once.clear()
    assert run_job("reminders", DEADLINE - days(14)) == []
    reminder = Reminder.objects.get(recipient=BOB)
    assert (reminder.state, reminder.attempts) == (ReminderState.PENDING, 1)
    assert "SMTPException" in reminder.last_error and "451" in reminder.last_error
    sent = run_job("reminders", DEADLINE - days(13))
    assert recipients(sent) == [BOB]
    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts, reminder.last_error) == (ReminderState.SENT, 2, "")
    assert run_job("reminders", DEADLINE - days(12)) == []
    assert recipients(mail.outbox) == [BOB]
