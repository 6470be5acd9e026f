"""The feature hashes: equal to their definition, window-independent, and never ambiguous for
the vocabulary (issue 7)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker import hashing
from checker.errors import ModelError
from checker.hashing import BASES, MASK, Collision, Lookup, PolyHash, finish, windows
from checker.model import ARTIFACT_NAME, MANIFEST_NAME, load, sha256_file

no_newline = st.text(st.characters(blacklist_characters="\n"), max_size=30)


def reference(s: str, base: int = BASES[0]) -> int:
    """The definition, in Python integers: finish(sum(code point * base**k), len)."""
    raw = sum(ord(c) * pow(base, k, 1 << 64) for k, c in enumerate(s)) & MASK
    return int(finish(np.array([raw], dtype=np.uint64), len(s))[0])


@settings(max_examples=200, deadline=None)
@given(st.lists(no_newline, min_size=1, max_size=8))
def test_line_hashes_follow_the_definition(lines):
    got = PolyHash(BASES[0]).lines("\n".join(lines))
    assert got.tolist() == [reference(s) for s in lines]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["s:", "s#", "c:", ""]), no_newline)
def test_a_prefix_is_added_by_the_concatenation_identity(prefix, s):
    hasher = PolyHash(BASES[1])
    cp = hashing.code_points(s)
    sums = hasher.prefix_sums(cp)
    inverse = hasher.inverse_powers(len(cp) + 1)
    raw = hasher.substrings(sums, inverse, np.array([0]), np.array([len(cp)]))
    assert hasher.prefixed(prefix, raw, len(s)).tolist() == [reference(prefix + s, BASES[1])]


def test_a_lone_surrogate_hashes_like_any_code_point():
    assert PolyHash(BASES[0]).lines("a\ud800b").tolist() == [reference("a\ud800b")]


@settings(max_examples=100, deadline=None)
@given(st.lists(no_newline, min_size=1, max_size=12), st.integers(1, 40), st.integers(1, 40))
def test_hashes_do_not_depend_on_the_window_or_the_power_cache(lines, window, cached):
    text = "\n".join(lines)
    expected = PolyHash(BASES[0]).lines(text)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(hashing, "WINDOW", window)
        m.setattr(hashing, "CACHED_POWERS", cached)
        np.testing.assert_array_equal(PolyHash(BASES[0]).lines(text), expected)


@given(st.lists(st.integers(0, 99), unique=True).map(sorted), st.integers(0, 99), st.integers(1, 9))
def test_windows_cut_only_at_breaks_and_cover_everything_else(breaks, extra, size):
    length = (breaks[-1] + 1 if breaks else 0) + extra
    spans = windows(np.array(breaks, dtype=np.int64), length, size)
    covered = [i for a, b in spans for i in range(a, b)]
    cuts = [b for a, b in spans[:-1]]
    assert set(cuts) <= set(breaks)
    assert covered == [i for i in range(length) if i not in cuts]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, MASK), unique=True, max_size=300), st.lists(st.integers(0, MASK)))
def test_lookup_finds_exactly_its_keys(keys, others):
    values = np.arange(len(keys), dtype=np.int32) * 3
    table = Lookup(PolyHash(BASES[0]), np.array(keys, dtype=np.uint64), values)
    asked = keys + others + [MASK, 0]
    got = table.get(np.array(asked, dtype=np.uint64)).tolist()
    index = {k: 3 * i for i, k in enumerate(keys)}
    assert got == [index.get(k, -1) for k in asked]


def test_a_base_under_which_two_lines_collide_is_passed_over(monkeypatch):
    # With base 1 a hash is the sum of the code points: "ab" and "ba" collide.
    monkeypatch.setattr(hashing, "BASES", (1, BASES[0]))
    table = Lookup.of_lines("ab\nba")
    assert table.hasher.base == BASES[0]
    assert table.strings(["ba", "ab", "aa"]).tolist() == [1, 0, -1]


def test_thue_morse_words_collide_for_every_base_so_repeated_lines_are_refused():
    """Polynomial hashes mod 2**64 confuse the Thue-Morse word of length 2**11 with its
    complement whatever the base; vocabulary terms are far shorter, and a table refuses keys
    that collide under every base rather than confuse them."""
    word = "a"
    for _ in range(11):
        word += word.translate(str.maketrans("ab", "ba"))
    twin = word.translate(str.maketrans("ab", "ba"))
    for base in BASES:
        assert len(set(PolyHash(base).lines(word + "\n" + twin).tolist())) == 1
    with pytest.raises(Collision):
        Lookup.of_lines(word + "\n" + twin)


def test_an_artifact_that_repeats_a_term_is_refused(tiny_model_dir, tmp_path):
    with np.load(tiny_model_dir / ARTIFACT_NAME) as z:
        arrays = {k: z[k] for k in z.files}
    terms = arrays["vocabulary"].tobytes().decode("utf-8").split("\n")
    terms[1] = terms[0]
    arrays["vocabulary"] = np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8)
    np.savez_compressed(tmp_path / ARTIFACT_NAME, **arrays)
    manifest = json.loads((tiny_model_dir / MANIFEST_NAME).read_text("utf-8"))
    manifest["sha256"] = sha256_file(tmp_path / ARTIFACT_NAME)
    (tmp_path / MANIFEST_NAME).write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(ModelError, match="repeats vocabulary terms"):
        load(tmp_path)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 300), max_size=10), st.integers(1, 200))
def test_power_tables_are_right_whatever_was_asked_before(sizes, cached):
    """The tables grow (up to CACHED_POWERS) as longer ones are asked for; a caller always gets
    a table of its own length, even if another thread swapped the cached one meanwhile."""
    hasher = PolyHash(BASES[2])
    with pytest.MonkeyPatch.context() as m:
        m.setattr(hashing, "CACHED_POWERS", cached)
        for n in sizes:
            powers, inverse = hasher.powers(n), hasher.inverse_powers(n)
            assert len(powers) == len(inverse) == n
            assert (powers * inverse == 1).all()
            assert powers.tolist() == [pow(hasher.base, k, 1 << 64) for k in range(n)]
