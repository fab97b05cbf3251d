/* The per-character loops of ingestion and indexing, over tables built in Python.

   An optional extension: indexer/_scan_py.py is the reference of each function below,
   in plain Python, with the same arguments and results, and indexer/scan.py loads it
   when this module is not built. The constants of the contract (the flag bits, the
   term separator) are defined there; this module exports its own as attributes and
   indexer/scan.py refuses to load it if they differ. The tables are built in Python
   (indexer/ingest/cleaning.py, indexer/analysis/normalize.py); this file only walks a text
   through them, once, at C speed. Each function says where the Python code must do
   the work itself.

   tidiness(text, flags, multiline) -> int
       What cleaning would change in `text`: CHARACTERS when a character's byte in
       `flags` (one per BMP code point) has that bit; else SPACING when one has that
       bit, or the white space is not yet collapsed to single spaces between words and,
       with `multiline`, single newlines between lines (without it, no newline at
       all); else 0: nothing. Plus COMPOSES when NFC may change the text: a character
       flagged COMPOSES, one beyond the BMP, or two in a row flagged COMBINING.

   unquote(text) -> str | None
       urllib.parse.unquote(text): each %XX escape made its byte, the whole read as
       UTF-8 with invalid bytes replaced (U+FFFD). None for text that is not UTF-8
       (lone surrogates).

   collapse(text, flags, multiline) -> str
       `text` with each run of white space (a space, a newline, or a character
       flagged SPACING or LINE_BREAK) made one space, or, with `multiline`, one newline
       when the run holds a line break (a newline or a character flagged LINE_BREAK);
       none at the ends. What " ".join(line.split()) for each line of
       text.splitlines(), empty lines dropped, gives.

   fold(text, table, delete, pairs) -> bytes | None
       The normalizer's output as UTF-16-LE: each code point replaced by its entry in
       `table` (native uint32, one per BMP code point), entries equal to `delete`
       dropped, and each (first, second, new_first, new_second) in `pairs` replacing
       those two characters where they meet. None when the text needs the general
       path: anything beyond the BMP, in or out (surrogates included), or any other
       marker (an expansion).

   join_terms(text, memory, width, longest, learn) -> tuple[str, ...] | None
       The indexed terms of a normalized text for `width` fields at once: the text
       split at white space as str.split() splits it, each chunk's terms found in the
       dict `memory` (a str: `width` fields separated by TERM_SEPARATOR, each field's
       terms separated by spaces), or, for a chunk not there, given by `learn(chunk)`
       (which may add it to `memory`), and field i of every chunk joined by single
       spaces. None when a chunk is longer than `longest`.
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

#define BMP_SIZE 0x10000
#define MAX_PAIRS 8
#define MAX_WIDTH 8 /* join_terms(): the most fields at once */
/* The bits of the flag table, as _scan_py.Flag defines them (indexer/scan.py checks). */
#define SPACING 1
#define CHARACTERS 2
#define LINE_BREAK 4
#define COMPOSES 8
#define COMBINING 16
/* Between the fields of one chunk's terms in join_terms(). */
#define TERM_SEPARATOR_TEXT "\t"
#define TERM_SEPARATOR (TERM_SEPARATOR_TEXT[0])

/* The arguments of tidiness() and collapse(): a str, its flags, and multiline; with
   the str's characters as stored (kind, data, length). */
typedef struct {
    const void *data;
    Py_ssize_t length;
    int kind;
    const unsigned char *flag;
    int multiline;
} FlaggedText;

static int
read_flagged_text(PyObject *args, FlaggedText *t)
{
    PyObject *text;
    Py_ssize_t size;
    if (!PyArg_ParseTuple(args, "Uy#p", &text, &t->flag, &size, &t->multiline))
        return -1;
    if (size != BMP_SIZE) {
        PyErr_Format(PyExc_ValueError, "flags must have %d bytes", BMP_SIZE);
        return -1;
    }
    t->data = PyUnicode_DATA(text);
    t->length = PyUnicode_GET_LENGTH(text);
    t->kind = PyUnicode_KIND(text);
    return 0;
}

/* Always inlined with a constant `kind`, so that each string kind gets its own loop
   with no per-character switch. Branch-free: most texts are tidy and are read whole.
   The NFC part is Unicode's quick check (UAX #15) made coarser: two combining marks in
   a row count as a change, whatever their order, and so does anything beyond the BMP. */
