"""The accounts' pages in French (issue 13): people and invitations, an invitation accepted, API tokens,
a focal point's yearly confirmation, a participant's leaving, the passwords and a locked sign-in; and
the messages and errors behind them, on the pages and from the API.

Each page is read by each role that can see it, with no English message of the catalogue left
(``english_left``) and some of its French checked word for word.
"""

import datetime

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from actions.models import Participation, ReviewState
from actions.services import participant_leave
from organizations.confirmation import confirmation_token
from organizations.invitations import invitation_token
from organizations.models import ApiToken, FocalPoint
from organizations.roles import Role
from organizations.services import api_token_create, api_token_revoke, user_invite
from tests.factories import StatusEntryFactory, UserFactory
from tests.helpers import nairobi
from tests.tracker.test_french_pages import english_left, in_french

pytestmark = pytest.mark.django_db

NBSP = "\xa0"
CICA = "cica-2008"  # CICA and IOM take part, since 1 February 2008
PASSWORD = "a-long-test-password"  # the factories' password
NEW_PASSWORD = "a long and new passphrase 42"


def french_page(response, status: int = 200) -> str:
    assert response.status_code == status, response.content[:500]
    html = response.content.decode()
    assert english_left(html) == []
    return html


# --- People (CTED staff) ---------------------------------------------------------------------


def test_the_people_page_in_french(staff, focal_point, viewer):
    invited = user_invite(email="p@example.org", name="P Q", role=Role.VIEWER, organization=None, invited_by=staff)
    closed = UserFactory(username="zed", role=Role.VIEWER)
    closed.is_active = False
    closed.save()
    staff.last_login = timezone.make_aware(datetime.datetime(2026, 12, 7, 9, 30))
    staff.save()
    html = french_page(in_french(staff).get("/accounts/people/"))
    assert "<h1>Utilisateurs</h1>" in html and "Inviter une personne" in html
    assert ">Nom d’utilisateur</th>" in html and "5 comptes." in html
    assert "Invitation envoyée" in html and "pas encore de mot de passe" in html and "Désactivé" in html
    assert 'Actif <span class="muted">· dernière connexion le 7 décembre 2026</span>' in html
    assert "Inviter de nouveau" in html and ">Réactiver<" in html and ">Désactiver<" in html
    assert invited.username in html and closed.username in html
    assert "Personnel de la DECT" in html and "Point focal" in html  # the roles, by their French names


def test_the_people_search_in_french_says_when_nothing_matches(staff):
    html = french_page(in_french(staff).get("/accounts/people/", {"q": "nobody at all"}))
    assert "Aucun compte ne correspond." in html and "Tout afficher" in html
    assert "Nom, nom d’utilisateur ou adresse électronique" in html


def test_the_invitation_form_in_french(staff):
    html = french_page(in_french(staff).get("/accounts/people/invite/"))
    assert "<h1>Inviter une personne</h1>" in html
    assert "un lien, valable 14 jours, pour définir son mot de passe" in html
    assert "Pour un point focal" + NBSP + ": l’organisation au nom de laquelle il rend compte." in html
    assert "Envoyer l’invitation" in html and "Choisir l’organisation" in html


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"role": "focal_point"}, "Un point focal relève d’une organisation" + NBSP + ": indiquez son sigle."),
        ({"role": "viewer", "organization": "ICAO"}, "Seuls les points focaux relèvent d’une organisation."),
        ({"role": "viewer", "email": "victor@example.org"}, "L’adresse victor@example.org a déjà un compte"),
        ({"role": "viewer", "name": ""}, "Ce champ est obligatoire."),  # Django's own
    ],
)
def test_the_invitation_form_s_errors_in_french(staff, viewer, posted, message):
    viewer.email = "victor@example.org"
    viewer.save()
    data = {"name": "Someone", "email": "someone@example.org"} | posted
    html = french_page(in_french(staff).post("/accounts/people/invite/", data), status=400)
    assert message in html


