"""Give the four rules seeded without a decided period their period, and switch the logs rule on.

- logs: 12 months (the upper end of the CNIL's 6-12 months, recommendation 2021-122), applied by
  the audit trail's checkpointed purge (``ijinus_privacy.audit_retention``); switched on.
- consent proofs: 3 years after the end of the processing, the policy's period after unsubscription,
  kept as proof only (EDPB Guidelines 05/2020 ¶107). Off until its record sweeper exists.
- request files: 5 years after closure (limitation period, C. civ. art. 2224), proposed for the
  DPO's decision: the rule keeps "requires approval", so its first committed run records it.
- sensitive data: period 0, deleted on receipt by the DPO's action; stays off by decision (no
  automatic sweep can recognise sensitive content).

A rule the DPO already changed (version above 1) is left as it is. Each change keeps the previous
state as a rule version, as ``retention.services.rules.rule_update`` does.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations

CHANGES = {
    "logs": {
        "enabled": True,
        "active_months": 12,
        "register_entry": "P13",
        "source_reference": "CNIL recommendation 2021-122 (logs kept 6 to 12 months); GDPR Art. 32",
        "justification": "Audit trail and access logs: 12 months, the upper end of the CNIL's recommended 6 to 12 "
        "months (setting AUDIT_RETENTION_MONTHS). Older events are purged every night behind a signed "
        "checkpoint, so the remaining trail can still be verified.",
        "dpo_flag": "",
    },
    "consent-proofs": {
        "active_months": 36,
        "register_entry": "P07",
        "source_reference": "Privacy policy §5 (3 years after unsubscription); EDPB Guidelines 05/2020 ¶107",
        "justification": "Proofs of consent are kept 3 years after the processing ends (unsubscription or "
        "withdrawal), as proof and suppression data only, never for marketing.",
        "dpo_flag": "⚑ Website subscribers: the policy says 5 years after unsubscription; confirm whether their "
        "proofs follow 3 or 5 years. The rule stays off until its record sweeper exists; its first committed "
        "run waits for the DPO's approval.",
    },
    "dsr-files": {
        "active_months": 60,
        "source_reference": "No statutory period; 5-year limitation period (Code civil art. 2224)",
        "justification": "Request files and the breach register are kept 5 years after closure, the period during "
        "which the handling of a request or a breach can be challenged. Proposed for the DPO's decision: "
        "approving the rule records that decision.",
        "dpo_flag": "⚑ DPO decision: approve or change the 5 years (no source fixes it).",
    },
    "sensitive-data": {
        "active_months": 0,
        "justification": "Period 0: sensitive data (Art. 9) received by accident is deleted on receipt by the "
        "DPO's « sensitive data received » action. Decision: the rule stays off, because no automatic sweep can "
        "recognise sensitive content in free text.",
        "dpo_flag": "",
    },
}


def forwards(apps, schema_editor):
    RetentionRule = apps.get_model("retention", "RetentionRule")
    RetentionRuleVersion = apps.get_model("retention", "RetentionRuleVersion")
    for code, changes in CHANGES.items():
        rule = RetentionRule.objects.filter(code=code, version=1).first()
        if rule is None:
            continue
        previous = json.loads(
            json.dumps({f.attname: getattr(rule, f.attname) for f in rule._meta.concrete_fields}, cls=DjangoJSONEncoder)
        )
        changed = sorted(name for name, value in changes.items() if getattr(rule, name) != value)
        if not changed:
            continue
        for name in changed:
            setattr(rule, name, changes[name])
        RetentionRuleVersion.objects.create(
            rule=rule, version=rule.version, previous_state=previous, changed_fields=changed, changed_by=None
        )
        rule.version += 1
        rule.save()


class Migration(migrations.Migration):
    dependencies = [("retention", "0004_sweep_run_interrupted_resumed"), ("consents", "0002_seed_register")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
