"""Settings for Seniorene Omsorg, read from environment variables.

With nothing set this is the embedded default: SQLite under ``var/``, Celery
through the no-server filesystem broker, SMS to the database outbox, e-mail to
the console. DEBUG is off unless DEBUG=true is set (`make run` sets it), so a
deployment that forgets it shows no tracebacks and refuses to start without a
SECRET_KEY, ALLOWED_HOSTS and SITE_URL. The test suite gets the development
defaults without DEBUG. docs/configuration.md has the table of every variable.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from seniorene.env import env_bool, env_choice, env_int, env_list, env_str

# Django's classes subscriptable at run time as in the type stubs (ModelAdmin[User]).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
TESTING = "pytest" in sys.modules or env_bool("TESTING", False)

# --- Core -------------------------------------------------------------------

# Off unless asked for: tracebacks show personal data. `make run` (bin/run-dev) turns it on.
DEBUG = env_bool("DEBUG", False)
# Development and the test suite: the insecure built-in key, local host names, plain HTTP.
# Everything else (a server started without DEBUG=true) must be configured for production.
LOCAL = DEBUG or TESTING
INSECURE_SECRET_KEY = "django-insecure-seniorene-embedded-default-do-not-use-in-production"  # noqa: S105 - refused when DEBUG is off
SECRET_KEY = env_str("SECRET_KEY", INSECURE_SECRET_KEY)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"] if LOCAL else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")

if not LOCAL:
    _FOR_DEVELOPMENT = " (On a developer machine: `make run`, or set DEBUG=true.)"
    if SECRET_KEY == INSECURE_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DEBUG is off: set SECRET_KEY (or SECRET_KEY_FILE) to a random value "
            "of at least 50 characters." + _FOR_DEVELOPMENT
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DEBUG is off: set ALLOWED_HOSTS (comma-separated)." + _FOR_DEVELOPMENT
        )
    if SITE_URL.startswith("http://localhost"):
        raise ImproperlyConfigured(
            "DEBUG is off: set SITE_URL to the public address (links in e-mails use it)."
            + _FOR_DEVELOPMENT
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "django_celery_beat",
    "phonenumber_field",
    "seniorene",
    "seniorene.accounts",
    "seniorene.audit",
    "seniorene.jobs",
    "customers",
    "messaging",  # label "sms": stands above customers
    "ledger",
    "training",
    "omsorg",
    "visits",
    "openings",
    "family",
    "evaluations",
    "quality",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "seniorene.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed on the wire (static files come precompressed from WhiteNoise).
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "seniorene.middleware.BokmaalFirstLocaleMiddleware",
    # Before CsrfViewMiddleware, whose process_view is the first to read a request body.
    "seniorene.uploads.RequestBodyLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "seniorene.accounts.middleware.TenantMiddleware",
]

ROOT_URLCONF = "seniorene.urls"
WSGI_APPLICATION = "seniorene.wsgi.application"

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
                "django.template.context_processors.i18n",
                "seniorene.accounts.context_processors.tenancy",
            ],
            "string_if_invalid": "",
        },
    },
]

# --- Database -----------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
            conn_health_checks=True,
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "db.sqlite3"),
            # The web server, the worker and beat share this file (make run): readers
            # never wait for the writer (WAL), and a transaction takes the write lock
            # when it begins (IMMEDIATE), queueing up to 20 s for it, instead of failing
            # "database is locked" when it first writes after another process did.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"].setdefault("TEST", {})
if TESTING and env_str("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"]["NAME"] = env_str("TEST_DATABASE_NAME")
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
# The role that row-level security applies to (see README, "The two walls").
DATABASE_APP_ROLE = env_str("DATABASE_APP_ROLE", "seniorene_app")
if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", DATABASE_APP_ROLE):
    raise ImproperlyConfigured("DATABASE_APP_ROLE must be a lower-case SQL identifier.")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Cache, Celery ------------------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
# The test suite in parallel (pytest-xdist sets PYTEST_XDIST_WORKER=gw0, gw1, ...): each
# worker process has a test database of its own (pytest-django adds the suffix) and its own
# keys in the one Redis database, the cache's and Celery's under a prefix of its own, so that
# no worker's cache.clear() or broker sees another's. The Celery workers some tests start
# inherit the variable, and with it the prefix.
TEST_WORKER = env_str("PYTEST_XDIST_WORKER") if TESTING else ""
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's, but clear() deletes only the keys under KEY_PREFIX (not FLUSHDB).
            "BACKEND": "seniorene.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "seniorene")
            + (f"-{TEST_WORKER}" if TEST_WORKER else ""),
        }
    }
    CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
    # Sessions are read from Redis on every request, written through to the database.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")

CELERY_QUEUE_DIR = VAR_DIR / "celery" / "queue"
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The no-server broker is a folder that the web process and the worker share.
    CELERY_QUEUE_DIR.mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "celery" / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR),
        "data_folder_out": str(CELERY_QUEUE_DIR),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
        # Else kombu keeps its exchange table in ./control, in whatever folder it started.
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
else:
    # Longer than the longest task's hard time limit, so acks_late cannot redeliver
    # a task that is still running.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    if TEST_WORKER:
        CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = f"{TEST_WORKER}:"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", TESTING)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_TIMEZONE = "Europe/Oslo"
CELERY_ENABLE_UTC = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Integrations (each off until configured) -----------------------------------

TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN")
TWILIO_FROM = env_str("TWILIO_FROM")
SMS_BACKEND = env_choice(
    "SMS_BACKEND", "twilio" if TWILIO_ACCOUNT_SID else "outbox", {"outbox", "twilio"}
)
if SMS_BACKEND == "twilio" and not (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN and TWILIO_FROM):
    raise ImproperlyConfigured(
        "SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM."
    )

EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Seniorene Omsorg <omsorg@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Accounts, allauth, MFA -------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 at full strength makes hundreds of test logins slow; the production
    # hasher is exercised in tests/accounts/test_login_security.py.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "seniorene.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Seniorene Omsorg] "
# A reset asked for an address no one has sends nothing (the page says the same either way).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Changing one's e-mail (issue 16): one address per person; a new one replaces the login
# address only when the link sent to it is opened, and only after the password is entered
# again. Login itself needs no verification (people join through an e-mailed invitation,
# which is what verifies their address).
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_FORMS = {"add_email": "seniorene.accounts.forms.AddEmailForm"}
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
# Behind a reverse proxy, how many proxies to trust for the client IP that rate limits use.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Seniorene Omsorg"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = LOCAL
# allauth refuses a new (not yet confirmed) address on an account with two-factor, against
# someone who signs up with another's address and locks them out with MFA. There is no
# sign-up here (invitations verify the address), and a new address replaces the login
# only once its link is opened (ACCOUNT_CHANGE_EMAIL above): without this, admin, lead and
# leader, who must use two-factor, could never change their address at all.
MFA_ALLOW_UNVERIFIED_EMAIL = True
# Roles that must have MFA before they reach any data page (issue: accounts).
MFA_REQUIRED_ROLES = env_list("MFA_REQUIRED_ROLES", ["admin", "lead", "leader"])
INVITATION_DAYS = env_int("INVITATION_DAYS", 7, minimum=1)

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12, minimum=300)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Internationalisation -----------------------------------------------------

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norsk bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True
PHONENUMBER_DEFAULT_REGION = "NO"
PHONENUMBER_DB_FORMAT = "E164"
PHONENUMBER_DEFAULT_FORMAT = "NATIONAL"

# --- Static and private files --------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
STORAGES = {
    # Private files (PDFs, receipts) are never served directly: views check access.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if LOCAL
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Security -----------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not LOCAL:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("SECURE_PROXY_SSL_HEADER", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'"
)

# --- Logging ------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Product settings -----------------------------------------------------------

VISIT_HORIZON_WEEKS = env_int("VISIT_HORIZON_WEEKS", 8, minimum=1)
RETENTION_DAYS_AFTER_END = env_int("RETENTION_DAYS_AFTER_END", 365 * 2, minimum=30)
# A job offered to seniors that nobody has said yes to for this many days shows on Følg opp.
OPENING_UNANSWERED_DAYS = env_int("OPENING_UNANSWERED_DAYS", 3, minimum=1)
