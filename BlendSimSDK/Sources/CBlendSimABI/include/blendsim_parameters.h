/*
 * blendsim_parameters.h: typed lookup of a component's parameters for plugins written in C.
 *
 * `create` receives `parameters_json`: a NUL-terminated UTF-8 JSON object (RFC 8259) with one
 * member per parameter of the component's schema, in schema order, every one present (the host
 * fills in defaults and has checked names, types and ranges). Values are JSON numbers, `true` or
 * `false`, or strings. docs/PLUGINS.md ("The parameters object") gives the exact format.
 *
 * These functions find a member by its exact name — a real JSON scan, not a substring search, so
 * `"rate"` never matches `"growth_rate"` or text inside a string value — and convert its value:
 *
 *     double bonus;
 *     if (bs_parameter_number(parameters, "session_bonus", &bonus) != BS_PARAMETER_OK) { ... }
 *
 * Each returns BS_PARAMETER_OK and sets the output, or one of the other codes below and leaves
 * the output unchanged. Header-only, no allocation, C99; safe to call from several threads at
 * once (see bs_parameter_number for the one case that reads the locale).
 */
#ifndef BLENDSIM_PARAMETERS_H
#define BLENDSIM_PARAMETERS_H

#include <locale.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BS_PARAMETER_OK 0
#define BS_PARAMETER_MISSING 1    /* no member of that name */
#define BS_PARAMETER_WRONG_TYPE 2 /* the member's value is of another type (or not a whole number) */
#define BS_PARAMETER_TOO_LONG 3   /* a string value does not fit the buffer */
#define BS_PARAMETER_MALFORMED 4  /* the text is not a JSON object */

/* Internal: a cursor over the JSON text. */
typedef struct {
    const char *at;
} bs_json_cursor_;

static inline void bs_json_space_(bs_json_cursor_ *c) {
    while (*c->at == ' ' || *c->at == '\t' || *c->at == '\n' || *c->at == '\r') c->at++;
}

static inline int bs_json_hex_(char h) {
    if (h >= '0' && h <= '9') return h - '0';
    if (h >= 'a' && h <= 'f') return h - 'a' + 10;
    if (h >= 'A' && h <= 'F') return h - 'A' + 10;
    return -1;
}

/* Reads the string at the cursor (which is on its opening quote), decoding escapes into `out`
 * (at most `capacity` bytes including the NUL, when `out` is not NULL) and setting `*length` to
 * the decoded length; with `expect`, `*equal` says whether the decoded bytes are exactly that C
 * string. Returns 0, or -1 on malformed text; `*fits` says whether it fit, `*nul` whether it
 * holds U+0000 (which a C string cannot). */
