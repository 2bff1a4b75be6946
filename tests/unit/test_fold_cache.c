/* Suite "fold_cache": the per-fold cache of worker/fold_cache.c, and every
 * estimator path that reads from it compared with a fit from scratch (the
 * cache off), which the estimators' own suites compare with scikit-learn.
 *
 * The data is drawn here with splitmix64, so every value is reproducible
 * and no value is an integer (integer rows would make any order of sums
 * exact and hide a change in the dot products). */
#include <check.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/shm.h"
#include "worker/estimators/kernel.h"
#include "worker/estimators/neighbors.h"
#include "worker/estimators/ridge_solver.h"
#include "worker/estimators/svc.h"
#include "worker/estimators/svr.h"
#include "worker/fold_cache.h"
#include "worker/fold_share.h"

#define MIB ((size_t)1 << 20)

/* ----- data -------------------------------------------------------------- */

/* Uniform numbers in [0, 1) from the top 53 bits of splitmix64. */
static double next_uniform(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

/* A classification set: row r has class r % n_classes, and feature f is
 * uniform noise plus 0.8 * class on the first feature, so classes overlap. */
struct dataset {
    double *X;        /* [n_rows * n_features], row-major */
    int32_t *y;       /* [n_rows] */
    size_t n_rows;
    size_t n_features;
    size_t n_classes;
};

static struct dataset make_dataset(size_t n_rows, size_t n_features, size_t n_classes,
                                   uint64_t seed)
{
    struct dataset data = {
        .X = malloc(n_rows * n_features * sizeof(double)),
        .y = malloc(n_rows * sizeof(int32_t)),
        .n_rows = n_rows,
        .n_features = n_features,
        .n_classes = n_classes,
    };

    ck_assert_ptr_nonnull(data.X);
    ck_assert_ptr_nonnull(data.y);
    for (size_t r = 0; r < n_rows; r++) {
        data.y[r] = (int32_t)(r % n_classes);
        for (size_t f = 0; f < n_features; f++)
            data.X[r * n_features + f] =
                2 * next_uniform(&seed) - 1 + (f == 0 ? 0.8 * data.y[r] : 0.0);
    }
    return data;
}

static void free_dataset(struct dataset *data)
{
    free(data->X);
    free(data->y);
}

/* Rows first, first + step, ... of data: a fold's training rows. */
static size_t *every_other(size_t n_rows, size_t step, size_t first, size_t *count)
{
    size_t *index = malloc(n_rows * sizeof *index);

    ck_assert_ptr_nonnull(index);
    *count = 0;
    for (size_t r = first; r < n_rows; r += step)
        index[(*count)++] = r;
    return index;
}

/* ----- rows items ---------------------------------------------------------- */

START_TEST(rows_found_again_by_content)
{
    struct dataset data = make_dataset(60, 4, 2, 11);
    size_t n_train;
    size_t *index = every_other(data.n_rows, 2, 0, &n_train);
    double *copy = malloc(n_train * data.n_features * sizeof *copy);
    struct gcv_fold_rows first, again;
    struct gcv_fold_cache_stats stats;

    gcv_fold_cache_configure(64 * MIB);
    ck_assert(gcv_fold_cache_rows(data.X, index, n_train, data.n_features, &first));

    /* The same rows as a contiguous copy: another pointer, same item. */
    for (size_t r = 0; r < n_train; r++)
        memcpy(copy + r * data.n_features, data.X + index[r] * data.n_features,
               data.n_features * sizeof *copy);
    ck_assert(gcv_fold_cache_rows(copy, NULL, n_train, data.n_features, &again));
    ck_assert_uint_eq(again.id, first.id);
    ck_assert_ptr_eq(again.X, first.X);

    /* The norms are cblas_ddot of each row, as gcv_kernel_row_norms. */
    for (size_t r = 0; r < n_train; r++) {
        double norm;
        gcv_kernel_row_norms(copy + r * data.n_features, 1, data.n_features, &norm);
        ck_assert(first.norms[r] == norm);
    }

    gcv_fold_cache_get_stats(&stats);
    ck_assert_uint_eq(stats.stores, 1);
    ck_assert_uint_eq(stats.hits, 1);

    free(copy);
    free(index);
    free_dataset(&data);
}
END_TEST

START_TEST(rows_differing_in_one_bit_are_new)
{
    struct dataset data = make_dataset(40, 3, 2, 12);
    struct gcv_fold_rows first, second;
    uint64_t bits;

    gcv_fold_cache_configure(64 * MIB);
    ck_assert(gcv_fold_cache_rows(data.X, NULL, data.n_rows, data.n_features, &first));
    memcpy(&bits, &data.X[77], sizeof bits);
    bits ^= 1;
    memcpy(&data.X[77], &bits, sizeof bits);
    ck_assert(gcv_fold_cache_rows(data.X, NULL, data.n_rows, data.n_features, &second));
    ck_assert_uint_ne(second.id, first.id);

    free_dataset(&data);
}
END_TEST

/* Rows of the declared dataset are found by their index array: another
 * array with the same indices finds the same item, other indices do not,
 * and a contiguous copy of the rows still finds it by content. */
START_TEST(dataset_rows_found_by_index_array)
{
    struct dataset data = make_dataset(80, 3, 2, 28);
    size_t n_train;
    size_t *index = every_other(data.n_rows, 2, 0, &n_train);
    size_t *same = every_other(data.n_rows, 2, 0, &n_train);
    size_t *other = every_other(data.n_rows, 2, 1, &n_train);
    double *copy = malloc(n_train * 3 * sizeof *copy);
    struct gcv_fold_rows first, again;
    struct gcv_fold_cache_stats stats;

    gcv_fold_cache_configure(64 * MIB);
    gcv_fold_cache_set_dataset(data.X, data.n_rows * 3);
    ck_assert(gcv_fold_cache_rows(data.X, index, n_train, 3, &first));
    ck_assert(gcv_fold_cache_rows(data.X, same, n_train, 3, &again));
    ck_assert_uint_eq(again.id, first.id);
    ck_assert(gcv_fold_cache_rows(data.X, other, n_train, 3, &again));
    ck_assert_uint_ne(again.id, first.id);
    for (size_t r = 0; r < n_train; r++)
        memcpy(copy + r * 3, data.X + index[r] * 3, 3 * sizeof *copy);
    ck_assert(gcv_fold_cache_rows(copy, NULL, n_train, 3, &again));
    ck_assert_uint_eq(again.id, first.id);

    gcv_fold_cache_get_stats(&stats);
    ck_assert_uint_eq(stats.stores, 2);
    ck_assert_uint_eq(stats.hits, 2);

    free(copy);
    free(index);
    free(same);
    free(other);
    free_dataset(&data);
}
END_TEST

START_TEST(dataset_rows_key_holds_no_copy)
{
    struct dataset data = make_dataset(80, 3, 2, 29);
    size_t n_train;
    size_t *index = every_other(data.n_rows, 2, 0, &n_train);
    size_t *same = every_other(data.n_rows, 2, 0, &n_train);
    struct gcv_fold_rows key, again, full;
    struct gcv_fold_cache_stats stats;
    double value = 7.0;

    gcv_fold_cache_configure(64 * MIB);
    gcv_fold_cache_set_dataset(data.X, data.n_rows * 3);
    ck_assert(gcv_fold_cache_rows_key(data.X, index, n_train, 3, &key));
    ck_assert_ptr_null(key.X);
    ck_assert_uint_ne(key.id, 0);

    /* A derived item stored under the key is found through the same rows. */
    ck_assert(gcv_fold_cache_reserve(&key, 0, sizeof value));
    gcv_fold_cache_store(&key, GCV_FOLD_CACHE_RIDGE, 0, 1.0, &value, sizeof value, NULL);
    ck_assert(gcv_fold_cache_rows_key(data.X, same, n_train, 3, &again));
    ck_assert_uint_eq(again.id, key.id);
    ck_assert_ptr_eq(gcv_fold_cache_find(&again, GCV_FOLD_CACHE_RIDGE, 0, 1.0), &value);

    /* A request for the rows themselves gets a copy, not the key. */
    ck_assert(gcv_fold_cache_rows(data.X, index, n_train, 3, &full));
    ck_assert_ptr_nonnull(full.X);
    ck_assert_uint_ne(full.id, key.id);
    ck_assert(memcmp(full.X + 3, data.X + index[1] * 3, 3 * sizeof *full.X) == 0);
    gcv_fold_cache_get_stats(&stats);
    ck_assert_uint_eq(stats.stores, 3);

    gcv_fold_cache_clear();
    free(index);
    free(same);
    free_dataset(&data);
}
END_TEST

START_TEST(cache_off_stores_nothing)
{
    struct dataset data = make_dataset(40, 3, 2, 13);
    struct gcv_fold_rows rows;
    struct gcv_fold_rbf fold;
    struct gcv_fold_cache_stats stats;

    gcv_fold_cache_configure(0);
    ck_assert(!gcv_fold_cache_rows(data.X, NULL, data.n_rows, data.n_features, &rows));
    ck_assert(!gcv_fold_cache_rbf(data.X, NULL, data.n_rows, data.n_features, 0.5, &fold));
    ck_assert_ptr_null(fold.kernel);
    gcv_fold_cache_get_stats(&stats);
    ck_assert_uint_eq(stats.stores, 0);
    ck_assert_uint_eq(stats.peak_bytes, 0);

    free_dataset(&data);
}
END_TEST

/* ----- eviction -------------------------------------------------------------- */

/* Three folds of 100 x 10 rows take 8800 bytes each (rows and norms); a
 * budget of two and a half of them holds two. */
START_TEST(least_recently_used_rows_are_evicted)
{
    struct dataset data = make_dataset(300, 10, 2, 14);
    const size_t item_bytes = (100 * 10 + 100) * sizeof(double);
    struct gcv_fold_rows a, b, c, again;
    struct gcv_fold_cache_stats stats;

    gcv_fold_cache_configure(item_bytes * 5 / 2);
    ck_assert(gcv_fold_cache_rows(data.X, NULL, 100, 10, &a));
    ck_assert(gcv_fold_cache_rows(data.X + 1000, NULL, 100, 10, &b));
    ck_assert(gcv_fold_cache_rows(data.X, NULL, 100, 10, &again)); /* a is now the newest */
    ck_assert_uint_eq(again.id, a.id);
    ck_assert(gcv_fold_cache_rows(data.X + 2000, NULL, 100, 10, &c)); /* evicts b */

    gcv_fold_cache_get_stats(&stats);
    ck_assert_uint_eq(stats.evictions, 1);
    ck_assert_uint_eq(stats.peak_bytes, 2 * item_bytes);
    ck_assert(gcv_fold_cache_rows(data.X, NULL, 100, 10, &again));
    ck_assert_uint_eq(again.id, a.id);
    ck_assert(gcv_fold_cache_rows(data.X + 1000, NULL, 100, 10, &again));
    ck_assert_uint_ne(again.id, b.id); /* b came back as a new item, evicting c */

    free_dataset(&data);
}
END_TEST

/* Items derived from an evicted rows item go with it. */
static int released;

static void count_release(void *value)
{
    released++;
    free(value);
}

START_TEST(evicting_rows_evicts_their_derived_items)
{
    struct dataset data = make_dataset(200, 10, 2, 15);
    const size_t item_bytes = (100 * 10 + 100) * sizeof(double);
    struct gcv_fold_rows a, b, c;

    gcv_fold_cache_configure(2 * item_bytes + 1000);
    ck_assert(gcv_fold_cache_rows(data.X, NULL, 100, 10, &a));
    ck_assert(gcv_fold_cache_reserve(&a, 0, 1000));
    gcv_fold_cache_store(&a, GCV_FOLD_CACHE_RIDGE, 0, 2.5, malloc(1000), 1000, count_release);
    ck_assert_ptr_nonnull(gcv_fold_cache_find(&a, GCV_FOLD_CACHE_RIDGE, 0, 2.5));
    ck_assert_ptr_null(gcv_fold_cache_find(&a, GCV_FOLD_CACHE_RIDGE, 0, 2.0));
    ck_assert(gcv_fold_cache_rows(data.X + 1000, NULL, 100, 10, &b));

    /* A third rows item evicts a, the least recently used rows, and with it
     * its derived item. */
    released = 0;
    ck_assert(gcv_fold_cache_rows(data.X + 500, NULL, 100, 10, &c));
    ck_assert_int_eq(released, 1);
    ck_assert_ptr_null(gcv_fold_cache_find(&a, GCV_FOLD_CACHE_RIDGE, 0, 2.5));

    free_dataset(&data);
}
END_TEST

START_TEST(taken_item_leaves_cache_unreleased)
{
    struct dataset data = make_dataset(100, 10, 2, 17);
    const size_t rows_bytes = (100 * 10 + 100) * sizeof(double);
    struct gcv_fold_rows rows;
    void *value = malloc(1000);
    void *taken;

    gcv_fold_cache_configure(rows_bytes + 1000);
    ck_assert(gcv_fold_cache_rows(data.X, NULL, 100, 10, &rows));
    ck_assert(gcv_fold_cache_reserve(&rows, 0, 1000));
    gcv_fold_cache_store(&rows, GCV_FOLD_CACHE_FOREST, 0, 3.0, value, 1000, count_release);

    /* The caller owns the value taken: nothing released, nothing left to
     * find, and its bytes free again for another item. */
    released = 0;
    ck_assert_ptr_null(gcv_fold_cache_take(&rows, GCV_FOLD_CACHE_FOREST, 0, 4.0));
    taken = gcv_fold_cache_take(&rows, GCV_FOLD_CACHE_FOREST, 0, 3.0);
    ck_assert_ptr_eq(taken, value);
    ck_assert_int_eq(released, 0);
    ck_assert_ptr_null(gcv_fold_cache_find(&rows, GCV_FOLD_CACHE_FOREST, 0, 3.0));
    ck_assert(gcv_fold_cache_reserve(&rows, 0, 1000));
    gcv_fold_cache_store(&rows, GCV_FOLD_CACHE_FOREST, 0, 3.0, taken, 1000, count_release);
    ck_assert_ptr_eq(gcv_fold_cache_find(&rows, GCV_FOLD_CACHE_FOREST, 0, 3.0), value);

    gcv_fold_cache_clear();
    ck_assert_int_eq(released, 1);
    free_dataset(&data);
}
END_TEST

START_TEST(item_larger_than_budget_is_not_stored)
{
    struct dataset data = make_dataset(100, 10, 2, 16);
    struct gcv_fold_rows rows;
    struct gcv_fold_cache_stats stats;

    gcv_fold_cache_configure(1000);
    ck_assert(!gcv_fold_cache_rows(data.X, NULL, 100, 10, &rows));
    ck_assert_uint_eq(rows.id, 0);
    gcv_fold_cache_get_stats(&stats);
    ck_assert_uint_eq(stats.too_large, 1);
    ck_assert_uint_eq(stats.stores, 0);

    free_dataset(&data);
}
END_TEST

/* ----- RBF kernel --------------------------------------------------------------- */

/* Integer rows make every sum exact, so the distances are known exactly:
 * D_ik = sum_f (x_if - x_kf)^2. 300 rows span two blocks of 256. */
START_TEST(sqdist_exact_on_integer_rows)
{
    const size_t n = 300, d = 7;
    double *X = malloc(n * d * sizeof *X);
    uint64_t seed = 17;
    struct gcv_fold_rows rows;
    const double *D;

    for (size_t k = 0; k < n * d; k++)
        X[k] = floor(21 * next_uniform(&seed)) - 10;
    gcv_fold_cache_configure(64 * MIB);
    ck_assert(gcv_fold_cache_rows(X, NULL, n, d, &rows));
    {
        struct gcv_fold_rbf fold;
        ck_assert(gcv_fold_cache_rbf(X, NULL, n, d, 0.01, &fold));
    }
    D = gcv_fold_cache_find(&rows, GCV_FOLD_CACHE_SQDIST, 0, 0.0);
    ck_assert_ptr_nonnull(D);

    /* The upper triangle, packed row by row. */
    for (size_t i = 0, at = 0; i < n; i++) {
        for (size_t k = i; k < n; k++, at++) {
            double want = 0;
            for (size_t f = 0; f < d; f++)
                want += (X[i * d + f] - X[k * d + f]) * (X[i * d + f] - X[k * d + f]);
            ck_assert_msg(D[at] == want, "D[%zu, %zu] = %.17g, want %.17g", i, k, D[at],
                          want);
        }
    }
    free(X);
}
END_TEST

/* With room for the rows, their distances and one kernel matrix, each new
 * gamma's matrix is written over the last one in the same memory, and
 * nothing is evicted. Each matrix equals the one computed with room for
 * everything, also for a gamma computed again after another. */
START_TEST(new_gamma_replaces_kernel_and_keeps_sqdist)
{
    struct dataset data = make_dataset(300, 9, 2, 19);
    const size_t n = data.n_rows, d = data.n_features;
    const size_t rows_bytes = (n * d + n) * sizeof(double);
    const size_t sqdist_bytes = n * (n + 1) / 2 * sizeof(double);
    const size_t kernel_bytes = n * n * sizeof(float);
    const double gammas[3] = {0.1, 0.3, 1.0};
    float *expected[3];
    const float *first_kernel;
    struct gcv_fold_rbf fold;
    struct gcv_fold_rows rows;
    struct gcv_fold_cache_stats stats;

    for (size_t g = 0; g < 3; g++) {
        gcv_fold_cache_configure(64 * MIB);
        ck_assert(gcv_fold_cache_rbf(data.X, NULL, n, d, gammas[g], &fold));
        expected[g] = malloc(kernel_bytes);
        memcpy(expected[g], fold.kernel, kernel_bytes);
    }

    gcv_fold_cache_configure(rows_bytes + sqdist_bytes + kernel_bytes);
    ck_assert(gcv_fold_cache_rbf(data.X, NULL, n, d, gammas[0], &fold));
    first_kernel = fold.kernel;
    for (size_t g = 1; g < 3; g++) {
        ck_assert(gcv_fold_cache_rbf(data.X, NULL, n, d, gammas[g], &fold));
        ck_assert_ptr_eq(fold.kernel, first_kernel);
        ck_assert(memcmp(fold.kernel, expected[g], kernel_bytes) == 0);
    }
    ck_assert(gcv_fold_cache_rows(data.X, NULL, n, d, &rows));
    ck_assert_ptr_nonnull(gcv_fold_cache_find(&rows, GCV_FOLD_CACHE_SQDIST, 0, 0.0));
    ck_assert_ptr_null(gcv_fold_cache_find(&rows, GCV_FOLD_CACHE_RBF_KERNEL, 0, gammas[0]));
    ck_assert_ptr_null(gcv_fold_cache_find(&rows, GCV_FOLD_CACHE_RBF_KERNEL, 0, gammas[1]));
    ck_assert_ptr_nonnull(gcv_fold_cache_find(&rows, GCV_FOLD_CACHE_RBF_KERNEL, 0, gammas[2]));
    gcv_fold_cache_get_stats(&stats);
    ck_assert_uint_eq(stats.evictions, 0);
    ck_assert_uint_eq(stats.kernels_replaced, 2);

    ck_assert(gcv_fold_cache_rbf(data.X, NULL, n, d, gammas[0], &fold));
    ck_assert(memcmp(fold.kernel, expected[0], kernel_bytes) == 0);
    gcv_fold_cache_get_stats(&stats);
    ck_assert_uint_eq(stats.kernels_replaced, 3);

    /* Other rows keep their own matrix. */
    ck_assert(gcv_fold_cache_rbf(data.X, NULL, n - 1, d, gammas[1], &fold));
    ck_assert(gcv_fold_cache_rows(data.X, NULL, n, d, &rows));
    gcv_fold_cache_get_stats(&stats);
    ck_assert_uint_eq(stats.kernels_replaced, 3);

    for (size_t g = 0; g < 3; g++)
        free(expected[g]);
    free_dataset(&data);
}
END_TEST

/* Two processes, a parent and a forked child, play two ranks of one node
 * on a board in shared anonymous memory (worker/fold_share.h). The child
 * computes a kernel matrix first. The parent needs the same one and
 * copies it. The copy equals the matrix that the parent computes alone. */
START_TEST(kernel_matrix_copied_from_other_rank)
{
    struct dataset data = make_dataset(700, 9, 2, 23);
    const size_t n = data.n_rows, d = data.n_features;
    const size_t kernel_bytes = n * n * sizeof(float);
    const size_t board_bytes = 2 * GCV_SHM_BOARD_BYTES_PER_RANK;
    void *board = mmap(NULL, board_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                       -1, 0);
    int done[2], go[2], status;
    struct gcv_fold_rbf fold;
    struct gcv_fold_cache_stats stats;
    float *copied = malloc(kernel_bytes);
    pid_t child;
    char byte;

    ck_assert_ptr_ne(board, MAP_FAILED);
    ck_assert_int_eq(pipe(done), 0);
    ck_assert_int_eq(pipe(go), 0);
    child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        /* Rank 1: computes the matrix, reports, and keeps it until the parent
         * writes to the go pipe. */
        gcv_fold_cache_configure(64 * MIB);
        gcv_fold_share_attach(board, board_bytes, 1, 2);
        if (!gcv_fold_cache_rbf(data.X, NULL, n, d, 0.2, &fold) || write(done[1], "f", 1) != 1 ||
            read(go[0], &byte, 1) != 1)
            _exit(2);
        gcv_fold_share_detach();
        _exit(0);
    }

    /* Rank 0: the same rows and gamma, once the child's matrix is complete. */
    ck_assert_int_eq(read(done[0], &byte, 1), 1);
    gcv_fold_cache_configure(64 * MIB);
    gcv_fold_share_attach(board, board_bytes, 0, 2);
    ck_assert(gcv_fold_cache_rbf(data.X, NULL, n, d, 0.2, &fold));
    gcv_fold_cache_get_stats(&stats);
    ck_assert_uint_eq(stats.kernels_copied, 1);
    memcpy(copied, fold.kernel, kernel_bytes);
    gcv_fold_share_detach();
    ck_assert_int_eq(write(go[1], "g", 1), 1);
    ck_assert_int_eq(waitpid(child, &status, 0), child);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);

    /* Without a board the parent computes the matrix, with the same bits. */
    gcv_fold_cache_configure(64 * MIB);
    ck_assert(gcv_fold_cache_rbf(data.X, NULL, n, d, 0.2, &fold));
    gcv_fold_cache_get_stats(&stats);
    ck_assert_uint_eq(stats.kernels_copied, 0);
    ck_assert(memcmp(fold.kernel, copied, kernel_bytes) == 0);

    free(copied);
    close(done[0]);
    close(done[1]);
    close(go[0]);
    close(go[1]);
    munmap(board, board_bytes);
    free_dataset(&data);
}
END_TEST

