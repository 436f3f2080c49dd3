from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from ijinus_privacy import roles

DEMO_LOGINS = (
    ("dpo", "dpo-demo-2026", roles.DPO),
    ("support", "support-demo-2026", roles.CUSTOMER_SERVICE),
    ("archivist", "archivist-demo-2026", roles.ARCHIVIST),
)


class Command(BaseCommand):
    help = "Create the demo staff logins (embedded mode only) and print them."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo logins exist only in embedded mode (DJANGO_DEBUG=true).")
        roles.roles_sync()
        user_model = get_user_model()
        self.stdout.write("Demo logins (embedded mode only):")
        for username, password, role in DEMO_LOGINS:
            user, created = user_model.objects.get_or_create(username=username, defaults={"is_staff": True})
            if created or not user.has_usable_password():  # seed_demo creates dpo and support without one
                user.set_password(password)
                user.save()
            user.groups.set([Group.objects.get(name=role)])
            self.stdout.write(f"  {role:<17} {username:<10} / {password}")
