/* Tuning of the refit binary classifier's decision threshold (the spec's
 * "threshold"), in the spirit of scikit-learn 1.5's
 * TunedThresholdClassifierCV, which scikit-learn 1.2.1 does not have.
 *
 * After the search, rank 0 refits the best setting on the training rows of
 * each cross-validation fold and predicts the fold's test rows: their
 * decision values (or the positive class's probabilities, for an
 * estimator without decision_function) and predict's labels. Pooled over
 * the folds, these out-of-fold scores are cut at every threshold between
 * two distinct values, a row being positive when its score is >= the
 * threshold, and the threshold whose labels score best under the
 * objective is kept. It replaces predict's rule only when it scores
 * strictly better than predict's own out-of-fold labels, so the tuned
 * labels are never worse than the default on the training folds.
 *
 * The fold fits run again on rank 0 rather than being kept from the
 * search, because a search result carries scores, not one value per test
 * row, and only the best setting's values are needed. The cost is one
 * more fit per fold, 1 / n_candidates of the search's fits. */
#ifndef GCV_THRESHOLD_H
#define GCV_THRESHOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/scorer.h"
#include "../common/status.h"
#include "../worker/task.h"

/* The maximum number of thresholds gcv_threshold_pick scores. Each costs
 * one pass over the rows, so this bounds the tuning to about a thousand
 * passes however many rows the folds contain. */
#define GCV_THRESHOLD_MAX_CUTS 1001

struct gcv_threshold_result {
    bool done;                /* a threshold was tuned, so every other field is set */
    const char *objective;    /* the scorer's name, static */
    bool from_proba;          /* the scores are probabilities, else decision values */
    int32_t positive;         /* class code scored as positive */
    int32_t negative;         /* the other class code */
    double default_threshold; /* where predict's rule cuts: 0, or 0.5 for probabilities */
    double threshold;         /* a row is positive when its score is >= threshold; equal to
                                 default_threshold when no threshold beats predict */
    bool improved;            /* the tuned threshold scores strictly better than predict */
    double default_score;     /* objective of predict's out-of-fold labels */
    double tuned_score;       /* objective of the tuned labels */
    bool has_cost;            /* the spec gives a cost_matrix */
    double default_cost;      /* mean cost of predict's out-of-fold labels */
    double tuned_cost;        /* mean cost of the tuned labels */
    size_t n_rows;            /* out-of-fold rows, pooled over the folds */
};

/* Picks the threshold for n rows with class codes y_true[n] (as
 * doubles), positive-class scores score[n] and predict's labels
 * y_default[n]. base gives the scorer input's pos_label and cost matrix.
 * Candidates are the smallest score (every row positive), the midpoints
 * between consecutive distinct scores, and the value just above the
 * largest (no row positive). When there are more than
 * GCV_THRESHOLD_MAX_CUTS of them, that many are taken evenly spaced in
 * their order, with both ends kept. Ties go
 * to the candidate nearest default_threshold. Fills every field of *out
 * except objective, from_proba and done. Costs O(n log n + n c) for c =
 * min(distinct scores + 1, GCV_THRESHOLD_MAX_CUTS).
 * Fails with GCV_ERR_NOMEM, or GCV_ERR_FIT when the objective cannot
 * score predict's labels. */
enum gcv_status gcv_threshold_pick(const struct gcv_scorer *objective,
                                   const struct gcv_scorer_input *base, const double *y_true,
                                   const double *score, const double *y_default, size_t n,
                                   int32_t positive, int32_t negative, double default_threshold,
                                   struct gcv_threshold_result *out, struct gcv_error *err);

/* Tunes the threshold of candidate for ctx->threshold_objective over the
 * folds of ctx->plan, as described above. The positive class is the
 * spec's pos_label, else class code 1. Fills *out. Fails with the status
 * of a fold fit that fails, or GCV_ERR_FIT when a fold model was fitted
 * on one class only. */
enum gcv_status gcv_threshold_tune(const struct gcv_task_context *ctx, int32_t candidate,
                                   struct gcv_threshold_result *out, struct gcv_error *err);

#endif
