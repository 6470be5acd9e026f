"""Build small PDF and DOCX files in memory for tests (no third-party writer needed)."""

from __future__ import annotations

import io
import textwrap
import zipfile
import zlib
from xml.sax.saxutils import escape

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _pdf_string(line: str) -> bytes:
    raw = line.encode("cp1252", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def make_pdf_bomb(size: int) -> bytes:
    """A one-page PDF whose compressed content stream inflates to ``size`` bytes."""
    return make_pdf("A privacy policy.", padding=size)


def make_pdf(text: str, *, lines_per_page: int = 60, width: int = 95, padding: int = 0) -> bytes:
    """A text PDF (Helvetica, WinAnsi): paragraphs wrapped, a blank line between them."""
    lines: list[str] = []
    for para in text.split("\n"):
        lines += textwrap.wrap(para, width) or [""]
    pages = [lines[i : i + lines_per_page] for i in range(0, len(lines), lines_per_page)] or [[]]
    objects: list[bytes] = []  # object n is objects[n - 1]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(b"")  # the page tree, filled in below
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    kids = []
    for page in pages:
        body = (
            b"BT /F1 10 Tf 12 TL 50 800 Td\n"
            + b"".join(_pdf_string(line) + b" '\n" for line in page)
            + b"ET"
        )
        if padding:
            body = zlib.compress(body + b" " * padding, 9)
            objects.append(
                b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body)
                + body
                + b"\nendstream"
            )
        else:
            objects.append(b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream")
        content = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, obj in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + obj + b"\nendobj\n")
    write_xref(out, offsets)
    return out.getvalue()


def write_xref(out: io.BytesIO, offsets: list[int]) -> None:
    """The cross-reference table and trailer for objects 1..n at ``offsets``."""
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, xref)
    )


def _paragraph(text: str, style: str | None = None) -> str:
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f'<w:p>{ppr}<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def docx_document_xml(body: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>'
    )


def make_docx(
    text: str = "", *, document_xml: str | None = None, extra: dict | None = None
) -> bytes:
    """A minimal Word document: Markdown-ish '# ' lines become Heading1, others paragraphs."""
    if document_xml is None:
        body = []
        for para in text.split("\n"):
            if not para.strip():
                continue
            if para.startswith("#"):
                body.append(_paragraph(para.lstrip("#").strip(), "Heading1"))
            else:
                body.append(_paragraph(para))
        document_xml = docx_document_xml("".join(body))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        z.writestr("word/document.xml", document_xml)
        for name, content in (extra or {}).items():
            z.writestr(name, content)
    return out.getvalue()


def make_docx_bomb(size: int = 200 * 1024 * 1024) -> bytes:
    """A DOCX whose one extra member expands enormously (zeros compress ~1000:1)."""
    out = io.BytesIO(make_docx("A privacy policy."))
    with (
        zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as z,
        z.open("word/media/bomb.bin", "w", force_zip64=True) as f,
    ):
        chunk = bytes(1 << 20)
        for _ in range(size >> 20):
            f.write(chunk)
    return out.getvalue()
