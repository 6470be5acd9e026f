/* Many literals found in one pass: an Aho-Corasick automaton over code points.
 *
 * checker.cues gates its regular expressions on the literals every match must contain
 * (``required_literals``): a segment that contains none of a pattern's literals cannot match.
 * The pure-Python gate runs ``str.find`` once per literal over the whole document; this
 * module builds, once per literal set, a ``Matcher`` that finds all of them in one pass.
 *
 *     Matcher(literals, digit_group=-1)
 *         literals: a sequence of (text, word_start, group); text a non-empty str, group in
 *         [0, 64). A literal flagged word_start only counts where the character before it is
 *         not an ASCII word character (a-z, 0-9, _) or where it starts the text.
 *         digit_group: if >= 0, also the group of every Unicode decimal digit (what ``\d``
 *         matches in a str pattern).
 *     Matcher.segments(texts) -> tuple of n_groups dicts: for each group, {index of a text
 *         (texts: a sequence of str) in which one of its literals occurs: the index just after
 *         the first such occurrence, the one that ends first}, in ascending order of index.
 *     Matcher.first(text) -> tuple of one int per literal: the index where its first counted
 *         occurrence starts in text, or -1.
 *
 * Texts are read in place whatever their width (PyUnicode kinds 1, 2 and 4); the scan of a
 * long input runs without the GIL. A Matcher is immutable once built: threads may share it.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <string.h>

#define MAX_GROUPS 64
#define MAX_TABLE (1 << 24)      /* automaton cells (64 MiB): refuse larger literal sets */
#define RELEASE_GIL_FROM 4096    /* characters: shorter scans keep the GIL (cheaper) */

#if defined(__GNUC__) || defined(__clang__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

typedef struct {
    PyObject_HEAD
    Py_ssize_t n_literals;
    Py_ssize_t *length;          /* code points of each literal */
    unsigned char *word_start;   /* per literal */
    unsigned char *group;        /* per literal */
    int n_groups;
    int digit_group;             /* -1: none */
    uint16_t low_class[256];     /* alphabet class of code points < 256 (0: in no literal) */
    unsigned char low_digit[256];
    Py_ssize_t n_high;
    Py_UCS4 *high_cp;            /* sorted code points >= 256 that occur in literals */
    uint16_t *high_class;
    Py_ssize_t n_classes;
    Py_ssize_t n_states;
    int32_t *delta;              /* n_states x n_classes: the complete transition table,
                                  * each cell 2 x (target state x n_classes) + has_out */
    int32_t *out_first;          /* per state: a literal ending exactly there, or -1 */
    int32_t *out_next;           /* per literal: the next literal ending at the same state */
    int32_t *dict_link;          /* per state: nearest proper suffix state with a literal */
    unsigned char *has_out;      /* per state: out_first or dict_link set */
    PyObject *literals;          /* tuple of (text, word_start, group) as given, normalised */
} Matcher;

