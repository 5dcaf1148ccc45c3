"""Settings of the backhome web app, read from the environment with safe defaults for one machine.

Every variable is documented in docs/web.md. Nothing here is a secret: the secret key comes from
``BACKHOME_SECRET_KEY`` or is generated once into ``<data dir>/secret_key`` (mode 600).
"""

from __future__ import annotations

import datetime
import os
import secrets
from pathlib import Path

import dj_database_url

from backhome.web.config import datadir, throttle

REPO = Path(__file__).resolve().parents[3]


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def secret_key_from_file(path: Path) -> str:
    """The key kept in ``path``; generated on first use, readable by the owner only."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text("utf-8").strip()
        if len(key) < 32:
            raise RuntimeError(f"{path} holds no usable secret key; delete it to make a new one") from None
        return key
    key = secrets.token_urlsafe(50)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


# Everything this process creates is its owner's only: the data folder holds health data (config/datadir.py).
datadir.owner_only_umask()
DATA_DIR = Path(os.environ.get("BACKHOME_DATA_DIR") or REPO / "data").resolve()
DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("BACKHOME_SECRET_KEY") or secret_key_from_file(DATA_DIR / "secret_key")
DEBUG = env_bool("BACKHOME_DEBUG")
ALLOWED_HOSTS = env_list("BACKHOME_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("BACKHOME_CSRF_TRUSTED_ORIGINS", "")

# --------------------------------------------------------------------------- the referral card
#: The emergency number the tap-to-call button on every page dials (B31): 112 by default (Europe and
#: many other countries); 911 in the US.
EMERGENCY_NUMBER = os.environ.get("BACKHOME_EMERGENCY_NUMBER", "").strip() or "112"

CLINIC = {
    "name": os.environ.get("BACKHOME_CLINIC_NAME", "").strip() or "a licensed physical therapist near you",
    "phone": os.environ.get("BACKHOME_CLINIC_PHONE", "").strip(),
    "url": os.environ.get("BACKHOME_CLINIC_URL", "").strip(),
}

# --------------------------------------------------------------------------- database
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'backhome.sqlite3'}",
        conn_max_age=int(os.environ.get("BACKHOME_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; IMMEDIATE takes the write lock at the start of a
    # transaction, so a busy database waits (up to `timeout` seconds) instead of failing mid-way.
    # Each worker thread keeps its connection (BACKHOME_DB_CONN_MAX_AGE): opening one costs about 0.9 ms
    # of CPU (Django registers its SQL functions on every new SQLite connection), more than a plan page.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --------------------------------------------------------------------------- apps
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "backhome.web.patient",
    "backhome.web.practice",
    "backhome.web.progress",
    "backhome.web.history",
    "backhome.web.accounts",
    "backhome.web.selfcheck",
    "backhome.web.handouts",
    "backhome.web.clinic",
    "backhome.web.api",
    "backhome.web.reminders",
    "axes",  # login limits per client address and per account (docs/security.md)
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "backhome.web.config.dberrors.DatabaseFaultMiddleware",  # a read-only or full database: 503, not a crash
    # Answers are sent gzipped to browsers that accept it (the gallery's inline pictures: 272 KB -> 19 KB);
    # Django pads each compressed response at random against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "backhome.web.config.security.ContentSecurityPolicyMiddleware",
    "backhome.web.config.limits.BodyLimitMiddleware",  # any body over 64 KB: 413 before it is read
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the one the person chose (session, cookie), else the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "backhome.web.accounts.middleware.AccountPersonMiddleware",
    "backhome.web.config.throttle.RateLimitMiddleware",  # RATE_LIMITS, per client address
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as its documentation asks: turns a locked-out login into AXES_LOCKOUT_CALLABLE's page.
    "axes.middleware.AxesMiddleware",
]
ROOT_URLCONF = "backhome.web.config.urls"
WSGI_APPLICATION = "backhome.web.config.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.template.context_processors.i18n",
                "backhome.web.config.security.csp_nonce",
            ],
        },
    }
]

# --------------------------------------------------------------------------- protections
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
#: Set BACKHOME_HTTPS=on behind a TLS proxy: secure cookies and HSTS.
HTTPS = env_bool("BACKHOME_HTTPS")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Plain HTTP that reaches the app is sent to HTTPS; a load balancer's health check is answered as is.
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # HSTS covers the site's own subdomains (those of its host name, never the parent domain's).
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
#: Opt in to the browsers' HSTS preload list only when the domain's owner submits it (hstspreload.org);
#: until then `check --deploy`'s reminder about it (security.W021) is silenced: docs/security.md.
SECURE_HSTS_PRELOAD = HTTPS and env_bool("BACKHOME_HSTS_PRELOAD")
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SESSION_COOKIE_AGE = 60 * 60 * 24 * 365  # a guest keeps their programme on this device for a year
# The database keeps every session; a cache that all worker processes share (files, or Redis shared by
# every server) spares the query on each request (a cache per process would serve a session another
# process has since logged out). Losing the cache logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "sessions"
#: ``BACKHOME_CACHE_URL=redis://host:6379/0``: every cache below is Redis, shared by every server
#: (docs/operations.md, "More than one server"); a Redis outage degrades to the database (config/cache.py).
CACHE_URL = os.environ.get("BACKHOME_CACHE_URL", "").strip()
CACHES: dict[str, dict[str, object]]
if CACHE_URL:
    _redis = {"BACKEND": "backhome.web.config.cache.TolerantRedisCache", "LOCATION": CACHE_URL}
    CACHES = {
        "default": {**_redis, "KEY_PREFIX": "page"},
        "sessions": {**_redis, "KEY_PREFIX": "session"},
        "shared": {**_redis, "KEY_PREFIX": "shared"},
    }
else:
    CACHES = {
        # Each process's own memory (Django's default); nothing of the site's is kept in it.
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 500},
        },
        "sessions": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache" / "sessions"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        },
        # Files all worker processes share, for counts that must hold across them (the public triage's
        # limit).
        "shared": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache" / "shared"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        },
    }
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=()"
#: The largest form body read (the largest real form is under 2 KB); a bigger one is a 413 before any
#: view runs (config/limits.py). The JSON endpoints keep their own 64 KB limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# --------------------------------------------------------------------------- accounts
# The email address is the username (stored in lower case, so it is unique whatever its case).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# --------------------------------------------------------------------------- limits (docs/security.md)
#: Reverse proxies in front of backhome (addresses or networks, comma-separated): from them, the client's
#: address is read from X-Forwarded-For (config/throttle.py, client_address). Empty: the connection's.
TRUSTED_PROXIES = throttle.trusted_networks(os.environ.get("BACKHOME_TRUSTED_PROXIES", ""))
#: Requests per client address (config/throttle.py): password reset emails, sign-ups, new guests
#: starting the questions, screen requests to a clinic, invitation codes and links tried.
RATE_LIMITS = {
    "password_reset": "10/h",
    "signup": "10/h",
    "guest": "60/h",
    "screen_request": "10/h",
    "join": "20/h",
}
#: Reset emails sent to one address, whoever asks (more are not sent; the page says the same).
PASSWORD_RESET_EMAILS_PER_ADDRESS = "3/h"
# Logins: django-axes counts wrong passwords per email address and per client address, in the shared
# cache; at AXES_FAILURE_LIMIT within AXES_COOLOFF_TIME of each other the login is paused (429). A reset
# link still works, and a new password lifts the pause for that email (accounts/views.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_CACHE = "shared"
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "backhome.web.config.throttle.client_address"
AXES_LOCKOUT_CALLABLE = "backhome.web.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = False  # else one good login with one's own account would clear the address's count
AXES_DISABLE_ACCESS_LOG = True  # no row per login (address, browser) kept in the database
AXES_SENSITIVE_PARAMETERS = ["password", "email", "username"]
#: axes.W001 says a file cache counts per machine and two failures at the same instant may count once.
#: Until the shared cache is a server (Redis), that is what backhome's limits are (docs/security.md).
if "FileBasedCache" in str(CACHES["shared"]["BACKEND"]):
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "axes.W001"]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:account"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a reset link works for one day

# --------------------------------------------------------------------------- email (password reset)
# file (default: each email is a file in <data dir>/mail/), smtp, console, or a backend's dotted path.
EMAIL_BACKENDS = {
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
}
_email_backend = os.environ.get("BACKHOME_EMAIL_BACKEND", "").strip() or "file"
EMAIL_BACKEND = EMAIL_BACKENDS.get(_email_backend, _email_backend)
EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_HOST = os.environ.get("BACKHOME_EMAIL_HOST", "").strip() or "localhost"
EMAIL_PORT = int(os.environ.get("BACKHOME_EMAIL_PORT", "").strip() or "587")
EMAIL_HOST_USER = os.environ.get("BACKHOME_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("BACKHOME_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("BACKHOME_EMAIL_USE_TLS", True)
EMAIL_USE_SSL = env_bool("BACKHOME_EMAIL_USE_SSL")
if EMAIL_USE_SSL:
    EMAIL_USE_TLS = False  # Django allows one of the two
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = (
    os.environ.get("BACKHOME_DEFAULT_FROM_EMAIL", "").strip() or "backhome <no-reply@localhost>"
)

#: The site's public address, for links made outside a request (alert emails, FHIR fullUrls, handouts).
PUBLIC_URL = (os.environ.get("BACKHOME_PUBLIC_URL", "").strip() or "http://127.0.0.1:8000").rstrip("/")

#: Clinic audit rows older than this many days are deleted by ``manage.py prune_audit`` (0: keep all).
AUDIT_RETENTION_DAYS = int(os.environ.get("BACKHOME_AUDIT_RETENTION_DAYS", "").strip() or "2920")

# --------------------------------------------------------------------------- static files
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns about a missing folder before `collectstatic`
# Django's storages chmod what they write (0644 by default, whatever the umask): owner-only, as the rest.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "backhome.web.config.staticfiles.StaticFilesStorage"},  # WhiteNoise's
}

# --------------------------------------------------------------------------- the JSON API (docs/api.md)
#: Requests to the public POST /api/v1/triage per client address ("30/min"; s, min, h or day).
API_TRIAGE_RATE = os.environ.get("BACKHOME_API_TRIAGE_RATE", "").strip() or "30/min"

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("BACKHOME_TIME_ZONE", "UTC")
# Every language the site offers; each needs a complete catalog in backhome/locale/ and every content text
# (docs/translating.md). `make compile-messages` builds the .mo files, which are not committed.
USE_I18N = True
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [Path(__file__).resolve().parents[2] / "locale"]
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Log lines name paths; the secret of a feed, stop, reset or join link is replaced (config/accesslog.py).
    "filters": {"secrets": {"()": "backhome.web.config.accesslog.SecretFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["secrets"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("BACKHOME_LOG_LEVEL", "WARNING")},
    # django-axes warns at every wrong password with the email and the client's address: not for a log.
    "loggers": {"axes": {"level": "ERROR"}},
}
