"""Form fields described as data (ProcedureType.form_fields / decision_fields).

A spec is a dict: name, label, type, and optionally required, choices, help, min, max,
registry_field. The same spec builds the HTML form, cleans API input and labels the
stored values for people, so a field the bureau adds in the admin works everywhere.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

TYPES = ("text", "textarea", "date", "integer", "decimal", "choice", "town", "community")
AREA_TYPES = ("town", "community")


def check_specs(specs: Any) -> list[str]:
    """Problems with a list of field specs (for the admin's validation)."""
    problems: list[str] = []
    if not isinstance(specs, list):
        return [_("Enter a list of fields.")]
    names: set[str] = set()
    for i, spec in enumerate(specs, start=1):
        if not isinstance(spec, dict):
            problems.append(_("Field %(n)d is not an object.") % {"n": i})
            continue
        name = spec.get("name")
        if not isinstance(name, str) or not name.isidentifier():
            problems.append(_("Field %(n)d needs a name made of letters, digits and underscores.") % {"n": i})
        elif name in names:
            problems.append(_("The field name %(name)s is used twice.") % {"name": name})
        else:
            names.add(name)
        if spec.get("type", "text") not in TYPES:
            problems.append(_("Field %(n)d has an unknown type; use one of %(types)s.") % {"n": i, "types": ", ".join(TYPES)})
        if spec.get("type") == "choice" and not spec.get("choices"):
            problems.append(_("Field %(n)d is a choice without choices.") % {"n": i})
        if not spec.get("label"):
            problems.append(_("Field %(n)d needs a label.") % {"n": i})
    return problems


def _choices(spec: dict) -> list[tuple[str, str]]:
    out = []
    for choice in spec.get("choices", []):
        if isinstance(choice, (list, tuple)) and len(choice) == 2:
            out.append((str(choice[0]), str(choice[1])))
        else:
            out.append((str(choice), str(choice)))
    return out


def form_field(spec: dict, *, towns: QuerySet | None = None, communities: QuerySet | None = None) -> forms.Field:
    kind = spec.get("type", "text")
    common = {"label": spec.get("label", spec["name"]), "required": bool(spec.get("required")), "help_text": spec.get("help", "")}
    if kind == "textarea":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=spec.get("max_length", 2000), **common)
    if kind == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common)
    if kind == "integer":
        return forms.IntegerField(min_value=spec.get("min"), max_value=spec.get("max"), **common)
    if kind == "decimal":
        return forms.DecimalField(max_digits=14, decimal_places=2, min_value=spec.get("min"), max_value=spec.get("max"), **common)
    if kind == "choice":
        choices = _choices(spec)
        if not common["required"]:
            choices = [("", "—"), *choices]
        return forms.ChoiceField(choices=choices, **common)
    if kind in AREA_TYPES:
        qs = towns if kind == "town" else communities
        from shezhi.areas.models import Area

        return forms.ModelChoiceField(queryset=qs if qs is not None else Area.objects.none(), **common)
    return forms.CharField(max_length=spec.get("max_length", 200), **common)


def form_class(specs: list[dict], *, towns: QuerySet | None = None, communities: QuerySet | None = None) -> type[forms.Form]:
    fields = {spec["name"]: form_field(spec, towns=towns, communities=communities) for spec in specs}
    return type("SpecForm", (forms.Form,), fields)


def to_json(spec: dict, value: Any) -> Any:
    """A cleaned form value as it is stored in the filing's JSON."""
    if value in (None, ""):
        return None
    kind = spec.get("type", "text")
    if kind == "date":
        return value.isoformat()
    if kind == "decimal":
        return str(value)
    if kind in AREA_TYPES:
        return value.pk
    if isinstance(value, str):
        return value.strip()
    return value


def cleaned_to_json(specs: list[dict], cleaned: dict) -> dict:
    return {spec["name"]: to_json(spec, cleaned.get(spec["name"])) for spec in specs if spec["name"] in cleaned}


def from_json(spec: dict, value: Any) -> Any:
    """A stored value as Python (dates, decimals), for initial form values and the registry."""
    if value in (None, ""):
        return None
    kind = spec.get("type", "text")
    try:
        if kind == "date":
            return dt.date.fromisoformat(value)
        if kind == "decimal":
            return Decimal(str(value))
    except (ValueError, InvalidOperation, TypeError):
        return None
    return value


def clean_values(specs: list[dict], raw: dict, *, towns=None, communities=None) -> dict:
    """Validate input (form data or JSON) against specs; raise ValidationError by field."""
    data = {}
    for spec in specs:
        value = raw.get(spec["name"])
        if spec.get("type") in AREA_TYPES and hasattr(value, "pk"):
            value = value.pk
        data[spec["name"]] = "" if value is None else value
    form = form_class(specs, towns=towns, communities=communities)(data=data)
    if not form.is_valid():
        raise ValidationError({name: [e for e in errors] for name, errors in form.errors.items()})
    return cleaned_to_json(specs, form.cleaned_data)


def labelled(specs: list[dict], values: dict) -> list[tuple[str, str]]:
    """(label, value for people) for each filled field, in the spec's order."""
    from shezhi.areas.models import Area

    area_ids = [values.get(s["name"]) for s in specs if s.get("type") in AREA_TYPES and values.get(s["name"])]
    areas = dict(Area.objects.filter(pk__in=area_ids).values_list("pk", "name")) if area_ids else {}
    rows = []
    for spec in specs:
        value = values.get(spec["name"])
        if value in (None, "", []):
            continue
        kind = spec.get("type", "text")
        if kind in AREA_TYPES:
            shown = areas.get(value, str(value))
        elif kind == "choice":
            shown = dict(_choices(spec)).get(str(value), str(value))
        else:
            shown = str(value)
        rows.append((spec.get("label", spec["name"]), shown))
    return rows