static inline __attribute__((always_inline)) int
tidiness_loop(int kind, const void *data, Py_ssize_t length, const unsigned char *flag,
              int multiline)
{
    int found = 0;
    int after_space = 1; /* at the start, as after a newline: no white space first */
    int previous = 0;    /* the flags of the character before */
    for (Py_ssize_t i = 0; i < length; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        int f = c < BMP_SIZE ? flag[c] : COMPOSES;
        int newline = c == '\n';
        int space = c == ' ' || newline;
        found |= (f & (SPACING | CHARACTERS | COMPOSES)) | (space & after_space)
                 | (newline & !multiline) | ((f & previous & COMBINING) ? COMPOSES : 0);
        after_space = space;
        previous = f;
    }
    found |= length > 0 && after_space;
    return (found & CHARACTERS ? CHARACTERS : found & SPACING) | (found & COMPOSES);
}

static PyObject *
tidiness(PyObject *self, PyObject *args)
{
    FlaggedText t;
    if (read_flagged_text(args, &t) < 0)
        return NULL;
    int found;
    switch (t.kind) {
    case PyUnicode_1BYTE_KIND:
        found = tidiness_loop(PyUnicode_1BYTE_KIND, t.data, t.length, t.flag, t.multiline);
        break;
    case PyUnicode_2BYTE_KIND:
        found = tidiness_loop(PyUnicode_2BYTE_KIND, t.data, t.length, t.flag, t.multiline);
        break;
    default:
        found = tidiness_loop(PyUnicode_4BYTE_KIND, t.data, t.length, t.flag, t.multiline);
    }
    return PyLong_FromLong(found);
}

/* Inlined once per string kind, as tidiness_loop is. Each run of white space becomes one newline if it holds a line
   break (with `multiline`), else one space; runs at either end go. */
static inline __attribute__((always_inline)) Py_ssize_t
collapse_loop(int kind, const void *data, Py_ssize_t length, const unsigned char *flag,
              int multiline, Py_UCS4 *out)
{
    Py_ssize_t written = 0;
    int in_run = 0, run_breaks = 0;
    for (Py_ssize_t i = 0; i < length; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        unsigned char f = c < BMP_SIZE ? flag[c] : 0;
        int line_break = c == '\n' || (f & LINE_BREAK);
        if (c == ' ' || line_break || (f & SPACING)) {
            in_run = 1;
            run_breaks |= line_break;
            continue;
        }
        if (in_run && written > 0)
            out[written++] = multiline && run_breaks ? '\n' : ' ';
        in_run = run_breaks = 0;
        out[written++] = c;
    }
    return written;
}

static PyObject *
collapse(PyObject *self, PyObject *args)
{
    FlaggedText t;
    if (read_flagged_text(args, &t) < 0)
        return NULL;
    Py_UCS4 *out = PyMem_Malloc((t.length + 1) * sizeof(Py_UCS4));
    if (out == NULL)
        return PyErr_NoMemory();
    Py_ssize_t written;
    switch (t.kind) {
    case PyUnicode_1BYTE_KIND:
        written = collapse_loop(PyUnicode_1BYTE_KIND, t.data, t.length, t.flag, t.multiline, out);
        break;
    case PyUnicode_2BYTE_KIND:
        written = collapse_loop(PyUnicode_2BYTE_KIND, t.data, t.length, t.flag, t.multiline, out);
        break;
    default:
        written = collapse_loop(PyUnicode_4BYTE_KIND, t.data, t.length, t.flag, t.multiline, out);
    }
    /* Built from UCS4 so that Python picks the narrowest kind the result needs. */
    PyObject *result = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, written);
    PyMem_Free(out);
    return result;
}

typedef struct {
    Py_UCS4 first, second, new_first, new_second;
} Pair;

static int
read_pairs(PyObject *sequence, Pair *pairs, Py_ssize_t *count)
{
    PyObject *items = PySequence_Fast(sequence, "pairs must be a sequence");
    if (items == NULL)
        return -1;
    *count = PySequence_Fast_GET_SIZE(items);
    if (*count > MAX_PAIRS) {
        Py_DECREF(items);
        PyErr_Format(PyExc_ValueError, "at most %d pairs", MAX_PAIRS);
        return -1;
    }
    for (Py_ssize_t i = 0; i < *count; i++) {
        unsigned int a, b, c, d;
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(items, i), "IIII", &a, &b, &c, &d)) {
            Py_DECREF(items);
            return -1;
        }
        pairs[i] = (Pair){a, b, c, d};
    }
    Py_DECREF(items);
    return 0;
}

static inline uint16_t
little_endian(uint16_t value)
{
#if PY_BIG_ENDIAN
    return __builtin_bswap16(value);
#else
    return value;
#endif
}

/* Inlined once per string kind, as tidiness_loop is. Returns how many code points were
   written to `out`, or -1 where the general path is needed. */
