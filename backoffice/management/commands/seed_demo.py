from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from backoffice.demo import seed_demo_all
from subjects.models import DataSubject


class Command(BaseCommand):
    help = (
        "Insert deterministic synthetic demo data (Faker fr_FR): subjects, data-subject requests, consents, "
        "legal holds and a dry-run sweep. One transaction: on any error nothing is left behind."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--subjects", type=int, default=300, help="How many data subjects to create.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed: the same seed gives the same data.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when subjects already exist.")
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="Count dates back from this day (default: today)."
        )

    def handle(self, *args, subjects: int, seed: int, if_empty: bool, today: date | None, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo data exists only in embedded mode (DJANGO_DEBUG=true): it creates staff accounts.")
        if subjects < 0:
            raise CommandError("--subjects must be zero or more.")
        with transaction.atomic():  # all or nothing: a failure leaves no subject, so --if-empty seeds again
            if if_empty and DataSubject.objects.exists():
                self.stdout.write("Demo data already present; nothing to do.")
                return
            summary = seed_demo_all(subjects=subjects, seed=seed, today=today)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {summary.subjects} synthetic data subjects, {summary.requests} requests and "
                f"{summary.consent_events} consent events."
            )
        )
