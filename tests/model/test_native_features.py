"""The C accelerator (``checker/_native_features.c``) gives what the NumPy code gives.

The NumPy code stays the reference: every test runs both (``features.NATIVE`` switched between
the module and None) and asks for the same ids in the same order, logits equal up to the
summation order (rtol 1e-9) and the same reports. Bad input to the C functions is an exception,
never a crash.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker import features
from checker.engine import check
from checker.features import CONTEXT, MIN_GRAM_WORD, collapse, word_layout
from checker.model import _WEIGHTS, Model
from checker.segment import Document, Segment, segment
from tests.conftest import ROOT, SEEDS
from tests.model.test_fast_paths import WORDY, expected_pairs, indexed_pairs

fast = pytest.importorskip(
    "checker._native_features",
    reason="the optional C accelerator is not built (no C compiler when the package was "
    "installed?): `python setup.py build_ext --inplace` builds it; the NumPy code is in use",
)


@contextmanager
def using(module: Any) -> Iterator[None]:
    saved = features.NATIVE
    features.NATIVE = module
    try:
        yield
    finally:
        features.NATIVE = saved


def both(f: Callable[[], Any]) -> tuple[Any, Any]:
    """``f()`` with the C code, then with the NumPy code."""
    with using(fast):
        accelerated = f()
    with using(None):
        reference = f()
    return accelerated, reference


def assert_same_features(model: Model, doc: Document) -> None:
    (rows, ids), (py_rows, py_ids) = both(lambda: model._indexer.document(doc))
    np.testing.assert_array_equal(rows, py_rows)
    np.testing.assert_array_equal(ids, py_ids)
    assert rows.dtype == ids.dtype == np.int32
    logits, reference = both(lambda: model.document_logits(doc))
    assert logits.shape == reference.shape == (len(doc.segments), len(model.element_ids))
    np.testing.assert_allclose(logits, reference, rtol=1e-9, atol=1e-12)


def seed_texts() -> list[str]:
    return [p.read_text("utf-8") for p in sorted(SEEDS.glob("*.txt"))]


def test_the_accelerator_is_in_use_unless_turned_off():
    assert features.NATIVE is (None if os.environ.get("POLICYCHECK_PURE_PYTHON") else fast)
    code = "from checker import features; print(features.NATIVE)"
    env = {**os.environ, "POLICYCHECK_PURE_PYTHON": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.stdout.strip() == "None", out.stderr


# --- parity on real and generated policies ------------------------------------------------


@pytest.mark.parametrize("text", seed_texts(), ids=lambda t: t[:12])
def test_seeds_give_the_same_features_logits_and_reports(text, shipped_model):
    assert_same_features(shipped_model, segment(text))
    report, reference = both(lambda: check(text, model=shipped_model))
    assert [e.status for e in report.elements] == [e.status for e in reference.elements]
    for e, r in zip(report.elements, reference.elements, strict=True):
        assert e.probability == pytest.approx(r.probability, rel=1e-9, abs=1e-12)
        assert [v.text for v in e.evidence] == [v.text for v in r.evidence]


def test_generated_policies_give_the_same_features_and_logits(shipped_model):
    from benchmarks.batch_bench import make_document

    for i in range(30):
        assert_same_features(shipped_model, segment(make_document(i)[1]))


@pytest.mark.parametrize("width", [40, 72])
def test_hard_wrapped_policies_give_the_same_features_and_logits(width, shipped_model):
    for text in seed_texts():
        wrapped = "\n".join(textwrap.fill(line, width) for line in text.split("\n"))
        assert_same_features(shipped_model, segment(wrapped))
        assert_same_features(shipped_model, segment(" ".join(text.split())))  # one line


def test_edge_documents(shipped_model, tiny_model):
    long_word = "Datenschutz" * 20  # ≥ 128 characters: LONE_WORD in the NumPy code
    docs = [
        Document("", ()),
        segment(""),
        segment("x"),
        segment("# Only a heading\n"),
        segment("We keep data. " * 300),
        Document(
            "", (Segment(0, "data " * 300 + "we keep personal information", 0, 0, 1, "", False),)
        ),
        segment(f"{long_word} {long_word}x {long_word}\n{long_word}"),
        segment("dpo@acme.example 12 123 1234 +46 8 123 45 67 https://acme.example zz zzz"),
        segment("a\x00b \ud800 😀 𝔘𝔫𝔦 ٣ Ⅻ ½ \ufeff İstanbul ΌΣΟΣ Straße ﬁle"),
    ]
    for doc in docs:
        assert_same_features(shipped_model, doc)
        assert_same_features(tiny_model, doc)


def test_small_windows_give_the_same_arrays(shipped_model, monkeypatch):
    """A long document is hashed a window of whole segments at a time, a segment longer than a
    window in one: the C code follows the same windows, so even the order is the same."""
    monkeypatch.setattr(features, "WINDOW", 40)
    for text in seed_texts()[:2]:
        assert_same_features(shipped_model, segment(text))


def test_thue_morse_twin_words_keep_their_own_features(shipped_model, vocabulary_dict):
    """Two different words with equal hashes under every base: C compares words exactly."""
    word = "ab"
    while len(word) < 2048:
        word += word.translate(str.maketrans("ab", "ba"))
    twin = word.translate(str.maketrans("ab", "ba"))
    texts = [f"{word} {twin} {word}", "abab ab", twin]
    doc = Document("", tuple(Segment(i, t, 0, 0, i, "", False) for i, t in enumerate(texts)))
    with using(fast):
        assert indexed_pairs(shipped_model, doc) == expected_pairs(vocabulary_dict, doc)
    assert_same_features(shipped_model, doc)


@pytest.fixture(scope="module")
def vocabulary_dict(shipped_model) -> dict[str, int]:
    return dict(shipped_model.vocabulary)


# Any Unicode, lone surrogates and astral characters included, and pieces that exercise the
# placeholders (e-mails, URLs, numbers by length), case mappings and long words.
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=60)
long_words = st.text(st.sampled_from("abcdeßzΣ1"), min_size=120, max_size=300)
segment_texts = st.one_of(
    st.lists(st.one_of(st.sampled_from(WORDY), long_words), max_size=12).map(" ".join),
    any_text,
    st.just(""),
)


@st.composite
def documents(draw: st.DrawFn) -> Document:
    texts = draw(st.lists(segment_texts, min_size=0, max_size=8))
    segs, heading = [], ""
    for i, text in enumerate(texts):
        is_heading = draw(st.booleans())
        if is_heading or draw(st.booleans()):
            heading = text if is_heading else draw(segment_texts)
        segs.append(Segment(i, text, 0, len(text), i + 1, heading, is_heading))
    return Document("\n".join(texts), tuple(segs))


@settings(max_examples=300, deadline=None)
@given(documents())
def test_generated_documents_give_the_same_features_and_logits(shipped_model, doc):
    assert_same_features(shipped_model, doc)


@settings(max_examples=300, deadline=None)
@given(st.lists(segment_texts, max_size=6))
def test_word_layout_is_the_same(texts):
    layout, reference = both(lambda: word_layout(texts))
    assert layout.dtype == np.uint32
    np.testing.assert_array_equal(layout, reference)


def test_every_code_point_is_a_word_character_or_not_alike():
    text = "".join(chr(c) + "\n" for c in range(0x110000))
    layout, reference = both(lambda: collapse(text))
    np.testing.assert_array_equal(layout, reference)
    for text in ["", " ", "\n", "  a  \n\n b", "_", "a_b"]:
        layout, reference = both(lambda t=text: collapse(t))
        np.testing.assert_array_equal(layout, reference)


# --- word_layout in C: lower case, phone numbers and numbers as normalize makes them ----------


def layout_by_words(texts: list[str]) -> str:
    """What ``word_layout`` promises, from ``words``: " a b " per text, joined by "\\n"."""
    return "\n".join(" ".join(["", *features.words(t), ""]) for t in texts) or " "


def assert_layout_as_words(texts: list[str]) -> None:
    """``word_layout`` with the C code, with the NumPy code, and from ``words``: all equal."""
    layout, reference = both(lambda: word_layout(texts))
    assert layout.dtype == np.uint32
    np.testing.assert_array_equal(layout, reference)
    assert layout.tobytes().decode("utf-32-le", "surrogatepass") == layout_by_words(texts)


def test_word_layout_of_seeds_generated_and_wrapped_policies():
    from benchmarks.batch_bench import make_document

    texts = seed_texts() + [make_document(i)[1] for i in range(30)]
    for text in texts:
        assert_layout_as_words([s.text for s in segment(text).segments])
        wrapped = "\n".join(textwrap.fill(line, 40) for line in text.split("\n"))
        assert_layout_as_words([s.text for s in segment(wrapped).segments])
        assert_layout_as_words(text.split("\n\n"))  # texts with "\n"s in them


@pytest.mark.parametrize(
    "texts",
    [
        ["+46 8 123 45 67", "Call (555) 123-4567.", "fax: 030/1234567-0"],
        ["1234567", "12345678", "+1234567", "+12345678", "++12345678", "1 2 3 4 5 6 7 8"],
        ["123 45", "67 890"],  # a phone number over the separator, were it a space
        ["123 45\n67 890", "a\n1234567\n8", "12\n", "\n12", "1\r2345678"],
        ["2024-05-01 10:30", "6340 Baar", "under 16", "1 12 123 1234 12345 123456"],
        ["12345678 ", " 12345678", "x12345678y", "1234567. 8", "1.2.3.4.5.6.7.8."],
        ["1234567 a 1234 5678 9", "1234 5678 9 a 1", "0 - - - - - - 0 1"],
        ["٣٣٣ ３３３３ 𝟙𝟙 ² ½ Ⅻ", "+٣ ٣٣٣ ٣٣ ٣٣", "１２３４５６７８", "𝟙(𝟚)𝟛/𝟜.𝟝-𝟞 𝟟𝟠"],
        ["²³⁴⁵⁶⁷⁸⁹", "1²²²²²²1", "1½½½½½½1", "1 2 3 4 5 6 7 ²"],
        ["dpo@acme.example +46 8 123 45 67", "https://acme.example/123456789 www.a.b/1"],
        ["a1234@b12.example", "x@y.z 12345678@acme.example", "http://1234567890"],
        ["İ1234567 İ8", "ΣΣ 12 ΌΣΟΣ", "Σ", "aΣ", "12Σ", "", " ", "\n", "x_y 1_2345678_9"],
        ["ΟΔΟΣ 12345678", "ΣΑΣ İİ", "Σ" + "İ" * 300 + " +1 234 567 89" * 40, "Ab 12"],
        ["\ud800 12", "😀 Ǆ ǅ Ⅻ Ⓐ 𐐀 ẞ ﬁ", "İstanbul ΌΣΟΣ Straße", "A" * 1000 + "1" * 9],
        [],
        [""],
    ],
)
def test_word_layout_replaces_numbers_as_normalize_does(texts):
    assert_layout_as_words(texts)


# Digits of several scripts (and numerics that are no decimal digits), what a phone number
# may hold, pieces of e-mails and URLs, line breaks, and letters whose lower case is longer
# ("İ") or depends on context (a capital sigma).
NUMERIC = [
    *"0123456789",
    *"٣３𝟙߁᱑",
    *"²½Ⅻ",
    *"+ ()./-",
    "\n",
    "\r",
    "\t",
    "@",
    "a.b@c-d.example",
    "http://",
    "https://x.y/1?z=2",
    "www.",
    "İ",
    "Σ",
    "ΌΣ",
    "A",
    "x",
    "_",
    "\u0301",
]
numeric_texts = st.lists(st.sampled_from(NUMERIC), max_size=40).map("".join)


@settings(max_examples=1000, deadline=None)
@given(st.lists(numeric_texts, max_size=6))
def test_word_layout_of_numeric_text_is_the_same(texts):
    assert_layout_as_words(texts)


def test_every_code_point_is_lower_cased_and_a_digit_or_not_alike():
    """str.lower(), re's \\d (str.isdecimal()) and the class of _PHONE, asked of every code
    point: as a run of three (lower-cased, and a number of three digits: "00"), inside a word,
    as the middle of a phone number and after a "+"."""
    every = [chr(c) for c in range(0x110000)]
    for piece in ("{c}{c}{c}", "a{c}Σ{c}", "1{c}{c}{c}{c}{c}{c}1", "+{c}1234567"):
        texts = [piece.format(c=c) for c in every]
        layout, reference = both(lambda t=texts: word_layout(t))
        np.testing.assert_array_equal(layout, reference)


def test_lower_casing_the_joined_texts_is_lower_casing_each():
    """The NumPy code joins texts lower-cased one at a time by " \\n ", which is what lower-casing
    the joined texts gives: the space is neither cased nor case-ignorable, so a "Σ" next to a
    separator is final (or not) as at the end of its text."""
    assert "aΣ \n b".lower() == "aς \n b" and "a \n Σb".lower() == "a \n σb"
    pieces = ("a{c}Σ{c}", "Σ{c}a", "{c}")  # each character before and after a separator
    texts = [p.format(c=chr(c)) for c in range(0x110000) for p in pieces]
    assert " \n ".join(texts).lower() == " \n ".join(t.lower() for t in texts)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.sampled_from("aAΣσς'\u0301\u00ad.İ \n"), max_size=8), max_size=6))
def test_lower_casing_joined_generated_texts(texts):
    assert " \n ".join(texts).lower() == " \n ".join(t.lower() for t in texts)


def python_emails(text: str) -> str:
    """The e-mail step of ``normalize``, with its regex."""
    return features._EMAIL.sub(lambda m: " zzemail " + m.group(1).replace(".", " ") + " ", text)


EMAILY = [*"@.+-_ a1Zé٣\n\t/()", "@@", "a.b@c-d.example", "x@y", "@y.z", "é@ü.example."]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(EMAILY), max_size=30).map("".join))
def test_emails_are_replaced_as_the_regex_replaces_them(text):
    assert features._emails(text) == python_emails(text)


def test_every_code_point_in_an_address_is_replaced_alike():
    every = [chr(c) for c in range(0x110000)]
    for piece in ("a{c}b@c{c}d.e{c}f", "{c}@x.y", "x@{c}.y", "x@y.{c}", "a.{c}+b@x.y.{c}"):
        text = " ".join(piece.format(c=c) for c in every)
        assert features._emails(text) == python_emails(text)
    for text in ["", "@", "a@", "a@b", "a@b.", "a@b.c", "a@b.c@d.e", "a@b.c.+d@e.f", "é@@ü.x"]:
        assert features._emails(text) == python_emails(text)


def test_logits_do_not_depend_on_the_order_of_the_pairs(shipped_model):
    doc = segment(seed_texts()[4])
    rows, ids = shipped_model._indexer.document(doc)
    n = len(doc.segments)
    order = np.random.default_rng(0).permutation(len(rows))
    unknown = np.asarray([-1, -1], dtype=np.int32), np.asarray([0, 7], dtype=np.int32)
    got = logits(
        shipped_model,
        np.concatenate((rows[order], unknown[1])),
        np.concatenate((ids[order], unknown[0])),
        n,
    )
    reference = shipped_model._logits(n, *shipped_model._tfidf(rows, ids, n))
    np.testing.assert_allclose(got, reference, rtol=1e-9, atol=1e-12)


def test_a_model_being_trained_takes_the_numpy_path_if_its_arrays_differ(tiny_model):
    """``_native_ready`` routes a model whose arrays the C code does not take to NumPy; an int64
    block (as training builds it) is taken."""
    doc = segment("You can reach our Data Protection Officer at dpo@example.com. We use cookies.")
    expected = tiny_model.document_logits(doc)
    fortran = Model(**{**vars(tiny_model), "coef": np.asfortranarray(tiny_model.coef)})
    wide = Model(**{**vars(tiny_model), "block": tiny_model.block.astype(np.int64)})
    assert tiny_model._native_ready() and wide._native_ready()
    assert not fortran._native_ready()
    for model in (fortran, wide):
        np.testing.assert_allclose(model.document_logits(doc), expected, rtol=1e-9, atol=1e-12)


def test_threads_get_the_results_of_a_single_thread(shipped_model):
    """The C functions run without the GIL: concurrent checks give what one at a time gives."""
    docs = [segment(t) for t in seed_texts()] * 4
    with using(fast):
        serial = [shipped_model.document_logits(d) for d in docs]
        with ThreadPoolExecutor(4) as pool:
            parallel = list(pool.map(shipped_model.document_logits, docs))
    for a, b in zip(parallel, serial, strict=True):
        np.testing.assert_array_equal(a, b)


# --- the C functions refuse bad input -------------------------------------------------------


def logits(model: Model, rows: Any, ids: Any, n: int, **over: Any) -> np.ndarray:
    args = {
        "idf": model.idf,
        "block": model.block,
        "weights": _WEIGHTS,
        "coef": model.coef,
        "intercept": model.intercept,
        **over,
    }
    out = fast.logits(
        np.asarray(rows, dtype=np.int32) if isinstance(rows, list) else rows,
        np.asarray(ids, dtype=np.int32) if isinstance(ids, list) else ids,
        n,
        *args.values(),
    )
    return np.frombuffer(out, dtype=np.float64).reshape(n, len(args["intercept"]))


def index(lookup: Any, cp: Any, spans: Any = None, n: int = 1, **over: Any) -> tuple:
    if spans is None:
        spans = np.asarray([0, len(cp)], dtype=np.int64)
    args = {
        "base": lookup.hasher.base,
        "keys": lookup.keys,
        "values": lookup.values,
        "first": lookup._first,
        "shift": int(lookup._shift),
        "min_gram": MIN_GRAM_WORD,
        "context": CONTEXT,
        **over,
    }
    return fast.index(cp, spans, n, *args.values())


def test_logits_of_no_rows_and_of_rows_without_features(tiny_model):
    assert logits(tiny_model, [], [], 0).shape == (0, len(tiny_model.element_ids))
    got = logits(tiny_model, [0, 2], [-1, -5], 3)
    np.testing.assert_array_equal(got, np.tile(tiny_model.intercept, (3, 1)))


@pytest.mark.parametrize(
    ("rows", "ids", "n", "over", "error", "message"),
    [
        ([0], [0, 1], 1, {}, ValueError, "differ in length"),
        ([0], [10**6], 1, {}, ValueError, "id is not below"),
        ([1], [0], 1, {}, ValueError, "row is not in"),
        ([-1], [0], 1, {}, ValueError, "row is not in"),
        ([0], [0], -1, {}, ValueError, "n must be"),
        ([0], [0], 1, {"weights": np.ones(0)}, ValueError, "block is not an index"),
        ([0], [0], 1, {"idf": np.ones(3)}, ValueError, "n_features long"),
        ([0], [0], 1, {"intercept": np.ones(9)}, ValueError, "n_features long"),
        ([0], [0], 1, {"coef": np.ones(4)}, ValueError, "dimension"),
        ([0], [0], 1, {"idf": "abc"}, TypeError, "idf"),
        ([0], [0], 1, {"idf": None}, TypeError, "idf"),
        ([0], [0], 1, {"block": np.zeros(3, dtype=np.float64)}, TypeError, "block"),
        ([0], [0], 1, {"intercept": np.ones(4, dtype=np.float32)}, TypeError, "intercept"),
        (np.zeros(1, dtype=np.int64), [0], 1, {}, TypeError, "rows"),
        ([0], np.zeros(1, dtype=np.uint32), 1, {}, TypeError, "ids"),
        ([0], np.zeros((1, 1), dtype=np.int32), 1, {}, ValueError, "ids"),
        ([0, 0], np.zeros(4, dtype=np.int32)[::2], 1, {}, TypeError, "ids"),
    ],
)
def test_logits_refuses_bad_input(tiny_model, rows, ids, n, over, error, message):
    with pytest.raises(error, match=message):
        logits(tiny_model, rows, ids, n, **over)


def test_logits_refuses_a_non_contiguous_coef_and_the_wrong_argument_count(tiny_model):
    with pytest.raises(TypeError, match="coef"):
        logits(tiny_model, [0], [0], 1, coef=np.asfortranarray(tiny_model.coef))
    with pytest.raises(TypeError):
        fast.logits()


def test_layout_refuses_what_is_not_a_str():
    for bad in (b"abc", None, 3, ["a"]):
        with pytest.raises(TypeError, match="str"):
            fast.layout(bad)


@pytest.mark.parametrize(
    ("bad", "message"),
    [("abc", "not a str"), (["a", b"b"], "str texts"), ([None], "str texts"), (3, "iterable")],
)
def test_word_layout_refuses_what_is_not_texts(bad, message):
    with pytest.raises(TypeError, match=message):
        fast.word_layout(bad)


def test_word_layout_takes_any_sequence_of_texts():
    expected = fast.word_layout(["A 1", "Σ 12345678"])
    assert fast.word_layout(("A 1", "Σ 12345678")) == expected
    assert fast.word_layout(iter(["A 1", "Σ 12345678"])) == expected
    assert fast.word_layout([]) == fast.layout(" ")


def layout_of(text: str) -> np.ndarray:
    return np.frombuffer(fast.layout(text), dtype=np.uint32)


def test_index_of_nothing(shipped_model):
    lookup = shipped_model._indexer.lookup
    for cp in (layout_of(""), layout_of(" "), layout_of(" \n \n ")):
        rows, ids = index(lookup, cp, n=3)
        assert rows == ids == bytearray()


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"cp": np.zeros(3, dtype=np.int32)}, TypeError, "cp"),
        ({"cp": np.zeros((3, 1), dtype=np.uint32)}, ValueError, "cp"),
        ({"cp": "abc"}, TypeError, "cp"),
        ({"spans": np.asarray([0], dtype=np.int64)}, ValueError, "pairs"),
        ({"spans": np.asarray([0, 99], dtype=np.int64)}, ValueError, "within cp"),
        ({"spans": np.asarray([2, 1], dtype=np.int64)}, ValueError, "ordered"),
        ({"spans": np.asarray([0, 3, 2, 4], dtype=np.int64)}, ValueError, "disjoint"),
        ({"spans": np.asarray([-1, 3], dtype=np.int64)}, ValueError, "within"),
        ({"spans": np.asarray([0, 3], dtype=np.int32)}, TypeError, "spans"),
        ({"n": -1}, ValueError, "n must"),
        ({"shift": 0}, ValueError, "shift"),
        ({"shift": 64}, ValueError, "shift"),
        ({"shift": 20}, ValueError, "shift"),
        ({"shift": 50}, ValueError, "2\\*\\*\\(64 - shift\\)"),
        ({"first": np.zeros(4, dtype=np.int64)}, TypeError, "first"),
        ({"values": np.zeros(3, dtype=np.int32)}, ValueError, "differ in length"),
        ({"keys": np.zeros(0, np.uint64), "values": np.zeros(0, np.int32)}, ValueError, "empty"),
        ({"keys": np.zeros(3, dtype=np.int64)}, TypeError, "keys"),
        ({"min_gram": 1}, ValueError, "min_gram"),
        ({"context": -1}, ValueError, "context"),
        ({"base": "odd"}, TypeError, "int"),
    ],
)
def test_index_refuses_bad_input(shipped_model, change, error, message):
    lookup = shipped_model._indexer.lookup
    args = {"cp": layout_of(" ab cd \n ef "), "spans": None, "n": 2, **change}
    cp, spans, n = args.pop("cp"), args.pop("spans"), args.pop("n")
    if spans is None and not isinstance(cp, str):
        spans = np.asarray([0, len(cp)], dtype=np.int64)
    with pytest.raises(error, match=message):
        index(lookup, cp, spans, n, **args)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([0, 10, 32, 33, 97, 122, 0xD800, 0x10FFFF, 2**32 - 1]), max_size=60),
    st.lists(st.integers(-(2**31), 2**31 - 1), min_size=16, max_size=16),
    st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=6),
    st.integers(1, 20),
    st.integers(0, 10),
)
def test_index_never_reads_outside_its_buffers(cp, first, keys, n, context):
    """Any code points (not only a word layout), any directory entries: an answer or an error,
    never a crash; every row and id is one the input allows."""
    cp_ = np.asarray(cp, dtype=np.uint32)
    keys_ = np.sort(np.asarray(keys, dtype=np.uint64))
    values = np.arange(len(keys_), dtype=np.int32)
    rows, ids = fast.index(
        cp_,
        np.asarray([0, len(cp_)], dtype=np.int64),
        n,
        0x9E3779B97F4A7C15,
        keys_,
        values,
        np.asarray(first, dtype=np.int32),
        60,
        2,
        context,
    )
    rows_, ids_ = np.frombuffer(rows, np.int32), np.frombuffer(ids, np.int32)
    assert len(rows_) == len(ids_)
    assert ((ids_ >= 0) & (ids_ < len(keys_))).all()
    assert ((rows_ >= 0) & (rows_ <= np.count_nonzero(cp_ == 10) + context)).all()
