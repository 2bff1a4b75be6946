/* scikit-learn 1.2.1's ElasticNet and Lasso (ElasticNet with l1_ratio 1)
 * on dense data (sklearn/linear_model/_coordinate_descent.py and its
 * Cython solver _cd_fast.pyx, enet_coordinate_descent), with
 * scikit-learn's parameter names, defaults and range checks.
 *
 * Objective, after centring X and y when fit_intercept:
 *     1 / (2 n) ||y - X w||^2 + alpha l1_ratio ||w||_1
 *         + alpha (1 - l1_ratio) / 2 ||w||^2,
 * which the solver minimises multiplied by n, with l1 = alpha l1_ratio n
 * and l2 = alpha (1 - l1_ratio) n.
 *
 * Method: cyclic coordinate descent (Friedman, Hastie & Tibshirani,
 * "Regularization paths for generalized linear models via coordinate
 * descent", J. Stat. Softw. 33, 2010) from w = 0, or from the previous
 * alpha's coefficients on a warm start: for each feature in
 * order, w_j = S(X_j^T r_j, l1) / (|X_j|^2 + l2), S the soft threshold
 * and r_j the residual without feature j, the residual kept up to date
 * with BLAS axpy as scikit-learn does.
 *
 * Stopping rule: after a sweep whose largest coordinate change is below
 * tol times the largest coefficient (or all coefficients are 0, or on the
 * last allowed sweep), the duality gap of the problem is computed as
 * scikit-learn does; the fit stops when it is below tol ||y||^2. A fit
 * that ends at max_iter sweeps is kept, with a ConvergenceWarning.
 *
 * Cost: O(n n_features) per sweep.
 *
 * Not supported yet, and rejected with a message: precompute=true or a
 * Gram matrix, selection="random", positive=true, and sample weights. */
#ifndef GCV_ENET_H
#define GCV_ENET_H

#include <stdbool.h>
#include <stddef.h>

#include "../estimator.h"

extern const struct gcv_estimator_ops gcv_elastic_net_ops;
extern const struct gcv_estimator_ops gcv_lasso_ops;

/* The parsed parameters of one candidate of either estimator. */
struct gcv_enet_params {
    double alpha;
    double l1_ratio;          /* 1 for Lasso */
    bool fit_intercept;
    long long max_iter;
    double tol;
};

/* A fitted model. */
struct gcv_enet_model {
    size_t n_features;
    double *coef;             /* [n_features] (coef_), owned */
    double intercept;         /* (intercept_) */
    double dual_gap;          /* the last duality gap, divided by n (dual_gap_) */
    long long n_iter;         /* sweeps (n_iter_) */
    bool converged;           /* false when the fit ended at max_iter */
    char warning[160];        /* the ConvergenceWarning text, or "" */
};

/* Checks params for estimator, ElasticNet (lasso false) or Lasso (true,
 * which has no l1_ratio), into a malloc'd struct gcv_enet_params. */
enum gcv_status gcv_enet_params_parse(bool lasso, const struct gcv_param_set *params,
                                      void **out, struct gcv_error *err);

/* Fits, predicts and frees the model of either estimator; name is the
 * estimator's, for messages. */
enum gcv_status gcv_enet_fit(const char *name, const struct gcv_enet_params *params,
                             const struct gcv_rows *train, struct gcv_enet_model **model,
                             struct gcv_error *err);
/* Fits as gcv_enet_fit, starting coordinate descent from previous's
 * coefficients (a warm start along alpha, as scikit-learn's enet_path
 * does) when previous is not NULL. previous is borrowed for the call and
 * must have been fitted on rows with the same features. */
enum gcv_status gcv_enet_fit_from(const char *name, const struct gcv_enet_params *params,
                                  const struct gcv_rows *train,
                                  const struct gcv_enet_model *previous,
                                  struct gcv_enet_model **model, struct gcv_error *err);
enum gcv_status gcv_enet_predict(const char *name, const struct gcv_enet_model *model,
                                 const struct gcv_rows *rows, double *out,
                                 struct gcv_error *err);
void gcv_enet_model_free(void *model);

/* gcv_estimator_ops.save of Lasso and ElasticNet: coef_ and intercept_,
 * which are all that prediction reads. */
enum gcv_status gcv_enet_model_save(const void *model, hid_t group, struct gcv_error *err);

/* gcv_estimator_ops.load of Lasso and ElasticNet: the inverse of
 * gcv_enet_model_save; the model reports convergence and 0 sweeps. */
enum gcv_status gcv_enet_model_load(hid_t group, void **model, struct gcv_error *err);

#endif
