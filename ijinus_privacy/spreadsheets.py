"""Spreadsheet safety for every CSV/XLSX the project writes."""

from __future__ import annotations

from typing import Any

# django-import-export's own escaping strips only a leading "=" (PERFORMANCE.md): do it here.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: Any) -> Any:
    """Neutralise spreadsheet formula injection (OWASP CSV injection) by prefixing a single quote.

    Strings starting with ``= + - @`` tab or carriage return are prefixed; anything else is
    returned unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
