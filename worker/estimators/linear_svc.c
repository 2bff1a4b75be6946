/* LinearSVC: see linear_svc.h for the parameters and the solver each
 * combination selects.
 *
 * Every solver minimises, over w in R^n (n = n_features, plus one for the
 * intercept feature), a problem with labels y_i in {-1, +1} and a cost
 * C_i per row (C times the class weight of the row's class):
 *
 *   L2R_L1LOSS_DUAL, L2R_L2LOSS_DUAL: the dual of
 *       min_w ||w||^2 / 2 + sum_i C_i max(0, 1 - y_i w.x_i)^p, p = 1 or 2,
 *     min_a a^T (Q + D) a / 2 - sum_i a_i, 0 <= a_i <= U_i, with
 *     Q_ij = y_i y_j x_i.x_j, and D_ii = 0, U_i = C_i for the hinge loss,
 *     D_ii = 1 / (2 C_i), U_i = infinity for the squared hinge; w = sum
 *     a_i y_i x_i. Coordinate descent over the a_i in a random order each
 *     pass, with shrinking (Hsieh, Chang, Lin, Keerthi & Sundararajan, "A
 *     dual coordinate descent method for large-scale linear SVM", ICML
 *     2008, algorithm 3). Stops when the spread of the projected gradient
 *     max PG - min PG over a pass over all rows is <= tol, or after
 *     max_iter passes. Cost per pass O(l n).
 *   L2R_L2LOSS: min_w ||w||^2 / 2 + sum_i C_i max(0, 1 - y_i w.x_i)^2 by
 *     the trust-region Newton method with conjugate gradient steps (Lin,
 *     Weng & Keerthi, "Trust region Newton method for large-scale logistic
 *     regression", JMLR 2008). Stops when ||gradient|| <= eps ||gradient
 *     at w = 0||, with eps = tol max(min(l+, l-), 1) / l (l+ and l- the
 *     rows of each label), or after max_iter Newton steps. Cost per
 *     conjugate gradient step O(l n).
 *   L1R_L2LOSS: min_w ||w||_1 + sum_i C_i max(0, 1 - y_i w.x_i)^2 by
 *     coordinate descent over the features in a random order each pass,
 *     a Newton step with a backtracking line search per coordinate, and
 *     shrinking (Yuan, Chang, Hsieh & Lin, "A comparison of optimization
 *     methods and software for large-scale L1-regularized linear
 *     classification", JMLR 2010, section 4.1.2). Stops when the sum over
 *     the features of the violation of the optimality condition is <= eps
 *     times its value in the first pass (eps as for L2R_L2LOSS), or after
 *     max_iter passes. Cost per pass O(l n).
 *   Crammer-Singer: see solve_crammer_singer.
 *
 * Warm start (fit_from, along increasing C): each problem starts from its
 * own solution in the previous model, a fit on the same rows at a smaller
 * C. The dual solvers start from its alpha and rebuild w from it. That
 * alpha is feasible at the larger C, because the bounds (C_i for the
 * hinge loss, none for the squared hinge, C_i of the row's own class for
 * Crammer-Singer) only grow with C. The primal solvers start from its w, the
 * intercept feature's weight included. Every solver keeps the stopping
 * rule of a fit from zero, so the primal rules still compare with the
 * start from zero. The generator is seeded and drawn as in a fit from
 * zero, but a fit that takes fewer passes leaves the next problem of a
 * one-vs-rest fit at another point of the stream. A warm-started fit
 * reaches the optimum within the solver's tolerance, not the same bits.
 *
 * The random order matches scikit-learn's copy of LIBLINEAR: a Mersenne
 * Twister (std::mt19937) seeded with RandomState(random_state).randint(0,
 * 2^31 - 1), each bounded draw taken by Lemire's multiply-and-reject
 * method, and one stream for all the problems of a fit. The rows are
 * grouped by class in ascending order, keeping their order within a
 * class, as LIBLINEAR groups them. Sums run in LIBLINEAR's order (over
 * the features of a row, then over the rows), so that a fit repeats
 * scikit-learn's iterations up to rounding in the vector operations of
 * the trust-region solver, which uses BLAS as scikit-learn does. */
#include "linear_svc.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../common/log.h"
#include "../../common/model_file.h"
#include "../../common/random.h"
#include "kernel.h"
#include "param_check.h"

/* LIBLINEAR counts iterations in a C int. */
#define MAX_ITER_LIMIT 2147483647LL

/* ----- parameters -------------------------------------------------------- */

/* The parameters as written, before penalty, loss and dual select a solver. */
struct raw_params {
    struct gcv_linear_svc_params parsed;
    bool penalty_l1;
    bool loss_hinge;
    bool dual;
};

static enum gcv_status parse_penalty(const struct gcv_param *param, void *out,
                                     struct gcv_error *err)
{
    static const char *const names[] = {"l1", "l2"};
    int choice;

    if (gcv_param_check_choice(param, names, 2, "\"l1\" or \"l2\"", &choice, err) != GCV_OK)
        return GCV_ERR_PARAM;
    ((struct raw_params *)out)->penalty_l1 = choice == 0;
    return GCV_OK;
}

static enum gcv_status parse_loss(const struct gcv_param *param, void *out,
                                  struct gcv_error *err)
{
    static const char *const names[] = {"hinge", "squared_hinge"};
    int choice;

    if (gcv_param_check_choice(param, names, 2, "\"hinge\" or \"squared_hinge\"", &choice,
                               err) != GCV_OK)
        return GCV_ERR_PARAM;
    ((struct raw_params *)out)->loss_hinge = choice == 0;
    return GCV_OK;
}

static enum gcv_status parse_dual(const struct gcv_param *param, void *out,
                                  struct gcv_error *err)
{
    return gcv_param_check_bool("LinearSVC", param, &((struct raw_params *)out)->dual, err);
}

static enum gcv_status parse_tol(const struct gcv_param *param, void *out, struct gcv_error *err)
{
    return gcv_param_check_number(param, 0.0, true, "a number > 0",
                                  &((struct raw_params *)out)->parsed.tol, err);
}

static enum gcv_status parse_C(const struct gcv_param *param, void *out, struct gcv_error *err)
{
    return gcv_param_check_number(param, 0.0, true, "a number > 0",
                                  &((struct raw_params *)out)->parsed.C, err);
}

static enum gcv_status parse_multi_class(const struct gcv_param *param, void *out,
                                         struct gcv_error *err)
{
    static const char *const names[] = {"ovr", "crammer_singer"};
    int choice;

    if (gcv_param_check_choice(param, names, 2, "\"ovr\" or \"crammer_singer\"", &choice,
                               err) != GCV_OK)
        return GCV_ERR_PARAM;
    ((struct raw_params *)out)->parsed.crammer_singer = choice == 1;
    return GCV_OK;
}

static enum gcv_status parse_fit_intercept(const struct gcv_param *param, void *out,
                                           struct gcv_error *err)
{
    return gcv_param_check_bool("LinearSVC", param,
                                &((struct raw_params *)out)->parsed.fit_intercept, err);
}

static enum gcv_status parse_intercept_scaling(const struct gcv_param *param, void *out,
                                               struct gcv_error *err)
{
    return gcv_param_check_number(param, 0.0, true, "a number > 0",
                                  &((struct raw_params *)out)->parsed.intercept_scaling, err);
}

static enum gcv_status parse_class_weight(const struct gcv_param *param, void *out,
                                          struct gcv_error *err)
{
    struct gcv_linear_svc_params *params = &((struct raw_params *)out)->parsed;

    if (param->value.kind == GCV_VALUE_NULL) {
        params->class_weight_balanced = false;
        return GCV_OK;
    }
    if (gcv_param_check_is_string(param, "balanced")) {
        params->class_weight_balanced = true;
        return GCV_OK;
    }
    return gcv_param_check_reject(param, "null or \"balanced\"", err);
}

static enum gcv_status parse_verbose(const struct gcv_param *param, void *out,
                                     struct gcv_error *err)
{
    /* LIBLINEAR's progress output is not printed. */
    (void)out;
    if (param->value.kind == GCV_VALUE_INT && param->value.integer < 0)
        return gcv_param_check_reject(param, "an integer >= 0 or a boolean", err);
    return gcv_param_check_ignored(param,
                                   GCV_PARAM_KIND(GCV_VALUE_BOOL) | GCV_PARAM_KIND(GCV_VALUE_INT),
                                   "an integer >= 0 or a boolean", err);
}

static enum gcv_status parse_random_state(const struct gcv_param *param, void *out,
                                          struct gcv_error *err)
{
    struct gcv_linear_svc_params *params = &((struct raw_params *)out)->parsed;
    long long seed;

    /* NOTE: scikit-learn draws a new seed from numpy's global generator for
     * null. gridcv reads null as 0, so that every rank fits the same model. */
    if (param->value.kind == GCV_VALUE_NULL) {
        params->random_state = 0;
        return GCV_OK;
    }
    if (gcv_param_check_integer(param, 0, 4294967295LL, "null or an integer in [0, 4294967295]",
                                &seed, err) != GCV_OK)
        return GCV_ERR_PARAM;
    params->random_state = (uint32_t)seed;
    return GCV_OK;
}

