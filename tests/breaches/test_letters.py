"""Art. 34 letters: only to the people affected who can be reached, in their language, plain words,
the DPO's contact; kept encrypted, e-mailed through the outbox, postal ones listed to print; audited.
The public communication when letters would be a disproportionate effort (Art. 34(3)(c))."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from breaches import letters
from breaches.models import BreachLetter, BreachVersion, PublicCommunication, RiskAssessment
from ijinus_privacy import actors, storage
from ijinus_privacy.models import AuditEvent, OutboxMessage
from subjects.models import DataSubject
from tests import factories as f
from tests.mail import deliver

from .conftest_docs import affect, archive, assess, make_breach, paris, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(today):
    """A high-risk breach and one person of each kind: reachable by e-mail, by post, and not at all."""
    breach = make_breach()
    assess(breach, RiskAssessment.Outcome.HIGH_RISK)
    people = {
        "email": f.DataSubjectFactory(first_names="Léa", last_name="Morel"),
        "english": f.DataSubjectFactory(first_names="Ann", last_name="Smith", language="en"),
        "post": f.DataSubjectFactory(
            first_names="Jean",
            last_name="Dupont",
            email="",
            street_address="3 rue des Lilas",
            postal_code="29300",
            city="Quimperlé",
        ),
        "no_contact": f.DataSubjectFactory(email="", street_address="", postal_code="", city=""),
        "archived": f.DataSubjectFactory(),
        "deceased": f.DataSubjectFactory(deceased_on=dt.date(2025, 12, 1)),
        "erased": f.DataSubjectFactory(),
    }
    affect(breach, *people.values())
    archive(people["archived"])
    DataSubject.objects.filter(pk=people["erased"].pk).delete()  # erasure cuts the link; the row stays
    return breach, people


def test_the_audience_counts_who_can_be_reached_and_why_the_others_cannot(world):
    breach, _people = world

    audience = letters.audience(breach)

    assert (audience.email, audience.post) == (2, 1)
    assert (audience.erased, audience.archived, audience.deceased, audience.no_contact) == (1, 1, 1, 1)
    assert audience.already_written == 0


def test_letters_go_only_to_the_people_who_can_be_reached(world):
    breach, people = world

    sent = letters.send_letters(breach=breach, actor=f.dpo_user())
    deliver()

    assert (sent.emailed, sent.post) == (2, 1)
    assert sorted(message.to[0] for message in mail.outbox) == sorted([people["email"].email, people["english"].email])
    written = BreachLetter.objects.filter(breach=breach)
    assert sorted(written.values_list("affected__subject_id", flat=True)) == sorted(
        [people["email"].pk, people["english"].pk, people["post"].pk]
    )
    assert written.get(affected__subject=people["post"]).channel == BreachLetter.LetterChannel.POST
    assert written.get(affected__subject=people["post"]).sent_at is None  # waits for the DPO to post it
    assert all(letter.sent_at for letter in written.filter(channel=BreachLetter.LetterChannel.EMAIL))


def test_the_e_mail_subject_carries_the_breach_reference_only_and_the_pdf_is_attached(world):
    breach, people = world

    letters.send_letters(breach=breach, actor=f.dpo_user())
    deliver()

    french = next(message for message in mail.outbox if message.to == [people["email"].email])
    assert french.subject == f"Information importante sur vos données personnelles ({breach.reference})"
    assert "Morel" not in french.subject
    assert french.attachments[0][0] == f"{breach.reference}.pdf"
    assert "Madame, Monsieur Léa Morel" in french.body


def test_the_letter_says_in_plain_words_what_happened_what_it_means_what_to_do_and_whom_to_ask(world):
    breach, people = world

    letters.send_letters(breach=breach, actor=f.dpo_user())
    letter = BreachLetter.objects.get(affected__subject=people["email"])
    text = pdf_text(storage.read(letter.file_name))

    assert letter.language == "fr"
    assert "Un incident de sécurité a touché certaines de vos données personnelles" in text
    assert "des données ont pu être vues ou copiées par des personnes qui n'auraient pas dû y avoir accès" in text
    assert "Identité (nom, prénoms, date de naissance)" in text
    assert "Risque d'hameçonnage ciblé" in text  # likely consequences
    assert "les exports sont désormais chiffrés" in text  # measures taken
    assert "nous ne vous demanderons jamais votre mot de passe" in text  # what they can do
    assert "gdpr@ijinus.com" in text  # the DPO, from the controller record
    assert breach.reference in text


def test_an_english_speaker_gets_the_english_letter(world):
    breach, people = world

    letters.send_letters(breach=breach, actor=f.dpo_user())
    deliver()

    letter = BreachLetter.objects.get(affected__subject=people["english"])
    message = next(message for message in mail.outbox if message.to == [people["english"].email])
    assert letter.language == "en"
    assert message.subject == f"Important information about your personal data ({breach.reference})"
    assert "A security incident has affected some of your personal data" in pdf_text(storage.read(letter.file_name))


def test_the_postal_letter_carries_the_address_for_a_window_envelope(world):
    breach, people = world

    letters.send_letters(breach=breach, actor=f.dpo_user())
    letter = BreachLetter.objects.get(affected__subject=people["post"])

    assert "Jean Dupont 3 rue des Lilas 29300 Quimperlé" in pdf_text(storage.read(letter.file_name))
    assert OutboxMessage.objects.filter(purpose=letters.LETTER_PURPOSE).count() == 2


def test_nobody_gets_the_same_breach_letter_twice(world):
    breach, _people = world
    dpo = f.dpo_user()
    letters.send_letters(breach=breach, actor=dpo)
    newcomer = f.DataSubjectFactory()
    affect(breach, newcomer)

    again = letters.send_letters(breach=breach, actor=dpo)

    assert (again.emailed, again.post) == (1, 0)
    assert BreachLetter.objects.filter(breach=breach).count() == 4
    assert again.audience.already_written == 4


def test_each_letter_is_audited_under_the_person_and_the_sending_versioned(world):
    breach, people = world

    letters.send_letters(breach=breach, actor=f.dpo_user(), now=paris(2026, 3, 10, 10, 0))

    letter = BreachLetter.objects.get(affected__subject=people["post"])
    event = AuditEvent.objects.get(object_type="breaches.breachletter", object_id=str(letter.pk))
    assert (event.action, event.subject_id, event.actor_username) == ("create", people["post"].pk, "dpo")
    version = BreachVersion.objects.get(breach=breach)
    assert version.summary == "Art. 34 letters: 2 e-mailed, 1 to post"
    assert version.snapshot["after"]["letters_for_the_post"] == 1


def test_customer_service_may_not_send_letters_and_an_unassessed_breach_has_none(world):
    breach, _people = world
    with pytest.raises(PermissionDenied):
        letters.send_letters(breach=breach, actor=f.support_user())
    unassessed = make_breach()
    affect(unassessed, f.DataSubjectFactory())
    with pytest.raises(ValidationError):
        letters.send_letters(breach=unassessed, actor=actors.system("tests"))
    assert not BreachLetter.objects.exists()


def test_the_dpo_sees_the_count_before_sending_and_sends_from_the_admin(world, client):
    breach, _people = world
    client.force_login(f.dpo_user())
    url = f"/admin/breaches/breach/{breach.pk}/letters/send/"

    page = client.get(url)
    unconfirmed = client.post(url, {"advice_fr": "Changez votre mot de passe.", "advice_en": "Change your password."})
    sent = client.post(url, {"advice_fr": "Changez votre mot de passe.", "advice_en": "Change it.", "confirm": "on"})

    assert page.status_code == 200
    assert "3 people will get a letter" in page.content.decode()
    assert "Un incident de sécurité a touché certaines de vos données personnelles" in page.content.decode()
    assert unconfirmed.status_code == 200
    assert sent.status_code == 302
    assert sent["Location"] == f"/admin/breaches/breach/{breach.pk}/letters/"
    letter = BreachLetter.objects.get(breach=breach, language="fr", channel=BreachLetter.LetterChannel.EMAIL)
    assert "Changez votre mot de passe." in pdf_text(storage.read(letter.file_name))


def test_customer_service_cannot_open_the_sending_page(world, client):
    breach, _people = world
    client.force_login(f.support_user())

    assert client.get(f"/admin/breaches/breach/{breach.pk}/letters/send/").status_code == 403
    assert client.get(f"/admin/breaches/breach/{breach.pk}/letters/").status_code == 403


def test_the_postal_letters_are_listed_to_print_then_marked_posted(world, client):
    breach, people = world
    dpo = f.dpo_user()
    letters.send_letters(breach=breach, actor=dpo)
    postal = BreachLetter.objects.get(affected__subject=people["post"])
    client.force_login(dpo)

    listing = client.get(f"/admin/breaches/breach/{breach.pk}/letters/")
    bundle = client.get(f"/admin/breaches/breach/{breach.pk}/letters/postal.pdf")
    posted = client.post(f"/admin/breaches/breach/{breach.pk}/letters/", {"letter": [postal.pk]})

    assert "1 letter to print and post" in listing.content.decode()
    assert "Jean Dupont" in pdf_text(bundle.content)
    assert posted.status_code == 302
    postal.refresh_from_db()
    assert postal.sent_at is not None
    assert list(letters.postal_letters(breach)) == []


def test_reading_a_letter_pdf_is_audited_and_refused_without_the_permission(world, client):
    breach, people = world
    letters.send_letters(breach=breach, actor=f.dpo_user())
    letter = BreachLetter.objects.get(affected__subject=people["email"])
    url = f"/admin/breaches/breach/{breach.pk}/letters/{letter.pk}/pdf/"

    client.force_login(f.support_user())
    refused = client.get(url)
    client.force_login(f.dpo_user())
    read = client.get(url)

    assert refused.status_code == 403
    assert read.status_code == 200
    assert "Léa Morel" in pdf_text(read.content)
    event = AuditEvent.objects.get(action=AuditEvent.Action.DOWNLOAD, object_type="breaches.breachletter")
    assert (event.subject_id, event.actor_username) == (people["email"].pk, "dpo")


def test_the_public_communication_needs_its_justification_and_is_recorded(world, client):
    breach, _people = world
    client.force_login(f.dpo_user())
    url = f"/admin/breaches/breach/{breach.pk}/public-communication/"

    page = client.get(url)
    empty = client.post(url, {"justification": "", "text_fr": "Texte."})
    saved = client.post(
        url,
        {
            "justification": "Adresses inconnues pour la plupart des personnes concernées.",
            "text_fr": "Information sur un incident.",
            "text_en": "Information about an incident.",
            "where": "https://www.ijinus.com/securite",
            "published_at_0": "2026-03-10",
            "published_at_1": "09:00",
        },
    )

    assert "Information sur un incident de sécurité touchant des données personnelles" in page.content.decode()
    assert empty.status_code == 200
    assert saved.status_code == 302
    communication = PublicCommunication.objects.get(breach=breach)
    assert communication.where == "https://www.ijinus.com/securite"
    assert communication.published_at == paris(2026, 3, 10, 9, 0)
    assert BreachVersion.objects.get(breach=breach).summary == "Public communication recorded (Art. 34(3)(c))"


def test_a_public_communication_cannot_be_dated_in_the_future():
    breach = make_breach()

    with pytest.raises(ValidationError) as error:
        letters.public_communication_record(
            breach=breach,
            actor=actors.system("tests"),
            justification="Trop de personnes sans coordonnées.",
            text_fr="Texte.",
            where="Site web",
            published_at=paris(2026, 3, 12, 9, 0),
            now=paris(2026, 3, 10, 9, 0),
        )

    assert "published_at" in error.value.message_dict
