import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from organizations.models import FocalPoint
from organizations.roles import Role, user_role

pytestmark = pytest.mark.django_db


def test_create_user_makes_a_focal_point_of_an_organization(monkeypatch):
    monkeypatch.setenv("TRACKER_PASSWORD", "a-long-pass-phrase")
    call_command("create_user", "ada", "--role", "focal_point", "--organization", "icao", "--email", "ada@x.org")
    user = get_user_model().objects.get(username="ada")
    assert user.check_password("a-long-pass-phrase")
    assert user_role(user) == Role.FOCAL_POINT
    assert FocalPoint.objects.get(user=user).organization.acronym == "ICAO"
    assert not user.is_staff


def test_create_user_staff_may_use_the_admin(monkeypatch):
    monkeypatch.setenv("TRACKER_PASSWORD", "a-long-pass-phrase")
    call_command("create_user", "cted", "--role", "staff")
    assert get_user_model().objects.get(username="cted").is_staff


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--role", "focal_point", "--email", "x@y.org"], "A focal point belongs to an organization"),
        (["--role", "viewer", "--organization", "ICAO"], "Only focal points belong to an organization"),
        (["--role", "focal_point", "--organization", "NOPE"], "No organization has the acronym 'NOPE'"),
    ],
)
def test_create_user_refuses_bad_input_and_writes_nothing(monkeypatch, arguments, message):
    monkeypatch.setenv("TRACKER_PASSWORD", "a-long-pass-phrase")
    with pytest.raises(CommandError, match=message):
        call_command("create_user", "ada", *arguments)
    assert not get_user_model().objects.filter(username="ada").exists()
    assert not FocalPoint.objects.exists()


def test_create_user_refuses_a_weak_password_and_a_taken_name(monkeypatch, viewer):
    monkeypatch.setenv("TRACKER_PASSWORD", "123")
    with pytest.raises(CommandError, match="too short"):
        call_command("create_user", "ada", "--role", "viewer")
    monkeypatch.setenv("TRACKER_PASSWORD", "a-long-pass-phrase")
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_user", "VICTOR", "--role", "viewer")


def test_create_user_without_a_password_and_no_terminal_says_so(monkeypatch):
    monkeypatch.delenv("TRACKER_PASSWORD", raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt: (_ for _ in ()).throw(EOFError()))
    with pytest.raises(CommandError, match="TRACKER_PASSWORD"):
        call_command("create_user", "ada", "--role", "viewer")


def test_demo_accounts_print_one_account_per_role_and_refuse_on_a_deployment(settings, capsys):
    with pytest.raises(CommandError, match="LOCAL=1"):
        call_command("demo_accounts")
    settings.LOCAL = True
    call_command("demo_accounts")
    call_command("demo_accounts")  # again: the same accounts, new passwords
    printed = capsys.readouterr().out
    users = get_user_model().objects.filter(username__startswith="demo-")
    assert {user_role(u) for u in users} == set(Role)
    for user in users:
        assert user.username in printed
    focal_point = users.get(username="demo-focal-point")
    password = printed.rsplit("demo-focal-point", 1)[1].split()[0]
    assert focal_point.check_password(password)
