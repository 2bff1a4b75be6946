#include "param.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool gcv_value_as_number(const struct gcv_value *value, double *out)
{
    if (value->kind == GCV_VALUE_INT) {
        *out = (double)value->integer;
        return true;
    }
    if (value->kind == GCV_VALUE_REAL) {
        *out = value->real;
        return true;
    }
    return false;
}

bool gcv_value_equal(const struct gcv_value *a, const struct gcv_value *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case GCV_VALUE_NULL:
        return true;
    case GCV_VALUE_BOOL:
        return a->boolean == b->boolean;
    case GCV_VALUE_INT:
        return a->integer == b->integer;
    case GCV_VALUE_REAL:
        return a->real == b->real || (isnan(a->real) && isnan(b->real));
    case GCV_VALUE_STRING:
        return strcmp(a->string, b->string) == 0;
    }
    return false;
}

int gcv_value_compare(const struct gcv_value *a, const struct gcv_value *b)
{
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    switch (a->kind) {
    case GCV_VALUE_NULL:
        return 0;
    case GCV_VALUE_BOOL:
        return (int)a->boolean - (int)b->boolean;
    case GCV_VALUE_INT:
        return (a->integer > b->integer) - (a->integer < b->integer);
    case GCV_VALUE_REAL:
        if (isnan(a->real) || isnan(b->real))
            return (int)isnan(a->real) - (int)isnan(b->real);
        return (a->real > b->real) - (a->real < b->real);
    case GCV_VALUE_STRING:
        return strcmp(a->string, b->string);
    }
    return 0;
}

int gcv_format_double(double x, bool python_style, char *buf, size_t len)
{
    char text[64];
    int precision;

    if (isnan(x))
        return snprintf(buf, len, "%s", python_style ? "nan" : "NaN");
    if (isinf(x))
        return snprintf(buf, len, "%s", x > 0 ? (python_style ? "inf" : "Infinity")
                                                : (python_style ? "-inf" : "-Infinity"));

    /* The shortest %.*g text that reads back as exactly x, as Python's repr
     * chooses; 17 significant digits always round-trip a double. */
    for (precision = 1; precision <= 17; precision++) {
        snprintf(text, sizeof text, "%.*g", precision, x);
        if (strtod(text, NULL) == x)
            break;
    }

    /* Python writes an integral float with ".0" and uses exponents from
     * 1e16 up and below 1e-4, while %g switches to exponents at the
     * precision. So integral values below 1e16 are rewritten in fixed
     * notation, and values from 1e16 up in exponent notation, which %g
     * misses for 17 digits (12345678901234568.0 is 1.2345678901234568e+16). */
    if (python_style && fabs(x) < 1e16 && x == floor(x))
        snprintf(text, sizeof text, "%.1f", x);
    else if (python_style && fabs(x) >= 1e16)
        snprintf(text, sizeof text, "%.*e", precision - 1, x);
    return snprintf(buf, len, "%s", text);
}

/* Appends printf-formatted text at buf + used, counting what does not fit
 * as snprintf does. Used by the string formatters below, which declare
 * buf, len, used and n. */
#define APPEND(...)                                                              \
    do {                                                                         \
        n = snprintf(used < len ? buf + used : NULL, used < len ? len - used : 0, \
                     __VA_ARGS__);                                               \
        if (n < 0)                                                               \
            return n;                                                            \
        used += (size_t)n;                                                       \
    } while (0)

/* Writes s as Python 3's repr of a str: in single quotes, or in double
 * quotes when s contains a single quote and no double quote. The chosen
 * quote and backslashes are escaped, tab, newline and carriage return
 * become \t, \n and \r, and other ASCII control characters \xNN.
 * NOTE: bytes from 0x80 up are copied as they are, although Python escapes
 * the non-printable code points among them (such as U+0085). */
static int format_python_string(const char *s, char *buf, size_t len)
{
    char quote = strchr(s, '\'') != NULL && strchr(s, '"') == NULL ? '"' : '\'';
    size_t used = 0;
    int n;

    APPEND("%c", quote);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == (unsigned char)quote || c == '\\')
            APPEND("\\%c", c);
        else if (c == '\t')
            APPEND("\\t");
        else if (c == '\n')
            APPEND("\\n");
        else if (c == '\r')
            APPEND("\\r");
        else if (c < 0x20 || c == 0x7f)
            APPEND("\\x%02x", c);
        else
            APPEND("%c", c);
    }
    APPEND("%c", quote);
    return (int)used;
}