static const unsigned char ascii_word[128] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1, ['_'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1,
    ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1,
    ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1,
    ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

static void
matcher_free_tables(Matcher *m)
{
    PyMem_Free(m->length);
    PyMem_Free(m->word_start);
    PyMem_Free(m->group);
    PyMem_Free(m->high_cp);
    PyMem_Free(m->high_class);
    PyMem_Free(m->delta);
    PyMem_Free(m->out_first);
    PyMem_Free(m->out_next);
    PyMem_Free(m->dict_link);
    PyMem_Free(m->has_out);
    m->length = NULL;
    m->word_start = m->group = m->has_out = NULL;
    m->high_cp = NULL;
    m->high_class = NULL;
    m->delta = m->out_first = m->out_next = m->dict_link = NULL;
}

static void
matcher_dealloc(Matcher *m)
{
    matcher_free_tables(m);
    Py_CLEAR(m->literals);
    Py_TYPE(m)->tp_free((PyObject *)m);
}

static int
cmp_ucs4(const void *a, const void *b)
{
    Py_UCS4 x = *(const Py_UCS4 *)a, y = *(const Py_UCS4 *)b;
    return (x > y) - (x < y);
}

static inline Py_ssize_t
class_of(const Matcher *m, Py_UCS4 ch)
{
    if (ch < 256)
        return m->low_class[ch];
    Py_ssize_t lo = 0, hi = m->n_high;
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        if (m->high_cp[mid] < ch)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (lo < m->n_high && m->high_cp[lo] == ch) ? m->high_class[lo] : 0;
}

/* Reads the literal specifications into m; a Python exception and -1 on bad input. */
static int
read_literals(Matcher *m, PyObject *arg, Py_ssize_t *total_length)
{
    /* A tuple copy: it holds every item while word_start's __bool__ runs arbitrary code. */
    PyObject *seq = PySequence_Tuple(arg);
    if (seq == NULL)
        return -1;
    Py_ssize_t n = PyTuple_GET_SIZE(seq);
    if (n > INT32_MAX / 2) {
        PyErr_SetString(PyExc_ValueError, "too many literals");
        goto fail;
    }
    m->n_literals = n;
    m->length = PyMem_Calloc(n ? n : 1, sizeof(Py_ssize_t));
    m->word_start = PyMem_Calloc(n ? n : 1, 1);
    m->group = PyMem_Calloc(n ? n : 1, 1);
    m->literals = PyTuple_New(n);
    if (m->length == NULL || m->word_start == NULL || m->group == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    if (m->literals == NULL)
        goto fail;
    Py_ssize_t total = 0;
    for (Py_ssize_t j = 0; j < n; j++) {
        PyObject *item = PyTuple_GET_ITEM(seq, j);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 3) {
            PyErr_Format(PyExc_TypeError,
                         "literal %zd: expected a tuple (str, bool, int), got %.100s", j,
                         Py_TYPE(item)->tp_name);
            goto fail;
        }
        PyObject *text = PyTuple_GET_ITEM(item, 0);
        if (!PyUnicode_Check(text)) {
            PyErr_Format(PyExc_TypeError, "literal %zd: text must be str, not %.100s", j,
                         Py_TYPE(text)->tp_name);
            goto fail;
        }
#if PY_VERSION_HEX < 0x030C0000
        if (PyUnicode_READY(text) < 0)
            goto fail;
#endif
        Py_ssize_t len = PyUnicode_GET_LENGTH(text);
        if (len == 0) {
            PyErr_Format(PyExc_ValueError, "literal %zd is empty", j);
            goto fail;
        }
        int word_start = PyObject_IsTrue(PyTuple_GET_ITEM(item, 1));
        if (word_start < 0)
            goto fail;
        PyObject *group_obj = PyTuple_GET_ITEM(item, 2);
        if (!PyLong_Check(group_obj)) {
            PyErr_Format(PyExc_TypeError, "literal %zd: group must be int, not %.100s", j,
                         Py_TYPE(group_obj)->tp_name);
            goto fail;
        }
        int overflow = 0;
        long group = PyLong_AsLongAndOverflow(group_obj, &overflow);
        if (group == -1 && PyErr_Occurred())
            goto fail;
        if (overflow || group < 0 || group >= MAX_GROUPS) {
            PyErr_Format(PyExc_ValueError, "literal %zd: group must be in [0, %d)", j,
                         MAX_GROUPS);
            goto fail;
        }
        if (len > PY_SSIZE_T_MAX / 2 - total || total + len >= INT32_MAX) {
            PyErr_SetString(PyExc_ValueError, "literals too long");
            goto fail;
        }
        total += len;
        m->length[j] = len;
        m->word_start[j] = (unsigned char)word_start;
        m->group[j] = (unsigned char)group;
        if (group + 1 > m->n_groups)
            m->n_groups = (int)group + 1;
        PyObject *norm = Py_BuildValue("(OOl)", text, word_start ? Py_True : Py_False, group);
        if (norm == NULL)
            goto fail;
        PyTuple_SET_ITEM(m->literals, j, norm);
    }
    *total_length = total;
    Py_DECREF(seq);
    return 0;
fail:
    Py_DECREF(seq);
    return -1;
}

/* The alphabet: one class per distinct code point of the literals, 0 for all others. */
static int
build_alphabet(Matcher *m, Py_ssize_t total_length)
{
    unsigned char seen[256] = {0};
    Py_UCS4 *high = PyMem_Malloc((total_length ? total_length : 1) * sizeof(Py_UCS4));
    if (high == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t n_high = 0;
    for (Py_ssize_t j = 0; j < m->n_literals; j++) {
        PyObject *text = PyTuple_GET_ITEM(PyTuple_GET_ITEM(m->literals, j), 0);
        int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        for (Py_ssize_t i = 0; i < m->length[j]; i++) {
            Py_UCS4 ch = PyUnicode_READ(kind, data, i);
            if (ch < 256)
                seen[ch] = 1;
            else
                high[n_high++] = ch;
        }
    }
    qsort(high, (size_t)n_high, sizeof(Py_UCS4), cmp_ucs4);
    Py_ssize_t unique = 0;
    for (Py_ssize_t i = 0; i < n_high; i++)
        if (unique == 0 || high[unique - 1] != high[i])
            high[unique++] = high[i];
    Py_ssize_t classes = 1;
    for (int ch = 0; ch < 256; ch++) {
        m->low_class[ch] = seen[ch] ? (uint16_t)classes++ : 0;
        m->low_digit[ch] = Py_UNICODE_ISDECIMAL((Py_UCS4)ch) ? 1 : 0;
    }
    if (classes + unique > UINT16_MAX) {
        PyMem_Free(high);
        PyErr_SetString(PyExc_ValueError, "too many distinct characters in the literals");
        return -1;
    }
    m->high_cp = high;
    m->n_high = unique;
    m->high_class = PyMem_Malloc((unique ? unique : 1) * sizeof(uint16_t));
    if (m->high_class == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < unique; i++)
        m->high_class[i] = (uint16_t)classes++;
    m->n_classes = classes;
    return 0;
}

/* The trie of the literals, completed into a deterministic automaton (Aho-Corasick). */
static int
build_automaton(Matcher *m, Py_ssize_t total_length)
{
    Py_ssize_t max_states = total_length + 1, C = m->n_classes;
    if (max_states > MAX_TABLE / C) {
        PyErr_SetString(PyExc_ValueError, "too many literals for one Matcher");
        return -1;
    }
    int32_t *fail = NULL, *queue = NULL;
    m->delta = PyMem_Calloc((size_t)(max_states * C), sizeof(int32_t)); /* 0: no edge yet */
    m->out_first = PyMem_Malloc(max_states * sizeof(int32_t));
    m->dict_link = PyMem_Malloc(max_states * sizeof(int32_t));
    m->has_out = PyMem_Calloc((size_t)max_states, 1);
    m->out_next = PyMem_Malloc((m->n_literals ? m->n_literals : 1) * sizeof(int32_t));
    fail = PyMem_Calloc((size_t)max_states, sizeof(int32_t));
    queue = PyMem_Malloc(max_states * sizeof(int32_t));
    if (!m->delta || !m->out_first || !m->dict_link || !m->has_out || !m->out_next || !fail ||
        !queue) {
        PyMem_Free(fail);
        PyMem_Free(queue);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t s = 0; s < max_states; s++)
        m->out_first[s] = m->dict_link[s] = -1;

    int32_t n_states = 1;
    for (Py_ssize_t j = 0; j < m->n_literals; j++) {
        PyObject *text = PyTuple_GET_ITEM(PyTuple_GET_ITEM(m->literals, j), 0);
        int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        int32_t s = 0;
        for (Py_ssize_t i = 0; i < m->length[j]; i++) {
            Py_ssize_t c = class_of(m, PyUnicode_READ(kind, data, i));
            int32_t *edge = &m->delta[s * C + c];
            if (*edge == 0)
                *edge = n_states++; /* the root is never a child: 0 means "no edge" */
            s = *edge;
        }
        m->out_next[j] = m->out_first[s];
        m->out_first[s] = (int32_t)j;
    }
    m->n_states = n_states;

    /* Breadth first: a state's failure state is shallower, so its row is complete already. */
    Py_ssize_t head = 0, tail = 0;
    for (Py_ssize_t c = 0; c < C; c++) {
        int32_t u = m->delta[c];
        if (u) {
            fail[u] = 0;
            queue[tail++] = u;
        }
    }
    while (head < tail) {
        int32_t r = queue[head++];
        for (Py_ssize_t c = 0; c < C; c++) {
            int32_t u = m->delta[r * C + c];
            int32_t via_fail = m->delta[(Py_ssize_t)fail[r] * C + c];
            if (u) {
                fail[u] = via_fail;
                queue[tail++] = u;
            }
            else {
                m->delta[r * C + c] = via_fail;
            }
        }
        /* r's own failure state was dequeued before r: its dict_link is final. */
        int32_t f = fail[r];
        m->dict_link[r] = (r != 0 && m->out_first[f] >= 0) ? f : m->dict_link[f];
        m->has_out[r] = m->out_first[r] >= 0 || m->dict_link[r] >= 0;
    }
    /* Each cell becomes its target's row offset times 2, plus 1 if a literal ends there: the
     * scan then needs neither a multiplication nor a second lookup per character. */
    for (Py_ssize_t i = 0; i < n_states * C; i++) {
        int32_t u = m->delta[i];
        m->delta[i] = (int32_t)((u * C) << 1) | m->has_out[u];
    }
    PyMem_Free(fail);
    PyMem_Free(queue);
    return 0;
}

static PyObject *
matcher_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"literals", "digit_group", NULL};
    PyObject *literals;
    int digit_group = -1;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|i:Matcher", kwlist, &literals,
                                     &digit_group))
        return NULL;
    if (digit_group < -1 || digit_group >= MAX_GROUPS) {
        PyErr_Format(PyExc_ValueError, "digit_group must be -1 or in [0, %d)", MAX_GROUPS);
        return NULL;
    }
    Matcher *m = (Matcher *)type->tp_alloc(type, 0);
    if (m == NULL)
        return NULL;
    /* tp_alloc zeroes the object: every table pointer starts NULL. */
    m->digit_group = digit_group;
    if (digit_group + 1 > m->n_groups)
        m->n_groups = digit_group + 1;
    Py_ssize_t total_length = 0;
    if (read_literals(m, literals, &total_length) < 0 ||
        build_alphabet(m, total_length) < 0 || build_automaton(m, total_length) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return (PyObject *)m;
}

