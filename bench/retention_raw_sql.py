"""The raw-SQL contenders of the retention benchmark: the same work as the sweep, hand-written.

"The same work" is the sweep's constraints and effects, not just its deletes:

* role rows expired under each rule (the rule's trigger columns and months), never those of a
  suspended subject (legal hold in force, open request, restriction without an automated-processing
  override: the sweep's ``suspended()``);
* keyset batches of the same size over the role rows, one short transaction each, the rows claimed
  with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL; the claimed role rows are deleted;
* a subject left without any role is disposed of: EVERY child table gets the DELETE or anonymising
  UPDATE our sources apply for that disposal (``CHILDREN``, written out by hand from
  ``subjects/sources.py``, ``consents/sources.py`` and ``requests_dsar/sources.py``, and checked
  against the registry by ``registry_mismatches``), then the subject row is anonymised
  (``ANONYMISED_IDENTITY``) or deleted with its cascades;
* ids bound as ONE array parameter (``= ANY(%s::bigint[])``, the array sent as a ``'{1,2,3}'`` text
  literal) on PostgreSQL, a JSON array read by ``json_each`` on SQLite.

Not done here, done by ours: the audit event per batch, the sweep-run row, the records rules
(navigation records, assumed interests, marketing bases, export files: the data set gives them
nothing to do), and removing export and letter files from storage (the data set has none). That
favours raw SQL, so the ratio is conservative.
"""

from __future__ import annotations

import json
import time
from datetime import date
from typing import NamedTuple

REQUESTS_OF_SUBJECTS = "request_id IN (SELECT id FROM requests_dsar_request WHERE subject_id {ids})"


class Table(NamedTuple):
    """One table's share of a subject's disposal."""

    name: str
    anonymised: str | None  # the SET clause when anonymising; None: the rows are deleted
    rows: str = "subject_id {ids}"  # the disposed subjects' rows
    kept: bool = False  # the request file (Art. 5(2)): blanked, never deleted, whatever the disposal


# In the sources' order (children before parents); the subject row itself comes last.
CHILDREN = (
    Table("subjects_subjectrole", None),
    Table("subjects_contract", "reference = ''"),
    Table("subjects_delivery", "tracking_number = '', street_address = '', postal_code = '', city = ''"),
    Table("subjects_order", "reference = ''"),
    Table("subjects_payment", "payer_reference = ''"),
    Table("subjects_invoice", "number = 'ANON-' || id, billing_name = '', billing_address = ''"),
    Table("subjects_promotionparticipation", None),
    Table("subjects_supportticket", "summary = '', text = ''"),
    Table("subjects_navigationrecord", None),
    Table("subjects_mobiledevice", None),
    Table("subjects_assumedinterest", None),
    Table("subjects_thirdpartydata", "provided_by_name = '', provided_by_email = '', declaration = ''"),
    Table(
        "subjects_restrictionoverride",
        None,
        "restriction_id IN (SELECT id FROM subjects_restriction WHERE subject_id {ids})",
    ),
    Table("subjects_objection", None),
    Table("subjects_rectification", None),
    Table("subjects_restriction", None),
    Table("subjects_deathrecord", None),
    Table("subjects_postmortemdirective", None),
    Table("consents_reconsentflag", None),  # points at the consent events: before them
    Table("consents_consentevent", None),  # a proof of nobody proves nothing: deleted either way (R2.9.1)
    Table("consents_marketingbasis", None),
    Table("consents_indirectcollection", None),  # consents/sources.py InformationSource: deleted either way
    Table("consents_policynotification", None),
    Table("requests_dsar_exportjob", None),  # export files are copies of the data: they go either way
    Table("requests_dsar_requestitem", "details = ''", REQUESTS_OF_SUBJECTS, kept=True),
    Table("requests_dsar_letter", "pdf = ''", "pdf <> '' AND " + REQUESTS_OF_SUBJECTS, kept=True),
    Table("requests_dsar_requestevent", "reason = ''", "kind = 'note' AND " + REQUESTS_OF_SUBJECTS, kept=True),
    Table(
        "requests_dsar_request",
        "requester_name = '', requester_email = '', requester_phone = '', requester_address = '',"
        " representative_name = '', representative_authority = '', oral_summary = ''",
        kept=True,
    ),
    Table("requests_dsar_disclosurelog", None),
    # breaches/sources.py: the letters' files go, the link to the person is cut, the breach keeps its rows (Art. 33(5)).
    Table(
        "breaches_breachletter",
        "file_name = ''",
        "file_name <> '' AND affected_id IN (SELECT id FROM breaches_affectedperson WHERE subject_id {ids})",
        kept=True,
    ),
    Table("breaches_affectedperson", "subject_id = NULL", kept=True),
)
# ANONYMISED_IDENTITY (subjects/sources.py); the archive row goes (the subject is no one now).
ANONYMISE_SUBJECTS = (
    "DELETE FROM retention_archivedsubject WHERE subject_id {ids}",
    "UPDATE subjects_datasubject SET last_name = '', first_names = '', marital_status = '', date_of_birth = NULL,"
    " street_address = '', postal_code = '', city = '', email = '', phone = '', organisation = '', job_title = '',"
    " deceased_on = NULL, notes = '' WHERE id {ids}",
)
# What the children above leave hanging on a subject (CASCADE and SET_NULL), then the subject row.
DELETE_SUBJECTS = (
    "DELETE FROM subjects_sensitivedataflag WHERE subject_id {ids}",
    "DELETE FROM retention_legalhold WHERE subject_id {ids}",
    "DELETE FROM retention_archivedsubject WHERE subject_id {ids}",
    "UPDATE requests_dsar_request SET subject_id = NULL WHERE subject_id {ids}",
    "DELETE FROM subjects_datasubject WHERE id {ids}",
)


