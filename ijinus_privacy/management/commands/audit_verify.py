from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ijinus_privacy.audit import verify_chain
from ijinus_privacy.audit_anchors import AnchorFileError, anchor_file, anchor_problem, latest_published_anchor
from ijinus_privacy.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Verify the audit trail's keyed hash chain and the latest anchor published in AUDIT_ANCHOR_DIR; "
        "exit non-zero naming the first bad event (R5.1.3). --anchor ID:HASH checks a kept anchor instead "
        "(one printed by an earlier run or e-mailed to the DPO), which also catches the removal of the latest events."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--anchor", help="An anchor kept outside the database, as ID:HASH.")

    def handle(self, *args, anchor: str | None = None, **options) -> None:
        broken = verify_chain()
        if broken is not None:
            if broken.key_missing:
                raise CommandError(f"Audit trail cannot be verified from event #{broken.event_id}: {broken.problem}.")
            raise CommandError(f"Audit trail broken at event #{broken.event_id}: {broken.problem}.")
        if anchor:
            event_id, _, digest = anchor.partition(":")
            if not event_id.isdigit() or len(digest) != 64:
                raise CommandError("--anchor must look like 1234:<64 hex characters>, as printed by audit_verify.")
            problem = anchor_problem(event_id=int(event_id), digest=digest)
            if problem:
                raise CommandError(f"{problem}.")
        else:
            self._check_published_anchor()
        total = AuditEvent.objects.count()
        legacy = AuditEvent.objects.filter(key_id="").count()
        legacy_note = f" ({legacy} of them hashed without a key, before the chain was keyed)" if legacy else ""
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {total} events verified{legacy_note}."))
        last = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
        if last:
            self.stdout.write(f"Anchor to keep outside the database: {last[0]}:{last[1]}")

    def _check_published_anchor(self) -> None:
        try:
            published = latest_published_anchor()
        except AnchorFileError as error:
            raise CommandError(f"The published anchors cannot be read: {error}.") from None
        if published is None:
            self.stdout.write(
                self.style.WARNING(
                    f"No anchor has been published yet in {settings.AUDIT_ANCHOR_DIR}: the chain links up, but "
                    "the removal of the latest events cannot be detected without one. Anchors are published "
                    "every day by the beat task audit-anchor-daily, or now with manage.py audit_anchor_publish."
                )
            )
            return
        problem = anchor_problem(event_id=published.event_id, digest=published.hash, count=published.count)
        if problem:
            raise CommandError(f"{problem} (anchor published on {published.day.isoformat()} in {anchor_file()}).")
        self.stdout.write(
            f"Latest published anchor ({published.day.isoformat()}): event #{published.event_id} and the "
            f"{published.count} events up to it are unchanged."
        )
