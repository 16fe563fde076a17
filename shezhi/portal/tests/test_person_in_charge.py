"""The public sees a registered organization's legal representative (public registry
information) but only the family name of a filed community group's person in charge."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from shezhi.privacy import mask_name

pytestmark = pytest.mark.django_db


@given(st.text(min_size=1, max_size=6))
def test_mask_name_keeps_only_the_first_character(name):
    masked = mask_name(name)
    assert masked[0] == name[0] and set(masked[1:]) <= {"*"} and len(masked) == len(name)


def test_portal_and_api_mask_filed_person_in_charge(client, orgs):
    orgs.filed_a.legal_representative = "李四"  # make_filed's default, asserted here
    filed_page = client.get(reverse("portal:organization", args=[orgs.filed_a.pk])).content.decode()
    assert "李*" in filed_page and "李四" not in filed_page
    registered_page = client.get(reverse("portal:organization", args=[orgs.reg_a.pk])).content.decode()
    assert "张三" in registered_page
    api = client.get(f"/api/v1/organizations/{orgs.filed_a.pk}/").json()
    assert api["legal_representative"] == "李*"
    assert client.get(f"/api/v1/organizations/{orgs.reg_a.pk}/").json()["legal_representative"] == "张三"


def test_export_masks_filed_person_in_charge(client, orgs):
    body = b"".join(client.get(reverse("portal:export"), {"fmt": "csv", "q": "东湖社区邻里互助会"}).streaming_content).decode("utf-8-sig")
    assert "李*" in body and "李四" not in body
