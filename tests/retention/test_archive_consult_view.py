"""The archivist's consult view shows what the intermediate archive keeps of a client (issue 16):
the contract, the orders and deliveries, the invoices and payments, before identity and roles."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import formats, translation

from retention.models import ArchivedSubject
from retention.services import sweep
from tests import factories as f
from tests.factories import archivist_user, subject_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def archived_client():
    subject = subject_with_role("inactive_client", collected_on=date(2010, 1, 1), contract_end_on=date(2020, 1, 1))
    f.ContractFactory(subject=subject, reference="CTR-2019-0815")
    invoice = f.InvoiceFactory(subject=subject, number="FAC-2019-0042", amount=Decimal("1234.56"))
    f.PaymentFactory(subject=subject, invoice=invoice, amount=Decimal("1234.56"), paid_on=date(2019, 4, 26))
    sweep(now=date(2026, 11, 26), commit=True)
    return ArchivedSubject.objects.get(subject=subject)


def test_consulting_an_archived_client_shows_the_kept_contract_invoices_and_payments_first(client, archived_client):
    client.force_login(archivist_user())
    url = reverse("admin:retention_archivedsubject_consult", args=[archived_client.pk])

    form = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    opened = client.post(url, {"reason": "accounting", "reference": "EXO-2019"}, HTTP_ACCEPT_LANGUAGE="en")

    assert "FAC-2019-0042" not in form.text
    kept, _sep, rest = opened.text.partition('<details class="archive-other">')
    assert "What the archive keeps" in kept
    captions = re.findall(r"<caption>(.*?) \(", kept)
    assert captions[:1] == ["Contract"]
    assert "Invoice" in captions
    assert "Payment" in captions
    assert "CTR-2019-0815" in kept
    assert "FAC-2019-0042" in kept
    assert "1234.56" in kept
    with translation.override("en"):
        assert formats.date_format(date(2019, 4, 26), "SHORT_DATE_FORMAT") in kept  # not 2019-04-26
    subject = archived_client.subject
    assert subject.email in opened.text  # who it is: in the summary, and identity below
    assert "Identity and contact details" in rest
    assert "Roles held" in rest


def test_an_archived_person_with_nothing_kept_says_so(client):
    subject = subject_with_role("inactive_client", collected_on=date(2010, 1, 1), contract_end_on=date(2020, 1, 1))
    sweep(now=date(2026, 11, 26), commit=True)
    archived = ArchivedSubject.objects.get(subject=subject)
    client.force_login(archivist_user())

    opened = client.post(
        reverse("admin:retention_archivedsubject_consult", args=[archived.pk]),
        {"reason": "accounting", "reference": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "No contract, order, invoice or payment is kept for this person." in opened.text
