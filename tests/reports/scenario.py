"""A stocktaking cycle of the Nairobi plan with entries of every kind, and readers for each report format.

The cycle covers the first half of 2025. What is in it, and what the report must make of it:

- ICAO (bob) on 3.2: planned in February, in progress in May (one pair, reported once)
- ICAO (bob) on 3.3: completed; INTERPOL, the partner, does not report
- ICAO (bob) on 3.4: in progress, then a correction to completed that supersedes it
- ICAO (bob) on 5.2: delayed, restricted to CTED and ICAO
- WCO (charlie) on 3.6: planned
- WCO (charlie) on 1.2: ongoing; WCO is not named there: it is expected as a participant of a kind
  the activity is open to
- WCO (charlie) on 3.7: delayed, returned by CTED: it does not count
- WCO (charlie) on 3.8: not started, reporting on November 2024, before the period
- INTERPOL on 3.1 and CTC on 1.1, logged by CTED staff (accepted as written)

Every entry by a focal point is accepted by staff except the returned one.
"""

import csv
import datetime
import io
import json
import re
import subprocess

from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from actions.models import Activity, ActivityOpenKind, Confidentiality, Participation, Plan, Responsibility, StatusEntry
from actions.services import status_entry_log, status_entry_review
from reports.builder import ActivityRow, ObjectiveSection, OrganizationRow, Report
from reports.models import StocktakingCycle
from reports.services import cycle_create
from tests.helpers import NAIROBI, body, nairobi, organization

PERIOD_START = datetime.date(2025, 1, 1)
PERIOD_END = datetime.date(2025, 6, 30)
DEADLINE = datetime.date(2025, 7, 15)
TITLE = "First half 2025"

# Single words, so that a PDF's line breaks cannot split them.
RESTRICTED_WORD = "Kestrel"  # only in the observations of ICAO's restricted entry on 5.2
SUPERSEDED_WORD = "Osprey"  # only in ICAO's entry on 3.4 that a correction replaced
RETURNED_WORD = "Heron"  # only in WCO's returned entry on 3.7
OBSERVATIONS_32 = "Model legislation on travel document security circulated to member states."

# The overall status of each activity for a reader who may read everything (staff, bob).
STATUSES_FOR_ALL = {
    "1.1": "completed",
    "1.2": "ongoing",
    "3.1": "ongoing",
    "3.2": "in_progress",
    "3.3": "completed",
    "3.4": "completed",
    "3.6": "planned",
    "3.8": "not_started",  # reported before the period: the plan's state, but no update in the cycle
    "5.2": "delayed",
}
# Expected (activity, organization) pairs with an entry in the cycle; a filing in confidence counts for every reader.
REPORTED_PAIRS = {
    ("1.1", "CTC"),
    ("1.2", "WCO"),
    ("3.1", "INTERPOL"),
    ("3.2", "ICAO"),
    ("3.3", "ICAO"),
    ("3.4", "ICAO"),
    ("3.6", "WCO"),
    ("5.2", "ICAO"),
}
UPDATED_IN_CYCLE = {"1.1", "1.2", "3.1", "3.2", "3.3", "3.4", "3.6", "5.2"}


def nairobi_numbers() -> list[str]:
    return list(
        Activity.objects.filter(plan__code=NAIROBI)
        .order_by("number_major", "number_minor")
        .values_list("number", flat=True)
    )


def responsible_pairs() -> set[tuple[str, str]]:
    """Every (activity number, acronym) expected to report on the Nairobi plan, worked out here on its
    own: the organizations each activity names, and every participant of a kind it is open to."""
    named = set(
        Responsibility.objects.filter(activity__plan__code=NAIROBI).values_list(
            "activity__number", "organization__acronym"
        )
    )
    participants = list(
        Participation.objects.filter(plan__code=NAIROBI).values_list("organization__acronym", "organization__kind")
    )
    open_to = ActivityOpenKind.objects.filter(activity__plan__code=NAIROBI).values_list("activity__number", "kind")
    by_kind = {
        (number, acronym) for number, kind in open_to for acronym, their_kind in participants if kind == their_kind
    }
    return named | by_kind


