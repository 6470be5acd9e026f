"""Hypothesis strategies for hostile and ordinary policy input: text, bytes, HTML, PDF, DOCX."""

from __future__ import annotations

from hypothesis import strategies as st

from tests.api.documents import docx_document_xml, make_docx, make_pdf

SENTENCES = [
    "We keep your data for two years after your account is closed.",
    "You can reach our Data Protection Officer at dpo@example.com.",
    "You have the right to lodge a complaint with a supervisory authority.",
    "Our service is not directed at children under 16.",
    "See Art. 13 GDPR, e.g. the controller's details, i.e. who we are.",
    "J. Smith, Esq., Acme Ltd. No. 5 High St. handles requests.",
    "Wir speichern Ihre Daten z.B. zwei Jahre lang. Größe, Übermittlung.",
    "Nous conservons vos données « personnelles » pendant 3 ans…",
    "نحتفظ ببياناتك لمدة عامين. שמירת נתונים למשך שנתיים.",
    "Emoji 🔒👨‍👩‍👧 and flags 🇪🇺 in a sentence! Really?",
    "Visit https://example.com/privacy?x=1&y=2 or www.example.org.",
    "Call +44 (0) 20 7946 0958 or write to P.O. Box 12, 1000 AB Amsterdam.",
    "a.b.c.d.e.f.g.h/ 1 1 1 1 1 1 1 1 1 1 ((((((((((",
    "e.g. A e.g. B i.e. C Art. D No. E",
]
LINE_KINDS = st.one_of(
    st.sampled_from(SENTENCES),
    st.sampled_from(["# Retention", "## Your rights", "Children", "Data Protection Officer"]),
    st.builds(lambda s: "- " + s, st.sampled_from(SENTENCES)),
    st.builds(lambda s: "1. " + s, st.sampled_from(SENTENCES)),
    st.sampled_from(["Data | Period", "|---|---|", "Invoices | 7 years", "| a | b |"]),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=80),
    st.text(st.sampled_from(list(".!?…\"')] \t\u00a0\u200f\u202eAa1@/|#-*")), max_size=60),
)
SEPARATORS = st.sampled_from(["\n", "\n\n", " ", "\r\n", "\r", "\u2028", "\x0b", "\x0c", "\x85"])


@st.composite
def policy_text(draw: st.DrawFn) -> str:
    """Policy-like text: headings, prose, lists, tables, RTL, emoji, odd breaks and junk."""
    lines = draw(st.lists(LINE_KINDS, min_size=1, max_size=25))
    seps = draw(st.lists(SEPARATORS, min_size=len(lines), max_size=len(lines)))
    return "".join(line + sep for line, sep in zip(lines, seps, strict=True))


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252",
             "latin-1", "cp1250", "iso8859_7"]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a few bytes flipped, inserted or deleted, or cut short."""
    buf = bytearray(data)
    for _ in range(draw(st.integers(0, 6))):
        if not buf:
            break
        at = draw(st.integers(0, len(buf) - 1))
        op = draw(st.sampled_from(["flip", "insert", "delete", "cut", "dup"]))
        if op == "flip":
            buf[at] = draw(st.integers(0, 255))
        elif op == "insert":
            buf[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del buf[at : at + draw(st.integers(1, 16))]
        elif op == "cut":
            del buf[at:]
        else:
            buf[at:at] = buf[at : at + draw(st.integers(1, 64))]
    return bytes(buf)


@st.composite
def encoded_policy(draw: st.DrawFn) -> bytes:
    """A policy in some encoding, maybe with a wrong BOM, NULs or junk bytes in it."""
    text = draw(policy_text())
    data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    prefix = draw(st.sampled_from([b"", b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff",
                                   b"\xff\xfe\x00\x00", b"\x00", b"%PDF-", b"PK\x03\x04"]))  # fmt: skip
    return prefix + draw(mutated(data))


any_bytes = st.one_of(st.binary(max_size=400), encoded_policy())

TAGS = ["p", "div", "h1", "h3", "ul", "ol", "li", "table", "tr", "td", "th", "pre", "br", "b",
        "script", "style", "head", "title", "svg", "template", "dl", "dt", "dd", "html", "body"]  # fmt: skip
ODD_MARKUP = ["<!-- c -->", "<!--", "-->", "<![CDATA[x]]>", "<![if x]>", "<![foo[", "<!",
              "<?php x ?>", "<!DOCTYPE html>", "&amp;", "&#8217;", "&#x2014;", "&#99999999;",
              "&nbsp", "&", "<", ">", "</", "<a ", "<a b='", '<a b="', "=", "\n", " "]  # fmt: skip
HTML_TOKENS = st.one_of(
    st.sampled_from(TAGS).map(lambda t: f"<{t}>"),
    st.sampled_from(TAGS).map(lambda t: f"</{t}>"),
    st.sampled_from(TAGS).map(lambda t: f"<{t} class='x' data-a=\"<p>\" b=c/>"),
    st.sampled_from(SENTENCES),
    st.sampled_from(ODD_MARKUP),
    st.text(max_size=20),
)
html_text = st.lists(HTML_TOKENS, max_size=60).map("".join)


def _docx_body(parts: list[str]) -> str:
    return docx_document_xml("".join(parts))


DOCX_PARTS = st.sampled_from(
    [
        "<w:p><w:r><w:t>We keep data for two years.</w:t></w:r></w:p>",
        '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Retention</w:t></w:r></w:p>',
        "<w:p><w:pPr><w:numPr/></w:pPr><w:r><w:t>item</w:t></w:r></w:p>",
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc></w:tr></w:tbl>",
        "<w:tbl>", "</w:tbl>", "<w:tr>", "<w:tc>", "<w:p>", "</w:p>", "<w:br/>", "<w:tab/>",
        "<w:r><w:t>text 🔒 נתונים</w:t></w:r>",
    ]
)  # fmt: skip


@st.composite
def docx_bytes(draw: st.DrawFn) -> bytes:
    parts = draw(st.lists(DOCX_PARTS, max_size=20))
    return draw(mutated(make_docx(document_xml=_docx_body(parts))))


@st.composite
def pdf_bytes(draw: st.DrawFn) -> bytes:
    text = "\n".join(draw(st.lists(st.sampled_from(SENTENCES[:8]), min_size=1, max_size=6)))
    return draw(mutated(make_pdf(text, padding=draw(st.sampled_from([0, 0, 64])))))
