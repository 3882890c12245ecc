"""Small helpers that many test modules share: the shipped plan's activities and what was written."""

import re
from pathlib import Path

from django.test import Client
from rest_framework.test import APIClient

from actions.models import Activity, StatusEntry, StatusEntryReview
from organizations.models import Organization
from tests.conftest import token_client

NAIROBI = "nairobi-2007"


def nairobi(number: str) -> Activity:
    """An activity of the shipped Nairobi plan, by its number ("3.2")."""
    return Activity.objects.get(plan__code=NAIROBI, number=number)


def organization(acronym: str) -> Organization:
    return Organization.objects.get(acronym=acronym)


def organization_change(client, organization: Organization, **changes: str):
    """POST the admin's change form of ``organization`` as it stands, with ``changes``, and no focal point."""
    form = {
        "acronym": organization.acronym,
        "name": organization.name,
        "kind": organization.kind,
        "parent": "",
        "focal_points-TOTAL_FORMS": "0",
        "focal_points-INITIAL_FORMS": "0",
        **changes,
    }
    return client.post(f"/admin/organizations/organization/{organization.pk}/change/", form)


def counts() -> tuple[int, int]:
    """How many status entries and reviews exist: a refused write leaves both as they were."""
    return StatusEntry.objects.count(), StatusEntryReview.objects.count()


def page_client(user) -> Client:
    """A browser-like client signed in as ``user`` (anonymous for None)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api_client(user) -> APIClient:
    """An API client with ``user``'s token (no credentials for None)."""
    return token_client(user) if user is not None else APIClient()


def backdate(entries, when) -> None:
    """Set when ``entries`` (a StatusEntry queryset) were logged, as if long ago.

    Their content is append-only: on PostgreSQL a trigger refuses the change, so the update
    runs with triggers off for this transaction, as only a superuser (the tests') may.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        entries.update(created_at=when)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


def body(response) -> bytes:
    """What a response carries, whether it came whole or streamed (a CSV, a stored file)."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def catalogue_messages(catalogue: Path) -> list[tuple[str, str]]:
    """Each (message, translation) pair of a gettext catalogue, a plural as two pairs; a message written
    over several quoted lines is read whole, however the tool that wrote it wrapped it."""
    pairs = []
    for block in catalogue.read_text().split("\n\n"):
        strings = {
            key: "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', body))
            for key, body in re.findall(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) ((?:".*"\n?)+)', block, re.M)
        }
        if strings.get("msgid"):
            pairs.append((strings["msgid"], strings.get("msgstr") or strings.get("msgstr[0]", "")))
            if "msgid_plural" in strings:
                pairs.append((strings["msgid_plural"], strings.get("msgstr[1]", "")))
    return [(message.replace('\\"', '"'), translated.replace('\\"', '"')) for message, translated in pairs]
