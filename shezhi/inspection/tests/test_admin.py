"""The rules and the scale are data the bureau edits in the admin."""

import pytest
from django.urls import reverse

from shezhi.accounts.models import Role, User
from shezhi.inspection.models import IndicatorScale, InspectionRules

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, areas):
    user = User.objects.create_superuser(username="root", password="pass-Shezhi-2026", role=Role.BUREAU, area=areas.city)
    client.force_login(user)
    return client


def test_rules_are_editable(admin_client, rules):
    url = reverse("admin:inspection_inspectionrules_change", args=[rules.pk])
    assert admin_client.get(url).status_code == 200
    data = {
        "city": "",
        "note": "",
        "social_group_supervisor_due": "03-31",
        "social_group_bureau_due": "05-31",
        "social_service_agency_bureau_due": "05-31",
        "foundation_bureau_due": "03-31",
        "exemption_months": 6,
        "records_complete_from": 2024,
        "reminder_days": "30, 7, 1",
        "rating_min_5a": 950,
        "rating_min_4a": 901,
        "rating_min_3a": 851,
        "rating_min_2a": 801,
        "rating_min_1a": 751,
        "rating_validity_years": 5,
        "rating_min_years_registered": 2,
    }
    assert admin_client.post(url, data).status_code == 302
    rules.refresh_from_db()
    assert (rules.foundation_bureau_due, rules.records_complete_from, rules.reminder_day_list) == ("03-31", 2024, [30, 7, 1])
    bad = admin_client.post(url, {**data, "rating_min_4a": 960, "foundation_bureau_due": "02-30"})
    assert bad.status_code == 200 and bad.context["adminform"].form.errors


def test_one_default_only(rules):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        InspectionRules.objects.create(city=None)


def test_scale_in_use_is_read_only(admin_client, orgs, users, record_result):
    import datetime as dt

    from django.utils import timezone

    from shezhi.inspection.services import rating_assessment_open

    scale = IndicatorScale.objects.get(active=True)
    url = reverse("admin:inspection_indicatorscale_change", args=[scale.pk])
    assert admin_client.get(url).context["inline_admin_formsets"][0].has_change_permission
    today = timezone.localdate()
    for year in range(today.year - 3, today.year):
        record_result(orgs.reg_a, year, reported_on=min(dt.date(year + 1, 3, 1), today))
    rating_assessment_open(organization=orgs.reg_a, by=users.bureau)
    assert not admin_client.get(url).context["inline_admin_formsets"][0].has_change_permission
