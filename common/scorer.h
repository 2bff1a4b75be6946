/* Scorers: a name, as scikit-learn's `scoring` strings name them, and a
 * function of the true and predicted values of one test fold. Greater is
 * better, as in scikit-learn (losses are negated). */
#ifndef GCV_SCORER_H
#define GCV_SCORER_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

enum gcv_scorer_target {
    GCV_SCORER_CLASSIFICATION, /* y holds class codes */
    GCV_SCORER_REGRESSION,     /* y holds targets */
};

struct gcv_scorer {
    const char *name;
    enum gcv_scorer_target target;
    /* Scores y_pred[n] against y_true[n] (class codes as doubles, or
     * targets). Returns GCV_ERR_FIT when the score is undefined for these
     * rows, with the reason in err. */
    enum gcv_status (*score)(const double *y_true, const double *y_pred, size_t n,
                             double *out, struct gcv_error *err);
};

/* Returns the scorer named name, or NULL. */
const struct gcv_scorer *gcv_scorer_find(const char *name);

/* Returns the scorer scikit-learn's estimators use by default: accuracy
 * for classifiers, r2 for regressors. */
const struct gcv_scorer *gcv_scorer_default(enum gcv_scorer_target target);

/* Writes the scorer names for target, comma-separated, into buf. */
void gcv_scorer_list_names(enum gcv_scorer_target target, char *buf, size_t len);

#endif
