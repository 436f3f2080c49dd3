"""File intake for every CSV/XLSX import (issue 12): refuse a bad file with a clear message, before any row.

A file is checked in this order, each refusal an ``UploadRefused`` whose message names the problem
and never quotes the file's content (personal data):

1. its size (``IMPORT_MAX_BYTES``), read from the upload's metadata *before* the file is read;
2. its format: a CSV must be UTF-8 text (with or without a byte-order mark; Excel's "CSV UTF-8"),
   comma-separated, without NUL bytes; an XLSX must be an Excel workbook. We do not guess other
   encodings: a cp1252 file decodes "successfully" into wrong letters, which would then be written
   into people's names. The message names the first bad line and how to save the file;
3. its columns: every column known to the import, the required ones present, none twice;
4. its length: at most ``IMPORT_MAX_ROWS`` data rows, counted while streaming (the file is never
   held as a whole table) and at least one.

``iter_rows`` streams the rows for the background import; ``read_dataset`` builds the small table
the synchronous admin imports need.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import tablib
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _


class UploadRefused(Exception):
    """The file cannot be imported; ``message`` is for the user and holds no value from the file."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Columns:
    """The columns an import knows; ``required`` must be present.

    ``others_ignored``: columns the import does not know are read past instead of refused (a tool's
    own export, whose extra columns are never stored; ``consents.imports`` names them).
    """

    expected: tuple[str, ...]
    required: tuple[str, ...] = ()
    others_ignored: bool = False


def is_xlsx(file_name: str) -> bool:
    return file_name.lower().endswith(".xlsx")