/* Computes the distances and the kernel matrix at gamma of data's rows
 * and returns the two, as the cache stores them. */
static void cached_matrices(const struct dataset *data, double gamma, const void **sqdist,
                            const void **kernel)
{
    struct gcv_fold_rbf fold;
    struct gcv_fold_rows rows;

    ck_assert(gcv_fold_cache_rbf(data->X, NULL, data->n_rows, data->n_features, gamma, &fold));
    ck_assert(gcv_fold_cache_rows(data->X, NULL, data->n_rows, data->n_features, &rows));
    *kernel = fold.kernel;
    *sqdist = gcv_fold_cache_find(&rows, GCV_FOLD_CACHE_SQDIST, 0, 0.0);
    ck_assert_ptr_nonnull(*sqdist);
}

/* After gcv_fold_cache_retire, the matrices of new rows take the memory of
 * the retired ones, which leave the cache, and equal the matrices that a
 * cache without retired items computes. */
START_TEST(retired_matrices_give_their_memory)
{
    struct dataset first = make_dataset(300, 9, 2, 21), second = make_dataset(300, 9, 2, 22);
    const size_t n = first.n_rows, kernel_bytes = n * n * sizeof(float);
    const void *old_sqdist, *old_kernel, *sqdist, *kernel;
    float *expected = malloc(kernel_bytes);
    struct gcv_fold_rows rows;
    struct gcv_fold_cache_stats stats;

    gcv_fold_cache_configure(64 * MIB);
    cached_matrices(&second, 0.3, &sqdist, &kernel);
    memcpy(expected, kernel, kernel_bytes);

    gcv_fold_cache_configure(64 * MIB);
    cached_matrices(&first, 0.3, &old_sqdist, &old_kernel);
    gcv_fold_cache_retire();
    cached_matrices(&second, 0.3, &sqdist, &kernel);
    ck_assert(kernel == old_sqdist || kernel == old_kernel);
    ck_assert(sqdist == old_sqdist || sqdist == old_kernel);
    ck_assert_ptr_ne(kernel, sqdist);
    ck_assert(memcmp(kernel, expected, kernel_bytes) == 0);

    ck_assert(gcv_fold_cache_rows(first.X, NULL, n, first.n_features, &rows));
    ck_assert_ptr_null(gcv_fold_cache_find(&rows, GCV_FOLD_CACHE_SQDIST, 0, 0.0));
    ck_assert_ptr_null(gcv_fold_cache_find(&rows, GCV_FOLD_CACHE_RBF_KERNEL, 0, 0.3));
    gcv_fold_cache_get_stats(&stats);
    ck_assert_uint_eq(stats.blocks_reused, 2);
    ck_assert_uint_eq(stats.evictions, 0);

    free(expected);
    free_dataset(&first);
    free_dataset(&second);
}
END_TEST

