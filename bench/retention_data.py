"""The retention benchmark's data: throwaway databases, the synthetic population, the final state.

Populated ONCE into a template (PostgreSQL: a database ``<BENCH_DATABASE>_template``; SQLite: a file),
then each contender gets a fresh copy (``CREATE DATABASE ... TEMPLATE``, a file copy; SQLite: the file
copied) that is dropped after it ran. Only databases and files this module created are dropped.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import date
from urllib.parse import urlsplit, urlunsplit

OLD = "2019-01-15"  # the roles' collection and contract-end date: long expired on AS_OF
RECENT = "2026-06-01"  # child rows' own dates: within every record rule's period on AS_OF, so that
# only the role sweep touches them (navigation records live 13 months, interests are reviewed at 12)

# Every table a subject's disposal touches, with the rows that still hold personal values (None: every
# row does). Written by hand from the sources' ``dispose`` (subjects/sources.py, consents/sources.py,
# requests_dsar/sources.py) and ``_delete_subjects``' cascades, so that a contender doing less work
# shows up in the final state.
PERSONAL: dict[str, str | None] = {
    "subjects_subjectrole": None,
    "subjects_contract": "reference <> ''",
    "subjects_delivery": "tracking_number <> '' OR street_address <> '' OR postal_code <> '' OR city <> ''",
    "subjects_order": "reference <> ''",
    "subjects_payment": "payer_reference <> ''",
    "subjects_invoice": "number NOT LIKE 'ANON-%' OR billing_name <> '' OR billing_address <> ''",
    "subjects_promotionparticipation": None,
    "subjects_supportticket": "summary <> '' OR text <> ''",
    "subjects_navigationrecord": None,
    "subjects_mobiledevice": None,
    "subjects_assumedinterest": None,
    "subjects_thirdpartydata": "provided_by_name <> '' OR provided_by_email <> '' OR declaration <> ''",
    "subjects_restrictionoverride": None,
    "subjects_objection": None,
    "subjects_rectification": None,
    "subjects_restriction": None,
    "subjects_deathrecord": None,
    "subjects_postmortemdirective": None,
    "subjects_sensitivedataflag": None,
    "consents_reconsentflag": None,
    "consents_consentevent": None,
    "consents_marketingbasis": None,
    "consents_indirectcollection": None,
    "consents_policynotification": None,
    "requests_dsar_exportjob": None,
    "requests_dsar_requestitem": "details <> ''",
    "requests_dsar_letter": "pdf <> ''",
    "requests_dsar_requestevent": "kind = 'note' AND reason <> ''",
    "requests_dsar_request": (
        "subject_id IS NOT NULL OR requester_name <> '' OR requester_email <> '' OR requester_phone <> ''"
        " OR requester_address <> '' OR representative_name <> '' OR representative_authority <> ''"
        " OR oral_summary <> ''"
    ),
    "requests_dsar_disclosurelog": None,
    "retention_archivedsubject": None,
    "retention_legalhold": None,
    "breaches_breachletter": "file_name <> ''",
    "breaches_affectedperson": "subject_id IS NOT NULL",
}
# A subject row still naming someone: any identity column anonymisation must blank (policy §3.1).
NAMED = (
    "last_name <> '' OR first_names <> '' OR marital_status <> '' OR date_of_birth IS NOT NULL"
    " OR street_address <> '' OR postal_code <> '' OR city <> '' OR email <> '' OR phone <> ''"
    " OR organisation <> '' OR job_title <> '' OR deceased_on IS NOT NULL"
)


class Databases:
    """The template and the one live copy; ``config()`` is what Django's ``DATABASES['default']`` gets."""

    def __init__(self) -> None:
        url = os.environ.get("DATABASE_URL", "")
        self.postgres = url.startswith(("postgres://", "postgresql://"))
        self._created: list[str] = []
        if self.postgres:
            name = os.environ.get("BENCH_DATABASE", "bench_retention")
            if not re.fullmatch(r"[a-z_][a-z0-9_]{0,40}", name):
                raise ValueError(f"BENCH_DATABASE must be a plain lower-case identifier, not {name!r}")
            self._url = urlsplit(url)
            self._admin_url = urlunsplit(self._url._replace(path="/postgres"))
            self.copy, self.template = name, f"{name}_template"
        else:
            self._dir = tempfile.mkdtemp(prefix="bench_retention_")
            self.copy = os.path.join(self._dir, "copy.sqlite3")
            self.template = os.path.join(self._dir, "template.sqlite3")

    def _admin(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(self._admin_url, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def config(self, name: str) -> dict:
        if self.postgres:
            import environ

            return environ.Env.db_url_config(urlunsplit(self._url._replace(path=f"/{name}")))
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }

    def create_template(self) -> dict:
        if self.postgres:
            self._created.append(self.template)
            self._admin(f"DROP DATABASE IF EXISTS {self.template} WITH (FORCE)", f"CREATE DATABASE {self.template}")
        return self.config(self.template)

    def fresh_copy(self) -> tuple[dict, float]:
        """A new copy of the template (the previous one is dropped); return its config and the copy time."""
        self.drop_copy()
        started = time.perf_counter()
        if self.postgres:
            self._created.append(self.copy)
            # FILE_COPY: copy the files (WAL_LOG, PostgreSQL 15's default, writes every page to the WAL).
            self._admin(f"CREATE DATABASE {self.copy} TEMPLATE {self.template} STRATEGY FILE_COPY")
        else:
            shutil.copyfile(self.template, self.copy)
        return self.config(self.copy), time.perf_counter() - started

    def drop_copy(self) -> None:
        if self.postgres:
            if self.copy in self._created:
                self._admin(f"DROP DATABASE IF EXISTS {self.copy} WITH (FORCE)")
                self._created.remove(self.copy)
            return
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(self.copy + suffix):
                os.remove(self.copy + suffix)

    def wait_for_sessions_to_end(self, timeout: float = 30.0) -> float:
        """After a SIGKILL: wait until the server has ended the dead client's session (and its locks)."""
        started = time.perf_counter()
        if not self.postgres:
            return 0.0
        import psycopg

        with psycopg.connect(self._admin_url, autocommit=True) as conn:
            while time.perf_counter() - started < timeout:
                sessions = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [self.copy]
                ).fetchone()[0]
                if not sessions:
                    break
                time.sleep(0.01)
        return time.perf_counter() - started

    def cleanup(self) -> None:
        if self.postgres:
            for name in list(self._created):
                self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                self._created.remove(name)
            return
        shutil.rmtree(self._dir, ignore_errors=True)


