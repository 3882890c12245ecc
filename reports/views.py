import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from actions import permissions
from actions.models import Plan
from actions.permissions import Who
from organizations.models import Organization
from reports import exports, spreadsheet
from reports.forms import CycleForm, SymbolForm, UploadForm
from reports.models import (
    CycleState,
    Edition,
    ExportState,
    ReportExport,
    ReportFile,
    StocktakingCycle,
    objective_matrix,
    progress_now,
)
from reports.services import (
    EXPORTED_FORMATS,
    cycle_close,
    cycle_closing_preview,
    cycle_create,
    cycle_open,
    cycle_report_read,
    cycle_symbol_set,
    report_export_build,
    report_export_claim,
    status_entries_import,
)
from reports.tasks import queue_report_export
from tracker.forms import add_service_errors
from tracker.http import Request
from tracker.languages import active_language, asked_language, language_choice


def cycle_list(request: Request) -> HttpResponse:
    cycles = StocktakingCycle.objects.select_related("plan").order_by("plan__code", "-period_end")
    return render(
        request,
        "reports/cycle_list.html",
        {"cycles": cycles, "may_run": permissions.may_run_stocktaking(request.user), "today": timezone.localdate()},
    )


def cycle_new(request: Request) -> HttpResponse:
    permissions.may_run_stocktaking(request.user).require()
    form = CycleForm(request.POST or None, initial={"plan": request.GET.get("plan")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle = cycle_create(
                plan=data["plan"],
                title=data["title"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                deadline=data["deadline"],
                author=request.user,
                open_now=data["open_now"],
                document_symbol=data["document_symbol"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("Cycle “%(title)s” created.") % {"title": cycle.title})
            return redirect(cycle)
    status = 400 if form.errors else 200
    return render(request, "reports/cycle_form.html", {"form": form}, status=status)


# The closed cycles the progress page charts (the latest), and the organizations of its matrix per page.
PROGRESS_CYCLES_SHOWN = 24
MATRIX_PAGE_SIZE = 50


def plan_progress(request: Request, code: str) -> HttpResponse:
    """A plan over its stocktaking cycles (each closed cycle's statuses and completeness, as its report
    gave them, and the open cycle's so far), and its organizations by objective as they stand now."""
    plan = get_object_or_404(Plan, code=code)
    cycles = StocktakingCycle.objects.filter(plan=plan).defer("frozen_reports")
    closed = list(cycles.filter(state=CycleState.CLOSED).order_by("-period_end", "-pk")[:PROGRESS_CYCLES_SHOWN])
    closed.reverse()
    current = cycles.filter(state=CycleState.OPEN).first()
    objectives, matrix = objective_matrix(plan, request.user, plan.reporters())
    page = Paginator(matrix, MATRIX_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "plan": plan,
        "closed": closed,
        "current": current,
        "current_progress": progress_now([current])[current.pk] if current else None,
        "objectives": objectives,
        "page": page,
        "matrix": page.object_list,
    }
    return render(request, "reports/plan_progress.html", context)


def cycle_detail(request: Request, pk: int) -> HttpResponse:
    cycle = get_object_or_404(StocktakingCycle.objects.select_related("plan"), pk=pk)
    # The page shows what every participant may read; staff download the internal edition.
    report = cycle_report_read(cycle=cycle)
    today = timezone.localdate()
    context = {
        "cycle": cycle,
        "report": report,
        "today": today,
        "may_run": permissions.may_run_stocktaking(request.user, cycle.plan),
        "formats": ["html", "pdf", "xlsx", "csv", "json"],
        "may_read_internal": permissions.may_read_edition(request.user, Edition.INTERNAL),
        "missing_pairs": report.expected_pairs - report.reported_pairs,
        # The report as it was sent when the cycle closed, stored once per format.
        "sent_files": _sent_files(cycle.report_files.all(), active_language()) if cycle.is_closed else [],
        "symbol_form": SymbolForm(instance=cycle),
    }
    return render(request, "reports/cycle_detail.html", context)


@require_POST
def cycle_symbol(request: Request, pk: int) -> HttpResponse:
    """Give the document symbol the cycle's report is circulated under (its cover)."""
    cycle = get_object_or_404(StocktakingCycle.objects.select_related("plan"), pk=pk)
    permissions.may_run_stocktaking(request.user, cycle.plan).require()
    form = SymbolForm(request.POST, instance=cycle)
    if form.is_valid():
        cycle_symbol_set(cycle=cycle, document_symbol=form.cleaned_data["document_symbol"], actor=request.user)
        messages.success(request, gettext("The document symbol is saved: the report's cover carries it."))
    else:
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
    return redirect(cycle)


@require_http_methods(["GET", "POST"])
def cycle_transition(request: Request, pk: int, action: str) -> HttpResponse:
    """Open a planned cycle (POST), or close an open one.

    Closing cannot be undone: GET shows what it will do and the button that confirms it
    (``confirm=1``); a POST without ``confirm`` changes nothing and shows the same page (400).
    """
    cycle = get_object_or_404(StocktakingCycle.objects.select_related("plan"), pk=pk)
    if request.method == "GET":
        if action != "close":
            return HttpResponseNotAllowed(["POST"])
        permissions.may_run_stocktaking(request.user, cycle.plan).require()
        if not cycle.is_open:
            messages.error(request, gettext("Only an open cycle can be closed."))
            return redirect(cycle)
        return _closing_page(request, cycle)
    try:
        if action == "open":
            cycle_open(cycle=cycle, actor=request.user)
        else:
            cycle_close(cycle=cycle, actor=request.user, confirm=request.POST.get("confirm") == "1")
    except ValidationError as error:
        if hasattr(error, "error_dict") and "confirm" in error.error_dict:
            return _closing_page(request, cycle, refusal=" ".join(error.messages), status=400)
        messages.error(request, " ".join(error.messages))
    else:
        # A sentence per state: its word agrees with the rest of the sentence in each language.
        done = gettext("Cycle “%(title)s” is open.") if action == "open" else gettext("Cycle “%(title)s” is closed.")
        messages.success(request, done % {"title": cycle.title})
    return redirect(cycle)


def _closing_page(request: Request, cycle: StocktakingCycle, refusal: str = "", status: int = 200) -> HttpResponse:
    context = {"cycle": cycle, "preview": cycle_closing_preview(cycle), "refusal": refusal}
    return render(request, "reports/cycle_close.html", context, status=status)


def cycle_report(request: Request, pk: int, format_: str) -> HttpResponseBase:
    """The report as a download. A PDF or XLSX not built yet is built by a worker while the
    reader watches its progress (``cycle_export``); every later reader of the same report gets
    the same file at once."""
    cycle = get_object_or_404(StocktakingCycle.objects.select_related("plan"), pk=pk)
    language = asked_language(request.GET)
    if language is None:
        return HttpResponseBadRequest(language_choice(request.GET), content_type="text/plain; charset=utf-8")
    edition = request.GET.get("edition", Edition.PARTICIPANTS)
    if edition not in Edition.values:
        return HttpResponseBadRequest(str(EDITION_CHOICE), content_type="text/plain; charset=utf-8")
    if format_ not in EXPORTED_FORMATS:
        return report_response(cycle, request.user, format_, edition, language)
    export, to_build = report_export_claim(
        cycle=cycle, reader=request.user, format_=format_, edition=edition, language=language
    )
    if to_build:
        queue_report_export(export)
        export.refresh_from_db()  # built already when there is no worker to wait for
    if export.is_ready:
        return _export_file(export)
    return redirect(export)


EDITION_CHOICE = _("Choose the edition: participants (the default) or internal (CTED staff).")


def cycle_export(request: Request, pk: int, export_pk: int) -> HttpResponseBase:
    """An export of the report: its progress while it is built (htmx polls the status part), the file when ready."""
    export = get_object_or_404(ReportExport.objects.select_related("cycle__plan"), pk=export_pk, cycle_id=pk)
    permissions.may_read_edition(request.user, export.edition).require()
    if export.is_ready:
        if request.htmx:
            # The status part asks the browser to come back to this address, which now downloads the file.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = export.get_absolute_url()
            return response
        return _export_file(export)
    context = {
        "export": export,
        "cycle": export.cycle,
        # The same export again: its edition, its language.
        "retry": f"{reverse('cycle-report', args=[pk, export.format])}?"
        + urlencode({"edition": export.edition, "lang": export.language}),
        "state_label": ExportState(export.state).label,
    }
    template = "reports/_export_status.html" if request.htmx else "reports/export_progress.html"
    return render(request, template, context)


def _export_file(export: ReportExport) -> FileResponse:
    response = FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.download_name,
        content_type=exports.FORMATS[export.format],
    )
    response["Content-Language"] = export.language
    return response


def report_response(
    cycle: StocktakingCycle, reader: Who, format_: str, edition: str, language: str | None = None
) -> HttpResponseBase:
    """The report of ``cycle`` in ``edition`` and one of exports.FORMATS, as a download, if ``reader`` may read it;
    in ``language`` (the active language by default), but for the CSV and the JSON, in English codes for programs.

    A PDF or XLSX built before for the same report is served as it is; one not built yet is
    built now and kept for the next reader. The CSV is streamed.
    """
    permissions.may_read_edition(reader, edition).require()
    language = language or active_language()
    if format_ in EXPORTED_FORMATS:
        export, to_build = report_export_claim(
            cycle=cycle, reader=reader, format_=format_, edition=edition, language=language
        )
        if to_build:
            export = report_export_build(export_id=export.pk) or export
        if export.is_ready:
            return _export_file(export)
        # Another request is building it: this one does not wait for that build.
    report = cycle_report_read(cycle=cycle, edition=edition)
    disposition = "inline" if format_ == "html" else "attachment"
    if format_ == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            exports.csv_chunks(report), content_type=exports.FORMATS[format_]
        )
    else:
        query = f"?edition={edition}&lang={language}"
        links = {f: reverse("cycle-report", args=[cycle.pk, f]) + query for f in exports.FORMATS}
        links["cycle"] = cycle.get_absolute_url()
        if format_ == "html":
            content = exports.render(report, format_, language=language, links=links)
        else:
            content = exports.render(report, format_, language=language)
        response = HttpResponse(content, content_type=exports.FORMATS[format_])
        if format_ == "html":
            response["Content-Language"] = language
    response["Content-Disposition"] = f'{disposition}; filename="{exports.filename(report, format_)}"'
    return response


def _organization_for_import(request: Request, acronym: str) -> Organization:
    organization = get_object_or_404(Organization, acronym=acronym)
    permissions.may_log(request.user, organization=organization).require_permission()
    return organization


def spreadsheet_download(request: Request, acronym: str) -> HttpResponse:
    organization = _organization_for_import(request, acronym)
    response = HttpResponse(spreadsheet.template_for(organization), content_type=exports.FORMATS["xlsx"])
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="progress-{organization.acronym}-{stamp}.xlsx"'
    return response


def spreadsheet_upload(request: Request, acronym: str) -> HttpResponse:
    """Upload, see what would be logged and every error with its row, then confirm: all rows or none."""
    organization = _organization_for_import(request, acronym)
    session_key = f"spreadsheet-import:{organization.pk}"
    form = UploadForm()
    context: dict[str, Any] = {"organization": organization, "form": form}
    status = 200
    if request.method == "POST" and "confirm" in request.POST:
        raw = request.session.get(session_key)
        if raw is None or request.POST.get("token") != raw["token"]:
            messages.error(request, gettext("That upload is no longer waiting: upload the file again."))
            return redirect("spreadsheet-upload", acronym=organization.acronym)
        check = spreadsheet.check_rows(raw["rows"], organization=organization, author=request.user)
        if not check.errors:
            try:
                logged = status_entries_import(organization=organization, author=request.user, check=check)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                del request.session[session_key]
                skipped = len(check.already_logged)
                declared = len(check.to_declare)
                # A clause for each thing done, each its own message (with its plural): "Logged 2 entries;
                # declared 1 activity not applicable; 1 row was already logged."
                said = ngettext("Logged %(count)s entry", "Logged %(count)s entries", len(logged)) % {
                    "count": len(logged)
                }
                if declared:
                    said += ngettext(
                        "; declared %(count)s activity not applicable",
                        "; declared %(count)s activities not applicable",
                        declared,
                    ) % {"count": declared}
                if skipped:
                    said += ngettext(
                        "; %(count)s row was already logged", "; %(count)s rows were already logged", skipped
                    ) % {"count": skipped}
                messages.success(request, f"{said}.")
                return redirect("organization-detail", acronym=organization.acronym)
        context.update(check=check, token=raw["token"])
        status = 400 if check.errors else 200
    elif request.method == "POST":
        # A new upload replaces the one waiting; only a checked one (with its preview) waits: nothing of a
        # file refused as a whole.
        request.session.pop(session_key, None)
        form = UploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            try:
                rows = spreadsheet.read_upload(form.cleaned_data["spreadsheet"])
            except spreadsheet.SpreadsheetError as error:
                form.add_error("spreadsheet", str(error))
            else:
                check = spreadsheet.check_rows(rows, organization=organization, author=request.user)
                token = secrets.token_urlsafe(12)
                request.session[session_key] = {"token": token, "rows": rows}
                context.update(check=check, token=token)
        if form.errors or (context.get("check") and context["check"].errors):
            status = 400
    return render(request, "reports/spreadsheet_upload.html", context, status=status)


def _sent_files(files: Iterable[ReportFile], language: str) -> list[ReportFile]:
    """The stored report of each format in ``language`` where it was sent in it, else in English (it always is)."""
    chosen: dict[str, ReportFile] = {}
    for record in sorted(files, key=lambda f: (f.format, f.language != language, f.language != settings.LANGUAGE_CODE)):
        chosen.setdefault(record.format, record)
    return list(chosen.values())


def cycle_report_file(request: Request, pk: int, format_: str) -> HttpResponseBase:
    """The report stored when the cycle closed, as it was sent to all participants: in the language asked for
    (``lang``), else the reader's, where it was sent in it; else in English."""
    language = asked_language(request.GET)
    if language is None:
        return HttpResponseBadRequest(language_choice(request.GET), content_type="text/plain; charset=utf-8")
    files = ReportFile.objects.select_related("cycle__plan").filter(cycle_id=pk, format=format_)
    sent = _sent_files(files, language)  # one, of this format, or none
    if not sent:
        raise Http404
    record = sent[0]
    response = FileResponse(
        record.file.open("rb"),
        as_attachment=True,
        filename=record.download_name,
        content_type=exports.FORMATS[format_],
    )
    response["Content-Language"] = record.language
    return response
