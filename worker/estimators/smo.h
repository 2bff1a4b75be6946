/* Sequential minimal optimization (SMO) for the dual problems of support
 * vector machines, as libsvm solves them (Chang & Lin, "LIBSVM: a library
 * for support vector machines", ACM TIST 2011), in the form of
 * scikit-learn 1.2's copy of libsvm (sklearn/svm/src/libsvm/svm.cpp).
 *
 * The solver minimises
 *     f(alpha) = 1/2 alpha^T Q alpha + p^T alpha
 *     subject to y^T alpha = constant (fixed by the starting point),
 *                0 <= alpha_i <= C_i,  y_i in {+1, -1},
 * over l variables. C-SVC uses Q_ij = y_i y_j K(x_i, x_j) and p = -1;
 * epsilon-SVR and one-class SVM fit the same form with other Q, p and y.
 *
 * The Q matrix is reached through callbacks, so each formulation supplies
 * its columns; gcv_smo_kernel_q is the one of C-SVC and one-class SVM.
 * Columns are single-precision floats, as libsvm's cache stores them: the
 * iterates then follow libsvm's bit for bit when the kernel values agree. */
#ifndef GCV_SMO_H
#define GCV_SMO_H

#include <stdbool.h>
#include <stddef.h>

#include "../../common/status.h"
#include "../fold_cache.h"
#include "kernel.h"

/* The Q matrix interface of the solver. The solver reorders its variables
 * (shrinking moves inactive ones to the end) and reports each exchange
 * through swap_index, so every index below is in the solver's current
 * order. */
struct gcv_smo_qmatrix {
    void *context;

    /* Returns entries [0, len) of column i. The pointer stays valid until
     * the second call after this one, because the solver uses at most two
     * columns at once. */
    const float *(*get_column)(void *context, size_t i, size_t len);

    /* Exchanges variables i and j, diagonal included. */
    void (*swap_index)(void *context, size_t i, size_t j);

    const double *diagonal; /* [l] Q_ii, kept in the current order by swap_index */
};

/* A least-recently-used cache of Q columns, bounded in memory. Each column
 * is cached with the prefix [0, len) that has been computed so far, and
 * later requests extend it. The memory bound follows libsvm's accounting: a
 * budget of max_bytes, less the bookkeeping of l columns, and never less
 * than two full columns. */
struct gcv_smo_cache {
    size_t l;            /* number of columns and full column length */
    size_t n_slots;      /* columns that fit at once */
    float *pool;         /* [n_slots * l], owned; slot s starts at s * l */
    size_t *slot_of;     /* [l] slot of each column, or n_slots when not cached */
    size_t *length;      /* [l] computed prefix of each cached column */
    size_t *column_of;   /* [n_slots] column stored in each slot */
    size_t *prev, *next; /* [n_slots + 1] LRU list over slots, sentinel n_slots,
                            least recently used first */
    size_t n_used;       /* slots in use; slots [0, n_used) were handed out */
};

/* Prepares an empty cache of columns of length l within max_bytes. On
 * failure (GCV_ERR_NOMEM) the cache needs no gcv_smo_cache_free. */
enum gcv_status gcv_smo_cache_init(struct gcv_smo_cache *cache, size_t l, size_t max_bytes,
                                   struct gcv_error *err);

/* Returns the buffer of column index (l floats), marks it most recently
 * used, and sets *start to the first position of [0, len) that the caller
 * must still fill (*start >= len when nothing is missing). Evicts the least
 * recently used column when no slot is free. Never fails. */
float *gcv_smo_cache_get(struct gcv_smo_cache *cache, size_t index, size_t len, size_t *start);

/* Exchanges columns i and j and entries i and j inside every cached column,
 * dropping a cached column whose prefix contains only one of the two entries. */
void gcv_smo_cache_swap(struct gcv_smo_cache *cache, size_t i, size_t j);

/* Releases the cache's memory. Accepts a zeroed or freed cache. */
void gcv_smo_cache_free(struct gcv_smo_cache *cache);

