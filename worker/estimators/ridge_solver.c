#include "ridge_solver.h"

#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/stats.h"
#include "../fold_cache.h"
#include "kernel.h"

/* Regularised systems X^T X + alpha I whose condition number, from the
 * eigenvalues, exceeds this are solved by Cholesky as scikit-learn does,
 * not from the eigen-decomposition. Below it the two solutions differ by
 * rounding of about condition * epsilon, at most 2e-10 relative. Above it
 * Cholesky's own error grows with the condition number, and only matching
 * its method keeps gridcv's coefficients near scikit-learn's. A singular
 * X^T X also needs the Cholesky path, whose failure leads to the SVD as in
 * scikit-learn. The value is a choice within that range, not a measured
 * threshold. */
#define RIDGE_EIGEN_MAX_CONDITION 1e6

/* Training rows centred at a time while X^T X is accumulated: 512 rows of
 * 200 features are 0.8 MB, where a centred copy of 16 000 rows would take
 * 25.6 MB of memory touched for the first time. */
#define NORMAL_EQUATIONS_BLOCK_ROWS 512

/* The part of the normal equations of one training set that does not
 * depend on alpha, as the fold cache keeps it (GCV_FOLD_CACHE_RIDGE):
 * X^T X and X^T Y of the centred, weighted rows and the eigen-decomposition
 * X^T X = V diag(lambda) V^T with z = V^T X^T Y. Each alpha then costs
 * w = V diag(1 / (lambda + alpha)) z, O(d^2 t), instead of a d x d
 * Cholesky factorisation. A fit from scratch computes the same block by
 * the same calls and solves from it, so a fit from the cache gives the
 * same bits. The targets and weights are kept to confirm that a later fit
 * has the same ones, as the cache finds the training set by its rows
 * alone. One allocation contains the struct and every array. */
struct normal_equations {
    size_t n, d, t;
    double *Y;           /* [n * t] the targets passed to gcv_ridge_fit */
    double *weights;     /* [n] the sample weights, or NULL for none */
    double *x_mean;      /* [d] column means removed from X (0 without intercept) */
    double *y_mean;      /* [t] */
    double *XtX;         /* [d * d] X^T X of the centred, weighted rows, both triangles */
    double *XtY;         /* [d * t] X^T Y of the same rows, row-major */
    bool has_spectrum;   /* false when LAPACK dsyevd failed: every alpha uses Cholesky */
    double *eigenvalues; /* [d] of X^T X, ascending */
    double *V;           /* [d * d] row-major, column k the unit eigenvector of
                            eigenvalues[k] */
    double *z;           /* [t * d] row-major, row c = V^T (column c of X^T Y) */
};

/* The bytes of a block of normal equations, as the fold cache counts them. */
static size_t normal_equations_bytes(size_t n, size_t d, size_t t, bool has_weights)
{
    const size_t n_values = n * t + (has_weights ? n : 0) + d + t + d * d + d * t + d + d * d +
                            t * d;

    return sizeof(struct normal_equations) + n_values * sizeof(double);
}

/* The cache parameter of a training set's normal equations: they differ
 * with and without intercept and weights. */
static double normal_equations_key(bool fit_intercept, const double *sample_weight)
{
    return (fit_intercept ? 1.0 : 0.0) + (sample_weight != NULL ? 2.0 : 0.0);
}

/* Returns a new block of normal equations for n rows, d features and t
 * targets, with Y and the weights copied in, or NULL when out of memory. */
static struct normal_equations *normal_equations_new(size_t n, size_t d, size_t t,
                                                     const double *Y, const double *weights,
                                                     size_t *bytes)
{
    struct normal_equations *block;
    double *next;

    *bytes = normal_equations_bytes(n, d, t, weights != NULL);
    if ((block = malloc(*bytes)) == NULL)
        return NULL;
    next = (double *)(block + 1);
    block->n = n;
    block->d = d;
    block->t = t;
    block->Y = next;
    next += n * t;
    block->weights = weights != NULL ? next : NULL;
    next += weights != NULL ? n : 0;
    block->x_mean = next;
    next += d;
    block->y_mean = next;
    next += t;
    block->XtX = next;
    next += d * d;
    block->XtY = next;
    next += d * t;
    block->has_spectrum = false;
    block->eigenvalues = next;
    next += d;
    block->V = next;
    next += d * d;
    block->z = next;
    memcpy(block->Y, Y, n * t * sizeof *Y);
    if (weights != NULL)
        memcpy(block->weights, weights, n * sizeof *weights);
    return block;
}