static enum gcv_status parse_max_iter(const struct gcv_param *param, void *out,
                                      struct gcv_error *err)
{
    return gcv_param_check_integer(param, 0, MAX_ITER_LIMIT,
                                   "an integer in [0, 2147483647] (LIBLINEAR counts in a C int)",
                                   &((struct raw_params *)out)->parsed.max_iter, err);
}

static const struct gcv_param_check_entry param_table[] = {
    {"penalty", parse_penalty},
    {"loss", parse_loss},
    {"dual", parse_dual},
    {"tol", parse_tol},
    {"C", parse_C},
    {"multi_class", parse_multi_class},
    {"fit_intercept", parse_fit_intercept},
    {"intercept_scaling", parse_intercept_scaling},
    {"class_weight", parse_class_weight},
    {"verbose", parse_verbose},
    {"random_state", parse_random_state},
    {"max_iter", parse_max_iter},
};

/* Selects the LIBLINEAR solver of penalty, loss and dual, or explains why
 * scikit-learn has none for them. multi_class "crammer_singer" ignores
 * all three, as in scikit-learn. */
static enum gcv_status select_solver(struct raw_params *raw, struct gcv_error *err)
{
    const char *loss = raw->loss_hinge ? "hinge" : "squared_hinge";
    const char *dual = raw->dual ? "true" : "false";

    if (raw->parsed.crammer_singer)
        return GCV_OK;
    if (raw->loss_hinge && raw->penalty_l1)
        return gcv_error_set(err, GCV_ERR_PARAM, "LinearSVC: penalty=\"l1\" with loss=\"hinge\" "
                             "is not supported (dual=%s): LIBLINEAR has no solver for the "
                             "L1-penalised hinge loss; use loss=\"squared_hinge\" with "
                             "dual=false", dual);
    if (raw->loss_hinge && !raw->dual)
        return gcv_error_set(err, GCV_ERR_PARAM, "LinearSVC: penalty=\"l2\" with loss=\"hinge\" "
                             "is not supported when dual=false: the hinge loss is solved only "
                             "in the dual; use dual=true or loss=\"squared_hinge\"");
    if (raw->penalty_l1 && raw->dual)
        return gcv_error_set(err, GCV_ERR_PARAM, "LinearSVC: penalty=\"l1\" with loss=\"%s\" is "
                             "not supported when dual=true: the L1 penalty is solved only in "
                             "the primal; use dual=false", loss);

    if (raw->loss_hinge)
        raw->parsed.solver = GCV_LINEAR_SVC_L2R_L1LOSS_DUAL;
    else if (raw->penalty_l1)
        raw->parsed.solver = GCV_LINEAR_SVC_L1R_L2LOSS;
    else
        raw->parsed.solver = raw->dual ? GCV_LINEAR_SVC_L2R_L2LOSS_DUAL
                                       : GCV_LINEAR_SVC_L2R_L2LOSS;
    return GCV_OK;
}

/* Appends " (WHERE)", the spec location of the first of penalty, loss and
 * dual that has one, to the message of a rejected combination, so that
 * it names the candidate. */
static void append_combination_where(const struct gcv_param_set *params,
                                     struct gcv_error *err)
{
    static const char *const names[] = {"penalty", "loss", "dual"};

    if (err == NULL)
        return;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        const struct gcv_param *param = gcv_param_set_find(params, names[k]);
        const size_t used = strlen(err->message);

        if (param != NULL && param->where != NULL) {
            snprintf(err->message + used, sizeof err->message - used, " (%s)", param->where);
            return;
        }
    }
}

static enum gcv_status linear_svc_params_parse(const struct gcv_param_set *params, void **out,
                                               struct gcv_error *err)
{
    struct raw_params raw;
    struct gcv_linear_svc_params *parsed;
    enum gcv_status status;

    *out = NULL;

    /* scikit-learn 1.2.1's defaults. */
    raw = (struct raw_params){
        .parsed = {
            .C = 1.0,
            .tol = 1e-4,
            .max_iter = 1000,
            .fit_intercept = true,
            .intercept_scaling = 1.0,
            .class_weight_balanced = false,
            .random_state = 0,
            .crammer_singer = false,
        },
        .penalty_l1 = false,
        .loss_hinge = false,
        .dual = true,
    };
    status = gcv_param_check_all("LinearSVC", params, param_table,
                                 sizeof param_table / sizeof param_table[0], &raw, err);
    if (status != GCV_OK)
        return status;
    if ((status = select_solver(&raw, err)) != GCV_OK) {
        append_combination_where(params, err);
        return status;
    }

    parsed = malloc(sizeof *parsed);
    if (parsed == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for LinearSVC parameters");
    *parsed = raw.parsed;
    *out = parsed;
    return GCV_OK;
}

static void linear_svc_params_free(void *params)
{
    free(params);
}

/* ----- one binary problem ------------------------------------------------ */

/* One binary problem of a fit. Every pointer is borrowed from the fit. */
struct problem {
    size_t l;                  /* rows */
    size_t n;                  /* columns: the features, then the intercept feature */
    const double *X;           /* [l * n], row-major, rows grouped by class */
    const signed char *y;      /* [l] +1 or -1 */
    const double *cost;        /* [l] C_i */
    struct gcv_random *rng;    /* the fit's Mersenne Twister, advanced by the solver */
    double deadline;           /* as gcv_rows.deadline */
};

static bool past_deadline(double deadline)
{
    struct timespec now;

    if (deadline <= 0)
        return false;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec >= deadline;
}

static enum gcv_status timeout(const char *solver, long long iter, struct gcv_error *err)
{
    return gcv_error_set(err, GCV_ERR_TIMEOUT, "LinearSVC: %s passed its deadline after %lld "
                         "iterations", solver, iter);
}

/* An integer in [0, range), range >= 1, by Lemire's multiply-and-reject
 * method on 32-bit words: the high half of word * range, drawn again while
 * the low half falls below 2^32 mod range, so every value is equally
 * likely. */
static uint32_t bounded_draw(struct gcv_random *rng, uint32_t range)
{
    uint64_t product = (uint64_t)gcv_random_next32(rng) * range;

    if ((uint32_t)product < range) {
        const uint32_t threshold = (uint32_t)(0u - range) % range;

        while ((uint32_t)product < threshold)
            product = (uint64_t)gcv_random_next32(rng) * range;
    }
    return (uint32_t)(product >> 32);
}

/* Shuffles index[0..count) as LIBLINEAR does before each pass: position i
 * swaps with i + a draw in [0, count - i). */
static void shuffle(struct gcv_random *rng, size_t *index, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const size_t j = i + bounded_draw(rng, (uint32_t)(count - i));
        const size_t swap = index[i];

        index[i] = index[j];
        index[j] = swap;
    }
}

static double row_dot(const double *x, const double *w, size_t n)
{
    double sum = 0;

    for (size_t j = 0; j < n; j++)
        sum += w[j] * x[j];
    return sum;
}

/* Moves the item at position s to the end of the active set, which
 * shrinks by one. */
static void deactivate(size_t *index, size_t s, size_t *active_size)
{
    const size_t swap = index[s];

    (*active_size)--;
    index[s] = index[*active_size];
    index[*active_size] = swap;
}

/* ----- dual coordinate descent (L2R_L1LOSS_DUAL, L2R_L2LOSS_DUAL) -------- */

/* Minimises the dual from alpha[l], the start (zeros for a fit from
 * zero), which must be feasible: alpha_i >= 0, and alpha_i <= C_i for the
 * hinge loss. Leaves the solution in alpha and w = sum_i alpha_i y_i x_i
 * in w[n]. */
