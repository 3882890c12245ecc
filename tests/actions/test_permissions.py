"""The permission table: role x relation x action x state -> one outcome, on every surface.

A row of the table is a CASE: who acts (role), their relation to the organization the case
is about, what they do (action) and the state of what they do it to. It has exactly one
expected outcome and names no surface: the test runs the case on every surface that
carries the action (``SURFACES``) and asserts that outcome in that surface's own terms. So
the page, the API, the service and the spreadsheet import cannot disagree on a case
without a failure that names the case and the surface, and the table is the whole of
who may do what.

Roles are the fixed cast of ``tests/conftest.py``: ``staff`` (alice, CTED), ``focal_point``
(bob, ICAO), ``other_focal_point`` (charlie, WCO), ``secretariat``, ``viewer`` and
``anonymous``.

Relations are the focal point's relation to the organization the case is about: ``own``
(ICAO for bob, WCO for charlie) or ``other`` (WCO for bob, ICAO for charlie). For the other
roles, and for actions about no organization (stocktaking, the review queue), the
relation is ``any``: the organization is then ICAO.

States are the object's: for logging, whether the activity names the organization (ICAO:
3.2, WCO: 3.6), is open to its kind (1.1, open to all IROs) or is not open to it (ICAO:
3.6, WCO: 3.2); for reviewing, the entry's review state; for reading an entry, its
confidentiality; for adding a participant, whether the organization (ICAO) takes part in
the plan (the CICA plan) already; for recording that one left, whether the day is after
it joined or before (ICAO in the Nairobi plan); ``-`` where there is none.

Outcomes, and what each one is on each surface (``MEANING`` says the same, as code):

==================  ===========================  =======  =====================  ===========================
outcome             page                         API      service                spreadsheet import
==================  ===========================  =======  =====================  ===========================
``anon``            302 to /accounts/login/      401      PermissionDenied (for  302 to /accounts/login/
                    ?next=<the page>                      an AnonymousUser)      ?next=<the upload page>
``403``             403                          403      PermissionDenied       403
``invalid:FIELD``   400, the form's error on     400 on   ValidationError whose  the preview answers 400 and
                    FIELD (the review page goes  FIELD    message_dict has       lists the row's error;
                    back to the queue and says            FIELD                  confirming answers 400
                    why instead)
``submitted``,      302 to the activity, the     201 (a   returns the entry,     the preview answers 200 and
``accepted``,       queue or the new cycle       review:  review or cycle        lists the row; confirming
``returned``,                                    200)                            goes to the organization's
``created``                                      with                            page
                                                 state
``200``             200                          200      (reads: pages and the API only)
``shown`` /         200, the entry is read /     same;    (reads: pages and the API only)
``hidden``          not read there               hidden
                                                 detail:
                                                 404
==================  ===========================  =======  =====================  ===========================

A refusal of the input reads the same on every surface (``REASONS``): the service's
message is the form's error, the API's, and the spreadsheet row's.

Every write case is also checked for what it wrote: the entry, review or cycle in the
state the outcome names, or, for every refusal, nothing at all (no entry, no review, no
cycle, and a reviewed entry left in its state).

A case that a surface answers otherwise today is a bug of the application, not of the
table: the row names the surface and what happens there (``Bug``), and that run is a
strict xfail, so it shows in every run and fails as soon as the bug is fixed.
"""

import datetime
import html
import io
import re
from collections import Counter
from collections.abc import Callable
from typing import NamedTuple

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants as message_levels
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from actions.models import (
    Activity,
    Confidentiality,
    Participation,
    Plan,
    ReviewState,
    Status,
    StatusEntry,
    StatusEntryReview,
)
from actions.services import participant_add, participant_leave, status_entry_log, status_entry_review
from organizations.models import Organization
from reports import spreadsheet
from reports.models import StocktakingCycle
from reports.services import cycle_create
from tests.factories import StatusEntryFactory
from tests.helpers import NAIROBI, api_client, counts, nairobi, organization, page_client

pytestmark = pytest.mark.django_db

ROLES = ("staff", "secretariat", "focal_point", "other_focal_point", "viewer", "anonymous")
OWN = {"focal_point": "ICAO", "other_focal_point": "WCO"}
OTHER = {"focal_point": "WCO", "other_focal_point": "ICAO"}

# --- The surfaces each action is carried by: the one place that lists them. ---

LOG_SURFACES = ("activity page", "api", "service", "spreadsheet")
REVIEW_SURFACES = ("review page", "api", "service")
STOCKTAKING_SURFACES = ("cycle page", "api", "service")
PARTICIPANT_SURFACES = ("plan page", "service")
# What any signed-in user reads, with an accepted and a submitted entry on them.
READ_SURFACES = (
    "page:home", "page:plan", "page:activity", "page:organization", "page:organizations",
    "api:plans", "api:activities", "api:organizations", "api:status entries", "api:status entry",
    "api:participants",
)  # fmt: skip
# Where an entry, or the status it gives its activity, can be read.
ENTRY_SURFACES = (
    "page:home", "page:plan", "page:activity", "page:organization",
    "api:activities", "api:status entries", "api:status entries?organization", "api:status entry",
)  # fmt: skip
SURFACES = {
    "log": LOG_SURFACES,
    "accept": REVIEW_SURFACES,
    "return": REVIEW_SURFACES,
    "return without comment": REVIEW_SURFACES,
    "run stocktaking": STOCKTAKING_SURFACES,
    "add a participant": PARTICIPANT_SURFACES,
    "record that a participant left": PARTICIPANT_SURFACES,
    "read": READ_SURFACES,
    "read the review queue": ("page:review queue",),
    "read the audit trail": ("page:audit changes", "page:audit security events"),
    "read an entry": ENTRY_SURFACES,
}
REVIEW_STATES = (ReviewState.SUBMITTED, ReviewState.ACCEPTED, ReviewState.RETURNED, ReviewState.SUPERSEDED)
STATES = {
    "log": ("named", "open to kind", "not open"),
    "accept": REVIEW_STATES,
    "return": REVIEW_STATES,
    "return without comment": REVIEW_STATES,
    "run stocktaking": ("-",),
    "add a participant": ("not taking part", "taking part"),
    "record that a participant left": ("after joining", "before joining"),
    "read": ("-",),
    "read the review queue": ("-",),
    "read the audit trail": ("-",),
    "read an entry": (Confidentiality.RESTRICTED, Confidentiality.PARTICIPANTS),
}
# The outcomes that are a write done, in the state of what was written.
WRITTEN = {"submitted", "accepted", "returned", "created", "added", "left"}


