from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ijinus_privacy.audit import verify_chain
from ijinus_privacy.audit_anchors import (
    AnchorFileError,
    anchor_file,
    anchor_problem,
    published_anchors,
    published_anchors_problem,
)
from ijinus_privacy.audit_retention import checkpoint_file, published_checkpoints_problem
from ijinus_privacy.models import AuditCheckpoint, AuditEvent


class Command(BaseCommand):
    help = (
        "Verify the audit trail's keyed hash chain and the anchors published in AUDIT_ANCHOR_DIR; "
        "exit non-zero naming the first bad event (R5.1.3). --anchor ID:HASH checks a kept anchor instead "
        "(one printed by an earlier run or e-mailed to the DPO), which also catches the removal of the latest events. "
        "After a retention purge, the signed checkpoints prove the remaining chain starts where the purge ended."
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
            self._check_published_anchors()
            problem = published_checkpoints_problem()
            if problem:
                raise CommandError(f"{problem}.")
        self._report_checkpoints()
        total = AuditEvent.objects.count()
        legacy = AuditEvent.objects.filter(key_id="").count()
        legacy_note = f" ({legacy} of them hashed without a key, before the chain was keyed)" if legacy else ""
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {total} events verified{legacy_note}."))
        last = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
        if last:
            self.stdout.write(f"Anchor to keep outside the database: {last[0]}:{last[1]}")

    def _report_checkpoints(self) -> None:
        checkpoints = list(AuditCheckpoint.objects.order_by("id"))
        if not checkpoints:
            return
        last = checkpoints[-1]
        purged = sum(checkpoint.purged_count for checkpoint in checkpoints)
        self.stdout.write(
            f"{len(checkpoints)} signed checkpoint(s) account for {purged} purged events (R5.1.3); the remaining "
            f"chain starts where checkpoint #{last.pk} ends (event #{last.last_event_id}, hash {last.last_hash}). "
            f"Published copy: {checkpoint_file()}."
        )

    def _check_published_anchors(self) -> None:
        try:
            anchors = published_anchors()
        except AnchorFileError as error:
            raise CommandError(f"The published anchors cannot be read: {error}.") from None
        if not anchors:
            self.stdout.write(
                self.style.WARNING(
                    f"No anchor has been published yet in {settings.AUDIT_ANCHOR_DIR}: the chain links up, but "
                    "the removal of the latest events cannot be detected without one. Anchors are published "
                    "every day by the beat task audit-anchor-daily, or now with manage.py audit_anchor_publish."
                )
            )
            return
        failing = published_anchors_problem(anchors)
        if failing:
            anchor, problem = failing
            raise CommandError(f"{problem} (anchor published on {anchor.day.isoformat()} in {anchor_file()}).")
        latest = anchors[-1]
        self.stdout.write(
            f"Latest published anchor ({latest.day.isoformat()}): event #{latest.event_id} and the "
            f"{latest.count} events up to it are unchanged ({len(anchors)} published anchors checked)."
        )
