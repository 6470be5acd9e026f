/* checker._native_features: the checker's feature -> logit hot path in C.
 *
 * Four functions, each the twin of pure-Python code that stays the reference (tests hold the
 * two to the same results; POLICYCHECK_PURE_PYTHON=1 turns this module off):
 *
 *   layout(text) -> bytearray          features.collapse
 *   word_layout(texts) -> bytearray    features.word_layout after the e-mail and URL steps
 *   index(cp, spans, n, base, keys, values, first, shift, min_gram, context)
 *                -> (rows, ids)        the segment and context blocks of Indexer.document
 *   logits(rows, ids, n, idf, block, weights, coef, intercept)
 *                -> bytearray          Model._tfidf followed by Model._logits
 *
 * Arrays come in through the buffer protocol (no NumPy headers: the build needs only a C
 * compiler) and go out as bytearrays that Python wraps with np.frombuffer. Every size, type and
 * index is checked; the compute loops run without the GIL and stay within their buffers even if
 * another thread writes to an input array meanwhile.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define PREFETCH(p) ((void)0)
#define ALWAYS_INLINE inline
#endif

/* ---- buffers --------------------------------------------------------------------------- */

enum kind { SIGNED, UNSIGNED, FLOAT };

static int
little_endian(void)
{
    const uint16_t one = 1;
    return *(const uint8_t *)&one == 1;
}

/* A C-contiguous buffer of one kind of number (itemsize 0: any) and ndim dimensions. */
static int
get_array(PyObject *obj, Py_buffer *view, enum kind kind, Py_ssize_t itemsize, int ndim,
          const char *name)
{
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s: expected a C-contiguous array, not %.100s", name,
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    const char *f = view->format ? view->format : "B";
    if (*f == '@' || *f == '=' || (*f == '<' && little_endian()) ||
        (*f == '>' && !little_endian()) || (*f == '!' && !little_endian()))
        f++;
    const char *allowed = kind == SIGNED ? "bhilq" : kind == UNSIGNED ? "BHILQ" : "d";
    if (f[0] == '\0' || f[1] != '\0' || strchr(allowed, f[0]) == NULL ||
        (itemsize && view->itemsize != itemsize)) {
        PyErr_Format(PyExc_TypeError, "%s: expected %s%zd-byte %s items, got format '%s'", name,
                     itemsize ? "" : "any ", itemsize ? itemsize : (Py_ssize_t)8,
                     kind == SIGNED     ? "signed integer"
                     : kind == UNSIGNED ? "unsigned integer"
                                        : "float",
                     view->format ? view->format : "B");
        PyBuffer_Release(view);
        return -1;
    }
    if (view->ndim != ndim) {
        PyErr_Format(PyExc_ValueError, "%s: expected %d dimension(s), got %d", name, ndim,
                     view->ndim);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static Py_ssize_t
length_of(const Py_buffer *view)
{
    return view->itemsize ? view->len / view->itemsize : 0;
}

static int64_t
read_signed(const Py_buffer *view, Py_ssize_t i)
{
    const char *p = (const char *)view->buf + i * view->itemsize;
    switch (view->itemsize) {
        case 1:
            return *(const int8_t *)p;
        case 2:
            return *(const int16_t *)p;
        case 4:
            return *(const int32_t *)p;
        default:
            return *(const int64_t *)p;
    }
}

/* A growable array of int32; a failed allocation sets *nomem and drops the value. */
typedef struct {
    int32_t *p;
    Py_ssize_t n, cap;
} ivec;

static int
ivec_reserve(ivec *v, Py_ssize_t more)
{
    if (v->n + more <= v->cap)
        return 0;
    Py_ssize_t cap = v->cap ? v->cap : 1024;
    while (cap < v->n + more) {
        if (cap > PY_SSIZE_T_MAX / 2 / (Py_ssize_t)sizeof(int32_t))
            return -1;
        cap *= 2;
    }
    int32_t *p = realloc(v->p, (size_t)cap * sizeof(int32_t));
    if (p == NULL)
        return -1;
    v->p = p;
    v->cap = cap;
    return 0;
}

static inline int
ivec_push(ivec *v, int32_t x)
{
    if (v->n == v->cap && ivec_reserve(v, 1) < 0)
        return -1;
    v->p[v->n++] = x;
    return 0;
}

static PyObject *
bytearray_of(const void *data, Py_ssize_t n, Py_ssize_t itemsize)
{
    return PyByteArray_FromStringAndSize(n ? (const char *)data : NULL, n * itemsize);
}

/* ---- layout ----------------------------------------------------------------------------- */

/* Which Latin-1 code points layout keeps: those the word pattern [^\W_] matches (re's \w is
 * str.isalnum() plus "_"), and "\n". */
static unsigned char latin1_kept[256];

/* The output of layout and word_layout: code points, each run of gaps (neither word characters
 * nor "\n") made one space and, in word_layout, each run of digits made a placeholder. */
typedef struct {
    uint32_t *dst;
    Py_ssize_t m;
    uint32_t gap_before; /* the last character out was a gap: a gap is kept only after none */
    Py_ssize_t digits;     /* the digits of the current run, not yet out */
} writer;

/* Branch-free (words and gaps alternate every few characters): the character is written even
 * when it is a gap after a gap, and then not counted. Every call has room for its character. */
static inline void
put(writer *w, Py_UCS4 c)
{
    const uint32_t word = c < 256 ? latin1_kept[c] : Py_UNICODE_ISALNUM(c) != 0;
    const uint32_t mask = 0 - word;
    w->dst[w->m] = ((uint32_t)c & mask) | (' ' & ~mask);
    w->m += word | !w->gap_before;
    w->gap_before = word ^ 1;
}

PyDoc_STRVAR(layout_doc,
             "layout(text) -> bytearray\n\n"
             "The code points (uint32) of ``text`` with each run of characters that are neither\n"
             "word characters nor \"\\n\" replaced by one space: features.collapse.");

static PyObject *
layout(PyObject *self, PyObject *arg)
{
    if (!PyUnicode_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "layout: expected str, not %.100s", Py_TYPE(arg)->tp_name);
        return NULL;
    }
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(arg) < 0)
        return NULL;
#endif
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    if (n > PY_SSIZE_T_MAX / 4) {
        PyErr_SetString(PyExc_ValueError, "layout: text too long");
        return NULL;
    }
    PyObject *out = PyByteArray_FromStringAndSize(NULL, n * 4);
    if (out == NULL)
        return NULL;
    const int kind = PyUnicode_KIND(arg);
    const void *data = PyUnicode_DATA(arg);
    writer w = {(uint32_t *)PyByteArray_AS_STRING(out), 0, 0, 0};
    Py_BEGIN_ALLOW_THREADS;
    for (Py_ssize_t i = 0; i < n; i++)
        put(&w, PyUnicode_READ(kind, data, i));
    Py_END_ALLOW_THREADS;
    if (PyByteArray_Resize(out, w.m * 4) < 0) {
        Py_DECREF(out);
        return NULL;
    }
    return out;
}

