import datetime

import pytest
from celery import current_app
from playwright.sync_api import expect

from actions.models import Plan
from reports.models import ReportExport
from reports.services import cycle_create, report_export_build
from reports.tasks import build_report_export

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reader_watches_a_pdf_being_built_and_it_downloads_by_itself(cast, sign_in, live_server, monkeypatch):
    queue: list[int] = []
    monkeypatch.setitem(current_app.conf, "task_always_eager", False)
    monkeypatch.setattr(build_report_export, "apply_async", lambda kwargs, **options: queue.append(kwargs["export_id"]))
    cycle = cycle_create(
        plan=Plan.objects.get(code="nairobi-2007"),
        title="First half of 2026",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 6, 30),
        deadline=datetime.date(2026, 7, 15),
        author=cast["staff"],
        open_now=True,
    )

    page = sign_in("alice")
    page.goto(f"{live_server.url}{cycle.get_absolute_url()}")
    page.get_by_role("link", name="PDF", exact=True).click()
    expect(page.get_by_role("heading", name="PDF of First half of 2026")).to_be_visible()
    expect(page.get_by_label("Waiting for a worker")).to_have_attribute("value", "0")
    export = ReportExport.objects.get()
    assert queue == [export.pk]

    with page.expect_download(timeout=10_000) as downloading:
        report_export_build(export_id=queue.pop())  # the worker's turn; the page polls every second
    download = downloading.value
    assert download.suggested_filename == "stocktaking-nairobi-2007-first-half-of-2026-participants.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
