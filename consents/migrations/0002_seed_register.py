"""Seed the register of processing from the privacy policy and LEGAL.md R3.3 (the 15 entries, in order).

Facts come from the policy (sections 2-8) and LEGAL.md; nothing is invented. What the policy does not
say (processor names, countries, balancing tests, DPIA decisions) is left empty or "to assess" and
written as an open DPO question (the ⚑ points), so the completeness check shows it.

Idempotent: reference rows are created when their code is missing; an activity that already exists
is left as the DPO may have changed it. Each created activity gets version 1 "seeded from the policy".
"""

from django.db import migrations

CONTROLLER = {
    "name": "IJINUS SAS",
    "legal_form": "Société par Actions Simplifiée (simplified joint-stock company)",
    "share_capital": "296 928 €",
    "address": "25 Zone d'Activités Kervidanou 3, 29300 MELLAC, France",
    "registration": "RCS Quimper 449 152 644",
    "representative": "",
    "dpo_name": "",
    "dpo_email": "gdpr@ijinus.com",
    "dpo_postal_address": "DPO, 25 Zone d'Activités Kervidanou 3, 29300 MELLAC, France",
    "open_questions": (
        "The policy gives two DPO e-mail addresses: gdpr@ijinus.com (§2) and rgpd@ijinus.fr (§9.1); confirm "
        "the one to publish and align the policy.\n"
        "The DPO's name is not given in the policy; record it here (Art. 30(1)(a), Art. 37(7))."
    ),
}

SUBJECT_CATEGORIES = [
    ("prospect", "Prospects", "Persons we never had a contract with (policy §5)."),
    ("active_client", "Active clients", "Clients with a contract in force (policy §5)."),
    ("inactive_client", "Inactive clients", "Former clients (policy §5)."),
    ("purchaser", "Purchasers / renters", "Buyers and renters of sensors (policy §5)."),
    ("client_contact", "Staff contacts of client organisations", "Professional contacts at client companies."),
    ("newsletter", "Newsletter subscribers", "Policy §5."),
    ("website_subscriber", "Website subscribers", "Holders of an account on the IJINUS websites (policy §5)."),
    ("ijitrack_user", "ijitrack platform users", "Users of v2.ijitrack.com (policy §4.2, §5)."),
    ("website_visitor", "Website and application visitors", "Policy §3.3, §4.5."),
    ("social_follower", "Social-network followers", "Persons interacting with IJINUS on social networks (policy §6.2)."),
    ("requester", "Persons exercising their rights", "Any data subject or representative (Arts 12-22)."),
    ("any_subject", "Any data subject", "Every category above, as the case requires."),
    ("staff", "IJINUS staff", "Users of IJINUS information systems (security logs)."),
    ("heir", "Heirs and designated persons", "LIL arts 84-85."),
]