/* ---- word_layout ------------------------------------------------------------------------- */

#define CAPITAL_SIGMA 0x3A3    /* lower() makes it final or not by its context */
#define CAPITAL_I_DOT 0x130    /* lower() makes it two characters: "i" and U+0307 */

/* re's \d in a str pattern: str.isdecimal() (no decimal digit in Latin-1 beyond 0-9). */
static inline int
is_digit(Py_UCS4 c)
{
    return c < 256 ? c - '0' < 10 : Py_UNICODE_ISDECIMAL(c);
}

/* The class [\d ()./-] of features._PHONE. */
static inline int
is_phone_part(Py_UCS4 c)
{
    return c == ' ' || c == '(' || c == ')' || c == '.' || c == '/' || c == '-' || is_digit(c);
}

/* ASCII as char_at gives it: "\n" as "\r", and upper case made lower with lower. */
static unsigned char ascii_as_is[128], ascii_lower[128];

/* Character i of the text as normalize sees it after lower(): "\n" is a gap that ends a phone
 * number like "\r" (word_layout makes it a space); with lower, its simple lower case, which is
 * str.lower() but for the two characters kept as they are (a test asks every code point). */
static inline Py_UCS4
char_at(const unsigned char *ascii, int kind, const void *data, Py_ssize_t i, int lower)
{
    Py_UCS4 c = PyUnicode_READ(kind, data, i);
    if (c < 128)
        return ascii[c];
    return lower && c != CAPITAL_SIGMA && c != CAPITAL_I_DOT ? Py_UNICODE_TOLOWER(c) : c;
}

/* "0" for one or two digits, "00" for three, "0000" for more (features._number). */
static inline void
end_digits(writer *w)
{
    const Py_ssize_t n = w->digits;
    if (n) {
        for (int k = n <= 2 ? 1 : n == 3 ? 2 : 4; k; k--)
            w->dst[w->m++] = '0';
        w->gap_before = 0;
        w->digits = 0;
    }
}

/* One text into w: normalize after its e-mail and URL placeholders (lower(), then
 * _DIGITS.sub(_number, _PHONE.sub(" zzphone ", text))), collapsed. _PHONE is
 * \+?\d[\d ()./-]{6,}\d: from a start (an optional "+", then a digit at p) the greedy class run
 * stops at the first character outside the class (e), and re backtracks to the last digit of
 * the run: a match if at least six characters of the class lie between; else no start before
 * e matches either (the run and its last digit are the same from any of them, and "+" is
 * outside the class), so the scan goes on at e. A capital sigma (lower() depends on its
 * context) stops it: 0, or -1 for a sigma. */
static ALWAYS_INLINE int
layout_text(writer *out, int kind, const void *data, Py_ssize_t n, int lower)
{
    static const char phone[] = " zzphone ";
    const unsigned char *ascii = lower ? ascii_lower : ascii_as_is;
    writer w = *out;
    Py_ssize_t i = 0;
    while (i < n) {
        const Py_UCS4 c = char_at(ascii, kind, data, i, lower);
        Py_ssize_t plain_end = i + 1; /* the characters from i that are in no phone number */
        if (c == '+' || is_digit(c)) {
            const Py_ssize_t p = i + (c == '+');
            if (p < n && is_digit(char_at(ascii, kind, data, p, lower))) {
                Py_ssize_t e = p + 1, last = -1;
                for (; e < n; e++) {
                    const Py_UCS4 d = char_at(ascii, kind, data, e, lower);
                    if (!is_phone_part(d))
                        break;
                    if (is_digit(d))
                        last = e;
                }
                if (last >= p + 7) {
                    end_digits(&w);
                    for (const char *s = phone; *s; s++)
                        put(&w, (Py_UCS4)*s);
                    i = last + 1;
                    continue;
                }
                plain_end = e;
            }
        }
        else if (!w.digits && c < 256) { /* the common case: a plain character */
            put(&w, c);
            i++;
            continue;
        }
        for (; i < plain_end; i++) {
            const Py_UCS4 d = char_at(ascii, kind, data, i, lower);
            if (is_digit(d)) {
                w.digits++;
                continue;
            }
            end_digits(&w);
            if (d >= 256 && lower && (d == CAPITAL_SIGMA || d == CAPITAL_I_DOT)) {
                if (d == CAPITAL_SIGMA)
                    return -1;
                put(&w, 'i');
                put(&w, 0x307);
            }
            else
                put(&w, d);
        }
    }
    end_digits(&w);
    *out = w;
    return 0;
}

/* layout_text specialised for each kind of str. */
static int
layout_any(writer *w, PyObject *text, int lower)
{
    const void *data = PyUnicode_DATA(text);
    const Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    switch (PyUnicode_KIND(text)) {
        case PyUnicode_1BYTE_KIND:
            return layout_text(w, PyUnicode_1BYTE_KIND, data, n, lower);
        case PyUnicode_2BYTE_KIND:
            return layout_text(w, PyUnicode_2BYTE_KIND, data, n, lower);
        default:
            return layout_text(w, PyUnicode_4BYTE_KIND, data, n, lower);
    }
}

/* Room for a text of n characters: at most 2n (a "İ" gives two, a phone number of at least 8
 * characters 9), plus " \n " before it. */
static inline Py_ssize_t
room_for(Py_ssize_t n)
{
    return 2 * n + 3;
}

