"""Letters to the requester (R1.1.5, Art. 12(3)-(4), Art. 12(6)): e-mailed and kept as PDF.

The PDF is personal data like an export: encrypted at rest under ``MEDIA_ROOT/letters/`` with a
random name, never served from MEDIA_URL, read by staff only through ``letter_pdf_read`` (permission
checked first, audited). The e-mail goes through the outbox; ``sent_at`` is set once it left.

One HTML template per letter and language under ``templates/requests_dsar/letters/<lang>/``;
the same rendering gives the e-mail (HTML + plain text) and the PDF kept on the request.
Subjects of e-mails carry the request number only, never personal data.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consents.dpo import dpo_contact
from ijinus_privacy import actors, audit, outbox, storage
from ijinus_privacy.email_text import html_to_text
from ijinus_privacy.models import OutboxMessage
from ijinus_privacy.pdf import render_pdf
from ijinus_privacy.public_url import public_url

from .models import IdentityCheck, Letter, Request, RequestEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

SUBJECT_LINES = {
    "fr": {
        Letter.Kind.ACKNOWLEDGEMENT: "Votre demande n° {id} : accusé de réception",
        Letter.Kind.IDENTITY_REQUEST: "Votre demande n° {id} : vérification de votre identité",
        Letter.Kind.CLARIFICATION_REQUEST: "Votre demande n° {id} : précisions nécessaires",
        Letter.Kind.EXTENSION_NOTICE: "Votre demande n° {id} : prolongation du délai de réponse",
        Letter.Kind.REFUSAL: "Votre demande n° {id} : notre décision",
        Letter.Kind.RESPONSE: "Votre demande n° {id} : notre réponse",
        Letter.Kind.FEE_NOTICE: "Votre demande n° {id} : frais pour une copie supplémentaire",
        Letter.Kind.ERASURE_REPORT: "Votre demande n° {id} : compte rendu de l'effacement",
    },
    "en": {
        Letter.Kind.ACKNOWLEDGEMENT: "Your request no. {id}: acknowledgement",
        Letter.Kind.IDENTITY_REQUEST: "Your request no. {id}: identity verification",
        Letter.Kind.CLARIFICATION_REQUEST: "Your request no. {id}: clarification needed",
        Letter.Kind.EXTENSION_NOTICE: "Your request no. {id}: extension of the response period",
        Letter.Kind.REFUSAL: "Your request no. {id}: our decision",
        Letter.Kind.RESPONSE: "Your request no. {id}: our response",
        Letter.Kind.FEE_NOTICE: "Your request no. {id}: fee for a further copy",
        Letter.Kind.ERASURE_REPORT: "Your request no. {id}: erasure report",
    },
}

LETTER_DIR = "letters"
LETTER_PURPOSE = "requests_dsar.letter"
IDENTITY_LINK_PURPOSE = "requests_dsar.identity_link"

# Letters whose template lives with the feature that writes them; the others are letters/<lang>/<kind>.html.
TEMPLATES = {Letter.Kind.ERASURE_REPORT: "requests_dsar/erasure/{lang}/report.html"}


def _language(request: Request, language: str | None) -> str:
    lang = language or request.language or "fr"
    return lang if lang in SUBJECT_LINES else "fr"


def salutation(language: str, name: str = "") -> str:
    """The opening line. French letters use the neutral "Madame, Monsieur," (the civility is not
    recorded, and a first name never follows "Monsieur"); English ones name the person when known."""
    if language == "en":
        return f"Dear {name}," if name.strip() else "Dear Sir or Madam,"
    return "Madame, Monsieur,"


def _other_open_requests(request: Request) -> int:
    """Other requests of the same person still open: the "number of requests" of Art. 12(3)."""
    if not request.subject_id:
        return 0
    return Request.objects.filter(subject_id=request.subject_id).exclude(pk=request.pk).open().count()


def letter_context(request: Request, kind: str, language: str = "fr") -> dict:
    items = list(request.items.all())
    refused = (
        list(request.decisions.filter(kind="refused").select_related("item")) if kind == Letter.Kind.REFUSAL else []
    )
    extension = getattr(request, "extension", None) if kind == Letter.Kind.EXTENSION_NOTICE else None
    identity_check = (
        request.identity_checks.filter(status=IdentityCheck.Status.PENDING).order_by("-id").first()
        if kind == Letter.Kind.IDENTITY_REQUEST
        else None
    )
    requester_name = (request.subject.display_name if request.subject_id else "") or request.requester_name
    contact = dpo_contact()
    return {
        "request": request,
        "items": items,
        "refusals": refused,
        "extension": extension,
        "other_open_requests": _other_open_requests(request) if extension is not None else 0,
        "identity_check": identity_check,
        "phone_end": (request.subject.phone[-2:] if request.subject_id and request.subject.phone else ""),
        "requester_name": requester_name,
        "salutation": salutation(language, requester_name),
        "today": timezone.localdate(),
        "dpo": contact,
        "dpo_email": contact.email,
    }


def render_letter_html(request: Request, kind: str, language: str, extra_context: dict | None = None) -> str:
    template = TEMPLATES.get(kind, "requests_dsar/letters/{lang}/{kind}.html").format(lang=language, kind=kind)
    with translation.override(language):
        context = {**letter_context(request, kind, language), **(extra_context or {})}
        context["salutation"] = salutation(language, context["requester_name"])
        return render_to_string(template, context)


@transaction.atomic
def letter_send(
    *,
    request: Request,
    kind: str,
    actor: User | None,
    language: str | None = None,
    extra_context: dict | None = None,
    recipient: str | None = None,
) -> Letter:
    """Render the letter, keep it as PDF on the request, and e-mail it when an address is known.

    ``recipient`` replaces the address on file: the erasure report goes to the address the person
    had before their data was erased.
    """
    if actor is not None and not actor.has_perm("requests_dsar.send_letter"):
        raise PermissionDenied(_("You may not send letters."))
    if kind not in Letter.Kind.values:
        raise ValidationError(_("Unknown letter."))
    if kind == Letter.Kind.REFUSAL and not request.decisions.filter(kind="refused").exists():
        raise ValidationError(_("A refusal letter needs a recorded DPO refusal with its grounds (Art. 12(4))."))
    if kind == Letter.Kind.EXTENSION_NOTICE and not hasattr(request, "extension"):
        raise ValidationError(_("Record the extension first (Art. 12(3))."))
    lang = _language(request, language)
    html = render_letter_html(request, kind, lang, extra_context)
    with translation.override(lang):
        pdf = render_pdf("requests_dsar/letters/pdf.html", {"body": html, "request": request})
    letter = Letter(request=request, kind=kind, language=lang, sent_by_username=actors.username(actor))
    letter.full_clean()
    # Encrypted at rest under an unguessable name; read only through ``letter_pdf_read`` (audited).
    letter.pdf.name = storage.write(pdf, relative=f"{LETTER_DIR}/{secrets.token_urlsafe(24)}.enc")
    letter.save()
    recipient = request.contact_email if recipient is None else recipient
    if recipient:
        outbox.outbox_enqueue(
            purpose=LETTER_PURPOSE,
            object_id=letter.pk,
            to=[recipient],
            subject=SUBJECT_LINES[lang][kind].format(id=request.pk),
            body=html_to_text(html),
            html=html,
            attachments=[outbox.Attachment(f"request-{request.pk}.pdf", pdf, "application/pdf")],
            subject_id=request.subject_id,
            actor=actor,
        )
    else:
        # No address: the PDF goes by post. An e-mailed letter enters the timeline once it left.
        RequestEvent.objects.create(
            request=request,
            kind=RequestEvent.Kind.LETTER,
            actor=actor if actor is not None and actor.is_authenticated else None,
            actor_username=actors.username(actor),
            reason=letter.get_kind_display() + " — " + _("PDF kept for postal dispatch"),
        )
    audit.record(action=audit.Action.EXPORT, actor=actor, obj=request, fields=["letter"], reason=f"letter:{kind}")
    return letter


def _on_letter_sent(message: OutboxMessage, sent_at) -> None:
    letter = Letter.objects.select_for_update().filter(pk=int(message.object_id)).first()
    if letter is None or letter.sent_at is not None:
        return
    letter.sent_at = sent_at
    letter.save(update_fields=["sent_at"])
    RequestEvent.objects.create(
        request_id=letter.request_id,
        kind=RequestEvent.Kind.LETTER,
        actor_username=letter.sent_by_username,
        reason=letter.get_kind_display() + " — " + _("e-mailed"),
    )
    from .notices import sent_late

    due = sent_late(letter, letter.request)
    if due is not None:  # R1.2.4: a refusal or extension notice after its due date is on the record as late
        RequestEvent.objects.create(
            request_id=letter.request_id,
            kind=RequestEvent.Kind.WARNING,
            actor_username=letter.sent_by_username,
            reason=_("%(letter)s sent after its due date of %(due)s (Art. 12(3)-(4)).")
            % {"letter": letter.get_kind_display(), "due": due.isoformat()},
        )


outbox.register_on_sent(LETTER_PURPOSE, _on_letter_sent)


def letter_pdf_read(*, letter: Letter, actor: User) -> bytes:
    """The letter's PDF for staff: permission checked before anything is read, the read audited (R5.1)."""
    if not actor.has_perm("requests_dsar.view_letter"):
        raise PermissionDenied(_("You may not read letters."))
    if not letter.pdf.name or not storage.absolute(letter.pdf.name).is_file():
        raise ValidationError(_("This letter's PDF is no longer kept (erased with the person's data)."))
    with transaction.atomic():
        audit.record(
            action=audit.Action.DOWNLOAD,
            actor=actor,
            obj=letter,
            subject_id=letter.request.subject_id,
            fields=["pdf"],
            reason="letter",
        )
        return storage.read(letter.pdf.name)


def identity_link_send(*, check: IdentityCheck, token: str) -> OutboxMessage:
    """Queue the one-time identity link to the address already on file (R1.5.2(2))."""
    request = check.request
    lang = _language(request, None)
    with translation.override(lang):
        link = public_url(reverse("requests_dsar_public:identity_confirm", args=[check.pk, token]))
        html = render_to_string(
            f"requests_dsar/letters/{lang}/identity_link.html",
            {"request": request, "link": link, "dpo": dpo_contact(), "salutation": salutation(lang)},
        )
    return outbox.outbox_enqueue(
        purpose=IDENTITY_LINK_PURPOSE,
        object_id=check.pk,
        to=[request.subject.email],
        subject=SUBJECT_LINES[lang][Letter.Kind.IDENTITY_REQUEST].format(id=request.pk),
        body=html_to_text(html),
        html=html,
        subject_id=request.subject_id,
    )
