from django.core.management.base import BaseCommand

from subjects.services import screen_all


class Command(BaseCommand):
    help = "Rescan every free-text field for special-category data (Art. 9-10, R4.6) and flag hits for the DPO."

    def handle(self, *args, **options) -> None:
        created = screen_all()
        self.stdout.write(self.style.SUCCESS(f"{created} new sensitive-data flags."))