/* One text; returns the groups found (bit g for group g). Either ends (per group: where
 * its first counted occurrence ends, written when found) or first (per literal: where its
 * first counted occurrence starts, written where still -1) is NULL. With ends, stops as soon
 * as every group of `all` is found. Touches no Python object: runs without the GIL. */
static ALWAYS_INLINE uint64_t
scan(const Matcher *m, int kind, const void *data, Py_ssize_t n, uint64_t all,
     Py_ssize_t *ends, Py_ssize_t *first)
{
    const Py_ssize_t C = m->n_classes;
    const int32_t *delta = m->delta;
    const uint64_t digit_bit = m->digit_group >= 0 ? (uint64_t)1 << m->digit_group : 0;
    uint64_t found = 0, want_digit = digit_bit; /* want_digit: 0 once a digit is found */
    int32_t row = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        Py_ssize_t c;
        int digit;
        if (ch < 256) {
            c = m->low_class[ch];
            digit = want_digit && m->low_digit[ch];
        }
        else {
            c = class_of(m, ch);
            digit = want_digit && Py_UNICODE_ISDECIMAL(ch);
        }
        if (digit) {
            want_digit = 0;
            if (!(found & digit_bit) && ends != NULL)
                ends[m->digit_group] = i + 1;
            found |= digit_bit;
        }
        int32_t cell = delta[row + c];
        row = cell >> 1;
        if (!(cell & 1))
            continue;
        int32_t s = (int32_t)(row / C);
        for (int32_t t = m->out_first[s] >= 0 ? s : m->dict_link[s]; t >= 0;
             t = m->dict_link[t]) {
            for (int32_t j = m->out_first[t]; j >= 0; j = m->out_next[j]) {
                uint64_t bit = (uint64_t)1 << m->group[j];
                if (first == NULL ? (found & bit) != 0 : first[j] >= 0)
                    continue;
                Py_ssize_t start = i + 1 - m->length[j];
                if (m->word_start[j] && start > 0) {
                    Py_UCS4 before = PyUnicode_READ(kind, data, start - 1);
                    if (before < 128 && ascii_word[before])
                        continue;
                }
                found |= bit;
                if (first != NULL)
                    first[j] = start;
                else
                    ends[m->group[j]] = i + 1;
            }
        }
        if (first == NULL && found == all)
            break;
    }
    return found;
}

