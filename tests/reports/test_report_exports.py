"""A report's PDF and XLSX built off the request, kept for every later reader of the same report;
the CSV streamed."""

import datetime
import re
import tracemalloc

import pytest
from celery import current_app
from django.db import transaction
from django.utils import timezone

from reports import exports
from reports.builder import Report, build_report
from reports.models import ExportState, ReportExport
from reports.services import EXPORT_FRESH_FOR, EXPORT_STALLED_AFTER, cycle_close, report_export_build
from reports.tasks import build_report_export
from tests.conftest import token_client
from tests.helpers import body
from tests.reports.scenario import (
    api_report_url,
    log,
    new_cycle,
    populate,
    read_xlsx,
    report_url,
    signed_in,
    synthetic_report,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(staff, focal_point, other_focal_point, secretariat):
    cycle = new_cycle(secretariat)
    populate(staff, focal_point, other_focal_point)
    return cycle


@pytest.fixture
def builds(monkeypatch):
    """Each format's builds, counted: a kept export is served without building it again."""
    counted = {"pdf": 0, "xlsx": 0}
    for format_ in counted:
        original = getattr(exports, f"to_{format_}")

        def counting(report, progress=exports._silent, original=original, format_=format_):
            counted[format_] += 1
            return original(report, progress)

        monkeypatch.setattr(exports, f"to_{format_}", counting)
    return counted


@pytest.fixture
def worker(monkeypatch):
    """A broker and a worker that has not run yet: queued exports wait in ``worker.queue``.

    A request's transaction commits as it ends (a test's never does): what waits for the
    commit runs at once, as it does in a request outside a transaction.
    """

    class Worker:
        queue: list[int] = []

        def run(self) -> None:
            while self.queue:
                report_export_build(export_id=self.queue.pop(0))

    fake = Worker()
    monkeypatch.setitem(current_app.conf, "task_always_eager", False)
    monkeypatch.setattr(
        build_report_export, "apply_async", lambda kwargs, **options: fake.queue.append(kwargs["export_id"])
    )
    monkeypatch.setattr(transaction, "on_commit", lambda callback, using=None, robust=False: callback())
    return fake


def test_a_pdf_is_built_once_and_served_to_every_later_reader(cycle, staff, viewer, builds):
    first = signed_in(viewer).get(report_url(cycle, "pdf"))
    again = signed_in(staff).get(report_url(cycle, "pdf"))
    api = token_client(viewer).get(api_report_url(cycle, "pdf"))
    assert [r.status_code for r in (first, again, api)] == [200, 200, 200]
    pdf = body(first)
    assert pdf.startswith(b"%PDF") and pdf == body(again) == body(api)
    assert builds["pdf"] == 1
    export = ReportExport.objects.get()
    assert (export.state, export.progress, export.edition, export.format) == ("ready", 100, "participants", "pdf")
    # Stored under its own name (storage adds a suffix beside a file of another test), downloaded as the report's.
    assert export.requested_by == viewer and re.search(r"-participants(_\w+)?\.pdf$", export.file.name)
    assert export.download_name == "stocktaking-nairobi-2007-first-half-2025-participants.pdf"


def test_each_edition_format_and_language_is_its_own_export(cycle, staff, builds):
    client = signed_in(staff)
    for format_ in ("pdf", "xlsx"):
        for edition in ("participants", "internal"):
            assert client.get(report_url(cycle, format_, edition)).status_code == 200
    assert builds == {"pdf": 2, "xlsx": 2}
    assert ReportExport.objects.count() == 4


def test_a_new_entry_in_an_open_cycle_makes_the_next_reader_get_a_new_build(cycle, staff, focal_point, builds):
    client = signed_in(staff)
    client.get(report_url(cycle, "xlsx"))
    old = ReportExport.objects.get()
    log(focal_point, "3.3", "ICAO", "ongoing", "A new workshop on travel documents.")
    workbook = read_xlsx(body(client.get(report_url(cycle, "xlsx"))))
    assert builds["xlsx"] == 2
    assert "A new workshop on travel documents." in str(list(workbook["Activities"].values))
    # The older version's row and file are gone: one file per report is kept.
    assert list(ReportExport.objects.values_list("pk", flat=True)) != [old.pk]
    assert ReportExport.objects.count() == 1
    assert not old.file.storage.exists(old.file.name)


def test_an_open_cycles_export_is_built_again_once_old_even_with_no_new_entry(cycle, staff, builds):
    client = signed_in(staff)
    client.get(report_url(cycle, "pdf"))
    client.get(report_url(cycle, "pdf"))
    assert builds["pdf"] == 1
    # A change of the plan's text or participants has no entry to show it: the age does.
    ReportExport.objects.update(finished_at=timezone.now() - EXPORT_FRESH_FOR - datetime.timedelta(seconds=1))
    client.get(report_url(cycle, "pdf"))
    assert builds["pdf"] == 2


def test_a_closed_cycles_export_is_kept_whatever_comes_later(cycle, staff, focal_point, secretariat, builds):
    cycle_close(cycle=cycle, actor=secretariat, confirm=True)
    client = signed_in(staff)
    first = body(client.get(report_url(cycle, "xlsx")))
    log(focal_point, "3.3", "ICAO", "ongoing", "Logged after the closing.")
    ReportExport.objects.update(finished_at=timezone.now() - datetime.timedelta(days=400))
    assert body(client.get(report_url(cycle, "xlsx"))) == first
    assert ReportExport.objects.get().version == "closed"


def test_with_a_worker_the_reader_watches_the_progress_then_downloads(cycle, staff, worker, builds):
    client = signed_in(staff)
    response = client.get(report_url(cycle, "pdf", "internal"))
    export = ReportExport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cycles/{cycle.pk}/exports/{export.pk}/"
    assert worker.queue == [export.pk] and builds["pdf"] == 0

    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert '<progress id="export-progress" max="100" value="0">' in html
    assert "Waiting for a worker" in html and 'aria-live="polite"' in html
    status = client.get(response["Location"], headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in status.content.decode() and "<html" not in status.content.decode()

    # A second reader while it waits joins the same build.
    assert client.get(report_url(cycle, "pdf", "internal"))["Location"] == response["Location"]
    assert worker.queue == [export.pk]

    worker.run()
    assert builds["pdf"] == 1
    done = client.get(response["Location"], headers={"HX-Request": "true"})
    assert done.status_code == 204 and done["HX-Redirect"] == response["Location"]
    download = client.get(response["Location"])
    assert download["Content-Type"] == "application/pdf" and body(download).startswith(b"%PDF")
    assert download["Content-Disposition"].startswith("attachment;")


def test_the_build_tells_how_far_it_has_gone(cycle, staff, monkeypatch):
    seen = []
    real_render = exports.render

    def render(report, format_, progress=exports._silent, **options):
        def recording(percent, stage):
            seen.append((format_, percent, stage))
            progress(percent, stage)
            # What a reader polling now would see.
            export = ReportExport.objects.get(format=format_)
            assert (export.state, export.progress, export.stage) == ("running", percent, stage)

        return real_render(report, format_, recording, **options)

    monkeypatch.setattr(exports, "render", render)
    client = signed_in(staff)
    client.get(report_url(cycle, "xlsx"))
    client.get(report_url(cycle, "pdf"))
    for format_ in ("xlsx", "pdf"):
        percents = [percent for f, percent, _ in seen if f == format_]
        assert percents == sorted(percents) and len(percents) >= 3
    assert any(stage.startswith("Writing row 1 of") for f, _, stage in seen if f == "xlsx")
    pdf_stages = [stage for f, _, stage in seen if f == "pdf"]
    parts = len(exports.pdf_parts(build_report(cycle=cycle, edition="internal"))) + 1  # and the title page and summary
    assert [f"Laid out part {n} of {parts}" for n in range(1, parts + 1)] == [
        stage for stage in pdf_stages if stage.startswith("Laid out")
    ]
    assert pdf_stages[-1].startswith("Numbering")


def test_a_failed_build_says_so_and_the_next_request_tries_again(cycle, staff, monkeypatch):
    def broken(report, progress=exports._silent):
        raise OSError("No space left on device")

    monkeypatch.setattr(exports, "to_pdf", broken)
    client = signed_in(staff)
    response = client.get(report_url(cycle, "pdf"))
    export = ReportExport.objects.get()
    assert export.state == ExportState.FAILED and "No space left on device" in export.error
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "could not be built" in page.content.decode()
    # The same export again: its edition and its language.
    assert f'href="{report_url(cycle, "pdf", "participants")}&amp;lang=en"' in page.content.decode()
    assert 'hx-trigger="every 1s"' not in page.content.decode()  # nothing to wait for

    monkeypatch.undo()
    again = client.get(report_url(cycle, "pdf", "participants"))
    assert again.status_code == 200 and body(again).startswith(b"%PDF")
    assert ReportExport.objects.get().state == ExportState.READY


def test_a_build_whose_worker_died_is_started_again(cycle, staff, worker):
    client = signed_in(staff)
    client.get(report_url(cycle, "xlsx"))
    export = ReportExport.objects.get()
    worker.queue.clear()  # the worker took it and died
    ReportExport.objects.update(
        state=ExportState.RUNNING, started_at=timezone.now() - EXPORT_STALLED_AFTER - datetime.timedelta(seconds=1)
    )
    client.get(report_url(cycle, "xlsx"))
    assert worker.queue == [export.pk]
    worker.run()
    assert ReportExport.objects.get().state == ExportState.READY


def test_when_the_broker_is_down_the_export_is_built_in_the_request(
    cycle, staff, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setitem(current_app.conf, "task_always_eager", False)
    monkeypatch.setattr(build_report_export, "apply_async", refuse)
    client = signed_in(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(report_url(cycle, "xlsx"))
    assert ReportExport.objects.get().state == ExportState.READY
    assert body(client.get(response["Location"])).startswith(b"PK")


def test_only_cted_staff_follow_an_internal_export(cycle, staff, viewer, focal_point, worker):
    response = signed_in(staff).get(report_url(cycle, "pdf", "internal"))
    for reader in (viewer, focal_point):
        assert signed_in(reader).get(response["Location"]).status_code == 403
        assert signed_in(reader).get(report_url(cycle, "pdf", "internal")).status_code == 403
    assert ReportExport.objects.count() == 1
    assert signed_in(viewer).get(f"/cycles/{cycle.pk + 1}/exports/{ReportExport.objects.get().pk}/").status_code == 404


def test_the_csv_is_streamed(cycle, staff):
    response = signed_in(staff).get(report_url(cycle, "csv"))
    assert response.streaming
    assert body(response).startswith(b"\xef\xbb\xbfEdition,Plan,")


def streaming_peak(report: Report) -> tuple[int, int]:
    """The peak memory of writing ``report``'s CSV chunk by chunk, and the bytes written."""
    tracemalloc.start()
    written = sum(len(chunk) for chunk in exports.csv_chunks(report))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, written


def test_the_csvs_memory_does_not_grow_with_its_rows():
    small_peak, small_size = streaming_peak(synthetic_report([100]))
    large_peak, large_size = streaming_peak(synthetic_report([5000]))
    assert large_size > 40 * small_size
    # Fifty times the rows, the same few chunks' worth of memory (a whole-file buffer would be 50 times larger).
    assert large_peak < 2 * small_peak + 512 * 1024, (small_peak, large_peak)


def test_a_file_is_downloaded_under_the_reports_name_whatever_name_storage_gave_it(
    cycle, staff, secretariat, focal_point
):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from reports.services import cycle_report_store

    year = timezone.now().year
    name = "stocktaking-nairobi-2007-first-half-2025-participants"
    # Files of the same name already there: the storage gives the new ones another name.
    default_storage.save(f"exports/{year}/{name}.pdf", ContentFile(b"another file"))
    export_response = signed_in(staff).get(report_url(cycle, "pdf"))
    assert ReportExport.objects.get().file.name != f"exports/{year}/{name}.pdf"
    cycle_close(cycle=cycle, actor=secretariat, confirm=True)
    default_storage.save(f"reports/{year}/{name}.xlsx", ContentFile(b"another file"))
    stored = cycle_report_store(cycle=cycle, actor=secretariat)["xlsx"]
    assert stored.file.name != f"reports/{year}/{name}.xlsx"
    sent_response = signed_in(focal_point).get(f"/cycles/{cycle.pk}/sent/xlsx")
    assert export_response["Content-Disposition"] == f'attachment; filename="{name}.pdf"'
    assert sent_response["Content-Disposition"] == f'attachment; filename="{name}.xlsx"'
    assert body(sent_response).startswith(b"PK")
