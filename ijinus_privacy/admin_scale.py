"""Admin lists that stay fast at a million rows (issue 13; PERFORMANCE.md T3, T4).

Django's admin defaults are written for small tables: every list page counts the whole table (twice),
facets and filters on fields without choices scan it, ``=field`` search compiles to
``UPPER(col::text) = UPPER(term)`` (which no index serves, and compares a subject number as text), and
"delete selected" collects every related row for its confirmation page. ``ScaledAdminMixin`` replaces
each of these; every admin of a model that can reach a million rows uses it (directly or through
``ReadOnlyModelAdmin``), and ``tests/ijinus_privacy/test_admin_scale.py`` holds them to a query budget.

Count (``EstimatedCountPaginator``). On PostgreSQL an unfiltered list is counted by the planner's
estimate (``EXPLAIN``, which reads ``pg_class.reltuples``), shown as "about N"; below
``ADMIN_EXACT_COUNT_MAX_ROWS`` estimated rows, and whenever the user filters or searches, it is counted
exactly under ``SET LOCAL statement_timeout = ADMIN_COUNT_TIMEOUT_MS``, falling back to the estimate
when the count takes longer. A filter that keeps most of the table (``broad_filter_params``: the
consent events' current state) is counted like the whole table. Other databases (SQLite, embedded
mode) count exactly.

Search (``ScaledSearchMixin``), in this order, on the whole query:

1. a number (``123``, ``n° 123``, ``no 123``, ``#123``) is compared as an integer with
   ``search_number_fields`` (the subject id, the request number: btree indexes), never as text;
2. an e-mail address (valid as one) is compared exactly with the e-mail fields among ``=field``
   entries of ``search_fields``, lower-cased as the services store them (btree);
3. a phone number (at least 8 digits, with ``+ . - ( ) /`` or spaces) is compared, digits only, with
   ``search_phone_fields`` in its national and international forms (``PhoneDigits``: a btree on the
   digits on PostgreSQL);
4. anything else is split into words (Django's quoting rules); each word must match one field:
   ``=field`` exactly (case-sensitive, typed: a word that is not a number skips a number field; an
   e-mail field only takes a whole address, step 2), ``field`` anywhere inside (``icontains``;
   ``pg_trgm`` GIN indexes on ``upper(col)`` on PostgreSQL).

An e-mail *fragment* (``durand@``, ``@exemple.fr``, ``claire.dur``) is not an address, so it reaches
step 4: the subjects list has ``email`` among its fragment fields, backed by a trigram index like the
names. Numbers and phone numbers also match the ``=field`` entries (an invoice number made of digits).

Delete. The built-in "delete selected" is replaced by ``delete_selected`` below: at most
``ADMIN_DELETE_MAX_ROWS`` rows, a confirmation page that counts the rows depending on them (one
``COUNT`` per relation, never the whole tree), and the deletion through ``delete_queryset``, which the
admins route to their services (audit event per row).
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers, widgets
from django.contrib.admin.utils import lookup_spawns_duplicates, model_ngettext
from django.contrib.admin.views.main import (
    ERROR_FLAG,
    IS_FACETS_VAR,
    IS_POPUP_VAR,
    ORDER_VAR,
    PAGE_VAR,
    TO_FIELD_VAR,
)
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.validators import validate_email
from django.db import DatabaseError, connections, models, transaction
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _

# Query-string keys that do not narrow the list: paging, ordering, popups, and the autocomplete's own.
NOT_FILTERS = {PAGE_VAR, ORDER_VAR, IS_POPUP_VAR, TO_FIELD_VAR, IS_FACETS_VAR, ERROR_FLAG, "app_label", "model_name"}
NOT_FILTERS |= {"field_name", "_changelist_filters"}

NUMBER = re.compile(r"^\s*(?:n\s*[°º]|no\.?|nº|#)?\s*(\d{1,18})\s*$", re.IGNORECASE)
EXPLICIT_NUMBER = re.compile(r"^\s*(?:n\s*[°º]|no\.?|nº|#)", re.IGNORECASE)
PHONE = re.compile(r"^\s*\+?[\d\s.\-()/]+$")
PHONE_MIN_DIGITS = 8


def exact_count_max_rows() -> int:
    return getattr(settings, "ADMIN_EXACT_COUNT_MAX_ROWS", 50_000)


def count_timeout_ms() -> int:
    return getattr(settings, "ADMIN_COUNT_TIMEOUT_MS", 200)


# --- Count ---------------------------------------------------------------------------------------


def planner_estimate(queryset: models.QuerySet) -> int:
    """The rows PostgreSQL's planner expects ``queryset`` to return (``EXPLAIN``, nothing is read)."""
    query = queryset.order_by().values("pk").query
    sql, params = query.get_compiler(queryset.db).as_sql()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def count_within_timeout(queryset: models.QuerySet, timeout_ms: int) -> int | None:
    """``COUNT(*)`` under a ``SET LOCAL statement_timeout``; ``None`` when it takes longer.

    The transaction (or savepoint) is rolled back afterwards: a count writes nothing, and the rollback
    takes the ``SET LOCAL`` with it, also when the request already runs in a transaction.
    """
    try:
        with transaction.atomic(using=queryset.db):
            with connections[queryset.db].cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(timeout_ms)])
            count = queryset.count()
            transaction.set_rollback(True, using=queryset.db)
    except DatabaseError:  # QueryCanceled: the statement timeout fired
        return None
    return count


