from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from shezhi.accounts.models import Role


@login_required
def home(request):
    """Where each role starts after logging in."""
    user = request.user
    if user.role == Role.ORGANIZATION and user.organization_id:
        return redirect("registry:detail", user.organization_id)
    if user.role == Role.TOWN:
        return redirect("registry:list")
    if user.is_area_staff:
        return redirect("registry:list")
    return redirect("portal:home")
