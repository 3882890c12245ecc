"""The report e-mail of a closed cycle carries the stored PDF and XLSX when together they are small
(REPORT_ATTACHMENT_MAX_BYTES), links only above it; closing said beforehand whom it would reach.
"""

import datetime
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.exceptions import ValidationError

from notifications.delivery import deliver_pending
from notifications.jobs import distribute_report
from notifications.models import Reminder
from reports.models import ReportFile
from reports.services import cycle_close, cycle_closing_preview
from tests.notifications.mailbox import SITE, add_focal_point, html, links, recipients, run_job, settle
from tests.reports.scenario import DEADLINE, new_cycle, populate

pytestmark = pytest.mark.django_db

PDF, XLSX = "application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ATTACHED = "The same files are attached to this e-mail."


@pytest.fixture(autouse=True)
def site(settings, tmp_path):
    settings.SITE_URL = SITE
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def ended(staff, focal_point, other_focal_point, secretariat):
    """The first half of 2025, open, with the scenario's entries; IMO's focal point too."""
    add_focal_point("IMO", "Mia")
    cycle = new_cycle(secretariat)
    populate(staff, focal_point, other_focal_point)
    settle()
    return cycle


def close_and_send(cycle) -> list:
    return run_job("close-cycles", DEADLINE + datetime.timedelta(days=1))


def stored_files(cycle) -> dict[str, ReportFile]:
    return {record.format: record for record in ReportFile.objects.filter(cycle=cycle)}


def test_the_default_limit_is_five_megabytes():
    assert django_settings.REPORT_ATTACHMENT_MAX_BYTES == 5 * 1024 * 1024


def test_under_the_limit_the_e_mail_carries_the_pdf_and_the_xlsx_and_the_links(ended):
    sent = close_and_send(ended)
    stored = stored_files(ended)
    assert set(stored) == {"pdf", "xlsx"}
    assert sum(r.file.size for r in stored.values()) < 5 * 1024 * 1024, "the scenario's report is small"
    assert sent, "the report went out"
    for message in sent:
        names = {name: (content, mimetype) for name, content, mimetype in message.attachments}
        assert sorted(names) == sorted(Path(r.file.name).name for r in stored.values())
        pdf, pdf_type = names[Path(stored["pdf"].file.name).name]
        xlsx, xlsx_type = names[Path(stored["xlsx"].file.name).name]
        assert pdf.startswith(b"%PDF-")
        assert (pdf_type, xlsx_type) == (PDF, XLSX)
        assert pdf == Path(stored["pdf"].file.path).read_bytes()
        assert xlsx == Path(stored["xlsx"].file.path).read_bytes()
        assert xlsx.startswith(b"PK"), "an XLSX is a zip"
        # The links stay: a reader whose mail drops attachments still gets the report.
        assert links(message) == [
            f"{SITE}/cycles/{ended.pk}/sent/pdf?lang=en",
            f"{SITE}/cycles/{ended.pk}/sent/xlsx?lang=en",
        ]
        assert ATTACHED in message.body and ATTACHED in html(message)


def test_over_the_limit_the_e_mail_has_links_only(ended, settings):
    settings.REPORT_ATTACHMENT_MAX_BYTES = 1000  # smaller than any PDF
    sent = close_and_send(ended)
    assert sent
    for message in sent:
        assert message.attachments == []
        assert links(message) == [
            f"{SITE}/cycles/{ended.pk}/sent/pdf?lang=en",
            f"{SITE}/cycles/{ended.pk}/sent/xlsx?lang=en",
        ]
        assert ATTACHED not in message.body and ATTACHED not in html(message)
    assert not Reminder.attachments.through.objects.exists()


