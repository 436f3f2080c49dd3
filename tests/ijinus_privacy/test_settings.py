"""The two runtime modes, checked in fresh interpreters with controlled environments."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "t3st-0nly-s3cret-kEy-for-deploy-checks-qwertyuiopasdfghjklzxcvbnm",
    "DJANGO_ALLOWED_HOSTS": "privacy.ijinus.example",
    "DATABASE_URL": "postgres://ijinus@db.invalid:5432/ijinus_privacy",
    "REDIS_URL": "redis://redis.invalid:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.invalid:587",
    "IDENTIFIER_HASH_KEY": "t3st-only-identifier-hash-key-0123456789abcdefghijklmnop",
    "AUDIT_HMAC_KEYS": "2026-12:t3st-only-audit-hmac-key-0123456789abcdefghijklmnop",
    "PUBLIC_BASE_URL": "https://privacy.ijinus.example",
}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG", "TMPDIR"}}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def settings_snapshot(env: dict[str, str]) -> str:
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'ijinus_privacy.settings'); "
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.MAILERS['default']['BACKEND'])"
    )
    result = run(["-c", code], env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_embedded_mode_without_environment():
    assert settings_snapshot({}) == (
        "True django.db.backends.sqlite3 True django.core.mail.backends.console.EmailBackend"
    )


def test_production_mode_from_environment():
    assert settings_snapshot(PRODUCTION_ENV) == (
        "False django.db.backends.postgresql False django.core.mail.backends.smtp.EmailBackend"
    )


def test_production_without_secret_fails_at_start_with_a_clear_message():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "DJANGO_SECRET_KEY"}

    result = run(["manage.py", "check"], env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_deploy_checks_pass_in_production_mode():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_checks_require_a_stable_identifier_hash_key():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "IDENTIFIER_HASH_KEY"}

    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)

    assert result.returncode != 0
    assert "IDENTIFIER_HASH_KEY is not set" in result.stdout + result.stderr


def test_production_without_an_audit_hmac_key_fails_at_start_with_a_clear_message():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "AUDIT_HMAC_KEYS"}

    result = run(["manage.py", "check"], env)

    assert result.returncode != 0
    assert "AUDIT_HMAC_KEYS must be set when DJANGO_DEBUG=false" in result.stderr


def test_a_malformed_audit_hmac_key_list_fails_at_start_with_a_clear_message():
    result = run(["manage.py", "check"], {"AUDIT_HMAC_KEYS": "2026-12:too-short"})

    assert result.returncode != 0
    assert "AUDIT_HMAC_KEYS must be a comma-separated list of ID:KEY, the current key first" in result.stderr


def test_audit_hmac_keys_are_read_current_first():
    code = (
        "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'ijinus_privacy.settings'); "
        "from django.conf import settings as s; print(list(s.AUDIT_HMAC_KEYS))"
    )
    keys = f"new:{'n' * 40}, old:{'o' * 40}"

    result = run(["-c", code], {"AUDIT_HMAC_KEYS": keys})

    assert result.stdout.strip() == "['new', 'old']", result.stderr


def cache_backend(env: dict[str, str]) -> str:
    code = (
        "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'ijinus_privacy.settings'); "
        "from django.conf import settings as s; c = s.CACHES['default']; print(c['BACKEND'], c['LOCATION'])"
    )
    result = run(["-c", code], env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_rate_limits_use_a_cache_shared_by_every_process():
    assert cache_backend(PRODUCTION_ENV) == "django.core.cache.backends.redis.RedisCache redis://redis.invalid:6379/0"
    assert cache_backend({}) == f"django.core.cache.backends.filebased.FileBasedCache {ROOT / 'var' / 'cache'}"


def test_production_without_public_base_url_fails_at_start_with_a_clear_message():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "PUBLIC_BASE_URL"}

    result = run(["manage.py", "check"], env)

    assert result.returncode != 0
    assert "PUBLIC_BASE_URL must be set" in result.stderr


@pytest.mark.parametrize("url", ["http://localhost:8000", "https://127.0.0.1", "http://privacy.ijinus.example"])
def test_deploy_checks_require_the_public_https_address_of_e_mailed_links(url):
    env = {**PRODUCTION_ENV, "PUBLIC_BASE_URL": url}

    result = run(["manage.py", "check", "--deploy"], env)

    assert result.returncode != 0
    assert "ijinus_privacy.E012" in result.stderr
    assert "PUBLIC_BASE_URL" in result.stderr
