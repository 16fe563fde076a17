"""Settings for the test suite: the production code with fast hashing and jobs run inline."""

import os

os.environ.setdefault("SHEZHI_ENV", "test")
# pytest-django's live_server serves from a thread; Playwright's sync API runs an event
# loop in the test thread, which Django would otherwise refuse for ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from shezhi.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# One folder per pytest-xdist worker: the workers' databases each number their jobs from 1,
# so files named after a job (jobs/targets-1.xlsx) would otherwise overwrite each other.
MEDIA_ROOT = VAR_DIR / "test-files" / os.environ.get("PYTEST_XDIST_WORKER", "main")  # noqa: F405
# See audit/migrations/0002_append_only.py: the triggers are tested, not installed globally.
AUDIT_APPEND_ONLY_TRIGGERS = False
# Tests hit the public API many times a minute; the throttle test turns the rate back on.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": None}}  # noqa: F405
