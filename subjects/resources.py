"""django-import-export resources for subjects and roles (issue 3; PERFORMANCE.md know-how).

* A field allowlist: only the columns below are read or written.
* Upsert on the e-mail, normalised to lower case.
* Every row is validated (``full_clean``) *before* anything is written; one invalid row and the
  whole file is refused, each error reported with its row number, field and reason.
* The write itself runs in bulk mode inside one transaction; bulk mode skips ``save()``, so the
  audit events are written explicitly afterwards, in the same transaction.
* On export, values a spreadsheet would run as a formula (``= + - @ \\t \\r``) get a leading quote,
  and each exported subject gets an EXPORT audit event.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.instance_loaders import CachedInstanceLoader

from ijinus_privacy import audit, bulk, conditions
from ijinus_privacy.identifiers import normalise_email
from ijinus_privacy.spreadsheets import escape_formula

from .admission import admission_refusals, refusal_hint
from .models import ROLE_DATE_FIELDS, DataSubject, SubjectRole


class EmailWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return normalise_email(super().clean(value, row, **kwargs) or "")


class SubjectByEmailWidget(widgets.ForeignKeyWidget):
    def __init__(self) -> None:
        super().__init__(DataSubject, field="email")

    def clean(self, value, row=None, **kwargs):
        email = normalise_email(str(value or ""))
        if not email:
            raise ValueError(_("An e-mail is required."))
        subject = DataSubject.objects.filter(email=email).first()
        if subject is None:
            raise ValueError(_("No data subject has this e-mail."))
        return subject


class PeopleByEmailLoader(CachedInstanceLoader):
    """The library's cached loader (one query per batch), through the e-mail index
    (``DataSubjectQuerySet.with_emails``): its plain ``email IN (...)`` of a thousand e-mails
    scans the whole table on PostgreSQL."""

    def get_queryset(self):
        return super().get_queryset().exclude(email="")


# The cell text that empties a field of an existing record; an empty cell leaves it alone.
CLEAR_MARKER = "<clear>"


@dataclass(frozen=True)
class FieldChange:
    """One field of one person as the preview shows it: column, value on file, value imported."""

    column: str
    old: str
    new: str


class AuditedResource(resources.ModelResource):
    """Validate all, then write all, audit explicitly, escape formulas on export.

    Updates are previewed (``row_result.changes``: column, old, new) and unchanged rows skipped;
    an empty cell keeps the stored value, ``<clear>`` empties it; each audit event names the fields
    that changed, never their values.
    """

    def __init__(self, actor=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.actor = actor
        self._changed: dict[tuple, list[str]] = {}
        self._row_changes: list[FieldChange] = []
        self._before: dict | None = None

    # --- export ---------------------------------------------------------------------------

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))

    def after_export(self, queryset, dataset, **kwargs) -> None:
        super().after_export(queryset, dataset, **kwargs)
        label = self._meta.model._meta.label_lower
        with transaction.atomic():
            for pk, subject_id in queryset.values_list("pk", self.subject_path).iterator():
                audit.record(
                    action=audit.Action.EXPORT,
                    actor=self.actor,
                    object_type=label,
                    object_id=pk,
                    subject_id=subject_id,
                    fields=[field.attribute for field in self.get_export_fields() if field.attribute],
                    reason="Admin export (django-import-export)",
                )

    # --- import ---------------------------------------------------------------------------

    subject_path = "subject_id"

    def natural_key(self, instance) -> tuple:
        raise NotImplementedError

    def get_import_fields(self):
        """The library works this list out again for every row and every cell; it does not change
        during an import, so once per resource (T5)."""
        if getattr(self, "_import_fields", None) is None:
            self._import_fields = super().get_import_fields()
        return self._import_fields

    def validate_dataset(self, dataset, *, changes: bool = True):
        """Build and ``full_clean`` every row without writing; return a result with the errors.

        ``changes``: also work out what each row changes (``result.checked_changes``), which the
        preview and the confirmed write need; a file of new people only (``create_checked``) does not.
        """
        result = self.get_result_class()()
        result.diff_headers = self.get_diff_headers()
        result.total_rows = len(dataset)
        try:
            self._check_import_id_fields(dataset.headers)
        except Exception as error:
            self.handle_import_error(result, error)
            return result
        loader = self._meta.instance_loader_class(self, dataset)
        self._refused_subjects = self.refused_subjects(dataset)
        first_seen: dict[tuple, int] = {}
        id_field = self._meta.import_id_fields[0]
        refused: dict[int, tuple[dict, dict]] = {}
        new_people: list[tuple[int, dict, DataSubject]] = []
        result.checked_instances = []  # (number, row, instance) of every row without an error
        result.checked_changes = []  # for each of them, what it changes (FieldChange, column by column)
        for number, values in enumerate(dataset, 1):
            row = dict(zip(dataset.headers, values, strict=False))
            errors: dict[str, list] = {}
            try:
                instance, _new = self.get_or_init_instance(loader, row)
            except (ValueError, ValidationError) as error:
                reason = error.messages if isinstance(error, ValidationError) else [str(error)]
                refused[number] = (row, {id_field: reason})
                continue
            try:
                self.import_instance(instance, row)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
            refusal = self.refusal(instance)
            if refusal:
                refused[number] = (row, {id_field: [refusal]})
                continue
            try:
                instance.full_clean(exclude=list(errors), validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
            if not errors:
                key = self.natural_key(instance)
                if key in first_seen:
                    errors = {id_field: [_("Duplicate of row %(row)s in this file.") % {"row": first_seen[key]}]}
                else:
                    first_seen[key] = number
            if errors:
                refused[number] = (row, errors)
                continue
            result.checked_instances.append((number, row, instance))
            if changes:
                result.checked_changes.append(self._changes_of(instance, row))
            if isinstance(instance, DataSubject) and instance.pk is None:
                new_people.append((number, row, instance))
        # Erased (Art. 17) or suppressed people are not created again by a file (subjects.admission).
        matches = admission_refusals([(person.email, person.phone) for _number, _row, person in new_people])
        for position, refusals in matches.items():
            number, row, _person = new_people[position]
            reasons = [refusal.message() for refusal in refusals] + [refusal_hint()]
            refused[number] = (row, {id_field: reasons})
        for number in sorted(refused):
            row, errors = refused[number]
            self._report(result, number, row, errors)
        return result

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        """An empty cell leaves an existing record's value alone; ``<clear>`` empties the field."""
        if field.attribute and field.column_name in row:
            cell = row[field.column_name]
            text = "" if cell is None else str(cell).strip()
            if text.lower() == CLEAR_MARKER:
                model_field = instance._meta.get_field(field.attribute)
                setattr(instance, model_field.attname, None if model_field.null else "")
                return
            if not text and instance.pk is not None:
                return
        super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    def import_instance(self, instance, row, **kwargs) -> None:
        """Keep the stored values of an existing record first: a few values, not a deep copy (T5)."""
        self._before = None
        if instance.pk is not None:
            self._before = {
                field.column_name: field.get_value(instance) for field in self.get_import_fields() if field.attribute
            }
        super().import_instance(instance, row, **kwargs)

    def _changes_of(self, instance, row) -> list[FieldChange]:
        """What ``import_instance`` changed on ``instance``, column by column (old -> new, rendered)."""
        before = getattr(self, "_before", None)
        changes = []
        for field in self.get_import_fields():
            if not field.attribute or field.column_name not in row:
                continue
            new = field.get_value(instance)
            old = None if before is None else before.get(field.column_name)
            if new != old and not (before is None and new in (None, "")):
                changes.append(FieldChange(field.column_name, _render(field, old), _render(field, new)))
        return changes

    def skip_row(self, instance, original, row, import_validation_errors=None) -> bool:
        """Note what this row changes (for the preview and the audit); skip an existing unchanged one."""
        changes = self._changes_of(instance, row)
        self._row_changes = changes
        self._row_label = self.preview_label(instance)
        self._changed[self.natural_key(instance)] = [change.column for change in changes]
        return instance.pk is not None and not changes and not import_validation_errors

    def after_import_row(self, row, row_result, **kwargs) -> None:
        super().after_import_row(row, row_result, **kwargs)
        row_result.changes = self._row_changes
        row_result.preview_label = getattr(self, "_row_label", "")
        row_result.number = kwargs.get("row_number")
        self._row_changes, self._row_label = [], ""

    def preview_label(self, instance) -> str:
        """Who the row is about, as the file names them (shown to the DPO in the preview only)."""
        return ""

    def refused_subjects(self, dataset) -> dict[int, str]:
        """The people of the file's ``email`` column no row may touch, with the reason: two queries
        per thousand e-mails, not two per row (T5). Restricted data is storage only (R1.11.3);
        archived people are out of every operational path (R4.4.2)."""
        from .services.restriction import Operation, restricted_subject_exists

        if "email" not in (dataset.headers or []):
            return {}
        emails = sorted({normalise_email(str(value or "")) for value in dataset["email"]} - {""})
        refused: dict[int, str] = {}
        for start in range(0, len(emails), 1000):
            people = DataSubject.objects.with_emails(emails[start : start + 1000])
            for pk in people.filter(conditions.holds(conditions.ARCHIVED)).values_list("pk", flat=True):
                refused[pk] = _("This person is in the intermediate archive: the row is refused.")
            restricted = people.filter(restricted_subject_exists("pk", operation=Operation.EDIT))
            for pk in restricted.values_list("pk", flat=True):
                refused[pk] = _(
                    "This person's data is restricted (Art. 18): only storage is allowed, the row is refused."
                )
        return refused

    def refusal(self, instance) -> str:
        """Why this row may not touch its subject, or "" (R1.11.3 restriction, R4.4.2 archive)."""
        subject_id = instance.pk if isinstance(instance, DataSubject) else getattr(instance, "subject_id", None)
        if subject_id is None:
            return ""
        return self._refused_subjects.get(subject_id, "")

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """Write only the columns each row changes, grouped by that set (T5): the library's
        ``bulk_update`` rewrites every column of every row through one large CASE per column. The
        preview (``dry_run``) writes nothing, since it would only be rolled back."""
        if not self.update_instances:
            return
        try:
            if dry_run:
                return
            attributes = {field.column_name: field.attribute for field in self.get_import_fields() if field.attribute}
            groups: dict[tuple[str, ...], list] = {}
            for instance in self.update_instances:
                columns = self._changed.get(self.natural_key(instance), [])
                names = tuple(sorted({attributes.get(column, column) for column in columns}))
                if names:
                    groups.setdefault(names, []).append(instance)
            for names, instances in groups.items():
                self._meta.model.objects.bulk_update(instances, list(names), batch_size=batch_size)
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            self.update_instances.clear()

    def create_checked(self, dataset, *, actor) -> tuple[object, int]:
        """Check every row, then create them all in bulk, audited per person: the background import,
        which only adds (``subjects.import_jobs``). Return the check's result and the rows created.

        The instances ``validate_dataset`` built and cleaned are the ones written: the library's
        row-by-row import would build and compare each row again (T5).
        """
        result = self.validate_dataset(dataset, changes=False)
        if result.has_errors() or result.has_validation_errors():
            return result, 0
        created = [instance for _number, _row, instance in result.checked_instances]
        if any(instance.pk is not None for instance in created):
            raise ValueError("create_checked only creates: a row names a record on file")
        bulk.bulk_insert(self._meta.model, created, batch_size=self._meta.batch_size)
        attributes = {field.column_name: field.attribute for field in self.get_import_fields() if field.attribute}
        audit.record_many(
            {
                "action": audit.Action.CREATE,
                "actor": actor,
                "obj": instance,
                "fields": [attributes[column] for column, value in row.items() if column in attributes and value],
                "reason": "Admin import (django-import-export)",
            }
            for _number, row, instance in result.checked_instances
        )
        return result, len(created)

    def write_checked(self, result, *, actor) -> tuple[int, int]:
        """Write what ``validate_dataset`` checked: the new rows in bulk, each changed row's changed
        columns only (grouped by that set), one audit event per row written naming the fields that
        changed, never their values. Return (created, changed). The background upsert, after the
        DPO confirmed its preview (``subjects.import_jobs``): the instances checked are the ones
        written, not built and compared again row by row by the library (T5).
        """
        attributes = {field.column_name: field.attribute for field in self.get_import_fields() if field.attribute}
        new, changed, events = [], {}, []
        for (_number, _row, instance), changes in zip(result.checked_instances, result.checked_changes, strict=True):
            fields = [attributes.get(change.column, change.column) for change in changes]
            if instance.pk is None:
                new.append(instance)
                events.append((audit.Action.CREATE, instance, fields))
            elif changes:
                changed.setdefault(tuple(sorted(set(fields))), []).append(instance)
                events.append((audit.Action.CHANGE, instance, fields))
            # unchanged: nothing written, nothing audited
        bulk.bulk_insert(self._meta.model, new, batch_size=self._meta.batch_size)
        for names, instances in changed.items():
            bulk.bulk_update(self._meta.model, instances, list(names))
        audit.record_many(
            {"action": action, "actor": actor, "obj": instance, "fields": fields,
             "reason": "Admin import (django-import-export)"}
            for action, instance, fields in events
        )  # fmt: skip
        return len(new), sum(len(instances) for instances in changed.values())

    def _report(self, result, number: int, row: dict, errors: dict) -> None:
        """Name each error by the column the user sees (``email``, not ``subject``)."""
        columns = {name: field.column_name for name, field in self.fields.items()}
        columns |= {field.attribute: field.column_name for field in self.fields.values() if field.attribute}
        named = {columns.get(key, key): value for key, value in errors.items()}
        result.append_invalid_row(number, row, ValidationError(named))

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        checked = self.validate_dataset(dataset)
        if checked.has_errors() or checked.has_validation_errors():
            return checked
        self._existing = set(self.existing_keys(dataset))
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, use_transactions=True, **kwargs)

    def after_import(self, dataset, result, **kwargs) -> None:
        super().after_import(dataset, result, **kwargs)
        if kwargs.get("dry_run") or result.has_errors() or result.has_validation_errors():
            return
        attributes = {field.column_name: field.attribute for field in self.get_import_fields() if field.attribute}
        existing = getattr(self, "_existing", set())
        events = []
        for obj in self.imported_objects(dataset):
            changed = [attributes.get(column, column) for column in self._changed.get(self.natural_key(obj), [])]
            if not changed:
                continue  # unchanged row: skipped, nothing written
            events.append(
                {
                    "action": audit.Action.CHANGE if obj.pk in existing else audit.Action.CREATE,
                    "actor": self.actor or kwargs.get("user"),
                    "obj": obj,
                    "fields": changed,
                    "reason": "Admin import (django-import-export)",
                }
            )
        audit.record_many(events)  # one event per person, written in bulk (T5)

    def imported_objects(self, dataset):
        raise NotImplementedError

    def existing_keys(self, dataset):
        """The primary keys ``imported_objects`` yields, read before the write: those rows are changes."""
        return [obj.pk for obj in self.imported_objects(dataset)]