class EstimatedCountPaginator(Paginator):
    """Counts as the module docstring says; ``count_is_estimate`` tells the templates to say "about"."""

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, filtered: bool = True):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.filtered = filtered
        self.count_is_estimate = False

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, models.QuerySet) or connections[queryset.db].vendor != "postgresql":
            return super().count
        if not self.filtered:
            estimate = planner_estimate(queryset)
            if estimate >= exact_count_max_rows():
                self.count_is_estimate = True
                return estimate
        exact = count_within_timeout(queryset, count_timeout_ms())
        if exact is not None:
            return exact
        self.count_is_estimate = True
        return planner_estimate(queryset)


# --- Search --------------------------------------------------------------------------------------


class PhoneDigits(models.Func):
    """The digits of a phone column: the expression the PostgreSQL index is built on
    (``regexp_replace(phone, '[^0-9]', '', 'g')``, subjects migration 0006); elsewhere the usual
    separators are removed."""

    output_field = models.CharField()
    arity = 1

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        for separator in " .-+()/":
            sql = f"REPLACE({sql}, '{separator}', '')"
        return sql, params

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"REGEXP_REPLACE({sql}, '[^0-9]', '', 'g')", params


def subject_number(term: str) -> int | None:
    """``123``, ``n° 123``, ``no 123``, ``#123`` -> 123."""
    match = NUMBER.match(term)
    return int(match.group(1)) if match else None


def looks_like_email(term: str) -> bool:
    try:
        validate_email(term.strip())
    except ValidationError:
        return False
    return True


def phone_forms(term: str) -> list[str]:
    """The digit strings a phone number may be stored as: ``06 12 34 56 78`` -> ``0612345678``,
    ``33612345678``, ``0033612345678`` (the same for ``+33 6 12 34 56 78``)."""
    if not PHONE.match(term):
        return []
    digits = re.sub(r"\D", "", term)
    if len(digits) < PHONE_MIN_DIGITS:
        return []
    if term.strip().startswith("+"):
        international = digits
    elif digits.startswith("00"):
        international = digits[2:]
    elif digits.startswith("0") and len(digits) == 10:
        international = "33" + digits[1:]
    else:
        international = digits
    forms = {digits, international, "00" + international}
    if international.startswith("33") and len(international) == 11:
        forms.add("0" + international[2:])
    return sorted(forms)


def _field_at(model: type[models.Model], path: str) -> models.Field:
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model._meta.pk if name == "pk" else model._meta.get_field(name)


def _typed(field: models.Field, term: str) -> Any | None:
    """``term`` as a value of ``field`` (a number for a number field), or None when it is not one."""
    target = field.target_field if field.is_relation else field
    if isinstance(target, models.IntegerField | models.AutoField):
        return int(term) if term.isdigit() and len(term) <= 18 else None
    return term


class ScaledSearchMixin:
    """Search by index (module docstring). ``search_fields`` keeps Django's syntax for what it shows:
    ``=field`` exact, ``field`` inside; numbers and phone numbers have their own attributes."""

    search_number_fields: tuple[str, ...] = ()
    search_phone_fields: tuple[str, ...] = ()

    def get_search_fields(self, request):
        fields = tuple(super().get_search_fields(request) or ())
        return fields or self.search_number_fields

    def get_search_results(self, request, queryset, search_term):
        term = (search_term or "").strip()
        if not term:
            return queryset, False
        model = queryset.model
        exact = [name[1:] for name in self.get_search_fields(request) if name.startswith("=")]
        inside = [name for name in (super().get_search_fields(request) or ()) if name[0] not in "=^@"]
        lookups = [*exact, *inside, *self.search_number_fields, *self.search_phone_fields]
        duplicates = any(lookup_spawns_duplicates(self.opts, name) for name in lookups)

        number = subject_number(term)
        email_fields = [name for name in exact if isinstance(_field_at(model, name), models.EmailField)]
        phones = phone_forms(term) if self.search_phone_fields else []
        whole = Q()
        if number is not None:
            whole |= self._any(self.search_number_fields, number)
            if EXPLICIT_NUMBER.match(term):
                return queryset.filter(whole) if whole else queryset.none(), duplicates
        if email_fields and looks_like_email(term):
            return queryset.filter(self._any(email_fields, term.strip().lower())), duplicates
        if phones:
            digits = {f"_digits_{name.replace('__', '_')}": PhoneDigits(name) for name in self.search_phone_fields}
            queryset = queryset.alias(**digits)
            for alias in digits:
                whole |= Q(**{f"{alias}__in": phones})
        if whole:
            whole |= self._exact(model, exact, term, email_fields)
            return queryset.filter(whole), duplicates

        by_word = [name for name in exact if name not in email_fields]  # addresses are matched whole (above)
        for word in smart_split(term):
            if word.startswith(('"', "'")) and word[0] == word[-1]:
                word = unescape_string_literal(word)
            matches = self._exact(model, by_word, word, email_fields)
            for name in inside:
                matches |= Q(**{f"{name}__icontains": word})
            queryset = queryset.filter(matches) if matches else queryset.none()
        return queryset, duplicates

    @staticmethod
    def _any(names, value) -> Q:
        condition = Q()
        for name in names:
            condition |= Q(**{name: value})
        return condition

    @staticmethod
    def _exact(model, names, term: str, email_fields) -> Q:
        condition = Q()
        for name in names:
            value = term.lower() if name in email_fields else _typed(_field_at(model, name), term)
            if value is not None:
                condition |= Q(**{name: value})
        return condition


