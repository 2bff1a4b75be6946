/* scikit-learn 1.2.1's LinearSVC (sklearn/svm/_classes.py, _base.py
 * _fit_liblinear) with scikit-learn's parameter names, defaults and
 * checks, fitted by the LIBLINEAR solvers that scikit-learn's copy of
 * LIBLINEAR runs for each accepted combination of penalty, loss and dual:
 *
 *     penalty  loss            dual   solver
 *     "l2"     "hinge"         true   dual coordinate descent (L2R_L1LOSS_SVC_DUAL)
 *     "l2"     "squared_hinge" true   dual coordinate descent (L2R_L2LOSS_SVC_DUAL)
 *     "l2"     "squared_hinge" false  trust-region Newton (L2R_L2LOSS_SVC)
 *     "l1"     "squared_hinge" false  primal coordinate descent (L1R_L2LOSS_SVC)
 *
 * Every other combination is rejected when the parameters are parsed, as
 * scikit-learn rejects it when fitting. With fit_intercept each row gets
 * an extra feature equal to intercept_scaling, whose weight is penalised
 * like the others (intercept_ = intercept_scaling * that weight). With
 * multi_class "ovr", two classes give one binary problem and more give
 * one problem per class against the rest. multi_class "crammer_singer"
 * ignores penalty, loss and dual and fits LIBLINEAR's Crammer-Singer
 * solver (MCSVM_CS) on all classes at once. linear_svc.c states each
 * solver's objective and stopping rule.
 *
 * Warm starts (fit_from) run along increasing C: every solver starts from
 * the solution of the same problem at the smaller C before it.
 *
 * Not supported yet, and rejected with a message: class_weight given as
 * a mapping, and sample weights. */
#ifndef GCV_LINEAR_SVC_H
#define GCV_LINEAR_SVC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../estimator.h"

extern const struct gcv_estimator_ops gcv_linear_svc_ops;

/* LIBLINEAR's solvers that LinearSVC uses, by LIBLINEAR's names. */
enum gcv_linear_svc_solver {
    GCV_LINEAR_SVC_L2R_L1LOSS_DUAL, /* penalty "l2", loss "hinge", dual */
    GCV_LINEAR_SVC_L2R_L2LOSS_DUAL, /* penalty "l2", loss "squared_hinge", dual */
    GCV_LINEAR_SVC_L2R_L2LOSS,      /* penalty "l2", loss "squared_hinge", primal */
    GCV_LINEAR_SVC_L1R_L2LOSS,      /* penalty "l1", loss "squared_hinge", primal */
};

/* The parsed parameters of one candidate. */
struct gcv_linear_svc_params {
    enum gcv_linear_svc_solver solver; /* from penalty, loss and dual; unused by crammer_singer */
    double C;
    double tol;
    long long max_iter;
    bool fit_intercept;
    double intercept_scaling;
    bool class_weight_balanced;
    uint32_t random_state;             /* null is read as 0 */
    bool crammer_singer;               /* multi_class "crammer_singer", else "ovr" */
};

/* A fitted model: one row of coefficients per decision column. */
struct gcv_linear_svc_model {
    size_t n_features;
    size_t n_classes;         /* classes present in the training rows (classes_) */
    int32_t *classes;         /* [n_classes] dataset class codes, ascending, owned */
    size_t n_rows;            /* 1 for two classes, else n_classes */
    double *coef;             /* [n_rows * n_features] (coef_), owned */
    double *intercept;        /* [n_rows] (intercept_), owned */
    long long n_iter;         /* maximum iteration count over the problems (n_iter_) */
    bool converged;           /* false when n_iter reached max_iter */
    char warning[192];        /* the ConvergenceWarning text, or "" */

    /* The solver's final variables, which a warm start (fit_from) begins
     * from, with the training rows grouped by class as the fit groups
     * them. The dual solvers keep alpha[n_rows * n_train], one row per
     * problem. The primal ones keep w[n_rows * (n_features + 1)], whose
     * last entry in each row is the intercept feature's weight (0 without
     * fit_intercept). Crammer-Singer keeps alpha[n_train * n_classes],
     * row-major. Owned, and NULL for a loaded model. */
    size_t n_train;           /* training rows of the fit */
    size_t n_solution;        /* entries of solution */
    double *solution;
};

/* Writes scikit-learn's decision_function of rows into
 * out[rows->n_rows * model->n_rows]: one column for two classes (positive
 * for classes[1]), else one per class. */
enum gcv_status gcv_linear_svc_decision(const struct gcv_linear_svc_model *model,
                                        const struct gcv_rows *rows, double *out,
                                        struct gcv_error *err);

#endif
