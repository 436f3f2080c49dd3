"""Art. 34 letters to the people affected, and the public communication (Art. 34(3)(c)).

A letter says, in plain words and in the person's language (French or English): what happened, which
of their data were concerned, the likely consequences, what IJINUS did and will do, what the person
can do, and how to reach the DPO (``consents.models.Controller``), as Art. 34(2) and 33(3)(b)-(d) ask.

Who gets one: only the people affected who can be reached (``audience``): linked to a person in the
base (an erased person's link is cut: nobody left to write to), not in the intermediate archive
(``conditions.ARCHIVED``: hidden from every operational use), not deceased, and with an e-mail
address (the letter is e-mailed through the outbox) or, failing that, a full postal address (the
letter is kept for the DPO to print and post, then marked posted). Nobody gets the same breach's
letter twice. The others are counted, never written to.

Each letter is rendered once, kept as PDF encrypted at rest under an unguessable name (like
``requests_dsar.letters``), read by staff only through ``letter_pdf_read`` (permission first,
audited). E-mail subjects carry the breach reference only. Every letter is audited under the
person's id; the breach gets a version for each sending.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consents.models import Controller
from ijinus_privacy import actors, audit, conditions, outbox, storage
from ijinus_privacy.choices import Language
from ijinus_privacy.email_text import html_to_text
from ijinus_privacy.models import OutboxMessage
from ijinus_privacy.pdf import render_pdf

from .deadlines import in_paris as paris
from .documents import category_name
from .models import AffectedPerson, Breach, BreachLetter, PublicCommunication, RiskAssessment
from .services.breach import version_record

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

LETTER_DIR = "breach-letters"
LETTER_PURPOSE = "breaches.letter"
SEND_PERMISSION = "breaches.send_breach_letters"
READ_PERMISSION = "breaches.view_breachletter"
BATCH = 500

SUBJECT_LINES = {
    "fr": "Information importante sur vos données personnelles ({reference})",
    "en": "Important information about your personal data ({reference})",
}

# What the person can do, by nature of the breach; the DPO may rewrite it before sending.
ADVICE = {
    "fr": {
        "confidentiality": [
            "Soyez attentif aux messages (e-mail, SMS, appel) qui citeraient IJINUS ou vos données : "
            "nous ne vous demanderons jamais votre mot de passe ni vos coordonnées bancaires.",
            "Si vous utilisez ailleurs le même mot de passe que chez nous, changez-le.",
        ],
        "integrity": [
            "Vérifiez les informations que nous détenons sur vous : vous pouvez en demander une copie "
            "et la correction à notre délégué à la protection des données.",
        ],
        "availability": [
            "Si une information ou un service vous manque, dites-le-nous : nous rétablirons ce qui peut l'être.",
        ],
        "always": [
            "Vous pouvez aussi adresser une réclamation à la CNIL (www.cnil.fr).",
        ],
    },
    "en": {
        "confidentiality": [
            "Be wary of messages (e-mail, text, call) that mention IJINUS or your data: we will never ask "
            "for your password or your bank details.",
            "If you use the same password elsewhere as with us, change it.",
        ],
        "integrity": [
            "Check the information we hold about you: you can ask our data protection officer for a copy "
            "and for its correction.",
        ],
        "availability": [
            "If a piece of information or a service is missing, tell us: we will restore what can be restored.",
        ],
        "always": [
            "You may also lodge a complaint with the CNIL, the French data protection authority (www.cnil.fr).",
        ],
    },
}

NATURES = {
    "fr": {
        "confidentiality": (
            "des données ont pu être vues ou copiées par des personnes qui n'auraient pas dû y avoir accès"
        ),
        "integrity": "des données ont pu être modifiées sans autorisation",
        "availability": "des données ont été perdues ou sont restées un temps inaccessibles",
    },
    "en": {
        "confidentiality": "data may have been seen or copied by people who should not have had access to them",
        "integrity": "data may have been altered without authorisation",
        "availability": "data were lost or could not be reached for a time",
    },
}


def _language(value: str | None) -> str:
    return value if value in Language.values else Language.FRENCH


def default_advice(breach: Breach, language: str) -> str:
    """The "what you can do" paragraph for this breach, one piece of advice a line."""
    texts = ADVICE[_language(language)]
    lines = [line for nature in breach.natures for line in texts[nature]] + texts["always"]
    return "\n".join(lines)


# --- who can be reached ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """The people affected, sorted by how (and whether) a letter can reach them."""

    email: int
    post: int
    already_written: int
    erased: int
    archived: int
    deceased: int
    no_contact: int

    @property
    def reachable(self) -> int:
        return self.email + self.post

    @property
    def not_reachable(self) -> int:
        return self.erased + self.archived + self.deceased + self.no_contact


def _archived() -> models.Q:
    return conditions.holds(conditions.ARCHIVED, "subject_id")


def _has_address() -> models.Q:
    return ~models.Q(subject__street_address="") & ~models.Q(subject__postal_code="") & ~models.Q(subject__city="")


def _groups(breach: Breach) -> dict[str, models.QuerySet]:
    """Querysets of ``AffectedPerson`` by group; a person is in exactly one."""
    links = breach.affected.all()
    linked = links.filter(subject__isnull=False)
    already = linked.filter(letters__isnull=False).distinct()
    waiting = linked.exclude(pk__in=already.values("pk"))
    archived = waiting.filter(_archived())
    active = waiting.exclude(_archived())
    deceased = active.filter(subject__deceased_on__isnull=False)
    living = active.filter(subject__deceased_on__isnull=True)
    email = living.exclude(subject__email="")
    post = living.filter(subject__email="").filter(_has_address())
    no_contact = living.filter(subject__email="").exclude(_has_address())
    return {
        "email": email,
        "post": post,
        "already_written": already,
        "erased": links.filter(subject__isnull=True),
        "archived": archived,
        "deceased": deceased,
        "no_contact": no_contact,
    }


def audience(breach: Breach) -> Audience:
    return Audience(**{name: queryset.count() for name, queryset in _groups(breach).items()})


# --- rendering ---------------------------------------------------------------------------------------------


def letter_context(breach: Breach, *, person=None, language: str, advice: str | None = None, postal: bool = False):
    language = _language(language)
    controller = Controller.current()
    assessment = breach.latest_assessment()
    with translation.override(language):
        categories = [category_name(category, language) for category in breach.data_categories.order_by("code")]
    advice_text = advice if advice is not None and advice.strip() else default_advice(breach, language)
    return {
        "breach": breach,
        "person": person,
        "name": person.display_name if person is not None else "",
        "postal": postal,
        "natures": [NATURES[language][nature] for nature in breach.natures],
        "categories": categories,
        "sensitive": breach.data_categories.filter(sensitive=True).exists(),
        "aware_on": paris(breach.aware_at).date(),
        "advice": [line.strip() for line in advice_text.splitlines() if line.strip()],
        "controller": controller,
        "dpo_name": controller.dpo_name if controller else "",
        "dpo_email": controller.dpo_email if controller and controller.dpo_email else "",
        "dpo_address": controller.dpo_postal_address if controller else "",
        "high_risk": assessment is not None and assessment.outcome == RiskAssessment.Outcome.HIGH_RISK,
        "today": timezone.localdate(),
        "language": language,
    }


def render_letter_html(breach: Breach, *, person=None, language: str, advice: str | None = None, postal=False) -> str:
    language = _language(language)
    context = letter_context(breach, person=person, language=language, advice=advice, postal=postal)
    with translation.override(language):
        return render_to_string(f"breaches/letters/{language}/letter.html", context)


def render_letter_pdf(html: str, language: str) -> bytes:
    with translation.override(language):
        return render_pdf("breaches/letters/pdf.html", {"body": html, "language": language})


# --- sending -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    emailed: int
    post: int
    audience: Audience


def _version(breach: Breach, *, summary: str, before: dict[str, Any], after: dict[str, Any], actor, now) -> None:
    """A version of the breach for a sending: what the letters changed, before and after."""
    snapshot = {"changed": sorted(after), "before": before, "after": after}
    version_record(breach, snapshot=snapshot, summary=summary, actor=actor, now=now)


def _letter_state(breach: Breach) -> dict[str, int]:
    return {
        "letters_emailed": breach.letters.filter(channel=BreachLetter.LetterChannel.EMAIL).count(),
        "letters_for_the_post": breach.letters.filter(channel=BreachLetter.LetterChannel.POST).count(),
        "letters_posted": breach.letters.filter(channel=BreachLetter.LetterChannel.POST, sent_at__isnull=False).count(),
    }


def _batches(queryset: models.QuerySet) -> Iterator[list[AffectedPerson]]:
    """The links to write to, in batches; each batch is re-read, so letters written meanwhile drop out."""
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        yield list(AffectedPerson.objects.filter(pk__in=ids[start : start + BATCH]).select_related("subject"))


def _write(breach: Breach, link: AffectedPerson, *, channel: str, advice: dict[str, str], actor, now) -> BreachLetter:
    person = link.subject
    language = _language(person.language)
    postal = channel == BreachLetter.LetterChannel.POST
    html = render_letter_html(breach, person=person, language=language, advice=advice.get(language), postal=postal)
    pdf = render_letter_pdf(html, language)
    letter = BreachLetter.objects.create(
        breach=breach,
        affected=link,
        language=language,
        channel=channel,
        # Encrypted at rest under an unguessable name; read only through ``letter_pdf_read`` (audited).
        file_name=storage.write(pdf, relative=f"{LETTER_DIR}/{secrets.token_urlsafe(24)}.enc"),
        created_at=now,
        created_by_username=actors.username(actor),
    )
    if not postal:
        message = outbox.outbox_enqueue(
            purpose=LETTER_PURPOSE,
            object_id=letter.pk,
            to=[person.email],
            subject=SUBJECT_LINES[language].format(reference=breach.reference),
            body=html_to_text(html),
            html=html,
            attachments=[outbox.Attachment(f"{breach.reference}.pdf", pdf, "application/pdf")],
            subject_id=person.pk,
            actor=actor,
        )
        letter.outbox_message = message
        letter.save(update_fields=["outbox_message"])
    audit.record(
        action=audit.Action.CREATE,
        actor=actor,
        obj=letter,
        subject_id=person.pk,
        fields=["file_name", "channel"],
        reason=f"breach:{breach.reference}:art34-letter",
    )
    return letter


@transaction.atomic
def send_letters(
    *,
    breach: Breach,
    actor: Any,
    advice: dict[str, str] | None = None,
    now: datetime | None = None,
) -> Sent:
    """Write the Art. 34 letter to every person affected who can be reached and has none yet.

    ``advice``: the "what you can do" text by language (``default_advice`` otherwise). E-mails leave
    through the outbox; postal letters wait for the DPO to print them (``postal_letters``).
    """
    actors.require(actor, SEND_PERMISSION)
    current = Breach.objects.select_for_update().get(pk=breach.pk)
    if current.status == Breach.Status.CLOSED:
        raise ValidationError(_("This breach is closed."))
    if current.latest_assessment() is None:
        raise ValidationError(_("Assess the risk first: the letters tell the people what it means for them."))
    now = now or timezone.now()
    advice = advice or {}
    groups = _groups(current)
    before = _letter_state(current)
    emailed = posted = 0
    for channel, group in ((BreachLetter.LetterChannel.EMAIL, "email"), (BreachLetter.LetterChannel.POST, "post")):
        for batch in _batches(groups[group]):
            for link in batch:
                _write(current, link, channel=channel, advice=advice, actor=actor, now=now)
                if channel == BreachLetter.LetterChannel.EMAIL:
                    emailed += 1
                else:
                    posted += 1
    remaining = audience(current)
    if emailed or posted:
        _version(
            current,
            summary=_("Art. 34 letters: %(emailed)s e-mailed, %(post)s to post") % {"emailed": emailed, "post": posted},
            before=before,
            after=_letter_state(current),
            actor=actor,
            now=now,
        )
    return Sent(emailed=emailed, post=posted, audience=remaining)


def _on_letter_sent(message: OutboxMessage, sent_at) -> None:
    letter = BreachLetter.objects.select_for_update().filter(pk=int(message.object_id)).first()
    if letter is None or letter.sent_at is not None:
        return
    letter.sent_at = sent_at
    letter.save(update_fields=["sent_at"])


outbox.register_on_sent(LETTER_PURPOSE, _on_letter_sent)


# --- the postal letters ---------------------------------------------------------------------------------------


def postal_letters(breach: Breach) -> models.QuerySet[BreachLetter]:
    """The letters waiting to be printed and posted."""
    return breach.letters.filter(channel=BreachLetter.LetterChannel.POST, sent_at__isnull=True).order_by("id")


@transaction.atomic
def mark_posted(*, breach: Breach, letter_ids: Iterable[int], actor: Any, now: datetime | None = None) -> int:
    """The DPO posted these letters: they count as sent from now."""
    actors.require(actor, SEND_PERMISSION)
    current = Breach.objects.select_for_update().get(pk=breach.pk)
    now = now or timezone.now()
    letters = list(postal_letters(current).filter(pk__in=list(letter_ids)).select_related("affected"))
    if not letters:
        return 0
    before = _letter_state(current)
    BreachLetter.objects.filter(pk__in=[letter.pk for letter in letters]).update(sent_at=now)
    audit.record_many(
        {
            "action": audit.Action.CHANGE,
            "actor": actor,
            "object_type": BreachLetter._meta.label_lower,
            "object_id": letter.pk,
            "subject_id": letter.affected.subject_id if letter.affected else None,
            "fields": ["sent_at"],
            "reason": f"breach:{current.reference}:posted",
        }
        for letter in letters
    )
    _version(
        current,
        summary=_("Art. 34 letters: %(count)s posted") % {"count": len(letters)},
        before=before,
        after=_letter_state(current),
        actor=actor,
        now=now,
    )
    return len(letters)


def letter_pdf_read(*, letter: BreachLetter, actor: User) -> bytes:
    """A letter's PDF for staff: the permission checked before anything is read, the read audited."""
    actors.require(actor, READ_PERMISSION, person=True)
    if not letter.file_name or not storage.absolute(letter.file_name).is_file():
        raise ValidationError(_("This letter's PDF is no longer kept (erased with the person's data)."))
    with transaction.atomic():
        audit.record(
            action=audit.Action.DOWNLOAD,
            actor=actor,
            obj=letter,
            subject_id=letter.affected.subject_id if letter.affected_id else None,
            fields=["file_name"],
            reason="breach-letter",
        )
        return storage.read(letter.file_name)


