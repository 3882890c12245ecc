"""Render a stocktaking report: HTML, CSV, XLSX, PDF and JSON all come from one Report."""

import contextlib
import csv
import datetime
import functools
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext, ngettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from actions.choices import Confidentiality, ResponsibilityRole, ReviewState
from actions.display import LIGHT_TEXT, STATUS_COLOURS, STATUS_ORDER, status_label, status_stylesheet
from reports import pdf
from reports.builder import IN_CONFIDENCE_LABEL, ActivityRow, ObjectiveSection, OrganizationRow, Report
from reports.models import CycleState, Edition, download_name
from tracker.languages import written_number

FORMATS = {
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "json": "application/json",
}

# Each column: its CSV header (the key, in English whatever the language, for the programs that read it) and
# its heading in the spreadsheet, in the report's language.
ROW_LABELS = {
    "Edition": _("Edition"),
    "Plan": _("Plan"),
    "Cycle": _("Cycle"),
    "Objective": _("Objective"),
    "Activity": _("Activity"),
    "Activity text": _("Activity text"),
    "Organization/Body": _("Organization/Body"),
    "Overall status": _("Overall status"),
    "Status at previous cycle": _("Status at previous cycle"),
    "Changed": pgettext_lazy("report column: the status changed", "Changed"),
    "Organization": _("Organization"),
    "Organization name": _("Organization name"),
    "Role": _("Role"),
    "Organization's status": _("Organization's status"),
    "Reported on": _("Reported on"),
    "Review state": _("Review state"),
    "Confidentiality": _("Confidentiality"),
    "Observations": _("Observations"),
}
ROW_HEADERS = list(ROW_LABELS)

# Told how far a long rendering has gone: percent done and what it is doing.
Progress = Callable[[int, str], None]


def _silent(percent: int, stage: str) -> None:
    pass


def edition_label(report: Report) -> str:
    """The edition as printed on every page and sheet."""
    return _label(Edition, report.edition)


def filename(report: Report, extension: str) -> str:
    return download_name(report.plan_code, report.cycle_title, report.edition, extension)


def organization_status(organization: OrganizationRow) -> str:
    """What a report says of an organization's status on an activity, in the active language."""
    if organization.in_confidence:
        return str(IN_CONFIDENCE_LABEL)
    return status_label(organization.status) if organization.reported else gettext("Did not report")


@contextlib.contextmanager
def in_language(language: str | None) -> Iterator[None]:
    """Render in ``language`` (a code of settings.LANGUAGES), or in the active language for None."""
    if language is None:
        yield
        return
    with translation.override(language):
        yield


# What starts a formula in a spreadsheet program; some read the full-width equals, plus, minus and at too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _safe_text(value: str) -> str:
    """Text that a spreadsheet will not run as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def report_rows(report: Report):
    """One row per activity and organization; an activity no one answers for gets one row."""
    for objective in report.objectives:
        for activity in objective.activities:
            base = [
                report.edition,
                report.plan_code,
                report.cycle_title,
                objective.number,
                activity.number,
                activity.text,
                activity.responsible_text,
                status_label(activity.status),
                status_label(activity.previous_status) if activity.compared else "",
                ("yes" if activity.changed else "no") if activity.compared else "",
            ]
            if not activity.organizations:
                yield activity, None, [*base, "", "", "", "", "", "", "", ""]
            for organization in activity.organizations:
                yield (
                    activity,
                    organization,
                    [
                        *base,
                        organization.acronym,
                        organization.name,
                        organization.role or gettext("open to its kind"),
                        organization_status(organization),
                        organization.reported_on.isoformat() if organization.reported_on else "",
                        organization.review_state or "",
                        organization.confidentiality or "",
                        organization.observations,
                    ],
                )


def csv_chunks(report: Report, rows_per_chunk: int = 500) -> Iterator[bytes]:
    """The CSV a few hundred rows at a time, for a streamed response: no copy of the whole file is kept.
    In English whatever the reader's language, as programs read it: its headers and its labels."""
    with translation.override(settings.LANGUAGE_CODE):
        yield from _csv_chunks(report, rows_per_chunk)