/* scan() specialised per string width, so the compiler drops the kind switch. */
static uint64_t
scan_text(const Matcher *m, int kind, const void *data, Py_ssize_t n, uint64_t all,
          Py_ssize_t *ends, Py_ssize_t *first)
{
    switch (kind) {
    case PyUnicode_1BYTE_KIND:
        return scan(m, PyUnicode_1BYTE_KIND, data, n, all, ends, first);
    case PyUnicode_2BYTE_KIND:
        return scan(m, PyUnicode_2BYTE_KIND, data, n, all, ends, first);
    default:
        return scan(m, PyUnicode_4BYTE_KIND, data, n, all, ends, first);
    }
}

static uint64_t
all_groups(const Matcher *m)
{
    uint64_t all = 0;
    for (Py_ssize_t j = 0; j < m->n_literals; j++)
        all |= (uint64_t)1 << m->group[j];
    if (m->digit_group >= 0)
        all |= (uint64_t)1 << m->digit_group;
    return all;
}

typedef struct {
    int kind;
    const void *data;
    Py_ssize_t length;
} TextView;

static PyObject *
matcher_segments(Matcher *m, PyObject *arg)
{
    PyObject *texts = PySequence_Tuple(arg); /* holds the strings while the GIL is released */
    if (texts == NULL)
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(texts), total = 0, G = m->n_groups;
    TextView *views = NULL;
    uint64_t *masks = NULL;
    Py_ssize_t *ends = NULL;
    PyObject *result = NULL;
    if (G && n > PY_SSIZE_T_MAX / (Py_ssize_t)sizeof(Py_ssize_t) / G) {
        PyErr_NoMemory();
        goto done;
    }
    views = PyMem_Malloc((n ? n : 1) * sizeof(TextView));
    masks = PyMem_Calloc(n ? n : 1, sizeof(uint64_t));
    ends = PyMem_Malloc((n * G > 0 ? n * G : 1) * sizeof(Py_ssize_t));
    if (views == NULL || masks == NULL || ends == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *text = PyTuple_GET_ITEM(texts, k);
        if (!PyUnicode_Check(text)) {
            PyErr_Format(PyExc_TypeError, "texts[%zd] must be str, not %.100s", k,
                         Py_TYPE(text)->tp_name);
            goto done;
        }
#if PY_VERSION_HEX < 0x030C0000
        if (PyUnicode_READY(text) < 0)
            goto done;
#endif
        views[k].kind = PyUnicode_KIND(text);
        views[k].data = PyUnicode_DATA(text);
        views[k].length = PyUnicode_GET_LENGTH(text);
        total += views[k].length;
    }
    uint64_t all = all_groups(m);
    if (total >= RELEASE_GIL_FROM) {
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t k = 0; k < n; k++)
            masks[k] = scan_text(m, views[k].kind, views[k].data, views[k].length, all,
                                 ends + k * G, NULL);
        Py_END_ALLOW_THREADS
    }
    else {
        for (Py_ssize_t k = 0; k < n; k++)
            masks[k] = scan_text(m, views[k].kind, views[k].data, views[k].length, all,
                                 ends + k * G, NULL);
    }
    result = PyTuple_New(G);
    if (result == NULL)
        goto done;
    for (Py_ssize_t g = 0; g < G; g++) {
        PyObject *found = PyDict_New();
        if (found == NULL) {
            Py_CLEAR(result);
            goto done;
        }
        PyTuple_SET_ITEM(result, g, found);
        for (Py_ssize_t k = 0; k < n; k++) {
            if (!((masks[k] >> g) & 1))
                continue;
            PyObject *index = PyLong_FromSsize_t(k);
            PyObject *end = PyLong_FromSsize_t(ends[k * G + g]);
            int failed = index == NULL || end == NULL || PyDict_SetItem(found, index, end) < 0;
            Py_XDECREF(index);
            Py_XDECREF(end);
            if (failed) {
                Py_CLEAR(result);
                goto done;
            }
        }
    }