/* Without gcv_fold_cache_retire, and for items looked up after it, the
 * matrices of new rows take new memory and the old ones stay cached. */
START_TEST(current_matrices_keep_their_memory)
{
    struct dataset first = make_dataset(300, 9, 2, 21), second = make_dataset(300, 9, 2, 22);
    const void *old_sqdist, *old_kernel, *sqdist, *kernel;
    struct gcv_fold_cache_stats stats;

    for (int retire = 0; retire < 2; retire++) {
        gcv_fold_cache_configure(64 * MIB);
        cached_matrices(&first, 0.3, &old_sqdist, &old_kernel);
        if (retire) {
            gcv_fold_cache_retire();
            cached_matrices(&first, 0.3, &sqdist, &kernel);
            ck_assert_ptr_eq(sqdist, old_sqdist);
            ck_assert_ptr_eq(kernel, old_kernel);
        }
        cached_matrices(&second, 0.3, &sqdist, &kernel);
        ck_assert(kernel != old_sqdist && kernel != old_kernel);
        ck_assert(sqdist != old_sqdist && sqdist != old_kernel);
        cached_matrices(&first, 0.3, &sqdist, &kernel);
        ck_assert_ptr_eq(sqdist, old_sqdist);
        ck_assert_ptr_eq(kernel, old_kernel);
        gcv_fold_cache_get_stats(&stats);
        ck_assert_uint_eq(stats.blocks_reused, 0);
    }

    free_dataset(&first);
    free_dataset(&second);
}
END_TEST

/* The kernel matrix computed from the stored distances and the one
 * computed a block at a time without them are the same bits. */
START_TEST(rbf_kernel_same_with_and_without_stored_sqdist)
{
    struct dataset data = make_dataset(300, 9, 2, 18);
    const size_t n = data.n_rows;
    const size_t rows_bytes = (n * data.n_features + n) * sizeof(double);
    const size_t kernel_bytes = n * n * sizeof(float);
    float *with_sqdist = malloc(kernel_bytes);
    struct gcv_fold_rbf fold;
    struct gcv_fold_rows rows;
    struct gcv_fold_cache_stats stats;

    gcv_fold_cache_configure(64 * MIB);
    ck_assert(gcv_fold_cache_rbf(data.X, NULL, n, data.n_features, 0.3, &fold));
    ck_assert(gcv_fold_cache_rows(data.X, NULL, n, data.n_features, &rows));
    ck_assert_ptr_nonnull(gcv_fold_cache_find(&rows, GCV_FOLD_CACHE_SQDIST, 0, 0.0));
    memcpy(with_sqdist, fold.kernel, kernel_bytes);

    /* Room for the rows and one kernel matrix, not for the distances. */
    gcv_fold_cache_configure(rows_bytes + kernel_bytes);
    ck_assert(gcv_fold_cache_rbf(data.X, NULL, n, data.n_features, 0.3, &fold));
    ck_assert(gcv_fold_cache_rows(data.X, NULL, n, data.n_features, &rows));
    ck_assert_ptr_null(gcv_fold_cache_find(&rows, GCV_FOLD_CACHE_SQDIST, 0, 0.0));
    gcv_fold_cache_get_stats(&stats);
    ck_assert_uint_eq(stats.stores, 2);
    ck_assert(memcmp(fold.kernel, with_sqdist, kernel_bytes) == 0);

    /* The diagonal is exactly 1 and the matrix symmetric. */
    for (size_t i = 0; i < n; i++) {
        ck_assert(fold.kernel[i * n + i] == 1.0f);
        for (size_t k = 0; k < i; k++)
            ck_assert(fold.kernel[i * n + k] == fold.kernel[k * n + i]);
    }

    free(with_sqdist);
    free_dataset(&data);
}
END_TEST

/* Each cached value is within one float rounding of the kernel column
 * that the exact path computes with dgemv. */
