from io import BytesIO

from pypdf import PdfReader

from ijinus_privacy.pdf import html_to_pdf


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def test_pdf_renderer_never_reads_local_files(tmp_path):
    stylesheet = tmp_path / "leak.css"
    stylesheet.write_text('p::after { content: "LEAKED"; }')
    html = f'<html><head><link rel="stylesheet" href="file://{stylesheet}"></head><body><p>Lettre</p></body></html>'

    text = _text(html_to_pdf(html))

    assert "Lettre" in text
    assert "LEAKED" not in text


def test_pdf_renderer_never_calls_the_network():
    html = '<html><head><link rel="stylesheet" href="http://127.0.0.1:9/x.css"></head><body><p>Lettre</p></body></html>'

    assert "Lettre" in _text(html_to_pdf(html))
