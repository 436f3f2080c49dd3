"""Import consent proofs from the e-mailing tool's export (CSV/XLSX; R2.1, DESIGN.md flow 3).

Three layouts are recognised by their header row (``recognise``), so the tool's own export is
taken as it comes, without renaming columns (issue 15):

- the IJINUS template: ``email``, ``first_names``, ``last_name``, ``optin_time``, ``optin_ip``,
  ``confirmation_time``, ``source_list`` (nothing else is accepted);
- Mailchimp's audience export ("subscribed members"): ``Email Address``, ``First Name``,
  ``Last Name``, ``OPTIN_TIME``/``OPTIN_IP``, ``CONFIRM_TIME``/``CONFIRM_IP``, ``LEID``, ``EUID``;
  its times are UTC. Its other columns (rating, geolocation, notes, tags, merge fields) are
  ignored: never read into the database;
- Brevo's contacts export: ``EMAIL``, ``FIRSTNAME``/``PRENOM``, ``LASTNAME``/``NOM``,
  ``CONTACT ID``, ``ADDED_TIME`` or an ``OPT_IN`` date, ``DOUBLE_OPT-IN``; its times are in the
  account's time zone (``TIME_ZONE``). Other columns are ignored.

Every row is checked first; one bad row and nothing is written, each refusal reported with its row
number and reason (a missing or unreadable consent time, an invalid e-mail, a cell that looks like
a spreadsheet formula, a suppressed address, a duplicate...). Then, in one transaction, subjects are
created or updated through ``subjects.services`` and a ``given`` event is recorded with the tool's
original timestamps and IP addresses (double opt-in: request and confirmation) and the tool's member
id as ``tool_reference``. A row whose event is already on record is skipped, so importing the same
file twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import tablib
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_ipv46_address
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ijinus_privacy import audit, uploads
from ijinus_privacy.identifiers import normalise_email
from ijinus_privacy.spreadsheets import FORMULA_PREFIXES
from subjects import services as subject_services
from subjects.admission import admission_refusals, refusal_hint
from subjects.models import DataSubject, SubjectRole

from . import services
from .models import Channel, ConsentEvent, Notice

COLUMNS = ("email", "first_names", "last_name", "optin_time", "optin_ip", "confirmation_time", "source_list")
REQUIRED_COLUMNS = ("email", "optin_time")
FILE_COLUMNS = uploads.Columns(expected=COLUMNS, required=REQUIRED_COLUMNS)
# The proof fields a row is read into, whatever its layout (the audit names these).
FIELDS = (
    "email",
    "first_names",
    "last_name",
    "optin_time",
    "optin_ip",
    "confirmation_time",
    "confirmation_ip",
    "reference",
    "source_list",
)
YES = {"1", "yes", "oui", "true", "vrai", "y"}
NO = {"0", "2", "no", "non", "false", "faux", "n"}  # Brevo's DOUBLE_OPT-IN category: 1 = Yes, 2 = No


@dataclass(frozen=True)
class Layout:
    """One export layout: for each proof field, the columns (lower-cased) it may be read from."""

    key: str
    label: str
    columns: uploads.Columns
    fields: dict[str, tuple[str, ...]]
    shown: str  # the expected columns, spelt as the tool writes them
    naive_times_in_utc: bool = True
    reference_prefix: str = ""

    def column(self, headers: list[str], field_name: str) -> str | None:
        return next((name for name in self.fields.get(field_name, ()) if name in headers), None)


NATIVE = Layout(
    key="ijinus",
    label=_lazy("IJINUS template"),
    columns=FILE_COLUMNS,
    fields={name: (name,) for name in COLUMNS} | {"confirmation_time": ("confirmation_time",)},
    shown=", ".join(COLUMNS),
)
MAILCHIMP_COLUMNS = (
    "Email Address",
    "First Name",
    "Last Name",
    "MEMBER_RATING",
    "OPTIN_TIME",
    "OPTIN_IP",
    "CONFIRM_TIME",
    "CONFIRM_IP",
    "LATITUDE",
    "LONGITUDE",
    "GMTOFF",
    "DSTOFF",
    "TIMEZONE",
    "CC",
    "REGION",
    "LAST_CHANGED",
    "LEID",
    "EUID",
    "NOTES",
    "TAGS",
)
MAILCHIMP = Layout(
    key="mailchimp",
    label=_lazy("Mailchimp audience export"),
    columns=uploads.Columns(
        expected=tuple(name.lower() for name in MAILCHIMP_COLUMNS),
        required=("email address", "optin_time"),
        others_ignored=True,
    ),
    fields={
        "email": ("email address",),
        "first_names": ("first name",),
        "last_name": ("last name",),
        "optin_time": ("optin_time",),
        "optin_ip": ("optin_ip",),
        "confirmation_time": ("confirm_time",),
        "confirmation_ip": ("confirm_ip",),
        "reference": ("euid", "leid"),
    },
    shown="Email Address, First Name, Last Name, OPTIN_TIME, OPTIN_IP, CONFIRM_TIME, CONFIRM_IP, LEID, EUID",
)
BREVO_MARKERS = (
    "contact id",
    "contact_id",
    "double_opt-in",
    "opt_in",
    "added_time",
    "modified_time",
    "email_blacklisted",
    "firstname",
    "lastname",
    "prenom",
    "prénom",
    "nom",
    "sms",
)
BREVO = Layout(
    key="brevo",
    label=_lazy("Brevo contacts export"),
    columns=uploads.Columns(expected=(*BREVO_MARKERS, "email"), required=("email",), others_ignored=True),
    fields={
        "email": ("email",),
        "first_names": ("firstname", "prenom", "prénom"),
        "last_name": ("lastname", "nom"),
        "optin_time": ("opt_in", "added_time"),
        "double_opt_in": ("double_opt-in",),
        "reference": ("contact id", "contact_id"),
    },
    shown="EMAIL, FIRSTNAME or PRENOM, LASTNAME or NOM, CONTACT ID, ADDED_TIME or OPT_IN (a date), DOUBLE_OPT-IN",
    naive_times_in_utc=False,
)
LAYOUTS = (NATIVE, MAILCHIMP, BREVO)
# Column names as the tools write them, for the row-level reasons.
SHOWN_NAMES = {name.lower(): name for name in MAILCHIMP_COLUMNS} | {
    name: name.upper() for name in (*BREVO_MARKERS, "email")
}


def expected_layouts() -> str:
    """The columns of every known layout, for the refusal of a file none of them matches."""
    return "; ".join(
        f"{layout.label}: {layout.shown}" + ("" if layout is NATIVE else f" ({_('other columns are ignored')})")
        for layout in LAYOUTS
    )


def recognise(headers: list[str]) -> Layout:
    """The layout of a file from its (lower-cased) header row; ``UploadRefused`` when none fits.

    The IJINUS template first (its columns only), then Mailchimp (``Email Address`` and one of its
    own columns), then Brevo (``EMAIL`` and one of its own columns); a file with an ``email``
    column and nothing of either tool is read as the template, so its unknown columns are named.
    """
    present = set(headers)
    if present and present <= set(COLUMNS):
        return NATIVE
    if "email address" in present and present & {"optin_time", "confirm_time", "euid", "leid", "member_rating"}:
        _require_time(MAILCHIMP, headers)
        return MAILCHIMP
    if "email" in present and present & set(BREVO_MARKERS):
        _require_time(BREVO, headers)
        return BREVO
    if "email" in present:
        return NATIVE
    raise uploads.UploadRefused(
        _("The file's columns match none of the layouts this import knows. Expected columns: %(layouts)s.")
        % {"layouts": expected_layouts()}
    )


def _require_time(layout: Layout, headers: list[str]) -> None:
    if layout.column(headers, "optin_time") is None:
        raise uploads.UploadRefused(
            _(
                "This looks like a %(layout)s, but it has no opt-in time column, so it proves no consent. "
                "Expected columns: %(expected)s."
            )
            % {"layout": layout.label, "expected": layout.shown}
        )


def ignored_columns(layout: Layout, headers: list[str]) -> list[str]:
    used = {name for names in layout.fields.values() for name in names}
    return [SHOWN_NAMES.get(name, name) for name in headers if name and name not in used]


def read_export(upload) -> tuple[Layout, tablib.Dataset]:
    """An uploaded export as a table with its layout: size, format and header checked first.

    A CSV whose header row holds semicolons and no comma is read with semicolons (Brevo in French).
    """
    uploads.check_size(upload.size)
    xlsx = uploads.is_xlsx(upload.name)
    delimiter = ","
    headers = _headers(upload, xlsx=xlsx, delimiter=delimiter)
    if not xlsx and len(headers) == 1 and ";" in headers[0]:
        delimiter = ";"
        headers = _headers(upload, xlsx=xlsx, delimiter=delimiter)
    layout = recognise(headers)
    return layout, uploads.read_upload(upload, columns=layout.columns, xlsx=xlsx, delimiter=delimiter)


def _headers(upload, *, xlsx: bool, delimiter: str) -> list[str]:
    upload.seek(0)
    try:
        return uploads.read_header(
            uploads.binary(upload),
            xlsx=xlsx,
            columns=uploads.Columns(expected=(), others_ignored=True),
            delimiter=delimiter,
        )
    finally:
        upload.seek(0)


@dataclass
class ImportReport:
    errors: list[tuple[int, str]] = field(default_factory=list)
    created_subjects: int = 0
    events: int = 0
    skipped: int = 0
    layout: str = ""
    ignored_columns: list[str] = field(default_factory=list)


def _moment(value, *, utc: bool = True) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value or "").strip()
        if not text:
            return None
        moment = parse_datetime(text.replace(" ", "T", 1) if "T" not in text else text)
        if moment is None:
            moment = _day_first(text)
        if moment is None:
            raise ValueError
    if timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment, UTC if utc else timezone.get_default_timezone())


def _day_first(text: str) -> datetime | None:
    """``DD-MM-YYYY HH:MM[:SS]`` or with slashes, as a French-language account writes dates."""
    for pattern in ("%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M"):
        try:
            return datetime.strptime(text, pattern)  # naive: made aware by the caller
        except ValueError:
            continue
    return None


def _read(row: dict, layout: Layout, headers: list[str]) -> tuple[dict, dict[str, str]]:
    """The proof fields of one row, and the column each came from (for the reasons)."""
    values: dict = {}
    sources: dict[str, str] = {}
    for name in (*FIELDS, "double_opt_in"):
        column = layout.column(headers, name)
        values[name] = row.get(column) if column else None
        sources[name] = SHOWN_NAMES.get(column, column) if layout is not NATIVE and column else (column or name)
    return values, sources


def _formula_reasons(row: dict, layout: Layout, headers: list[str]) -> list[str]:
    """Every cell the import reads, refused when it starts like a formula (OWASP CSV injection)."""
    used = [name for names in layout.fields.values() for name in names if name in headers]
    return [
        _("%(column)s: looks like a spreadsheet formula; not imported")
        % {"column": SHOWN_NAMES.get(name, name) if layout is not NATIVE else name}
        for name in dict.fromkeys(used)
        if isinstance(row.get(name), str) and row[name].startswith(FORMULA_PREFIXES)
    ]


def _check_row(
    row: dict, *, notice: Notice, seen: dict[str, int], number: int, layout: Layout = NATIVE, headers=None
) -> tuple[dict | None, list[str]]:
    headers = headers if headers is not None else list(row)
    values, sources = _read(row, layout, headers)
    reasons: list[str] = _formula_reasons(row, layout, headers)
    if reasons:
        return None, reasons
    email = normalise_email(str(values["email"] or ""))
    try:
        validate_email(email)
    except ValidationError:
        reasons.append(_("e-mail: missing or not an e-mail address"))
    optin_source = sources["optin_time"]
    flag = str(values["optin_time"] or "").strip().lower() if layout is BREVO else ""
    if optin_source == "OPT_IN" and (flag in YES | NO or not flag):
        # Brevo's OPT_IN as a yes/no attribute: the time is then the contact's ADDED_TIME.
        if flag in NO:
            reasons.append(_("OPT_IN: the e-mailing tool records no opt-in for this contact"))
        values["optin_time"], optin_source = row.get("added_time"), "ADDED_TIME"
    try:
        optin = _moment(values["optin_time"], utc=layout.naive_times_in_utc)
        if optin is None:
            reasons.append(
                _("%(column)s: no consent time, so no proof of consent (EDPB Guidelines 05/2020, ¶108)")
                % {"column": optin_source}
            )
    except ValueError:
        optin = None
        reasons.append(_("%(column)s: not a date and time") % {"column": optin_source})
    try:
        confirmed = _moment(values["confirmation_time"], utc=layout.naive_times_in_utc)
    except ValueError:
        confirmed = None
        reasons.append(_("%(column)s: not a date and time") % {"column": sources["confirmation_time"]})
    if layout is BREVO and str(values["double_opt_in"] or "").strip().lower() in YES:
        # Brevo adds a double opt-in contact when the link is clicked: that time is the confirmation.
        confirmed = optin
    if optin and confirmed and confirmed < optin:
        reasons.append(_("%(column)s: before the opt-in time") % {"column": sources["confirmation_time"]})
    effective = confirmed or optin
    if effective and effective > timezone.now():
        reasons.append(_("%(column)s: in the future") % {"column": optin_source})
    if effective and notice.effective_on > timezone.localdate(effective):
        reasons.append(_("%(column)s: before the consent wording chosen was in force") % {"column": optin_source})
    ips = {}
    for name in ("optin_ip", "confirmation_ip"):
        ips[name] = str(values[name] or "").strip()
        if ips[name]:
            try:
                validate_ipv46_address(ips[name])
            except ValidationError:
                reasons.append(_("%(column)s: not an IP address") % {"column": sources[name]})
    reference = _reference(values, row, layout)
    if len(reference) > 100:
        reasons.append(_("%(column)s: longer than 100 characters") % {"column": sources["reference"]})
    if email and not reasons:
        if services.is_suppressed(channel=Channel.NEWSLETTER_EMAIL, email=email):
            reasons.append(_("e-mail: on the suppression list (unsubscribed or objected); not imported (Art. 21(3))"))
        if email in seen:
            reasons.append(_("e-mail: duplicate of row %(row)s") % {"row": seen[email]})
        seen.setdefault(email, number)
    if reasons:
        return None, reasons
    return {
        "email": email,
        "first_names": str(values["first_names"] or "").strip(),
        "last_name": str(values["last_name"] or "").strip(),
        "requested_at": optin if confirmed else None,
        "confirmed_at": confirmed,
        "occurred_at": effective,
        "ip": ips["optin_ip"] or None,
        "confirmation_ip": (ips["confirmation_ip"] or None) if confirmed else None,
        "reference": reference,
        "source_list": str(values["source_list"] or "").strip()[:200],
    }, []


def _reference(values: dict, row: dict, layout: Layout) -> str:
    """The tool's member id, named: ``EUID abc LEID 123`` (Mailchimp), ``CONTACT ID 42`` (Brevo)."""
    if layout is MAILCHIMP:
        parts = [f"{name.upper()} {str(row.get(name) or '').strip()}" for name in ("euid", "leid")]
        return " ".join(part for part in parts if len(part) > 5)
    if layout is BREVO and values["reference"] not in (None, ""):
        value = values["reference"]
        value = int(value) if isinstance(value, float) and value.is_integer() else value
        return f"CONTACT ID {str(value).strip()}"
    return ""