class Bug(NamedTuple):
    """A surface that answers a case otherwise today, and what happens there."""

    surface: str
    happens: str


class Case(NamedTuple):
    role: str
    relation: str
    action: str
    state: str
    expected: str
    bugs: tuple[Bug, ...] = ()

    def __str__(self) -> str:
        return f"[{self.role} | {self.relation} | {self.action} | {self.state} -> {self.expected}]"

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.role, self.relation, self.action, self.state)


# fmt: off
PERMISSION_TABLE = [Case(*row) for row in [
    # role                 relation  action                     state            expected
    # --- Logging progress: CTED staff for any organization the activity is open to (accepted at
    # once); a focal point for their own organization where it is open to it (submitted). ---
    ("staff",              "any",    "log",                     "named",         "accepted"),
    ("staff",              "any",    "log",                     "open to kind",  "accepted"),
    ("staff",              "any",    "log",                     "not open",      "invalid:organization"),
    ("secretariat",        "any",    "log",                     "named",         "403"),
    ("secretariat",        "any",    "log",                     "open to kind",  "403"),
    ("secretariat",        "any",    "log",                     "not open",      "403"),
    ("focal_point",        "own",    "log",                     "named",         "submitted"),
    ("focal_point",        "own",    "log",                     "open to kind",  "submitted"),
    ("focal_point",        "own",    "log",                     "not open",      "invalid:organization"),
    ("focal_point",        "other",  "log",                     "named",         "403"),
    ("focal_point",        "other",  "log",                     "open to kind",  "403"),
    ("focal_point",        "other",  "log",                     "not open",      "403"),
    ("other_focal_point",  "own",    "log",                     "named",         "submitted"),
    ("other_focal_point",  "own",    "log",                     "open to kind",  "submitted"),
    ("other_focal_point",  "own",    "log",                     "not open",      "invalid:organization"),
    ("other_focal_point",  "other",  "log",                     "named",         "403"),
    ("other_focal_point",  "other",  "log",                     "open to kind",  "403"),
    ("other_focal_point",  "other",  "log",                     "not open",      "403"),
    ("viewer",             "any",    "log",                     "named",         "403"),
    ("viewer",             "any",    "log",                     "open to kind",  "403"),
    ("viewer",             "any",    "log",                     "not open",      "403"),
    ("anonymous",          "any",    "log",                     "named",         "anon"),
    ("anonymous",          "any",    "log",                     "open to kind",  "anon"),
    ("anonymous",          "any",    "log",                     "not open",      "anon"),
    # --- Reviewing: CTED staff only, an entry still submitted (not one superseded by a correction
    # while it awaited review: the correction is reviewed instead); returning it says why. ---
    ("staff",              "any",    "accept",                  "submitted",     "accepted"),
    ("staff",              "any",    "accept",                  "accepted",      "invalid:decision"),
    ("staff",              "any",    "accept",                  "returned",      "invalid:decision"),
    ("staff",              "any",    "accept",                  "superseded",    "invalid:decision"),
    ("staff",              "any",    "return",                  "submitted",     "returned"),
    ("staff",              "any",    "return",                  "accepted",      "invalid:decision"),
    ("staff",              "any",    "return",                  "returned",      "invalid:decision"),
    ("staff",              "any",    "return",                  "superseded",    "invalid:decision"),
    ("staff",              "any",    "return without comment",  "submitted",     "invalid:comment"),
    ("staff",              "any",    "return without comment",  "accepted",      "invalid:decision"),
    ("staff",              "any",    "return without comment",  "returned",      "invalid:decision"),
    ("staff",              "any",    "return without comment",  "superseded",    "invalid:decision"),
    ("secretariat",        "any",    "accept",                  "submitted",     "403"),
    ("secretariat",        "any",    "accept",                  "accepted",      "403"),
    ("secretariat",        "any",    "accept",                  "returned",      "403"),
    ("secretariat",        "any",    "accept",                  "superseded",    "403"),
    ("secretariat",        "any",    "return",                  "submitted",     "403"),
    ("secretariat",        "any",    "return",                  "accepted",      "403"),
    ("secretariat",        "any",    "return",                  "returned",      "403"),
    ("secretariat",        "any",    "return",                  "superseded",    "403"),
    ("secretariat",        "any",    "return without comment",  "submitted",     "403"),
    ("secretariat",        "any",    "return without comment",  "accepted",      "403"),
    ("secretariat",        "any",    "return without comment",  "returned",      "403"),
    ("secretariat",        "any",    "return without comment",  "superseded",    "403"),
    ("focal_point",        "own",    "accept",                  "submitted",     "403"),
    ("focal_point",        "own",    "accept",                  "accepted",      "403"),
    ("focal_point",        "own",    "accept",                  "returned",      "403"),
    ("focal_point",        "own",    "accept",                  "superseded",    "403"),
    ("focal_point",        "own",    "return",                  "submitted",     "403"),
    ("focal_point",        "own",    "return",                  "accepted",      "403"),
    ("focal_point",        "own",    "return",                  "returned",      "403"),
    ("focal_point",        "own",    "return",                  "superseded",    "403"),
    ("focal_point",        "own",    "return without comment",  "submitted",     "403"),
    ("focal_point",        "own",    "return without comment",  "accepted",      "403"),
    ("focal_point",        "own",    "return without comment",  "returned",      "403"),
    ("focal_point",        "own",    "return without comment",  "superseded",    "403"),
    ("focal_point",        "other",  "accept",                  "submitted",     "403"),
    ("focal_point",        "other",  "accept",                  "accepted",      "403"),
    ("focal_point",        "other",  "accept",                  "returned",      "403"),
    ("focal_point",        "other",  "accept",                  "superseded",    "403"),
    ("focal_point",        "other",  "return",                  "submitted",     "403"),
    ("focal_point",        "other",  "return",                  "accepted",      "403"),
    ("focal_point",        "other",  "return",                  "returned",      "403"),
    ("focal_point",        "other",  "return",                  "superseded",    "403"),
    ("focal_point",        "other",  "return without comment",  "submitted",     "403"),
    ("focal_point",        "other",  "return without comment",  "accepted",      "403"),
    ("focal_point",        "other",  "return without comment",  "returned",      "403"),
    ("focal_point",        "other",  "return without comment",  "superseded",    "403"),
    ("other_focal_point",  "own",    "accept",                  "submitted",     "403"),
    ("other_focal_point",  "own",    "accept",                  "accepted",      "403"),
    ("other_focal_point",  "own",    "accept",                  "returned",      "403"),
    ("other_focal_point",  "own",    "accept",                  "superseded",    "403"),
    ("other_focal_point",  "own",    "return",                  "submitted",     "403"),
    ("other_focal_point",  "own",    "return",                  "accepted",      "403"),
    ("other_focal_point",  "own",    "return",                  "returned",      "403"),
    ("other_focal_point",  "own",    "return",                  "superseded",    "403"),
    ("other_focal_point",  "own",    "return without comment",  "submitted",     "403"),
    ("other_focal_point",  "own",    "return without comment",  "accepted",      "403"),
    ("other_focal_point",  "own",    "return without comment",  "returned",      "403"),
    ("other_focal_point",  "own",    "return without comment",  "superseded",    "403"),
    ("other_focal_point",  "other",  "accept",                  "submitted",     "403"),
    ("other_focal_point",  "other",  "accept",                  "accepted",      "403"),
    ("other_focal_point",  "other",  "accept",                  "returned",      "403"),
    ("other_focal_point",  "other",  "accept",                  "superseded",    "403"),
    ("other_focal_point",  "other",  "return",                  "submitted",     "403"),
    ("other_focal_point",  "other",  "return",                  "accepted",      "403"),
    ("other_focal_point",  "other",  "return",                  "returned",      "403"),
    ("other_focal_point",  "other",  "return",                  "superseded",    "403"),
    ("other_focal_point",  "other",  "return without comment",  "submitted",     "403"),
    ("other_focal_point",  "other",  "return without comment",  "accepted",      "403"),
    ("other_focal_point",  "other",  "return without comment",  "returned",      "403"),
    ("other_focal_point",  "other",  "return without comment",  "superseded",    "403"),
    ("viewer",             "any",    "accept",                  "submitted",     "403"),
    ("viewer",             "any",    "accept",                  "accepted",      "403"),
    ("viewer",             "any",    "accept",                  "returned",      "403"),
    ("viewer",             "any",    "accept",                  "superseded",    "403"),
    ("viewer",             "any",    "return",                  "submitted",     "403"),
    ("viewer",             "any",    "return",                  "accepted",      "403"),
    ("viewer",             "any",    "return",                  "returned",      "403"),
    ("viewer",             "any",    "return",                  "superseded",    "403"),
    ("viewer",             "any",    "return without comment",  "submitted",     "403"),
    ("viewer",             "any",    "return without comment",  "accepted",      "403"),
    ("viewer",             "any",    "return without comment",  "returned",      "403"),
    ("viewer",             "any",    "return without comment",  "superseded",    "403"),
    ("anonymous",          "any",    "accept",                  "submitted",     "anon"),
    ("anonymous",          "any",    "accept",                  "accepted",      "anon"),
    ("anonymous",          "any",    "accept",                  "returned",      "anon"),
    ("anonymous",          "any",    "accept",                  "superseded",    "anon"),
    ("anonymous",          "any",    "return",                  "submitted",     "anon"),
    ("anonymous",          "any",    "return",                  "accepted",      "anon"),
    ("anonymous",          "any",    "return",                  "returned",      "anon"),
    ("anonymous",          "any",    "return",                  "superseded",    "anon"),
    ("anonymous",          "any",    "return without comment",  "submitted",     "anon"),
    ("anonymous",          "any",    "return without comment",  "accepted",      "anon"),
    ("anonymous",          "any",    "return without comment",  "returned",      "anon"),
    ("anonymous",          "any",    "return without comment",  "superseded",    "anon"),
    # --- Stocktaking: the secretariat and CTED staff create cycles. ---
    ("staff",              "any",    "run stocktaking",         "-",             "created"),
    ("secretariat",        "any",    "run stocktaking",         "-",             "created"),
    ("focal_point",        "any",    "run stocktaking",         "-",             "403"),
    ("other_focal_point",  "any",    "run stocktaking",         "-",             "403"),
    ("viewer",             "any",    "run stocktaking",         "-",             "403"),
    ("anonymous",          "any",    "run stocktaking",         "-",             "anon"),
    # --- Participants: CTED staff add an organization to a plan, and record the day one left. ---
    ("staff",              "any",    "add a participant",               "not taking part",  "added"),
    ("staff",              "any",    "add a participant",               "taking part",      "invalid:organization"),
    ("secretariat",        "any",    "add a participant",               "not taking part",  "403"),
    ("secretariat",        "any",    "add a participant",               "taking part",      "403"),
    ("focal_point",        "any",    "add a participant",               "not taking part",  "403"),
    ("focal_point",        "any",    "add a participant",               "taking part",      "403"),
    ("other_focal_point",  "any",    "add a participant",               "not taking part",  "403"),
    ("other_focal_point",  "any",    "add a participant",               "taking part",      "403"),
    ("viewer",             "any",    "add a participant",               "not taking part",  "403"),
    ("viewer",             "any",    "add a participant",               "taking part",      "403"),
    ("anonymous",          "any",    "add a participant",               "not taking part",  "anon"),
    ("anonymous",          "any",    "add a participant",               "taking part",      "anon"),
    ("staff",              "any",    "record that a participant left",  "after joining",    "left"),
    ("staff",              "any",    "record that a participant left",  "before joining",   "invalid:left_on"),
    ("secretariat",        "any",    "record that a participant left",  "after joining",    "403"),
    ("secretariat",        "any",    "record that a participant left",  "before joining",   "403"),
    ("focal_point",        "any",    "record that a participant left",  "after joining",    "403"),
    ("focal_point",        "any",    "record that a participant left",  "before joining",   "403"),
    ("other_focal_point",  "any",    "record that a participant left",  "after joining",    "403"),
    ("other_focal_point",  "any",    "record that a participant left",  "before joining",   "403"),
    ("viewer",             "any",    "record that a participant left",  "after joining",    "403"),
    ("viewer",             "any",    "record that a participant left",  "before joining",   "403"),
    ("anonymous",          "any",    "record that a participant left",  "after joining",    "anon"),
    ("anonymous",          "any",    "record that a participant left",  "before joining",   "anon"),
    # --- Reading: every page and the API need a signed-in user; the review queue is CTED's. ---
    ("staff",              "any",    "read",                    "-",             "200"),
    ("secretariat",        "any",    "read",                    "-",             "200"),
    ("focal_point",        "own",    "read",                    "-",             "200"),
    ("focal_point",        "other",  "read",                    "-",             "200"),
    ("other_focal_point",  "own",    "read",                    "-",             "200"),
    ("other_focal_point",  "other",  "read",                    "-",             "200"),
    ("viewer",             "any",    "read",                    "-",             "200"),
    ("anonymous",          "any",    "read",                    "-",             "anon"),
    ("staff",              "any",    "read the review queue",   "-",             "200"),
    ("secretariat",        "any",    "read the review queue",   "-",             "403"),
    ("focal_point",        "any",    "read the review queue",   "-",             "403"),
    ("other_focal_point",  "any",    "read the review queue",   "-",             "403"),
    ("viewer",             "any",    "read the review queue",   "-",             "403"),
    ("anonymous",          "any",    "read the review queue",   "-",             "anon"),
    # The audit trail says who did what, from where: CTED's alone.
    ("staff",              "any",    "read the audit trail",    "-",             "200"),
    ("secretariat",        "any",    "read the audit trail",    "-",             "403"),
    ("focal_point",        "any",    "read the audit trail",    "-",             "403"),
    ("other_focal_point",  "any",    "read the audit trail",    "-",             "403"),
    ("viewer",             "any",    "read the audit trail",    "-",             "403"),
    ("anonymous",          "any",    "read the audit trail",    "-",             "anon"),
    # --- Reading an accepted entry: a restricted one is for CTED and the reporting
    # organization; for everyone else it does not exist (a detail is a 404, not a 403). ---
    ("staff",              "any",    "read an entry",           "restricted",    "shown"),
    ("staff",              "any",    "read an entry",           "participants",  "shown"),
    ("secretariat",        "any",    "read an entry",           "restricted",    "hidden"),
    ("secretariat",        "any",    "read an entry",           "participants",  "shown"),
    ("focal_point",        "own",    "read an entry",           "restricted",    "shown"),
    ("focal_point",        "own",    "read an entry",           "participants",  "shown"),
    ("focal_point",        "other",  "read an entry",           "restricted",    "hidden"),
    ("focal_point",        "other",  "read an entry",           "participants",  "shown"),
    ("other_focal_point",  "own",    "read an entry",           "restricted",    "shown"),
    ("other_focal_point",  "own",    "read an entry",           "participants",  "shown"),
    ("other_focal_point",  "other",  "read an entry",           "restricted",    "hidden"),
    ("other_focal_point",  "other",  "read an entry",           "participants",  "shown"),
    ("viewer",             "any",    "read an entry",           "restricted",    "hidden"),
    ("viewer",             "any",    "read an entry",           "participants",  "shown"),
    ("anonymous",          "any",    "read an entry",           "restricted",    "anon"),
    ("anonymous",          "any",    "read an entry",           "participants",  "anon"),
]]
# fmt: on


