#include "lbfgs.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The line search constants of L-BFGS-B (lnsrlb). */
#define LS_FTOL 1e-3
#define LS_GTOL 0.9
#define LS_XTOL 0.1
#define LS_STPMAX 1e10

/* ----- Moré-Thuente line search ----------------------------------------- */

enum search_task {
    SEARCH_EVALUATE,   /* evaluate f and g' at the new stp */
    SEARCH_CONVERGED,  /* sufficient decrease and curvature conditions hold */
    SEARCH_WARNING,    /* no progress possible; stp is the best point found */
};

/* The state of one search, MINPACK-2's dcsrch variables. */
struct line_search {
    bool bracketed;
    int stage;
    double ginit, gtest, gx, gy;
    double finit, fx, fy;
    double stx, sty;
    double stmin, stmax;
    double width, width1;
};

/* One safeguarded step of the Moré-Thuente search (MINPACK-2's dcstep):
 * from the best step stx (value fx, derivative dx), the other end sty of
 * the interval and the trial stp, computes the next trial, a cubic or
 * quadratic (secant) interpolation by the four cases of the paper, and
 * updates the interval of uncertainty. */
static void search_step(double *stx, double *fx, double *dx, double *sty, double *fy,
                        double *dy, double *stp, double fp, double dp, bool *bracketed,
                        double stpmin, double stpmax)
{
    const double sgnd = dp * (*dx / fabs(*dx));
    double theta, s, gamma, p, q, r, stpc, stpq, stpf;

    if (fp > *fx) {
        /* Case 1: a higher value; the minimum is bracketed. */
        theta = 3.0 * (*fx - fp) / (*stp - *stx) + *dx + dp;
        s = fmax(fabs(theta), fmax(fabs(*dx), fabs(dp)));
        gamma = s * sqrt((theta / s) * (theta / s) - (*dx / s) * (dp / s));
        if (*stp < *stx)
            gamma = -gamma;
        p = (gamma - *dx) + theta;
        q = ((gamma - *dx) + gamma) + dp;
        r = p / q;
        stpc = *stx + r * (*stp - *stx);
        stpq = *stx + ((*dx / ((*fx - fp) / (*stp - *stx) + *dx)) / 2.0) * (*stp - *stx);
        if (fabs(stpc - *stx) < fabs(stpq - *stx))
            stpf = stpc;
        else
            stpf = stpc + (stpq - stpc) / 2.0;
        *bracketed = true;
    } else if (sgnd < 0.0) {
        /* Case 2: lower value, derivatives of opposite sign; bracketed. */
        theta = 3.0 * (*fx - fp) / (*stp - *stx) + *dx + dp;
        s = fmax(fabs(theta), fmax(fabs(*dx), fabs(dp)));
        gamma = s * sqrt((theta / s) * (theta / s) - (*dx / s) * (dp / s));
        if (*stp > *stx)
            gamma = -gamma;
        p = (gamma - dp) + theta;
        q = ((gamma - dp) + gamma) + *dx;
        r = p / q;
        stpc = *stp + r * (*stx - *stp);
        stpq = *stp + (dp / (dp - *dx)) * (*stx - *stp);
        if (fabs(stpc - *stp) > fabs(stpq - *stp))
            stpf = stpc;
        else
            stpf = stpq;
        *bracketed = true;
    } else if (fabs(dp) < fabs(*dx)) {
        /* Case 3: lower value, same sign, derivative decreasing in size. */
        theta = 3.0 * (*fx - fp) / (*stp - *stx) + *dx + dp;
        s = fmax(fabs(theta), fmax(fabs(*dx), fabs(dp)));
        gamma = s * sqrt(fmax(0.0, (theta / s) * (theta / s) - (*dx / s) * (dp / s)));
        if (*stp > *stx)
            gamma = -gamma;
        p = (gamma - dp) + theta;
        q = (gamma + (*dx - dp)) + gamma;
        r = p / q;
        if (r < 0.0 && gamma != 0.0)
            stpc = *stp + r * (*stx - *stp);
        else if (*stp > *stx)
            stpc = stpmax;
        else
            stpc = stpmin;
        stpq = *stp + (dp / (dp - *dx)) * (*stx - *stp);
        if (*bracketed) {
            stpf = fabs(stpc - *stp) < fabs(stpq - *stp) ? stpc : stpq;
            if (*stp > *stx)
                stpf = fmin(*stp + 0.66 * (*sty - *stp), stpf);
            else
                stpf = fmax(*stp + 0.66 * (*sty - *stp), stpf);
        } else {
            stpf = fabs(stpc - *stp) > fabs(stpq - *stp) ? stpc : stpq;
            stpf = fmin(stpmax, stpf);
            stpf = fmax(stpmin, stpf);
        }
    } else {
        /* Case 4: lower value, same sign, derivative not decreasing. */
        if (*bracketed) {
            theta = 3.0 * (fp - *fy) / (*sty - *stp) + *dy + dp;
            s = fmax(fabs(theta), fmax(fabs(*dy), fabs(dp)));
            gamma = s * sqrt((theta / s) * (theta / s) - (*dy / s) * (dp / s));
            if (*stp > *sty)
                gamma = -gamma;
            p = (gamma - dp) + theta;
            q = ((gamma - dp) + gamma) + *dy;
            r = p / q;
            stpc = *stp + r * (*sty - *stp);
            stpf = stpc;
        } else if (*stp > *stx) {
            stpf = stpmax;
        } else {
            stpf = stpmin;
        }
    }

    /* The interval that contains a step satisfying the conditions. */
    if (fp > *fx) {
        *sty = *stp;
        *fy = fp;
        *dy = dp;
    } else {
        if (sgnd < 0.0) {
            *sty = *stx;
            *fy = *fx;
            *dy = *dx;
        }
        *stx = *stp;
        *fx = fp;
        *dx = dp;
    }
    *stp = stpf;
}

