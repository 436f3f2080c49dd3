"""What a data subject reads about the register, in French and English (Art. 12(1), Art. 15(1)).

The register (``consents``) is the DPO's working document: English, with the policy's section
numbers, the register's codes and the DPO's open points. A person's access answer needs the same
facts in plain words in their language, without any of that. This module holds that wording.

Each entry is keyed by the register text it renders (normalised: internal references and ⚑ marks
dropped), not by its position: when the DPO changes a purpose, a retention period or a source in the
register, the old wording no longer matches, the export flags the text as not yet worded for data
subjects (``content.documentation_gaps``) and the DPO cannot approve the export until it is. A text
the register leaves undecided ("DPO decision", a trigger not stated, an empty retention) has no
wording on purpose: it is a gap for the DPO, never a sentence for the person.
"""

from __future__ import annotations

import re

_INTERNAL = re.compile(r"\s*\([^()]*(?:policy|LEGAL\.md|\bR\d|§)[^()]*\)|⚑", re.IGNORECASE)


def key(text: str) -> str:
    """The register text as a lookup key: without internal references, ⚑ marks and layout."""
    text = _INTERNAL.sub("", text or "")
    text = re.sub(r"\s+([.;,:])", r"\1", " ".join(text.split()))
    return text.strip().rstrip(".").casefold()


