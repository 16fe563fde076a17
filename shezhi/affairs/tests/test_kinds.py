"""A procedure kind's own rules: refusal grounds shown to the person deciding and enforced at approval."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from shezhi.affairs import kinds, services
from shezhi.affairs.models import FilingStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def refusing_kind(monkeypatch):
    monkeypatch.setattr(kinds, "_hooks", {})
    kinds.register_kind("change", check_decision=lambda *, filing: ["申请人两年内受过行政处罚"])


def test_grounds_shown_to_the_handler_only_and_approval_refused(client, users, orgs, helpers, refusing_kind):
    filing = helpers.accepted_change(users)
    client.force_login(users.bureau)
    page = client.get(reverse("affairs:detail", args=[filing.pk])).content.decode()
    assert 'data-testid="refusal-grounds"' in page and "申请人两年内受过行政处罚" in page
    client.force_login(users.org_a)
    page = client.get(reverse("affairs:detail", args=[filing.pk])).content.decode()
    assert "申请人两年内受过行政处罚" not in page
    with pytest.raises(ValidationError) as err:
        services.filing_approve(filing=filing, by=users.bureau, note="同意")
    assert "申请人两年内受过行政处罚" in err.value.messages
    filing.refresh_from_db()
    assert filing.status == FilingStatus.ACCEPTED


def test_no_grounds_no_box(client, users, orgs, helpers, monkeypatch):
    monkeypatch.setattr(kinds, "_hooks", {})
    filing = helpers.accepted_change(users)
    client.force_login(users.bureau)
    assert 'data-testid="refusal-grounds"' not in client.get(reverse("affairs:detail", args=[filing.pk])).content.decode()
