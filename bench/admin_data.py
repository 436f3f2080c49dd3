"""The admin benchmark's data: people, roles, consent events, audit events and requests at scale, set-based.

For ``scale`` people: ``scale`` subjects, 1.375 × roles (every person one, three in eight a
second), 3 × consent events, 2 × audit events (two years of them, about 0.14 % of them today, as
a live trail has), and ``scale / 20`` requests (2 % still open, the latest ones; the others answered,
refused, withdrawn; one in twenty answered ones extended), each with one item and two timeline
events. At ``--scale 1000000``: 1M people, 1.375M roles, 3M consent events, 2M audit events, 50k
requests, as issue 13 measured.

Written with ``INSERT ... SELECT`` over ``generate_series`` (PostgreSQL, foreign-key triggers off
for the session: the rows are consistent by construction) or a recursive series (SQLite), never
row by row, into a throwaway database. The audit trail's append-only triggers refuse UPDATE and
DELETE only: these INSERTs pass, and the database is dropped afterwards.
"""

from __future__ import annotations

import time
from datetime import date

SYLLABLES = (
    ("Ker", "Le ", "Mor", "Pen", "Tre", "Lan", "Gou", "Quem", "Cor", "Bri", "Dan", "Gal", "Jaf", "Mar", "Ber", "Cal",
     "Riou"),
    ("gue", "va", "ri", "bi", "lo", "ne", "de", "ma", "za", "tu", "ho", "su", "pe"),
    ("len", "nec", "hat", "ou", "ven", "zic", "rel", "dec", "rio", "guen", "mat"),
)  # fmt: skip
FIRST_NAMES = ("Anne", "Yann", "Marie", "Erwan", "Nolwenn", "Loïc", "Gwenaëlle", "Tanguy", "Soizic", "Ronan", "Maël",
               "Katell")  # fmt: skip
EMAIL_NAMES = tuple(name.lower().replace("ï", "i").replace("ë", "e") for name in FIRST_NAMES)
OPEN_STATES = ("received", "in_progress", "awaiting_info", "awaiting_decision")
CLOSED_STATES = ("refused", "partly_refused", "withdrawn", "completed", "completed", "completed", "completed",
                 "completed", "completed", "completed")  # fmt: skip
AUDIT_DAYS = 730


def _pick(values: tuple[str, ...], index: str) -> str:
    cases = " ".join(f"WHEN {i} THEN '{value}'" for i, value in enumerate(values))
    return f"(CASE ({index}) % {len(values)} {cases} END)"


class Dialect:
    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres

    def series(self, count: int) -> str:
        """``g(n)``, 1..count."""
        if self.postgres:
            return f"generate_series(1, {count}) AS g(n)"
        return f"(SELECT n FROM bench_series WHERE n <= {count}) AS g"

    def day(self, base: str, offset: str) -> str:
        """A date ``offset`` days (an SQL integer expression) after ``base`` (an SQL date expression)."""
        if self.postgres:
            return f"(({base})::date + ({offset})::int)"
        return f"date({base}, printf('%+d days', {offset}))"

    def moment(self, base: str, seconds: str) -> str:
        if self.postgres:
            return f"(({base})::timestamptz + ({seconds}) * INTERVAL '1 second')"
        return f"datetime({base}, printf('%+d seconds', {seconds}))"

    @property
    def now(self) -> str:
        return "now()" if self.postgres else "datetime('now')"

    @property
    def empty_list(self) -> str:
        return "'[]'::jsonb" if self.postgres else "'[]'"


