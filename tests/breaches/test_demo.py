"""The demo's two breaches: one closed without notification, one notified in phases with people affected."""

from __future__ import annotations

import pytest

from breaches import obligations
from breaches.demo import seed_breaches
from breaches.models import Breach
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_a_closed_breach_and_a_notified_one(today):
    people = [f.DataSubjectFactory().pk for _ in range(3)]

    usb, phishing = seed_breaches(subject_ids=people, today=today, dpo=f.dpo_user(), support=f.support_user())

    usb.refresh_from_db()
    phishing.refresh_from_db()
    assert (usb.status, usb.phases.count(), obligations.due(usb)) == (
        Breach.Status.CLOSED,
        0,
        obligations.Due.REGISTER_ONLY,
    )
    assert usb.created_by_username == "support"
    assert phishing.status == Breach.Status.NOTIFIED
    assert list(phishing.phases.values_list("kind", flat=True)) == ["initial", "complementary"]
    assert obligations.due(phishing) == obligations.Due.NOTIFY_AND_COMMUNICATE
    assert phishing.affected.count() == 3
    assert phishing.late_reasons == ""  # notified within the 72 hours