def expected_statuses(sees_restricted: bool) -> dict[str, str | None]:
    statuses = dict.fromkeys(nairobi_numbers())
    statuses.update(STATUSES_FOR_ALL)
    if not sees_restricted:
        statuses["5.2"] = None
    return statuses


def expected_missing(reported: set[tuple[str, str]]) -> dict[str, list[str]]:
    """{acronym: activity numbers} of the named pairs that did not report, in the plan's order."""
    order = {number: index for index, number in enumerate(nairobi_numbers())}
    missing: dict[str, list[str]] = {}
    for number, acronym in sorted(responsible_pairs() - reported, key=lambda p: (p[1], order[p[0]])):
        missing.setdefault(acronym, []).append(number)
    return missing


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def log(author, number: str, acronym: str, status: str, observations: str, **kwargs) -> StatusEntry:
    kwargs.setdefault("reported_on", datetime.date(2025, 3, 15))
    return status_entry_log(
        activity=nairobi(number),
        organization=organization(acronym),
        author=author,
        status=status,
        observations=observations,
        **kwargs,
    )


def accept(entry: StatusEntry, reviewer) -> StatusEntry:
    status_entry_review(entry=entry, reviewer=reviewer, decision="accept")
    return entry


def give_back(entry: StatusEntry, reviewer, comment: str = "Say which airports took part.") -> StatusEntry:
    status_entry_review(entry=entry, reviewer=reviewer, decision="return", comment=comment)
    return entry


def new_cycle(
    author,
    *,
    title: str = TITLE,
    start: datetime.date = PERIOD_START,
    end: datetime.date = PERIOD_END,
    deadline: datetime.date = DEADLINE,
    open_now: bool = True,
) -> StocktakingCycle:
    return cycle_create(
        plan=Plan.objects.get(code=NAIROBI),
        title=title,
        period_start=start,
        period_end=end,
        deadline=deadline,
        author=author,
        open_now=open_now,
    )


def populate(staff, bob, charlie) -> None:
    """The entries described at the top of this module."""
    accept(log(bob, "3.2", "ICAO", "planned", "Drafting started.", reported_on=datetime.date(2025, 2, 1)), staff)
    accept(log(bob, "3.2", "ICAO", "in_progress", OBSERVATIONS_32, reported_on=datetime.date(2025, 5, 1)), staff)
    accept(log(bob, "3.3", "ICAO", "completed", "Guidance on machine-readable passports published."), staff)
    first = accept(log(bob, "3.4", "ICAO", "in_progress", f"{SUPERSEDED_WORD} pilot at two airports."), staff)
    accept(log(bob, "3.4", "ICAO", "completed", "Pilot finished at both airports.", supersedes=first), staff)
    restricted = log(
        bob,
        "5.2",
        "ICAO",
        "delayed",
        f"{RESTRICTED_WORD} assessment of screening gaps at three airports.",
        confidentiality=Confidentiality.RESTRICTED,
    )
    accept(restricted, staff)
    accept(log(charlie, "3.6", "WCO", "planned", "Customs risk-management workshop scheduled."), staff)
    accept(log(charlie, "1.2", "WCO", "ongoing", "Quarterly exchange with the Committee continues."), staff)
    give_back(log(charlie, "3.7", "WCO", "delayed", f"{RETURNED_WORD} programme postponed."), staff)
    accept(
        log(charlie, "3.8", "WCO", "not_started", "Nothing yet.", reported_on=datetime.date(2024, 11, 30)),
        staff,
    )
    log(staff, "3.1", "INTERPOL", "ongoing", "I-24/7 extended to two more border posts.")
    log(staff, "1.1", "CTC", "completed", "Joint consultation held in Vienna.")


# --- Reading the formats back ---


def report_url(cycle: StocktakingCycle, format_: str, edition: str | None = None) -> str:
    return f"/cycles/{cycle.pk}/report.{format_}" + (f"?edition={edition}" if edition else "")


def api_report_url(cycle: StocktakingCycle, format_: str | None = None, edition: str | None = None) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"format": format_, "edition": edition}.items() if v)
    return f"/api/v1/cycles/{cycle.pk}/report/" + (f"?{query}" if query else "")


