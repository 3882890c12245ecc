"""E-mails in their recipient's language (issue 13): each goes in the language its reader chose, its days
in that language too, and one in French holds no English of the interface (subject, text and HTML).

Bob (ICAO's focal point) reads French; Ines, ICAO's other focal point, chose no language: English.
"""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage
from django.test import Client
from django.utils import dateformat, timezone, translation

from notifications.delivery import deliver_pending
from organizations.models import MailPreference, Profile
from organizations.roles import Role
from organizations.services import invitation_resend, language_choose, user_invite
from tests.factories import UserFactory
from tests.notifications.mailbox import SITE, html, one_to, run_job, settle
from tests.reports.scenario import DEADLINE, accept, give_back, log, new_cycle, populate
from tests.tracker.test_french_pages import english_left, in_french

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("named_only")]

BOB, INES, ALICE, SAM = "bob@example.org", "ines@icao.example.org", "alice@example.org", "sam@example.org"
NB = "\u00a0"

# Every e-mail template, and the tests below that render it in French (the list is checked against the folder).
TEMPLATES = {
    "base.html",
    "cycle_reminder",
    "entry_logged",
    "entry_returned",
    "digest",
    "_digest_entry",
    "_digest_awaiting",
    "_digest_silent",
    "matrix",
    "confirm_details",
    "report_ready",
    "invitation",
}


@pytest.fixture(autouse=True)
def site(settings, tmp_path):
    settings.SITE_URL = SITE
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REMINDER_DAYS_BEFORE = [14, 7, 1]


@pytest.fixture
def ines(icao):
    """ICAO's second focal point, with an account and no language chosen."""
    return UserFactory(username="ines", email=INES, role=Role.FOCAL_POINT, organization=icao)


def in_french_entirely(message: EmailMessage) -> None:
    """No interface English in the subject, the text or the HTML of ``message``, written in French."""
    assert '<html lang="fr" dir="ltr">' in html(message)
    assert english_left(html(message)) == []
    assert english_left(message.body) == [], message.body
    assert english_left(message.subject) == [], message.subject
    # The link to the profile, in every e-mail's footer.
    assert "choisir ce que nous vous envoyons par courriel, et en quelle langue" in html(message)


def in_language(language: str, day: datetime.date) -> str:
    """``day`` as the e-mails write it in ``language``: "7 décembre 2026"."""
    with translation.override(language):
        return dateformat.format(day, "j F Y")


def wants_digests(*users) -> None:
    for user in users:
        Profile.objects.update_or_create(user=user, defaults={"mail": MailPreference.REMINDERS_AND_DIGESTS})


def test_every_e_mail_template_is_checked_in_french():
    folder = Path(settings.BASE_DIR) / "notifications/templates/emails"
    names = {re.sub(r"(_subject)?\.(txt|html)$", "", path.name) for path in folder.iterdir()}
    assert names - {"base"} | {"base.html"} == TEMPLATES


# --- The receipts: an entry logged, an entry returned ---


