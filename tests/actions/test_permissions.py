"""The permission table: role x relation to the organization x action x object state -> result.

Every row is run against the page or the API endpoint it names, so the table is the
whole of who may do what, and a change in the code that allows or denies one more
thing than the table says fails the row that says otherwise.

Roles are the fixed cast of ``tests/conftest.py``: ``staff`` (alice, CTED),
``focal_point`` (bob, ICAO), ``other_focal_point`` (charlie, WCO), ``secretariat``,
``viewer`` and ``anonymous``.

Relations are the focal point's relation to the organization the row is about: ``own``
(ICAO for bob, WCO for charlie) or ``other`` (WCO for bob, ICAO for charlie). For the
other roles the relation does not matter and is ``any``: the organization is then ICAO.

States are the object's: for logging, whether the activity names the organization
(ICAO: 3.2, WCO: 3.6), is open to its kind (1.1, open to all IROs) or is not open to
it (ICAO: 3.6, WCO: 3.2); for reviewing, the entry's review state; for reading, the
entry's confidentiality.

Expected results:

- ``200``, ``403``, ``404``: the status code.
- ``anon``: asks to sign in (a page redirects to the login page, the API answers 401).
- ``submitted`` / ``accepted`` (logging): the entry is written in that review state.
- ``accepted`` / ``returned`` (reviewing): the entry moves to that state, one review is written.
- ``invalid:FIELD``: refused with an error on FIELD (the API's 400 names the field; the
  log page answers 400 with the form's field error; the review page shows the message).
- ``shown`` / ``hidden``: whether the entry can be read through the surface.

Every refused write is checked to have written nothing.
"""

import datetime
from typing import NamedTuple

import pytest
from django.test import Client
from rest_framework.test import APIClient

from actions.models import Activity, Confidentiality, ReviewState, Status, StatusEntry, StatusEntryReview
from organizations.models import Organization
from tests.conftest import token_client
from tests.factories import StatusEntryFactory

pytestmark = pytest.mark.django_db

ROLES = ["staff", "secretariat", "focal_point", "other_focal_point", "viewer", "anonymous"]


class Row(NamedTuple):
    role: str
    relation: str
    action: str
    state: str
    expected: str

    def __str__(self) -> str:
        return f"[{self.role} | {self.relation} | {self.action} | {self.state} -> {self.expected}]"


