"""Render a Django template to PDF with WeasyPrint, offline.

Minimal renderer for the request letters (no shared ``ijinus_privacy/pdf.py`` existed on this
branch). The URL fetcher refuses every URL: no ``file://`` read, no network call; stylesheets are
inline in the template. Every value is autoescaped by the template engine.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string


class RefusedURLError(ValueError):
    pass


def refuse_every_url(url: str, *args: Any, **kwargs: Any) -> dict:
    raise RefusedURLError("External resources are not fetched when rendering PDFs.")


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported here: heavy, and only workers and letters need it

    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=None, url_fetcher=refuse_every_url).write_pdf()