/* The Q matrix of C-SVC, Q_ij = y_i y_j K(x_i, x_j), or of one-class SVM
 * (y == NULL: Q_ij = K(x_i, x_j)). It keeps its own contiguous copy of the
 * rows and swaps them with the solver's order, so each missing stretch of a
 * column is one dgemv over consecutive rows. Built by
 * gcv_smo_kernel_q_init_fold instead, it reads the kernel values from the
 * fold cache's RBF kernel matrix (or its squared distances) and keeps only
 * the fold row of each variable. */
struct gcv_smo_kernel_q {
    struct gcv_smo_qmatrix matrix; /* pass &q->matrix to the solver */
    struct gcv_kernel kernel;
    size_t l;
    size_t n_features;
    double *X;          /* [l * n_features], row-major, owned, in the solver's order */
    double *norms;      /* [l] squared row norms, owned */
    signed char *y;     /* [l] +1/-1, owned, or NULL for one-class */
    double *diagonal;   /* [l] Q_ii, owned; matrix.diagonal points here */
    double *scratch;    /* [l] kernel values before the cast to float, owned */
    struct gcv_smo_cache cache;
    struct gcv_fold_rbf fold; /* borrowed from the fold cache; kernel NULL without it */
    size_t *position;   /* [l] fold row of each variable, in the solver's order, owned;
                           NULL without fold (X is then used) */
};

/* Builds the Q matrix of the rows X[rows[k]] (k < l) of
 * X[* x n_features], row-major, with labels y[l] (copied; NULL for
 * one-class) and a column cache of cache_bytes. On failure (GCV_ERR_NOMEM)
 * nothing needs freeing. */
enum gcv_status gcv_smo_kernel_q_init(struct gcv_smo_kernel_q *q, const struct gcv_kernel *kernel,
                                      const double *X, size_t n_features, const size_t *rows,
                                      size_t l, const signed char *y, size_t cache_bytes,
                                      struct gcv_error *err);

/* Builds the Q matrix of rows rows[k] (k < l) of a fold whose RBF kernel
 * matrix is in the fold cache (fold->kernel set by gcv_fold_cache_rbf),
 * with labels y[l] as gcv_smo_kernel_q_init. No row is copied: column
 * entries are read from fold->kernel, which is borrowed and must stay
 * cached until gcv_smo_kernel_q_free. On failure (GCV_ERR_NOMEM) nothing
 * needs freeing. */
enum gcv_status gcv_smo_kernel_q_init_fold(struct gcv_smo_kernel_q *q,
                                           const struct gcv_kernel *kernel,
                                           const struct gcv_fold_rbf *fold, const size_t *rows,
                                           size_t l, const signed char *y, size_t cache_bytes,
                                           struct gcv_error *err);

/* Releases what gcv_smo_kernel_q_init allocated. Accepts a zeroed q. */
void gcv_smo_kernel_q_free(struct gcv_smo_kernel_q *q);

struct gcv_smo_problem {
    size_t l;
    struct gcv_smo_qmatrix *Q; /* borrowed; left in the solver's final order */
    const double *p;           /* [l] linear term */
    const signed char *y;      /* [l] +1 or -1 */
    const double *C;           /* [l] upper bound of each variable, > 0 */
    double eps;                /* stopping tolerance (scikit-learn's tol) */
    bool shrinking;
    long long max_iter;        /* iteration limit, -1 for none */
    double deadline;           /* CLOCK_MONOTONIC seconds after which the solver gives
                                  up with GCV_ERR_TIMEOUT, checked every min(l, 1000)
                                  iterations; 0 for none */
};

struct gcv_smo_solution {
    double rho;          /* the decision function is sum_i y_i alpha_i K(x_i, x) - rho */
    double obj;          /* objective value at the solution */
    long long n_iter;    /* iterations done */
    bool converged;      /* false when max_iter stopped the solver first */
};

/* Solves the problem from the feasible starting point alpha[l] and writes
 * the solution over it, in the caller's original order. Reaching max_iter
 * is not a failure: alpha and rho are those of the last iterate and
 * solution->converged is false, as scikit-learn keeps such a model with a
 * ConvergenceWarning. Fails with GCV_ERR_NOMEM, or GCV_ERR_TIMEOUT when the
 * deadline passes (alpha is then left as it was). */
enum gcv_status gcv_smo_solve(const struct gcv_smo_problem *problem, double *alpha,
                              struct gcv_smo_solution *solution, struct gcv_error *err);

#endif
