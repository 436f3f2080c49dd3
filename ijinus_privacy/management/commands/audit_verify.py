from django.core.management.base import BaseCommand, CommandError

from ijinus_privacy.audit import verify_chain
from ijinus_privacy.models import AuditEvent


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exit non-zero naming the first bad event (R5.1.3)."

    def handle(self, *args, **options) -> None:
        broken = verify_chain()
        if broken is not None:
            raise CommandError(f"Audit trail broken at event #{broken.event_id}: {broken.problem}.")
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {AuditEvent.objects.count()} events verified."))