PyDoc_STRVAR(word_layout_doc,
             "word_layout(texts) -> bytearray\n\n"
             "features.word_layout of texts whose e-mail addresses and URLs are placeholders\n"
             "already: the code points (uint32) of \" \" + \" \\n \".join(texts) + \" \" with each\n"
             "text normalized (lower(), then phone numbers and numbers replaced as\n"
             "features.normalize replaces them), its \"\\n\"s made spaces, and each run of\n"
             "characters that are neither word characters nor \"\\n\" replaced by one space.");

static PyObject *
word_layout(PyObject *self, PyObject *arg)
{
    if (PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "word_layout: expected a sequence of str, not a str");
        return NULL;
    }
    PyObject *texts = PySequence_Tuple(arg); /* a list may change while the GIL is released */
    if (texts == NULL)
        return NULL;
    PyObject *out = NULL;
    const Py_ssize_t k = PyTuple_GET_SIZE(texts);
    for (Py_ssize_t j = 0; j < k; j++) {
        PyObject *t = PyTuple_GET_ITEM(texts, j);
        if (!PyUnicode_Check(t)) {
            PyErr_Format(PyExc_TypeError, "word_layout: expected str texts, not %.100s",
                         Py_TYPE(t)->tp_name);
            goto done;
        }
#if PY_VERSION_HEX < 0x030C0000
        if (PyUnicode_READY(t) < 0)
            goto done;
#endif
        if (PyUnicode_GET_LENGTH(t) > PY_SSIZE_T_MAX / 64 / (k + 1)) {
            PyErr_SetString(PyExc_ValueError, "word_layout: texts too long");
            goto done;
        }
    }
    Py_ssize_t left = 1; /* room for the texts not yet out, and the final space */
    for (Py_ssize_t j = 0; j < k; j++)
        left += room_for(PyUnicode_GET_LENGTH(PyTuple_GET_ITEM(texts, j)));
    Py_ssize_t cap = 1 + left;
    out = PyByteArray_FromStringAndSize(NULL, cap * 4);
    if (out == NULL)
        goto done;
    writer w = {(uint32_t *)PyByteArray_AS_STRING(out), 0, 0, 0};
    put(&w, ' ');
    Py_ssize_t j = 0;
    while (j < k) {
        Py_ssize_t stop; /* the first text with a capital sigma, or k */
        Py_BEGIN_ALLOW_THREADS;
        for (stop = j; stop < k; stop++) {
            const writer before = w;
            if (stop) {
                put(&w, ' ');
                put(&w, '\n');
                put(&w, ' ');
            }
            PyObject *t = PyTuple_GET_ITEM(texts, stop);
            if (layout_any(&w, t, 1) < 0) {
                w = before;
                break;
            }
            left -= room_for(PyUnicode_GET_LENGTH(t));
        }
        Py_END_ALLOW_THREADS;
        if (stop == k)
            break;
        /* A capital sigma: the text as str.lower() makes it, then no lower case of its own. */
        PyObject *low = PyObject_CallMethod((PyObject *)&PyUnicode_Type, "lower", "O",
                                            PyTuple_GET_ITEM(texts, stop));
        if (low == NULL)
            goto fail;
        const Py_ssize_t n = PyUnicode_GET_LENGTH(low);
        left -= room_for(PyUnicode_GET_LENGTH(PyTuple_GET_ITEM(texts, stop)));
        const Py_ssize_t need = w.m + 3 + n + n / 8 + 1 + left;
        if (n > PY_SSIZE_T_MAX / 64 / (k + 1) ||
            (need > cap && PyByteArray_Resize(out, (cap = need) * 4) < 0)) {
            Py_DECREF(low);
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "word_layout: texts too long");
            goto fail;
        }
        w.dst = (uint32_t *)PyByteArray_AS_STRING(out);
        if (stop) {
            put(&w, ' ');
            put(&w, '\n');
            put(&w, ' ');
        }
        layout_any(&w, low, 0);
        Py_DECREF(low);
        j = stop + 1;
    }
    put(&w, ' ');
    if (PyByteArray_Resize(out, w.m * 4) < 0)
        goto fail;
    goto done;
fail:
    Py_CLEAR(out);
done:
    Py_DECREF(texts);
    return out;
}

/* ---- hashing (checker/hashing.py) --------------------------------------------------------- */

static inline uint64_t
finish(uint64_t raw, uint64_t length)
{
    uint64_t z = raw + length * 0xD1B54A32D192ED03ULL;
    z ^= z >> 30;
    z *= 0xBF58476D1CE4E5B9ULL;
    z ^= z >> 27;
    z *= 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return z;
}

typedef struct {
    const uint64_t *keys;
    const int32_t *values;
    Py_ssize_t n; /* keys and values */
    const int32_t *first;
    unsigned shift; /* first has 2**(64 - shift) entries */
} table;

/* Lookup.get from the start of h's bucket: the first key not below h, and its value if it
 * is h. */
static inline int32_t
table_resolve(const table *t, Py_ssize_t pos, uint64_t h)
{
    if (pos < 0)
        return -1;
    while (pos < t->n && t->keys[pos] < h)
        pos++;
    return pos < t->n && t->keys[pos] == h ? t->values[pos] : -1;
}

/* Lookup.get of m hashes. The table is larger than the caches and each lookup reads the
 * directory, then the keys and values: three stages AHEAD lookups apart let the cache misses of
 * many lookups overlap (one at a time, the checker waited on memory most of its time). */
#define AHEAD 16

static void
table_get_many(const table *t, const uint64_t *h, int32_t *out, Py_ssize_t m)
{
    for (Py_ssize_t i = 0; i < m + 2 * AHEAD; i++) {
        if (i < m)
            PREFETCH(&t->first[h[i] >> t->shift]);
        const Py_ssize_t j = i - AHEAD;
        if (j >= 0 && j < m) {
            const int32_t pos = t->first[h[j] >> t->shift];
            out[j] = pos;
            if (pos >= 0 && pos < t->n) {
                PREFETCH(&t->keys[pos]);
                PREFETCH(&t->values[pos]);
            }
        }
        const Py_ssize_t k = i - 2 * AHEAD;
        if (k >= 0 && k < m)
            out[k] = table_resolve(t, out[k], h[k]);
    }
}