def use_database(config: dict) -> None:
    """Point Django's default connection at ``config`` (``django.setup()`` the first time)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ijinus_privacy.settings")
    import django
    from django.apps import apps
    from django.conf import settings
    from django.db import connections

    settings.DEBUG = False  # production: no query log (it formats every statement and its parameters)
    default = settings.DATABASES["default"]
    if apps.ready:
        connections.close_all()
    default.clear()
    default.update(config)
    for key, value in {"TIME_ZONE": None, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False, "AUTOCOMMIT": True}.items():
        default.setdefault(key, value)
    default.setdefault("ATOMIC_REQUESTS", False)
    default.setdefault("OPTIONS", {})
    default.setdefault("TEST", {})
    for key in ("USER", "PASSWORD", "HOST", "PORT"):
        default.setdefault(key, "")
    if apps.ready:
        del connections["default"]
    else:
        django.setup()


def migrate_and_populate(scale: int) -> dict:
    """Build the template: schema, then ``scale`` subjects with their child rows, set-based."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from consents.models import Notice

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    postgres = connection.vendor == "postgresql"
    now = "now()" if postgres else "datetime('now')"

    def day(value: str) -> str:
        return f"'{value}'::date" if postgres else f"'{value}'"

    def moment(value: str) -> str:
        return f"'{value}'::timestamptz" if postgres else f"'{value}'"

    ip = "'192.0.2.10'::inet" if postgres else "'192.0.2.10'"
    with transaction.atomic(), connection.cursor() as cursor:
        notice = Notice.objects.create(
            kind=Notice.Kind.CONSENT_TEXT,
            channel="newsletter_email",
            version=1,
            language="fr",
            effective_on=date(2018, 5, 25),
            title="Lettre d'information",
            text="J'accepte de recevoir la lettre d'information d'IJINUS par e-mail.",
        )
        _insert_subjects(cursor, scale, postgres=postgres, now=now)
        every = "FROM subjects_datasubject s"
        second = every + " WHERE s.id % 2 = 0"  # clients: contract, order, invoice, ticket, interest
        fourth = every + " WHERE s.id % 4 = 1"  # app users and event-goers: device, promotion, third party
        statements = [
            "INSERT INTO subjects_subjectrole (subject_id, role, collected_on, contract_end_on)"
            f" SELECT s.id, 'prospect', {day(OLD)}, NULL {every}",
            "INSERT INTO subjects_subjectrole (subject_id, role, collected_on, contract_end_on)"
            f" SELECT s.id, 'purchaser', {day(OLD)}, {day(OLD)} {every}",
            "INSERT INTO consents_consentevent (subject_id, visitor_id, channel, action, occurred_at, notice_id,"
            " notice_sha256, collection_point, collection_detail, interface_version, mechanism, language,"
            " entered_by, staff_reference, ip_address, recorded_at)"
            f" SELECT s.id, '', 'newsletter_email', 'given', {moment('2018-06-01 09:00:00+00')}, {notice.pk},"
            f" '{notice.sha256}', 'web_form', '/newsletter', 'v3', 'unticked_checkbox', 'fr', 'subject', '', {ip},"
            f" {now} {every}",
            "INSERT INTO consents_consentevent (subject_id, visitor_id, channel, action, occurred_at, notice_id,"
            " notice_sha256, collection_point, collection_detail, interface_version, mechanism, language,"
            " entered_by, staff_reference, ip_address, recorded_at)"
            f" SELECT s.id, '', 'newsletter_email', 'withdrawn', {moment('2019-01-10 09:00:00+00')}, NULL, '',"
            f" 'email_link', '', '', 'one_click', 'fr', 'subject', '', {ip}, {now} {every}",
            "INSERT INTO subjects_navigationrecord (subject_id, occurred_at, purpose, cookie_id, page, referrer,"
            " browser, ip_address)"
            f" SELECT s.id, {moment(RECENT + ' 10:00:00+00')}, 'analysis', 'ck' || s.id || '-' || n.k,"
            f" '/produits/debitmetres', 'https://www.exemple.invalid/', 'Firefox 140', {ip} {every}"
            " CROSS JOIN (SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3) n",
            "INSERT INTO subjects_contract (subject_id, kind, reference, product_family, started_on, ended_on)"
            f" SELECT s.id, 'sale', 'CT-' || s.id, 'flow', {day('2014-03-01')}, {day(OLD)} {second}",
            # After the contracts: a soft opt-in names the client's contract, a B2B basis the job.
            "INSERT INTO consents_marketingbasis (subject_id, channel, basis, contract_id, product_family,"
            " opt_out_offered, informed_on, job_function, recorded_at)"
            " SELECT s.id, 'newsletter_email', CASE WHEN c.id IS NULL THEN 'b2b_professional' ELSE 'soft_opt_in' END,"
            f" c.id, COALESCE(c.product_family, ''), TRUE, {day('2014-03-01')},"
            f" CASE WHEN c.id IS NULL THEN 'Technicien' ELSE '' END, {now}"
            f" {every} LEFT JOIN subjects_contract c ON c.subject_id = s.id",
            "INSERT INTO subjects_order (subject_id, reference, ordered_on, product_family, quantity)"
            f" SELECT s.id, 'CMD-' || s.id, {day('2014-02-15')}, 'flow', 2 {second}",
            "INSERT INTO subjects_delivery (subject_id, order_id, delivered_on, carrier, tracking_number,"
            " street_address, postal_code, city)"
            f" SELECT o.subject_id, o.id, {day('2014-03-01')}, 'Colissimo', '6A' || o.id, o.subject_id || ' rue des"
            " Capteurs', '29300', 'Mellac' FROM subjects_order o",
            "INSERT INTO subjects_invoice (subject_id, number, issued_on, amount, billing_name, billing_address)"
            f" SELECT s.id, 'F-' || s.id, {day('2014-03-01')}, 1250.00, 'Nom' || s.id, s.id || ' rue des Capteurs,"
            f" 29300 Mellac' {second}",
            "INSERT INTO subjects_payment (subject_id, invoice_id, paid_on, amount, method, payer_reference)"
            f" SELECT i.subject_id, i.id, {day('2014-03-20')}, i.amount, 'transfer', '4821' FROM subjects_invoice i",
            "INSERT INTO subjects_supportticket (subject_id, opened_on, channel, status, summary, text, closed_on)"
            f" SELECT s.id, {day('2016-05-02')}, 'phone', 'closed', 'Capteur muet', 'Le client signale un capteur"
            f" muet depuis lundi.', {day('2016-05-04')} {second}",
            "INSERT INTO subjects_assumedinterest (subject_id, product_family, inferred_on, review_due_on)"
            f" SELECT s.id, 'rain', {day('2026-03-01')}, {day('2027-03-01')} {second}",
            "INSERT INTO subjects_mobiledevice (subject_id, registered_on, device_type, os_version, connectivity,"
            " app_name, app_version, push_token, geolocation_consent)"
            f" SELECT s.id, {day('2017-09-01')}, 'android_phone', '14', '4g', 'ijitrack', '3.2', 'tok-' || s.id,"
            f" FALSE {fourth}",
            "INSERT INTO subjects_promotionparticipation (subject_id, kind, name, participated_on)"
            f" SELECT s.id, 'event', 'Salon Pollutec', {day('2016-10-12')} {fourth}",
            "INSERT INTO subjects_thirdpartydata (subject_id, received_on, provided_by_name, provided_by_email,"
            " declaration, accepted_on, recorded_at)"
            f" SELECT s.id, {day('2016-01-10')}, 'Distributeur Ouest', 'contact@distributeur.invalid',"
            f" 'Accord de la personne recueilli au salon', {day('2016-01-05')}, {now} {fourth}",
        ]
        for statement in statements:
            cursor.execute(statement)
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # hint bits, visibility map and statistics, as in production
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the template is one file, ready to copy
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "state": final_state()}