done:
    PyMem_Free(views);
    PyMem_Free(masks);
    PyMem_Free(ends);
    Py_DECREF(texts);
    return result;
}

static PyObject *
matcher_first(Matcher *m, PyObject *text)
{
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "text must be str, not %.100s", Py_TYPE(text)->tp_name);
        return NULL;
    }
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(text) < 0)
        return NULL;
#endif
    Py_ssize_t nl = m->n_literals;
    Py_ssize_t *first = PyMem_Malloc((nl ? nl : 1) * sizeof(Py_ssize_t));
    if (first == NULL)
        return PyErr_NoMemory();
    for (Py_ssize_t j = 0; j < nl; j++)
        first[j] = -1;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    Py_INCREF(text);
    if (length >= RELEASE_GIL_FROM) {
        Py_BEGIN_ALLOW_THREADS
        scan_text(m, kind, data, length, 0, NULL, first);
        Py_END_ALLOW_THREADS
    }
    else {
        scan_text(m, kind, data, length, 0, NULL, first);
    }
    Py_DECREF(text);
    PyObject *result = PyTuple_New(nl);
    if (result != NULL) {
        for (Py_ssize_t j = 0; j < nl; j++) {
            PyObject *v = PyLong_FromSsize_t(first[j]);
            if (v == NULL) {
                Py_CLEAR(result);
                break;
            }
            PyTuple_SET_ITEM(result, j, v);
        }
    }
    PyMem_Free(first);
    return result;
}

