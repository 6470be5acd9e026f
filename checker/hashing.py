"""64-bit polynomial string hashes in NumPy: look features up without building their strings.

Why: a dict of the model's 208,000 feature strings costs about 45 MB in every process, and
building those strings word by word was the slowest step of a check. The polynomial hash
``H(s) = sum(s[k] * P**k) mod 2**64`` over code points has ``H(x + y) = H(x) + P**len(x) * H(y)``,
so the hash of ``"s:" + text[a:b]`` follows from prefix sums ``S`` of the text with array
arithmetic: ``H(text[a:b]) = (S[b] - S[a]) * P**-a`` (P is odd, hence invertible mod 2**64).
A bijective finaliser (splitmix64) mixes in the length and spreads the bits for the table.

Hashes identify vocabulary terms: ``Lookup`` refuses a base under which two terms share a hash
and tries the next one, so a term is only ever confused with a string that is not a term.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MASK = (1 << 64) - 1
# Odd, well-mixed 64-bit bases, tried in order: a later one only if an earlier one gives two
# vocabulary terms the same hash (expected for about one vocabulary in 10**9).
BASES = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93)
_LENGTH = 0xD1B54A32D192ED03
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
CACHED_POWERS = 1 << 17  # longer power tables (a text window longer than this) are not kept
WINDOW = 1 << 16  # code points hashed at a time: bounds the uint64 temporaries of a long text


class Collision(ValueError):
    """Two different keys of a table share a hash."""


def code_points(text: str) -> np.ndarray:
    """The code points of ``text`` (a lone surrogate, which JSON input can carry, included)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def windows(breaks: np.ndarray, length: int, size: int) -> list[tuple[int, int]]:
    """Cut ``[0, length)`` into spans of about ``size`` at positions in ``breaks`` (sorted); the
    break at a cut belongs to neither span. A span is longer where no break falls."""
    out: list[tuple[int, int]] = []
    a = 0
    while length - a > size:
        j = int(np.searchsorted(breaks, a + size, side="right"))
        if j > 0 and breaks[j - 1] >= a:
            b = int(breaks[j - 1])
        elif j < len(breaks):
            b = int(breaks[j])
        else:
            break
        out.append((a, b))
        a = b + 1
    out.append((a, length))
    return out


def _powers(base: int, n: int) -> np.ndarray:
    """``base**k mod 2**64`` for k < n, by doubling (a cumulative product is not vectorised)."""
    out = np.empty(max(n, 1), dtype=np.uint64)
    out[0] = 1
    k = 1
    while k < n:
        m = min(k, n - k)
        np.multiply(out[:m], np.uint64(pow(base, k, 1 << 64)), out=out[k : k + m])
        k += m
    return out[:n]


def finish(raw: np.ndarray, lengths: np.ndarray | int) -> np.ndarray:
    """Final hashes: splitmix64 of the polynomial hash plus the length times a constant."""
    if isinstance(lengths, int):
        z = raw + np.uint64(lengths * _LENGTH & MASK)
    else:
        z = lengths.astype(np.uint64) * np.uint64(_LENGTH)
        z += raw
    z ^= z >> _S30
    z *= _MIX1
    z ^= z >> _S27
    z *= _MIX2
    z ^= z >> _S31
    return z