def check_size(size: int | None) -> None:
    """Refuse a file above ``IMPORT_MAX_BYTES`` from its announced size, before reading it."""
    limit = settings.IMPORT_MAX_BYTES
    if size is not None and size > limit:
        raise UploadRefused(
            _("This file is %(size)s; imports take at most %(limit)s. Split it into smaller files.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )
    if not size:
        raise UploadRefused(_("The file is empty."))


def _csv_lines(stream: IO[bytes]) -> Iterator[str]:
    """Decode line by line, naming the first line with a NUL byte or bytes that are not UTF-8."""
    for number, raw in enumerate(stream, 1):
        if b"\x00" in raw:
            raise UploadRefused(
                _(
                    "Line %(line)s contains a NUL byte: this is not a text CSV file. Save it from your "
                    "spreadsheet as \u201cCSV UTF-8 (comma-separated)\u201d."
                )
                % {"line": number}
            )
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise UploadRefused(
                _(
                    "Line %(line)s is not UTF-8 text. Save the file from your spreadsheet as "
                    "\u201cCSV UTF-8 (comma-separated)\u201d."
                )
                % {"line": number}
            ) from None
        yield text


def _csv_rows(stream: IO[bytes], delimiter: str = ",") -> Iterator[tuple[int, list]]:
    reader = csv.reader(_csv_lines(stream), strict=True, delimiter=delimiter)
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise UploadRefused(
                _("Line %(line)s cannot be read as CSV (a quote is not closed, or a cell is too long).")
                % {"line": reader.line_num}
            ) from None
        yield reader.line_num, values


def _xlsx_rows(stream: IO[bytes]) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception:  # zipfile.BadZipFile, KeyError, openpyxl's own errors: all mean "not a workbook"
        raise UploadRefused(
            _("This file is not an Excel workbook (.xlsx): save it as .xlsx, or as CSV UTF-8.")
        ) from None
    try:
        cells = sheet.iter_rows(values_only=True)
        number = 0
        while True:
            try:
                values = next(cells)
            except StopIteration:
                return
            except Exception:  # a damaged sheet inside a valid zip
                raise UploadRefused(_("Row %(line)s of the workbook cannot be read.") % {"line": number + 1}) from None
            number += 1
            yield number, ["" if value is None else value for value in values]
    finally:
        workbook.close()


def _blank(values: list) -> bool:
    return all(value is None or str(value).strip() == "" for value in values)


def check_columns(headers: list[str], columns: Columns) -> None:
    """Refuse unknown, missing or repeated columns, naming them and listing the expected ones."""
    expected = ", ".join(columns.expected)
    if len(headers) == 1 and ";" in headers[0] and columns.expected:
        raise UploadRefused(
            _(
                "The columns are separated by semicolons; save the file as CSV with commas. "
                "Expected columns: %(expected)s."
            )
            % {"expected": expected}
        )
    repeated = sorted({name for name in headers if headers.count(name) > 1})
    unknown = (
        [] if columns.others_ignored else [name or _("(no name)") for name in headers if name not in columns.expected]
    )
    missing = [name for name in columns.required if name not in headers]
    problems = []
    if unknown:
        problems.append(_("unknown columns: %(columns)s") % {"columns": ", ".join(map(str, unknown))})
    if missing:
        problems.append(_("missing columns: %(columns)s") % {"columns": ", ".join(missing)})
    if repeated:
        problems.append(_("columns given twice: %(columns)s") % {"columns": ", ".join(repeated)})
    if problems:
        raise UploadRefused(
            _("The file's columns do not match (%(problems)s). Expected columns: %(expected)s.")
            % {"problems": "; ".join(map(str, problems)), "expected": expected}
        )


def iter_rows(stream: IO[bytes], *, xlsx: bool, columns: Columns, delimiter: str = ",") -> Iterator[list]:
    """Yield the header (lower-cased, stripped), then each non-blank data row, checking as it goes.

    Raises ``UploadRefused`` at the first problem, so a caller writing as it reads must do so
    inside a transaction it rolls back (the background import checks everything first).
    ``delimiter``: a CSV's separator (a tool's own export may use semicolons; our templates never do).
    """
    rows = _xlsx_rows(stream) if xlsx else _csv_rows(stream, delimiter)
    header = next((values for _line, values in rows if not _blank(values)), None)
    if header is None:
        raise UploadRefused(_("The file is empty."))
    headers = [str(value).strip().lower() for value in header]
    while headers and headers[-1] == "":
        headers.pop()  # trailing empty cells of a spreadsheet's header row
    check_columns(headers, columns)
    yield headers
    limit = settings.IMPORT_MAX_ROWS
    count = 0
    for _line, values in rows:
        if _blank(values):
            continue
        count += 1
        if count > limit:
            raise UploadRefused(
                _("This file has more than %(limit)s rows; imports take at most %(limit)s. Split it.")
                % {"limit": limit}
            )
        yield list(values[: len(headers)]) + [""] * (len(headers) - len(values))
    if count == 0:
        raise UploadRefused(_("The file has its column names but no rows."))


def read_header(stream: IO[bytes], *, xlsx: bool, columns: Columns, delimiter: str = ",") -> list[str]:
    """Check the start of a file (format, columns) without reading the rest."""
    return next(iter_rows(stream, xlsx=xlsx, columns=columns, delimiter=delimiter))


def read_dataset(stream: IO[bytes], *, xlsx: bool, columns: Columns, delimiter: str = ",") -> tablib.Dataset:
    """The whole (small) file as a table, every check passed."""
    rows = iter_rows(stream, xlsx=xlsx, columns=columns, delimiter=delimiter)
    headers = next(rows)
    return tablib.Dataset(*rows, headers=headers)


def read_upload(upload, *, columns: Columns, xlsx: bool | None = None, delimiter: str = ",") -> tablib.Dataset:
    """An uploaded file (Django ``UploadedFile``) as a table: size first, then the streaming checks.

    ``xlsx``: the format the user chose; by default, the file name's extension.
    """
    check_size(upload.size)
    upload.seek(0)
    try:
        return read_dataset(
            binary(upload),
            xlsx=is_xlsx(upload.name) if xlsx is None else xlsx,
            columns=columns,
            delimiter=delimiter,
        )
    finally:
        upload.seek(0)


def binary(upload) -> IO[bytes]:
    """The upload as a line-iterable binary stream (in-memory uploads and temporary files alike)."""
    handle = getattr(upload, "file", upload)
    return handle if isinstance(handle, io.IOBase) or hasattr(handle, "readline") else io.BytesIO(upload.read())
