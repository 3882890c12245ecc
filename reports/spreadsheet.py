"""The offline round trip: an organization's activities as XLSX, filled in and uploaded.

Rows are keyed on plan code and activity number. A row that says what the organization's
latest entry on the activity says (same status and observations) is recognized and not
logged again, whatever day it is uploaded: the same file uploaded twice logs once, even
with "Reports on" left empty (today). A row equal to an older entry only is logged: the
organization changed its mind back.
"""

import datetime
import io
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pyexpat import ExpatError, ParserCreate
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy, ngettext
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import CellCoordinatesException, InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from actions import permissions
from actions.models import (
    EVIDENCE_MAX_LINKS,
    Activity,
    Confidentiality,
    NotApplicable,
    Status,
    StatusEntry,
    validate_evidence,
)
from actions.permissions import Who
from organizations.models import Organization
from reports.exports import text_cell
from tracker.languages import written_number

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# An XLSX file is a zip of XML parts, checked before openpyxl reads any of it: a small file
# can unpack to gigabytes (a zip bomb), or hold millions of XML elements that each cost
# memory once parsed. The template unpacks to a few dozen KB in about ten parts.
MAX_UNPACKED_BYTES = 20 * 1024 * 1024  # all the parts together
MAX_PARTS = 100
MAX_COMPRESSION_RATIO = 100  # unpacked / packed, for a part above 1 MB unpacked
MAX_XML_ELEMENTS = 500_000  # all the parts together
MAX_ROWS = 5000
MAX_COLUMNS = 30
MAX_CELL_CHARS = 10_000
MAX_TEXT_CHARS = 5_000_000  # all the cells kept, together
SHEET = "Activities"
NOT_APPLICABLE = "Not applicable: why"
COLUMNS = ["Plan", "Activity", "Activity text", "Organization/Body", "Status", "Observations",
           "Reports on", "Confidentiality", "Evidence links", NOT_APPLICABLE]  # fmt: skip
REQUIRED = ["Plan", "Activity", "Status", "Observations"]
EDITABLE = {"Status", "Observations", "Reports on", "Confidentiality", "Evidence links", NOT_APPLICABLE}


class SpreadsheetError(Exception):
    """The file as a whole cannot be read; nothing in it is looked at further."""


@dataclass
class ImportRow:
    row: int
    activity: Activity
    status: str
    observations: str
    reported_on: datetime.date
    confidentiality: str
    evidence: list[str]
    already_logged: bool = False

    @property
    def confidentiality_label(self) -> str:
        return str(Confidentiality(self.confidentiality).label)


@dataclass
class NotApplicableRow:
    """A row declaring that the activity does not apply to the organization, with the reason."""

    row: int
    activity: Activity
    reason: str
    already_declared: bool = False


@dataclass
class ImportCheck:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, message)
    not_applicable: list[NotApplicableRow] = field(default_factory=list)

    @property
    def to_declare(self) -> list[NotApplicableRow]:
        return [r for r in self.not_applicable if not r.already_declared]

    @property
    def to_log(self) -> list[ImportRow]:
        return [r for r in self.rows if not r.already_logged]

    @property
    def already_logged(self) -> list[ImportRow]:
        return [r for r in self.rows if r.already_logged]

    @property
    def already_logged_rows(self) -> list[int]:
        return [r.row for r in self.already_logged]