/* Writes rows [first, first + count) of train into X[count * d],
 * row-major, centred by x_mean and scaled by sqrt(s_i) when weights is
 * not NULL. */
static void centre_rows(const struct gcv_rows *train, size_t first, size_t count,
                        const double *x_mean, const double *weights, double *X)
{
    const size_t d = train->n_features;

    for (size_t i = 0; i < count; i++) {
        const double *row = train->X + train->index[first + i] * d;
        double *out = X + i * d;

        for (size_t j = 0; j < d; j++)
            out[j] = row[j] - x_mean[j];
        if (weights != NULL) {
            const double root = sqrt(weights[first + i]);
            for (size_t j = 0; j < d; j++)
                out[j] *= root;
        }
    }
}

/* Fills XtX, XtY and the eigen-decomposition of block from the rows of
 * train, centred by block->x_mean and scaled by the square roots of
 * block->weights, and the targets Yc[n * t] already centred and scaled.
 * The rows go through a buffer of NORMAL_EQUATIONS_BLOCK_ROWS at a time,
 * so no centred copy of the whole training set is made. Cost: O(n d^2)
 * for X^T X, O(d^3) for LAPACK dsyevd. Fails only with GCV_ERR_NOMEM. */
static enum gcv_status normal_equations_compute(const struct gcv_rows *train, const double *Yc,
                                                struct normal_equations *block,
                                                struct gcv_error *err)
{
    const size_t n = block->n;
    const size_t d = block->d;
    const size_t t = block->t;
    double *X;  /* [NORMAL_EQUATIONS_BLOCK_ROWS * d] centred rows, row-major */

    if ((X = malloc(NORMAL_EQUATIONS_BLOCK_ROWS * (d > 0 ? d : 1) * sizeof *X)) == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %d rows of %zu features",
                             NORMAL_EQUATIONS_BLOCK_ROWS, d);

    /* X^T X (the upper triangle by syrk) and X^T Y, accumulated over
     * blocks of rows: X is [count x d] with lda d, Yc [count x t] with
     * ldb t. One target takes dgemv, which does not pack X as dgemm does. */
    for (size_t first = 0; first < n; first += NORMAL_EQUATIONS_BLOCK_ROWS) {
        const size_t count = n - first < NORMAL_EQUATIONS_BLOCK_ROWS
                                 ? n - first
                                 : NORMAL_EQUATIONS_BLOCK_ROWS;
        const double beta = first == 0 ? 0.0 : 1.0;

        centre_rows(train, first, count, block->x_mean, block->weights, X);
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d, (int)count, 1.0, X, (int)d,
                    beta, block->XtX, (int)d);
        if (t == 1)
            cblas_dgemv(CblasRowMajor, CblasTrans, (int)count, (int)d, 1.0, X, (int)d,
                        Yc + first, 1, beta, block->XtY, 1);
        else
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, (int)t, (int)count,
                        1.0, X, (int)d, Yc + first * t, (int)t, beta, block->XtY, (int)t);
    }
    free(X);
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < i; j++)
            block->XtX[i * d + j] = block->XtX[j * d + i];

    /* X^T X = V diag(lambda) V^T, then z = V^T X^T Y as [t x d]:
     * z^T = V^T XtY, so z = XtY^T V (XtY [d x t] lda t, V [d x d] lda d). */
    memcpy(block->V, block->XtX, d * d * sizeof *block->V);
    block->has_spectrum = d > 0 && LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)d,
                                                  block->V, (lapack_int)d,
                                                  block->eigenvalues) == 0;
    if (block->has_spectrum)
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)t, (int)d, (int)d, 1.0,
                    block->XtY, (int)t, block->V, (int)d, 0.0, block->z, (int)d);
    return GCV_OK;
}