def test_inviting_and_closing_accounts_say_so_in_french(staff, viewer):
    client = in_french(staff)
    invited = client.post(
        "/accounts/people/invite/",
        {"name": "Ana Lima", "email": "ana@example.org", "role": "viewer"},
        follow=True,
    )
    assert "Invitation envoyée à ana@example.org." in french_page(invited)
    ana = invited.context["user"].__class__.objects.get(username="ana@example.org")
    again = client.post(f"/accounts/people/{ana.pk}/invite/", follow=True)
    assert "Une nouvelle invitation a été envoyée à ana@example.org" + NBSP + "; le lien précédent" in french_page(
        again
    )
    closed = client.post(f"/accounts/people/{viewer.pk}/deactivate/", follow=True)
    assert "Le compte victor est désactivé." in french_page(closed)
    refused = client.post(f"/accounts/people/{viewer.pk}/invite/", follow=True)
    assert "victor a déjà défini un mot de passe" in french_page(refused)
    opened = client.post(f"/accounts/people/{viewer.pk}/reactivate/", follow=True)
    assert "Le compte victor est de nouveau actif." in french_page(opened)
    own = client.post(f"/accounts/people/{staff.pk}/deactivate/", follow=True)
    assert "Vous ne pouvez pas désactiver votre propre compte" + NBSP + ":" in french_page(own)


@pytest.mark.parametrize("role", ["secretariat", "focal_point", "viewer"])
def test_the_people_pages_refuse_other_roles_in_french(request, role):
    html = french_page(in_french(request.getfixturevalue(role)).get("/accounts/people/"), status=403)
    assert "Seul le personnel de la DECT invite des personnes et désactive des comptes." in html


# --- An invitation accepted (the invited person, not signed in) ------------------------------


@pytest.fixture
def invited_focal_point(staff, icao):
    return user_invite(
        email="ana@icao.example.org", name="Ana Lima", role=Role.FOCAL_POINT, organization=icao, invited_by=staff
    )


def test_an_invitation_accepted_in_french(invited_focal_point):
    link = f"/accounts/invitation/{invitation_token(invited_focal_point)}/"
    client = in_french(None)
    html = french_page(client.get(link))
    assert "<h1>Bienvenue dans l’outil de suivi des plans d’action</h1>" in html
    name = invited_focal_point.focal_point.organization.name
    assert (
        "Vous vous connectez avec le nom d’utilisateur <strong>ana@icao.example.org</strong>, en qualité de point "
        f"focal de {name} (ICAO). Choisissez votre mot de passe." in html
    )
    assert "Définir mon mot de passe et me connecter" in html
    mismatch = french_page(client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": "other"}), status=400)
    assert "Les deux mots de passe ne correspondent pas." in mismatch  # Django's own
    done = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True)
    assert "Bienvenue, Ana Lima" + NBSP + ": votre mot de passe est défini." in french_page(done)
    used = french_page(in_french(None).get(link), status=410)
    assert "<h1>Cette invitation a déjà été utilisée</h1>" in used and "réinitialisez votre mot de passe" in used


def test_an_invitation_to_a_viewer_in_french_names_no_organization(staff):
    person = user_invite(email="p@example.org", name="P", role=Role.VIEWER, organization=None, invited_by=staff)
    html = french_page(in_french(None).get(f"/accounts/invitation/{invitation_token(person)}/"))
    assert (
        "Vous vous connectez avec le nom d’utilisateur <strong>p@example.org</strong>. Choisissez votre mot de passe."
        in html
    )


def test_an_expired_invitation_in_french(invited_focal_point, monkeypatch):
    link = f"/accounts/invitation/{invitation_token(invited_focal_point)}/"
    monkeypatch.setattr("organizations.invitations.INVITATION_VALID_DAYS", -1)
    html = french_page(in_french(None).get(link), status=410)
    assert "<h1>Cette invitation a expiré</h1>" in html
    assert "Une invitation est valable 14 jours. Demandez-en une nouvelle à la DECT." in html


