"""The admin is French for staff whatever their browser asks; the header's switch keeps English per user."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from ijinus_privacy.models import AuditEvent, StaffPreference
from ijinus_privacy.staff_language import staff_language_set
from tests.factories import dpo_user, support_user

pytestmark = pytest.mark.django_db


def _english_browser(user) -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    browser.force_login(user)
    return browser


def _switch(browser: Client, language: str, next_url: str = "/admin/"):
    return browser.post(reverse("staff_language"), {"language": language, "next": next_url})


def test_a_staff_member_with_an_english_browser_reads_the_admin_in_french():
    browser = _english_browser(dpo_user())

    index = browser.get(reverse("admin:index"))
    requests = browser.get(reverse("admin:requests_dsar_request_changelist"))

    assert '<html lang="fr"' in index.text
    assert "Personnes concernées" in index.text
    assert "Data subjects" not in index.text
    assert "exercice de droits" in requests.text
    # the switch is in the header: French is the current language, English one click away
    assert 'id="language-switch"' in index.text
    assert 'value="fr" lang="fr" aria-current="true" disabled>Français</button>' in index.text
    assert 'value="en" lang="en">English</button>' in index.text


def test_the_login_page_is_french_for_an_english_browser():
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("admin:login"))

    assert '<html lang="fr"' in page.text
    assert "Nom d’utilisateur" in page.text or "Nom d'utilisateur" in page.text


def test_english_chosen_in_one_browser_follows_the_person_to_another():
    dpo = dpo_user()
    first = _english_browser(dpo)

    switched = _switch(first, "en", "/admin/requests_dsar/request/")
    in_english = first.get(reverse("admin:requests_dsar_request_changelist"))
    second = Client(HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")  # another browser, never switched
    second.force_login(dpo)
    there_too = second.get(reverse("admin:index"))

    assert switched.status_code == 302
    assert switched["Location"] == "/admin/requests_dsar/request/"
    assert '<html lang="en"' in in_english.text
    assert '<html lang="en"' in there_too.text
    assert "Data subjects" in there_too.text
    assert 'value="en" lang="en" aria-current="true" disabled>English</button>' in there_too.text
    assert StaffPreference.objects.get(user=dpo).language == "en"
    event = AuditEvent.objects.filter(actor_username="dpo", object_type="ijinus_privacy.staffpreference").get()
    assert (event.action, event.fields) == ("change", ["language"])


def test_one_persons_choice_leaves_the_others_admin_in_french():
    _switch(_english_browser(dpo_user()), "en")
    colleague = _english_browser(support_user())

    page = colleague.get(reverse("admin:index"))

    assert '<html lang="fr"' in page.text


def test_switching_back_to_french_is_kept_too():
    dpo = dpo_user()
    browser = _english_browser(dpo)
    _switch(browser, "en")

    _switch(browser, "fr")
    other = _english_browser(dpo)

    assert '<html lang="fr"' in browser.get(reverse("admin:index")).text
    assert '<html lang="fr"' in other.get(reverse("admin:index")).text
    assert StaffPreference.objects.get(user=dpo).language == "fr"


def test_the_switch_refuses_an_unknown_language_an_outside_target_and_a_visitor():
    dpo = dpo_user()
    browser = _english_browser(dpo)

    unknown = _switch(browser, "de")
    outside = _switch(browser, "en", "https://evil.example/")
    visitor = Client().post(reverse("staff_language"), {"language": "en"})

    assert unknown.status_code == 400
    assert outside["Location"] == reverse("admin:index")
    assert visitor.status_code == 302
    assert "/admin/login/" in visitor["Location"]
    assert StaffPreference.objects.count() == 1  # the English choice, not the visitor's


def test_nobody_chooses_the_language_of_someone_elses_admin():
    dpo, support = dpo_user(), support_user()

    with pytest.raises(ValidationError):
        staff_language_set(user=support, language="en", actor=dpo)

    assert not StaffPreference.objects.exists()
    assert not AuditEvent.objects.filter(object_type="ijinus_privacy.staffpreference").exists()


def test_the_public_pages_keep_their_url_language_whatever_the_admin_chose():
    browser = _english_browser(dpo_user())
    _switch(browser, "en")

    french = browser.get("/privacy/request/")
    english = browser.get("/en/privacy/request/")

    assert '<html lang="fr"' in french.text
    assert '<html lang="en"' in english.text


def test_the_identity_checks_method_is_not_read_as_a_payment_method():
    from requests_dsar import services
    from requests_dsar.models import IdentityCheck
    from tests.factories import logged_request

    request = logged_request()
    dpo = dpo_user()
    services.identity_check_start(  # the identity checks' table shows once a check exists
        request=request, method=IdentityCheck.Method.EMAIL_LINK, doubt_reason="Adresse différente", actor=dpo
    )
    browser = _english_browser(dpo)

    french = browser.get(reverse("admin:requests_dsar_request_change", args=[request.pk])).text

    assert "méthode de vérification" in french.lower()
    assert "oyen de paiement" not in french
