"""Turn a collection into the files the subject receives: PDF and JSON for access (R1.7), a zip of
JSON + CSV for portability (R1.8, no PDF). JSON outputs are checked against the versioned schemas
in ``docs/schemas/`` before they are stored, so a file that breaks its published contract is
never delivered (R1.8.3).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone, translation

from consents.export import escape_formula
from consents.models import Controller
from ijinus_privacy.pdf import render_pdf

from .content import Collection, art15_information, consultations, portable_sources
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
    if controller is None:
        return {"name": "IJINUS SAS", "address": "", "dpo_email": ""}
    return {"name": controller.name, "address": controller.address, "dpo_email": controller.dpo_email}


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


def _display(value: Any, texts: dict[str, str]) -> str:
    if value is None or value == "":
        return texts["empty"]
    if value is True:
        return texts["yes"]
    if value is False:
        return texts["no"]
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or texts["empty"]
    return str(value)


def access_pdf_context(collection: Collection, *, language: str, request=None) -> dict[str, Any]:
    texts = texts_for(language)
    document = access_document(collection, language=language, request_id=request.pk if request else None)
    colon = " : " if language == "fr" else ": "
    sections = []
    for source in collection.with_data():
        labels = source.field_labels
        groups: list[dict[str, Any]] = []
        for record in source.records:
            heading = str(record.get("record", ""))
            if not groups or groups[-1]["heading"] != heading:
                groups.append({"heading": heading, "lines": []})
            # One plain text line per record: WeasyPrint lays out 10k of them far faster than nested boxes.
            groups[-1]["lines"].append(
                " · ".join(
                    f"{labels.get(key, key.replace('_', ' '))}{colon}{_display(value, texts)}"
                    for key, value in record.items()
                    if key != "record"
                )
            )
        sections.append({"label": source.label, "count": len(source.records), "groups": groups})
    redaction_places: dict[tuple[str, str, str], int] = {}
    labels_by_source = {source.name: (source.label, source.field_labels) for source in collection.sources}
    for redaction in collection.redactions:
        label, field_labels = labels_by_source[redaction.source]
        key = (label, field_labels.get(redaction.field, redaction.field), texts["redaction_kinds"][redaction.kind])
        redaction_places[key] = redaction_places.get(key, 0) + 1
    return {
        "t": texts,
        "redaction_places": [(*key, count) for key, count in redaction_places.items()],
        "language": language,
        "doc": document,
        "subject": collection.subject,
        "request": request,
        "sections": sections,
        "legal_bases": legal_bases_for(language),
        "today": timezone.localdate(),
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