static inline int bs_json_text_(bs_json_cursor_ *c, char *out, size_t capacity, size_t *length, int *fits,
                                const char *expect, int *equal, int *nul) {
    size_t n = 0;
    *fits = 1;
    if (equal) *equal = expect != NULL;
    if (nul) *nul = 0;
    if (*c->at != '"') return -1;
    c->at++;
    for (;;) {
        unsigned char ch = (unsigned char)*c->at;
        char bytes[4];
        size_t count = 1;
        if (ch == '\0' || ch < 0x20) return -1;
        if (ch == '"') {
            c->at++;
            break;
        }
        if (ch == '\\') {
            char e = c->at[1];
            c->at += 2;
            switch (e) {
            case '"': bytes[0] = '"'; break;
            case '\\': bytes[0] = '\\'; break;
            case '/': bytes[0] = '/'; break;
            case 'b': bytes[0] = '\b'; break;
            case 'f': bytes[0] = '\f'; break;
            case 'n': bytes[0] = '\n'; break;
            case 'r': bytes[0] = '\r'; break;
            case 't': bytes[0] = '\t'; break;
            case 'u': {
                unsigned long code = 0;
                int i;
                for (i = 0; i < 4; i++) {
                    int h = bs_json_hex_(c->at[i]);
                    if (h < 0) return -1;
                    code = code * 16 + (unsigned long)h;
                }
                c->at += 4;
                if (code >= 0xD800 && code <= 0xDBFF) {
                    unsigned long low = 0;
                    if (c->at[0] != '\\' || c->at[1] != 'u') return -1;
                    for (i = 0; i < 4; i++) {
                        int h = bs_json_hex_(c->at[2 + i]);
                        if (h < 0) return -1;
                        low = low * 16 + (unsigned long)h;
                    }
                    if (low < 0xDC00 || low > 0xDFFF) return -1;
                    c->at += 6;
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                } else if (code >= 0xDC00 && code <= 0xDFFF) {
                    return -1;
                }
                if (code == 0 && nul) *nul = 1;
                if (code < 0x80) {
                    bytes[0] = (char)code;
                } else if (code < 0x800) {
                    bytes[0] = (char)(0xC0 | (code >> 6));
                    bytes[1] = (char)(0x80 | (code & 0x3F));
                    count = 2;
                } else if (code < 0x10000) {
                    bytes[0] = (char)(0xE0 | (code >> 12));
                    bytes[1] = (char)(0x80 | ((code >> 6) & 0x3F));
                    bytes[2] = (char)(0x80 | (code & 0x3F));
                    count = 3;
                } else {
                    bytes[0] = (char)(0xF0 | (code >> 18));
                    bytes[1] = (char)(0x80 | ((code >> 12) & 0x3F));
                    bytes[2] = (char)(0x80 | ((code >> 6) & 0x3F));
                    bytes[3] = (char)(0x80 | (code & 0x3F));
                    count = 4;
                }
                break;
            }
            default: return -1;
            }
        } else {
            bytes[0] = (char)ch;
            c->at++;
        }
        {
            size_t i;
            for (i = 0; i < count; i++) {
                if (out) {
                    if (n + i + 1 < capacity) out[n + i] = bytes[i]; else *fits = 0;
                }
                /* Compared byte by byte while the expected string lasts: any length of key. */
                if (equal && *equal && (expect[n + i] == '\0' || expect[n + i] != bytes[i])) *equal = 0;
            }
        }
        n += count;
    }
    if (out && capacity > 0) out[*fits ? n : capacity - 1] = '\0';
    if (equal && *equal && expect[n] != '\0') *equal = 0;
    *length = n;
    return 0;
}

static inline int bs_json_string_(bs_json_cursor_ *c, char *out, size_t capacity, size_t *length, int *fits) {
    return bs_json_text_(c, out, capacity, length, fits, NULL, NULL, NULL);
}

/* Skips the value at the cursor. Returns 0, or -1 on malformed text. */
static inline int bs_json_skip_(bs_json_cursor_ *c, int depth) {
    size_t length;
    int fits;
    bs_json_space_(c);
    if (depth > 64) return -1;
    switch (*c->at) {
    case '"': return bs_json_string_(c, NULL, 0, &length, &fits);
    case '{':
    case '[': {
        char close = *c->at == '{' ? '}' : ']';
        int object = close == '}';
        c->at++;
        bs_json_space_(c);
        if (*c->at == close) {
            c->at++;
            return 0;
        }
        for (;;) {
            if (object) {
                bs_json_space_(c);
                if (bs_json_string_(c, NULL, 0, &length, &fits) != 0) return -1;
                bs_json_space_(c);
                if (*c->at != ':') return -1;
                c->at++;
            }
            if (bs_json_skip_(c, depth + 1) != 0) return -1;
            bs_json_space_(c);
            if (*c->at == ',') {
                c->at++;
                continue;
            }
            if (*c->at != close) return -1;
            c->at++;
            return 0;
        }
    }
    case 't': if (strncmp(c->at, "true", 4) == 0) { c->at += 4; return 0; } return -1;
    case 'f': if (strncmp(c->at, "false", 5) == 0) { c->at += 5; return 0; } return -1;
    case 'n': if (strncmp(c->at, "null", 4) == 0) { c->at += 4; return 0; } return -1;
    default: {
        const char *start = c->at;
        if (*c->at == '-') c->at++;
        while ((*c->at >= '0' && *c->at <= '9') || *c->at == '.' || *c->at == 'e' || *c->at == 'E' || *c->at == '+' || *c->at == '-') c->at++;
        return c->at > start ? 0 : -1;
    }
    }
}