# --- What an outcome is on each surface ---


class At(NamedTuple):
    """What the meaning of an outcome on a surface depends on, for one run of a case."""

    path: str = ""  # the address the surface was asked at: signing in comes back to it
    done: str = ""  # where a page goes once the write is done
    field: str = ""  # the field an invalid:FIELD outcome is about
    reason: str = ""  # what a person reads when the input is refused
    label: str = ""  # how the review queue names the entry
    row: int = 0  # the spreadsheet row of the case
    code: int = 201  # the API's status code for the write done
    state: str = ""  # the state of what was written, as the API and the service return it


# Each outcome, in each surface's own terms: by the surface's name where it has its own
# answer, else by its kind ("page", "api", "service", "spreadsheet"). Filled in with ``At``.
MEANING: dict[str, dict[str, str]] = {
    "anon": {
        "page": "302 → /accounts/login/?next={path}",
        "api": "401",
        "service": "PermissionDenied",
        "spreadsheet": "302 → /accounts/login/?next={path}",
    },
    "403": {"page": "403", "api": "403", "service": "PermissionDenied", "spreadsheet": "403"},
    "invalid": {
        "page": "400, {field}: {reason}",
        # The review queue is a list of forms: its page goes back to the queue and says why.
        "review page": "302 → /review/, which says: {label}: {reason}",
        "api": "400, {field}: {reason}",
        "service": "ValidationError, {field}: {reason}",
        "spreadsheet": "preview 400, row {row}: {reason}; confirm 400",
    },
    "written": {
        "page": "302 → {done}",
        "api": "{code} {state}",
        "service": "returned, {state}",
        "spreadsheet": "preview 200, to log: row {row}; confirm 302 → {done}",
    },
    "200": {"page": "200", "api": "200"},
    "shown": {"page": "200, shown", "api": "200, shown"},
    # Another organization's restricted entry is not there: left out of a list, a 404 alone.
    "hidden": {"page": "200, hidden", "api": "200, hidden", "api:status entry": "404"},
}
# The reason a person reads for each refused input, the same on every surface.
REASONS = {
    "organization": "{organization} is not responsible for activity {activity}.",
    "decision": "This entry has already been reviewed.",
    # Where the reason depends on the state of the object too: FIELD:STATE.
    "decision:superseded": "This entry was corrected; review the correction.",
    "comment": "Say why the entry is returned: the reporting organization reads this.",
    "organization:taking part": "{organization} is already a participant of this plan.",
    "left_on": "An organization leaves a plan after it joined.",
}