/* Returns true when the eigen-decomposition of block may solve at alpha:
 * X^T X + alpha I is then positive definite with a condition number of at
 * most RIDGE_EIGEN_MAX_CONDITION. */
static bool spectrum_serves(const struct normal_equations *block, double alpha)
{
    double smallest, largest;

    if (!block->has_spectrum)
        return false;
    smallest = block->eigenvalues[0] + alpha;
    largest = block->eigenvalues[block->d - 1] + alpha;
    return smallest > 0 && largest <= RIDGE_EIGEN_MAX_CONDITION * smallest;
}

/* coef[t * d] from block at alpha: w = V diag(1 / (lambda + alpha)) z by
 * the eigen-decomposition when spectrum_serves, else by Cholesky (LAPACK
 * dposv on X^T X + alpha I, as scipy.linalg.solve with assume_a="pos").
 * *singular is set, and coef untouched, when the Cholesky factorisation
 * finds the matrix not positive definite. */
static enum gcv_status solve_normal_equations(const struct normal_equations *block,
                                              double alpha, double *coef, bool *singular,
                                              struct gcv_error *err)
{
    const size_t d = block->d;
    const size_t t = block->t;
    double *A;  /* [d * d] X^T X + alpha I, row-major */
    double *B;  /* [d * t] X^T Y, then the solution */
    lapack_int info;

    *singular = false;
    if (spectrum_serves(block, alpha)) {
        double *scaled = malloc(d * sizeof *scaled); /* [d] z_c / (lambda + alpha) */

        if (scaled == NULL)
            return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu ridge "
                                 "coefficients", d);

        /* Row c of coef = V [d x d] (lda d) times z_c / (lambda + alpha). */
        for (size_t c = 0; c < t; c++) {
            for (size_t k = 0; k < d; k++)
                scaled[k] = block->z[c * d + k] / (block->eigenvalues[k] + alpha);
            cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)d, (int)d, 1.0, block->V, (int)d,
                        scaled, 1, 0.0, coef + c * d, 1);
        }
        free(scaled);
        return GCV_OK;
    }

    A = malloc(d * d * sizeof *A);
    B = malloc(d * t * sizeof *B);
    if (A == NULL || B == NULL) {
        free(A);
        free(B);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for a %zu x %zu system", d, d);
    }
    memcpy(A, block->XtX, d * d * sizeof *A);
    memcpy(B, block->XtY, d * t * sizeof *B);
    for (size_t i = 0; i < d; i++)
        A[i * d + i] += alpha;
    info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', (lapack_int)d, (lapack_int)t, A, (lapack_int)d, B,
                         (lapack_int)t);
    if (info > 0) {
        *singular = true;
    } else if (info == 0) {
        for (size_t c = 0; c < t; c++)
            for (size_t j = 0; j < d; j++)
                coef[c * d + j] = B[j * t + c];
    }
    free(A);
    free(B);
    if (info < 0)
        return gcv_error_set(err, GCV_ERR_FIT, "LAPACK dposv rejected argument %d", (int)-info);
    return GCV_OK;
}

/* Returns the cached normal equations of train with these targets and
 * weights, or NULL. Fills *rows with the cached training rows (id 0 when
 * they are not cached). */
static const struct normal_equations *find_normal_equations(const struct gcv_rows *train,
                                                            const double *Y, size_t t,
                                                            const double *sample_weight,
                                                            bool fit_intercept,
                                                            struct gcv_fold_rows *rows)
{
    const size_t n = train->n_rows;
    const struct normal_equations *found;

    if (!gcv_fold_cache_rows_key(train->X, train->index, n, train->n_features, rows))
        return NULL;
    found = gcv_fold_cache_find(rows, GCV_FOLD_CACHE_RIDGE, 0,
                                normal_equations_key(fit_intercept, sample_weight));
    if (found == NULL || found->t != t || memcmp(found->Y, Y, n * t * sizeof *Y) != 0 ||
        (sample_weight != NULL &&
         memcmp(found->weights, sample_weight, n * sizeof *sample_weight) != 0))
        return NULL;
    return found;
}