/* Starts a search from f and derivative g < 0 at step 0, with trial *stp. */
static void search_start(struct line_search *ls, double f, double g, double stp,
                         double stpmin, double stpmax)
{
    ls->bracketed = false;
    ls->stage = 1;
    ls->finit = f;
    ls->ginit = g;
    ls->gtest = LS_FTOL * g;
    ls->width = stpmax - stpmin;
    ls->width1 = ls->width / 0.5;
    ls->stx = 0.0;
    ls->fx = f;
    ls->gx = g;
    ls->sty = 0.0;
    ls->fy = f;
    ls->gy = g;
    ls->stmin = 0.0;
    ls->stmax = stp + 4.0 * stp;
}

/* Takes f and derivative g at the trial *stp and returns what to do next,
 * updating *stp when another evaluation is needed. */
static enum search_task search_continue(struct line_search *ls, double f, double g, double *stp,
                                        double stpmin, double stpmax)
{
    const double ftest = ls->finit + *stp * ls->gtest;
    enum search_task task = SEARCH_EVALUATE;

    if (ls->stage == 1 && f <= ftest && g >= 0.0)
        ls->stage = 2;

    /* Warnings, then the convergence test, which takes precedence. */
    if (ls->bracketed && (*stp <= ls->stmin || *stp >= ls->stmax))
        task = SEARCH_WARNING;
    if (ls->bracketed && ls->stmax - ls->stmin <= LS_XTOL * ls->stmax)
        task = SEARCH_WARNING;
    if (*stp == stpmax && f <= ftest && g <= ls->gtest)
        task = SEARCH_WARNING;
    if (*stp == stpmin && (f > ftest || g >= ls->gtest))
        task = SEARCH_WARNING;
    if (f <= ftest && fabs(g) <= LS_GTOL * (-ls->ginit))
        task = SEARCH_CONVERGED;
    if (task != SEARCH_EVALUATE)
        return task;

    /* In the first stage, a lower but not sufficiently lower value is
     * interpolated on the modified function f - gtest stp. */
    if (ls->stage == 1 && f <= ls->fx && f > ftest) {
        double fm = f - *stp * ls->gtest;
        double fxm = ls->fx - ls->stx * ls->gtest;
        double fym = ls->fy - ls->sty * ls->gtest;
        double gm = g - ls->gtest;
        double gxm = ls->gx - ls->gtest;
        double gym = ls->gy - ls->gtest;

        search_step(&ls->stx, &fxm, &gxm, &ls->sty, &fym, &gym, stp, fm, gm, &ls->bracketed,
                    ls->stmin, ls->stmax);
        ls->fx = fxm + ls->stx * ls->gtest;
        ls->fy = fym + ls->sty * ls->gtest;
        ls->gx = gxm + ls->gtest;
        ls->gy = gym + ls->gtest;
    } else {
        search_step(&ls->stx, &ls->fx, &ls->gx, &ls->sty, &ls->fy, &ls->gy, stp, f, g,
                    &ls->bracketed, ls->stmin, ls->stmax);
    }

    /* Bisect when the interval does not shrink fast enough. */
    if (ls->bracketed) {
        if (fabs(ls->sty - ls->stx) >= 0.66 * ls->width1)
            *stp = ls->stx + 0.5 * (ls->sty - ls->stx);
        ls->width1 = ls->width;
        ls->width = fabs(ls->sty - ls->stx);
    }

    if (ls->bracketed) {
        ls->stmin = fmin(ls->stx, ls->sty);
        ls->stmax = fmax(ls->stx, ls->sty);
    } else {
        ls->stmin = *stp + 1.1 * (*stp - ls->stx);
        ls->stmax = *stp + 4.0 * (*stp - ls->stx);
    }
    *stp = fmax(*stp, stpmin);
    *stp = fmin(*stp, stpmax);

    /* Without further progress possible, the best step so far. */
    if ((ls->bracketed && (*stp <= ls->stmin || *stp >= ls->stmax)) ||
        (ls->bracketed && ls->stmax - ls->stmin <= LS_XTOL * ls->stmax))
        *stp = ls->stx;
    return SEARCH_EVALUATE;
}

