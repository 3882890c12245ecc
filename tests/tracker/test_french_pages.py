"""Pages in French show no interface text in English (issue 13).

Every message of the French catalogue is looked for, in English, in what a reader sees of a page
rendered in French: its phrases (two words or more, between the placeholders) anywhere in the
text; a message of one word where only the interface writes (links of the header, buttons, table
headings, labels), since the plans' own texts, in English, may hold the same word. A message
French writes as English does ("API", "Menu") is no finding.

What is marked as written in another language (``lang``) is not the page's: the language switch
names each language in itself. The pages are those whose strings are marked so far; each page
joins the list once it is.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.helpers import catalogue_messages
from tests.reports.scenario import give_back, log, new_cycle

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale/fr/LC_MESSAGES/django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)s|%%|<[^>]+>")
INTERFACE_TAGS = {"nav", "button", "th", "label", "h1", "h2", "legend", "caption", "option"}


def messages() -> list[tuple[str, str]]:
    """Each (English, French) pair of the catalogue, plurals as two pairs."""
    return catalogue_messages(CATALOGUE)


def fragments(message: str) -> list[str]:
    return [part.strip(" .,:;()·–") for part in PLACEHOLDER.split(message) if re.search(r"[A-Za-z]{2}", part)]


class Reader(HTMLParser):
    """The text a reader sees, and apart the text of the interface's own elements."""

    def __init__(self, interface_tags: set[str] = INTERFACE_TAGS) -> None:
        super().__init__()
        self.interface_tags = interface_tags
        self.text: list[str] = []
        self.interface: list[str] = []
        self.open: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        # What is marked as another language (the switch names English in English) is not the page's.
        # A text box holds what someone typed, not the interface.
        other = tag in {"script", "style", "title", "textarea"} or dict(attrs).get("lang", "fr") != "fr"
        self.open.append((tag, other))
        self.hidden += other

    def handle_endtag(self, tag):
        tags = [name for name, _ in self.open]
        if tag in tags:
            at = len(tags) - 1 - tags[::-1].index(tag)
            self.hidden -= sum(other for _, other in self.open[at:])
            del self.open[at:]

    def handle_data(self, data):
        if self.hidden:
            return
        self.text.append(data)
        if self.interface_tags & {name for name, _ in self.open}:
            self.interface.append(data)


def english_left(html: str, *, interface_only: bool = False) -> list[str]:
    """The interface's English left in a page in French. ``interface_only`` looks for phrases in the
    interface's own elements only, not in all the text: for the admin, whose pages are mostly content
    (the plans' texts in every list, title and choice), not marked with their language."""
    reader = Reader(INTERFACE_TAGS - {"option"} if interface_only else INTERFACE_TAGS)
    reader.feed(html)
    interface = [" ".join(piece.split()) for piece in reader.interface]
    text = " ".join(interface if interface_only else " ".join(reader.text).split())
    found = set()
    for english, french in messages():
        for fragment in fragments(english):
            if not fragment or fragment in french:
                continue
            phrase = " " in fragment
            if (phrase and re.search(rf"(?<!\w){re.escape(fragment)}(?!\w)", text)) or (
                not phrase and fragment in interface
            ):
                found.add(fragment)
    return sorted(found)


def in_french(user) -> Client:
    client = Client(headers={"accept-language": "fr"})
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def busy(staff, focal_point, secretariat):
    """An open cycle, an entry waiting for review and one returned: every part of the home pages shows."""
    new_cycle(secretariat)
    log(focal_point, "3.2", "ICAO", "in_progress", "Model legislation circulated.")
    give_back(log(focal_point, "3.3", "ICAO", "planned", "Workshop scheduled."), staff)


@pytest.mark.parametrize("role", ["staff", "secretariat", "focal_point", "other_focal_point", "viewer"])
def test_the_home_page_in_french_has_no_english_left(request, busy, role):
    response = in_french(request.getfixturevalue(role)).get("/")
    assert response.status_code == 200
    assert english_left(response.content.decode()) == []