START_TEST(rbf_kernel_matches_kernel_column)
{
    struct dataset data = make_dataset(200, 9, 2, 19);
    const size_t n = data.n_rows, d = data.n_features;
    const struct gcv_kernel kernel = {.type = GCV_KERNEL_RBF, .gamma = 0.7};
    double *norms = malloc(n * sizeof *norms);
    double *column = malloc(n * sizeof *column);
    struct gcv_fold_rbf fold;

    gcv_fold_cache_configure(64 * MIB);
    ck_assert(gcv_fold_cache_rbf(data.X, NULL, n, d, kernel.gamma, &fold));
    gcv_kernel_row_norms(data.X, n, d, norms);
    for (size_t i = 0; i < n; i++) {
        gcv_kernel_column(&kernel, data.X, norms, n, d, data.X + i * d, norms[i], column);
        for (size_t k = 0; k < n; k++) {
            const float want = (float)column[k];
            ck_assert_msg(fabsf(fold.kernel[i * n + k] - want) <= 1.2e-7f * want,
                          "K[%zu, %zu] = %.9g, want %.9g", i, k, fold.kernel[i * n + k], want);
        }
    }

    free(norms);
    free(column);
    free_dataset(&data);
}
END_TEST

/* ----- SVC ------------------------------------------------------------------------ */

static struct gcv_svc_model *fit_svc(const struct dataset *data, const size_t *index,
                                     size_t n_rows, double C, double gamma)
{
    struct gcv_svc_params params = {
        .C = C,
        .kernel = GCV_KERNEL_RBF,
        .gamma = GCV_SVC_GAMMA_VALUE,
        .gamma_value = gamma,
        .degree = 3,
        .shrinking = true,
        .tol = 1e-3,
        .cache_size = 200,
        .max_iter = -1,
    };
    struct gcv_rows train = {
        .X = data->X,
        .n_features = data->n_features,
        .index = index,
        .n_rows = n_rows,
        .y_class = data->y,
        .n_classes = data->n_classes,
    };
    struct gcv_error err = {GCV_OK, ""};
    void *model = NULL;

    ck_assert_msg(gcv_svc_ops.fit(&params, &train, &model, &err) == GCV_OK, "fit failed: %s",
                  err.message);
    return model;
}

/* Asserts that two SVC models are the same, to the last bit. */
static void assert_same_svc(const struct gcv_svc_model *got, const struct gcv_svc_model *want)
{
    const size_t n_pairs = gcv_svc_n_pairs(want);

    ck_assert_uint_eq(got->n_classes, want->n_classes);
    ck_assert_uint_eq(got->n_sv, want->n_sv);
    for (size_t s = 0; s < want->n_sv; s++)
        ck_assert_uint_eq(got->support[s], want->support[s]);
    for (size_t k = 0; k < (want->n_classes - 1) * want->n_sv; k++)
        ck_assert_msg(got->dual_coef[k] == want->dual_coef[k], "dual_coef[%zu] = %.17g, want %.17g",
                      k, got->dual_coef[k], want->dual_coef[k]);
    for (size_t p = 0; p < n_pairs; p++) {
        ck_assert_msg(got->rho[p] == want->rho[p], "rho[%zu] = %.17g, want %.17g", p,
                      got->rho[p], want->rho[p]);
        ck_assert_int_eq(got->n_iter[p], want->n_iter[p]);
    }
}

/* Every (C, gamma) of a 3 x 2 grid on two folds, fitted without the cache
 * and then with one cache for the whole grid, as a worker keeps it: each
 * fold's kernel matrix is computed once per gamma and read by the other
 * candidates. */
START_TEST(svc_from_cached_kernel_matches_fit_from_scratch)
{
    static const double Cs[] = {0.5, 5, 50};
    static const double gammas[] = {0.2, 1.5};
    struct dataset data = make_dataset(330, 6, 3, 20);
    size_t n_train[2];
    size_t *folds[2] = {every_other(data.n_rows, 2, 0, &n_train[0]),
                        every_other(data.n_rows, 2, 1, &n_train[1])};
    struct gcv_svc_model *scratch[2][3][2];
    struct gcv_fold_cache_stats stats;

    gcv_fold_cache_configure(0);
    for (size_t g = 0; g < 2; g++)
        for (size_t c = 0; c < 3; c++)
            for (size_t f = 0; f < 2; f++)
                scratch[g][c][f] = fit_svc(&data, folds[f], n_train[f], Cs[c], gammas[g]);

    gcv_fold_cache_configure(256 * MIB);
    for (size_t g = 0; g < 2; g++) {
        for (size_t c = 0; c < 3; c++) {
            for (size_t f = 0; f < 2; f++) {
                struct gcv_svc_model *cached = fit_svc(&data, folds[f], n_train[f], Cs[c],
                                                       gammas[g]);
                assert_same_svc(cached, scratch[g][c][f]);
                gcv_svc_ops.model_free(cached);
                gcv_svc_ops.model_free(scratch[g][c][f]);
            }
        }
    }

    /* Per fold: its rows, its distances and one kernel matrix per gamma. */
    gcv_fold_cache_get_stats(&stats);
    ck_assert_uint_eq(stats.stores, 2 * (1 + 1 + 2));
    ck_assert_uint_eq(stats.evictions, 0);

    free(folds[0]);
    free(folds[1]);
    free_dataset(&data);
}
END_TEST

/* A budget of the training rows, the test rows and their products: copying
 * the test rows in evicts a newer item rather than the older training
 * rows, so the products are still computed. */
START_TEST(cross_keeps_training_rows)
{
    struct dataset data = make_dataset(40, 200, 2, 22);
    const size_t d = data.n_features;
    size_t n_train, n_test;
    size_t *train = every_other(data.n_rows, 2, 0, &n_train);
    size_t *test = every_other(data.n_rows, 2, 1, &n_test);
    const size_t train_bytes = (n_train * d + n_train) * sizeof(double);
    const size_t test_bytes = (n_test * d + n_test) * sizeof(double);
    const size_t cross_bytes = n_test * n_train * sizeof(double);
    struct gcv_fold_rows train_rows, other_rows;
    struct gcv_fold_cross cross;

    gcv_fold_cache_configure(train_bytes + test_bytes + cross_bytes);
    ck_assert(gcv_fold_cache_rows(data.X, train, n_train, d, &train_rows));
    ck_assert(gcv_fold_cache_rows(data.X, test, n_test / 2, d, &other_rows));
    ck_assert(gcv_fold_cache_cross(data.X, test, n_test, d, train_rows.id, &cross));
    ck_assert_ptr_nonnull(cross.dots);
    ck_assert(!gcv_fold_cache_rows_by_id(other_rows.id, &other_rows));
    for (size_t r = 0; r < n_test; r++) {
        for (size_t k = 0; k < n_train; k++) {
            double want = 0;
            for (size_t f = 0; f < d; f++)
                want += data.X[test[r] * d + f] * data.X[train[k] * d + f];
            ck_assert_double_eq_tol(cross.dots[r * n_train + k], want, 1e-12);
        }
    }

    free(train);
    free(test);
    free_dataset(&data);
}
END_TEST

/* Decision values of a fold's test rows, read off the cached products of
 * the test rows with all training rows, equal those computed from the
 * support vectors, for the RBF and the polynomial kernel. */
START_TEST(svc_decisions_from_cached_products_match)
{
    static const enum gcv_kernel_type kernels[] = {GCV_KERNEL_RBF, GCV_KERNEL_POLY};
    struct dataset data = make_dataset(300, 5, 3, 21);
    size_t n_train, n_test;
    size_t *train = every_other(data.n_rows, 2, 0, &n_train);
    size_t *test = every_other(data.n_rows, 2, 1, &n_test);

    for (size_t k = 0; k < 2; k++) {
        struct gcv_svc_params params = {
            .C = 3, .kernel = kernels[k], .gamma = GCV_SVC_GAMMA_VALUE, .gamma_value = 0.4,
            .degree = 3, .coef0 = 1, .shrinking = true, .tol = 1e-3, .cache_size = 200,
            .max_iter = -1,
        };
        struct gcv_rows train_rows = {
            .X = data.X, .n_features = data.n_features, .index = train, .n_rows = n_train,
            .y_class = data.y, .n_classes = data.n_classes,
        };
        struct gcv_rows test_rows = train_rows;
        struct gcv_error err = {GCV_OK, ""};
        struct gcv_svc_model *model = NULL;
        double *cached = malloc(n_test * 3 * sizeof *cached);
        double *direct = malloc(n_test * 3 * sizeof *direct);
        struct gcv_fold_cache_stats stats;

        test_rows.index = test;
        test_rows.n_rows = n_test;
        gcv_fold_cache_configure(64 * MIB);
        ck_assert_int_eq(gcv_svc_ops.fit(&params, &train_rows, (void **)&model, &err), GCV_OK);
        ck_assert_uint_ne(model->fold_rows_id, 0);
        ck_assert_int_eq(gcv_svc_decision_function(model, &test_rows, cached, &err), GCV_OK);
        gcv_fold_cache_get_stats(&stats);
        ck_assert_uint_ge(stats.stores, 3); /* training rows, test rows, their products */

        gcv_fold_cache_configure(0);
        ck_assert_int_eq(gcv_svc_decision_function(model, &test_rows, direct, &err), GCV_OK);
        for (size_t i = 0; i < n_test * 3; i++)
            ck_assert_msg(cached[i] == direct[i], "kernel %zu: decision value %zu = %.17g, "
                          "want %.17g", k, i, cached[i], direct[i]);

        free(cached);
        free(direct);
        gcv_svc_ops.model_free(model);
    }
    free(train);
    free(test);
    free_dataset(&data);
}
END_TEST

/* ----- SVR ------------------------------------------------------------------------- */

/* SVR over a 2 x 2 grid of C and gamma, fitted and scored without the
 * cache and then with one cache for the grid: the same dual
 * coefficients, intercept, iterations and predictions, to the last bit. */
