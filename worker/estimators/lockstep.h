/* Several fits on the same matrix, run in lockstep so that their matrix
 * products become one wide product.
 *
 * A solver such as L-BFGS on the multinomial loss spends most of its time
 * in two products per evaluation. They are X B (n x d times d x k) and
 * X^T G (d x n times n x k), with k the number of classes. With k = 10
 * each product reads the whole of X for 10 columns, and OpenBLAS runs at
 * a third of its speed on wide products (about 11 GFLOP/s against 30 to
 * 36 GFLOP/s at 50 to 100 columns, 13 334 x 784 rows, one thread). The m
 * fits of one fold that differ only in C share X, so each runs in a thread
 * of its own, and their products are gathered into one product with the
 * columns of all of them.
 *
 * Threads take turns: a member computes only while it holds the
 * lockstep's mutex, so the m threads of a rank never use more than the
 * rank's one core (and its BLAS threads). A member that needs a product
 * posts it and waits. The last active member to post (or to leave) runs
 * the combined product for every posted member, and each member wakes
 * with its own block of the result.
 *
 * Rounding: OpenBLAS computes each column of a product from its column
 * of the right-hand side alone, but a column may go through another of
 * its kernels at another place in a wider product, and those kernels may
 * sum in another order. A fit in lockstep then matches the fit alone
 * within rounding. On the benchmark's Fashion-MNIST data (784 features)
 * and on digits (64) every bit was the same with one BLAS thread; on wine
 * (13 features) a few products differed in the last bit. The batches are
 * planned from the grid alone, so results are the same on any number of
 * ranks. */
#ifndef GCV_LOCKSTEP_H
#define GCV_LOCKSTEP_H

#include <stdbool.h>
#include <stddef.h>

#include "../../common/status.h"

struct gcv_lockstep;

/* The body of member i: runs one fit, calling the products below with
 * member i. */
typedef void (*gcv_lockstep_body)(void *arg, size_t member);

/* Creates a lockstep over X[n * d], row-major, borrowed for its life, for
 * n_members members of at most max_columns columns each. Fails with
 * GCV_ERR_NOMEM. */
enum gcv_status gcv_lockstep_create(const double *X, size_t n, size_t d, size_t n_members,
                                    size_t max_columns, struct gcv_lockstep **out,
                                    struct gcv_error *err);

void gcv_lockstep_free(struct gcv_lockstep *lockstep);

/* Runs body(arg, i) for every member i, each in a thread of its own and
 * one at a time as described above, and returns when all have finished.
 * A member whose thread cannot be created runs after the others, alone. */
void gcv_lockstep_run(struct gcv_lockstep *lockstep, gcv_lockstep_body body, void *arg);

/* X B for member with B[d * k], row-major: returns the member's block of
 * the combined product, n rows of k values with row stride *stride. The
 * member may change the block in place; it stays the member's until its
 * next call of gcv_lockstep_times. */
double *gcv_lockstep_times(struct gcv_lockstep *lockstep, size_t member, const double *B,
                           size_t k, size_t *stride);

/* Where member writes G (n rows of k values, row stride *stride) before
 * gcv_lockstep_times_transposed; valid after the member's call of
 * gcv_lockstep_times with the same k. */
double *gcv_lockstep_rows(struct gcv_lockstep *lockstep, size_t member, size_t *stride);

/* X^T G of the rows member wrote, into out[d * k], row-major. */
void gcv_lockstep_times_transposed(struct gcv_lockstep *lockstep, size_t member, double *out);

#endif