class NumberLabelRawIdWidget(widgets.ForeignKeyRawIdWidget):
    """A raw-id box labelled without a query, for a model whose ``__str__`` is its number ("Order
    #12"): Django's widget loads the related row for its label, once per row of an inline."""

    def label_and_url_for_value(self, value):
        if value in (None, ""):
            return "", ""
        model = self.rel.model
        url = reverse(f"{self.admin_site.name}:{model._meta.app_label}_{model._meta.model_name}_change", args=[value])
        return str(model(pk=value)), url


# --- Delete --------------------------------------------------------------------------------------


# Rows pointing at a deleted row that stay (unlinked or left alone): not counted.
UNLINKED = (models.SET_NULL, models.SET_DEFAULT, models.DO_NOTHING, models.DB_SET_NULL, models.DB_SET_DEFAULT)


def delete_max_rows() -> int:
    return getattr(settings, "ADMIN_DELETE_MAX_ROWS", 500)


def _dependants(model: type[models.Model], ids: list) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(deleted with them, blocking the deletion): per relation, the rows pointing at ``ids``.

    One ``COUNT`` per relation of the model, not a walk of every related row (Django's collector)."""
    cascaded, blocking = [], []
    for relation in model._meta.related_objects:
        if not relation.one_to_many and not relation.one_to_one:
            continue
        on_delete = relation.on_delete
        if on_delete in UNLINKED:
            continue
        count = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": ids}).count()
        if not count:
            continue
        label = str(relation.related_model._meta.verbose_name_plural)
        (blocking if on_delete in (models.PROTECT, models.RESTRICT) else cascaded).append((label, count))
    return cascaded, blocking


@admin.action(permissions=["delete"], description=_("Delete selected %(verbose_name_plural)s"))
def delete_selected(modeladmin: admin.ModelAdmin, request, queryset):
    """Django's "delete selected", bounded: at most ``ADMIN_DELETE_MAX_ROWS`` rows, a confirmation that
    counts what depends on them, and the deletion through the admin's ``delete_queryset`` (services)."""
    limit = delete_max_rows()
    ids = list(queryset.order_by().values_list("pk", flat=True)[: limit + 1])
    if len(ids) > limit:
        modeladmin.message_user(
            request,
            _("Select at most %(limit)d rows to delete at once.") % {"limit": limit},
            messages.ERROR,
        )
        return None
    selected = queryset.model._base_manager.filter(pk__in=ids)
    cascaded, blocking = _dependants(queryset.model, ids)
    if request.POST.get("post") and not blocking:
        if not modeladmin.has_delete_permission(request):
            raise PermissionDenied
        modeladmin.log_deletions(request, selected)
        modeladmin.delete_queryset(request, selected)
        modeladmin.message_user(
            request,
            _("Successfully deleted %(count)d %(items)s.")
            % {"count": len(ids), "items": model_ngettext(modeladmin.opts, len(ids))},
            messages.SUCCESS,
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Delete multiple objects"),
        "objects_name": str(model_ngettext(selected, len(ids))),
        "ids": ids,
        "count": len(ids),
        "cascaded": cascaded,
        "blocking": blocking,
        "opts": modeladmin.opts,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/delete_selected_bounded.html", context)


# --- The admin -----------------------------------------------------------------------------------


class ScaledAdminMixin(ScaledSearchMixin):
    """What every admin of a table that can reach a million rows needs (module docstring)."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    date_hierarchy = None
    # Rows rendered from a plan made once per page when every column is a plain field
    # (ijinus_privacy.admin_list_rows; templates/admin/change_list.html).
    fast_result_list = True
    # Query-string keys of filters that keep most of the table: counted like the whole table (an
    # exact count of them would run into its timeout every time).
    broad_filter_params: tuple[str, ...] = ()

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        ignored = NOT_FILTERS | set(self.broad_filter_params)
        filtered = any(value for key, value in request.GET.items() if key not in ignored)
        return self.paginator(queryset, per_page, orphans, allow_empty_first_page, filtered=filtered)

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        if "delete_selected" in actions:
            actions["delete_selected"] = (
                delete_selected,
                "delete_selected",
                delete_selected.short_description % {"verbose_name_plural": self.opts.verbose_name_plural},
            )
        return actions
