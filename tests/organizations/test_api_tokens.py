"""API tokens: hashed, expiring, listed without their keys, revocable, and ended by a password
change or a deactivation."""

import datetime
import hashlib
import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from organizations.models import ApiToken
from organizations.roles import Role
from organizations.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db

PLANS = "/api/v1/plans/"


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def assert_refused(client: APIClient, message: str) -> None:
    response = client.get(PLANS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert message in response.json()["detail"]


def test_the_token_endpoint_makes_a_token_that_works_and_says_when_it_expires(viewer):
    before = timezone.now()
    response = APIClient().post("/api/v1/auth/token/", {"username": "victor", "password": "a-long-test-password"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at", "id"}
    token = ApiToken.objects.get(pk=body["id"])
    assert token.user == viewer
    expected = before + datetime.timedelta(days=settings.API_TOKEN_DAYS)
    assert abs(token.expires_at - expected) < datetime.timedelta(minutes=1)
    assert client_with(body["token"]).get(PLANS).status_code == 200
    # Each exchange makes a new token.
    again = APIClient().post("/api/v1/auth/token/", {"username": "victor", "password": "a-long-test-password"})
    assert again.json()["token"] != body["token"]


def test_an_unknown_token_is_refused():
    assert_refused(client_with("not-a-token"), "Invalid token")


def test_a_token_stops_working_after_a_password_change(viewer):
    _, key = api_token_create(user=viewer)
    client = client_with(key)
    assert client.get(PLANS).status_code == 200
    viewer.set_password("another-long-password")
    viewer.save()
    assert_refused(client, "password changed")


def test_a_token_stops_working_after_a_deactivation(viewer):
    _, key = api_token_create(user=viewer)
    client = client_with(key)
    assert client.get(PLANS).status_code == 200
    viewer.is_active = False
    viewer.save()
    assert_refused(client, "inactive")


def test_a_token_stops_working_after_its_expiry(viewer):
    token, key = api_token_create(user=viewer)
    client = client_with(key)
    assert client.get(PLANS).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert_refused(client, "expired")


def test_a_token_revoked_by_its_owner_stops_working(viewer):
    token, key = api_token_create(user=viewer)
    client = client_with(key)
    assert client.delete(f"/api/v1/auth/tokens/{token.pk}/").status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert_refused(client, "revoked")


def test_a_token_revoked_by_staff_stops_working(viewer, staff):
    token, key = api_token_create(user=viewer)
    client = client_with(key)
    assert client.get(PLANS).status_code == 200
    staff_client = client_with(api_token_create(user=staff)[1])
    assert staff_client.delete(f"/api/v1/auth/tokens/{token.pk}/").status_code == 204
    assert_refused(client, "revoked")


def test_someone_elses_token_can_be_neither_listed_nor_revoked(viewer, focal_point):
    theirs, their_key = api_token_create(user=focal_point, name="their program")
    mine, my_key = api_token_create(user=viewer, name="my program")
    client = client_with(my_key)
    body = client.get("/api/v1/auth/tokens/").json()
    assert [t["id"] for t in body["results"]] == [mine.pk]
    assert client.get("/api/v1/auth/tokens/", {"user": "bob"}).json()["results"] == []
    assert client.delete(f"/api/v1/auth/tokens/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert client_with(their_key).get(PLANS).status_code == 200
    with pytest.raises(PermissionDenied):
        api_token_revoke(token=theirs, actor=viewer)


def test_staff_list_everyones_tokens_and_filter_by_user(staff, viewer, focal_point):
    api_token_create(user=viewer)
    api_token_create(user=focal_point)
    client = client_with(api_token_create(user=staff)[1])
    owners = {t["user"] for t in client.get("/api/v1/auth/tokens/").json()["results"]}
    assert owners == {"alice", "victor", "bob"}
    filtered = client.get("/api/v1/auth/tokens/", {"user": "bob"}).json()
    assert filtered["count"] == 1 and filtered["results"][0]["user"] == "bob"


def test_the_list_never_shows_a_key_nor_its_hash(viewer):
    token, key = api_token_create(user=viewer, name="reporting script")
    response = client_with(key).get("/api/v1/auth/tokens/")
    content = response.content.decode()
    assert key not in content and token.key_hash not in content and token.fingerprint not in content
    (listed,) = response.json()["results"]
    assert set(listed) == {"id", "user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"}
    assert listed["prefix"] == key[:8] and listed["name"] == "reporting script"


def test_the_key_is_not_stored_only_its_hash(viewer):
    token, key = api_token_create(user=viewer)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")
        stored = [value for row in cursor.fetchall() for value in row]
    assert token.key_hash in stored
    assert key not in stored
    assert not any(isinstance(value, str) and key in value for value in stored)
    assert not Token.objects.exists()


def test_last_used_is_written_at_most_once_a_minute(viewer, django_assert_num_queries):
    token, key = api_token_create(user=viewer)
    client = client_with(key)
    # 1 token and user, 1 update of last_used_at, 1 count, 1 page of plans.
    with django_assert_num_queries(4):
        client.get(PLANS)
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    # Within the minute: 1 token and user, 1 count, 1 page of plans; no write.
    with django_assert_num_queries(3):
        client.get(PLANS)
    token.refresh_from_db()
    assert token.last_used_at == first_use
    # A minute later, written again.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - datetime.timedelta(seconds=61))
    with django_assert_num_queries(4):
        client.get(PLANS)
    token.refresh_from_db()
    assert token.last_used_at > first_use


def test_a_token_from_before_the_migration_keeps_working(viewer):
    old_key = Token.objects.create(user=viewer).key
    migration = importlib.import_module("organizations.migrations.0005_copy_drf_tokens")
    migration.copy_drf_tokens(apps, None)
    assert not Token.objects.exists()
    copied = ApiToken.objects.get(user=viewer)
    assert copied.key_hash == hashlib.sha256(old_key.encode()).hexdigest() and copied.prefix == old_key[:8]
    expected = timezone.now() + datetime.timedelta(days=settings.API_TOKEN_DAYS)
    assert abs(copied.expires_at - expected) < datetime.timedelta(minutes=1)
    client = client_with(old_key)
    assert client.get(PLANS).status_code == 200
    viewer.set_password("another-long-password")
    viewer.save()
    assert client.get(PLANS).status_code == 401


def test_the_tokens_page_makes_a_token_shows_its_key_once_and_revokes_it(client, viewer, focal_point):
    client.force_login(viewer)
    assert "/accounts/tokens/" in client.get("/accounts/profile/").content.decode()
    response = client.post("/accounts/tokens/", {"name": "weekly export"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=viewer)
    key = response.context["new_key"]
    html = response.content.decode()
    assert key in html and "will not be shown again" in html
    assert client_with(key).get(PLANS).status_code == 200
    html = client.get("/accounts/tokens/").content.decode()
    assert key not in html and token.prefix in html and "weekly export" in html
    theirs, _ = api_token_create(user=focal_point)
    assert client.post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    assert client.get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 405
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    assert_refused(client_with(key), "revoked")
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_staff_revoke_a_token_in_the_admin(client, staff, viewer):
    token, key = api_token_create(user=viewer, name="old script")
    client.force_login(staff)
    changelist = client.get("/admin/organizations/apitoken/")
    assert changelist.status_code == 200 and "old script" in changelist.content.decode()
    assert client.get(f"/admin/organizations/apitoken/{token.pk}/change/").status_code == 200
    assert client.get("/admin/organizations/apitoken/add/").status_code == 403
    response = client.post(
        "/admin/organizations/apitoken/", {"action": "revoke", "_selected_action": [token.pk], "index": 0}
    )
    assert response.status_code == 302
    assert_refused(client_with(key), "revoked")


@pytest.mark.parametrize(
    ("groups", "superuser", "expected"),
    [
        ([Role.VIEWER], False, Role.VIEWER),
        ([Role.FOCAL_POINT], False, Role.FOCAL_POINT),
        ([Role.VIEWER, Role.STAFF, Role.SECRETARIAT], False, Role.STAFF),  # the most capable wins
        ([Role.VIEWER, Role.SECRETARIAT], False, Role.SECRETARIAT),
        ([], False, None),
        ([], True, Role.STAFF),
    ],
)
def test_the_role_read_with_the_token_is_the_role_the_groups_give(db, groups, superuser, expected):
    from django.contrib.auth.models import Group, User

    from organizations.authentication import ApiTokenAuthentication
    from organizations.roles import GROUP_NAMES, user_role

    user = User.objects.create_user("several", email="several@example.org", is_superuser=superuser)
    user.groups.set([Group.objects.get_or_create(name=GROUP_NAMES[role])[0] for role in groups])
    user.groups.add(Group.objects.create(name="Not a role"))
    _, key = api_token_create(user=user, name="roles")
    read, _ = ApiTokenAuthentication().authenticate_credentials(key)
    assert "_tracker_role" in read.__dict__, "read with the token, not asked again"
    assert user_role(read) == expected == user_role(User.objects.get(pk=user.pk))
