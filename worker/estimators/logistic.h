/* scikit-learn 1.2.1's LogisticRegression with its default solver "lbfgs"
 * (sklearn/linear_model/_logistic.py, _linear_loss.py, sklearn/_loss),
 * minimised by lbfgs.h, with scikit-learn's parameter names, defaults and
 * range checks.
 *
 * Objective, with raw predictions z_i = x_i.w + b and sample weights s_i
 * (the balanced class weights, else 1):
 *     sum_i s_i loss(y_i, z_i) + ||w||^2 / (2 C),
 * the intercept b unpenalised and 1 / C = 0 for penalty "none" or null.
 * This is scikit-learn's documented objective C sum loss + ||w||^2 / 2
 * divided by C, the scaling that its tol applies to. Binary problems use the half binomial
 * loss log(1 + e^z) - y z with y in {0, 1}; multinomial ones the half
 * multinomial loss logsumexp(z_i) - z_iy with one row (w, b) per class.
 * multi_class "auto" is binary for two classes and multinomial above;
 * "ovr" fits one binary problem per class (one for two classes);
 * "multinomial" with two classes keeps only the second class's row, as
 * scikit-learn does.
 *
 * Stopping rule (lbfgs.h): max |gradient| <= tol, or the relative
 * reduction test of scipy's default ftol, or max_iter iterations, when the
 * model is kept with a ConvergenceWarning.
 *
 * Not supported yet, and rejected with a message: solvers other than
 * "lbfgs", penalties "l1" and "elasticnet", dual=true, class_weight given
 * as a mapping, and sample weights. */
#ifndef GCV_LOGISTIC_H
#define GCV_LOGISTIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../estimator.h"

extern const struct gcv_estimator_ops gcv_logistic_ops;

enum gcv_logistic_multi_class {
    GCV_LOGISTIC_AUTO,
    GCV_LOGISTIC_OVR,
    GCV_LOGISTIC_MULTINOMIAL,
};

/* The parsed parameters of one candidate. */
struct gcv_logistic_params {
    double C;
    bool penalized;            /* penalty "l2", else "none" or null */
    bool fit_intercept;
    bool class_weight_balanced;
    double tol;
    long long max_iter;
    enum gcv_logistic_multi_class multi_class;
};

/* A fitted model: one row of coefficients per decision column. */
struct gcv_logistic_model {
    size_t n_features;
    size_t n_classes;          /* classes present in the training rows (classes_) */
    int32_t *classes;          /* [n_classes] dataset class codes, ascending, owned */
    size_t n_rows;             /* 1 for two classes, else n_classes */
    double *coef;              /* [n_rows * n_features] (coef_), owned */
    double *intercept;         /* [n_rows] (intercept_), owned */
    bool multinomial;          /* fitted with the multinomial loss, else one-vs-rest */
    long long n_iter;          /* L-BFGS iterations, the most of any problem (n_iter_) */
    bool converged;            /* false when a problem stopped before converging */
    char warning[192];         /* the ConvergenceWarning text, or "" */
};

/* Writes scikit-learn's decision_function of rows into
 * out[rows->n_rows * model->n_rows]: one column for two classes (positive
 * for classes[1]), else one per class. */
enum gcv_status gcv_logistic_decision(const struct gcv_logistic_model *model,
                                      const struct gcv_rows *rows, double *out,
                                      struct gcv_error *err);

#endif
