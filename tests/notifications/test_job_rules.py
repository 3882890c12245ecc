"""Rules of the jobs decided after review: a report goes out once, the digest's silent list
follows what its reader may read, the matrix follows the e-mail choice."""

import datetime

import pytest

from actions.models import Confidentiality
from organizations.models import MailPreference, Profile
from tests.notifications.mailbox import add_focal_point, everything, one_to, recipients, run_job, settle, to
from tests.reports.scenario import DEADLINE, log, new_cycle, populate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("named_only")]

ALICE, SAM, CHARLIE = "alice@example.org", "sam@example.org", "charlie@example.org"


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


@pytest.fixture
def ended(staff, focal_point, other_focal_point, secretariat, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cycle = new_cycle(secretariat)
    populate(staff, focal_point, other_focal_point)
    settle()
    return cycle


def test_a_report_goes_out_once_and_not_to_focal_points_added_later(ended):
    assert run_job("close-cycles", DEADLINE + days(1))
    late = add_focal_point("IMO", "Late")
    assert run_job("close-cycles", DEADLINE + days(2)) == []
    ended.refresh_from_db()
    assert ended.report_sent_at is not None
    assert not to(run_job("close-cycles", DEADLINE + days(30)), late.email)


def test_a_cycle_stays_open_until_its_period_has_ended_and_its_deadline_has_passed(secretariat):
    cycle = new_cycle(secretariat)
    cycle.deadline = cycle.period_end + days(10)
    cycle.save(update_fields=["deadline"])
    run_job("close-cycles", cycle.period_end + days(1))
    cycle.refresh_from_db()
    assert cycle.state == "open"
    run_job("close-cycles", cycle.deadline + days(1))
    cycle.refresh_from_db()
    assert cycle.state == "closed"


def test_a_filing_in_confidence_counts_as_reported_in_every_readers_digest(staff, focal_point, other_focal_point):
    """Listing ICAO as silent for WCO would have CTED's partners chase an organization that did report.
    That ICAO filed is no secret; what it filed is."""
    cycle = new_cycle(staff, title="Open", end=DEADLINE + days(60))
    for number in ("3.2", "3.3", "3.4", "5.2"):
        log(focal_point, number, "ICAO", "planned", "Secret plans.", confidentiality=Confidentiality.RESTRICTED)
    Profile.objects.create(user=other_focal_point, mail=MailPreference.REMINDERS_AND_DIGESTS)
    settle()
    sent = run_job("digest", cycle.deadline - days(3))
    wco_digest, staff_digest = everything(one_to(sent, CHARLIE)), everything(one_to(sent, ALICE))
    silent_for_wco = wco_digest.split("not reported in open cycles", 1)[1]
    silent_for_staff = staff_digest.split("not reported in open cycles", 1)[1]
    for silent in (silent_for_wco, silent_for_staff):
        assert "ICAO" not in silent.split("</ul>", 1)[0].split("\n\n", 1)[0]
    assert "Secret plans" not in wco_digest


def test_the_matrix_follows_the_choice_of_reminders_only(staff, secretariat):
    assert recipients(run_job("matrix", datetime.date(2026, 11, 1))) == [ALICE, SAM]
    Profile.objects.create(user=secretariat, mail=MailPreference.REMINDERS)
    assert recipients(run_job("matrix", datetime.date(2026, 12, 1))) == [ALICE]


def test_plain_text_e_mails_are_not_html_escaped(focal_point, staff, django_capture_on_commit_callbacks):
    from django.core import mail

    from actions.models import Activity
    from actions.services import status_entry_log, status_entry_review

    entry = status_entry_log(
        activity=Activity.objects.get(plan__code="nairobi-2007", number="3.2"),
        organization=focal_point.focal_point.organization,
        author=focal_point,
        status="planned",
        observations="Drafting.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        status_entry_review(
            entry=entry, reviewer=staff, decision="return", comment='Say who & when: "Q3" isn\'t clear.'
        )
    returned = [m for m in mail.outbox if "was returned" in m.subject][-1]
    assert 'Say who & when: "Q3" isn\'t clear.' in returned.body
    assert "&amp;" not in returned.body and "&#x27;" not in returned.body
    assert "Say who &amp; when" in returned.alternatives[0][0]  # the HTML part stays escaped