# fmt: off
PERMISSION_TABLE = [Row(*row) for row in [
    # role                  relation  action                              state            expected
    # --- Pages: every page needs a signed-in user; the review queue is CTED's. ---
    ("staff",              "any",    "page:home",                        "-",             "200"),
    ("secretariat",        "any",    "page:home",                        "-",             "200"),
    ("focal_point",        "any",    "page:home",                        "-",             "200"),
    ("other_focal_point",  "any",    "page:home",                        "-",             "200"),
    ("viewer",             "any",    "page:home",                        "-",             "200"),
    ("anonymous",          "any",    "page:home",                        "-",             "anon"),
    ("staff",              "any",    "page:plan",                        "-",             "200"),
    ("secretariat",        "any",    "page:plan",                        "-",             "200"),
    ("focal_point",        "any",    "page:plan",                        "-",             "200"),
    ("other_focal_point",  "any",    "page:plan",                        "-",             "200"),
    ("viewer",             "any",    "page:plan",                        "-",             "200"),
    ("anonymous",          "any",    "page:plan",                        "-",             "anon"),
    ("staff",              "any",    "page:activity",                    "-",             "200"),
    ("secretariat",        "any",    "page:activity",                    "-",             "200"),
    ("focal_point",        "any",    "page:activity",                    "-",             "200"),
    ("other_focal_point",  "any",    "page:activity",                    "-",             "200"),
    ("viewer",             "any",    "page:activity",                    "-",             "200"),
    ("anonymous",          "any",    "page:activity",                    "-",             "anon"),
    ("staff",              "any",    "page:organization",                "-",             "200"),
    ("secretariat",        "any",    "page:organization",                "-",             "200"),
    ("focal_point",        "own",    "page:organization",                "-",             "200"),
    ("focal_point",        "other",  "page:organization",                "-",             "200"),
    ("other_focal_point",  "own",    "page:organization",                "-",             "200"),
    ("other_focal_point",  "other",  "page:organization",                "-",             "200"),
    ("viewer",             "any",    "page:organization",                "-",             "200"),
    ("anonymous",          "any",    "page:organization",                "-",             "anon"),
    ("staff",              "any",    "page:organizations",               "-",             "200"),
    ("secretariat",        "any",    "page:organizations",               "-",             "200"),
    ("focal_point",        "any",    "page:organizations",               "-",             "200"),
    ("other_focal_point",  "any",    "page:organizations",               "-",             "200"),
    ("viewer",             "any",    "page:organizations",               "-",             "200"),
    ("anonymous",          "any",    "page:organizations",               "-",             "anon"),
    ("staff",              "any",    "page:review queue",                "-",             "200"),
    ("secretariat",        "any",    "page:review queue",                "-",             "403"),
    ("focal_point",        "any",    "page:review queue",                "-",             "403"),
    ("other_focal_point",  "any",    "page:review queue",                "-",             "403"),
    ("viewer",             "any",    "page:review queue",                "-",             "403"),
    ("anonymous",          "any",    "page:review queue",                "-",             "anon"),
    # --- API reads: any signed-in user; 401 without credentials. ---
    ("staff",              "any",    "api:plans",                        "-",             "200"),
    ("secretariat",        "any",    "api:plans",                        "-",             "200"),
    ("focal_point",        "any",    "api:plans",                        "-",             "200"),
    ("other_focal_point",  "any",    "api:plans",                        "-",             "200"),
    ("viewer",             "any",    "api:plans",                        "-",             "200"),
    ("anonymous",          "any",    "api:plans",                        "-",             "anon"),
    ("staff",              "any",    "api:activities",                   "-",             "200"),
    ("secretariat",        "any",    "api:activities",                   "-",             "200"),
    ("focal_point",        "any",    "api:activities",                   "-",             "200"),
    ("other_focal_point",  "any",    "api:activities",                   "-",             "200"),
    ("viewer",             "any",    "api:activities",                   "-",             "200"),
    ("anonymous",          "any",    "api:activities",                   "-",             "anon"),
    ("staff",              "any",    "api:organizations",                "-",             "200"),
    ("secretariat",        "any",    "api:organizations",                "-",             "200"),
    ("focal_point",        "any",    "api:organizations",                "-",             "200"),
    ("other_focal_point",  "any",    "api:organizations",                "-",             "200"),
    ("viewer",             "any",    "api:organizations",                "-",             "200"),
    ("anonymous",          "any",    "api:organizations",                "-",             "anon"),
    ("staff",              "any",    "api:status entries",               "-",             "200"),
    ("secretariat",        "any",    "api:status entries",               "-",             "200"),
    ("focal_point",        "any",    "api:status entries",               "-",             "200"),
    ("other_focal_point",  "any",    "api:status entries",               "-",             "200"),
    ("viewer",             "any",    "api:status entries",               "-",             "200"),
    ("anonymous",          "any",    "api:status entries",               "-",             "anon"),
    ("staff",              "any",    "api:status entry",                 "-",             "200"),
    ("secretariat",        "any",    "api:status entry",                 "-",             "200"),
    ("focal_point",        "any",    "api:status entry",                 "-",             "200"),
    ("other_focal_point",  "any",    "api:status entry",                 "-",             "200"),
    ("viewer",             "any",    "api:status entry",                 "-",             "200"),
    ("anonymous",          "any",    "api:status entry",                 "-",             "anon"),
    # --- Logging progress: staff for any organization open to the activity (accepted at
    # once), a focal point for their own organization where it is open to it (submitted). ---
    ("staff",              "any",    "page:log",                         "named",         "accepted"),
    ("staff",              "any",    "page:log",                         "open to kind",  "accepted"),
    ("staff",              "any",    "page:log",                         "not open",      "invalid:organization"),
    ("secretariat",        "any",    "page:log",                         "named",         "403"),
    ("secretariat",        "any",    "page:log",                         "open to kind",  "403"),
    ("viewer",             "any",    "page:log",                         "named",         "403"),
    ("viewer",             "any",    "page:log",                         "open to kind",  "403"),
    ("anonymous",          "any",    "page:log",                         "named",         "anon"),
    ("focal_point",        "own",    "page:log",                         "named",         "submitted"),
    ("focal_point",        "own",    "page:log",                         "open to kind",  "submitted"),
    ("focal_point",        "own",    "page:log",                         "not open",      "invalid:organization"),
    ("focal_point",        "other",  "page:log",                         "named",         "403"),
    ("focal_point",        "other",  "page:log",                         "open to kind",  "403"),
    ("focal_point",        "other",  "page:log",                         "not open",      "403"),
    ("other_focal_point",  "own",    "page:log",                         "named",         "submitted"),
    ("other_focal_point",  "own",    "page:log",                         "open to kind",  "submitted"),
    ("other_focal_point",  "own",    "page:log",                         "not open",      "invalid:organization"),
    ("other_focal_point",  "other",  "page:log",                         "named",         "403"),
    ("other_focal_point",  "other",  "page:log",                         "open to kind",  "403"),
    ("other_focal_point",  "other",  "page:log",                         "not open",      "403"),
    ("staff",              "any",    "api:log",                          "named",         "accepted"),
    ("staff",              "any",    "api:log",                          "open to kind",  "accepted"),
    ("staff",              "any",    "api:log",                          "not open",      "invalid:organization"),
    ("secretariat",        "any",    "api:log",                          "named",         "403"),
    ("secretariat",        "any",    "api:log",                          "open to kind",  "403"),
    ("viewer",             "any",    "api:log",                          "named",         "403"),
    ("viewer",             "any",    "api:log",                          "open to kind",  "403"),
    ("anonymous",          "any",    "api:log",                          "named",         "anon"),
    ("focal_point",        "own",    "api:log",                          "named",         "submitted"),
    ("focal_point",        "own",    "api:log",                          "open to kind",  "submitted"),
    ("focal_point",        "own",    "api:log",                          "not open",      "invalid:organization"),
    ("focal_point",        "other",  "api:log",                          "named",         "403"),
    ("focal_point",        "other",  "api:log",                          "open to kind",  "403"),
    ("focal_point",        "other",  "api:log",                          "not open",      "403"),
    ("other_focal_point",  "own",    "api:log",                          "named",         "submitted"),
    ("other_focal_point",  "own",    "api:log",                          "open to kind",  "submitted"),
    ("other_focal_point",  "own",    "api:log",                          "not open",      "invalid:organization"),
    ("other_focal_point",  "other",  "api:log",                          "named",         "403"),
    ("other_focal_point",  "other",  "api:log",                          "open to kind",  "403"),
    ("other_focal_point",  "other",  "api:log",                          "not open",      "403"),
    # --- Reviewing: CTED staff only, and only an entry still submitted. ---
    ("staff",              "any",    "page:accept",                      "submitted",     "accepted"),
    ("staff",              "any",    "page:return",                      "submitted",     "returned"),
    ("staff",              "any",    "page:return without comment",      "submitted",     "invalid:comment"),
    ("staff",              "any",    "page:accept",                      "accepted",      "invalid:decision"),
    ("staff",              "any",    "page:return",                      "accepted",      "invalid:decision"),
    ("staff",              "any",    "page:accept",                      "returned",      "invalid:decision"),
    ("secretariat",        "any",    "page:accept",                      "submitted",     "403"),
    ("viewer",             "any",    "page:accept",                      "submitted",     "403"),
    ("focal_point",        "own",    "page:accept",                      "submitted",     "403"),
    ("focal_point",        "other",  "page:accept",                      "submitted",     "403"),
    ("other_focal_point",  "own",    "page:accept",                      "submitted",     "403"),
    ("other_focal_point",  "other",  "page:accept",                      "submitted",     "403"),
    ("anonymous",          "any",    "page:accept",                      "submitted",     "anon"),
    ("secretariat",        "any",    "page:return",                      "submitted",     "403"),
    ("viewer",             "any",    "page:return",                      "submitted",     "403"),
    ("focal_point",        "own",    "page:return",                      "submitted",     "403"),
    ("focal_point",        "other",  "page:return",                      "submitted",     "403"),
    ("other_focal_point",  "own",    "page:return",                      "submitted",     "403"),
    ("other_focal_point",  "other",  "page:return",                      "submitted",     "403"),
    ("anonymous",          "any",    "page:return",                      "submitted",     "anon"),
    ("secretariat",        "any",    "page:return without comment",      "submitted",     "403"),
    ("viewer",             "any",    "page:return without comment",      "submitted",     "403"),
    ("focal_point",        "own",    "page:return without comment",      "submitted",     "403"),
    ("focal_point",        "other",  "page:return without comment",      "submitted",     "403"),
    ("other_focal_point",  "own",    "page:return without comment",      "submitted",     "403"),
    ("other_focal_point",  "other",  "page:return without comment",      "submitted",     "403"),
    ("anonymous",          "any",    "page:return without comment",      "submitted",     "anon"),
    ("staff",              "any",    "api:accept",                       "submitted",     "accepted"),
    ("staff",              "any",    "api:return",                       "submitted",     "returned"),
    ("staff",              "any",    "api:return without comment",       "submitted",     "invalid:comment"),
    ("staff",              "any",    "api:accept",                       "accepted",      "invalid:decision"),
    ("staff",              "any",    "api:return",                       "accepted",      "invalid:decision"),
    ("staff",              "any",    "api:accept",                       "returned",      "invalid:decision"),
    ("secretariat",        "any",    "api:accept",                       "submitted",     "403"),
    ("viewer",             "any",    "api:accept",                       "submitted",     "403"),
    ("focal_point",        "own",    "api:accept",                       "submitted",     "403"),
    ("focal_point",        "other",  "api:accept",                       "submitted",     "403"),
    ("other_focal_point",  "own",    "api:accept",                       "submitted",     "403"),
    ("other_focal_point",  "other",  "api:accept",                       "submitted",     "403"),
    ("anonymous",          "any",    "api:accept",                       "submitted",     "anon"),
    ("secretariat",        "any",    "api:return",                       "submitted",     "403"),
    ("viewer",             "any",    "api:return",                       "submitted",     "403"),
    ("focal_point",        "own",    "api:return",                       "submitted",     "403"),
    ("focal_point",        "other",  "api:return",                       "submitted",     "403"),
    ("other_focal_point",  "own",    "api:return",                       "submitted",     "403"),
    ("other_focal_point",  "other",  "api:return",                       "submitted",     "403"),
    ("anonymous",          "any",    "api:return",                       "submitted",     "anon"),
    ("secretariat",        "any",    "api:return without comment",       "submitted",     "403"),
    ("viewer",             "any",    "api:return without comment",       "submitted",     "403"),
    ("focal_point",        "own",    "api:return without comment",       "submitted",     "403"),
    ("focal_point",        "other",  "api:return without comment",       "submitted",     "403"),
    ("other_focal_point",  "own",    "api:return without comment",       "submitted",     "403"),
    ("other_focal_point",  "other",  "api:return without comment",       "submitted",     "403"),
    ("anonymous",          "any",    "api:return without comment",       "submitted",     "anon"),
    # --- Reading an accepted entry: restricted ones are for CTED and the reporting
    # organization; everywhere else they do not exist (404, not 403). ---
    ("staff",              "any",    "api:status entries",               "restricted",    "shown"),
    ("focal_point",        "own",    "api:status entries",               "restricted",    "shown"),
    ("focal_point",        "other",  "api:status entries",               "restricted",    "hidden"),
    ("other_focal_point",  "own",    "api:status entries",               "restricted",    "shown"),
    ("other_focal_point",  "other",  "api:status entries",               "restricted",    "hidden"),
    ("secretariat",        "any",    "api:status entries",               "restricted",    "hidden"),
    ("viewer",             "any",    "api:status entries",               "restricted",    "hidden"),
    ("focal_point",        "other",  "api:status entries",               "participants",  "shown"),
    ("viewer",             "any",    "api:status entries",               "participants",  "shown"),
    ("anonymous",          "any",    "api:status entries",               "restricted",    "anon"),
    ("staff",              "any",    "api:status entries?organization",  "restricted",    "shown"),
    ("focal_point",        "own",    "api:status entries?organization",  "restricted",    "shown"),
    ("focal_point",        "other",  "api:status entries?organization",  "restricted",    "hidden"),
    ("other_focal_point",  "own",    "api:status entries?organization",  "restricted",    "shown"),
    ("other_focal_point",  "other",  "api:status entries?organization",  "restricted",    "hidden"),
    ("secretariat",        "any",    "api:status entries?organization",  "restricted",    "hidden"),
    ("viewer",             "any",    "api:status entries?organization",  "restricted",    "hidden"),
    ("focal_point",        "other",  "api:status entries?organization",  "participants",  "shown"),
    ("viewer",             "any",    "api:status entries?organization",  "participants",  "shown"),
    ("anonymous",          "any",    "api:status entries?organization",  "restricted",    "anon"),
    ("staff",              "any",    "api:status entry",                 "restricted",    "shown"),
    ("focal_point",        "own",    "api:status entry",                 "restricted",    "shown"),
    ("focal_point",        "other",  "api:status entry",                 "restricted",    "hidden"),
    ("other_focal_point",  "own",    "api:status entry",                 "restricted",    "shown"),
    ("other_focal_point",  "other",  "api:status entry",                 "restricted",    "hidden"),
    ("secretariat",        "any",    "api:status entry",                 "restricted",    "hidden"),
    ("viewer",             "any",    "api:status entry",                 "restricted",    "hidden"),
    ("focal_point",        "other",  "api:status entry",                 "participants",  "shown"),
    ("viewer",             "any",    "api:status entry",                 "participants",  "shown"),
    ("anonymous",          "any",    "api:status entry",                 "restricted",    "anon"),
    ("staff",              "any",    "api:activities",                   "restricted",    "shown"),
    ("focal_point",        "own",    "api:activities",                   "restricted",    "shown"),
    ("focal_point",        "other",  "api:activities",                   "restricted",    "hidden"),
    ("other_focal_point",  "own",    "api:activities",                   "restricted",    "shown"),
    ("other_focal_point",  "other",  "api:activities",                   "restricted",    "hidden"),
    ("secretariat",        "any",    "api:activities",                   "restricted",    "hidden"),
    ("viewer",             "any",    "api:activities",                   "restricted",    "hidden"),
    ("focal_point",        "other",  "api:activities",                   "participants",  "shown"),
    ("viewer",             "any",    "api:activities",                   "participants",  "shown"),
    ("anonymous",          "any",    "api:activities",                   "restricted",    "anon"),
    ("staff",              "any",    "page:activity",                    "restricted",    "shown"),
    ("focal_point",        "own",    "page:activity",                    "restricted",    "shown"),
    ("focal_point",        "other",  "page:activity",                    "restricted",    "hidden"),
    ("other_focal_point",  "own",    "page:activity",                    "restricted",    "shown"),
    ("other_focal_point",  "other",  "page:activity",                    "restricted",    "hidden"),
    ("secretariat",        "any",    "page:activity",                    "restricted",    "hidden"),
    ("viewer",             "any",    "page:activity",                    "restricted",    "hidden"),
    ("focal_point",        "other",  "page:activity",                    "participants",  "shown"),
    ("viewer",             "any",    "page:activity",                    "participants",  "shown"),
    ("anonymous",          "any",    "page:activity",                    "restricted",    "anon"),
    ("staff",              "any",    "page:home",                        "restricted",    "shown"),
    ("focal_point",        "own",    "page:home",                        "restricted",    "shown"),
    ("focal_point",        "other",  "page:home",                        "restricted",    "hidden"),
    ("other_focal_point",  "own",    "page:home",                        "restricted",    "shown"),
    ("other_focal_point",  "other",  "page:home",                        "restricted",    "hidden"),
    ("secretariat",        "any",    "page:home",                        "restricted",    "hidden"),
    ("viewer",             "any",    "page:home",                        "restricted",    "hidden"),
    ("focal_point",        "other",  "page:home",                        "participants",  "shown"),
    ("viewer",             "any",    "page:home",                        "participants",  "shown"),
    ("anonymous",          "any",    "page:home",                        "restricted",    "anon"),
    ("staff",              "any",    "page:plan",                        "restricted",    "shown"),
    ("focal_point",        "own",    "page:plan",                        "restricted",    "shown"),
    ("focal_point",        "other",  "page:plan",                        "restricted",    "hidden"),
    ("other_focal_point",  "own",    "page:plan",                        "restricted",    "shown"),
    ("other_focal_point",  "other",  "page:plan",                        "restricted",    "hidden"),
    ("secretariat",        "any",    "page:plan",                        "restricted",    "hidden"),
    ("viewer",             "any",    "page:plan",                        "restricted",    "hidden"),
    ("focal_point",        "other",  "page:plan",                        "participants",  "shown"),
    ("viewer",             "any",    "page:plan",                        "participants",  "shown"),
    ("anonymous",          "any",    "page:plan",                        "restricted",    "anon"),
    ("staff",              "any",    "page:organization",                "restricted",    "shown"),
    ("focal_point",        "own",    "page:organization",                "restricted",    "shown"),
    ("focal_point",        "other",  "page:organization",                "restricted",    "hidden"),
    ("other_focal_point",  "own",    "page:organization",                "restricted",    "shown"),
    ("other_focal_point",  "other",  "page:organization",                "restricted",    "hidden"),
    ("secretariat",        "any",    "page:organization",                "restricted",    "hidden"),
    ("viewer",             "any",    "page:organization",                "restricted",    "hidden"),
    ("focal_point",        "other",  "page:organization",                "participants",  "shown"),
    ("viewer",             "any",    "page:organization",                "participants",  "shown"),
    ("anonymous",          "any",    "page:organization",                "restricted",    "anon"),
]]
# fmt: on

