"""Screening free text for special-category data (policy §3.6; Art. 9-10 GDPR; R4.6).

IJINUS does not collect sensitive data; when some arrives by accident in a ticket or a note it is
flagged here and the DPO purges it. The matcher works on a lower-cased, accent-stripped copy of the
text, with whole-word French and English terms. It returns *categories only*: the matched words never
leave this module (no logs, no audit, no flag column holds them).
"""

from __future__ import annotations

import re
import unicodedata

from .models import SensitiveCategory

# Terms are written without accents; multi-word terms match any run of whitespace between words.
TERMS: dict[str, tuple[str, ...]] = {
    SensitiveCategory.HEALTH: (
        # fr
        "sante",
        "maladie",
        "malade",
        "cancer",
        "diabete",
        "diabetique",
        "enceinte",
        "grossesse",
        "handicap",
        "handicape",
        "hospitalise",
        "hospitalisation",
        "arret maladie",
        "depression",
        "traitement medical",
        "medicament",
        "chimiotherapie",
        "seropositif",
        # en
        "health condition",
        "illness",
        "diabetes",
        "pregnant",
        "pregnancy",
        "disability",
        "disabled",
        "hospitalised",
        "hospitalized",
        "sick leave",
        "medication",
        "chemotherapy",
        "hiv",
    ),
    SensitiveCategory.RELIGION: (
        "religion",
        "religieux",
        "religieuse",
        "musulman",
        "musulmane",
        "chretien",
        "chretienne",
        "catholique",
        "protestant",
        "juif",
        "juive",
        "mosquee",
        "synagogue",
        "ramadan",
        "religious",
        "muslim",
        "christian",
        "catholic",
        "jewish",
        "mosque",
        "church",
    ),
    SensitiveCategory.POLITICAL: (
        "opinion politique",
        "opinions politiques",
        "parti politique",
        "militant politique",
        "rassemblement national",
        "france insoumise",
        "parti socialiste",
        "political opinion",
        "political opinions",
        "political party",
        "political views",
    ),
    SensitiveCategory.TRADE_UNION: (
        "syndicat",
        "syndique",
        "syndiquee",
        "delegue syndical",
        "cgt",
        "cfdt",
        "force ouvriere",
        "trade union",
        "union member",
        "union membership",
        "shop steward",
    ),
    SensitiveCategory.SEXUAL: (
        "orientation sexuelle",
        "vie sexuelle",
        "homosexuel",
        "homosexuelle",
        "bisexuel",
        "bisexuelle",
        "lesbienne",
        "transgenre",
        "sexual orientation",
        "sex life",
        "homosexual",
        "bisexual",
        "lesbian",
        "gay",
        "transgender",
    ),
    SensitiveCategory.ETHNIC: (
        "origine ethnique",
        "origine raciale",
        "ethnie",
        "ethnique",
        "racial origin",
        "ethnic origin",
        "ethnicity",
        "racial",
    ),
    SensitiveCategory.GENETIC: (
        "genetique",
        "adn",
        "genome",
        "genetic",
        "dna",
    ),
    SensitiveCategory.BIOMETRIC: (
        "biometrique",
        "empreinte digitale",
        "empreintes digitales",
        "reconnaissance faciale",
        "biometric",
        "fingerprint",
        "fingerprints",
        "facial recognition",
        "iris scan",
    ),
    SensitiveCategory.OFFENCES: (
        "casier judiciaire",
        "condamnation",
        "condamne",
        "condamnee",
        "garde a vue",
        "prison",
        "criminal record",
        "conviction",
        "convicted",
        "criminal offence",
        "jail",
    ),
}


def _pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = sorted((r"\s+".join(map(re.escape, term.split())) for term in terms), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b")


_PATTERNS = {category: _pattern(terms) for category, terms in TERMS.items()}


def normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def detect_categories(text: str) -> list[str]:
    """Return the Art. 9/10 categories whose terms appear in ``text`` (in a stable order)."""
    if not text:
        return []
    plain = normalise(text)
    return [str(category) for category, pattern in _PATTERNS.items() if pattern.search(plain)]