static inline __attribute__((always_inline)) Py_ssize_t
fold_loop(int kind, const void *data, Py_ssize_t length, const uint32_t *map,
          uint32_t delete, const Pair *pairs, Py_ssize_t pair_count, uint16_t *out)
{
    Py_ssize_t written = 0;
    for (Py_ssize_t i = 0; i < length; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c >= BMP_SIZE)
            return -1;
        uint32_t mapped = map[c];
        if (mapped >= BMP_SIZE && mapped != delete)
            return -1;
        for (Py_ssize_t p = 0; p < pair_count; p++) {
            if (pairs[p].first == c && i + 1 < length
                && PyUnicode_READ(kind, data, i + 1) == pairs[p].second) {
                /* The second character's own entry still decides the general path. */
                uint32_t second = map[pairs[p].second];
                if (pairs[p].second >= BMP_SIZE || (second >= BMP_SIZE && second != delete)
                    || pairs[p].new_first >= BMP_SIZE || pairs[p].new_second >= BMP_SIZE)
                    return -1;
                out[written++] = little_endian(pairs[p].new_first);
                mapped = pairs[p].new_second;
                i++;
                break;
            }
        }
        if (mapped != delete)
            out[written++] = little_endian(mapped);
    }
    return written;
}

static PyObject *
fold(PyObject *self, PyObject *args)
{
    PyObject *text, *pair_list;
    const char *table;
    Py_ssize_t table_size;
    unsigned int delete;
    Pair pairs[MAX_PAIRS];
    Py_ssize_t pair_count;
    if (!PyArg_ParseTuple(args, "Uy#IO", &text, &table, &table_size, &delete, &pair_list))
        return NULL;
    if (table_size != BMP_SIZE * (Py_ssize_t)sizeof(uint32_t))
        return PyErr_Format(PyExc_ValueError, "table must have %d uint32 entries", BMP_SIZE);
    if (read_pairs(pair_list, pairs, &pair_count) < 0)
        return NULL;
    const uint32_t *map = (const uint32_t *)table;
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    /* Never longer than the input: a pair gives two for two, the rest one or none. A
       new bytes object may be written before it is shared; it is copied to its size
       only when something was deleted (the public API cannot shrink one). */
    PyObject *result = PyBytes_FromStringAndSize(NULL, length * 2);
    if (result == NULL)
        return NULL;
    uint16_t *out = (uint16_t *)PyBytes_AS_STRING(result);
    Py_ssize_t written;
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        written = fold_loop(PyUnicode_1BYTE_KIND, data, length, map, delete, pairs,
                            pair_count, out);
        break;
    case PyUnicode_2BYTE_KIND:
        written = fold_loop(PyUnicode_2BYTE_KIND, data, length, map, delete, pairs,
                            pair_count, out);
        break;
    default:
        written = fold_loop(PyUnicode_4BYTE_KIND, data, length, map, delete, pairs,
                            pair_count, out);
    }
    if (written == length)
        return result;
    PyObject *shorter = written < 0 ? Py_NewRef(Py_None)
                                    : PyBytes_FromStringAndSize((const char *)out, written * 2);
    Py_DECREF(result);
    return shorter;
}

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static PyObject *
unquote(PyObject *self, PyObject *args)
{
    PyObject *text;
    if (!PyArg_ParseTuple(args, "U", &text))
        return NULL;
    Py_ssize_t size;
    const char *in = PyUnicode_AsUTF8AndSize(text, &size);
    if (in == NULL) { /* lone surrogates: not UTF-8 */
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    char *out = PyMem_Malloc(size + 1);
    if (out == NULL)
        return PyErr_NoMemory();
    Py_ssize_t written = 0;
    for (Py_ssize_t i = 0; i < size; i++) {
        int high, low;
        if (in[i] == '%' && i + 2 < size
            && (high = hex_value(in[i + 1])) >= 0 && (low = hex_value(in[i + 2])) >= 0) {
            out[written++] = (char)(high * 16 + low);
            i += 2;
        }
        else
            out[written++] = in[i];
    }
    PyObject *result = PyUnicode_DecodeUTF8(out, written, "replace");
    PyMem_Free(out);
    return result;
}

/* A growing array of code points: one field of join_terms()'s result. */
typedef struct {
    Py_UCS4 *chars;
    Py_ssize_t length, capacity;
} Buffer;

/* Makes room in `buffer` for `more` code points. */
static int
buffer_reserve(Buffer *buffer, Py_ssize_t more)
{
    if (buffer->length + more <= buffer->capacity)
        return 0;
    Py_ssize_t capacity = Py_MAX(2 * buffer->capacity, buffer->length + more + 4096);
    Py_UCS4 *chars = PyMem_Realloc(buffer->chars, capacity * sizeof(Py_UCS4));
    if (chars == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    buffer->chars = chars;
    buffer->capacity = capacity;
    return 0;
}

/* Appends the fields of one chunk's `terms` (tab-separated) to the buffers, each
   after a space where its buffer already holds terms. */
static int
put_terms(Buffer *fields, Py_ssize_t width, PyObject *terms)
{
    if (!PyUnicode_Check(terms)) {
        PyErr_SetString(PyExc_TypeError, "memory values must be str");
        return -1;
    }
    int kind = PyUnicode_KIND(terms);
    const void *data = PyUnicode_DATA(terms);
    Py_ssize_t size = PyUnicode_GET_LENGTH(terms), field = 0;
    for (Py_ssize_t f = 0; f < width; f++) /* room for all of it and a space */
        if (buffer_reserve(&fields[f], size + 1) < 0)
            return -1;
    int starting = 1; /* at the start of a field's terms */
    for (Py_ssize_t i = 0; i < size; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if (ch == TERM_SEPARATOR) {
            if (++field == width)
                break;
            starting = 1;
            continue;
        }
        Buffer *buffer = &fields[field];
        if (starting && buffer->length > 0)
            buffer->chars[buffer->length++] = ' ';
        starting = 0;
        buffer->chars[buffer->length++] = ch;
    }
    if (field != width - 1) {
        PyErr_Format(PyExc_ValueError, "memory values must hold %zd tab-separated fields",
                     width);
        return -1;
    }
    return 0;
}

static PyObject *
join_terms(PyObject *self, PyObject *args)
{
    PyObject *text, *memory, *learn;
    Py_ssize_t width, longest;
    if (!PyArg_ParseTuple(args, "UO!nnO", &text, &PyDict_Type, &memory, &width, &longest,
                          &learn))
        return NULL;
    if (width < 1 || width > MAX_WIDTH) {
        PyErr_Format(PyExc_ValueError, "width must be 1 to %d", MAX_WIDTH);
        return NULL;
    }
    Buffer fields[MAX_WIDTH] = {{NULL, 0, 0}};
    PyObject *result = NULL;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t size = PyUnicode_GET_LENGTH(text), i = 0;
    for (;;) {
        while (i < size && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i)))
            i++;
        if (i == size)
            break;
        Py_ssize_t start = i;
        while (i < size && !Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i)))
            i++;
        if (i - start > longest) {
            result = Py_NewRef(Py_None);
            goto done;
        }
        PyObject *chunk = PyUnicode_Substring(text, start, i);
        if (chunk == NULL)
            goto done;
        /* `learn` may change `memory`: the terms are copied before it can run again. */
        PyObject *terms = Py_XNewRef(PyDict_GetItemWithError(memory, chunk));
        if (terms == NULL && !PyErr_Occurred())
            terms = PyObject_CallOneArg(learn, chunk);
        Py_DECREF(chunk);
        int failed = terms == NULL || put_terms(fields, width, terms) < 0;
        Py_XDECREF(terms);
        if (failed)
            goto done;
    }
    if ((result = PyTuple_New(width)) == NULL)
        goto done;
    for (Py_ssize_t f = 0; f < width; f++) {
        /* The narrowest str that holds the field (as every str must be). */
        PyObject *joined = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, fields[f].chars,
                                                     fields[f].length);
        if (joined == NULL) {
            Py_CLEAR(result);
            goto done;
        }
        PyTuple_SET_ITEM(result, f, joined);
    }