START_TEST(svr_from_cached_kernel_matches_fit_from_scratch)
{
    static const double Cs[] = {1, 20};
    static const double gammas[] = {0.3, 2};
    struct dataset data = make_dataset(240, 5, 2, 27);
    double *targets = malloc(data.n_rows * sizeof *targets);
    size_t n_train, n_test;
    size_t *train = every_other(data.n_rows, 2, 0, &n_train);
    size_t *test = every_other(data.n_rows, 2, 1, &n_test);
    struct gcv_rows train_rows = {.X = data.X, .n_features = data.n_features, .index = train,
                                  .n_rows = n_train};
    struct gcv_rows test_rows = {.X = data.X, .n_features = data.n_features, .index = test,
                                 .n_rows = n_test};
    struct gcv_svr_model *scratch[2][2];
    double *predicted[2][2];
    double *cached_predicted = malloc(n_test * sizeof *cached_predicted);
    struct gcv_error err = {GCV_OK, ""};

    for (size_t r = 0; r < data.n_rows; r++)
        targets[r] = sin(3 * data.X[r * data.n_features]) + data.X[r * data.n_features + 1];
    train_rows.y_value = targets;
    test_rows.y_value = targets;

    for (int pass = 0; pass < 2; pass++) {
        gcv_fold_cache_configure(pass == 0 ? 0 : 64 * MIB);
        for (size_t c = 0; c < 2; c++) {
            for (size_t g = 0; g < 2; g++) {
                struct gcv_svr_params params = {
                    .C = Cs[c], .epsilon = 0.1, .kernel = GCV_KERNEL_RBF,
                    .gamma = GCV_SVR_GAMMA_VALUE, .gamma_value = gammas[g], .degree = 3,
                    .tol = 1e-3, .shrinking = true, .cache_size = 200, .max_iter = -1,
                };
                struct gcv_svr_model *model = NULL;

                ck_assert_int_eq(gcv_svr_ops.fit(&params, &train_rows, (void **)&model, &err),
                                 GCV_OK);
                if (pass == 0) {
                    scratch[c][g] = model;
                    predicted[c][g] = malloc(n_test * sizeof **predicted);
                    ck_assert_int_eq(gcv_svr_ops.predict(model, &test_rows, predicted[c][g],
                                                         &err), GCV_OK);
                    continue;
                }

                ck_assert_uint_ne(model->fold_rows_id, 0);
                ck_assert_uint_eq(model->n_sv, scratch[c][g]->n_sv);
                for (size_t s = 0; s < model->n_sv; s++) {
                    ck_assert_uint_eq(model->support[s], scratch[c][g]->support[s]);
                    ck_assert(model->dual_coef[s] == scratch[c][g]->dual_coef[s]);
                }
                ck_assert(model->rho == scratch[c][g]->rho);
                ck_assert_int_eq(model->n_iter, scratch[c][g]->n_iter);
                ck_assert_int_eq(gcv_svr_ops.predict(model, &test_rows, cached_predicted, &err),
                                 GCV_OK);
                for (size_t i = 0; i < n_test; i++)
                    ck_assert_msg(cached_predicted[i] == predicted[c][g][i], "C %g gamma %g: "
                                  "prediction %zu = %.17g, want %.17g", Cs[c], gammas[g], i,
                                  cached_predicted[i], predicted[c][g][i]);
                gcv_svr_ops.model_free(model);
                gcv_svr_ops.model_free(scratch[c][g]);
                free(predicted[c][g]);
            }
        }
    }

    free(cached_predicted);
    free(targets);
    free(train);
    free(test);
    free_dataset(&data);
}
END_TEST

/* ----- Ridge ---------------------------------------------------------------------- */

/* Ten alphas on one fold, with and without intercept and sample weights:
 * the fits after the first read the fold's normal equations from the
 * cache, and every coefficient and intercept equals a fit from scratch. */
START_TEST(ridge_from_cached_normal_equations_matches_fit_from_scratch)
{
    struct dataset data = make_dataset(400, 12, 2, 22);
    size_t n_train;
    size_t *index = every_other(data.n_rows, 2, 1, &n_train);
    double *Y = malloc(n_train * 2 * sizeof *Y);
    double *weights = malloc(n_train * sizeof *weights);
    uint64_t seed = 23;
    struct gcv_rows train = {
        .X = data.X, .n_features = data.n_features, .index = index, .n_rows = n_train,
    };
    struct gcv_fold_cache_stats stats;

    for (size_t i = 0; i < n_train * 2; i++)
        Y[i] = 3 * next_uniform(&seed) - 1;
    for (size_t i = 0; i < n_train; i++)
        weights[i] = 0.5 + next_uniform(&seed);

    for (int variant = 0; variant < 4; variant++) {
        const bool fit_intercept = variant % 2 == 0;
        const double *sample_weight = variant >= 2 ? weights : NULL;
        struct gcv_ridge_fit scratch[10];
        struct gcv_error err = {GCV_OK, ""};

        gcv_fold_cache_configure(0);
        for (int a = 0; a < 10; a++)
            ck_assert_int_eq(gcv_ridge_fit(&train, Y, 2, sample_weight, pow(10.0, a - 4),
                                           fit_intercept, GCV_RIDGE_AUTO, &scratch[a], &err),
                             GCV_OK);

        gcv_fold_cache_configure(64 * MIB);
        for (int a = 0; a < 10; a++) {
            struct gcv_ridge_fit cached;

            ck_assert_int_eq(gcv_ridge_fit(&train, Y, 2, sample_weight, pow(10.0, a - 4),
                                           fit_intercept, GCV_RIDGE_AUTO, &cached, &err),
                             GCV_OK);
            for (size_t k = 0; k < 2 * data.n_features; k++)
                ck_assert_msg(cached.coef[k] == scratch[a].coef[k], "variant %d alpha 1e%d: "
                              "coef[%zu] = %.17g, want %.17g", variant, a - 4, k, cached.coef[k],
                              scratch[a].coef[k]);
            for (size_t c = 0; c < 2; c++)
                ck_assert(cached.intercept[c] == scratch[a].intercept[c]);
            gcv_ridge_fit_free(&cached);
            gcv_ridge_fit_free(&scratch[a]);
        }

        /* The rows and their normal equations were computed once, then
         * found 9 times. */
        gcv_fold_cache_get_stats(&stats);
        ck_assert_uint_eq(stats.stores, 2);
        ck_assert_uint_eq(stats.hits, 2 * 9);

        /* Predictions from the cached copy of the rows equal those from
         * rows gathered without the cache. */
        {
            struct gcv_ridge_fit fit;
            double *cached = malloc(n_train * 2 * sizeof *cached);
            double *direct = malloc(n_train * 2 * sizeof *direct);

            ck_assert_int_eq(gcv_ridge_fit(&train, Y, 2, sample_weight, 0.1, fit_intercept,
                                           GCV_RIDGE_AUTO, &fit, &err), GCV_OK);
            ck_assert_int_eq(gcv_ridge_decision(&fit, "Ridge", &train, cached, &err), GCV_OK);
            gcv_fold_cache_configure(0);
            ck_assert_int_eq(gcv_ridge_decision(&fit, "Ridge", &train, direct, &err), GCV_OK);
            for (size_t i = 0; i < n_train * 2; i++)
                ck_assert(cached[i] == direct[i]);
            gcv_ridge_fit_free(&fit);
            free(cached);
            free(direct);
        }
    }

    free(Y);
    free(weights);
    free(index);
    free_dataset(&data);
}
END_TEST

/* Other targets on the same rows are not served the cached equations. */
START_TEST(ridge_with_other_targets_is_not_served)
{
    struct dataset data = make_dataset(200, 6, 2, 24);
    double *Y = malloc(data.n_rows * sizeof *Y);
    struct gcv_rows train = {.X = data.X, .n_features = data.n_features, .n_rows = data.n_rows};
    struct gcv_ridge_fit first, second, scratch;
    struct gcv_error err = {GCV_OK, ""};
    uint64_t seed = 25;

    for (size_t i = 0; i < data.n_rows; i++)
        Y[i] = next_uniform(&seed);
    train.index = malloc(data.n_rows * sizeof(size_t));
    for (size_t i = 0; i < data.n_rows; i++)
        ((size_t *)train.index)[i] = i;

    gcv_fold_cache_configure(64 * MIB);
    ck_assert_int_eq(gcv_ridge_fit(&train, Y, 1, NULL, 1.0, true, GCV_RIDGE_AUTO, &first, &err),
                     GCV_OK);
    Y[7] += 1;
    ck_assert_int_eq(gcv_ridge_fit(&train, Y, 1, NULL, 1.0, true, GCV_RIDGE_AUTO, &second, &err),
                     GCV_OK);
    gcv_fold_cache_configure(0);
    ck_assert_int_eq(gcv_ridge_fit(&train, Y, 1, NULL, 1.0, true, GCV_RIDGE_AUTO, &scratch, &err),
                     GCV_OK);
    for (size_t k = 0; k < data.n_features; k++)
        ck_assert(second.coef[k] == scratch.coef[k]);
    ck_assert(second.intercept[0] == scratch.intercept[0]);
    ck_assert(first.intercept[0] != scratch.intercept[0]);

    gcv_ridge_fit_free(&first);
    gcv_ridge_fit_free(&second);
    gcv_ridge_fit_free(&scratch);
    free((size_t *)train.index);
    free(Y);
    free_dataset(&data);
}
END_TEST

/* Writes into coef[t * d] and intercept[t] the ridge solution of the rows
 * index[0..n) of X[* d] against Y[n * t]. The normal equations are formed
 * with plain loops and solved by LAPACK dposv, the Cholesky solve of
 * scikit-learn 1.2.1's _solve_cholesky. Neither the fold cache nor the
 * eigen-decomposition of gcv_ridge_fit takes part. */