def _table(entries: dict[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
    return {key(source): {"fr": fr, "en": en} for source, (fr, en) in entries.items()}


def _codes(entries: dict[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
    return {code: {"fr": fr, "en": en} for code, (fr, en) in entries.items()}


# Register entries, by code: the name a person reads.
ACTIVITIES = _codes(
    {
        "P01": ("Gestion des prospects", "Managing prospective customers"),
        "P02": ("Demandes de devis", "Quotation requests"),
        "P03": (
            "Gestion des clients (vente et location de capteurs)",
            "Customer management (sale and rental of sensors)",
        ),
        "P04": ("Comptabilité et facturation", "Accounting and invoicing"),
        "P05": ("Plateforme de supervision v2.ijitrack.com", "Monitoring platform v2.ijitrack.com"),
        "P06": ("Comptes sur nos sites web", "Accounts on our websites"),
        "P07": ("Lettre d'information", "Newsletter"),
        "P08": ("Prospection commerciale et centres d'intérêt", "Direct marketing and interests"),
        "P09": ("Cookies et mesure d'audience", "Cookies and audience measurement"),
        "P10": ("Réseaux sociaux", "Social networks"),
        "P11": ("Traitement de vos demandes d'exercice de droits", "Handling your requests to exercise your rights"),
        "P12": ("Registre des violations de données", "Register of personal-data breaches"),
        "P13": ("Journalisation et sécurité", "Logging and security"),
        "P14": ("Réponses aux autorités", "Answers to authorities"),
        "P15": ("Directives post mortem", "Post-mortem directives"),
    }
)

# Purposes, by the register's (English) description.
PURPOSES = _table(
    {
        "Constitution and management of a file of prospective buyers; B2B prospecting of professionals": (
            "Constitution et gestion d'un fichier de prospects ; prospection des professionnels",
            "Building and managing a file of prospective buyers; prospecting professionals",
        ),
        "E-mail prospecting of consumer prospects": (
            "Prospection par e-mail des particuliers, avec leur accord",
            "E-mail marketing to consumers, with their agreement",
        ),
        "Answering quotation requests (pre-contractual steps at the person's request)": (
            "Réponse à vos demandes de devis",
            "Answering your quotation requests",
        ),
        "Considering and executing the purchase or lease contract": (
            "Étude et exécution de votre contrat de vente ou de location",
            "Considering and performing your purchase or rental contract",
        ),
        "Orders for products and services and their execution": (
            "Traitement de vos commandes de produits et de services",
            "Processing your orders for products and services",
        ),
        "Delivery management and order tracking": (
            "Livraison et suivi de vos commandes",
            "Delivering and tracking your orders",
        ),
        "Customer relations: customer service by letter, e-mail or phone": (
            "Relation client : service client par courrier, e-mail ou téléphone",
            "Customer relations: customer service by letter, e-mail or phone",
        ),
        "Sending information about changes or improvements of our service": (
            "Information sur les évolutions et améliorations de nos services",
            "Informing you about changes and improvements to our services",
        ),
        "Customer satisfaction surveys": ("Enquêtes de satisfaction", "Customer satisfaction surveys"),
        "Managing litigation or default of payment": (
            "Gestion des litiges et des impayés",
            "Handling disputes and unpaid invoices",
        ),
        "Verifying compliance with legislation, contracts and general terms and conditions": (
            "Vérification du respect de la loi, des contrats et des conditions générales",
            "Checking compliance with the law, contracts and general terms and conditions",
        ),
        "Invoicing and keeping accounting records": (
            "Facturation et tenue de la comptabilité",
            "Invoicing and keeping the accounts",
        ),
        "Collection of payments": ("Encaissement de vos paiements", "Collecting your payments"),
        "Monitoring of the customer/user account": (
            "Gestion de votre compte sur la plateforme",
            "Managing your platform account",
        ),
        "Data analysis for software improvement and customer experience": (
            "Analyse d'utilisation pour améliorer nos logiciels et votre expérience",
            "Usage analysis to improve our software and your experience",
        ),
        "Push notifications with business offers": (
            "Notifications sur votre mobile présentant nos offres, si vous les avez acceptées",
            "Notifications on your phone presenting our offers, if you accepted them",
        ),
        "Geolocation to inform about contents and offers": (
            "Géolocalisation pour vous proposer des contenus et offres, si vous l'avez acceptée",
            "Geolocation to show you contents and offers, if you accepted it",
        ),
        "Account management and access to documentation and software": (
            "Gestion de votre compte et accès à la documentation et aux logiciels",
            "Managing your account and giving access to documentation and software",
        ),
        "Sending information about the improvement of our publications and offers": (
            "Envoi d'informations sur nos publications et nos offres, avec votre accord",
            "Sending news about our publications and offers, with your agreement",
        ),
        "Sending the newsletter and e-mail alerts": (
            "Envoi de la lettre d'information et d'alertes par e-mail",
            "Sending the newsletter and e-mail alerts",
        ),
        "E-mail prospecting of consumers": (
            "Prospection par e-mail des particuliers, avec leur accord",
            "E-mail marketing to consumers, with their agreement",
        ),
        "E-mail offers to clients for similar products and services (soft opt-in)": (
            "Offres par e-mail à nos clients pour des produits et services analogues",
            "E-mail offers to our customers for similar products and services",
        ),
        "Prospecting of professionals (B2B)": ("Prospection des professionnels", "Prospecting professionals"),
        "Telephone prospecting": ("Prospection par téléphone", "Telephone marketing"),
        "Assumed interests and targeted offers": (
            "Centres d'intérêt supposés et offres adaptées",
            "Assumed interests and offers suited to you",
        ),
        "Promotional operations, customer opinions, business statistics": (
            "Opérations promotionnelles, avis clients, statistiques commerciales",
            "Promotions, customer reviews, business statistics",
        ),
        "Sharing files with commercial partners for their own prospecting": (
            "Transmission à des partenaires commerciaux pour leur propre prospection, avec votre accord",
            "Sharing with commercial partners for their own marketing, with your agreement",
        ),
        "Functioning and optimisation of the sites and applications (strictly necessary trackers)": (
            "Fonctionnement des sites et applications (traceurs strictement nécessaires)",
            "Running the websites and applications (strictly necessary trackers)",
        ),
        "Measuring frequentation and audience": (
            "Mesure de fréquentation et d'audience",
            "Measuring visits and audience",
        ),
        "Customised advertising, including recognition on social media": (
            "Publicité personnalisée, y compris sur les réseaux sociaux",
            "Personalised advertising, including on social media",
        ),
        "Social-network sharing tools (plug-ins) on the sites": (
            "Boutons de partage vers les réseaux sociaux sur nos sites",
            "Social-network sharing buttons on our websites",
        ),
        "Interactions with followers on IJINUS pages": (
            "Échanges avec les abonnés des pages IJINUS",
            "Interactions with followers of the IJINUS pages",
        ),
        "Handling requests to exercise data-subject rights": (
            "Traitement de vos demandes d'exercice de vos droits",
            "Handling your requests to exercise your rights",
        ),
        "Recording breaches and notifying the CNIL": (
            "Enregistrement des violations de données et notification à la CNIL",
            "Recording personal-data breaches and notifying the CNIL",
        ),
        "Security logging of access to systems and personal data": (
            "Journalisation des accès aux systèmes et aux données, pour leur sécurité",
            "Logging access to systems and data, for their security",
        ),
        "Answering requests from police, judicial and administrative authorities": (
            "Réponse aux réquisitions des autorités de police, judiciaires et administratives",
            "Answering requests from police, judicial and administrative authorities",
        ),
        "Recording and executing post-mortem directives": (
            "Enregistrement et exécution des directives post mortem",
            "Recording and carrying out post-mortem directives",
        ),
    }
)

# Data categories, by code: name and what it covers.
DATA_CATEGORIES = _codes(
    {
        "identity": (
            "Identité : nom, prénoms, situation familiale, date de naissance",
            "Identity: last name, first names, marital status, date of birth",
        ),
        "contact": (
            "Coordonnées : adresse postale, e-mail, téléphone",
            "Contact details: postal address, e-mail, phone",
        ),
        "professional": ("Vie professionnelle : organisme, fonction", "Professional details: organisation, job title"),
        "credentials": (
            "Identifiants de connexion (mot de passe chiffré)",
            "Login credentials (password stored encrypted)",
        ),
        "marketing_preferences": (
            "Vos choix en matière de prospection, par canal",
            "Your marketing choices, per channel",
        ),
        "consent_proof": (
            "Preuves de vos consentements (date, texte, canal)",
            "Proof of your consents (date, wording, channel)",
        ),
        "contract": ("Contrats de vente et de location", "Sale and rental contracts"),
        "order": ("Commandes, livraisons et installations", "Orders, deliveries and installations"),
        "quote_request": ("Demandes de devis", "Quotation requests"),
        "billing": ("Factures", "Invoices"),
        "payment": ("Paiements et incidents de paiement", "Payments and payment incidents"),
        "promotion": (
            "Participation à des offres promotionnelles et événements",
            "Taking part in promotions and events",
        ),
        "support": ("Demandes au service client", "Customer-service requests"),
        "free_text": ("Autres informations que vous nous avez données", "Other information you gave us"),
        "navigation": ("Données de navigation et cookies", "Browsing data and cookies"),
        "campaign_interactions": ("Lectures et clics dans nos e-mails", "Opens and clicks in our e-mails"),
        "device": ("Données de votre appareil mobile", "Data about your mobile device"),
        "geolocation": ("Géolocalisation, si vous l'avez acceptée", "Geolocation, if you accepted it"),
        "platform": ("Compte et utilisation de la plateforme ijitrack", "ijitrack platform account and use"),
        "interests": ("Centres d'intérêt supposés", "Assumed interests"),
        "third_party": ("Données transmises par un tiers", "Data passed to us by someone else"),
        "social": ("Échanges avec les réseaux sociaux", "Exchanges with social networks"),
        "request_file": (
            "Dossier de vos demandes d'exercice de droits",
            "File of your requests to exercise your rights",
        ),
        "incident": ("Violations de données vous concernant", "Personal-data breaches concerning you"),
        "access_logs": ("Journaux d'accès à vos données", "Logs of access to your data"),
        "authority_request": ("Données demandées par une autorité", "Data requested by an authority"),
        "post_mortem": ("Directives post mortem", "Post-mortem directives"),
    }
)

# Recipients named by their kind in the seeded register: category names, not identities. A
# recipient whose register name is not here is named as the register names it (a company).
RECIPIENT_CATEGORIES = _table(
    {
        "Commercial (sales) service": ("Service commercial d'IJINUS", "IJINUS sales department"),
        "Administrative service": ("Service administratif d'IJINUS", "IJINUS administrative department"),
        "Accounting service": ("Service comptable d'IJINUS", "IJINUS accounting department"),
        "Management control": ("Contrôle de gestion d'IJINUS", "IJINUS management control"),
        "IT (computing) service": ("Service informatique d'IJINUS", "IJINUS IT department"),
        "Marketing service": ("Service marketing d'IJINUS", "IJINUS marketing department"),
        "Customer service": ("Service client d'IJINUS", "IJINUS customer service"),
        "Technical staff": ("Personnel technique d'IJINUS", "IJINUS technical staff"),
        "Data Protection Officer": ("Délégué à la protection des données d'IJINUS", "IJINUS Data Protection Officer"),
        "CRM provider": ("Prestataire de gestion de la relation client", "Customer-relationship management provider"),
        "Hosting / cloud provider of the ijitrack platform": (
            "Hébergeur de la plateforme ijitrack",
            "Host of the ijitrack platform",
        ),
        "Web host of the IJINUS websites": ("Hébergeur des sites web", "Host of the websites"),
        "E-mailing tool": ("Outil d'envoi d'e-mails", "E-mailing tool"),
        "Carriers": ("Transporteurs", "Carriers"),
        "Maintenance subcontractors": ("Sous-traitants de maintenance", "Maintenance subcontractors"),
        "External accountant and auditors": (
            "Expert-comptable et commissaires aux comptes",
            "External accountant and auditors",
        ),
        "Audience-measurement and advertising providers": (
            "Prestataires de mesure d'audience et de publicité",
            "Audience-measurement and advertising providers",
        ),
        "Social-network platforms": ("Réseaux sociaux", "Social networks"),
        "Commercial partners": ("Partenaires commerciaux", "Commercial partners"),
        "Police, judicial and administrative authorities": (
            "Autorités de police, judiciaires et administratives",
            "Police, judicial and administrative authorities",
        ),
        "Tax authorities": ("Administration fiscale", "Tax authorities"),
        "CNIL (supervisory authority)": ("CNIL (autorité de contrôle)", "CNIL (supervisory authority)"),
    }
)

# Kinds of recipient that must be named by their identity (Art. 15(1)(c); CJEU C-154/21): those
# outside IJINUS that are not authorities acting under the law.
IDENTIFIED_KINDS = frozenset({"processor", "partner", "social_network"})

RECIPIENT_KINDS = _codes(
    {
        "internal": ("service interne", "internal department"),
        "processor": ("sous-traitant", "processor"),
        "social_network": ("réseau social", "social network"),
        "partner": ("partenaire commercial", "commercial partner"),
        "authority": ("autorité", "authority"),
    }
)

# Retention texts, by the register's (English) text, per activity or per data category.
RETENTION = _table(
    {
        "3 years following the date of collection or the last contact from the prospect (policy §5).": (
            "3 ans à compter de la collecte ou de votre dernier contact avec nous",
            "3 years from collection or from your last contact with us",
        ),
        "As a prospect (3 years) or as a client, depending on the outcome.": (
            "3 ans si le devis n'aboutit pas ; sinon, comme pour les clients",
            "3 years if the quotation leads nowhere; otherwise as for customers",
        ),
        (
            "Contract duration, then 10 years after the end of the contract or the last contact (policy §5), "
            "in intermediate archive"
        ): (
            "Durée du contrat, puis 10 ans après sa fin ou votre dernier contact, en archive à accès restreint",
            "The term of the contract, then 10 years after its end or your last contact, in a restricted archive",
        ),
        "Contract duration, then 10 years (policy §5)": (
            "Durée du contrat, puis 10 ans",
            "The term of the contract, then 10 years",
        ),
        (
            "Active client: for the duration of the contract. Inactive client: contract-execution data 10 years "
            "after the end of the contract or the last contact; marketing data 3 years (policy §5)."
        ): (
            "Pendant le contrat ; ensuite, 10 ans après sa fin ou votre dernier contact pour les données "
            "d'exécution du contrat, et 3 ans pour les données de prospection",
            "During the contract; then 10 years after its end or your last contact for contract data, and "
            "3 years for marketing data",
        ),
        "10 years (C. com. L.123-22)": (
            "10 ans (obligation comptable, article L.123-22 du code de commerce)",
            "10 years (accounting obligation, French Commercial Code art. L.123-22)",
        ),
        "10 years for accounting and supporting documents (C. com. L.123-22), in intermediate archive.": (
            "10 ans pour les pièces comptables (article L.123-22 du code de commerce), en archive à accès restreint",
            "10 years for accounting documents (French Commercial Code art. L.123-22), in a restricted archive",
        ),
        "5 years after product delivery or the last contact (policy §5).": (
            "5 ans après la livraison du produit ou votre dernier contact",
            "5 years after delivery of the product or your last contact",
        ),
        "5 years following the unsubscription or the last contact (policy §5).": (
            "5 ans après votre désinscription ou votre dernier contact",
            "5 years after you unsubscribe or your last contact",
        ),
        (
            "3 years (prospects: from collection or last contact; inactive clients: after the end of the contract "
            "or the last contact); assumed interests updated annually (policy §5)."
        ): (
            "3 ans à compter de la collecte ou de votre dernier contact (pour un ancien client : de la fin du "
            "contrat ou du dernier contact) ; centres d'intérêt revus chaque année",
            "3 years from collection or your last contact (for a former customer: from the end of the contract "
            "or the last contact); interests reviewed every year",
        ),
        "Updated annually (policy §5)": ("Revus chaque année", "Reviewed every year"),
        "Trackers: 13 months maximum (policy §5; CNIL 2020-092 art. 5)": (
            "13 mois au plus pour les cookies et traceurs",
            "13 months at most for cookies and trackers",
        ),
        "6 to 12 months (CNIL recommendation 2021-122).": (
            "6 à 12 mois (recommandation de la CNIL)",
            "6 to 12 months (CNIL recommendation)",
        ),
        "See R2.9": ("", ""),
        "5 years after the request is closed": (
            "5 ans après la clôture de la demande",
            "5 years after the request is closed",
        ),
        "5 years after the breach is closed": (
            "5 ans après la clôture du dossier de la violation",
            "5 years after the breach file is closed",
        ),
        "Until the directives are revoked or carried out": (
            "Jusqu'à la révocation ou l'exécution des directives",
            "Until the directives are revoked or carried out",
        ),
    }
)

# Where the data came from (Art. 15(1)(g)), by the register's (English) text.
DATA_SOURCES = _table(
    {
        "Directly from the person (forms, contacts with the sales team).": (
            "Vous-même (formulaires, échanges avec notre équipe commerciale)",
            "You (forms, exchanges with our sales team)",
        ),
        "Directly from the person (quotation form on the website).": (
            "Vous-même (formulaire de devis sur notre site)",
            "You (quotation form on our website)",
        ),
        "Directly from the client and its staff.": ("Vous-même ou votre organisation", "You or your organisation"),
        "Generated from orders and contracts.": ("Vos commandes et contrats", "Your orders and contracts"),
        "Directly from the user and the user's devices.": ("Vous-même et vos appareils", "You and your devices"),
        "Directly from the person (account form).": (
            "Vous-même (formulaire de création de compte)",
            "You (account form)",
        ),
        "Directly from the person (subscription forms); imports from the e-mailing tool with opt-in proofs.": (
            "Vous-même (formulaire d'inscription), y compris via notre outil d'envoi d'e-mails",
            "You (subscription form), including through our e-mailing tool",
        ),
        "Directly from the person; interests inferred from the person's data.": (
            "Vous-même ; les centres d'intérêt sont déduits de vos échanges avec nous",
            "You; interests are inferred from your exchanges with us",
        ),
        "Collected automatically from the visitor's browser or device.": (
            "Votre navigateur ou votre appareil, automatiquement",
            "Your browser or device, automatically",
        ),
        "The person's interactions; data exchanged with the networks.": (
            "Vos échanges avec nous sur les réseaux sociaux",
            "Your exchanges with us on social networks",
        ),
        "The requester.": ("Vous-même, lors de vos demandes", "You, in your requests"),
        "Internal detection, processors' alerts.": (
            "Nos contrôles internes et les alertes de nos prestataires",
            "Our own checks and alerts from our providers",
        ),
        "Generated by the systems.": ("Nos systèmes informatiques, automatiquement", "Our IT systems, automatically"),
        "The data already held for the other activities.": (
            "Les données déjà détenues pour les autres traitements",
            "Data already held for the other processing",
        ),
        "The data subject; heirs and designated persons.": (
            "Vous-même ; vos héritiers ou les personnes que vous avez désignées",
            "You; your heirs or the people you designated",
        ),
    }
)

# The copy's section headings: one per personal-data source, by the source's name.
SOURCE_LABELS = _codes(
    {
        "subjects.identity": ("Identité et coordonnées", "Identity and contact details"),
        "subjects.roles": ("Votre relation avec nous et ses dates", "Your relationship with us and its dates"),
        "subjects.contracts": ("Contrats", "Contracts"),
        "subjects.orders": ("Commandes et livraisons", "Orders and deliveries"),
        "subjects.invoices": ("Factures et paiements", "Invoices and payments"),
        "subjects.promotions": ("Offres promotionnelles et événements", "Promotions and events"),
        "subjects.tickets": ("Demandes au service client", "Customer-service requests"),
        "subjects.navigation": ("Navigation et cookies", "Browsing and cookies"),
        "subjects.devices": ("Appareils mobiles", "Mobile devices"),
        "subjects.interests": ("Centres d'intérêt supposés", "Assumed interests"),
        "subjects.third_party": ("Données transmises par un tiers", "Data passed to us by someone else"),
        "subjects.rights": (
            "Rectifications, limitations et oppositions",
            "Rectifications, restrictions and objections",
        ),
        "subjects.post_mortem": ("Directives post mortem", "Post-mortem directives"),
        "consents.consents": ("Vos consentements et choix de prospection", "Your consents and marketing choices"),
        "requests_dsar.requests": ("Vos demandes d'exercice de droits", "Your requests to exercise your rights"),
        "requests_dsar.disclosures": (
            "Communications de vos données à des destinataires",
            "Disclosures of your data to recipients",
        ),
        "breaches.affected": ("Violations de données vous concernant", "Personal-data breaches concerning you"),
        "connectors.connected_systems": (
            "Données détenues dans nos autres systèmes (plateforme ijitrack, outil d'envoi d'e-mails)",
            "Data held in our other systems (ijitrack platform, e-mailing tool)",
        ),
        "retention.archive": ("Archive à accès restreint", "Restricted archive"),
    }
)


def activity_name(code: str, language: str) -> str | None:
    return ACTIVITIES.get(code, {}).get(language)


def purpose(text: str, language: str) -> str | None:
    return PURPOSES.get(key(text), {}).get(language)


def data_category(code: str, language: str) -> str | None:
    return DATA_CATEGORIES.get(code, {}).get(language)


def retention(text: str, language: str) -> str | None:
    return RETENTION.get(key(text), {}).get(language)


def data_source(text: str, language: str) -> str | None:
    return DATA_SOURCES.get(key(text), {}).get(language)


def source_label(name: str, language: str) -> str | None:
    return SOURCE_LABELS.get(name, {}).get(language)


def recipient_name(name: str, language: str) -> tuple[str, bool]:
    """The recipient's name for the person, and whether it is a category rather than an identity."""
    category = RECIPIENT_CATEGORIES.get(key(name))
    if category is not None:
        return category[language if language in category else "fr"], True
    return name, False


def recipient_kind(kind: str, language: str) -> str:
    return RECIPIENT_KINDS.get(kind, {}).get(language, kind)


def without_internal_references(text: str) -> str:
    """A text with the register's internal references and ⚑ marks removed (a fallback heading)."""
    return re.sub(r"\s+([.;,:])", r"\1", " ".join(_INTERNAL.sub("", text).split())).strip()