void gcv_ridge_fit_free(struct gcv_ridge_fit *fit)
{
    if (fit == NULL)
        return;
    free(fit->coef);
    free(fit->intercept);
    memset(fit, 0, sizeof *fit);
}

/* Writes the weighted column means of the rows A + index[i] * cols for
 * i < n, or of A[n * cols] itself when index is NULL, into means[cols], as
 * numpy.average(A, axis=0, weights=w) sums: a sequential sum down each
 * column of a matrix, a pairwise sum for a single column. */
static enum gcv_status column_means(const double *A, const size_t *index, size_t n, size_t cols,
                                    const double *w, double *means, struct gcv_error *err)
{
    double total = (double)n;

    if (w != NULL)
        total = gcv_stats_sum(w, n, 1);
    if (cols == 1) {
        double *terms = malloc((n > 0 ? n : 1) * sizeof *terms);

        if (terms == NULL)
            return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory averaging %zu rows", n);
        for (size_t i = 0; i < n; i++) {
            const double value = A[index != NULL ? index[i] : i];
            terms[i] = w != NULL ? value * w[i] : value;
        }
        means[0] = gcv_stats_sum(terms, n, 1) / total;
        free(terms);
        return GCV_OK;
    }
    memset(means, 0, cols * sizeof *means);
    for (size_t i = 0; i < n; i++) {
        const double *row = A + (index != NULL ? index[i] : i) * cols;
        for (size_t j = 0; j < cols; j++)
            means[j] += w != NULL ? row[j] * w[i] : row[j];
    }
    for (size_t j = 0; j < cols; j++)
        means[j] /= total;
    return GCV_OK;
}

/* coef[t * d] from the SVD of X[n * d]: w = V diag(s / (s^2 + alpha)) U^T y
 * over the singular values above 1e-15. X is overwritten. */
static enum gcv_status solve_svd(double *X, size_t n, size_t d, const double *Y, size_t t,
                                 double alpha, double *coef, struct gcv_error *err)
{
    const size_t k = n < d ? n : d;
    double *s = malloc((k > 0 ? k : 1) * sizeof *s);             /* [k] */
    double *U = malloc((n * k > 0 ? n * k : 1) * sizeof *U);     /* [n * k] row-major */
    double *Vt = malloc((k * d > 0 ? k * d : 1) * sizeof *Vt);   /* [k * d] row-major */
    double *UtY = malloc((k * t > 0 ? k * t : 1) * sizeof *UtY); /* [k * t] */
    enum gcv_status status = GCV_OK;
    lapack_int info;

    if (s == NULL || U == NULL || Vt == NULL || UtY == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for the SVD of %zu x %zu", n, d);
        goto cleanup;
    }
    info = LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'S', (lapack_int)n, (lapack_int)d, X,
                          (lapack_int)d, s, U, (lapack_int)k, Vt, (lapack_int)d);
    if (info != 0) {
        status = gcv_error_set(err, GCV_ERR_FIT, "the SVD of the %zu x %zu training matrix "
                               "failed (LAPACK dgesdd info %d)", n, d, (int)info);
        goto cleanup;
    }

    /* U^T Y [k x t]: U is [n x k] row-major (lda k), Y [n x t] (ldb t). */
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)k, (int)t, (int)n, 1.0, U, (int)k,
                Y, (int)t, 0.0, UtY, (int)t);
    for (size_t r = 0; r < k; r++)
        for (size_t c = 0; c < t; c++)
            UtY[r * t + c] *= s[r] > 1e-15 ? s[r] / (s[r] * s[r] + alpha) : 0.0;

    /* coef [t x d] = (V (d UtY))^T = UtY^T Vt: UtY [k x t] (lda t), Vt [k x d]. */
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)t, (int)d, (int)k, 1.0, UtY, (int)t,
                Vt, (int)d, 0.0, coef, (int)d);

