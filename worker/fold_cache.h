/* A per-process cache of the work that the fits of one fold share.
 *
 * Every candidate of a grid is fitted on the same k training sets and
 * scored on the same k test sets. Whatever depends only on a fold's rows,
 * and not on the candidate's parameters, can so be computed once per fold
 * and rank instead of once per fit: the squared distances between the
 * training rows, the RBF kernel matrix of each gamma, the normal equations
 * that serve every Ridge alpha, a pipeline's fitted scalers and the rows
 * they scaled. The coordinator hands a worker the tasks
 * of the folds it has prepared first (coordinator/scheduler.c), so that
 * work is done on few ranks.
 *
 * The cache holds two sorts of items:
 *   rows     a contiguous copy of some rows of the dataset and their
 *            squared norms, found again by content: a hash of the values,
 *            confirmed by comparing them. The same rows are recognised
 *            whatever index array or pipeline step produced them.
 *   derived  a value computed from one rows item, or from two (cross
 *            products of test rows and training rows), identified by its
 *            kind and one number (the RBF kernel's gamma, or the hash of
 *            a longer key that the value contains and its caller
 *            compares). The cache owns the value and frees it with the
 *            release function it was stored with.
 * The bytes of all items stay within a budget. Making room evicts the
 * least recently used items; evicting a rows item evicts the items derived
 * from it. An item that does not fit beside its rows item is not stored:
 * the caller then computes without the cache, so a budget too small (or 0)
 * changes the speed of a fit. Making room evicts older items first, so
 * whether an item of the task at hand fits depends on the sizes of that
 * task's items, not on the order of earlier tasks. Every number of ranks
 * so gives the same results at one budget.
 *
 * NOTE: results at different budgets can differ in the last bits of SVC
 * and SVR decision values. With the stored products of the test rows and
 * all training rows (GCV_FOLD_CACHE_CROSS_DOT), prediction reads dot
 * products that one dgemm call computed. Without them, it computes its own
 * over the support vectors. OpenBLAS 0.3.21 with its AVX2 kernels gives
 * both the same bits (tests/unit/test_fold_cache.c checks it), but its
 * AVX-512 (SkylakeX) kernels round some elements by the shape of the
 * call: the last n mod 8 columns of an n-column product (seen at n = 197
 * and above, not at 171 and below), and other elements where a call is
 * small enough for its small-matrix kernels. An SVR's r2 scores on the diabetes example
 * then moved by about 2e-16 of their value between budget 0 and 1024.
 *
 * Every pointer this module returns stays valid until the next call of
 * gcv_fold_cache_rows, gcv_fold_cache_reserve, gcv_fold_cache_take,
 * gcv_fold_cache_rbf, gcv_fold_cache_configure or gcv_fold_cache_clear.
 * One cache per process, not thread-safe: a rank fits one model at a
 * time. */
#ifndef GCV_FOLD_CACHE_H
#define GCV_FOLD_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The budget when gcv_fold_cache_configure was never called: the cache is
 * off, as in the unit tests of the estimators. gridcv run sets it from
 * --fold-cache-mb (default 1024 MiB). */
#define GCV_FOLD_CACHE_DEFAULT_BUDGET 0

/* The kinds of derived items. */
enum gcv_fold_cache_kind {
    /* double [n * (n + 1) / 2], the upper triangle packed row by row: row i
     * contains D_ik for k = i .. n-1 from offset i * n - i * (i - 1) / 2, with
     * D_ik = (|x_i|^2 + |x_k|^2) - 2 x_i.x_k over the rows of one rows item,
     * the dot products from dgemm calls on blocks of rows (see sqdist_rows
     * in fold_cache.c), D_ii exactly 0. The kernel matrices read only this
     * triangle, so the lower one is not stored. */
    GCV_FOLD_CACHE_SQDIST = 1,
    /* float [n * n], row-major: (float)exp(-gamma * D_ik), D being
     * GCV_FOLD_CACHE_SQDIST; param is gamma. */
    GCV_FOLD_CACHE_RBF_KERNEL,
    /* double [n_test * n_train], row-major: the dot products of the rows of
     * one rows item (test rows) with those of another (training rows),
     * from dgemm calls on blocks of test rows. */
    GCV_FOLD_CACHE_CROSS_DOT,
    /* Values that an estimator defines and computes itself, through
     * gcv_fold_cache_find, gcv_fold_cache_reserve and gcv_fold_cache_store. */
    GCV_FOLD_CACHE_RIDGE,
    GCV_FOLD_CACHE_NEIGHBORS,
    /* A fitted forest whose trees the fits of the same fold and
     * parameters, n_estimators aside, reuse (worker/estimators/forest.c).
     * Taken out with gcv_fold_cache_take, grown, and stored again. */
    GCV_FOLD_CACHE_FOREST,
    /* A pipeline's fitted transformers and the training rows they wrote,
     * which the fits of the same fold and transformer parameters share
     * (worker/estimators/pipeline.c). param is a hash of those
     * parameters. Taken out with gcv_fold_cache_take for each fit and
     * stored again after it. */
    GCV_FOLD_CACHE_PIPELINE_PREFIX,
};

