"""Brute-force protection: sign-in lockouts (django-axes, in the database) and the password-reset limit.

After LOGIN_FAILURE_LIMIT (5) wrong passwords for one username from one client address, that
username may not sign in from that address for LOGIN_COOLOFF_MINUTES (15), the right password
neither, on the web login, the admin login and the API's token endpoint. The client address is
REMOTE_ADDR unless the operator names trusted proxies, so a made-up X-Forwarded-For changes nothing.
The count is in the database: a second process (a `manage.py shell` subprocess, below) is refused too.
"""

import datetime
import ipaddress
import os
import subprocess
import sys
from pathlib import Path

from axes.models import AccessAttempt
from django.core import mail
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from organizations.models import PasswordResetRequest
from tracker.client_ip import client_ip

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-long-test-password"  # the factories' password
LIMIT = 5


def sign_in(client: Client, username: str, password: str, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def ask_token(username: str, password: str, **extra):
    return APIClient().post("/api/v1/auth/token/", {"username": username, "password": password}, **extra)


def test_the_web_login_refuses_the_right_password_after_the_limit(viewer):
    client = Client()
    for _ in range(LIMIT - 1):
        assert sign_in(client, "victor", "wrong").status_code == 200  # the form again, with its error
    assert sign_in(client, "victor", "wrong").status_code == 429  # the limit: locked from now on

    response = sign_in(client, "victor", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    page = response.content.decode()
    assert "Sign-in locked for 15 minutes" in page and "Try again after" in page
    assert response["Retry-After"] == "900"
    # Another address, or another person at this address, is not locked.
    assert sign_in(Client(REMOTE_ADDR="198.51.100.7"), "victor", PASSWORD).status_code == 302


def test_fewer_failures_than_the_limit_and_a_success_start_the_count_again(viewer):
    client = Client()
    for _ in range(LIMIT - 1):
        sign_in(client, "victor", "wrong")
    assert sign_in(client, "victor", PASSWORD).status_code == 302
    for _ in range(LIMIT - 1):
        assert sign_in(Client(), "victor", "wrong").status_code == 200
    assert sign_in(Client(), "victor", PASSWORD).status_code == 302


def test_the_admin_login_is_locked_too(staff):
    client = Client()
    for _ in range(LIMIT):
        client.post("/admin/login/", {"username": "alice", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429 and not signed_in(client)


def test_the_token_endpoint_answers_429_with_a_message_after_the_limit(viewer):
    for _ in range(LIMIT - 1):
        assert ask_token("victor", "wrong").status_code == 400
    assert ask_token("victor", "wrong").status_code == 429

    response = ask_token("victor", PASSWORD)
    assert response.status_code == 429
    assert "token" not in response.json()
    assert "Too many failed sign-in attempts" in response.json()["detail"]
    assert "15 minutes" in response.json()["detail"]
    assert response["Retry-After"] == "900"


def test_the_web_login_and_the_token_endpoint_share_the_count(viewer):
    for _ in range(LIMIT):
        sign_in(Client(), "victor", "wrong")
    assert ask_token("victor", PASSWORD).status_code == 429


def test_a_made_up_x_forwarded_for_does_not_get_around_the_limit(viewer):
    for n in range(LIMIT):
        ask_token("victor", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        sign_in(Client(), "victor", "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert ask_token("victor", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429
    assert sign_in(Client(), "victor", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.98").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_x_forwarded_for_is_read_only_from_a_trusted_proxy(settings):
    factory = RequestFactory()
    direct = factory.get("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert client_ip(direct) == "203.0.113.5"  # no trusted proxy: the header is ignored

    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]
    assert client_ip(direct) == "203.0.113.5"  # not from a trusted proxy: still ignored
    proxied = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.8, 10.0.0.9")
    # From the right: 10.0.0.2 and 10.0.0.9 are the trusted proxies, 203.0.113.8 the client
    # (192.0.2.1 is what the client wrote, which nobody vouches for).
    assert client_ip(proxied) == "203.0.113.8"
    assert client_ip(factory.get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"


def test_behind_a_trusted_proxy_each_client_has_its_own_count(viewer, settings):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.1/32")]
    for _ in range(LIMIT):
        sign_in(Client(REMOTE_ADDR="10.0.0.1"), "victor", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.1")
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    assert sign_in(proxy, "victor", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 429
    assert sign_in(proxy, "victor", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 302


def test_the_lockout_is_in_the_database_so_a_fresh_client_is_refused(viewer):
    for _ in range(LIMIT):
        sign_in(Client(), "victor", "wrong")
    attempt = AccessAttempt.objects.get(username="victor")
    assert (attempt.ip_address, attempt.failures_since_start) == ("127.0.0.1", LIMIT)
    assert sign_in(Client(), "victor", PASSWORD).status_code == 429


def test_after_the_cool_off_the_right_password_works_again(viewer):
    client = Client()
    for _ in range(LIMIT):
        sign_in(client, "victor", "wrong")
    assert sign_in(client, "victor", PASSWORD).status_code == 429
    # Each attempt during the lockout starts the wait again: set the last one back past the cool-off.
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - datetime.timedelta(minutes=16))
    assert sign_in(client, "victor", PASSWORD).status_code == 302 and signed_in(client)
    assert ask_token("victor", PASSWORD).status_code == 200


def test_a_lockout_holds_in_another_process(tmp_path):
    """Two `manage.py shell` processes on one (scratch SQLite) database: the second is refused."""
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'scratch.sqlite3'}",
        "DEBUG": "1",
        "SECRET_KEY": "brute-force-drill",
    }

    def manage(*arguments: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "manage.py", *arguments], cwd=ROOT, env=environment, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return [line.split()[1] for line in done.stdout.splitlines() if line.startswith("status ")]

    manage("migrate", "--verbosity", "0")
    first = manage("shell", "-c", SIGN_IN.format(setup=CREATE_USER, password="wrong", times=LIMIT, remote="127.0.0.1"))
    assert first == ["200"] * (LIMIT - 1) + ["429"]
    second = manage("shell", "-c", SIGN_IN.format(setup="", password="right-password-42", times=1, remote="127.0.0.1"))
    assert second == ["429"]
    # The password is right: from another address it signs in.
    third = manage("shell", "-c", SIGN_IN.format(setup="", password="right-password-42", times=1, remote="192.0.2.4"))
    assert third == ["302"]


CREATE_USER = """
from django.contrib.auth.models import User
User.objects.create_user("ada", password="right-password-42")
"""
SIGN_IN = """
{setup}
from django.test import Client
for _ in range({times}):
    client = Client(HTTP_HOST="localhost", REMOTE_ADDR="{remote}")
    response = client.post("/accounts/login/", {{"username": "ada", "password": "{password}"}})
    print("status", response.status_code)
"""


def ask_reset(email: str, remote_addr: str = "127.0.0.1"):
    return Client(REMOTE_ADDR=remote_addr).post("/accounts/password_reset/", {"email": email})


def test_password_reset_sends_at_most_five_e_mails_an_hour_per_address(viewer):
    answers = [ask_reset(viewer.email, remote_addr=f"198.51.100.{n}") for n in range(LIMIT + 2)]
    assert len(mail.outbox) == LIMIT
    # The same answer every time: the "check your e-mail" page, whether or not one was sent.
    assert {(a.status_code, a["Location"]) for a in answers} == {(302, "/accounts/password_reset/done/")}


def test_password_reset_sends_at_most_five_an_hour_from_one_client_address(viewer, staff):
    for n in range(LIMIT):
        ask_reset(f"nobody{n}@example.org")
    assert len(mail.outbox) == 0  # no account: no e-mail, but counted
    response = ask_reset(viewer.email)
    assert (response.status_code, response["Location"]) == (302, "/accounts/password_reset/done/")
    assert len(mail.outbox) == 0
    ask_reset(staff.email, remote_addr="198.51.100.1")
    assert len(mail.outbox) == 1


def test_password_reset_requests_older_than_an_hour_do_not_count(viewer):
    for _ in range(LIMIT):
        ask_reset(viewer.email)
    assert len(mail.outbox) == LIMIT
    PasswordResetRequest.objects.update(requested_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    ask_reset(viewer.email)
    assert len(mail.outbox) == LIMIT + 1
    assert PasswordResetRequest.objects.count() == 1  # the ones over a day old were deleted
