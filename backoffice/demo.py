"""The whole demo data set (``manage.py seed_demo``): subjects, then what the DPO's dashboard shows.

Deterministic: the same seed and the same ``today`` give the same data. Dates are counted back from
``today`` (the real date by default), so overdue, due-this-week and paused requests are always there.
Volume goes in bulk (``subjects.demo``); requests, consents and holds go through the services so
their timelines, proofs and audit events exist. All or nothing: one transaction, and the export files
built on the way are removed when it fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import transaction
from django.utils import timezone

from ijinus_privacy import roles

# The accounts the demo's actions are recorded under; ``demo_logins`` gives them their passwords.
DEMO_STAFF = (("dpo", roles.DPO), ("support", roles.CUSTOMER_SERVICE))


@dataclass(frozen=True)
class DemoSummary:
    subjects: int
    requests: int
    consent_events: int


def demo_staff() -> dict[str, AbstractBaseUser]:
    """The demo DPO and customer-service accounts, in their role groups (no usable password here)."""
    roles.roles_sync()
    user_model = get_user_model()
    staff = {}
    for username, role in DEMO_STAFF:
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model(username=username, is_staff=True)
            user.set_unusable_password()
            user.save()
        if username == "dpo" and not user.get_full_name():
            user.first_name, user.last_name = "Anne", "Kerouac"  # the register names the DPO who validates
            user.save(update_fields=["first_name", "last_name"])
        user.groups.add(Group.objects.get(name=role))
        staff[username] = user_model.objects.get(pk=user.pk)  # fresh permission cache
    return staff


def seed_demo_all(*, subjects: int, seed: int = 2026, today: date | None = None) -> DemoSummary:
    """Seed the whole demo in one transaction: an error leaves the database and the export files as they were."""
    from requests_dsar.models import ExportJob

    last_job = ExportJob.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    try:
        with transaction.atomic():
            return _seed(subjects=subjects, seed=seed, today=today or timezone.localdate())
    except BaseException:
        _remove_orphan_exports(after=last_job)
        raise


def _remove_orphan_exports(*, after: int) -> None:
    """Delete the export files the rolled-back demo built (``<job id>.enc``, the job row gone with it)."""
    from ijinus_privacy import storage
    from requests_dsar.models import ExportJob

    directory = storage.absolute(storage.EXPORT_DIR)
    built = {int(path.stem): path for path in directory.glob("*.enc") if path.stem.isdigit() and int(path.stem) > after}
    for job_id in set(built) - set(ExportJob.objects.filter(pk__in=built).values_list("pk", flat=True)):
        built[job_id].unlink(missing_ok=True)


def _seed(*, subjects: int, seed: int, today: date) -> DemoSummary:
    from breaches.demo import seed_breaches
    from connectors.demo import seed_connected_systems
    from consents.demo import seed_consents, seed_information, seed_register
    from ijinus_privacy.demo import purge_audit_history, seed_audit_history
    from requests_dsar.demo import seed_requests
    from retention.demo import seed_retention
    from subjects.demo import seed_demo
    from subjects.models import DataSubject

    seed_audit_history(today=today)  # first, so the trail starts with an earlier period (R5.1.3)
    before = DataSubject.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    created = seed_demo(subjects=subjects, seed=seed, today=today)
    subject_ids = list(DataSubject.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True))
    if not subject_ids:
        return DemoSummary(subjects=created, requests=0, consent_events=0)
    staff = demo_staff()
    requests = seed_requests(subjects=subject_ids, today=today, seed=seed, dpo=staff["dpo"], support=staff["support"])
    consent_events = seed_consents(subject_ids=subject_ids, today=today, seed=seed, actor=staff["support"])
    seed_retention(subject_ids=subject_ids, today=today, actor=staff["dpo"])
    seed_breaches(subject_ids=subject_ids, today=today, dpo=staff["dpo"], support=staff["support"])
    seed_connected_systems(dpo=staff["dpo"])
    seed_information(subject_ids=subject_ids, today=today, seed=seed, dpo=staff["dpo"])  # Art. 13-14, Bloctel
    seed_register(dpo=staff["dpo"])  # the DPO's validation of the complete register entries (R3.1.1)
    purge_audit_history(today=today)  # the earlier period purged behind its signed checkpoint (R5.1.3)
    return DemoSummary(subjects=created, requests=len(requests), consent_events=consent_events)