# --- API tokens (every role) -----------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "secretariat", "focal_point", "viewer"])
def test_the_api_tokens_page_in_french(request, role):
    user = request.getfixturevalue(role)
    revoked, _key = api_token_create(user=user, name="old script")
    api_token_revoke(token=revoked, actor=user)
    expired, _key = api_token_create(user=user, name="older script")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - datetime.timedelta(days=1))
    api_token_create(user=user, name="current script")
    client = in_french(user)
    html = french_page(client.get("/accounts/tokens/"))
    assert "<h1>Vos jetons d’API</h1>" in html and "Authorization: Token &lt;clé&gt;" in html
    assert ">Dernière utilisation</th>" in html and ">jamais<" in html
    assert "révoqué le" in html and ">expiré<" in html and ">actif<" in html and ">Révoquer<" in html
    assert "À quoi sert le jeton, par exemple le programme qui l’utilisera." in html
    made = french_page(client.post("/accounts/tokens/", {"name": "a new one"}))
    assert "La clé de votre nouveau jeton" + NBSP + ":" in made and "Copiez-la maintenant" + NBSP + ":" in made
    token = ApiToken.objects.filter(user=user, revoked_at__isnull=True, name="a new one").get()
    revoking = client.post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)
    assert f"Le jeton {token.prefix}… est révoqué." in french_page(revoking)


def test_the_api_tokens_page_with_none_in_french(viewer):
    html = french_page(in_french(viewer).get("/accounts/tokens/"))
    assert "Vous n’avez aucun jeton d’API." in html and "<h2>Créer un jeton</h2>" in html


# --- A focal point's yearly confirmation (from the link, not signed in) ----------------------


@pytest.fixture
def directory_entry(focal_point) -> FocalPoint:
    return FocalPoint.objects.get(user=focal_point)


def test_the_focal_point_confirmation_in_french(directory_entry):
    link = f"/focal-points/confirm/{confirmation_token(directory_entry)}/"
    client = in_french(None)
    html = french_page(client.get(link))
    assert "<h1>Vos coordonnées de point focal de ICAO</h1>" in html and "Confirmer mes coordonnées" in html
    assert '<label for="id_title">Fonction</label>' in html
    wrong = french_page(client.post(link, {"name": "", "email": "nowhere"}), status=400)
    assert "Ce champ est obligatoire." in wrong  # Django's own
    data = {"name": "Bob Stone", "title": "Officer", "email": "bob@icao.example.org", "phone": ""}
    done = french_page(client.post(link, data))
    assert "<h1>Merci</h1>" in done and "Vos coordonnées de point focal de ICAO sont confirmées." in done
    used = french_page(in_french(None).get(link), status=410)
    assert "<h1>Ce lien a déjà été utilisé</h1>" in used and "attendez le lien de l’année prochaine" in used


def test_an_expired_confirmation_link_in_french(directory_entry, monkeypatch):
    link = f"/focal-points/confirm/{confirmation_token(directory_entry)}/"
    monkeypatch.setattr("organizations.confirmation.CONFIRM_VALID_DAYS", -1)
    html = french_page(in_french(None).get(link), status=410)
    assert "<h1>Ce lien a expiré</h1>" in html and "Demandez-en un nouveau au secrétariat" in html


def test_a_focal_point_s_details_saved_on_the_profile_say_so_in_french(focal_point):
    data = {"form": "details", "name": "Bob", "title": "", "email": "bob@icao.example.org", "phone": ""}
    response = in_french(focal_point).post("/accounts/profile/", data, follow=True)
    assert "Vos coordonnées de point focal de ICAO sont enregistrées." in french_page(response)


# --- A participant leaving a plan (CTED staff) -----------------------------------------------


def participation(acronym: str) -> Participation:
    return Participation.objects.get(plan__code=CICA, organization__acronym=acronym)


