"""seed_demo: deterministic, every subjects model filled, realistic date spreads."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from subjects.demo import seed_demo
from subjects.models import AssumedInterest, DataSubject, ImportJob, NavigationRecord, SubjectRole

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 1)


# Demo identifiers embed the subject id (unique across runs): compared relative to the run's first id.
ID_BEARING = {"email", "reference", "number", "tracking_number", "provided_by_email"}


def _relative_ids(value: str, base: int) -> str:
    return re.sub(r"\d{8,}", lambda match: str(int(match.group()) - base), value)


def _relative_demo_number(value: str, base: int) -> str:
    return re.sub(r"(?<=^demo)\d+", lambda match: str(int(match.group()) - base), value)


def _snapshot() -> dict[str, list[tuple]]:
    """Every subjects row, with ids made relative to the run (the second run's ids are offset)."""
    from subjects.models import SupportTicket

    snapshot = {}
    subject_base = DataSubject.objects.order_by("pk").values_list("pk", flat=True).first() or 0
    first_email = DataSubject.objects.order_by("pk").values_list("email", flat=True).first() or "demo0"
    demo_base = int(re.match(r"demo(\d+)", first_email).group(1))
    for model in _data_models():
        columns, bases = [], {}
        for field in model._meta.concrete_fields:
            if field.primary_key or field.attname in ("created_at", "updated_at", "detected_at", "recorded_at"):
                continue
            columns.append(field.attname)
            related = field.related_model if field.is_relation else SupportTicket if field.name == "object_id" else None
            if related is not None:
                bases[field.attname] = related.objects.order_by("pk").values_list("pk", flat=True).first() or 0
        rows = []
        for values in model.objects.order_by("pk").values(*columns):
            rows.append(
                tuple(
                    value - bases[name]
                    if name in bases and value is not None
                    else _relative_demo_number(value, demo_base)
                    if model is DataSubject and name == "email"
                    else _relative_ids(value, subject_base)
                    if name in ID_BEARING
                    else value
                    for name, value in values.items()
                )
            )
        snapshot[model.__name__] = rows
    return snapshot


def test_same_seed_gives_the_same_data():
    seed_demo(subjects=150, seed=7, today=TODAY)
    first = _snapshot()
    DataSubject.objects.all().delete()

    seed_demo(subjects=150, seed=7, today=TODAY)

    assert _snapshot() == first
    assert all(first.values())


def test_a_different_seed_gives_different_data():
    seed_demo(subjects=50, seed=1, today=TODAY)
    first = list(DataSubject.objects.order_by("pk").values_list("last_name", flat=True))
    DataSubject.objects.all().delete()

    seed_demo(subjects=50, seed=2, today=TODAY)

    assert list(DataSubject.objects.order_by("pk").values_list("last_name", flat=True)) != first


def _data_models():
    """The subjects app's models holding data about people (not its import jobs)."""
    return [model for model in apps.get_app_config("subjects").get_models() if model is not ImportJob]


def test_every_model_gets_rows_and_the_spreads_retention_needs():
    seed_demo(subjects=600, seed=2026, today=TODAY)

    for model in _data_models():
        assert model.objects.exists(), model.__name__
    assert SubjectRole.objects.filter(
        role=SubjectRole.Role.PROSPECT, collected_on__lt=TODAY - timedelta(days=4 * 365)
    ).exists()
    assert SubjectRole.objects.filter(
        role=SubjectRole.Role.INACTIVE_CLIENT, contract_end_on__lt=TODAY - timedelta(days=3 * 365)
    ).exists()
    cutoff = datetime.combine(TODAY - timedelta(days=396), datetime.min.time(), tzinfo=UTC)
    assert NavigationRecord.objects.filter(occurred_at__lt=cutoff).exists()
    assert AssumedInterest.objects.review_overdue(TODAY).exists()


@pytest.fixture
def embedded_mode(settings):
    settings.DEBUG = True


def test_command_refuses_outside_embedded_mode(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False

    with pytest.raises(CommandError, match="embedded mode"):
        call_command("seed_demo", "--subjects", "5", stdout=_Null())
    assert not DataSubject.objects.exists()


@pytest.mark.usefixtures("embedded_mode")
def test_command_if_empty_does_nothing_the_second_time():
    call_command("seed_demo", "--subjects", "20", "--seed", "3", stdout=_Null())
    call_command("seed_demo", "--subjects", "20", "--if-empty", stdout=_Null())

    assert DataSubject.objects.count() == 20


class _Null:
    def write(self, *_args, **_kwargs) -> None:
        pass


def _requests_snapshot() -> list[tuple]:
    from requests_dsar.models import Request

    return [
        (r.received_on, r.channel, r.state, r.due_on, r.closed_on, r.subject_id is None, len(r.items.all()))
        for r in Request.objects.order_by("pk").prefetch_related("items")
    ]


# ``make run`` seeds on whatever day it is: the demo is checked on holidays, month ends and a leap day.
DEMO_DAYS = ("2027-01-01", "2027-12-24", "2028-02-29")


@pytest.mark.parametrize("day", [pytest.param(day, marks=pytest.mark.today(day)) for day in DEMO_DAYS])
def test_seed_demo_fills_the_dashboard_with_requests_in_every_state(day):
    from backoffice.demo import seed_demo_all
    from consents.models import ConsentEvent, MarketingBasis
    from ijinus_privacy.choices import ContactChannel
    from requests_dsar.models import ExportJob, Request, State
    from retention.models import LegalHold, SweepRun

    today = timezone.localdate()
    assert today.isoformat() == day

    summary = seed_demo_all(subjects=80, seed=5)  # counted back from today, as make run does

    assert summary.requests >= 25
    assert set(Request.objects.values_list("state", flat=True)) == set(State.values)
    assert set(Request.objects.values_list("channel", flat=True)) == set(ContactChannel.values)
    assert Request.objects.open().filter(due_on__lt=today, state=State.IN_PROGRESS).exists()  # overdue
    assert Request.objects.open().filter(due_on__gte=today, due_on__lte=today + timedelta(days=7)).exists()
    assert Request.objects.filter(extension__isnull=False).count() >= 2
    refused = Request.objects.get(state=State.REFUSED)
    assert refused.decisions.get(kind="refused").ground == "17_3_b"
    assert Request.objects.get(pk=refused.pk).events.count() >= 4  # a timeline, not a bare row
    assert ExportJob.objects.filter(status=ExportJob.Status.DONE, approved_at__isnull=True).count() == 2
    assert ConsentEvent.objects.filter(action=ConsentEvent.Action.WITHDRAWN).exists()
    assert ConsentEvent.objects.filter(channel__startswith="cookies_").exists()
    assert MarketingBasis.objects.exists()
    assert LegalHold.objects.review_due(today).count() == 1
    run = SweepRun.objects.get()
    assert not run.committed


@pytest.mark.today("2026-12-04")
def test_seed_demo_requests_are_the_same_for_the_same_seed_and_date(today):
    from backoffice.demo import seed_demo_all
    from requests_dsar.models import Request

    seed_demo_all(subjects=40, seed=9, today=today)
    first = _requests_snapshot()
    Request.objects.all().delete()
    DataSubject.objects.all().delete()

    seed_demo_all(subjects=40, seed=9, today=today)

    assert _requests_snapshot() == first


@pytest.mark.today("2026-12-04")
@pytest.mark.usefixtures("embedded_mode")
def test_command_seeds_requests_once_with_if_empty():
    from requests_dsar.models import Request

    call_command("seed_demo", "--subjects", "40", "--if-empty", stdout=_Null())
    count = Request.objects.count()
    call_command("seed_demo", "--subjects", "40", "--if-empty", stdout=_Null())

    assert count >= 25
    assert Request.objects.count() == count


# --- Every seed and scale, all or nothing (issue 12) ------------------------------------------------

DEMO_TODAY = date(2026, 12, 4)


def _demo_counts() -> dict[str, int]:
    from consents.models import ConsentEvent
    from ijinus_privacy.models import AuditEvent
    from requests_dsar.models import ExportJob, Request
    from retention.models import LegalHold, SweepRun
    from subjects.models import Restriction

    models = (DataSubject, SubjectRole, Restriction, Request, ExportJob, ConsentEvent, LegalHold, SweepRun, AuditEvent)
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.parametrize(
    ("subjects", "seed"),
    [
        # Seeds whose requests fell on a person the demo itself had restricted (Art. 18): refused, crashed.
        (50, 2),
        (50, 7),
        (100, 16),
        # Tiny sets: requests are linked to the first person the rules let the demo act for, or stay undecided.
        (3, 2),
    ],
)
def test_seed_demo_succeeds_and_never_acts_for_a_restricted_person(subjects, seed):
    from backoffice.demo import seed_demo_all
    from requests_dsar.models import Request, State
    from subjects.models import Objection, Restriction

    summary = seed_demo_all(subjects=subjects, seed=seed, today=DEMO_TODAY)

    assert summary.subjects == DataSubject.objects.count() == subjects
    assert summary.requests == Request.objects.count() >= 25
    # subjects.demo restricts people whose accuracy is contested or whose objection is pending (Art. 18(1)).
    restricted_by_the_demo = {
        *Restriction.objects.filter(ground=Restriction.Ground.ACCURACY_CONTESTED).values_list("subject_id", flat=True),
        *Objection.objects.filter(status=Objection.Status.PENDING).values_list("subject_id", flat=True),
    }
    assert restricted_by_the_demo or subjects < 5
    answered = Request.objects.filter(state__in=(State.COMPLETED, State.PARTLY_REFUSED, State.REFUSED))
    assert answered.exists()
    assert not answered.filter(subject__in=restricted_by_the_demo).exists()
    assert not answered.filter(subject__deceased_on__isnull=False).exists()


@pytest.mark.usefixtures("embedded_mode")
def test_a_failure_mid_seed_leaves_the_database_and_export_files_as_before(monkeypatch, settings):
    import retention.demo

    call_command("seed_demo", "--subjects", "5", "--seed", "1", "--today", "2026-12-04", stdout=_Null())
    before = _demo_counts()
    exports = Path(settings.MEDIA_ROOT) / "exports"
    files_before = sorted(exports.glob("*"))

    def disk_full(**_kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(retention.demo, "seed_retention", disk_full)  # the last step: everything else is written

    with pytest.raises(OSError, match="No space left"):
        call_command("seed_demo", "--subjects", "40", "--seed", "2", "--today", "2026-12-04", stdout=_Null())

    assert _demo_counts() == before
    assert sorted(exports.glob("*")) == files_before


@pytest.mark.usefixtures("embedded_mode")
def test_if_empty_after_a_failed_seed_seeds_once_and_never_doubles(monkeypatch):
    import retention.demo

    def crash(**_kwargs):
        raise RuntimeError("interrupted")

    with monkeypatch.context() as patch:
        patch.setattr(retention.demo, "seed_retention", crash)
        with pytest.raises(RuntimeError):
            call_command("seed_demo", "--subjects", "30", "--if-empty", "--today", "2026-12-04", stdout=_Null())
    assert not DataSubject.objects.exists()

    call_command("seed_demo", "--subjects", "30", "--if-empty", "--today", "2026-12-04", stdout=_Null())
    call_command("seed_demo", "--subjects", "30", "--if-empty", "--today", "2026-12-04", stdout=_Null())

    assert DataSubject.objects.count() == 30