def statements(action: str) -> list[str]:
    """The disposal of the subjects ``{ids}`` names, one statement per table."""
    work = []
    for table in CHILDREN:
        if table.anonymised is not None and (table.kept or action == "anonymise"):
            work.append(f"UPDATE {table.name} SET {table.anonymised} WHERE {table.rows}")
        else:
            work.append(f"DELETE FROM {table.name} WHERE {table.rows}")
    return [*work, *(ANONYMISE_SUBJECTS if action == "anonymise" else DELETE_SUBJECTS)]


def _set_columns(clause: str) -> set[str]:
    return {assignment.split("=")[0].strip() for assignment in clause.split(",")}


def registry_mismatches() -> list[str]:
    """Where ``CHILDREN`` and the subject statements differ from the registered sources and cascades."""
    from ijinus_privacy.personal_data import registry
    from subjects.models import DataSubject
    from subjects.sources import ANONYMISED_IDENTITY, ModelSource

    mine = {table.name: table for table in CHILDREN}
    problems = []
    for source in registry:
        if DataSubject in source.models:
            continue  # the subject row: ANONYMISE_SUBJECTS / DELETE_SUBJECTS
        if not isinstance(source, ModelSource):
            continue  # requests_dsar: hand-written from its dispose() (no parts to compare)
        for part in source.parts:
            table = mine.get(part.model._meta.db_table)
            if table is None:
                problems.append(f"{part.model._meta.db_table} ({source.name}) not disposed of")
            elif (part.anonymised is None) != (table.anonymised is None):
                problems.append(f"{table.name}: sources {'delete' if part.anonymised is None else 'anonymise'}")
            elif part.anonymised is not None and set(part.anonymised) != _set_columns(table.anonymised):
                problems.append(f"{table.name}: sources blank {sorted(part.anonymised)}")
    subject_statements = " ".join(DELETE_SUBJECTS)
    for relation in DataSubject._meta.related_objects:
        table = relation.related_model._meta.db_table
        if table not in mine and f" {table} " not in subject_statements:
            problems.append(f"{table} (on_delete of {relation.field.name}) not handled")
    anonymised = _set_columns(ANONYMISE_SUBJECTS[1].split(" SET ", 1)[1].split(" WHERE ", 1)[0])
    if anonymised != set(ANONYMISED_IDENTITY):
        problems.append(f"subjects_datasubject: ANONYMISED_IDENTITY blanks {sorted(ANONYMISED_IDENTITY)}")
    return problems


def _expired(today: date) -> list[tuple[str, list]]:
    """Each role rule's expired role rows (its trigger columns, its months as configured), not suspended."""
    from django.utils import timezone

    from ijinus_privacy.dates import expiry_cutoff
    from requests_dsar.models import OPEN_STATES
    from retention.models import RetentionRule

    months = dict(
        RetentionRule.objects.filter(code__in=["prospect", "purchaser-identification"]).values_list(
            "role", "active_months"
        )
    )
    prospect, purchaser = expiry_cutoff(today, months["prospect"]), expiry_cutoff(today, months["purchaser"])
    now = timezone.now()
    open_states = ", ".join(f"'{state}'" for state in sorted(OPEN_STATES))
    not_suspended = (
        " AND NOT EXISTS (SELECT 1 FROM retention_legalhold h"
        " WHERE h.subject_id = subjects_subjectrole.subject_id AND h.lifted_at IS NULL)"
        " AND NOT EXISTS (SELECT 1 FROM requests_dsar_request q"
        f" WHERE q.subject_id = subjects_subjectrole.subject_id AND q.state IN ({open_states}))"
        " AND NOT EXISTS (SELECT 1 FROM subjects_restriction x"
        " WHERE x.subject_id = subjects_subjectrole.subject_id AND x.lifted_at IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM subjects_restrictionoverride o WHERE o.restriction_id = x.id"
        " AND o.operation = 'automated' AND o.granted_at <= %s AND o.valid_until >= %s))"
    )
    return [
        (
            "role = 'prospect' AND collected_on <= %s"
            " AND (last_inbound_contact_on IS NULL OR last_inbound_contact_on <= %s)" + not_suspended,
            [prospect, prospect, now, now],
        ),
        (
            "role = 'purchaser' AND contract_end_on <= %s"
            " AND (last_inbound_contact_on IS NULL OR last_inbound_contact_on <= %s)" + not_suspended,
            [purchaser, purchaser, now, now],
        ),
    ]