def _insert_subjects(cursor, scale: int, *, postgres: bool, now: str) -> None:
    columns = (
        "kind, last_name, first_names, marital_status, street_address, postal_code, city, country, email, phone,"
        " organisation, job_title, language, notes, created_at, updated_at"
    )
    # One subject in ten has a free-text note (what staff write on a file): it shows what anonymisation
    # does to ``notes``.
    if postgres:
        cursor.execute(
            f"INSERT INTO subjects_datasubject ({columns})"
            " SELECT 'professional', 'Nom' || g, 'Prénom', '', g || ' rue des Capteurs', '29300', 'Mellac', 'FR',"
            " 'bench' || g || '@exemple.invalid', '0298000000', 'Société', 'Technicien', 'fr',"
            " CASE WHEN g %% 10 = 0 THEN 'Rappeler M. Nom' || g || ' le mardi' ELSE '' END, now(), now()"
            " FROM generate_series(1, %s) g",
            [scale],
        )
        return
    rows = (
        ("professional", f"Nom{n}", "Prénom", "", f"{n} rue des Capteurs", "29300", "Mellac", "FR",
         f"bench{n}@exemple.invalid", "0298000000", "Société", "Technicien", "fr",
         f"Rappeler M. Nom{n} le mardi" if n % 10 == 0 else "")
        for n in range(1, scale + 1)
    )  # fmt: skip
    cursor.executemany(
        f"INSERT INTO subjects_datasubject ({columns})"
        f" VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, {now}, {now})",
        rows,
    )


