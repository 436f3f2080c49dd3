"""This app's personal-data sources (DESIGN.md "Architecture"; R3.2.1).

One source per coherent group of data. ``collect`` reads one subject for access and portability
exports; ``dispose`` deletes or irreversibly anonymises a batch of subjects with one set-based
``UPDATE`` or ``DELETE`` per model (no per-object ``save()``, no signals), inside the caller's
transaction. Anonymising overwrites every personal field with a blank, ``NULL`` or constant value;
nothing derived from the old value (no hash) survives. Rows whose every field is personal, or that
mean nothing once the person is gone, are deleted instead (``anonymised = None``).

Register-entry codes follow LEGAL.md R3.3 in table order (P01 prospects ... P15 post-mortem
directives); data-category codes are those of ``consents.DataCategory``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _

from ijinus_privacy.personal_data import (
    CollectedData,
    Delete,
    Disposal,
    PersonalDataSource,
    Step,
    Update,
    for_subjects,
)

from . import models as m

# Register entries of LEGAL.md R3.3, in table order.
P_PROSPECTS = "P01"
P_QUOTES = "P02"
P_CLIENTS = "P03"
P_ACCOUNTING = "P04"
P_PLATFORM = "P05"
P_WEBSITE_ACCOUNTS = "P06"
P_NEWSLETTER = "P07"
P_PROSPECTION = "P08"
P_COOKIES = "P09"
P_SOCIAL = "P10"
P_RIGHTS_REQUESTS = "P11"
P_POST_MORTEM = "P15"


# What anonymising a person writes on their own row (policy §3.1, R4.4.3): every identifying
# column and the free-text notes are blanked. Kind, language and country stay, for statistics
# (none singles anyone out). The retention sweep and the identity source both use this one dict.
ANONYMISED_IDENTITY: dict[str, Any] = {
    "last_name": "",
    "first_names": "",
    "marital_status": "",
    "date_of_birth": None,
    "street_address": "",
    "postal_code": "",
    "city": "",
    "email": "",
    "phone": "",
    "organisation": "",
    "job_title": "",
    "deceased_on": None,
    "notes": "",
}


@dataclass(frozen=True)
class Part:
    """One model of a source: the fields shown in an export and what anonymising writes."""

    model: type[models.Model]
    fields: tuple[str, ...]
    # field -> constant (or expression not derived from the value); ``None``: delete the rows instead.
    anonymised: dict[str, Any] | None = None
    subject_field: str = "subject_id"


def _readable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


class ModelSource(PersonalDataSource):
    """A source made of model parts; children come before parents so deletes respect foreign keys."""

    parts: tuple[Part, ...] = ()

    def __init__(self) -> None:
        self.models = tuple(part.model for part in self.parts)

    def collect(self, subject_id: int) -> CollectedData:
        records: list[dict[str, Any]] = []
        labels: dict[str, str] = {}
        for part in reversed(self.parts):
            opts = part.model._meta
            for name in part.fields:
                labels[name] = str(opts.get_field(name).verbose_name)
            rows = part.model._default_manager.filter(**{part.subject_field: subject_id}).order_by("pk")
            for obj in rows:
                record: dict[str, Any] = {"record": str(opts.verbose_name)}
                for name in part.fields:
                    field = opts.get_field(name)
                    value = getattr(obj, field.attname)
                    if field.choices and value not in (None, ""):
                        value = str(getattr(obj, f"get_{name}_display")())
                    record[name] = _readable(value)
                records.append(record)
        return CollectedData(
            source=self.name,
            label=str(self.label),
            categories=tuple(self.categories),
            records=records,
            field_labels=labels,
        )

    def disposal_steps(self, subject_ids: Sequence[int], *, disposal: Disposal) -> list[Step]:
        steps: list[Step] = []
        for part in self.parts:
            rows = for_subjects(part.model._default_manager.all(), subject_ids, part.subject_field)
            if disposal == Disposal.ANONYMISE and part.anonymised is not None:
                steps.append(Update(rows, part.anonymised))
            else:
                steps.append(Delete(rows))
        return steps


class IdentitySource(ModelSource):
    name = "subjects.identity"
    label = _("Identity and contact details")
    categories = ("identity", "contact", "professional")
    register_entries = (
        P_PROSPECTS,
        P_QUOTES,
        P_CLIENTS,
        P_PLATFORM,
        P_WEBSITE_ACCOUNTS,
        P_NEWSLETTER,
        P_PROSPECTION,
        P_RIGHTS_REQUESTS,
    )
    parts = (
        Part(
            m.DataSubject,
            (
                "kind",
                "last_name",
                "first_names",
                "marital_status",
                "date_of_birth",
                "street_address",
                "postal_code",
                "city",
                "country",
                "email",
                "phone",
                "organisation",
                "job_title",
                "language",
                "deceased_on",
                "notes",
            ),
            anonymised=ANONYMISED_IDENTITY,
            subject_field="id",
        ),
    )

    def disposal_steps(self, subject_ids: Sequence[int], *, disposal: Disposal) -> list[Step] | None:
        if disposal == Disposal.ANONYMISE:
            return super().disposal_steps(subject_ids, disposal=disposal)
        return None  # deleting the person is ``dispose``'s business (every on_delete honoured)

    def dispose(self, subject_ids: Sequence[int], *, disposal: Disposal) -> int:
        if disposal == Disposal.ANONYMISE:
            return super().dispose(subject_ids, disposal=disposal)
        # Deleting the person removes every row that hangs on them: the ORM collector deletes the
        # children model by model, in batches (other apps' sources dispose of theirs first).
        deleted, _per_model = m.DataSubject.objects.filter(id__in=list(subject_ids)).delete()
        return deleted


class RoleSource(ModelSource):
    name = "subjects.roles"
    label = _("Roles held and their dates")
    categories = ("identity", "contract")
    register_entries = (
        P_PROSPECTS,
        P_CLIENTS,
        P_PLATFORM,
        P_WEBSITE_ACCOUNTS,
        P_NEWSLETTER,
        P_PROSPECTION,
        P_COOKIES,
    )
    parts = (
        Part(
            m.SubjectRole,
            ("role", *m.ROLE_DATE_FIELDS),
        ),
    )


class ContractSource(ModelSource):
    name = "subjects.contracts"
    label = _("Contracts")
    categories = ("contract",)
    register_entries = (P_CLIENTS,)
    parts = (
        Part(
            m.Contract,
            ("kind", "reference", "product_family", "started_on", "ended_on"),
            anonymised={"reference": ""},
        ),
    )


class OrderSource(ModelSource):
    name = "subjects.orders"
    label = _("Orders and deliveries")
    categories = ("order", "contact")
    register_entries = (P_CLIENTS,)
    parts = (
        Part(
            m.Delivery,
            ("delivered_on", "carrier", "tracking_number", "street_address", "postal_code", "city"),
            anonymised={"tracking_number": "", "street_address": "", "postal_code": "", "city": ""},
        ),
        Part(m.Order, ("reference", "ordered_on", "product_family", "quantity"), anonymised={"reference": ""}),
    )


class InvoiceSource(ModelSource):
    name = "subjects.invoices"
    label = _("Invoices and payments (kept 10 years, C. com. L.123-22)")
    categories = ("billing", "payment")
    register_entries = (P_ACCOUNTING, P_CLIENTS)
    parts = (
        Part(
            m.Payment,
            ("paid_on", "amount", "method", "payer_reference"),
            anonymised={"payer_reference": ""},
        ),
        Part(
            m.Invoice,
            ("number", "issued_on", "amount", "billing_name", "billing_address"),
            # The number is unique: replaced by a constant prefix and the row id, nothing of the old value.
            anonymised={
                "number": Concat(models.Value("ANON-"), Cast("id", models.CharField())),
                "billing_name": "",
                "billing_address": "",
            },
        ),
    )


class PromotionSource(ModelSource):
    name = "subjects.promotions"
    label = _("Promotional offers and events")
    categories = ("promotion",)
    register_entries = (P_PROSPECTION,)
    parts = (Part(m.PromotionParticipation, ("kind", "name", "participated_on")),)


class TicketSource(ModelSource):
    name = "subjects.tickets"
    label = _("Customer-service requests")
    categories = ("support",)
    register_entries = (P_CLIENTS, P_PLATFORM)
    parts = (
        Part(
            m.SupportTicket,
            ("opened_on", "channel", "status", "summary", "text", "closed_on"),
            anonymised={"summary": "", "text": ""},
        ),
    )


class NavigationSource(ModelSource):
    name = "subjects.navigation"
    label = _("Navigation and cookie data (13 months at most)")
    categories = ("navigation",)
    register_entries = (P_COOKIES, P_SOCIAL)
    parts = (
        Part(
            m.NavigationRecord,
            ("occurred_at", "purpose", "cookie_id", "page", "referrer", "browser", "ip_address"),
        ),
    )


class DeviceSource(ModelSource):
    name = "subjects.devices"
    label = _("Mobile devices")
    categories = ("device", "geolocation")
    register_entries = (P_PLATFORM, P_PROSPECTION)
    parts = (
        Part(
            m.MobileDevice,
            (
                "registered_on",
                "device_type",
                "os_version",
                "connectivity",
                "app_name",
                "app_version",
                "push_token",
                "geolocation_consent",
            ),
        ),
    )


class InterestSource(ModelSource):
    name = "subjects.interests"
    label = _("Assumed interests (reviewed yearly)")
    categories = ("interests",)
    register_entries = (P_PROSPECTION,)
    provided_by_subject = False
    inferred = True
    parts = (Part(m.AssumedInterest, ("product_family", "inferred_on", "review_due_on")),)


class ThirdPartySource(ModelSource):
    name = "subjects.third_party"
    label = _("Data received from a third party (Art. 14)")
    categories = ("third_party", "identity", "contact")
    register_entries = (P_PROSPECTS, P_PROSPECTION)
    provided_by_subject = False
    parts = (
        Part(
            m.ThirdPartyData,
            ("received_on", "provided_by_name", "provided_by_email", "declaration", "accepted_on"),
            anonymised={"provided_by_name": "", "provided_by_email": "", "declaration": ""},
        ),
    )


class RightsSource(ModelSource):
    """Rectifications, restriction marks, objections (R1.9, R1.11, R1.13); proposed values are cleared once decided."""

    name = "subjects.rights"
    label = _("Rectifications, restrictions and objections (Art. 16, 18, 21)")
    categories = ("request_file",)
    register_entries = (P_RIGHTS_REQUESTS,)
    provided_by_subject = False
    parts = (
        Part(
            m.RestrictionOverride,
            ("purpose", "operation", "granted_at", "valid_until"),
            subject_field="restriction__subject_id",
        ),
        Part(m.Objection, ("kind", "channel", "processing", "status", "received_at", "decided_at")),
        Part(m.Rectification, ("field_name", "proposed_value", "status", "proposed_at", "decided_at")),
        Part(m.Restriction, ("ground", "scope", "started_at", "lifted_at", "lift_notice", "lift_notice_sent_on")),
    )


class PostMortemSource(ModelSource):
    """Post-mortem directives and the recorded death (LIL art. 85, R1.15)."""

    name = "subjects.post_mortem"
    label = _("Post-mortem directives (LIL art. 85)")
    categories = ("post_mortem",)
    register_entries = (P_POST_MORTEM,)
    parts = (
        Part(m.DeathRecord, ("died_on", "evidence_type", "outcome", "task_status", "recorded_at", "done_at")),
        Part(
            m.PostMortemDirective,
            (
                "kind",
                "instruction",
                "trusted_third_party",
                "designated_person_name",
                "designated_person_email",
                "content_summary",
                "version",
                "registered_at",
                "superseded_at",
                "revoked_at",
            ),
        ),
    )


SOURCES: tuple[type[ModelSource], ...] = (
    IdentitySource,
    RoleSource,
    ContractSource,
    OrderSource,
    InvoiceSource,
    PromotionSource,
    TicketSource,
    NavigationSource,
    DeviceSource,
    InterestSource,
    ThirdPartySource,
    RightsSource,
    PostMortemSource,
)