static enum gcv_status solve_dual(const struct problem *prob, bool hinge, double eps,
                                  long long max_iter, double *alpha, double *w,
                                  long long *n_iter, struct gcv_error *err)
{
    const size_t l = prob->l, n = prob->n;
    double *QD = malloc(l * sizeof *QD);           /* [l] Q_ii + D_ii */
    double *diag = malloc(l * sizeof *diag);       /* [l] D_ii */
    double *upper = malloc(l * sizeof *upper);     /* [l] U_i */
    size_t *index = malloc(l * sizeof *index);     /* [l] visiting order, active first */
    size_t active_size = l;
    double PGmax_old = INFINITY, PGmin_old = -INFINITY;
    long long iter = 0;
    enum gcv_status status = GCV_OK;

    if (QD == NULL || diag == NULL || upper == NULL || index == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for the dual of %zu rows", l);
        goto cleanup;
    }
    memset(w, 0, n * sizeof *w);
    for (size_t i = 0; i < l; i++) {
        const double *x = prob->X + i * n;

        diag[i] = hinge ? 0.0 : 0.5 / prob->cost[i];
        upper[i] = hinge ? prob->cost[i] : INFINITY;
        QD[i] = diag[i];
        for (size_t j = 0; j < n; j++)
            if (x[j] != 0)
                QD[i] += x[j] * x[j];
        /* w of a nonzero start, summed row by row as the updates below
         * keep it. A start from zero adds nothing. */
        if (alpha[i] != 0)
            for (size_t j = 0; j < n; j++)
                w[j] += prob->y[i] * alpha[i] * x[j];
        index[i] = i;
    }

    while (iter < max_iter) {
        double PGmax_new = -INFINITY, PGmin_new = INFINITY;

        if (past_deadline(prob->deadline)) {
            status = timeout("dual coordinate descent", iter, err);
            goto cleanup;
        }
        shuffle(prob->rng, index, active_size);

        for (size_t s = 0; s < active_size; s++) {
            const size_t i = index[s];
            const double *x = prob->X + i * n;
            const double C = upper[i];
            double G = row_dot(x, w, n) * prob->y[i] - 1 + alpha[i] * diag[i];
            double PG = 0;

            /* Shrinking: a variable at a bound whose gradient points out
             * of the box by more than last pass's largest violation is
             * left out until the next pass over all rows. */
            if (alpha[i] == 0) {
                if (G > PGmax_old) {
                    deactivate(index, s--, &active_size);
                    continue;
                }
                if (G < 0)
                    PG = G;
            } else if (alpha[i] == C) {
                if (G < PGmin_old) {
                    deactivate(index, s--, &active_size);
                    continue;
                }
                if (G > 0)
                    PG = G;
            } else {
                PG = G;
            }
            PGmax_new = fmax(PGmax_new, PG);
            PGmin_new = fmin(PGmin_new, PG);

            if (fabs(PG) > 1e-12) {
                const double alpha_old = alpha[i];
                double step;

                alpha[i] = fmin(fmax(alpha[i] - G / QD[i], 0.0), C);
                step = (alpha[i] - alpha_old) * prob->y[i];
                for (size_t j = 0; j < n; j++)
                    w[j] += step * x[j];
            }
        }
        iter++;

        if (PGmax_new - PGmin_new <= eps) {
            if (active_size == l)
                break;
            /* Converged on the active set: check every row again. */
            active_size = l;
            PGmax_old = INFINITY;
            PGmin_old = -INFINITY;
            continue;
        }
        PGmax_old = PGmax_new <= 0 ? INFINITY : PGmax_new;
        PGmin_old = PGmin_new >= 0 ? -INFINITY : PGmin_new;
    }
    *n_iter = iter;

cleanup:
    free(QD);
    free(diag);
    free(upper);
    free(index);
    return status;
}

/* ----- trust-region Newton (L2R_L2LOSS) ---------------------------------- */

/* The primal squared hinge objective and its work arrays. */
struct l2loss {
    const struct problem *prob;
    double *margin;          /* [l] y_i w.x_i at the last evaluated w */
    double *coefficient;     /* [l] per-row factor of the last X_I^T product */
    size_t *violators;       /* [l] the rows I with margin < 1 */
    size_t n_violators;
};

/* Returns f(w) = ||w||^2 / 2 + sum_i C_i max(0, 1 - y_i w.x_i)^2 and keeps
 * the margins of w for the gradient. */
static double l2loss_value(struct l2loss *obj, const double *w)
{
    const struct problem *prob = obj->prob;
    double f = 0;

    for (size_t j = 0; j < prob->n; j++)
        f += w[j] * w[j];
    f /= 2.0;
    for (size_t i = 0; i < prob->l; i++) {
        double slack;

        obj->margin[i] = prob->y[i] * row_dot(prob->X + i * prob->n, w, prob->n);
        slack = 1 - obj->margin[i];
        if (slack > 0)
            f += prob->cost[i] * slack * slack;
    }
    return f;
}

/* out = sum_k coefficient[k] x_{I_k}, over the rows I that violate the margin. */
static void violators_transpose_times(const struct l2loss *obj, const double *coefficient,
                                      double *out)
{
    const size_t n = obj->prob->n;

    memset(out, 0, n * sizeof *out);
    for (size_t k = 0; k < obj->n_violators; k++) {
        const double *x = obj->prob->X + obj->violators[k] * n;

        for (size_t j = 0; j < n; j++)
            if (x[j] != 0)
                out[j] += coefficient[k] * x[j];
    }
}

/* The gradient at the w of the last l2loss_value: w + 2 X_I^T (C_i y_i (m_i - 1)). */
static void l2loss_gradient(struct l2loss *obj, const double *w, double *g)
{
    const struct problem *prob = obj->prob;

    obj->n_violators = 0;
    for (size_t i = 0; i < prob->l; i++) {
        if (obj->margin[i] < 1) {
            obj->coefficient[obj->n_violators] =
                prob->cost[i] * prob->y[i] * (obj->margin[i] - 1);
            obj->violators[obj->n_violators++] = i;
        }
    }
    violators_transpose_times(obj, obj->coefficient, g);
    for (size_t j = 0; j < prob->n; j++)
        g[j] = w[j] + 2 * g[j];
}

/* The generalized Hessian times s: s + 2 X_I^T diag(C_I) X_I s. */
static void l2loss_hessian_times(struct l2loss *obj, const double *s, double *Hs)
{
    const struct problem *prob = obj->prob;

    for (size_t k = 0; k < obj->n_violators; k++) {
        const size_t i = obj->violators[k];
        obj->coefficient[k] = prob->cost[i] * row_dot(prob->X + i * prob->n, s, prob->n);
    }
    violators_transpose_times(obj, obj->coefficient, Hs);
    for (size_t j = 0; j < prob->n; j++)
        Hs[j] = s[j] + 2 * Hs[j];
}

/* Solves H s = -g by conjugate gradient inside the trust region
 * ||s|| <= delta, stopping at ||r|| <= 0.1 ||g|| or at the boundary. r
 * ends as the residual -g - H s. Returns the number of CG steps. */
static long long trust_region_cg(struct l2loss *obj, double delta, const double *g, double *s,
                                 double *r, double *d, double *Hd)
{
    const int n = (int)obj->prob->n;
    const double cg_tol = 0.1 * cblas_dnrm2(n, g, 1);
    double rTr;
    long long steps = 0;

    for (int j = 0; j < n; j++) {
        s[j] = 0;
        r[j] = -g[j];
        d[j] = r[j];
    }
    rTr = cblas_ddot(n, r, 1, r, 1);
    while (cblas_dnrm2(n, r, 1) > cg_tol) {
        double alpha, rTr_new;

        steps++;
        l2loss_hessian_times(obj, d, Hd);
        alpha = rTr / cblas_ddot(n, d, 1, Hd, 1);
        cblas_daxpy(n, alpha, d, 1, s, 1);
        if (cblas_dnrm2(n, s, 1) > delta) {
            /* Step back and go along d to the boundary: the positive root
             * tau of ||s + tau d|| = delta, in its cancellation-free form. */
            double sd, ss, dd, radius;

            cblas_daxpy(n, -alpha, d, 1, s, 1);
            sd = cblas_ddot(n, s, 1, d, 1);
            ss = cblas_ddot(n, s, 1, s, 1);
            dd = cblas_ddot(n, d, 1, d, 1);
            radius = sqrt(sd * sd + dd * (delta * delta - ss));
            alpha = sd >= 0 ? (delta * delta - ss) / (sd + radius) : (radius - sd) / dd;
            cblas_daxpy(n, alpha, d, 1, s, 1);
            cblas_daxpy(n, -alpha, Hd, 1, r, 1);
            break;
        }
        cblas_daxpy(n, -alpha, Hd, 1, r, 1);
        rTr_new = cblas_ddot(n, r, 1, r, 1);
        cblas_dscal(n, rTr_new / rTr, d, 1);
        cblas_daxpy(n, 1.0, r, 1, d, 1);
        rTr = rTr_new;
    }
    return steps;
}

/* Minimises the primal from w[n] when warm, else from zero, and leaves
 * the solution in w. The stopping rule measures the gradient against its
 * norm at w = 0 either way, as the trust-region Newton method of
 * LIBLINEAR 2.x does when given an initial solution, so that a warm start
 * stops at the same tolerance as a fit from zero. */