static void ridge_by_cholesky(const double *X, const size_t *index, size_t n, size_t d,
                              const double *Y, size_t t, const double *weights, double alpha,
                              bool fit_intercept, double *coef, double *intercept)
{
    double *x_mean = calloc(d, sizeof *x_mean);   /* [d] */
    double *y_mean = calloc(t, sizeof *y_mean);   /* [t] */
    double *Xc = malloc(n * d * sizeof *Xc);      /* [n * d] centred, weighted rows */
    double *Yc = malloc(n * t * sizeof *Yc);      /* [n * t] */
    double *A = calloc(d * d, sizeof *A);         /* [d * d] X^T X + alpha I */
    double *B = calloc(d * t, sizeof *B);         /* [d * t] X^T Y, then the solution */
    double total = 0;

    ck_assert_ptr_nonnull(x_mean);
    ck_assert_ptr_nonnull(y_mean);
    ck_assert_ptr_nonnull(Xc);
    ck_assert_ptr_nonnull(Yc);
    ck_assert_ptr_nonnull(A);
    ck_assert_ptr_nonnull(B);
    for (size_t i = 0; i < n; i++) {
        const double w = weights != NULL ? weights[i] : 1.0;

        total += w;
        for (size_t j = 0; j < d; j++)
            x_mean[j] += w * X[index[i] * d + j];
        for (size_t c = 0; c < t; c++)
            y_mean[c] += w * Y[i * t + c];
    }
    for (size_t j = 0; j < d; j++)
        x_mean[j] = fit_intercept ? x_mean[j] / total : 0.0;
    for (size_t c = 0; c < t; c++)
        y_mean[c] = fit_intercept ? y_mean[c] / total : 0.0;
    for (size_t i = 0; i < n; i++) {
        const double root = sqrt(weights != NULL ? weights[i] : 1.0);

        for (size_t j = 0; j < d; j++)
            Xc[i * d + j] = (X[index[i] * d + j] - x_mean[j]) * root;
        for (size_t c = 0; c < t; c++)
            Yc[i * t + c] = (Y[i * t + c] - y_mean[c]) * root;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < d; j++) {
            for (size_t k = 0; k < d; k++)
                A[j * d + k] += Xc[i * d + j] * Xc[i * d + k];
            for (size_t c = 0; c < t; c++)
                B[j * t + c] += Xc[i * d + j] * Yc[i * t + c];
        }
    }
    for (size_t j = 0; j < d; j++)
        A[j * d + j] += alpha;
    ck_assert_int_eq(LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', (lapack_int)d, (lapack_int)t, A,
                                   (lapack_int)d, B, (lapack_int)t), 0);
    for (size_t c = 0; c < t; c++) {
        intercept[c] = y_mean[c];
        for (size_t j = 0; j < d; j++) {
            coef[c * d + j] = B[j * t + c];
            intercept[c] -= x_mean[j] * coef[c * d + j];
        }
    }
    free(x_mean);
    free(y_mean);
    free(Xc);
    free(Yc);
    free(A);
    free(B);
}

/* gcv_ridge_fit solves from the eigen-decomposition of X^T X
 * (ridge_solver.c). Its coefficients, intercepts and predictions equal a
 * Cholesky solve from scratch at 12 alphas from 1e-6 to 1e5. The fits use
 * two targets, with and without intercept and sample weights, with the
 * cache on and off. On these 200 training rows of 12 uniform features the
 * eigenvalues of X^T X lie between 42 and 108 in all four settings
 * (numpy.linalg.eigvalsh), so every condition number is below 3. The two
 * solves then differ by rounding of order d * condition * epsilon, about
 * 1e-14 relative. 1e-10 relative to the largest coefficient leaves room for
 * other BLAS kernels, and a wrong eigenvector, eigenvalue or order would
 * be off by far more. */
START_TEST(ridge_eigen_solution_matches_cholesky_solve)
{
    struct dataset data = make_dataset(400, 12, 2, 27);
    const size_t d = data.n_features;
    size_t n_train, n_test;
    size_t *train_index = every_other(data.n_rows, 2, 0, &n_train);
    size_t *test_index = every_other(data.n_rows, 2, 1, &n_test);
    double *Y = malloc(n_train * 2 * sizeof *Y);
    double *weights = malloc(n_train * sizeof *weights);
    double *predicted = malloc(n_test * 2 * sizeof *predicted);
    double coef[2 * 12], intercept[2];
    uint64_t seed = 28;
    const struct gcv_rows train = {
        .X = data.X, .n_features = d, .index = train_index, .n_rows = n_train,
    };
    const struct gcv_rows test = {
        .X = data.X, .n_features = d, .index = test_index, .n_rows = n_test,
    };

    for (size_t i = 0; i < n_train; i++) {
        Y[2 * i] = 2 * data.X[train_index[i] * d] - data.X[train_index[i] * d + 3] +
                   0.1 * next_uniform(&seed);
        Y[2 * i + 1] = 3 * next_uniform(&seed) - 1;
        weights[i] = 0.5 + next_uniform(&seed);
    }

    for (int variant = 0; variant < 8; variant++) {
        const bool fit_intercept = variant % 2 == 0;
        const double *sample_weight = variant % 4 >= 2 ? weights : NULL;

        gcv_fold_cache_configure(variant >= 4 ? 64 * MIB : 0);
        for (int a = 0; a < 12; a++) {
            const double alpha = pow(10.0, a - 6);
            struct gcv_ridge_fit fit;
            struct gcv_error err = {GCV_OK, ""};
            double scale = 0;

            ck_assert_int_eq(gcv_ridge_fit(&train, Y, 2, sample_weight, alpha, fit_intercept,
                                           GCV_RIDGE_AUTO, &fit, &err), GCV_OK);
            ridge_by_cholesky(data.X, train_index, n_train, d, Y, 2, sample_weight, alpha,
                              fit_intercept, coef, intercept);
            for (size_t k = 0; k < 2 * d; k++)
                scale = fmax(scale, fabs(coef[k]));
            for (size_t k = 0; k < 2 * d; k++)
                ck_assert_msg(fabs(fit.coef[k] - coef[k]) <= 1e-10 * scale,
                              "variant %d alpha %g: coef[%zu] = %.17g, Cholesky %.17g", variant,
                              alpha, k, fit.coef[k], coef[k]);
            for (size_t c = 0; c < 2; c++)
                ck_assert_msg(fabs(fit.intercept[c] - intercept[c]) <=
                                  1e-10 * fmax(1.0, fabs(intercept[c])),
                              "variant %d alpha %g: intercept[%zu] = %.17g, Cholesky %.17g",
                              variant, alpha, c, fit.intercept[c], intercept[c]);

            /* Predictions on the other rows, against the same formula
             * from the Cholesky coefficients. */
            ck_assert_int_eq(gcv_ridge_decision(&fit, "Ridge", &test, predicted, &err), GCV_OK);
            for (size_t r = 0; r < n_test; r++) {
                for (size_t c = 0; c < 2; c++) {
                    double want = intercept[c];

                    for (size_t j = 0; j < d; j++)
                        want += data.X[test_index[r] * d + j] * coef[c * d + j];
                    ck_assert_msg(fabs(predicted[r * 2 + c] - want) <=
                                      1e-10 * fmax(1.0, fabs(want)),
                                  "variant %d alpha %g: row %zu target %zu predicted %.17g, "
                                  "want %.17g", variant, alpha, r, c, predicted[r * 2 + c],
                                  want);
                }
            }
            gcv_ridge_fit_free(&fit);
        }
    }

    gcv_fold_cache_configure(0);
    free(predicted);
    free(weights);
    free(Y);
    free(train_index);
    free(test_index);
    free_dataset(&data);
}
END_TEST

/* A rank-deficient X: feature 1 repeats feature 0, and y = 3 x0 + 1. The
 * centred X^T X is S [[1, 1], [1, 1]], S being the sum of squares of the
 * centred x0, with eigenvalues 2S and 0, and X^T y = 3S [1, 1]. So for
 * alpha > 0 both coefficients are 3S / (2S + alpha), and for alpha = 0
 * Cholesky fails and the SVD gives the minimum-norm solution 1.5 each,
 * as in scikit-learn. The intercept is y_mean - 2 x_mean w. The alphas
 * reach condition numbers (2S + alpha) / alpha from 3 to 2e9 and
 * infinity, on both sides of the limit above which gcv_ridge_fit leaves
 * the eigen-decomposition for Cholesky. Each must give the derived value
 * within 1e-12 plus condition * epsilon relative, the forward error bound
 * of a backward-stable solve: Cholesky is off by 6e-8 at a condition
 * number of 2e9 on this machine. Above the limit the fit must also be
 * scikit-learn's Cholesky solve: at alpha = 1e-9 S it equals
 * ridge_by_cholesky within 1e-12, where the eigen path is 6e-8 away.
 * NOTE: that comparison assumes that the BLAS sums the 7 terms of each
 * entry of X^T X in row order, as OpenBLAS 0.3.21 does. At this condition
 * number one unit in the last place of X^T X moves the solution by 1e-7. */
