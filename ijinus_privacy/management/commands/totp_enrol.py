from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Give a staff member a TOTP device for admin two-factor login and print its otpauth:// URL."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--replace", action="store_true", help="Remove the member's existing TOTP devices first.")

    def handle(self, *args, username: str, replace: bool, **options) -> None:
        try:
            user = get_user_model().objects.get(username=username, is_staff=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No staff account named {username!r}.") from None
        if replace:
            TOTPDevice.objects.filter(user=user).delete()
        elif TOTPDevice.objects.filter(user=user).exists():
            raise CommandError(f"{username} already has a TOTP device; use --replace to issue a new one.")
        device = TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=True)
        self.stdout.write("Scan this URL as a QR code in an authenticator app (shown once):")
        self.stdout.write(device.config_url)
