"""Copy DRF's tokens into ApiToken, then delete them (their keys were stored in clear).

A copied token keeps its key (only its hash is stored now) and works for API_TOKEN_DAYS
days from this migration, so programs using one keep working until then.
"""

import datetime
import hashlib

from django.conf import settings
from django.db import migrations
from django.utils import timezone
from django.utils.crypto import salted_hmac


def session_auth_hash(password: str) -> str:
    # What user.get_session_auth_hash() gives; historical models do not have the method.
    return salted_hmac(
        "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash", password, algorithm="sha256"
    ).hexdigest()


def copy_drf_tokens(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("organizations", "ApiToken")
    now = timezone.now()
    expires_at = now + datetime.timedelta(days=settings.API_TOKEN_DAYS)
    for old in Token.objects.select_related("user").iterator():
        ApiToken.objects.create(
            user=old.user,
            name="Token from before expiring tokens",
            key_hash=hashlib.sha256(old.key.encode()).hexdigest(),
            prefix=old.key[:8],
            fingerprint=session_auth_hash(old.user.password),
            created_at=old.created,
            expires_at=expires_at,
        )
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0004_api_token"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    # Backwards, the copies stay: the old keys cannot be recovered from their hashes.
    operations = [migrations.RunPython(copy_drf_tokens, migrations.RunPython.noop)]
