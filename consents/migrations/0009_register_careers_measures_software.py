"""The register ready for an inspection: the careers site's candidates, measures and systems per entry.

- P16 "Recruitment: candidates of the careers site" (the policy's introduction names the careers
  site's profile pages). What the policy does not say (the site's provider, its country) is left to
  assess and written as an open DPO question, as in 0002; the retention follows the CNIL's
  recruitment reference framework (2 years after the last contact), for the DPO to confirm.
- Security measures per entry instead of the same eight everywhere: the policy's general measures
  (§8) on every entry, the others where they apply (transfers where data leave the company,
  processors' selection where a processor is used, encrypted credentials where people log in, and
  the back office's own measures on the entries it holds: audit trail, two-factor authentication,
  encrypted files, separate archive, hashed suppression list).
- The software or systems of each entry (CNIL template).

An entry the DPO already changed (version above 1) keeps its measures and software. Each change
leaves a register version, as the services do.
"""

from django.db import migrations

NEW_MEASURES = [
    (
        "audit_trail",
        "Signed audit trail of access to personal data",
        "Every consultation, change and export by staff is recorded in an append-only, signed trail, kept 12 months.",
    ),
    ("two_factor", "Two-factor authentication for staff", "Back-office access needs a password and a one-time code."),
    (
        "encrypted_files",
        "Files encrypted at rest",
        "Exports, letters and e-mails waiting to leave are stored encrypted.",
    ),
    (
        "archive_separation",
        "Intermediate archive with separate access",
        "Archived data is seen only by the archivist role, each access with a reason.",
    ),
    (
        "hashed_suppression",
        "Suppression list kept as keyed hashes",
        "Opposition and erasure lists hold keyed hashes, not the identifiers.",
    ),
]

GENERAL = ["dpo", "staff_confidentiality", "access_permissions", "premises_platforms", "it_charter"]
BACK_OFFICE = ["audit_trail", "two_factor"]

MEASURES = {
    "P01": GENERAL + BACK_OFFICE + ["secure_transfers", "vendor_selection", "hashed_suppression"],
    "P02": GENERAL + BACK_OFFICE,
    "P03": GENERAL + BACK_OFFICE + ["secure_transfers", "vendor_selection", "archive_separation"],
    "P04": GENERAL + BACK_OFFICE + ["secure_transfers", "vendor_selection", "archive_separation"],
    "P05": GENERAL + ["secure_transfers", "vendor_selection", "password_encryption"],
    "P06": GENERAL + ["secure_transfers", "vendor_selection", "password_encryption"],
    "P07": GENERAL + BACK_OFFICE + ["secure_transfers", "vendor_selection", "hashed_suppression"],
    "P08": GENERAL + BACK_OFFICE + ["secure_transfers", "vendor_selection", "hashed_suppression"],
    "P09": GENERAL + ["secure_transfers", "vendor_selection"],
    "P10": GENERAL + ["secure_transfers"],
    "P11": GENERAL + BACK_OFFICE + ["encrypted_files"],
    "P12": GENERAL + BACK_OFFICE + ["encrypted_files", "secure_transfers"],
    "P13": GENERAL + BACK_OFFICE + ["password_encryption"],
    "P14": GENERAL + BACK_OFFICE + ["secure_transfers"],
    "P15": GENERAL + BACK_OFFICE + ["encrypted_files"],
    "P16": GENERAL + ["secure_transfers", "vendor_selection", "password_encryption"],
}

SOFTWARE = {
    "P01": "CRM; IJINUS Privacy back office (consents, suppression list)",
    "P02": "Quotation form of the IJINUS website; sales e-mail",
    "P03": "IJINUS Privacy back office; CRM",
    "P04": "Accounting software; IJINUS Privacy back office (invoices, payments)",
    "P05": "v2.ijitrack.com web platform and its mobile application",
    "P06": "IJINUS websites (subscriber area)",
    "P07": "E-mailing tool; IJINUS Privacy back office (consent records)",
    "P08": "CRM; e-mailing tool; IJINUS Privacy back office (who may be contacted)",
    "P09": "Trackers of the websites and applications (cookies, tags, pixels); consent banner",
    "P10": "Social-network plug-ins; IJINUS pages on the networks",
    "P11": "IJINUS Privacy back office (request files, letters, exports)",
    "P12": "IJINUS Privacy back office (breach register)",
    "P13": "IJINUS Privacy back office (signed audit trail); system logs",
    "P14": "IJINUS Privacy back office",
    "P15": "IJINUS Privacy back office (post-mortem directives)",
    "P16": "Careers site (candidate profile pages)",
}

