"""The signed link with which a focal point confirms their contact details once a year.

The link stands in for signing in: it proves the reader has that mailbox. It is valid for
CONFIRM_VALID_DAYS days, and once: it names the confirmation it asks for (the date of the
last one), which confirming replaces.
"""

import datetime

from django.core import signing

from organizations.models import FocalPoint

CONFIRM_SALT = "focal-point-confirm"
CONFIRM_VALID_DAYS = 90


class LinkUsed(signing.BadSignature):
    """The link was used already: the details it asked about were confirmed since."""


def confirmation_token(focal_point: FocalPoint) -> str:
    last = focal_point.confirmed_on.isoformat() if focal_point.confirmed_on else ""
    return signing.dumps({"focal_point": focal_point.pk, "last": last}, salt=CONFIRM_SALT)


def focal_point_for_token(token: str) -> FocalPoint:
    """The focal point a link was made for.

    Raises signing.SignatureExpired (too old), LinkUsed (confirmed since) or
    signing.BadSignature (not one of ours, or the focal point is gone).
    """
    data = signing.loads(token, salt=CONFIRM_SALT, max_age=datetime.timedelta(days=CONFIRM_VALID_DAYS))
    focal_point = FocalPoint.objects.select_related("organization").filter(pk=data.get("focal_point")).first()
    if focal_point is None:
        raise signing.BadSignature("No such focal point.")
    last = focal_point.confirmed_on.isoformat() if focal_point.confirmed_on else ""
    if data.get("last") != last:
        raise LinkUsed("The details were confirmed since the link was sent.")
    return focal_point