def kind_of(surface: str) -> str:
    if surface.startswith("page:") or surface.endswith(" page"):
        return "page"
    if surface.startswith("api"):
        return "api"
    return surface


def meaning(outcome: str, surface: str, at: At) -> str:
    """What ``outcome`` is on ``surface``, in the surface's own terms."""
    field = outcome.removeprefix("invalid:") if outcome.startswith("invalid:") else ""
    kind = "invalid" if field else "written" if outcome in WRITTEN else outcome
    by_surface = MEANING[kind]
    template = by_surface.get(surface) or by_surface[kind_of(surface)]
    return template.format(**at._replace(field=field)._asdict())


def assert_answer(case: Case, surface: str, answer: str, at: At) -> None:
    expected = meaning(case.expected, surface, at)
    assert answer == expected, f"{case} on the {surface}: answered {answer!r}, where {case.expected} is {expected!r}"


# --- What each surface answered, in its own terms ---


def page_answer(response) -> str:
    if response.status_code in {301, 302}:
        return f"{response.status_code} → {response['Location']}"
    form = response.context.get("form") if response.context is not None else None
    if response.status_code == 400 and form is not None and form.errors:
        return "400, " + "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())
    return str(response.status_code)


def api_answer(response, state_key: str = "") -> str:
    if response.status_code == 400:
        body = response.json()
        return "400, " + "; ".join(
            f"{field}: {' '.join(map(str, errors)) if isinstance(errors, list) else errors}"
            for field, errors in body.items()
        )
    if state_key and response.status_code in {200, 201}:
        return f"{response.status_code} {response.json()[state_key]}"
    return str(response.status_code)


def service_answer(call: Callable[[], object], state_of: Callable[[object], str]) -> str:
    try:
        result = call()
    except PermissionDenied:
        return "PermissionDenied"
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            return "ValidationError, " + "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
            )
        return f"ValidationError: {' '.join(error.messages)}"
    return f"returned, {state_of(result)}"