/* Finds member `name` of the object `json`; on success the cursor is on its value. */
static inline int bs_json_find_(const char *json, const char *name, bs_json_cursor_ *c) {
    if (!json || !name) return BS_PARAMETER_MALFORMED;
    c->at = json;
    bs_json_space_(c);
    if (*c->at != '{') return BS_PARAMETER_MALFORMED;
    c->at++;
    bs_json_space_(c);
    if (*c->at == '}') return BS_PARAMETER_MISSING;
    for (;;) {
        size_t length;
        int fits, equal;
        bs_json_space_(c);
        if (bs_json_text_(c, NULL, 0, &length, &fits, name, &equal, NULL) != 0) return BS_PARAMETER_MALFORMED;
        bs_json_space_(c);
        if (*c->at != ':') return BS_PARAMETER_MALFORMED;
        c->at++;
        bs_json_space_(c);
        if (equal) return BS_PARAMETER_OK;
        if (bs_json_skip_(c, 1) != 0) return BS_PARAMETER_MALFORMED;
        bs_json_space_(c);
        if (*c->at == ',') {
            c->at++;
            continue;
        }
        return *c->at == '}' ? BS_PARAMETER_MISSING : BS_PARAMETER_MALFORMED;
    }
}

/* Exact powers of ten a double holds: 1e0 … 1e22. */
static inline double bs_json_power10_(int e) {
    static const double powers[23] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    return powers[e];
}

/* The number `name` (a JSON number). Numbers whose digits fit 2^53 and whose decimal exponent is
 * within ±22 (every value blendsim writes for a parameter in practice) are converted exactly —
 * correctly rounded — without the C library; others with strtod, which reads the decimal point
 * of the current locale: `.` is swapped for it, so the result does not depend on the locale, but
 * another thread changing the locale at that moment is not safe. */
static inline int bs_parameter_number(const char *json, const char *name, double *value) {
    bs_json_cursor_ c;
    const char *start, *p;
    int found = bs_json_find_(json, name, &c);
    int negative = 0, digits = 0, exponent = 0, exponentSign = 1, exponentValue = 0, overflow = 0;
    unsigned long long mantissa = 0;
    if (found != BS_PARAMETER_OK) return found;
    start = c.at;
    if (!(*start == '-' || (*start >= '0' && *start <= '9'))) return BS_PARAMETER_WRONG_TYPE;
    /* JSON's grammar: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
    p = start;
    if (*p == '-') { negative = 1; p++; }
    if (*p == '0') {
        p++;
    } else if (*p >= '1' && *p <= '9') {
        while (*p >= '0' && *p <= '9') {
            if (digits < 19) { mantissa = mantissa * 10 + (unsigned long long)(*p - '0'); digits++; } else { exponent++; overflow = 1; }
            p++;
        }
    } else {
        return BS_PARAMETER_MALFORMED;
    }
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9')) return BS_PARAMETER_MALFORMED;
        while (*p >= '0' && *p <= '9') {
            if (digits < 19) {
                mantissa = mantissa * 10 + (unsigned long long)(*p - '0');
                if (mantissa != 0) digits++;
                exponent--;
            } else {
                overflow = 1;
            }
            p++;
        }
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') { exponentSign = *p == '-' ? -1 : 1; p++; }
        if (!(*p >= '0' && *p <= '9')) return BS_PARAMETER_MALFORMED;
        while (*p >= '0' && *p <= '9') {
            if (exponentValue < 100000) exponentValue = exponentValue * 10 + (*p - '0');
            p++;
        }
    }
    {
        /* The number must end where the member does. */
        const char *q = p;
        while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') q++;
        if (*q != ',' && *q != '}') return BS_PARAMETER_MALFORMED;
    }
    exponent += exponentSign * exponentValue;
    if (!overflow && mantissa <= 9007199254740992ULL && exponent >= -22 && exponent <= 22) {
        /* Clinger's fast path: both operands exact, one correctly rounded operation. */
        double result = (double)mantissa;
        result = exponent < 0 ? result / bs_json_power10_(-exponent) : result * bs_json_power10_(exponent);
        *value = negative ? -result : result;
        return BS_PARAMETER_OK;
    }
    {
        char text[128];
        size_t n = (size_t)(p - start), i;
        char *end;
        const char *point = localeconv()->decimal_point;
        if (n >= sizeof text) return BS_PARAMETER_MALFORMED;
        memcpy(text, start, n);
        text[n] = '\0';
        if (point && point[0] && point[0] != '.' && point[1] == '\0') {
            for (i = 0; i < n; i++) if (text[i] == '.') text[i] = point[0];
        }
        *value = strtod(text, &end);
        return end == text + n ? BS_PARAMETER_OK : BS_PARAMETER_MALFORMED;
    }
}

