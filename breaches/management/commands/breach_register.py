"""Export the register of breaches for an inspection (Art. 33(5)): ``--format pdf|csv --output PATH``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from breaches.documents import register_export
from ijinus_privacy import actors


class Command(BaseCommand):
    help = "Export the register of personal-data breaches (Art. 33(5)) as PDF or CSV."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=("pdf", "csv"), required=True, dest="fmt")
        parser.add_argument("--output", required=True, help="File to write (overwritten).")

    def handle(self, *args, fmt: str, output: str, **options):
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"Output folder does not exist: {path.parent}")
        content, _content_type, _name = register_export(fmt=fmt, actor=actors.system("breach-register-command"))
        path.write_bytes(content)
        self.stdout.write(self.style.SUCCESS(f"Register of breaches written to {path} ({len(content)} bytes, {fmt})."))
