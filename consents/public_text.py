"""Text of the register shown outside the team (the PDF for the CNIL, Art. 30(4)).

The register's working texts cite the team's own documents: requirement codes (R3.1.1), the
requirements file (LEGAL.md), sections of the policy (§5), entry codes (P01) and ⚑ marks. An
inspector reads none of these; ``without_internal_references`` takes them out and tidies the rest.
"""

from __future__ import annotations

import re

_INTERNAL = r"(?:LEGAL\.md|\bR\d+\.\d|§\s*\d|\bP\d{2}\b|#\d)"
_GROUP = re.compile(rf"\s*\((?=[^()]*{_INTERNAL})[^()]*\)")
# "Policy §4.1: customer relations" loses its reference; "policy §7 mentions" reads "the policy mentions".
_POLICY = re.compile(r"(?m)(^[ \t]*)?\b(?:[Tt]he\s+)?[Pp]olicy\s*§\s*\d+(?:\.\d+)*(?:\s*,\s*§?\s*\d+(?:\.\d+)*)*(:?)")
_TOKENS = (
    re.compile(r"LEGAL\.md(?:\s*(?:§\s*\d+(?:\.\d+)*|R\d+(?:\.\d+)*))?(?:\s*(?:item|#)\s*\d+)?"),
    re.compile(r"\b[Pp]olicy\s*§\s*\d+(?:\.\d+)*(?:\s*,\s*§?\s*\d+(?:\.\d+)*)*:?"),
    re.compile(r"§\s*\d+(?:\.\d+)*"),
    re.compile(r"\bR\d+(?:\.\d+)+(?:\s*-\s*R?\d+(?:\.\d+)*)?(?:\s*#\d+)?"),
    re.compile(r"\bP\d{2}\b"),
    re.compile(r"#\d+"),
    re.compile(r"⚑"),
)


def without_internal_references(text: str) -> str:
    """``text`` without internal references, keeping the law's (Art. 30(1), C. com. L.123-22)."""
    text = _GROUP.sub("", text)
    text = _POLICY.sub(lambda m: m.group(1) if m.group(1) is not None else "the policy" + m.group(2), text)
    for token in _TOKENS:
        text = token.sub("", text)
    text = re.sub(r"\(\s*[;,]?\s*\)", "", text)
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" +([.;,:)])", r"\1", text)
    text = re.sub(r"\( +", "(", text)
    text = re.sub(r"([;,:])(?=[.;,:])", "", text)
    return "\n".join(_tidy_line(line) for line in text.splitlines()).strip()


def _tidy_line(line: str) -> str:
    """A line left with punctuation only is dropped; one that now starts in lower case is capitalised."""
    line = line.strip(" :;,")
    if not line.strip(" .:;,"):
        return ""
    return line[0].upper() + line[1:] if line[0].islower() else line
