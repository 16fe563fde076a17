from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shezhi.privacy import EncryptedCharField


class RegistrationKind(models.TextChoices):
    REGISTERED = "registered", _("Registered (legal person)")  # 登记
    FILED = "filed", _("Filed by town")  # 备案


class LegalForm(models.TextChoices):
    SOCIAL_GROUP = "social_group", _("Social group")  # 社会团体
    SOCIAL_SERVICE_AGENCY = "social_service_agency", _("Social service agency")  # 社会服务机构（民办非企业单位）
    FOUNDATION = "foundation", _("Foundation")  # 基金会


# GB 32100-2015 2nd character for civil-affairs registrations, by legal form.
LEGAL_FORM_TYPE_DIGIT = {
    LegalForm.SOCIAL_GROUP: "1",
    LegalForm.SOCIAL_SERVICE_AGENCY: "2",
    LegalForm.FOUNDATION: "3",
}


class CommunityCategory(models.TextChoices):
    LIFE_SERVICE = "life_service", _("Life service")  # 生活服务类
    CHARITY = "charity", _("Public welfare and charity")  # 公益慈善类
    MUTUAL_AID = "mutual_aid", _("Residents' mutual aid")  # 居民互助类
    CULTURE_SPORTS = "culture_sports", _("Culture and sports")  # 文体类
    SAFETY = "safety", _("Public safety")  # 平安类
    SELF_GOVERNANCE = "self_governance", _("Self-governance")  # 自治类


class DirectCategory(models.TextChoices):
    """The four categories that may register directly, without a supervising unit."""

    TRADE_ASSOCIATION = "trade_association", _("Trade association or chamber of commerce")  # 行业协会商会
    SCIENCE_TECH = "science_tech", _("Science and technology")  # 科技类
    CHARITY = "charity", _("Public welfare and charity")  # 公益慈善类
    COMMUNITY_SERVICE = "community_service", _("Urban and rural community service")  # 城乡社区服务类


class HubKind(models.TextChoices):
    HUB = "hub", _("Hub organization")  # 枢纽型
    SUPPORT = "support", _("Support organization")  # 支持型


class PartyOrganization(models.TextChoices):
    INDEPENDENT = "independent", _("Independent party branch")  # 单独建立
    JOINT = "joint", _("Joint party branch")  # 联合建立
    INSTRUCTOR = "instructor", _("Party-building instructor assigned")  # 选派党建指导员
    NONE = "none", _("None")


class Rating(models.TextChoices):
    A1 = "1A", "1A"
    A2 = "2A", "2A"
    A3 = "3A", "3A"
    A4 = "4A", "4A"
    A5 = "5A", "5A"


class OrganizationStatus(models.TextChoices):
    NORMAL = "normal", _("Normal")
    ABNORMAL = "abnormal", _("On the abnormal-activity list")  # 活动异常名录
    SERIOUS_VIOLATION = "serious_violation", _("On the serious-violation list")  # 严重违法失信名单
    REVOKED = "revoked", _("Registration revoked")  # 撤销
    DEREGISTERED = "deregistered", _("Deregistered")  # 注销


