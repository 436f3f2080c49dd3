"""No internal requirement code (R1.2, R1.13.3, R4.7.1 ...) in anything a user reads (issue 16).

Labels, help texts, section titles, messages and templates cite the law (Art. 12(3), LIL art. 85,
EDPB Guidelines 01/2022, §159), which a DPO or an inspector can look up; the codes of LEGAL.md
mean nothing to them. The codes stay where developers read them: code comments, docstrings, tests.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CODE = re.compile(r"\bR\d+\.\d+")
CATALOGUES = sorted(path for path in ROOT.glob("**/locale/fr/LC_MESSAGES/django.po") if ".venv" not in path.parts)
TEMPLATES = sorted(path for path in (ROOT / "templates").rglob("*") if path.is_file())
SOURCES = sorted(
    path
    for path in ROOT.glob("*/**/*.py")
    if not {".venv", "tests", "bench", "migrations"} & set(path.relative_to(ROOT).parts)
)
DJANGO_COMMENT = re.compile(r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.DOTALL)
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}


def _po_texts(po: Path) -> list[tuple[int, str]]:
    """(line, text) of every msgid, msgid_plural and msgstr, continuation lines joined."""
    texts: list[tuple[int, str]] = []
    for number, line in enumerate(po.read_text(encoding="utf-8").splitlines(), start=1):
        if re.match(r"^(msgid|msgid_plural|msgstr(\[\d\])?) ", line):
            texts.append((number, ast.literal_eval(line.split(" ", 1)[1])))
        elif line.startswith('"') and texts:
            start, text = texts[-1]
            texts[-1] = (start, text + ast.literal_eval(line))
    return texts


def _gettext_strings(source: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        name = getattr(node, "func", None) and (getattr(node.func, "id", None) or getattr(node.func, "attr", None))
        if isinstance(node, ast.Call) and name in GETTEXT:
            found += [(arg.lineno, arg.value) for arg in node.args if isinstance(arg, ast.Constant)]
    return [(line, text) for line, text in found if isinstance(text, str)]


def test_the_inventory_is_not_empty():
    assert len(CATALOGUES) >= 7
    assert len(TEMPLATES) > 50
    assert any(path.name == "models.py" for path in SOURCES)


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_catalogue_entry_shows_a_requirement_code(po):
    found = [f"{po.name}:{line}: {text}" for line, text in _po_texts(po) if CODE.search(text)]

    assert not found, "\n".join(found)


def test_no_template_shows_a_requirement_code_outside_its_comments():
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in TEMPLATES
        for match in CODE.finditer(DJANGO_COMMENT.sub("", path.read_text(encoding="utf-8", errors="replace")))
    ]

    assert not found, "\n".join(found)


def test_no_translatable_string_in_the_code_shows_a_requirement_code():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text}"
        for path in SOURCES
        for line, text in _gettext_strings(path)
        if CODE.search(text)
    ]

    assert not found, "\n".join(found)


def test_the_check_sees_a_code_where_one_is_left(tmp_path):
    po = tmp_path / "django.po"
    po.write_text('msgid ""\n"Receipt (R1.2)"\nmsgstr "Réception (R1.2)"\n', encoding="utf-8")
    template = "{# the restriction banner (R1.11.2) #}<h2>{% translate 'Audit trail (R5.1)' %}</h2>"

    assert [text for _line, text in _po_texts(po)] == ["Receipt (R1.2)", "Réception (R1.2)"]
    assert CODE.findall(DJANGO_COMMENT.sub("", template)) == ["R5.1"]
