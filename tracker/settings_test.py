"""Settings for the test suite: production settings with a fixed key and a fast hasher."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")

from tracker.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Stored reports written by the tests go to a throwaway folder, never into the project.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="tracker-test-media-"))
# The test client and the browser tests' live server speak plain HTTP (HTTPS is tested with secure=True).
SECURE_SSL_REDIRECT = False
# The API's kept answers are on in every test (a process of its own, so the local-memory cache is
# shared by all that reads and writes): each test that writes, then reads, checks they move on.
API_ANSWERS_KEPT = True