static enum gcv_status solve_primal_l2(const struct problem *prob, double eps,
                                       long long max_iter, bool warm, double *w,
                                       long long *n_iter, struct gcv_error *err)
{
    /* Acceptance thresholds of the ratio actual / predicted reduction, and
     * the factors that shrink or grow the trust region. */
    const double eta0 = 1e-4, eta1 = 0.25, eta2 = 0.75;
    const double sigma1 = 0.25, sigma2 = 0.5, sigma3 = 4;
    const size_t l = prob->l, n = prob->n;
    const int nn = (int)n;
    struct l2loss obj = {.prob = prob};
    double *work = malloc(6 * n * sizeof *work);
    double *g, *s, *r, *w_new, *d, *Hd;
    double f, delta, gnorm0, gnorm;
    long long iter = 1;
    enum gcv_status status = GCV_OK;

    obj.margin = malloc(l * sizeof *obj.margin);
    obj.coefficient = malloc(l * sizeof *obj.coefficient);
    obj.violators = malloc(l * sizeof *obj.violators);
    if (work == NULL || obj.margin == NULL || obj.coefficient == NULL || obj.violators == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for the primal of %zu rows",
                               l);
        goto cleanup;
    }
    g = work;
    s = work + n;
    r = work + 2 * n;
    w_new = work + 3 * n;
    d = work + 4 * n;
    Hd = work + 5 * n;

    if (warm) {
        memset(w_new, 0, n * sizeof *w_new);
        l2loss_value(&obj, w_new);
        l2loss_gradient(&obj, w_new, g);
        gnorm0 = cblas_dnrm2(nn, g, 1);
        f = l2loss_value(&obj, w);
        l2loss_gradient(&obj, w, g);
        delta = gnorm = cblas_dnrm2(nn, g, 1);
    } else {
        memset(w, 0, n * sizeof *w);
        f = l2loss_value(&obj, w);
        l2loss_gradient(&obj, w, g);
        delta = gnorm0 = gnorm = cblas_dnrm2(nn, g, 1);
    }

    while (iter <= max_iter && gnorm > eps * gnorm0) {
        double gs, predicted, f_new, actual, snorm, alpha;

        if (past_deadline(prob->deadline)) {
            status = timeout("the trust-region Newton method", iter - 1, err);
            goto cleanup;
        }
        trust_region_cg(&obj, delta, g, s, r, d, Hd);
        memcpy(w_new, w, n * sizeof *w);
        cblas_daxpy(nn, 1.0, s, 1, w_new, 1);

        gs = cblas_ddot(nn, g, 1, s, 1);
        predicted = -0.5 * (gs - cblas_ddot(nn, s, 1, r, 1));
        f_new = l2loss_value(&obj, w_new);
        actual = f - f_new;

        /* Resize the trust region by how well the quadratic model
         * predicted the reduction; alpha * ||s|| is the minimiser of the
         * quadratic through f, gs and f_new along s. */
        snorm = cblas_dnrm2(nn, s, 1);
        if (iter == 1)
            delta = fmin(delta, snorm);
        if (f_new - f - gs <= 0)
            alpha = sigma3;
        else
            alpha = fmax(sigma1, -0.5 * (gs / (f_new - f - gs)));
        if (actual < eta0 * predicted)
            delta = fmin(fmax(alpha, sigma1) * snorm, sigma2 * delta);
        else if (actual < eta1 * predicted)
            delta = fmax(sigma1 * delta, fmin(alpha * snorm, sigma2 * delta));
        else if (actual < eta2 * predicted)
            delta = fmax(sigma1 * delta, fmin(alpha * snorm, sigma3 * delta));
        else
            delta = fmax(delta, fmin(alpha * snorm, sigma3 * delta));

        if (actual > eta0 * predicted) {
            iter++;
            memcpy(w, w_new, n * sizeof *w);
            f = f_new;
            l2loss_gradient(&obj, w, g);
            gnorm = cblas_dnrm2(nn, g, 1);
            if (gnorm <= eps * gnorm0)
                break;
        }

        /* LIBLINEAR's safeguards: an unbounded objective, or no reduction
         * left to make. */
        if (f < -1.0e32)
            break;
        if (fabs(actual) <= 0 && predicted <= 0)
            break;
        if (fabs(actual) <= 1.0e-12 * fabs(f) && fabs(predicted) <= 1.0e-12 * fabs(f))
            break;
    }
    *n_iter = iter - 1;

cleanup:
    free(work);
    free(obj.margin);
    free(obj.coefficient);
    free(obj.violators);
    return status;
}

/* ----- primal coordinate descent (L1R_L2LOSS) ---------------------------- */

/* The nonzero entries y_i x_ij of X, column by column (compressed sparse
 * columns), rows ascending within a column. */
struct columns {
    size_t *start;    /* [n + 1] first entry of each column */
    size_t *row;      /* [nnz] */
    double *value;    /* [nnz] y_i x_ij */
};

static void columns_free(struct columns *cols)
{
    free(cols->start);
    free(cols->row);
    free(cols->value);
}

static enum gcv_status columns_build(const struct problem *prob, struct columns *cols,
                                     struct gcv_error *err)
{
    const size_t l = prob->l, n = prob->n;
    size_t nnz = 0;

    cols->start = calloc(n + 1, sizeof *cols->start);
    if (cols->start == NULL)
        goto nomem;
    for (size_t i = 0; i < l; i++)
        for (size_t j = 0; j < n; j++)
            if (prob->X[i * n + j] != 0) {
                cols->start[j + 1]++;
                nnz++;
            }
    for (size_t j = 0; j < n; j++)
        cols->start[j + 1] += cols->start[j];
    cols->row = malloc((nnz > 0 ? nnz : 1) * sizeof *cols->row);
    cols->value = malloc((nnz > 0 ? nnz : 1) * sizeof *cols->value);
    if (cols->row == NULL || cols->value == NULL)
        goto nomem;

    /* Fill row by row, so each column's rows ascend; start[j] advances to
     * the end of column j and is moved back afterwards. */
    for (size_t i = 0; i < l; i++) {
        for (size_t j = 0; j < n; j++) {
            const double x = prob->X[i * n + j];

            if (x != 0) {
                cols->row[cols->start[j]] = i;
                cols->value[cols->start[j]++] = prob->y[i] * x;
            }
        }
    }
    for (size_t j = n; j > 0; j--)
        cols->start[j] = cols->start[j - 1];
    cols->start[0] = 0;
    return GCV_OK;

nomem:
    columns_free(cols);
    return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for the columns of %zu rows", l);
}

/* Adds shift * value to each b_i of column j and returns the sum of
 * C_i b_i^2 over the column's rows with b_i > 0. When before is not NULL,
 * adds the same sum taken before the shift to *before. */
static double column_loss_shift(const struct problem *prob, const struct columns *cols,
                                size_t j, double shift, double *b, double *before)
{
    double after = 0;

    for (size_t k = cols->start[j]; k < cols->start[j + 1]; k++) {
        const size_t i = cols->row[k];

        if (before != NULL && b[i] > 0)
            *before += prob->cost[i] * b[i] * b[i];
        b[i] += shift * cols->value[k];
        if (b[i] > 0)
            after += prob->cost[i] * b[i] * b[i];
    }
    return after;
}

/* One coordinate step on w_j: the Newton direction of the one-variable
 * problem, then halved until the objective decreases enough (Armijo with
 * sigma 0.01, 20 halvings at most). b_i = 1 - y_i w.x_i follows w_j.
 * Returns false when the line search ran out of halvings, so that the
 * caller recomputes b. */
static bool l1_coordinate_step(const struct problem *prob, const struct columns *cols,
                               size_t j, double G_loss, double G, double H, double xj_sq,
                               double *w, double *b)
{
    const int max_linesearch = 20;
    const double sigma = 0.01;
    const double Gp = G + 1, Gn = G - 1;
    double d, delta, d_old = 0;
    double loss_old = 0;    /* the column's loss at the original w_j */
    int step;

    if (Gp < H * w[j])
        d = -Gp / H;
    else if (Gn > H * w[j])
        d = -Gn / H;
    else
        d = -w[j];
    if (fabs(d) < 1.0e-12)
        return true;

    delta = fabs(w[j] + d) - fabs(w[j]) + G * d;
    for (step = 0; step < max_linesearch; step++) {
        const double d_diff = d_old - d;
        double cond = fabs(w[j] + d) - fabs(w[j]) - sigma * delta;
        double loss_new;

        /* An upper bound of the loss change needs no pass over the column.
         * When it already shows enough decrease, d is accepted. */
        if (xj_sq * d * d + G_loss * d + cond <= 0) {
            for (size_t k = cols->start[j]; k < cols->start[j + 1]; k++)
                b[cols->row[k]] += d_diff * cols->value[k];
            break;
        }
        loss_new = column_loss_shift(prob, cols, j, d_diff, b, step == 0 ? &loss_old : NULL);
        cond += loss_new - loss_old;
        if (cond <= 0)
            break;
        d_old = d;
        d *= 0.5;
        delta *= 0.5;
    }
    w[j] += d;
    return step < max_linesearch;
}

/* The state of the L1 coordinate descent that one pass updates. */
struct l1_state {
    double *w;             /* [n] */
    double *b;             /* [l] 1 - y_i w.x_i */
    size_t *index;         /* [n] visiting order, active first */
    size_t active_size;
};

/* One pass of the L1 coordinate descent over the active features, in an
 * order drawn from rng: each feature's violation of the optimality
 * condition, shrinking, and a coordinate step. Returns the sum of the
 * violations and writes their maximum into *Gmax_new. */
static double l1_pass(const struct problem *prob, const struct columns *cols,
                      const double *xj_sq, struct gcv_random *rng, double Gmax_old,
                      struct l1_state *state, double *Gmax_new)
{
    const size_t l = prob->l, n = prob->n;
    double *w = state->w, *b = state->b;
    double Gnorm1_new = 0;

    *Gmax_new = 0;
    shuffle(rng, state->index, state->active_size);

