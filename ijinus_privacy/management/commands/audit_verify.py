from django.core.management.base import BaseCommand, CommandError

from ijinus_privacy.audit import verify_chain
from ijinus_privacy.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Verify the audit trail's hash chain; exit non-zero naming the first bad event (R5.1.3). "
        "Prints an anchor (last event id and hash) to keep outside the database; --anchor ID:HASH "
        "checks a kept anchor is still in the chain, which also catches the removal of the latest events."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--anchor", help="An anchor printed by an earlier run, as ID:HASH.")

    def handle(self, *args, anchor: str | None = None, **options) -> None:
        broken = verify_chain()
        if broken is not None:
            raise CommandError(f"Audit trail broken at event #{broken.event_id}: {broken.problem}.")
        if anchor:
            event_id, _, digest = anchor.partition(":")
            if not event_id.isdigit() or len(digest) != 64:
                raise CommandError("--anchor must look like 1234:<64 hex characters>, as printed by audit_verify.")
            if not AuditEvent.objects.filter(pk=int(event_id), hash=digest).exists():
                raise CommandError(
                    f"Anchor #{event_id} is no longer in the audit trail: events were removed or rewritten since."
                )
        last = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {AuditEvent.objects.count()} events verified."))
        if last:
            self.stdout.write(f"Anchor to keep outside the database: {last[0]}:{last[1]}")
