"""The CNIL notification content of a breach (Art. 33(3)), and the register of breaches (Art. 33(5)).

``notification_content(breach)`` lays out every field of the CNIL's online notification form
("Notifier une violation de données personnelles", notifications.cnil.fr) in the form's order, with
the value IJINUS holds, so the DPO can copy it field by field into the teleservice. A field IJINUS
does not hold (the legal representative, the start of the breach…) is marked "to complete" and listed
at the top. The result is plain JSON: the admin page and the PDF render it, and a notification phase
keeps it as submitted (``NotificationPhase.content``), so a past phase prints exactly as it was.

The order of the sections follows the teleservice as far as it could be checked (docs/breaches.md says
what was verified): type of notification, organisation, contacts, chronology, nature and
circumstances, data, people, consequences, measures, information of the people, cross-border aspects.

No data subject's personal data goes into either document: only counts, categories and the DPO's
own contact details.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, Min, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consents.models import Controller, SubjectCategory
from ijinus_privacy import audit
from ijinus_privacy.pdf import render_pdf
from ijinus_privacy.spreadsheets import escape_formula

from . import obligations
from .deadlines import in_paris, notification_due
from .models import Breach, BreachLetter, NotificationPhase, RiskAssessment

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

TIME_FORMAT = "%d/%m/%Y %H:%M"
# EU and EEA member states other than France (ISO 3166): a breach touching people there is cross-border.
OTHER_EEA = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
        "IS",
        "LI",
        "NO",
    ]
)
SIREN = re.compile(r"(?<!\d)(\d{3})\s?(\d{3})\s?(\d{3})(?!\d)")


# The register's data categories are named in English; the French documents and letters use these names.
CATEGORY_NAMES_FR = {
    "identity": "Identité (nom, prénoms, date de naissance)",
    "contact": "Coordonnées (adresse postale, adresse e-mail, téléphone)",
    "professional": "Informations professionnelles (organisation, fonction)",
    "credentials": "Identifiants de connexion (identifiant, mot de passe chiffré)",
    "marketing_preferences": "Choix en matière de prospection commerciale",
    "consent_proof": "Preuves de consentement",
    "contract": "Contrats",
    "order": "Commandes et livraisons",
    "quote_request": "Demandes de devis",
    "billing": "Factures",
    "payment": "Paiements et incidents de paiement",
    "promotion": "Participation aux offres promotionnelles et événements",
    "support": "Demandes au service client",
    "free_text": "Autres informations communiquées",
    "navigation": "Données de navigation (cookies, adresse IP, navigateur, pages vues)",
    "campaign_interactions": "Interactions avec nos e-mails (ouvertures, clics)",
    "device": "Données de l'appareil mobile",
    "geolocation": "Géolocalisation",
    "platform": "Compte et utilisation de la plateforme",
    "interests": "Centres d'intérêt supposés",
    "third_party": "Données concernant un tiers",
    "social": "Interactions sur les réseaux sociaux",
    "request_file": "Dossier de demande d'exercice de droits",
    "incident": "Données relatives aux violations",
    "access_logs": "Journaux d'accès",
    "authority_request": "Données demandées par une autorité",
    "post_mortem": "Directives post mortem",
}


def category_name(category, language: str) -> str:
    """A data category's name in the document's language (the register holds the English one)."""
    if language == "fr":
        return CATEGORY_NAMES_FR.get(category.code, category.name)
    return category.name


# --- small helpers (helper A's ``breaches.deadlines`` holds the same clock; unified at merge) -------------


def when(moment: datetime | None) -> str:
    return in_paris(moment).strftime(TIME_FORMAT) if moment is not None else ""


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _field(key: str, label: str, value: Any, *, required: bool = True, note: str = "") -> dict[str, Any]:
    text = "" if value is None else str(value).strip()
    return {"key": key, "label": label, "value": text, "missing": required and not text, "note": note}


def _section(key: str, title: str, fields: list[dict[str, Any]]) -> dict[str, Any]:
    return {"key": key, "title": title, "fields": fields}


# --- the CNIL notification --------------------------------------------------------------------------------


def _natures(breach: Breach) -> list[str]:
    labels = []
    if breach.nature_confidentiality:
        labels.append(_("Loss of confidentiality (data disclosed or accessed without authorisation)"))
    if breach.nature_integrity:
        labels.append(_("Loss of integrity (data altered without authorisation)"))
    if breach.nature_availability:
        labels.append(_("Loss of availability (data lost, destroyed or inaccessible)"))
    return labels


def _first_phase(breach: Breach) -> NotificationPhase | None:
    return breach.phases.order_by("submitted_at", "id").first()


def is_late(breach: Breach, now: datetime | None = None) -> bool:
    """The first notification came (or would come now) after the 72 hours (Art. 33(1))."""
    first = _first_phase(breach)
    return obligations.is_late(breach, first.submitted_at if first is not None else (now or timezone.now()))


def letter_counts(breach: Breach) -> dict[str, Any]:
    by_channel = {
        row["channel"]: row
        for row in breach.letters.values("channel").annotate(
            written=Count("id"),
            sent=Count("id", filter=Q(sent_at__isnull=False)),
            first=Min("sent_at"),
            last=Max("sent_at"),
        )
    }
    empty = {"written": 0, "sent": 0, "first": None, "last": None}
    return {
        "email": by_channel.get(BreachLetter.LetterChannel.EMAIL, empty),
        "post": by_channel.get(BreachLetter.LetterChannel.POST, empty),
    }


def _organisation(controller: Controller | None) -> list[dict[str, Any]]:
    if controller is None:
        return [_field("name", _("Name of the organisation"), "")]
    siren = SIREN.search(controller.registration or "")
    name = controller.name + (f", {controller.legal_form}" if controller.legal_form else "")
    return [
        _field("name", _("Name of the organisation"), name),
        _field("siren", _("SIREN number"), "".join(siren.groups()) if siren else ""),
        _field("registration", _("Trade and companies register"), controller.registration, required=False),
        _field("address", _("Address"), controller.address),
        _field("sector", _("Sector of activity"), ""),
    ]


def _contacts(controller: Controller | None) -> list[dict[str, Any]]:
    dpo = controller or Controller(name="")
    return [
        _field("dpo_name", _("Data protection officer: name"), dpo.dpo_name),
        _field("dpo_email", _("Data protection officer: e-mail"), dpo.dpo_email),
        _field("dpo_address", _("Data protection officer: postal address"), dpo.dpo_postal_address, required=False),
        _field(
            "contact",
            _("Person the CNIL can contact for more information (Art. 33(3)(b))"),
            _("The data protection officer, above") if dpo.dpo_email else "",
        ),
        _field("legal_representative", _("Legal representative of the organisation (name, position)"), ""),
    ]


def _chronology(breach: Breach, phases: list[NotificationPhase], now: datetime) -> list[dict[str, Any]]:
    due = notification_due(breach.aware_at)
    if breach.status == Breach.Status.CLOSED:
        ongoing = _("No: closed on %(date)s") % {"date": when(breach.closed_at)}
    else:
        ongoing = ""
    late = is_late(breach, now)
    fields = [
        _field("started_at", _("Start of the breach (date and time, or 'unknown')"), ""),
        _field("ongoing", _("Is the breach still ongoing?"), ongoing),
        _field("discovered_at", _("Discovered on"), when(breach.discovered_at)),
        _field("discovered_by", _("How and by whom it was discovered"), breach.discovered_by),
        _field("aware_at", _("IJINUS became aware on (the 72 hours start here, Art. 33(1))"), when(breach.aware_at)),
        _field("due_at", _("Notification due by (72 hours)"), f"{due.strftime(TIME_FORMAT)} ({due.tzname()})"),
    ]
    if breach.processor_id:
        fields += [
            _field("processor", _("Processor involved"), str(breach.processor)),
            _field(
                "processor_informed_at",
                _("The processor informed IJINUS on (Art. 33(2))"),
                when(breach.processor_informed_at),
            ),
        ]
    if late:
        fields.append(_field("late_reasons", _("Reasons for the delay (Art. 33(1))"), breach.late_reasons))
    return fields


def _kind(phases: list[NotificationPhase]) -> list[dict[str, Any]]:
    if not phases:
        kind = _(
            "Initial notification (or complete notification, when every field below is known; "
            "otherwise complete it later, Art. 33(4))"
        )
    elif any(phase.kind == NotificationPhase.Kind.COMPLETE for phase in phases):
        kind = _("Complete: the notification was completed (see below)")
    else:
        kind = _("Complementary notification (Art. 33(4)): give the reference of the initial notification")
    history = "\n".join(
        f"{phase.get_kind_display()} — {when(phase.submitted_at)}"
        + (
            " — " + _("CNIL reference %(reference)s") % {"reference": phase.cnil_reference}
            if phase.cnil_reference
            else ""
        )
        for phase in phases
    )
    return [
        _field("kind", _("Type of notification"), kind),
        _field("previous", _("Notifications already made (date, CNIL reference)"), history, required=False),
    ]


def _data(breach: Breach) -> list[dict[str, Any]]:
    categories = list(breach.data_categories.order_by("code"))
    language = translation.get_language() or "fr"
    lines = [
        _("%(category)s (sensitive data, Art. 9/10)") % {"category": category_name(category, language)}
        if category.sensitive
        else category_name(category, language)
        for category in categories
    ]
    activities = [
        f"{activity.code} — {activity.name_fr or activity.name}" for activity in breach.activities.order_by("code")
    ]
    return [
        _field("categories", _("Categories of personal data concerned"), "\n".join(lines)),
        _field(
            "sensitive",
            _("Sensitive data (Art. 9) or data on offences (Art. 10) concerned?"),
            _yes_no(any(category.sensitive for category in categories)) if categories else "",
        ),
        _field("records", _("Approximate number of records concerned"), breach.records_estimate),
        _field("activities", _("Processing activities concerned (register of processing)"), "\n".join(activities)),
        _field("systems", _("Systems and media involved"), breach.systems),
    ]


def _people(breach: Breach) -> list[dict[str, Any]]:
    categories = SubjectCategory.objects.filter(activities__in=breach.activities.all()).distinct().order_by("name")
    linked = breach.affected.count()
    return [
        _field(
            "subject_categories",
            _("Categories of people concerned"),
            "\n".join(category.name for category in categories),
        ),
        _field("people", _("Approximate number of people concerned"), breach.people_estimate),
        _field(
            "people_identified",
            _("Of whom identified by name in IJINUS's records"),
            linked,
            required=False,
        ),
    ]


def _consequences(breach: Breach, assessment: RiskAssessment | None) -> list[dict[str, Any]]:
    if assessment is None:
        severity = outcome = ""
    else:
        severity = _("%(severity)s — ENISA score %(score)s (context × ease of identification + circumstances)") % {
            "severity": assessment.get_severity_display(),
            "score": assessment.score,
        }
        outcome = f"{assessment.get_outcome_display()}\n{assessment.reasoning}"
    return [
        _field("consequences", _("Likely consequences for the people (Art. 33(3)(c))"), breach.consequences),
        _field(
            "malicious",
            _("Malicious intent"),
            _yes_no(assessment.malicious_intent) if assessment is not None else "",
        ),
        _field("severity", _("Estimated severity"), severity),
        _field("assessment", _("Risk to the people: outcome and reasoning (EDPB Guidelines 9/2022)"), outcome),
    ]


def _measures(breach: Breach) -> list[dict[str, Any]]:
    return [
        _field(
            "measures_taken",
            _("Measures taken to address the breach and limit its effects (Art. 33(3)(d))"),
            breach.measures_taken,
        ),
        _field("measures_proposed", _("Measures proposed or planned (Art. 33(3)(d))"), breach.measures_proposed),
    ]


def _information(breach: Breach, assessment: RiskAssessment | None) -> list[dict[str, Any]]:
    counts = letter_counts(breach)
    required = assessment is not None and assessment.outcome == RiskAssessment.Outcome.HIGH_RISK
    if assessment is None:
        decision = ""
    elif required:
        decision = _("Yes: the risk to the people is high (Art. 34(1))")
    else:
        decision = _("No: the risk to the people is not high (Art. 34(1))")
    letters = []
    if counts["email"]["written"]:
        letters.append(
            _("%(sent)s of %(written)s letters e-mailed (from %(first)s to %(last)s)")
            % {
                "sent": counts["email"]["sent"],
                "written": counts["email"]["written"],
                "first": when(counts["email"]["first"]) or "—",
                "last": when(counts["email"]["last"]) or "—",
            }
        )
    if counts["post"]["written"]:
        letters.append(
            _("%(sent)s of %(written)s letters posted")
            % {"sent": counts["post"]["sent"], "written": counts["post"]["written"]}
        )
    public = [
        (when(item.published_at) or _("not published yet")) + f" — {item.where or '—'}\n{item.justification}"
        for item in breach.public_communications.order_by("id")
    ]
    informed = bool(letters) or any(item.published_at for item in breach.public_communications.all())
    if informed:
        not_informed = _("Not applicable: the people were told")
    elif assessment is not None and not required:
        not_informed = decision
    else:
        not_informed = ""
    return [
        _field("required", _("Must the people be told (Art. 34)?"), decision),
        _field(
            "letters", _("Individual letters (e-mail or post)"), "\n".join(letters), required=required and not public
        ),
        _field(
            "public_communication",
            _("Public communication instead of letters (Art. 34(3)(c)): date, where, why"),
            "\n\n".join(public),
            required=False,
        ),
        _field("not_informed", _("If the people were not told: why"), not_informed),
    ]


def _cross_border(breach: Breach) -> list[dict[str, Any]]:
    countries = (
        breach.affected.filter(subject__country__in=OTHER_EEA)
        .values("subject__country")
        .annotate(people=Count("id"))
        .order_by("subject__country")
    )
    lines = [f"{row['subject__country']}: {row['people']}" for row in countries]
    return [
        _field(
            "other_countries",
            _("People concerned in other EU/EEA countries (country: people identified)"),
            "\n".join(lines) or _("None among the people identified"),
        ),
        _field("other_authorities", _("Other supervisory authorities notified"), "", required=bool(lines)),
    ]


def notification_content(breach: Breach, *, now: datetime | None = None, language: str = "fr") -> dict[str, Any]:
    """Every field of the CNIL notification form, in order, as JSON (kept with each notification phase)."""
    now = now or timezone.now()
    controller = Controller.current()
    assessment = breach.latest_assessment()
    phases = list(breach.phases.order_by("submitted_at", "id"))
    with translation.override(language):
        sections = [
            _section("notification", _("1. Notification"), _kind(phases)),
            _section("organisation", _("2. Organisation (the controller)"), _organisation(controller)),
            _section("contacts", _("3. Contacts"), _contacts(controller)),
            _section("chronology", _("4. Chronology"), _chronology(breach, phases, now)),
            _section(
                "nature",
                _("5. Nature of the breach and circumstances (Art. 33(3)(a))"),
                [
                    _field("nature", _("Type of breach"), "\n".join(_natures(breach))),
                    _field("description", _("What happened: circumstances, origin and cause"), breach.description),
                ],
            ),
            _section("data", _("6. Personal data concerned (Art. 33(3)(a))"), _data(breach)),
            _section("people", _("7. People concerned (Art. 33(3)(a))"), _people(breach)),
            _section("consequences", _("8. Likely consequences (Art. 33(3)(c))"), _consequences(breach, assessment)),
            _section("measures", _("9. Measures taken or proposed (Art. 33(3)(d))"), _measures(breach)),
            _section(
                "information", _("10. Information of the people concerned (Art. 34)"), _information(breach, assessment)
            ),
            _section("cross_border", _("11. Cross-border aspects"), _cross_border(breach)),
        ]
        to_complete = [
            f"{section['title']} — {field['label']}"
            for section in sections
            for field in section["fields"]
            if field["missing"]
        ]
    return {
        "reference": breach.reference,
        "title": breach.title,
        "language": language,
        "generated_at": in_paris(now).isoformat(timespec="seconds"),
        "to_complete": to_complete,
        "sections": sections,
    }


def notification_context(breach: Breach, content: dict[str, Any], *, phase: NotificationPhase | None = None) -> dict:
    return {
        "breach": breach,
        "content": content,
        "phase": phase,
        "generated_at": datetime.fromisoformat(content["generated_at"]),
    }


def notification_pdf(breach: Breach, *, content: dict[str, Any], actor: User | None, phase=None) -> bytes:
    """The CNIL document as PDF (``ijinus_privacy.pdf``); the export is audited."""
    with translation.override(content.get("language") or "fr"):
        pdf = render_pdf(
            "breaches/documents/cnil_notification_pdf.html", notification_context(breach, content, phase=phase)
        )
    audit.record(action=audit.Action.EXPORT, actor=actor, obj=breach, fields=["cnil_notification"], reason="pdf")
    return pdf


# --- the register of breaches (Art. 33(5)) -------------------------------------------------------------------

SEPARATOR = " | "

REGISTER_COLUMNS = (
    "reference",
    "title",
    "status",
    "discovered_at",
    "discovered_by",
    "aware_at",
    "notification_due_at",
    "nature",
    "description",
    "systems",
    "processing_activities",
    "data_categories",
    "sensitive_data",
    "people_estimate",
    "people_identified",
    "records_estimate",
    "consequences",
    "measures_taken",
    "measures_proposed",
    "processor",
    "processor_informed_at",
    "assessed_at",
    "severity",
    "score",
    "outcome",
    "override_reason",
    "reasoning",
    "notifications",
    "late",
    "late_reasons",
    "letters_emailed",
    "letters_posted",
    "public_communications",
    "closed_at",
    "closure_note",
    "recorded_at",
    "recorded_by",
)


def _register_breaches():
    return (
        Breach.objects.order_by("aware_at", "id")
        .select_related("processor")
        .prefetch_related("activities", "data_categories", "phases", "assessments", "public_communications")
        .annotate(people_identified=Count("affected", distinct=True))
    )


def register_entry(breach: Breach) -> dict[str, Any]:
    """One breach as the register shows it: the facts, the effects, the remedial action (Art. 33(5))."""
    assessments = sorted(breach.assessments.all(), key=lambda a: (a.assessed_at, a.pk))
    assessment = assessments[-1] if assessments else None
    phases = sorted(breach.phases.all(), key=lambda p: (p.submitted_at, p.pk))
    categories = sorted(breach.data_categories.all(), key=lambda c: c.code)
    counts = letter_counts(breach)
    notified = bool(phases)
    due = notification_due(breach.aware_at)
    late = notified and phases[0].submitted_at > due
    return {
        "breach": breach,
        "late": late,
        "assessment": assessment,
        "phases": phases,
        "letters": counts,
        "row": {
            "reference": breach.reference,
            "title": breach.title,
            "status": breach.get_status_display(),
            "discovered_at": when(breach.discovered_at),
            "discovered_by": breach.discovered_by,
            "aware_at": when(breach.aware_at),
            "notification_due_at": due.strftime(TIME_FORMAT),
            "nature": SEPARATOR.join(_natures(breach)),
            "description": breach.description,
            "systems": breach.systems,
            "processing_activities": SEPARATOR.join(
                f"{a.code} {a.name}" for a in sorted(breach.activities.all(), key=lambda a: a.code)
            ),
            "data_categories": SEPARATOR.join(c.name for c in categories),
            "sensitive_data": _yes_no(any(c.sensitive for c in categories)),
            "people_estimate": breach.people_estimate if breach.people_estimate is not None else "",
            "people_identified": getattr(breach, "people_identified", breach.affected.count()),
            "records_estimate": breach.records_estimate if breach.records_estimate is not None else "",
            "consequences": breach.consequences,
            "measures_taken": breach.measures_taken,
            "measures_proposed": breach.measures_proposed,
            "processor": str(breach.processor) if breach.processor_id else "",
            "processor_informed_at": when(breach.processor_informed_at),
            "assessed_at": when(assessment.assessed_at) if assessment else "",
            "severity": assessment.get_severity_display() if assessment else _("not assessed"),
            "score": str(assessment.score) if assessment else "",
            "outcome": assessment.get_outcome_display() if assessment else "",
            "override_reason": assessment.override_reason if assessment else "",
            "reasoning": assessment.reasoning if assessment else "",
            "notifications": SEPARATOR.join(
                f"{p.get_kind_display()} {when(p.submitted_at)}"
                + (f" ({p.cnil_reference})" if p.cnil_reference else "")
                for p in phases
            ),
            "late": _yes_no(late),
            "late_reasons": breach.late_reasons,
            "letters_emailed": counts["email"]["sent"],
            "letters_posted": counts["post"]["sent"],
            "public_communications": SEPARATOR.join(
                ((when(c.published_at) or _("not published")) + f" {c.where}").strip()
                for c in breach.public_communications.all()
            ),
            "closed_at": when(breach.closed_at),
            "closure_note": breach.closure_note,
            "recorded_at": when(breach.created_at),
            "recorded_by": breach.created_by_username,
        },
    }


def register_csv(entries: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=REGISTER_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for entry in entries:
        writer.writerow(
            {key: escape_formula("" if value is None else str(value)) for key, value in entry["row"].items()}
        )
    return buffer.getvalue()


def register_export(*, fmt: str, actor: User | None, now: datetime | None = None) -> tuple[bytes, str, str]:
    """The register of breaches for an inspection (Art. 33(5)) as PDF or CSV, audited.

    Returns (content, content type, file name). Every breach ever recorded is in it, closed ones too.
    """
    now = now or timezone.now()
    entries = [register_entry(breach) for breach in _register_breaches()]
    stamp = in_paris(now).date().isoformat()
    if fmt == "csv":
        result = (register_csv(entries).encode("utf-8-sig"), "text/csv; charset=utf-8", f"breach-register-{stamp}.csv")
    elif fmt == "pdf":
        context = {
            "controller": Controller.current(),
            "generated_at": in_paris(now),
            "entries": entries,
            "notified_count": sum(1 for entry in entries if entry["phases"]),
            "open_count": sum(1 for entry in entries if entry["breach"].status != Breach.Status.CLOSED),
        }
        result = (
            render_pdf("breaches/documents/register_pdf.html", context),
            "application/pdf",
            f"breach-register-{stamp}.pdf",
        )
    else:
        raise ValueError(f"unknown export format: {fmt}")
    audit.record(
        action=audit.Action.EXPORT,
        actor=actor,
        object_type=Breach._meta.label_lower,
        fields=[fmt],
        reason=f"breach register export {fmt}, {len(entries)} entries",
    )
    return result