class ServiceDomain(models.Model):
    """A field of service (catalogue data the bureau maintains)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("service domain")
        verbose_name_plural = _("service domains")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class TargetGroup(models.Model):
    """A group of people served (catalogue data the bureau maintains)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class Organization(models.Model):
    """A social organization in the registry, registered (with a credit code) or filed by its town."""

    name = models.CharField(_("name"), max_length=100)
    registration = models.CharField(_("registration"), max_length=12, choices=RegistrationKind.choices)
    legal_form = models.CharField(_("legal form"), max_length=24, choices=LegalForm.choices, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    filing_number = models.CharField(_("filing number"), max_length=30, blank=True)
    is_community_org = models.BooleanField(_("community social organization"), default=False)
    community_category = models.CharField(
        _("community organization category"), max_length=20, choices=CommunityCategory.choices, blank=True
    )
    direct_category = models.CharField(_("direct-registration category"), max_length=20, choices=DirectCategory.choices, blank=True)

    city = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("city"))
    town = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("town / street"))
    community = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("community")
    )

    legal_representative = models.CharField(_("legal representative / person in charge"), max_length=40, blank=True)
    founded_on = models.DateField(_("date registered or filed"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = EncryptedCharField(_("phone"), blank=True)
    supervising_unit = models.CharField(_("supervising unit"), max_length=100, blank=True)  # 业务主管单位
    business_scope = models.TextField(_("business scope"), blank=True)
    registered_funds = models.DecimalField(_("registered funds (10,000 yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)

    hub_kind = models.CharField(_("hub / support"), max_length=10, choices=HubKind.choices, blank=True)
    hub_area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="hub_organizations", verbose_name=_("hub of area")
    )
    is_social_work_agency = models.BooleanField(_("social work service agency"), default=False)
    served_communities = models.ManyToManyField(
        "areas.Area", blank=True, related_name="social_work_agencies", verbose_name=_("communities served")
    )
    is_volunteer_org = models.BooleanField(_("volunteer service organization"), default=False)
    is_charity = models.BooleanField(_("charity organization"), default=False)  # 慈善组织
    charity_recognized_on = models.DateField(_("charity recognized on"), null=True, blank=True)
    public_fundraising = models.BooleanField(_("public fundraising qualification"), default=False)
    party_organization = models.CharField(
        _("party organization"), max_length=12, choices=PartyOrganization.choices, default=PartyOrganization.NONE
    )
    rating = models.CharField(_("rating"), max_length=2, choices=Rating.choices, blank=True)
    rated_on = models.DateField(_("rated on"), null=True, blank=True)
    rating_valid_until = models.DateField(_("rating valid until"), null=True, blank=True)
    # 五分离五规范 for trade associations: the date each separation was completed.
    decoupled_institution_on = models.DateField(_("institutions separated on"), null=True, blank=True)
    decoupled_functions_on = models.DateField(_("functions separated on"), null=True, blank=True)
    decoupled_finances_on = models.DateField(_("assets and finances separated on"), null=True, blank=True)
    decoupled_personnel_on = models.DateField(_("personnel separated on"), null=True, blank=True)
    decoupled_party_affairs_on = models.DateField(_("party building and foreign affairs separated on"), null=True, blank=True)
    service_domains = models.ManyToManyField(ServiceDomain, blank=True, related_name="organizations", verbose_name=_("service domains"))
    target_groups = models.ManyToManyField(TargetGroup, blank=True, related_name="organizations", verbose_name=_("target groups"))

    status = models.CharField(_("status"), max_length=20, choices=OrganizationStatus.choices, default=OrganizationStatus.NORMAL)
    status_changed_on = models.DateField(_("status changed on"), null=True, blank=True)

    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    # Pinyin of the name, so lists sort the way Chinese readers expect.
    sort_key = models.CharField(max_length=300, editable=False, default="")
    # Name and scope split into single characters: an indexed phrase search over it is an
    # exact substring search that also works for 1- and 2-character queries.
    search_document = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("social organization")
        verbose_name_plural = _("social organizations")
        ordering = ["sort_key", "id"]
        indexes = [
            models.Index(fields=["sort_key", "id"], name="org_sort_idx"),
            models.Index(fields=["city", "sort_key", "id"], name="org_city_sort_idx"),
            models.Index(fields=["town", "sort_key", "id"], name="org_town_sort_idx"),
            models.Index(fields=["community", "sort_key"], name="org_community_idx"),
            models.Index(fields=["legal_form", "sort_key"], name="org_legal_form_idx"),
            models.Index(fields=["registration", "sort_key"], name="org_registration_idx"),
            models.Index(fields=["community_category", "sort_key"], name="org_comm_cat_idx"),
            models.Index(fields=["rating", "sort_key"], name="org_rating_idx"),
            models.Index(fields=["status", "sort_key"], name="org_status_idx"),
            models.Index(fields=["founded_on", "id"], name="org_founded_idx"),
            models.Index(fields=["town", "name"], name="org_town_name_idx"),
            models.Index(fields=["hub_kind"], condition=~Q(hub_kind=""), name="org_hub_idx"),
            models.Index(fields=["is_social_work_agency"], condition=Q(is_social_work_agency=True), name="org_swa_idx"),
            models.Index(fields=["is_charity"], condition=Q(is_charity=True), name="org_charity_idx"),
            models.Index(fields=["is_community_org", "town"], name="org_community_org_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["credit_code"], condition=~Q(credit_code=""), name="org_unique_credit_code"),
            models.UniqueConstraint(fields=["filing_number"], condition=~Q(filing_number=""), name="org_unique_filing_number"),
            models.CheckConstraint(
                condition=Q(registration="filed", filing_number__gt="", credit_code="", legal_form="")
                | Q(registration="registered", credit_code__regex=r"^[0-9A-HJ-NPQRTUWXY]{18}$", legal_form__gt=""),
                name="org_registration_identifier",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def identifier(self) -> str:
        return self.credit_code or self.filing_number

    @property
    def is_registered(self) -> bool:
        return self.registration == RegistrationKind.REGISTERED

    @property
    def public_person_in_charge(self) -> str:
        from shezhi.privacy import public_person_in_charge

        return public_person_in_charge(name=self.legal_representative, registered=self.is_registered)

    @property
    def decoupling_done(self) -> bool:
        return all(
            (
                self.decoupled_institution_on,
                self.decoupled_functions_on,
                self.decoupled_finances_on,
                self.decoupled_personnel_on,
                self.decoupled_party_affairs_on,
            )
        )


class TaxDeductibleYear(models.Model):
    """A year in which the organization held tax-deductible donation status (公益性捐赠税前扣除资格)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="tax_deductible_years")
    year = models.PositiveSmallIntegerField(_("year"))

    class Meta:
        verbose_name = _("tax-deductible year")
        verbose_name_plural = _("tax-deductible years")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="tax_year_unique")]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}"


class FilingSequence(models.Model):
    """The last filing number a town issued in a year; locked row per (town, year)."""

    town = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["town", "year"], name="filing_sequence_unique")]
