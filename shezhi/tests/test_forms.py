from django import forms
from django.core.exceptions import ValidationError

from shezhi.forms import add_service_errors


class NameForm(forms.Form):
    name = forms.CharField()


def test_service_errors_land_on_their_field_or_on_top():
    form = NameForm({"name": "x"})
    assert form.is_valid()
    add_service_errors(form, ValidationError({"name": ["名称重复"], "town": ["镇不存在"]}))
    assert form.errors["name"] == ["名称重复"]
    assert form.non_field_errors() == ["镇不存在"]
    form = NameForm({"name": "x"})
    form.is_valid()
    add_service_errors(form, ValidationError(["一", "二"]))
    assert form.non_field_errors() == ["一", "二"] and not form.is_valid()