def _csv_chunks(report: Report, rows_per_chunk: int) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # The byte-order mark makes spreadsheet programs read the file as UTF-8.
    buffer.write("\ufeff")
    writer.writerow(ROW_HEADERS)
    for count, (_activity, _organization, row) in enumerate(report_rows(report), start=1):
        writer.writerow([_safe_text(v) if isinstance(v, str) else v for v in row])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def to_csv(report: Report) -> bytes:
    return b"".join(csv_chunks(report))


def to_json(report: Report) -> bytes:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2).encode()


def text_cell(sheet, row: int, column: int, value):
    """Write ``value`` into a cell as what it is: text stays text, never a formula."""
    if isinstance(value, str):
        # Text pasted from a PDF or a terminal can carry control characters XLSX cannot hold.
        value = ILLEGAL_CHARACTERS_RE.sub(" ", value)
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # a string, never a formula
    return cell


# A date as the pages show it; Excel, LibreOffice and Numbers read this format alike.
XLSX_DATE = "d mmm yyyy"
XLSX_MOMENT = "d mmm yyyy hh:mm"
# The locale (Excel's language identifier) a date's month is written in, by report language: without one,
# the reader's spreadsheet program writes it in its own language. English needs none; a language is added
# here when its report is translated.
XLSX_LOCALES = {"fr": "[$-40C]"}


def _xlsx_format(pattern: str) -> str:
    """``pattern`` with the locale of the active language, if it has one."""
    return XLSX_LOCALES.get(translation.get_language() or "", "") + pattern


def _label(choices, value: str | None) -> str:
    """The words a person reads for a stored code (``lead`` is "Lead")."""
    return str(choices(value).label) if value else ""


def xlsx_row(activity: ActivityRow, organization: OrganizationRow | None, values: list) -> list:
    """``report_rows``' row as a spreadsheet shows it: a date as a date, codes as their words. The CSV
    keeps the codes (programs read it)."""
    row = list(values)
    row[ROW_HEADERS.index("Edition")] = _label(Edition, row[ROW_HEADERS.index("Edition")])
    changed = row[ROW_HEADERS.index("Changed")]
    if changed:
        row[ROW_HEADERS.index("Changed")] = gettext("Yes") if changed == "yes" else gettext("No")
    if organization is not None:
        if organization.role:
            row[ROW_HEADERS.index("Role")] = _label(ResponsibilityRole, organization.role)
        if row[ROW_HEADERS.index("Reported on")]:
            row[ROW_HEADERS.index("Reported on")] = organization.reported_on
        row[ROW_HEADERS.index("Review state")] = _label(ReviewState, organization.review_state)
        row[ROW_HEADERS.index("Confidentiality")] = _label(Confidentiality, organization.confidentiality)
    return row


def _status_fill(status: str | None) -> PatternFill:
    return PatternFill("solid", start_color=STATUS_COLOURS[status], end_color=STATUS_COLOURS[status])


def row_count(report: Report) -> int:
    """How many rows ``report_rows`` gives."""
    return sum(max(1, len(activity.organizations)) for activity in report.activities)


