"""Turn a collection into the files the subject receives: PDF and JSON for access (R1.7), a zip of
JSON + CSV for portability (R1.8, no PDF). JSON outputs are checked against the versioned schemas
in ``docs/schemas/`` before they are stored, so a file that breaks its published contract is
never delivered (R1.8.3).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone, translation

from consents.dpo import dpo_contact
from consents.export import escape_formula
from consents.models import Controller
from ijinus_privacy.pdf import render_pdf

from .content import Collection, art15_information, consultations, country_name, portable_sources
from .texts import legal_bases_for, texts_for

SCHEMA_DIR = Path(settings.BASE_DIR) / "docs" / "schemas"
ACCESS_SCHEMA = "access-export.v1.json"
PORTABILITY_SCHEMA = "portability-export.v1.json"
SCHEMA_BASE_URI = "https://privacy.ijinus.com/schemas/"


class SchemaMismatch(Exception):
    """The output does not match its schema: a bug, the file is not stored (no personal data here)."""


@cache
def load_schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


def validate(document: dict[str, Any], schema_name: str) -> None:
    import jsonschema

    schema = load_schema(schema_name)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is not None:
        raise SchemaMismatch(f"{schema_name}: {'/'.join(map(str, error.absolute_path))} {error.validator}")


def _controller() -> dict[str, str]:
    controller = Controller.current()
    dpo = dpo_contact()  # the one DPO address, set on the register's controller record
    if controller is None:
        return {"name": dpo.controller, "address": "", "dpo_email": dpo.email}
    return {"name": controller.name, "address": controller.address, "dpo_email": dpo.email}


def _meta(collection: Collection, *, schema_name: str, language: str, request_id: int | None) -> dict[str, Any]:
    return {
        "$schema": SCHEMA_BASE_URI + schema_name,
        "schema_version": "1",
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "language": language,
        "controller": _controller(),
        "request_id": request_id,
        "subject_id": collection.subject.pk,
    }


def _jsonable(value: Any) -> Any:
    return value if value is None or isinstance(value, str | int | float | bool | list | dict) else str(value)


def _records(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: _jsonable(value) for key, value in record.items()} for record in records]


def access_document(collection: Collection, *, language: str, request_id: int | None = None) -> dict[str, Any]:
    """The access copy as a JSON document (R1.7, ``docs/schemas/access-export.v1.json``)."""
    with translation.override(language):
        information = art15_information(collection, language=language)
    return {
        **_meta(collection, schema_name=ACCESS_SCHEMA, language=language, request_id=request_id),
        "data_processed": bool(collection.with_data()),
        "information": information,
        "consultations": consultations(collection.subject.pk, language=language),
        "redactions": [
            {"source": r.source, "record": r.record, "field": r.field, "kind": r.kind} for r in collection.redactions
        ],
        "sources": [
            {
                "source": source.name,
                "label": source.label,
                "categories": list(source.categories),
                "field_labels": source.field_labels,
                "records": _records(source.records),
            }
            for source in collection.sources
        ],
    }


def access_json(collection: Collection, *, language: str, request_id: int | None = None) -> bytes:
    document = access_document(collection, language=language, request_id=request_id)
    validate(document, ACCESS_SCHEMA)
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# A group of records with at most this many fields reads as one table; wider ones, one small table
# per record, unless there are many records (10k browsing records stay one table: T6).
TABLE_MAX_COLUMNS = 6
PAIRS_MAX_RECORDS = 20


def format_date(value: date, language: str) -> str:
    """One date style per language: 16/08/2026 in French, 16 Aug 2026 in English."""
    if language == "en":
        return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"
    return value.strftime("%d/%m/%Y")


def _display(value: Any, texts: dict[str, str], language: str = "fr") -> str:
    if value is None or value == "":
        return texts["empty"]
    if value is True:
        return texts["yes"]
    if value is False:
        return texts["no"]
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or texts["empty"]
    if isinstance(value, str) and ISO_DATE.match(value):
        return format_date(date.fromisoformat(value), language)
    if isinstance(value, str) and ISO_DATETIME.match(value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return f"{format_date(moment.date(), language)} {moment:%H:%M}"
    return str(value)


def _groups(source, texts: dict[str, str], language: str) -> list[dict[str, Any]]:
    """The source's records by kind of record, each as a table with the fields as column headings,
    or, for records with many fields, one two-column table (field, value) per record."""
    by_heading: dict[str, list[dict[str, Any]]] = {}
    for record in source.records:
        by_heading.setdefault(str(record.get("record", "")), []).append(record)
    labels = source.field_labels
    groups = []
    for heading, records in by_heading.items():
        columns: list[str] = []
        for record in records:
            columns += [key for key in record if key != "record" and key not in columns]
        headers = [labels.get(key, key.replace("_", " ")).capitalize() for key in columns]
        rows = [[_display(record.get(key), texts, language) for key in columns] for record in records]
        groups.append(
            {
                "heading": heading,
                "count": len(records),
                "wide": len(columns) > TABLE_MAX_COLUMNS and len(records) <= PAIRS_MAX_RECORDS,
                "headers": headers,
                "rows": rows,
                "pairs": [list(zip(headers, row, strict=True)) for row in rows],
            }
        )
    return groups


def access_pdf_context(collection: Collection, *, language: str, request=None) -> dict[str, Any]:
    texts = texts_for(language)
    document = access_document(collection, language=language, request_id=request.pk if request else None)
    sections = [
        {"label": source.label, "count": len(source.records), "groups": _groups(source, texts, language)}
        for source in collection.with_data()
    ]
    redaction_places: dict[tuple[str, str, str], int] = {}
    labels_by_source = {source.name: (source.label, source.field_labels) for source in collection.sources}
    for redaction in collection.redactions:
        label, field_labels = labels_by_source[redaction.source]
        key = (label, field_labels.get(redaction.field, redaction.field), texts["redaction_kinds"][redaction.kind])
        redaction_places[key] = redaction_places.get(key, 0) + 1
    today = timezone.localdate()
    return {
        "t": texts,
        "redaction_places": [(*key, count) for key, count in redaction_places.items()],
        "language": language,
        "doc": document,
        "dpo": dpo_contact(),
        "recipients": [
            {**item, "country_name": country_name(item["country"], language) if item["country"] else ""}
            for item in document["information"]["recipients"]
        ],
        "subject": collection.subject,
        "request": request,
        "received_on": format_date(request.received_on, language) if request else "",
        "consultations": [
            {**item, "date": format_date(date.fromisoformat(item["date"]), language)}
            for item in document["consultations"]
        ],
        "sections": sections,
        "legal_bases": legal_bases_for(language),
        "today": format_date(today, language),
    }


def access_pdf(collection: Collection, *, language: str, request=None) -> bytes:
    """The readable access copy: cover, Art. 15 information, consultations, redactions, the data."""
    context = access_pdf_context(collection, language=language, request=request)
    with translation.override(language):
        return render_pdf("requests_dsar/export/access.html", context)


def portability_document(collection: Collection, *, language: str, request_id: int | None = None) -> dict[str, Any]:
    return {
        **_meta(collection, schema_name=PORTABILITY_SCHEMA, language=language, request_id=request_id),
        "sources": [
            {
                "source": source.name,
                "label": source.label,
                "legal_bases": bases,
                "field_labels": source.field_labels,
                "records": _records(source.records),
            }
            for source, bases in portable_sources(collection)
            if source.records
        ],
    }


def _csv(records: list[dict[str, Any]]) -> str:
    columns: list[str] = []
    for record in records:
        columns += [key for key in record if key not in columns]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for record in records:
        writer.writerow([escape_formula(_jsonable(record.get(column))) for column in columns])
    return out.getvalue()


PORTABILITY_README = """Your personal data from IJINUS SAS (portability, Art. 20 GDPR).

portability.json  every source below, in one file; schema: {schema}
<source>.csv      one CSV file per source (UTF-8, comma-separated, first line = column names)

Only the data you provided or generated by using our services, for processing based on your
consent or a contract, is included (Art. 20(1)). Assumed interests and other derived data are not.
"""


def portability_zip(collection: Collection, *, language: str, request_id: int | None = None) -> bytes:
    document = portability_document(collection, language=language, request_id=request_id)
    validate(document, PORTABILITY_SCHEMA)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", PORTABILITY_README.format(schema=document["$schema"]))
        archive.writestr("portability.json", json.dumps(document, ensure_ascii=False, indent=2))
        for source in document["sources"]:
            archive.writestr(f"{source['source'].replace('.', '-')}.csv", _csv(source["records"]))
    return buffer.getvalue()