def test_a_french_focal_point_hears_of_a_returned_entry_in_french_and_an_english_one_in_english(
    staff, focal_point, ines, django_capture_on_commit_callbacks
):
    language_choose(user=focal_point, language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        entry = log(focal_point, "3.2", "ICAO", "in_progress", "Model legislation circulated.")
    settle()
    with django_capture_on_commit_callbacks(execute=True):
        give_back(entry, staff, comment="Say which ports took part.")
    deliver_pending()
    french, english = one_to(mail.outbox, BOB), one_to(mail.outbox, INES)

    assert french.subject == f"ICAO{NB}: votre entrée sur nairobi-2007 3.2 a été renvoyée"
    assert french.body.startswith("Bonjour bob,\n")
    assert (
        f"La DECT a renvoyé l’entrée de ICAO sur l’activité 3.2 (nairobi-2007), avancement au 15 mars 2025{NB}:"
        in french.body
    )
    assert "Say which ports took part." in french.body  # the reviewer's words, as written
    assert f"Veuillez la corriger{NB}: {SITE}/activities/" in french.body
    assert ">Corriger</a>" in html(french)
    in_french_entirely(french)

    assert english.subject == "ICAO: your entry on nairobi-2007 3.2 was returned"
    assert "CTED returned ICAO's entry on activity 3.2 (nairobi-2007), reporting on 15 March 2025:" in english.body
    assert '<html lang="en" dir="ltr">' in html(english)


def test_a_french_focal_point_hears_of_progress_logged_in_french(
    staff, focal_point, ines, django_capture_on_commit_callbacks
):
    language_choose(user=focal_point, language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        log(staff, "3.2", "ICAO", "in_progress", "Model legislation circulated.")
    deliver_pending()
    french, english = one_to(mail.outbox, BOB), one_to(mail.outbox, INES)
    assert french.subject == f"ICAO{NB}: avancement saisi pour nairobi-2007 3.2"
    assert (
        f"alice a saisi l’avancement de ICAO pour l’activité 3.2 (nairobi-2007){NB}: En cours, avancement au "
        "15 mars 2025." in french.body
    )
    in_french_entirely(french)
    assert (
        "alice logged progress for ICAO on activity 3.2 (nairobi-2007): In progress, reporting on 15 March 2025."
        in english.body
    )
    assert english.subject == "ICAO: progress logged on nairobi-2007 3.2"


def test_an_entry_logged_by_a_focal_point_says_in_french_that_cted_will_review_it(
    focal_point, ines, django_capture_on_commit_callbacks
):
    language_choose(user=ines, language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        log(focal_point, "3.3", "ICAO", "planned", "Workshop scheduled.")
    deliver_pending()
    french = one_to(mail.outbox, INES)
    assert "La DECT l’examinera." in french.body and "La DECT l’examinera." in html(french)
    assert "bob a saisi l’avancement de ICAO" in french.body
    in_french_entirely(french)


# --- The jobs' e-mails ---


def test_the_reminder_in_french_has_no_english_left(secretariat, focal_point, ines):
    language_choose(user=focal_point, language="fr")
    new_cycle(secretariat)
    sent = run_job("reminders", DEADLINE - datetime.timedelta(days=14))
    french = one_to(sent, BOB)
    assert french.subject.startswith("ICAO doit rendre compte de")
    in_french_entirely(french)
    assert one_to(sent, INES).subject.startswith("ICAO has ")


@pytest.fixture
def week(staff, focal_point, other_focal_point, secretariat):
    """An open cycle, this week's entries: ICAO's 3.2 awaiting review, 3.3 accepted; WCO's 3.6 awaiting."""
    today = timezone.localdate()
    new_cycle(
        secretariat,
        title="Second half 2026",
        start=today - datetime.timedelta(days=90),
        end=today + datetime.timedelta(days=30),
        deadline=today + datetime.timedelta(days=14),
    )
    on = today - datetime.timedelta(days=1)
    log(focal_point, "3.2", "ICAO", "in_progress", "Model legislation circulated.", reported_on=on)
    accept(log(focal_point, "3.3", "ICAO", "completed", "Guidance published.", reported_on=on), staff)
    log(other_focal_point, "3.6", "WCO", "planned", "Workshop scheduled.", reported_on=on)
    settle()


def test_the_weekly_digest_goes_in_each_readers_language(week, staff, focal_point, secretariat):
    # Alice and Sam (staff, the secretariat) read French; a colleague of Alice's reads English: one
    # edition of the digest, written in two languages.
    colleague = UserFactory(username="colleague", email="colleague@example.org", role=Role.STAFF)
    wants_digests(staff, focal_point, secretariat, colleague)
    for user in (staff, focal_point, secretariat):
        language_choose(user=user, language="fr")
    today = timezone.localdate()
    sent = run_job("digest", today)
    deadline = today + datetime.timedelta(days=14)
    reviewer, reporter, english = one_to(sent, ALICE), one_to(sent, BOB), one_to(sent, "colleague@example.org")

    year, week_number, _ = today.isocalendar()
    assert reviewer.subject == (
        f"Synthèse hebdomadaire {year}-W{week_number:02d}{NB}: 3 nouvelles entrées, 2 en attente d’examen"
    )
    assert f"nairobi-2007 3.2, ICAO{NB}: En cours (soumise)" in reviewer.body
    assert f"nairobi-2007 3.3, ICAO{NB}: Achevée (acceptée)" in reviewer.body
    assert f"En attente de votre examen (2){NB}: {SITE}/review/" in reviewer.body
    assert f"nairobi-2007 3.6, WCO, saisie le {in_language('fr', today)}" in reviewer.body
    assert ">Ouvrir la liste des entrées à examiner</a>" in html(reviewer)
    silent = f"Second half 2026 (nairobi-2007, date limite{NB}: {in_language('fr', deadline)}){NB}: CTC, "
    assert silent in reviewer.body
    in_french_entirely(reviewer)

    assert f"Entrées de votre organisation en attente d’examen par la DECT{NB}: 1" in reporter.body
    in_french_entirely(reporter)
    in_french_entirely(one_to(sent, SAM))

    # The colleague's lines are written in English, though the same entries' were written in French first.
    assert english.subject.startswith("Weekly digest ")
    assert english.subject.endswith(": 3 new entries, 2 awaiting review")
    assert "nairobi-2007 3.2, ICAO: In progress (submitted)" in english.body
    assert f", logged {in_language('en', today)}" in english.body
    assert f"(nairobi-2007, deadline {in_language('en', deadline)}): " in english.body
    assert "soumise" not in english.body + html(english) and "date limite" not in english.body + html(english)


def test_a_digest_with_nothing_new_and_no_open_cycle_says_none_in_french(staff, focal_point):
    # An entry awaiting review logged eight days ago: nothing new this week, and no cycle is open.
    from actions.models import StatusEntry
    from tests.helpers import backdate

    entry = log(focal_point, "3.2", "ICAO", "in_progress", "Model legislation circulated.")
    backdate(StatusEntry.objects.filter(pk=entry.pk), timezone.now() - datetime.timedelta(days=8))
    settle()
    wants_digests(staff)
    language_choose(user=staff, language="fr")
    digest = one_to(run_job("digest", timezone.localdate()), ALICE)
    assert "Nouvelles entrées de la semaine écoulée (0)" in html(digest)
    assert f"Nouvelles entrées de la semaine écoulée (0){NB}:\n- aucune\n" in digest.body
    assert f"cycles en cours{NB}:\n- aucune" in digest.body and "<li>aucune</li></ul>" in html(digest)
    assert digest.subject.endswith(f"{NB}: 0 nouvelle entrée, 1 en attente d’examen")
    in_french_entirely(digest)


def test_the_monthly_matrix_names_the_month_and_the_statuses_in_the_readers_language(staff, secretariat, focal_point):
    log(focal_point, "3.2", "ICAO", "in_progress", "Model legislation circulated.")
    settle()
    wants_digests(staff, secretariat)
    language_choose(user=staff, language="fr")
    sent = run_job("matrix", datetime.date(2026, 11, 1))
    french, english = one_to(sent, ALICE), one_to(sent, SAM)
    assert french.subject == "Matrice des organisations par objectif, novembre 2026"
    assert f"\nICAO{NB}: [1] " in french.body and f"En cours{NB}: 1" in french.body
    assert f"En cours{NB}: 1<br>" in html(french)
    assert f"Aucune entrée acceptée{NB}: " in french.body
    assert '<th style="text-align: left; padding: 4px;">Organisation</th>' in html(french)
    in_french_entirely(french)
    assert english.subject == "Matrix of organizations by objective, November 2026"
    assert "No accepted entry: " in english.body


def test_the_yearly_request_to_confirm_ones_details_in_french(focal_point, ines):
    language_choose(user=focal_point, language="fr")
    sent = run_job("confirm-focal-points", datetime.date(2026, 3, 1))
    french = one_to(sent, BOB)
    assert french.subject == "Veuillez confirmer vos coordonnées de point focal de ICAO"
    assert f"Confirmez-les ou corrigez-les ici{NB}: {SITE}/focal-points/confirm/" in french.body
    assert ">Confirmer ou corriger vos coordonnées</a>" in html(french)
    in_french_entirely(french)
    assert one_to(sent, INES).subject == "Please confirm your details as focal point of ICAO"


def test_a_closed_cycles_report_in_french(staff, focal_point, other_focal_point, secretariat, ines):
    language_choose(user=focal_point, language="fr")
    new_cycle(secretariat)
    populate(staff, focal_point, other_focal_point)
    settle()
    sent = run_job("close-cycles", DEADLINE + datetime.timedelta(days=1))
    french = one_to(sent, BOB)
    assert french.subject == f"Rapport de bilan{NB}: First half 2025 (nairobi-2007)"
    assert "Les mêmes fichiers sont joints au présent courriel." in french.body
    assert 'Le cycle de bilan <strong>First half 2025</strong> du plan <span lang="en">Plan of Action on ' in html(
        french
    )
    assert [name for name, _, _ in french.attachments]  # the files go with it
    in_french_entirely(french)
    assert one_to(sent, INES).subject == "Stocktaking report: First half 2025 (nairobi-2007)"


# --- Invitations and the password reset ---


def invitation_to(address: str) -> EmailMessage:
    deliver_pending()
    [message] = [m for m in mail.outbox if m.to == [address]][-1:]
    return message


def test_an_invitation_goes_in_the_language_the_inviter_reads(staff, icao):
    response = in_french(staff).post(
        "/accounts/people/invite/",
        {"name": "Ana Lima", "email": "ana@icao.example.org", "role": "focal_point", "organization": "ICAO"},
    )
    assert response.status_code == 302
    french = invitation_to("ana@icao.example.org")
    assert french.subject == (
        "Vous êtes invité à utiliser l’outil de suivi des plans d’action en qualité de point focal de ICAO"
    )
    assert french.body.startswith("Bonjour Ana Lima,\n")
    assert "en qualité de Point focal de l’organisation" in french.body
    assert "dans un délai de 14 jours" in french.body and "<strong>ana@icao.example.org</strong>" in html(french)
    in_french_entirely(french)

    english = Client()
    english.force_login(staff)
    english.post("/accounts/people/invite/", {"name": "Ben", "email": "ben@example.org", "role": "viewer"})
    assert invitation_to("ben@example.org").subject == "You are invited to the plan-of-action tracker"


def test_an_invitation_with_no_organization_and_one_sent_again_in_french(staff):
    with translation.override("fr"):
        ben = user_invite(email="ben@example.org", name="Ben", role=Role.VIEWER, organization=None, invited_by=staff)
    french = invitation_to("ben@example.org")
    assert french.subject == "Vous êtes invité à utiliser l’outil de suivi des plans d’action"
    assert "en qualité de Lecteur." in french.body
    in_french_entirely(french)
    # Invited again by someone reading English, after choosing French: their own choice.
    language_choose(user=ben, language="fr")
    with translation.override("en"):
        invitation_resend(user=ben, actor=staff)
    assert invitation_to("ben@example.org").subject == "Vous êtes invité à utiliser l’outil de suivi des plans d’action"


def test_the_password_reset_goes_in_the_accounts_language_not_the_pages(focal_point, ines):
    language_choose(user=focal_point, language="fr")
    Client().post("/accounts/password_reset/", {"email": BOB})
    in_french(None).post("/accounts/password_reset/", {"email": INES})
    french, english = one_to(mail.outbox, BOB), one_to(mail.outbox, INES)
    assert french.subject == "Choisissez un nouveau mot de passe pour l’outil de suivi des plans d’action"
    assert french.body.startswith(
        "Une demande de réinitialisation du mot de passe du compte bob a été faite sur l’outil de suivi"
    )
    assert f"ouvrez ce lien{NB}:\nhttp://testserver/" in french.body
    assert english_left(french.body) == [] and english_left(french.subject) == []
    assert english.subject == "Choose a new password for the plan-of-action tracker"
    assert "If you did not ask for this, ignore this message" in english.body


def test_the_inviter_chooses_the_invited_person_s_language(staff, icao):
    """Inviting from an English page, staff choose French for a French-speaking focal point: the
    invitation is in French, and so are the person's pages once they sign in."""
    from organizations.models import Profile

    client = Client()
    client.force_login(staff)
    form = client.get("/accounts/people/invite/").content.decode()
    assert '<option value="fr" lang="fr">Français</option>' in form
    assert '<option value="en" lang="en" selected>English</option>' in form  # the inviter's, at first
    response = client.post(
        "/accounts/people/invite/",
        {
            "name": "Léa Roy",
            "email": "lea@icao.example.org",
            "role": "focal_point",
            "organization": "ICAO",
            "language": "fr",
        },
    )
    assert response.status_code == 302
    assert invitation_to("lea@icao.example.org").subject.startswith("Vous êtes invité")
    assert Profile.objects.get(user__email="lea@icao.example.org").language == "fr"
    refused = client.post(
        "/accounts/people/invite/",
        {"name": "Max", "email": "max@example.org", "role": "viewer", "language": "de"},
    )
    assert refused.status_code == 400 and "de" in str(refused.context["form"].errors["language"])
