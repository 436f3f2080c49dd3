"""Builders for the breach documents' tests (documents, letters, register export).

Plain ORM rows, as the breach services (``breaches.services``) leave them: these tests are about what
the documents and letters show, not about recording or assessing a breach.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

from pypdf import PdfReader

from breaches.models import AffectedPerson, Breach, NotificationPhase, RiskAssessment
from consents.models import DataCategory, ProcessingActivity
from retention.models import Action, ArchivedSubject, RetentionRule

PARIS = ZoneInfo("Europe/Paris")


def paris(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


def make_breach(
    *, aware_at: dt.datetime | None = None, categories=("identity", "contact"), activities=("P03",), **fields
):
    aware_at = aware_at or paris(2026, 3, 9, 15, 0)
    values = {
        "title": "Export CRM envoyé au mauvais destinataire",
        "discovered_at": aware_at - dt.timedelta(hours=2),
        "discovered_by": "Service commercial",
        "aware_at": aware_at,
        "nature_confidentiality": True,
        "description": "Un export du CRM a été envoyé par erreur à un partenaire extérieur.",
        "systems": "CRM, messagerie",
        "people_estimate": 240,
        "records_estimate": 250,
        "consequences": "Risque d'hameçonnage ciblé utilisant vos nom et adresse e-mail.",
        "measures_taken": "Le destinataire a confirmé la suppression du fichier ; les exports sont désormais chiffrés.",
        "measures_proposed": "Formation des équipes commerciales d'ici fin avril.",
        "created_at": aware_at + dt.timedelta(hours=1),
        "created_by_username": "dpo",
        **fields,
    }
    breach = Breach.objects.create(**values)
    breach.data_categories.set(DataCategory.objects.filter(code__in=categories))
    breach.activities.set(ProcessingActivity.objects.filter(code__in=activities))
    return breach


OUTCOMES = {
    RiskAssessment.Outcome.NO_RISK: ("low", Decimal("1.25")),
    RiskAssessment.Outcome.RISK: ("medium", Decimal("2.50")),
    RiskAssessment.Outcome.HIGH_RISK: ("high", Decimal("3.50")),
}


def assess(breach: Breach, outcome: str = RiskAssessment.Outcome.HIGH_RISK, *, at: dt.datetime | None = None):
    severity, score = OUTCOMES[outcome]
    return RiskAssessment.objects.create(
        breach=breach,
        assessed_at=at or breach.aware_at + dt.timedelta(hours=3),
        assessed_by_username="dpo",
        processing_context=2,
        ease_of_identification=Decimal("1.00"),
        loss_of_confidentiality=Decimal("0.50"),
        loss_of_integrity=Decimal("0.00"),
        loss_of_availability=Decimal("0.00"),
        malicious_intent=False,
        score=score,
        severity=severity,
        computed_outcome=outcome,
        outcome=outcome,
        reasoning="Noms et e-mails exposés à un tiers : hameçonnage probable.",
    )


def notify(
    breach: Breach, at: dt.datetime, kind: str = NotificationPhase.Kind.INITIAL, reference: str = "", content=None
):
    phase = NotificationPhase.objects.create(
        breach=breach,
        kind=kind,
        submitted_at=at,
        cnil_reference=reference,
        content=content or {},
        submitted_by_username="dpo",
    )
    Breach.objects.filter(pk=breach.pk).update(status=Breach.Status.NOTIFIED)
    breach.refresh_from_db()
    return phase


def affect(breach: Breach, *people) -> list[AffectedPerson]:
    return [
        AffectedPerson.objects.create(breach=breach, subject=person, source=AffectedPerson.Source.LIST)
        for person in people
    ]


def archive(person) -> ArchivedSubject:
    return ArchivedSubject.objects.create(
        subject=person,
        rule=RetentionRule.objects.filter(end_of_active_action=Action.ARCHIVE).first(),
        archived_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        archive_until=dt.date(2031, 1, 1),
    )


def pdf_text(content: bytes) -> str:
    """The text of a PDF, whitespace collapsed (lines wrap where the layout says)."""
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())


def document_url_cases(breach, users: dict, roles, case, missing_id: int) -> dict[str, list]:
    """The document views' cases for tests/ijinus_privacy/test_admin_urls.py ``custom_cases``:
    ``**document_url_cases(world.breach, users, ROLES, Case, MISSING_ID)`` (a breach with no letter)."""
    from django.urls import reverse

    def by_perm(perm: str, ok: int) -> dict[str, int]:
        return {role: ok if users[role].has_perm(perm) else 403 for role in roles}

    view, send, letters = "breaches.view_breach", "breaches.send_breach_letters", "breaches.view_breachletter"
    cases = {}
    for name, perm, ok in (
        ("breaches_breach_cnil", view, 200),
        ("breaches_breach_cnil_pdf", view, 200),
        ("breaches_breach_letters_send", send, 200),
        ("breaches_breach_letters", letters, 200),
        ("breaches_breach_letters_postal", letters, 302),  # nothing to post: back to the letters page
        ("breaches_breach_public_communication", send, 200),
    ):
        cases[name] = [
            case(reverse(f"admin:{name}", args=[breach.pk]), by_perm(perm, ok)),
            case(reverse(f"admin:{name}", args=[missing_id]), by_perm(perm, 404)),
        ]
    cases["breaches_breach_letter_pdf"] = [
        case(reverse("admin:breaches_breach_letter_pdf", args=[breach.pk, missing_id]), by_perm(letters, 404)),
        case(reverse("admin:breaches_breach_letter_pdf", args=[missing_id, missing_id]), by_perm(letters, 404)),
    ]
    return cases