/* A rows item, as the cache stores it. */
struct gcv_fold_rows {
    uint64_t id;            /* nonzero, unique for the life of the process */
    const double *X;        /* [n_rows * n_features], row-major, owned by the cache */
    const double *norms;    /* [n_rows] squared norms, cblas_ddot of each row with itself */
    size_t n_rows;
    size_t n_features;
};

/* The RBF kernel of one rows item at one gamma, as gcv_fold_cache_rbf
 * finds it. */
struct gcv_fold_rbf {
    uint64_t rows_id;       /* the rows item, 0 when the rows are not cached */
    const float *kernel;    /* [n_rows * n_rows], GCV_FOLD_CACHE_RBF_KERNEL, or NULL when
                               it is not cached */
    const double *norms;    /* [n_rows] squared norms of the rows */
    size_t n_rows;
    double gamma;
};

/* The dot products of some rows with the training rows of a fold, as
 * gcv_fold_cache_cross finds them. */
struct gcv_fold_cross {
    const double *dots;     /* [n_rows * n_train], GCV_FOLD_CACHE_CROSS_DOT */
    const double *norms;    /* [n_rows] squared norms of the rows */
    size_t n_rows;
    size_t n_train;
};

/* Counters since the last gcv_fold_cache_configure, for the summary. */
struct gcv_fold_cache_stats {
    size_t budget;          /* bytes */
    size_t peak_bytes;      /* the maximum of bytes stored at once */
    uint64_t hits;          /* lookups that found a stored item */
    uint64_t stores;        /* items computed and stored */
    uint64_t evictions;     /* items evicted to make room */
    uint64_t too_large;     /* items not stored because they would not fit the budget */
    uint64_t trees_reused;  /* random forest trees that fits took from a kept forest
                               instead of building them */
    uint64_t node_shared;   /* items of which another rank of the node computed some
                               or all blocks (worker/fold_share.h) */
    uint64_t kernels_replaced; /* kernel matrices written over another gamma's */
    uint64_t kernels_copied; /* kernel matrices copied from another rank of the node */
    uint64_t blocks_reused; /* items stored in the memory of a retired item
                               (gcv_fold_cache_retire) */
};

/* Frees every item and sets the budget in bytes; 0 turns the cache off.
 * Resets the counters. */
void gcv_fold_cache_configure(size_t budget_bytes);

/* Frees every item and clears the dataset of gcv_fold_cache_set_dataset,
 * keeping the budget and the counters. */
void gcv_fold_cache_clear(void);

/* Declares X[n_values] the search's dataset, which must not change until
 * the next call (NULL to end) or gcv_fold_cache_clear. Rows taken from it
 * by an index array are then found by comparing the index arrays, in
 * O(n_rows), instead of hashing and comparing every value. */
void gcv_fold_cache_set_dataset(const double *X, size_t n_values);

/* Marks the items now in the cache as retired, and so their memory as
 * free to reuse. Until a lookup finds a retired item again, a new distance
 * matrix, kernel matrix or matrix of test-row products of other rows
 * takes the block of the least recently used retired item of about its
 * size. The worker calls this when its next task is on another fold,
 * because the picker moves a worker only once its fold has no task left
 * (coordinator/picker.h). Without it, a new fold's matrices take memory
 * new to the process while the budget has room, and each new page costs a
 * page fault and zeroing by the kernel at its first write. A worker that
 * comes back to a fold computes its items again, with the same bits. */
void gcv_fold_cache_retire(void);

/* Adds n_trees to the trees_reused counter. */
void gcv_fold_cache_count_reused_trees(size_t n_trees);

/* Copies the counters into stats. */
void gcv_fold_cache_get_stats(struct gcv_fold_cache_stats *stats);

/* Finds the rows X[index[r] * n_features ...] (r < n_rows; index NULL for
 * rows 0..n_rows-1 of X), row-major, among the cached rows items, or
 * copies them in as a new one. Returns true and fills *out when the rows
 * are cached after the call. Returns false when they do not fit the
 * budget or memory ran out, so the caller works without the cache. */