OWN = {"focal_point": "ICAO", "other_focal_point": "WCO"}
OTHER = {"focal_point": "WCO", "other_focal_point": "ICAO"}
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
# What the review page says when it refuses a decision, by the field the service names.
REVIEW_PAGE_ERRORS = {
    "comment": "Say why the entry is returned",
    "decision": "This entry has already been reviewed.",
}
REPORTED_ON = datetime.date(2026, 6, 30)


def organization_of(row: Row) -> Organization:
    if row.relation == "own":
        acronym = OWN[row.role]
    elif row.relation == "other":
        acronym = OTHER[row.role]
    else:
        acronym = "ICAO"
    return Organization.objects.get(acronym=acronym)


def nairobi_activity(number: str) -> Activity:
    return Activity.objects.get(plan__code="nairobi-2007", number=number)


def page_client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api_client(user) -> APIClient:
    return token_client(user) if user is not None else APIClient()


def counts() -> tuple[int, int]:
    return StatusEntry.objects.count(), StatusEntryReview.objects.count()


def assert_asks_to_sign_in(row: Row, response, path: str) -> None:
    if row.action.startswith("api:"):
        assert response.status_code == 401, f"{row}: {response.status_code} {response.content[:300]!r}"
    else:
        assert response.status_code == 302, f"{row}: {response.status_code}"
        assert response["Location"] == f"/accounts/login/?next={path}", f"{row}: {response['Location']}"


