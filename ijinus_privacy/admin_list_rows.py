"""The rows of a big admin list, rendered in a plan made once per page (issue 13, T3).

Django's ``items_for_result`` works out every cell from scratch: it looks the column up on the model,
asks the admin for its empty-value text, decides whether the cell is the link, reverses the change URL,
re-parses the preserved filters and goes through ``format_html``; it also renders each row's action
checkbox through the form-widget templates. For 100 rows of 7 columns that is half the CPU of a list
page, and on 2 cores serving 4 users at once CPU is what the page waits for.

``row_plan(cl)`` makes those decisions once per page, for lists whose columns are plain model
fields, foreign keys, computed columns (methods and properties) and the action checkbox; each row
then costs a few string joins. The HTML is Django's own, byte for byte
(``tests/ijinus_privacy/test_admin_list_rows.py`` compares the two on every admin that uses it).
Anything else (many-to-many or relation-path columns, ``list_editable``, a popup, a non-integer key,
an admin that overrides ``action_checkbox``) returns ``None`` and the page is rendered by Django.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.admin.options import ModelAdmin
from django.contrib.admin.templatetags.admin_list import ResultList, _coerce_field_name
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_field, display_for_value, lookup_field
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString

# Stand-ins rendered once per page, then replaced by each row's values (letters and digits only, so
# that escaping and URL quoting leave them as they are).
PK_MARK = "ijrowpk7q3x"
STR_MARK = "ijrowstr9m2w"

INTEGER_KEYS = (models.AutoField, models.BigAutoField, models.IntegerField, models.BigIntegerField)


@dataclass(frozen=True)
class _Column:
    kind: str  # "checkbox", "field" (a plain model field), "related" (a foreign key), "computed"
    name: str
    field: models.Field | None
    opening: str  # '<td class="field-email">' or '<th class="field-id"><a href="'
    link: bool
    choices: dict[Any, str] | None = None  # value -> escaped label, for fields with choices


class RowPlan:
    """What every row of this page shares, worked out once."""

    def __init__(self, cl, columns: list[_Column], empty: str, url_parts: tuple[str, str] | None, checkbox: str):
        self.cl = cl
        self.columns = columns
        self.empty = empty
        self.url_parts = url_parts
        self.checkbox = checkbox

    def rows(self) -> Iterator[ResultList]:
        for result in self.cl.result_list:
            yield ResultList(None, self.cells(result))

    def cells(self, result) -> list[SafeString]:
        cells = []
        for column in self.columns:
            if column.kind == "checkbox":
                html = self.checkbox.replace(STR_MARK, escape(str(result))).replace(PK_MARK, str(result.pk))
                cells.append(SafeString(f'<td class="action-checkbox">{html}</td>'))
                continue
            opening = column.opening
            if column.kind == "field":
                value = getattr(result, column.field.attname)
                if column.choices is not None:
                    shown = column.choices.get(value)
                elif column.field.auto_created:
                    shown = conditional_escape(display_for_value(value, self.empty))
                    if isinstance(value, (datetime.date, datetime.time)):
                        opening = opening.replace('">', ' nowrap">', 1)
                else:
                    shown = display_for_field(value, column.field, self.empty, avoid_link=column.link)
                    shown = conditional_escape(shown)
            else:
                shown, nowrap = self._looked_up(column, result)
                if nowrap:
                    opening = opening.replace('">', ' nowrap">', 1)
            if column.link:
                prefix, suffix = self.url_parts
                url = conditional_escape(f"{prefix}{result.pk}{suffix}")
                tag = opening[1:3]
                cells.append(SafeString(f'{opening}{url}">{shown}</a></{tag}>'))
            else:
                cells.append(SafeString(f"{opening}{shown}</td>"))
        return cells

    def _looked_up(self, column: _Column, result) -> tuple[str, bool]:
        """A foreign key or a computed column, exactly as ``items_for_result`` shows it."""
        try:
            field, attr, value = lookup_field(column.name, result, self.cl.model_admin)
        except ObjectDoesNotExist:
            return conditional_escape(self.empty), False
        empty = getattr(attr, "empty_value_display", self.empty)
        if column.kind == "related":
            return conditional_escape(display_for_field(value, field, empty, avoid_link=column.link)), False
        boolean = getattr(attr, "boolean", False)
        if isinstance(attr, property) and hasattr(attr, "fget"):
            boolean = getattr(attr.fget, "boolean", False)
        shown = conditional_escape(display_for_value(value, empty, boolean))
        return shown, isinstance(value, (datetime.date, datetime.time))


def _link_columns(cl) -> list[bool]:
    """Django's ``link_in_col`` for each column, with its "first" flag carried along the row."""
    links, first = [], True
    for name in cl.list_display:
        if cl.list_display_links is None:
            link = False
        elif first and not cl.list_display_links:
            link = True
        else:
            link = name in cl.list_display_links
        links.append(link)
        if link:
            first = False
    return links


