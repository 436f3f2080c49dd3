"""export_register: the CSV columns and rows, the PDF text, the audit of each export."""

import csv
import io

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from consents import services
from consents.export import CSV_COLUMNS
from consents.models import ProcessingActivity
from ijinus_privacy.models import AuditEvent
from ijinus_privacy.spreadsheets import escape_formula

pytestmark = pytest.mark.django_db


def read_csv(path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_csv_has_the_documented_columns_and_one_row_per_activity(tmp_path):
    output = tmp_path / "register.csv"

    call_command("export_register", "--format", "csv", "--output", str(output))

    rows = read_csv(output)
    with output.open(encoding="utf-8-sig") as handle:
        assert tuple(next(csv.reader(handle))) == CSV_COLUMNS
    assert [row["code"] for row in rows] == [f"P{n:02d}" for n in range(1, 17)]
    newsletter = next(row for row in rows if row["code"] == "P07")
    assert newsletter["name"] == "Newsletter"
    assert newsletter["controller"] == "IJINUS SAS"
    assert newsletter["legal_bases"] == "6(1)(a)"
    assert "E-mailing tool" in newsletter["recipients"]
    assert "E-mailing tool" in newsletter["transfers"]
    assert "transfers outside the EU stated (e)" in newsletter["missing_art30_fields"]
    assert newsletter["open_dpo_questions"]
    accounting = next(row for row in rows if row["code"] == "P04")
    assert "Invoicing and keeping accounting records [Art. 6(1)(c) legal obligation]" in accounting["purposes"]


def test_csv_values_that_look_like_formulas_are_escaped(tmp_path):
    activity = ProcessingActivity.objects.get(code="P01")
    services.activity_update(activity=activity, changes={"software": '=HYPERLINK("x")'}, actor=None)
    output = tmp_path / "register.csv"

    call_command("export_register", "--format", "csv", "--output", str(output))

    prospect = next(row for row in read_csv(output) if row["code"] == "P01")
    assert prospect["software"] == '\'=HYPERLINK("x")'


@pytest.mark.parametrize("value", ["=1+1", "+33 6", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_escape_formula_prefixes_each_dangerous_first_character(value):
    assert escape_formula(value) == "'" + value


def test_escape_formula_leaves_plain_text():
    assert escape_formula("Newsletter") == "Newsletter"


def test_pdf_shows_controller_dpo_every_activity_and_open_questions(tmp_path):
    output = tmp_path / "register.pdf"

    call_command("export_register", "--format", "pdf", "--output", str(output))

    text = " ".join(page.extract_text() for page in PdfReader(output).pages)
    text = " ".join(text.split())
    assert "IJINUS SAS" in text
    assert "449 152 644" in text
    assert "gdpr@ijinus.com" in text
    for name in ProcessingActivity.objects.values_list("name", flat=True):
        assert name in text
    assert "open dpo questions" in text.lower()
    assert "rgpd@ijinus.fr" in text
    assert "CRM provider and hosting country not recorded" in text


def test_each_export_is_audited(tmp_path):
    call_command("export_register", "--format", "csv", "--output", str(tmp_path / "r.csv"))

    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).latest("id")
    assert event.object_type == "consents.processingactivity"
    assert "csv" in event.fields


def test_pdf_renderer_refuses_local_files():
    from ijinus_privacy.pdf import safe_url_fetcher

    fetcher = safe_url_fetcher()

    with pytest.raises(ValueError, match="not fetched"):
        fetcher("file:///etc/passwd")
    with pytest.raises(ValueError, match="not fetched"):
        fetcher("http://127.0.0.1/")
