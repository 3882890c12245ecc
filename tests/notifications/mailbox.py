"""Reading the e-mails the background jobs send, as the people who receive them read them.

The jobs write each e-mail as a Reminder row and send what is pending before they return,
so Django's outbox holds everything a run sent when ``notifications.jobs.run`` returns.
"""

import datetime
import re

from django.core import mail
from django.core.mail import EmailMessage

from notifications.delivery import deliver_pending
from notifications.jobs import run
from organizations.models import FocalPoint
from tests.reports.scenario import organization

SITE = "https://tracker.example.org"


def settle() -> None:
    """Send what setting up the test wrote (the receipts of logged entries), then empty the outbox."""
    deliver_pending()
    mail.outbox.clear()


def run_job(name: str, today: datetime.date) -> list[EmailMessage]:
    """Run one job as on ``today``; the e-mails it sent."""
    before = len(mail.outbox)
    run(name, today)
    return mail.outbox[before:]


def add_focal_point(acronym: str, name: str, **fields) -> FocalPoint:
    fields.setdefault("email", f"{name.lower()}@{acronym.lower()}.example.org")
    return FocalPoint.objects.create(organization=organization(acronym), name=name, **fields)


def recipients(messages: list[EmailMessage]) -> list[str]:
    """Every address written to, once per e-mail, sorted: a repeated address means a repeated e-mail."""
    return sorted(address for message in messages for address in message.to)


def to(messages: list[EmailMessage], address: str) -> list[EmailMessage]:
    return [message for message in messages if address in message.to]


def one_to(messages: list[EmailMessage], address: str) -> EmailMessage:
    received = to(messages, address)
    assert len(received) == 1, (address, [m.subject for m in received])
    return received[0]


def html(message: EmailMessage) -> str:
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return content


def everything(message: EmailMessage) -> str:
    """All a reader can see of an e-mail: subject, text and HTML."""
    return "\n".join([message.subject, message.body, html(message)])


def links(message: EmailMessage) -> list[str]:
    """The links into the site in the text of the e-mail, in order."""
    return re.findall(re.escape(SITE) + r"/[^\s\"<>]*", message.body)


def activity_links(text: str) -> list[str]:
    return re.findall(re.escape(SITE) + r"/activities/\d+/", text)


def listed_activities(message: EmailMessage) -> list[str]:
    """The activity numbers a reminder lists, in order (lines ``- 3.2 Text of the activity``)."""
    return re.findall(r"^- (\d+\.\d+) ", message.body, re.MULTILINE)