def test_the_participant_leave_form_in_french(staff):
    iom = participation("IOM")
    path = f"/plans/{CICA}/participants/{iom.pk}/left/"
    client = in_french(staff)
    html = french_page(client.get(path))
    assert "<h1>Enregistrer la sortie de IOM du plan</h1>" in html
    joined = iom.joined_on
    assert f"participe au plan depuis le {joined.day} " in html and "ce dont elle a rendu compte est conservé" in html
    assert ">Enregistrer</button>" in html and "Sortie de IOM le" in html
    done = client.post(path, {"left_on": "2026-12-07"}, follow=True)
    assert "IOM a quitté le plan le 7 décembre 2026." in done.content.decode()
    again = client.post(path, {"left_on": "2026-12-08"})
    french_page(again, status=400)
    assert again.context["form"].errors == {"left_on": ["IOM a déjà quitté ce plan le 7 décembre 2026."]}


def test_the_participant_leave_page_after_the_leaving_in_french(staff):
    iom = participation("IOM")
    participant_leave(participation=iom, left_on=datetime.date(2026, 12, 7), actor=staff)
    html = french_page(in_french(staff).get(f"/plans/{CICA}/participants/{iom.pk}/left/"))
    assert "a quitté le plan le 7 décembre 2026." in html and "Retour aux participants" in html


@pytest.mark.parametrize("role", ["secretariat", "focal_point", "viewer"])
def test_the_participant_leave_form_is_refused_in_french(request, role):
    iom = participation("IOM")
    response = in_french(request.getfixturevalue(role)).get(f"/plans/{CICA}/participants/{iom.pk}/left/")
    html = french_page(response, status=403)
    assert "Seul le personnel de la DECT ajoute des participants à un plan et enregistre leur sortie." in html


# --- Entries, reviews and declarations: the messages ------------------------------------------


def test_logging_and_reviewing_say_so_in_french(staff, focal_point):
    activity = nairobi("3.2")
    data = {
        "organization": activity.responsibilities.get(organization__acronym="ICAO").organization_id,
        "status": "in_progress",
        "observations": "Model legislation circulated.",
        "confidentiality": "participants",
        "reported_on": "2026-01-05",
    }
    logged = in_french(focal_point).post(f"/activities/{activity.pk}/", data, follow=True)
    assert "Avancement saisi" + NBSP + "; la DECT l’examinera." in logged.content.decode()
    entry = StatusEntryFactory(
        activity=activity, organization=focal_point.focal_point.organization, review_state=ReviewState.SUBMITTED
    )
    returned = in_french(staff).post(f"/review/{entry.pk}/", {"decision": "return", "comment": ""}, follow=True)
    html = french_page(returned)
    assert (
        "Entrée 3.2 (ICAO)"
        + NBSP
        + ": Indiquez pourquoi l’entrée est renvoyée"
        + NBSP
        + ": l’organisation qui rend compte lira ce motif."
        in html
    )


# --- Passwords and a locked sign-in ----------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "secretariat", "focal_point", "viewer"])
def test_the_password_change_pages_in_french(request, role):
    user = request.getfixturevalue(role)
    client = in_french(user)
    html = french_page(client.get("/accounts/password_change/"))
    assert "<h1>Modifier votre mot de passe</h1>" in html and ">Modifier le mot de passe</button>" in html
    assert "Ancien mot de passe" in html  # Django's own label
    done = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    html = french_page(done)
    assert "<h1>Mot de passe modifié</h1>" in html and "Retour à l’outil de suivi</a>." in html


