"""Re-erase people a backup restore brought back (R1.10.7). Dry run unless ``--commit``."""

from django.core.management.base import BaseCommand

from requests_dsar.erasure.services import erasures_reapply


class Command(BaseCommand):
    help = "Find subjects matching an erasure tombstone (hashed e-mail/phone) and erase them again."

    def add_arguments(self, parser):
        parser.add_argument("--commit", action="store_true", help="really erase them again")

    def handle(self, *args, commit: bool, **options):
        found = erasures_reapply(commit=commit)
        held = [match for match in found if match.held]
        for match in found:
            state = "held (legal hold in force, left for the DPO)" if match.held else "erased again"
            if not commit:
                state = "held" if match.held else "to erase again"
            self.stdout.write(f"  subject #{match.subject_id} (tombstone #{match.tombstone_id}): {state}")
        mode = "COMMITTED" if commit else "DRY RUN"
        tail = "" if commit else " Nothing changed; add --commit."
        self.stdout.write(f"{mode}: {len(found)} reappeared subject(s), {len(held)} held.{tail}")
