"""Demo breaches (``seed_demo``): one closed without notification (no risk), one notified to the CNIL
in two phases, with people affected and letters to them (Art. 34).

Everything goes through the services (versions, audit events, the DPO's e-mails); dates count back
from ``today`` so the notified one was on time.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser

from consents.models import DataCategory, ProcessingActivity
from subjects.models import DataSubject

from . import deadlines, letters, services
from .models import Breach, NotificationPhase

AFFECTED_IN_DEMO = 8


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=deadlines.PARIS)


def seed_breaches(
    *, subject_ids: list[int], today: date, dpo: AbstractBaseUser, support: AbstractBaseUser
) -> list[Breach]:
    contact = list(DataCategory.objects.filter(code__in=["identity", "contact"]))
    clients = list(ProcessingActivity.objects.filter(code="P03"))

    # 1. An encrypted USB key lost on a train: recorded by customer service, no risk, closed.
    lost_on = today - timedelta(days=45)
    usb = services.breach_record(
        actor=support,
        now=_at(lost_on, 17, 10),
        title="Clé USB chiffrée perdue",
        discovered_at=_at(lost_on, 16, 30),
        discovered_by="Service client (commercial itinérant)",
        aware_at=_at(lost_on, 17, 0),
        nature_availability=True,
        description="Une clé USB chiffrée (AES-256) contenant des contacts clients a été perdue dans un train.",
        systems="Clé USB chiffrée, copie du CRM",
        people_estimate=40,
        records_estimate=40,
        consequences="Aucune : données chiffrées, clé de déchiffrement non compromise, copie disponible.",
        measures_taken="Vérification du chiffrement ; révocation de la clé matérielle.",
        activities=clients,
        data_categories=contact,
    )
    services.breach_assess(
        breach=usb,
        actor=dpo,
        now=_at(lost_on + timedelta(days=1), 10),
        processing_context=1,
        ease_of_identification=Decimal("0.25"),
        loss_of_availability=Decimal("0.00"),
        reasoning=(
            "Données de contact chiffrées à l'état de l'art, clé non compromise, copie de sauvegarde : "
            "violation peu susceptible d'engendrer un risque (Lignes directrices EDPB 9/2022, exemple 1)."
        ),
    )
    services.breach_close(
        breach=usb,
        actor=dpo,
        now=_at(lost_on + timedelta(days=1), 11),
        closure_note="Documentée au registre (art. 33(5)) ; pas de notification requise.",
    )

    # 2. A phished CRM account: high risk, notified in two phases, people told.
    aware_on = today - timedelta(days=12)
    phishing = services.breach_record(
        actor=dpo,
        now=_at(aware_on, 9, 45),
        title="Compte CRM compromis par hameçonnage",
        discovered_at=_at(aware_on, 8, 50),
        discovered_by="Équipe informatique (alerte de connexion inhabituelle)",
        aware_at=_at(aware_on, 9, 30),
        nature_confidentiality=True,
        description="Un compte commercial a été compromis ; un export des contacts clients a été téléchargé.",
        systems="CRM (hébergé chez le prestataire CRM)",
        people_estimate=1200,
        records_estimate=1200,
        consequences="Hameçonnage ciblé des clients, usurpation d'identité.",
        measures_taken="Mot de passe réinitialisé, sessions révoquées, double authentification imposée.",
        measures_proposed="Formation anti-hameçonnage, alerte sur les exports massifs.",
        activities=clients,
        data_categories=contact,
    )
    services.breach_assess(
        breach=phishing,
        actor=dpo,
        now=_at(aware_on, 15),
        processing_context=2,
        ease_of_identification=Decimal("1.00"),
        loss_of_confidentiality=Decimal("0.50"),
        malicious_intent=True,
        reasoning="Export volontaire par un tiers malveillant, personnes identifiables : risque élevé (art. 34).",
    )
    services.notification_submit(
        breach=phishing,
        actor=dpo,
        now=_at(aware_on + timedelta(days=2), 11),
        kind=NotificationPhase.Kind.INITIAL,
        submitted_at=_at(aware_on + timedelta(days=2), 11),
        cnil_reference="NOTIF-DEMO-0001",
    )
    services.notification_submit(
        breach=phishing,
        actor=dpo,
        now=_at(aware_on + timedelta(days=6), 14),
        kind=NotificationPhase.Kind.COMPLEMENTARY,
        submitted_at=_at(aware_on + timedelta(days=6), 14),
        cnil_reference="NOTIF-DEMO-0001",
    )
    reachable = list(
        DataSubject.objects.filter(pk__in=subject_ids)
        .exclude(email="")
        .order_by("pk")
        .values_list("pk", flat=True)[:AFFECTED_IN_DEMO]
    )
    services.affected_add_subjects(
        breach=phishing, subjects=reachable, actor=dpo, now=_at(aware_on + timedelta(days=3), 10)
    )

    letters.send_letters(breach=phishing, actor=dpo)  # the Art. 34 letters to the people who can be reached
    return [usb, phishing]