def to_xlsx(report: Report, progress: Progress = _silent) -> bytes:
    """The workbook in the active language: its sheets' names, headings and labels, the months of its dates."""
    workbook = Workbook()
    bold = Font(bold=True)
    date_format, moment_format = _xlsx_format(XLSX_DATE), _xlsx_format(XLSX_MOMENT)
    # The start of a line of text: the right in a language written from right to left, whose sheets run so.
    start = "right" if translation.get_language_bidi() else "left"

    summary = workbook.active
    summary.title = pgettext("spreadsheet tab", "Summary")
    summary["A1"] = gettext("Stocktaking report: %(plan)s") % {"plan": report.plan_title}
    summary["A1"].font = Font(bold=True, size=14)
    facts = [
        (gettext("Edition"), edition_label(report)),
        (gettext("Cycle"), report.cycle_title),
        (gettext("Period starts"), report.period_start),
        (gettext("Period ends"), report.period_end),
        (gettext("Deadline"), report.deadline),
        (pgettext("of a stocktaking cycle", "State"), _label(CycleState, report.state)),
        # Spreadsheets hold no time zone: the moment in the server's zone, which the header names.
        (gettext("As of (%(zone)s)") % {"zone": report.as_of.tzname() or "UTC"}, report.as_of.replace(tzinfo=None)),
        (gettext("Previous cycle"), report.previous_cycle_title or gettext("none")),
        (completeness_label := gettext("Completeness"), completeness_text(report)),
        (gettext("Activities with no update"), len(report.silent)),
        (gettext("Activities whose status changed"), len(report.changes)),
    ]
    for offset, (label, value) in enumerate(facts, start=3):
        summary.cell(row=offset, column=1, value=label).font = bold
        cell = text_cell(summary, offset, 2, value)
        if isinstance(value, datetime.datetime):
            cell.number_format = moment_format
        elif isinstance(value, datetime.date):
            cell.number_format = date_format
        cell.alignment = Alignment(horizontal=start)
    if report.completeness is not None:
        row = 3 + [label for label, _value in facts].index(completeness_label)
        cell = summary.cell(row=row, column=3, value=report.completeness)
        cell.number_format = "0.0%"

    top = len(facts) + 5
    summary.cell(row=top, column=1, value=gettext("Objective")).font = bold
    for column, status in enumerate(STATUS_ORDER, start=2):
        header = summary.cell(row=top, column=column, value=status_label(status))
        header.font = bold
        header.fill = _status_fill(status)
        if status in LIGHT_TEXT:
            header.font = Font(bold=True, color="FFFFFF")
    for row, objective in enumerate(report.objectives, start=top + 1):
        # The objective's own words (its heading where it has one), as the report's other formats give them.
        words = objective.title or objective.text
        summary.cell(row=row, column=1, value=f"{objective.number}. {words}").alignment = Alignment(wrap_text=True)
        for column, status in enumerate(STATUS_ORDER, start=2):
            summary.cell(row=row, column=column, value=objective.distribution.get(status, 0))
    last = top + len(report.objectives)

    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = gettext("Status of activities by objective")
    chart.y_axis.title = gettext("Activities")
    data = Reference(summary, min_col=2, max_col=1 + len(STATUS_ORDER), min_row=top, max_row=last)
    categories = Reference(summary, min_col=1, min_row=top + 1, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(categories)
    for series, status in zip(chart.series, STATUS_ORDER, strict=True):
        series.graphicalProperties.solidFill = STATUS_COLOURS[status]
    chart.height, chart.width = 9, 22
    summary.add_chart(chart, f"A{last + 3}")
    summary.column_dimensions["A"].width = 60
    summary.column_dimensions["B"].width = 24

    sheet = workbook.create_sheet(gettext("Activities"))
    sheet.append([str(ROW_LABELS[header]) for header in ROW_HEADERS])
    for cell in sheet[1]:
        cell.font = bold
    status_columns = (ROW_HEADERS.index("Overall status") + 1, ROW_HEADERS.index("Organization's status") + 1)
    rows = row_count(report)
    step = max(1, rows // 20)
    for index, (activity, organization, values) in enumerate(report_rows(report), start=2):
        if (index - 2) % step == 0:
            progress(
                10 + 70 * (index - 2) // rows,
                gettext("Writing row %(row)s of %(rows)s")
                % {"row": written_number(index - 1), "rows": written_number(rows)},
            )
        for column, value in enumerate(xlsx_row(activity, organization, values), start=1):
            cell = text_cell(sheet, index, column, value)
            if isinstance(value, datetime.date):
                cell.number_format = date_format
        for column, status in zip(
            status_columns, (activity.status, organization.status if organization else None), strict=True
        ):
            if column == status_columns[1] and organization is None:
                continue
            cell = sheet.cell(row=index, column=column)
            cell.fill = _status_fill(status)
            if status in LIGHT_TEXT:
                cell.font = Font(color="FFFFFF")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(ROW_HEADERS))}{sheet.max_row}"
    widths = {"Activity text": 60, "Organization/Body": 30, "Observations": 60, "Organization name": 30}
    for column, header in enumerate(ROW_HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = widths.get(header, 16)
        if header in widths:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.alignment = Alignment(wrap_text=True, vertical="top")

    missing = workbook.create_sheet(pgettext("spreadsheet tab", "Not reported"))
    missing.append([gettext("Organization"), gettext("Name"), gettext("Activities without a report in the cycle")])
    for cell in missing[1]:
        cell.font = bold
    for item in report.missing:
        missing.append([item.acronym, item.name, ", ".join(item.activities)])
    missing.freeze_panes = "A2"

    header = gettext("%(edition)s: %(plan)s, %(cycle)s") % {
        "edition": edition_label(report),
        "plan": report.plan_code,
        "cycle": report.cycle_title,
    }
    for worksheet in workbook.worksheets:
        # Printed at the top of every page of every sheet.
        worksheet.oddHeader.center.text = header
        worksheet.sheet_view.rightToLeft = start == "right"
    # The workbook says its language and title, as the HTML and the PDF do.
    workbook.properties.language = translation.get_language()
    workbook.properties.title = summary["A1"].value
    progress(85, gettext("Compressing the workbook"))
    return _xlsx_bytes(workbook, report.as_of)


class _ZipAt(zipfile.ZipFile):
    """A zip whose every member is dated ``moment``: the same workbook gives the same bytes."""

    def __init__(self, file: io.BytesIO, moment: datetime.datetime) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED)
        self.moment = moment.astimezone(datetime.UTC).timetuple()[:6]

    def writestr(self, zinfo_or_arcname, data, *args, **kwargs):
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=self.moment)
            zinfo_or_arcname.compress_type = zipfile.ZIP_DEFLATED
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename, arcname=None, *args, **kwargs):
        # openpyxl writes each sheet from a temporary file, which would date it by its mtime.
        with open(filename, "rb") as sheet:
            self.writestr(str(arcname or filename), sheet.read())


