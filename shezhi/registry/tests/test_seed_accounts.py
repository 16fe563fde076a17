"""demo_accounts: one known log-in per role after seed_demo, never in production."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from shezhi.accounts.management.commands.demo_accounts import DEMO_PASSWORD
from shezhi.accounts.models import Role, User

pytestmark = pytest.mark.django_db


def run() -> str:
    out = io.StringIO()
    call_command("demo_accounts", stdout=out)
    return out.getvalue()


def test_one_account_per_role_with_the_printed_password(client):
    call_command("seed_demo", scale="tiny", seed=1, stdout=None)
    output = run()
    users = {u.username: u for u in User.objects.all()}
    assert {u.role for u in users.values()} == set(Role.values)
    assert users["demo-bureau"].area.name == "平湖市"
    assert users["demo-town-danghu"].area.name == "当湖街道"
    assert users["demo-town-zhapu"].area.name == "乍浦镇"
    assert users["demo-community"].area.parent == users["demo-town-danghu"].area
    org = users["demo-org"].organization
    assert org.registration == "registered" and org.status == "normal" and org.is_demo
    for username, user in users.items():
        if not username.startswith("demo-"):  # applicants other seeders create: no password, no log-in
            assert not user.has_usable_password(), username
            continue
        assert username in output
        assert client.login(username=username, password=DEMO_PASSWORD), username
    assert DEMO_PASSWORD in output


def test_idempotent():
    call_command("seed_demo", scale="tiny", seed=1, stdout=None)
    run()
    first = dict(User.objects.values_list("username", "pk"))
    User.objects.filter(username="demo-resident").update(role=Role.REVIEWER)
    run()
    assert dict(User.objects.values_list("username", "pk")) == first
    assert User.objects.get(username="demo-resident").role == Role.PUBLIC


def test_without_seeded_data_it_skips_what_it_cannot_bind():
    err = io.StringIO()
    call_command("demo_accounts", stdout=io.StringIO(), stderr=err)
    assert "demo-org" in err.getvalue()
    assert not User.objects.filter(username="demo-org").exists()
    assert User.objects.filter(username="demo-bureau").exists()


@override_settings(PRODUCTION=True)
def test_refused_in_production():
    with pytest.raises(CommandError, match="never runs in production"):
        call_command("demo_accounts", stdout=io.StringIO())
    assert not User.objects.exists()
