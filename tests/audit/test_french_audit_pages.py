"""The audit trail's pages in French (issue 13), for CTED staff, the only role that reads them.

The changes page is shown with rows on every database: on SQLite, where no trigger records a change,
the events are written here as the triggers write them, and the page is told changes are recorded.
What the trail stores (a security event's details, the audited values) stays as it was recorded.
"""

import datetime

import pghistory.models
import pytest
from django.db import connection
from django.utils import timezone

from audit.models import OrganizationEvent, SecurityEvent, SecurityEventKind
from tests.tracker.test_french_pages import english_left, in_french

pytestmark = pytest.mark.django_db

NBSP = "\xa0"
POSTGRESQL = connection.vendor == "postgresql"


def french_page(response, status: int = 200) -> str:
    assert response.status_code == status, response.content[:500]
    html = response.content.decode()
    assert english_left(html) == []
    return html


@pytest.fixture
def events(staff):
    for n in range(3):
        SecurityEvent.objects.create(kind=SecurityEventKind.SIGN_IN_FAILED, username=f"user{n}")
    SecurityEvent.objects.create(
        kind=SecurityEventKind.LOCKED_OUT,
        username="mallory",
        ip_address="192.0.2.7",
        method="POST",
        path="/accounts/login/",
        detail="Too many failed sign-ins for this username from this address.",
    )


def test_the_security_events_page_in_french(staff, events):
    html = french_page(in_french(staff).get("/audit/security/"))
    assert "<h1>Journal d’audit</h1>" in html and 'aria-label="Journal d’audit"' in html
    assert 'aria-current="page">Événements de sécurité</a>' in html
    assert "événements, les plus récents d’abord." in html
    for heading in ("Date et heure", "Événement", "Utilisateur", "Auteur", "Provenance", "Détails"):
        assert f'<th scope="col">{heading}</th>' in html
    assert "<label>Du " in html and "<label>Au " in html and "Tous les événements" in html
    # What was recorded, in the language it was recorded in, marked so.
    assert '<td lang="en">Too many failed sign-ins for this username from this address.</td>' in html


def test_the_security_events_page_in_french_with_one_event_and_none(staff):
    SecurityEvent.objects.all().delete()
    SecurityEvent.objects.create(kind=SecurityEventKind.LOCKED_OUT, username="mallory")
    html = french_page(in_french(staff).get("/audit/security/", {"kind": "locked_out"}))
    assert "1 événement, le plus récent d’abord." in html
    none = french_page(in_french(staff).get("/audit/security/", {"username": "nobody"}))
    assert "Aucun événement ne correspond." in none


def test_a_wrong_period_is_told_in_french(staff):
    html = french_page(in_french(staff).get("/audit/security/", {"since": "2026-05-01", "until": "2026-04-01"}))
    assert "La fin de la période précède son début." in html
    wrong = french_page(in_french(staff).get("/audit/security/", {"since": "not a date"}))
    assert "Saisissez une date valide." in wrong  # Django's own


def test_the_changes_page_in_french_says_why_it_has_none_on_sqlite(staff):
    html = french_page(in_french(staff).get("/audit/"))
    assert "<title>Journal d’audit" + NBSP + ": modifications</title>" in html
    assert 'aria-current="page">Modifications</a>' in html
    if not POSTGRESQL:
        assert "Cette installation fonctionne avec SQLite" in html


def test_the_changes_page_in_french_with_rows(staff, icao, monkeypatch):
    if not POSTGRESQL:
        # What the triggers write on PostgreSQL, written here: a rename by a page, then one by a command.
        monkeypatch.setattr("audit.views.recorded", lambda: True)
        now = timezone.now()
        values = {"id": icao.pk, "acronym": icao.acronym, "kind": icao.kind, "parent": icao.parent, "website": ""}
        by_page = pghistory.models.Context.objects.create(metadata={"user": staff.pk, "url": "/admin/"})
        by_command = pghistory.models.Context.objects.create(
            metadata={"command": "load_shipped_plans", "os_user": "deploy"}
        )
        by_job = pghistory.models.Context.objects.create(metadata={"job": "close_cycles"})
        for seconds, label, name, context in [
            (0, "insert", icao.name, None),
            (1, "update", "ICAO, renamed", by_page),
            (2, "update", "ICAO, renamed again", by_command),
            (3, "update", "ICAO, renamed once more", by_job),
        ]:
            OrganizationEvent.objects.create(
                pgh_created_at=now + datetime.timedelta(seconds=seconds),
                pgh_label=label,
                pgh_obj=icao,
                pgh_context=context,
                **values,
                name=name,
            )
    else:
        for name in ("ICAO, renamed", "ICAO, renamed again"):
            icao.name = name
            icao.save()
    html = french_page(in_french(staff).get("/audit/", {"what": "audit.OrganizationEvent"}))
    assert "modifications, les plus récentes d’abord." in html
    for heading in ("Date et heure", "Objet", "Auteur", "Valeurs"):
        assert f'<th scope="col">{heading}</th>' in html
    assert "<ins>ICAO, renamed again</ins>" in html and "<br>modification</td>" in html
    assert "Tout</option>" in html and "Objet <select" in html
    if not POSTGRESQL:
        assert "<br>création</td>" in html
        assert "commande load_shipped_plans (deploy)" in html and "tâche d’arrière-plan close_cycles" in html
        assert f"<td>{staff.username}<br>" in html
    none = french_page(in_french(staff).get("/audit/", {"username": "nobody"}))
    assert "Aucune modification ne correspond." in none


@pytest.mark.parametrize("role", ["secretariat", "focal_point", "viewer"])
def test_the_audit_pages_are_refused_in_french(request, role):
    client = in_french(request.getfixturevalue(role))
    for path in ("/audit/", "/audit/security/"):
        html = french_page(client.get(path), status=403)
        assert "Seul le personnel de la DECT consulte le journal d’audit." in html
