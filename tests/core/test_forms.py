"""Every form takes its text, number and date fields from portal/forms.py, so no form lets through what those
fields refuse (a form added later with a plain WTForms field fails here)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
import wtforms
from flask_wtf import FlaskForm
from wtforms.fields.core import UnboundField

import portal
from portal import forms as portal_forms

CHECKED = (wtforms.StringField, wtforms.IntegerField, wtforms.DecimalField, wtforms.DateField)


def _form_classes() -> list[type]:
    for module in pkgutil.walk_packages(portal.__path__, "portal."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    found, todo = [], [FlaskForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("portal."):
                found.append(sub)
    return found


def _unbound_fields(form_class: type):
    for name in dir(form_class):
        value = getattr(form_class, name)
        while isinstance(value, UnboundField):
            yield f"{form_class.__name__}.{name}", value.field_class
            value = value.args[0] if value.field_class is wtforms.FieldList and value.args else None


def test_there_are_forms_to_check():
    assert len(_form_classes()) > 20


@pytest.mark.parametrize("form_class", _form_classes(), ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_text_number_and_date_field_comes_from_portal_forms(form_class):
    unsafe = [
        name
        for name, field_class in _unbound_fields(form_class)
        if issubclass(field_class, CHECKED) and not issubclass(field_class, portal_forms.SAFE_FIELDS)
    ]
    assert not unsafe, f"use the fields of portal/forms.py for {unsafe}"