/* The whole number `name`: a JSON number without a fractional part, of magnitude below 2^63.
 * JSON numbers are doubles, so a whole number is exact up to 2^53 in magnitude. */
static inline int bs_parameter_integer(const char *json, const char *name, int64_t *value) {
    double number;
    int found = bs_parameter_number(json, name, &number);
    if (found != BS_PARAMETER_OK) return found;
    /* The range first: converting a double outside int64_t's range is undefined. */
    if (!(number >= -9223372036854775808.0 && number < 9223372036854775808.0)) return BS_PARAMETER_WRONG_TYPE;
    if ((double)(int64_t)number != number) return BS_PARAMETER_WRONG_TYPE;
    *value = (int64_t)number;
    return BS_PARAMETER_OK;
}

/* The boolean `name` (`true` or `false`): 1 or 0. */
static inline int bs_parameter_bool(const char *json, const char *name, int *value) {
    bs_json_cursor_ c;
    int found = bs_json_find_(json, name, &c);
    if (found != BS_PARAMETER_OK) return found;
    if (strncmp(c.at, "true", 4) == 0) { *value = 1; return BS_PARAMETER_OK; }
    if (strncmp(c.at, "false", 5) == 0) { *value = 0; return BS_PARAMETER_OK; }
    return BS_PARAMETER_WRONG_TYPE;
}

/* The string `name`, decoded (escapes resolved) into `buffer` of `capacity` bytes with its NUL.
 * A string holding U+0000 cannot be a C string: BS_PARAMETER_WRONG_TYPE. */
static inline int bs_parameter_string(const char *json, const char *name, char *buffer, size_t capacity) {
    bs_json_cursor_ c;
    size_t length;
    int fits, nul;
    int found = bs_json_find_(json, name, &c);
    if (found != BS_PARAMETER_OK) return found;
    if (*c.at != '"') return BS_PARAMETER_WRONG_TYPE;
    {
        bs_json_cursor_ probe = c;
        if (bs_json_text_(&probe, NULL, 0, &length, &fits, NULL, NULL, &nul) != 0) return BS_PARAMETER_MALFORMED;
        if (nul) return BS_PARAMETER_WRONG_TYPE;
    }
    if (capacity == 0 || length + 1 > capacity) return BS_PARAMETER_TOO_LONG;
    if (bs_json_string_(&c, buffer, capacity, &length, &fits) != 0) return BS_PARAMETER_MALFORMED;
    return BS_PARAMETER_OK;
}

#endif