/* ----- the minimiser ----------------------------------------------------- */

static double dot(const double *a, const double *b, size_t n)
{
    double sum = 0;

    for (size_t i = 0; i < n; i++)
        sum += a[i] * b[i];
    return sum;
}

static double max_abs(const double *a, size_t n)
{
    double largest = 0;

    for (size_t i = 0; i < n; i++)
        largest = fmax(largest, fabs(a[i]));
    return largest;
}

static bool past_deadline(double deadline)
{
    struct timespec now;

    if (deadline <= 0)
        return false;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec >= deadline;
}

/* The correction pairs, a ring of `memory` slots, oldest first from head. */
struct lbfgs_memory {
    size_t capacity;
    size_t count;
    size_t head;
    double *s;     /* [capacity * n] */
    double *y;     /* [capacity * n] */
    double *rho;   /* [capacity] 1 / s^T y */
    double *alpha; /* [capacity] scratch of the two-loop recursion */
    double theta;  /* y^T y / s^T y of the newest pair */
};

/* d = -H g by the two-loop recursion, H0 = I / theta; d = -g when empty. */
static void direction(const struct lbfgs_memory *mem, const double *g, double *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        d[i] = -g[i];
    if (mem->count == 0)
        return;

    for (size_t k = mem->count; k-- > 0;) {
        const size_t slot = (mem->head + k) % mem->capacity;
        const double *s = mem->s + slot * n;
        const double *y = mem->y + slot * n;

        mem->alpha[slot] = mem->rho[slot] * dot(s, d, n);
        for (size_t i = 0; i < n; i++)
            d[i] -= mem->alpha[slot] * y[i];
    }
    for (size_t i = 0; i < n; i++)
        d[i] /= mem->theta;
    for (size_t k = 0; k < mem->count; k++) {
        const size_t slot = (mem->head + k) % mem->capacity;
        const double *s = mem->s + slot * n;
        const double *y = mem->y + slot * n;
        const double beta = mem->rho[slot] * dot(y, d, n);

        for (size_t i = 0; i < n; i++)
            d[i] += s[i] * (mem->alpha[slot] - beta);
    }
}

/* Why a line search ended. */
enum search_end { SEARCH_DONE, SEARCH_FAILED };

/* Searches along d from x (value *f, gradient g), L-BFGS-B's lnsrlb: on
 * success x, *f and g are at the new point, *stp is the step and *gd_new
 * the new directional derivative; on failure they are restored. */
static enum gcv_status line_search(const struct gcv_lbfgs_problem *problem, double *x, double *f,
                                   double *g, const double *d, bool first_iteration,
                                   double *x_old, double *g_old, double *stp, double *gd_old,
                                   double *gd_new, long long *n_fun, enum search_end *end,
                                   struct gcv_error *err)
{
    const size_t n = problem->n;
    const double f_old = *f;
    const double dnorm = sqrt(dot(d, d, n));
    struct line_search ls;
    double gd;
    int evaluations = 0;

    *end = SEARCH_DONE;
    *stp = first_iteration ? fmin(1.0 / dnorm, LS_STPMAX) : 1.0;
    memcpy(x_old, x, n * sizeof *x);
    memcpy(g_old, g, n * sizeof *g);

    gd = dot(g, d, n);
    *gd_old = gd;
    if (gd >= 0.0) {
        /* Not a descent direction: no line search is possible. */
        *end = SEARCH_FAILED;
        return GCV_OK;
    }
    search_start(&ls, *f, gd, *stp, 0.0, LS_STPMAX);