done:
    for (Py_ssize_t f = 0; f < width; f++)
        PyMem_Free(fields[f].chars);
    return result;
}

static PyMethodDef methods[] = {
    {"tidiness", tidiness, METH_VARARGS, "What cleaning would change in an NFC text."},
    {"collapse", collapse, METH_VARARGS, "The text with its white space collapsed."},
    {"unquote", unquote, METH_VARARGS, "Percent-escapes decoded, as urllib.parse.unquote."},
    {"fold", fold, METH_VARARGS, "The text through a normalization table, as UTF-16-LE."},
    {"join_terms", join_terms, METH_VARARGS, "A text's terms for several fields, joined."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_scan", "The per-character loops of ingestion and indexing.", -1, methods,
};

PyMODINIT_FUNC
PyInit__scan(void)
{
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    /* The contract's constants, for indexer/scan.py to check against _scan_py's. */
    if (PyModule_AddIntConstant(m, "SPACING", SPACING) < 0
        || PyModule_AddIntConstant(m, "CHARACTERS", CHARACTERS) < 0
        || PyModule_AddIntConstant(m, "LINE_BREAK", LINE_BREAK) < 0
        || PyModule_AddIntConstant(m, "COMPOSES", COMPOSES) < 0
        || PyModule_AddIntConstant(m, "COMBINING", COMBINING) < 0
        || PyModule_AddIntConstant(m, "BMP_SIZE", BMP_SIZE) < 0
        || PyModule_AddIntConstant(m, "MAX_PAIRS", MAX_PAIRS) < 0
        || PyModule_AddIntConstant(m, "MAX_WIDTH", MAX_WIDTH) < 0
        || PyModule_AddStringConstant(m, "TERM_SEPARATOR", TERM_SEPARATOR_TEXT) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
