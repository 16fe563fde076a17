from django import template

from shezhi.notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """The header's unread count (one indexed COUNT per page)."""
    request = context.get("request")
    return unread_count(getattr(request, "user", None))
