"""The audit trail: every change with its old and new values (on PostgreSQL, by triggers), and the
security events (on every database).

Changes are recorded by PostgreSQL triggers; SQLite, the first-run database, has none, and there
the tests state that nothing is recorded and that the page says so. CI runs the suite on both.
"""

import datetime
import io
import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test import Client

from actions.models import Activity
from audit.context import for_command
from audit.models import (
    EVENT_MODELS,
    ActivityEvent,
    OrganizationEvent,
    SecurityEvent,
    SecurityEventKind,
    StocktakingCycleEvent,
    UserEvent,
)
from organizations.models import Organization
from organizations.roles import GROUP_NAMES, Role
from organizations.services import api_token_create, api_token_revoke
from tests.conftest import token_client
from tests.helpers import NAIROBI, organization_change, page_client
from tests.reports.scenario import new_cycle

pytestmark = pytest.mark.django_db

POSTGRESQL = connection.vendor == "postgresql"
PASSWORD = "a-long-test-password"  # the factories' password


def last_event(model, obj):
    return model.objects.filter(pgh_obj_id=obj.pk).order_by("-pgh_id").first()


def diff_of(model, obj) -> dict:
    """The old and new values of ``obj``'s last recorded change, by column: {column: (old, new)}."""
    events = list(model.objects.filter(pgh_obj_id=obj.pk).order_by("-pgh_id")[:2])
    assert len(events) == 2, "a change and the state before it"
    new, old = events
    columns = [field.column for field in model._meta.concrete_fields if not field.column.startswith("pgh_")]
    return {
        column: (getattr(old, column), getattr(new, column))
        for column in columns
        if getattr(old, column) != getattr(new, column)
    }


def context_of(event) -> dict:
    return event.pgh_context.metadata if event.pgh_context_id else {}


# --- Changes, with old and new values, wherever they come from -------------------------------


def test_a_change_in_the_admin_is_recorded_with_old_and_new_values_and_who_made_it(staff):
    staff.is_staff = True
    staff.save()
    icao = Organization.objects.get(acronym="ICAO")
    old_name = icao.name
    response = organization_change(
        page_client(staff), icao, name="International Civil Aviation Organization (Montréal)"
    )
    assert response.status_code == 302, response.content[:2000]
    icao.refresh_from_db()
    assert icao.name == "International Civil Aviation Organization (Montréal)"
    if not POSTGRESQL:
        assert not OrganizationEvent.objects.exists()
        return
    assert diff_of(OrganizationEvent, icao) == {"name": (old_name, icao.name)}
    event = last_event(OrganizationEvent, icao)
    assert event.pgh_label == "update"
    assert context_of(event)["user"] == staff.pk
    assert context_of(event)["url"] == f"/admin/organizations/organization/{icao.pk}/change/"
    assert context_of(event)["ip"] == "127.0.0.1"


def test_a_change_through_the_api_is_recorded_with_the_token_s_user(staff):
    cycle = new_cycle(staff, open_now=False)
    response = token_client(staff).post(f"/api/v1/cycles/{cycle.pk}/open/")
    assert response.status_code == 200, response.content
    if not POSTGRESQL:
        assert not StocktakingCycleEvent.objects.exists()
        return
    changed = diff_of(StocktakingCycleEvent, cycle)
    assert changed["state"] == ("planned", "open")
    assert changed["opened_at"][0] is None and changed["opened_at"][1] is not None
    event = last_event(StocktakingCycleEvent, cycle)
    # The token authenticates in the view, after the middleware began the context: the user follows.
    assert context_of(event)["user"] == staff.pk
    assert context_of(event)["url"] == f"/api/v1/cycles/{cycle.pk}/open/"


def test_a_change_by_a_command_is_recorded_with_the_command_s_name(icao, monkeypatch):
    monkeypatch.setenv("TRACKER_PASSWORD", "a-long-command-password")
    with for_command(["manage.py", "create_user"]):
        call_command("create_user", "dana", role="viewer", email="dana@example.org", stdout=io.StringIO())
    from django.contrib.auth.models import User

    dana = User.objects.get(username="dana")
    password_set = SecurityEvent.objects.get(kind=SecurityEventKind.PASSWORD_CHANGED, username="dana")
    assert password_set.path == "manage.py create_user"
    if not POSTGRESQL:
        assert not UserEvent.objects.exists()
        return
    event = last_event(UserEvent, dana)
    assert event.pgh_label == "insert"
    assert event.username == "dana" and event.email == "dana@example.org"
    assert context_of(event)["command"] == "create_user"


