/* Platt scaling of SVC by libsvm's internal 5-fold cross-validation, and
 * pairwise coupling. svc_probability.h describes the method and sources. */
#include "svc_probability.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "smo.h"

/* libsvm's fold count for probability estimates. */
#define N_PROBABILITY_FOLDS 5

void gcv_svc_rng_seed(struct gcv_svc_rng *rng, uint32_t seed)
{
    gcv_random_seed(&rng->mt, seed);
    rng->seed = seed;
}

uint32_t gcv_svc_rng_libsvm_seed(uint32_t random_state)
{
    struct gcv_random state;

    /* np.iinfo("i").max is 2^31 - 1. */
    gcv_random_seed(&state, random_state);
    return (uint32_t)gcv_random_randint(&state, 0, 2147483647);
}

uint32_t gcv_svc_rng_bounded(struct gcv_svc_rng *rng, uint32_t range)
{
    uint32_t x = gcv_random_next32(&rng->mt);
    uint64_t m = (uint64_t)x * range;
    uint32_t low = (uint32_t)m;

    /* Reject the low products that would make some results more likely.
     * The threshold is 2^32 mod range. */
    if (low < range) {
        uint32_t threshold = -range;

        if (threshold >= range) {
            threshold -= range;
            if (threshold >= range)
                threshold %= range;
        }
        while (low < threshold) {
            x = gcv_random_next32(&rng->mt);
            m = (uint64_t)x * range;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

/* Returns the negative log-likelihood term of one value, with target t and
 * fApB = A f + B, in a form that cannot overflow. */
static double sigmoid_loss(double t, double fApB)
{
    if (fApB >= 0)
        return t * fApB + log(1 + exp(-fApB));
    return (t - 1) * fApB + log(1 + exp(fApB));
}

void gcv_svc_sigmoid_fit(size_t l, const double *f, const bool *positive, double *A,
                         double *B)
{
    const int max_iter = 100;
    const double min_step = 1e-10;
    const double sigma = 1e-12; /* added to the Hessian's diagonal to keep it positive definite */
    const double eps = 1e-5;
    double prior1 = 0, prior0 = 0;
    double hi_target, lo_target, fval = 0;
    double a = 0, b;

    for (size_t i = 0; i < l; i++) {
        if (positive[i])
            prior1 += 1;
        else
            prior0 += 1;
    }
    hi_target = (prior1 + 1.0) / (prior1 + 2.0);
    lo_target = 1 / (prior0 + 2.0);

    /* Start from A = 0 and B at the log of the regularised prior odds. */
    b = log((prior0 + 1.0) / (prior1 + 1.0));
    for (size_t i = 0; i < l; i++)
        fval += sigmoid_loss(positive[i] ? hi_target : lo_target, f[i] * a + b);

    for (int iter = 0; iter < max_iter; iter++) {
        double h11 = sigma, h22 = sigma, h21 = 0, g1 = 0, g2 = 0;
        double det, dA, dB, gd, stepsize;

        /* Gradient and Hessian at (a, b). */
        for (size_t i = 0; i < l; i++) {
            const double fApB = f[i] * a + b;
            const double t = positive[i] ? hi_target : lo_target;
            double p, q;

            if (fApB >= 0) {
                p = exp(-fApB) / (1.0 + exp(-fApB));
                q = 1.0 / (1.0 + exp(-fApB));
            } else {
                p = 1.0 / (1.0 + exp(fApB));
                q = exp(fApB) / (1.0 + exp(fApB));
            }
            h11 += f[i] * f[i] * p * q;
            h22 += p * q;
            h21 += f[i] * p * q;
            g1 += f[i] * (t - p);
            g2 += t - p;
        }
        if (fabs(g1) < eps && fabs(g2) < eps)
            break;

        /* Newton direction, then halve the step until the sufficient
         * decrease condition holds. */
        det = h11 * h22 - h21 * h21;
        dA = -(h22 * g1 - h21 * g2) / det;
        dB = -(-h21 * g1 + h11 * g2) / det;
        gd = g1 * dA + g2 * dB;
        stepsize = 1;
        while (stepsize >= min_step) {
            const double new_a = a + stepsize * dA;
            const double new_b = b + stepsize * dB;
            double new_f = 0;

            for (size_t i = 0; i < l; i++)
                new_f += sigmoid_loss(positive[i] ? hi_target : lo_target, f[i] * new_a + new_b);
            if (new_f < fval + 0.0001 * stepsize * gd) {
                a = new_a;
                b = new_b;
                fval = new_f;
                break;
            }
            stepsize /= 2.0;
        }
        if (stepsize < min_step)
            break;
    }
    *A = a;
    *B = b;
}

double gcv_svc_sigmoid_predict(double f, double A, double B)
{
    const double fApB = f * A + B;

    if (fApB >= 0)
        return exp(-fApB) / (1.0 + exp(-fApB));
    return 1.0 / (1 + exp(fApB));
}

void gcv_svc_couple(size_t k, const double *r, double *p, double *work)
{
    double *Q = work;      /* [k * k] */
    double *Qp = work + k * k; /* [k] */
    const size_t max_iter = k > 100 ? k : 100;
    const double eps = 0.005 / (double)k;

    for (size_t t = 0; t < k; t++) {
        p[t] = 1.0 / (double)k;
        Q[t * k + t] = 0;
        for (size_t j = 0; j < t; j++) {
            Q[t * k + t] += r[j * k + t] * r[j * k + t];
            Q[t * k + j] = Q[j * k + t];
        }
        for (size_t j = t + 1; j < k; j++) {
            Q[t * k + t] += r[j * k + t] * r[j * k + t];
            Q[t * k + j] = -r[j * k + t] * r[t * k + j];
        }
    }
    for (size_t iter = 0; iter < max_iter; iter++) {
        double pQp = 0, max_error = 0;

        /* Recompute Q p and p^T Q p from scratch each sweep, for accuracy. */
        for (size_t t = 0; t < k; t++) {
            Qp[t] = 0;
            for (size_t j = 0; j < k; j++)
                Qp[t] += Q[t * k + j] * p[j];
            pQp += p[t] * Qp[t];
        }
        for (size_t t = 0; t < k; t++) {
            const double error = fabs(Qp[t] - pQp);
            if (error > max_error)
                max_error = error;
        }
        if (max_error < eps)
            break;

        for (size_t t = 0; t < k; t++) {
            const double diff = (-Qp[t] + pQp) / Q[t * k + t];

            p[t] += diff;
            pQp = (pQp + diff * (diff * Q[t * k + t] + 2 * Qp[t])) / (1 + diff) / (1 + diff);
            for (size_t j = 0; j < k; j++) {
                Qp[j] = (Qp[j] + diff * Q[t * k + j]) / (1 + diff);
                p[j] /= (1 + diff);
            }
        }
    }
}

/* Fits the C-SVC of one fold and writes the decision values of the
 * held-out pair positions held[n_held] into values (by pair position),
 * positive for the pair's first class. train[m] are pair positions in
 * libsvm's subproblem order. Xp[l * d] and norms_p[l] are the pair's rows. */
static enum gcv_status fit_fold(const struct gcv_svc_probability_problem *problem,
                                const size_t *train, size_t m, const size_t *held,
                                size_t n_held, const double *Xp, const double *norms_p,
                                double *values, struct gcv_error *err)
{
    const size_t d = problem->n_features;
    size_t *order = malloc(m * sizeof *order);       /* [m] pair positions, solver order */
    size_t *rows = malloc(m * sizeof *rows);         /* [m] rows of problem->X */
    signed char *y = malloc(m * sizeof *y);
    double *C = malloc(m * sizeof *C);
    double *p = malloc(m * sizeof *p);
    double *alpha = calloc(m, sizeof *alpha);
    double *column = malloc(problem->l * sizeof *column); /* [l] kernel values of one row */
    struct gcv_smo_kernel_q q = {0};
    struct gcv_smo_solution solution;
    enum gcv_status status = GCV_OK;
    size_t n_order = 0;

    if (order == NULL || rows == NULL || y == NULL || C == NULL || p == NULL ||
        alpha == NULL || column == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM,
                               "out of memory fitting a probability fold of %zu rows", m);
        goto cleanup;
    }

    /* libsvm trains the fold through svm_train, which sorts the labels.
     * So label -1 (the pair's second class) comes first and is the +1 of
     * that problem. */
    for (size_t k = 0; k < m; k++)
        if (train[k] >= problem->count_first)
            order[n_order++] = train[k];
    for (size_t k = 0; k < m; k++)
        if (train[k] < problem->count_first)
            order[n_order++] = train[k];
    for (size_t k = 0; k < m; k++) {
        const bool second = order[k] >= problem->count_first;
        rows[k] = problem->rows[order[k]];
        y[k] = second ? +1 : -1;
        C[k] = second ? problem->C_second : problem->C_first;
        p[k] = -1;
    }

    if (problem->fold != NULL && problem->fold->kernel != NULL)
        status = gcv_smo_kernel_q_init_fold(&q, problem->kernel, problem->fold, rows, m, y,
                                            problem->cache_bytes, err);
    else
        status = gcv_smo_kernel_q_init(&q, problem->kernel, problem->X, d, rows, m, y,
                                       problem->cache_bytes, err);
    if (status != GCV_OK)
        goto cleanup;
    struct gcv_smo_problem smo = {
        .l = m,
        .Q = &q.matrix,
        .p = p,
        .y = y,
        .C = C,
        .eps = problem->tol,
        .shrinking = problem->shrinking,
        .max_iter = problem->max_iter,
        .deadline = problem->deadline,
    };
    if ((status = gcv_smo_solve(&smo, alpha, &solution, err)) != GCV_OK)
        goto cleanup;

    /* Sum the decision values of the held-out rows in the fold model's
     * order. libsvm multiplies them by the fold model's first label (-1), so
     * the sign is flipped back and positive means the pair's first class. */
    for (size_t h = 0; h < n_held; h++) {
        const double *x = Xp + held[h] * d;
        double sum = 0;

        gcv_kernel_column(problem->kernel, Xp, norms_p, problem->l, d, x, norms_p[held[h]],
                          column);
        for (size_t k = 0; k < m; k++)
            sum += y[k] * alpha[k] * column[order[k]];
        values[held[h]] = -(sum - solution.rho);
    }

cleanup:
    gcv_smo_kernel_q_free(&q);
    free(order);
    free(rows);
    free(y);
    free(C);
    free(p);
    free(alpha);
    free(column);
    return status;
}

enum gcv_status gcv_svc_probability_fit_pair(const struct gcv_svc_probability_problem *problem,
                                             struct gcv_svc_rng *rng, double *A, double *B,
                                             struct gcv_error *err)
{
    const size_t l = problem->l;
    const size_t d = problem->n_features;
    size_t *perm = malloc(l * sizeof *perm);    /* [l] pair positions, shuffled */
    size_t *train = malloc(l * sizeof *train);  /* [l] a fold's training positions */
    double *values = malloc(l * sizeof *values); /* [l] out-of-fold decision values */
    bool *positive = malloc(l * sizeof *positive);
    double *Xp = malloc(l * d * sizeof *Xp);    /* [l * d] the pair's rows, row-major */
    double *norms_p = malloc(l * sizeof *norms_p);
    enum gcv_status status = GCV_OK;

    if (perm == NULL || train == NULL || values == NULL || positive == NULL || Xp == NULL ||
        norms_p == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM,
                               "out of memory for the probability estimates of %zu rows", l);
        goto cleanup;
    }
    for (size_t k = 0; k < l; k++) {
        memcpy(Xp + k * d, problem->X + problem->rows[k] * d, d * sizeof *Xp);
        norms_p[k] = problem->norms[problem->rows[k]];
        positive[k] = k < problem->count_first;
    }

    /* Shuffle as libsvm does: position i swaps with a uniformly drawn
     * position of [i, l). */
    for (size_t i = 0; i < l; i++)
        perm[i] = i;
    for (size_t i = 0; i < l; i++) {
        const size_t j = i + gcv_svc_rng_bounded(rng, (uint32_t)(l - i));
        const size_t swap = perm[i];
        perm[i] = perm[j];
        perm[j] = swap;
    }

    for (size_t fold = 0; fold < N_PROBABILITY_FOLDS; fold++) {
        const size_t begin = fold * l / N_PROBABILITY_FOLDS;
        const size_t end = (fold + 1) * l / N_PROBABILITY_FOLDS;
        size_t m = 0, n_first = 0;

        for (size_t j = 0; j < begin; j++)
            train[m++] = perm[j];
        for (size_t j = end; j < l; j++)
            train[m++] = perm[j];
        for (size_t j = 0; j < m; j++)
            if (train[j] < problem->count_first)
                n_first++;

        /* A fold whose training part lacks a class predicts a constant,
         * as libsvm does. */
        if (n_first == 0 || n_first == m) {
            const double constant = m == 0 ? 0 : (n_first > 0 ? 1 : -1);
            for (size_t j = begin; j < end; j++)
                values[perm[j]] = constant;
            continue;
        }
        status = fit_fold(problem, train, m, perm + begin, end - begin, Xp, norms_p, values,
                          err);
        if (status != GCV_OK)
            goto cleanup;
        /* svm_train seeds libsvm's generator again on every call. */
        gcv_svc_rng_seed(rng, rng->seed);
    }

    gcv_svc_sigmoid_fit(l, values, positive, A, B);

cleanup:
    free(perm);
    free(train);
    free(values);
    free(positive);
    free(Xp);
    free(norms_p);
    return status;
}