/* ---- index -------------------------------------------------------------------------------- */

/* A growable array of uint64 (hashes). */
typedef struct {
    uint64_t *p;
    Py_ssize_t n, cap;
} uvec;

static int
uvec_push(uvec *v, uint64_t x)
{
    if (v->n == v->cap) {
        Py_ssize_t cap = v->cap ? 2 * v->cap : 1024;
        if (cap > PY_SSIZE_T_MAX / 2 / (Py_ssize_t)sizeof(uint64_t))
            return -1;
        uint64_t *p = realloc(v->p, (size_t)cap * sizeof(uint64_t));
        if (p == NULL)
            return -1;
        v->p = p;
        v->cap = cap;
    }
    v->p[v->n++] = x;
    return 0;
}

typedef struct {
    Py_ssize_t start, len; /* the first use of the word in cp */
    uint64_t raw, power;   /* H(word) and base**len */
    Py_ssize_t ids;        /* its hashes, then its known segment-block ids: found[ids:][:n_ids] */
    Py_ssize_t n_ids;
    int32_t context; /* id of "c:" + word, or -1 */
} word;

typedef struct {
    const uint32_t *cp;
    Py_ssize_t len;
    const table *t;
    uint64_t base, b2, b3, b4;
    uint64_t s_colon, c_colon, s_hash; /* H("s:"), H("c:"), H("s#") */
    Py_ssize_t min_gram;
    int32_t n_rows;
    int context;
    /* per window: distinct words, their feature hashes and ids; uses; bigrams */
    word *words;
    Py_ssize_t n_words, cap_words;
    int32_t *slots;
    Py_ssize_t n_slots;
    uvec word_hashes, pair_hashes;
    ivec found, use_rows, use_words, pair_rows, pair_ids;
    /* whole document */
    ivec rows, ids, ctx_rows, ctx_ids;
} indexer;

static inline uint64_t
prefixed(const indexer *x, uint64_t prefix, uint64_t raw, Py_ssize_t len)
{
    return finish(prefix + x->b2 * raw, (uint64_t)len + 2);
}

/* The padded word " " + word + " " of token_grams, character k. */
static inline uint64_t
padded(const uint32_t *w, Py_ssize_t len, Py_ssize_t k)
{
    return k == 0 || k == len + 1 ? ' ' : w[k - 1];
}

/* The hashes of a new word's features: token_grams (its "s:" feature, then the character 4-
 * and 5-grams of the padded word if it is long enough and no "zz" placeholder), then "c:". */
static int
word_hashes(indexer *x, word *w)
{
    const uint32_t *c = x->cp + w->start;
    const Py_ssize_t len = w->len;
    uvec *out = &x->word_hashes;
    w->ids = out->n;
    if (uvec_push(out, prefixed(x, x->s_colon, w->raw, len)) < 0)
        return -1;
    if (len >= x->min_gram && !(c[0] == 'z' && c[1] == 'z')) {
        for (int n = 4; n <= 5; n++) {
            for (Py_ssize_t i = 0; i + n <= len + 2; i++) {
                uint64_t raw = padded(c, len, i) + x->base * padded(c, len, i + 1) +
                               x->b2 * padded(c, len, i + 2) + x->b3 * padded(c, len, i + 3);
                if (n == 5)
                    raw += x->b4 * padded(c, len, i + 4);
                if (uvec_push(out, prefixed(x, x->s_hash, raw, n)) < 0)
                    return -1;
            }
        }
    }
    if (uvec_push(out, prefixed(x, x->c_colon, w->raw, len)) < 0)
        return -1;
    w->n_ids = out->n - w->ids;
    return 0;
}

/* The distinct word equal to cp[start : start + len] (hash raw), added if it is new; -1 if out
 * of memory. Words are compared exactly, so no two words share their features by mistake. */
static Py_ssize_t
find_word(indexer *x, Py_ssize_t start, Py_ssize_t len, uint64_t raw, uint64_t power)
{
    const size_t mask = (size_t)x->n_slots - 1;
    size_t s = (size_t)finish(raw, (uint64_t)len) & mask;
    for (;; s = (s + 1) & mask) {
        int32_t k = x->slots[s];
        if (k < 0)
            break;
        const word *w = &x->words[k];
        if (w->len == len && w->raw == raw &&
            memcmp(x->cp + w->start, x->cp + start, (size_t)len * sizeof(uint32_t)) == 0)
            return k;
    }
    if (x->n_words == x->cap_words) {
        Py_ssize_t cap = x->cap_words ? 2 * x->cap_words : 256;
        word *p = realloc(x->words, (size_t)cap * sizeof(word));
        if (p == NULL)
            return -1;
        x->words = p;
        x->cap_words = cap;
    }
    word *w = &x->words[x->n_words];
    w->start = start;
    w->len = len;
    w->raw = raw;
    w->power = power;
    if (word_hashes(x, w) < 0)
        return -1;
    x->slots[s] = (int32_t)x->n_words;
    return x->n_words++;
}

/* Looks up every hash of a window at once, then keeps each word's known ids (in order). */
static int
look_up(indexer *x)
{
    const Py_ssize_t m = x->word_hashes.n, p = x->pair_hashes.n;
    x->found.n = x->pair_ids.n = 0;
    if (ivec_reserve(&x->found, m) < 0 || ivec_reserve(&x->pair_ids, p) < 0)
        return -1;
    table_get_many(x->t, x->word_hashes.p, x->found.p, m);
    table_get_many(x->t, x->pair_hashes.p, x->pair_ids.p, p);
    x->pair_ids.n = p;
    int32_t *found = x->found.p;
    Py_ssize_t kept = 0;
    for (Py_ssize_t k = 0; k < x->n_words; k++) {
        word *w = &x->words[k];
        const Py_ssize_t from = w->ids, n = w->n_ids - 1; /* the last is "c:" */
        w->context = found[from + n];
        w->ids = kept;
        for (Py_ssize_t j = 0; j < n; j++)
            if (found[from + j] >= 0)
                found[kept++] = found[from + j];
        w->n_ids = kept - w->ids;
    }
    return 0;
}

/* Indexer._window over cp[a:b] (whole lines): every word's segment-block ids, then the known
 * bigrams of neighbouring words of one line; each word's context id kept for later. */