cleanup:
    free(s);
    free(U);
    free(Vt);
    free(UtY);
    return status;
}

/* coef[t * d] from the dual (X X^T + alpha I) c = y, w = X^T c, by
 * Cholesky, or by least squares (gelsd) when the matrix is not positive
 * definite. */
static enum gcv_status solve_dual(const double *X, size_t n, size_t d, const double *Y,
                                  size_t t, double alpha, double *coef, struct gcv_error *err)
{
    double *K = malloc(n * n * sizeof *K);       /* [n * n] X X^T + alpha I */
    double *K_copy = malloc(n * n * sizeof *K);  /* [n * n] for the fallback */
    double *C = malloc(n * t * sizeof *C);       /* [n * t] Y, then the dual coefficients */
    double *s = malloc(n * sizeof *s);           /* [n] singular values of the fallback */
    enum gcv_status status = GCV_OK;
    lapack_int info, rank;

    if (K == NULL || K_copy == NULL || C == NULL || s == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for a %zu x %zu system", n, n);
        goto cleanup;
    }
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n, (int)d, 1.0, X, (int)d, 0.0, K,
                (int)n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            K[i * n + j] = K[j * n + i];
    for (size_t i = 0; i < n; i++)
        K[i * n + i] += alpha;
    memcpy(K_copy, K, n * n * sizeof *K);
    memcpy(C, Y, n * t * sizeof *C);

    info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', (lapack_int)n, (lapack_int)t, K, (lapack_int)n, C,
                         (lapack_int)t);
    if (info > 0) {
        /* scikit-learn warns "Singular matrix in solving dual problem" and
         * takes scipy.linalg.lstsq's solution, whose cutoff is eps. */
        memcpy(C, Y, n * t * sizeof *C);
        info = LAPACKE_dgelsd(LAPACK_ROW_MAJOR, (lapack_int)n, (lapack_int)n, (lapack_int)t,
                              K_copy, (lapack_int)n, C, (lapack_int)t, s, DBL_EPSILON, &rank);
    }
    if (info != 0) {
        status = gcv_error_set(err, GCV_ERR_FIT, "the dual ridge system of %zu rows could not "
                               "be solved (LAPACK info %d)", n, (int)info);
        goto cleanup;
    }

    /* coef [t x d] = C^T X: C [n x t] (lda t), X [n x d] (ldb d). */
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)t, (int)d, (int)n, 1.0, C, (int)t,
                X, (int)d, 0.0, coef, (int)d);

cleanup:
    free(K);
    free(K_copy);
    free(C);
    free(s);
    return status;
}

enum gcv_status gcv_ridge_fit(const struct gcv_rows *train, const double *Y, size_t n_targets,
                              const double *sample_weight, double alpha, bool fit_intercept,
                              enum gcv_ridge_solver solver, struct gcv_ridge_fit *fit,
                              struct gcv_error *err)
{
    const size_t n = train->n_rows;
    const size_t d = train->n_features;
    const size_t t = n_targets;
    double *X = NULL;  /* [n * d] centred, scaled */
    double *Yc = NULL; /* [n * t] centred, scaled */
    double *x_mean = calloc(d > 0 ? d : 1, sizeof *x_mean);    /* [d] */
    double *y_mean = calloc(t > 0 ? t : 1, sizeof *y_mean);    /* [t] */
    bool singular = false;
    const bool primal = solver != GCV_RIDGE_SVD && d <= n;
    struct gcv_fold_rows rows = {0};
    const struct normal_equations *cached = NULL;
    struct normal_equations *block = NULL; /* owned until stored in the fold cache */
    bool keep_block = false;
    size_t block_bytes = 0;
    enum gcv_status status = GCV_OK;

    memset(fit, 0, sizeof *fit);
    fit->n_features = d;
    fit->n_targets = t;
    fit->coef = calloc(t * d > 0 ? t * d : 1, sizeof *fit->coef);
    fit->intercept = calloc(t > 0 ? t : 1, sizeof *fit->intercept);
    if (x_mean == NULL || y_mean == NULL || fit->coef == NULL || fit->intercept == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting ridge on %zu rows", n);
        goto cleanup;
    }
    if (n == 0) {
        status = gcv_error_set(err, GCV_ERR_FIT, "ridge needs at least one training row, got 0");
        goto cleanup;
    }

