/* scikit-learn 1.2.1's Ridge (least squares with an L2 penalty) and
 * RidgeClassifier (ridge regression on -1/+1 class indicators), on the
 * dense solver of ridge_solver.h, with scikit-learn's parameter names,
 * defaults and range checks (sklearn/linear_model/_ridge.py).
 *
 * Solvers "auto", "cholesky" and "svd" are supported. Not supported yet,
 * and rejected with a message: the iterative solvers ("lsqr",
 * "sparse_cg", "sag", "saga", "lbfgs"), positive=true, alpha as an array,
 * sample weights and class_weight given as a mapping. */
#ifndef GCV_RIDGE_H
#define GCV_RIDGE_H

#include <stdbool.h>

#include "../estimator.h"
#include "ridge_solver.h"

extern const struct gcv_estimator_ops gcv_ridge_ops;
extern const struct gcv_estimator_ops gcv_ridge_classifier_ops;

/* The parsed parameters of one candidate of either estimator. */
struct gcv_ridge_params {
    const char *estimator;       /* "Ridge" or "RidgeClassifier", for messages */
    double alpha;
    bool fit_intercept;
    enum gcv_ridge_solver solver;
    bool class_weight_balanced;  /* RidgeClassifier only */
};

/* Checks params for Ridge (classifier false) or RidgeClassifier (true,
 * which also accepts class_weight) into a malloc'd struct
 * gcv_ridge_params, defaults included. */
enum gcv_status gcv_ridge_params_parse(bool classifier, const struct gcv_param_set *params,
                                       void **out, struct gcv_error *err);

/* A fitted RidgeClassifier. */
struct gcv_ridge_classifier_model {
    struct gcv_ridge_fit fit;  /* one target column for two classes, else one per class */
    size_t n_classes;          /* classes present in the training rows (classes_) */
    int32_t *classes;          /* [n_classes] dataset class codes, ascending, owned */
};

/* Writes scikit-learn's decision_function of rows into
 * out[rows->n_rows * n_columns], n_columns being 1 for two classes (positive
 * for classes[1]) and n_classes otherwise. */
enum gcv_status gcv_ridge_classifier_decision(const struct gcv_ridge_classifier_model *model,
                                              const struct gcv_rows *rows, double *out,
                                              struct gcv_error *err);

#endif
