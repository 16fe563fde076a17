"""Production settings refuse unsafe defaults; `check --deploy` is clean when configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROD = {
    "SHEZHI_ENV": "production",
    "SECRET_KEY": "x" * 30 + "-prod-secret-" + "y" * 30,
    "ALLOWED_HOSTS": "shezhi.example.gov.cn",
    "FIELD_ENCRYPTION_KEY": "n5TjLxS1fQnqgXc0pX9m7JfJb7cX1m2YwJ8nW3q9Zl4=",
    "FIELD_HASH_KEY": "z" * 40,
}


def run(args, env):
    base = {
        k: v for k, v in os.environ.items() if k not in PROD and k not in ("DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, *args],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "shezhi.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEY", "FIELD_HASH_KEY"])
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PROD.items() if k != missing}
    result = run(["-c", "import django; django.setup()"], env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_refuses_debug():
    result = run(["-c", "import django; django.setup()"], {**PROD, "DEBUG": "true"})
    assert result.returncode != 0 and "DEBUG" in result.stderr


def test_bad_boolean_is_refused():
    result = run(["-c", "import django; django.setup()"], {**PROD, "DEBUG": "maybe"})
    assert result.returncode != 0 and "DEBUG" in result.stderr


def test_check_deploy_is_clean(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], {**PROD, "SHEZHI_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
