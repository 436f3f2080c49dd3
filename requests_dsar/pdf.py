"""Render a Django template to PDF with WeasyPrint, offline.

Minimal renderer for the request letters (no shared ``ijinus_privacy/pdf.py`` existed on this
branch). The URL fetcher refuses every URL: no ``file://`` read, no network call; stylesheets are
inline in the template. Every value is autoescaped by the template engine.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string


def _offline_fetcher():
    """A WeasyPrint URL fetcher (v70 wants a ``URLFetcher`` instance) that refuses every URL."""
    from weasyprint.urls import URLFetcher

    class OfflineURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError("External resources are not fetched when rendering PDFs.")

    return OfflineURLFetcher(allowed_protocols=())


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: heavy, and only workers and letters need it

    return HTML(string=html, base_url=None, url_fetcher=_offline_fetcher()).write_pdf()


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    return html_to_pdf(render_to_string(template_name, context))
