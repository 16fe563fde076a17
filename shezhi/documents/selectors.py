from __future__ import annotations

from django.db import models
from django.db.models import QuerySet

from shezhi.documents.models import Document
from shezhi.documents.services import normalize_code


def documents_of(subject: models.Model) -> QuerySet[Document]:
    return Document.objects.filter(subject_type=subject._meta.label_lower, subject_id=str(subject.pk)).order_by("created_at", "id")


def document_by_code(raw: str) -> Document | None:
    code = normalize_code(raw)
    if not code:
        return None
    return Document.objects.filter(verification_code=code).first()
