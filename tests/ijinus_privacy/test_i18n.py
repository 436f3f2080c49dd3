"""French for the DPO and customer service, English on request; every catalogue complete and compiled."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests import factories as f
from tests.factories import dpo_user

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(path for path in ROOT.glob("**/locale/fr/LC_MESSAGES/django.po") if ".venv" not in path.parts)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{[^{}]*\}")


def _logged_in(**headers) -> Client:
    client = Client(**headers)
    client.force_login(dpo_user())
    return client


def test_the_subject_list_speaks_french_whatever_the_browser_and_english_when_chosen():
    f.SubjectRoleFactory()
    url = reverse("admin:subjects_datasubject_changelist")
    chose_english = _logged_in(HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    chose_english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    french = _logged_in(HTTP_ACCEPT_LANGUAGE="en").get(url)
    english = chose_english.get(url)

    assert french.status_code == english.status_code == 200
    assert "Personnes concernées" in french.text
    assert "Data subjects" not in french.text
    assert "Data subjects" in english.text
    assert "Personnes concernées" not in english.text


def test_the_admin_is_french_when_the_browser_says_nothing():
    client = Client()
    client.force_login(dpo_user())

    index = client.get(reverse("admin:index"))
    register = client.get(reverse("admin:consents_processingactivity_changelist"))
    requests = client.get(reverse("admin:requests_dsar_request_changelist"))

    assert "Personnes concernées" in index.text
    assert "Registre et consentements" in index.text
    assert "Accountability" not in index.text
    assert "Par complétude art. 30(1)" in register.text
    assert "exercice de droits" in requests.text


def test_public_pages_follow_their_url_not_the_browser():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    french = client.get("/privacy/request/")

    assert '<html lang="fr"' in french.text
    assert "Que souhaitez-vous faire" in french.text


def _entries(po: Path):
    """(flags, msgid, msgid_plural, [msgstr...]) of every entry but the header; obsolete ones skipped."""
    entry: dict = {}
    field = None

    def flush():
        if entry.get("msgid"):
            yield (entry.get("flags", ""), entry["msgid"], entry.get("msgid_plural"), entry.get("msgstr", []))

    for line in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip() or (line.startswith("#") and field and field.startswith("msgstr")):
            yield from flush()
            entry, field = {}, None
        if line.startswith("#,"):
            entry["flags"] = line
        elif line.startswith("#") or not line.strip():
            continue
        elif line.startswith(("msgid ", "msgid_plural ", "msgctxt ")):
            if field and field.startswith("msgstr"):
                yield from flush()
                entry = {}
            field, _, text = line.partition(" ")
            entry[field] = ast.literal_eval(text)
        elif line.startswith("msgstr"):
            field, _, text = line.partition(" ")
            entry.setdefault("msgstr", []).append(ast.literal_eval(text))
        elif line.startswith('"'):
            if field.startswith("msgstr"):
                entry["msgstr"][-1] += ast.literal_eval(line)
            else:
                entry[field] += ast.literal_eval(line)


def test_every_catalogue_is_fully_translated_with_its_placeholders():
    assert {p.relative_to(ROOT).parts[0] for p in CATALOGUES} >= {
        "locale",
        "ijinus_privacy",
        "subjects",
        "consents",
        "requests_dsar",
        "retention",
    }
    problems = []
    for po in CATALOGUES:
        for flags, msgid, _plural, msgstrs in _entries(po):
            where = f"{po.relative_to(ROOT)}: {msgid!r}"
            if "fuzzy" in flags:
                problems.append(f"{where} is fuzzy")
            if not msgstrs or not all(msgstrs):
                problems.append(f"{where} is not translated")
                continue
            wanted = sorted(PLACEHOLDER.findall(msgid))
            for msgstr in msgstrs:
                if sorted(PLACEHOLDER.findall(msgstr)) != wanted:
                    problems.append(f"{where} changes its placeholders")
    assert problems == []


def test_every_compiled_catalogue_matches_its_source():
    stale = []
    for po in CATALOGUES:
        with po.with_suffix(".mo").open("rb") as mo:
            compiled = gettext.GNUTranslations(mo)
        for _flags, msgid, plural, msgstrs in _entries(po):
            got = compiled.ngettext(msgid, plural, 1) if plural else compiled.gettext(msgid)
            if got != msgstrs[0]:
                stale.append(f"{po.relative_to(ROOT)}: {msgid!r}")
    assert stale == [], "run manage.py compilemessages"


def test_every_plural_has_every_form_its_language_counts():
    """French counts three forms (0 and 1; a million; the rest): a missing form shows the English
    text on a French page ("14 not searched yet")."""
    missing = []
    for po in CATALOGUES:
        nplurals = int(re.search(r"nplurals=(\d+)", po.read_text(encoding="utf-8")).group(1))
        with po.with_suffix(".mo").open("rb") as mo:
            compiled = gettext.GNUTranslations(mo)
        for _flags, msgid, plural, msgstrs in _entries(po):
            if plural is None:
                continue
            if len(msgstrs) != nplurals:
                missing.append(f"{po.relative_to(ROOT)}: {msgid!r} has {len(msgstrs)} of {nplurals} forms")
            for count in (0, 1, 2, 14, 1_000_000):
                if compiled.ngettext(msgid, plural, count) not in msgstrs:
                    missing.append(f"{po.relative_to(ROOT)}: {msgid!r} untranslated for {count}")
    assert missing == []
