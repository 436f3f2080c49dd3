"""Every write on breaches, by topic, each in a transaction with its version and audit event."""

from .affected import (
    Added,
    affected_add_subjects,
    affected_from_register,
    affected_import_emails,
    parse_emails,
    register_query,
    register_sources,
)
from .alerts import recorded_alert_send, reminders_send
from .assessment import breach_assess
from .breach import breach_close, breach_record, breach_state, breach_update, version_write
from .notification import notification_submit

__all__ = [
    "Added",
    "affected_add_subjects",
    "affected_from_register",
    "affected_import_emails",
    "breach_assess",
    "breach_close",
    "breach_record",
    "breach_state",
    "breach_update",
    "notification_submit",
    "parse_emails",
    "recorded_alert_send",
    "register_query",
    "register_sources",
    "reminders_send",
    "version_write",
]