def _admission_errors(checked: list[tuple[int, dict]]) -> list[tuple[int, str]]:
    """New people only: an erased (Art. 17) or suppressed person is not created again by a file.

    The tool's opt-in is entered by staff through this import, so it never counts as the person's
    own new consent (``subjects.admission``); they sign up again themselves.
    """
    known = set(DataSubject.objects.with_emails(row["email"] for _n, row in checked).values_list("email", flat=True))
    new = [(number, row) for number, row in checked if row["email"] not in known]
    errors = []
    for position, refusals in admission_refusals([(row["email"], "") for _number, row in new]).items():
        number = new[position][0]
        errors += [(number, refusal.message()) for refusal in refusals]
        errors.append((number, refusal_hint()))
    return errors


def import_consent_proofs(
    *, dataset: tablib.Dataset, notice: Notice, batch_reference: str, actor, layout: Layout | None = None
) -> ImportReport:
    """Check every row, then write all or nothing (newsletter e-mail consents).

    ``layout``: as ``read_export`` recognised it; by default, recognised from the table's headers.
    """
    report = ImportReport()
    headers = [str(header or "").strip().lower() for header in (dataset.headers or [])]
    if layout is None:
        try:
            layout = recognise(headers)
        except uploads.UploadRefused as refusal:
            report.errors.append((0, str(refusal.message)))
            return report
    report.layout = str(layout.label)
    report.ignored_columns = ignored_columns(layout, headers)
    missing = [column for column in layout.columns.required if column not in headers]
    if missing:
        report.errors.append((0, _("missing columns: %(columns)s") % {"columns": ", ".join(missing)}))
        return report
    if notice.kind != Notice.Kind.CONSENT_TEXT or notice.channel != Channel.NEWSLETTER_EMAIL:
        report.errors.append((0, _("choose the newsletter consent wording the e-mailing tool showed")))
        return report
    checked = []
    seen: dict[str, int] = {}
    for number, values in enumerate(dataset, 1):
        row = dict(zip(headers, values, strict=False))
        clean, reasons = _check_row(row, notice=notice, seen=seen, number=number, layout=layout, headers=headers)
        report.errors += [(number, reason) for reason in reasons]
        if clean:
            checked.append((number, clean))
    report.errors += _admission_errors(checked)
    if report.errors:
        report.errors.sort(key=lambda error: error[0])
        return report
    with transaction.atomic():
        _write(
            [clean for _number, clean in checked],
            notice=notice,
            batch_reference=batch_reference,
            actor=actor,
            report=report,
        )
        audit.record(
            action=audit.Action.CREATE,
            actor=actor,
            object_type="consents.consentevent",
            fields=list(FIELDS),
            reason=f"Consent-proof import {batch_reference} ({layout.key} layout): {report.events} events",
        )
    return report


