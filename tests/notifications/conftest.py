import pytest

from actions.models import Participation


@pytest.fixture
def named_only():
    """The Nairobi plan with no participants: only the organizations its activities name are
    expected to report. The jobs' own rules (when, to whom, once) read more plainly so;
    tests/notifications/test_participants.py covers the participants."""
    Participation.objects.filter(plan__code="nairobi-2007").delete()
