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
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException
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

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
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
    for activity in activities:
        sheet.append([activity.plan.code, activity.number, activity.text, activity.responsible_text,
                      None, None, None, None, None, None])  # fmt: skip
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
    statuses = DataValidation(type="list", formula1='"' + ",".join(Status.labels) + '"', allow_blank=True)
    statuses.error = "Choose a status from the list."
    confidentiality = DataValidation(
        type="list", formula1='"' + ",".join(c.value for c in Confidentiality) + '"', allow_blank=True
    )
    sheet.add_data_validation(statuses)
    sheet.add_data_validation(confidentiality)
    statuses.add(f"E2:E{last}")
    confidentiality.add(f"H2:H{last}")

    about = workbook.create_sheet("How to fill it in")
    for line in [
        [f"Progress of {organization.acronym} ({organization.name})"],
        [],
        ["Fill in Status and Observations on the rows you report on; leave the others empty."],
        ["Reports on: the date the entry reports on (today when empty). Confidentiality: public, "
         "participants (the default) or restricted (CTED and your organization only)."],
        [f"Evidence links: up to {EVIDENCE_MAX_LINKS} web addresses, one a line."],
        [f"{NOT_APPLICABLE}: on an activity open to your organization's kind that does not apply to it, "
         "say why instead of reporting (leave Status and Observations empty); CTED staff can withdraw it."],
        ["Upload the file on your organization's page. You will see what will be logged before anything is."],
        ["Uploading the same rows again logs nothing twice."],
    ]:  # fmt: skip
        about.append(line)
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


_STATUS_NAMES = {**{s.value: s.value for s in Status}, **{s.label.lower(): s.value for s in Status}}
_CONFIDENTIALITY_NAMES = {
    **{c.value: c.value for c in Confidentiality},
    **{c.label.lower(): c.value for c in Confidentiality},
}


def _date(value: str, today: datetime.date) -> datetime.date:
    if not value:
        return today
    try:
        return datetime.date.fromisoformat(_text(value))
    except ValueError:
        raise ValueError(f"“{_text(value)}” is not a date: write it as YYYY-MM-DD.") from None


def read_upload(upload) -> list[tuple[int, dict[str, str]]]:
    """The rows of an uploaded file as (row number, {column: text}); SpreadsheetError when the
    file itself is wrong. The texts keep no type of the spreadsheet's, so they can wait in the
    session between the preview and the confirmation."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise SpreadsheetError(
            f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is {MAX_UPLOAD_BYTES // 1024 // 1024} MB."
        )
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise SpreadsheetError("This is not an XLSX file: download the spreadsheet, fill it in, upload it.") from None
    try:
        sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [_text(v) for v in next(rows, ())]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise SpreadsheetError(
                f"The sheet has no column {', '.join(missing)}: the first row must have the columns "
                f"{', '.join(COLUMNS)}."
            )
        position = {name: header.index(name) for name in COLUMNS if name in header}
        raw = []
        for number, values in enumerate(rows, start=2):
            if number - 1 > MAX_ROWS:
                raise SpreadsheetError(f"The sheet has more than {MAX_ROWS} rows.")
            cells = {name: _cell_text(values[i] if i < len(values) else None) for name, i in position.items()}
            if any(cells.values()):
                raw.append((number, cells))
    finally:
        workbook.close()
    return raw


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
        status = _STATUS_NAMES.get(status_text.lower())
        if status is None:
            errors.append(f"“{status_text}” is not a status; use one of: {', '.join(Status.labels)}.")
        if not observations:
            errors.append("Observations are empty: say what was done.")
        elif len(observations) > StatusEntry.OBSERVATIONS_MAX_LENGTH:
            errors.append(f"Observations are longer than {StatusEntry.OBSERVATIONS_MAX_LENGTH} characters.")
        try:
            reported_on = _date(cells.get("Reports on"), today)
            if reported_on > today:
                errors.append("“Reports on” is in the future.")
        except ValueError as error:
            errors.append(str(error))
            reported_on = today
        confidentiality_text = _text(cells.get("Confidentiality")) or Confidentiality.PARTICIPANTS
        confidentiality = _CONFIDENTIALITY_NAMES.get(confidentiality_text.lower())
        if confidentiality is None:
            errors.append(f"“{confidentiality_text}” is not a confidentiality: public, participants or restricted.")
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
        errors.append(f"No activity {key[1] or '(empty)'} in plan {key[0] or '(empty)'}.")
    elif not (decision := decide(activity)):
        errors.append(decision.reason)
    if key in seen:
        errors.append(f"Activity {key[1]} of {key[0]} is already on row {seen[key]}.")
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
        errors.append(f"Either report on the activity or say why it does not apply ({NOT_APPLICABLE}), not both.")
    if len(reason) > 2000:
        errors.append(f"“{NOT_APPLICABLE}” is longer than 2000 characters.")
    if errors or activity is None:
        check.errors.extend((number, message) for message in errors)
        return
    check.not_applicable.append(NotApplicableRow(number, activity, reason))