def postal_bundle(*, breach: Breach, actor: User) -> bytes:
    """Every letter waiting for the post in one PDF, to print at once; each letter's read audited."""
    from pypdf import PdfReader, PdfWriter

    actors.require(actor, READ_PERMISSION, person=True)
    writer = PdfWriter()
    for letter in postal_letters(breach).select_related("affected"):
        if not letter.file_name or not storage.absolute(letter.file_name).is_file():
            continue
        writer.append(PdfReader(io.BytesIO(letter_pdf_read(letter=letter, actor=actor))))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- the public communication (Art. 34(3)(c)) ---------------------------------------------------------------


def public_text_draft(breach: Breach, language: str) -> str:
    """A plain-language draft of the public communication, for the DPO to edit."""
    language = _language(language)
    context = letter_context(breach, language=language)
    with translation.override(language):
        return render_to_string(f"breaches/letters/{language}/public.txt", context).strip() + "\n"


@transaction.atomic
def public_communication_record(
    *,
    breach: Breach,
    actor: Any,
    justification: str,
    text_fr: str,
    text_en: str = "",
    where: str = "",
    published_at: datetime | None = None,
    now: datetime | None = None,
) -> PublicCommunication:
    """Record the public communication made instead of individual letters (Art. 34(3)(c))."""
    actors.require(actor, SEND_PERMISSION)
    current = Breach.objects.select_for_update().get(pk=breach.pk)
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if not justification.strip():
        errors["justification"] = [
            _("Say why letters to each person would involve a disproportionate effort (Art. 34(3)(c)).")
        ]
    if not text_fr.strip():
        errors["text_fr"] = [_("Give the text of the communication.")]
    if published_at is not None and not where.strip():
        errors["where"] = [_("Say where it was published.")]
    if published_at is not None and published_at > now:
        errors["published_at"] = [_("The publication cannot be dated in the future.")]
    if errors:
        raise ValidationError(errors)
    communication = PublicCommunication.objects.create(
        breach=current,
        justification=justification.strip(),
        text_fr=text_fr.strip(),
        text_en=text_en.strip(),
        where=where.strip(),
        published_at=published_at,
        created_at=now,
        created_by_username=actors.username(actor),
    )
    _version(
        current,
        summary=_("Public communication recorded (Art. 34(3)(c))"),
        before={},
        after={"public_communication": communication.pk, "published_at": str(published_at or "")},
        actor=actor,
        now=now,
    )
    audit.record(
        action=audit.Action.CREATE,
        actor=actor,
        obj=communication,
        fields=["justification", "text_fr", "text_en", "where", "published_at"],
    )
    return communication
