"""Admin filters: subjects by status (EXISTS), consent events by date; Art. 19 after a rectification."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consents.models import Channel
from requests_dsar.models import ChangeKind, RecipientNotification
from requests_dsar.services.post_mortem import subject_record_death
from retention.models import LegalHold
from retention.services.holds import hold_place
from subjects.models import DeathRecord, Restriction
from subjects.services.rectification import rectification_apply, rectification_propose
from subjects.services.restriction import restriction_place
from tests import factories as f
from tests.factories import client_to_erase, disclose, dpo_user, give, support_user

pytestmark = pytest.mark.django_db


def _listed_ids(client, url, **params) -> set[int]:
    page = client.get(url, params)
    assert page.status_code == 200
    return {obj.pk for obj in page.context["cl"].result_list}


def test_subjects_filter_by_status_with_exists_and_no_distinct(client):
    dpo = dpo_user()
    plain, restricted, held, deceased = (f.DataSubjectFactory() for _ in range(4))
    restriction_place(subject=restricted, ground=Restriction.Ground.ACCURACY_CONTESTED, actor=dpo)
    hold_place(subject=held, reason=LegalHold.Reason.DISPUTE, review_on=dt.date(2030, 1, 1), actor=dpo)
    subject_record_death(
        subject=deceased, died_on=dt.date(2025, 1, 2), evidence_type=DeathRecord.Evidence.DEATH_CERTIFICATE, actor=dpo
    )
    client.force_login(dpo)
    url = reverse("admin:subjects_datasubject_changelist")

    with CaptureQueriesContext(connection) as queries:
        found = {status: _listed_ids(client, url, status=status) for status in ("restricted", "held", "deceased")}

    assert found == {"restricted": {restricted.pk}, "held": {held.pk}, "deceased": {deceased.pk}}
    assert plain.pk in _listed_ids(client, url)
    assert not any("DISTINCT" in query["sql"].upper() for query in queries.captured_queries)


def test_consent_events_filter_by_date(client):
    person = client_to_erase()
    old = give(person, at=timezone.now() - dt.timedelta(days=60))
    recent = give(person, Channel.MARKETING_PUSH, at=timezone.now() - dt.timedelta(hours=1))
    client.force_login(dpo_user())
    url = reverse("admin:consents_consentevent_changelist")
    page = client.get(url, headers={"accept-language": "en"})
    date_filter = next(
        spec for spec in page.context["cl"].filter_specs if getattr(spec, "field_path", "") == "occurred_at"
    )
    past_week = next(choice for choice in date_filter.choices(page.context["cl"]) if choice["display"] == "Past 7 days")

    found = client.get(url + past_week["query_string"]).context["cl"].result_list

    assert {event.pk for event in found} == {recent.pk}
    assert old.pk not in {event.pk for event in found}


def test_a_rectification_notifies_each_recipient_once():
    subject = client_to_erase()
    disclose(subject, "crm")
    disclose(subject, "crm", on=dt.date(2024, 6, 5))
    disclose(subject, "emailing")
    staff = support_user()
    proposals = rectification_propose(subject=subject, changes={"last_name": "Le Goff", "city": "Brest"}, actor=staff)

    rectification_apply(rectifications=proposals, actor=staff)

    tasks = RecipientNotification.objects.filter(subject_ref=subject.pk, change_kind=ChangeKind.RECTIFICATION)
    codes = list(tasks.values_list("recipient__code", flat=True))
    # the logged recipients once each, beside the register's recipients of this client's processing (Art. 19)
    assert codes.count("crm") == codes.count("emailing") == codes.count("carriers") == 1
    assert len(codes) == len(set(codes))