DATA_CATEGORIES = [
    ("identity", "Identity", "Last name, first names, marital status, date of birth.", "§3.1"),
    ("contact", "Contact details", "Postal address, e-mail address, phone number.", "§3.1"),
    ("professional", "Professional details", "Organisation, job title.", "§3.1"),
    ("credentials", "Login credentials", "Login and encrypted password for websites and applications.", "§3.1"),
    ("marketing_preferences", "Prospecting choices", "Choices regarding commercial prospection, per channel.", "§3.1, §9.2"),
    ("consent_proof", "Consent proofs", "Date, wording, channel and method of each consent (R2.1).", "§9.2"),
    ("contract", "Contract", "Sale and rental contracts undertaken.", "§3.2"),
    ("order", "Orders and deliveries", "Orders for products and services, delivery, installation, supplied sensors.", "§3.1, §3.2"),
    ("quote_request", "Quotation requests", "The need described, site and installation data.", "§9.2"),
    ("billing", "Invoicing", "Invoices.", "§3.2"),
    ("payment", "Payments", "Payments and payment incidents.", "§3.2"),
    ("promotion", "Promotions and events", "Participation in promotional offers or events.", "§3.2"),
    ("support", "Customer-service requests", "Requests made to customer service and problems reported.", "§3.2"),
    ("free_text", "Other information given", "Any other information the person brings to our attention.", "§3.1"),
    ("navigation", "Navigation data", "Cookie identifiers, equipment identifiers, IP, OS, browser, dates and times, referrer, pages viewed.", "§3.3"),
    ("campaign_interactions", "E-mail interactions", "Reading confirmations and clicks on links in e-mails.", "§3.3"),
    ("device", "Mobile device data", "Phone type, OS version, connectivity, application name and version, push token.", "§3.3"),
    ("geolocation", "Geolocation", "Physical location of the device, if the person accepted it.", "§3.3"),
    ("platform", "Platform account and usage", "ijitrack account, alert settings, activity logs.", "§4.2"),
    ("interests", "Assumed interests", "Assumptions on contents and services suited to the person.", "§3.4"),
    ("third_party", "Data about a third party", "Data on a person to whom a product is offered, with the recorded acceptance.", "§3.5"),
    ("social", "Social-network interactions", "Interactions and plug-in data exchanged with social networks.", "§6.2"),
    ("request_file", "Rights request file", "Requests, identity checks, decisions, letters (R1.16).", "§9.1"),
    ("incident", "Breach data", "Facts, effects and remedial action of personal-data breaches (Art. 33(5)).", ""),
    ("access_logs", "Access logs", "Who accessed or changed which data, when (R5.1).", "§8"),
    ("authority_request", "Data requested by an authority", "The data named in the authority's request.", "§6.2"),
    ("post_mortem", "Post-mortem directives", "Directives, designated person, evidence of death (LIL arts 84-85).", "§9.1"),
]

SECURITY_MEASURES = [
    ("dpo", "Appointment of a Data Protection Officer", "", "§8"),
    ("staff_confidentiality", "Staff confidentiality commitments", "Awareness of confidentiality requirements; personal non-disclosure commitment of authorised staff.", "§6.1, §8"),
    ("access_permissions", "Individual and limited access permissions", "Access based on individual, limited permissions (least privilege; R5.2.1).", "§6.1"),
    ("premises_platforms", "Secured premises, computing and mobile platforms", "Securing access to premises and to computing and mobile platforms.", "§8"),
    ("it_charter", "IT charter", "Implementation of an Information Technology charter within the company.", "§8"),
    ("secure_transfers", "Secured access, sharing and transfer of data", "Securing any data access, sharing or transfer.", "§8"),
    ("vendor_selection", "Selection of subcontractors and partners", "Strict selection of subcontractors and partners on data protection; contracts with data-protection and confidentiality obligations.", "§6.2, §8"),
    ("password_encryption", "Encrypted credentials", "Logins and passwords are stored encrypted.", "§3.1"),
]

TO_ASSESS = "to_assess"
INTERNAL = {"kind": "internal", "country": "FR", "transfer_mechanism": "none"}
UNKNOWN_PROCESSOR = (
    "Provider not named in the policy: record its name, country of processing (with sub-processors), "
    "Art. 28 contract date; if outside the EU, SCCs (Decision 2021/914) and a TIA (policy §7; R5.4)."
)

