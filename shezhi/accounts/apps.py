from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "shezhi.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from shezhi.accounts import signals  # noqa: F401