def _render(field, value) -> str:
    if value in (None, ""):
        return ""
    return str(field.widget.render(value))


class DataSubjectResource(AuditedResource):
    email = fields.Field(attribute="email", column_name="email", widget=EmailWidget())

    subject_path = "pk"

    class Meta:
        model = DataSubject
        fields = (
            "email",
            "kind",
            "last_name",
            "first_names",
            "marital_status",
            "date_of_birth",
            "street_address",
            "postal_code",
            "city",
            "country",
            "phone",
            "organisation",
            "job_title",
            "language",
        )
        import_id_fields = ("email",)
        instance_loader_class = PeopleByEmailLoader
        use_bulk = True
        batch_size = 1000
        skip_diff = True  # no deep copy per row (T5): import_instance keeps the few stored values it needs
        clean_model_instances = False  # validate_dataset full_cleans every row first: once is enough (T5)

    def natural_key(self, instance) -> tuple:
        return (instance.email,)

    def preview_label(self, instance) -> str:
        return instance.email

    def imported_objects(self, dataset):
        emails = [normalise_email(str(value or "")) for value in dataset["email"]]
        for start in range(0, len(emails), 1000):
            yield from DataSubject.objects.with_emails(emails[start : start + 1000]).only("pk", "email")


class SubjectRoleResource(AuditedResource):
    subject = fields.Field(attribute="subject", column_name="email", widget=SubjectByEmailWidget())

    class Meta:
        model = SubjectRole
        fields = ("subject", "role", *ROLE_DATE_FIELDS)
        import_id_fields = ("subject", "role")
        use_bulk = True
        batch_size = 1000
        skip_diff = True  # no deep copy per row (T5): import_instance keeps the few stored values it needs
        clean_model_instances = False  # validate_dataset full_cleans every row first: once is enough (T5)

    def natural_key(self, instance) -> tuple:
        return (instance.subject_id, instance.role)

    def preview_label(self, instance) -> str:
        return f"{instance.subject.email} — {instance.get_role_display()}"

    def import_instance(self, instance, row, **kwargs) -> None:
        """Retention start dates are facts, not settings (R4.2): a file cannot move them back.

        A new role takes ``collected_on`` from the file; an existing role keeps its own, and its
        last inbound contact only moves forward (a later date in the file).
        """
        kept = None if instance.pk is None else (instance.collected_on, instance.last_inbound_contact_on)
        super().import_instance(instance, row, **kwargs)
        if kept is None:
            return
        collected_on, last_contact = kept
        instance.collected_on = collected_on
        imported = instance.last_inbound_contact_on
        if last_contact and (imported is None or imported < last_contact):
            instance.last_inbound_contact_on = last_contact

    def dehydrate_subject(self, role: SubjectRole) -> str:
        return role.subject.email

    def imported_objects(self, dataset):
        keys = set()
        for email, role in zip(dataset["email"], dataset["role"], strict=True):
            keys.add((normalise_email(str(email or "")), role))
        emails = sorted({email for email, _role in keys})
        for start in range(0, len(emails), 1000):
            people = DataSubject.objects.with_emails(emails[start : start + 1000])
            for obj in SubjectRole.objects.filter(subject__in=people).select_related("subject"):
                if (obj.subject.email, obj.role) in keys:
                    yield obj