def user_or_anonymous(user):
    return user if user is not None else AnonymousUser()


# --- What was written ---


def snapshot() -> tuple[int, int, int]:
    """Status entries, reviews and stocktaking cycles: a refused write leaves all three as they were."""
    return (*counts(), StocktakingCycle.objects.count())


def what_was_written(before: tuple[int, int, int]) -> str:
    entries, reviews, cycles = added = tuple(now - then for now, then in zip(snapshot(), before, strict=True))
    if min(added) < 0:
        return f"removed some: entries, reviews, cycles {added}"
    written = [
        f"an entry: {e.organization.acronym} on {e.activity.number} by {e.author.username}, {e.review_state}, "
        f"{len(e.evidence)} links"
        for e in StatusEntry.objects.select_related("organization", "activity", "author").order_by("-pk")[:entries]
    ]
    written += [
        f"a review: {r.decision} by {r.reviewer.username}" + (f", saying “{r.comment}”" if r.comment else "")
        for r in StatusEntryReview.objects.select_related("reviewer").order_by("-pk")[:reviews]
    ]
    written += [
        f"a cycle: {c.plan.code} “{c.title}” by {c.created_by.username}, {c.state}"
        for c in StocktakingCycle.objects.select_related("plan", "created_by").order_by("-pk")[:cycles]
    ]
    return "; ".join(written) or "nothing"


def assert_written(case: Case, surface: str, written: str, expected: str) -> None:
    assert written == expected, f"{case} on the {surface}: wrote {written!r}, expected {expected!r}"


# --- The cases' objects ---

# The activity of the Nairobi plan that stands for each (organization, state) of logging.
ACTIVITY_NUMBER = {
    ("ICAO", "named"): "3.2",
    ("ICAO", "open to kind"): "1.1",
    ("ICAO", "not open"): "3.6",
    ("WCO", "named"): "3.6",
    ("WCO", "open to kind"): "1.1",
    ("WCO", "not open"): "3.2",
}
REVIEW_DATA = {
    "accept": {"decision": "accept", "comment": ""},
    "return": {"decision": "return", "comment": "Please name the workshops held."},
    "return without comment": {"decision": "return", "comment": ""},
}
REPORTED_ON = datetime.date(2026, 6, 30)
EVIDENCE = ["https://example.org/report", "https://example.org/annex"]


def organization_of(case: Case) -> Organization:
    if case.relation == "own":
        return organization(OWN[case.role])
    if case.relation == "other":
        return organization(OTHER[case.role])
    return organization("ICAO")


def named_activity(of: Organization) -> Activity:
    return nairobi(ACTIVITY_NUMBER[(of.acronym, "named")])


def reason_for(case: Case, **names: str) -> str:
    if not case.expected.startswith("invalid:"):
        return ""
    field = case.expected.removeprefix("invalid:")
    return REASONS.get(f"{field}:{case.state}", REASONS[field]).format(**names)


# --- Logging progress ---


def run_log(case: Case, surface: str, user) -> None:
    org = organization_of(case)
    activity = nairobi(ACTIVITY_NUMBER[(org.acronym, case.state)])
    observations = f"Progress for the case {case} on the {surface}"
    at = At(reason=reason_for(case, organization=org.acronym, activity=activity.number), state=case.expected)
    before = snapshot()
    if surface == "activity page":
        path = f"/activities/{activity.pk}/"
        response = page_client(user).post(
            path,
            {
                "organization": org.pk,
                "status": Status.IN_PROGRESS,
                "observations": observations,
                "reported_on": REPORTED_ON.isoformat(),
                "confidentiality": Confidentiality.PARTICIPANTS,
                "evidence": "\n".join(EVIDENCE),
            },
        )
        answer, at = page_answer(response), at._replace(path=path, done=path)
    elif surface == "api":
        response = api_client(user).post(
            "/api/v1/status-entries/",
            {
                "activity": activity.pk,
                "organization": org.acronym,
                "status": Status.IN_PROGRESS,
                "observations": observations,
                "confidentiality": Confidentiality.PARTICIPANTS,
                "reported_on": REPORTED_ON.isoformat(),
                "evidence": EVIDENCE,
            },
            format="json",
        )
        answer = api_answer(response, "review_state")
    elif surface == "service":
        answer = service_answer(
            lambda: status_entry_log(
                activity=activity,
                organization=org,
                author=user_or_anonymous(user),
                status=Status.IN_PROGRESS,
                observations=observations,
                reported_on=REPORTED_ON,
                confidentiality=Confidentiality.PARTICIPANTS,
                evidence=EVIDENCE,
            ),
            lambda entry: entry.review_state,
        )
    else:
        answer, at = spreadsheet_answer(user, org, activity, observations, at)
    assert_answer(case, surface, answer, at)
    expected_written = "nothing"
    if case.expected in WRITTEN:
        expected_written = f"an entry: {org.acronym} on {activity.number} by {user.username}, {case.expected}, 2 links"
    assert_written(case, surface, what_was_written(before), expected_written)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filled_in(org: Organization, activity: Activity, observations: str) -> tuple[bytes, int]:
    """The organization's spreadsheet, as downloaded, with the activity's row filled in (added
    at the end when the activity is not in it); and that row's number."""
    workbook = load_workbook(io.BytesIO(spreadsheet.template_for(org)))
    sheet = workbook[spreadsheet.SHEET]
    found = [r[0].row for r in sheet.iter_rows(min_row=2) if (r[0].value, r[1].value) == (NAIROBI, activity.number)]
    if found:
        row = found[0]
    else:
        sheet.append([NAIROBI, activity.number])
        row = sheet.max_row
    cells = {
        "Status": str(Status.IN_PROGRESS.label),
        "Observations": observations,
        "Reports on": REPORTED_ON,
        "Confidentiality": Confidentiality.PARTICIPANTS,
        "Evidence links": " ".join(EVIDENCE),
    }
    for column, value in cells.items():
        sheet.cell(row=row, column=spreadsheet.COLUMNS.index(column) + 1, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), row