CAREERS = {
    "code": "P16",
    "name": "Recruitment: candidates of the careers site",
    "name_fr": "Recrutement : candidats du site carrières",
    "description": "Receiving and assessing job applications made on the careers site, where candidates log into a profile page.",
    "retention": "Hired candidates: the application joins the staff file. Others: 2 years after the last contact with the candidate, unless the candidate objects (CNIL recruitment reference framework).",
    "data_source": "Directly from the candidate (profile page and application on the careers site).",
    "transfers_outside_eu": "to_assess",
    "transfer_notes": "Depends on where the careers site is hosted.",
    "open_questions": "Careers-site provider and hosting country not recorded: Art. 28 contract; SCCs and TIA if outside the EU.\n"
    "Retention of unsuccessful applications: confirm the 2 years of the CNIL recruitment reference framework and tell candidates.\n"
    "Keeping an application for other positions (talent pool) needs the candidate's agreement: confirm the practice.",
}
CAREERS_PURPOSES = [
    ("Receiving and assessing applications for a position", "b", "Pre-contractual steps at the candidate's request"),
    ("Keeping an application for other positions", "a", "The candidate's agreement"),
]
CAREERS_DATA = {
    "identity": "",
    "contact": "",
    "credentials": "Until the profile is closed",
    "application": "2 years after the last contact (unsuccessful candidates)",
}
CANDIDATE = ("candidate", "Job candidates", "Persons applying through the careers site (policy introduction).")
APPLICATION = (
    "application",
    "Application",
    "CV, cover letter, education, professional experience, interview notes.",
    "",
)
RECIPIENTS = [
    (
        "staff-hr",
        "Human resources and hiring managers",
        "",
        {"kind": "internal", "country": "FR", "transfer_mechanism": "none"},
    ),
    (
        "careers-site",
        "Careers-site provider",
        "Hosting of the careers site and candidate profiles.",
        {
            "kind": "processor",
            "transfer_mechanism": "to_assess",
            "open_questions": "Provider not named in the policy: record its name, country of processing and Art. 28 contract date; if outside the EU, SCCs and a TIA.",
        },
    ),
]
REASON_MEASURES = "Security measures and systems stated per entry"
REASON_CAREERS = "Careers-site candidates added to the register"


def _next_version(RegisterVersion, activity):
    last = RegisterVersion.objects.filter(object_type="consents.processingactivity", object_id=str(activity.pk))
    return max(last.values_list("version", flat=True), default=0) + 1


def forwards(apps, schema_editor):
    ProcessingActivity = apps.get_model("consents", "ProcessingActivity")
    SecurityMeasure = apps.get_model("consents", "SecurityMeasure")
    SubjectCategory = apps.get_model("consents", "SubjectCategory")
    DataCategory = apps.get_model("consents", "DataCategory")
    Recipient = apps.get_model("consents", "Recipient")
    Purpose = apps.get_model("consents", "Purpose")
    ActivityDataCategory = apps.get_model("consents", "ActivityDataCategory")
    RegisterVersion = apps.get_model("consents", "RegisterVersion")

    for code, name, description in NEW_MEASURES:
        SecurityMeasure.objects.get_or_create(code=code, defaults={"name": name, "description": description})
    SubjectCategory.objects.get_or_create(
        code=CANDIDATE[0], defaults={"name": CANDIDATE[1], "description": CANDIDATE[2]}
    )
    DataCategory.objects.get_or_create(
        code=APPLICATION[0], defaults={"name": APPLICATION[1], "description": APPLICATION[2], "policy_reference": ""}
    )
    for code, name, description, extra in RECIPIENTS:
        Recipient.objects.get_or_create(code=code, defaults={"name": name, "description": description, **extra})

    if not ProcessingActivity.objects.filter(code="P16").exists():
        activity = ProcessingActivity.objects.create(
            **CAREERS,
            controller_role="controller",
            dpia_needed="to_assess",
            notice_reference="Privacy policy (published version)",
            status="to_review",
            version=1,
        )
        for position, (description, basis, detail) in enumerate(CAREERS_PURPOSES, start=1):
            Purpose.objects.create(
                activity=activity,
                position=position,
                description=description,
                legal_basis=basis,
                legal_basis_detail=detail,
            )
        for code, retention in CAREERS_DATA.items():
            ActivityDataCategory.objects.create(
                activity=activity, category=DataCategory.objects.get(code=code), retention=retention
            )
        activity.subject_categories.set(SubjectCategory.objects.filter(code="candidate"))
        activity.recipients.set(Recipient.objects.filter(code__in=["staff-hr", "careers-site"]))
        RegisterVersion.objects.create(
            object_type="consents.processingactivity",
            object_id=str(activity.pk),
            object_code="P16",
            version=1,
            reason=REASON_CAREERS,
            changed_fields=[],
            previous_state=None,
            state={**CAREERS, "purposes": CAREERS_PURPOSES, "data": CAREERS_DATA},
        )

    every_seeded = set(
        SecurityMeasure.objects.filter(
            code__in=[
                "dpo",
                "staff_confidentiality",
                "access_permissions",
                "premises_platforms",
                "it_charter",
                "secure_transfers",
                "vendor_selection",
                "password_encryption",
            ]
        ).values_list("code", flat=True)
    )
    for code, measures in MEASURES.items():
        activity = ProcessingActivity.objects.filter(code=code, version=1).first()
        if activity is None:
            continue
        before = sorted(activity.security_measures.values_list("code", flat=True))
        if before and set(before) != every_seeded:
            continue
        previous = {"security_measures": before, "software": activity.software}
        activity.security_measures.set(SecurityMeasure.objects.filter(code__in=measures))
        if not activity.software:
            activity.software = SOFTWARE[code]
        version = _next_version(RegisterVersion, activity)
        activity.version = version
        activity.save()
        RegisterVersion.objects.create(
            object_type="consents.processingactivity",
            object_id=str(activity.pk),
            object_code=code,
            version=version,
            reason=REASON_MEASURES,
            changed_fields=["security_measures", "software", "version"],
            previous_state=previous,
            state={"security_measures": sorted(measures), "software": activity.software},
        )


class Migration(migrations.Migration):
    dependencies = [("consents", "0008_register_validation_transfers")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
