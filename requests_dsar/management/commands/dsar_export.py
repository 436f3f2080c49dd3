"""Build a subject's export synchronously, through the same job as the workers:
``--subject EMAIL --format json|pdf|portability --output PATH``."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ijinus_privacy import actors
from requests_dsar.exports import delivery, services
from requests_dsar.models import ExportJob
from subjects.models import DataSubject

FORMATS = {
    "pdf": ExportJob.Kind.ACCESS_PDF,
    "json": ExportJob.Kind.ACCESS_JSON,
    "portability": ExportJob.Kind.PORTABILITY,
}


class Command(BaseCommand):
    help = "Export a data subject's personal data (access PDF/JSON or portability zip) to a file."

    def add_arguments(self, parser):
        parser.add_argument("--subject", required=True, help="The subject's e-mail address.")
        parser.add_argument("--format", choices=sorted(FORMATS), required=True, dest="fmt")
        parser.add_argument("--output", required=True, help="File to write (overwritten; not encrypted).")

    def handle(self, *args, subject: str, fmt: str, output: str, **options):
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"Output folder does not exist: {path.parent}")
        matches = list(DataSubject.objects.with_email(subject)[:2])
        if len(matches) != 1:
            raise CommandError("No single data subject has this e-mail address." if matches else "No such subject.")
        try:
            job = services.export_job_create_for_subject(
                subject=matches[0], kind=FORMATS[fmt], actor=actors.system("dsar-export-command")
            )
        except ValidationError as refused:
            raise CommandError(" ".join(refused.messages)) from None
        job = services.export_build(job_id=job.pk)
        if job.status != ExportJob.Status.DONE:
            raise CommandError(f"Export job #{job.pk} failed: {job.error_code}")
        path.write_bytes(delivery.export_read_for_operator(job=job))
        self.stdout.write(
            self.style.SUCCESS(f"Export #{job.pk} written to {path} ({job.size} bytes, sha256 {job.sha256}).")
        )
