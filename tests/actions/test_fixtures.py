"""The shipped fixtures against the source documents kept in fixtures/sources/.

The parser here reads the plan's text on its own; it shares no code with how the
fixtures were made, so a changed text, number or link in either shows up here.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

from actions.models import Activity, Objective, Participation, Plan, ResponsibilityRole
from organizations.models import Organization, OrganizationKind

pytestmark = pytest.mark.django_db

SOURCES = Path(settings.BASE_DIR) / "fixtures" / "sources"
IRO = {OrganizationKind.INTERNATIONAL, OrganizationKind.REGIONAL, OrganizationKind.SUBREGIONAL}
REGIONAL = {OrganizationKind.REGIONAL, OrganizationKind.SUBREGIONAL}

# How the Organization/Body column names an organization.
NAMED = {
    "CTC": r"\bCTC\b|Counter-Terrorism Committee",
    "CTED": r"\bCTED\b|Executive Directorate",
    "ICAO": r"\bICAO\b",
    "INTERPOL": r"\bINTERPOL\b",
    "IMO": r"\bIMO\b",
    "WCO": r"\bWCO\b",
    "UNHCR": r"\bUNHCR\b",
    "OHCHR": r"\bOHCHR\b",
}
# Phrases of the column that open an activity to kinds of organization.
OPENING_PHRASES = [
    (r"\bIROs\b", IRO),
    (r"\bUN bodies\b", {OrganizationKind.UN_BODY}),
    (r"\bregional (police|aviation|maritime|customs)\b", REGIONAL),
    (r"\brelevant organizations\b", IRO | {OrganizationKind.UN_BODY}),
]


def fold(text: str) -> str:
    return " ".join(text.split())


def parse_nairobi() -> list[dict]:
    """Objectives with their activities: every table cell is a line that starts with a tab."""
    objectives = []
    cells: list[str] = []
    for line in (SOURCES / "nairobi-2007-plan-of-action.txt").read_text(encoding="utf-8").splitlines():
        heading = re.match(r"(\d+)\.\s*(\S.*)", line)
        if heading:
            objectives.append({"label": int(heading[1]), "text": fold(heading[2]), "activities": []})
        elif line.startswith("\t") and line.strip() and objectives:
            cells.append(line.strip())
            if len(cells) == 3:
                number, text, responsible = cells
                assert re.fullmatch(r"\d+\.\d+", number), f"out of step at {cells}"
                objectives[-1]["activities"].append(
                    {"number": number, "text": fold(text), "responsible": fold(responsible)}
                )
                cells = []
    return objectives


@pytest.fixture(scope="module")
def source():
    return parse_nairobi()


def test_the_nairobi_plan_has_ten_objectives_and_forty_activities(source):
    plan = Plan.objects.get(code="nairobi-2007")
    assert len(source) == 10
    assert sum(len(o["activities"]) for o in source) == 40
    assert plan.objectives.count() == 10
    assert plan.activities.count() == 40


def test_every_objective_matches_the_source(source):
    stored = {o.number: o for o in Objective.objects.filter(plan__code="nairobi-2007")}
    for objective in source:
        # The source labels the tenth objective "8."; its activities say it is 10.
        number = int(objective["activities"][0]["number"].split(".")[0])
        assert stored[number].text == objective["text"]
        assert all(a["number"].startswith(f"{number}.") for a in objective["activities"])
    assert sorted(stored) == list(range(1, 11))
    assert source[-1]["label"] == 8
    assert stored[10].text == "Conduct periodic stocktaking of progress and share results with all participants"


def test_every_activity_matches_the_source_verbatim(source):
    stored = {a.number: a for a in Activity.objects.filter(plan__code="nairobi-2007").select_related("objective")}
    remark = re.compile(r"\s*\(([^()]*see original version)\)\s*$")
    for objective in source:
        for item in objective["activities"]:
            activity = stored[item["number"]]
            found = remark.search(item["text"])
            expected_text = item["text"][: found.start()] if found else item["text"]
            assert activity.text == expected_text, item["number"]
            assert activity.note == (found[1] if found else ""), item["number"]
            assert activity.responsible_text == item["responsible"], item["number"]
            assert activity.objective.number == int(item["number"].split(".")[0])
    assert stored["2.3"].note == "slightly modified see original version"
    assert "original version" not in stored["2.3"].text


def test_every_named_organization_is_linked_and_no_other(source):
    stored = {
        a.number: a
        for a in Activity.objects.filter(plan__code="nairobi-2007").prefetch_related(
            "responsibilities__organization", "open_kinds"
        )
    }
    for objective in source:
        for item in objective["activities"]:
            text = item["responsible"]
            positions = {acronym: re.search(pattern, text) for acronym, pattern in NAMED.items()}
            named = sorted((match.start(), acronym) for acronym, match in positions.items() if match)
            activity = stored[item["number"]]
            links = {r.organization.acronym: r.role for r in activity.responsibilities.all()}
            assert set(links) == {acronym for _, acronym in named}, item["number"]
            # The organization the text names first leads; the others are partners.
            expected_roles = [ResponsibilityRole.LEAD] + [ResponsibilityRole.PARTNER] * (len(named) - 1)
            assert [links[acronym] for _, acronym in named] == expected_roles[: len(named)], item["number"]

            kinds = set()
            for pattern, opened in OPENING_PHRASES:
                if re.search(pattern, text):
                    kinds |= opened
            assert {k.kind for k in activity.open_kinds.all()} == kinds, item["number"]
            assert named or kinds, f"{item['number']} has no one responsible"


def test_organizations_named_in_the_text_are_linked_where_the_plan_names_them():
    def linked(acronym):
        return sorted(
            Activity.objects.filter(plan__code="nairobi-2007", responsibilities__organization__acronym=acronym)
            .order_by("number_major", "number_minor")
            .values_list("number", flat=True),
            key=lambda n: tuple(map(int, n.split("."))),
        )

    assert linked("ICAO") == ["3.2", "3.3", "3.4", "5.2"]
    assert linked("INTERPOL") == ["3.1", "3.3", "5.4"]
    assert linked("IMO") == ["3.5", "5.4"]
    assert linked("WCO") == ["3.6", "3.7", "3.8", "5.3"]
    assert linked("UNHCR") == ["8.2", "9.1", "9.2"]
    assert linked("OHCHR") == ["8.1"]
    assert "6.1" in linked("CTC") and "1.5" in linked("CTED")


def test_every_organization_is_named_in_a_source_document():
    sources = fold(" ".join(path.read_text(encoding="utf-8") for path in SOURCES.glob("*.txt")))
    spelled = {
        "1267-Committee": "1267 Committee",
        "1267-MT": "Monitoring Team",
        "1540-Committee": "1540 Committee",
        "1540-Experts": "1540 Committee experts",
        "Stimson": "Stimson Center",
        "UNOCT": "United Nations Office of Counter-Terrorism",
    }
    acronyms = set(Organization.objects.values_list("acronym", flat=True))
    assert {"CTC", "CTED", "ICAO", "INTERPOL", "IMO", "WCO", "UNHCR", "OHCHR", "UNODC", "IOM", "UNICRI"} <= acronyms
    assert {"UNCCT", "CTITF", "1267-MT", "1540-Experts", "IAEA", "OPCW", "CICA"} <= acronyms
    for acronym in acronyms:
        assert spelled.get(acronym, acronym) in sources, acronym
    assert Organization.objects.get(acronym="CTED").parent.acronym == "CTC"


def test_every_organization_kind_is_what_the_plan_counts_on():
    kinds = dict(Organization.objects.values_list("acronym", "kind"))
    # ICAO, IMO, WCO and INTERPOL report on "all relevant IROs" activities as international bodies.
    for acronym in ("ICAO", "IMO", "WCO", "INTERPOL", "IOM"):
        assert kinds[acronym] == OrganizationKind.INTERNATIONAL
    for acronym in ("CTC", "CTED", "UNHCR", "OHCHR", "UNODC"):
        assert kinds[acronym] == OrganizationKind.UN_BODY
    assert kinds["CICA"] == OrganizationKind.REGIONAL


def parse_cica() -> list[dict]:
    text = (SOURCES / "cica-2008-action-plan.txt").read_text(encoding="utf-8")
    sections = re.split(r"^(I|II|III|IV)\.\s+(.+)$", text, flags=re.M)[1:]
    parsed = []
    for roman, title, body in zip(sections[0::3], sections[1::3], sections[2::3], strict=True):
        items = [(int(n), fold(t)) for n, t in re.findall(r"^(\d+)\.\s+(.+)$", body, flags=re.M)]
        lead_in = fold(re.split(r"^\d+\.\s", body, flags=re.M)[0])
        parsed.append({"roman": roman, "title": title.strip(), "lead_in": lead_in, "items": items})
    return parsed


def test_the_cica_plan_holds_its_sections_as_objectives_and_items_as_activities():
    plan = Plan.objects.get(code="cica-2008")
    assert plan.review_interval_months == 12
    sections = parse_cica()
    assert [s["roman"] for s in sections] == ["I", "II", "III", "IV"]
    objectives = list(plan.objectives.order_by("number"))
    assert [o.number for o in objectives] == [1, 2, 3, 4]
    for number, (section, objective) in enumerate(zip(sections, objectives, strict=True), start=1):
        assert objective.title == section["title"]
        assert objective.text == section["lead_in"]
        activities = list(objective.activities.order_by("number_minor"))
        # Sections III and IV number no items: their text is their one activity.
        expected = section["items"] or [(1, section["lead_in"])]
        assert [(a.number, a.text) for a in activities] == [(f"{number}.{n}", t) for n, t in expected]
        assert all(a.responsibilities.filter(organization__acronym="CICA").exists() for a in activities)
    assert plan.activities.count() == 7 + 5 + 1 + 1
    assert Activity.objects.get(plan=plan, number="4.1").organizations.filter(acronym="IOM").exists()


# The expected reporters of the Nairobi plan: 50 named pairs (lead or partner) and 276 pairs of a
# participant of a kind an activity is open to ("all relevant IROs", "UN bodies", ...).
NAIROBI_EXPECTED_PAIRS = 326


def test_the_nairobi_participants_are_the_ctc_cted_and_every_organization_of_a_kind_it_is_open_to(source):
    kinds = set()
    for objective in source:
        for item in objective["activities"]:
            for pattern, opened in OPENING_PHRASES:
                if re.search(pattern, item["responsible"]):
                    kinds |= opened
    implied = {"CTC", "CTED"} | set(Organization.objects.filter(kind__in=kinds).values_list("acronym", flat=True))
    stored = Participation.objects.filter(plan__code="nairobi-2007")
    assert set(stored.values_list("organization__acronym", flat=True)) == implied
    assert {p.joined_on.isoformat() for p in stored} == {"2007-10-31"}  # the day the plan was adopted
    assert set(
        Participation.objects.filter(plan__code="cica-2008").values_list("organization__acronym", flat=True)
    ) == {"CICA", "IOM"}


def test_the_expected_pairs_are_what_the_source_text_implies(source):
    participants = {p.organization.acronym: p.organization.kind for p in Participation.objects.filter(
        plan__code="nairobi-2007").select_related("organization")}  # fmt: skip
    implied = set()
    for objective in source:
        for item in objective["activities"]:
            text = item["responsible"]
            named = {acronym for acronym, pattern in NAMED.items() if re.search(pattern, text)}
            kinds = set().union(*(opened for pattern, opened in OPENING_PHRASES if re.search(pattern, text)))
            by_kind = {acronym for acronym, kind in participants.items() if kind in kinds}
            implied |= {(item["number"], acronym) for acronym in named | by_kind}
    assert len(implied) == NAIROBI_EXPECTED_PAIRS
    reporters = Plan.objects.get(code="nairobi-2007").reporters()
    assert {(p.activity.number, p.organization.acronym) for p in reporters.expected} == implied
    assert reporters.not_applicable == []
    assert ("1.2", "IOM") in implied and "IOM" not in Activity.objects.get(
        plan__code="nairobi-2007", number="1.2").responsible_text  # fmt: skip