START_TEST(ridge_rank_deficient_rows_match_derived_solution)
{
    static const double x0[] = {0.5, 1.25, 2.0, 3.5, 5.25, 0.75, 4.0};
    enum { N_ROWS = sizeof x0 / sizeof x0[0] };
    double X[N_ROWS * 2], y[N_ROWS];
    size_t index[N_ROWS];
    double x_mean = 0, y_mean = 0, S = 0;
    const struct gcv_rows train = {.X = X, .n_features = 2, .index = index, .n_rows = N_ROWS};

    for (size_t i = 0; i < N_ROWS; i++) {
        X[2 * i] = X[2 * i + 1] = x0[i];
        y[i] = 3 * x0[i] + 1;
        index[i] = i;
        x_mean += x0[i] / N_ROWS;
    }
    y_mean = 3 * x_mean + 1;
    for (size_t i = 0; i < N_ROWS; i++)
        S += (x0[i] - x_mean) * (x0[i] - x_mean);

    for (int cached = 0; cached < 2; cached++) {
        const double alphas[] = {0.0, 1e-9 * S, 1e-5 * S, 1e-3 * S, S};

        gcv_fold_cache_configure(cached ? 64 * MIB : 0);
        for (size_t a = 0; a < sizeof alphas / sizeof alphas[0]; a++) {
            const double w = alphas[a] > 0 ? 3 * S / (2 * S + alphas[a]) : 1.5;
            const double tolerance =
                1e-12 + (alphas[a] > 0 ? (2 * S + alphas[a]) / alphas[a] * DBL_EPSILON : 0.0);
            struct gcv_ridge_fit fit;
            struct gcv_error err = {GCV_OK, ""};

            ck_assert_int_eq(gcv_ridge_fit(&train, y, 1, NULL, alphas[a], true,
                                           GCV_RIDGE_CHOLESKY, &fit, &err), GCV_OK);
            for (size_t j = 0; j < 2; j++)
                ck_assert_msg(fabs(fit.coef[j] - w) <= tolerance * w, "cache %d alpha %g: coef[%zu] "
                              "= %.17g, want %.17g", cached, alphas[a], j, fit.coef[j], w);
            ck_assert_msg(fabs(fit.intercept[0] - (y_mean - 2 * x_mean * w)) <=
                              tolerance * y_mean,
                          "cache %d alpha %g: intercept %.17g, want %.17g", cached, alphas[a],
                          fit.intercept[0], y_mean - 2 * x_mean * w);
            if (a == 1) {
                double coef[2], intercept;

                ridge_by_cholesky(X, index, N_ROWS, 2, y, 1, NULL, alphas[a], true, coef,
                                  &intercept);
                for (size_t j = 0; j < 2; j++)
                    ck_assert_msg(fabs(fit.coef[j] - coef[j]) <= 1e-12 * w, "cache %d alpha "
                                  "%g: coef[%zu] = %.17g, Cholesky %.17g", cached, alphas[a],
                                  j, fit.coef[j], coef[j]);
            }
            gcv_ridge_fit_free(&fit);
        }
    }
    gcv_fold_cache_configure(0);
}
END_TEST

/* ----- nearest neighbours ---------------------------------------------------------- */

/* The neighbours and distances of every n_neighbors from 1 to 150 (past
 * the 128 the cache keeps sorted), for three metrics, equal a search
 * without the cache, also where neighbours tie. */
START_TEST(neighbors_from_cache_match_search_from_scratch)
{
    static const enum gcv_neighbors_metric metrics[] = {
        GCV_NEIGHBORS_EUCLIDEAN, GCV_NEIGHBORS_MANHATTAN, GCV_NEIGHBORS_MINKOWSKI};
    struct dataset data = make_dataset(500, 4, 2, 26);
    size_t n_train, n_test;
    size_t *train = every_other(data.n_rows, 2, 0, &n_train);
    size_t *test = every_other(data.n_rows, 2, 1, &n_test);
    const size_t k_max = 150;
    size_t ks[40], n_ks = 0;
    size_t *scratch = malloc(40 * n_test * k_max * sizeof *scratch);
    double *scratch_distances = malloc(40 * n_test * k_max * sizeof *scratch_distances);
    size_t *cached = malloc(n_test * k_max * sizeof *cached);
    double *cached_distances = malloc(n_test * k_max * sizeof *cached_distances);

    for (size_t k = 1; k <= k_max; k += (k < 20 ? 1 : 13))
        ks[n_ks++] = k;
    /* Training rows 4i + 2 repeat rows 4i, so every query row has pairs of
     * neighbours at equal distances. */
    for (size_t r = 2; r < data.n_rows; r += 4)
        memcpy(data.X + r * 4, data.X + (r - 2) * 4, 4 * sizeof *data.X);

    for (size_t m = 0; m < 3; m++) {
        struct gcv_rows train_rows = {.X = data.X, .n_features = 4, .index = train,
                                      .n_rows = n_train};
        struct gcv_rows test_rows = {.X = data.X, .n_features = 4, .index = test,
                                     .n_rows = n_test};
        struct gcv_neighbors_index index;
        struct gcv_error err = {GCV_OK, ""};
        struct gcv_fold_cache_stats stats;

        ck_assert_int_eq(gcv_neighbors_index_build(&index, &train_rows, metrics[m], 3.0, &err),
                         GCV_OK);
        gcv_fold_cache_configure(0);
        for (size_t i = 0; i < n_ks; i++)
            ck_assert_int_eq(gcv_neighbors_kneighbors(&index, &test_rows, ks[i],
                                                      scratch + i * n_test * k_max,
                                                      scratch_distances + i * n_test * k_max,
                                                      "test", &err), GCV_OK);

        gcv_fold_cache_configure(64 * MIB);
        for (size_t i = 0; i < n_ks; i++) {
            const size_t *want = scratch + i * n_test * k_max;
            const double *want_distances = scratch_distances + i * n_test * k_max;

            ck_assert_int_eq(gcv_neighbors_kneighbors(&index, &test_rows, ks[i], cached,
                                                      cached_distances, "test", &err), GCV_OK);
            for (size_t j = 0; j < n_test * ks[i]; j++) {
                ck_assert_msg(cached[j] == want[j], "metric %zu, k %zu: neighbour %zu is row "
                              "%zu, want %zu", m, ks[i], j, cached[j], want[j]);
                ck_assert(cached_distances[j] == want_distances[j]);
            }
        }

        /* The training rows, the test rows and their neighbours were
         * stored once for all n_neighbors. */
        gcv_fold_cache_get_stats(&stats);
        ck_assert_uint_eq(stats.stores, 3);
        gcv_neighbors_index_free(&index);
    }

    free(cached);
    free(scratch);
    free(cached_distances);
    free(scratch_distances);
    free(train);
    free(test);
    free_dataset(&data);
}
END_TEST

/* Squared euclidean, manhattan or minkowski (p = 3) surrogate between
 * rows a and b of d integer-valued features: exact, because every term
 * and sum is an integer far below 2^53. */
static double integer_surrogate(const double *a, const double *b, size_t d,
                                enum gcv_neighbors_metric metric)
{
    double sum = 0;

    for (size_t f = 0; f < d; f++) {
        const double diff = fabs(a[f] - b[f]);

        sum += metric == GCV_NEIGHBORS_EUCLIDEAN   ? diff * diff
               : metric == GCV_NEIGHBORS_MANHATTAN ? diff
                                                   : diff * diff * diff;
    }
    return sum;
}

/* A training position and its surrogate, sorted by surrogate then
 * position for the full sort. */
struct ranked {
    double surrogate;
    size_t position;
};

static int compare_ranked(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;

    if (x->surrogate != y->surrogate)
        return x->surrogate < y->surrogate ? -1 : 1;
    return (x->position > y->position) - (x->position < y->position);
}

/* Checks the neighbours from the fold cache, for each k of ks, against a
 * full sort of every training row by its exact surrogate, and against the
 * search without the cache, whose heap sets scikit-learn's order among
 * equal distances. The rows of X have d integer-valued features. The
 * loops call Check only on a failure: each passing ck_assert writes a
 * line to Check's log, which for millions of checks takes seconds. */
static void check_cache_against_full_sort(const double *X, size_t d, const size_t *train,
                                          size_t n_train, const size_t *test, size_t n_test,
                                          enum gcv_neighbors_metric metric, const size_t *ks,
                                          size_t n_ks)
{
    const struct gcv_rows train_rows = {.X = X, .n_features = d, .index = train,
                                        .n_rows = n_train};
    const struct gcv_rows test_rows = {.X = X, .n_features = d, .index = test,
                                       .n_rows = n_test};
    size_t k_max = 0;
    struct gcv_neighbors_index index;
    struct gcv_error err = {GCV_OK, ""};
    struct ranked *ranked = malloc(n_test * n_train * sizeof *ranked); /* [n_test][n_train] */
    bool *is_neighbor = calloc(n_train, sizeof *is_neighbor);
    size_t *scratch, *cached;
    double *scratch_distances, *cached_distances;

    for (size_t i = 0; i < n_ks; i++)
        k_max = ks[i] > k_max ? ks[i] : k_max;
    scratch = malloc(n_ks * n_test * k_max * sizeof *scratch);
    scratch_distances = malloc(n_ks * n_test * k_max * sizeof *scratch_distances);
    cached = malloc(n_test * k_max * sizeof *cached);
    cached_distances = malloc(n_test * k_max * sizeof *cached_distances);
    ck_assert_ptr_nonnull(ranked);
    ck_assert_ptr_nonnull(is_neighbor);
    ck_assert_ptr_nonnull(scratch);
    ck_assert_ptr_nonnull(scratch_distances);
    ck_assert_ptr_nonnull(cached);
    ck_assert_ptr_nonnull(cached_distances);
    ck_assert_int_eq(gcv_neighbors_index_build(&index, &train_rows, metric, 3.0, &err), GCV_OK);

    /* The full sort of each test row's training rows. */
    for (size_t r = 0; r < n_test; r++) {
        struct ranked *row = ranked + r * n_train;

        for (size_t j = 0; j < n_train; j++) {
            row[j].surrogate = integer_surrogate(X + test[r] * d, X + train[j] * d, d, metric);
            row[j].position = j;
        }
        qsort(row, n_train, sizeof *row, compare_ranked);
    }

    gcv_fold_cache_configure(0);
    for (size_t i = 0; i < n_ks; i++)
        ck_assert_int_eq(gcv_neighbors_kneighbors(&index, &test_rows, ks[i],
                                                  scratch + i * n_test * k_max,
                                                  scratch_distances + i * n_test * k_max,
                                                  "test", &err), GCV_OK);

    gcv_fold_cache_configure(64 * MIB);
    for (size_t i = 0; i < n_ks; i++) {
        const size_t k = ks[i];
        const size_t *heap_rows = scratch + i * n_test * k_max;
        const double *heap_distances = scratch_distances + i * n_test * k_max;

        ck_assert_int_eq(gcv_neighbors_kneighbors(&index, &test_rows, k, cached,
                                                  cached_distances, "test", &err), GCV_OK);
        for (size_t r = 0; r < n_test; r++) {
            const struct ranked *row = ranked + r * n_train;
            const size_t *got = cached + r * k;
            const size_t *want = heap_rows + r * k;
            const double kth = row[k - 1].surrogate;

            /* The k smallest surrogates in order, and every row strictly
             * nearer than the k-th among the neighbours. */
            for (size_t h = 0; h < k; h++) {
                const double surrogate = integer_surrogate(X + test[r] * d, X + train[got[h]] * d,
                                                           d, metric);

                if (surrogate != row[h].surrogate)
                    ck_abort_msg("metric %d, k %zu, test row %zu: neighbour %zu at %g, the "
                                 "full sort has %g", (int)metric, k, r, h, surrogate,
                                 row[h].surrogate);
                is_neighbor[got[h]] = true;
            }
            for (size_t h = 0; h < n_train && row[h].surrogate < kth; h++)
                if (!is_neighbor[row[h].position])
                    ck_abort_msg("metric %d, k %zu, test row %zu: row %zu, nearer than the "
                                 "k-th, is missing", (int)metric, k, r, row[h].position);
            for (size_t h = 0; h < k; h++)
                is_neighbor[got[h]] = false;

            /* Among equal distances, the heap's order. */
            for (size_t h = 0; h < k; h++) {
                if (got[h] != want[h])
                    ck_abort_msg("metric %d, k %zu, test row %zu: neighbour %zu is row %zu, "
                                 "the heap's is %zu", (int)metric, k, r, h, got[h], want[h]);
                if (cached_distances[r * k + h] != heap_distances[r * k + h])
                    ck_abort_msg("metric %d, k %zu, test row %zu: distance %zu is %.17g, the "
                                 "heap's is %.17g", (int)metric, k, r, h,
                                 cached_distances[r * k + h], heap_distances[r * k + h]);
            }
        }
    }

    gcv_neighbors_index_free(&index);
    free(ranked);
    free(is_neighbor);
    free(scratch);
    free(scratch_distances);
    free(cached);
    free(cached_distances);
}

