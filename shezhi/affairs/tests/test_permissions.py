"""Who may see and act on a filing, through the pages: anything not allowed is a 404."""

import pytest
from django.urls import reverse

from shezhi.accounts.models import Role, User
from shezhi.affairs import services
from shezhi.affairs.models import Filing, FilingStatus
from shezhi.documents.selectors import documents_of

pytestmark = pytest.mark.django_db
S = FilingStatus

# The state each step starts from, and the fields its form needs.
STEP_SETUP = {
    "submit": ("draft", {}),
    "resubmit": ("correction", {}),
    "withdraw": ("submitted", {}),
    "accept": ("submitted", {}),
    "not_accept": ("submitted", {"not_accept-reason": "不属于管辖"}),
    "request_correction": ("submitted", {"request_correction-note": "补正"}),
    "start_review": ("accepted", {}),
    "approve": ("accepted", {}),
    "refuse": ("accepted", {"refuse-reason": "不符合", "refuse-legal_ground": "条例第十三条"}),
}
ALLOWED = {
    "submit": {"org_a", "org_a_colleague"},
    "resubmit": {"org_a", "org_a_colleague"},
    "withdraw": {"org_a", "org_a_colleague"},
    "accept": {"bureau"},
    "not_accept": {"bureau"},
    "request_correction": {"bureau"},
    "start_review": {"bureau"},
    "approve": {"bureau"},
    "refuse": {"bureau"},
}
ROLES = [
    "bureau",
    "department",
    "town_a",
    "town_b",
    "community_a1",
    "org_a",
    "org_a_colleague",
    "org_b",
    "reviewer",
    "resident",
    "other_bureau",
]
# Who sees a submitted filing of org_a (a registered organization in town A).
SEES_SUBMITTED = {"bureau", "town_a", "org_a", "org_a_colleague"}


@pytest.fixture
def people(users, orgs):
    extra = {
        "org_a_colleague": User.objects.create_user(username="org_a2", role=Role.ORGANIZATION, organization=orgs.reg_a),
        "org_b": User.objects.create_user(username="org_b", role=Role.ORGANIZATION, organization=orgs.reg_b),
    }
    return {name: extra.get(name) or getattr(users, name) for name in ROLES}


def filing_in(state: str, users, helpers) -> Filing:
    if state == "draft":
        return helpers.change_draft(users)
    filing = helpers.submitted_change(users)
    if state == "correction":
        services.filing_request_correction(filing=filing, by=users.bureau, items=[], note="补正")
    elif state == "accepted":
        services.filing_accept(filing=filing, by=users.bureau)
    return filing


@pytest.mark.parametrize("step", list(STEP_SETUP))
def test_every_step_by_every_role(client, people, users, helpers, step):
    """Each role in turn: the allowed ones take the step on a fresh filing, the others get a
    404 and leave the filing as it was."""
    state, post = STEP_SETUP[step]
    url = lambda f: reverse("affairs:step", args=[f.pk, step])  # noqa: E731
    untouched = filing_in(state, users, helpers)
    for who in ROLES:
        if who not in ALLOWED[step]:
            client.force_login(people[who])
            assert client.post(url(untouched), post).status_code == 404, who
    untouched.refresh_from_db()
    assert untouched.status == state
    for who in sorted(ALLOWED[step]):
        # org_a may have one open change filing at a time: close the previous one first.
        Filing.objects.filter(pk=untouched.pk).update(status=S.WITHDRAWN)
        filing = untouched = filing_in(state, users, helpers)
        client.force_login(people[who])
        response = client.post(url(filing), post)
        filing.refresh_from_db()
        assert response.status_code == 302 and filing.status != state, (who, response.content[:300])


def test_who_sees_a_filing_its_materials_and_documents(client, people, users, helpers):
    filing = helpers.accepted_change(users)
    material = filing.materials.first()
    document = documents_of(filing).first()
    urls = [
        reverse("affairs:detail", args=[filing.pk]),
        reverse("affairs:material", args=[filing.pk, material.pk]),
        reverse("affairs:document", args=[filing.pk, document.pk]),
    ]
    for who in ROLES:
        client.force_login(people[who])
        expected = 200 if who in SEES_SUBMITTED else 404
        assert [client.get(u).status_code for u in urls] == [expected] * 3, who


def test_a_draft_is_the_applicants_own(client, users, helpers):
    filing = helpers.change_draft(users)
    client.force_login(users.bureau)
    assert client.get(reverse("affairs:detail", args=[filing.pk])).status_code == 404
    client.force_login(users.org_a)
    assert client.get(reverse("affairs:detail", args=[filing.pk])).status_code == 200


def test_town_procedure_is_decided_by_its_town_only(client, users, areas, helpers):
    filing = services.filing_create(
        procedure=helpers.procedure("town-filing"),
        by=users.resident,
        data={
            "name": "东湖社区合唱团",
            "town": areas.town_a.pk,
            "community_category": "culture_sports",
            "legal_representative": "孙八",
            "business_scope": "合唱",
        },
    )
    helpers.attach_required(filing, users.resident)
    services.filing_submit(filing=filing, by=users.resident)
    url = reverse("affairs:step", args=[filing.pk, "accept"])
    for who, expected in ((users.bureau, 404), (users.town_b, 404), (users.town_a, 302)):
        client.force_login(who)
        assert client.post(url).status_code == expected
    # The bureau still sees it (oversight), the other town does not.
    client.force_login(users.bureau)
    assert client.get(reverse("affairs:detail", args=[filing.pk])).status_code == 200
    client.force_login(users.town_b)
    assert client.get(reverse("affairs:detail", args=[filing.pk])).status_code == 404


@pytest.mark.parametrize("who", ["org_a", "town_a", "department", "resident", "reviewer"])
def test_metrics_are_for_the_bureau_and_towns(client, people, who):
    client.force_login(people[who])
    expected = 200 if who == "town_a" else 404
    assert client.get(reverse("affairs:metrics")).status_code == expected


def test_another_citys_bureau_sees_none_of_our_figures(client, people, users, helpers):
    helpers.accepted_change(users)
    client.force_login(people["other_bureau"])
    assert client.get(reverse("affairs:metrics")).context["rows"] == []
    client.force_login(people["bureau"])
    assert client.get(reverse("affairs:metrics")).context["rows"] != []


def test_applying_is_for_organizations_and_people(client, people):
    for who, code, expected in (
        ("org_a", "change", 200),
        ("org_a", "establishment", 404),  # a person's procedure
        ("org_a", "town-defiling", 404),  # for filed organizations
        ("resident", "establishment", 200),
        ("resident", "change", 404),
        ("bureau", "change", 404),
        ("town_a", "town-filing", 404),
    ):
        client.force_login(people[who])
        assert client.get(reverse("affairs:create", args=[code])).status_code == expected, (who, code)