def spreadsheet_answer(user, org: Organization, activity: Activity, observations: str, at: At) -> tuple[str, At]:
    """Upload the filled-in spreadsheet, then confirm what the preview shows: both answers."""
    content, row = filled_in(org, activity, observations)
    path = f"/organizations/{org.acronym}/upload/"
    at = at._replace(path=path, done=f"/organizations/{org.acronym}/", row=row)
    client = page_client(user)
    file = SimpleUploadedFile(f"progress-{org.acronym}.xlsx", content, content_type=XLSX)
    preview = client.post(path, {"spreadsheet": file})
    if preview.status_code not in {200, 400}:
        return page_answer(preview), at
    page = preview.content.decode()
    answer = f"preview {preview.status_code}"
    errors = re.findall(r'<tr class="error-row"><td>(\d+)</td><td>(.*?)</td></tr>', page)
    if errors:
        answer += ", " + "; ".join(f"row {number}: {html.unescape(message)}" for number, message in errors)
    to_log = re.findall(r'<tr><td>(\d+)</td><td>\d+\.\d+ <span class="muted"[^>]*>[^<]+</span></td>', page)
    if to_log:
        answer += f", to log: row {', '.join(to_log)}"
    # Confirm what the page offers to; when it offers nothing, what waits in the session.
    offered = re.search(r'<input type="hidden" name="token" value="([^"]+)">', page)
    waiting = client.session.get(f"spreadsheet-import:{org.pk}", {})
    token = offered.group(1) if offered else waiting.get("token", "")
    confirmed = client.post(path, {"confirm": "1", "token": token})
    return f"{answer}; confirm {page_answer(confirmed)}", at


# --- Reviewing ---


def run_review(case: Case, surface: str, user) -> None:
    org = organization_of(case)
    activity = named_activity(org)
    entry = StatusEntryFactory(activity=activity, organization=org, review_state=case.state, reported_on=REPORTED_ON)
    data = REVIEW_DATA[case.action]
    at = At(
        done="/review/",
        reason=reason_for(case),
        label=f"Entry {activity.number} ({org.acronym})",
        code=200,
        state=case.expected,
    )
    before = snapshot()
    if surface == "review page":
        path = f"/review/{entry.pk}/"
        client = page_client(user)
        response = client.post(path, data)
        answer, at = page_answer(response), at._replace(path=path)
        if response.status_code == 302 and response["Location"] == "/review/":
            queue = client.get("/review/")
            said = [str(m) for m in queue.context["messages"] if m.level == message_levels.ERROR]
            if said:
                assert all(html.escape(m) in queue.content.decode() for m in said), "the queue shows the message"
                answer += f", which says: {' '.join(said)}"
    elif surface == "api":
        response = api_client(user).post(f"/api/v1/status-entries/{entry.pk}/review/", data, format="json")
        answer = api_answer(response, "review_state")
    else:
        answer = service_answer(
            lambda: status_entry_review(
                entry=StatusEntry.objects.get(pk=entry.pk), reviewer=user_or_anonymous(user), **data
            ),
            lambda review: review.entry.review_state,
        )
    assert_answer(case, surface, answer, at)
    written = f"{what_was_written(before)}; the entry is {StatusEntry.objects.get(pk=entry.pk).review_state}"
    if case.expected in WRITTEN:
        comment = f", saying “{data['comment']}”" if data["comment"] else ""
        expected_written = f"a review: {data['decision']} by {user.username}{comment}; the entry is {case.expected}"
    else:
        expected_written = f"nothing; the entry is {case.state}"
    assert_written(case, surface, written, expected_written)


# --- Stocktaking ---


def run_stocktaking(case: Case, surface: str, user) -> None:
    title = f"Stocktaking by {case.role} on the {surface}"
    period = {"period_start": "2025-01-01", "period_end": "2025-06-30", "deadline": "2025-07-15"}
    at = At(state="planned")
    before = snapshot()
    if surface == "cycle page":
        path = "/cycles/new/"
        # The period has passed: the page asks to confirm its deadline (tests/reports/test_cycles.py).
        response = page_client(user).post(path, {"plan": NAIROBI, "title": title, "past_deadline": "on", **period})
        answer, at = page_answer(response), at._replace(path=path)
    elif surface == "api":
        response = api_client(user).post("/api/v1/cycles/", {"plan": NAIROBI, "title": title, **period}, format="json")
        answer = api_answer(response, "state")
    else:
        answer = service_answer(
            lambda: cycle_create(
                plan=Plan.objects.get(code=NAIROBI),
                title=title,
                **{name: datetime.date.fromisoformat(day) for name, day in period.items()},
                author=user_or_anonymous(user),
            ),
            lambda cycle: cycle.state,
        )
    created = StocktakingCycle.objects.filter(title=title).first()
    at = at._replace(done=created.get_absolute_url() if created else "/cycles/<the new cycle>/")
    assert_answer(case, surface, answer, at)
    expected_written = "nothing"
    if case.expected in WRITTEN:
        expected_written = f"a cycle: {NAIROBI} “{title}” by {user.username}, planned"
    assert_written(case, surface, what_was_written(before), expected_written)


# --- Participants ---

PARTICIPANTS_PLAN = "cica-2008"  # CICA and IOM take part; ICAO does not, unless the case says so
JOINED_ON = datetime.date(2026, 1, 5)
# ICAO takes part in the Nairobi plan since 31 October 2007.
LEFT_ON = {"after joining": datetime.date(2026, 6, 30), "before joining": datetime.date(2007, 1, 1)}


def participations() -> set[str]:
    return {
        f"{code} {acronym}: joined {joined}, left {left or '-'}"
        for code, acronym, joined, left in Participation.objects.values_list(
            "plan__code", "organization__acronym", "joined_on", "left_on"
        )
    }


def participations_changed(before: set[str]) -> str:
    now = participations()
    return "; ".join([f"- {row}" for row in sorted(before - now)] + [f"+ {row}" for row in sorted(now - before)]) or (
        "nothing"
    )


def run_add_participant(case: Case, surface: str, user) -> None:
    org = organization_of(case)
    plan = Plan.objects.get(code=PARTICIPANTS_PLAN)
    if case.state == "taking part":
        Participation.objects.create(plan=plan, organization=org, joined_on=datetime.date(2008, 2, 1))
    at = At(reason=reason_for(case, organization=org.acronym), state=f"joined {JOINED_ON}")
    before, participants_before = snapshot(), participations()
    if surface == "plan page":
        path = f"/plans/{plan.code}/participants/"
        response = page_client(user).post(path, {"organization": org.pk, "joined_on": JOINED_ON.isoformat()})
        answer, at = page_answer(response), at._replace(path=path, done=f"/plans/{plan.code}/#participants")
    else:
        answer = service_answer(
            lambda: participant_add(plan=plan, organization=org, joined_on=JOINED_ON, actor=user_or_anonymous(user)),
            lambda participation: f"joined {participation.joined_on}",
        )
    assert_answer(case, surface, answer, at)
    expected = f"+ {plan.code} {org.acronym}: joined {JOINED_ON}, left -" if case.expected in WRITTEN else "nothing"
    assert_written(case, surface, participations_changed(participants_before), expected)
    assert_written(case, surface, what_was_written(before), "nothing")


