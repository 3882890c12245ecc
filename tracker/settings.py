"""Settings for the plan-of-action tracker, read from the environment.

See README.md for the variables. Nothing secret lives in this file.
"""

import datetime
import os
from pathlib import Path

from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

from tracker.env import (
    env_bool,
    env_int,
    env_int_list,
    env_list,
    env_networks,
    env_proxy_ssl_header,
    env_str,
    parse_database_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

# Django's debug pages (the code, the settings, every address) on errors: for a developer who asks.
DEBUG = env_bool("DEBUG", False)
# Served on this machine over plain HTTP, to try it or work on it (`make run` sets LOCAL=1): a
# development secret key, the local host names, no HTTPS, static files from the source folders.
# The error pages stay the site's own unless DEBUG is on as well; DEBUG on implies LOCAL.
LOCAL = env_bool("LOCAL", DEBUG)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not LOCAL:
        raise ImproperlyConfigured("SECRET_KEY must be set, unless LOCAL (or DEBUG) is on.")
    SECRET_KEY = "insecure-development-key-only-used-on-a-local-machine"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if LOCAL else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    # Kept for its migration history only: organizations' 0004 copies its tokens into ApiToken
    # and empties its table; nothing reads DRF's Token model any more.
    "rest_framework.authtoken",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    # Sign-in lockouts after repeated wrong passwords, kept in the database (see "Sign-in limits" below).
    "axes",
    # The audit trail (audit/models.py): pgtrigger installs pghistory's triggers on PostgreSQL.
    "pgtrigger",
    "pghistory",
    "organizations",
    "actions",
    "reports",
    "notifications",
    "audit",
    # The project's own commands: backup and restore.
    "tracker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tracker.middleware.RejectNulCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise: pages and API responses get the Content-Security-Policy, static files do not.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language of the page: the browser's (Accept-Language, or the switch's cookie), then, for a
    # signed-in person, the one in their profile, which the session carries.
    "django.middleware.locale.LocaleMiddleware",
    "organizations.languages.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Ties each change a request makes to its user in the audit trail; records refused requests.
    "audit.middleware.AuditMiddleware",
    "tracker.middleware.LoginRequiredMiddleware",
    "tracker.middleware.IdleSessionMiddleware",
    "tracker.middleware.PrivateCacheMiddleware",
    "tracker.middleware.HtmxVaryMiddleware",
    "tracker.middleware.KnownInlineStylesMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes' documentation says: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tracker.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": parse_database_url(env_str("DATABASE_URL", "sqlite:///db.sqlite3"), base_dir=BASE_DIR)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the tracker's queries are short, and PostgreSQL compiled the status
    # count over every activity for longer (about 170 ms at scale) than it took to run (30 ms).
    # An `options` given in DATABASE_URL's query string is kept, with this added.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    if "jit" not in options.get("options", ""):
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
# Answers and counts kept in the cache until something they show changes (actions/generation.py):
# only where every process shares the cache, unless told otherwise.
API_ANSWERS_KEPT = env_bool("API_ANSWERS_KEPT", default=bool(REDIS_URL))

# Celery: Redis as broker when REDIS_URL is set; without it, tasks run in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# A request that queues a task must not hang on a broker that is down: fail fast, and the
# next scheduled run sends what could not be queued.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2, "max_retries": 0}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Stocktaking reminders: days before a cycle's deadline, then weekly after it.
REMINDER_DAYS_BEFORE = sorted(set(env_int_list("REMINDER_DAYS_BEFORE", [14, 7, 1])), reverse=True)
REMINDER_OVERDUE_MAX = env_int("REMINDER_OVERDUE_MAX", 3)
# A closed cycle's stored PDF and XLSX go with its e-mail when together they weigh at most this; else links only.
REPORT_ATTACHMENT_MAX_BYTES = env_int("REPORT_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)
# How many processes lay out the parts of one PDF report at once (reports/pdf.py); 1 lays them out in turn.
REPORT_PDF_PROCESSES = env_int("REPORT_PDF_PROCESSES", min(2, os.cpu_count() or 1), minimum=1)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Checks nothing: records each password set or changed as a security event (audit/passwords.py).
    {"NAME": "audit.passwords.RecordPasswordChange"},
]
# axes' backend first: it refuses a locked-out username and address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Sign-in limits (django-axes), shared by every process through the database: after
# LOGIN_FAILURE_LIMIT wrong passwords for one username from one client address, that username
# may not sign in from that address (web, admin, API token) for LOGIN_COOLOFF_MINUTES, not even
# with the right password; each attempt meanwhile starts the wait again.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_COOLOFF_MINUTES = env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1)
# The proxies whose X-Forwarded-For is believed (addresses or networks); none: REMOTE_ADDR only.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "tracker.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "tracker.lockout.lockout_response"
# A successful sign-in forgets that username's earlier failures from that address.
AXES_RESET_ON_SUCCESS = True
# axes' own log of sign-ins is off: the audit app records sign-ins, failures and lockouts as
# security events, beside token, role and cycle events, in one list that CTED staff read.
AXES_DISABLE_ACCESS_LOG = True
# Password resets: at most this many e-mails an hour per address asked for and per client address.
PASSWORD_RESET_LIMIT_PER_HOUR = 5

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
FORMAT_MODULE_PATH = ["tracker.formats"]
# The six official languages of the United Nations, in their English alphabetical order (issue 13).
# The switch in the header names each in itself; a signed-in person's choice is kept in their profile
# and used for their pages and e-mails (organizations/languages.py), anyone else's browser is asked.
LANGUAGES = [
    ("ar", gettext_lazy("Arabic")),
    ("zh-hans", gettext_lazy("Chinese")),
    ("en", gettext_lazy("English")),
    ("fr", gettext_lazy("French")),
    ("ru", gettext_lazy("Russian")),
    ("es", gettext_lazy("Spanish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
CELERY_TIMEZONE = TIME_ZONE
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if LOCAL
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Locally, WhiteNoise serves the source folders as they change (no collectstatic), DEBUG or not.
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = LOCAL
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# E-mail: without EMAIL_HOST, messages are written to the console.
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tracker@localhost")

# HTTPS, cookies and headers. With LOCAL off (production) the defaults are the safe ones:
# `manage.py check --deploy` passes with nothing more set. Plain HTTP (e.g. on loopback)
# needs SECURE_SSL_REDIRECT=0; `make run` sets LOCAL=1, which turns the HTTPS ones off.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not LOCAL)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if LOCAL else 365 * 24 * 60 * 60, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not LOCAL)
# Preloading is a request to the browser makers, slow to undo and for the whole domain: the
# operator's choice (SECURE_HSTS_PRELOAD=1), so Django's reminder about it is silenced.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_PROXY_SSL_HEADER = env_proxy_ssl_header(
    "SECURE_PROXY_SSL_HEADER", None if LOCAL else ("HTTP_X_FORWARDED_PROTO", "https")
)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not LOCAL)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not LOCAL)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
# A form sent without its token (a page left open past the session, cookies refused): the site's
# own page, saying what to do, rather than Django's.
CSRF_FAILURE_VIEW = "tracker.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A signed-in session ends after this many seconds without a request: requests renew it
# (tracker.middleware.IdleSessionMiddleware, at most once a minute rather than on every request).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60, minimum=60)

# Only the tracker's own files run or style a page: no inline script, event handler or style
# attribute. A template that must inline one marks it with the request's nonce (the API docs);
# the HTML report's inlined stylesheet (and a style attribute of DRF's) by hash (tracker/middleware.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# An API token stops working this many days after it is made.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90, minimum=1)

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes a request without credentials a 401.
    # organizations.ApiToken: hashed, expiring, revocable keys (not DRF's authtoken.Token).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "organizations.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["tracker.api.ListFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "tracker.api.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # ?format= names a report's format (json, csv, xlsx, pdf), not a renderer.
    "URL_FORMAT_OVERRIDE": None,
    "DEFAULT_THROTTLE_RATES": {"auth": env_str("API_AUTH_RATE", "20/min")},
    # JSON as DRF reads it, but a body nested too deep or holding a NUL character is a 400.
    "DEFAULT_PARSER_CLASSES": [
        "tracker.api.JSONParser",
        "tracker.api.FormParser",
        "tracker.api.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Plan-of-action tracker API",
    "DESCRIPTION": (
        "Plans of action, their objectives and activities, the organizations responsible "
        "for them and the progress they report."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI's files come from the drf-spectacular-sidecar package, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Each operation's error answers (400, 401, 403, 404: tracker.api.declare_error_responses),
    # after drf-spectacular's own hook; `manage.py spectacular` writes the same schema as /api/v1/schema/.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "tracker.api.declare_error_responses"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every step of every PDF at INFO; axes every successful sign-in (its
    # failures and lockouts are warnings, and stay).
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools", "axes")},
}
