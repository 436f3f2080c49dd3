from django.core.management.base import BaseCommand

from ijinus_privacy.audit_anchors import anchor_file, audit_anchor_publish


class Command(BaseCommand):
    help = (
        "Publish today's audit-trail anchor now: append it to AUDIT_ANCHOR_DIR and e-mail it to the DPO "
        "(the beat task audit-anchor-daily does it every morning). Run it once right after upgrading."
    )

    def handle(self, *args, **options) -> None:
        anchor = audit_anchor_publish()
        if anchor is None:
            self.stdout.write("The audit trail is empty: nothing to anchor yet.")
            return
        self.stdout.write(
            self.style.SUCCESS(f"Anchor of {anchor.day.isoformat()} in {anchor_file()}: {anchor.reference}")
        )
