import pytest
from django.core import mail
from django.db import transaction
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from shezhi.notifications.models import Notification
from shezhi.notifications.services import notify

pytestmark = pytest.mark.django_db


def test_written_in_the_transaction_mailed_after_commit(users, django_capture_on_commit_callbacks):
    users.org_a.email = "org@example.org"
    users.org_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[users.org_a, users.bureau, users.org_a], title="办件已受理", url="/affairs/1/", exclude=users.bureau)
        assert mail.outbox == []  # nothing leaves before the commit
    assert Notification.objects.filter(recipient=users.org_a).count() == 1  # duplicates collapsed
    assert not Notification.objects.filter(recipient=users.bureau).exists()  # the actor is not told
    assert [m.to for m in mail.outbox] == [["org@example.org"]] and "/affairs/1/" in mail.outbox[0].body


def test_rolled_back_change_tells_nobody(users, django_capture_on_commit_callbacks):
    users.org_a.email = "org@example.org"
    users.org_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notify(recipients=[users.org_a], title="x")
                raise RuntimeError
        except RuntimeError:
            pass
    assert mail.outbox == [] and not Notification.objects.exists()


def test_page_unread_count_and_mark_read(client, users, django_assert_max_num_queries):
    for i in range(30):
        notify(recipients=[users.org_a], title=f"消息{i}", url="/affairs/")
    notify(recipients=[users.town_a], title="别人的消息")
    client.force_login(users.org_a)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("notifications:list"))
    assert response.context["unread"] == 30 and len(response.context["page"]) == 25
    assert "别人的消息" not in response.content.decode()
    request = RequestFactory().get("/")
    request.user = users.org_a
    tag = Template("{% load notifications_tags %}{% unread_notifications as n %}{{ n }}")
    assert tag.render(Context({"request": request})) == "30"
    first = Notification.objects.filter(recipient=users.org_a).first()
    assert client.post(reverse("notifications:open", args=[first.pk]))["Location"] == "/affairs/"
    other = Notification.objects.get(recipient=users.town_a)
    client.post(reverse("notifications:open", args=[other.pk]))
    other.refresh_from_db()
    assert other.read_at is None  # someone else's message is not touched
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=users.org_a, read_at__isnull=True).exists()
