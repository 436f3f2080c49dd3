"""The telephone opposition list (Bloctel) and the check before a marketing call (C. consom. L.223-1)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from consents.models import BloctelList, BloctelNumber, Channel, Suppression
from consents.services import suppression_add
from consents.services.bloctel import bloctel_import, bloctel_status, phone_marketing_check
from ijinus_privacy.identifiers import IdentifierKind, identifier_hash
from ijinus_privacy.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db

LIST = "numero\n06 12 34 56 78\n+33 6 98 76 54 32\n0033145678901\n"


def _imported(content: str = LIST, list_date: date = date(2026, 3, 2)):
    report = bloctel_import(content=content.encode(), list_date=list_date, actor=f.dpo_user())
    assert report.errors == []
    return report


@pytest.mark.today("2026-03-10")
def test_r2_7_1_only_keyed_hashes_of_the_numbers_are_stored(today):
    report = _imported()

    stored = set(BloctelNumber.objects.values_list("number_hash", flat=True))
    assert report.numbers == 3
    assert identifier_hash(IdentifierKind.PHONE, "0612345678") in stored
    assert not any("612345678" in value for value in stored)
    assert report.bloctel_list.list_date == date(2026, 3, 2)
    assert AuditEvent.objects.filter(object_type="consents.bloctellist").exists()


@pytest.mark.today("2026-03-10")
def test_r2_7_1_an_import_with_a_bad_row_writes_nothing_and_names_the_row(today):
    _imported()

    report = bloctel_import(
        content=b"06 11 11 11 11\nnot a number 12\n06 22 22 22 22\n", list_date=date(2026, 3, 9), actor=f.dpo_user()
    )

    assert report.errors == ["Line 2: not a phone number."]
    assert BloctelList.objects.count() == 1
    assert BloctelNumber.objects.count() == 3


@pytest.mark.today("2026-03-10")
def test_r2_7_1_a_new_list_replaces_the_previous_one(today):
    _imported()
    _imported("06 11 11 11 11\n", list_date=date(2026, 3, 9))

    assert BloctelNumber.objects.count() == 1
    assert bloctel_status(today=today).list_date == date(2026, 3, 9)


@pytest.mark.today("2026-03-10")
def test_r2_7_1_a_consumer_on_the_list_may_not_be_called_without_a_current_contract(today):
    _imported()
    consumer = f.DataSubjectFactory(consumer=True, phone="06 12 34 56 78")

    check = phone_marketing_check(phone=consumer.phone, subject=consumer, today=today)

    assert check.allowed is False
    assert "Bloctel, C. consom. L.223-1" in check.reasons[0]


@pytest.mark.today("2026-03-10")
def test_r2_7_1_a_current_contract_allows_the_call(today):
    _imported()
    client = f.DataSubjectFactory(consumer=True, phone="06 12 34 56 78")
    f.ContractFactory(subject=client, started_on=date(2025, 6, 1))
    former = f.DataSubjectFactory(consumer=True, phone="+33 6 98 76 54 32")
    f.ContractFactory(subject=former, started_on=date(2024, 1, 1), ended_on=date(2025, 1, 1))

    assert phone_marketing_check(phone=client.phone, subject=client, today=today).allowed is True
    assert phone_marketing_check(phone=former.phone, subject=former, today=today).allowed is False


@pytest.mark.today("2026-03-10")
def test_r2_7_1_numbers_not_on_the_list_and_professionals_may_be_called(today):
    _imported()
    consumer = f.DataSubjectFactory(consumer=True, phone="06 00 00 00 01")
    professional = f.DataSubjectFactory(phone="06 12 34 56 78")

    assert phone_marketing_check(phone=consumer.phone, subject=consumer, today=today).allowed is True
    assert phone_marketing_check(phone=professional.phone, subject=professional, today=today).allowed is True


@pytest.mark.today("2026-03-10")
def test_r2_7_1_a_suppressed_number_is_never_called(today):
    _imported()
    professional = f.DataSubjectFactory(phone="06 00 00 00 02")
    suppression_add(
        kind="phone",
        value=professional.phone,
        channels=[Channel.PHONE_MARKETING],
        reason=Suppression.Reason.OBJECTION,
        actor=None,
    )

    assert phone_marketing_check(phone=professional.phone, subject=professional, today=today).allowed is False


@pytest.mark.today("2026-04-10")
def test_r2_7_1_a_list_older_than_a_month_gives_a_warning(today):
    bloctel_import(content=LIST.encode(), list_date=date(2026, 3, 2), actor=f.dpo_user())
    consumer = f.DataSubjectFactory(consumer=True, phone="06 00 00 00 01")

    check = phone_marketing_check(phone=consumer.phone, subject=consumer, today=today)

    assert bloctel_status(today=today).stale is True
    assert "more than a month old" in check.warnings[0]


def test_r2_7_1_without_any_list_no_consumer_is_called(today):
    consumer = f.DataSubjectFactory(consumer=True)

    check = phone_marketing_check(phone=consumer.phone, subject=consumer, today=today)

    assert check.allowed is False
    assert "No telephone opposition list" in check.reasons[0]


def test_r2_7_1_only_the_dpo_imports_the_list(today):
    with pytest.raises(PermissionDenied):
        bloctel_import(content=LIST.encode(), list_date=today, actor=f.support_user())


@pytest.mark.today("2026-12-07")
def test_r2_7_1_since_11_august_2026_a_consumer_needs_a_prior_consent_even_off_the_list(today):
    _imported("06 99 99 99 99\n", list_date=date(2026, 12, 1))
    silent = f.DataSubjectFactory(consumer=True, phone="06 00 00 00 01")
    consenting = f.DataSubjectFactory(consumer=True, phone="06 00 00 00 03")
    f.give(consenting, Channel.PHONE_MARKETING)

    refused = phone_marketing_check(phone=silent.phone, subject=silent, today=today)

    assert refused.allowed is False
    assert "since 11 August 2026" in refused.reasons[0]
    assert phone_marketing_check(phone=consenting.phone, subject=consenting, today=today).allowed is True
