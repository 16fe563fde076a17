from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUREAU = "bureau", _("Civil affairs bureau")  # 市民政局
    DEPARTMENT = "department", _("City department")  # 市级部门 / 业务主管单位
    TOWN = "town", _("Town / street officer")  # 镇/街道
    COMMUNITY = "community", _("Community worker")  # 社区 / 行政村
    ORGANIZATION = "organization", _("Social organization")
    REVIEWER = "reviewer", _("Expert reviewer")  # 专家 / 第三方评估机构
    PUBLIC = "public", _("Resident")


STAFF_ROLES = {Role.BUREAU, Role.DEPARTMENT, Role.TOWN, Role.COMMUNITY}
# The level of area each staff role is bound to.
ROLE_AREA_LEVEL = {
    Role.BUREAU: "city",
    Role.DEPARTMENT: "city",
    Role.TOWN: "town",
    Role.COMMUNITY: "community",
}


class User(AbstractUser):
    """An account. Staff accounts are bound to one area; organization accounts to one organization."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PUBLIC, db_index=True)
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="staff", verbose_name=_("area"))
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="accounts", verbose_name=_("organization")
    )
    unit_name = models.CharField(_("unit"), max_length=100, blank=True, help_text=_("Department or agency the person works for."))

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=["bureau", "department", "town", "community"]) | models.Q(area__isnull=False),
                name="staff_account_has_area",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="organization") | models.Q(organization__isnull=False),
                name="organization_account_has_organization",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_bureau(self) -> bool:
        return self.is_authenticated and self.role == Role.BUREAU

    @property
    def is_area_staff(self) -> bool:
        return self.is_authenticated and self.role in STAFF_ROLES
