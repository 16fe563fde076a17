"""The pages: every role on every view (forbidden is 404, anonymous goes to log in), the
bureau's decisions through the pages (htmx and plain), bad input, query counts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shezhi.credit import services
from shezhi.credit.detection import detect
from shezhi.credit.models import ListEntry, ListKind, PenaltyKind, Proposal, ProposalStatus
from shezhi.registry.models import OrganizationStatus

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def world(orgs, users, include, penalize):
    """Town A's organization with a pending case, an entry with a decision document and a
    penalty; the other city's organization with its own."""
    detect(D(2026, 6, 1))
    proposal = Proposal.objects.get(organization=orgs.reg_a, source__startswith="annual_report:")
    entry = services.entry_include(
        organization=orgs.reg_a,
        list_kind=ListKind.ABNORMAL,
        ground="address_unreachable",
        included_on=D(2026, 2, 1),
        decision_number="",
        issue_document=True,
        by=users.bureau,
    )
    penalty = penalize(orgs.reg_a, D(2026, 1, 5))
    other_entry = include(orgs.reg_other, D(2026, 2, 1))
    other_penalty = penalize(orgs.reg_other, D(2026, 1, 5))
    return type(
        "World",
        (),
        dict(
            proposal=proposal,
            entry=entry,
            penalty=penalty,
            other_entry=other_entry,
            other_penalty=other_penalty,
            other_proposal=Proposal.objects.filter(organization=orgs.reg_other).first(),
        ),
    )


def read_urls(w, orgs):
    return [
        reverse("credit:queue"),
        reverse("credit:proposal", args=[w.proposal.pk]),
        reverse("credit:entries"),
        reverse("credit:entry", args=[w.entry.pk]),
        reverse("credit:penalties"),
        reverse("credit:penalty", args=[w.penalty.pk]),
        reverse("credit:organization", args=[orgs.reg_a.pk]),
        reverse("credit:document", args=[w.entry.document_id]),
    ]


def decide_posts(w):
    return [
        (
            reverse("credit:proposal_confirm", args=[w.proposal.pk]),
            {f"c{w.proposal.pk}-decided_on": "2026-06-02", f"c{w.proposal.pk}-decision_number": "n"},
        ),
        (reverse("credit:proposal_dismiss", args=[w.proposal.pk]), {f"d{w.proposal.pk}-note": "x"}),
        (reverse("credit:entry_remove", args=[w.entry.pk]), {"removed_on": "2026-03-01", "reason": "x"}),
        (reverse("credit:penalty_withdraw", args=[w.penalty.pk]), {"withdrawn_on": "2026-03-01", "reason": "x"}),
        (reverse("credit:entry_new"), {}),
        (reverse("credit:penalty_new"), {}),
    ]


def test_anonymous_is_sent_to_log_in(client, world, orgs):
    for url in read_urls(world, orgs):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    for url, data in decide_posts(world):
        assert client.post(url, data).status_code == 302


@pytest.mark.parametrize("role", ["department", "community_a1", "org_a", "reviewer", "resident"])
def test_other_roles_get_not_found(client, world, orgs, users, role):
    client.force_login(getattr(users, role))
    for url in read_urls(world, orgs):
        assert client.get(url).status_code == 404, url
    for url, data in decide_posts(world):
        assert client.post(url, data).status_code == 404, url
    world.proposal.refresh_from_db()
    assert world.proposal.status == ProposalStatus.PENDING


def test_town_officer_reads_own_town_only_and_decides_nothing(client, world, orgs, users):
    client.force_login(users.town_a)
    for url in read_urls(world, orgs):
        assert client.get(url).status_code == 200, url
    queue = client.get(reverse("credit:queue")).content.decode()
    assert orgs.reg_a.name in queue and 'data-testid="read-only"' in queue and "confirm-" not in queue
    for url, data in decide_posts(world):
        assert client.post(url, data).status_code == 404, url
    client.force_login(users.town_b)
    for url in read_urls(world, orgs):
        if url in (reverse("credit:queue"), reverse("credit:entries"), reverse("credit:penalties")):
            assert orgs.reg_a.name not in client.get(url).content.decode()
        else:
            assert client.get(url).status_code == 404, url