def test_a_change_typed_into_the_shell_command_is_recorded_with_old_and_new_values():
    wco = Organization.objects.get(acronym="WCO")
    old_name = wco.name
    code = (
        "from organizations.models import Organization\n"
        "Organization.objects.filter(acronym='WCO').update(name='WCO (Brussels)')"
    )
    with for_command(["manage.py", "shell"]):
        call_command("shell", command=code)
    wco.refresh_from_db()
    assert wco.name == "WCO (Brussels)"
    if not POSTGRESQL:
        assert not OrganizationEvent.objects.exists()
        return
    assert diff_of(OrganizationEvent, wco) == {"name": (old_name, "WCO (Brussels)")}
    assert context_of(last_event(OrganizationEvent, wco))["command"] == "shell"


def test_a_change_by_a_background_job_is_recorded_with_the_job_s_name(staff):
    from notifications.tasks import run_job

    cycle = new_cycle(staff)  # open, its period and deadline long past
    run_job.apply(args=["close-cycles"])
    cycle.refresh_from_db()
    assert cycle.is_closed
    closed = SecurityEvent.objects.get(kind=SecurityEventKind.CYCLE_CLOSED)
    assert closed.user is None and closed.username == "(scheduled job)"
    if not POSTGRESQL:
        assert not StocktakingCycleEvent.objects.exists()
        return
    events = list(StocktakingCycleEvent.objects.filter(pgh_obj_id=cycle.pk).order_by("pgh_id"))
    states = [event.state for event in events]
    closing = states.index("closed")
    assert states[closing - 1] == "open"  # then the report's sending is recorded too
    expected = {"task": "notifications.tasks.run_job", "job": "close-cycles"}
    assert all(context_of(event) == expected for event in events[closing:])
    html = page_client(staff).get("/audit/", {"what": "audit.StocktakingCycleEvent"}).content.decode()
    assert "background job close-cycles" in html


def test_a_bulk_update_and_raw_sql_are_recorded_too():
    activities = Activity.objects.filter(plan__code=NAIROBI, number__in=["1.1", "1.2"])
    before = {a.pk: a.text for a in activities}
    activities.update(text="Reworded in bulk")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE actions_activity SET responsible_text = %s WHERE id = %s", ["By SQL", min(before)])
    if not POSTGRESQL:
        assert not ActivityEvent.objects.exists()
        return
    for pk in before:
        latest = ActivityEvent.objects.filter(pgh_obj_id=pk, pgh_label="update").order_by("pgh_id")
        assert latest[0].text == "Reworded in bulk"
    assert ActivityEvent.objects.filter(pgh_obj_id=min(before)).order_by("-pgh_id")[0].responsible_text == "By SQL"


def test_a_deletion_keeps_the_last_values():
    theme = Activity.objects.filter(plan__code=NAIROBI).first()
    organization = Organization.objects.create(acronym="TMP", name="A short-lived organization", kind="other")
    pk = organization.pk
    organization.delete()
    assert theme is not None
    if not POSTGRESQL:
        assert not OrganizationEvent.objects.exists()
        return
    labels = list(OrganizationEvent.objects.filter(pgh_obj_id=pk).order_by("pgh_id").values_list("pgh_label", "name"))
    assert labels == [("insert", "A short-lived organization"), ("delete", "A short-lived organization")]


def test_secrets_are_never_copied_into_the_trail(staff):
    events_before = UserEvent.objects.filter(pgh_obj_id=staff.pk).count()
    staff.set_password("another-long-password")
    staff.save()
    token_client(staff)
    field_names = {field.name for field in UserEvent._meta.fields}
    assert "password" not in field_names and "last_login" not in field_names
    from audit.models import ApiTokenEvent

    token_fields = {field.name for field in ApiTokenEvent._meta.fields}
    assert not {"key_hash", "fingerprint", "last_used_at"} & token_fields
    if POSTGRESQL:
        # A new password is a security event, not a change with values.
        assert UserEvent.objects.filter(pgh_obj_id=staff.pk).count() == events_before
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_CHANGED, username="alice").exists()


# --- Security events ---------------------------------------------------------------------------


