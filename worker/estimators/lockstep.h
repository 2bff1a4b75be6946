/* Several fits on the same matrix, run in lockstep so that their matrix
 * products become one wide product.
 *
 * A solver such as L-BFGS on the multinomial loss spends most of its time
 * in two products per evaluation. They are P = X B (n x d times d x k) and
 * X^T G (d x n times n x k), with k the number of classes and G computed
 * from P row by row. With k = 10 each product reads the whole of X for 10
 * columns, and OpenBLAS runs at a third of its speed on such narrow
 * products (measured on 13 334 x 784 rows, one thread). The m fits of one
 * fold that differ only in C share X, so each runs in a thread of its
 * own, and their products are gathered into one product with the columns
 * of all of them.
 *
 * An evaluation runs over blocks of rows of X, of about
 * GCV_LOCKSTEP_BLOCK_BYTES each: P for the block, then G for the block
 * (each member's rows function), then the block's share of X^T G. The
 * second product so finds the block of X in the cache, and OpenBLAS
 * packs it from there instead of from memory. docs/benchmarks.md gives
 * the effect on the benchmark's LogisticRegression case.
 *
 * Threads take turns: a member computes only while it holds the
 * lockstep's mutex, so the m threads of a rank never use more than the
 * rank's one core (and its BLAS threads). A member that needs an
 * evaluation posts it and waits. The last active member to post (or to
 * leave) runs the combined evaluation for every posted member and calls
 * their rows functions itself. Each member then wakes with its X^T G.
 *
 * Rounding: OpenBLAS computes each column of a product from its column
 * of the right-hand side alone, but a column may go through another of
 * its kernels at another place in a wider product, and those kernels may
 * sum in another order. A fit in lockstep then matches the fit alone
 * within rounding. With one BLAS thread, every split score of the
 * benchmark's Fashion-MNIST case (784 features) was the same in lockstep
 * and alone, with OpenBLAS's AVX2 and AVX-512 kernels. On digits (64
 * features) the AVX2 kernels gave the same bits, and the AVX-512 ones
 * drifted (GCV_LOCKSTEP_BLOCK_ALIGN below). On wine (13 features) a few
 * products differed in the last bit. A fit alone
 * runs as a lockstep of one member, so it sums X^T G over the same
 * blocks. The batches are planned from the grid alone and the blocks
 * from n and d alone, so results are the same on any number of ranks. */
#ifndef GCV_LOCKSTEP_H
#define GCV_LOCKSTEP_H

#include <stdbool.h>
#include <stddef.h>

#include "../../common/status.h"

struct gcv_lockstep;

/* The body of member i: runs one fit, calling gcv_lockstep_evaluate with
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

/* The largest bytes of X in one block of rows of an evaluation, and the
 * rows every block but the last holds a multiple of. The n rows are split
 * into the fewest blocks of at most max(1, GCV_LOCKSTEP_BLOCK_BYTES /
 * (8 d)) rows (the last may exceed that by up to 7 rows), of near-equal
 * sizes. Both choices keep a fit's products the same in a batch and
 * alone, on the kernels of OpenBLAS 0.3.21 tried:
 *   - On AVX-512 machines OpenBLAS computes small products with other
 *     kernels that sum in another order (a 100 x 784 block times 10
 *     columns took them, a 150-row block did not). Near-equal blocks
 *     keep a short last block of a fit alone from taking them where the
 *     batch's wider product does not.
 *   - With the AVX2 (Haswell) kernels, the rows of a block left over
 *     after its multiples of 4 go through edge kernels, and a single
 *     such row came out with other bits in a wider product. Blocks of
 *     multiples of 8 rows leave such rows only at the end of the last
 *     block, as one product over all rows does. */
#define GCV_LOCKSTEP_BLOCK_ALIGN 8
#define GCV_LOCKSTEP_BLOCK_BYTES (1536 * 1024)

/* Turns rows [first, first + count) of a member's P = X B into the same
 * rows of G. raw contains the member's k columns of those rows, row
 * stride raw_stride, and may be changed in place. G receives count rows
 * of k values, row stride G_stride. Within one evaluation the calls come in
 * row order and cover every row once. */
typedef void (*gcv_lockstep_rows_fn)(void *arg, size_t first, size_t count, double *raw,
                                     size_t raw_stride, double *G, size_t G_stride);

/* One evaluation for member, with B[d * k] row-major and k at most the
 * lockstep's max_columns: P = X B, G = rows(arg, ...) of P block by
 * block, and out[d * k] = X^T G, row-major. A lockstep of one member may
 * also be used from the caller's thread without gcv_lockstep_run; each
 * evaluation then runs at once. */
void gcv_lockstep_evaluate(struct gcv_lockstep *lockstep, size_t member, const double *B,
                           size_t k, gcv_lockstep_rows_fn rows, void *arg, double *out);

#endif