def fetch(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, body(response)[:500])
    return body(response)


def read_json(content: bytes) -> dict:
    return json.loads(content)


def read_csv(content: bytes) -> tuple[list[str], list[dict[str, str]]]:
    """The header row and the rows, from UTF-8 with a byte-order mark."""
    assert content.startswith(b"\xef\xbb\xbf"), "the CSV must start with the UTF-8 byte-order mark"
    reader = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
    header = next(reader)
    return header, [dict(zip(header, row, strict=True)) for row in reader]


def read_xlsx(content: bytes):
    return load_workbook(io.BytesIO(content))


def xlsx_text(content: bytes) -> str:
    workbook = read_xlsx(content)
    return "\n".join(
        str(cell.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row if cell.value
    )


def pdf_pages(content: bytes, *, layout: bool = True) -> list[str]:
    """The text of each page: laid out as on paper (table rows on one line), or in reading order."""
    assert content.startswith(b"%PDF-")
    command = ["pdftotext", *(["-layout"] if layout else []), "-", "-"]
    text = subprocess.run(command, input=content, capture_output=True, check=True).stdout.decode()
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def pdf_text(content: bytes) -> str:
    """The PDF's words in reading order, each run of white space made one space."""
    return " ".join(" ".join(pdf_pages(content, layout=False)).split())


def text_of(format_: str, content: bytes) -> str:
    """Everything a person reads in a report file, as text."""
    if format_ == "pdf":
        return pdf_text(content)
    if format_ == "xlsx":
        return xlsx_text(content)
    return content.decode("utf-8-sig")


def json_statuses(report: dict) -> dict[str, str | None]:
    return {a["number"]: a["status"] for o in report["objectives"] for a in o["activities"]}


_HTML_ACTIVITY = re.compile(
    r'<div class="activity-head"><strong class="number">(\d+\.\d+)</strong> <span class="badge status-([a-z_]+)">',
)


def html_statuses(html: str) -> dict[str, str | None]:
    """The overall status badge of each activity of the HTML report."""
    found = _HTML_ACTIVITY.findall(html)
    statuses = {number: (None if status == "none" else status) for number, status in found}
    assert len(statuses) == len(found), "an activity appears twice"
    return statuses


def html_completeness(html: str) -> tuple[int, int]:
    found = re.findall(r"(\d+) of (\d+) expected pairs reported", html)
    assert len(found) == 1, found
    return int(found[0][0]), int(found[0][1])


def synthetic_report(objectives: list[int], organizations: int = 3) -> Report:
    """A report with as many objectives as ``objectives`` has numbers and that many activities in each,
    each activity with ``organizations`` organizations that reported; built without a database."""
    moment = timezone.now()
    sections = [
        ObjectiveSection(
            number=o,
            title="",
            text=f"Objective {o}",
            activities=[
                ActivityRow(
                    id=o * 100_000 + n,
                    number=f"{o}.{n}",
                    text=f"Activity {o}.{n} " * 10,
                    responsible_text="ICAO, WCO, IMO",
                    status="ongoing",
                    previous_status=None,
                    updated=True,
                    organizations=[
                        OrganizationRow(
                            acronym=a,
                            name=a,
                            role="lead",
                            status="ongoing",
                            reported_on=moment.date(),
                            observations="Held. " * 20,
                            review_state="accepted",
                            confidentiality="participants",
                        )
                        for a in ("ICAO", "WCO", "IMO", "INTERPOL", "UNODC")[:organizations]
                    ],
                )
                for n in range(1, count + 1)
            ],
            distribution={"ongoing": count},
        )
        for o, count in enumerate(objectives, start=1)
    ]
    return Report(
        plan_code="big",
        plan_title="Big",
        cycle_id=1,
        cycle_title="One",
        period_start=moment.date(),
        period_end=moment.date(),
        deadline=moment.date(),
        state="open",
        as_of=moment,
        previous_cycle_title=None,
        objectives=sections,
        reported_pairs=0,
        expected_pairs=0,
        missing=[],
        not_applicable_pairs=0,
        edition="internal",
    )