    /* The normal equations of the fold, when another alpha computed them. */
    if (primal && d > 0 &&
        (cached = find_normal_equations(train, Y, t, sample_weight, fit_intercept, &rows)) !=
            NULL) {
        if ((status = solve_normal_equations(cached, alpha, fit->coef, &singular, err)) !=
            GCV_OK)
            goto cleanup;
        if (!singular) {
            memcpy(x_mean, cached->x_mean, d * sizeof *x_mean);
            memcpy(y_mean, cached->y_mean, t * sizeof *y_mean);
            goto intercept;
        }
        /* Not positive definite: the SVD below, as a fit from scratch. */
    }

    /* The means of X and Y, and Y centred and weighed by sqrt(s_i). */
    if ((Yc = malloc((n * t > 0 ? n * t : 1) * sizeof *Yc)) == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting ridge on %zu rows", n);
        goto cleanup;
    }
    memcpy(Yc, Y, n * t * sizeof *Yc);
    if (fit_intercept) {
        if ((status = column_means(train->X, train->index, n, d, sample_weight, x_mean, err)) !=
                GCV_OK ||
            (status = column_means(Yc, NULL, n, t, sample_weight, y_mean, err)) != GCV_OK)
            goto cleanup;
        for (size_t i = 0; i < n; i++)
            for (size_t c = 0; c < t; c++)
                Yc[i * t + c] -= y_mean[c];
    }
    if (sample_weight != NULL) {
        for (size_t i = 0; i < n; i++) {
            const double root = sqrt(sample_weight[i]);
            for (size_t c = 0; c < t; c++)
                Yc[i * t + c] *= root;
        }
    }

    /* Without features the coefficients are empty and the intercept is
     * the mean of y. */
    if (d == 0)
        goto intercept;

    /* The primal from its normal equations, kept in the fold cache when
     * they fit beside the rows. */
    if (primal && !singular) {
        keep_block = rows.id != 0 &&
                     gcv_fold_cache_reserve(&rows, 0, normal_equations_bytes(
                                                          n, d, t, sample_weight != NULL));
        if ((block = normal_equations_new(n, d, t, Y, sample_weight, &block_bytes)) == NULL) {
            status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for the %zu x %zu "
                                   "normal equations", d, d);
            goto cleanup;
        }
        memcpy(block->x_mean, x_mean, d * sizeof *x_mean);
        memcpy(block->y_mean, y_mean, t * sizeof *y_mean);
        if ((status = normal_equations_compute(train, Yc, block, err)) != GCV_OK ||
            (status = solve_normal_equations(block, alpha, fit->coef, &singular, err)) != GCV_OK)
            goto cleanup;
        if (keep_block) {
            gcv_fold_cache_store(&rows, GCV_FOLD_CACHE_RIDGE, 0,
                                 normal_equations_key(fit_intercept, sample_weight), block,
                                 block_bytes, free);
            block = NULL;
        }
        if (!singular)
            goto intercept;
    }

    /* The dual and the SVD read every centred row at once. */
    if ((X = malloc((n * d > 0 ? n * d : 1) * sizeof *X)) == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting ridge on %zu rows", n);
        goto cleanup;
    }
    centre_rows(train, 0, n, x_mean, sample_weight, X);
    if (solver != GCV_RIDGE_SVD && d > n)
        status = solve_dual(X, n, d, Yc, t, alpha, fit->coef, err);
    if (status == GCV_OK && (solver == GCV_RIDGE_SVD || singular))
        status = solve_svd(X, n, d, Yc, t, alpha, fit->coef, err);
    if (status != GCV_OK)
        goto cleanup;

intercept:
    /* intercept_ = y_mean - x_mean . coef. */
    for (size_t c = 0; c < t; c++) {
        double dot = 0;
        for (size_t j = 0; j < d; j++)
            dot += x_mean[j] * fit->coef[c * d + j];
        fit->intercept[c] = fit_intercept ? y_mean[c] - dot : 0.0;
    }