int gcv_value_format_python(const struct gcv_value *value, char *buf, size_t len)
{
    switch (value->kind) {
    case GCV_VALUE_NULL:
        return snprintf(buf, len, "None");
    case GCV_VALUE_BOOL:
        return snprintf(buf, len, "%s", value->boolean ? "True" : "False");
    case GCV_VALUE_INT:
        return snprintf(buf, len, "%lld", value->integer);
    case GCV_VALUE_REAL:
        return gcv_format_double(value->real, true, buf, len);
    case GCV_VALUE_STRING:
        return format_python_string(value->string, buf, len);
    }
    return snprintf(buf, len, "?");
}

/* Writes s as a JSON string literal, escaping quotes, backslashes and
 * control characters. */
static int format_json_string(const char *s, char *buf, size_t len)
{
    size_t used = 0;
    int n;

    APPEND("\"");
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            APPEND("\\%c", c);
        else if (c < 0x20)
            APPEND("\\u%04x", c);
        else
            APPEND("%c", c);
    }
    APPEND("\"");
    return (int)used;
}

int gcv_value_format_json(const struct gcv_value *value, char *buf, size_t len)
{
    switch (value->kind) {
    case GCV_VALUE_NULL:
        return snprintf(buf, len, "null");
    case GCV_VALUE_BOOL:
        return snprintf(buf, len, "%s", value->boolean ? "true" : "false");
    case GCV_VALUE_INT:
        return snprintf(buf, len, "%lld", value->integer);
    case GCV_VALUE_REAL:
        if (!isfinite(value->real))
            return snprintf(buf, len, "null");
        return gcv_format_double(value->real, true, buf, len);
    case GCV_VALUE_STRING:
        return format_json_string(value->string, buf, len);
    }
    return snprintf(buf, len, "null");
}

enum gcv_status gcv_value_copy(struct gcv_value *dst, const struct gcv_value *src,
                               struct gcv_error *err)
{
    *dst = *src;
    if (src->kind == GCV_VALUE_STRING) {
        dst->string = strdup(src->string);
        if (dst->string == NULL) {
            dst->kind = GCV_VALUE_NULL;
            return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory copying a parameter value");
        }
    }
    return GCV_OK;
}

void gcv_value_clear(struct gcv_value *value)
{
    if (value == NULL)
        return;
    if (value->kind == GCV_VALUE_STRING)
        free(value->string);
    memset(value, 0, sizeof *value);
    value->kind = GCV_VALUE_NULL;
}

const struct gcv_param *gcv_param_set_find(const struct gcv_param_set *set, const char *name)
{
    for (size_t i = 0; i < set->count; i++)
        if (strcmp(set->items[i].name, name) == 0)
            return &set->items[i];
    return NULL;
}

enum gcv_status gcv_param_set_put(struct gcv_param_set *set, const char *name,
                                  const struct gcv_value *value, const char *where,
                                  struct gcv_error *err)
{
    struct gcv_param item = {0};
    struct gcv_param *grown;

    item.name = strdup(name);
    item.where = where != NULL ? strdup(where) : NULL;
    if (item.name == NULL || (where != NULL && item.where == NULL))
        goto nomem;
    if (gcv_value_copy(&item.value, value, err) != GCV_OK)
        goto nomem;

    for (size_t i = 0; i < set->count; i++) {
        if (strcmp(set->items[i].name, name) == 0) {
            free(set->items[i].name);
            free(set->items[i].where);
            gcv_value_clear(&set->items[i].value);
            set->items[i] = item;
            return GCV_OK;
        }
    }

    grown = realloc(set->items, (set->count + 1) * sizeof *grown);
    if (grown == NULL)
        goto nomem;
    set->items = grown;
    set->items[set->count++] = item;
    return GCV_OK;

nomem:
    free(item.name);
    free(item.where);
    gcv_value_clear(&item.value);
    return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory storing parameter %s", name);
}

void gcv_param_set_clear(struct gcv_param_set *set)
{
    if (set == NULL)
        return;
    for (size_t i = 0; i < set->count; i++) {
        free(set->items[i].name);
        free(set->items[i].where);
        gcv_value_clear(&set->items[i].value);
    }
    free(set->items);
    set->items = NULL;
    set->count = 0;
}
