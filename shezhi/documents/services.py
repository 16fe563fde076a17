"""Issuing documents: number, verification code, PDF kept as issued."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from shezhi.audit.models import AuditAction
from shezhi.audit.services import audit_record
from shezhi.documents.models import NUMBER_MARK, Document, DocumentKind, DocumentSequence
from shezhi.documents.pdf import render_pdf

# No 0/O, 1/I/L: a code read aloud or typed from paper is not misread.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12


def documents_dir() -> Path:
    """Issued PDFs live under MEDIA_ROOT, outside the web root; only checked views serve them."""
    path = Path(settings.MEDIA_ROOT) / "documents"
    path.mkdir(parents=True, exist_ok=True)
    return path


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalize_code(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def next_number(*, kind: DocumentKind, year: int) -> str:
    """Take the next number of a kind in a year (row-locked, inside the caller's transaction)."""
    DocumentSequence.objects.get_or_create(kind=kind, year=year)
    seq = DocumentSequence.objects.select_for_update().get(kind=kind, year=year)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"社{NUMBER_MARK[DocumentKind(kind)]}〔{year}〕{seq.last}号"


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def verification_url(code: str) -> str:
    return getattr(settings, "SHEZHI_SITE_URL", "").rstrip("/") + reverse("documents:verify", args=[code])


@transaction.atomic
def document_issue(
    *,
    kind: DocumentKind,
    title: str,
    authority_name: str,
    addressee: str,
    body: list[str],
    public_facts: list[tuple[str, str]],
    subject: models.Model | None,
    by,
    issued_on: dt.date | None = None,
) -> Document:
    """Issue a document: number it, give it a verification code, render and keep its PDF.

    `public_facts` is what anyone holding the code may read on the verification page, so
    it must carry no personal data (names of people, phones, ID numbers).
    """
    issued_on = issued_on or timezone.localdate()
    number = next_number(kind=kind, year=issued_on.year)
    code = new_verification_code()
    while Document.objects.filter(verification_code=code).exists():
        code = new_verification_code()
    doc = Document.objects.create(
        kind=kind,
        number=number,
        title=title,
        issued_on=issued_on,
        authority_name=authority_name,
        addressee=addressee,
        body=list(body),
        public_facts=[list(pair) for pair in public_facts],
        verification_code=code,
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        issued_by=by if getattr(by, "is_authenticated", False) else None,
    )
    name = f"{issued_on.year}/{doc.pk:08d}-{code}.pdf"
    path = documents_dir() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    # A rolled-back transaction leaves the file without a row; nothing serves it then.
    path.write_bytes(_render(doc))
    doc.file = name
    doc.save(update_fields=["file"])
    audit_record(
        action=AuditAction.WORKFLOW_STEP,
        by=by,
        target=doc,
        changes={"document": [None, number], "kind": [None, str(kind)]},
        source=f"document:{number}",
    )
    return doc


def _render(doc: Document) -> bytes:
    return render_pdf(
        title=doc.title,
        number=doc.number,
        addressee=doc.addressee,
        body=list(doc.body),
        authority=doc.authority_name,
        date_text=chinese_date(doc.issued_on),
        verification=f"验证码：{format_code(doc.verification_code)}　核验网址：{verification_url(doc.verification_code)}",
    )


def document_pdf(doc: Document) -> bytes:
    """The PDF as issued; rendered again from the stored text if the file was lost (e.g. a
    database restored without its files directory)."""
    root = documents_dir().resolve()
    if doc.file:
        path = (root / doc.file).resolve()
        if root in path.parents and path.exists():
            return path.read_bytes()
    return _render(doc)