class PolyHash:
    """The polynomial hash with one base; caches its power tables."""

    def __init__(self, base: int) -> None:
        if not base & 1:
            raise ValueError("the base must be odd to be invertible mod 2**64")
        self.base = base & MASK
        self.inverse = pow(self.base, -1, 1 << 64)
        self._pow = _powers(self.base, 0)
        self._inv = _powers(self.inverse, 0)

    def powers(self, n: int) -> np.ndarray:
        table = self._pow  # read once: another thread may swap in a longer table meanwhile
        if n > len(table):
            table = _powers(self.base, max(n, min(2 * len(table), CACHED_POWERS)))
            if n <= CACHED_POWERS:
                self._pow = table
        return table[:n]

    def inverse_powers(self, n: int) -> np.ndarray:
        table = self._inv
        if n > len(table):
            table = _powers(self.inverse, max(n, min(2 * len(table), CACHED_POWERS)))
            if n <= CACHED_POWERS:
                self._inv = table
        return table[:n]

    def raw(self, s: str) -> int:
        """``H(s)`` of a short string, in Python: for constant prefixes such as "s:"."""
        return sum(ord(c) * pow(self.base, k, 1 << 64) for k, c in enumerate(s)) & MASK

    def prefix_sums(self, cp: np.ndarray) -> np.ndarray:
        """``S[i] = H(cp[:i])``: ``len(cp) + 1`` values."""
        sums = np.zeros(len(cp) + 1, dtype=np.uint64)
        np.cumsum(cp * self.powers(len(cp)), out=sums[1:])
        return sums

    def substrings(
        self, sums: np.ndarray, inverse: np.ndarray, start: np.ndarray, end: np.ndarray
    ) -> np.ndarray:
        """Raw hashes of ``cp[start:end]`` from its prefix sums and ``inverse_powers``."""
        h = sums[end] - sums[start]
        h *= inverse[start]
        return h

    def prefixed(self, prefix: str, raw: np.ndarray, lengths: np.ndarray | int) -> np.ndarray:
        """Final hashes of ``prefix + s`` for strings ``s`` of raw hashes ``raw``."""
        h = raw * np.uint64(pow(self.base, len(prefix), 1 << 64))
        h += np.uint64(self.raw(prefix))
        return finish(h, lengths + len(prefix))

    def lines(self, text: str | bytes) -> np.ndarray:
        """Final hash of each line of ``text`` (split at "\\n" only), a window at a time.

        UTF-8 bytes are decoded a piece at a time: the model's 2.4 MB vocabulary as one string
        and its code points would be 20 MB of temporaries that the process keeps."""
        if isinstance(text, bytes):
            pieces, a = [], 0
            while a <= len(text):
                b = text.find(b"\n", a + 4 * WINDOW)
                b = len(text) if b < 0 else b
                pieces.append(self.lines(text[a:b].decode("utf-8")))
                a = b + 1
            return np.concatenate(pieces)
        cp = code_points(text)
        breaks = np.flatnonzero(cp == 10)
        out = []
        for a, b in windows(breaks, len(cp), WINDOW):
            window = cp[a:b]
            nl = breaks[np.searchsorted(breaks, a) : np.searchsorted(breaks, b)] - a
            start = np.concatenate(([0], nl + 1))
            end = np.concatenate((nl, [b - a]))
            raw = self.substrings(
                self.prefix_sums(window), self.inverse_powers(b - a + 1), start, end
            )
            out.append(finish(raw, end - start))
        return np.concatenate(out)


class Lookup:
    """Exact lookup of final hashes: the sorted hashes and, for each value of their top bits
    (a bucket holds about half a key), where its keys start. Most lookups are one probe.

    Sized for the model's 208,000 terms: 1.7 MB of keys, 0.8 MB of values, 2 MB of directory."""

    def __init__(self, hasher: PolyHash, hashes: np.ndarray, values: np.ndarray) -> None:
        n = len(hashes)
        order = np.argsort(hashes)
        # A last, largest key ends every search; its value -1 says "absent" if it is asked for.
        self.keys = np.empty(n + 1, dtype=np.uint64)
        np.take(hashes, order, out=self.keys[:n])
        self.keys[n] = MASK
        if n > 1 and bool((self.keys[1:n] == self.keys[: n - 1]).any()):
            raise Collision(f"two keys share a hash under base {hasher.base:#x}")
        self.hasher = hasher
        self.values = np.empty(n + 1, dtype=np.int32)
        self.values[:n] = values[order]
        self.values[n] = -1
        del order
        bits = n.bit_length() + 1
        self._shift = np.uint64(64 - bits)
        top = (self.keys[:n] >> self._shift).view(np.int64)  # below 2**bits
        sizes = np.bincount(top, minlength=1 << bits)
        self._first = np.zeros(1 << bits, dtype=np.int32)
        np.cumsum(sizes[:-1], out=self._first[1:])

    def __len__(self) -> int:
        return len(self.keys) - 1

    @classmethod
    def of_lines(cls, text: str | bytes, values: np.ndarray | None = None) -> Lookup:
        """A table of the lines of ``text`` (str or UTF-8; value: line number, or ``values``),
        with the first base under which no two lines share a hash."""
        if values is None:
            n = (text.count("\n") if isinstance(text, str) else text.count(b"\n")) + 1
            values = np.arange(n, dtype=np.int32)
        for base in BASES:
            hasher = PolyHash(base)
            try:
                return cls(hasher, hasher.lines(text), values)
            except Collision:
                continue
        raise Collision("lines collide under every base: are some lines repeated?")

    def get(self, hashes: np.ndarray) -> np.ndarray:
        """The value of each hash, or -1."""
        keys, values = self.keys, self.values
        pos = self._first[(hashes >> self._shift).astype(np.intp)]
        found = keys[pos]
        out = np.where(found == hashes, values[pos], np.int32(-1))
        # Keys are sorted: a smaller key means the hash may come later in its bucket.
        idx = np.flatnonzero(found < hashes)
        pos = pos[idx] + 1
        while len(idx):
            found, wanted = keys[pos], hashes[idx]
            hit = found == wanted
            out[idx[hit]] = values[pos[hit]]
            more = found < wanted
            idx, pos = idx[more], pos[more] + 1
        return out

    def strings(self, strings: Sequence[str]) -> np.ndarray:
        """The value of each string (none may contain "\\n"), or -1."""
        if not strings:
            return np.zeros(0, dtype=np.int32)
        return self.get(self.hasher.lines("\n".join(strings)))

    @property
    def nbytes(self) -> int:
        return self.keys.nbytes + self.values.nbytes + self._first.nbytes