def template_for(organization: Organization) -> bytes:
    """The activities ``organization`` may report on, ready to fill in."""
    activities = (
        Activity.objects.open_to(organization)
        .select_related("plan")
        .order_by("plan_id", "number_major", "number_minor")
    )
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(COLUMNS)
    for row, activity in enumerate(activities, start=2):
        # Texts entered in the admin are written as text: one beginning with "=" is no formula.
        for column, value in enumerate([activity.plan.code, activity.number, activity.text, activity.responsible_text],
                                       start=1):  # fmt: skip
            text_cell(sheet, row, column, value)
    header_fill = PatternFill("solid", start_color="DCE6F2", end_color="DCE6F2")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        if cell.value in EDITABLE:
            cell.fill = header_fill
    widths = [14, 9, 60, 30, 16, 60, 12, 16, 40, 40]
    for letter, width in zip("ABCDEFGHIJ", widths, strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2, min_col=3, max_col=6):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "C2"
    last = max(sheet.max_row, 2)
    statuses = DataValidation(type="list", formula1='"' + ",".join(_labels(Status)) + '"', allow_blank=True)
    statuses.error = gettext("Choose a status from the list.")
    confidentiality = DataValidation(
        type="list", formula1='"' + ",".join(c.value for c in Confidentiality) + '"', allow_blank=True
    )
    sheet.add_data_validation(statuses)
    sheet.add_data_validation(confidentiality)
    statuses.add(f"E2:E{last}")
    confidentiality.add(f"H2:H{last}")

    # The help in the reader's language; the columns keep their English names, which the upload reads.
    about = workbook.create_sheet(gettext("How to fill it in"))
    for line in [
        gettext("Progress of %(acronym)s (%(name)s)") % {"acronym": organization.acronym, "name": organization.name},
        None,
        gettext("Fill in %(status)s and %(observations)s on the rows you report on; leave the others empty.")
        % {"status": "Status", "observations": "Observations"},
        gettext(
            "%(reports_on)s: the date the entry reports on (today when empty). %(confidentiality)s: public, "
            "participants (the default) or restricted (CTED and your organization only)."
        )
        % {"reports_on": "Reports on", "confidentiality": "Confidentiality"},
        gettext("%(evidence)s: up to %(count)s web addresses, one a line.")
        % {"evidence": "Evidence links", "count": EVIDENCE_MAX_LINKS},
        gettext(
            "%(not_applicable)s: on an activity open to your organization's kind that does not apply to it, say why "
            "instead of reporting (leave %(status)s and %(observations)s empty); CTED staff can withdraw it."
        )
        % {"not_applicable": NOT_APPLICABLE, "status": "Status", "observations": "Observations"},
        gettext("Upload the file on your organization's page. You will see what will be logged before anything is."),
        gettext("Uploading the same rows again logs nothing twice."),
    ]:
        about.append([line] if line else [])
    about["A1"].font = Font(bold=True, size=13)
    about.column_dimensions["A"].width = 110
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _names(choices: Any) -> dict[str, str]:
    """Each of ``choices``'s values by itself, by its English label and by its label in the reader's
    language, in lower case: a sheet filled in English is read on a French page, and the reverse."""
    names = {choice.value: choice.value for choice in choices}
    with translation.override(settings.LANGUAGE_CODE):
        names.update({str(choice.label).lower(): choice.value for choice in choices})
    names.update({str(choice.label).lower(): choice.value for choice in choices})
    return names


def _labels(choices: Any) -> list[str]:
    return [str(label) for label in choices.labels]


def _date(value: str, today: datetime.date) -> datetime.date:
    if not value:
        return today
    try:
        return datetime.date.fromisoformat(_text(value))
    except ValueError:
        raise ValueError(
            gettext("“%(value)s” is not a date: write it as YYYY-MM-DD.") % {"value": _text(value)}
        ) from None