static int
index_window(indexer *x, Py_ssize_t a, Py_ssize_t b, int32_t row)
{
    const uint32_t *cp = x->cp;
    Py_ssize_t n_words = 0;
    for (Py_ssize_t i = a; i < b; i++)
        n_words += cp[i] > 32 && (i == a || cp[i - 1] <= 32);
    Py_ssize_t n_slots = 16;
    while (n_slots < 2 * n_words)
        n_slots *= 2;
    if (n_slots > x->n_slots) {
        int32_t *p = realloc(x->slots, (size_t)n_slots * sizeof(int32_t));
        if (p == NULL)
            return -1;
        x->slots = p;
    }
    x->n_slots = n_slots;
    memset(x->slots, 0xff, (size_t)n_slots * sizeof(int32_t));
    x->n_words = 0;
    x->word_hashes.n = x->pair_hashes.n = 0;
    x->use_rows.n = x->use_words.n = x->pair_rows.n = 0;

    /* The words, each distinct one with the hashes of its features, and the bigrams. */
    Py_ssize_t prev = -1; /* the previous word of this line */
    Py_ssize_t i = a;
    while (i < b) {
        uint32_t c = cp[i];
        if (c <= 32) {
            if (c == '\n') {
                row++;
                prev = -1;
            }
            i++;
            continue;
        }
        Py_ssize_t start = i;
        uint64_t raw = 0, power = 1;
        for (; i < b && cp[i] > 32; i++) {
            raw += cp[i] * power;
            power *= x->base;
        }
        Py_ssize_t len = i - start;
        Py_ssize_t k = find_word(x, start, len, raw, power);
        if (k < 0 || ivec_push(&x->use_rows, row) < 0 ||
            ivec_push(&x->use_words, (int32_t)k) < 0)
            return -1;
        if (prev >= 0) { /* "s:" + previous + " " + word */
            const word *p = &x->words[prev];
            uint64_t pair = p->raw + p->power * (' ' + x->base * raw);
            if (uvec_push(&x->pair_hashes, prefixed(x, x->s_colon, pair, p->len + 1 + len)) < 0 ||
                ivec_push(&x->pair_rows, row) < 0)
                return -1;
        }
        prev = k;
    }
    if (look_up(x) < 0)
        return -1;
    /* Each use of a word: its ids; then the known bigrams. */
    for (Py_ssize_t u = 0; u < x->use_rows.n; u++) {
        const int32_t r = x->use_rows.p[u];
        const word *w = &x->words[x->use_words.p[u]];
        if (ivec_reserve(&x->rows, w->n_ids) < 0 || ivec_reserve(&x->ids, w->n_ids) < 0)
            return -1;
        for (Py_ssize_t j = 0; j < w->n_ids; j++) {
            x->rows.p[x->rows.n++] = r;
            x->ids.p[x->ids.n++] = x->found.p[w->ids + j];
        }
        if (w->context >= 0 &&
            (ivec_push(&x->ctx_rows, r) < 0 || ivec_push(&x->ctx_ids, w->context) < 0))
            return -1;
    }
    for (Py_ssize_t j = 0; j < x->pair_ids.n; j++) {
        if (x->pair_ids.p[j] >= 0 && (ivec_push(&x->rows, x->pair_rows.p[j]) < 0 ||
                                      ivec_push(&x->ids, x->pair_ids.p[j]) < 0))
            return -1;
    }
    return 0;
}

/* The context block: each word's context id for the rows up to `context` before and after. */
static int
context_block(indexer *x)
{
    for (int d = -x->context; d <= x->context; d++) {
        if (d == 0)
            continue;
        if (ivec_reserve(&x->rows, x->ctx_rows.n) < 0 || ivec_reserve(&x->ids, x->ctx_rows.n) < 0)
            return -1;
        for (Py_ssize_t j = 0; j < x->ctx_rows.n; j++) {
            int64_t r = (int64_t)x->ctx_rows.p[j] + d;
            if (r >= 0 && r < x->n_rows) {
                x->rows.p[x->rows.n++] = (int32_t)r;
                x->ids.p[x->ids.n++] = x->ctx_ids.p[j];
            }
        }
    }
    return 0;
}

static void
indexer_free(indexer *x)
{
    free(x->words);
    free(x->slots);
    free(x->word_hashes.p);
    free(x->pair_hashes.p);
    free(x->found.p);
    free(x->use_rows.p);
    free(x->use_words.p);
    free(x->pair_rows.p);
    free(x->pair_ids.p);
    free(x->rows.p);
    free(x->ids.p);
    free(x->ctx_rows.p);
    free(x->ctx_ids.p);
}

PyDoc_STRVAR(
    index_doc,
    "index(cp, spans, n, base, keys, values, first, shift, min_gram, context) -> (rows, ids)\n\n"
    "Row and id (int32 bytearrays) of the known segment-block features (each word's token\n"
    "grams, then the window's bigrams, window by window) and then of the context block\n"
    "(rows - context ... rows + context, but the word's own, clipped to [0, n)) of the words\n"
    "of a word layout ``cp`` (uint32: words are runs of code points above the space, rows end\n"
    "at \"\\n\"), hashed with ``base`` and looked up in the Lookup arrays ``keys`` (uint64),\n"
    "``values`` (int32), ``first`` (int32, 2**(64 - shift) entries). ``spans`` (int64 start,\n"
    "end pairs) are the windows of hashing.windows, in order.");