    for (size_t s = 0; s < state->active_size; s++) {
        const size_t j = state->index[s];
        double G_loss = 0, H = 0, G, violation = 0;

        for (size_t k = cols->start[j]; k < cols->start[j + 1]; k++) {
            const size_t i = cols->row[k];

            if (b[i] > 0) {
                const double weighted = prob->cost[i] * cols->value[k];

                G_loss -= weighted * b[i];
                H += weighted * cols->value[k];
            }
        }
        G_loss *= 2;
        G = G_loss;
        H = fmax(2 * H, 1e-12);

        /* The violation of the optimality condition of |w_j| + loss. A
         * zero w_j well inside it is shrunk away until the next pass
         * over all features. */
        if (w[j] == 0) {
            if (G + 1 < 0) {
                violation = -(G + 1);
            } else if (G - 1 > 0) {
                violation = G - 1;
            } else if (G + 1 > Gmax_old / (double)l && G - 1 < -Gmax_old / (double)l) {
                deactivate(state->index, s--, &state->active_size);
                continue;
            }
        } else if (w[j] > 0) {
            violation = fabs(G + 1);
        } else {
            violation = fabs(G - 1);
        }
        *Gmax_new = fmax(*Gmax_new, violation);
        Gnorm1_new += violation;

        if (!l1_coordinate_step(prob, cols, j, G_loss, G, H, xj_sq[j], w, b)) {
            /* The line search gave up: recompute b from w. */
            for (size_t i = 0; i < l; i++)
                b[i] = 1;
            for (size_t f = 0; f < n; f++) {
                if (w[f] == 0)
                    continue;
                for (size_t k = cols->start[f]; k < cols->start[f + 1]; k++)
                    b[cols->row[k]] -= w[f] * cols->value[k];
            }
        }
    }
    return Gnorm1_new;
}

/* The sum of the violations of the first pass of a fit from zero, which
 * LIBLINEAR's stopping rule measures every pass against: that pass run
 * on scratch copies of w = 0, b = 1 and a copy of rng, so that the fit
 * itself draws the same orders. */
static enum gcv_status l1_first_pass_from_zero(const struct problem *prob,
                                               const struct columns *cols, const double *xj_sq,
                                               const struct gcv_random *rng, double *Gnorm1,
                                               struct gcv_error *err)
{
    struct gcv_random copy = *rng;
    struct l1_state state = {
        .w = calloc(prob->n, sizeof *state.w),
        .b = malloc(prob->l * sizeof *state.b),
        .index = malloc(prob->n * sizeof *state.index),
        .active_size = prob->n,
    };
    double Gmax_unused;

    if (state.w == NULL || state.b == NULL || state.index == NULL) {
        free(state.w);
        free(state.b);
        free(state.index);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for the primal of %zu rows",
                             prob->l);
    }
    for (size_t i = 0; i < prob->l; i++)
        state.b[i] = 1;
    for (size_t j = 0; j < prob->n; j++)
        state.index[j] = j;
    *Gnorm1 = l1_pass(prob, cols, xj_sq, &copy, INFINITY, &state, &Gmax_unused);
    free(state.w);
    free(state.b);
    free(state.index);
    return GCV_OK;
}

/* Minimises the primal from w[n] when warm, else from zero, and leaves
 * the solution in w. */
static enum gcv_status solve_primal_l1(const struct problem *prob, double eps,
                                       long long max_iter, bool warm, double *w,
                                       long long *n_iter, struct gcv_error *err)
{
    const size_t l = prob->l, n = prob->n;
    struct columns cols = {0};
    double *xj_sq = calloc(n, sizeof *xj_sq);      /* [n] sum_i C_i x_ij^2 */
    struct l1_state state = {
        .w = w,
        .b = malloc(l * sizeof *state.b),
        .index = malloc(n * sizeof *state.index),
        .active_size = n,
    };
    double Gmax_old = INFINITY, Gnorm1_init = -1.0;
    long long iter = 0;
    enum gcv_status status = GCV_OK;

    if (state.b == NULL || xj_sq == NULL || state.index == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for the primal of %zu rows",
                               l);
        goto cleanup;
    }
    if ((status = columns_build(prob, &cols, err)) != GCV_OK)
        goto cleanup;
    if (!warm)
        memset(w, 0, n * sizeof *w);
    for (size_t i = 0; i < l; i++)
        state.b[i] = 1;
    for (size_t j = 0; j < n; j++) {
        state.index[j] = j;
        for (size_t k = cols.start[j]; k < cols.start[j + 1]; k++) {
            xj_sq[j] += prob->cost[cols.row[k]] * cols.value[k] * cols.value[k];
            if (w[j] != 0)
                state.b[cols.row[k]] -= w[j] * cols.value[k];
        }
    }

    /* LIBLINEAR's rule compares each pass with the first pass from zero.
     * A warm start's own first pass begins near the solution, and would
     * make the rule far stricter, so it takes the first pass from zero
     * too, at the cost of one pass. */
    if (warm && (status = l1_first_pass_from_zero(prob, &cols, xj_sq, prob->rng, &Gnorm1_init,
                                                  err)) != GCV_OK)
        goto cleanup;

    while (iter < max_iter) {
        double Gmax_new, Gnorm1_new;

        if (past_deadline(prob->deadline)) {
            status = timeout("coordinate descent", iter, err);
            goto cleanup;
        }
        Gnorm1_new = l1_pass(prob, &cols, xj_sq, prob->rng, Gmax_old, &state, &Gmax_new);

        if (iter == 0 && !warm)
            Gnorm1_init = Gnorm1_new;
        iter++;

        if (Gnorm1_new <= eps * Gnorm1_init) {
            if (state.active_size == n)
                break;
            state.active_size = n;
            Gmax_old = INFINITY;
            continue;
        }
        Gmax_old = Gmax_new;
    }
    *n_iter = iter;

cleanup:
    columns_free(&cols);
    free(state.b);
    free(xj_sq);
    free(state.index);
    return status;
}

/* The training rows of a fit, grouped by class as LIBLINEAR groups them,
 * and what every problem of the fit shares. */
struct grouped_rows {
    size_t l;                  /* rows */
    size_t n;                  /* columns: the features, then the intercept feature */
    size_t K;                  /* classes present */
    double *X;                 /* [l * n], row-major, class 0's rows first, owned */
    size_t *row_class;         /* [l] class position of each row, owned */
    double *weighted_C;        /* [K] C times the class weight, owned */
    struct gcv_random rng;     /* LIBLINEAR's generator, one stream for the fit */
    double deadline;
};

static void grouped_rows_free(struct grouped_rows *rows)
{
    free(rows->X);
    free(rows->row_class);
    free(rows->weighted_C);
}

/* ----- Crammer-Singer (MCSVM_CS) ----------------------------------------- */

/* Solves the sub-problem of one row i over its active classes: minimise
 * sum_m (A alpha_m^2 / 2 + B_m alpha_m) subject to sum_m alpha_m = 0,
 * alpha_m <= 0 except alpha_yi <= C_yi, by sorting D = B (with A C_yi
 * added at yi) in descending order and finding the threshold beta, as
 * LIBLINEAR does. */
static void cs_sub_problem(double A, size_t yi, double C_yi, size_t active, const double *B,
                           double *D, double *alpha_new)
{
    double beta;
    size_t r;

    memcpy(D, B, active * sizeof *D);
    if (yi < active)
        D[yi] += A * C_yi;
    /* Descending insertion sort: active is the number of classes. */
    for (size_t k = 1; k < active; k++) {
        const double value = D[k];
        size_t m = k;

        for (; m > 0 && D[m - 1] < value; m--)
            D[m] = D[m - 1];
        D[m] = value;
    }

    beta = D[0] - A * C_yi;
    for (r = 1; r < active && beta < (double)r * D[r]; r++)
        beta += D[r];
    beta /= (double)r;

    for (r = 0; r < active; r++) {
        if (r == yi)
            alpha_new[r] = fmin(C_yi, (beta - B[r]) / A);
        else
            alpha_new[r] = fmin(0.0, (beta - B[r]) / A);
    }
}

/* Crammer-Singer's shrinking test: alpha at its upper bound (C_i for the
 * row's own class, else 0) with a gradient below the smallest of the free
 * variables. */
static bool cs_shrinkable(double alpha, bool own_class, double C_i, double G, double minG)
{
    return alpha == (own_class ? C_i : 0.0) && G < minG;
}

/* The state of the Crammer-Singer solver for one row's class subset. */
struct cs_row {
    double *alpha;        /* [K] alpha_i by class */
    size_t *order;        /* [K] classes, the active ones first */
    size_t *active;       /* number of active classes */
    size_t *y_slot;       /* position of the row's own class in order */
};

/* Moves the shrinkable classes of one row past its active ones, keeping
 * G and y_slot in step with order, as LIBLINEAR does. */
static void cs_shrink_row(struct cs_row row, double *G, double C_i, double minG)
{
    for (size_t m = 0; m < *row.active; m++) {
        if (!cs_shrinkable(row.alpha[row.order[m]], m == *row.y_slot, C_i, G[m], minG))
            continue;
        (*row.active)--;
        while (*row.active > m) {
            const size_t last = *row.active;

            if (!cs_shrinkable(row.alpha[row.order[last]], last == *row.y_slot, C_i, G[last],
                               minG)) {
                const size_t swap_class = row.order[m];
                const double swap_G = G[m];

                row.order[m] = row.order[last];
                row.order[last] = swap_class;
                G[m] = G[last];
                G[last] = swap_G;
                if (*row.y_slot == last)
                    *row.y_slot = m;
                else if (*row.y_slot == m)
                    *row.y_slot = last;
                break;
            }
            (*row.active)--;
        }
    }
}

