"""A service's refusal lands on the form that asked for it (core.forms.service_errors)."""

from django import forms
from django.core.exceptions import ValidationError

from branchwork.core.forms import service_errors


class TitleForm(forms.Form):
    title = forms.CharField()


def test_field_errors_go_beside_their_field_and_the_rest_above_the_form():
    form = TitleForm(data={"title": "x"})
    assert form.is_valid()
    service_errors(form, ValidationError({"title": "太长了", "place": "需要地点", "__all__": "已锁定"}))
    assert form.errors["title"] == ["太长了"]
    assert set(form.non_field_errors()) == {"需要地点", "已锁定"}  # no field "place" on this form


def test_errors_for_no_field_and_an_unbound_form():
    form = TitleForm()
    service_errors(form, ValidationError(["本月已有记录", "请先提交"]))
    assert list(form.non_field_errors()) == ["本月已有记录", "请先提交"]
    form = TitleForm(data={"title": ""})  # bound, not yet validated: its own errors stay too
    service_errors(form, ValidationError("已锁定"))
    assert form.errors["title"] and list(form.non_field_errors()) == ["已锁定"]