def _xlsx_bytes(workbook: Workbook, moment: datetime.datetime) -> bytes:
    """The workbook dated the report's moment, not the moment it is written: rebuilding a closed
    cycle's report gives the same bytes."""
    workbook.properties.created = workbook.properties.modified = moment.astimezone(datetime.UTC).replace(tzinfo=None)
    buffer = io.BytesIO()
    with _ZipAt(buffer, moment) as archive:
        ExcelWriter(workbook, archive).save()
    return buffer.getvalue()


def completeness_text(report: Report) -> str:
    """How many of the expected (activity, organization) pairs reported, and how many were declared not applicable."""
    text = ngettext(
        "%(reported)s of %(expected)s expected pair reported",
        "%(reported)s of %(expected)s expected pairs reported",
        report.expected_pairs,
    ) % {"reported": report.reported_pairs, "expected": report.expected_pairs}
    if not report.not_applicable_pairs:
        return text
    not_applicable = ngettext(
        "%(count)s declared not applicable", "%(count)s declared not applicable", report.not_applicable_pairs
    ) % {"count": report.not_applicable_pairs}
    return gettext("%(completeness)s; %(not_applicable)s") % {"completeness": text, "not_applicable": not_applicable}


def page_numbers(pages: int) -> str:
    """The running footer of a PDF page ("Page 3 of 176") in the active language, as the CSS content of its margin
    box: the page's counter, and the whole report's ``pages``."""
    marker = "\x00"
    words = gettext("Page %(number)s of %(pages)s") % {
        "number": f"{marker}number{marker}",
        "pages": f"{marker}pages{marker}",
    }
    content = []
    for index, piece in enumerate(words.split(marker)):
        if index % 2 == 0:
            if piece:
                content.append(_css_string(piece))
        else:
            content.append("counter(page)" if piece == "number" else _css_string(str(pages)))
    return " ".join(content)


def _css_string(text: str) -> str:
    """``text`` as a CSS string, safe inside a <style> element."""
    escaped = "".join(c if c.isalnum() or c in " .,:;!?()-\u00a0\u202f’'" else f"\\{ord(c):x} " for c in text)
    return f'"{escaped}"'