def run_record_leaving(case: Case, surface: str, user) -> None:
    org = organization_of(case)
    participation = Participation.objects.select_related("plan", "organization").get(
        plan__code=NAIROBI, organization=org
    )
    left_on = LEFT_ON[case.state]
    at = At(reason=reason_for(case), state=f"left {left_on}")
    before, participants_before = snapshot(), participations()
    if surface == "plan page":
        path = f"/plans/{NAIROBI}/participants/{participation.pk}/left/"
        response = page_client(user).post(path, {"left_on": left_on.isoformat()})
        answer, at = page_answer(response), at._replace(path=path, done=f"/plans/{NAIROBI}/#participants")
    else:
        answer = service_answer(
            lambda: participant_leave(participation=participation, left_on=left_on, actor=user_or_anonymous(user)),
            lambda left: f"left {left.left_on}",
        )
    assert_answer(case, surface, answer, at)
    expected = "nothing"
    if case.expected in WRITTEN:
        row = f"{NAIROBI} {org.acronym}: joined {participation.joined_on}, left"
        expected = f"- {row} -; + {row} {left_on}"
    assert_written(case, surface, participations_changed(participants_before), expected)
    assert_written(case, surface, what_was_written(before), "nothing")


# --- Reading ---

READ_PATHS: dict[str, Callable[[Organization, StatusEntry], str]] = {
    "page:home": lambda org, entry: "/",
    "page:plan": lambda org, entry: f"/plans/{NAIROBI}/",
    "page:activity": lambda org, entry: f"/activities/{entry.activity_id}/",
    "page:organization": lambda org, entry: f"/organizations/{org.acronym}/",
    "page:organizations": lambda org, entry: "/organizations/",
    "page:review queue": lambda org, entry: "/review/",
    "page:audit changes": lambda org, entry: "/audit/",
    "page:audit security events": lambda org, entry: "/audit/security/",
    "api:plans": lambda org, entry: "/api/v1/plans/",
    "api:activities": lambda org, entry: f"/api/v1/activities/?plan={NAIROBI}",
    "api:organizations": lambda org, entry: "/api/v1/organizations/",
    "api:status entries": lambda org, entry: "/api/v1/status-entries/",
    "api:status entries?organization": lambda org, entry: f"/api/v1/status-entries/?organization={org.acronym}",
    "api:status entry": lambda org, entry: f"/api/v1/status-entries/{entry.pk}/",
    "api:participants": lambda org, entry: f"/api/v1/plans/{NAIROBI}/participants/",
}


def read(surface: str, user, path: str):
    if kind_of(surface) == "page":
        response = page_client(user).get(path)
        return response, page_answer(response)
    response = api_client(user).get(path)
    return response, api_answer(response)


def run_read(case: Case, surface: str, user) -> None:
    org = organization_of(case)
    # Something on every screen: an accepted entry and one waiting for review.
    entry = StatusEntryFactory(activity=named_activity(org), organization=org, reported_on=REPORTED_ON)
    StatusEntryFactory(
        activity=nairobi("1.1"), organization=org, review_state=ReviewState.SUBMITTED, reported_on=REPORTED_ON
    )
    path = READ_PATHS[surface](org, entry)
    _, answer = read(surface, user, path)
    assert_answer(case, surface, answer, At(path=path))


def run_entry_read(case: Case, surface: str, user) -> None:
    """Whether the entry, or the status it gives its activity, can be read through the surface.

    Each surface is read two ways that must agree (a list and its count, the status and the
    filter on it, the observations and the status badge); if they do not, the answer says so.
    """
    org = organization_of(case)
    activity = named_activity(org)
    marker = f"Observations {org.acronym} gave in confidence"
    entry = StatusEntryFactory(
        activity=activity,
        organization=org,
        status=Status.DISCONTINUED,
        observations=marker,
        confidentiality=case.state,
        review_state=ReviewState.ACCEPTED,
        reported_on=REPORTED_ON,
    )
    path = READ_PATHS[surface](org, entry)
    response, answer = read(surface, user, path)
    if response.status_code == 200:
        answer += ", " + entry_read(surface, user, response, entry, marker)
    assert_answer(case, surface, answer, At(path=path))


def entry_read(surface: str, user, response, entry: StatusEntry, marker: str) -> str:
    """Whether the answer shows the entry ("shown") or not ("hidden"), or what in it disagrees."""
    if surface in {"api:status entries", "api:status entries?organization"}:
        body = response.json()
        listed = tuple(r["id"] for r in body["results"])
        # Not in the count either: the count would tell there is something.
        return {((entry.pk,), 1): "shown", ((), 0): "hidden"}.get((listed, body["count"]), f"{listed}, {body}")
    if surface == "api:status entry":
        return "shown" if response.json()["observations"] == marker else f"observations {response.json()}"
    if surface == "api:activities":
        number = entry.activity.number
        [status] = [i["status"] for i in response.json()["results"] if i["number"] == number]
        by_status = api_client(user).get("/api/v1/activities/", {"status": Status.DISCONTINUED}).json()["results"]
        filtered = [i["number"] for i in by_status]
        return {(Status.DISCONTINUED, (number,)): "shown", (None, ()): "hidden"}.get(
            (status, tuple(filtered)), f"status {status}, filtered {filtered}"
        )
    page = response.content.decode()
    if surface == "page:activity":
        shown = (marker in page, "status-discontinued" in page)
    elif surface == "page:home":
        recent = page.split('<h2 id="recent">Recent changes</h2>', 1)[1]
        shown = (f'href="/activities/{entry.activity_id}/"' in recent, "status-discontinued" in recent)
    else:  # the plan and the organization show the status only
        shown = ("status-discontinued" in page,) * 2
    return {(True, True): "shown", (False, False): "hidden"}.get(shown, f"read as {shown}")


RUNNERS: dict[str, Callable[[Case, str, object], None]] = {
    "log": run_log,
    "accept": run_review,
    "return": run_review,
    "return without comment": run_review,
    "run stocktaking": run_stocktaking,
    "add a participant": run_add_participant,
    "record that a participant left": run_record_leaving,
    "read": run_read,
    "read the review queue": run_read,
    "read the audit trail": run_read,
    "read an entry": run_entry_read,
}