# --- Reading pages and the API ---

PAGE_PATHS = {
    "page:home": lambda row: "/",
    "page:plan": lambda row: "/plans/nairobi-2007/",
    "page:activity": lambda row: f"/activities/{nairobi_activity('3.2').pk}/",
    "page:organization": lambda row: f"/organizations/{organization_of(row).acronym}/",
    "page:organizations": lambda row: "/organizations/",
    "page:review queue": lambda row: "/review/",
}
API_PATHS = {
    "api:plans": lambda row, entry: "/api/v1/plans/",
    "api:activities": lambda row, entry: "/api/v1/activities/",
    "api:organizations": lambda row, entry: "/api/v1/organizations/",
    "api:status entries": lambda row, entry: "/api/v1/status-entries/",
    "api:status entry": lambda row, entry: f"/api/v1/status-entries/{entry.pk}/",
}


def check_read(row: Row, user) -> None:
    icao = Organization.objects.get(acronym="ICAO")
    # Something on every screen: an accepted entry and one waiting for review.
    entry = StatusEntryFactory(activity=nairobi_activity("3.2"), organization=icao, reported_on=REPORTED_ON)
    StatusEntryFactory(
        activity=nairobi_activity("1.1"), organization=icao, review_state=ReviewState.SUBMITTED, reported_on=REPORTED_ON
    )
    if row.action.startswith("page:"):
        path = PAGE_PATHS[row.action](row)
        response = page_client(user).get(path)
    else:
        path = API_PATHS[row.action](row, entry)
        response = api_client(user).get(path)
    if row.expected == "anon":
        assert_asks_to_sign_in(row, response, path)
    else:
        assert response.status_code == int(row.expected), f"{row}: {response.status_code} at {path}"