/* Features in 0..3 give each test row at most 46 distinct squared
 * euclidean distances and 16 manhattan ones to its 1500 training rows.
 * So nearly every neighbour ties with others, and features in 0..15 leave
 * fewer ties. Each k from 1 to 150 (past the 129 the cache keeps sorted)
 * matches the full sort and the heap's order. */
START_TEST(cached_neighbors_match_full_sort)
{
    static const enum gcv_neighbors_metric metrics[] = {
        GCV_NEIGHBORS_EUCLIDEAN, GCV_NEIGHBORS_MANHATTAN, GCV_NEIGHBORS_MINKOWSKI};
    static const size_t ks[] = {1, 2, 3, 5, 9, 17, 33, 64, 100, 127, 128, 129, 150};
    static const double levels[] = {4, 16};
    const size_t n_rows = 1800, d = 5;
    double *X = malloc(n_rows * d * sizeof *X);
    size_t *train = malloc(n_rows * sizeof *train);
    size_t n_train = 0, n_test;
    size_t *test = every_other(n_rows, 6, 5, &n_test);
    uint64_t seed = 31;

    ck_assert_ptr_nonnull(X);
    ck_assert_ptr_nonnull(train);
    for (size_t r = 0; r < n_rows; r++)
        if (r % 6 != 5)
            train[n_train++] = r;

    for (size_t l = 0; l < 2; l++) {
        for (size_t i = 0; i < n_rows * d; i++)
            X[i] = floor(next_uniform(&seed) * levels[l]);
        for (size_t m = 0; m < 3; m++)
            check_cache_against_full_sort(X, d, train, n_train, test, n_test, metrics[m], ks,
                                          sizeof ks / sizeof ks[0]);
    }

    free(X);
    free(train);
    free(test);
}
END_TEST

/* Training rows 7s (s < 256) lie at distance s + 1 to s + 3 from the
 * query rows and the others at 1000 or more. A threshold guessed from
 * every 7th row then lets fewer than the 129 nearest through, and the
 * nearest must still match the full sort and the heap. */
START_TEST(cached_neighbors_exact_when_sample_misleads)
{
    static const size_t ks[] = {1, 50, 128, 129};
    const size_t n_train = 2000, n_test = 3;
    double *X = malloc((n_train + n_test) * sizeof *X);
    size_t *train = malloc(n_train * sizeof *train);
    size_t *test = malloc(n_test * sizeof *test);

    for (size_t j = 0; j < n_train; j++) {
        X[j] = j % 7 == 0 && j / 7 < 256 ? (double)(j / 7 + 1) : (double)(1000 + j);
        train[j] = j;
    }
    for (size_t r = 0; r < n_test; r++) {
        X[n_train + r] = -(double)r;
        test[r] = n_train + r;
    }
    check_cache_against_full_sort(X, 1, train, n_train, test, n_test, GCV_NEIGHBORS_EUCLIDEAN,
                                  ks, sizeof ks / sizeof ks[0]);

    free(X);
    free(train);
    free(test);
}
END_TEST

/* A NaN feature makes every manhattan distance to its row NaN, which a
 * heap places by its own comparisons: the cache then runs the heap on the
 * kept distances, and matches the search without the cache. */
START_TEST(cached_neighbors_match_heap_with_nan)
{
    static const size_t ks[] = {1, 4, 40, 129};
    struct dataset data = make_dataset(600, 3, 2, 41);
    size_t n_train, n_test;
    size_t *train = every_other(data.n_rows, 2, 0, &n_train);
    size_t *test = every_other(data.n_rows, 2, 1, &n_test);
    const struct gcv_rows train_rows = {.X = data.X, .n_features = 3, .index = train,
                                        .n_rows = n_train};
    const struct gcv_rows test_rows = {.X = data.X, .n_features = 3, .index = test,
                                       .n_rows = n_test};
    size_t *scratch = malloc(n_test * 129 * sizeof *scratch);
    size_t *cached = malloc(n_test * 129 * sizeof *cached);
    double *scratch_distances = malloc(n_test * 129 * sizeof *scratch_distances);
    double *cached_distances = malloc(n_test * 129 * sizeof *cached_distances);
    struct gcv_neighbors_index index;
    struct gcv_error err = {GCV_OK, ""};

    data.X[10 * 3 + 1] = NAN;
    data.X[250 * 3] = NAN;
    ck_assert_int_eq(gcv_neighbors_index_build(&index, &train_rows, GCV_NEIGHBORS_MANHATTAN, 1.0,
                                               &err), GCV_OK);
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        const size_t k = ks[i];

        gcv_fold_cache_configure(0);
        ck_assert_int_eq(gcv_neighbors_kneighbors(&index, &test_rows, k, scratch,
                                                  scratch_distances, "test", &err), GCV_OK);
        gcv_fold_cache_configure(64 * MIB);
        ck_assert_int_eq(gcv_neighbors_kneighbors(&index, &test_rows, k, cached,
                                                  cached_distances, "test", &err), GCV_OK);
        for (size_t j = 0; j < n_test * k; j++) {
            ck_assert_msg(cached[j] == scratch[j], "k %zu: neighbour %zu is row %zu, want %zu",
                          k, j, cached[j], scratch[j]);
            ck_assert(memcmp(&cached_distances[j], &scratch_distances[j], sizeof(double)) == 0);
        }
    }

    gcv_neighbors_index_free(&index);
    free(scratch);
    free(cached);
    free(scratch_distances);
    free(cached_distances);
    free(train);
    free(test);
    free_dataset(&data);
}
END_TEST

static Suite *fold_cache_suite(void)
{
    Suite *suite = suite_create("fold_cache");
    TCase *items = tcase_create("items");
    TCase *rbf = tcase_create("rbf");
    TCase *estimators = tcase_create("estimators");

    tcase_add_test(items, rows_found_again_by_content);
    tcase_add_test(items, rows_differing_in_one_bit_are_new);
    tcase_add_test(items, dataset_rows_found_by_index_array);
    tcase_add_test(items, dataset_rows_key_holds_no_copy);
    tcase_add_test(items, cache_off_stores_nothing);
    tcase_add_test(items, least_recently_used_rows_are_evicted);
    tcase_add_test(items, evicting_rows_evicts_their_derived_items);
    tcase_add_test(items, item_larger_than_budget_is_not_stored);
    tcase_add_test(items, taken_item_leaves_cache_unreleased);
    suite_add_tcase(suite, items);

    tcase_add_test(rbf, sqdist_exact_on_integer_rows);
    tcase_add_test(rbf, rbf_kernel_same_with_and_without_stored_sqdist);
    tcase_add_test(rbf, new_gamma_replaces_kernel_and_keeps_sqdist);
    tcase_add_test(rbf, kernel_matrix_copied_from_other_rank);
    tcase_add_test(rbf, retired_matrices_give_their_memory);
    tcase_add_test(rbf, current_matrices_keep_their_memory);
    tcase_add_test(rbf, rbf_kernel_matches_kernel_column);
    suite_add_tcase(suite, rbf);

    tcase_set_timeout(estimators, 60);
    tcase_add_test(estimators, svc_from_cached_kernel_matches_fit_from_scratch);
    tcase_add_test(estimators, svc_decisions_from_cached_products_match);
    tcase_add_test(estimators, cross_keeps_training_rows);
    tcase_add_test(estimators, svr_from_cached_kernel_matches_fit_from_scratch);
    tcase_add_test(estimators, ridge_from_cached_normal_equations_matches_fit_from_scratch);
    tcase_add_test(estimators, ridge_with_other_targets_is_not_served);
    tcase_add_test(estimators, ridge_eigen_solution_matches_cholesky_solve);
    tcase_add_test(estimators, ridge_rank_deficient_rows_match_derived_solution);
    tcase_add_test(estimators, neighbors_from_cache_match_search_from_scratch);
    tcase_add_test(estimators, cached_neighbors_match_full_sort);
    tcase_add_test(estimators, cached_neighbors_exact_when_sample_misleads);
    tcase_add_test(estimators, cached_neighbors_match_heap_with_nan);
    suite_add_tcase(suite, estimators);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(fold_cache_suite());
    int failed;

    gcv_log_threshold = GCV_LOG_ERROR;
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
