from shezhi.accounts.models import Role
from shezhi.extensions import nav_menus


def role(request):
    user = getattr(request, "user", None)
    current = getattr(user, "role", None) if user is not None and user.is_authenticated else None
    return {"Role": Role, "current_role": current, "nav_menus": nav_menus(user)}
