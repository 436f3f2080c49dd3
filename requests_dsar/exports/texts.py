"""The fixed wording of an access or portability export, in the subject's language (French or English).

Kept as plain dictionaries rather than gettext catalogues: the document is a letter to one person,
its wording is reviewed by the DPO as a whole, and each language reads as one text.
"""

from __future__ import annotations

from typing import Any

CNIL = {
    "name": "Commission nationale de l'informatique et des libertés (CNIL)",
    "address": "3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, France",
    "website": "https://www.cnil.fr/fr/plaintes",
}

TEXTS: dict[str, dict[str, Any]] = {
    "fr": {
        "title": "Copie de vos données personnelles",
        "portability_title": "Vos données personnelles (portabilité)",
        "subtitle": "Réponse à votre demande d'accès (article 15 du RGPD)",
        "request": "Demande n°",
        "received_on": "reçue le",
        "generated_on": "Document établi le",
        "for": "Établi pour",
        "contents": "Sommaire",
        "confirmation": "Confirmation",
        "confirmation_yes": (
            "IJINUS SAS traite des données personnelles vous concernant. Vous trouverez ci-dessous les "
            "informations prévues par l'article 15 du RGPD, puis une copie complète de ces données."
        ),
        "confirmation_no": "IJINUS SAS ne traite aucune donnée personnelle vous concernant.",
        "information": "Informations sur les traitements (art. 15(1) et 15(2))",
        "a": "a) Finalités et bases légales",
        "b": "b) Catégories de données",
        "c": "c) Destinataires",
        "d": "d) Durées de conservation",
        "e": "e) Vos droits",
        "f": "f) Droit d'introduire une réclamation auprès de la CNIL",
        "g": "g) Source des données",
        "h": "h) Décisions automatisées et profilage",
        "transfers": "Transferts hors de l'Union européenne (art. 15(2))",
        "consultations": "Consultations de vos données par notre personnel",
        "consultations_intro": (
            "Dates et motifs des consultations et exports de vos données par le personnel habilité "
            "(les noms des membres du personnel ne sont pas communiqués)."
        ),
        "no_consultations": "Aucune consultation enregistrée.",
        "redactions": "Occultations (art. 15(4))",
        "redactions_intro": (
            "Pour protéger les droits d'autres personnes, certaines données de tiers figurant dans des "
            "textes libres ont été occultées et remplacées par « [occulté] ». Il s'agit d'un refus partiel : "
            "vous pouvez introduire une réclamation auprès de la CNIL ou exercer un recours juridictionnel."
        ),
        "no_redactions": "Aucune donnée n'a été occultée.",
        "copy": "Copie de vos données (art. 15(3))",
        "copy_intro": (
            "Les données sont regroupées par source. Les codes sont remplacés par leur signification ; "
            "« — » signifie que le champ est vide."
        ),
        "activity": "Traitement",
        "legal_basis": "Base légale",
        "retention": "Conservation",
        "country": "Pays",
        "mechanism": "Garantie",
        "reference": "Référence",
        "recipient": "Destinataire",
        "categories": "Catégories",
        "records": "enregistrement(s)",
        "no_data": "Aucune donnée.",
        "yes": "Oui",
        "no": "Non",
        "empty": "—",
        "redacted": "[occulté]",
        "glossary": "Lexique des bases légales",
        "rights_text": (
            "Vous pouvez demander la rectification de données inexactes (art. 16), leur effacement (art. 17), "
            "la limitation du traitement (art. 18), vous opposer à un traitement fondé sur l'intérêt légitime "
            "(art. 21(1)) et, à tout moment et sans motif, à la prospection commerciale (art. 21(2)). Lorsque "
            "le traitement repose sur votre consentement ou un contrat, vous pouvez recevoir vos données dans "
            "un format structuré (portabilité, art. 20) ; vous pouvez retirer votre consentement à tout moment "
            "(art. 7(3)). Écrivez au délégué à la protection des données : {dpo}."
        ),
        "complaint_text": (
            "Si vous estimez que vos droits ne sont pas respectés, vous pouvez introduire une réclamation "
            "auprès de la {name}, {address}, ou en ligne : {website}."
        ),
        "source_subject": (
            "Les autres données ont été fournies par vous-même ou générées par votre utilisation de nos services."
        ),
        "source_third_party": "Certaines données nous ont été transmises par un tiers (voir la section « {label} »).",
        "automated_none": (
            "IJINUS SAS ne prend aucune décision fondée exclusivement sur un traitement automatisé, y compris "
            "le profilage, produisant des effets juridiques vous concernant ou vous affectant de manière "
            "significative (art. 22)."
        ),
        "automated_interests": (
            "Des centres d'intérêt supposés sont déduits de vos échanges avec nous pour choisir les offres "
            "qui vous sont présentées ; ils ne produisent aucun effet juridique ni effet significatif."
        ),
        "no_transfers": (
            "Aucun transfert hors de l'Union européenne n'est effectué pour les traitements vous concernant."
        ),
        "safeguards_copy": (
            "Vous pouvez obtenir une copie de ces garanties (par exemple les clauses contractuelles types) en "
            "écrivant à notre délégué à la protection des données, à l'adresse indiquée en tête de ce document "
            "(art. 15(2) et 46 du RGPD)."
        ),
        "footer": "IJINUS SAS — document confidentiel destiné à la personne concernée",
        "mechanisms": {
            "adequacy": "décision d'adéquation de la Commission européenne (art. 45 du RGPD)",
            "scc_2021_914": (
                "clauses contractuelles types de la Commission européenne (décision 2021/914, art. 46 du RGPD) ; "
                "une copie peut être obtenue auprès de notre délégué à la protection des données"
            ),
            "bcr": "règles d'entreprise contraignantes (art. 47 du RGPD)",
            "derogation_49": "dérogation pour une situation particulière (art. 49 du RGPD)",
        },
        "colon": " : ",
        "dpo": "Délégué à la protection des données",
        "email": "E-mail",
        "phone": "Téléphone",
        "field": "Donnée",
        "value": "Valeur",
        "kind": "Nature",
        "activities": "Traitements",
        "redaction_count": "Nombre d'occultations",
        "redaction_kinds": {
            "staff_identity": "identité d'un membre du personnel",
            "email_address": "adresse e-mail d'un tiers",
        },
        "action_view": "Consultation de votre dossier",
        "action_export": "Export ou courrier",
        "action_download": "Téléchargement d'un export",
    },
    "en": {
        "title": "Copy of your personal data",
        "portability_title": "Your personal data (portability)",
        "subtitle": "Response to your access request (Article 15 GDPR)",
        "request": "Request no.",
        "received_on": "received on",
        "generated_on": "Document produced on",
        "for": "Produced for",
        "contents": "Contents",
        "confirmation": "Confirmation",
        "confirmation_yes": (
            "IJINUS SAS processes personal data about you. Below you will find the information required by "
            "Article 15 GDPR, followed by a complete copy of that data."
        ),
        "confirmation_no": "IJINUS SAS does not process any personal data about you.",
        "information": "Information about the processing (Art. 15(1) and 15(2))",
        "a": "a) Purposes and legal bases",
        "b": "b) Categories of data",
        "c": "c) Recipients",
        "d": "d) Retention periods",
        "e": "e) Your rights",
        "f": "f) Right to lodge a complaint with the CNIL",
        "g": "g) Source of the data",
        "h": "h) Automated decision-making and profiling",
        "transfers": "Transfers outside the European Union (Art. 15(2))",
        "consultations": "Consultations of your data by our staff",
        "consultations_intro": (
            "Dates and purposes of the consultations and exports of your data by authorised staff "
            "(the names of staff members are not disclosed)."
        ),
        "no_consultations": "No consultation recorded.",
        "redactions": "Redactions (Art. 15(4))",
        "redactions_intro": (
            "To protect the rights of other people, some third-party data in free-text fields was redacted and "
            "replaced by “[redacted]”. This is a partial refusal: you may lodge a complaint with the CNIL or "
            "seek a judicial remedy."
        ),
        "no_redactions": "No data was redacted.",
        "copy": "Copy of your data (Art. 15(3))",
        "copy_intro": (
            "The data is grouped by source. Codes are replaced by their meaning; “—” means the field is empty."
        ),
        "activity": "Processing",
        "legal_basis": "Legal basis",
        "retention": "Retention",
        "country": "Country",
        "mechanism": "Safeguard",
        "reference": "Reference",
        "recipient": "Recipient",
        "categories": "Categories",
        "records": "record(s)",
        "no_data": "No data.",
        "yes": "Yes",
        "no": "No",
        "empty": "—",
        "redacted": "[redacted]",
        "glossary": "Legal bases explained",
        "rights_text": (
            "You may ask for inaccurate data to be rectified (Art. 16), for erasure (Art. 17) or restriction of "
            "processing (Art. 18), object to processing based on legitimate interest (Art. 21(1)) and, at any "
            "time and without giving reasons, to direct marketing (Art. 21(2)). Where processing is based on your "
            "consent or a contract, you may receive your data in a structured format (portability, Art. 20); you "
            "may withdraw your consent at any time (Art. 7(3)). Write to our Data Protection Officer: {dpo}."
        ),
        "complaint_text": (
            "If you consider that your rights are not respected, you may lodge a complaint with the {name}, "
            "{address}, or online: {website}."
        ),
        "source_subject": "The other data was provided by you or generated by your use of our services.",
        "source_third_party": "Some data was passed to us by a third party (see the section “{label}”).",
        "automated_none": (
            "IJINUS SAS takes no decision based solely on automated processing, including profiling, that "
            "produces legal effects concerning you or similarly significantly affects you (Art. 22)."
        ),
        "automated_interests": (
            "Assumed interests are derived from your exchanges with us to choose the offers shown to you; "
            "they have no legal or similarly significant effect."
        ),
        "no_transfers": "No transfer outside the European Union takes place for the processing concerning you.",
        "safeguards_copy": (
            "You can obtain a copy of these safeguards (for example the standard contractual clauses) by writing "
            "to our Data Protection Officer at the address given at the top of this document (Art. 15(2) and 46 GDPR)."
        ),
        "footer": "IJINUS SAS — confidential document for the data subject",
        "mechanisms": {
            "adequacy": "European Commission adequacy decision (Art. 45 GDPR)",
            "scc_2021_914": (
                "European Commission standard contractual clauses (Decision 2021/914, Art. 46 GDPR); a copy can be "
                "obtained from our Data Protection Officer"
            ),
            "bcr": "binding corporate rules (Art. 47 GDPR)",
            "derogation_49": "derogation for a specific situation (Art. 49 GDPR)",
        },
        "colon": ": ",
        "dpo": "Data Protection Officer",
        "email": "E-mail",
        "phone": "Phone",
        "field": "Data",
        "value": "Value",
        "kind": "Kind",
        "activities": "Processing",
        "redaction_count": "Number of redactions",
        "redaction_kinds": {
            "staff_identity": "identity of a staff member",
            "email_address": "e-mail address of a third party",
        },
        "action_view": "Consultation of your file",
        "action_export": "Export or letter",
        "action_download": "Download of an export",
    },
}

LEGAL_BASES: dict[str, dict[str, str]] = {
    "fr": {
        "a": "Art. 6(1)(a) — votre consentement",
        "b": "Art. 6(1)(b) — l'exécution d'un contrat ou de mesures précontractuelles",
        "c": "Art. 6(1)(c) — une obligation légale",
        "d": "Art. 6(1)(d) — la sauvegarde d'intérêts vitaux",
        "e": "Art. 6(1)(e) — une mission d'intérêt public",
        "f": "Art. 6(1)(f) — l'intérêt légitime d'IJINUS",
    },
    "en": {
        "a": "Art. 6(1)(a) — your consent",
        "b": "Art. 6(1)(b) — performance of a contract or pre-contractual steps",
        "c": "Art. 6(1)(c) — a legal obligation",
        "d": "Art. 6(1)(d) — protection of vital interests",
        "e": "Art. 6(1)(e) — a task in the public interest",
        "f": "Art. 6(1)(f) — IJINUS's legitimate interest",
    },
}


def texts_for(language: str) -> dict[str, Any]:
    return TEXTS.get(language, TEXTS["fr"])


def legal_bases_for(language: str) -> dict[str, str]:
    return LEGAL_BASES.get(language, LEGAL_BASES["fr"])
