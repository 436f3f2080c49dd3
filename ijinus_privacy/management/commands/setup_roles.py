from django.core.management.base import BaseCommand

from ijinus_privacy.roles import roles_sync


class Command(BaseCommand):
    help = "Create the staff roles (DPO, Customer service, Archivist) with their permissions. Idempotent."

    def handle(self, *args, **options) -> None:
        for role, count in roles_sync().items():
            self.stdout.write(f"{role}: {count} permissions")
