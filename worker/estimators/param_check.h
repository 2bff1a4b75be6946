/* Checks of estimator parameters shared by the estimators: reading a
 * number, an integer, a boolean or one of a set of strings out of a
 * parameter value, and the messages that reject one.
 *
 * Every message has the form "NAME must be EXPECTED, got VALUE (WHERE)",
 * WHERE being the parameter's location in the spec when it is known. The
 * ranges follow the _parameter_constraints of scikit-learn 1.2.1, and the
 * status is always GCV_ERR_PARAM. */
#ifndef GCV_PARAM_CHECK_H
#define GCV_PARAM_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "../../common/param.h"
#include "../../common/status.h"

/* Fails with "NAME must be EXPECTED, got VALUE (WHERE)". */
enum gcv_status gcv_param_check_reject(const struct gcv_param *param, const char *expected,
                                       struct gcv_error *err);

/* Fails with "NAME=VALUE is not supported yet: REASON (WHERE)", for values
 * that scikit-learn accepts and gridcv does not implement. */
enum gcv_status gcv_param_check_unsupported(const struct gcv_param *param, const char *reason,
                                            struct gcv_error *err);

/* Fails with "unknown ESTIMATOR parameter "NAME" (WHERE); accepted: ACCEPTED". */
enum gcv_status gcv_param_check_unknown(const char *estimator, const struct gcv_param *param,
                                        const char *accepted, struct gcv_error *err);

/* Returns true when the value is the string text. */
bool gcv_param_check_is_string(const struct gcv_param *param, const char *text);

/* Reads a finite number (an integer or a real, never a boolean) that is
 * >= lower, or > lower when strict. */
enum gcv_status gcv_param_check_number(const struct gcv_param *param, double lower, bool strict,
                                       const char *expected, double *out,
                                       struct gcv_error *err);

/* Reads a JSON integer in [lower, upper]; a real such as 5.0 is rejected,
 * as scikit-learn rejects a float where an Integral belongs. */
enum gcv_status gcv_param_check_integer(const struct gcv_param *param, long long lower,
                                        long long upper, const char *expected, long long *out,
                                        struct gcv_error *err);

/* Reads true or false. As scikit-learn 1.2 does (with a FutureWarning), an
 * integer is accepted as a boolean, with a warning naming estimator. */
enum gcv_status gcv_param_check_bool(const char *estimator, const struct gcv_param *param,
                                     bool *out, struct gcv_error *err);

/* Reads one of the strings choices[0..n_choices) and stores its position
 * in *out; expected is the list shown when the value is none of them. */
enum gcv_status gcv_param_check_choice(const struct gcv_param *param,
                                       const char *const *choices, size_t n_choices,
                                       const char *expected, int *out, struct gcv_error *err);

/* Accepts the value of a parameter that changes nothing in gridcv (verbose,
 * copy_X, n_jobs, random_state of a deterministic solver) when it has one
 * of scikit-learn's accepted types: kinds is a bit set of
 * (1 << enum gcv_value_kind). */
enum gcv_status gcv_param_check_ignored(const struct gcv_param *param, unsigned kinds,
                                        const char *expected, struct gcv_error *err);

#define GCV_PARAM_KIND(kind) (1u << (kind))

/* One parameter an estimator accepts, and the function that checks its
 * value and stores it into the estimator's own parameter struct. */
struct gcv_param_check_entry {
    const char *name;
    enum gcv_status (*parse)(const struct gcv_param *param, void *out, struct gcv_error *err);
};

/* Checks every item of params against table[0..n_entries) and stores each
 * into out, stopping at the first failure. A name missing from the table
 * fails with gcv_param_check_unknown, listing the table's names. */
enum gcv_status gcv_param_check_all(const char *estimator, const struct gcv_param_set *params,
                                    const struct gcv_param_check_entry *table, size_t n_entries,
                                    void *out, struct gcv_error *err);

#endif
