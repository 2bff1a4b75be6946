/* Typed parameter values, as they appear in a spec's "params" and
 * "param_grid", and the parameter set of one candidate setting.
 *
 * A value keeps the JSON type it was written with, so that the results
 * table prints it as scikit-learn would (1 and 1.0 differ there) and each
 * estimator can reject a string where a number belongs. */
#ifndef GCV_PARAM_H
#define GCV_PARAM_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

enum gcv_value_kind {
    GCV_VALUE_NULL,
    GCV_VALUE_BOOL,
    GCV_VALUE_INT,    /* a JSON number written without fraction or exponent */
    GCV_VALUE_REAL,   /* any other JSON number */
    GCV_VALUE_STRING,
};

struct gcv_value {
    enum gcv_value_kind kind;
    bool boolean;       /* GCV_VALUE_BOOL */
    long long integer;  /* GCV_VALUE_INT */
    double real;        /* GCV_VALUE_REAL, and GCV_VALUE_INT converted */
    char *string;       /* GCV_VALUE_STRING: owned, NUL-terminated */
};

/* One named value. `where` locates it in the spec for error messages
 * ("param_grid[0].C[2], line 9 column 14"); both strings are owned. */
struct gcv_param {
    char *name;
    struct gcv_value value;
    char *where;
};

/* An ordered list of named values: the fixed "params" merged with one
 * candidate's grid values. Names are unique. */
struct gcv_param_set {
    struct gcv_param *items; /* [count], owned */
    size_t count;
};

/* Returns true when value is a number (integer or real) and stores it as a
 * double in *out. */
bool gcv_value_as_number(const struct gcv_value *value, double *out);

/* Returns true when the two values have the same kind and content. An
 * integer and a real are different values (unlike Python, where 1 == 1.0),
 * because cv_results prints them differently. */
bool gcv_value_equal(const struct gcv_value *a, const struct gcv_value *b);

/* Orders values by kind, then by content: false before true, numbers
 * ascending with NaN last, strings by strcmp. Returns a negative number, 0
 * or a positive number, as strcmp does, and 0 exactly when
 * gcv_value_equal holds, so sorting puts equal values next to each other. */
int gcv_value_compare(const struct gcv_value *a, const struct gcv_value *b);

/* Writes the value as Python's repr would print it (0.001, 10, 'rbf', True,
 * None) into buf of size len. Returns the length that the full text needs,
 * as snprintf does. */
int gcv_value_format_python(const struct gcv_value *value, char *buf, size_t len);

/* Writes the value as JSON text into buf of size len. Returns the length
 * that the full text needs, as snprintf does. */
int gcv_value_format_json(const struct gcv_value *value, char *buf, size_t len);

/* Deep-copies src into dst. Returns GCV_ERR_NOMEM on allocation failure,
 * leaving dst as a null value. */
enum gcv_status gcv_value_copy(struct gcv_value *dst, const struct gcv_value *src,
                               struct gcv_error *err);

/* Frees the string a value owns; the value becomes null. Accepts NULL. */
void gcv_value_clear(struct gcv_value *value);

/* Returns the item named name, or NULL. */
const struct gcv_param *gcv_param_set_find(const struct gcv_param_set *set,
                                           const char *name);

/* Sets name to a copy of value (and of where, which may be NULL), replacing
 * an existing item of that name in place or appending a new one. */
enum gcv_status gcv_param_set_put(struct gcv_param_set *set, const char *name,
                                  const struct gcv_value *value, const char *where,
                                  struct gcv_error *err);

/* Frees every item and resets the set to empty. Accepts NULL. */
void gcv_param_set_clear(struct gcv_param_set *set);

/* Writes the shortest decimal text that reads back as exactly x ("0.1",
 * "1e-05", "100.0" when python_style and x is integral), as Python's repr
 * does for floats. Returns the length needed, as snprintf does. */
int gcv_format_double(double x, bool python_style, char *buf, size_t len);

#endif