static PyObject *
index_words(PyObject *self, PyObject *args)
{
    PyObject *o_cp, *o_spans, *o_keys, *o_values, *o_first;
    Py_ssize_t n_rows, min_gram, context;
    unsigned long long base;
    int shift;
    if (!PyArg_ParseTuple(args, "OOnKOOOinn:index", &o_cp, &o_spans, &n_rows, &base, &o_keys,
                          &o_values, &o_first, &shift, &min_gram, &context))
        return NULL;
    if (n_rows < 0 || n_rows > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "index: n must be in [0, 2**31)");
        return NULL;
    }
    if (shift < 1 || shift > 63 || 64 - shift > 40) {
        PyErr_SetString(PyExc_ValueError, "index: shift must be in [24, 63]");
        return NULL;
    }
    if (min_gram < 2 || context < 0 || context > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "index: min_gram must be at least 2, context >= 0");
        return NULL;
    }
    Py_buffer cp = {0}, spans = {0}, keys = {0}, values = {0}, first = {0};
    PyObject *result = NULL;
    indexer x = {0};
    if (get_array(o_cp, &cp, UNSIGNED, 4, 1, "cp") < 0)
        goto done;
    if (get_array(o_spans, &spans, SIGNED, 8, 1, "spans") < 0)
        goto done;
    if (get_array(o_keys, &keys, UNSIGNED, 8, 1, "keys") < 0)
        goto done;
    if (get_array(o_values, &values, SIGNED, 4, 1, "values") < 0)
        goto done;
    if (get_array(o_first, &first, SIGNED, 4, 1, "first") < 0)
        goto done;
    Py_ssize_t len = length_of(&cp);
    if (len > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "index: cp has 2**31 code points or more");
        goto done;
    }
    if (length_of(&keys) != length_of(&values) || length_of(&keys) == 0) {
        PyErr_SetString(PyExc_ValueError, "index: keys and values differ in length or are empty");
        goto done;
    }
    if (length_of(&first) != (Py_ssize_t)1 << (64 - shift)) {
        PyErr_SetString(PyExc_ValueError, "index: first must have 2**(64 - shift) entries");
        goto done;
    }
    const int64_t *sp = spans.buf;
    Py_ssize_t n_spans = length_of(&spans);
    if (n_spans % 2) {
        PyErr_SetString(PyExc_ValueError, "index: spans must be (start, end) pairs");
        goto done;
    }
    for (Py_ssize_t k = 0; k < n_spans; k += 2) {
        if (sp[k] < (k ? sp[k - 1] : 0) || sp[k + 1] < sp[k] || sp[k + 1] > len) {
            PyErr_SetString(PyExc_ValueError,
                            "index: spans must be ordered, disjoint and within cp");
            goto done;
        }
    }
    int64_t *bounds = malloc((size_t)(n_spans ? n_spans : 1) * sizeof(int64_t));
    if (bounds == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    memcpy(bounds, sp, (size_t)n_spans * sizeof(int64_t)); /* checked: keep them fixed */
    table t = {keys.buf, values.buf, length_of(&keys), first.buf, (unsigned)shift};
    const uint64_t b = base;
    x.cp = cp.buf;
    x.len = len;
    x.t = &t;
    x.base = b;
    x.b2 = b * b;
    x.b3 = x.b2 * b;
    x.b4 = x.b3 * b;
    x.s_colon = 's' + b * ':';
    x.c_colon = 'c' + b * ':';
    x.s_hash = 's' + b * '#';
    x.min_gram = min_gram;
    x.n_rows = (int32_t)n_rows;
    x.context = (int)(context < n_rows ? context : n_rows); /* farther rows add nothing */
    int failed = 0;
    Py_BEGIN_ALLOW_THREADS;
    int32_t row = 0;
    Py_ssize_t at = 0;
    for (Py_ssize_t k = 0; k < n_spans && !failed; k += 2) {
        for (; at < bounds[k]; at++) /* the lines cut between windows */
            row += x.cp[at] == '\n';
        failed = index_window(&x, bounds[k], bounds[k + 1], row) < 0;
        for (; at < bounds[k + 1]; at++)
            row += x.cp[at] == '\n';
    }
    if (!failed)
        failed = context_block(&x) < 0;
    Py_END_ALLOW_THREADS;
    free(bounds);
    if (failed) {
        PyErr_NoMemory();
        goto done;
    }
    PyObject *rows = bytearray_of(x.rows.p, x.rows.n, sizeof(int32_t));
    PyObject *ids = rows ? bytearray_of(x.ids.p, x.ids.n, sizeof(int32_t)) : NULL;
    if (ids != NULL)
        result = PyTuple_Pack(2, rows, ids);
    Py_XDECREF(rows);
    Py_XDECREF(ids);
done:
    indexer_free(&x);
    if (cp.obj)
        PyBuffer_Release(&cp);
    if (spans.obj)
        PyBuffer_Release(&spans);
    if (keys.obj)
        PyBuffer_Release(&keys);
    if (values.obj)
        PyBuffer_Release(&values);
    if (first.obj)
        PyBuffer_Release(&first);
    return result;
}

/* ---- logits ------------------------------------------------------------------------------- */

enum { OK, NO_MEMORY, BAD_ID, BAD_ROW, BAD_BLOCK, CHANGED };

/* 1 + ln(count) of the counts most features have (the same values log gives every time). */
#define SMALL_COUNTS 64
static double sublinear[SMALL_COUNTS];

static inline double
tf(int32_t count)
{
    return count < SMALL_COUNTS ? sublinear[count] : log((double)count) + 1.0;
}

typedef struct {
    const int32_t *rows, *ids;
    Py_ssize_t m, n, n_features, n_elements, n_blocks;
    const double *idf, *weights, *coef, *intercept;
    const Py_buffer *block;
    double *out;
} scorer;

static inline size_t
local_slot(int32_t id, unsigned bits)
{
    return (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15ULL) >> (64 - bits));
}