def _batched_pass(action: str, *, today: date, batch_size: int) -> tuple[float, int]:
    """One pass over every rule's expired roles; return the worst batch time and the rows changed."""
    from django.db import connection, transaction

    postgres = connection.vendor == "postgresql"
    ids = "= ANY(%s::bigint[])" if postgres else "IN (SELECT value FROM json_each(%s))"

    def bind(values: list[int]) -> str:
        return "{" + ",".join(map(str, values)) + "}" if postgres else json.dumps(values)

    work = [sql.format(ids=ids) for sql in statements(action)]
    subject, unpacked = ("s.id", "unnest(%s::bigint[]) AS s(id)") if postgres else ("s.value", "json_each(%s) AS s")
    orphans = (
        f"SELECT {subject} FROM {unpacked}"
        f" WHERE NOT EXISTS (SELECT 1 FROM subjects_subjectrole r WHERE r.subject_id = {subject})"
    )
    lock = " FOR UPDATE SKIP LOCKED" if postgres else ""
    worst, changed = 0.0, 0
    for expired, params in _expired(today):
        claim = f"SELECT id, subject_id FROM subjects_subjectrole WHERE {expired} AND id > %s ORDER BY id LIMIT %s"
        last_id = 0
        while True:
            started = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(claim + lock, [*params, last_id, batch_size])
                rows = cursor.fetchall()
                if not rows:
                    break
                cursor.execute(f"DELETE FROM subjects_subjectrole WHERE id {ids}", [bind([row[0] for row in rows])])
                changed += cursor.rowcount
                cursor.execute(orphans, [bind([row[1] for row in rows])])
                leaving = [row[0] for row in cursor.fetchall()]
                if leaving:
                    subjects = bind(leaving)
                    for sql in work:
                        cursor.execute(sql, [subjects])
                    changed += len(leaving)
            worst = max(worst, time.perf_counter() - started)
            last_id = rows[-1][0]
    return worst, changed


def batched(action: str, *, today: date, batch_size: int) -> dict:
    """Raw SQL in keyset batches: the limit the T1 ratio is measured against."""
    started = time.perf_counter()
    worst, _changed = _batched_pass(action, today=today, batch_size=batch_size)
    elapsed = time.perf_counter() - started
    again = time.perf_counter()
    _worst, rerun_changed = _batched_pass(action, today=today, batch_size=batch_size)
    return {
        "seconds": elapsed,
        "worst_batch": worst,
        "rerun": time.perf_counter() - again,
        "rerun_changed": rerun_changed,
    }


def one_transaction(action: str, *, today: date) -> dict:
    """Raw SQL over the whole set in ONE transaction: a floor, informative only (breaks the 1 s batch rule)."""
    from django.db import connection, transaction

    postgres = connection.vendor == "postgresql"
    rules = _expired(today)
    expired = " OR ".join(f"({sql})" for sql, _params in rules)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE bench_expired AS SELECT id, subject_id FROM subjects_subjectrole WHERE {expired}",
            [param for _sql, params in rules for param in params],
        )
        cursor.execute("DELETE FROM subjects_subjectrole WHERE id IN (SELECT id FROM bench_expired)")
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_orphans AS SELECT DISTINCT subject_id FROM bench_expired e"
            " WHERE NOT EXISTS (SELECT 1 FROM subjects_subjectrole r WHERE r.subject_id = e.subject_id)"
        )
        if postgres:
            cursor.execute("ANALYZE bench_orphans")
        for sql in statements(action):
            cursor.execute(sql.format(ids="IN (SELECT subject_id FROM bench_orphans)"))
        cursor.execute("DROP TABLE bench_expired")
        cursor.execute("DROP TABLE bench_orphans")
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "worst_batch": elapsed, "rerun": None, "rerun_changed": None}
