"""PDF and DOCX extraction (checker.extract): reading order, structure, and the limits."""

from __future__ import annotations

import subprocess
import sys

import pytest

from checker import extract
from checker.errors import InputError
from checker.extract import InputTooLargeError, read_policy
from tests.api.documents import docx_document_xml, make_docx, make_docx_bomb, make_pdf
from tests.conftest import ROOT

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def p(text: str, ppr: str = "") -> str:
    return f"<w:p><w:pPr>{ppr}</w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"


def test_pdf_text_is_read_page_after_page():
    text = "\n".join(f"Paragraph {i} of the policy says something." for i in range(130))
    got, fmt = read_policy(make_pdf(text, lines_per_page=50))
    assert fmt == "pdf"
    lines = [line for line in got.splitlines() if line.strip()]
    assert lines[0] == "Paragraph 0 of the policy says something."
    assert lines[-1] == "Paragraph 129 of the policy says something."
    assert len(lines) == 130


def test_pdf_escapes_and_non_ascii_survive():
    got, _ = read_policy(make_pdf("Données (personnelles) \\ café – “quoted”"))
    assert got == "Données (personnelles) \\ café – “quoted”"


def test_pdf_page_cap(monkeypatch):
    monkeypatch.setattr(extract, "MAX_PDF_PAGES", 2)
    with pytest.raises(InputTooLargeError, match="PDF has 3 pages; the limit is 2 pages"):
        read_policy(make_pdf("\n".join(["line"] * 150), lines_per_page=50))


def test_pdf_text_cap():
    with pytest.raises(InputTooLargeError, match="PDF text is too large"):
        extract.pdf_to_text(make_pdf("privacy policy " * 100), max_chars=500)


def test_encrypted_pdf_is_refused_with_a_clear_message():
    pypdf = pytest.importorskip("pypdf")
    import io

    reader = pypdf.PdfReader(io.BytesIO(make_pdf("Secret policy text.")))
    writer = pypdf.PdfWriter(clone_from=reader)
    writer.encrypt(user_password="pw", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(InputError, match="PDF is encrypted"):
        read_policy(out.getvalue())


def test_docx_structure_becomes_headings_lists_and_rows():
    body = (
        p("Privacy notice", '<w:pStyle w:val="Title"/>')
        + p("How long we keep data", '<w:pStyle w:val="Heading2"/>')
        + '<w:p><w:r><w:t xml:space="preserve">We keep it </w:t></w:r>'
        "<w:r><w:t>for 2 years.</w:t><w:tab/><w:t>Really.</w:t></w:r></w:p>"
        + p("First item", "<w:numPr/>")
        + p("Second item", "<w:numPr/>")
        + "<w:tbl><w:tr><w:tc>"
        + p("Data")
        + "</w:tc><w:tc>"
        + p("Period")
        + "</w:tc></w:tr>"
        "<w:tr><w:tc>"
        + p("Invoices")
        + p("and receipts")
        + "</w:tc><w:tc>"
        + p("7 years")
        + "</w:tc></w:tr></w:tbl>"
        + p("Kontakt", '<w:outlineLvl w:val="0"/>')
    )
    got, fmt = read_policy(make_docx(document_xml=docx_document_xml(body)))
    assert fmt == "docx"
    assert got == (
        "# Privacy notice\n\n## How long we keep data\n\nWe keep it for 2 years. Really.\n\n"
        "- First item\n- Second item\n\nData | Period\nInvoices and receipts | 7 years\n\n"
        "# Kontakt"
    )


def test_docx_skips_deleted_text_field_codes_and_fallback_copies():
    body = (
        "<w:p><w:r><w:t>Kept</w:t></w:r><w:del><w:r><w:delText>deleted</w:delText></w:r></w:del>"
        "<w:r><w:instrText>HYPERLINK x</w:instrText></w:r>"
        '<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        "<mc:Choice><w:r><w:t> box</w:t></w:r></mc:Choice>"
        "<mc:Fallback><w:r><w:t> box again</w:t></w:r></mc:Fallback></mc:AlternateContent>"
        "<w:ins><w:r><w:t> inserted</w:t></w:r></w:ins></w:p>"
    )
    got, _ = read_policy(make_docx(document_xml=docx_document_xml(body)))
    assert got == "Kept box inserted"


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
        '<!DOCTYPE w:document SYSTEM "file:///etc/passwd">',
    ],
    ids=["entity-expansion", "external-dtd"],
)
def test_docx_with_a_dtd_is_refused(prolog):
    xml = f'<?xml version="1.0"?>{prolog}<w:document {W}><w:body>{p("x")}</w:body></w:document>'
    with pytest.raises(InputError, match="DTD or entity declarations"):
        read_policy(make_docx(document_xml=xml))


def test_docx_bomb_is_refused_before_decompressing():
    with pytest.raises(InputTooLargeError, match=r"compressed \d[\d,]*:1; the limit is 100:1"):
        read_policy(make_docx_bomb(4 << 20))


def test_docx_with_too_many_members(monkeypatch):
    monkeypatch.setattr(extract, "MAX_DOCX_MEMBERS", 3)
    data = make_docx("A policy.", extra={"a.xml": "1", "b.xml": "2"})
    with pytest.raises(InputTooLargeError, match="5 members; the limit is 3"):
        read_policy(data)


def test_docx_text_cap():
    with pytest.raises(InputTooLargeError, match="DOCX text is too large"):
        extract.docx_to_text(make_docx("privacy policy\n" * 100), max_chars=500)


def test_docx_main_part_may_be_renamed():
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/main.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr("word/main.xml", docx_document_xml(p("Renamed part.")))
    assert read_policy(out.getvalue()) == ("Renamed part.", "docx")


def test_decode_bytes_points_documents_to_read_policy():
    with pytest.raises(InputError, match="input is a PDF document, not text"):
        extract.decode_bytes(make_pdf("x"))


def test_checking_text_does_not_import_the_document_parsers():
    code = (
        "import sys; from checker.extract import read_policy; read_policy(b'A policy.'); "
        "sys.exit(any(m in sys.modules for m in ('pypdf', 'zipfile', 'xml.parsers.expat')))"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
