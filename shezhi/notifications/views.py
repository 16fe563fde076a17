from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from shezhi.notifications.selectors import notifications_for, unread_count
from shezhi.notifications.services import notification_mark_read

PAGE_SIZE = 25


@login_required
def notification_list(request):
    page = Paginator(notifications_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page, "unread": unread_count(request.user)})


@login_required
@require_POST
def notification_open(request, pk: int):
    """Mark a message read and follow its link (only links inside this site)."""
    note = notifications_for(request.user).filter(pk=pk).first()
    if note is None:
        return redirect("notifications:list")
    notification_mark_read(user=request.user, pk=note.pk)
    if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()}):
        return redirect(note.url)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    notification_mark_read(user=request.user)
    return redirect("notifications:list")