RECIPIENTS = [
    ("staff-sales", "Commercial (sales) service", "", INTERNAL),
    ("staff-administration", "Administrative service", "", INTERNAL),
    ("staff-accounting", "Accounting service", "", INTERNAL),
    ("staff-management-control", "Management control", "", INTERNAL),
    ("staff-it", "IT (computing) service", "", INTERNAL),
    ("staff-marketing", "Marketing service", "", INTERNAL),
    ("staff-customer-service", "Customer service", "Policy §4.1: customer relations by letter, e-mail or phone.", INTERNAL),
    ("staff-technical", "Technical staff", "", {**INTERNAL, "open_questions": "Named in LEGAL.md R3.3 (#2), not in policy §6.1: confirm."}),
    ("staff-dpo", "Data Protection Officer", "Policy §8.", INTERNAL),
    ("crm", "CRM provider", "Customer-relationship management tool.", {"kind": "processor", "transfer_mechanism": TO_ASSESS, "open_questions": UNKNOWN_PROCESSOR}),
    ("hosting", "Hosting / cloud provider of the ijitrack platform", "", {"kind": "processor", "transfer_mechanism": TO_ASSESS, "open_questions": UNKNOWN_PROCESSOR}),
    ("web-host", "Web host of the IJINUS websites", "", {"kind": "processor", "transfer_mechanism": TO_ASSESS, "open_questions": UNKNOWN_PROCESSOR}),
    ("emailing", "E-mailing tool", "Newsletter and e-mail campaigns.", {"kind": "processor", "transfer_mechanism": TO_ASSESS, "open_questions": UNKNOWN_PROCESSOR}),
    ("carriers", "Carriers", "Delivery of products (policy §6.2: subcontractors for the delivery process).", {"kind": "processor", "transfer_mechanism": TO_ASSESS, "open_questions": UNKNOWN_PROCESSOR}),
    ("maintenance", "Maintenance subcontractors", "Installation and after-sales maintenance of sensors.", {"kind": "processor", "transfer_mechanism": TO_ASSESS, "open_questions": UNKNOWN_PROCESSOR}),
    ("accountant", "External accountant and auditors", "", {"kind": "processor", "transfer_mechanism": TO_ASSESS, "open_questions": UNKNOWN_PROCESSOR + "\nStatutory auditors act as independent recipients, not processors: confirm their role."}),
    ("analytics", "Audience-measurement and advertising providers", "Third-party scripts, pixels and redirections (policy §3.3, §4.5).", {"kind": "processor", "transfer_mechanism": TO_ASSESS, "open_questions": "Providers not named in the policy; often outside the EU (LEGAL.md R3.3 #9). Advertising providers may be controllers, not processors: assess the role, the country and the mechanism."}),
    ("social-networks", "Social-network platforms", "Policy §6.2: exchanges of data through social-network features.", {"kind": "social_network", "transfer_mechanism": TO_ASSESS, "joint_controller": TO_ASSESS, "open_questions": "Networks not named in the policy; usually outside the EU (R3.3 #10). Joint controllership (Art. 26) to assess per network (R5.5.1)."}),
    ("partners", "Commercial partners", "Policy §6.2: partners promoting products and services for their own purposes.", {"kind": "partner", "transfer_mechanism": TO_ASSESS, "legal_basis_for_sharing": "Consent of the person for e-mail prospecting (R5.5.2; CPCE L.34-5)", "open_questions": "Partners not named; policy §7 mentions partners in other countries under SCCs. No sharing for their own purposes without a recorded basis (R5.5.2)."}),
    ("authorities", "Police, judicial and administrative authorities", "When IJINUS is bound to, or to protect rights, goods and safety (policy §6.2).", {"kind": "authority", "country": "FR", "transfer_mechanism": "none", "legal_basis_for_sharing": "Legal obligation (Art. 6(1)(c)); establishment or defence of legal claims"}),
    ("tax-authorities", "Tax authorities", "", {"kind": "authority", "country": "FR", "transfer_mechanism": "none", "legal_basis_for_sharing": "Legal obligation (Art. 6(1)(c))"}),
    ("cnil", "CNIL (supervisory authority)", "Breach notifications (Art. 33).", {"kind": "authority", "country": "FR", "transfer_mechanism": "none", "legal_basis_for_sharing": "Legal obligation (Art. 33)"}),
]

ALL_MEASURES = [code for code, *_ in SECURITY_MEASURES]
LIA = "Legitimate-interest assessment to document for each Art. 6(1)(f) purpose (R3.1.3; EDPB Guidelines 1/2024)."


