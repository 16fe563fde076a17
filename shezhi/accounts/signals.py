"""Log-ins and failed log-ins go to the audit log (a regulator asks who was in the system)."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from shezhi.audit.models import AuditAction
from shezhi.audit.services import audit_record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_record(action=AuditAction.LOGIN, by=user, target=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    audit_record(
        action=AuditAction.LOGIN_FAILED, by=None, target_type="accounts.user", target_label=str(credentials.get("username", ""))[:150]
    )
