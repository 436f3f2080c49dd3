"""What the data subject reads: the access export (R1.7.2, R1.7.3, R3.2.2), the letters, the erasure
report (Art. 19) and one DPO contact everywhere, in French and English, without internal references."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from consents.models import Controller
from ijinus_privacy import storage
from requests_dsar.erasure.services import erasure_execute
from requests_dsar.exports import content, render, services
from requests_dsar.letters import render_letter_html
from requests_dsar.models import ErasureGround, ExportJob, Extension, IdentityCheck, Letter, Right
from subjects.models import SubjectRole
from tests.factories import (
    ContractFactory,
    DataSubjectFactory,
    DeliveryFactory,
    SubjectRoleFactory,
    client_to_erase,
    dpo_user,
    erasure_request,
    logged_request,
    subject_with_data,
)
from tests.requests_dsar.documented import document_register, search_register_systems

pytestmark = pytest.mark.django_db

# What must never reach a data subject: register codes, policy sections, drafting notes.
INTERNAL = re.compile(
    r"\bP\d{2}\b|§|DPO decision|not yet documented|non encore documenté|trigger not stated|"
    r"Other sources to be listed|policy|LEGAL\.md|⚑|\bR\d\.\d|EDPB"
)


def _pdf_text(data: bytes) -> str:
    return " ".join("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def _access_pdf(subject, language: str) -> str:
    return _pdf_text(render.access_pdf(content.collect(subject, language=language), language=language))


def _active_client(**fields):
    """An active client with a contract and a delivery, who never browsed the website."""
    subject = DataSubjectFactory(last_name="Le Goff", first_names="Astrid", **fields)
    SubjectRoleFactory(subject=subject, role=SubjectRole.Role.ACTIVE_CLIENT)
    ContractFactory(subject=subject, reference="C-777001")
    DeliveryFactory(subject=subject)
    return subject


@pytest.mark.parametrize("language", ["fr", "en"])
def test_r1_7_2_access_pdf_shows_no_internal_reference_even_on_an_undocumented_register(language):
    # given the register as seeded: recipients unnamed, some retention periods left to the DPO
    subject = subject_with_data(language=language)

    text = _access_pdf(subject, language)

    assert INTERNAL.search(text) is None, INTERNAL.search(text)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_r1_7_2_access_pdf_shows_no_internal_reference_on_a_documented_register(language):
    document_register()
    subject = subject_with_data(language=language)

    text = _access_pdf(subject, language)

    assert INTERNAL.search(text) is None, INTERNAL.search(text)
    assert "DPD France SAS" in text  # a recipient by its identity (CJEU C-154/21)


def test_r1_7_2_r3_2_2_access_purposes_tailored_to_the_registers_entries_for_the_persons_roles():
    document_register()
    client = _active_client()

    text = _access_pdf(client, "fr")

    assert "Gestion des clients (vente et location de capteurs)" in text
    assert "Livraison et suivi de vos commandes" in text
    for other in ("Gestion des prospects", "Cookies et mesure d'audience", "Réseaux sociaux", "Lettre d'information"):
        assert other not in text, other


def test_r1_7_2_r3_2_2_a_prospect_reads_the_prospect_purposes():
    document_register()
    prospect = DataSubjectFactory()
    SubjectRoleFactory(subject=prospect, role=SubjectRole.Role.PROSPECT)

    text = _access_pdf(prospect, "fr")

    assert "Gestion des prospects" in text
    assert "Gestion des clients" not in text


def test_r1_7_2_english_export_is_complete_in_english():
    document_register()
    client = _active_client(language="en")

    text = _access_pdf(client, "en")

    for english in (
        "Customer management (sale and rental of sensors)",
        "Delivering and tracking your orders",
        "Orders, deliveries and installations",
        "The term of the contract, then 10 years",
        "DPD France SAS",
        "Identity and contact details",
        "Contract reference",
    ):
        assert english in text, english
    for french in ("Gestion des clients", "Livraison et suivi", "Durée du contrat", "Transporteurs", "Identité et"):
        assert french not in text, french


def test_r1_7_2_recipients_named_with_country_and_transfer_safeguard():
    document_register()
    subject = subject_with_data(language="en")  # browses the website: audience measurement applies

    text = _access_pdf(subject, "en")

    assert "DPD France SAS processor France" in text
    assert "Google LLC United States" in text
    assert "standard contractual clauses" in text


def test_r1_7_3_copy_reads_as_tables_with_dates_in_the_persons_style():
    client = _active_client()

    text = _access_pdf(client, "fr")

    # column headings once, then the values, instead of "label : value · label : value"
    assert "Référence du contrat" in text
    assert "C-777001" in text
    assert " · " not in text
    assert re.search(r"\d{2}/\d{2}/\d{4}", text)
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text)


def _built_request(django_capture_on_commit_callbacks, subject=None):
    subject = subject or subject_with_data(email="astrid.legoff@exemple.fr")
    dsar = logged_request(subject=subject, rights=(Right.ACCESS,))
    with django_capture_on_commit_callbacks(execute=True):
        services.export_jobs_create(request=dsar, actor=None, kinds=["access_json"])
    search_register_systems(dsar)  # staff searched every source of the register (R1.7.1)
    return dsar


def test_r1_7_2_approval_refused_while_something_is_undocumented(django_capture_on_commit_callbacks, mailoutbox):
    dsar = _built_request(django_capture_on_commit_callbacks)

    with pytest.raises(ValidationError) as refused:
        services.export_approve_and_send(request=dsar, actor=dpo_user())

    listed = " ".join(refused.value.messages)
    assert "Carriers" in listed
    assert "company and country not recorded" in listed
    assert "retention" in listed
    assert ExportJob.objects.get(request=dsar).approved_at is None
    assert mailoutbox == []


def test_r1_7_2_an_export_built_while_undocumented_is_built_again_before_approval(django_capture_on_commit_callbacks):
    # given an export built while the register had gaps, then the DPO documents the register
    dsar = _built_request(django_capture_on_commit_callbacks)
    document_register()

    # then the export built without that information cannot go out
    with pytest.raises(ValidationError, match="build the exports again"):
        services.export_approve_and_send(request=dsar, actor=dpo_user())

    # when it is built again, it can be approved
    with django_capture_on_commit_callbacks(execute=True):
        services.export_jobs_rebuild(request=dsar, reason="register documented", actor=dpo_user())
    with django_capture_on_commit_callbacks(execute=True):
        services.export_approve_and_send(request=dsar, actor=dpo_user())
    assert ExportJob.objects.get(request=dsar).approved_at is not None


def test_r1_7_2_an_export_built_on_a_documented_register_is_approved(django_capture_on_commit_callbacks):
    document_register()
    dsar = _built_request(django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        services.export_approve_and_send(request=dsar, actor=dpo_user())

    assert ExportJob.objects.get(request=dsar).approved_at is not None


def test_r1_15_a_deceased_persons_export_is_refused_towards_the_post_mortem_path():
    subject = subject_with_data(deceased_on=dt.date(2026, 1, 4))
    dsar = logged_request(subject=subject, rights=(Right.ACCESS,))

    with pytest.raises(ValidationError, match="post-mortem request"):
        services.export_jobs_create(request=dsar, actor=None)

    assert not ExportJob.objects.filter(request=dsar).exists()


@pytest.mark.parametrize(
    ("language", "told", "never"),
    [
        ("fr", "Vos données avaient été communiquées", "n'avaient été communiquées à aucun"),
        ("en", "Your data had been disclosed", "had not been disclosed to any recipient"),
    ],
)
def test_r1_12_3_erasure_report_names_the_recipients_of_a_client(language, told, never):
    # given a client with orders and deliveries: the register sends them to the carriers
    document_register()
    dpo = dpo_user()
    subject = client_to_erase(language=language)
    request = erasure_request(subject, actor=dpo)

    result = erasure_execute(request=request, ground=ErasureGround.NO_LONGER_NECESSARY, justification="ok", actor=dpo)

    text = _pdf_text(storage.read(result.letter.pdf.name))
    assert told in text
    assert "DPD France SAS" in text
    assert never not in text
    assert INTERNAL.search(text) is None, INTERNAL.search(text)


def _letter(kind: str, language: str, **request_fields) -> str:
    subject = DataSubjectFactory(last_name="Le Goff", first_names="Astrid", language=language)
    request = logged_request(subject=subject, rights=(Right.ACCESS,), language=language, **request_fields)
    if kind == Letter.Kind.EXTENSION_NOTICE:
        Extension.objects.create(
            request=request,
            reason=Extension.Reason.SPREAD_ACROSS_UNITS,
            explanation="Vos données sont dans cinq systèmes.",
            notice_sent_on=dt.date(2026, 3, 20),
        )
    return " ".join(render_letter_html(request, kind, language).split())


def test_letters_french_salutation_never_puts_a_name_after_madame_monsieur():
    html = _letter(Letter.Kind.ACKNOWLEDGEMENT, "fr")

    assert "<p>Madame, Monsieur,</p>" in html
    assert "Monsieur Astrid" not in html
    assert "Le Goff," not in html


def test_letters_english_salutation_names_the_person():
    html = _letter(Letter.Kind.ACKNOWLEDGEMENT, "en")

    assert "<p>Dear Astrid Le Goff,</p>" in html
    assert "Yours sincerely," in html


def test_letters_identity_request_says_what_to_send():
    html = _letter(Letter.Kind.IDENTITY_REQUEST, "fr")

    assert "Ce que nous vous demandons" in html
    assert "vos nom et prénoms" in html
    assert "numéro de client, de commande ou de facture" in html


def test_letters_identity_request_by_email_link_says_only_to_open_the_link():
    subject = DataSubjectFactory(language="en")
    request = logged_request(subject=subject, rights=(Right.ACCESS,), language="en")
    IdentityCheck.objects.create(request=request, doubt_reason="Phone request", method=IdentityCheck.Method.EMAIL_LINK)

    html = render_letter_html(request, Letter.Kind.IDENTITY_REQUEST, "en")

    assert "single-use link" in html
    assert "you do not need to send us anything else" in html


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("fr", ("complexité", "nombre de demandes", "réparties entre plusieurs services", "cinq systèmes")),
        ("en", ("complexity", "number of requests", "spread across several departments", "cinq systèmes")),
    ],
)
def test_r1_3_1_extension_notice_offers_both_reasons_of_art_12_3_with_the_dpo_explanation(language, texts):
    html = _letter(Letter.Kind.EXTENSION_NOTICE, language)

    for text in texts:
        assert text in html, text


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    "kind",
    [
        Letter.Kind.ACKNOWLEDGEMENT,
        Letter.Kind.IDENTITY_REQUEST,
        Letter.Kind.CLARIFICATION_REQUEST,
        Letter.Kind.EXTENSION_NOTICE,
        Letter.Kind.RESPONSE,
        Letter.Kind.FEE_NOTICE,
    ],
)
def test_letters_carry_no_internal_reference(kind, language):
    html = _letter(kind, language)

    assert INTERNAL.search(html) is None, INTERNAL.search(html)


def test_one_dpo_address_everywhere(client, django_capture_on_commit_callbacks):
    # given the DPO contact set once, on the register's controller record
    Controller.objects.filter(pk=1).update(
        dpo_email="protection@ijinus.example",
        dpo_postal_address="DPO\n25 ZA de Kervidanou 3\n29300 Mellac",
        dpo_phone="02 98 00 00 00",
    )
    document_register()
    subject = subject_with_data(last_name="Le Goff", first_names="Astrid")
    request = logged_request(subject=subject, rights=(Right.ACCESS,))

    readings = {
        "letter": render_letter_html(request, Letter.Kind.ACKNOWLEDGEMENT, "fr"),
        "export": _access_pdf(subject, "fr"),
        "export json": render.access_json(content.collect(subject, language="en"), language="en").decode(),
        "public page": client.get(reverse("consents_public:unsubscribe", args=["not-a-token"])).text,
    }

    for where, text in readings.items():
        assert "protection@ijinus.example" in text, where
        for other in ("gdpr@ijinus", "dpo@ijinus", "rgpd@ijinus"):
            assert other not in text, (where, other)
    assert "29300 Mellac" in readings["public page"]
    assert "02 98 00 00 00" in readings["public page"]
    assert "02 98 00 00 00" in readings["export"]


def test_the_controller_page_sets_the_dpo_phone(admin_client):
    response = admin_client.get(reverse("admin:consents_controller_change", args=[1]))

    assert response.status_code == 200
    assert 'name="dpo_phone"' in response.text
