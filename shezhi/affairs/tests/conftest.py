"""Fixtures for online affairs: uploads, and filings driven to a given step through the services."""

from __future__ import annotations

import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shezhi.affairs import services
from shezhi.affairs.models import ProcedureType

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def reference_data(request):
    """The default procedure types and the holiday calendar come from data migrations; a
    transactional test elsewhere in the run flushes them, so put them back when missing."""
    if not request.node.get_closest_marker("django_db"):
        return
    from django.apps import apps

    from shezhi.workdays import services as workdays
    from shezhi.workdays.models import CalendarYear

    if not ProcedureType.objects.exists():
        importlib.import_module("shezhi.affairs.migrations.0002_default_procedures").load(apps, None)
    if not CalendarYear.objects.exists():
        workdays.calendar_load_package()
        workdays.invalidate()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pdf(name: str = "材料.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def procedure(code: str) -> ProcedureType:
    return ProcedureType.objects.get(code=code)


def attach_required(filing, by) -> None:
    for requirement in filing.procedure.materials.all():
        if requirement.is_required_for(filing.data):
            services.material_add(filing=filing, by=by, upload=pdf(f"{requirement.code}.pdf"), requirement=requirement)


def change_draft(users, **data):
    filing = services.filing_create(
        procedure=procedure("change"), by=users.org_a, data={"legal_representative": "李四", "reason": "理事会改选", **data}
    )
    attach_required(filing, users.org_a)
    return filing


def submitted_change(users, **data):
    filing = change_draft(users, **data)
    return services.filing_submit(filing=filing, by=users.org_a)


def accepted_change(users, **data):
    filing = submitted_change(users, **data)
    return services.filing_accept(filing=filing, by=users.bureau)


@pytest.fixture
def helpers():
    return type(
        "Helpers",
        (),
        dict(
            pdf=staticmethod(pdf),
            procedure=staticmethod(procedure),
            attach_required=staticmethod(attach_required),
            change_draft=staticmethod(change_draft),
            submitted_change=staticmethod(submitted_change),
            accepted_change=staticmethod(accepted_change),
        ),
    )
