"""Every write of the consents app: the register (``register``) and consent records (``consent``)."""

from ijinus_privacy import audit

from .consent import (
    consent_record,
    consent_withdraw,
    cookie_consents_expire,
    current_event,
    current_state,
    is_suppressed,
    marketing_basis_record,
    marketing_objection_record,
    notice_create,
    subject_create_with_consent,
    suppression_add,
    suppression_add_for_subject,
)
from .register import (
    ACTIVITY_M2M,
    ACTIVITY_SCALAR_FIELDS,
    PURPOSE_FIELDS,
    activity_create,
    activity_snapshot,
    activity_update,
    activity_validate,
    recipient_save,
    reference_save,
    register_export_record,
)

__all__ = [
    "ACTIVITY_M2M",
    "ACTIVITY_SCALAR_FIELDS",
    "PURPOSE_FIELDS",
    "activity_create",
    "activity_snapshot",
    "activity_update",
    "activity_validate",
    "audit",
    "consent_record",
    "consent_withdraw",
    "cookie_consents_expire",
    "current_event",
    "current_state",
    "is_suppressed",
    "marketing_basis_record",
    "marketing_objection_record",
    "notice_create",
    "recipient_save",
    "reference_save",
    "register_export_record",
    "subject_create_with_consent",
    "suppression_add",
    "suppression_add_for_subject",
]
