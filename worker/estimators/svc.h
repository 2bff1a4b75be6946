/* scikit-learn's SVC (C-support vector classification) as of 1.2.1:
 * libsvm's C-SVC trained one-vs-one, one binary SMO problem per pair of
 * classes, and predictions by libsvm's vote.
 *
 * Parameters keep scikit-learn's names, defaults and range checks (see
 * sklearn/svm/_classes.py and _base.py). probability=true adds Platt
 * scaling (svc_probability.h) and predict_proba; predict still votes on
 * the decision values, as in scikit-learn. Not supported yet, and rejected
 * with a message: kernel "precomputed" or a callable, break_ties=true,
 * sample weights, and class_weight given as a mapping. */
#ifndef GCV_SVC_H
#define GCV_SVC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../estimator.h"
#include "kernel.h"

extern const struct gcv_estimator_ops gcv_svc_ops;

enum gcv_svc_gamma {
    GCV_SVC_GAMMA_SCALE, /* 1 / (n_features * X.var()), or 1 when the variance is 0 */
    GCV_SVC_GAMMA_AUTO,  /* 1 / n_features */
    GCV_SVC_GAMMA_VALUE, /* the number in gamma_value */
};

/* The parsed parameters of one candidate; gcv_svc_ops.params_parse fills
 * every field, defaults included. */
struct gcv_svc_params {
    double C;
    enum gcv_kernel_type kernel;
    enum gcv_svc_gamma gamma;
    double gamma_value;       /* GCV_SVC_GAMMA_VALUE only */
    int degree;
    double coef0;
    bool shrinking;
    double tol;
    double cache_size;        /* megabytes of kernel cache per binary problem */
    bool class_weight_balanced;
    long long max_iter;       /* -1 for no limit */
    bool probability;         /* fit the Platt parameters for predict_proba */
    uint32_t random_state;    /* seeds the shuffle of the Platt cross-validation;
                                 null is read as 0 */
};

/* A fitted model; the void *model of gcv_svc_ops points to one. Arrays
 * follow libsvm's layout, with support vectors grouped by class in the
 * order of classes, so scikit-learn's attributes can be read off directly. */
struct gcv_svc_model {
    struct gcv_kernel kernel;  /* gamma resolved from "scale" or "auto" */
    size_t n_features;
    size_t n_classes;          /* classes present in the training rows, >= 2 */
    int32_t *classes;          /* [n_classes] dataset class codes, ascending (classes_) */
    size_t *n_support;         /* [n_classes] support vectors of each class (n_support_) */
    size_t n_sv;
    size_t *support;           /* [n_sv] positions in the training rows (support_) */
    double *support_vectors;   /* [n_sv * n_features], row-major (support_vectors_) */
    double *sv_norms;          /* [n_sv] squared norms of the support vectors */
    double *dual_coef;         /* [(n_classes - 1) * n_sv], row-major: libsvm's sv_coef,
                                  scikit-learn's _dual_coef_ */
    double *rho;               /* [n_pairs] libsvm's rho; _intercept_ is -rho */
    long long *n_iter;         /* [n_pairs] SMO iterations of each pair (n_iter_) */
    bool converged;            /* false when some pair stopped at max_iter */
    double *prob_a;            /* [n_pairs] Platt slope of each pair (probA_), or NULL
                                  when fitted without probability */
    double *prob_b;            /* [n_pairs] Platt offset of each pair (probB_), or NULL */
    uint64_t fold_rows_id;     /* the fold cache's item of the training rows, 0 when they
                                  were not cached (worker/fold_cache.h) */
};

/* Returns the number of one-vs-one pairs, n_classes (n_classes - 1) / 2.
 * Pair p runs over (a, b), a < b, in the order (0,1), (0,2), ..., (1,2), ... */
size_t gcv_svc_n_pairs(const struct gcv_svc_model *model);

/* Writes scikit-learn's decision values with decision_function_shape="ovo"
 * for rows into out[rows->n_rows * n_pairs], row-major. For more than two
 * classes, out[r * n_pairs + p] is positive when row r votes for class a of
 * pair p. For two classes there is one column, positive for classes[1], as
 * scikit-learn negates libsvm's value there. Fails with GCV_ERR_NOMEM, or
 * GCV_ERR_DATA when the rows have another number of features. */
enum gcv_status gcv_svc_decision_function(const struct gcv_svc_model *model,
                                          const struct gcv_rows *rows, double *out,
                                          struct gcv_error *err);

#endif
