"""Render a Django template to PDF with WeasyPrint, safely.

Every PDF of the project (the register, access exports, letters) goes through ``render_pdf``:
the template is rendered by Django with autoescape on, and WeasyPrint gets a URL fetcher that
refuses ``file://``, the network and every other scheme but inline ``data:`` URIs, so a value
typed by a data subject can never make the renderer read a local file or call a server.
Layouts should use blocks, not one giant table (PERFORMANCE.md, WeasyPrint).
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

ALLOWED_SCHEMES = ("data",)


def _safe_url_fetcher():
    from weasyprint.urls import URLFetcher

    class SafeURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            if scheme not in ALLOWED_SCHEMES:
                raise ValueError("external resources are not fetched when rendering PDFs")
            return super().fetch(url, headers)

    return SafeURLFetcher(allowed_protocols=ALLOWED_SCHEMES, allow_redirects=False, timeout=1)


def safe_url_fetcher():
    """A WeasyPrint URL fetcher that serves ``data:`` URIs only."""
    return _safe_url_fetcher()


def html_to_pdf(html: str) -> bytes:
    """Turn already-rendered HTML into PDF bytes, fetching nothing but ``data:`` URIs."""
    import weasyprint  # heavy: imported only where a PDF is made

    return weasyprint.HTML(string=html, base_url=None, url_fetcher=safe_url_fetcher()).write_pdf()


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render ``template_name`` (autoescaped Django template) to PDF bytes."""
    return html_to_pdf(render_to_string(template_name, context))