def test_other_citys_bureau_sees_nothing_of_ours(client, world, orgs, users):
    client.force_login(users.other_bureau)
    for url in read_urls(world, orgs):
        if url in (reverse("credit:queue"), reverse("credit:entries"), reverse("credit:penalties")):
            body = client.get(url).content.decode()
            assert orgs.reg_a.name not in body
        else:
            assert client.get(url).status_code == 404, url
    for url, data in decide_posts(world)[:4]:
        assert client.post(url, data).status_code == 404, url
    # Its own are there.
    assert orgs.reg_other.name in client.get(reverse("credit:entries")).content.decode()
    # Typing our organization's code in the form finds nothing.
    response = client.post(
        reverse("credit:entry_new"),
        {
            "organization": orgs.reg_a.credit_code,
            "list_kind": "abnormal",
            "ground": world.entry.ground_id,
            "included_on": "2026-03-01",
            "decision_number": "n",
        },
    )
    assert response.status_code == 200 and "No organization in your area" in response.content.decode()
    assert ListEntry.objects.filter(organization=orgs.reg_a).count() == 1


def test_bureau_reads_every_page(client, world, orgs, users):
    client.force_login(users.bureau)
    for url in read_urls(world, orgs):
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("credit:organization", args=[orgs.reg_a.pk]) + "?on=2026-06-01").content.decode()
    assert 'data-testid="eligibility-catalogue"' in page
    assert client.get(reverse("credit:organization", args=[orgs.reg_a.pk]) + "?on=2026-13-01").status_code == 200
    pdf = client.get(reverse("credit:document", args=[world.entry.document_id]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get(reverse("credit:entry_new") + f"?organization={orgs.reg_a.pk}").status_code == 200
    assert client.get(reverse("credit:penalty_new") + f"?organization={orgs.reg_a.pk}").status_code == 200


# --- decisions through the pages --------------------------------------------------------


def test_confirm_with_htmx_returns_the_decided_row(client, world, orgs, users):
    client.force_login(users.bureau)
    p = world.proposal
    response = client.post(
        reverse("credit:proposal_confirm", args=[p.pk]),
        {f"c{p.pk}-decided_on": "2026-06-02", f"c{p.pk}-decision_number": "平民信〔2026〕3号"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="proposal-{p.pk}"' in body and 'data-status="confirmed"' in body and "<html" not in body
    assert ListEntry.objects.filter(
        organization=orgs.reg_a, ground__code="annual_report_missed", decision_number="平民信〔2026〕3号"
    ).exists()


def test_confirm_without_a_decision_number_is_refused_clearly(client, world, users):
    client.force_login(users.bureau)
    p = world.proposal
    response = client.post(
        reverse("credit:proposal_confirm", args=[p.pk]),
        {f"c{p.pk}-decided_on": "2026-06-02", f"c{p.pk}-decision_number": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200  # htmx swaps the row with its errors
    assert "Give the number of the decision" in response.content.decode()
    p.refresh_from_db()
    assert p.status == ProposalStatus.PENDING
    plain = client.post(
        reverse("credit:proposal_confirm", args=[p.pk]), {f"c{p.pk}-decided_on": "not a date", f"c{p.pk}-decision_number": "n"}
    )
    assert plain.status_code == 400 and "Enter a valid date" in plain.content.decode()


def test_confirm_twice_says_it_is_decided(client, world, users):
    client.force_login(users.bureau)
    p = world.proposal
    data = {f"c{p.pk}-decided_on": "2026-06-02", f"c{p.pk}-decision_number": "n1"}
    assert client.post(reverse("credit:proposal_confirm", args=[p.pk]), data).status_code == 302
    again = client.post(reverse("credit:proposal_confirm", args=[p.pk]), data, HTTP_HX_REQUEST="true")
    assert again.status_code == 200 and "already" in again.content.decode()
    assert ListEntry.objects.filter(proposal=p).count() == 1


def test_dismiss_through_the_page(client, world, users):
    client.force_login(users.bureau)
    p = world.proposal
    empty = client.post(reverse("credit:proposal_dismiss", args=[p.pk]), {f"d{p.pk}-note": ""})
    assert empty.status_code == 400
    ok = client.post(reverse("credit:proposal_dismiss", args=[p.pk]), {f"d{p.pk}-note": "已纸质报送"})
    assert ok.status_code == 302
    p.refresh_from_db()
    assert p.status == ProposalStatus.DISMISSED


def test_include_directly_and_remove(client, world, orgs, users):
    from shezhi.credit.models import Ground

    client.force_login(users.bureau)
    ground = Ground.objects.get(code="judgment_defaulter")
    bad = client.post(
        reverse("credit:entry_new"),
        {
            "organization": orgs.reg_b.credit_code,
            "list_kind": "abnormal",
            "ground": ground.pk,
            "included_on": "2026-03-01",
            "decision_number": "n",
        },
    )
    assert bad.status_code == 200 and "belongs to the other list" in bad.content.decode()
    response = client.post(
        reverse("credit:entry_new"),
        {
            "organization": orgs.reg_b.credit_code.lower(),
            "list_kind": "serious",
            "ground": ground.pk,
            "included_on": "2026-03-01",
            "decision_number": "平民严〔2026〕4号",
        },
    )
    entry = ListEntry.objects.get(organization=orgs.reg_b)
    assert response.status_code == 302 and response["Location"] == reverse("credit:entry", args=[entry.pk])
    orgs.reg_b.refresh_from_db()
    assert orgs.reg_b.status == OrganizationStatus.SERIOUS_VIOLATION
    early = client.post(reverse("credit:entry_remove", args=[entry.pk]), {"removed_on": "2026-02-28", "reason": "x"})
    assert early.status_code == 400 and "before the inclusion" in early.content.decode()
    done = client.post(reverse("credit:entry_remove", args=[entry.pk]), {"removed_on": "2026-03-05", "reason": "法院已移出"})
    assert done.status_code == 302
    orgs.reg_b.refresh_from_db()
    assert orgs.reg_b.status == OrganizationStatus.NORMAL


def test_record_a_penalty_and_withdraw_it(client, world, orgs, users):
    client.force_login(users.bureau)
    data = {
        "organization": orgs.reg_b.credit_code,
        "kind": PenaltyKind.FINE,
        "fine_amount": "",
        "decided_on": "2026-03-01",
        "decision_number": "平民罚〔2026〕9号",
        "legal_basis": "《社会团体登记管理条例》第三十条",
    }
    missing = client.post(reverse("credit:penalty_new"), data)
    assert missing.status_code == 200 and "Give the amount of the fine" in missing.content.decode()
    data["fine_amount"] = "80000"
    response = client.post(reverse("credit:penalty_new"), data)
    assert response.status_code == 302
    penalty = orgs.reg_b.penalties.get()
    proposal = Proposal.objects.get(source=f"penalty:{penalty.pk}")
    assert proposal.ground.code == "large_fine"
    withdrawn = client.post(reverse("credit:penalty_withdraw", args=[penalty.pk]), {"withdrawn_on": "2026-04-01", "reason": "复议撤销"})
    assert withdrawn.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DISMISSED


def test_a_revocation_through_the_page_revokes(client, world, orgs, users):
    client.force_login(users.bureau)
    today = timezone.localdate().isoformat()
    client.post(
        reverse("credit:penalty_new"),
        {
            "organization": orgs.reg_b.credit_code,
            "kind": "revocation",
            "decided_on": today,
            "decision_number": "平民罚〔2026〕10号",
            "legal_basis": "条例",
        },
    )
    orgs.reg_b.refresh_from_db()
    assert orgs.reg_b.status == OrganizationStatus.REVOKED


# --- public pages -------------------------------------------------------------------------


def test_public_lists_search_filter_export(client, world, orgs, areas):
    url = reverse("credit:lists")
    page = client.get(url).content.decode()
    assert orgs.reg_a.name in page and orgs.reg_other.name in page and world.entry.decision_number in page
    assert reverse("portal:organization", args=[orgs.reg_a.pk]) in page
    assert orgs.reg_other.name not in client.get(url, {"q": "平湖"}).content.decode()
    assert orgs.reg_a.name in client.get(url, {"q": orgs.reg_a.credit_code}).content.decode()
    assert orgs.reg_a.name not in client.get(url, {"kind": "serious"}).content.decode()
    assert orgs.reg_a.name not in client.get(url, {"town": areas.other_town.pk}).content.decode()
    assert client.get(url, {"town": "x", "kind": "x", "page": "99"}).status_code == 200
    csv = client.get(reverse("credit:lists_export"), {"fmt": "csv"})
    assert csv.status_code == 200 and orgs.reg_a.name in b"".join(csv.streaming_content).decode("utf-8-sig")
    xlsx = client.get(reverse("credit:lists_export"), {"fmt": "xlsx", "q": orgs.reg_a.name})
    assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content)[:2] == b"PK"
    assert client.get(reverse("credit:lists_export"), {"fmt": "pdf"}).status_code == 404


def test_public_organization_page_shows_the_record(client, world, orgs):
    page = client.get(reverse("portal:organization", args=[orgs.reg_a.pk])).content.decode()
    assert 'data-testid="credit-record"' in page
    assert world.entry.decision_number in page and world.penalty.decision_number in page
    # Staff links are not on the public page.
    assert reverse("credit:entry", args=[world.entry.pk]) not in page


def test_staff_registry_page_links_to_the_credit_page(client, world, orgs, users):
    client.force_login(users.bureau)
    page = client.get(reverse("registry:detail", args=[orgs.reg_a.pk])).content.decode()
    assert 'data-testid="credit-staff"' in page and reverse("credit:organization", args=[orgs.reg_a.pk]) in page
    client.force_login(users.org_a)
    page = client.get(reverse("registry:detail", args=[orgs.reg_a.pk])).content.decode()
    assert 'data-testid="credit-staff"' not in page


def test_nav(client, world, users):
    assert reverse("credit:lists") in client.get(reverse("portal:home")).content.decode()
    client.force_login(users.bureau)
    assert reverse("credit:queue") in client.get(reverse("portal:home")).content.decode()
    client.force_login(users.resident)
    assert reverse("credit:queue") not in client.get(reverse("portal:home")).content.decode()


# --- query counts -------------------------------------------------------------------------


@pytest.fixture
def many(orgs, users, make_org, areas):
    for i in range(12):
        org = make_org(town=areas.town_b if i % 2 else areas.town_a)
        services.entry_include(
            organization=org,
            list_kind=ListKind.ABNORMAL,
            ground="address_unreachable",
            included_on=D(2025, 1, 10),
            decision_number=f"n{i}",
            by=users.bureau,
        )
        services.penalty_record(
            organization=org, kind=PenaltyKind.WARNING, decided_on=D(2025, 2, 1), legal_basis="x", decision_number=f"p{i}", by=users.bureau
        )
    detect(D(2026, 6, 1))


def test_list_pages_do_not_grow_with_rows(client, many, users, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        assert client.get(reverse("credit:lists")).status_code == 200
    with django_assert_max_num_queries(2):
        response = client.get(reverse("credit:lists_export"), {"fmt": "csv"})
        assert response.status_code == 200 and len(b"".join(response.streaming_content).splitlines()) == 13
    client.force_login(users.bureau)
    for name, limit in (("credit:queue", 9), ("credit:entries", 8), ("credit:penalties", 7)):
        with django_assert_max_num_queries(limit):
            assert client.get(reverse(name)).status_code == 200
    # The entries in force on a day (the targets panel's links): the same bound, 12 rows listed.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("credit:entries"), {"state": "on", "on": "2025-06-30", "kind": ListKind.ABNORMAL})
    assert response.context["page"].paginator.count == 12


def test_organization_credit_page(client, orgs, many, users, django_assert_max_num_queries):
    client.force_login(users.bureau)
    # Six eligibility rules checked, each a few queries: fixed, whatever the record holds.
    with django_assert_max_num_queries(50):
        assert client.get(reverse("credit:organization", args=[orgs.reg_a.pk])).status_code == 200


def test_public_section_queries_are_fixed(client, orgs, many, django_assert_max_num_queries):
    from shezhi.credit.hooks import public_section

    with django_assert_max_num_queries(3):  # entries, penalties, annual inspections
        public_section(orgs.reg_a, None)