# --- Logging progress ---


def check_log(row: Row, user) -> None:
    organization = organization_of(row)
    activity = nairobi_activity(ACTIVITY_NUMBER[(organization.acronym, row.state)])
    observations = f"Progress for the table row {row}"
    before = counts()
    if row.action == "page:log":
        path = f"/activities/{activity.pk}/"
        response = page_client(user).post(
            path,
            {
                "organization": organization.pk,
                "status": Status.IN_PROGRESS,
                "observations": observations,
                "reported_on": REPORTED_ON.isoformat(),
                "confidentiality": Confidentiality.PARTICIPANTS,
                "evidence": "https://example.org/report\nhttps://example.org/annex",
            },
        )
    else:
        path = "/api/v1/status-entries/"
        response = api_client(user).post(
            path,
            {
                "activity": activity.pk,
                "organization": organization.acronym,
                "status": Status.IN_PROGRESS,
                "observations": observations,
                "confidentiality": Confidentiality.PARTICIPANTS,
                "reported_on": REPORTED_ON.isoformat(),
                "evidence": ["https://example.org/report", "https://example.org/annex"],
            },
            format="json",
        )
    described = f"{row}: {response.status_code} {response.content[:500]!r}"

    if row.expected in {"submitted", "accepted"}:
        if row.action == "page:log":
            assert response.status_code == 302 and response["Location"] == path, described
        else:
            assert response.status_code == 201, described
            assert response.json()["review_state"] == row.expected, described
        entry = StatusEntry.objects.get(observations=observations)
        assert (entry.organization, entry.activity, entry.author) == (organization, activity, user), described
        assert entry.review_state == row.expected, described
        assert entry.evidence == ["https://example.org/report", "https://example.org/annex"], described
        assert counts() == (before[0] + 1, before[1]), described
        return

    if row.expected == "anon":
        assert_asks_to_sign_in(row, response, path)
    elif row.expected == "403":
        assert response.status_code == 403, described
    elif row.expected.startswith("invalid:"):
        field = row.expected.removeprefix("invalid:")
        assert response.status_code == 400, described
        if row.action == "page:log":
            assert field in response.context["form"].errors, described
        else:
            assert field in response.json(), described
    else:
        raise AssertionError(f"{row}: unknown expected result")
    assert counts() == before, f"{row}: a refused entry was written"


