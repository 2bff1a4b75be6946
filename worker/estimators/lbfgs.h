/* Unconstrained minimisation by limited-memory BFGS, following the path
 * that scipy.optimize.minimize(method="L-BFGS-B") takes without bounds
 * (scipy 1.10, which wraps L-BFGS-B 3.0 of Zhu, Byrd, Lu & Nocedal), the
 * solver behind scikit-learn's LogisticRegression(solver="lbfgs").
 *
 * Objective: min_x f(x), f smooth, from the caller's x.
 *
 * Method (Nocedal 1980; Liu & Nocedal 1989): the direction is -H g, H the
 * inverse of the L-BFGS matrix built from the last `memory` pairs
 * s = x_new - x_old, y = g_new - g_old with initial matrix theta I,
 * theta = y^T y / s^T y of the latest pair (L-BFGS-B's compact form,
 * computed here by the two-loop recursion). With no pair stored the
 * direction is -g. A pair is skipped when s^T y <= eps * (-g_old^T s).
 * Each step comes from the Moré-Thuente line search (Moré & Thuente,
 * "Line search algorithms with guaranteed sufficient decrease", ACM TOMS
 * 20, 1994, as MINPACK-2's dcsrch) with ftol 1e-3, gtol 0.9, xtol 0.1,
 * first trial step 1 / |d| on the first iteration and 1 afterwards, and at
 * most max_ls evaluations. A line search that fails restores the last
 * iterate, and, unless the memory is already empty, empties it and tries
 * again along -g.
 *
 * Stopping rule, tested after each iteration in scipy's order: the
 * iteration count reaching max_iter, or more than max_fun evaluations
 * (both "not converged"); then max_i |g_i| <= pgtol (the projected
 * gradient of L-BFGS-B without bounds), or
 * f_old - f <= factr * eps * max(|f_old|, |f|, 1). Before the first
 * iteration only the gradient test applies.
 *
 * Cost: one evaluation of f and g per line search trial, plus
 * O(memory * n) per iteration for the direction. */
#ifndef GCV_LBFGS_H
#define GCV_LBFGS_H

#include <stdbool.h>
#include <stddef.h>

#include "../../common/status.h"

struct gcv_lbfgs_problem {
    size_t n;                   /* variables */
    /* Returns f(x) and writes its gradient into gradient[n]. */
    double (*evaluate)(void *context, const double *x, double *gradient);
    void *context;
    size_t memory;              /* stored pairs (scipy's maxcor, 10) */
    double pgtol;               /* gradient tolerance (scikit-learn's tol) */
    double factr;               /* relative reduction factor, in units of DBL_EPSILON
                                   (scipy's ftol / eps: 1e7 for its default) */
    long long max_iter;         /* iterations (scikit-learn's max_iter) */
    long long max_fun;          /* evaluations (scipy's maxfun, 15000) */
    int max_ls;                 /* evaluations per line search (scipy's maxls, 20) */
    double deadline;            /* CLOCK_MONOTONIC seconds, 0 for none */
};

enum gcv_lbfgs_outcome {
    GCV_LBFGS_CONVERGED,        /* gradient or relative reduction test met */
    GCV_LBFGS_MAX_ITER,         /* stopped at max_iter */
    GCV_LBFGS_MAX_FUN,          /* stopped after more than max_fun evaluations */
    GCV_LBFGS_LINE_SEARCH_FAILED, /* no acceptable step along -g */
};

struct gcv_lbfgs_result {
    enum gcv_lbfgs_outcome outcome;
    long long n_iter;           /* iterations done (scipy's nit) */
    long long n_fun;            /* evaluations of f and g */
    double f;                   /* f at the returned x */
};

/* Minimises from x[n] and leaves the last iterate in x, whatever the
 * outcome (scikit-learn keeps it with a ConvergenceWarning). Fails with
 * GCV_ERR_NOMEM, or GCV_ERR_TIMEOUT when the deadline passes. */
enum gcv_status gcv_lbfgs_minimize(const struct gcv_lbfgs_problem *problem, double *x,
                                   struct gcv_lbfgs_result *result, struct gcv_error *err);

#endif
