"""One date style per language (issue 16): French 16/08/2026 and 16 août 2026; English 16/08/2026 and
16 Aug 2026. Never the US order (08/16/2026), never Django's "Sept." or "p.m."."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from requests_dsar.letters import render_letter_html
from requests_dsar.services import request_add_note
from tests.factories import dpo_user, logged_request

pytestmark = pytest.mark.django_db

# A day after the 12th, so that month-first can never be mistaken for day-first.
US_ORDER = re.compile(r"\b(0?[1-9]|1[0-2])/(1[3-9]|2\d|3[01])/\d{2,4}\b")
DJANGO_ENGLISH = re.compile(r"\b(Sept|Jan|Feb|Aug|Oct|Nov|Dec)\.|\b[ap]\.m\.|\bmidnight\b|\bnoon\b")
FRENCH_MONTHS = re.compile(
    r"\b\d{1,2} (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) \d{4}"
)
ENGLISH_MONTHS = re.compile(r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{4}")


@pytest.fixture
def request_page(client):
    """The change page of a request received on 16 August 2026 (due 16 September), with a note."""
    dpo = dpo_user()
    request = logged_request(received_on=dt.date(2026, 8, 16), actor=dpo)
    request_add_note(request=request, text="Rappel fait", actor=dpo)
    client.force_login(dpo)

    def page(language: str) -> str:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.get(reverse("admin:requests_dsar_request_change", args=[request.pk]))
        assert response.status_code == 200
        return response.text

    return page


@pytest.mark.today("2026-09-04")
def test_the_request_page_in_french_shows_only_french_dates(request_page):
    html = request_page("fr")

    assert "16/08/2026" in html  # received (short; the date input too)
    assert "16/09/2026" in html  # due
    assert "16 septembre 2026" in html  # long, in the fields shown as text
    assert "4 septembre 2026 10:00" in html  # the note's time in the timeline
    assert not US_ORDER.search(html), US_ORDER.search(html)
    assert not DJANGO_ENGLISH.search(html), DJANGO_ENGLISH.search(html)
    assert not ENGLISH_MONTHS.search(html), ENGLISH_MONTHS.search(html)


@pytest.mark.today("2026-09-04")
def test_the_request_page_in_english_shows_only_english_dates(request_page):
    html = request_page("en")

    assert "16/08/2026" in html
    assert "16/09/2026" in html
    assert "16 Sep 2026" in html
    assert "4 Sep 2026 10:00" in html
    assert not US_ORDER.search(html), US_ORDER.search(html)
    assert not DJANGO_ENGLISH.search(html), DJANGO_ENGLISH.search(html)
    assert not FRENCH_MONTHS.search(html), FRENCH_MONTHS.search(html)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_admins_date_inputs_read_day_first_and_iso_never_month_first(language):
    field = forms.DateField()

    with translation.override(language):
        shown = forms.DateInput().format_value(dt.date(2026, 8, 16))
        day_first = field.clean("16/08/2026")
        iso = field.clean("2026-08-16")
        with pytest.raises(forms.ValidationError):
            field.clean("08/16/2026")

    assert shown == "16/08/2026"
    assert day_first == iso == dt.date(2026, 8, 16)


def test_the_admins_calendar_writes_day_first_in_english(admin_client):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    catalog = admin_client.get(reverse("admin:jsi18n")).text

    assert re.search(r'"DATE_INPUT_FORMATS": \[\s*"%d/%m/%Y"', catalog)
    assert re.search(r'"SHORT_DATE_FORMAT": "d/m/Y"', catalog)


@pytest.mark.today("2026-09-04")
@pytest.mark.parametrize(
    ("language", "received", "due"),
    [("fr", "16 août 2026", "16 septembre 2026"), ("en", "16 Aug 2026", "16 Sep 2026")],
)
def test_the_acknowledgement_letter_uses_the_long_date_of_its_language(language, received, due):
    request = logged_request(received_on=dt.date(2026, 8, 16))

    html = render_letter_html(request, "acknowledgement", language)

    assert received in html
    assert due in html
    assert not DJANGO_ENGLISH.search(html)