def _url_parts(cl) -> tuple[str, str] | None:
    """The change URL around the key, the preserved filters included: ``(before, after)``."""
    try:
        base = cl.url_for_result(_Stand_in(cl.pk_attname))
    except NoReverseMatch:
        return None
    with_filters = add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, base)
    if not with_filters.startswith(base) or with_filters.count(PK_MARK) != 1:
        return None
    before, after = with_filters.split(PK_MARK)
    return before, after


class _Stand_in:
    """An object whose key and text are the marks, for rendering what rows share once."""

    pk = PK_MARK

    def __init__(self, attname: str = "pk") -> None:
        setattr(self, attname, PK_MARK)

    def __str__(self) -> str:
        return STR_MARK


def _checkbox(model_admin: ModelAdmin) -> str | None:
    html = str(model_admin.action_checkbox(_Stand_in()))
    if html.count(PK_MARK) != 1:
        return None
    return html


def row_plan(cl) -> RowPlan | None:
    """The page's plan, or ``None`` when Django must render the rows (module docstring)."""
    model_admin = cl.model_admin
    opts = cl.lookup_opts
    if cl.formset is not None or cl.is_popup or cl.to_field or not isinstance(opts.pk, INTEGER_KEYS):
        return None
    empty = model_admin.get_empty_value_display()
    columns: list[_Column] = []
    url_parts = None
    checkbox = ""
    for index, (name, link) in enumerate(zip(cl.list_display, _link_columns(cl), strict=True)):
        if name == "action_checkbox" and not link:
            if type(model_admin).action_checkbox is not ModelAdmin.action_checkbox:
                return None
            checkbox = _checkbox(model_admin)
            if checkbox is None:
                return None
            columns.append(_Column("checkbox", name, None, "", False))
            continue
        if not isinstance(name, str) or LOOKUP_SEP in name or name == "password":
            return None
        classes = "field-" + _coerce_field_name(name, index)
        try:
            field = opts.get_field(name)
        except FieldDoesNotExist:
            field = None  # a method or property of the admin or of the model
        if field is None:
            kind = "computed"
        elif field.many_to_one and field.concrete and field.name == name:
            kind = "related"
            classes += " nowrap"
        elif field.is_relation or not field.concrete or field.name != name:
            return None  # many-to-many, reverse relations, generic keys: Django's
        else:
            kind = "field"
            if not field.auto_created and isinstance(field, models.DateField | models.TimeField):
                classes += " nowrap"
        if link:
            if url_parts is None:
                url_parts = _url_parts(cl)
                if url_parts is None:
                    return None
            tag = "td" if any(column.link for column in columns) else "th"
            opening = f'<{tag} class="{classes}"><a href="'
        else:
            opening = f'<td class="{classes}">'
        choices = None
        if kind == "field" and getattr(field, "flatchoices", None):
            try:
                labels = {value: conditional_escape(label) for value, label in field.flatchoices}
            except TypeError:
                return None
            choices = _ChoiceLabels(labels, conditional_escape(empty))
        columns.append(_Column(kind, name, field, opening, link, choices))
    return RowPlan(cl, columns, empty, url_parts, checkbox)


class _ChoiceLabels(dict):
    """Escaped choice labels; an unknown value (or an unhashable one) shows the empty text."""

    def __init__(self, labels: dict, empty: str) -> None:
        super().__init__(labels)
        self.empty = empty

    def get(self, value, default=None):  # the default is always the empty text
        try:
            return super().get(value, self.empty)
        except TypeError:
            return self.empty