def purpose(description, basis, detail=""):
    return {"description": description, "legal_basis": basis, "legal_basis_detail": detail}


ACTIVITIES = [
    {
        "code": "P01", "name": "Prospect management", "name_fr": "Gestion des prospects",
        "description": "Constitution and management of a file of prospective buyers (policy §5).",
        "subjects": ["prospect"],
        "data": {"identity": "", "contact": "", "professional": "", "marketing_preferences": "", "consent_proof": "See R2.9"},
        "retention": "3 years following the date of collection or the last contact from the prospect (policy §5).",
        "purposes": [
            purpose("Constitution and management of a file of prospective buyers; B2B prospecting of professionals", "f", "B2B prospecting (CNIL référentiel gestion commerciale)"),
            purpose("E-mail prospecting of consumer prospects", "a", "CPCE L.34-5: prior consent"),
        ],
        "recipients": ["staff-sales", "staff-marketing", "crm"],
        "transfers": TO_ASSESS, "transfer_notes": "SCCs if the CRM is hosted outside the EU (LEGAL.md R3.3 #1).",
        "source": "Directly from the person (forms, contacts with the sales team). Other sources to be listed by the DPO (Art. 14(2)(f)).",
        "questions": ["CRM provider and hosting country not recorded: SCCs and TIA needed if outside the EU.", LIA],
    },
    {
        "code": "P02", "name": "Quotation requests", "name_fr": "Demandes de devis",
        "description": "Answering quotation requests made on the website.",
        "subjects": ["prospect", "active_client"],
        "data": {"identity": "", "contact": "", "professional": "", "quote_request": ""},
        "retention": "As a prospect (3 years) or as a client, depending on the outcome (LEGAL.md R3.3 #2).",
        "purposes": [purpose("Answering quotation requests (pre-contractual steps at the person's request)", "b", "Art. 6(1)(b) pre-contractual steps")],
        "recipients": ["staff-sales", "staff-technical"],
        "transfers": "none",
        "source": "Directly from the person (quotation form on the website).",
        "questions": ["⚑ The policy (§9.2) says quotation requests need the person's consent; the usual basis is Art. 6(1)(b). Align the policy and the register (LEGAL.md R3.3 #2)."],
    },
    {
        "code": "P03", "name": "Customer management (sale and rental of sensors)", "name_fr": "Gestion des clients (vente/location de capteurs)",
        "description": "Execution of purchase and lease contracts and of orders, delivery, customer relations (policy §4.1).",
        "subjects": ["active_client", "inactive_client", "purchaser", "client_contact"],
        "data": {
            "identity": "Purchaser/renter identification: 5 years (policy §5) ⚑ trigger not stated",
            "contact": "", "professional": "",
            "contract": "Contract duration, then 10 years after the end of the contract or the last contact (policy §5), in intermediate archive",
            "order": "Contract duration, then 10 years (policy §5)",
            "support": "Contract duration, then 10 years (policy §5)",
            "free_text": "",
        },
        "retention": "Active client: for the duration of the contract. Inactive client: contract-execution data 10 years after the end of the contract or the last contact; marketing data 3 years (policy §5).",
        "purposes": [
            purpose("Considering and executing the purchase or lease contract", "b"),
            purpose("Orders for products and services and their execution", "b"),
            purpose("Delivery management and order tracking", "b"),
            purpose("Customer relations: customer service by letter, e-mail or phone", "b"),
            purpose("Sending information about changes or improvements of our service", "b"),
            purpose("Customer satisfaction surveys", "f"),
            purpose("Managing litigation or default of payment", "f", "Establishment, exercise or defence of legal claims"),
            purpose("Verifying compliance with legislation, contracts and general terms and conditions", "f"),
        ],
        "recipients": ["staff-sales", "staff-administration", "staff-customer-service", "staff-technical", "carriers", "maintenance", "partners"],
        "transfers": TO_ASSESS, "transfer_notes": "Per processor (LEGAL.md R3.3 #3).",
        "source": "Directly from the client and its staff.",
        "questions": [
            "⚑ Partners listed as recipients of client data (R3.3 #3): confirm, and record the basis for sharing (R5.5.2).",
            "10 years for all contract-execution data: only accounting documents are covered by C. com. L.123-22; other contract evidence normally follows the 5-year limitation (LEGAL.md §7 item 11).",
            "Purchaser/renter identification 5 years: the trigger is not stated (R4.3).",
            LIA,
        ],
    },
    {
        "code": "P04", "name": "Accounting and invoicing", "name_fr": "Comptabilité / facturation",
        "description": "Invoicing and collection of payments (policy §4.1).",
        "subjects": ["active_client", "inactive_client"],
        "data": {"identity": "", "contact": "", "billing": "10 years (C. com. L.123-22)", "payment": "10 years (C. com. L.123-22)"},
        "retention": "10 years for accounting and supporting documents (C. com. L.123-22), in intermediate archive.",
        "purposes": [
            purpose("Invoicing and keeping accounting records", "c", "C. com. L.123-22"),
            purpose("Collection of payments", "b"),
        ],
        "recipients": ["staff-accounting", "staff-management-control", "accountant", "tax-authorities"],
        "transfers": "none",
        "source": "Generated from orders and contracts.",
        "questions": [],
    },
    {
        "code": "P05", "name": "Monitoring platform v2.ijitrack.com", "name_fr": "Plateforme de supervision",
        "description": "Operation of the web monitoring platform and mobile application (policy §4.2, §3.3).",
        "subjects": ["ijitrack_user"],
        "data": {"identity": "", "contact": "", "professional": "", "credentials": "", "platform": "", "device": "", "geolocation": ""},
        "retention": "5 years after product delivery or the last contact (policy §5).",
        "purposes": [
            purpose("Monitoring of the customer/user account", "b"),
            purpose("Data analysis for software improvement and customer experience", "f"),
            purpose("Push notifications with business offers", "a", "⚑ legal regime not verified (LEGAL.md §7 item 9)"),
            purpose("Geolocation to inform about contents and offers", "a", "Accepted when downloading the application (policy §3.3)"),
        ],
        "recipients": ["staff-it", "staff-customer-service", "hosting"],
        "transfers": TO_ASSESS, "transfer_notes": "SCCs and TIA if the platform is hosted outside the EU (R3.3 #5).",
        "controller_role": TO_ASSESS,
        "source": "Directly from the user and the user's devices.",
        "questions": [
            "Hosting provider and country not recorded.",
            "Role analysis: if client organisations create accounts for their own staff, IJINUS may be a processor for part of the platform data (LEGAL.md §7 item 10).",
            "Whether a login counts as a contact for the 5-year clock (R4.3).",
            LIA,
        ],
    },
    {
        "code": "P06", "name": "Website subscriber accounts", "name_fr": "Comptes abonnés du site web",
        "description": "Accounts on the IJINUS websites: personal spaces, downloads of documentation and software (policy §4.5, §9.2).",
        "subjects": ["website_subscriber"],
        "data": {"identity": "", "contact": "", "professional": "", "credentials": ""},
        "retention": "5 years following the unsubscription or the last contact (policy §5) ⚑.",
        "purposes": [
            purpose("Account management and access to documentation and software", "b", "⚑ contract or consent (R3.3 #6)"),
            purpose("Sending information about the improvement of our publications and offers", "a", "CPCE L.34-5"),
        ],
        "recipients": ["staff-it", "staff-marketing", "web-host"],
        "transfers": TO_ASSESS,
        "source": "Directly from the person (account form).",
        "questions": [
            "⚑ Legal basis: contract or consent (R3.3 #6).",
            "⚑ 5 years after unsubscription: no justification found (LEGAL.md §7 item 11).",
            "Web host and its country not recorded.",
        ],
    },
    {
        "code": "P07", "name": "Newsletter", "name_fr": "Lettre d'information",
        "description": "Managing newsletter subscriptions and e-mail alerts (policy §4.1, §9.2).",
        "subjects": ["newsletter"],
        "data": {"contact": "", "identity": "", "marketing_preferences": "", "consent_proof": "Proof kept after unsubscription (R2.9) ⚑", "campaign_interactions": ""},
        "retention": "Until unsubscription; the policy says 3 years following the unsubscription or the last contact (policy §5) ⚑.",
        "purposes": [purpose("Sending the newsletter and e-mail alerts", "a", "CPCE L.34-5: prior consent")],
        "recipients": ["staff-marketing", "emailing"],
        "transfers": TO_ASSESS, "transfer_notes": "Depends on the e-mailing tool's location (R3.3 #7).",
        "source": "Directly from the person (subscription forms); imports from the e-mailing tool with opt-in proofs.",
        "questions": [
            "⚑ After unsubscription keep only proof and suppression data, no profile and no marketing use (R4.3; EDPB 05/2020 ¶107); duration of consent proofs to set (R2.9).",
            "E-mailing tool and its country not recorded.",
        ],
    },
    {
        "code": "P08", "name": "Commercial prospecting and interests", "name_fr": "Prospection commerciale & centres d'intérêt",
        "description": "Prospecting by letter, e-mail, notifications, phone and social networks; promotions; assumed interests (policy §3.4, §4.3, §4.4).",
        "subjects": ["prospect", "inactive_client", "active_client"],
        "data": {"identity": "", "contact": "", "professional": "", "marketing_preferences": "", "interests": "Updated annually (policy §5)", "campaign_interactions": "", "promotion": ""},
        "retention": "3 years (prospects: from collection or last contact; inactive clients: after the end of the contract or the last contact); assumed interests updated annually (policy §5).",
        "purposes": [
            purpose("E-mail prospecting of consumers", "a", "CPCE L.34-5: prior consent"),
            purpose("E-mail offers to clients for similar products and services (soft opt-in)", "f", "CPCE L.34-5 exception (policy §9.2)"),
            purpose("Prospecting of professionals (B2B)", "f"),
            purpose("Telephone prospecting", "f", "Bloctel opposition list (policy §9.2); opt-in regime from 11 Aug 2026 ⚑"),
            purpose("Assumed interests and targeted offers", "f"),
            purpose("Promotional operations, customer opinions, business statistics", "f"),
            purpose("Sharing files with commercial partners for their own prospecting", "a", "R5.5.2: consent for e-mail prospecting"),
        ],
        "recipients": ["staff-sales", "staff-marketing", "emailing", "partners"],
        "transfers": TO_ASSESS,
        "source": "Directly from the person; interests inferred from the person's data (policy §3.4).",
        "questions": [
            "⚑ Partners as recipients: which partners, on which basis (R5.5.2).",
            "Bloctel transition: check the implementing decree for the opt-in regime (LEGAL.md §7 item 13).",
            LIA,
        ],
    },
    {
        "code": "P09", "name": "Cookies and audience measurement", "name_fr": "Cookies & mesure d'audience",
        "description": "Trackers on the websites and applications (policy §3.3, §4.5).",
        "subjects": ["website_visitor"],
        "data": {"navigation": "Trackers: 13 months maximum (policy §5; CNIL 2020-092 art. 5)", "device": ""},
        "retention": "13 months maximum for trackers (policy §5); retention of collected audience data ⚑ (LEGAL.md §7 item 6).",
        "purposes": [
            purpose("Functioning and optimisation of the sites and applications (strictly necessary trackers)", "f", "LIL art. 82: exempt from consent when strictly necessary"),
            purpose("Measuring frequentation and audience", "a", "LIL art. 82 consent, or the CNIL audience-measurement exemption ⚑"),
            purpose("Customised advertising, including recognition on social media", "a", "LIL art. 82 consent"),
        ],
        "recipients": ["staff-marketing", "staff-it", "analytics", "social-networks"],
        "transfers": TO_ASSESS, "transfer_notes": "Providers often outside the EU (R3.3 #9).",
        "source": "Collected automatically from the visitor's browser or device.",
        "questions": ["⚑ Providers and countries not recorded.", "Retention of audience data: 25 months not verified (LEGAL.md §7 item 6).", LIA],
    },
    {
        "code": "P10", "name": "Social networks", "name_fr": "Réseaux sociaux",
        "description": "Information-sharing tools and interactions with IJINUS on social networks (policy §4.5, §6.2).",
        "subjects": ["social_follower", "website_visitor"],
        "data": {"social": "", "navigation": ""},
        "retention": "",
        "purposes": [
            purpose("Social-network sharing tools (plug-ins) on the sites", "a", "LIL art. 82 consent"),
            purpose("Interactions with followers on IJINUS pages", "f"),
        ],
        "recipients": ["staff-marketing", "social-networks"],
        "transfers": TO_ASSESS, "transfer_notes": "Networks usually outside the EU ⚑ (R3.3 #10).",
        "controller_role": TO_ASSESS,
        "joint_controllers": "Possible joint controllership with each social network (Art. 26): to assess.",
        "source": "The person's interactions; data exchanged with the networks.",
        "questions": ["Retention is 'per network' (R3.3 #10): state it per network.", "⚑ Joint controllership and transfers to assess.", LIA],
    },
    {
        "code": "P11", "name": "Handling data-subject rights requests", "name_fr": "Gestion des demandes d'exercice des droits",
        "description": "Intake, identity checks, decisions and answers to requests under Arts 12-22 (policy §9).",
        "subjects": ["requester"],
        "data": {"request_file": "", "identity": "", "contact": ""},
        "retention": "DPO decision (R1.16.4) ⚑.",
        "purposes": [purpose("Handling requests to exercise data-subject rights", "c", "GDPR Arts 12-22")],
        "recipients": ["staff-dpo", "staff-customer-service"],
        "transfers": "none",
        "source": "The requester.",
        "questions": ["Retention of request files: no primary source fixes it; the DPO decides and documents (LEGAL.md §7 item 12)."],
    },
    {
        "code": "P12", "name": "Register of personal-data breaches", "name_fr": "Registre des violations",
        "description": "Recording every breach, notified or not (Art. 33(5)).",
        "subjects": ["any_subject"],
        "data": {"incident": ""},
        "retention": "DPO decision ⚑.",
        "purposes": [purpose("Recording breaches and notifying the CNIL", "c", "GDPR Art. 33(5)")],
        "recipients": ["staff-dpo", "cnil"],
        "transfers": "none",
        "source": "Internal detection, processors' alerts.",
        "questions": ["Retention of the breach register: DPO to decide and document (LEGAL.md §7 item 12)."],
    },
    {
        "code": "P13", "name": "Logging and security", "name_fr": "Journalisation / sécurité",
        "description": "Access logs and audit trail of the information systems (Art. 32; R5.1).",
        "subjects": ["staff", "ijitrack_user", "website_subscriber"],
        "data": {"access_logs": "6 to 12 months (CNIL recommendation 2021-122)"},
        "retention": "6 to 12 months (CNIL recommendation 2021-122).",
        "purposes": [purpose("Security logging of access to systems and personal data", "c", "GDPR Art. 32 ⚑ or legitimate interest (R3.3 #13)")],
        "recipients": ["staff-it", "staff-dpo"],
        "transfers": "none",
        "source": "Generated by the systems.",
        "questions": ["⚑ Legal basis: legal obligation or legitimate interest (R3.3 #13)."],
    },
    {
        "code": "P14", "name": "Answers to authorities", "name_fr": "Réponses aux autorités",
        "description": "Answering police, judicial and administrative authorities (policy §6.2).",
        "subjects": ["any_subject"],
        "data": {"authority_request": ""},
        "retention": "",
        "purposes": [purpose("Answering requests from police, judicial and administrative authorities", "c")],
        "recipients": ["authorities"],
        "transfers": "none",
        "source": "The data already held for the other activities.",
        "questions": ["Retention not stated in the policy (R3.3 #14): DPO to decide."],
    },
    {
        "code": "P15", "name": "Post-mortem directives", "name_fr": "Directives post mortem",
        "description": "Recording and executing directives on data after death (LIL arts 84-85; policy §9.1).",
        "subjects": ["heir", "any_subject"],
        "data": {"post_mortem": "", "identity": ""},
        "retention": "DPO decision ⚑.",
        "purposes": [purpose("Recording and executing post-mortem directives", "c", "Loi Informatique et Libertés art. 85")],
        "recipients": ["staff-dpo"],
        "transfers": "none",
        "source": "The data subject; heirs and designated persons.",
        "questions": ["Retention: DPO to decide (R1.16.4)."],
    },
]

