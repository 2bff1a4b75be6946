/* Scorers: scikit-learn 1.2.1's `scoring` names, each a function of the
 * true values of the rows being scored and of what a fitted model outputs
 * for them. Greater is better, as in scikit-learn, so losses and errors are
 * negated (neg_log_loss, neg_mean_squared_error, and max_error, which keeps
 * its name).
 *
 * Class labels travel as class codes: the position of the label among the
 * dataset's sorted classes (common/dataset.h). Codes sort as the labels do,
 * so every metric that only compares labels gives scikit-learn's value on
 * the codes. Where the positive class matters, the caller gives its code.
 *
 * Where scikit-learn warns and goes on, the scorer does the same through
 * gcv_log_warn. That covers a division by zero in precision, recall, F1 or
 * Jaccard, which scores 0.0 with an UndefinedMetricWarning. Each kind of
 * warning has one fixed text, so a search prints it once however many fits
 * raise it. Where scikit-learn raises, the score fails with GCV_ERR_FIT and
 * the search's error_score takes its place. */
#ifndef GCV_SCORER_H
#define GCV_SCORER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

enum gcv_scorer_target {
    GCV_SCORER_CLASSIFICATION, /* y holds class codes */
    GCV_SCORER_REGRESSION,     /* y holds targets */
};

/* The model output a scorer reads, as scikit-learn's make_scorer names it. */
enum gcv_scorer_needs {
    GCV_SCORER_NEEDS_LABELS,    /* predict */
    GCV_SCORER_NEEDS_THRESHOLD, /* decision_function, or predict_proba when the estimator
                                   has no decision_function (needs_threshold) */
    GCV_SCORER_NEEDS_PROBA,     /* predict_proba (needs_proba) */
};

/* The rows being scored: their true values and the model's outputs. Every
 * pointer is borrowed for the call. An output is NULL when no scorer of
 * the search needs it. */
struct gcv_scorer_input {
    size_t n_rows;
    const double *y_true;     /* [n_rows] class codes as doubles, or targets */
    const double *y_pred;     /* [n_rows] predict: class codes as doubles, or targets */
    bool has_decision_function; /* the estimator has decision_function, which threshold
                                   scorers then use, as scikit-learn does, before
                                   predict_proba */
    const double *decision;   /* [n_rows] decision_function of a model fitted on two classes,
                                 positive for classes[1]; NULL for a model fitted on more
                                 classes or an estimator without decision_function */
    const double *proba;      /* [n_rows * n_classes] predict_proba, row-major, one column
                                 per entry of classes */
    const int32_t *classes;   /* [n_classes] class codes the model was fitted on, ascending
                                 (scikit-learn's classes_); set with decision or proba */
    size_t n_classes;
    int32_t pos_label;        /* code of the positive class of binary scorers, -1 when the
                                 dataset has none (its labels are not {0, 1} or {-1, 1} and
                                 the spec gives no pos_label) */
    bool pos_label_given;     /* the spec sets pos_label: scikit-learn's make_scorer(...,
                                 pos_label=...) for the scorers that take it */
    const double *cost_matrix; /* [n_cost_classes * n_cost_classes] row-major, the cost of
                                  predicting class code j for a row of class code i; NULL
                                  without the spec's cost_matrix */
    size_t n_cost_classes;
};

struct gcv_scorer {
    const char *name;
    enum gcv_scorer_target target;
    enum gcv_scorer_needs needs;
    bool binary_only;      /* raises in scikit-learn unless y has two classes */
    bool uses_pos_label;   /* the score depends on which class is positive */

    /* Scores the rows into *out. Returns GCV_ERR_FIT, with the reason in
     * err, where scikit-learn raises for these rows; GCV_ERR_NOMEM. Call it
     * through gcv_scorer_score. */
    enum gcv_status (*score)(const struct gcv_scorer *scorer, const struct gcv_scorer_input *in,
                             double *out, struct gcv_error *err);
    int variant;           /* the score function's own selector, such as the average */
};

/* Scores in with scorer into *out. Rejects an empty set of rows and a
 * missing output that the scorer needs (GCV_ERR_FIT and GCV_ERR_INTERNAL).
 * *out is left alone on failure. */
enum gcv_status gcv_scorer_score(const struct gcv_scorer *scorer,
                                 const struct gcv_scorer_input *in, double *out,
                                 struct gcv_error *err);

/* Sets *total to the total cost of a confusion matrix, numpy's
 * (counts * cost).sum(): the products in row-major order, summed pairwise.
 * counts and cost are [n_classes * n_classes], row-major, rows true
 * class. Fails only with GCV_ERR_NOMEM. */
enum gcv_status gcv_scorer_total_cost(const size_t *counts, const double *cost,
                                      size_t n_classes, double *total, struct gcv_error *err);

/* Returns the scorer named name, or NULL. Names are case-sensitive. */
const struct gcv_scorer *gcv_scorer_find(const char *name);

/* Returns the scorer scikit-learn's estimators use by default: accuracy
 * for classifiers, r2 for regressors. */
const struct gcv_scorer *gcv_scorer_default(enum gcv_scorer_target target);

/* Writes the scorer names for target, comma-separated, into buf of size
 * len, cut short when it does not fit. */
void gcv_scorer_list_names(enum gcv_scorer_target target, char *buf, size_t len);

/* Returns the name of target's scorer closest to name in edit distance, when
 * at most strlen(name) / 3 + 1 edits apart, or NULL. The string is static. */
const char *gcv_scorer_suggest(const char *name, enum gcv_scorer_target target);

#endif