# The reasons a file is refused as a whole, in the language of the page that says them.
NOT_XLSX = gettext_lazy("This is not an XLSX file: download the spreadsheet, fill it in, upload it.")
DAMAGED = gettext_lazy(
    "The file is damaged and cannot be read as a spreadsheet: open it in your spreadsheet program, "
    "save it as .xlsx (without a password) and upload it again."
)
ENCRYPTED = gettext_lazy(
    "The file is password-protected (or an old .xls file): save it as .xlsx without a password and upload it again."
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # what Excel writes for an encrypted workbook, or .xls
_LARGE_PART = 1024 * 1024
_CHUNK = 64 * 1024
# What zipfile and openpyxl raise on a damaged file: openpyxl documents none, so these are
# the kinds the tests' set of malformed workbooks meets, and their near kin.
_UNREADABLE = (
    zipfile.BadZipFile,  # not a zip, truncated, bad CRC (also a part longer than its header says)
    zipfile.LargeZipFile,
    zlib.error,  # a corrupt deflate stream
    EOFError,  # a truncated part
    NotImplementedError,  # a compression method zipfile lacks
    RuntimeError,  # an encrypted part
    OSError,
    InvalidFileException,
    SyntaxError,  # xml.etree.ElementTree.ParseError: a part that is not XML
    ExpatError,
    ValueError,  # bad values; defusedxml's refusals (an entity declaration) too
    LookupError,  # a shared string, style or part that is not there
    TypeError,  # XML of the wrong shape
    AttributeError,
    ArithmeticError,  # a number no date can be made of
    CellCoordinatesException,  # a cell reference such as "A0" or "!1"
)


def read_upload(upload) -> list[tuple[int, dict[str, str]]]:
    """The rows reported on in an uploaded file as (row number, {column: text}); SpreadsheetError
    when the file itself is wrong. The texts keep no type of the spreadsheet's, so they can wait
    in the session between the preview and the confirmation. Rows with neither status,
    observations nor a reason it does not apply say nothing and are left out, as are the
    columns nothing reads (the activity's text, the organization/body)."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise SpreadsheetError(
            gettext("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": written_number(upload.size / 1024 / 1024, 1), "limit": MAX_UPLOAD_BYTES // 1024 // 1024}
        )
    check_archive(upload)
    upload.seek(0)
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except _UNREADABLE:
        raise SpreadsheetError(str(DAMAGED)) from None
    try:
        return _read_rows(workbook)
    except _UNREADABLE:
        raise SpreadsheetError(str(DAMAGED)) from None
    finally:
        workbook.close()


def _read_rows(workbook) -> list[tuple[int, dict[str, str]]]:
    """The rows of the sheet, read as they stream out of openpyxl, stopping at the first limit passed."""
    sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
    # The first MAX_COLUMNS columns only: check_archive refused a row of more cells.
    rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
    header = [_text(_capped(v, 1, i + 1)) for i, v in enumerate(next(rows, ()))]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise SpreadsheetError(
            ngettext(
                "The sheet has no column %(missing)s: the first row must have the columns %(columns)s.",
                "The sheet has no columns %(missing)s: the first row must have the columns %(columns)s.",
                len(missing),
            )
            % {"missing": ", ".join(missing), "columns": ", ".join(COLUMNS)}
        )
    read = ["Plan", "Activity", "Status", "Observations", "Reports on", "Confidentiality", "Evidence links",
            NOT_APPLICABLE]  # fmt: skip
    position = {name: header.index(name) for name in read if name in header}
    reported = [name for name in ("Status", "Observations", NOT_APPLICABLE) if name in position]
    raw = []
    characters = 0
    for number, values in enumerate(rows, start=2):
        if number - 1 > MAX_ROWS:
            raise SpreadsheetError(gettext("The sheet has more than %(count)s rows.") % {"count": MAX_ROWS})
        cells = {name: _cell_text(_capped(values[i] if i < len(values) else None, number, i + 1))
                 for name, i in position.items()}  # fmt: skip
        if any(cells[name] for name in reported):
            characters += sum(len(text) for text in cells.values())
            if characters > MAX_TEXT_CHARS:
                raise SpreadsheetError(
                    gettext("The sheet has more than %(count)s characters of text.")
                    % {"count": written_number(MAX_TEXT_CHARS)}
                )
            raw.append((number, cells))
    return raw


def _capped(value, row: int, column: int):
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        raise SpreadsheetError(
            gettext("Row %(row)s, column %(column)s has more than %(count)s characters.")
            % {"row": row, "column": column, "count": written_number(MAX_CELL_CHARS)}
        )
    return value


def check_archive(upload) -> None:
    """Refuse a file that is not a plain XLSX zip of reasonable size, before anything parses it:
    not a zip, too many parts, unpacking too big or too compressed (a zip bomb), no workbook,
    encrypted, parts named outside the archive, XML with a DTD (an entity bomb), too many
    XML elements or a row with too many cells. Reads the parts as streams, a chunk at a time.
    (zipfile never unpacks a part beyond the size its header gives: a part that lies is a bad
    CRC, refused as damaged.)"""
    upload.seek(0)
    if upload.read(len(_OLE_MAGIC)) == _OLE_MAGIC:
        raise SpreadsheetError(str(ENCRYPTED))
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            parts = archive.infolist()
            _check_parts(parts)
            elements = _XmlCount()
            for part in parts:
                if not part.is_dir():
                    _check_xml(archive, part, elements)
    except SpreadsheetError:
        raise
    except zipfile.BadZipFile:
        raise SpreadsheetError(str(NOT_XLSX)) from None
    except _UNREADABLE:
        raise SpreadsheetError(str(DAMAGED)) from None


def _check_parts(parts: list[zipfile.ZipInfo]) -> None:
    if len(parts) > MAX_PARTS:
        raise SpreadsheetError(
            gettext("The file has %(count)s parts; a spreadsheet has far fewer (the limit is %(limit)s).")
            % {"count": len(parts), "limit": MAX_PARTS}
        )
    for part in parts:
        name = part.filename
        if name.startswith(("/", "\\")) or ":" in name or ".." in re.split(r"[/\\]", name):
            raise SpreadsheetError(f"{NOT_XLSX} " + gettext("(It has a part named “%(name)s”.)") % {"name": name[:100]})
        if part.flag_bits & 0x1:
            raise SpreadsheetError(str(ENCRYPTED))
    if "xl/workbook.xml" not in {part.filename for part in parts}:
        raise SpreadsheetError(str(NOT_XLSX))
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED_BYTES:
        raise SpreadsheetError(
            gettext("The file unpacks to %(size)s MB; the limit is %(limit)s MB.")
            % {"size": written_number(unpacked / 1024 / 1024, 0), "limit": MAX_UNPACKED_BYTES // 1024 // 1024}
        )
    for part in parts:
        if part.file_size > _LARGE_PART and part.file_size > MAX_COMPRESSION_RATIO * part.compress_size:
            raise SpreadsheetError(
                gettext(
                    "The file's part %(part)s unpacks to more than %(ratio)s times its size, which no spreadsheet "
                    "does: it is refused."
                )
                % {"part": part.filename[:100], "ratio": MAX_COMPRESSION_RATIO}
            )


class _XmlCount:
    """Counts the elements of every XML part, and the cells of each row, as expat streams them."""

    def __init__(self) -> None:
        self.elements = 0
        self.depth = 0
        self.row_depth = -1
        self.row = ""
        self.cells = 0

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self.elements += 1
        if self.elements > MAX_XML_ELEMENTS:
            raise SpreadsheetError(
                gettext("The file has more than %(count)s XML elements: it is refused.")
                % {"count": written_number(MAX_XML_ELEMENTS)}
            )
        self.depth += 1
        local = name.rsplit(" ", 1)[-1]
        if local == "row":
            self.row_depth, self.row, self.cells = self.depth, attributes.get("r", "")[:10], 0
        elif local == "c" and self.depth == self.row_depth + 1:
            self.cells += 1
            if self.cells > MAX_COLUMNS:
                raise SpreadsheetError(
                    gettext("Row %(row)s has more than %(count)s columns.")
                    % {"row": self.row or "?", "count": MAX_COLUMNS}
                )

    def end(self, name: str) -> None:
        if self.depth == self.row_depth:
            self.row_depth = -1
        self.depth -= 1


def _refuse_dtd(*args) -> None:
    raise SpreadsheetError(f"{DAMAGED} " + gettext("(It declares XML entities, which no spreadsheet does.)"))


def _check_xml(archive: zipfile.ZipFile, part: zipfile.ZipInfo, count: _XmlCount) -> None:
    """Stream a part that starts like XML through expat: well-formed, no DTD, within the counts.
    A part that does not start like XML (an image) is left alone: openpyxl cannot parse it as XML either."""
    with archive.open(part) as stream:
        chunk = stream.read(_CHUNK)
        start = chunk.removeprefix(b"\xef\xbb\xbf").lstrip()
        if not (start.startswith(b"<") or chunk.startswith((b"\xff\xfe", b"\xfe\xff"))):
            return
        parser = ParserCreate(namespace_separator=" ")
        parser.StartDoctypeDeclHandler = _refuse_dtd
        parser.EntityDeclHandler = _refuse_dtd
        parser.StartElementHandler = count.start
        parser.EndElementHandler = count.end
        count.depth, count.row_depth = 0, -1
        try:
            while chunk:
                parser.Parse(chunk, False)
                chunk = stream.read(_CHUNK)
            parser.Parse(b"", True)
        except ExpatError:
            raise SpreadsheetError(
                f"{DAMAGED} " + gettext("(Its part %(part)s is not well-formed XML.)") % {"part": part.filename[:100]}
            ) from None


def _cell_text(value) -> str:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.date().isoformat() if isinstance(value, datetime.datetime) else value.isoformat()
    return _text(value)


def check_rows(raw, *, organization: Organization, author: Who) -> ImportCheck:
    """Check every row; an ImportRow for each good one, and every error with its row number."""
    check = ImportCheck()
    today = timezone.localdate()
    keys = {(_text(c.get("Plan")), _text(c.get("Activity"))) for _, c in raw}
    wanted = {number for _, number in keys}
    activities = {
        (a.plan.code, a.number): a
        for a in Activity.objects.filter(number__in=wanted)
        .select_related("plan")
        .prefetch_related("responsibilities", "open_kinds")
    }
    seen: dict[tuple[str, str], int] = {}
    statuses, confidentialities = _names(Status), _names(Confidentiality)  # read once, not per row
    for number, cells in raw:
        status_text = _text(cells.get("Status"))
        observations = _text(cells.get("Observations"))
        reason = _text(cells.get(NOT_APPLICABLE))
        if reason:
            _check_not_applicable(check, number, cells, reason, activities, seen, organization, author)
            continue
        if not status_text and not observations:
            continue  # a row not reported on
        activity, errors = _row_activity(
            number,
            cells,
            activities,
            seen,
            lambda a: permissions.may_log(author, organization=organization, activity=a),
        )
        status = statuses.get(status_text.lower())
        if status is None:
            errors.append(
                gettext("“%(value)s” is not a status; use one of: %(statuses)s.")
                % {"value": status_text, "statuses": ", ".join(_labels(Status))}
            )
        if not observations:
            errors.append(gettext("Observations are empty: say what was done."))
        elif len(observations) > StatusEntry.OBSERVATIONS_MAX_LENGTH:
            errors.append(
                gettext("Observations are longer than %(count)s characters.")
                % {"count": written_number(StatusEntry.OBSERVATIONS_MAX_LENGTH)}
            )
        try:
            reported_on = _date(cells.get("Reports on"), today)
            if reported_on > today:
                errors.append(gettext("“%(column)s” is in the future.") % {"column": "Reports on"})
        except ValueError as error:
            errors.append(str(error))
            reported_on = today
        confidentiality_text = _text(cells.get("Confidentiality")) or Confidentiality.PARTICIPANTS
        confidentiality = confidentialities.get(confidentiality_text.lower())
        if confidentiality is None:
            errors.append(
                gettext("“%(value)s” is not a confidentiality: public, participants or restricted.")
                % {"value": confidentiality_text}
            )
        evidence = [link for link in re.split(r"\s+", _text(cells.get("Evidence links"))) if link]
        try:
            validate_evidence(evidence)
        except ValidationError as error:
            errors.extend(error.messages)
        if errors or activity is None or status is None or confidentiality is None:
            check.errors.extend((number, message) for message in errors)
            continue
        check.rows.append(ImportRow(number, activity, status, observations, reported_on, confidentiality, evidence))

    if check.rows:
        # The organization's latest entry on each activity, the one that stands; one query for
        # all rows. Read as the system: a restricted latest entry is one too.
        latest = {
            activity_id: (status, observations)
            for activity_id, status, observations in StatusEntry.objects.filter(
                organization=organization, activity__in=[r.activity for r in check.rows]
            )
            .standing(permissions.SYSTEM)
            .latest_per_activity_and_organization()
            .values_list("activity_id", "status", "observations")
        }
        for row in check.rows:
            row.already_logged = latest.get(row.activity.pk) == (row.status, row.observations)
    if check.not_applicable:
        declared = set(
            NotApplicable.objects.in_force()
            .filter(organization=organization, activity__in=[r.activity for r in check.not_applicable])
            .values_list("activity_id", flat=True)
        )
        for declaration in check.not_applicable:
            declaration.already_declared = declaration.activity.pk in declared
    return check


def _row_activity(
    number: int,
    cells: dict[str, str],
    activities: dict[tuple[str, str], Activity],
    seen: dict[tuple[str, str], int],
    decide: Callable[[Activity], permissions.Decision],
) -> tuple[Activity | None, list[str]]:
    """The activity a row names, and what is wrong with naming it: none such, not the
    organization's to report on (``decide``), or already on an earlier row."""
    errors = []
    key = (_text(cells.get("Plan")), _text(cells.get("Activity")))
    activity = activities.get(key)
    if activity is None:
        empty = gettext("(empty)")
        errors.append(
            gettext("No activity %(number)s in plan %(plan)s.") % {"number": key[1] or empty, "plan": key[0] or empty}
        )
    elif not (decision := decide(activity)):
        errors.append(decision.reason)
    if key in seen:
        errors.append(
            gettext("Activity %(number)s of %(plan)s is already on row %(row)s.")
            % {"number": key[1], "plan": key[0], "row": seen[key]}
        )
    seen.setdefault(key, number)
    return activity, errors


def _check_not_applicable(
    check: ImportCheck,
    number: int,
    cells: dict[str, str],
    reason: str,
    activities: dict[tuple[str, str], Activity],
    seen: dict[tuple[str, str], int],
    organization: Organization,
    author: Who,
) -> None:
    """A row that declares its activity not applicable to the organization, instead of reporting on it."""

    def decide(activity: Activity) -> permissions.Decision:
        return permissions.may_declare_not_applicable(author, organization=organization, activity=activity)

    activity, errors = _row_activity(number, cells, activities, seen, decide)
    if _text(cells.get("Status")) or _text(cells.get("Observations")):
        errors.append(
            gettext("Either report on the activity or say why it does not apply (%(column)s), not both.")
            % {"column": NOT_APPLICABLE}
        )
    if len(reason) > 2000:
        errors.append(
            gettext("“%(column)s” is longer than %(count)s characters.")
            % {"column": NOT_APPLICABLE, "count": written_number(2000)}
        )
    if errors or activity is None:
        check.errors.extend((number, message) for message in errors)
        return
    check.not_applicable.append(NotApplicableRow(number, activity, reason))