/* Work arrays of the Crammer-Singer solver, K entries each. */
struct cs_work {
    double *G;            /* gradient over the row's active classes */
    double *B;            /* linear term of the row's sub-problem */
    double *D;            /* scratch of cs_sub_problem */
    double *alpha_new;    /* the sub-problem's solution */
    double *change;       /* nonzero changes of alpha_i */
    size_t *changed;      /* their classes */
};

/* Visits row i of the Crammer-Singer problem: its gradient, shrinking,
 * and the exact minimisation over its active classes, updating alpha_i and
 * w. Returns false when the row has one active class left, so that the
 * caller drops it from the active rows. Raises *stopping to the row's
 * spread max G - min G when it updates the row. */
static bool cs_visit_row(const double *x, size_t n, size_t K, double A, double C_i,
                         size_t own_class, struct cs_row row, double *w, struct cs_work work,
                         double *stopping)
{
    double minG = INFINITY, maxG = -INFINITY;
    size_t n_changed = 0;

    /* G_m = [m != y_i] + w_m.x_i over the active classes. */
    for (size_t m = 0; m < *row.active; m++)
        work.G[m] = 1;
    if (*row.y_slot < *row.active)
        work.G[*row.y_slot] = 0;
    for (size_t j = 0; j < n; j++) {
        if (x[j] == 0)
            continue;
        for (size_t m = 0; m < *row.active; m++)
            work.G[m] += w[j * K + row.order[m]] * x[j];
    }

    for (size_t m = 0; m < *row.active; m++) {
        if (row.alpha[row.order[m]] < 0 && work.G[m] < minG)
            minG = work.G[m];
        if (work.G[m] > maxG)
            maxG = work.G[m];
    }
    if (*row.y_slot < *row.active && row.alpha[own_class] < C_i && work.G[*row.y_slot] < minG)
        minG = work.G[*row.y_slot];

    cs_shrink_row(row, work.G, C_i, minG);
    if (*row.active <= 1)
        return false;
    if (maxG - minG <= 1e-12)
        return true;
    *stopping = fmax(maxG - minG, *stopping);

    for (size_t m = 0; m < *row.active; m++)
        work.B[m] = work.G[m] - A * row.alpha[row.order[m]];
    cs_sub_problem(A, *row.y_slot, C_i, *row.active, work.B, work.D, work.alpha_new);
    for (size_t m = 0; m < *row.active; m++) {
        const double delta = work.alpha_new[m] - row.alpha[row.order[m]];

        row.alpha[row.order[m]] = work.alpha_new[m];
        if (fabs(delta) >= 1e-12) {
            work.changed[n_changed] = row.order[m];
            work.change[n_changed++] = delta;
        }
    }
    for (size_t j = 0; j < n; j++) {
        if (x[j] == 0)
            continue;
        for (size_t k = 0; k < n_changed; k++)
            w[j * K + work.changed[k]] += work.change[k] * x[j];
    }
    return true;
}

/* The Crammer-Singer multiclass problem in its dual, over alpha_i^m:
 *     min sum_m ||w_m||^2 / 2 + sum_i sum_{m != y_i} alpha_i^m
 *     s.t. alpha_i^m <= C_i [m = y_i], sum_m alpha_i^m = 0,
 * w_m = sum_i alpha_i^m x_i, solved one row at a time in a random order
 * with shrinking, as LIBLINEAR does (its source cites the appendix of Fan,
 * Chang, Hsieh, Wang & Lin, "LIBLINEAR: a library for large linear
 * classification", JMLR 2008). Stops when the largest spread max G - min G of a
 * pass over all rows is < tol, or after 100000 passes: scikit-learn 1.2.1
 * does not pass max_iter to this solver. Cost per pass O(l n K).
 * Starts from alpha[l * K], row-major (zeros for a fit from zero), which
 * must be feasible, leaves the solution there and writes w[n * K],
 * feature-major (w_m of feature j at w[j * K + m]). */
static enum gcv_status solve_crammer_singer(struct grouped_rows *rows,
                                            const double *cost, double eps, double *alpha,
                                            double *w, long long *n_iter,
                                            struct gcv_error *err)
{
    const long long max_iter = 100000;
    const size_t l = rows->l, n = rows->n, K = rows->K;
    size_t *order = malloc(l * K * sizeof *order);                /* [l * K] */
    size_t *active_classes = malloc(l * sizeof *active_classes);  /* [l] */
    size_t *y_slot = malloc(l * sizeof *y_slot);                  /* [l] */
    size_t *index = malloc(l * sizeof *index);                    /* [l] */
    double *QD = malloc(l * sizeof *QD);                          /* [l] ||x_i||^2 */
    double *work_values = malloc(5 * K * sizeof *work_values);    /* [5 * K] */
    size_t *changed = malloc(K * sizeof *changed);                /* [K] */
    struct cs_work work;
    size_t active_size = l;
    double eps_shrink = fmax(10.0 * eps, 1.0);
    bool start_from_all = true;
    long long iter = 0;
    enum gcv_status status = GCV_OK;

    if (order == NULL || active_classes == NULL || y_slot == NULL || index == NULL ||
        QD == NULL || work_values == NULL || changed == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for the Crammer-Singer "
                               "problem of %zu rows", l);
        goto cleanup;
    }
    work = (struct cs_work){
        .G = work_values, .B = work_values + K, .D = work_values + 2 * K,
        .alpha_new = work_values + 3 * K, .change = work_values + 4 * K, .changed = changed,
    };

    memset(w, 0, n * K * sizeof *w);
    for (size_t i = 0; i < l; i++) {
        const double *x = rows->X + i * n;

        for (size_t m = 0; m < K; m++)
            order[i * K + m] = m;
        QD[i] = 0;
        for (size_t j = 0; j < n; j++) {
            if (x[j] == 0)
                continue;
            QD[i] += x[j] * x[j];
            /* w of a nonzero start; a start from zero adds nothing. */
            for (size_t m = 0; m < K; m++)
                if (alpha[i * K + m] != 0)
                    w[j * K + m] += alpha[i * K + m] * x[j];
        }
        active_classes[i] = K;
        y_slot[i] = rows->row_class[i];
        index[i] = i;
    }

    while (iter < max_iter) {
        double stopping = -INFINITY;

        if (past_deadline(rows->deadline)) {
            status = timeout("the Crammer-Singer solver", iter, err);
            goto cleanup;
        }
        shuffle(&rows->rng, index, active_size);

        for (size_t s = 0; s < active_size; s++) {
            const size_t i = index[s];
            const struct cs_row row = {
                .alpha = alpha + i * K, .order = order + i * K,
                .active = &active_classes[i], .y_slot = &y_slot[i],
            };

            if (QD[i] > 0 && !cs_visit_row(rows->X + i * n, n, K, QD[i], cost[i],
                                           rows->row_class[i], row, w, work, &stopping))
                deactivate(index, s--, &active_size);
        }
        iter++;

        /* Converged on the active rows: stop if they were all rows, else
         * reactivate everything with a tighter shrinking tolerance. */
        if (stopping < eps_shrink) {
            if (stopping < eps && start_from_all)
                break;
            active_size = l;
            for (size_t i = 0; i < l; i++)
                active_classes[i] = K;
            eps_shrink = fmax(eps_shrink / 2, eps);
            start_from_all = true;
        } else {
            start_from_all = false;
        }
    }
    *n_iter = iter;

cleanup:
    free(order);
    free(active_classes);
    free(y_slot);
    free(index);
    free(QD);
    free(work_values);
    free(changed);
    return status;
}

/* ----- fit --------------------------------------------------------------- */

static void linear_svc_model_free(void *model_pointer)
{
    struct gcv_linear_svc_model *model = model_pointer;

    if (model == NULL)
        return;
    free(model->classes);
    free(model->coef);
    free(model->intercept);
    free(model->solution);
    free(model);
}

static const char *linear_svc_fit_warning(const void *model_pointer)
{
    const struct gcv_linear_svc_model *model = model_pointer;

    return model->converged ? NULL : model->warning;
}

/* True for the solvers whose variables are the dual's alpha. */
static bool solver_is_dual(enum gcv_linear_svc_solver solver)
{
    return solver == GCV_LINEAR_SVC_L2R_L1LOSS_DUAL || solver == GCV_LINEAR_SVC_L2R_L2LOSS_DUAL;
}

/* The entries of one problem's row of gcv_linear_svc_model.solution. */
static size_t solution_stride(const struct gcv_linear_svc_params *params, size_t l,
                              size_t n_features)
{
    return solver_is_dual(params->solver) ? l : n_features + 1;
}

/* Runs the solver of params on prob, from start (a row of a previous
 * model's solution, for the same problem at a smaller C) or from zero
 * when start is NULL. Writes w[prob->n] and the solver's variables into
 * solution, a row of solution_stride entries, zeroed by the caller. Every start is feasible at
 * the larger C: the primal has no constraint, and the dual's bound, C_i
 * for the hinge loss and none for the squared hinge, only grows with C. */
