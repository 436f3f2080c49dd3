"""The breach documents in the admin: the CNIL notification (page and PDF), the Art. 34 letters (send
after a confirmation with the count, the list with the postal letters to print, each PDF read audited)
and the public communication (Art. 34(3)(c)).

``BreachDocumentsAdminMixin`` is inherited by ``BreachAdmin``: it adds the URLs (each behind
``guarded_path``: the permission is checked before anything is read) and the buttons of the breach page
(``breach_document_tools``, shown by ``admin/breaches/breach/change_form.html``). Thin: the writes are
``breaches.letters``'s services.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ijinus_privacy.admin import GuardedViewsMixin

from . import documents, letters
from .models import BreachLetter

VIEW_LETTERS = "breaches.view_breachletter"


class SendLettersForm(forms.Form):
    advice_fr = forms.CharField(
        label=_("What the person can do (French letters)"),
        widget=forms.Textarea(attrs={"rows": 5, "cols": 90}),
        help_text=_("One piece of advice a line (Art. 34(2): what the people can do to protect themselves)."),
    )
    advice_en = forms.CharField(
        label=_("What the person can do (English letters)"), widget=forms.Textarea(attrs={"rows": 5, "cols": 90})
    )
    confirm = forms.BooleanField(
        label=_("I have read the letter and want it sent to the people counted above"), required=True
    )


class PublicCommunicationForm(forms.Form):
    justification = forms.CharField(
        label=_("Why individual letters would involve a disproportionate effort"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 90}),
        help_text=_("Art. 34(3)(c): e.g. the people cannot be identified or have no contact details on file."),
    )
    text_fr = forms.CharField(label=_("Text (French)"), widget=forms.Textarea(attrs={"rows": 16, "cols": 90}))
    text_en = forms.CharField(
        label=_("Text (English)"), required=False, widget=forms.Textarea(attrs={"rows": 16, "cols": 90})
    )
    where = forms.CharField(label=_("Where it is published (URL or place)"), required=False, max_length=500)
    published_at = forms.SplitDateTimeField(
        label=_("Published at"),
        required=False,
        widget=AdminSplitDateTime,
        help_text=_("Leave empty while it is a draft."),
    )


class BreachDocumentsAdminMixin(GuardedViewsMixin):
    """URLs and buttons of the breach documents; mixed into ``BreachAdmin``."""

    def get_urls(self):
        send = "breaches.send_breach_letters"
        return [
            self.guarded_path("<int:object_id>/cnil/", self.cnil_document_view, name="breaches_breach_cnil"),
            self.guarded_path("<int:object_id>/cnil/pdf/", self.cnil_pdf_view, name="breaches_breach_cnil_pdf"),
            self.guarded_path(
                "<int:object_id>/letters/send/",
                self.letters_send_view,
                name="breaches_breach_letters_send",
                permission=send,
            ),
            self.guarded_path(
                "<int:object_id>/letters/", self.letters_view, name="breaches_breach_letters", permission=VIEW_LETTERS
            ),
            self.guarded_path(
                "<int:object_id>/letters/postal.pdf",
                self.postal_bundle_view,
                name="breaches_breach_letters_postal",
                permission=VIEW_LETTERS,
            ),
            self.guarded_path(
                "<int:object_id>/letters/<int:letter_id>/pdf/",
                self.letter_pdf_view,
                name="breaches_breach_letter_pdf",
                permission=VIEW_LETTERS,
            ),
            self.guarded_path(
                "<int:object_id>/public-communication/",
                self.public_communication_view,
                name="breaches_breach_public_communication",
                permission=send,
            ),
            *super().get_urls(),
        ]

    # --- helpers ------------------------------------------------------------------------------------------

    def _breach(self, request, object_id: int):
        breach = self.get_object(request, str(object_id))
        if breach is None:
            raise Http404
        return breach

    def _context(self, request, breach, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "breach": breach,
            "opts": self.opts,
            "change_url": reverse("admin:breaches_breach_change", args=[breach.pk]),
            **extra,
        }

    def _content(self, request, breach):
        """The document as it stands, or as a phase submitted it (``?phase=``), in ``?lang=`` (French by default)."""
        language = request.GET.get("lang", "fr")
        if language not in dict(settings.LANGUAGES):
            language = "fr"
        phase = None
        if request.GET.get("phase", "").isdigit():
            phase = breach.phases.filter(pk=int(request.GET["phase"])).first()
            if phase is None:
                raise Http404
        if phase is not None and phase.content.get("sections"):
            content = phase.content
        else:
            content = documents.notification_content(breach, language=language)
        return content, phase

    # --- the CNIL notification ------------------------------------------------------------------------------

    def cnil_document_view(self, request, object_id: int):
        breach = self._breach(request, object_id)
        content, phase = self._content(request, breach)
        query = request.GET.urlencode()
        pdf_url = reverse("admin:breaches_breach_cnil_pdf", args=[breach.pk]) + (f"?{query}" if query else "")
        with translation.override(content.get("language") or "fr"):
            title = str(_("Notification to the CNIL"))
        context = self._context(
            request,
            breach,
            f"{title} — {breach.reference}",
            content=content,
            phase=phase,
            phases=list(breach.phases.order_by("submitted_at", "id")),
            pdf_url=pdf_url,
            languages=settings.LANGUAGES,
        )
        return TemplateResponse(request, "admin/breaches/breach/cnil_notification.html", context)

    def cnil_pdf_view(self, request, object_id: int):
        breach = self._breach(request, object_id)
        content, phase = self._content(request, breach)
        pdf = documents.notification_pdf(breach, content=content, actor=request.user, phase=phase)
        response = HttpResponse(pdf, content_type="application/pdf")
        suffix = f"-phase-{phase.pk}" if phase else ""
        response["Content-Disposition"] = f'attachment; filename="{breach.reference}-cnil{suffix}.pdf"'
        return response

    # --- the letters ------------------------------------------------------------------------------------------

    def letters_send_view(self, request, object_id: int):
        breach = self._breach(request, object_id)
        change_url = reverse("admin:breaches_breach_change", args=[breach.pk])
        initial = {"advice_fr": letters.default_advice(breach, "fr"), "advice_en": letters.default_advice(breach, "en")}
        form = SendLettersForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                sent = letters.send_letters(
                    breach=breach,
                    actor=request.user,
                    advice={"fr": form.cleaned_data["advice_fr"], "en": form.cleaned_data["advice_en"]},
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                self.message_user(
                    request,
                    _("%(emailed)s letters e-mailed, %(post)s to print and post.")
                    % {"emailed": sent.emailed, "post": sent.post},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:breaches_breach_letters", args=[breach.pk]))
        advice = form["advice_fr"].value() if form.is_bound else initial["advice_fr"]
        context = self._context(
            request,
            breach,
            _("Send the letters to the people affected (Art. 34)"),
            form=form,
            audience=letters.audience(breach),
            assessment=breach.latest_assessment(),
            preview=letters.render_letter_html(breach, language="fr", advice=advice),
            change_url=change_url,
            media=self.media + form.media,
        )
        return TemplateResponse(request, "admin/breaches/breach/letters_send.html", context)

    def letters_view(self, request, object_id: int):
        breach = self._breach(request, object_id)
        if request.method == "POST":
            if not request.user.has_perm("breaches.send_breach_letters"):
                raise PermissionDenied
            ids = [int(pk) for pk in request.POST.getlist("letter") if pk.isdigit()]
            count = letters.mark_posted(breach=breach, letter_ids=ids, actor=request.user)
            self.message_user(request, _("%(count)s letters marked as posted.") % {"count": count}, messages.SUCCESS)
            return HttpResponseRedirect(request.path)
        rows = breach.letters.select_related("affected").order_by("channel", "id")
        context = self._context(
            request,
            breach,
            _("Letters to the people affected (Art. 34)"),
            letters=rows,
            postal=letters.postal_letters(breach),
            audience=letters.audience(breach),
            can_send=request.user.has_perm("breaches.send_breach_letters"),
            post=BreachLetter.LetterChannel.POST,
        )
        return TemplateResponse(request, "admin/breaches/breach/letters.html", context)

    def letter_pdf_view(self, request, object_id: int, letter_id: int):
        """A letter's PDF, decrypted: the permission checked before any read (``guarded_path``), the read audited."""
        letter = BreachLetter.objects.select_related("affected").filter(pk=letter_id, breach_id=object_id).first()
        if letter is None or self.get_object(request, str(object_id)) is None:
            raise Http404
        try:
            content = letters.letter_pdf_read(letter=letter, actor=request.user)
        except ValidationError as error:
            self.message_user(request, "; ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:breaches_breach_letters", args=[object_id]))
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="breach-{object_id}-letter-{letter.pk}.pdf"'
        return response

    def postal_bundle_view(self, request, object_id: int):
        breach = self._breach(request, object_id)
        if not letters.postal_letters(breach).exists():
            self.message_user(request, _("No letter is waiting for the post."), messages.INFO)
            return HttpResponseRedirect(reverse("admin:breaches_breach_letters", args=[breach.pk]))
        response = HttpResponse(
            letters.postal_bundle(breach=breach, actor=request.user), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="{breach.reference}-letters-to-post.pdf"'
        return response

    # --- the public communication ---------------------------------------------------------------------------

    def public_communication_view(self, request, object_id: int):
        breach = self._breach(request, object_id)
        change_url = reverse("admin:breaches_breach_change", args=[breach.pk])
        initial = {
            "text_fr": letters.public_text_draft(breach, "fr"),
            "text_en": letters.public_text_draft(breach, "en"),
        }
        form = PublicCommunicationForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                letters.public_communication_record(breach=breach, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.message_user(request, _("Public communication recorded."), messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        context = self._context(
            request,
            breach,
            _("Public communication (Art. 34(3)(c))"),
            form=form,
            audience=letters.audience(breach),
            communications=breach.public_communications.order_by("id"),
            media=self.media + form.media,
        )
        return TemplateResponse(request, "admin/breaches/breach/public_communication.html", context)

    # --- the buttons of the breach page ---------------------------------------------------------------------

    def document_tools(self, request, breach) -> list[tuple[str, str]]:
        tools = [(reverse("admin:breaches_breach_cnil", args=[breach.pk]), _("CNIL notification"))]
        if request.user.has_perm("breaches.send_breach_letters"):
            tools.append((reverse("admin:breaches_breach_letters_send", args=[breach.pk]), _("Send the letters")))
            tools.append(
                (reverse("admin:breaches_breach_public_communication", args=[breach.pk]), _("Public communication"))
            )
        if request.user.has_perm(VIEW_LETTERS):
            tools.append((reverse("admin:breaches_breach_letters", args=[breach.pk]), _("Letters")))
        return tools

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            context["breach_document_tools"] = self.document_tools(request, obj)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)
