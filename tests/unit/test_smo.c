/* Suite "smo": the kernel blocks against a scalar reference, the column
 * cache, the SMO solver on problems solved by hand, and its stopping rule,
 * iteration limit and cache independence on larger random problems. The
 * match with scikit-learn's libsvm as a whole is tested in suite "svc". */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "worker/estimators/kernel.h"
#include "worker/estimators/smo.h"

/* ----- helpers ----------------------------------------------------------- */

/* splitmix64: a fixed stream of test data, the same on every platform. */
static uint64_t random_state;

static double uniform(void)
{
    uint64_t z = (random_state += 0x9E3779B97F4A7C15ULL);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

/* The kernel written directly from its definition, one pair at a time. */
static double reference_kernel(const struct gcv_kernel *kernel, const double *x, const double *z,
                               size_t d)
{
    double dot = 0, distance = 0, value;

    for (size_t f = 0; f < d; f++) {
        dot += x[f] * z[f];
        distance += (x[f] - z[f]) * (x[f] - z[f]);
    }
    switch (kernel->type) {
    case GCV_KERNEL_LINEAR:
        return dot;
    case GCV_KERNEL_POLY:
        value = 1;
        for (int k = 0; k < kernel->degree; k++)
            value *= kernel->gamma * dot + kernel->coef0;
        return value;
    case GCV_KERNEL_RBF:
        return exp(-kernel->gamma * distance);
    case GCV_KERNEL_SIGMOID:
        return tanh(kernel->gamma * dot + kernel->coef0);
    }
    return NAN;
}

static const struct gcv_kernel test_kernels[] = {
    {.type = GCV_KERNEL_LINEAR},
    {.type = GCV_KERNEL_POLY, .gamma = 0.7, .coef0 = 1.5, .degree = 3},
    {.type = GCV_KERNEL_RBF, .gamma = 0.3},
    {.type = GCV_KERNEL_SIGMOID, .gamma = 0.2, .coef0 = -0.4},
};

static bool close_to(double got, double want, double rel, double abs_floor)
{
    return fabs(got - want) <= rel * fabs(want) + abs_floor;
}

/* One C-SVC problem: rows X[l * d], labels y, bounds C, p = -1, alpha = 0. */
struct svc_problem {
    size_t l, d;
    double *X;
    signed char *y;
    double *C;
    double *p;
    double *alpha;
    size_t *rows;
};

static void problem_alloc(struct svc_problem *problem, size_t l, size_t d)
{
    problem->l = l;
    problem->d = d;
    problem->X = calloc(l * d, sizeof *problem->X);
    problem->y = calloc(l, sizeof *problem->y);
    problem->C = calloc(l, sizeof *problem->C);
    problem->p = calloc(l, sizeof *problem->p);
    problem->alpha = calloc(l, sizeof *problem->alpha);
    problem->rows = calloc(l, sizeof *problem->rows);
    for (size_t i = 0; i < l; i++) {
        problem->p[i] = -1;
        problem->rows[i] = i;
    }
}

static void problem_free(struct svc_problem *problem)
{
    free(problem->X);
    free(problem->y);
    free(problem->C);
    free(problem->p);
    free(problem->alpha);
    free(problem->rows);
}

/* Two overlapping clouds in d dimensions, labels alternating +1, -1. */
static void random_problem(struct svc_problem *problem, size_t l, size_t d, double C)
{
    random_state = 42;
    problem_alloc(problem, l, d);
    for (size_t i = 0; i < l; i++) {
        problem->y[i] = i % 2 == 0 ? +1 : -1;
        problem->C[i] = C;
        for (size_t f = 0; f < d; f++)
            problem->X[i * d + f] = uniform() * 2 + (problem->y[i] > 0 ? 0.6 : 0.0);
    }
}

/* Solves problem with kernel and returns the solution; alpha is overwritten. */
static struct gcv_smo_solution solve(struct svc_problem *problem, const struct gcv_kernel *kernel,
                                     bool shrinking, long long max_iter, size_t cache_bytes,
                                     double eps)
{
    struct gcv_smo_kernel_q q;
    struct gcv_smo_solution solution;
    struct gcv_error err = {0};

    ck_assert_int_eq(gcv_smo_kernel_q_init(&q, kernel, problem->X, problem->d, problem->rows,
                                           problem->l, problem->y, cache_bytes, &err),
                     GCV_OK);
    struct gcv_smo_problem smo = {
        .l = problem->l,
        .Q = &q.matrix,
        .p = problem->p,
        .y = problem->y,
        .C = problem->C,
        .eps = eps,
        .shrinking = shrinking,
        .max_iter = max_iter,
    };
    ck_assert_int_eq(gcv_smo_solve(&smo, problem->alpha, &solution, &err), GCV_OK);
    gcv_smo_kernel_q_free(&q);
    return solution;
}

/* Returns the maximal KKT violation m(alpha) - M(alpha) of the problem's
 * alpha, recomputing the gradient in double precision from the reference
 * kernel. Q_ij = y_i y_j K_ij (y NULL: all +1). */
static double kkt_violation(const struct svc_problem *problem, const struct gcv_kernel *kernel)
{
    double up = -INFINITY, low = -INFINITY;

    for (size_t i = 0; i < problem->l; i++) {
        const double yi = problem->y[i];
        double G = problem->p[i];

        for (size_t j = 0; j < problem->l; j++)
            G += yi * problem->y[j] * problem->alpha[j] *
                 reference_kernel(kernel, problem->X + i * problem->d,
                                  problem->X + j * problem->d, problem->d);
        /* I_up: alpha may move along +y; I_low: alpha may move along -y. */
        if ((yi > 0 && problem->alpha[i] < problem->C[i]) || (yi < 0 && problem->alpha[i] > 0))
            up = fmax(up, -yi * G);
        if ((yi > 0 && problem->alpha[i] > 0) || (yi < 0 && problem->alpha[i] < problem->C[i]))
            low = fmax(low, yi * G);
    }
    return up + low;
}

/* ----- kernels ----------------------------------------------------------- */

START_TEST(kernel_block_matches_scalar_reference)
{
    const struct gcv_kernel *kernel = &test_kernels[_i];
    enum { N_A = 7, N_B = 6, D = 5 };
    double A[N_A * D], B[N_B * D], a_norms[N_A], b_norms[N_B], block[N_A * N_B];

    random_state = 7;
    for (size_t k = 0; k < N_A * D; k++)
        A[k] = uniform() * 4 - 2;
    for (size_t k = 0; k < N_B * D; k++)
        B[k] = uniform() * 4 - 2;
    gcv_kernel_row_norms(A, N_A, D, a_norms);
    gcv_kernel_row_norms(B, N_B, D, b_norms);
    gcv_kernel_block(kernel, A, a_norms, N_A, B, b_norms, N_B, D, block);

    for (size_t r = 0; r < N_A; r++) {
        for (size_t c = 0; c < N_B; c++) {
            const double want = reference_kernel(kernel, A + r * D, B + c * D, D);
            ck_assert_msg(close_to(block[r * N_B + c], want, 1e-12, 1e-14),
                          "kernel %d: K(A_%zu, B_%zu) = %.17g, want %.17g", (int)kernel->type, r,
                          c, block[r * N_B + c], want);
        }
    }
}
END_TEST

START_TEST(kernel_column_matches_scalar_reference)
{
    const struct gcv_kernel *kernel = &test_kernels[_i];
    enum { N = 9, D = 4 };
    double A[N * D], x[D], norms[N], x_norm, column[N];

    random_state = 11;
    for (size_t k = 0; k < N * D; k++)
        A[k] = uniform() * 2 - 1;
    for (size_t f = 0; f < D; f++)
        x[f] = uniform() * 2 - 1;
    gcv_kernel_row_norms(A, N, D, norms);
    gcv_kernel_row_norms(x, 1, D, &x_norm);

    /* A column over rows 2..8 only, as the solver requests missing tails. */
    gcv_kernel_column(kernel, A + 2 * D, norms + 2, N - 2, D, x, x_norm, column);
    for (size_t r = 2; r < N; r++) {
        const double want = reference_kernel(kernel, A + r * D, x, D);
        ck_assert_msg(close_to(column[r - 2], want, 1e-12, 1e-14),
                      "kernel %d: K(A_%zu, x) = %.17g, want %.17g", (int)kernel->type, r,
                      column[r - 2], want);
    }
}
END_TEST

START_TEST(kernel_diagonal_uses_row_norms)
{
    const double norms[] = {0.0, 2.0, 13.5};
    const struct gcv_kernel rbf = {.type = GCV_KERNEL_RBF, .gamma = 5.0};
    const struct gcv_kernel poly = {.type = GCV_KERNEL_POLY, .gamma = 0.5, .coef0 = 1, .degree = 2};
    const struct gcv_kernel zero_degree = {.type = GCV_KERNEL_POLY, .gamma = 3, .degree = 0};
    double out[3];

    /* RBF: exp(-g (n + n - 2n)) is exactly exp(0) = 1. */
    gcv_kernel_diagonal(&rbf, norms, 3, out);
    for (size_t r = 0; r < 3; r++)
        ck_assert_double_eq(out[r], 1.0);
    /* poly: (0.5 n + 1)^2 = 1, 4, 60.0625. */
    gcv_kernel_diagonal(&poly, norms, 3, out);
    ck_assert_double_eq(out[0], 1.0);
    ck_assert_double_eq(out[1], 4.0);
    ck_assert_double_eq(out[2], 60.0625);
    /* Degree 0: every value is 1, as libsvm's powi returns for 0 squarings. */
    gcv_kernel_diagonal(&zero_degree, norms, 3, out);
    for (size_t r = 0; r < 3; r++)
        ck_assert_double_eq(out[r], 1.0);
}
END_TEST

START_TEST(gather_rows_copies_in_index_order)
{
    const double X[] = {0, 1, 10, 11, 20, 21, 30, 31};
    const size_t index[] = {3, 0, 2};
    const struct gcv_rows rows = {.X = X, .n_features = 2, .index = index, .n_rows = 3};
    const double want[] = {30, 31, 0, 1, 20, 21};
    double out[6];

    gcv_kernel_gather_rows(&rows, out);
    for (size_t k = 0; k < 6; k++)
        ck_assert_double_eq(out[k], want[k]);
}
END_TEST

/* ----- column cache ------------------------------------------------------ */

START_TEST(cache_extends_a_cached_prefix)
{
    struct gcv_smo_cache cache;
    struct gcv_error err = {0};
    size_t start;
    float *first, *again;

    ck_assert_int_eq(gcv_smo_cache_init(&cache, 8, 1 << 20, &err), GCV_OK);
    first = gcv_smo_cache_get(&cache, 3, 4, &start);
    ck_assert_uint_eq(start, 0);
    again = gcv_smo_cache_get(&cache, 3, 6, &start);
    ck_assert_ptr_eq(again, first);
    ck_assert_uint_eq(start, 4);
    gcv_smo_cache_get(&cache, 3, 2, &start);
    ck_assert_uint_ge(start, 2);
    gcv_smo_cache_free(&cache);
}
END_TEST

START_TEST(cache_evicts_least_recently_used)
{
    struct gcv_smo_cache cache;
    struct gcv_error err = {0};
    size_t start;

    /* No budget: libsvm's floor of two full columns. */
    ck_assert_int_eq(gcv_smo_cache_init(&cache, 6, 0, &err), GCV_OK);
    ck_assert_uint_eq(cache.n_slots, 2);
    gcv_smo_cache_get(&cache, 0, 6, &start);
    gcv_smo_cache_get(&cache, 1, 6, &start);
    gcv_smo_cache_get(&cache, 0, 6, &start); /* order now 1, 0 */
    ck_assert_uint_eq(start, 6);
    gcv_smo_cache_get(&cache, 2, 6, &start); /* evicts 1 */
    ck_assert_uint_eq(start, 0);
    gcv_smo_cache_get(&cache, 0, 6, &start);
    ck_assert_uint_eq(start, 6);
    gcv_smo_cache_get(&cache, 1, 6, &start); /* evicts 2 */
    ck_assert_uint_eq(start, 0);
    gcv_smo_cache_get(&cache, 2, 6, &start);
    ck_assert_uint_eq(start, 0);
    gcv_smo_cache_free(&cache);
}
END_TEST

START_TEST(cache_swap_moves_entries_and_drops_short_columns)
{
    struct gcv_smo_cache cache;
    struct gcv_error err = {0};
    size_t start;
    float *column0, *column1;

    ck_assert_int_eq(gcv_smo_cache_init(&cache, 5, 1 << 20, &err), GCV_OK);
    column0 = gcv_smo_cache_get(&cache, 0, 5, &start);
    for (size_t k = 0; k < 5; k++)
        column0[k] = (float)k;
    column1 = gcv_smo_cache_get(&cache, 1, 2, &start);
    column1[0] = 100;
    column1[1] = 101;

    /* Column 1 becomes column 3; its prefix of 2 lacks entry 3, so it goes. */
    gcv_smo_cache_swap(&cache, 1, 3);
    gcv_smo_cache_get(&cache, 3, 2, &start);
    ck_assert_uint_eq(start, 0);
    column0 = gcv_smo_cache_get(&cache, 0, 5, &start);
    ck_assert_uint_eq(start, 5);
    ck_assert_float_eq(column0[1], 3.0f);
    ck_assert_float_eq(column0[3], 1.0f);
    ck_assert_float_eq(column0[4], 4.0f);
    gcv_smo_cache_free(&cache);
}
END_TEST

/* ----- problems solved by hand ------------------------------------------- */

START_TEST(two_points_free_solution)
{
    /* x1 = (3, 0) with y = +1 and x2 = (1, 0) with y = -1, linear kernel:
     * K = [[9, 3], [3, 1]], Q = [[9, -3], [-3, 1]]. y^T alpha = 0 forces
     * alpha1 = alpha2 = a, and the dual 1/2 a^2 (9 - 6 + 1) - 2a is least at
     * a = 0.5 < C = 1. Both are free, G = Q alpha - 1 = (2, -2), and
     * rho = mean(y_i G_i) = 2: f(x) = 0.5 * 3 x0 - 0.5 * x0 - 2 = x0 - 2,
     * the midpoint boundary. The objective is 1/2 - 1 = -0.5. */
    const struct gcv_kernel linear = {.type = GCV_KERNEL_LINEAR};
    struct svc_problem problem;
    struct gcv_smo_solution solution;

    problem_alloc(&problem, 2, 2);
    problem.X[0] = 3;
    problem.X[2] = 1;
    problem.y[0] = +1;
    problem.y[1] = -1;
    problem.C[0] = problem.C[1] = 1.0;

    solution = solve(&problem, &linear, true, -1, 1 << 20, 1e-3);
    ck_assert_double_eq_tol(problem.alpha[0], 0.5, 1e-15);
    ck_assert_double_eq_tol(problem.alpha[1], 0.5, 1e-15);
    ck_assert_double_eq_tol(solution.rho, 2.0, 1e-15);
    ck_assert_double_eq_tol(solution.obj, -0.5, 1e-15);
    ck_assert_int_eq(solution.n_iter, 1);
    ck_assert(solution.converged);
    problem_free(&problem);
}
END_TEST

START_TEST(two_points_at_upper_bound)
{
    /* The same points with C = 0.25 < 0.5: the step is clipped to
     * alpha = (0.25, 0.25), both at the upper bound. G = Q alpha - 1 =
     * (0.5, -1.5), so y G = (0.5, 1.5). The +1 point at its upper bound gives
     * the lower limit 0.5, the -1 point the upper limit 1.5; with no free
     * variable rho is their midpoint, 1.0. */
    const struct gcv_kernel linear = {.type = GCV_KERNEL_LINEAR};
    struct svc_problem problem;
    struct gcv_smo_solution solution;

    problem_alloc(&problem, 2, 2);
    problem.X[0] = 3;
    problem.X[2] = 1;
    problem.y[0] = +1;
    problem.y[1] = -1;
    problem.C[0] = problem.C[1] = 0.25;

    solution = solve(&problem, &linear, true, -1, 1 << 20, 1e-3);
    ck_assert_double_eq(problem.alpha[0], 0.25);
    ck_assert_double_eq(problem.alpha[1], 0.25);
    ck_assert_double_eq_tol(solution.rho, 1.0, 1e-15);
    ck_assert_int_eq(solution.n_iter, 1);
    problem_free(&problem);
}
END_TEST

START_TEST(two_points_with_class_weighted_bounds)
{
    /* The same points with per-sample bounds C = (0.1, 1), as a class weight
     * of 0.1 on the +1 class gives. alpha1 = alpha2 is capped by C1:
     * alpha = (0.1, 0.1). The -1 point stays free with
     * G2 = -3 * 0.1 + 1 * 0.1 - 1 = -1.2, so rho = y2 G2 = 1.2. */
    const struct gcv_kernel linear = {.type = GCV_KERNEL_LINEAR};
    struct svc_problem problem;
    struct gcv_smo_solution solution;

    problem_alloc(&problem, 2, 2);
    problem.X[0] = 3;
    problem.X[2] = 1;
    problem.y[0] = +1;
    problem.y[1] = -1;
    problem.C[0] = 0.1;
    problem.C[1] = 1.0;

    solution = solve(&problem, &linear, true, -1, 1 << 20, 1e-3);
    ck_assert_double_eq(problem.alpha[0], 0.1);
    ck_assert_double_eq_tol(problem.alpha[1], 0.1, 1e-15);
    ck_assert_double_eq_tol(solution.rho, 1.2, 1e-14);
    problem_free(&problem);
}
END_TEST

START_TEST(symmetric_square_follows_libsvm_tie_rules)
{
    /* +1 at (1, 1) and (1, -1), -1 at (-1, 1) and (-1, -1), linear kernel,
     * C = 1. The dual has many solutions (any alpha with a1 + a2 = a3 + a4 =
     * a1 + a4 = a2 + a3 = 1/2 gives w = (1, 0)), so the pair libsvm picks
     * matters. At alpha = 0 all gradients are -1: i is the last +1 index
     * with the largest -G (ties go to the later index), i = 1. For j = 2
     * the curvature is K11 + K22 - 2 K12 = 2 + 2 + 4 = 8 and for j = 3 it
     * is 2 + 2 - 0 = 4, so j = 3 decreases the objective most. The step
     * (1 + 1) / 4 = 0.5 sets alpha = (0, 0.5, 0, 0.5), after which every
     * gradient is 0: optimal after one iteration, rho = 0 from the two free
     * variables, and w = 0.5 (1, -1) - 0.5 (-1, -1) = (1, 0). */
    const struct gcv_kernel linear = {.type = GCV_KERNEL_LINEAR};
    const double points[] = {1, 1, 1, -1, -1, 1, -1, -1};
    const double want[] = {0, 0.5, 0, 0.5};
    struct svc_problem problem;
    struct gcv_smo_solution solution;

    problem_alloc(&problem, 4, 2);
    memcpy(problem.X, points, sizeof points);
    for (size_t i = 0; i < 4; i++) {
        problem.y[i] = i < 2 ? +1 : -1;
        problem.C[i] = 1.0;
    }

    solution = solve(&problem, &linear, true, -1, 1 << 20, 1e-3);
    for (size_t i = 0; i < 4; i++)
        ck_assert_msg(problem.alpha[i] == want[i], "alpha[%zu] = %.17g, want %g", i,
                      problem.alpha[i], want[i]);
    ck_assert_double_eq(solution.rho, 0.0);
    ck_assert_int_eq(solution.n_iter, 1);
    problem_free(&problem);
}
END_TEST

START_TEST(equal_decrease_picks_later_j)
{
    /* +1 at x0 = (1, 1) and x1 = (1, -1), -1 at x2 = (-2, 0) and x3 = (0, 2),
     * linear kernel. x2 and x3 mirror each other across the direction of x1,
     * so K(x1, x2) = K(x1, x3) = -2 and K22 = K33 = 4. At alpha = 0 libsvm
     * takes i = 1 (the later of two equal +1 violators), and for j = 2 and
     * j = 3 the curvature is 2 + 4 + 2 * 2 = 10 with the same gradient gap
     * 2, a tie that goes to the later j = 3. One step of (1 + 1) / 10 gives
     * alpha = (0, 0.2, 0, 0.2). */
    const struct gcv_kernel linear = {.type = GCV_KERNEL_LINEAR};
    const double points[] = {1, 1, 1, -1, -2, 0, 0, 2};
    const double want[] = {0, 0.2, 0, 0.2};
    struct svc_problem problem;
    struct gcv_smo_solution solution;

    problem_alloc(&problem, 4, 2);
    memcpy(problem.X, points, sizeof points);
    for (size_t i = 0; i < 4; i++) {
        problem.y[i] = i < 2 ? +1 : -1;
        problem.C[i] = 1.0;
    }

    solution = solve(&problem, &linear, true, 1, 1 << 20, 1e-3);
    ck_assert_int_eq(solution.n_iter, 1);
    for (size_t i = 0; i < 4; i++)
        ck_assert_msg(problem.alpha[i] == want[i], "alpha[%zu] = %.17g, want %g", i,
                      problem.alpha[i], want[i]);
    problem_free(&problem);
}
END_TEST

/* ----- random problems --------------------------------------------------- */

START_TEST(solution_meets_stopping_rule)
{
    const struct gcv_kernel *kernel = &test_kernels[_i];
    const double eps = 1e-3;
    struct svc_problem problem;
    struct gcv_smo_solution solution;
    double balance = 0;

    if (kernel->type == GCV_KERNEL_SIGMOID)
        return; /* not positive semi-definite: the KKT point need not be reached */
    random_problem(&problem, 80, 3, 2.0);
    solution = solve(&problem, kernel, true, -1, 1 << 20, eps);
    ck_assert(solution.converged);

    for (size_t i = 0; i < problem.l; i++) {
        ck_assert(problem.alpha[i] >= 0 && problem.alpha[i] <= problem.C[i]);
        balance += problem.y[i] * problem.alpha[i];
    }
    ck_assert_double_eq_tol(balance, 0.0, 1e-10);
    /* Q is stored in single precision, so the double-precision gradient may
     * differ from the solver's by about 1e-7 |Q| sum(alpha). */
    ck_assert_msg(kkt_violation(&problem, kernel) < eps + 1e-4, "violation %g",
                  kkt_violation(&problem, kernel));
    problem_free(&problem);
}
END_TEST

START_TEST(max_iter_stops_as_not_converged)
{
    const struct gcv_kernel rbf = {.type = GCV_KERNEL_RBF, .gamma = 0.5};
    struct svc_problem problem;
    struct gcv_smo_solution limited, full;

    random_problem(&problem, 60, 2, 1.0);
    limited = solve(&problem, &rbf, true, 3, 1 << 20, 1e-3);
    ck_assert(!limited.converged);
    ck_assert_int_eq(limited.n_iter, 3);

    memset(problem.alpha, 0, problem.l * sizeof *problem.alpha);
    full = solve(&problem, &rbf, true, -1, 1 << 20, 1e-3);
    ck_assert(full.converged);
    ck_assert_int_gt(full.n_iter, 3);

    /* A limit above the iterations needed changes nothing. */
    memset(problem.alpha, 0, problem.l * sizeof *problem.alpha);
    limited = solve(&problem, &rbf, true, full.n_iter + 1, 1 << 20, 1e-3);
    ck_assert(limited.converged);
    ck_assert_double_eq(limited.rho, full.rho);
    problem_free(&problem);
}
END_TEST

START_TEST(two_column_cache_gives_same_iterates)
{
    /* Eviction only costs recomputation: with shrinking swapping variables,
     * the smallest cache must reproduce the large cache's run bit for bit. */
    const struct gcv_kernel rbf = {.type = GCV_KERNEL_RBF, .gamma = 2.0};
    struct svc_problem problem;
    struct gcv_smo_solution large, tiny;
    double *alpha_large;

    random_problem(&problem, 1500, 2, 10.0);
    large = solve(&problem, &rbf, true, -1, (size_t)64 << 20, 1e-3);
    alpha_large = malloc(problem.l * sizeof *alpha_large);
    memcpy(alpha_large, problem.alpha, problem.l * sizeof *alpha_large);

    memset(problem.alpha, 0, problem.l * sizeof *problem.alpha);
    tiny = solve(&problem, &rbf, true, -1, 0, 1e-3);
    ck_assert_int_eq(tiny.n_iter, large.n_iter);
    ck_assert_double_eq(tiny.rho, large.rho);
    for (size_t i = 0; i < problem.l; i++)
        ck_assert_msg(problem.alpha[i] == alpha_large[i], "alpha[%zu] differs", i);

    free(alpha_large);
    problem_free(&problem);
}
END_TEST

START_TEST(shrinking_reaches_same_objective)
{
    const struct gcv_kernel rbf = {.type = GCV_KERNEL_RBF, .gamma = 1.0};
    struct svc_problem problem;
    struct gcv_smo_solution shrunk, plain;

    random_problem(&problem, 1200, 2, 5.0);
    shrunk = solve(&problem, &rbf, true, -1, (size_t)64 << 20, 1e-4);
    memset(problem.alpha, 0, problem.l * sizeof *problem.alpha);
    plain = solve(&problem, &rbf, false, -1, (size_t)64 << 20, 1e-4);
    ck_assert(shrunk.converged && plain.converged);
    ck_assert_msg(close_to(shrunk.obj, plain.obj, 1e-5, 0), "objective %.17g with shrinking, "
                  "%.17g without", shrunk.obj, plain.obj);
    problem_free(&problem);
}
END_TEST

START_TEST(one_class_form_keeps_its_constraint)
{
    /* One-class SVM: Q = K (no labels), p = 0, C_i = 1, and libsvm's start
     * alpha_i = 1 on the first nu * l rows. The solver must keep
     * sum(alpha) = nu * l and reach the stopping rule. */
    const struct gcv_kernel rbf = {.type = GCV_KERNEL_RBF, .gamma = 0.5};
    const size_t l = 40;
    const double nu_l = 0.25 * 40;
    struct svc_problem problem;
    struct gcv_smo_kernel_q q;
    struct gcv_smo_solution solution;
    struct gcv_error err = {0};
    double sum = 0;

    random_problem(&problem, l, 2, 1.0);
    for (size_t i = 0; i < l; i++) {
        problem.y[i] = +1;
        problem.p[i] = 0;
        problem.alpha[i] = i < (size_t)nu_l ? 1.0 : 0.0;
    }
    ck_assert_int_eq(gcv_smo_kernel_q_init(&q, &rbf, problem.X, 2, problem.rows, l, NULL,
                                           1 << 20, &err),
                     GCV_OK);
    struct gcv_smo_problem smo = {
        .l = l, .Q = &q.matrix, .p = problem.p, .y = problem.y, .C = problem.C,
        .eps = 1e-3, .shrinking = true, .max_iter = -1,
    };
    ck_assert_int_eq(gcv_smo_solve(&smo, problem.alpha, &solution, &err), GCV_OK);
    gcv_smo_kernel_q_free(&q);

    for (size_t i = 0; i < l; i++)
        sum += problem.alpha[i];
    ck_assert_double_eq_tol(sum, nu_l, 1e-9);
    ck_assert(solution.converged);
    ck_assert_msg(kkt_violation(&problem, &rbf) < 1e-3 + 1e-5, "violation %g",
                  kkt_violation(&problem, &rbf));
    problem_free(&problem);
}
END_TEST

static Suite *smo_suite(void)
{
    Suite *suite = suite_create("smo");
    TCase *kernels = tcase_create("kernel");
    TCase *cache = tcase_create("cache");
    TCase *by_hand = tcase_create("by_hand");
    TCase *random = tcase_create("random");
    const int n_kernels = (int)(sizeof test_kernels / sizeof test_kernels[0]);

    tcase_add_loop_test(kernels, kernel_block_matches_scalar_reference, 0, n_kernels);
    tcase_add_loop_test(kernels, kernel_column_matches_scalar_reference, 0, n_kernels);
    tcase_add_test(kernels, kernel_diagonal_uses_row_norms);
    tcase_add_test(kernels, gather_rows_copies_in_index_order);
    suite_add_tcase(suite, kernels);

    tcase_add_test(cache, cache_extends_a_cached_prefix);
    tcase_add_test(cache, cache_evicts_least_recently_used);
    tcase_add_test(cache, cache_swap_moves_entries_and_drops_short_columns);
    suite_add_tcase(suite, cache);

    tcase_add_test(by_hand, two_points_free_solution);
    tcase_add_test(by_hand, two_points_at_upper_bound);
    tcase_add_test(by_hand, two_points_with_class_weighted_bounds);
    tcase_add_test(by_hand, symmetric_square_follows_libsvm_tie_rules);
    tcase_add_test(by_hand, equal_decrease_picks_later_j);
    suite_add_tcase(suite, by_hand);

    tcase_set_timeout(random, 60);
    tcase_add_loop_test(random, solution_meets_stopping_rule, 0, n_kernels);
    tcase_add_test(random, max_iter_stops_as_not_converged);
    tcase_add_test(random, two_column_cache_gives_same_iterates);
    tcase_add_test(random, shrinking_reaches_same_objective);
    tcase_add_test(random, one_class_form_keeps_its_constraint);
    suite_add_tcase(suite, random);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(smo_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