def final_state() -> dict[str, list[int]]:
    """Per table: [rows, rows still holding personal values]; subjects: [rows, named, with notes]."""
    from django.db import connection

    state: dict[str, list[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), count(CASE WHEN {NAMED} THEN 1 END), count(CASE WHEN notes <> '' THEN 1 END)"
            " FROM subjects_datasubject"
        )
        state["subjects_datasubject"] = list(cursor.fetchone())
        for table, personal in PERSONAL.items():
            cursor.execute(f"SELECT count(*), count(CASE WHEN {personal or 'TRUE'} THEN 1 END) FROM {table}")
            state[table] = list(cursor.fetchone())
    return state


def describe(state: dict[str, list[int]], *, only: Callable[[str], bool] = lambda table: True) -> str:
    """``table rows/personal`` for the tables that hold rows (or that ``only`` asks for)."""
    subjects = state["subjects_datasubject"]
    parts = [f"subjects {subjects[0]}/{subjects[1]} named/{subjects[2]} with notes"]
    for table, counts in state.items():
        if table != "subjects_datasubject" and (counts[0] or only(table)):
            name = table.removeprefix("subjects_").removeprefix("consents_").removeprefix("retention_")
            parts.append(f"{name} {counts[0]}/{counts[1]}")
    return ", ".join(parts)
