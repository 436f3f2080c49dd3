from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ijinus_privacy.audit_retention import AuditPurgeRefused, audit_cutoff, audit_purge


class Command(BaseCommand):
    help = (
        "Purge the audit events older than AUDIT_RETENTION_MONTHS behind a signed checkpoint, so that "
        "audit_verify still proves the remaining chain (R5.1.3). A dry run unless --commit."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--commit", action="store_true", help="Purge for real (default: show what would go).")

    def handle(self, *args, commit: bool = False, **options) -> None:
        months = settings.AUDIT_RETENTION_MONTHS
        cutoff = audit_cutoff(months=months)
        day = timezone.localtime(cutoff).date().isoformat()
        try:
            result = audit_purge(cutoff=cutoff, commit=commit)
        except AuditPurgeRefused as error:
            raise CommandError(str(error)) from None
        plan = result.plan
        if plan is None:
            self.stdout.write(f"No audit event occurred before {day} (retention {months} months): nothing to purge.")
            return
        span = (
            f"{plan.count} events, #{plan.first_event_id} to #{plan.last_event_id}, "
            f"from {timezone.localtime(plan.oldest_at):%Y-%m-%d} to {timezone.localtime(plan.newest_at):%Y-%m-%d}"
        )
        if not commit:
            self.stdout.write(
                f"Dry run: would purge {span} (before {day}, retention {months} months). Run with --commit to purge."
            )
            return
        checkpoint = result.checkpoint
        self.stdout.write(
            self.style.SUCCESS(
                f"Purged {span} behind checkpoint #{checkpoint.pk} "
                f"(last purged hash {checkpoint.last_hash}, signed with key {checkpoint.key_id})."
            )
        )