def populate(scale: int, *, today: date) -> dict[str, float | int]:
    """Write the data set; return the row counts and the time it took."""
    from django.db import connection

    started = time.perf_counter()
    sql = Dialect(connection.vendor == "postgresql")
    requests = max(20, scale // 20)
    with connection.cursor() as cursor:
        if sql.postgres:
            cursor.execute("SET session_replication_role = replica")  # no FK triggers: consistent by construction
        else:
            cursor.execute("CREATE TEMP TABLE bench_series (n INTEGER PRIMARY KEY)")
            cursor.execute(
                "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < %s)"
                " INSERT INTO bench_series SELECT n FROM s",
                [3 * scale],
            )
        for statement in _statements(sql, scale=scale, requests=requests, today=today):
            cursor.execute(statement)
        if sql.postgres:
            cursor.execute("SET session_replication_role = origin")
            cursor.execute("VACUUM ANALYZE")  # hint bits, visibility map and statistics, as in production
        else:
            cursor.execute("DROP TABLE bench_series")
            cursor.execute("ANALYZE")
    counts = {}
    with connection.cursor() as cursor:
        for table in (
            "subjects_datasubject",
            "subjects_subjectrole",
            "consents_consentevent",
            "ijinus_privacy_auditevent",
            "requests_dsar_request",
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    return {"seconds": time.perf_counter() - started, **counts}


def _statements(sql: Dialect, *, scale: int, requests: int, today: date) -> list[str]:
    last_name = " || ".join(
        _pick(values, f"g.n / {divisor}") for values, divisor in zip(SYLLABLES, (1, 17, 17 * 13), strict=True)
    )
    first = _pick(FIRST_NAMES, "g.n")
    day = today.isoformat()
    audit_rows = 2 * scale
    audit_step = max(1, AUDIT_DAYS * 86400 // audit_rows)
    open_from = requests - max(4, requests // 50)  # the latest 2 % are still open
    received = sql.day(f"'{day}'", f"-1100 + g.n * 1080 / {requests}")
    state = f"(CASE WHEN g.n > {open_from} THEN {_pick(OPEN_STATES, 'g.n')} ELSE {_pick(CLOSED_STATES, 'g.n')} END)"
    extended = f"(g.n <= {open_from} AND g.n % 20 = 5)"
    return [
        "INSERT INTO subjects_datasubject (kind, last_name, first_names, marital_status, street_address, postal_code,"
        " city, country, email, phone, organisation, job_title, language, notes, created_at, updated_at)"
        f" SELECT CASE WHEN g.n % 3 = 0 THEN 'professional' ELSE 'consumer' END, {last_name}, {first}, '',"
        f" g.n || ' rue des Capteurs', '29300', 'Mellac', 'FR',"
        f" {_pick(EMAIL_NAMES, 'g.n')} || '.' || g.n || '@exemple.invalid',"
        " '02' || (90000000 + g.n), CASE WHEN g.n % 3 = 0 THEN 'Société ' || (g.n % 500) ELSE '' END,"
        f" CASE WHEN g.n % 3 = 0 THEN 'Technicien' ELSE '' END, 'fr', '', {sql.now}, {sql.now}"
        f" FROM {sql.series(scale)}",
        "INSERT INTO subjects_subjectrole (subject_id, role, collected_on)"
        f" SELECT s.id, {_pick(('prospect', 'active_client', 'inactive_client', 'newsletter'), 's.id')},"
        f" {sql.day("'2019-01-01'", 's.id % 2500')} FROM subjects_datasubject s",
        "INSERT INTO subjects_subjectrole (subject_id, role, collected_on)"
        f" SELECT s.id, 'website_subscriber', {sql.day("'2020-01-01'", 's.id % 2000')}"
        " FROM subjects_datasubject s WHERE s.id % 8 < 3",
        "INSERT INTO consents_consentevent (subject_id, visitor_id, channel, action, occurred_at, notice_sha256,"
        " collection_point, collection_detail, interface_version, mechanism, language, entered_by, staff_reference,"
        " recorded_at)"
        f" SELECT s.id, '', {_pick(('newsletter_email', 'marketing_push', 'quotation_request'), 'k.k')},"
        f" {_pick(('given', 'given', 'withdrawn', 'refused'), 's.id + k.k')},"
        f" {sql.moment("'2021-01-01 09:00:00'", '(s.id % 1500) * 86400 + k.k * 3600')}, '', 'web_form', '', '',"
        f" 'unticked_checkbox', 'fr', 'subject', '', {sql.now}"
        " FROM subjects_datasubject s CROSS JOIN (SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2) k",
        "INSERT INTO ijinus_privacy_auditevent (occurred_at, actor_username, action, object_type, object_id,"
        " subject_id, fields, reason, prev_hash, hash, key_id)"
        f" SELECT {sql.moment(sql.now, f'-({audit_rows} - g.n) * {audit_step}')}, 'bench-dpo',"
        " CASE WHEN g.n % 2 = 0 THEN 'view' ELSE 'change' END, 'subjects.datasubject', '' || ((g.n + 1) / 2),"
        f" (g.n + 1) / 2, {sql.empty_list}, '', 'bench' || (g.n - 1), 'bench' || g.n, 'dev'"
        f" FROM {sql.series(audit_rows)}",
        "INSERT INTO requests_dsar_request (received_on, channel, state, requester_name, requester_email,"
        " requester_phone, requester_address, language, representative_name, representative_authority,"
        " oral_summary, first_due_on, ceiling_due_on, due_on, paused_days, identity_request_late, fee_amount,"
        " closed_on, created_at, subject_id)"
        f" SELECT {received}, 'email', {state}, '', '', '', '', 'fr', '', '', '', {sql.day(received, '30')},"
        f" {sql.day(received, '90')}, CASE WHEN {extended} THEN {sql.day(received, '90')}"
        f" ELSE {sql.day(received, '30')} END, 0, FALSE, 0,"
        f" CASE WHEN g.n > {open_from} THEN NULL ELSE {sql.day(received, 'g.n % 50')} END, {sql.now},"
        f" 1 + (g.n * 19) % {scale} FROM {sql.series(requests)}",
        'INSERT INTO requests_dsar_requestitem (request_id, "right", details)'
        f" SELECT r.id, {_pick(('access', 'erasure', 'rectification'), 'r.id')}, '' FROM requests_dsar_request r",
        "INSERT INTO requests_dsar_requestevent (request_id, occurred_at, actor_username, kind, from_state, to_state,"
        " reason, written_in)"
        f" SELECT r.id, {sql.moment('r.received_on', '36000')}, 'bench-dpo', 'logged', '', 'received', '', ''"
        " FROM requests_dsar_request r",
        "INSERT INTO requests_dsar_requestevent (request_id, occurred_at, actor_username, kind, from_state, to_state,"
        " reason, written_in)"
        f" SELECT r.id, {sql.moment('COALESCE(r.closed_on, r.received_on)', '50400')}, 'bench-dpo', 'transition',"
        " 'received', r.state, '', '' FROM requests_dsar_request r WHERE r.state <> 'received'",
        "INSERT INTO requests_dsar_extension (request_id, reason, explanation, notice_sent_on, decided_at, written_in)"
        f" SELECT r.id, 'large_volume', '', {sql.day('r.received_on', '25')},"
        f" {sql.moment('r.received_on', '25 * 86400')}, '' FROM requests_dsar_request r WHERE r.due_on = "
        f"{sql.day('r.received_on', '90')}",
        "INSERT INTO requests_dsar_clockpause (request_id, reason, started_on)"
        f" SELECT r.id, 'identity', {sql.day('r.received_on', '2')} FROM requests_dsar_request r"
        " WHERE r.state = 'awaiting_info'",
    ]
