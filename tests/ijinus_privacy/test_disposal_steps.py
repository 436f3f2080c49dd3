"""Disposal steps (``run_steps``): one statement on PostgreSQL, one per step elsewhere, same result."""

from __future__ import annotations

import pytest
from django.db import connection

from ijinus_privacy.personal_data import Collect, Delete, IdBatch, Update, for_subjects, run_steps
from subjects import models as m
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_batch_of_steps_writes_every_table_and_counts_the_rows():
    tickets = [f.TicketFactory() for _ in range(3)]
    navigation = f.NavigationFactory(subject=tickets[0].subject)
    ids = IdBatch(ticket.subject_id for ticket in tickets)

    written = run_steps(
        [
            Update(for_subjects(m.SupportTicket.objects.all(), ids), {"summary": "", "text": ""}),
            Delete(for_subjects(m.NavigationRecord.objects.all(), ids)),
        ]
    )

    assert written == 4
    assert set(m.SupportTicket.objects.values_list("summary", "text")) == {("", "")}
    assert not m.NavigationRecord.objects.filter(pk=navigation.pk).exists()


def test_collect_sees_the_values_an_update_beside_it_overwrites():
    tickets = [f.TicketFactory(summary=f"Capteur {n} muet") for n in range(2)]
    ids = IdBatch(ticket.subject_id for ticket in tickets)
    rows = for_subjects(m.SupportTicket.objects.all(), ids)
    seen: list[str] = []

    written = run_steps([Collect(rows, "summary", then=seen.extend), Update(rows, {"summary": ""})])

    assert sorted(seen) == ["Capteur 0 muet", "Capteur 1 muet"]
    assert written == 2
    assert set(m.SupportTicket.objects.values_list("summary", flat=True)) == {""}


def test_collect_reads_the_state_before_the_batch_wherever_it_stands():
    ticket = f.TicketFactory(summary="Capteur muet")
    rows = for_subjects(m.SupportTicket.objects.all(), [ticket.subject_id])
    seen: list[str] = []

    run_steps([Update(rows, {"summary": ""}), Collect(rows, "summary", then=seen.extend)])

    assert seen == ["Capteur muet"]  # on every backend: a Collect never depends on step order


def test_steps_that_select_nothing_write_nothing():
    seen: list[str] = []

    written = run_steps(
        [
            Collect(m.SupportTicket.objects.none(), "summary", then=seen.extend),
            Delete(m.SupportTicket.objects.filter(pk__in=[])),
            Update(m.SupportTicket.objects.none(), {"summary": ""}),
        ]
    )

    assert (written, seen) == (0, [])


def test_two_writes_to_one_table_both_apply_in_order():
    ticket = f.TicketFactory(summary="Relevé manquant", text="Depuis lundi")
    rows = for_subjects(m.SupportTicket.objects.all(), [ticket.subject_id])

    written = run_steps([Update(rows, {"summary": ""}), Update(rows, {"text": ""}), Delete(rows)])

    assert written == 3
    assert not m.SupportTicket.objects.exists()


def test_no_steps_write_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert run_steps([]) == 0


def test_on_postgresql_a_batch_is_one_round_trip(django_assert_num_queries):
    if connection.vendor != "postgresql":
        pytest.skip("one statement of CTEs is PostgreSQL's; elsewhere one statement per step")
    payments = [f.PaymentFactory() for _ in range(4)]
    ids = IdBatch(payment.subject_id for payment in payments)
    steps = [
        Update(for_subjects(m.Payment.objects.all(), ids), {"payer_reference": ""}),
        Update(for_subjects(m.Invoice.objects.all(), ids), {"billing_name": "", "billing_address": ""}),
        Delete(for_subjects(m.NavigationRecord.objects.all(), ids)),
    ]

    with django_assert_num_queries(1):
        written = run_steps(steps)

    assert written == 8
    assert set(m.Invoice.objects.values_list("billing_name", flat=True)) == {""}


def test_id_batches_are_sorted_unique_and_rendered_once():
    batch = IdBatch([5, 3, 5, 1])

    assert tuple(batch) == (1, 3, 5)
    assert batch.pg_array == "{1,3,5}"
    assert batch.json == "[1, 3, 5]"
