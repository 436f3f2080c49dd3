"""Run the retention sweep by hand. A dry run unless ``--commit`` (STYLE.md: Zulip's ``--for-real``)."""

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from retention.models import RetentionRule, SweepRun
from retention.services import sweep


class Command(BaseCommand):
    help = "Apply the retention rules (R4.7.1). Dry run by default: prints counts per rule."

    def add_arguments(self, parser):
        parser.add_argument("--commit", action="store_true", help="really delete, anonymise and archive")
        parser.add_argument("--now", type=date.fromisoformat, help="compute periods as of this date (YYYY-MM-DD)")
        parser.add_argument("--rule", type=int, help="only this rule (id)")
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--workers",
            type=int,
            default=settings.RETENTION_SWEEP_WORKERS,
            help="connections sharing a committed run's batches on PostgreSQL (default: RETENTION_SWEEP_WORKERS)",
        )

    def handle(self, *args, commit: bool, now: date | None, rule: int | None, batch_size: int, workers: int, **options):
        if workers < 1 or batch_size < 1:
            raise CommandError("--workers and --batch-size must be at least 1.")
        only = None
        if rule is not None:
            only = RetentionRule.objects.filter(pk=rule).first()
            if only is None:
                raise CommandError(f"No retention rule with id {rule}.")
        run = sweep(
            now=now,
            commit=commit,
            rule=only,
            batch_size=batch_size,
            origin=SweepRun.Origin.COMMAND,
            workers=workers,
        )
        mode = "COMMITTED" if run.committed else "DRY RUN (nothing changed; add --commit)"
        self.stdout.write(f"Sweep run #{run.pk} as of {run.as_of}: {mode}, {run.get_status_display()}")
        for code, counts in sorted(run.counts.items()):
            shown = ", ".join(f"{action}={n}" for action, n in sorted(counts.items())) or "nothing due"
            self.stdout.write(f"  {code}: {shown}")
        for code, why in sorted(run.skipped.items()):
            self.stdout.write(f"  {code}: skipped ({why})")
        for error in run.errors:
            self.stderr.write(f"  {error['rule']}: error {error['error']}")
        if run.errors:
            raise CommandError("The sweep stopped on errors; run it again to finish the work.")