def runs() -> list:
    """Each case on each of its action's surfaces; a surface with a known bug is a strict xfail."""
    params = []
    for case in PERMISSION_TABLE:
        bugs = {bug.surface: bug.happens for bug in case.bugs}
        for surface in SURFACES[case.action]:
            marks = []
            if surface in bugs:
                marks.append(pytest.mark.xfail(strict=True, reason=f"{case} on the {surface}: {bugs[surface]}"))
            params.append(pytest.param(case, surface, id=f"{case} @ {surface}", marks=marks))
    return params


@pytest.mark.parametrize(("case", "surface"), runs())
def test_permission_table(request, case, surface):
    user = None if case.role == "anonymous" else request.getfixturevalue(case.role)
    RUNNERS[case.action](case, surface, user)


def test_the_table_covers_every_role_relation_and_state_of_every_action():
    """Every action: every role, in each of its relations, on every state of the object.

    A focal point's cases are about any organization, or about both their own and another.
    """
    assert set(RUNNERS) == set(SURFACES) == set(STATES)
    for action, states in STATES.items():
        for role in ROLES:
            by_state = {
                state: {c.relation for c in PERMISSION_TABLE if (c.action, c.role, c.state) == (action, role, state)}
                for state in states
            }
            relations = by_state[states[0]]
            allowed = ({"any"}, {"own", "other"}) if role in OWN else ({"any"},)
            assert relations in allowed, f"{role} {action}: relations {relations}"
            assert all(r == relations for r in by_state.values()), f"{role} {action}: {by_state}"
    assert {c.action for c in PERMISSION_TABLE} == set(SURFACES)


def test_each_case_is_listed_once_with_one_outcome_that_every_surface_can_say():
    listed = Counter(case.key for case in PERMISSION_TABLE)
    assert [key for key, times in listed.items() if times > 1] == [], "a case is listed twice"
    for case in PERMISSION_TABLE:
        assert case.state in STATES[case.action], case
        for surface in SURFACES[case.action]:
            meaning(case.expected, surface, At())  # a KeyError: an outcome the surface cannot give
        for bug in case.bugs:
            assert bug.surface in SURFACES[case.action], f"{case}: no surface {bug.surface}"


# --- Beyond the table ---


@pytest.mark.parametrize(
    ("role", "number", "organizations"),
    [
        ("staff", "3.2", ["ICAO"]),
        ("staff", "3.6", ["WCO"]),
        ("focal_point", "3.2", ["ICAO"]),
        ("focal_point", "1.1", ["ICAO"]),
        ("focal_point", "3.6", []),
        ("other_focal_point", "3.6", ["WCO"]),
        ("other_focal_point", "3.2", []),
        ("secretariat", "3.2", []),
        ("viewer", "1.1", []),
    ],
)
def test_the_activity_page_offers_the_log_form_only_for_what_the_user_may_log(request, role, number, organizations):
    user = request.getfixturevalue(role)
    response = page_client(user).get(f"/activities/{nairobi(number).pk}/")
    assert response.status_code == 200
    form = response.context["form"]
    if not organizations:
        assert form is None
        assert "<h2>Log progress</h2>" not in response.content.decode()
        return
    assert "<h2>Log progress</h2>" in response.content.decode()
    offered = {o.acronym for o in form.fields["organization"].queryset}
    assert set(organizations) <= offered
    if role != "staff":
        assert offered == set(organizations)


def test_a_refused_correction_of_another_organizations_entry_writes_nothing(focal_point, wco):
    """Naming another organization's entry as the one corrected does not get around the rules."""
    theirs = StatusEntryFactory(activity=nairobi("1.1"), organization=wco, reported_on=REPORTED_ON)
    before = counts()
    response = api_client(focal_point).post(
        "/api/v1/status-entries/",
        {
            "activity": theirs.activity_id,
            "organization": "WCO",
            "status": Status.COMPLETED,
            "observations": "Overwriting WCO's report.",
            "supersedes": theirs.pk,
        },
        format="json",
    )
    assert response.status_code == 403
    assert counts() == before


def test_another_organizations_restricted_entry_cannot_be_named_as_the_one_corrected(focal_point, wco):
    """Bob may correct ICAO's entries; naming a restricted WCO entry says it does not exist."""
    hidden = StatusEntryFactory(
        activity=nairobi("1.1"),
        organization=wco,
        confidentiality=Confidentiality.RESTRICTED,
        reported_on=REPORTED_ON,
    )
    before = counts()
    response = api_client(focal_point).post(
        "/api/v1/status-entries/",
        {
            "activity": hidden.activity_id,
            "organization": "ICAO",
            "status": Status.COMPLETED,
            "observations": "A correction of an entry I cannot see.",
            "supersedes": hidden.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["supersedes"]
    assert counts() == before


def test_the_id_of_a_restricted_correction_does_not_show_through_the_entry_it_corrects(
    focal_point, other_focal_point, icao
):
    """A restricted entry of another organization is 'not there': not even its id leaks.

    ICAO publishes an entry to participants, then corrects it with a restricted one.
    Charlie (WCO) still reads the first entry but must not learn the restricted one's id.
    """
    activity = nairobi("3.2")
    public = StatusEntryFactory(activity=activity, organization=icao, reported_on=REPORTED_ON)
    restricted = StatusEntryFactory(
        activity=activity,
        organization=icao,
        confidentiality=Confidentiality.RESTRICTED,
        supersedes=public,
        reported_on=REPORTED_ON,
    )
    charlie = api_client(other_focal_point)
    assert charlie.get(f"/api/v1/status-entries/{restricted.pk}/").status_code == 404
    seen = charlie.get(f"/api/v1/status-entries/{public.pk}/").json()
    assert seen["superseded_by"] is None
    assert api_client(focal_point).get(f"/api/v1/status-entries/{public.pk}/").json()["superseded_by"] == (
        restricted.pk
    )


def test_the_log_page_does_not_tell_another_organizations_restricted_entry_from_one_that_does_not_exist(
    focal_point, icao, wco
):
    """Naming a hidden entry as the one corrected must answer as for an id that does not exist."""
    activity = nairobi("1.1")
    hidden = StatusEntryFactory(
        activity=activity, organization=wco, confidentiality=Confidentiality.RESTRICTED, reported_on=REPORTED_ON
    )
    client = page_client(focal_point)

    def errors_for(supersedes: int) -> dict:
        before = counts()
        response = client.post(
            f"/activities/{activity.pk}/",
            {
                "organization": icao.pk,
                "status": Status.COMPLETED,
                "observations": "A correction.",
                "reported_on": REPORTED_ON.isoformat(),
                "confidentiality": Confidentiality.PARTICIPANTS,
                "supersedes": supersedes,
            },
        )
        assert response.status_code == 400
        assert counts() == before
        return response.context["form"].errors

    assert errors_for(hidden.pk) == errors_for(hidden.pk + 1000)
