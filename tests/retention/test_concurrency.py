"""Several workers share a sweep: a batch claims its rows with FOR UPDATE SKIP LOCKED (PostgreSQL)."""

import threading
from datetime import date

import pytest
from django.db import connection, transaction

from retention.models import RetentionRule
from retention.services import sweep
from subjects.models import DataSubject, SubjectRole
from tests.retention.factories import subject_with_role

# Committed data is needed for a second connection to see it (tests/conftest.py restores the
# migrated database after the flush that ends a transactional test).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_rows_claimed_by_another_worker_are_skipped_then_done_by_the_next_run():
    subjects = [subject_with_role("prospect", collected_on=date(2020, 1, 1)) for _ in range(6)]
    claimed_ids = [s.pk for s in subjects[:2]]
    claimed, release, done = threading.Event(), threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                list(SubjectRole.objects.select_for_update().filter(subject_id__in=claimed_ids))
                claimed.set()
                release.wait(timeout=30)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=other_worker)
    thread.start()
    assert claimed.wait(timeout=30)
    rule = RetentionRule.objects.get(code="prospect")
    first = sweep(now=date(2026, 11, 26), commit=True, rule=rule, batch_size=10)
    left_while_claimed = set(DataSubject.objects.values_list("pk", flat=True))
    release.set()
    thread.join(timeout=30)
    second = sweep(now=date(2026, 11, 26), commit=True, rule=rule, batch_size=10)

    assert left_while_claimed == set(claimed_ids)
    assert first.counts["prospect"]["subjects_deleted"] == 4
    assert second.counts["prospect"]["subjects_deleted"] == 2
    assert not DataSubject.objects.exists()