def test_the_password_reset_pages_in_french(viewer):
    client = in_french(None)
    html = french_page(client.get("/accounts/password_reset/"))
    assert "<h1>Réinitialiser votre mot de passe</h1>" in html
    assert "Indiquez l’adresse électronique de votre compte" + NBSP + "; nous vous enverrons un lien" in html
    sent = french_page(
        client.post("/accounts/password_reset/", {"email": viewer.email or "v@example.org"}, follow=True)
    )
    assert "<h1>Consultez votre messagerie</h1>" in sent and "vous a été envoyé." in sent

    uid = urlsafe_base64_encode(force_bytes(viewer.pk))
    link = f"/accounts/reset/{uid}/{default_token_generator.make_token(viewer)}/"
    form = client.get(link, follow=True)
    html = french_page(form)
    assert "<h1>Choisir un nouveau mot de passe</h1>" in html and ">Définir le mot de passe</button>" in html
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    complete = french_page(client.get(done["Location"]))
    assert "<h1>Mot de passe défini</h1>" in complete and "Votre nouveau mot de passe est défini." in complete

    spent = french_page(in_french(None).get(link, follow=True))
    assert "<h1>Ce lien ne peut pas être utilisé</h1>" in spent and "Demandez-en un nouveau</a>." in spent


def test_the_locked_sign_in_page_in_french(viewer):
    client = in_french(None)
    for _ in range(5):
        client.post("/accounts/login/", {"username": "victor", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "victor", "password": PASSWORD})
    html = french_page(response, status=429)
    assert "<h1>Connexion verrouillée pendant 15 minutes</h1>" in html
    assert "dans 15 minutes.</strong> Toute tentative d’ici là relance l’attente." in html
    assert "demandez un lien pour en choisir un nouveau</a>" in html


# --- The API's errors in French ---------------------------------------------------------------


def french_api(user=None, key: str | None = None) -> APIClient:
    client = APIClient(headers={"accept-language": "fr"})
    if key is None and user is not None:
        _token, key = api_token_create(user=user, name="test client")
    if key is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_service_s_validation_error_comes_back_in_french_from_the_api(staff, focal_point, icao):
    entry = StatusEntryFactory(activity=nairobi("3.2"), organization=icao, review_state=ReviewState.SUBMITTED)
    _token, key = api_token_create(user=staff, name="test client")
    response = french_api(key=key).post(
        f"/api/v1/status-entries/{entry.pk}/review/", {"decision": "return", "comment": ""}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "comment": [
            "Indiquez pourquoi l’entrée est renvoyée" + NBSP + ": l’organisation qui rend compte lira ce motif."
        ]
    }
    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    logged = french_api(focal_point).post(
        "/api/v1/status-entries/",
        {
            "activity": nairobi("3.2").pk,
            "organization": "ICAO",
            "status": "in_progress",
            "observations": "Circulated.",
            "reported_on": future,
        },
        format="json",
    )
    assert logged.status_code == 400
    assert logged.json()["reported_on"] == [
        "Une entrée rend compte d’un jour déjà venu" + NBSP + ": aujourd’hui ou un jour antérieur."
    ]
    # In English without the header, as before.
    english = APIClient()
    english.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert english.post(f"/api/v1/status-entries/{entry.pk}/review/", {"decision": "return"}, format="json").json() == {
        "comment": ["Say why the entry is returned: the reporting organization reads this."]
    }


def test_a_revoked_token_is_refused_in_french(viewer):
    token, key = api_token_create(user=viewer, name="old script")
    api_token_revoke(token=token, actor=viewer)
    response = french_api(key=key).get("/api/v1/plans/")
    assert response.status_code == 401 and response.json() == {"detail": "Ce jeton a été révoqué."}


def test_a_locked_out_token_request_is_answered_in_french(viewer):
    client = APIClient(headers={"accept-language": "fr"})
    for _ in range(5):
        client.post("/api/v1/auth/token/", {"username": "victor", "password": "wrong"})
    response = client.post("/api/v1/auth/token/", {"username": "victor", "password": PASSWORD})
    assert response.status_code == 429
    assert response.json()["detail"].startswith(
        "Trop de tentatives de connexion ont échoué" + NBSP + ": ce compte est verrouillé depuis votre adresse "
        "pendant 15 minutes."
    )
