from django.core.management.base import BaseCommand, CommandError

from subjects.demo import seed_demo
from subjects.models import DataSubject


class Command(BaseCommand):
    help = "Insert deterministic synthetic demo data (Faker fr_FR) for every model."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--subjects", type=int, default=300, help="How many data subjects to create.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed: the same seed gives the same data.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when subjects already exist.")

    def handle(self, *args, subjects: int, seed: int, if_empty: bool, **options) -> None:
        if subjects < 0:
            raise CommandError("--subjects must be zero or more.")
        if if_empty and DataSubject.objects.exists():
            self.stdout.write("Demo data already present; nothing to do.")
            return
        created = seed_demo(subjects=subjects, seed=seed)
        self.stdout.write(self.style.SUCCESS(f"Created {created} synthetic data subjects."))
