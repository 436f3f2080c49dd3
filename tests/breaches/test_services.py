"""Breach services: permissions per role, versions and audit, phases and late reasons, closing,
people affected, the DPO's e-mails, the personal-data source."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from breaches import services
from breaches.models import AffectedPerson, Breach, BreachLetter, NotificationPhase, PublicCommunication
from ijinus_privacy.models import AuditEvent
from ijinus_privacy.personal_data import Disposal, registry
from requests_dsar.erasure.services import erasure_execute
from tests import factories as f
from tests.mail import deliver

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def paris(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


# --- Roles ----------------------------------------------------------------------------------------------------


def test_customer_service_records_a_suspected_breach_but_never_assesses_notifies_or_closes(today):
    support = f.support_user()

    breach = f.breach(actor=support)

    assert breach.status == Breach.Status.OPEN
    assert breach.created_by_username == "support"
    with pytest.raises(PermissionDenied):
        f.breach_assessed(breach, "medium", actor=support)
    with pytest.raises(PermissionDenied):
        services.notification_submit(
            breach=breach, actor=support, kind=NotificationPhase.Kind.INITIAL, submitted_at=breach.aware_at
        )
    with pytest.raises(PermissionDenied):
        services.breach_close(breach=breach, closure_note="Fausse alerte.", actor=support)
    with pytest.raises(PermissionDenied):
        services.breach_update(breach=breach, changes={"people_estimate": 3}, actor=support)
    with pytest.raises(PermissionDenied):
        services.affected_add_subjects(breach=breach, subjects=[f.DataSubjectFactory()], actor=support)


def test_the_dpo_holds_every_breach_permission_and_the_archivist_none():
    dpo, support, archivist = f.dpo_user(), f.support_user(), f.archivist_user()
    perms = ["assess_breach", "notify_breach", "close_breach", "send_breach_letters", "export_breach_register"]

    assert all(dpo.has_perm(f"breaches.{perm}") for perm in perms)
    assert [perm for perm in perms if support.has_perm(f"breaches.{perm}")] == []
    assert not support.has_perm("breaches.view_breach")  # the register is the DPO's (R5.2.1)
    assert support.has_perm("breaches.add_breach")
    assert not support.has_perm("breaches.change_breach")
    assert not archivist.has_perm("breaches.view_breach")
    with pytest.raises(PermissionDenied):
        f.breach(actor=archivist)


def test_nobody_named_is_refused(today):
    with pytest.raises(PermissionDenied):
        services.breach_record(
            actor=None,
            title="x",
            discovered_at=paris(2026, 3, 10, 9),
            discovered_by="x",
            aware_at=paris(2026, 3, 10, 9),
            nature_availability=True,
            description="x",
        )


def test_at_least_one_nature_and_awareness_after_discovery(today):
    with pytest.raises(ValidationError) as no_nature:
        f.breach(nature_confidentiality=False)
    with pytest.raises(ValidationError) as aware_first:
        f.breach(discovered_at=paris(2026, 3, 10, 9), aware_at=paris(2026, 3, 9, 9))

    assert "nature_confidentiality" in no_nature.value.message_dict
    assert "aware_at" in aware_first.value.message_dict


# --- Versions and audit ---------------------------------------------------------------------------------------


def test_every_change_is_versioned_with_the_fields_before_and_after_and_audited(today):
    dpo = f.dpo_user()
    breach = f.breach(actor=dpo)
    activity = f.complete_activity(code="T01")

    services.breach_update(
        breach=breach, changes={"people_estimate": 450, "activities": [activity], "systems": "CRM"}, actor=dpo
    )
    f.breach_assessed(breach, "medium", actor=dpo)

    versions = list(breach.versions.order_by("number"))
    change = versions[1].snapshot
    assert [v.number for v in versions] == [1, 2, 3]
    assert versions[0].summary == "Recorded"
    assert change["changed"] == ["activities", "people_estimate", "systems"]
    assert change["before"] == {"activities": [], "people_estimate": 120, "systems": ""}
    assert change["after"] == {"activities": ["T01"], "people_estimate": 450, "systems": "CRM"}
    assert versions[2].snapshot["after"] == {"status": "assessed"}
    assert versions[2].changed_by_username == "dpo"
    events = AuditEvent.objects.filter(object_type="breaches.breach", object_id=str(breach.pk)).order_by("id")
    assert [(e.action, e.actor_username) for e in events] == [("create", "dpo"), ("change", "dpo")]
    assert sorted(events[1].fields) == ["activities", "people_estimate", "systems"]
    assert AuditEvent.objects.filter(object_type="breaches.riskassessment", action="create").count() == 1


def test_an_update_changing_nothing_writes_no_version(today):
    dpo = f.dpo_user()
    breach = f.breach(actor=dpo)

    services.breach_update(breach=breach, changes={"people_estimate": 120}, actor=dpo)

    assert breach.versions.count() == 1


def test_status_and_bookkeeping_are_not_edited_directly(today):
    dpo = f.dpo_user()
    breach = f.breach(actor=dpo)

    with pytest.raises(ValidationError):
        services.breach_update(breach=breach, changes={"status": Breach.Status.CLOSED}, actor=dpo)


# --- Notification: phases and late reasons ----------------------------------------------------------------------


def test_a_late_first_notification_requires_the_reasons_for_the_delay():
    with time_machine.travel(paris(2026, 3, 10, 10), tick=False):
        breach = f.breach(aware_at=paris(2026, 3, 6, 9, 0))  # due 9 March 09:00
        dpo = f.dpo_user()

        with pytest.raises(ValidationError) as refused:
            services.notification_submit(
                breach=breach, actor=dpo, kind=NotificationPhase.Kind.INITIAL, submitted_at=paris(2026, 3, 10, 9, 0)
            )
        phase = services.notification_submit(
            breach=breach,
            actor=dpo,
            kind=NotificationPhase.Kind.INITIAL,
            submitted_at=paris(2026, 3, 10, 9, 0),
            late_reasons="Le prestataire ne nous a prévenus que le 9 mars.",
        )

    breach.refresh_from_db()
    assert "late_reasons" in refused.value.message_dict
    assert breach.late_reasons == "Le prestataire ne nous a prévenus que le 9 mars."
    assert breach.status == Breach.Status.NOTIFIED
    assert phase.submitted_by_username == "dpo"
    assert phase.content["title"] == breach.title


def test_on_time_needs_no_reasons_to_the_second():
    with time_machine.travel(paris(2026, 3, 13, 10), tick=False):
        breach = f.breach(aware_at=paris(2026, 3, 10, 9, 0))

        phase = services.notification_submit(
            breach=breach,
            actor=f.dpo_user(),
            kind=NotificationPhase.Kind.INITIAL,
            submitted_at=paris(2026, 3, 13, 9, 0),  # exactly 72 hours
        )

    assert phase.pk is not None


def test_a_notification_in_phases_each_dated():
    with time_machine.travel(paris(2026, 3, 20, 10), tick=False):
        breach = f.breach(aware_at=paris(2026, 3, 10, 9, 0))
        dpo = f.dpo_user()

        with pytest.raises(ValidationError):
            services.notification_submit(
                breach=breach, actor=dpo, kind=NotificationPhase.Kind.COMPLEMENTARY, submitted_at=paris(2026, 3, 11)
            )
        services.notification_submit(
            breach=breach,
            actor=dpo,
            kind=NotificationPhase.Kind.INITIAL,
            submitted_at=paris(2026, 3, 11, 8),
            cnil_reference="NOT-1",
        )
        services.notification_submit(
            breach=breach, actor=dpo, kind=NotificationPhase.Kind.COMPLEMENTARY, submitted_at=paris(2026, 3, 15, 8)
        )
        services.notification_submit(
            breach=breach, actor=dpo, kind=NotificationPhase.Kind.COMPLETE, submitted_at=paris(2026, 3, 18, 8)
        )
        with pytest.raises(ValidationError):
            services.notification_submit(
                breach=breach, actor=dpo, kind=NotificationPhase.Kind.COMPLEMENTARY, submitted_at=paris(2026, 3, 19)
            )

    phases = list(breach.phases.order_by("submitted_at").values_list("kind", "submitted_at"))
    assert [kind for kind, _at in phases] == ["initial", "complementary", "complete"]
    assert [at.astimezone(PARIS).day for _kind, at in phases] == [11, 15, 18]


# --- Closing: what the outcome requires is done first --------------------------------------------------------


def test_closing_needs_an_assessment_and_what_it_requires(today):
    dpo = f.dpo_user()
    unassessed, notify, high = f.breach(), f.breach(), f.breach()
    f.breach_assessed(notify, "medium", actor=dpo)
    f.breach_assessed(high, "high", actor=dpo)

    for breach in (unassessed, notify, high):
        with pytest.raises(ValidationError):
            services.breach_close(breach=breach, closure_note="Fin.", actor=dpo)
    services.notification_submit(
        breach=high, actor=dpo, kind=NotificationPhase.Kind.COMPLETE, submitted_at=high.aware_at
    )
    with pytest.raises(ValidationError):  # still: the people were not told (Art. 34)
        services.breach_close(breach=high, closure_note="Fin.", actor=dpo)
    PublicCommunication.objects.create(
        breach=high, justification="120 000 personnes.", text_fr="Avis.", published_at=high.aware_at
    )
    closed = services.breach_close(breach=high, closure_note="Mesures en place.", actor=dpo)

    assert closed.status == Breach.Status.CLOSED
    assert closed.closed_at is not None


def test_a_no_risk_breach_closes_without_notification(today):
    dpo = f.dpo_user()
    breach = f.breach()
    f.breach_assessed(breach, "low", actor=dpo)

    closed = services.breach_close(breach=breach, closure_note="Données chiffrées, clé non compromise.", actor=dpo)

    assert (closed.status, closed.phases.count()) == (Breach.Status.CLOSED, 0)
    with pytest.raises(ValidationError):
        f.breach_assessed(closed, "high", actor=dpo)


# --- People affected ------------------------------------------------------------------------------------------


def test_people_from_a_list_are_linked_once_and_audited_under_their_id(today):
    dpo = f.dpo_user()
    breach = f.breach()
    one, two = f.DataSubjectFactory(), f.DataSubjectFactory()

    first = services.affected_add_subjects(breach=breach, subjects=[one, two.pk], actor=dpo)
    again = services.affected_add_subjects(breach=breach, subjects=[one], actor=dpo)

    assert (first.added, again.added, again.already) == (2, 0, 1)
    assert breach.affected.count() == 2
    assert AuditEvent.objects.filter(object_type="breaches.affectedperson", subject_id=one.pk).count() == 1
    assert breach.versions.last().snapshot["after"] == {"people_linked": 2}


def test_an_import_links_known_addresses_and_counts_the_others(today):
    dpo = f.dpo_user()
    breach = f.breach()
    known = f.DataSubjectFactory(email="claire.martin@exemple.fr")

    result = services.affected_import_emails(
        breach=breach, text=" Claire.Martin@exemple.fr ;inconnu@exemple.fr\npas-une-adresse", actor=dpo
    )

    assert (result.added, result.unknown, result.invalid) == (1, 1, 1)
    assert list(breach.affected.values_list("subject_id", "source")) == [(known.pk, AffectedPerson.Source.IMPORT)]


def test_a_register_query_links_the_people_with_data_in_the_matching_sources(today):
    dpo = f.dpo_user()
    with_ticket = f.DataSubjectFactory()
    f.TicketFactory(subject=with_ticket)
    without = f.DataSubjectFactory()
    breach = f.breach()

    result = services.affected_from_register(breach=breach, actor=dpo, category_codes=["support"], activity_codes=[])

    linked = set(breach.affected.values_list("subject_id", flat=True))
    assert result.added == 1
    assert with_ticket.pk in linked
    assert without.pk not in linked
    assert [s.name for s in services.register_sources(category_codes=["support"])] == ["subjects.tickets"]


# --- The DPO's e-mails -----------------------------------------------------------------------------------------


def test_the_dpo_is_emailed_when_a_breach_is_recorded_with_the_reference_only(settings):
    settings.DPO_EMAIL = "dpo@ijinus.example"
    with time_machine.travel(paris(2026, 10, 23, 12, 30), tick=False):
        breach = f.breach(aware_at=paris(2026, 10, 23, 12, 0), title="Fuite du fichier de Jean Dupont")
        deliver()

    (message,) = mail.outbox
    assert message.to == ["dpo@ijinus.example"]
    assert message.subject == f"[IJINUS Privacy] Breach {breach.reference}"
    assert "Dupont" not in message.subject + message.body
    assert "26/10/2026 11:00 (CET)" in message.body  # 72 real hours, across the clock change


def test_the_48_hour_reminder_is_sent_once_and_not_for_notified_or_no_risk_breaches():
    dpo = f.dpo_user()
    with time_machine.travel(paris(2026, 3, 10, 9, 30), tick=False):
        waiting = f.breach(aware_at=paris(2026, 3, 10, 9, 0))
        notified = f.breach(aware_at=paris(2026, 3, 10, 9, 0))
        no_risk = f.breach(aware_at=paris(2026, 3, 10, 9, 0))
        recent = f.breach(aware_at=paris(2026, 3, 10, 9, 20))
        f.breach_assessed(no_risk, "low", actor=dpo)
        services.notification_submit(
            breach=notified, actor=dpo, kind=NotificationPhase.Kind.INITIAL, submitted_at=paris(2026, 3, 10, 9, 10)
        )
        deliver()
    mail.outbox.clear()

    before = services.reminders_send(now=paris(2026, 3, 12, 8, 59))
    sent = services.reminders_send(now=paris(2026, 3, 12, 9, 10))
    again = services.reminders_send(now=paris(2026, 3, 12, 10, 0))
    deliver()

    assert (before, sent, again) == (0, 1, 1)  # the second run: the breach aware at 09:20
    assert sorted(m.subject for m in mail.outbox) == sorted(
        f"[IJINUS Privacy] Breach {b.reference}: 48 hours" for b in (waiting, recent)
    )
    waiting.refresh_from_db()
    assert waiting.reminder_sent_at == paris(2026, 3, 12, 9, 10)
    assert AuditEvent.objects.filter(actor_username="system:breach-reminder", object_id=str(waiting.pk)).exists()


# --- Personal-data source ---------------------------------------------------------------------------------------


def test_the_access_export_collects_the_breaches_and_letters_of_the_person(today):
    dpo = f.dpo_user()
    person = f.DataSubjectFactory()
    breach = f.breach()
    services.affected_add_subjects(breach=breach, subjects=[person], actor=dpo)
    link = breach.affected.get()
    BreachLetter.objects.create(breach=breach, affected=link, language="fr", channel="email", sent_at=breach.aware_at)

    collected = registry.get("breaches.affected").collect(person.pk)

    (record,) = collected.records
    assert record["breach"] == breach.reference
    assert record["letters"][0]["channel"] == "e-mail"


def test_erasure_cuts_the_link_and_the_breach_keeps_its_count(today):
    dpo = f.dpo_user()
    person = f.client_to_erase()
    breach = f.breach()
    services.affected_add_subjects(breach=breach, subjects=[person], actor=dpo)

    erasure_execute(request=f.erasure_request(person, actor=dpo), ground="17_1_a", justification="ok", actor=dpo)

    link = breach.affected.get()
    assert link.subject_id is None
    assert breach.affected.count() == 1
    assert registry.get("breaches.affected").dispose([person.pk], disposal=Disposal.DELETE) == 0