    for (;;) {
        enum search_task task;

        if (evaluations >= problem->max_ls) {
            *end = SEARCH_FAILED;
            break;
        }
        for (size_t i = 0; i < n; i++)
            x[i] = *stp == 1.0 ? x_old[i] + d[i] : *stp * d[i] + x_old[i];
        *f = problem->evaluate(problem->context, x, g);
        evaluations++;
        (*n_fun)++;
        if (past_deadline(problem->deadline))
            return gcv_error_set(err, GCV_ERR_TIMEOUT, "L-BFGS passed its deadline after %lld "
                                 "evaluations", *n_fun);

        gd = dot(g, d, n);
        task = search_continue(&ls, *f, gd, stp, 0.0, LS_STPMAX);
        if (task != SEARCH_EVALUATE)
            break;
    }

    if (*end == SEARCH_FAILED) {
        memcpy(x, x_old, n * sizeof *x);
        memcpy(g, g_old, n * sizeof *g);
        *f = f_old;
        return GCV_OK;
    }
    *gd_new = gd;
    return GCV_OK;
}

enum gcv_status gcv_lbfgs_minimize(const struct gcv_lbfgs_problem *problem, double *x,
                                   struct gcv_lbfgs_result *result, struct gcv_error *err)
{
    const size_t n = problem->n;
    const size_t m = problem->memory > 0 ? problem->memory : 1;
    const size_t size = n > 0 ? n : 1;
    struct lbfgs_memory mem = {.capacity = m, .theta = 1.0};
    double *g = malloc(size * sizeof *g);
    double *d = malloc(size * sizeof *d);
    double *x_old = malloc(size * sizeof *x_old);
    double *g_old = malloc(size * sizeof *g_old);
    enum gcv_status status = GCV_OK;
    double f;

    memset(result, 0, sizeof *result);
    mem.s = malloc(m * size * sizeof *mem.s);
    mem.y = malloc(m * size * sizeof *mem.y);
    mem.rho = malloc(m * sizeof *mem.rho);
    mem.alpha = malloc(m * sizeof *mem.alpha);
    if (g == NULL || d == NULL || x_old == NULL || g_old == NULL || mem.s == NULL ||
        mem.y == NULL || mem.rho == NULL || mem.alpha == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for L-BFGS on %zu variables",
                               n);
        goto cleanup;
    }

    f = problem->evaluate(problem->context, x, g);
    result->n_fun = 1;
    result->outcome = GCV_LBFGS_CONVERGED;
    if (max_abs(g, n) <= problem->pgtol)
        goto done;

    for (;;) {
        enum search_end end;
        double stp, gd_old, gd_new = 0, f_old = f, dr, ddum;
        size_t slot;

        /* A step along the L-BFGS direction; after a failed search with
         * pairs stored, the memory is emptied and -g is tried. */
        direction(&mem, g, d, n);
        status = line_search(problem, x, &f, g, d, result->n_iter == 0, x_old, g_old, &stp,
                             &gd_old, &gd_new, &result->n_fun, &end, err);
        if (status != GCV_OK)
            goto cleanup;
        if (end == SEARCH_FAILED) {
            if (mem.count == 0) {
                result->outcome = GCV_LBFGS_LINE_SEARCH_FAILED;
                break;
            }
            mem.count = 0;
            mem.head = 0;
            mem.theta = 1.0;
            continue;
        }
        result->n_iter++;

        /* scipy's limits, then L-BFGS-B's convergence tests. */
        if (result->n_iter >= problem->max_iter) {
            result->outcome = GCV_LBFGS_MAX_ITER;
            break;
        }
        if (result->n_fun > problem->max_fun) {
            result->outcome = GCV_LBFGS_MAX_FUN;
            break;
        }
        if (max_abs(g, n) <= problem->pgtol)
            break;
        if (f_old - f <= problem->factr * DBL_EPSILON * fmax(fmax(fabs(f_old), fabs(f)), 1.0))
            break;

        /* The new pair s = stp d, y = g - g_old, unless s^T y is too
         * small; s^T y is taken from the directional derivatives. */
        dr = (gd_new - gd_old) * stp;
        ddum = -gd_old * stp;
        if (dr <= DBL_EPSILON * ddum)
            continue;
        slot = (mem.head + mem.count) % m;
        if (mem.count == m) {
            slot = mem.head;
            mem.head = (mem.head + 1) % m;
        } else {
            mem.count++;
        }
        for (size_t i = 0; i < n; i++) {
            mem.s[slot * n + i] = stp * d[i];
            mem.y[slot * n + i] = g[i] - g_old[i];
        }
        mem.rho[slot] = 1.0 / dr;
        mem.theta = dot(mem.y + slot * n, mem.y + slot * n, n) / dr;
    }

done:
    result->f = f;

cleanup:
    free(g);
    free(d);
    free(x_old);
    free(g_old);
    free(mem.s);
    free(mem.y);
    free(mem.rho);
    free(mem.alpha);
    return status;
}
