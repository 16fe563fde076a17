"""Filings in the REST API (/api/v1/filings/): the same scope as the pages, the same services.

An organization account sees its own filings, a person their applications, the bureau its
city's and a town officer its town's (drafts stay the applicant's own). Steps go through
the same service functions as the pages; a filing the caller may not act on is a 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from shezhi.accounts.models import Role
from shezhi.affairs import fieldspec, services
from shezhi.affairs.models import Filing, FilingStatus, MaterialRequirement
from shezhi.affairs.selectors import clock, filing_for, filing_metrics, filings_visible_to, overdue_q
from shezhi.api.pagination import Pagination
from shezhi.documents.selectors import documents_of
from shezhi.workflow.engine import TransitionRefused, timeline


class ClockSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["running", "stopped", "waiting", "closed"])
    due_on = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True, help_text="Working days; negative when overdue.")
    overdue = serializers.BooleanField()


class FilingSerializer(serializers.ModelSerializer):
    procedure = serializers.CharField(source="procedure.code")
    procedure_name = serializers.CharField(source="procedure.name")
    # A plain string in the schema: an enum named "status" would collide with the registry's.
    status = serializers.CharField(help_text="One of: " + ", ".join(FilingStatus.values))
    status_label = serializers.CharField(source="get_status_display")
    town = serializers.CharField(source="town.code")
    clock = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Filing
        fields = [
            "id", "number", "procedure", "procedure_name", "status", "status_label", "organization", "subject_name", "town",
            "submitted_at", "accepted_on", "due_on", "statutory_due_on", "paused_workdays", "clock", "decision", "done_on",
            "workdays_taken", "on_time", "fully_online", "url",
        ]  # fmt: skip

    @extend_schema_field(ClockSerializer)
    def get_clock(self, filing: Filing) -> dict:
        c = clock(filing)
        return {"state": c.state, "due_on": c.due_on, "days_left": c.days_left, "overdue": c.overdue}

    def get_url(self, filing: Filing) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:filing-detail", args=[filing.pk]))


class FilingDetailSerializer(FilingSerializer):
    data = serializers.JSONField(help_text="The application as submitted, by form field name.")
    data_labelled = serializers.SerializerMethodField()
    decision_data = serializers.JSONField()
    materials = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()
    materials_asked = serializers.SerializerMethodField()

    class Meta(FilingSerializer.Meta):
        fields = FilingSerializer.Meta.fields + [
            "data", "data_labelled", "decision_data", "decision_reason", "legal_ground", "correction_due_on", "materials_asked",
            "materials", "documents", "steps",
        ]  # fmt: skip

    def _url(self, name: str, *args) -> str:
        return self.context["request"].build_absolute_uri(reverse(name, args=args))

    @extend_schema_field(serializers.ListField(child=serializers.ListField(child=serializers.CharField())))
    def get_data_labelled(self, filing: Filing) -> list:
        return [list(pair) for pair in fieldspec.labelled(filing.procedure.form_fields, filing.data)]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_materials_asked(self, filing: Filing) -> list[str]:
        if filing.status != FilingStatus.CORRECTION:
            return []
        ids = [int(i) for i in filing.correction_items if str(i).isdigit()]
        return list(MaterialRequirement.objects.filter(pk__in=ids).values_list("name", flat=True))

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_materials(self, filing: Filing) -> list[dict]:
        return [
            {
                "id": m.pk,
                "checklist_item": m.requirement.code if m.requirement_id else None,
                "name": m.original_name,
                "content_type": m.content_type,
                "size": m.size,
                "sha256": m.sha256,
                "uploaded_at": m.uploaded_at,
                "download": self._url("affairs:material", filing.pk, m.pk),
            }
            for m in filing.materials.select_related("requirement")
        ]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_documents(self, filing: Filing) -> list[dict]:
        return [
            {
                "kind": d.kind,
                "title": d.title,
                "number": d.number,
                "issued_on": d.issued_on,
                "verification_code": d.verification_code,
                "pdf": self._url("affairs:document", filing.pk, d.pk),
                "verify": self._url("documents:verify", d.verification_code),
            }
            for d in documents_of(filing)
        ]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_steps(self, filing: Filing) -> list[dict]:
        return [
            {"step": e.transition, "from": e.from_status, "to": e.to_status, "by": e.by_label, "at": e.at, "note": e.note}
            for e in timeline(filing)
        ]


class MetricsRowSerializer(serializers.Serializer):
    procedure = serializers.CharField()
    procedure_name = serializers.CharField()
    year = serializers.IntegerField()
    month = serializers.IntegerField(allow_null=True, help_text="null: the procedure's whole year")
    received = serializers.IntegerField()
    done = serializers.IntegerField()
    fully_online_share = serializers.FloatField(allow_null=True)
    median_workdays = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)
    overdue_now = serializers.IntegerField(allow_null=True, help_text="on the whole-year row only")


class StepSerializer(serializers.Serializer):
    """Fields a step may take; which ones it needs depends on the step."""

    note = serializers.CharField(required=False, allow_blank=True, help_text="Note; for not_accept and refuse: the reason.")
    reason = serializers.CharField(required=False, allow_blank=True)
    legal_ground = serializers.CharField(required=False, allow_blank=True)
    in_person = serializers.BooleanField(required=False, default=False)
    items = serializers.ListField(child=serializers.CharField(), required=False, help_text="Checklist item codes (request_correction).")
    decision = serializers.DictField(required=False, help_text="The procedure's decision fields (approve).")


class Endpoint:
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    renderer_classes = [JSONRenderer]
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination


FILTERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=FilingStatus.values),
    OpenApiParameter("procedure", OpenApiTypes.STR, description="Procedure code, e.g. `change`."),
    OpenApiParameter("overdue", OpenApiTypes.BOOL, description="Only filings past their promised due date."),
    OpenApiParameter("organization", OpenApiTypes.INT),
]


@extend_schema_view(get=extend_schema(tags=["filings"], summary="Filings in the caller's scope", parameters=FILTERS))
class FilingList(Endpoint, generics.ListAPIView):
    serializer_class = FilingSerializer
    queryset = Filing.objects.none()

    def get_queryset(self):
        params = self.request.query_params
        qs = filings_visible_to(self.request.user).order_by("-created_at", "-id")
        status = params.get("status", "")
        if status:
            if status not in FilingStatus.values:
                raise ValidationError({"status": [_("Unknown value %(value)s.") % {"value": status[:30]}]})
            qs = qs.filter(status=status)
        if params.get("procedure"):
            qs = qs.filter(procedure__code=params["procedure"])
        if params.get("organization"):
            if not params["organization"].isdigit():
                raise ValidationError({"organization": [_("Give the organization's id.")]})
            qs = qs.filter(organization_id=int(params["organization"]))
        if params.get("overdue", "").lower() in ("1", "true", "yes"):
            qs = qs.filter(overdue_q())
        return qs


@extend_schema_view(get=extend_schema(tags=["filings"], summary="One filing with its materials, documents and steps"))
class FilingDetail(Endpoint, generics.RetrieveAPIView):
    serializer_class = FilingDetailSerializer
    queryset = Filing.objects.none()

    def get_object(self):
        return filing_for(self.request.user, self.kwargs["pk"])


@extend_schema(
    tags=["filings"],
    summary="Service metrics per procedure and month",
    parameters=[OpenApiParameter("year", OpenApiTypes.INT)],
    responses={200: MetricsRowSerializer(many=True)},
)
class FilingMetrics(Endpoint, APIView):
    def get(self, request):
        if request.user.role not in (Role.BUREAU, Role.TOWN):
            raise NotFound()
        raw = request.query_params.get("year", "")
        today = timezone.localdate()
        if raw and not (raw.isdigit() and 2000 <= int(raw) <= today.year + 1):
            raise ValidationError({"year": [_("Give a year from 2000 to %(max)d.") % {"max": today.year + 1}]})
        rows = filing_metrics(request.user, year=int(raw) if raw else today.year)
        return Response(MetricsRowSerializer(rows, many=True).data)


STEPS = ("submit", "resubmit", "withdraw", "accept", "not_accept", "request_correction", "start_review", "approve", "refuse")


@extend_schema(
    tags=["filings"],
    summary="Take a workflow step",
    description=(
        "Steps: " + ", ".join(STEPS) + ". The applicant submits, resubmits and withdraws; the handling staff take the others. "
        "A step the filing's state no longer allows (e.g. someone already decided) answers 409 with who decided and when."
    ),
    request=StepSerializer,
    responses={200: FilingDetailSerializer},
)
class FilingStep(Endpoint, APIView):
    def post(self, request, pk: int, step: str):
        if step not in STEPS:
            raise NotFound()
        filing = filing_for(request.user, pk, action=step)
        body = StepSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        user = request.user
        reason = v.get("reason") or v.get("note", "")
        try:
            if step == "submit":
                services.filing_submit(filing=filing, by=user)
            elif step == "resubmit":
                services.filing_resubmit(filing=filing, by=user)
            elif step == "withdraw":
                services.filing_withdraw(filing=filing, by=user, reason=reason)
            elif step == "accept":
                services.filing_accept(filing=filing, by=user, note=v.get("note", ""), in_person=v["in_person"])
            elif step == "not_accept":
                services.filing_not_accept(filing=filing, by=user, reason=reason, legal_ground=v.get("legal_ground", ""))
            elif step == "request_correction":
                items = list(filing.procedure.materials.filter(code__in=v.get("items", [])))
                if len(items) != len(set(v.get("items", []))):
                    raise ValidationError({"items": [_("Use codes of this procedure's checklist.")]})
                services.filing_request_correction(filing=filing, by=user, items=items, note=v.get("note", ""), in_person=v["in_person"])
            elif step == "start_review":
                services.filing_start_review(filing=filing, by=user, note=v.get("note", ""))
            elif step == "approve":
                services.filing_approve(
                    filing=filing, by=user, decision=v.get("decision", {}), note=v.get("note", ""), in_person=v["in_person"]
                )
            elif step == "refuse":
                services.filing_refuse(
                    filing=filing, by=user, reason=reason, legal_ground=v.get("legal_ground", ""), decision=v.get("decision")
                )
        except TransitionRefused as exc:
            return Response({"detail": exc.messages[0], "errors": {}, "status": exc.current}, status=409)
        except DjangoPermissionDenied:
            raise NotFound() from None
        filing.refresh_from_db()
        return Response(FilingDetailSerializer(filing, context={"request": request}).data)
