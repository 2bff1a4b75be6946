/* The ridge regression solver behind Ridge and RidgeClassifier, as
 * scikit-learn 1.2.1 computes it for dense data (sklearn/linear_model/
 * _ridge.py: _BaseRidge.fit, _ridge_regression, _solve_cholesky,
 * _solve_cholesky_kernel, _solve_svd; _base.py: _preprocess_data).
 *
 * Objective, for each target column t:
 *     min_w  sum_i s_i (y_it - b_t - x_i.w)^2 + alpha ||w||^2,
 * s_i being the sample weights (1 without class weights) and the intercept
 * b_t unpenalized. With fit_intercept, X and Y are centred by their
 * s-weighted column means first and b = y_mean - x_mean.w afterwards.
 * Rows are then scaled by sqrt(s_i), and the solver is
 *   - "cholesky" (and "auto"): the normal equations (X^T X + alpha I) w =
 *     X^T y by a Cholesky factorisation (LAPACK potrf/potrs, as
 *     scipy.linalg.solve with assume_a="pos"), or, with more features than
 *     rows, the dual (X X^T + alpha I) c = y and w = X^T c. When the matrix
 *     is not positive definite, the primal falls back to "svd" and the
 *     dual to a least-squares solve (gelsd), as scikit-learn does. The
 *     primal is solved from the eigen-decomposition X^T X = V diag(lambda)
 *     V^T (LAPACK dsyevd) as w = V diag(1 / (lambda + alpha)) V^T X^T y
 *     instead, which the fold cache keeps so that each further alpha costs
 *     O(d^2), unless X^T X + alpha I has a condition number above 1e6. That
 *     solution differs from the Cholesky one by rounding only;
 *   - "svd": X = U S V^T (gesdd) and w = V diag(s / (s^2 + alpha)) U^T y,
 *     singular values <= 1e-15 dropped.
 * There is no iteration, so no stopping rule. Cost: O(n d^2 + d^3) for the
 * primal, then O(d^2) per alpha of a cached fold, O(n^2 d + n^3) for the
 * dual, O(n d min(n, d)) for the SVD. */
#ifndef GCV_RIDGE_SOLVER_H
#define GCV_RIDGE_SOLVER_H

#include <stdbool.h>
#include <stddef.h>

#include "../../common/status.h"
#include "../estimator.h"

enum gcv_ridge_solver {
    GCV_RIDGE_AUTO,      /* cholesky for dense data */
    GCV_RIDGE_CHOLESKY,
    GCV_RIDGE_SVD,
};

/* The fitted coefficients of n_targets target columns. */
struct gcv_ridge_fit {
    size_t n_features;
    size_t n_targets;
    double *coef;       /* [n_targets * n_features], row-major (coef_), owned */
    double *intercept;  /* [n_targets] (intercept_), owned */
};

/* Fits the rows of train (X only; y is read from Y) against
 * Y[train->n_rows * n_targets], row-major, in fold order, with
 * sample_weight[train->n_rows] (NULL for all 1). On success fit owns its
 * arrays (gcv_ridge_fit_free). Fails with GCV_ERR_NOMEM, or GCV_ERR_FIT
 * when LAPACK reports a failure no fallback covers. */
enum gcv_status gcv_ridge_fit(const struct gcv_rows *train, const double *Y, size_t n_targets,
                              const double *sample_weight, double alpha, bool fit_intercept,
                              enum gcv_ridge_solver solver, struct gcv_ridge_fit *fit,
                              struct gcv_error *err);

/* Writes X coef^T + intercept for rows into out[rows->n_rows * n_targets],
 * row-major (decision_function). Fails with GCV_ERR_NOMEM, or GCV_ERR_DATA
 * when the rows have another number of features; name is the estimator's,
 * for that message. */
enum gcv_status gcv_ridge_decision(const struct gcv_ridge_fit *fit, const char *name,
                                   const struct gcv_rows *rows, double *out,
                                   struct gcv_error *err);

/* Frees the arrays of fit. Accepts a zeroed fit. */
void gcv_ridge_fit_free(struct gcv_ridge_fit *fit);

/* Writes fit's shape, coef and intercept into the model group
 * (common/model_file.h). */
enum gcv_status gcv_ridge_fit_save(const struct gcv_ridge_fit *fit, hid_t group,
                                   struct gcv_error *err);

/* Reads what gcv_ridge_fit_save wrote into fit, which then owns its arrays
 * (gcv_ridge_fit_free); on failure fit is zeroed. */
enum gcv_status gcv_ridge_fit_load(hid_t group, struct gcv_ridge_fit *fit,
                                   struct gcv_error *err);

#endif
