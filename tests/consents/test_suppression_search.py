"""The suppression list is searched by e-mail or phone (issue 16), through the keyed hash it keeps:
the address typed is posted, never put in a URL."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from consents.models import Suppression
from consents.services.consent import suppression_add
from ijinus_privacy.choices import Channel
from ijinus_privacy.identifiers import IdentifierKind, identifier_hash
from tests.factories import dpo_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries():
    dpo = dpo_user()
    claire = suppression_add(
        kind=IdentifierKind.EMAIL,
        value="claire.bouchet@exemple.fr",
        channels=[Channel.NEWSLETTER_EMAIL],
        reason=Suppression.Reason.WITHDRAWAL,
        actor=dpo,
    )[0]
    phone = suppression_add(
        kind=IdentifierKind.PHONE,
        value="+33 6 11 22 33 44",
        channels=[Channel.PHONE_MARKETING],
        reason=Suppression.Reason.OBJECTION,
        actor=dpo,
    )[0]
    other = suppression_add(
        kind=IdentifierKind.EMAIL,
        value="someone.else@exemple.fr",
        channels=[Channel.NEWSLETTER_EMAIL],
        reason=Suppression.Reason.WITHDRAWAL,
        actor=dpo,
    )[0]
    return claire, phone, other


def search(client, typed: str):
    lookup = client.post(reverse("admin:consents_suppression_lookup"), {"identifier": typed})
    return lookup, client.get(lookup.url, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize("typed", ["claire.bouchet@exemple.fr", "  Claire.Bouchet@EXEMPLE.fr "])
def test_an_email_finds_its_entry_as_typed_or_in_capitals(client, entries, typed):
    claire, _phone, _other = entries
    client.force_login(dpo_user())

    lookup, listing = search(client, typed)

    assert lookup.status_code == 302
    assert "bouchet" not in lookup.url.lower()
    assert "@" not in lookup.url
    assert [entry.pk for entry in listing.context["cl"].result_list] == [claire.pk]
    assert "1 entry for the e-mail or phone looked up" in listing.text


def test_a_phone_in_its_national_form_finds_the_entry_stored_from_the_international_one(client, entries):
    _claire, phone, _other = entries
    client.force_login(dpo_user())

    _lookup, listing = search(client, "06 11 22 33 44")

    assert [entry.pk for entry in listing.context["cl"].result_list] == [phone.pk]


def test_an_unknown_address_finds_nothing_and_a_fragment_is_refused(client, entries):
    client.force_login(dpo_user())

    _lookup, unknown = search(client, "nobody@exemple.fr")
    fragment, refused = search(client, "bouchet")

    assert list(unknown.context["cl"].result_list) == []
    assert fragment.url == reverse("admin:consents_suppression_changelist")
    assert "Type a whole e-mail address or phone number." in refused.text


def test_the_list_page_offers_the_search_and_its_hash_is_the_lists_own(admin_client, entries):
    claire, _phone, _other = entries

    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the admin's language is the user's choice
    listing = admin_client.get(reverse("admin:consents_suppression_changelist"))
    by_hash = admin_client.get(
        reverse("admin:consents_suppression_changelist"),
        {"q": identifier_hash(IdentifierKind.EMAIL, "claire.bouchet@exemple.fr")},
    )

    assert 'id="suppression-search"' in listing.text
    assert 'method="post"' in listing.text
    assert "compared by its keyed hash" in listing.text
    assert [entry.pk for entry in by_hash.context["cl"].result_list] == [claire.pk]
