"""Erase a data subject: ``--subject EMAIL --actor USERNAME [--commit]``.

A dry run prints the erasure plan and changes nothing (STYLE.md: Zulip's ``--for-real``).
``--commit`` logs an erasure request, decided and completed by that DPO user, and executes it.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from requests_dsar.erasure.plan import erasure_plan
from requests_dsar.erasure.services import DECIDE_PERMISSION, erasure_by_operator, hold_refusal_message
from requests_dsar.models import ErasureGround
from subjects.models import DataSubject


class Command(BaseCommand):
    help = "Erase a data subject (Art. 17). Dry run by default: prints the erasure plan."

    def add_arguments(self, parser):
        parser.add_argument("--subject", required=True, help="The subject's e-mail address.")
        parser.add_argument("--actor", required=True, help="Username of the DPO who decides the erasure.")
        parser.add_argument(
            "--ground",
            choices=ErasureGround.values,
            default=ErasureGround.NO_LONGER_NECESSARY,
            help="Art. 17(1) ground relied on.",
        )
        parser.add_argument("--commit", action="store_true", help="really erase")

    def handle(self, *args, subject: str, actor: str, ground: str, commit: bool, **options):
        user = get_user_model().objects.filter(username=actor, is_active=True).first()
        if user is None or not user.has_perm(DECIDE_PERMISSION):
            raise CommandError("The actor must be an active DPO user (permission to decide requests).")
        matches = list(DataSubject.objects.with_email(subject)[:2])
        if len(matches) != 1:
            raise CommandError("No single data subject has this e-mail address." if matches else "No such subject.")
        target = matches[0]
        plan = erasure_plan(subject_id=target.pk)
        self.stdout.write(plan.as_text())
        self.stdout.write(f"  ground: {ErasureGround(ground).label}")
        if plan.blocked:
            raise CommandError(hold_refusal_message(plan))
        if not commit:
            self.stdout.write("DRY RUN: nothing changed; add --commit to erase.")
            return
        try:
            result = erasure_by_operator(subject=target, ground=ground, actor=user)
        except (ValidationError, PermissionDenied) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            raise CommandError("; ".join(messages)) from None
        record = result.record
        record.request.refresh_from_db()
        outcome = (
            "completed"
            if not record.request.is_open
            else "awaiting the connected systems' confirmation (decide it once they confirmed)"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Erased: erasure record #{record.pk}, request #{record.request_id} {outcome}, "
                f"{len(record.kept)} kept group(s), {record.notifications} recipient notification(s)."
            )
        )