def _write(rows: list[dict], *, notice: Notice, batch_reference: str, actor, report: ImportReport) -> None:
    existing = {subject.email: subject for subject in DataSubject.objects.with_emails(row["email"] for row in rows)}
    for row in rows:
        subject = existing.get(row["email"])
        if subject is None:
            subject = subject_services.subject_create(
                fields={"email": row["email"], "first_names": row["first_names"], "last_name": row["last_name"]},
                actor=actor,
            )
            report.created_subjects += 1
        else:
            names = {key: row[key] for key in ("first_names", "last_name") if row[key] and not getattr(subject, key)}
            if names:
                subject_services.subject_update(subject=subject, fields=names, actor=actor)
        subject_services.role_set(
            subject=subject,
            role=SubjectRole.Role.NEWSLETTER,
            collected_on=timezone.localdate(row["occurred_at"]),
            actor=actor,
        )
        if ConsentEvent.objects.filter(
            subject=subject,
            channel=Channel.NEWSLETTER_EMAIL,
            action=ConsentEvent.Action.GIVEN,
            occurred_at=row["occurred_at"],
        ).exists():
            report.skipped += 1
            continue
        services.consent_record(
            subject=subject,
            channel=Channel.NEWSLETTER_EMAIL,
            action=ConsentEvent.Action.GIVEN,
            notice=notice,
            collection_point=ConsentEvent.CollectionPoint.EMAILING_TOOL,
            collection_detail=_("source list: %(list)s") % {"list": row["source_list"]} if row["source_list"] else "",
            mechanism=ConsentEvent.Mechanism.DOUBLE_OPT_IN
            if row["confirmed_at"]
            else ConsentEvent.Mechanism.UNTICKED_CHECKBOX,
            language=subject.language,
            entered_by=ConsentEvent.EnteredBy.STAFF,
            staff_reference=batch_reference,
            occurred_at=row["occurred_at"],
            requested_at=row["requested_at"],
            confirmed_at=row["confirmed_at"],
            ip_address=row["ip"],
            confirmation_ip_address=row["confirmation_ip"],
            tool_reference=row["reference"],
            actor=actor,
        )
        report.events += 1