SEED_REASON = "Seeded from the privacy policy and LEGAL.md R3.3"


def seed(apps, schema_editor):
    Controller = apps.get_model("consents", "Controller")
    SubjectCategory = apps.get_model("consents", "SubjectCategory")
    DataCategory = apps.get_model("consents", "DataCategory")
    SecurityMeasure = apps.get_model("consents", "SecurityMeasure")
    Recipient = apps.get_model("consents", "Recipient")
    ProcessingActivity = apps.get_model("consents", "ProcessingActivity")
    Purpose = apps.get_model("consents", "Purpose")
    ActivityDataCategory = apps.get_model("consents", "ActivityDataCategory")
    RegisterVersion = apps.get_model("consents", "RegisterVersion")

    Controller.objects.get_or_create(pk=1, defaults=CONTROLLER)
    for code, name, description in SUBJECT_CATEGORIES:
        SubjectCategory.objects.get_or_create(code=code, defaults={"name": name, "description": description})
    for code, name, description, reference in DATA_CATEGORIES:
        DataCategory.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "policy_reference": reference}
        )
    for code, name, description, reference in SECURITY_MEASURES:
        SecurityMeasure.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "policy_reference": reference}
        )
    for code, name, description, extra in RECIPIENTS:
        Recipient.objects.get_or_create(code=code, defaults={"name": name, "description": description, **extra})

    for entry in ACTIVITIES:
        if ProcessingActivity.objects.filter(code=entry["code"]).exists():
            continue
        activity = ProcessingActivity.objects.create(
            code=entry["code"],
            name=entry["name"],
            name_fr=entry["name_fr"],
            description=entry["description"],
            controller_role=entry.get("controller_role", "controller"),
            joint_controllers=entry.get("joint_controllers", ""),
            transfers_outside_eu=entry["transfers"],
            transfer_notes=entry.get("transfer_notes", ""),
            retention=entry["retention"],
            data_source=entry["source"],
            dpia_needed="to_assess",
            notice_reference="Privacy policy (published version)",
            status="to_review",
            open_questions="\n".join(entry["questions"]),
            version=1,
        )
        for position, row in enumerate(entry["purposes"], start=1):
            Purpose.objects.create(activity=activity, position=position, **row)
        for code, retention in entry["data"].items():
            ActivityDataCategory.objects.create(
                activity=activity, category=DataCategory.objects.get(code=code), retention=retention
            )
        activity.subject_categories.set(SubjectCategory.objects.filter(code__in=entry["subjects"]))
        activity.recipients.set(Recipient.objects.filter(code__in=entry["recipients"]))
        activity.security_measures.set(SecurityMeasure.objects.filter(code__in=ALL_MEASURES))
        RegisterVersion.objects.create(
            object_type="consents.processingactivity",
            object_id=str(activity.pk),
            object_code=activity.code,
            version=1,
            reason=SEED_REASON,
            changed_fields=[],
            previous_state=None,
            state=entry,
        )


class Migration(migrations.Migration):
    dependencies = [("consents", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
