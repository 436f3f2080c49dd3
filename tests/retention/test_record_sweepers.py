"""The record sweepers wired to the seeded "records" rules, each at its boundary."""

import datetime as dt
from datetime import date

import pytest

from consents.models import Channel, MarketingBasis
from consents.services import marketing_basis_record
from ijinus_privacy.models import AuditEvent
from retention.models import RetentionRule
from retention.services import hold_place, sweep
from subjects.models import AssumedInterest, DataSubject, NavigationRecord, SubjectRole
from tests.factories import InterestFactory, NavigationFactory, SubjectRoleFactory, dpo_user

pytestmark = pytest.mark.django_db

AS_OF = date(2027, 2, 28)  # cookies set on or before 31 Jan 2026 have had their 13 months


def at(day: date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def rule(code: str) -> RetentionRule:
    return RetentionRule.objects.get(code=code)


def test_cookie_records_leave_after_13_months_and_not_a_day_before():
    expired = NavigationFactory(occurred_at=at(date(2026, 1, 31)))
    kept = NavigationFactory(occurred_at=at(date(2026, 2, 1)))

    dry = sweep(now=AS_OF, commit=False, rule=rule("cookies-navigation"))
    run = sweep(now=AS_OF, commit=True, rule=rule("cookies-navigation"))
    rerun = sweep(now=AS_OF, commit=True, rule=rule("cookies-navigation"))

    assert dry.counts["cookies-navigation"] == {"records_deleted": 1}
    assert run.counts["cookies-navigation"] == {"records_deleted": 1}
    assert rerun.counts["cookies-navigation"] == {"records_deleted": 0}
    assert list(NavigationRecord.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not NavigationRecord.objects.filter(pk=expired.pk).exists()
    event = AuditEvent.objects.get(object_type="subjects.navigationrecord")
    assert event.reason.endswith("records_deleted 1")


@pytest.mark.today(AS_OF.isoformat())  # the hold starts today, its review is on a fixed date
def test_cookie_records_of_a_held_subject_stay():
    record = NavigationFactory(occurred_at=at(date(2025, 1, 1)))
    hold_place(subject=record.subject, reason="claim", review_on=date(2027, 6, 1), actor=dpo_user())

    sweep(now=AS_OF, commit=True, rule=rule("cookies-navigation"))

    assert NavigationRecord.objects.filter(pk=record.pk).exists()


def test_interests_older_than_a_year_are_counted_for_review_and_kept():
    InterestFactory(inferred_on=date(2026, 1, 31))
    InterestFactory(inferred_on=date(2026, 3, 1))

    run = sweep(now=date(2027, 2, 28), commit=True, rule=rule("assumed-interests"))

    assert run.counts["assumed-interests"] == {"interests_due_for_review": 1}
    assert AssumedInterest.objects.count() == 2


def former_client_with_b2b_basis(*, contract_end_on: date, active: bool = False) -> DataSubject:
    role = SubjectRoleFactory(
        role=SubjectRole.Role.INACTIVE_CLIENT, collected_on=date(2015, 1, 1), contract_end_on=contract_end_on,
        subject__kind=DataSubject.Kind.PROFESSIONAL,
    )  # fmt: skip
    if active:
        SubjectRoleFactory(subject=role.subject, role=SubjectRole.Role.ACTIVE_CLIENT, collected_on=date(2024, 1, 1))
    marketing_basis_record(
        subject=role.subject, channel=Channel.NEWSLETTER_EMAIL, basis=MarketingBasis.Basis.B2B_PROFESSIONAL,
        informed_on=date(2015, 1, 1), opt_out_offered=True, job_function="Responsable réseaux", actor=None,
    )  # fmt: skip
    return role.subject


def test_a_former_clients_marketing_basis_lapses_three_years_after_the_contract_end():
    lapsed = former_client_with_b2b_basis(contract_end_on=date(2024, 1, 31))
    recent = former_client_with_b2b_basis(contract_end_on=date(2024, 3, 1))
    client_again = former_client_with_b2b_basis(contract_end_on=date(2020, 1, 1), active=True)

    run = sweep(now=AS_OF, commit=True, rule=rule("inactive-client-marketing"))

    assert run.counts["inactive-client-marketing"] == {"marketing_bases_deleted": 1}
    assert set(MarketingBasis.objects.values_list("subject_id", flat=True)) == {recent.pk, client_again.pk}
    assert DataSubject.objects.filter(pk=lapsed.pk).exists()
