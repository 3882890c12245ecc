"""Every page each role reaches, checked in Chromium by axe-core (the npm package, `npm ci`): no serious
or critical violation; and at a phone's width (390 px) no page scrolls sideways."""

import datetime
import os
from pathlib import Path

import pytest
from django.urls import reverse

from actions.models import Activity
from organizations.invitations import invitation_token
from organizations.models import Organization
from organizations.roles import Role
from organizations.services import user_invite
from reports.models import StocktakingCycle
from reports.services import cycle_close
from tests.factories import UserFactory
from tests.reports.scenario import give_back, log, new_cycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}"""


# The innermost elements that reach past the window's right edge, to say what to fix.
WIDEST = """() => [...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter((e) => ![...e.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 1))
  .slice(0, 3)
  .map((e) => `${e.tagName.toLowerCase()}${e.className ? "." + e.className : ""}`)
  .join(", ")"""


@pytest.fixture
def axe():
    if not AXE.exists():
        message = f"No axe-core at {AXE}: npm ci"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE


@pytest.fixture
def everyone(cast):
    """One account per role, and what their pages show: an open cycle and a closed one (its report on
    the home page), an entry awaiting review and one returned with the reason."""
    people = {
        Role.STAFF: cast["staff"],
        Role.FOCAL_POINT: cast["focal_point"],
        Role.SECRETARIAT: UserFactory(username="sam", role=Role.SECRETARIAT),
        Role.VIEWER: UserFactory(username="victor", role=Role.VIEWER),
    }
    closed = new_cycle(cast["staff"], title="2024", start=datetime.date(2024, 1, 1), end=datetime.date(2024, 12, 31))
    cycle_close(cycle=closed, actor=cast["staff"], confirm=True)
    cycle = new_cycle(cast["staff"])
    give_back(log(cast["focal_point"], "3.3", "ICAO", "completed", "Published."), cast["staff"], "Add the link.")
    log(
        cast["focal_point"],
        "3.2",
        "ICAO",
        "in_progress",
        "Model legislation circulated to 40 States.",
        evidence=["https://www.icao.int/Security/FAL/TRIP/Documents/a-very-long-address-of-a-report-2025.pdf"],
    )
    return people, cycle


def pages(cycle: StocktakingCycle) -> list[str]:
    """What the navigation and the pages link to, for every role; a page a role may not see is its 403."""
    activity = Activity.objects.get(plan__code="nairobi-2007", number="3.2")
    return [
        "/",
        "/plans/nairobi-2007/",
        "/plans/cica-2008/",
        "/plans/nairobi-2007/progress/",
        f"/activities/{activity.pk}/",
        "/organizations/",
        f"/organizations/{Organization.objects.get(acronym='ICAO').acronym}/",
        "/cycles/",
        f"/cycles/{cycle.pk}/",
        f"/cycles/{cycle.pk}/report.html",
        "/cycles/new/",
        "/review/",
        "/audit/",
        "/audit/security/",
        "/accounts/profile/",
        "/accounts/tokens/",
        "/accounts/password_change/",
        "/accounts/people/",
        "/accounts/people/invite/",
        "/no-such-page/",
    ]


def each_page(sign_in, live_server, everyone, viewport: dict):
    """Each page of ``pages`` as each role sees it, loaded: (role, path, page)."""
    people, cycle = everyone
    for role, user in people.items():
        # The CSP allows no inline script: axe is injected as one, so these pages do not apply it
        # (test_content_security_policy checks the pages under it).
        page = sign_in(user.username, viewport=viewport, bypass_csp=True)
        for path in pages(cycle):
            page.goto(f"{live_server.url}{path}")
            yield role, path, page


def test_no_page_of_any_role_has_a_serious_accessibility_violation(browser, sign_in, live_server, axe, everyone):
    found: list[str] = []
    for role, path, page in each_page(sign_in, live_server, everyone, DESKTOP):
        page.add_script_tag(path=str(axe))
        found += [f"{role.label} {path}: {violation}" for violation in page.evaluate(SERIOUS)]
    # The sign-in page, and the page an invitation links to, before anyone signs in.
    invited = user_invite(
        email="new@example.org",
        name="New Person",
        role=Role.VIEWER,
        organization=None,
        invited_by=everyone[0][Role.STAFF],
    )
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    for path in ["/accounts/login/", reverse("invitation-accept", args=[invitation_token(invited)])]:
        page.goto(f"{live_server.url}{path}")
        page.add_script_tag(path=str(axe))
        found += [f"anonymous {path}: {violation}" for violation in page.evaluate(SERIOUS)]
    context.close()
    assert not found, "\n".join(found)


def test_no_page_scrolls_sideways_on_a_phone(sign_in, live_server, everyone):
    wide: list[str] = []
    for role, path, page in each_page(sign_in, live_server, everyone, PHONE):
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide.append(f"{role.label} {path}: {width} px, {page.evaluate(WIDEST)}")
    assert not wide, "\n".join(wide)
