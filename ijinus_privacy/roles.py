"""Staff roles (R5.2.1) as Django groups with explicit permission sets.

Each role lists permission patterns, ``app_label.codename`` with shell wildcards; a leading ``-``
removes what an earlier pattern granted. ``roles_sync`` makes every group hold exactly its set,
so running it again (after every ``migrate``) is harmless and repairs hand edits.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction

DPO = "DPO"
CUSTOMER_SERVICE = "Customer service"
ARCHIVIST = "Archivist"
SALES = "Sales"
ADMINISTRATOR = "Administrator"

PERSONAL_DATA_APPS = ("subjects", "consents", "requests_dsar", "retention")

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    # The DPO decides: everything on personal data, the register and the audit trail.
    DPO: (
        *(f"{app}.*" for app in PERSONAL_DATA_APPS),
        # Breaches (Art. 33-34): the DPO assesses, notifies the CNIL, writes to the people, closes.
        "breaches.*",
        # Connected systems (issue 15): the DPO manages them, retries or waives their tasks.
        "connectors.*_connectedsystem",
        "connectors.*_connectortask",
        "connectors.*_webhookdelivery",  # webhook deliveries: read, redeliver (connectors.webhooks)
        # API clients of the connected systems: the DPO issues and revokes their keys (never edits or deletes).
        "connectors.view_apiclient",
        "connectors.issue_apiclient",
        "connectors.revoke_apiclient",
        "ijinus_privacy.view_auditevent",
        "ijinus_privacy.view_auditcheckpoint",  # the purged periods of the trail (R5.1.3)
        # Outgoing e-mails: states and errors only, never their content (ijinus_privacy.outbox).
        "ijinus_privacy.view_outboxmessage",
        "ijinus_privacy.retry_outboxmessage",
        "-retention.view_archived*",
        "-retention.access_archive",
        # Records kept after an erasure are archive: the Archivist's (R4.4.2).
        "-requests_dsar.view_erasurekeep",
    ),
    # Customer service logs and follows up; never deletes, approves, erases or audits.
    CUSTOMER_SERVICE: (
        "subjects.view_*",
        "subjects.add_*",
        "subjects.change_*",
        "consents.view_*",
        "consents.add_consentevent",
        # Art. 14: who got a person's data from a list or a fair records it, and when the person was told.
        "consents.add_indirectcollection",
        "consents.change_indirectcollection",
        "requests_dsar.view_*",
        "requests_dsar.add_*",
        "requests_dsar.change_*",
        "requests_dsar.verify_identity",
        "requests_dsar.send_letter",
        # A suspected breach is recorded by whoever hears of it first; only the DPO assesses, notifies,
        # closes, and reads the breach register (R5.2.1): customer service adds, never views.
        "breaches.add_breach",
        # What the connected systems did for a request: seen, never retried, waived or configured.
        "connectors.view_connectortask",
        "-*.delete_*",
        "-*.approve_*",
        "-*.decide_*",
        "-*.erase_*",
        # The register of processing (R3.1) is view-only for customer service: only the DPO changes or exports it.
        "-consents.add_processingactivity",
        "-consents.change_processingactivity",
        "-consents.export_register",
        "-consents.add_recipient",
        "-consents.change_recipient",
        "-requests_dsar.extend_*",
        "-requests_dsar.charge_*",
        "-subjects.purge_sensitive*",
        "-subjects.*_sensitivedataflag",
        "-subjects.*_restriction*",
        "-requests_dsar.view_erasurekeep",
        "-subjects.*_importjob",  # imports are the DPO's
    ),
    # The archivist alone opens the intermediate archive (R4.4.2), each time with a reason, and sees
    # the archive only: no active people, no data hanging on them.
    ARCHIVIST: (
        "retention.view_*",
        "retention.access_archive",
        "requests_dsar.view_erasurekeep",
    ),
    # Sales (R5.2.1) work the prospects and clients: their identity, roles and commercial history,
    # and whether they may be contacted (consents, marketing bases, the audience of a channel).
    # Never the archive, identity checks, requests, the breach register, restrictions and their
    # overrides, sensitive-data flags, deletions or imports.
    SALES: (
        "subjects.view_datasubject",
        "subjects.add_datasubject",
        "subjects.change_datasubject",
        "subjects.view_subjectrole",
        "subjects.add_subjectrole",
        "subjects.change_subjectrole",
        "subjects.view_contract",
        "subjects.view_order",
        "subjects.view_delivery",
        "subjects.view_promotionparticipation",
        "subjects.add_promotionparticipation",
        "subjects.view_assumedinterest",
        "consents.view_consentevent",
        "consents.add_consentevent",
        "consents.view_marketingbasis",
        "consents.view_notice",
        "consents.export_audience",
        "consents.view_processingactivity",
    ),
    # The administrator (R5.2.1, R5.2.4) keeps the staff accounts personal and revokes them when
    # people leave, and watches the technical queues; sees no personal data, approves nothing,
    # and cannot give anyone (themselves included) superuser status or loose permissions
    # (ijinus_privacy.staff_admin). Roles are code: groups are read-only.
    ADMINISTRATOR: (
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        "ijinus_privacy.view_outboxmessage",
        "ijinus_privacy.retry_outboxmessage",
        "connectors.view_connectedsystem",
        "connectors.view_webhookdelivery",
    ),
}


def permissions_for(patterns: tuple[str, ...], available: dict[str, Permission]) -> set[Permission]:
    granted: set[str] = set()
    for pattern in patterns:
        if pattern.startswith("-"):
            granted = {key for key in granted if not fnmatchcase(key, pattern[1:])}
        else:
            matched = {key for key in available if fnmatchcase(key, pattern)}
            granted |= matched
    return {available[key] for key in granted}


@transaction.atomic
def roles_sync(*, using: str = "default") -> dict[str, int]:
    """Create the role groups and give each exactly its permissions. Returns counts per role."""
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    available = {
        f"{perm.content_type.app_label}.{perm.codename}": perm
        for perm in Permission.objects.using(using).select_related("content_type")
    }
    counts = {}
    for role, patterns in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=role)
        perms = permissions_for(patterns, available)
        group.permissions.set(perms)
        counts[role] = len(perms)
    return counts


def roles_sync_after_migrate(*, using: str = "default", **kwargs) -> None:
    roles_sync(using=using)