static PyObject *
matcher_get_literals(Matcher *m, void *closure)
{
    return Py_NewRef(m->literals);
}

static PyObject *
matcher_get_n_groups(Matcher *m, void *closure)
{
    return PyLong_FromLong(m->n_groups);
}

static PyObject *
matcher_get_n_states(Matcher *m, void *closure)
{
    return PyLong_FromSsize_t(m->n_states);
}

static PyObject *
matcher_get_digit_group(Matcher *m, void *closure)
{
    return PyLong_FromLong(m->digit_group);
}

static PyMethodDef matcher_methods[] = {
    {"segments", (PyCFunction)matcher_segments, METH_O,
     "segments(texts) -> tuple of one dict per group: {index of a text in which the group "
     "occurs: where its first occurrence there ends}."},
    {"first", (PyCFunction)matcher_first, METH_O,
     "first(text) -> tuple of one int per literal: where its first counted occurrence starts, "
     "or -1."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef matcher_getset[] = {
    {"literals", (getter)matcher_get_literals, NULL, "The (text, word_start, group) tuples.",
     NULL},
    {"n_groups", (getter)matcher_get_n_groups, NULL, "Groups reported by segments().", NULL},
    {"n_states", (getter)matcher_get_n_states, NULL, "States of the automaton.", NULL},
    {"digit_group", (getter)matcher_get_digit_group, NULL, "The group of decimal digits, or -1.",
     NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject MatcherType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "checker._native_literals.Matcher",
    .tp_basicsize = sizeof(Matcher),
    .tp_dealloc = (destructor)matcher_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Matcher(literals, digit_group=-1): many literals found in one pass.",
    .tp_methods = matcher_methods,
    .tp_getset = matcher_getset,
    .tp_new = matcher_new,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "checker._native_literals",
    .m_doc = "Many literals found in one pass over a text (Aho-Corasick); see checker.cues.",
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit__native_literals(void)
{
    if (PyType_Ready(&MatcherType) < 0)
        return NULL;
    PyObject *mod = PyModule_Create(&module);
    if (mod == NULL)
        return NULL;
    Py_INCREF(&MatcherType);
    if (PyModule_AddObject(mod, "Matcher", (PyObject *)&MatcherType) < 0) {
        Py_DECREF(&MatcherType);
        Py_DECREF(mod);
        return NULL;
    }
    return mod;
}