bool gcv_fold_cache_rows(const double *X, const size_t *index, size_t n_rows,
                         size_t n_features, struct gcv_fold_rows *out);

/* Finds or adds a key for the rows of the dataset X[index[r] ...] (as
 * gcv_fold_cache_set_dataset declares it), without copying them: out->X
 * and out->norms may be NULL, and only out->id serves, to store and find
 * the items derived from those rows. Rows of any other matrix go through
 * gcv_fold_cache_rows. Returns false when even the key does not fit. */
bool gcv_fold_cache_rows_key(const double *X, const size_t *index, size_t n_rows,
                             size_t n_features, struct gcv_fold_rows *out);

/* Fills *out with the rows item id and returns true when it is still
 * cached, marking it as just used; returns false otherwise. */
bool gcv_fold_cache_rows_by_id(uint64_t id, struct gcv_fold_rows *out);

/* Returns the value of the derived item (kind, param) of rows, and of
 * other_id when it is derived from two rows items (0 otherwise), or NULL
 * when none is stored. Marks it and its rows items as just used. */
void *gcv_fold_cache_find(const struct gcv_fold_rows *rows, enum gcv_fold_cache_kind kind,
                          uint64_t other_id, double param);

/* Removes the derived item (kind, param) of rows and other_id from the
 * cache without releasing it, and returns its value, now owned by the
 * caller, or NULL when none is stored. A caller that changes the value's
 * size stores it again with gcv_fold_cache_reserve and
 * gcv_fold_cache_store. */
void *gcv_fold_cache_take(const struct gcv_fold_rows *rows, enum gcv_fold_cache_kind kind,
                          uint64_t other_id, double param);

/* Makes room for a derived item of bytes beside rows (and other_id when
 * not 0), evicting least recently used items, never rows or other_id
 * themselves. Returns false, evicting nothing, when it cannot fit. After
 * true, the next gcv_fold_cache_store of that size succeeds. */
bool gcv_fold_cache_reserve(const struct gcv_fold_rows *rows, uint64_t other_id, size_t bytes);

/* Stores value (bytes long, freed by release when evicted) as the derived
 * item (kind, param) of rows and other_id, taking ownership. Call right
 * after gcv_fold_cache_reserve returned true for the same bytes, with no
 * other call to this module between. */
void gcv_fold_cache_store(const struct gcv_fold_rows *rows, enum gcv_fold_cache_kind kind,
                          uint64_t other_id, double param, void *value, size_t bytes,
                          void (*release)(void *));

/* Finds or computes the RBF kernel matrix at gamma of the rows, as
 * gcv_fold_cache_rows takes them, and sets out->kernel, or leaves it NULL
 * when the matrix does not fit the budget. A matrix not yet stored is
 * computed from the stored squared distances, and these are computed and
 * stored first when both fit: O(n^2 n_features) once per rows item, then
 * O(n^2) per gamma. Making room for a new matrix keeps the distances of
 * the same rows when the rows, the distances and the matrix fit the budget
 * together. A worker runs the fits of one gamma one after the other
 * (coordinator/picker.h), so the matrix of an earlier gamma is worth less
 * than the distances that the next gamma needs. For the same reason a
 * new gamma's matrix is written over the matrix of another gamma of the
 * same rows, which the cache then no longer contains. Memory new to the
 * process costs a page fault per page at its first write. On a virtual
 * machine that can cost more than the O(n^2) exponentials of a matrix
 * (docs/benchmarks.md). A search that comes back to the earlier gamma on
 * these rows computes its matrix again. Without room for the distances,
 * the distances are computed a block of rows at a time by the same calls
 * and turned into kernel values at once. A matrix that another rank of
 * the node has complete is copied from it instead of computed
 * (gcv_fold_share_copy in fold_share.h). Returns true when out->kernel is
 * set. */
bool gcv_fold_cache_rbf(const double *X, const size_t *index, size_t n_rows, size_t n_features,
                        double gamma, struct gcv_fold_rbf *out);

/* Finds or computes the dot products of the rows, as gcv_fold_cache_rows
 * takes them (typically a fold's test rows), with the rows of the rows
 * item train_id (that fold's training rows). Every candidate of the fold
 * then predicts its test rows from one matrix product. Returns false,
 * leaving *out zeroed, when the training rows are no longer cached or the
 * products do not fit the budget. */
bool gcv_fold_cache_cross(const double *X, const size_t *index, size_t n_rows,
                          size_t n_features, uint64_t train_id, struct gcv_fold_cross *out);

#endif