# --- Reviewing ---


def check_review(row: Row, user) -> None:
    organization = organization_of(row)
    entry = StatusEntryFactory(
        activity=nairobi_activity(ACTIVITY_NUMBER[(organization.acronym, "named")]),
        organization=organization,
        review_state=row.state,
        reported_on=REPORTED_ON,
    )
    via, decision = row.action.split(":", 1)
    data = REVIEW_DATA[decision]
    before = counts()
    if via == "page":
        path = f"/review/{entry.pk}/"
        response = page_client(user).post(path, data, follow=row.expected.startswith("invalid:"))
    else:
        path = f"/api/v1/status-entries/{entry.pk}/review/"
        response = api_client(user).post(path, data, format="json")
    described = f"{row}: {response.status_code} {response.content[:500]!r}"
    entry.refresh_from_db()

    if row.expected in {"accepted", "returned"}:
        if via == "page":
            assert response.status_code == 302 and response["Location"] == "/review/", described
        else:
            assert response.status_code == 200, described
            assert response.json()["review_state"] == row.expected, described
        assert entry.review_state == row.expected, described
        review = StatusEntryReview.objects.get(entry=entry)
        assert (review.decision, review.reviewer, review.comment) == (
            data["decision"],
            user,
            data["comment"],
        ), described
        assert counts() == (before[0], before[1] + 1), described
        return

    if row.expected == "anon":
        assert_asks_to_sign_in(row, response, path)
    elif row.expected == "403":
        assert response.status_code == 403, described
    elif row.expected.startswith("invalid:"):
        field = row.expected.removeprefix("invalid:")
        if via == "page":
            # The page goes back to the queue and says why nothing happened.
            assert response.redirect_chain == [("/review/", 302)], described
            assert REVIEW_PAGE_ERRORS[field] in response.content.decode(), described
        else:
            assert response.status_code == 400, described
            assert field in response.json(), described
            assert response.json()[field], described
    else:
        raise AssertionError(f"{row}: unknown expected result")
    assert entry.review_state == row.state, f"{row}: the refused review changed the entry"
    assert counts() == before, f"{row}: a refused review was written"


