"""Admin login gates: two-factor in production (R5.2.2) and lockout after repeated failures."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ijinus_privacy.models import AuditEvent
from tests.factories import dpo_user

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"


def login(client, username, password=PASSWORD, **extra):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, **extra},
        headers={"accept-language": "en"},
    )


def current_token(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


@pytest.fixture
def two_factor(settings):
    settings.ADMIN_REQUIRE_2FA = True


NOW = datetime(2026, 3, 2, 9, 15, 7, tzinfo=UTC)
NEUTRAL_EN = "Incorrect username, password or code."
NEUTRAL_FR = "Identifiant, mot de passe ou code incorrect."


def wrong_token(device: TOTPDevice) -> str:
    """A code valid at no step the device accepts (its tolerance is one step either side)."""
    accepted = {
        totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
        for drift in range(-device.tolerance - 1, device.tolerance + 2)
    }
    return f"{next(code for code in range(10**6) if code not in accepted):06d}"


def login_error(response) -> list[str]:
    return [str(error) for error in response.context["form"].non_field_errors()]


@time_machine.travel(NOW, tick=False)
def test_with_two_factor_a_password_alone_does_not_open_the_admin(client, two_factor):
    user = dpo_user()
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    response = login(client, user.username)

    assert response.status_code == 200  # the login form again, with an error
    assert login_error(response) == [NEUTRAL_EN]
    assert client.get(reverse("admin:index")).status_code == 302


@time_machine.travel(NOW, tick=False)
def test_with_two_factor_password_and_code_open_the_admin_at_the_first_attempt(client, two_factor):
    user = dpo_user()
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    response = login(client, user.username, otp_token=current_token(device))  # no device to choose

    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


@time_machine.travel(NOW, tick=False)
def test_the_login_page_asks_for_the_code_in_the_same_step(client, two_factor):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"  # the admin's language: ijinus_privacy.staff_language
    page = client.get(reverse("admin:login"))

    assert 'name="otp_token"' in page.text
    assert "otp_device" not in page.text
    assert "Code de vérification" in page.text


@time_machine.travel(NOW, tick=False)
def test_a_wrong_password_and_a_wrong_code_get_the_same_answer(client, two_factor):
    user = dpo_user()
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    wrong_password = login(client, user.username, password="wrong-password", otp_token=current_token(device))
    wrong_code = login(client, user.username, otp_token=wrong_token(device))
    no_code = login(client, user.username)

    assert wrong_password.status_code == wrong_code.status_code == no_code.status_code == 200
    assert login_error(wrong_password) == login_error(wrong_code) == login_error(no_code) == [NEUTRAL_EN]
    assert client.get(reverse("admin:index")).status_code == 302


@time_machine.travel(NOW, tick=False)
def test_the_french_login_page_answers_in_french(client, two_factor):
    user = dpo_user()
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.post(
        reverse("admin:login"),
        {"username": user.username, "password": PASSWORD, "otp_token": wrong_token(device)},
    )

    assert login_error(response) == [NEUTRAL_FR]
    assert NEUTRAL_FR in response.text


@time_machine.travel(NOW, tick=False)
def test_wrong_codes_count_towards_the_lockout(client, two_factor, settings):
    user = dpo_user()
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, user.username, otp_token=wrong_token(device))

    response = login(client, user.username, otp_token=current_token(device))

    assert response.status_code == 429
    assert client.get(reverse("admin:index")).status_code == 302


def test_without_two_factor_embedded_mode_accepts_the_password(client):
    user = dpo_user()

    login(client, user.username)

    assert client.get(reverse("admin:index")).status_code == 200


def test_totp_enrol_prints_an_otpauth_url(capsys):
    user = dpo_user()

    call_command("totp_enrol", user.username)

    assert "otpauth://totp/" in capsys.readouterr().out
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1


def test_repeated_failures_lock_the_account_even_with_the_right_password(client, settings):
    user = dpo_user()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, user.username, password="wrong-password")

    response = login(client, user.username)

    assert response.status_code == 429
    assert "Too many failed logins" in response.text
    assert client.get(reverse("admin:index")).status_code == 302
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).count() >= settings.AXES_FAILURE_LIMIT


def login_from(client, address, username, password=PASSWORD, **headers):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password},
        headers={"accept-language": "en", **headers},
        REMOTE_ADDR=address,
    )


def test_spraying_many_usernames_from_one_address_locks_the_address(client, settings):
    user = dpo_user()
    for number in range(settings.AXES_ADDRESS_FAILURE_LIMIT):
        login_from(client, "203.0.113.9", f"someone{number}", password="wrong-password")

    locked = login_from(client, "203.0.113.9", user.username)

    assert locked.status_code == 429
    assert "Too many failed logins" in locked.text
    assert login_from(client, "198.51.100.4", user.username).status_code == 302  # another address logs in


def test_a_few_failures_on_many_usernames_stay_below_the_address_limit(client, settings):
    user = dpo_user()
    for number in range(settings.AXES_ADDRESS_FAILURE_LIMIT - 1):
        login_from(client, "203.0.113.9", f"someone{number}", password="wrong-password")

    assert login_from(client, "203.0.113.9", user.username).status_code == 302


def test_behind_the_proxy_the_lockout_is_per_visitor_not_per_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    user = dpo_user()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login_from(client, "10.0.0.2", user.username, password="wrong", x_forwarded_for="203.0.113.9")

    assert login_from(client, "10.0.0.2", user.username, x_forwarded_for="203.0.113.9").status_code == 429
    assert login_from(client, "10.0.0.2", user.username, x_forwarded_for="198.51.100.4").status_code == 302
