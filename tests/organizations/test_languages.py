"""The six languages: which one a page is in (the browser's, or the person's own choice, kept in
their profile and carried by their session), the switch in the header, and the catalogues."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from organizations.models import Profile
from tests.helpers import catalogue_messages

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale"


def signed_in(user, **headers) -> Client:
    client = Client(headers=headers)
    client.force_login(user)
    return client


def page_language(response) -> tuple[str, str]:
    """The page's ``lang`` and ``dir``, as its <html> element says."""
    lang, direction = re.search(r'<html lang="([^"]+)" dir="(\w+)">', response.content.decode()).groups()
    return lang, direction


def test_an_anonymous_page_is_in_the_language_the_browser_asks_for():
    english = Client().get("/accounts/login/")
    assert page_language(english) == ("en", "ltr") and english["Content-Language"] == "en"
    french = Client(headers={"accept-language": "fr-FR,fr;q=0.9,en;q=0.5"}).get("/accounts/login/")
    assert page_language(french) == ("fr", "ltr") and french["Content-Language"] == "fr"
    assert "Accept-Language" in french["Vary"]
    assert '<option value="fr" lang="fr" selected>Français</option>' in french.content.decode()
    # A language the site does not have: English.
    assert page_language(Client(headers={"accept-language": "de"}).get("/accounts/login/"))[0] == "en"


def test_arabic_pages_are_right_to_left():
    response = Client(headers={"accept-language": "ar"}).get("/accounts/login/")
    assert page_language(response) == ("ar", "rtl")


def test_the_switch_offers_the_six_languages_each_named_in_itself(viewer):
    html = signed_in(viewer).get("/").content.decode()
    switch = html[html.index('<form class="language"') : html.index("</form>", html.index('<form class="language"'))]
    options = re.findall(r'<option value="([^"]+)" lang="[^"]+"(?: selected)?>([^<]+)</option>', switch)
    assert options == [
        ("ar", "العربيّة"),
        ("zh-hans", "简体中文"),
        ("en", "English"),
        ("fr", "Français"),
        ("ru", "Русский"),
        ("es", "Español"),
    ]
    assert 'action="/i18n/setlang/"' in switch and 'name="next" value="/"' in switch


def test_an_anonymous_visitor_s_choice_is_kept_in_a_cookie():
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/accounts/login/?next=/plans/"})
    assert response.status_code == 302 and response.url == "/accounts/login/?next=/plans/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert page_language(client.get("/accounts/login/"))[0] == "fr"


def test_a_signed_in_person_s_choice_is_kept_in_their_profile_and_follows_them_to_a_new_sign_in(focal_point):
    client = signed_in(focal_point)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert Profile.objects.get(user=focal_point).language == "fr"
    # Their e-mail choice is their role's default, as before.
    assert Profile.objects.get(user=focal_point).mail == "reminders"
    assert page_language(client.get("/"))[0] == "fr"
    # Another browser, which asks for English and has no cookie: still French once signed in.
    elsewhere = signed_in(focal_point, accept_language="en")
    assert page_language(elsewhere.get("/"))[0] == "fr"
    assert page_language(Client(headers={"accept-language": "en"}).get("/accounts/login/"))[0] == "en"


def test_an_unknown_language_changes_nothing(focal_point):
    client = signed_in(focal_point)
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert response.status_code == 302
    assert not Profile.objects.filter(user=focal_point).exists()
    assert page_language(client.get("/"))[0] == "en"


def test_the_way_back_after_the_switch_stays_on_this_site():
    response = Client().post("/i18n/setlang/", {"language": "fr", "next": "https://elsewhere.example.org/"})
    assert response.status_code == 302 and response.url == "/"


def test_the_profile_sets_the_language_or_leaves_it_to_the_browser(focal_point):
    client = signed_in(focal_point, accept_language="es")
    page = client.get("/accounts/profile/").content.decode()
    assert '<option value="" selected>None: the pages follow my browser, e-mails are in English</option>' in page
    assert page_language(client.get("/"))[0] == "es"
    client.post("/accounts/profile/", {"form": "mail", "mail": "reminders", "language": "fr"})
    assert Profile.objects.get(user=focal_point).language == "fr"
    assert page_language(client.get("/"))[0] == "fr"
    client.post("/accounts/profile/", {"form": "mail", "mail": "reminders", "language": ""})
    assert Profile.objects.get(user=focal_point).language == ""
    assert page_language(client.get("/"))[0] == "es"
    refused = client.post("/accounts/profile/", {"form": "mail", "mail": "reminders", "language": "de"})
    # Refused in the page's language, Django's own message translated.
    assert refused.status_code == 400 and "Escoja una opción válida" in refused.content.decode()
    assert Profile.objects.get(user=focal_point).language == ""


def statistics(catalogue: Path) -> str:
    """What GNU gettext's msgfmt says of ``catalogue``: "N translated messages." when nothing is left."""
    assert shutil.which("msgfmt"), "GNU gettext is needed (Debian: apt-get install gettext)"
    checked = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(catalogue)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    return checked.stderr.strip()


def test_the_french_catalogue_has_every_string_translated_and_none_fuzzy():
    assert re.fullmatch(r"\d+ translated messages\.", statistics(LOCALE / "fr/LC_MESSAGES/django.po"))


def test_gathering_the_strings_again_leaves_the_french_catalogue_as_it_is(tmp_path):
    """makemessages on a copy of the code: no string marked for translation is missing from the
    French catalogue (nor new, nor fuzzy once merged)."""
    root = Path(settings.BASE_DIR)
    copy = tmp_path / "code"
    shutil.copytree(
        root,
        copy,
        ignore=shutil.ignore_patterns(".venv", "node_modules", ".git", "*.mo", "__pycache__", "*.sqlite3", "media"),
    )
    gathered = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-obsolete", *IGNORED, "-v", "0"],
        cwd=copy,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tracker.settings_test"},
        capture_output=True,
        text=True,
    )
    assert gathered.returncode == 0, gathered.stderr
    before, after = (msgids(folder / "locale/fr/LC_MESSAGES/django.po") for folder in (root, copy))
    assert after - before == set(), "marked for translation but not in locale/fr: run make messages UPDATE=1"
    assert re.fullmatch(r"\d+ translated messages\.", statistics(copy / "locale/fr/LC_MESSAGES/django.po"))


# What `make messages UPDATE=1` leaves out of the catalogues: not the application's own text.
IGNORED = ["--ignore", ".venv/*", "--ignore", "node_modules/*", "--ignore", "tests/*", "--ignore", "benchmarks/*"]


def msgids(catalogue: Path) -> set[str]:
    """The messages of a catalogue (each plural form of one counted apart)."""
    return {message for message, _ in catalogue_messages(catalogue)}


def test_each_of_the_other_languages_has_its_catalogue():
    for folder in ("ar", "zh_Hans", "ru", "es"):
        assert (LOCALE / folder / "LC_MESSAGES" / "django.po").is_file(), folder
