"""Hostile documents, generated in memory (nothing large is committed)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from tests.api.documents import docx_document_xml, make_docx, make_pdf, write_xref

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_lying_bomb(real_size: int = 64 << 20, declared: int = 4096) -> bytes:
    """A DOCX whose word/document.xml inflates to ``real_size`` bytes while its headers
    declare ``declared``: the size and ratio checks, which trust the directory, pass."""
    para = b"<w:p><w:r><w:t>We keep your data for two years.</w:t></w:r></w:p>"
    head = docx_document_xml("").encode().split(b"<w:body>")[0] + b"<w:body>"
    body = head + para * (real_size // len(para)) + b"</w:body></w:document>"
    data = bytearray(make_docx(document_xml=body.decode()))
    name = b"word/document.xml"
    # local header: uncompressed size at offset 22; central directory: at offset 24
    for sig, at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        pos = 0
        while (pos := data.find(sig, pos)) >= 0:
            name_at = pos + (30 if sig == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                compressed = struct.unpack_from("<I", data, pos + at - 4)[0]
                struct.pack_into("<I", data, pos + at, min(declared, 50 * compressed))
            pos += 4
    return bytes(data)


def docx_nested_tables(depth: int) -> bytes:
    inner = "<w:p><w:r><w:t>deep cell</w:t></w:r></w:p>"
    xml = "<w:tbl><w:tr><w:tc>" * depth + inner + "</w:tc></w:tr></w:tbl>" * depth
    return make_docx(document_xml=docx_document_xml(xml))


def pdf_flate_bomb(size: int) -> bytes:
    """A one-page PDF whose content stream inflates to ``size`` bytes (compressed in chunks,
    so making it costs no memory)."""
    z = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    parts = [z.compress(b"BT /F1 10 Tf 50 800 Td (A privacy policy.) Tj ET ")]
    parts += [z.compress(chunk) for _ in range(size >> 20)]
    parts.append(z.flush())
    stream = b"".join(parts)
    pdf = make_pdf("placeholder text")
    start = pdf.index(b"<< /Length")
    end = pdf.index(b"endstream", start) + len(b"endstream")
    obj = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"
    return rebuild_xref(pdf[:start] + obj + pdf[end:])


def pdf_nested(kind: str, depth: int) -> bytes:
    """A PDF whose page resources hold an array (or dictionary) nested ``depth`` levels."""
    nested = (
        b"[" * depth + b"]" * depth
        if kind == "array"
        else b"<< /A " * depth + b"1" + b" >>" * depth
    )
    pdf = make_pdf("We keep your data for two years.")
    return rebuild_xref(
        pdf.replace(b"/Resources << /Font", b"/Resources << /X " + nested + b" /Font")
    )


def rebuild_xref(pdf: bytes) -> bytes:
    """Recompute the cross-reference table after objects changed length."""
    body = pdf[: pdf.index(b"xref\n")]
    offsets = []
    n = 1
    while (at := body.find(b"\n%d 0 obj\n" % n)) >= 0:
        offsets.append(at + 1)
        n += 1
    out = io.BytesIO()
    out.write(body)
    write_xref(out, offsets)
    return out.getvalue()


def html_nested(depth: int, tags: tuple[str, ...] = ("div",)) -> str:
    opens = "".join(f"<{tags[i % len(tags)]}>" for i in range(depth))
    closes = "".join(f"</{tags[i % len(tags)]}>" for i in reversed(range(depth)))
    return opens + "We keep your data for two years." + closes


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()