cleanup:
    free(block);
    free(X);
    free(Yc);
    free(x_mean);
    free(y_mean);
    if (status != GCV_OK)
        gcv_ridge_fit_free(fit);
    return status;
}

enum gcv_status gcv_ridge_decision(const struct gcv_ridge_fit *fit, const char *name,
                                   const struct gcv_rows *rows, double *out,
                                   struct gcv_error *err)
{
    const size_t m = rows->n_rows;
    const size_t d = fit->n_features;
    const size_t t = fit->n_targets;
    struct gcv_fold_rows cached;
    double *X = NULL;       /* [m * d] the gathered rows, when the cache has no copy */
    const double *source;   /* [m * d] the rows, row-major */

    if (rows->n_features != d)
        return gcv_error_set(err, GCV_ERR_DATA, "%s was fitted on %zu features, the rows have %zu",
                             name, d, rows->n_features);
    if (m == 0)
        return GCV_OK;

    /* Every candidate of a fold predicts the same test rows: the fold
     * cache keeps one contiguous copy of them. */
    if (gcv_fold_cache_rows(rows->X, rows->index, m, d, &cached)) {
        source = cached.X;
    } else {
        X = malloc((m * d > 0 ? m * d : 1) * sizeof *X);
        if (X == NULL)
            return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory predicting %zu rows", m);
        gcv_kernel_gather_rows(rows, X);
        source = X;
    }

    for (size_t r = 0; r < m; r++)
        for (size_t c = 0; c < t; c++)
            out[r * t + c] = 0.0;
    if (d > 0 && t == 1) {
        /* out [m] = X [m x d] coef [d]: dgemv, as numpy's X @ coef_ in
         * scikit-learn's predict, which gives the same bits. dgemm with
         * one column packs all of X on every call, 3 to 7 times slower
         * on 4000 x 200 rows (OpenBLAS 0.3.21). */
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)m, (int)d, 1.0, source, (int)d,
                    fit->coef, 1, 0.0, out, 1);
    } else if (d > 0) {
        /* out [m x t] = X [m x d] coef^T, coef [t x d] row-major (ldb d). */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)t, (int)d, 1.0,
                    source, (int)d, fit->coef, (int)d, 0.0, out, (int)t);
    }
    for (size_t r = 0; r < m; r++)
        for (size_t c = 0; c < t; c++)
            out[r * t + c] += fit->intercept[c];
    free(X);
    return GCV_OK;
}

enum gcv_status gcv_ridge_fit_save(const struct gcv_ridge_fit *fit, hid_t group,
                                   struct gcv_error *err)
{
    enum gcv_status status;

    if ((status = gcv_model_file_put_size(group, "n_features", fit->n_features, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_size(group, "n_targets", fit->n_targets, err)) != GCV_OK ||
        (status = gcv_model_file_put_doubles(group, "coef", fit->coef,
                                             fit->n_targets * fit->n_features, err)) != GCV_OK)
        return status;
    return gcv_model_file_put_doubles(group, "intercept", fit->intercept, fit->n_targets, err);
}

enum gcv_status gcv_ridge_fit_load(hid_t group, struct gcv_ridge_fit *fit,
                                   struct gcv_error *err)
{
    enum gcv_status status;

    memset(fit, 0, sizeof *fit);
    if ((status = gcv_model_file_get_size(group, "n_features", &fit->n_features, err)) !=
            GCV_OK ||
        (status = gcv_model_file_get_size(group, "n_targets", &fit->n_targets, err)) != GCV_OK ||
        (status = gcv_model_file_get_doubles(group, "coef", fit->n_targets * fit->n_features,
                                             &fit->coef, err)) != GCV_OK ||
        (status = gcv_model_file_get_doubles(group, "intercept", fit->n_targets,
                                             &fit->intercept, err)) != GCV_OK) {
        gcv_ridge_fit_free(fit);
        memset(fit, 0, sizeof *fit);
    }
    return status;
}