static int
score(const scorer *s)
{
    const Py_ssize_t n = s->n, E = s->n_elements;
    int status = OK;
    /* start[r]: where row r's ids begin in by_row (start[n]: all known ids); fill[r]: where
     * its next one goes. */
    Py_ssize_t *start = calloc((size_t)n + 1, sizeof(Py_ssize_t));
    Py_ssize_t *fill = calloc((size_t)n + 1, sizeof(Py_ssize_t));
    int32_t *by_row = NULL, *slots = NULL, *feature = NULL, *block = NULL, *count = NULL;
    int32_t *touched = NULL;
    double *idf = NULL, *coef = NULL, *value = NULL, *norm = NULL, *acc = NULL;
    if (start == NULL || fill == NULL) {
        status = NO_MEMORY;
        goto done;
    }
    /* Bucket the known ids by row (a counting sort): no global sort of the pairs. */
    for (Py_ssize_t i = 0; i < s->m; i++) {
        int32_t id = s->ids[i], r = s->rows[i];
        if (id < 0)
            continue;
        if (id >= s->n_features) {
            status = BAD_ID;
            goto done;
        }
        if (r < 0 || r >= n) {
            status = BAD_ROW;
            goto done;
        }
        fill[r]++;
    }
    Py_ssize_t widest = 0;
    for (Py_ssize_t r = 0; r < n; r++) {
        if (fill[r] > widest)
            widest = fill[r];
        start[r + 1] = start[r] + fill[r];
        fill[r] = start[r];
    }
    /* The document's features get local numbers 0, 1, ... in order of appearance, and their
     * idf, block and coefficients are copied together: the model's arrays are far larger than
     * the caches, the document's share of them is not. */
    const Py_ssize_t known = start[n];
    const Py_ssize_t most = known < s->n_features ? known : s->n_features;
    unsigned bits = 4;
    while (((Py_ssize_t)1 << bits) < 2 * most)
        bits++;
    const size_t mask = ((size_t)1 << bits) - 1;
    by_row = malloc((size_t)(known ? known : 1) * sizeof(int32_t));
    slots = malloc(((size_t)1 << bits) * sizeof(int32_t));
    feature = malloc((size_t)(most ? most : 1) * sizeof(int32_t));
    touched = malloc((size_t)(widest ? widest : 1) * sizeof(int32_t));
    value = malloc((size_t)(widest ? widest : 1) * sizeof(double));
    norm = malloc((size_t)s->n_blocks * sizeof(double) + 1);
    acc = malloc((size_t)E * sizeof(double) + 1);
    if (!by_row || !slots || !feature || !touched || !value || !norm || !acc) {
        status = NO_MEMORY;
        goto done;
    }
    memset(slots, 0xff, ((size_t)1 << bits) * sizeof(int32_t));
    Py_ssize_t n_local = 0;
    for (Py_ssize_t i = 0; i < s->m; i++) {
        int32_t id = s->ids[i], r = s->rows[i];
        if (id < 0)
            continue;
        if (id >= s->n_features || r < 0 || r >= n || fill[r] >= start[r + 1]) {
            status = CHANGED; /* another thread wrote to the arrays meanwhile */
            goto done;
        }
        size_t h = local_slot(id, bits);
        for (; slots[h] >= 0 && feature[slots[h]] != id; h = (h + 1) & mask)
            ;
        if (slots[h] < 0) {
            if (n_local == most) {
                status = CHANGED;
                goto done;
            }
            feature[n_local] = id;
            slots[h] = (int32_t)n_local++;
        }
        by_row[fill[r]++] = slots[h];
    }
    for (Py_ssize_t r = 0; r < n; r++) {
        if (fill[r] != start[r + 1]) {
            status = CHANGED;
            goto done;
        }
    }
    idf = malloc((size_t)(n_local ? n_local : 1) * sizeof(double));
    coef = malloc((size_t)(n_local ? n_local : 1) * (size_t)E * sizeof(double) + 1);
    block = malloc((size_t)(n_local ? n_local : 1) * sizeof(int32_t));
    count = calloc((size_t)(n_local ? n_local : 1), sizeof(int32_t));
    if (!idf || !coef || !block || !count) {
        status = NO_MEMORY;
        goto done;
    }
    for (Py_ssize_t j = 0; j < n_local; j++) {
        if (j + AHEAD < n_local) {
            const Py_ssize_t ahead = feature[j + AHEAD];
            PREFETCH(s->idf + ahead);
            PREFETCH((const char *)s->block->buf + ahead * s->block->itemsize);
            PREFETCH(s->coef + ahead * E);
        }
        const Py_ssize_t id = feature[j];
        const int64_t b = read_signed(s->block, id);
        if (b < 0 || b >= s->n_blocks) {
            status = BAD_BLOCK;
            goto done;
        }
        block[j] = (int32_t)b;
        idf[j] = s->idf[id];
        memcpy(coef + j * E, s->coef + id * E, (size_t)E * sizeof(double));
    }
    for (Py_ssize_t r = 0; r < n; r++) {
        const int32_t *ids = by_row + start[r];
        const Py_ssize_t k = start[r + 1] - start[r];
        double *out = s->out + r * E;
        /* Count each feature of the row (in order of first appearance). */
        Py_ssize_t distinct = 0;
        for (Py_ssize_t j = 0; j < k; j++)
            if (count[ids[j]]++ == 0)
                touched[distinct++] = ids[j];
        /* Sublinear tf times idf, L2-normalised within each block and scaled by its weight. */
        for (Py_ssize_t b = 0; b < s->n_blocks; b++)
            norm[b] = 0.0;
        if (s->n_blocks == 4) { /* four sums in registers, each in the same order */
            double n0 = 0.0, n1 = 0.0, n2 = 0.0, n3 = 0.0;
            for (Py_ssize_t j = 0; j < distinct; j++) {
                const int32_t f = touched[j];
                const double v = tf(count[f]) * idf[f], v2 = v * v;
                const int32_t b = block[f];
                count[f] = 0;
                value[j] = v;
                n0 += b == 0 ? v2 : 0.0; /* + 0.0 leaves a sum of squares as it is */
                n1 += b == 1 ? v2 : 0.0;
                n2 += b == 2 ? v2 : 0.0;
                n3 += b == 3 ? v2 : 0.0;
            }
            norm[0] = n0;
            norm[1] = n1;
            norm[2] = n2;
            norm[3] = n3;
        }
        else {
            for (Py_ssize_t j = 0; j < distinct; j++) {
                const int32_t f = touched[j];
                const double v = tf(count[f]) * idf[f];
                count[f] = 0;
                value[j] = v;
                norm[block[f]] += v * v;
            }
        }
        for (Py_ssize_t b = 0; b < s->n_blocks; b++)
            norm[b] = sqrt(norm[b]);
        for (Py_ssize_t e = 0; e < E; e++)
            acc[e] = 0.0;
        if (E == 4) { /* the shipped model's: the sums stay in registers */
            double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
            for (Py_ssize_t j = 0; j < distinct; j++) {
                const int32_t f = touched[j];
                const double x = s->weights[block[f]] * value[j] / norm[block[f]];
                const double *c = coef + (Py_ssize_t)f * 4;
                a0 += c[0] * x;
                a1 += c[1] * x;
                a2 += c[2] * x;
                a3 += c[3] * x;
            }
            acc[0] = a0;
            acc[1] = a1;
            acc[2] = a2;
            acc[3] = a3;
        }
        else {
            for (Py_ssize_t j = 0; j < distinct; j++) {
                const int32_t f = touched[j];
                const double x = s->weights[block[f]] * value[j] / norm[block[f]];
                const double *c = coef + (Py_ssize_t)f * E;
                for (Py_ssize_t e = 0; e < E; e++)
                    acc[e] += c[e] * x;
            }
        }
        for (Py_ssize_t e = 0; e < E; e++)
            out[e] = s->intercept[e] + acc[e];
    }
done:
    free(start);
    free(fill);
    free(by_row);
    free(slots);
    free(feature);
    free(block);
    free(count);
    free(touched);
    free(idf);
    free(coef);
    free(value);
    free(norm);
    free(acc);
    return status;
}

