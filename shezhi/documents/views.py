"""The public check of an issued document: anyone holding its verification code can see
what it says (without personal data) and that this authority issued it."""

from __future__ import annotations

from django.shortcuts import redirect, render

from shezhi.documents.selectors import document_by_code
from shezhi.documents.services import format_code, normalize_code


def verify_form(request):
    code = normalize_code(request.GET.get("code", ""))
    if code:
        return redirect("documents:verify", code)
    return render(request, "documents/verify.html", {"doc": None, "code": ""})


def verify(request, code: str):
    doc = document_by_code(code)
    status = 200 if doc is not None else 404
    context = {"doc": doc, "code": format_code(normalize_code(code)), "checked": True}
    return render(request, "documents/verify.html", context, status=status)
