"""Every write on data-subject requests: validated, in one transaction, with its audit event.

Permissions are checked here, not only in the admin, so that no path lets customer service
decide: the DPO alone approves, refuses, extends, charges a fee and closes (``request_decide``,
``request_extend``, ``request_charge_fee``). By topic: ``intake`` (logging a request),
``workflow`` (states, pauses, extension, decisions), ``identity`` (identity checks), ``timeline``
(the request file's events and due dates), ``searches`` (the data sources searched, R1.7.1),
``objection`` and ``post_mortem`` (Art. 21, LIL art. 85).
"""

from .identity import (
    IDENTITY_TOKEN_MAX_ATTEMPTS,
    IDENTITY_TOKEN_VALIDITY,
    IdentityCheckStarted,
    IdentityTokenError,
    identity_check_confirm_token,
    identity_check_record_callback,
    identity_check_record_document,
    identity_check_start,
)
from .intake import REQUEST_EDITABLE_FIELDS, RightAsked, request_add_note, request_log, request_update
from .searches import SEARCH_PERMISSION, source_search_record
from .timeline import first_due_on_so_far, hash_token, record_event, refresh_due_dates
from .workflow import (
    IDENTITY_REQUEST_MAX_WORKING_DAYS,
    SUPERSEDED_BY_ERASURE,
    ItemRefusal,
    PauseResult,
    missing_fulfilment,
    request_ask_information,
    request_assign,
    request_charge_fee,
    request_close_unverified,
    request_decide,
    request_extend,
    request_information_received,
    request_transition,
)

__all__ = [
    "IDENTITY_REQUEST_MAX_WORKING_DAYS",
    "IDENTITY_TOKEN_MAX_ATTEMPTS",
    "IDENTITY_TOKEN_VALIDITY",
    "REQUEST_EDITABLE_FIELDS",
    "SEARCH_PERMISSION",
    "SUPERSEDED_BY_ERASURE",
    "IdentityCheckStarted",
    "IdentityTokenError",
    "ItemRefusal",
    "PauseResult",
    "RightAsked",
    "first_due_on_so_far",
    "hash_token",
    "identity_check_confirm_token",
    "identity_check_record_callback",
    "identity_check_record_document",
    "identity_check_start",
    "missing_fulfilment",
    "record_event",
    "refresh_due_dates",
    "request_add_note",
    "request_ask_information",
    "request_assign",
    "request_charge_fee",
    "request_close_unverified",
    "request_decide",
    "request_extend",
    "request_information_received",
    "request_log",
    "request_transition",
    "request_update",
    "source_search_record",
]
