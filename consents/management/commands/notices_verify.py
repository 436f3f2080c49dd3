"""Check every stored notice version against its SHA-256 (R5.6.1); fail when one was changed."""

from django.core.management.base import BaseCommand, CommandError

from consents.models import Notice


class Command(BaseCommand):
    help = "Verify that each notice version's text still matches its SHA-256 (R5.6.1)."

    def handle(self, *args, **options):
        tampered = Notice.objects.tampered()
        if tampered:
            ids = ", ".join(str(notice.pk) for notice in tampered)
            raise CommandError(f"{len(tampered)} notice version(s) no longer match their SHA-256: ids {ids}.")
        self.stdout.write(self.style.SUCCESS(f"{Notice.objects.count()} notice version(s) verified."))
