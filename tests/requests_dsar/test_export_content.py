"""What the subject receives: the PDF reads as an Art. 15 answer, JSON and portability match their
schemas, portability keeps only provided data under consent or contract, third parties are redacted."""

from __future__ import annotations

import io
import json
import zipfile

import jsonschema
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from ijinus_privacy import audit
from requests_dsar.exports import content, render
from subjects.models import SupportTicket
from tests import factories as sf
from tests.factories import UserFactory, subject_with_data

pytestmark = pytest.mark.django_db


def _schema(name: str) -> dict:
    return render.load_schema(name)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_has_a_cover_every_article_15_section_and_the_subjects_data():
    # given a client with contracts, tickets, navigation... in French
    subject = subject_with_data(last_name="Kerouac", first_names="Yvonne")
    collection = content.collect(subject, language="fr")

    # when the access PDF is rendered
    text = _pdf_text(render.access_pdf(collection, language="fr"))

    # then it opens with a cover page for this person and holds each Art. 15 section, then the data
    for heading in (
        "Copie de vos données personnelles",
        "Yvonne Kerouac",
        "a) Finalités et bases légales",
        "b) Catégories de données",
        "c) Destinataires",
        "d) Durées de conservation",
        "e) Vos droits",
        "f) Droit d'introduire une réclamation auprès de la CNIL",
        "g) Source des données",
        "h) Décisions automatisées et profilage",
        "Transferts hors de l'Union européenne",
        "Consultations de vos données par notre personnel",
        "Copie de vos données",
    ):
        assert heading in text, heading
    assert "C-424242" in text  # the contract reference
    assert "Flow meters" in text or "Débitmètres" in text  # a code explained, not "flow"
    assert "Gestion des clients" in text  # a register entry by its French name
    assert "Transporteurs" in text  # a recipient, in French (named once the DPO records the company)


def test_the_pdf_speaks_english_to_an_english_speaking_subject():
    subject = subject_with_data(language="en")

    text = _pdf_text(render.access_pdf(content.collect(subject, language="en"), language="en"))

    assert "Copy of your personal data" in text
    assert "f) Right to lodge a complaint with the CNIL" in text


def test_staff_consultations_are_listed_by_date_and_purpose_never_by_name():
    subject = subject_with_data()
    staff = UserFactory(username="agent-confidentiel")
    audit.record(action=audit.Action.VIEW, actor=staff, obj=subject)

    document = render.access_document(content.collect(subject, language="en"), language="en")

    assert [c["action"] for c in document["consultations"]] == ["view"]
    assert document["consultations"][0]["purpose"] == "Consultation of your file"
    assert "agent-confidentiel" not in json.dumps(document)


def test_staff_names_and_other_peoples_e_mails_are_redacted_and_the_redaction_is_noted():
    # given a ticket naming the staff member who answered and a neighbour's address
    UserFactory(first_name="Marie", last_name="Leclerc", email="m.leclerc@ijinus.example")
    subject = subject_with_data(tickets=1, email="client@exemple.fr", organisation="Syndicat des eaux du Val")
    SupportTicket.objects.filter(subject=subject).update(
        text="Rappelé par Marie Leclerc (m.leclerc@ijinus.example) ; copie à voisin@exemple.com, "
        "réponse à client@exemple.fr"
    )

    collection = content.collect(subject, language="fr")
    document = render.access_document(collection, language="fr")
    dumped = json.dumps(document, ensure_ascii=False)

    # then the third parties are gone, the subject's own address stays, and the export says so
    assert "Marie Leclerc" not in dumped
    assert "m.leclerc@ijinus.example" not in dumped
    assert "voisin@exemple.com" not in dumped
    assert "client@exemple.fr" in dumped
    assert "[occulté]" in dumped
    assert {(r["field"], r["kind"]) for r in document["redactions"]} == {
        ("text", "staff_identity"),
        ("text", "email_address"),
    }
    assert "Occultations" in _pdf_text(render.access_pdf(collection, language="fr"))


def test_the_access_json_validates_against_its_published_schema():
    subject = subject_with_data()

    document = json.loads(render.access_json(content.collect(subject, language="fr"), language="fr", request_id=7))

    jsonschema.validate(document, _schema(render.ACCESS_SCHEMA))
    assert document["data_processed"] is True
    assert document["request_id"] == 7
    assert {source["source"] for source in document["sources"]} >= {"subjects.identity", "subjects.tickets"}


def test_a_document_that_breaks_the_schema_is_refused():
    document = render.access_document(content.collect(subject_with_data(), language="fr"), language="fr")
    document["information"]["automated_decisions"] = []

    with pytest.raises(render.SchemaMismatch):
        render.validate(document, render.ACCESS_SCHEMA)


def _portability(subject) -> tuple[dict, zipfile.ZipFile]:
    archive = zipfile.ZipFile(io.BytesIO(render.portability_zip(content.collect(subject), language="fr")))
    return json.loads(archive.read("portability.json")), archive


def test_portability_validates_and_keeps_only_provided_data_under_consent_or_contract():
    subject = subject_with_data()
    from tests.factories import logged_request

    logged_request(subject=subject)  # the request file: legal obligation (P11), never portable

    document, archive = _portability(subject)

    jsonschema.validate(document, _schema(render.PORTABILITY_SCHEMA))
    sources = {source["source"] for source in document["sources"]}
    assert "subjects.contracts" in sources
    assert "subjects.navigation" in sources
    assert "subjects.interests" not in sources  # inferred (R1.8.2)
    assert "subjects.third_party" not in sources  # not provided by the person
    assert "requests_dsar.requests" not in sources  # Art. 6(1)(c), not consent or contract (R1.8.1)
    assert all(set(source["legal_bases"]) <= {"a", "b"} for source in document["sources"])
    assert "subjects-contracts.csv" in archive.namelist()
    assert not any(name.endswith(".pdf") for name in archive.namelist())


def test_portability_csv_cells_cannot_run_as_spreadsheet_formulas():
    subject = subject_with_data(tickets=1)
    SupportTicket.objects.filter(subject=subject).update(summary='=HYPERLINK("http://x")')

    _document, archive = _portability(subject)

    assert "'=HYPERLINK" in archive.read("subjects-tickets.csv").decode()


def test_the_collection_query_count_does_not_grow_with_the_number_of_rows():
    small = subject_with_data(tickets=1)
    large = subject_with_data(tickets=1)
    sf.TicketFactory.create_batch(40, subject=large)
    sf.NavigationFactory.create_batch(40, subject=large)

    counts = []
    for subject in (small, large):
        with CaptureQueriesContext(connection) as queries:
            collection = content.collect(subject)
            render.access_document(collection, language="fr")
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_r5_4_3_the_access_answer_states_each_transfers_safeguard_and_how_to_obtain_a_copy():
    from tests.requests_dsar.documented import document_register

    document_register()  # the DPO recorded each recipient's country and safeguard
    subject = subject_with_data(last_name="Kerouac", first_names="Yvonne")
    collection = content.collect(subject, language="fr")
    transfers = render.access_document(collection, language="fr")["information"]["transfers"]

    text = " ".join(_pdf_text(render.access_pdf(collection, language="fr")).split())

    assert transfers, "the documented register sends this client's data outside the EU"
    for transfer in transfers:
        assert transfer["mechanism_label"]
        assert " ".join(str(transfer["mechanism_label"]).split()) in text
    assert "Vous pouvez obtenir une copie de ces garanties" in text
    assert "(art. 15(2) et 46 du RGPD)" in text
