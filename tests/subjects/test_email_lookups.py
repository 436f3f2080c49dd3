"""Looking up a file's e-mails goes through the unique e-mail index (issue 13, T5).

The index is partial (``email <> ''``, people without an e-mail are allowed). PostgreSQL proves
that ``email IN (...)`` implies that condition only for lists of at most 100 values, so the plain
lookup of a batch's thousand e-mails read the whole table: 0.7 s per batch at 1M people, most of
the 100k-row import's time. ``DataSubject.objects.with_emails`` states the condition.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from subjects.models import DataSubject
from subjects.resources import DataSubjectResource
from tests.factories import DataSubjectFactory

pytestmark = pytest.mark.django_db

EMAILS = [f"personne{n}@exemple.fr" for n in range(1000)]


def _plan(queryset) -> str:
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny test table: ask for the index if it can be used
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
def test_a_thousand_emails_are_looked_up_through_the_unique_email_index():
    assert "subjects_datasubject_unique_email" in _plan(DataSubject.objects.with_emails(EMAILS))
    # the trap it avoids: the same lookup without the index's condition cannot use it
    assert "subjects_datasubject_unique_email" not in _plan(DataSubject.objects.filter(email__in=EMAILS))


def test_with_emails_finds_the_people_and_never_the_ones_without_an_email():
    on_file = DataSubjectFactory(email="annie.le-gall@exemple.fr")
    DataSubjectFactory(email="")

    found = DataSubject.objects.with_emails(["annie.le-gall@exemple.fr", "", "inconnu@exemple.fr"])

    assert list(found) == [on_file]


@pytest.mark.postgres
def test_the_import_loader_looks_people_up_through_the_unique_email_index():
    import tablib

    resource = DataSubjectResource()
    dataset = tablib.Dataset(*[(email,) for email in EMAILS], headers=["email"])
    loader = resource._meta.instance_loader_class(resource, dataset)
    queryset = loader.get_queryset().filter(email__in=EMAILS)

    assert "subjects_datasubject_unique_email" in _plan(queryset)
