"""Cue detection's document-wide pass (checker.cues.segment_cues) gives exactly what the
per-segment definition gives, with the C matcher (checker._native_literals) and without it;
the matcher finds what ``str.find`` finds and refuses bad input without crashing."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker import cues, native
from checker.segment import one_line, segment
from tests.conftest import ROOT, SEEDS

NATIVE = native.load("literals")
needs_native = pytest.mark.skipif(
    NATIVE is None,
    reason="checker._native_literals is not built (python setup.py build_ext --inplace) "
    "or POLICYCHECK_PURE_PYTHON is set",
)
# segment_cues' two ways: the C matcher (when built) and its pure-Python twin.
WAYS = [pytest.param(True, id="native", marks=needs_native), pytest.param(False, id="pure")]


# cue_tokens as it was before the speed work (a3a2b25), frozen here: segment_cues, and
# cue_tokens with its quicker helpers, must still give exactly this.
URL_PATH = re.compile(r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,6}/\S")
PHONE = re.compile(r"\+?\d[\d ()./-]{6,}\d")
POSTAL_NUMBER = re.compile(r"\b\d{3} \d{2}\b|\b\d{5}\b|\bbox \d|\bbp ?\d|\btsa \d")
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b|\b\d{4} ?[A-Z]{2}\b")


def original_has_route(text: str, low: str) -> bool:
    if "@" in low or "[at]" in low or "(at)" in low or "http" in low or "www." in low:
        return True
    if "/" in low and URL_PATH.search(low):
        return True
    if re.search(r"\d", low) and (
        PHONE.search(low) or POSTAL_NUMBER.search(low) or POSTCODE.search(text)
    ):
        return True
    return cues._ROUTE_WORDS.search(low) is not None


def original_cue_tokens(text: str) -> list[str]:
    text = one_line(text)
    low = text.lower()
    route = original_has_route(text, low)
    out = []
    if cues._LOWER["dpo"].search(low):
        out.append("cue_dpo")
        if route:
            out.append("cue_dpo_route")
        if cues._LOWER["other"].search(low):
            out.append("cue_dpo_other_party")
    if route:
        out.append("cue_route")
    if cues._LOWER["complaint"].search(low) and cues._LOWER["authority"].search(low):
        out.append("cue_complaint_authority")
    return out


def reference(texts: list[str]) -> list[list[str]]:
    expected = [original_cue_tokens(t) for t in texts]
    assert [cues.cue_tokens(t) for t in texts] == expected
    return expected


# --- segment_cues equals cue_tokens, segment by segment ------------------------------------


def label_documents() -> list[list[str]]:
    """The texts of every label file (one document per file, in file order)."""
    files = sorted((ROOT / "data" / "labels").rglob("*.jsonl"))
    files += sorted((ROOT / "data" / "candidates").glob("*.jsonl"))
    out = []
    for f in files:
        rows = [json.loads(line) for line in f.read_text("utf-8").splitlines() if line.strip()]
        out.append([r["text"] for r in rows if isinstance(r.get("text"), str)])
    return out


@pytest.mark.parametrize("native_ok", WAYS)
def test_seeds(native_ok):
    for path in sorted(SEEDS.glob("*.txt")):
        texts = [s.text for s in segment(path.read_text("utf-8")).segments]
        assert cues.segment_cues(texts, native_ok) == reference(texts), path.name


@pytest.mark.parametrize("native_ok", WAYS)
def test_generated_policies(native_ok):
    from benchmarks.batch_bench import make_document

    for i in range(40):
        texts = [s.text for s in segment(make_document(i)[1]).segments]
        assert cues.segment_cues(texts, native_ok) == reference(texts), i


@pytest.mark.parametrize("native_ok", WAYS)
def test_label_sentences(native_ok):
    documents = label_documents()
    assert sum(map(len, documents)) > 1000  # the label files were found and read
    for texts in documents:
        assert cues.segment_cues(texts, native_ok) == reference(texts)


@needs_native
def test_native_and_pure_candidates_are_the_same():
    for path in sorted(SEEDS.glob("*.txt")):
        lows = [one_line(s.text).lower() for s in segment(path.read_text("utf-8")).segments]
        assert list(cues._candidates(lows, True)) == list(cues._candidates(lows, False))


def _literal_pieces() -> list[str]:
    groups = [g for g in cues._literal_groups() if g is not None]
    return sorted({literal for group in groups for literal, _ in group})


# Every literal, in both cases and glued to word characters; text whose lower-casing changes
# its length (İ, ẞ→ß stays, ﬁ) or depends on context (Σ); digits outside ASCII; separators.
PIECES = [
    *_literal_pieces(),
    *(p.upper() for p in _literal_pieces()),
    "x",
    "_",
    "é",
    "9",
    "İ",
    "ß",
    "ẞ",
    "Σ",
    "ς",
    "\u212a",  # Kelvin sign: lower-cases to "k"
    "ﬁ",
    "٣",  # Arabic-Indic three: \d matches it
    "３",  # full-width three
    "²",  # a digit but not a decimal one: \d does not match it
    "\x00",
    "\n",
    "\n\x00\n",
    " ",
    "\u00a0",
    "/",
    ".",
    "@",
    "+46 8 123 45 67",
    "KT16 0RS",
    "2595 AN",
    "P.O. Box 7",
    "acme.example/contact",
    "Data Protection Officer",
    "supervisory authority",
    "their",
]
TEXT = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=14).map("".join)


@pytest.mark.parametrize("native_ok", WAYS)
@settings(max_examples=400, deadline=None)
@given(texts=st.lists(TEXT, max_size=7))
def test_random_text(native_ok, texts):
    assert cues.segment_cues(texts, native_ok) == reference(texts)


@pytest.mark.parametrize("native_ok", WAYS)
@pytest.mark.parametrize(
    "texts",
    [
        [],
        [""],
        ["", "", ""],
        ["form"],  # a word-start literal at the very start of the text
        ["xform", "form"],  # ...after a word character, then at the start of the next segment
        ["éform", "_form", "9form", "-form"],
        ["address", "the address"],  # a literal at the end of a segment and of the text
        ["dpo", "@", "http", "www.", "/", "1"],  # one-character segments, each a cue's gate
        ["İDPO", "DPOİ", "İ" * 5 + " dpo@x.se"],
        ["ẞtraße 5", "STRASSE 1", "Σ dpo Σ"],
        ["a\x00b dpo@x.se"] * 3,
        ["data protection\nofficer at dpo@x.se"],  # a wrapped sentence
        ["complain to the \n supervisory authority"],
        ["our dpo", "write to dpo@x.se"],
        ["٣٣٣ ٣٣ road", "call ３３３３３３３３", "box ٣"],
    ],
)
def test_edge_cases(native_ok, texts):
    assert cues.segment_cues(texts, native_ok) == reference(texts)


# --- the quicker tests inside has_route and segment_cues hold exactly ----------------------


@settings(max_examples=300, deadline=None)
@given(st.from_regex(cues._URL_PATH, fullmatch=False))
def test_every_url_path_holds_a_url_tail(text):
    for m in cues._URL_PATH.finditer(text):
        assert cues._URL_TAIL.search(m.group())


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.from_regex(r"\+?\d[\d ()./-]{6,}\d", fullmatch=False), TEXT))
def test_phone_without_its_plus_finds_the_same(text):
    assert bool(cues._PHONE.search(text)) == bool(re.search(r"\+?\d[\d ()./-]{6,}\d", text))


@pytest.mark.parametrize(
    "pattern",
    [cues._LOWER["dpo"], cues._LOWER["complaint"], cues._ROUTE_WORDS],
    ids=["dpo", "complaint", "route_words"],
)
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_a_search_from_the_first_literal_finds_what_a_full_search_finds(pattern, data):
    literals = cues.required_literals(pattern)
    assert literals is not None
    pieces = st.one_of(st.from_regex(pattern, fullmatch=False), TEXT)
    low = "".join(data.draw(st.lists(pieces, max_size=4))).lower()
    found = cues._find(literals, low, [0])
    if 0 in found:
        assert cues._matches(pattern, low, found[0]) == bool(pattern.search(low))
    else:
        assert not pattern.search(low)


def test_a_literal_that_starts_with_no_word_character_need_not_start_a_word():
    # \b before "." holds only after a word character: "x.net" matches, so it must pass.
    pattern = re.compile(r"\b\.net|\bfoo")
    assert cues.required_literals(pattern) == ((".net", False), ("foo", True))
    assert cues._find(cues.required_literals(pattern), "x.net", [0]) == {0: 5}


@pytest.mark.parametrize(
    "pattern",
    [cues._PHONE, cues._POSTAL_NUMBER, cues.POSTCODE],
    ids=["phone", "postal_number", "postcode"],
)
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_a_search_from_the_first_digit_finds_what_a_full_search_finds(pattern, data):
    pieces = st.one_of(st.from_regex(pattern, fullmatch=False), TEXT)
    text = "".join(data.draw(st.lists(pieces, max_size=4)))
    digit = re.search(r"\d", text)
    if digit:
        assert cues._search_from_digit(pattern, text, digit.start()) == bool(pattern.search(text))
    else:
        assert not pattern.search(text)


@pytest.mark.parametrize(
    "pattern, lead",
    [
        (r"\d", 0),
        (r"ab\d|\d", 2),
        (r"(?:x|yy)z?\d{2}", 3),
        (r"\bbox \d", 4),
        (r"a+\d", None),  # unbounded before the digit
        (r"\d?x", None),  # a match need not hold a digit
        (r"[a\d]x", None),
        (r"x|\d", None),
    ],
)
def test_digit_lead(pattern, lead):
    assert cues._digit_lead(re.compile(pattern)) == lead


def test_an_unbounded_pattern_is_searched_from_the_start():
    pattern = re.compile(r"ab+c")
    assert cues._max_width(pattern) is None
    assert cues._matches(pattern, "abbbbbbbbc", 10)


def test_the_pure_python_switch_turns_the_matcher_off():
    code = "from checker import cues; assert cues._matcher() is None; print('ok')"
    env = {**os.environ, "POLICYCHECK_PURE_PYTHON": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


@needs_native
def test_the_matcher_is_built_once():
    assert cues._matcher() is cues._matcher() is not None


# --- the C matcher against str.find --------------------------------------------------------


def first_counted(literal: str, word_start: bool, text: str) -> int:
    i = text.find(literal)
    while i > 0 and word_start and text[i - 1] in cues._ASCII_WORD:
        i = text.find(literal, i + 1)
    return i


def reference_segments(literals, texts, digit_group=-1):
    n_groups = max([g + 1 for *_, g in literals] + [digit_group + 1])
    out: list[dict[int, int]] = [{} for _ in range(n_groups)]
    for k, text in enumerate(texts):
        for literal, word_start, g in literals:
            i = first_counted(literal, word_start, text)
            if i >= 0:
                out[g][k] = min(out[g].get(k, i + len(literal)), i + len(literal))
        m = re.search(r"\d", text)
        if digit_group >= 0 and m:
            out[digit_group][k] = min(out[digit_group].get(k, m.end()), m.end())
    return tuple(out)


# A small alphabet, so literals overlap, nest and repeat; characters of each string width.
ALPHABET = "ab_ 1é-İ\u0101\U0001f600٣"
LITERAL = st.tuples(st.text(ALPHABET, min_size=1, max_size=4), st.booleans(), st.integers(0, 5))


@needs_native
@settings(max_examples=500, deadline=None)
@given(
    literals=st.lists(LITERAL, min_size=1, max_size=10),
    texts=st.lists(st.text(ALPHABET, max_size=40), max_size=6),
    digit_group=st.integers(-1, 6),
)
def test_matcher_finds_what_str_find_finds(literals, texts, digit_group):
    matcher = NATIVE.Matcher(literals, digit_group=digit_group)
    for text in texts:
        assert matcher.first(text) == tuple(first_counted(lit, ws, text) for lit, ws, _ in literals)
    assert matcher.segments(texts) == reference_segments(literals, texts, digit_group)


@needs_native
def test_matcher_on_long_texts_and_the_document_literals():
    literals = list(cues._matcher().literals)
    (path,) = SEEDS.glob("004_*.txt")
    texts = [one_line(s.text).lower() for s in segment(path.read_text("utf-8")).segments]
    joined = " ".join(texts) * 3  # long enough to scan without the GIL
    matcher = cues._matcher()
    assert matcher.first(joined) == tuple(first_counted(lit, ws, joined) for lit, ws, _ in literals)
    assert matcher.segments([joined, *texts]) == reference_segments(literals, [joined, *texts], 5)


@needs_native
def test_digits_are_what_backslash_d_matches():
    every = [chr(c) for c in range(sys.maxunicode + 1)]
    (found,) = NATIVE.Matcher([], digit_group=0).segments(every)
    digit = re.compile(r"\d")
    assert list(found) == [c for c, ch in enumerate(every) if digit.match(ch)]
    assert set(found.values()) == {1}


@needs_native
def test_matcher_shared_by_threads():
    texts = [
        one_line(s.text).lower()
        for p in sorted(SEEDS.glob("*.txt"))
        for s in segment(p.read_text("utf-8")).segments
    ] * 4
    matcher = cues._matcher()
    expected = matcher.segments(texts)
    results: list[object] = []

    def work() -> None:
        for _ in range(20):
            results.append(matcher.segments(texts))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 80 and all(r == expected for r in results)


@needs_native
def test_matcher_attributes():
    m = NATIVE.Matcher([("ab", 1, 2), ("b", False, 0)], digit_group=3)
    assert m.literals == (("ab", True, 2), ("b", False, 0))
    assert m.n_groups == 4 and m.digit_group == 3 and m.n_states == 4  # root, a, ab, b
    assert NATIVE.Matcher([]).segments(["abc"]) == ()
    assert NATIVE.Matcher(iter([("a", False, 0)])).segments("xa") == ({1: 1},)  # any sequence


# --- bad input is refused with a Python exception, never a crash ---------------------------


class Falsy:
    def __bool__(self) -> bool:
        raise RuntimeError("no truth value")


class Shrinking:
    """A word_start flag whose truth test empties the list of literals being read."""

    def __init__(self, literals: list) -> None:
        self.literals = literals

    def __bool__(self) -> bool:
        self.literals.clear()
        return True


@needs_native
@pytest.mark.parametrize(
    "literals, kwargs, error",
    [
        (5, {}, TypeError),
        (None, {}, TypeError),
        ([("a",)], {}, TypeError),
        ([("a", False)], {}, TypeError),
        (["abc"], {}, TypeError),
        ([["a", False, 0]], {}, TypeError),
        ([(b"a", False, 0)], {}, TypeError),
        ([("", False, 0)], {}, ValueError),
        ([("a", False, -1)], {}, ValueError),
        ([("a", False, 64)], {}, ValueError),
        ([("a", False, 2**100)], {}, ValueError),
        ([("a", False, "0")], {}, TypeError),
        ([("a", False, 1.0)], {}, TypeError),
        ([("a", Falsy(), 0)], {}, RuntimeError),
        ([], {"digit_group": 64}, ValueError),
        ([], {"digit_group": -2}, ValueError),
        ([], {"digit_group": "1"}, TypeError),
        ([], {"nonsense": 1}, TypeError),
        ([(chr(0x4E00 + i), False, 0) for i in range(5000)], {}, ValueError),  # table too big
    ],
)
def test_matcher_refuses_bad_literals(literals, kwargs, error):
    with pytest.raises(error):
        NATIVE.Matcher(literals, **kwargs)


@needs_native
def test_matcher_survives_literals_changed_while_read():
    literals: list = []
    literals += [("a", Shrinking(literals), 0), ("b", False, 1)]
    m = NATIVE.Matcher(literals)
    assert m.segments(["ab"]) == ({0: 1}, {0: 2})


@needs_native
@pytest.mark.parametrize("texts", [None, 5, [b"abc"], ["a", None], ("a", 1.5), [["a"]]])
def test_segments_refuses_what_is_not_a_sequence_of_str(texts):
    with pytest.raises(TypeError):
        NATIVE.Matcher([("a", False, 0)]).segments(texts)


@needs_native
@pytest.mark.parametrize("text", [None, 5, b"abc", ["a"]])
def test_first_refuses_what_is_not_a_str(text):
    with pytest.raises(TypeError):
        NATIVE.Matcher([("a", False, 0)]).first(text)


@needs_native
def test_str_subclasses_are_read_as_str():
    class Text(str):
        pass

    m = NATIVE.Matcher([("ab", True, 0)])
    assert m.first(Text("x ab")) == (2,)
    assert m.segments([Text("xab"), Text("ab")]) == ({1: 2},)