def test_the_finder_finds_english_left_in_a_french_page(staff):
    html = in_french(staff).get("/").content.decode()
    assert english_left(html.replace("Cycles de bilan en cours", "Stocktaking cycles under way")) == [
        "Stocktaking cycles under way"
    ]
    assert english_left(html.replace(">Se déconnecter<", ">Sign out<")) == ["Sign out"]


@pytest.mark.parametrize("role", ["staff", "secretariat", "focal_point", "viewer"])
def test_the_profile_page_in_french_has_no_english_left(request, role):
    response = in_french(request.getfixturevalue(role)).get("/accounts/profile/")
    assert response.status_code == 200
    assert english_left(response.content.decode()) == []


def test_the_sign_in_page_in_french_has_no_english_left():
    response = in_french(None).get("/accounts/login/")
    assert english_left(response.content.decode()) == []
    assert "Nom d’utilisateur" in response.content.decode()  # Django's own labels, in Django's French


def test_a_page_of_the_home_page_s_plans_in_french_says_which_page(viewer):
    from tests.factories import ActivityFactory, ObjectiveFactory, PlanFactory
    from tracker.home import HOME_PLANS_PAGE_SIZE

    for n in range(HOME_PLANS_PAGE_SIZE):
        ActivityFactory(objective=ObjectiveFactory(plan=PlanFactory(code=f"many-{n:02}")))
    html = in_french(viewer).get("/", {"page": 2}).content.decode()
    assert "Page 2 sur 2" in html and ">Première</a>" in html
    assert english_left(html) == []


@pytest.mark.parametrize("role", ["staff", "focal_point", "viewer"])
def test_the_plan_page_in_french_has_no_english_left(request, busy, role):
    client = in_french(request.getfixturevalue(role))
    response = client.get("/plans/nairobi-2007/")
    assert response.status_code == 200
    html = response.content.decode()
    assert english_left(html) == []
    assert 'data-label="Dernière mise à jour"' in html  # the labels a phone shows beside each cell
    filtered = client.get("/plans/nairobi-2007/", {"status": "in_progress", "objective": "3"})
    assert english_left(filtered.content.decode()) == []
    swapped = client.get("/plans/nairobi-2007/", {"q": "passport"}, headers={"hx-request": "true"})
    assert english_left(swapped.content.decode()) == [] and "correspond" in swapped.content.decode()


@pytest.mark.parametrize("role", ["staff", "focal_point", "viewer"])
def test_the_activity_page_in_french_has_no_english_left(request, busy, role, staff):
    from tests.reports.scenario import accept, nairobi

    accept(log(request.getfixturevalue("focal_point"), "3.2", "ICAO", "completed", "Done."), staff)
    client = in_french(request.getfixturevalue(role))
    for number in ("3.2", "3.3", "1.1"):
        response = client.get(f"/activities/{nairobi(number).pk}/")
        assert response.status_code == 200
        assert english_left(response.content.decode()) == [], number


def test_the_review_queue_in_french_has_no_english_left(busy, staff, focal_point):
    from tests.reports.scenario import nairobi

    correction = log(focal_point, "3.4", "ICAO", "planned", "First.")
    log(focal_point, "3.4", "ICAO", "in_progress", "Corrected.", supersedes=correction)
    client = in_french(staff)
    for query in ({}, {"organization": "ICAO"}, {"organization": "WCO"}):
        response = client.get("/review/", query)
        assert response.status_code == 200
        assert english_left(response.content.decode()) == [], query
    waiting = nairobi("3.2").status_entries.get(review_state="submitted")
    reviewed = client.post(f"/review/{waiting.pk}/", {"decision": "accept"}, headers={"hx-request": "true"})
    assert english_left(reviewed.content.decode()) == [] and "Acceptée" in reviewed.content.decode()


@pytest.mark.parametrize("role", ["staff", "focal_point", "viewer"])
def test_the_organization_pages_in_french_have_no_english_left(request, busy, role):
    client = in_french(request.getfixturevalue(role))
    for path in ("/organizations/", "/organizations/ICAO/", "/organizations/WCO/"):
        response = client.get(path)
        assert response.status_code == 200
        assert english_left(response.content.decode()) == [], path
