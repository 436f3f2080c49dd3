"""The language a staff member wrote a text in, shown beside it when the page is in another one.

A DPO with the admin in French writes a decision's reasons in French; a colleague reading the same
request in English sees the text as written, marked "FR" (issue 16), and a screen reader reads it
with French pronunciation (``lang``). The language is the one the writer's page was in when the
text was saved: staff write in the language they work in.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html
from django.utils.translation import get_language, get_language_info, gettext_lazy
from django.utils.translation import gettext as _


def written_in_field() -> models.CharField:
    return models.CharField(
        gettext_lazy("written in"),
        max_length=8,
        blank=True,
        editable=False,
        help_text=gettext_lazy("The language of the writer's page when the text was saved."),
    )


def writing_language() -> str:
    """The language staff are writing in now: the active one (the admin's), else the site's."""
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


def shown_with_language(text: str, written_in: str) -> str:
    """``text`` as written (line breaks kept, escaped), marked with its language when the page is in another."""
    if not text:
        return ""
    page = writing_language()
    if not written_in or written_in == page:
        return linebreaksbr(text)
    name = str(get_language_info(written_in)["name_translated"])
    if page == "fr":
        name = name.lower()  # "Rédigé en anglais": French writes language names in lower case
    return format_html(
        '<span lang="{}">{}</span> <abbr class="ij-lang" title="{}">{}</abbr>',
        written_in,
        linebreaksbr(text),
        _("Written in %(language)s") % {"language": name},
        written_in.upper(),
    )
