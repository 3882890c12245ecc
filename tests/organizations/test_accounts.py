"""Accounts as CTED staff manage them: invitations by e-mail, deactivation; and a focal point's own details."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone

from audit.models import SecurityEvent
from notifications.delivery import deliver_pending
from notifications.models import Reminder
from organizations.models import ApiToken, FocalPoint
from organizations.roles import Role, user_role
from organizations.services import api_token_create, invitation_resend, user_invite
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "a long and new passphrase 42"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def signs_in(username: str, password: str) -> bool:
    """Whether the sign-in page lets ``username`` in with ``password``."""
    client = Client()
    client.post("/accounts/login/", {"username": username, "password": password})
    return "_auth_user_id" in client.session


def invitation_link(address: str) -> str:
    """The path of the link in the last invitation e-mailed to ``address``."""
    deliver_pending()
    [message] = [m for m in mail.outbox if m.to == [address]][-1:]
    [link] = re.findall(r"https?://[^/\s]+(/accounts/invitation/[^\s]+/)", message.body)
    return link


def test_staff_invite_a_focal_point_who_sets_a_password_and_signs_in(staff, icao):
    response = signed_in(staff).post(
        "/accounts/people/invite/",
        {"name": "Ana Lima", "email": "Ana.Lima@icao.example.org", "role": "focal_point", "organization": "ICAO"},
        follow=True,
    )
    assert "Invitation sent to Ana.Lima@icao.example.org." in response.content.decode()
    ana = User.objects.get(username="ana.lima@icao.example.org")
    assert not ana.has_usable_password() and ana.is_active and ana.get_full_name() == "Ana Lima"
    assert user_role(ana) == Role.FOCAL_POINT
    assert FocalPoint.objects.get(user=ana).organization == icao

    deliver_pending()
    [message] = [m for m in mail.outbox if m.to == ["Ana.Lima@icao.example.org"]]
    assert message.subject == "You are invited to the plan-of-action tracker as focal point of ICAO"
    assert "Your username is ana.lima@icao.example.org." in message.body and "within 14 days" in message.body
    link = invitation_link("Ana.Lima@icao.example.org")

    visitor = Client()
    page = visitor.get(link)
    assert page.status_code == 200 and "ana.lima@icao.example.org" in page.content.decode()
    mismatch = visitor.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD + "!"})
    assert mismatch.status_code == 400 and not User.objects.get(pk=ana.pk).has_usable_password()
    done = visitor.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD}, follow=True)
    assert done.redirect_chain[-1][0] == "/"
    home = done.content.decode()
    assert "Welcome, Ana Lima: your password is set." in home and "ICAO in the open stocktaking cycles" in home

    # The link works once; the password signs in from now on.
    assert Client().get(link).status_code == 410
    assert signs_in("ana.lima@icao.example.org", PASSWORD)
    kinds = set(SecurityEvent.objects.filter(username=ana.username).values_list("kind", flat=True))
    assert {"account_invited", "password_changed", "signed_in"} <= kinds


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        ({"role": "focal_point"}, "organization", "A focal point belongs to an organization"),
        ({"role": "viewer", "organization": "ICAO"}, "organization", "Only focal points belong to an organization."),
        ({"role": "viewer", "email": "not an address"}, "email", "Enter a valid email address."),
        ({"role": "viewer", "email": "victor@example.org"}, "email", "victor@example.org already has an account"),
        ({"role": "nobody"}, "role", "Select a valid choice."),
        ({"role": "viewer", "name": ""}, "name", "This field is required."),
    ],
)
def test_an_invitation_that_cannot_be_sent_says_why_and_makes_nothing(staff, viewer, posted, field, message):
    viewer.email = "victor@example.org"
    viewer.save()
    before = User.objects.count()
    data = {"name": "Someone", "email": "someone@example.org"} | posted
    response = signed_in(staff).post("/accounts/people/invite/", data)
    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    assert User.objects.count() == before and not Reminder.objects.filter(step="invitation").exists()


def test_only_staff_manage_accounts(secretariat, focal_point, viewer):
    for user in (secretariat, focal_point, viewer):
        client = signed_in(user)
        assert client.get("/accounts/people/").status_code == 403
        assert client.get("/accounts/people/invite/").status_code == 403
        assert client.post(f"/accounts/people/{viewer.pk}/deactivate/").status_code == 403
        assert "/accounts/people/" not in client.get("/").content.decode()
    assert User.objects.get(pk=viewer.pk).is_active


def test_inviting_again_sends_a_new_link_and_the_earlier_one_stops_working(staff):
    person = user_invite(email="p@example.org", name="P Q", role=Role.VIEWER, organization=None, invited_by=staff)
    first = invitation_link("p@example.org")
    response = signed_in(staff).post(f"/accounts/people/{person.pk}/invite/", follow=True)
    assert "A new invitation was sent to p@example.org" in response.content.decode()
    second = invitation_link("p@example.org")
    assert first != second
    assert Client().get(first).status_code == 410
    assert Client().get(second).status_code == 200


def test_an_expired_or_forged_invitation_link_is_refused(staff, monkeypatch):
    user_invite(email="p@example.org", name="P", role=Role.VIEWER, organization=None, invited_by=staff)
    link = invitation_link("p@example.org")
    assert Client().get(link[:-3] + "xx/").status_code == 404
    monkeypatch.setattr("organizations.invitations.INVITATION_VALID_DAYS", -1)
    expired = Client().get(link)
    assert expired.status_code == 410 and "This invitation has expired" in expired.content.decode()


def test_a_deactivated_invitation_does_not_come_back_with_the_account(staff):
    person = user_invite(email="p@example.org", name="P", role=Role.VIEWER, organization=None, invited_by=staff)
    link = invitation_link("p@example.org")
    client = signed_in(staff)
    client.post(f"/accounts/people/{person.pk}/deactivate/")
    assert Client().get(link).status_code == 404  # no active account
    client.post(f"/accounts/people/{person.pk}/reactivate/")
    assert Client().get(link).status_code == 410  # replaced: they are invited again
    client.post(f"/accounts/people/{person.pk}/invite/")
    assert Client().get(invitation_link("p@example.org")).status_code == 200


def test_someone_with_a_password_is_not_invited_again(staff, viewer):
    with pytest.raises(Exception, match="has set a password already"):
        invitation_resend(user=viewer, actor=staff)


def test_a_deactivated_account_cannot_sign_in_nor_use_its_tokens_and_leaves_the_directory(staff, focal_point):
    _, key = api_token_create(user=focal_point, name="sync")
    focal_point.set_password(PASSWORD)
    focal_point.save()
    assert signs_in("bob", PASSWORD)
    session = signed_in(focal_point)
    response = signed_in(staff).post(f"/accounts/people/{focal_point.pk}/deactivate/", follow=True)
    assert "bob&#x27;s account is deactivated." in response.content.decode()
    focal_point.refresh_from_db()
    assert not focal_point.is_active
    assert session.get("/").status_code == 302  # the open session ends
    assert not signs_in("bob", PASSWORD)
    assert not ApiToken.objects.filter(user=focal_point, revoked_at__isnull=True).exists()
    assert Client().get("/api/v1/plans/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert not FocalPoint.objects.get(user=focal_point).is_active
    assert SecurityEvent.objects.filter(kind="account_deactivated", username="bob", user=staff).exists()

    signed_in(staff).post(f"/accounts/people/{focal_point.pk}/reactivate/")
    focal_point.refresh_from_db()
    assert focal_point.is_active and FocalPoint.objects.get(user=focal_point).is_active
    assert ApiToken.objects.get(user=focal_point).revoked_at is not None  # tokens stay revoked


def test_staff_cannot_deactivate_their_own_account(staff):
    response = signed_in(staff).post(f"/accounts/people/{staff.pk}/deactivate/", follow=True)
    assert "You cannot deactivate your own account" in response.content.decode()
    staff.refresh_from_db()
    assert staff.is_active


def test_the_people_page_lists_accounts_a_page_at_a_time_and_finds_one(staff, focal_point, viewer):
    from organizations.views import PEOPLE_PAGE_SIZE

    for n in range(PEOPLE_PAGE_SIZE + 5):
        UserFactory(username=f"person{n:03}", role=Role.VIEWER)
    client = signed_in(staff)
    first = client.get("/accounts/people/").content.decode()
    assert len(re.findall(r'<td data-label="Username">', first)) == PEOPLE_PAGE_SIZE
    assert "Page 1 of 2" in first
    found = client.get("/accounts/people/", {"q": "bob"}).content.decode()
    assert re.findall(r'<td data-label="Username">([^<]+)</td>', found) == ["bob"]
    assert 'href="/organizations/ICAO/"' in found and "Focal point" in found


def test_the_people_page_s_queries_do_not_grow_with_the_accounts(staff, icao, django_assert_max_num_queries):
    client = signed_in(staff)
    client.get("/accounts/people/")
    with django_assert_max_num_queries(8) as few:
        client.get("/accounts/people/")
    for n in range(20):
        UserFactory(username=f"fp{n:02}", role=Role.FOCAL_POINT, organization=icao)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/accounts/people/")


def test_a_focal_point_keeps_their_own_contact_details(focal_point):
    client = signed_in(focal_point)
    page = client.get("/accounts/profile/").content.decode()
    assert "Your details as focal point of ICAO" in page
    saved = client.post(
        "/accounts/profile/",
        {
            "form": "details",
            "name": "Bob Brown",
            "title": "Director",
            "email": "bob.new@icao.example.org",
            "phone": "+1",
        },
        follow=True,
    )
    assert "Your details as focal point of ICAO are saved." in saved.content.decode()
    details = FocalPoint.objects.get(user=focal_point)
    assert (details.name, details.title, details.email, details.phone) == (
        "Bob Brown",
        "Director",
        "bob.new@icao.example.org",
        "+1",
    )
    assert details.confirmed_on == timezone.localdate()
    before = focal_point.email
    focal_point.refresh_from_db()
    assert focal_point.email == before  # the account's own address (sign-in, reset) is CTED's to change

    wrong = client.post("/accounts/profile/", {"form": "details", "name": "", "email": "nope"})
    assert wrong.status_code == 400
    assert set(wrong.context["details"].errors) == {"name", "email"}
    assert FocalPoint.objects.get(user=focal_point).name == "Bob Brown"


def test_the_e_mail_choice_is_still_saved_beside_the_details(focal_point):
    client = signed_in(focal_point)
    client.post("/accounts/profile/", {"form": "mail", "mail": "reminders"})
    assert focal_point.profile.mail == "reminders"
    assert (
        "Your details as focal point"
        not in signed_in(UserFactory(role=Role.VIEWER)).get("/accounts/profile/").content.decode()
    )