static enum gcv_status solve(const struct gcv_linear_svc_params *params,
                             const struct problem *prob, const double *start, double *w,
                             double *solution, long long *n_iter, struct gcv_error *err)
{
    const bool warm = start != NULL;
    size_t n_positive = 0;
    double primal_eps;
    enum gcv_status status;

    /* The primal solvers scale tol by the share of the smaller label. */
    for (size_t i = 0; i < prob->l; i++)
        n_positive += prob->y[i] > 0;
    primal_eps = params->tol *
                 fmax((double)(n_positive < prob->l - n_positive ? n_positive
                                                                 : prob->l - n_positive),
                      1.0) /
                 (double)prob->l;

    if (solver_is_dual(params->solver)) {
        /* Clipping at the bound changes nothing along increasing C. It
         * keeps the start feasible should a start from a larger C come. */
        for (size_t i = 0; i < prob->l && warm; i++)
            solution[i] = params->solver == GCV_LINEAR_SVC_L2R_L1LOSS_DUAL
                              ? fmin(start[i], prob->cost[i])
                              : start[i];
        return solve_dual(prob, params->solver == GCV_LINEAR_SVC_L2R_L1LOSS_DUAL, params->tol,
                          params->max_iter, solution, w, n_iter, err);
    }

    if (warm)
        memcpy(w, start, prob->n * sizeof *w);
    if (params->solver == GCV_LINEAR_SVC_L2R_L2LOSS)
        status = solve_primal_l2(prob, primal_eps, params->max_iter, warm, w, n_iter, err);
    else
        status = solve_primal_l1(prob, primal_eps, params->max_iter, warm, w, n_iter, err);
    /* Without fit_intercept the row's last entry stays 0. */
    memcpy(solution, w, prob->n * sizeof *w);
    return status;
}

/* Groups train by class position (the classes of model, ascending), each
 * class in fold order, appends the intercept feature and seeds the
 * generator as scikit-learn seeds it. count[code] gives the rows of each
 * dataset class code and position[code] its class position. */
static enum gcv_status group_rows(const struct gcv_linear_svc_params *params,
                                  const struct gcv_rows *train,
                                  const struct gcv_linear_svc_model *model, const size_t *count,
                                  const size_t *position, struct grouped_rows *rows,
                                  struct gcv_error *err)
{
    const size_t d = train->n_features;
    const size_t K = model->n_classes;
    size_t *next = malloc(K * sizeof *next);   /* [K] next free row of each class */
    struct gcv_random seeder;

    rows->l = train->n_rows;
    rows->n = d + (params->fit_intercept ? 1 : 0);
    rows->K = K;
    rows->deadline = train->deadline;
    rows->X = malloc((rows->l * rows->n > 0 ? rows->l * rows->n : 1) * sizeof *rows->X);
    rows->row_class = malloc((rows->l > 0 ? rows->l : 1) * sizeof *rows->row_class);
    rows->weighted_C = malloc(K * sizeof *rows->weighted_C);
    if (next == NULL || rows->X == NULL || rows->row_class == NULL ||
        rows->weighted_C == NULL) {
        free(next);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting LinearSVC on %zu rows",
                             rows->l);
    }

    /* C per class: "balanced" weighs class c by l / (K count_c), as
     * scikit-learn's compute_class_weight. */
    for (size_t c = 0, start = 0; c < K; c++) {
        const size_t rows_of_class = count[model->classes[c]];

        next[c] = start;
        start += rows_of_class;
        rows->weighted_C[c] = params->C;
        if (params->class_weight_balanced)
            rows->weighted_C[c] *= (double)rows->l / ((double)K * (double)rows_of_class);
    }

    for (size_t r = 0; r < rows->l; r++) {
        const size_t row = train->index[r];
        const size_t c = position[train->y_class[row]];
        const size_t slot = next[c]++;

        memcpy(rows->X + slot * rows->n, train->X + row * d, d * sizeof *rows->X);
        if (rows->n > d)
            rows->X[slot * rows->n + d] = params->intercept_scaling;
        rows->row_class[slot] = c;
    }
    free(next);

    gcv_random_seed(&seeder, params->random_state);
    gcv_random_seed(&rows->rng, (uint32_t)gcv_random_randint(&seeder, 0, 2147483647));
    return GCV_OK;
}

/* Fits one problem per decision column: the second class against the
 * first for two classes, else each class against the rest, where the rest
 * keep the unweighted C as in LIBLINEAR. Each problem starts from its own
 * solution in previous, or from zero when previous is NULL. */
static enum gcv_status fit_one_vs_rest(const struct gcv_linear_svc_params *params,
                                       struct grouped_rows *rows,
                                       const struct gcv_linear_svc_model *previous,
                                       struct gcv_linear_svc_model *model,
                                       struct gcv_error *err)
{
    const size_t l = rows->l, n = rows->n, K = rows->K, d = model->n_features;
    const size_t stride = solution_stride(params, l, d);
    signed char *y = malloc((l > 0 ? l : 1) * sizeof *y);    /* [l] */
    double *cost = malloc((l > 0 ? l : 1) * sizeof *cost);   /* [l] */
    double *w = malloc((n > 0 ? n : 1) * sizeof *w);         /* [n] */
    const struct problem prob = {
        .l = l, .n = n, .X = rows->X, .y = y, .cost = cost, .rng = &rows->rng,
        .deadline = rows->deadline,
    };
    enum gcv_status status = GCV_OK;

    if (y == NULL || cost == NULL || w == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting LinearSVC on %zu "
                               "rows", l);
        goto cleanup;
    }
    for (size_t column = 0; column < model->n_rows; column++) {
        const size_t positive = K == 2 ? 1 : column;
        long long n_iter = 0;

        for (size_t i = 0; i < l; i++) {
            const bool is_positive = rows->row_class[i] == positive;

            y[i] = is_positive ? 1 : -1;
            cost[i] = is_positive ? rows->weighted_C[positive]
                                  : (K == 2 ? rows->weighted_C[0] : params->C);
        }
        status = solve(params, &prob,
                       previous != NULL ? previous->solution + column * stride : NULL, w,
                       model->solution + column * stride, &n_iter, err);
        if (status != GCV_OK)
            goto cleanup;

        memcpy(model->coef + column * d, w, d * sizeof *w);
        model->intercept[column] = params->fit_intercept ? params->intercept_scaling * w[d]
                                                         : 0.0;
        if (n_iter > model->n_iter)
            model->n_iter = n_iter;
    }

cleanup:
    free(y);
    free(cost);
    free(w);
    return status;
}

/* True when alpha[l * K] of a previous fit is feasible for the costs of
 * this one: alpha_i^m <= C_i for the row's own class m = y_i. The other
 * constraints (alpha_i^m <= 0 for m != y_i, sum_m alpha_i^m = 0) do not
 * depend on C. Along increasing C every start passes, since
 * alpha_i^{y_i} <= the previous C_i <= C_i. */
static bool cs_start_is_feasible(const struct grouped_rows *rows, const double *cost,
                                 const double *alpha)
{
    for (size_t i = 0; i < rows->l; i++)
        if (alpha[i * rows->K + rows->row_class[i]] > cost[i])
            return false;
    return true;
}

/* Fits the Crammer-Singer problem and writes its K rows of coefficients,
 * or their difference (second minus first) for two classes, as
 * scikit-learn's LinearSVC.fit does. Starts from previous's alpha when
 * previous is not NULL and that alpha is feasible, else from zero. */
static enum gcv_status fit_crammer_singer(const struct gcv_linear_svc_params *params,
                                          struct grouped_rows *rows,
                                          const struct gcv_linear_svc_model *previous,
                                          struct gcv_linear_svc_model *model,
                                          struct gcv_error *err)
{
    const size_t n = rows->n, K = rows->K, d = model->n_features;
    double *w = malloc((n * K > 0 ? n * K : 1) * sizeof *w);   /* [n * K], feature-major */
    double *cost = malloc((rows->l > 0 ? rows->l : 1) * sizeof *cost);
    enum gcv_status status;

    if (w == NULL || cost == NULL) {
        free(w);
        free(cost);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting LinearSVC on %zu "
                             "rows", rows->l);
    }
    for (size_t i = 0; i < rows->l; i++)
        cost[i] = rows->weighted_C[rows->row_class[i]];
    /* A start from a larger C could break the bound of the row's own
     * class, and projecting it back would take a solve per row, so such a
     * start is dropped for zero. model->solution comes zeroed. */
    if (previous != NULL && cs_start_is_feasible(rows, cost, previous->solution))
        memcpy(model->solution, previous->solution,
               model->n_solution * sizeof *model->solution);

    /* NOTE: scikit-learn 1.2.1 fills n_iter_ for this solver partly from
     * memory past the solver's count, so whether it warns is unpredictable.
     * model->n_iter is the true count, and the usual max_iter rule warns. */
    status = solve_crammer_singer(rows, cost, params->tol, model->solution, w, &model->n_iter,
                                  err);

    for (size_t m = 0; m < K && status == GCV_OK; m++) {
        const size_t column = K == 2 ? 0 : m;
        const double sign = K == 2 && m == 0 ? -1.0 : 1.0;

        for (size_t j = 0; j < d; j++)
            model->coef[column * d + j] += sign * w[j * K + m];
        if (params->fit_intercept)
            model->intercept[column] += sign * params->intercept_scaling * w[d * K + m];
    }
    free(w);
    free(cost);
    return status;
}

/* Rejects a previous model that was not fitted on the same rows and
 * classes with the same solver, which the chains of warm starts never
 * hand over. */
