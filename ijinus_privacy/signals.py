"""Audit staff logins and failed attempts (R5.1). The attempted username is not kept."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from . import actors, audit


@receiver(user_logged_in, dispatch_uid="audit_login")
def audit_login(sender, request, user, **kwargs) -> None:
    audit.record(action=audit.Action.LOGIN, actor=user, object_type="auth.user", object_id=user.pk)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    audit.record(
        actor=actors.system("login-form"),
        action=audit.Action.LOGIN_FAILED,
        object_type="auth.user",
        reason="invalid credentials",
    )
