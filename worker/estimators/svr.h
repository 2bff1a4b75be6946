/* scikit-learn's SVR (epsilon-support vector regression) as of 1.2.1:
 * libsvm's epsilon-SVR solved by the SMO solver of smo.h, with
 * scikit-learn's parameter names, defaults and range checks
 * (sklearn/svm/_classes.py, _base.py).
 *
 * Not supported yet, and rejected with a message: kernel "precomputed" or a
 * callable, and sample weights. */
#ifndef GCV_SVR_H
#define GCV_SVR_H

#include <stdbool.h>
#include <stddef.h>

#include "../estimator.h"
#include "kernel.h"

extern const struct gcv_estimator_ops gcv_svr_ops;

enum gcv_svr_gamma {
    GCV_SVR_GAMMA_SCALE, /* 1 / (n_features * X.var()), or 1 when the variance is 0 */
    GCV_SVR_GAMMA_AUTO,  /* 1 / n_features */
    GCV_SVR_GAMMA_VALUE, /* the number in gamma_value */
};

/* The parsed parameters of one candidate; gcv_svr_ops.params_parse fills
 * every field, defaults included. */
struct gcv_svr_params {
    double C;
    double epsilon;           /* half-width of the tube in which errors cost nothing */
    enum gcv_kernel_type kernel;
    enum gcv_svr_gamma gamma;
    double gamma_value;       /* GCV_SVR_GAMMA_VALUE only */
    int degree;
    double coef0;
    double tol;
    bool shrinking;
    double cache_size;        /* megabytes of kernel cache */
    long long max_iter;       /* -1 for no limit */
};

/* A fitted model; the void *model of gcv_svr_ops points to one. The fields
 * are scikit-learn's attributes of the same names. */
struct gcv_svr_model {
    struct gcv_kernel kernel;  /* gamma resolved from "scale" or "auto" (_gamma) */
    size_t n_features;
    size_t n_sv;
    size_t *support;           /* [n_sv] positions in the training rows, ascending (support_) */
    double *support_vectors;   /* [n_sv * n_features], row-major (support_vectors_) */
    double *sv_norms;          /* [n_sv] squared norms of the support vectors */
    double *dual_coef;         /* [n_sv] alpha_i - alpha*_i (dual_coef_) */
    double rho;                /* intercept_ is -rho */
    long long n_iter;          /* SMO iterations (n_iter_) */
    bool converged;            /* false when the solver stopped at max_iter */
    char warning[160];         /* the ConvergenceWarning text, or "" */
    uint64_t fold_rows_id;     /* the fold cache's item of the training rows, 0 when they
                                  were not cached (worker/fold_cache.h) */
};

#endif
