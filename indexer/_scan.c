/* The two per-character loops of ingestion, over tables built in Python.

   Python builds every table (indexer/cleaning.py, indexer/analysis/normalize.py) from
   the named rules; this file only walks a text through them, once, at C speed. Both
   functions answer None or False where the Python code must do the work itself, so
   they decide nothing on their own.

   is_tidy(text, flags, multiline) -> bool
       Whether cleaning would leave `text` (already NFC) as it is: no character
       whose byte in `flags` (one per BMP code point) is set, and white space already
       collapsed: single spaces between words and, with `multiline`, single newlines
       between lines; without it, no newline at all.

   fold(text, table, delete, pairs) -> bytes | None
       The normalizer's output as UTF-32-LE: each code point replaced by its entry in
       `table` (native uint32, one per BMP code point), entries equal to `delete`
       dropped, and each (first, second, new_first, new_second) in `pairs` replacing
       those two characters where they meet. None when the text needs the general
       path: a character beyond the BMP, or any other marker (an expansion).
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

#define BMP_SIZE 0x10000
#define MAX_CODE_POINT 0x10FFFF
#define MAX_PAIRS 8

/* Always inlined with a constant `kind`, so that each string kind gets its own loop
   with no per-character switch. Branch-free: most texts are tidy and are read whole. */
static inline __attribute__((always_inline)) int
tidy_loop(int kind, const void *data, Py_ssize_t length, const unsigned char *flag,
          int multiline)
{
    int bad = 0;
    int after_space = 1; /* at the start, as after a newline: no white space first */
    for (Py_ssize_t i = 0; i < length; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        int newline = c == '\n';
        int space = c == ' ' || newline;
        bad |= (c < BMP_SIZE && flag[c]) | (space & after_space) | (newline & !multiline);
        after_space = space;
    }
    return !(bad | (length > 0 && after_space));
}

static PyObject *
is_tidy(PyObject *self, PyObject *args)
{
    PyObject *text;
    Py_buffer flags;
    int multiline;
    if (!PyArg_ParseTuple(args, "Uy*p", &text, &flags, &multiline))
        return NULL;
    if (flags.len != BMP_SIZE) {
        PyBuffer_Release(&flags);
        return PyErr_Format(PyExc_ValueError, "flags must have %d bytes", BMP_SIZE);
    }
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    int tidy;
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        tidy = tidy_loop(PyUnicode_1BYTE_KIND, data, length, flags.buf, multiline);
        break;
    case PyUnicode_2BYTE_KIND:
        tidy = tidy_loop(PyUnicode_2BYTE_KIND, data, length, flags.buf, multiline);
        break;
    default:
        tidy = tidy_loop(PyUnicode_4BYTE_KIND, data, length, flags.buf, multiline);
    }
    PyBuffer_Release(&flags);
    return PyBool_FromLong(tidy);
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

static inline uint32_t
little_endian(uint32_t value)
{
#if PY_BIG_ENDIAN
    return __builtin_bswap32(value);
#else
    return value;
#endif
}

/* Like tidy_loop: inlined once per string kind. Returns how many code points were
   written to `out`, or -1 where the general path is needed. */
static inline __attribute__((always_inline)) Py_ssize_t
fold_loop(int kind, const void *data, Py_ssize_t length, const uint32_t *map,
          uint32_t delete, const Pair *pairs, Py_ssize_t pair_count, uint32_t *out)
{
    Py_ssize_t written = 0;
    for (Py_ssize_t i = 0; i < length; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c >= BMP_SIZE)
            return -1;
        uint32_t mapped = map[c];
        if (mapped > MAX_CODE_POINT && mapped != delete)
            return -1;
        for (Py_ssize_t p = 0; p < pair_count; p++) {
            if (pairs[p].first == c && i + 1 < length
                && PyUnicode_READ(kind, data, i + 1) == pairs[p].second) {
                /* The second character's own entry still decides the general path. */
                uint32_t second = map[pairs[p].second];
                if (pairs[p].second >= BMP_SIZE || (second > MAX_CODE_POINT && second != delete))
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
    Py_buffer table;
    unsigned int delete;
    Pair pairs[MAX_PAIRS];
    Py_ssize_t pair_count;
    if (!PyArg_ParseTuple(args, "Uy*IO", &text, &table, &delete, &pair_list))
        return NULL;
    if (table.len != BMP_SIZE * (Py_ssize_t)sizeof(uint32_t)) {
        PyBuffer_Release(&table);
        return PyErr_Format(PyExc_ValueError, "table must have %d uint32 entries", BMP_SIZE);
    }
    if (read_pairs(pair_list, pairs, &pair_count) < 0) {
        PyBuffer_Release(&table);
        return NULL;
    }
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    /* Never longer than the input: a pair gives two for two, the rest one or none. */
    PyObject *result = PyBytes_FromStringAndSize(NULL, length * 4);
    if (result == NULL) {
        PyBuffer_Release(&table);
        return NULL;
    }
    uint32_t *out = (uint32_t *)PyBytes_AS_STRING(result);
    Py_ssize_t written;
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        written = fold_loop(PyUnicode_1BYTE_KIND, data, length, table.buf, delete, pairs,
                            pair_count, out);
        break;
    case PyUnicode_2BYTE_KIND:
        written = fold_loop(PyUnicode_2BYTE_KIND, data, length, table.buf, delete, pairs,
                            pair_count, out);
        break;
    default:
        written = fold_loop(PyUnicode_4BYTE_KIND, data, length, table.buf, delete, pairs,
                            pair_count, out);
    }
    PyBuffer_Release(&table);
    if (written < 0) {
        Py_DECREF(result);
        Py_RETURN_NONE;
    }
    if (_PyBytes_Resize(&result, written * 4) < 0)
        return NULL;
    return result;
}

static PyMethodDef methods[] = {
    {"is_tidy", is_tidy, METH_VARARGS, "Whether cleaning would leave an NFC text as it is."},
    {"fold", fold, METH_VARARGS, "The text through a normalization table, as UTF-32-LE."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_scan", "The per-character loops of ingestion.", -1, methods,
};

PyMODINIT_FUNC
PyInit__scan(void)
{
    return PyModule_Create(&module);
}