# --- Reading restricted entries ---


def check_confidential_read(row: Row, user) -> None:
    organization = organization_of(row)
    activity = nairobi_activity(ACTIVITY_NUMBER[(organization.acronym, "named")])
    marker = f"Observations {organization.acronym} gave in confidence"
    entry = StatusEntryFactory(
        activity=activity,
        organization=organization,
        status=Status.DISCONTINUED,
        observations=marker,
        confidentiality=row.state,
        review_state=ReviewState.ACCEPTED,
        reported_on=REPORTED_ON,
    )
    shown: bool
    if row.action == "api:status entries":
        path = "/api/v1/status-entries/"
        response = api_client(user).get(path)
        if response.status_code == 200:
            body = response.json()
            shown = [r["id"] for r in body["results"]] == [entry.pk]
            # Not in the count either: the count would tell there is something.
            assert body["count"] == (1 if shown else 0), f"{row}: count {body['count']}"
    elif row.action == "api:status entries?organization":
        path = f"/api/v1/status-entries/?organization={organization.acronym}"
        response = api_client(user).get(path)
        if response.status_code == 200:
            body = response.json()
            shown = [r["id"] for r in body["results"]] == [entry.pk]
            assert body["count"] == (1 if shown else 0), f"{row}: count {body['count']}"
    elif row.action == "api:status entry":
        path = f"/api/v1/status-entries/{entry.pk}/"
        response = api_client(user).get(path)
        if row.expected != "anon":
            # Another organization's restricted entry does not exist for the user: 404, not 403.
            assert response.status_code in {200, 404}, f"{row}: {response.status_code}"
            shown = response.status_code == 200
            if shown:
                assert response.json()["observations"] == marker, row
            assert shown == (row.expected == "shown"), f"{row}: {response.status_code}"
            return
    elif row.action == "api:activities":
        path = "/api/v1/activities/?plan=nairobi-2007"
        client = api_client(user)
        response = client.get(path)
        if response.status_code == 200:
            item = next(i for i in response.json()["results"] if i["number"] == activity.number)
            shown = item["status"] == Status.DISCONTINUED
            assert item["status"] in {None, Status.DISCONTINUED}, f"{row}: {item['status']}"
            by_status = client.get("/api/v1/activities/", {"status": Status.DISCONTINUED}).json()["results"]
            assert [i["number"] for i in by_status] == ([activity.number] if shown else []), row
    elif row.action == "page:activity":
        path = f"/activities/{activity.pk}/"
        response = page_client(user).get(path)
        if response.status_code == 200:
            shown = marker in response.content.decode()
            assert ("status-discontinued" in response.content.decode()) == shown, row
    elif row.action == "page:home":
        path = "/"
        response = page_client(user).get(path)
        if response.status_code == 200:
            recent = response.content.decode().split("<h2>Recent changes</h2>", 1)[1]
            shown = f'href="/activities/{activity.pk}/"' in recent
            assert ("status-discontinued" in recent) == shown, row
    elif row.action == "page:plan":
        path = "/plans/nairobi-2007/"
        response = page_client(user).get(path)
        if response.status_code == 200:
            shown = "status-discontinued" in response.content.decode()
    elif row.action == "page:organization":
        path = f"/organizations/{organization.acronym}/"
        response = page_client(user).get(path)
        if response.status_code == 200:
            shown = "status-discontinued" in response.content.decode()
    else:
        raise AssertionError(f"{row}: unknown action")

    if row.expected == "anon":
        assert_asks_to_sign_in(row, response, path)
        return
    assert response.status_code == 200, f"{row}: {response.status_code}"
    assert shown == (row.expected == "shown"), f"{row}: the entry is {'shown' if shown else 'hidden'}"