@functools.cache
def _stylesheet() -> str:
    """The report's CSS and the status colours, inlined so the HTML and the PDF need nothing else; read once."""
    report_css = (settings.BASE_DIR / "static" / "reports" / "report.css").read_text(encoding="utf-8")
    return report_css + status_stylesheet()


@dataclass(frozen=True)
class Section:
    """An objective under its heading, or a run of its activities where the PDF cuts a long objective in parts."""

    objective: ObjectiveSection
    activities: list[ActivityRow]
    continued: bool = False


# A part of the PDF (reports/pdf.py) holds about this many rows: an activity and each of its organizations count one.
PDF_PART_ROWS = 250


def pdf_parts(report: Report, rows: int = PDF_PART_ROWS) -> list[list[Section]]:
    """The objectives in runs of about ``rows`` rows: whole objectives while they fit, a long one cut at activities."""
    parts: list[list[Section]] = []
    part: list[Section] = []
    size = 0
    for objective in report.objectives:
        weights = [1 + len(activity.organizations) for activity in objective.activities]
        if part and size + sum(weights) > rows:
            parts.append(part)
            part, size = [], 0
        start = 0
        for index, weight in enumerate(weights):
            if size and size + weight > rows:
                part.append(Section(objective, objective.activities[start:index], continued=start > 0))
                parts.append(part)
                part, size, start = [], 0, index
            size += weight
        part.append(Section(objective, objective.activities[start:], continued=start > 0))
    if part:
        parts.append(part)
    return parts


def render_html(
    report: Report,
    *,
    for_pdf: bool = False,
    links: dict | None = None,
    front: bool = True,
    sections: list[Section] | None = None,
    language: str | None = None,
) -> str:
    """The report as an HTML document: the title page and summary (``front``), then ``sections`` (every objective);
    in ``language``, or the active language."""
    if sections is None:
        sections = [Section(objective, objective.activities) for objective in report.objectives]
    with in_language(language):
        edition = edition_label(report)
        context = {
            "report": report,
            "for_pdf": for_pdf,
            "stylesheet": _stylesheet(),
            "links": links or {},
            "edition": edition,
            "edition_css": _css_string(edition),
            "completeness_text": completeness_text(report),
            "internal": report.edition == Edition.INTERNAL,
            "front": front,
            "sections": sections,
            "plan_dir": _direction(report.plan_language),
        }
        return render_to_string("reports/report_document.html", context)


def _direction(language: str) -> str:
    """The direction ``language`` is written in, as HTML's ``dir`` says it (left to right for a code Django lacks)."""
    try:
        return "rtl" if translation.get_language_info(language)["bidi"] else "ltr"
    except KeyError:
        return "ltr"


def _page_footers(report: Report, first: int, last: int, pages: int) -> str:
    context = {
        "report": report,
        "stylesheet": _stylesheet(),
        "first": first,
        "pages": pages,
        "later_pages": range(last - first),
        "page_numbers": page_numbers(pages),
        "plan_dir": _direction(report.plan_language),
    }
    return render_to_string("reports/report_page_footers.html", context)


def to_pdf(report: Report, progress: Progress = _silent) -> bytes:
    """The title page and summary, then the objectives in parts, laid out side by side (reports/pdf.py)."""
    progress(5, gettext("Writing the document"))
    parts = [render_html(report, for_pdf=True, sections=[])]
    for sections in pdf_parts(report, PDF_PART_ROWS):  # the module's figure, read now: the tests change it
        parts.append(render_html(report, for_pdf=True, front=False, sections=sections))
    return pdf.write(parts, functools.partial(_page_footers, report), progress)


def render(
    report: Report, format_: str, progress: Progress = _silent, language: str | None = None, **html_options
) -> bytes:
    """The report in ``format_``, in ``language`` (or the active language); the CSV and the JSON in English codes."""
    with in_language(language):
        if format_ == "html":
            return render_html(report, **html_options).encode()
        if format_ in ("xlsx", "pdf"):
            return {"xlsx": to_xlsx, "pdf": to_pdf}[format_](report, progress)
        return {"csv": to_csv, "json": to_json}[format_](report)
