"""Where the information duties plug into the rest of the app (connected in ``ConsentsConfig.ready``).

* Each new version of a register entry (``RegisterVersion``, written by the register's services in
  their transaction) is compared with the previous state: a substantive change (new purpose, new
  recipients, new transfers, new data categories) flags the consents of every purpose depending on
  that entry for re-consent, in the same transaction (EDPB Guidelines 05/2020 ¶110). The register
  service may instead call ``services.information.reconsent_on_register_change`` itself.
* The outbox tells the policy-change records when their e-mail left.
"""

from __future__ import annotations

from django.db.models.signals import post_save

from ijinus_privacy import actors, outbox

from .models import ProcessingActivity, RegisterVersion


def _register_version_saved(sender, instance: RegisterVersion, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw or instance.previous_state is None:
        return
    if instance.object_type != ProcessingActivity._meta.label_lower:
        return
    from .services.information import reconsent_on_register_change

    activity = ProcessingActivity.objects.filter(pk=instance.object_id).first()
    if activity is None:
        return
    name = instance.changed_by_username or ""
    actor = instance.changed_by or actors.system(name.removeprefix("system:") or "register")
    reconsent_on_register_change(
        activity=activity,
        previous=instance.previous_state,
        state=instance.state,
        actor=actor,
        changed_at=instance.changed_at,
    )


def connect() -> None:
    from .services.information import POLICY_NOTIFICATION_PURPOSE, policy_notification_sent

    post_save.connect(_register_version_saved, sender=RegisterVersion, dispatch_uid="consents.reconsent_on_register")
    outbox.register_on_sent(POLICY_NOTIFICATION_PURPOSE, policy_notification_sent)
