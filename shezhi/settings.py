"""Shezhi settings, read from environment variables.

SHEZHI_ENV=production switches to the hardened profile, which refuses to start without a
real SECRET_KEY, ALLOWED_HOSTS and FIELD_ENCRYPTION_KEY. The development profile is what
`make run` uses: SQLite under var/, console e-mail, a fixed development key.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from shezhi.env import ConfigError, envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("SHEZHI_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SHEZHI_ENV = envstr("SHEZHI_ENV", "development")
if SHEZHI_ENV not in {"development", "production", "test"}:
    raise ConfigError(f"SHEZHI_ENV={SHEZHI_ENV!r}: use development, production or test")
PRODUCTION = SHEZHI_ENV == "production"

_DEV_SECRET = "dev-only-insecure-secret-key-shezhi-do-not-use-in-production-0123456789"
SECRET_KEY = envstr("SECRET_KEY", None if PRODUCTION else _DEV_SECRET)
if not SECRET_KEY or (PRODUCTION and SECRET_KEY == _DEV_SECRET):
    raise ConfigError("SECRET_KEY must be set to a long random value in production")

DEBUG = envbool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ConfigError("DEBUG must be off in production")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ConfigError("ALLOWED_HOSTS must list this server's host names in production")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

# Personal data (phones, ID numbers) is encrypted with Fernet; the first key encrypts,
# all keys decrypt, so a key can be rotated by prepending a new one.
_keys = envlist("FIELD_ENCRYPTION_KEY", [])
if not _keys:
    if PRODUCTION:
        raise ConfigError("FIELD_ENCRYPTION_KEY must be set in production (Fernet key, comma-separated for rotation)")
    _keys = [base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()]
FIELD_ENCRYPTION_KEYS = _keys
# Keyed hash for looking up encrypted values (e.g. a duplicate ID number) without decrypting.
FIELD_HASH_KEY = envstr("FIELD_HASH_KEY", None if PRODUCTION else SECRET_KEY + ":hash")
if not FIELD_HASH_KEY:
    raise ConfigError("FIELD_HASH_KEY must be set in production")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "shezhi.audit",
    "shezhi.areas",
    "shezhi.accounts",
    "shezhi.jobs",
    "shezhi.workdays",
    "shezhi.workflow",
    "shezhi.inspection",
    "shezhi.notifications",
    "shezhi.documents",
    "shezhi.affairs",
    "shezhi.registry",
    "shezhi.portal",
    "shezhi.credit",
    "shezhi.spotchecks",
    "shezhi.complaints",
    "shezhi.charity",
    "shezhi.places",
    "shezhi.volunteers",
    "shezhi.activities",
    "shezhi.targets",
    "shezhi.opendata",
    "shezhi.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "shezhi.audit.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "shezhi.urls"
WSGI_APPLICATION = "shezhi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "shezhi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shezhi.accounts.context_processors.role",
            ],
        },
    },
]

_default_db = f"sqlite:///{VAR_DIR / 'shezhi.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(envstr("DATABASE_URL", _default_db), conn_max_age=envint("DB_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the background worker write while pages read; IMMEDIATE avoids
    # "database is locked" upgrades inside write transactions.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "portal:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "shezhi" / "static"]
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# Uploaded and generated files live outside the web root and are served only through
# views that check who may see them.
MEDIA_ROOT = VAR_DIR / "files"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# A wall screen (大屏) showing today's targets reloads itself this often.
TARGETS_WALL_REFRESH_SECONDS = envint("TARGETS_WALL_REFRESH_SECONDS", 300)
IMPORT_MAX_UPLOAD_BYTES = envint("IMPORT_MAX_UPLOAD_BYTES", 200 * 1024 * 1024)
# Materials of online filings (PDF, PNG, JPEG), per file.
AFFAIRS_MAX_UPLOAD_BYTES = envint("AFFAIRS_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)

EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "shezhi@localhost")

TASKS = {
    "default": {
        "BACKEND": envstr("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# When the scheduler (`manage.py scheduler`) starts the day's scheduled tasks, local time.
SCHEDULE_DAILY_AT = envstr("SCHEDULE_DAILY_AT", "02:00")

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if envstr("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": envstr("REDIS_URL")}}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "shezhi.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": envstr("API_ANON_RATE", "120/min"), "user": envstr("API_USER_RATE", "600/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Shezhi API",
    "DESCRIPTION": _("Registry of social organizations and related public data."),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the meta tag, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The number of proxies in front of the app; the audit log takes the client IP from
# X-Forwarded-For only when this says a proxy set it.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
}

# The name printed on documents and pages; set per deployment.
SHEZHI_AUTHORITY_NAME = envstr("SHEZHI_AUTHORITY_NAME", "平湖市民政局")
SHEZHI_CITY_CODE = envstr("SHEZHI_CITY_CODE", "330482")