def test_sign_in_failure_and_lockout_are_recorded_without_the_password(viewer, settings):
    client = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "victor", "password": "wrong-password-123"})
    client.post("/accounts/login/", {"username": "victor", "password": PASSWORD})
    kinds = list(
        SecurityEvent.objects.filter(username="victor", path="/accounts/login/")
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    # The limit's last failure locks the username out; the right password afterwards fails too.
    failures = [SecurityEventKind.SIGN_IN_FAILED] * (settings.LOGIN_FAILURE_LIMIT - 1)
    assert kinds[: settings.LOGIN_FAILURE_LIMIT + 1] == [
        *failures,
        SecurityEventKind.LOCKED_OUT,
        SecurityEventKind.SIGN_IN_FAILED,
    ]
    assert SecurityEventKind.SIGNED_IN not in kinds
    failed = SecurityEvent.objects.filter(kind=SecurityEventKind.SIGN_IN_FAILED).first()
    assert failed.ip_address == "127.0.0.1" and failed.path == "/accounts/login/" and failed.user is None
    for event in SecurityEvent.objects.all():
        assert "wrong-password" not in event.detail and PASSWORD not in event.detail


def test_sign_in_and_sign_out_are_recorded(viewer):
    client = Client()
    client.post("/accounts/login/", {"username": "victor", "password": PASSWORD})
    client.post("/accounts/logout/")
    kinds = list(SecurityEvent.objects.filter(user=viewer).order_by("pk").values_list("kind", flat=True))
    assert kinds == [SecurityEventKind.SIGNED_IN, SecurityEventKind.SIGNED_OUT]


def test_tokens_made_and_revoked_are_recorded_with_who_revoked_them(viewer, staff):
    response = page_client(viewer).post("/accounts/tokens/", {"name": "sync script"})
    assert response.status_code == 200
    token = viewer.api_tokens.get()
    made = SecurityEvent.objects.get(kind=SecurityEventKind.TOKEN_CREATED)
    assert made.user == viewer and made.username == "victor" and token.prefix in made.detail
    page_client(viewer).post(f"/accounts/tokens/{token.pk}/revoke/")
    revoked = SecurityEvent.objects.get(kind=SecurityEventKind.TOKEN_REVOKED)
    assert revoked.user == viewer and revoked.username == "victor" and revoked.path.endswith("/revoke/")
    other, _ = api_token_create(user=viewer, name="another")
    api_token_revoke(token=other, actor=staff)
    by_staff = SecurityEvent.objects.filter(kind=SecurityEventKind.TOKEN_REVOKED).latest("pk")
    assert by_staff.user == staff and by_staff.username == "victor"


def test_cycle_transitions_are_recorded(staff):
    cycle = new_cycle(staff, open_now=False)
    page_client(staff).post(f"/cycles/{cycle.pk}/open/")
    page_client(staff).post(f"/cycles/{cycle.pk}/close/", {"confirm": "1"})
    events = SecurityEvent.objects.filter(kind__startswith="cycle_").order_by("pk")
    assert [e.kind for e in events] == ["cycle_created", "cycle_opened", "cycle_closed"]
    assert all(e.user == staff and cycle.title in e.detail for e in events)


def test_a_role_change_is_recorded_with_the_old_and_new_role(viewer):
    viewer.groups.add(Group.objects.get(name=GROUP_NAMES[Role.STAFF]))
    event = SecurityEvent.objects.filter(kind=SecurityEventKind.ROLE_CHANGED).latest("pk")
    assert event.username == "victor" and event.detail == "Viewer → CTED staff"
    # set() removes, then adds: two steps, each recorded.
    viewer.groups.set([Group.objects.get(name=GROUP_NAMES[Role.SECRETARIAT])])
    steps = SecurityEvent.objects.filter(kind=SecurityEventKind.ROLE_CHANGED).order_by("-pk")[:2]
    assert [e.detail for e in steps] == ["no role → Secretariat", "CTED staff → no role"]
    viewer.groups.clear()
    assert (
        SecurityEvent.objects.filter(kind=SecurityEventKind.ROLE_CHANGED).latest("pk").detail == "Secretariat → no role"
    )


def test_a_refused_request_is_recorded_without_its_payload(viewer):
    response = page_client(viewer).post("/review/1/", {"decision": "accept", "comment": "secret words"})
    assert response.status_code == 403
    event = SecurityEvent.objects.get(kind=SecurityEventKind.REQUEST_DENIED)
    assert (event.user, event.method, event.path) == (viewer, "POST", "/review/1/")
    assert "secret words" not in event.detail
    token_client(viewer).post("/api/v1/cycles/", {})
    assert (
        SecurityEvent.objects.filter(kind=SecurityEventKind.REQUEST_DENIED, path="/api/v1/cycles/").get().user == viewer
    )


# --- The pages ---------------------------------------------------------------------------------


def test_the_changes_page_shows_old_and_new_values_or_says_why_there_are_none(staff):
    icao = Organization.objects.get(acronym="ICAO")
    old_name = icao.name
    icao.name = "ICAO, renamed for the test"
    icao.save()
    response = page_client(staff).get("/audit/")
    assert response.status_code == 200
    html = response.content.decode()
    if not POSTGRESQL:
        assert "runs on SQLite" in html
        return
    assert f"<del>{old_name}</del> → <ins>ICAO, renamed for the test</ins>" in html
    filtered = page_client(staff).get("/audit/", {"what": "audit.ActivityEvent"}).content.decode()
    assert "ICAO, renamed for the test" not in filtered


def test_the_security_page_filters_and_paginates(staff):
    for n in range(60):
        SecurityEvent.objects.create(kind=SecurityEventKind.SIGN_IN_FAILED, username=f"user{n:02}")
    SecurityEvent.objects.create(kind=SecurityEventKind.LOCKED_OUT, username="mallory")
    client = page_client(staff)
    first = client.get("/audit/security/").content.decode()
    assert "Page 1 of 2" in first and "mallory" in first
    second = client.get("/audit/security/", {"page": 2}).content.decode()
    assert "Page 2 of 2" in second and "mallory" not in second
    only = client.get("/audit/security/", {"kind": "locked_out"}).content.decode()
    assert "mallory" in only and "user00" not in only


def test_a_wrong_period_is_a_form_error_not_a_server_error(staff):
    response = page_client(staff).get("/audit/security/", {"since": "2026-05-01", "until": "2026-04-01"})
    assert response.status_code == 200
    assert "The end of the period comes before its start." in response.content.decode()
    response = page_client(staff).get("/audit/security/", {"since": "not a date", "kind": "no such kind"})
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()
    assert "Select a valid choice." in response.content.decode()
    if POSTGRESQL:
        response = page_client(staff).get("/audit/", {"since": "not a date", "what": "auth.Nothing"})
        assert response.status_code == 200
        assert "Enter a valid date." in response.content.decode()


def test_the_period_filter_takes_whole_days(staff):
    today = datetime.date.today()
    SecurityEvent.objects.create(kind=SecurityEventKind.LOCKED_OUT, username="mallory")
    client = page_client(staff)
    assert "mallory" in client.get("/audit/security/", {"since": today, "until": today}).content.decode()
    yesterday = today - datetime.timedelta(days=1)
    assert "mallory" not in client.get("/audit/security/", {"until": yesterday}).content.decode()


def queries_for(client: Client, path: str) -> int:
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(db) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_pages_read_as_many_queries_for_many_rows_as_for_few(staff):
    client = page_client(staff)
    client.get("/")  # the session is read and written once

    def add(rows: int) -> None:
        for n in range(rows):
            Organization.objects.create(acronym=f"ORG{n}-{rows}", name=f"Organization {n}", kind="other")
            SecurityEvent.objects.create(kind=SecurityEventKind.SIGN_IN_FAILED, username=f"user{n}-{rows}")

    add(60)  # more than a page
    few = queries_for(client, "/audit/"), queries_for(client, "/audit/security/")
    add(200)
    many = queries_for(client, "/audit/"), queries_for(client, "/audit/security/")
    assert many == few
    # The changes page: session and user, the count, the page's keys across every table, two
    # queries per table on the page, the users named; never one per row.
    assert few[0] <= 5 + 2 * len(EVENT_MODELS)
    print(f"audit pages: {few[0]} queries (changes), {few[1]} (security events)")


def test_the_changes_page_merges_every_table_newest_first_and_pages_through_them(staff, icao):
    client = page_client(staff)
    icao.name = "First renamed"
    icao.save()
    activity = Activity.objects.filter(objective__plan__code=NAIROBI).first()
    activity.text = "Second, the text reworded"
    activity.save()
    icao.name = "Third renamed"
    icao.save()
    html = client.get("/audit/").content.decode()
    if not POSTGRESQL:  # no trigger, no event: the page says why
        assert "runs on SQLite" in html and not any(model.objects.exists() for model in EVENT_MODELS)
        return
    # One test is one transaction, whose changes all bear its start time: within a table the
    # later change comes first; across tables, both are on the first page.
    assert html.index("<ins>Third renamed</ins>") < html.index("<ins>First renamed</ins>")
    assert "<ins>Second, the text reworded</ins>" in html
    assert "<del>First renamed</del> → <ins>Third renamed</ins>" in html
    total = sum(model.objects.count() for model in EVENT_MODELS)
    assert f"{total:,} changes".replace(",", "") in html.replace(",", "")
    # The pages, one after the other, hold every event once, newest first.
    pages = -(-total // 50)
    assert pages > 1
    moments = []
    for number in range(1, pages + 1):
        page = client.get("/audit/", {"page": number}).content.decode()
        rows = re.findall(r"<tr>\s*<td>([^<]+)</td>", page)
        assert len(rows) == (50 if number < pages else total - 50 * (pages - 1))
        moments += [datetime.datetime.strptime(row, "%d %b %Y %H:%M:%S") for row in rows]
    assert len(moments) == total and moments == sorted(moments, reverse=True)
