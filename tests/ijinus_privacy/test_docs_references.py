"""Every requirement code the project cites resolves inside the repository (issue 17).

The code, templates, translations and docs cite legal requirements (``R1.6.5``) and performance
targets (``T1`` to ``T9``). Each must be defined in ``docs/legal.md`` or ``docs/performance.md``:
by a section heading (``### R1.6 Free of charge...``) or by an item starting with its anchor and
its code in bold (``- <a id="R1.6.5"></a>**R1.6.5** ...``). Only exact codes count: citing an item
the sheet lacks is a finding even when its section exists. Register entries (``R3.3 #2``) and open
points (``§7 item 11``) must exist too, and so must the folders the sheets point to ("Where:").
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LEGAL_SHEET = ROOT / "docs" / "legal.md"
PERFORMANCE_SHEET = ROOT / "docs" / "performance.md"

LEGAL_CODE = re.compile(r"\bR\d+(?:\.\d+)+\b")
TARGET_CODE = re.compile(r"\bT[1-9]\b")  # standalone: not T10, nor the T of 2026-03-10T10:00
REGISTER_ENTRY = re.compile(r"\bR3\.3 \(?#(\d+)")
OPEN_POINT = re.compile(r"§7,? item (\d+)")

CODE = r"[RT]\d+(?:\.\d+)*"
SECTION_DEFINITION = re.compile(rf"^### (?P<code>{CODE}) ")
ITEM_DEFINITION = re.compile(rf'^- <a id="(?P<anchor>{CODE})"></a>\*\*(?P<code>{CODE})\*\*')
NUMBERED_ITEM = re.compile(r"^(\d+)\. ")
WHERE_PATH = re.compile(r"`([\w./-]+/[\w./-]*)`")

NOT_APPS = {"tests", "docs", "locale", "var", "node_modules", "templates", "static"}
APP_SUFFIXES = {".py", ".html", ".txt", ".css", ".js"}


def _app_dirs() -> list[Path]:
    """Top-level packages and Django apps of the project (bench included), found rather than listed."""
    return sorted(
        path
        for path in ROOT.iterdir()
        if path.is_dir()
        and not path.name.startswith((".", "_"))
        and path.name not in NOT_APPS
        and ((path / "apps.py").exists() or (path / "__init__.py").exists())
    )


def _files_in(folder: Path, suffixes: set[str]) -> list[Path]:
    return sorted(
        path
        for path in folder.rglob("*")
        if path.suffix in suffixes
        and path.is_file()
        and "migrations" not in path.parts
        and "__pycache__" not in path.parts
    )


def _msgids(po_file: Path) -> list[tuple[int, str]]:
    """The msgid texts of a .po file (with their first line number); the French msgstr are not read."""
    entries: list[tuple[int, str]] = []
    current: list[str] | None = None
    start = 0
    for number, line in enumerate(po_file.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(("msgid ", "msgid_plural ")):
            if current is None:
                current, start = [], number
            current.append(line.split(" ", 1)[1])
        elif line.startswith('"') and current is not None:
            current.append(line)
        else:
            if current is not None:
                entries.append((start, "".join(part.strip('"') for part in current)))
            current = None
    if current is not None:
        entries.append((start, "".join(part.strip('"') for part in current)))
    return entries


@cache
def _cited_texts() -> list[tuple[str, int, str]]:
    """(file, line, text) of every place a citation may sit: sources, templates, docs, README, msgids."""
    files: list[Path] = []
    for app in _app_dirs():
        files += _files_in(app, APP_SUFFIXES)
    files += _files_in(ROOT / "templates", {".html", ".txt"})
    files += _files_in(ROOT / "docs", {".md", ".json"})
    files += _files_in(ROOT / "tests", {".py"})
    files.append(ROOT / "README.md")
    texts = [
        (str(path.relative_to(ROOT)), number, line)
        for path in files
        if path != Path(__file__).resolve()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
    ]
    for po_file in sorted(ROOT.glob("**/locale/*/LC_MESSAGES/django.po")):
        if ".venv" not in po_file.parts:
            texts += [(str(po_file.relative_to(ROOT)), number, text) for number, text in _msgids(po_file)]
    return texts


def _citations(pattern: re.Pattern[str]) -> dict[str, list[str]]:
    """Each code the pattern finds, with the places (``file:line``) that cite it."""
    places: dict[str, list[str]] = defaultdict(list)
    for name, number, text in _cited_texts():
        for match in pattern.finditer(text):
            places[match.group(match.lastindex or 0)].append(f"{name}:{number}")
    return places


def _definitions(sheet: Path) -> list[str]:
    codes = []
    for line in sheet.read_text(encoding="utf-8").splitlines():
        if section := SECTION_DEFINITION.match(line):
            codes.append(section["code"])
        elif item := ITEM_DEFINITION.match(line):
            assert item["anchor"] == item["code"], f"anchor {item['anchor']} on item {item['code']}"
            codes.append(item["code"])
    return codes


def _numbered_items(sheet: Path, heading: str) -> set[str]:
    """The numbers of the list under a heading, up to the next heading."""
    numbers: set[str] = set()
    inside = False
    for line in sheet.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            inside = line.startswith(heading)
        elif inside and (item := NUMBERED_ITEM.match(line)):
            numbers.add(item[1])
    return numbers


def _unresolved(cited: dict[str, list[str]], defined: set[str]) -> str:
    return "\n".join(
        f"{code}: cited in {', '.join(places[:5])}{' ...' if len(places) > 5 else ''}"
        for code, places in sorted(cited.items())
        if code not in defined
    )


def test_codes_are_found_in_code_not_in_translations_nor_iso_times():
    # given the patterns the scan uses
    assert LEGAL_CODE.findall("deadline (R1.2.1, R1.10.2-R1.10.3); Art. 12(3)") == ["R1.2.1", "R1.10.2", "R1.10.3"]
    assert TARGET_CODE.findall("T6-T9, T1/T2; at 2026-03-10T10:00 or T10; 0xT1F") == ["T6", "T9", "T1", "T2"]
    # when the project is scanned, then citations come from the Python sources; the translations cite
    # the law, never a code (issue 16: tests/ijinus_privacy/test_no_internal_codes.py)
    places = [place for places in _citations(LEGAL_CODE).values() for place in places]
    assert any(place.split(":")[0].endswith(".py") for place in places)
    assert not any(place.split(":")[0].endswith(".po") for place in places)


def test_every_cited_requirement_code_is_defined_in_the_legal_sheet():
    defined = set(_definitions(LEGAL_SHEET))

    unresolved = _unresolved(_citations(LEGAL_CODE), defined)

    assert not unresolved, f"codes cited but not defined in docs/legal.md:\n{unresolved}"


def test_every_cited_performance_target_is_defined_in_the_performance_sheet():
    defined = set(_definitions(PERFORMANCE_SHEET))

    unresolved = _unresolved(_citations(TARGET_CODE), defined)

    assert not unresolved, f"targets cited but not defined in docs/performance.md:\n{unresolved}"


def test_cited_register_entries_and_open_points_exist_in_the_legal_sheet():
    entries = _numbered_items(LEGAL_SHEET, "### R3.3 ")
    open_points = _numbered_items(LEGAL_SHEET, "## 7. ")

    missing_entries = _unresolved(
        {f"#{n}": p for n, p in _citations(REGISTER_ENTRY).items()}, {f"#{n}" for n in entries}
    )
    missing_points = _unresolved(
        {f"item {n}": p for n, p in _citations(OPEN_POINT).items()}, {f"item {n}" for n in open_points}
    )

    assert len(entries) == 15
    assert not missing_entries, f"R3.3 entries cited but not in docs/legal.md:\n{missing_entries}"
    assert not missing_points, f"§7 items cited but not in docs/legal.md:\n{missing_points}"


def test_each_code_is_defined_once_and_under_its_section():
    legal = _definitions(LEGAL_SHEET)
    targets = _definitions(PERFORMANCE_SHEET)

    duplicates = sorted({code for code in legal + targets if (legal + targets).count(code) > 1})
    orphans = [code for code in legal if code.count(".") == 2 and code.rsplit(".", 1)[0] not in legal]

    assert not duplicates, f"defined more than once: {duplicates}"
    assert not orphans, f"items whose section heading is missing: {orphans}"
    assert targets == [f"T{n}" for n in range(1, 10)]


def test_folders_the_sheets_point_to_exist():
    pointers = [
        (sheet.name, path)
        for sheet in (LEGAL_SHEET, PERFORMANCE_SHEET)
        for line in sheet.read_text(encoding="utf-8").splitlines()
        if line.startswith("Where:")
        for path in WHERE_PATH.findall(line)
    ]

    missing = [f"{sheet}: {path}" for sheet, path in pointers if not (ROOT / path).exists()]

    assert pointers
    assert not missing, f"'Where:' pointers to paths that do not exist: {missing}"