def check(row: Row, user) -> None:
    if row.action.endswith(":log"):
        check_log(row, user)
    elif row.action.split(":", 1)[1] in REVIEW_DATA:
        check_review(row, user)
    elif row.state in {Confidentiality.RESTRICTED, Confidentiality.PARTICIPANTS}:
        check_confidential_read(row, user)
    else:
        check_read(row, user)


@pytest.mark.parametrize("row", PERMISSION_TABLE, ids=[str(row) for row in PERMISSION_TABLE])
def test_permission_table(request, row):
    user = None if row.role == "anonymous" else request.getfixturevalue(row.role)
    check(row, user)


def test_the_table_covers_every_role_for_every_action():
    actions = {row.action for row in PERMISSION_TABLE}
    for action in actions:
        roles = {row.role for row in PERMISSION_TABLE if row.action == action}
        assert roles == set(ROLES), f"{action} misses {set(ROLES) - roles}"
    # A focal point's rows are about any organization, or about both their own and another.
    # (Rows on entries open to participants are controls that show the surface can show an entry.)
    for role in OWN:
        for action, state in {(row.action, row.state) for row in PERMISSION_TABLE if row.state != "participants"}:
            relations = {r.relation for r in PERMISSION_TABLE if (r.action, r.state, r.role) == (action, state, role)}
            assert relations in (set(), {"any"}, {"own", "other"}), f"{role} {action} {state}: {relations}"
    assert len(set(PERMISSION_TABLE)) == len(PERMISSION_TABLE), "a row is listed twice"


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
    response = page_client(user).get(f"/activities/{nairobi_activity(number).pk}/")
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
    theirs = StatusEntryFactory(activity=nairobi_activity("1.1"), organization=wco, reported_on=REPORTED_ON)
    before = counts()
    response = token_client(focal_point).post(
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


def test_another_organizations_restricted_entry_cannot_be_named_as_the_one_corrected(focal_point, other_focal_point):
    """Bob may correct ICAO's entries; naming a restricted WCO entry says it does not exist."""
    wco = Organization.objects.get(acronym="WCO")
    hidden = StatusEntryFactory(
        activity=nairobi_activity("1.1"),
        organization=wco,
        confidentiality=Confidentiality.RESTRICTED,
        reported_on=REPORTED_ON,
    )
    before = counts()
    response = token_client(focal_point).post(
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
    staff, focal_point, other_focal_point, icao
):
    """A restricted entry of another organization is 'not there': not even its id leaks.

    ICAO publishes an entry to participants, then corrects it with a restricted one.
    Charlie (WCO) still reads the first entry but must not learn the restricted one's id.
    """
    activity = nairobi_activity("3.2")
    public = StatusEntryFactory(activity=activity, organization=icao, reported_on=REPORTED_ON)
    restricted = StatusEntryFactory(
        activity=activity,
        organization=icao,
        confidentiality=Confidentiality.RESTRICTED,
        supersedes=public,
        reported_on=REPORTED_ON,
    )
    charlie = token_client(other_focal_point)
    assert charlie.get(f"/api/v1/status-entries/{restricted.pk}/").status_code == 404
    seen = charlie.get(f"/api/v1/status-entries/{public.pk}/").json()
    assert seen["superseded_by"] is None
    assert token_client(focal_point).get(f"/api/v1/status-entries/{public.pk}/").json()["superseded_by"] == (
        restricted.pk
    )


def test_the_log_page_does_not_tell_another_organizations_restricted_entry_from_one_that_does_not_exist(
    focal_point, wco
):
    """Naming a hidden entry as the one corrected must answer as for an id that does not exist."""
    activity = nairobi_activity("1.1")
    hidden = StatusEntryFactory(
        activity=activity, organization=wco, confidentiality=Confidentiality.RESTRICTED, reported_on=REPORTED_ON
    )
    client = page_client(focal_point)
    icao = Organization.objects.get(acronym="ICAO")

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