PyDoc_STRVAR(logits_doc,
             "logits(rows, ids, n, idf, block, weights, coef, intercept) -> bytearray\n\n"
             "Model._logits(n, *Model._tfidf(rows, ids, n)) as n x n_elements float64 values:\n"
             "rows, ids int32 (ids below 0 are skipped), idf float64 (n_features), block signed\n"
             "integers (n_features, each an index into weights), weights float64, coef float64\n"
             "(n_features x n_elements, C order), intercept float64 (n_elements).");

static PyObject *
logits(PyObject *self, PyObject *args)
{
    PyObject *o_rows, *o_ids, *o_idf, *o_block, *o_weights, *o_coef, *o_intercept;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "OOnOOOOO:logits", &o_rows, &o_ids, &n, &o_idf, &o_block,
                          &o_weights, &o_coef, &o_intercept))
        return NULL;
    Py_buffer rows = {0}, ids = {0}, idf = {0}, block = {0}, weights = {0}, coef = {0},
              intercept = {0};
    PyObject *out = NULL;
    if (get_array(o_rows, &rows, SIGNED, 4, 1, "rows") < 0 ||
        get_array(o_ids, &ids, SIGNED, 4, 1, "ids") < 0 ||
        get_array(o_idf, &idf, FLOAT, 8, 1, "idf") < 0 ||
        get_array(o_block, &block, SIGNED, 0, 1, "block") < 0 ||
        get_array(o_weights, &weights, FLOAT, 8, 1, "weights") < 0 ||
        get_array(o_coef, &coef, FLOAT, 8, 2, "coef") < 0 ||
        get_array(o_intercept, &intercept, FLOAT, 8, 1, "intercept") < 0)
        goto done;
    scorer s = {
        .rows = rows.buf,
        .ids = ids.buf,
        .m = length_of(&rows),
        .n = n,
        .n_features = length_of(&idf),
        .n_elements = length_of(&intercept),
        .n_blocks = length_of(&weights),
        .idf = idf.buf,
        .weights = weights.buf,
        .coef = coef.buf,
        .intercept = intercept.buf,
        .block = &block,
    };
    if (length_of(&ids) != s.m) {
        PyErr_SetString(PyExc_ValueError, "logits: rows and ids differ in length");
        goto done;
    }
    if (length_of(&block) != s.n_features || coef.shape[0] != s.n_features ||
        coef.shape[1] != s.n_elements) {
        PyErr_SetString(PyExc_ValueError,
                        "logits: idf, block and coef rows must be n_features long, and coef "
                        "columns as many as the intercept's elements");
        goto done;
    }
    if (s.n_features > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "logits: too many features");
        goto done;
    }
    if (n < 0 || n > INT32_MAX ||
        (s.n_elements && n > PY_SSIZE_T_MAX / 8 / s.n_elements)) {
        PyErr_SetString(PyExc_ValueError, "logits: n must be in [0, 2**31)");
        goto done;
    }
    out = PyByteArray_FromStringAndSize(NULL, n * s.n_elements * 8);
    if (out == NULL)
        goto done;
    s.out = (double *)PyByteArray_AS_STRING(out);
    int status;
    Py_BEGIN_ALLOW_THREADS;
    status = score(&s);
    Py_END_ALLOW_THREADS;
    if (status != OK) {
        Py_CLEAR(out);
        if (status == NO_MEMORY)
            PyErr_NoMemory();
        else
            PyErr_SetString(PyExc_ValueError,
                            status == BAD_ID      ? "logits: an id is not below n_features"
                            : status == BAD_ROW   ? "logits: a row is not in [0, n)"
                            : status == BAD_BLOCK ? "logits: a block is not an index of weights"
                                                  : "logits: the input arrays changed meanwhile");
    }
done:
    if (rows.obj)
        PyBuffer_Release(&rows);
    if (ids.obj)
        PyBuffer_Release(&ids);
    if (idf.obj)
        PyBuffer_Release(&idf);
    if (block.obj)
        PyBuffer_Release(&block);
    if (weights.obj)
        PyBuffer_Release(&weights);
    if (coef.obj)
        PyBuffer_Release(&coef);
    if (intercept.obj)
        PyBuffer_Release(&intercept);
    return out;
}

/* ---- module ------------------------------------------------------------------------------- */

static PyMethodDef methods[] = {
    {"layout", layout, METH_O, layout_doc},
    {"word_layout", word_layout, METH_O, word_layout_doc},
    {"index", index_words, METH_VARARGS, index_doc},
    {"logits", logits, METH_VARARGS, logits_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    "checker._native_features",
    "C twins of the checker's feature -> logit hot path (see checker/features.py, model.py).",
    -1,
    methods,
};

PyMODINIT_FUNC
PyInit__native_features(void)
{
    for (Py_UCS4 c = 0; c < 256; c++)
        latin1_kept[c] = c == '\n' || Py_UNICODE_ISALNUM(c);
    for (int c = 0; c < 128; c++) {
        ascii_as_is[c] = c == '\n' ? '\r' : (unsigned char)c;
        ascii_lower[c] = c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : ascii_as_is[c];
    }
    for (int c = 1; c < SMALL_COUNTS; c++)
        sublinear[c] = log((double)c) + 1.0;
    return PyModule_Create(&module);
}