def test_the_limit_is_on_the_files_together(ended, settings):
    settings.REPORT_ATTACHMENT_MAX_BYTES = 10**9
    close_and_send(ended)
    total = sum(r.file.size for r in stored_files(ended).values())
    assert total > max(r.file.size for r in stored_files(ended).values())

    # The same report just over and just at the limit, sent again as a fresh e-mail.
    for limit, attached in ((total - 1, False), (total, True)):
        Reminder.objects.filter(step="report").delete()
        ended.report_sent_at = None
        ended.save(update_fields=["report_sent_at"])
        settings.REPORT_ATTACHMENT_MAX_BYTES = limit
        sent = close_and_send(ended)
        assert sent
        assert all(bool(m.attachments) is attached for m in sent), limit


def test_a_pending_e_mail_sends_the_files_as_they_are_stored(ended, secretariat):
    """The attachments are read when the e-mail goes, from the stored files, not kept in the row."""
    distribute_report(cycle_close(cycle=ended, actor=secretariat, confirm=True))
    pending = Reminder.objects.filter(step="report")
    assert pending.exists() and all(r.attachments.count() == 2 for r in pending)
    mail.outbox.clear()
    deliver_pending()
    assert all(len(m.attachments) == 2 for m in mail.outbox)


def test_closing_told_beforehand_how_many_people_would_receive_the_report(ended, secretariat):
    preview = cycle_closing_preview(ended)
    with pytest.raises(ValidationError) as refused:
        cycle_close(cycle=ended, actor=secretariat, confirm=False)
    [message] = refused.value.messages
    assert f"e-mailed to {preview.recipients} focal points of {preview.organizations} organizations" in message
    sent = close_and_send(ended)
    assert len(set(recipients(sent))) == len(sent) == preview.recipients


def test_each_focal_point_receives_the_report_in_their_language(ended, focal_point, settings):
    """ICAO's focal point reads French: the e-mail, its links and its files are in French; the others' in
    English. Both are kept, and the cycle's page gives each reader theirs."""
    from organizations.services import language_choose
    from tests.reports.scenario import pdf_text, signed_in
    from tests.tracker.test_french_pages import in_french

    language_choose(user=focal_point, language="fr")
    sent = close_and_send(ended)
    stored = {(r.language, r.format): r for r in ReportFile.objects.filter(cycle=ended)}
    assert set(stored) == {("en", "pdf"), ("en", "xlsx"), ("fr", "pdf"), ("fr", "xlsx")}
    french = [message for message in sent if focal_point.email in message.to]
    english = [message for message in sent if focal_point.email not in message.to]
    assert french and english
    for message, language in [(m, "fr") for m in french] + [(m, "en") for m in english]:
        assert links(message) == [
            f"{SITE}/cycles/{ended.pk}/sent/pdf?lang={language}",
            f"{SITE}/cycles/{ended.pk}/sent/xlsx?lang={language}",
        ]
        pdf = next(content for name, content, _ in message.attachments if name.endswith(".pdf"))
        assert pdf == Path(stored[language, "pdf"].file.path).read_bytes()
        assert ("RAPPORT DE BILAN" in pdf_text(pdf)) == (language == "fr")

    page = in_french(focal_point).get(f"/cycles/{ended.pk}/").content.decode()
    assert f'href="/cycles/{ended.pk}/sent/pdf?lang=fr" hreflang="fr"' in page
    english_page = signed_in(focal_point).get(f"/cycles/{ended.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert english_page.status_code == 200
    response = signed_in(focal_point).get(f"/cycles/{ended.pk}/sent/pdf", {"lang": "fr"})
    assert response["Content-Language"] == "fr" and response["Content-Disposition"].endswith('-fr.pdf"')
    assert b"".join(response.streaming_content) == Path(stored["fr", "pdf"].file.path).read_bytes()
    # A language it was not sent in: the English, which it always is.
    spanish = signed_in(focal_point).get(f"/cycles/{ended.pk}/sent/pdf", {"lang": "es"})
    assert spanish["Content-Language"] == "en"
    assert signed_in(focal_point).get(f"/cycles/{ended.pk}/sent/pdf", {"lang": "de"}).status_code == 400
