from django.core.management.base import BaseCommand

from ijinus_privacy.outbox import outbox_send_due


class Command(BaseCommand):
    help = (
        "Send the queued e-mails that are due, here and now (embedded mode has no beat; in production "
        "beat publishes them to the workers every minute). Prints how many ended in each state."
    )

    def handle(self, *args, **options) -> None:
        counts = outbox_send_due()
        summary = ", ".join(f"{state}: {count}" for state, count in sorted(counts.items())) or "nothing due"
        self.stdout.write(summary)