static enum gcv_status check_previous(const struct gcv_linear_svc_model *previous,
                                      const struct gcv_linear_svc_model *model,
                                      struct gcv_error *err)
{
    if (previous->solution == NULL || previous->n_solution != model->n_solution ||
        previous->n_train != model->n_train || previous->n_features != model->n_features ||
        previous->n_classes != model->n_classes ||
        memcmp(previous->classes, model->classes,
               model->n_classes * sizeof *model->classes) != 0)
        return gcv_error_set(err, GCV_ERR_INTERNAL, "LinearSVC: the warm start is a model of "
                             "other rows or another solver (%zu classes, %zu features, %zu "
                             "rows, %zu solver variables; this fit has %zu, %zu, %zu, %zu)",
                             previous->n_classes, previous->n_features, previous->n_train,
                             previous->n_solution, model->n_classes, model->n_features,
                             model->n_train, model->n_solution);
    return GCV_OK;
}

/* Fits from zero, or from previous's solution when previous is not NULL
 * (a warm start along increasing C). */
static enum gcv_status fit_path(const struct gcv_linear_svc_params *params,
                                const struct gcv_rows *train,
                                const struct gcv_linear_svc_model *previous, void **model_out,
                                struct gcv_error *err)
{
    const size_t l = train->n_rows;
    const size_t d = train->n_features;
    const size_t n_codes = train->n_classes;
    struct gcv_linear_svc_model *model = NULL;
    struct grouped_rows rows = {0};
    size_t *count = NULL;          /* [n_codes] training rows of each code */
    size_t *position = NULL;       /* [n_codes] class position of each present code */
    size_t K;
    enum gcv_status status = GCV_OK;

    *model_out = NULL;
    if (train->y_class == NULL)
        return gcv_error_set(err, GCV_ERR_DATA, "LinearSVC needs class labels, and the rows "
                             "have none");

    count = calloc(n_codes > 0 ? n_codes : 1, sizeof *count);
    position = calloc(n_codes > 0 ? n_codes : 1, sizeof *position);
    model = calloc(1, sizeof *model);
    if (count == NULL || position == NULL || model == NULL)
        goto nomem;
    model->n_features = d;
    model->converged = true;

    /* classes_: the codes present, ascending. */
    for (size_t r = 0; r < l; r++) {
        const int32_t code = train->y_class[train->index[r]];

        if (code < 0 || (size_t)code >= n_codes) {
            status = gcv_error_set(err, GCV_ERR_DATA, "class code %d of row %zu is outside "
                                   "[0, %zu)", (int)code, train->index[r], n_codes);
            goto cleanup;
        }
        count[code]++;
    }
    model->classes = malloc((n_codes > 0 ? n_codes : 1) * sizeof *model->classes);
    if (model->classes == NULL)
        goto nomem;
    for (size_t c = 0; c < n_codes; c++) {
        if (count[c] == 0)
            continue;
        position[c] = model->n_classes;
        model->classes[model->n_classes++] = (int32_t)c;
    }
    K = model->n_classes;
    if (K < 2) {
        status = gcv_error_set(err, GCV_ERR_FIT, "LinearSVC needs rows of at least 2 classes, "
                               "and the training rows have only class code %d",
                               K == 1 ? (int)model->classes[0] : -1);
        goto cleanup;
    }

    model->n_rows = K == 2 ? 1 : K;
    model->coef = calloc(model->n_rows * (d > 0 ? d : 1), sizeof *model->coef);
    model->intercept = calloc(model->n_rows, sizeof *model->intercept);
    if (model->coef == NULL || model->intercept == NULL)
        goto nomem;
    if ((status = group_rows(params, train, model, count, position, &rows, err)) != GCV_OK)
        goto cleanup;

    /* The solvers' variables, kept for a later warm start. */
    model->n_train = l;
    model->n_solution = params->crammer_singer ? l * K
                                               : model->n_rows * solution_stride(params, l, d);
    model->solution = calloc(model->n_solution > 0 ? model->n_solution : 1,
                             sizeof *model->solution);
    if (model->solution == NULL)
        goto nomem;
    if (previous != NULL && (status = check_previous(previous, model, err)) != GCV_OK)
        goto cleanup;

    if (params->crammer_singer)
        status = fit_crammer_singer(params, &rows, previous, model, err);
    else
        status = fit_one_vs_rest(params, &rows, previous, model, err);
    if (status != GCV_OK)
        goto cleanup;

    /* scikit-learn warns when any problem used all max_iter iterations. */
    if (model->n_iter >= params->max_iter) {
        model->converged = false;
        snprintf(model->warning, sizeof model->warning,
                 "LinearSVC: liblinear stopped at max_iter=%lld before converging "
                 "(ConvergenceWarning); increase max_iter or scale the features",
                 params->max_iter);
        gcv_log_warn("%s", model->warning);
    }
    goto cleanup;

nomem:
    status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting LinearSVC on %zu rows",
                           l);
cleanup:
    free(count);
    free(position);
    grouped_rows_free(&rows);
    if (status != GCV_OK) {
        linear_svc_model_free(model);
        return status;
    }
    *model_out = model;
    return GCV_OK;
}

static enum gcv_status linear_svc_fit(const void *params, const struct gcv_rows *train,
                                      void **model, struct gcv_error *err)
{
    return fit_path(params, train, NULL, model, err);
}

static enum gcv_status linear_svc_fit_from(const void *params, const struct gcv_rows *train,
                                           const void *previous, void **model,
                                           struct gcv_error *err)
{
    return fit_path(params, train, previous, model, err);
}

/* ----- predict ----------------------------------------------------------- */

enum gcv_status gcv_linear_svc_decision(const struct gcv_linear_svc_model *model,
                                        const struct gcv_rows *rows, double *out,
                                        struct gcv_error *err)
{
    return gcv_estimator_linear_decision("LinearSVC", model->coef, model->intercept,
                                         model->n_features, model->n_rows, rows, out, err);
}

/* gcv_estimator_decision_fn of a LinearSVC model. */
static enum gcv_status linear_svc_decision_values(const void *model, const struct gcv_rows *rows,
                                                  double *values, struct gcv_error *err)
{
    return gcv_linear_svc_decision(model, rows, values, err);
}

static enum gcv_status linear_svc_predict(const void *model_pointer,
                                          const struct gcv_rows *rows, double *out,
                                          struct gcv_error *err)
{
    const struct gcv_linear_svc_model *model = model_pointer;

    return gcv_estimator_predict_linear(model, rows, model->n_rows, model->classes,
                                        linear_svc_decision_values, out, err);
}

/* gcv_estimator_ops.decision_function: the fitted classes, and the one
 * decision column of a model fitted on two classes. */
static enum gcv_status linear_svc_decision_op(const void *model_pointer,
                                              const struct gcv_rows *rows, double *out,
                                              int32_t *classes, size_t *n_classes,
                                              struct gcv_error *err)
{
    const struct gcv_linear_svc_model *model = model_pointer;

    return gcv_estimator_decision_op(model, rows, model->classes, model->n_classes,
                                     linear_svc_decision_values, out, classes, n_classes, err);
}

/* ----- save and load ----------------------------------------------------- */

/* gcv_estimator_ops.save: classes, coef_ and intercept_, which are all
 * that prediction reads. */
static enum gcv_status linear_svc_save(const void *model_pointer, hid_t group,
                                       struct gcv_error *err)
{
    const struct gcv_linear_svc_model *model = model_pointer;
    const struct gcv_linear_arrays arrays = {
        model->n_features, model->n_classes, model->n_rows,
        model->classes, model->coef, model->intercept,
    };

    return gcv_estimator_save_linear(&arrays, group, err);
}

/* gcv_estimator_ops.load: the inverse of linear_svc_save. A loaded model
 * reports no ConvergenceWarning. */
static enum gcv_status linear_svc_load(hid_t group, void **model_out, struct gcv_error *err)
{
    struct gcv_linear_svc_model *model = calloc(1, sizeof *model);
    struct gcv_linear_arrays arrays = {0};
    enum gcv_status status;

    *model_out = NULL;
    if (model == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory loading a LinearSVC");
    model->converged = true;
    status = gcv_estimator_load_linear(group, "LinearSVC", &arrays, err);
    model->n_features = arrays.n_features;
    model->n_classes = arrays.n_classes;
    model->n_rows = arrays.n_rows;
    model->classes = arrays.classes;
    model->coef = arrays.coef;
    model->intercept = arrays.intercept;
    if (status != GCV_OK) {
        linear_svc_model_free(model);
        return status;
    }
    *model_out = model;
    return GCV_OK;
}

const struct gcv_estimator_ops gcv_linear_svc_ops = {
    .name = "LinearSVC",
    .kind = GCV_ESTIMATOR_CLASSIFIER,
    .params_parse = linear_svc_params_parse,
    .params_free = linear_svc_params_free,
    .fit = linear_svc_fit,
    .predict = linear_svc_predict,
    .model_free = linear_svc_model_free,
    .fit_warning = linear_svc_fit_warning,
    .decision_function = linear_svc_decision_op,
    .path_param = "C",
    .path_increasing = true,
    .fit_from = linear_svc_fit_from,
    .save = linear_svc_save,
    .load = linear_svc_load,
};
