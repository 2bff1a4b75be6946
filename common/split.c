/* The cross-validation splitters of scikit-learn 1.2.1
 * (sklearn/model_selection/_split.py) and train_test_split, with numpy
 * 1.24's RandomState (random.h) where they shuffle.
 *
 * Every splitter works on search positions 0..n_rows-1 and appends folds
 * to a plan through a builder, which maps positions to dataset rows. The
 * k-fold and leave-out kinds mark each fold's test positions, so both
 * lists come out increasing, as scikit-learn's masks make them; the
 * shuffle-split kinds hand over their lists in the order they drew them.
 * Nothing here depends on the rank or on the number of ranks. */
#include "split.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "param.h"
#include "random.h"
#include "stats.h"

/* numpy computes the standard deviations of StratifiedGroupKFold without
 * fused multiply-adds, and ties between folds depend on their last bits. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

/* Fold of a position that is in no test fold (PredefinedSplit's -1). */
#define NO_TEST_FOLD SIZE_MAX

/* Folds are numbered with int32 in the task protocol. */
#define MAX_FOLDS ((size_t)INT32_MAX)

/* Allocates room for n row numbers. It never requests 0 bytes, so NULL
 * always means out of memory. */
static size_t *new_row_list(size_t n)
{
    return malloc((n > 0 ? n : 1) * sizeof(size_t));
}

/* ---- Building the plan ------------------------------------------------ */

/* A plan under construction. */
struct builder {
    const size_t *rows;       /* [n_rows] dataset row of each search position */
    size_t n_rows;
    struct gcv_fold_plan *plan;
    size_t capacity;          /* folds allocated in plan->folds */
    unsigned char *in_test;   /* [n_rows] scratch: 1 for a test position of the next fold */
};

/* Appends an empty fold to the plan and returns it in *fold. */
static enum gcv_status append_fold(struct builder *b, struct gcv_fold **fold,
                                   struct gcv_error *err)
{
    struct gcv_fold_plan *plan = b->plan;

    if (plan->n_folds == MAX_FOLDS)
        return gcv_error_set(err, GCV_ERR_SPEC,
                             "the splitter makes more than %zu splits; choose one that makes "
                             "fewer",
                             MAX_FOLDS);
    if (plan->n_folds == b->capacity) {
        size_t grown = b->capacity > 0 ? 2 * b->capacity : 16;
        struct gcv_fold *folds = realloc(plan->folds, grown * sizeof *folds);

        if (folds == NULL)
            return gcv_error_set(err, GCV_ERR_NOMEM, "cannot allocate %zu folds", grown);
        plan->folds = folds;
        b->capacity = grown;
    }
    *fold = &plan->folds[plan->n_folds++];
    memset(*fold, 0, sizeof **fold);
    return GCV_OK;
}

/* Appends a fold whose train and test lists are the given positions, in
 * the given order. */
static enum gcv_status add_fold(struct builder *b, const size_t *train, size_t n_train,
                                const size_t *test, size_t n_test, struct gcv_error *err)
{
    struct gcv_fold *fold;
    enum gcv_status status;

    if ((status = append_fold(b, &fold, err)) != GCV_OK)
        return status;
    fold->train = new_row_list(n_train);
    fold->test = new_row_list(n_test);
    if (fold->train == NULL || fold->test == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "cannot allocate a fold of %zu rows",
                             n_train + n_test);
    for (size_t i = 0; i < n_train; i++)
        fold->train[i] = b->rows[train[i]];
    for (size_t i = 0; i < n_test; i++)
        fold->test[i] = b->rows[test[i]];
    fold->n_train = n_train;
    fold->n_test = n_test;
    return GCV_OK;
}

/* Appends the fold that tests the positions marked in b->in_test and
 * trains on all the others, both lists increasing. */
static enum gcv_status add_masked_fold(struct builder *b, struct gcv_error *err)
{
    struct gcv_fold *fold;
    size_t n_test = 0;
    enum gcv_status status;

    for (size_t i = 0; i < b->n_rows; i++)
        n_test += b->in_test[i];
    if ((status = append_fold(b, &fold, err)) != GCV_OK)
        return status;
    fold->test = new_row_list(n_test);
    fold->train = new_row_list(b->n_rows - n_test);
    if (fold->test == NULL || fold->train == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "cannot allocate a fold of %zu rows",
                             b->n_rows);
    for (size_t i = 0; i < b->n_rows; i++) {
        if (b->in_test[i])
            fold->test[fold->n_test++] = b->rows[i];
        else
            fold->train[fold->n_train++] = b->rows[i];
    }
    return GCV_OK;
}

/* Appends n_folds folds: fold f tests the positions whose fold_of is f. */
static enum gcv_status add_assigned_folds(struct builder *b, const size_t *fold_of,
                                          size_t n_folds, struct gcv_error *err)
{
    enum gcv_status status = GCV_OK;

    for (size_t f = 0; f < n_folds && status == GCV_OK; f++) {
        for (size_t i = 0; i < b->n_rows; i++)
            b->in_test[i] = fold_of[i] == f;
        status = add_masked_fold(b, err);
    }
    return status;
}

/* ---- Labels ------------------------------------------------------------ */

static int compare_int32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a;
    int32_t y = *(const int32_t *)b;

    return (x > y) - (x < y);
}

/* numpy.unique(values, return_inverse=True) over the search rows:
 * codes[i] (an array of n_rows) is the rank of by_row[rows[i]] among the
 * distinct values, and *n_unique their number. The caller frees codes. */
static enum gcv_status encode_sorted(const int32_t *by_row, const size_t *rows, size_t n_rows,
                                     size_t **codes, size_t *n_unique, struct gcv_error *err)
{
    int32_t *values = malloc((n_rows > 0 ? n_rows : 1) * sizeof *values);
    size_t n = 0;

    *codes = new_row_list(n_rows);
    if (values == NULL || *codes == NULL) {
        free(values);
        free(*codes);
        *codes = NULL;
        return gcv_error_set(err, GCV_ERR_NOMEM, "cannot allocate the labels of %zu rows",
                             n_rows);
    }
    for (size_t i = 0; i < n_rows; i++)
        values[i] = by_row[rows[i]];
    qsort(values, n_rows, sizeof *values, compare_int32);
    for (size_t i = 0; i < n_rows; i++)
        if (n == 0 || values[i] != values[n - 1])
            values[n++] = values[i];
    for (size_t i = 0; i < n_rows; i++) {
        int32_t value = by_row[rows[i]];
        const int32_t *found = bsearch(&value, values, n, sizeof *values, compare_int32);

        (*codes)[i] = (size_t)(found - values);
    }
    *n_unique = n;
    free(values);
    return GCV_OK;
}

/* Rejects class codes outside 0..n_classes-1 among the search rows. */
static enum gcv_status check_classes(const char *name, const size_t *rows, size_t n_rows,
                                     const int32_t *y_class, size_t n_classes,
                                     struct gcv_error *err)
{
    if (y_class == NULL)
        return gcv_error_set(err, GCV_ERR_INTERNAL, "%s requires class labels, got none", name);
    for (size_t i = 0; i < n_rows; i++) {
        int32_t code = y_class[rows[i]];

        if (code < 0 || (size_t)code >= n_classes)
            return gcv_error_set(err, GCV_ERR_INTERNAL,
                                 "%s: class code %d of row %zu is not in 0..n_classes-1 "
                                 "(n_classes=%zu)",
                                 name, (int)code, rows[i], n_classes);
    }
    return GCV_OK;
}

/* Counts the codes 0..n_codes-1 of n positions into counts[0..n_codes). */
static void count_codes(const size_t *codes, size_t n, size_t n_codes, size_t *counts)
{
    memset(counts, 0, n_codes * sizeof *counts);
    for (size_t i = 0; i < n; i++)
        counts[codes[i]]++;
}

/* ---- numpy's argsort --------------------------------------------------- */

/* numpy's SMALL_QUICKSORT: partitions of up to this size + 1 are finished
 * by insertion sort. */
#define SMALL_QUICKSORT 15

/* The index of the highest set bit of n (numpy's npy_get_msb). */
static int highest_bit(size_t n)
{
    int bit = 0;

    while (n >>= 1)
        bit++;
    return bit;
}

static void swap_index(size_t *a, size_t *b)
{
    size_t t = *a;

    *a = *b;
    *b = t;
}

/* numpy's aheapsort for the n indices at order (the fallback of its
 * introsort). */
static void heap_argsort(const size_t *v, size_t *order, ptrdiff_t n)
{
    size_t *a = order - 1;  /* 1-based, as numpy writes it */
    size_t tmp;
    ptrdiff_t i, j, l;

    for (l = n >> 1; l > 0; --l) {
        tmp = a[l];
        for (i = l, j = l << 1; j <= n;) {
            if (j < n && v[a[j]] < v[a[j + 1]])
                j += 1;
            if (v[tmp] < v[a[j]]) {
                a[i] = a[j];
                i = j;
                j += j;
            } else {
                break;
            }
        }
        a[i] = tmp;
    }
    for (; n > 1;) {
        tmp = a[n];
        a[n] = a[1];
        n -= 1;
        for (i = 1, j = 2; j <= n;) {
            if (j < n && v[a[j]] < v[a[j + 1]])
                j++;
            if (v[tmp] < v[a[j]]) {
                a[i] = a[j];
                i = j;
                j += j;
            } else {
                break;
            }
        }
        a[i] = tmp;
    }
}

/* numpy.argsort(v) with its default kind "quicksort" for int64 values, as
 * numpy 1.24 implements it (aquicksort_ in numpy/core/src/npysort/
 * quicksort.cpp): an introsort with median-of-three pivots, insertion
 * sort below 17 items and heapsort past a depth of 2 log2(n). It is not
 * stable, and GroupKFold's order of equally large groups depends on it,
 * so this follows numpy step by step. order[0..n) receives the indices. */
static void numpy_argsort(const size_t *v, size_t n, size_t *order)
{
    ptrdiff_t stack[2 * 8 * sizeof(size_t)];
    int depth[2 * 8 * sizeof(size_t)];
    ptrdiff_t *sptr = stack;
    int *psdepth = depth;
    int cdepth = highest_bit(n) * 2;
    ptrdiff_t pl = 0, pr = (ptrdiff_t)n - 1;
    ptrdiff_t pm, pi, pj, pk;
    size_t vp, vi;

    for (size_t i = 0; i < n; i++)
        order[i] = i;
    if (n < 2)
        return;

    for (;;) {
        if (cdepth < 0) {
            heap_argsort(v, order + pl, pr - pl + 1);
            goto stack_pop;
        }
        while (pr - pl > SMALL_QUICKSORT) {
            pm = pl + ((pr - pl) >> 1);
            if (v[order[pm]] < v[order[pl]])
                swap_index(&order[pm], &order[pl]);
            if (v[order[pr]] < v[order[pm]])
                swap_index(&order[pr], &order[pm]);
            if (v[order[pm]] < v[order[pl]])
                swap_index(&order[pm], &order[pl]);
            vp = v[order[pm]];
            pi = pl;
            pj = pr - 1;
            swap_index(&order[pm], &order[pj]);
            for (;;) {
                do
                    ++pi;
                while (v[order[pi]] < vp);
                do
                    --pj;
                while (vp < v[order[pj]]);
                if (pi >= pj)
                    break;
                swap_index(&order[pi], &order[pj]);
            }
            pk = pr - 1;
            swap_index(&order[pi], &order[pk]);
            /* Continue with the smaller part and push the larger one. */
            if (pi - pl < pr - pi) {
                *sptr++ = pi + 1;
                *sptr++ = pr;
                pr = pi - 1;
            } else {
                *sptr++ = pl;
                *sptr++ = pi - 1;
                pl = pi + 1;
            }
            *psdepth++ = --cdepth;
        }

        for (pi = pl + 1; pi <= pr; ++pi) {
            vi = order[pi];
            vp = v[vi];
            pj = pi;
            pk = pi - 1;
            while (pj > pl && vp < v[order[pk]])
                order[pj--] = order[pk--];
            order[pj] = vi;
        }
    stack_pop:
        if (sptr == stack)
            break;
        pr = *(--sptr);
        pl = *(--sptr);
        cdepth = *(--psdepth);
    }
}

/* ---- K-fold splitters -------------------------------------------------- */

/* The checks of scikit-learn's _BaseKFold: n_splits >= 2 in its
 * constructor, then no more splits than samples in split(). */
static enum gcv_status check_kfold(size_t n_splits, size_t n_rows, struct gcv_error *err)
{
    if (n_splits < 2)
        return gcv_error_set(err, GCV_ERR_SPEC,
                             "k-fold cross-validation requires n_splits=2 or more, got "
                             "n_splits=%zu.",
                             n_splits);
    if (n_splits > n_rows)
        return gcv_error_set(err, GCV_ERR_SPEC,
                             "Cannot have number of splits n_splits=%zu greater than the "
                             "number of samples: n_samples=%zu.",
                             n_splits, n_rows);
    return GCV_OK;
}

/* KFold: the positions, shuffled by rng when it is not NULL, are cut into
 * n_rows % n_splits runs of n_rows / n_splits + 1 positions, then runs of
 * n_rows / n_splits; run f is fold f. */
static enum gcv_status split_kfold(struct builder *b, size_t n_splits, struct gcv_random *rng,
                                   struct gcv_error *err)
{
    size_t *indices = new_row_list(b->n_rows);
    size_t *fold_of = new_row_list(b->n_rows);
    size_t position = 0;
    enum gcv_status status;

    if (indices == NULL || fold_of == NULL) {
        free(indices);
        free(fold_of);
        return gcv_error_set(err, GCV_ERR_NOMEM, "KFold: cannot allocate %zu rows", b->n_rows);
    }
    for (size_t i = 0; i < b->n_rows; i++)
        indices[i] = i;
    if (rng != NULL)
        gcv_random_shuffle(rng, indices, b->n_rows, sizeof *indices);

    for (size_t fold = 0; fold < n_splits; fold++) {
        size_t size = b->n_rows / n_splits + (fold < b->n_rows % n_splits ? 1 : 0);

        for (size_t i = 0; i < size; i++)
            fold_of[indices[position++]] = fold;
    }
    status = add_assigned_folds(b, fold_of, n_splits, err);
    free(fold_of);
    free(indices);
    return status;
}

/* StratifiedKFold (scikit-learn's _make_test_folds). Classes are numbered
 * in order of first appearance among the search rows. The labels, sorted
 * by that number, are dealt to the folds in turn (position p of the sorted
 * labels goes to fold p % n_splits), which fixes how many rows of each
 * class every fold receives. Class k's fold numbers, in blocks (fold 0's
 * share, then fold 1's, ...) and shuffled by rng when it is not NULL (one
 * shuffle per class, in class order), go to its rows in row order. warn:
 * log scikit-learn's warning about a class smaller than n_splits. */
static enum gcv_status split_stratified(struct builder *b, size_t n_splits,
                                        const int32_t *y_class, size_t n_classes,
                                        struct gcv_random *rng, bool warn,
                                        struct gcv_error *err)
{
    enum gcv_status status = GCV_OK;
    size_t *class_order = NULL; /* [n_classes] order of first appearance, by code */
    size_t *counts = NULL;      /* [n_classes] rows per class, by order */
    size_t *start = NULL;       /* [n_classes + 1] first entry of each class in folds_for */
    size_t *next = NULL;        /* [n_classes] next entry of each class to hand out */
    size_t *folds_for = NULL;   /* [n_rows] fold numbers, class by class */
    size_t *allocation = NULL;  /* [n_present * n_splits] rows of each class per fold */
    size_t *fold_of = NULL;     /* [n_rows] */
    size_t n_present = 0, min_count = SIZE_MAX, max_count = 0, position = 0;

    class_order = malloc((n_classes + 1) * sizeof *class_order);
    counts = calloc(n_classes + 1, sizeof *counts);
    start = calloc(n_classes + 2, sizeof *start);
    next = calloc(n_classes + 1, sizeof *next);
    folds_for = new_row_list(b->n_rows);
    fold_of = new_row_list(b->n_rows);
    if (class_order == NULL || counts == NULL || start == NULL || next == NULL ||
        folds_for == NULL || fold_of == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "StratifiedKFold: cannot allocate %zu classes",
                               n_classes);
        goto cleanup;
    }

    /* Number the classes by first appearance and count their rows. */
    for (size_t c = 0; c < n_classes; c++)
        class_order[c] = SIZE_MAX;
    for (size_t i = 0; i < b->n_rows; i++) {
        int32_t code = y_class[b->rows[i]];

        if (class_order[code] == SIZE_MAX)
            class_order[code] = n_present++;
        counts[class_order[code]]++;
    }
    for (size_t k = 0; k < n_present; k++) {
        min_count = counts[k] < min_count ? counts[k] : min_count;
        max_count = counts[k] > max_count ? counts[k] : max_count;
    }

    /* scikit-learn raises when every class is smaller than n_splits and
     * only warns when the smallest is. */
    if (n_splits > max_count) {
        status = gcv_error_set(err, GCV_ERR_SPEC,
                               "n_splits=%zu cannot be greater than the number of members in "
                               "each class (the largest class has %zu members).",
                               n_splits, max_count);
        goto cleanup;
    }
    if (n_splits > min_count && warn)
        gcv_log_warn("The least populated class in y has only %zu members, which is less "
                     "than n_splits=%zu.",
                     min_count, n_splits);

    /* Deal the sorted labels to the folds in turn. */
    allocation = calloc(n_present * n_splits, sizeof *allocation);
    if (allocation == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM,
                               "StratifiedKFold: cannot allocate %zu classes by %zu folds",
                               n_present, n_splits);
        goto cleanup;
    }
    for (size_t k = 0; k < n_present; k++)
        for (size_t j = 0; j < counts[k]; j++, position++)
            allocation[k * n_splits + position % n_splits]++;

    /* Each class's fold numbers in blocks, shuffled when asked. */
    for (size_t k = 0; k < n_present; k++) {
        size_t at = start[k];

        for (size_t f = 0; f < n_splits; f++)
            for (size_t j = 0; j < allocation[k * n_splits + f]; j++)
                folds_for[at++] = f;
        start[k + 1] = at;
        if (rng != NULL)
            gcv_random_shuffle(rng, folds_for + start[k], counts[k], sizeof *folds_for);
    }

    /* Hand them to the rows of each class in row order. */
    for (size_t i = 0; i < b->n_rows; i++) {
        size_t k = class_order[y_class[b->rows[i]]];

        fold_of[i] = folds_for[start[k] + next[k]++];
    }
    status = add_assigned_folds(b, fold_of, n_splits, err);

cleanup:
    free(fold_of);
    free(allocation);
    free(folds_for);
    free(next);
    free(start);
    free(counts);
    free(class_order);
    return status;
}

/* GroupKFold: groups, largest first (numpy's unstable argsort of the group
 * sizes, reversed), each join the fold with the fewest rows so far, the
 * first such fold on ties. */
static enum gcv_status split_group_kfold(struct builder *b, size_t n_splits,
                                         const int32_t *groups, struct gcv_error *err)
{
    size_t *codes = NULL;       /* [n_rows] group of each position */
    size_t *sizes = NULL;       /* [n_groups] rows per group */
    size_t *order = NULL;       /* [n_groups] groups by increasing size */
    size_t *group_fold = NULL;  /* [n_groups] */
    size_t *fold_rows = NULL;   /* [n_splits] rows given to each fold so far */
    size_t *fold_of = NULL;     /* [n_rows] */
    size_t n_groups = 0;
    enum gcv_status status;

    if ((status = encode_sorted(groups, b->rows, b->n_rows, &codes, &n_groups, err)) != GCV_OK)
        return status;
    if (n_splits > n_groups) {
        status = gcv_error_set(err, GCV_ERR_SPEC,
                               "Cannot have number of splits n_splits=%zu greater than the "
                               "number of groups: %zu.",
                               n_splits, n_groups);
        goto cleanup;
    }
    sizes = new_row_list(n_groups);
    order = new_row_list(n_groups);
    group_fold = new_row_list(n_groups);
    fold_rows = calloc(n_splits, sizeof *fold_rows);
    fold_of = new_row_list(b->n_rows);
    if (sizes == NULL || order == NULL || group_fold == NULL || fold_rows == NULL ||
        fold_of == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "GroupKFold: cannot allocate %zu groups",
                               n_groups);
        goto cleanup;
    }

    count_codes(codes, b->n_rows, n_groups, sizes);
    numpy_argsort(sizes, n_groups, order);
    for (size_t k = n_groups; k-- > 0;) {
        size_t group = order[k];
        size_t lightest = 0;

        for (size_t f = 1; f < n_splits; f++)
            if (fold_rows[f] < fold_rows[lightest])
                lightest = f;
        fold_rows[lightest] += sizes[group];
        group_fold[group] = lightest;
    }
    for (size_t i = 0; i < b->n_rows; i++)
        fold_of[i] = group_fold[codes[i]];
    status = add_assigned_folds(b, fold_of, n_splits, err);

cleanup:
    free(fold_of);
    free(fold_rows);
    free(group_fold);
    free(order);
    free(sizes);
    free(codes);
    return status;
}

/* numpy.std(x, axis=0) of column c of a C-contiguous [n_rows x n_columns]
 * array. numpy reduces such a column by adding the rows in turn, unless the
 * array has one column, when it sums the values pairwise. */
static double column_std(const double *x, size_t n_rows, size_t n_columns, size_t c)
{
    double sum = 0.0, mean, squares = 0.0;

    if (n_columns == 1)
        return gcv_stats_std(x, n_rows, 1);
    for (size_t r = 0; r < n_rows; r++)
        sum += x[r * n_columns + c];
    mean = sum / (double)n_rows;
    for (size_t r = 0; r < n_rows; r++) {
        double deviation = x[r * n_columns + c] - mean;

        squares += deviation * deviation;
    }
    return sqrt(squares / (double)n_rows);
}

/* numpy.isclose(a, b) with its default tolerances, for a finite a. */
static bool is_close(double a, double b)
{
    if (isinf(b))
        return a == b;
    return fabs(a - b) <= 1e-08 + 1e-05 * fabs(b);
}

/* StratifiedGroupKFold._find_best_fold: the fold whose class proportions
 * vary least across folds (mean over classes of the standard deviation
 * over folds of fold_counts / class_counts) once the group joins it;
 * among folds within numpy.isclose of the best, the one with fewer rows.
 * fold_counts: [n_splits * n_classes], left as it was. share: scratch of
 * the same size. */
static size_t find_best_fold(double *fold_counts, double *share, const size_t *class_counts,
                             const double *group_counts, size_t n_splits, size_t n_classes,
                             double *class_std)
{
    size_t best = 0;
    double min_eval = INFINITY, min_samples = INFINITY;

    for (size_t i = 0; i < n_splits; i++) {
        double fold_eval, samples;
        bool better;

        for (size_t c = 0; c < n_classes; c++)
            fold_counts[i * n_classes + c] += group_counts[c];
        for (size_t j = 0; j < n_splits * n_classes; j++)
            share[j] = fold_counts[j] / (double)class_counts[j % n_classes];
        for (size_t c = 0; c < n_classes; c++)
            class_std[c] = column_std(share, n_splits, n_classes, c);
        for (size_t c = 0; c < n_classes; c++)
            fold_counts[i * n_classes + c] -= group_counts[c];

        fold_eval = gcv_stats_mean(class_std, n_classes, 1);
        samples = gcv_stats_sum(fold_counts + i * n_classes, n_classes, 1);
        better = fold_eval < min_eval ||
                 (is_close(fold_eval, min_eval) && samples < min_samples);
        if (better) {
            min_eval = fold_eval;
            min_samples = samples;
            best = i;
        }
    }
    return best;
}

/* A group and the standard deviation of its class counts. */
struct group_spread {
    double std;
    size_t group;
};

/* Orders groups by decreasing spread, ties by group index, as numpy's
 * stable argsort of -std does. */
static int compare_spread(const void *a, const void *b)
{
    const struct group_spread *x = a, *y = b;

    if (x->std != y->std)
        return x->std > y->std ? -1 : 1;
    return (x->group > y->group) - (x->group < y->group);
}

/* StratifiedGroupKFold: groups, by decreasing spread of their class counts,
 * each join the fold that keeps the class proportions most even
 * (find_best_fold). With shuffle, the rows of the group-by-class count
 * table are shuffled first, but scikit-learn 1.2.1 keeps numbering the
 * groups by their row in the shuffled table, so the group that gets row
 * r's fold is group r. This keeps that behaviour, because the folds must
 * match scikit-learn's. A fold left without groups is rejected, since no
 * score can be computed on it. */
static enum gcv_status split_stratified_group(struct builder *b, size_t n_splits,
                                              const int32_t *y_class, const int32_t *groups,
                                              struct gcv_random *rng, struct gcv_error *err)
{
    size_t *classes = NULL, *group_of = NULL;    /* [n_rows] codes of each position */
    size_t *class_counts = NULL;                 /* [n_classes] */
    double *group_counts = NULL;                 /* [n_groups * n_classes] */
    double *fold_counts = NULL, *share = NULL;   /* [n_splits * n_classes] */
    struct group_spread *order = NULL;           /* [n_groups] */
    double *class_std = NULL;                    /* [n_classes] */
    size_t *group_fold = NULL;                   /* [n_groups] */
    size_t *fold_of = NULL;                      /* [n_rows] */
    size_t n_classes = 0, n_groups = 0, min_count = SIZE_MAX, max_count = 0;
    enum gcv_status status;

    status = encode_sorted(y_class, b->rows, b->n_rows, &classes, &n_classes, err);
    if (status == GCV_OK)
        status = encode_sorted(groups, b->rows, b->n_rows, &group_of, &n_groups, err);
    if (status != GCV_OK)
        goto cleanup;
    class_counts = new_row_list(n_classes);
    group_counts = calloc(n_groups * n_classes + 1, sizeof *group_counts);
    fold_counts = calloc(n_splits * n_classes + 1, sizeof *fold_counts);
    share = calloc(n_splits * n_classes + 1, sizeof *share);
    order = calloc(n_groups + 1, sizeof *order);
    class_std = calloc(n_classes + 1, sizeof *class_std);
    group_fold = new_row_list(n_groups);
    fold_of = new_row_list(b->n_rows);
    if (class_counts == NULL || group_counts == NULL || fold_counts == NULL || share == NULL ||
        order == NULL || class_std == NULL || group_fold == NULL ||
        fold_of == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM,
                               "StratifiedGroupKFold: cannot allocate %zu groups by %zu classes",
                               n_groups, n_classes);
        goto cleanup;
    }

    /* The class checks of StratifiedKFold, on classes in sorted order. */
    count_codes(classes, b->n_rows, n_classes, class_counts);
    for (size_t c = 0; c < n_classes; c++) {
        min_count = class_counts[c] < min_count ? class_counts[c] : min_count;
        max_count = class_counts[c] > max_count ? class_counts[c] : max_count;
    }
    if (n_splits > max_count) {
        status = gcv_error_set(err, GCV_ERR_SPEC,
                               "n_splits=%zu cannot be greater than the number of members in "
                               "each class (the largest class has %zu members).",
                               n_splits, max_count);
        goto cleanup;
    }
    if (n_splits > min_count)
        gcv_log_warn("The least populated class in y has only %zu members, which is less "
                     "than n_splits=%zu.",
                     min_count, n_splits);

    /* The group-by-class count table, its rows shuffled when asked. */
    for (size_t i = 0; i < b->n_rows; i++)
        group_counts[group_of[i] * n_classes + classes[i]] += 1.0;
    if (rng != NULL)
        gcv_random_shuffle(rng, group_counts, n_groups, n_classes * sizeof *group_counts);

    /* Groups by decreasing spread, each to its best fold. */
    for (size_t g = 0; g < n_groups; g++) {
        order[g].std = gcv_stats_std(group_counts + g * n_classes, n_classes, 1);
        order[g].group = g;
    }
    qsort(order, n_groups, sizeof *order, compare_spread);
    for (size_t k = 0; k < n_groups; k++) {
        const double *counts = group_counts + order[k].group * n_classes;
        size_t best = find_best_fold(fold_counts, share, class_counts, counts, n_splits,
                                     n_classes, class_std);

        for (size_t c = 0; c < n_classes; c++)
            fold_counts[best * n_classes + c] += counts[c];
        group_fold[order[k].group] = best;
    }

    for (size_t f = 0; f < n_splits; f++) {
        bool empty = true;

        for (size_t g = 0; g < n_groups && empty; g++)
            empty = group_fold[g] != f;
        if (empty) {
            status = gcv_error_set(err, GCV_ERR_SPEC,
                                   "StratifiedGroupKFold: fold %zu of n_splits=%zu receives no "
                                   "group (%zu groups), so it has no test rows; use fewer "
                                   "splits",
                                   f, n_splits, n_groups);
            goto cleanup;
        }
    }
    for (size_t i = 0; i < b->n_rows; i++)
        fold_of[i] = group_fold[group_of[i]];
    status = add_assigned_folds(b, fold_of, n_splits, err);

cleanup:
    free(fold_of);
    free(group_fold);
    free(class_std);
    free(order);
    free(share);
    free(fold_counts);
    free(group_counts);
    free(class_counts);
    free(group_of);
    free(classes);
    return status;
}

/* ---- Shuffle-split splitters ------------------------------------------- */

/* Writes a test_size or train_size as Python prints it. */
static const char *size_text(const struct gcv_split_size *size, char *buf, size_t len)
{
    if (size->kind == GCV_SIZE_COUNT)
        snprintf(buf, len, "%zu", size->count);
    else if (size->kind == GCV_SIZE_FRACTION)
        gcv_format_double(size->fraction, true, buf, len);
    else
        snprintf(buf, len, "None");
    return buf;
}

/* scikit-learn's _validate_shuffle_split: the number of train and test
 * samples out of n_samples, a fraction's test count rounded up and train
 * count rounded down, a missing size being the rest. */
static enum gcv_status validate_sizes(size_t n_samples, struct gcv_split_size test,
                                      struct gcv_split_size train, double default_test,
                                      size_t *n_train, size_t *n_test, struct gcv_error *err)
{
    char test_buf[40], train_buf[40];

    if (test.kind == GCV_SIZE_DEFAULT && train.kind == GCV_SIZE_DEFAULT) {
        test.kind = GCV_SIZE_FRACTION;
        test.fraction = default_test;
    }
    if ((test.kind == GCV_SIZE_COUNT && (test.count >= n_samples || test.count == 0)) ||
        (test.kind == GCV_SIZE_FRACTION && (test.fraction <= 0 || test.fraction >= 1)))
        return gcv_error_set(err, GCV_ERR_SPEC,
                             "test_size=%s should be either positive and smaller than the "
                             "number of samples %zu or a float in the (0, 1) range",
                             size_text(&test, test_buf, sizeof test_buf), n_samples);
    if ((train.kind == GCV_SIZE_COUNT && (train.count >= n_samples || train.count == 0)) ||
        (train.kind == GCV_SIZE_FRACTION && (train.fraction <= 0 || train.fraction >= 1)))
        return gcv_error_set(err, GCV_ERR_SPEC,
                             "train_size=%s should be either positive and smaller than the "
                             "number of samples %zu or a float in the (0, 1) range",
                             size_text(&train, train_buf, sizeof train_buf), n_samples);
    if (train.kind == GCV_SIZE_FRACTION && test.kind == GCV_SIZE_FRACTION &&
        train.fraction + test.fraction > 1) {
        char sum[40];

        gcv_format_double(train.fraction + test.fraction, true, sum, sizeof sum);
        return gcv_error_set(err, GCV_ERR_SPEC,
                             "The sum of test_size and train_size = %s, should be in the (0, 1) "
                             "range. Reduce test_size and/or train_size.",
                             sum);
    }

    *n_test = test.kind == GCV_SIZE_FRACTION ? (size_t)ceil(test.fraction * (double)n_samples)
                                             : test.count;
    *n_train = train.kind == GCV_SIZE_FRACTION
                   ? (size_t)floor(train.fraction * (double)n_samples)
                   : train.count;
    if (train.kind == GCV_SIZE_DEFAULT)
        *n_train = n_samples - *n_test;
    else if (test.kind == GCV_SIZE_DEFAULT)
        *n_test = n_samples - *n_train;

    if (*n_train + *n_test > n_samples)
        return gcv_error_set(err, GCV_ERR_SPEC,
                             "The sum of train_size and test_size = %zu, should be smaller than "
                             "the number of samples %zu. Reduce test_size and/or train_size.",
                             *n_train + *n_test, n_samples);
    if (*n_train == 0)
        return gcv_error_set(err, GCV_ERR_SPEC,
                             "With n_samples=%zu, test_size=%s and train_size=%s, the resulting "
                             "train set will be empty. Adjust any of the aforementioned "
                             "parameters.",
                             n_samples, size_text(&test, test_buf, sizeof test_buf),
                             size_text(&train, train_buf, sizeof train_buf));
    return GCV_OK;
}

/* ShuffleSplit: each split draws permutation(n_rows); its first n_test
 * positions are the test list and the next n_train the train list. */
static enum gcv_status split_shuffle(struct builder *b, const struct gcv_splitter *splitter,
                                     struct gcv_error *err)
{
    struct gcv_random rng;
    size_t *permutation = new_row_list(b->n_rows);
    size_t n_train = 0, n_test = 0;
    enum gcv_status status;

    if (permutation == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "ShuffleSplit: cannot allocate %zu rows",
                             b->n_rows);
    status = validate_sizes(b->n_rows, splitter->test_size, splitter->train_size, 0.1, &n_train,
                            &n_test, err);
    gcv_random_seed(&rng, splitter->random_state);
    for (size_t s = 0; s < splitter->n_splits && status == GCV_OK; s++) {
        gcv_random_permutation(&rng, b->n_rows, permutation);
        status = add_fold(b, permutation + n_test, n_train, permutation, n_test, err);
    }
    free(permutation);
    return status;
}

/* GroupShuffleSplit: ShuffleSplit over the distinct groups (sizes count
 * groups, default test_size 0.2); a split tests the positions of its test
 * groups and trains on those of its train groups, both increasing. */
static enum gcv_status split_group_shuffle(struct builder *b,
                                           const struct gcv_splitter *splitter,
                                           const int32_t *groups, struct gcv_error *err)
{
    struct gcv_random rng;
    size_t *codes = NULL, *permutation = NULL, *train = NULL, *test = NULL;
    unsigned char *side = NULL; /* [n_groups] 1 train, 2 test, 0 neither */
    size_t n_groups = 0, n_train = 0, n_test = 0;
    enum gcv_status status;

    if ((status = encode_sorted(groups, b->rows, b->n_rows, &codes, &n_groups, err)) != GCV_OK)
        return status;
    permutation = new_row_list(n_groups);
    side = calloc(n_groups + 1, 1);
    train = new_row_list(b->n_rows);
    test = new_row_list(b->n_rows);
    if (permutation == NULL || side == NULL || train == NULL || test == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "GroupShuffleSplit: cannot allocate %zu rows",
                               b->n_rows);
        goto cleanup;
    }
    status = validate_sizes(n_groups, splitter->test_size, splitter->train_size, 0.2, &n_train,
                            &n_test, err);
    gcv_random_seed(&rng, splitter->random_state);
    for (size_t s = 0; s < splitter->n_splits && status == GCV_OK; s++) {
        size_t n_train_rows = 0, n_test_rows = 0;

        gcv_random_permutation(&rng, n_groups, permutation);
        memset(side, 0, n_groups);
        for (size_t k = 0; k < n_test; k++)
            side[permutation[k]] = 2;
        for (size_t k = n_test; k < n_test + n_train; k++)
            side[permutation[k]] = 1;
        for (size_t i = 0; i < b->n_rows; i++) {
            if (side[codes[i]] == 1)
                train[n_train_rows++] = i;
            else if (side[codes[i]] == 2)
                test[n_test_rows++] = i;
        }
        status = add_fold(b, train, n_train_rows, test, n_test_rows, err);
    }

cleanup:
    free(test);
    free(train);
    free(side);
    free(permutation);
    free(codes);
    return status;
}

/* scikit-learn's _approximate_mode: how many of n_draws each class gets,
 * counts[c] / total * n_draws rounded down, then one more for the classes
 * with the largest remainders until n_draws are given. Classes whose
 * remainders tie are picked by choice(ties, size, replace=False) from
 * rng. out: [n_classes]. */
static enum gcv_status approximate_mode(const size_t *counts, size_t n_classes, size_t n_draws,
                                        struct gcv_random *rng, size_t *out,
                                        struct gcv_error *err)
{
    double *continuous = malloc((n_classes + 1) * sizeof *continuous);
    double *remainder = malloc((n_classes + 1) * sizeof *remainder);
    size_t *ties = new_row_list(n_classes), *picked = new_row_list(n_classes);
    size_t total = 0, given = 0, need = 0;
    enum gcv_status status = GCV_OK;

    if (continuous == NULL || remainder == NULL || ties == NULL || picked == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "cannot allocate %zu classes", n_classes);
        goto cleanup;
    }
    for (size_t c = 0; c < n_classes; c++)
        total += counts[c];
    for (size_t c = 0; c < n_classes; c++) {
        continuous[c] = (double)counts[c] / (double)total * (double)n_draws;
        out[c] = (size_t)floor(continuous[c]);
        remainder[c] = continuous[c] - floor(continuous[c]);
        given += out[c];
    }
    /* Rounding can push the floors past n_draws, and then scikit-learn adds
     * nothing. */
    if (given < n_draws)
        need = n_draws - given;

    /* The distinct remainders from the largest down. */
    while (need > 0) {
        double value = -1.0;
        size_t n_ties = 0, add_now;

        for (size_t c = 0; c < n_classes; c++)
            if (remainder[c] > value)
                value = remainder[c];
        if (value < 0.0)
            break;
        for (size_t c = 0; c < n_classes; c++)
            if (remainder[c] == value)
                ties[n_ties++] = c;
        add_now = n_ties < need ? n_ties : need;
        if ((status = gcv_random_choice(rng, n_ties, add_now, picked, err)) != GCV_OK)
            goto cleanup;
        for (size_t k = 0; k < add_now; k++)
            out[ties[picked[k]]]++;
        for (size_t k = 0; k < n_ties; k++)
            remainder[ties[k]] = -2.0;  /* below every remainder, so never again */
        need -= add_now;
    }

cleanup:
    free(picked);
    free(ties);
    free(remainder);
    free(continuous);
    return status;
}

/* StratifiedShuffleSplit: per split, approximate_mode shares n_train and
 * then n_test among the classes (sorted by label); each class's rows, in
 * row order, are taken in the order of permutation(class size), its train
 * share first; the train and test lists are then each permuted. */
static enum gcv_status split_stratified_shuffle(struct builder *b,
                                                const struct gcv_splitter *splitter,
                                                const int32_t *y_class, struct gcv_error *err)
{
    struct gcv_random rng;
    size_t *classes = NULL;       /* [n_rows] class of each position */
    size_t *counts = NULL, *start = NULL, *n_i = NULL, *t_i = NULL, *rest = NULL;
    size_t *by_class = NULL;      /* [n_rows] positions grouped by class, in row order */
    size_t *permutation = NULL;   /* [n_rows] */
    size_t *train = NULL, *test = NULL;
    size_t n_classes = 0, n_train = 0, n_test = 0, min_count = SIZE_MAX;
    enum gcv_status status;

    status = validate_sizes(b->n_rows, splitter->test_size, splitter->train_size, 0.1, &n_train,
                            &n_test, err);
    if (status == GCV_OK)
        status = encode_sorted(y_class, b->rows, b->n_rows, &classes, &n_classes, err);
    if (status != GCV_OK)
        return status;
    counts = new_row_list(n_classes);
    start = calloc(n_classes + 1, sizeof *start);
    n_i = new_row_list(n_classes);
    t_i = new_row_list(n_classes);
    rest = new_row_list(n_classes);
    by_class = new_row_list(b->n_rows);
    permutation = new_row_list(b->n_rows);
    train = new_row_list(b->n_rows);
    test = new_row_list(b->n_rows);
    if (counts == NULL || start == NULL || n_i == NULL || t_i == NULL || rest == NULL ||
        by_class == NULL || permutation == NULL || train == NULL || test == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "StratifiedShuffleSplit: cannot allocate "
                               "%zu rows", b->n_rows);
        goto cleanup;
    }

    count_codes(classes, b->n_rows, n_classes, counts);
    for (size_t c = 0; c < n_classes; c++)
        min_count = counts[c] < min_count ? counts[c] : min_count;
    if (min_count < 2) {
        status = gcv_error_set(err, GCV_ERR_SPEC,
                               "The least populated class in y has only 1 member, which is too "
                               "few. The minimum number of groups for any class cannot be less "
                               "than 2.");
        goto cleanup;
    }
    if (n_train < n_classes || n_test < n_classes) {
        status = gcv_error_set(err, GCV_ERR_SPEC,
                               "The %s = %zu should be greater or equal to the number of "
                               "classes = %zu",
                               n_train < n_classes ? "train_size" : "test_size",
                               n_train < n_classes ? n_train : n_test, n_classes);
        goto cleanup;
    }
    for (size_t c = 0; c < n_classes; c++)
        start[c + 1] = start[c] + counts[c];
    memcpy(rest, start, n_classes * sizeof *rest);
    for (size_t i = 0; i < b->n_rows; i++)
        by_class[rest[classes[i]]++] = i;

    gcv_random_seed(&rng, splitter->random_state);
    for (size_t s = 0; s < splitter->n_splits; s++) {
        size_t n_train_rows = 0, n_test_rows = 0;

        if ((status = approximate_mode(counts, n_classes, n_train, &rng, n_i, err)) != GCV_OK)
            goto cleanup;
        for (size_t c = 0; c < n_classes; c++)
            rest[c] = counts[c] - n_i[c];
        if ((status = approximate_mode(rest, n_classes, n_test, &rng, t_i, err)) != GCV_OK)
            goto cleanup;

        for (size_t c = 0; c < n_classes; c++) {
            const size_t *members = by_class + start[c];
            size_t end_train = n_i[c] < counts[c] ? n_i[c] : counts[c];
            size_t end_test = n_i[c] + t_i[c] < counts[c] ? n_i[c] + t_i[c] : counts[c];

            gcv_random_permutation(&rng, counts[c], permutation);
            for (size_t k = 0; k < end_train; k++)
                train[n_train_rows++] = members[permutation[k]];
            for (size_t k = end_train; k < end_test; k++)
                test[n_test_rows++] = members[permutation[k]];
        }
        gcv_random_shuffle(&rng, train, n_train_rows, sizeof *train);
        gcv_random_shuffle(&rng, test, n_test_rows, sizeof *test);
        if ((status = add_fold(b, train, n_train_rows, test, n_test_rows, err)) != GCV_OK)
            goto cleanup;
    }

cleanup:
    free(test);
    free(train);
    free(permutation);
    free(by_class);
    free(rest);
    free(t_i);
    free(n_i);
    free(start);
    free(counts);
    free(classes);
    return status;
}

/* ---- Leave-out and time-series splitters -------------------------------- */

/* Returns C(n, k), or SIZE_MAX when it exceeds limit. */
static size_t count_combinations(size_t n, size_t k, size_t limit)
{
    size_t count = 1;

    if (k > n)
        return 0;
    if (k > n - k)
        k = n - k;
    for (size_t i = 1; i <= k; i++) {
        /* count * (n - k + i) / i is exact at every step; the check keeps
         * the product below SIZE_MAX. */
        if (count > SIZE_MAX / (n - k + i))
            return SIZE_MAX;
        count = count * (n - k + i) / i;
        if (count > limit)
            return SIZE_MAX;
    }
    return count;
}

/* Advances the increasing k-subset chosen[0..k) of 0..n-1 to the next in
 * lexicographic order (itertools.combinations). Returns false after the
 * last. */
static bool next_combination(size_t *chosen, size_t k, size_t n)
{
    size_t i = k;

    while (i > 0 && chosen[i - 1] == n - k + i - 1)
        i--;
    if (i == 0)
        return false;
    chosen[i - 1]++;
    for (size_t j = i; j < k; j++)
        chosen[j] = chosen[j - 1] + 1;
    return true;
}

/* LeavePOut (items are positions, codes NULL) and LeavePGroupsOut (items
 * are groups, codes the group of each position): one fold per p-subset of
 * the items, in lexicographic order, testing the positions of its items. */
static enum gcv_status split_leave_out(struct builder *b, size_t n_items, size_t p,
                                       const size_t *codes, struct gcv_error *err)
{
    size_t *chosen = new_row_list(p);
    unsigned char *selected = calloc(n_items + 1, 1);
    enum gcv_status status = GCV_OK;

    if (chosen == NULL || selected == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "cannot allocate %zu items", n_items);
        goto cleanup;
    }
    if (count_combinations(n_items, p, MAX_FOLDS) == SIZE_MAX) {
        status = gcv_error_set(err, GCV_ERR_SPEC,
                               "leaving out %zu of %zu makes more than %zu splits; choose a "
                               "splitter that makes fewer",
                               p, n_items, MAX_FOLDS);
        goto cleanup;
    }
    for (size_t k = 0; k < p; k++)
        chosen[k] = k;
    do {
        memset(selected, 0, n_items);
        for (size_t k = 0; k < p; k++)
            selected[chosen[k]] = 1;
        for (size_t i = 0; i < b->n_rows; i++)
            b->in_test[i] = selected[codes != NULL ? codes[i] : i];
        status = add_masked_fold(b, err);
    } while (status == GCV_OK && next_combination(chosen, p, n_items));

cleanup:
    free(selected);
    free(chosen);
    return status;
}

/* LeaveOneGroupOut and LeavePGroupsOut: the distinct groups of the search
 * rows, in sorted order, left out p at a time. */
static enum gcv_status split_leave_groups_out(struct builder *b, const char *name, size_t p,
                                              const int32_t *groups, struct gcv_error *err)
{
    size_t *codes = NULL;
    size_t n_groups = 0;
    enum gcv_status status;

    if ((status = encode_sorted(groups, b->rows, b->n_rows, &codes, &n_groups, err)) != GCV_OK)
        return status;
    if (strcmp(name, "LeaveOneGroupOut") == 0 && n_groups <= 1)
        status = gcv_error_set(err, GCV_ERR_SPEC,
                               "The groups parameter contains fewer than 2 unique groups (%zu "
                               "found). %s expects at least 2.",
                               n_groups, name);
    else if (p >= n_groups)
        status = gcv_error_set(err, GCV_ERR_SPEC,
                               "The groups parameter contains fewer than (or equal to) n_groups "
                               "(%zu) numbers of unique groups (%zu found). %s expects that at "
                               "least n_groups + 1 (%zu) unique groups be present",
                               p, n_groups, name, p + 1);
    else
        status = split_leave_out(b, n_groups, p, codes, err);
    free(codes);
    return status;
}

/* TimeSeriesSplit: n_splits test runs of test_size positions end at the
 * last row; each trains on the positions before its test run less the
 * gap, the last max_train_size of them when that is set. */
static enum gcv_status split_time_series(struct builder *b, const struct gcv_splitter *splitter,
                                         struct gcv_error *err)
{
    size_t n = b->n_rows, n_splits = splitter->n_splits, gap = splitter->gap;
    size_t n_folds = n_splits + 1;
    size_t test_size = splitter->test_size.kind == GCV_SIZE_COUNT ? splitter->test_size.count
                                                                  : n / n_folds;
    size_t *positions = new_row_list(n);
    enum gcv_status status = GCV_OK;

    if (positions == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "TimeSeriesSplit: cannot allocate %zu rows", n);
    if (n_splits < 2) {
        status = gcv_error_set(err, GCV_ERR_SPEC,
                               "k-fold cross-validation requires n_splits=2 or more, got "
                               "n_splits=%zu.",
                               n_splits);
        goto cleanup;
    }
    if (n_folds > n) {
        status = gcv_error_set(err, GCV_ERR_SPEC,
                               "Cannot have number of folds=%zu greater than the number of "
                               "samples=%zu.",
                               n_folds, n);
        goto cleanup;
    }
    if (test_size == 0 || test_size > n / n_splits || gap >= n - test_size * n_splits) {
        status = gcv_error_set(err, GCV_ERR_SPEC,
                               "Too many splits=%zu for number of samples=%zu with "
                               "test_size=%zu and gap=%zu.",
                               n_splits, n, test_size, gap);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++)
        positions[i] = i;

    for (size_t test_start = n - n_splits * test_size; test_start < n && status == GCV_OK;
         test_start += test_size) {
        size_t train_end = test_start - gap;
        size_t train_start = 0;

        if (splitter->max_train_size > 0 && splitter->max_train_size < train_end)
            train_start = train_end - splitter->max_train_size;
        status = add_fold(b, positions + train_start, train_end - train_start,
                          positions + test_start, test_size, err);
    }

cleanup:
    free(positions);
    return status;
}

/* PredefinedSplit: each distinct test_fold value other than -1, in
 * increasing order, is a fold, and rows marked -1 are never tested. Other
 * negative values are folds like any other, as in scikit-learn. */
static enum gcv_status split_predefined(struct builder *b, const int32_t *test_fold,
                                        struct gcv_error *err)
{
    int32_t *values = NULL; /* [n_values] the test_fold values other than -1, sorted */
    size_t *fold_of = NULL;
    size_t n_values = 0, n_unique = 0;
    enum gcv_status status;

    values = malloc((b->n_rows > 0 ? b->n_rows : 1) * sizeof *values);
    fold_of = new_row_list(b->n_rows);
    if (values == NULL || fold_of == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "PredefinedSplit: cannot allocate %zu rows",
                               b->n_rows);
        goto cleanup;
    }
    for (size_t i = 0; i < b->n_rows; i++)
        if (test_fold[b->rows[i]] != -1)
            values[n_values++] = test_fold[b->rows[i]];
    qsort(values, n_values, sizeof *values, compare_int32);
    for (size_t i = 0; i < n_values; i++)
        if (n_unique == 0 || values[i] != values[n_unique - 1])
            values[n_unique++] = values[i];

    if (n_unique == 0) {
        status = gcv_error_set(err, GCV_ERR_SPEC,
                               "PredefinedSplit: test_fold is -1 on all %zu search rows, so "
                               "there is no test fold; mark at least one row with a fold number",
                               b->n_rows);
        goto cleanup;
    }

    for (size_t i = 0; i < b->n_rows; i++) {
        int32_t value = test_fold[b->rows[i]];
        const int32_t *found = NULL;

        if (value != -1)
            found = bsearch(&value, values, n_unique, sizeof *values, compare_int32);
        fold_of[i] = found != NULL ? (size_t)(found - values) : NO_TEST_FOLD;
    }
    status = add_assigned_folds(b, fold_of, n_unique, err);

cleanup:
    free(fold_of);
    free(values);
    return status;
}

/* ---- Public ----------------------------------------------------------- */

/* Runs the splitter of kind splitter->kind on the builder's positions. */
static enum gcv_status split(struct builder *b, const struct gcv_splitter *splitter,
                             const int32_t *y_class, size_t n_classes, const int32_t *groups,
                             const int32_t *test_fold, struct gcv_error *err)
{
    const char *name = gcv_splitter_name(splitter->kind);
    struct gcv_random rng;
    enum gcv_status status = GCV_OK;

    if (gcv_splitter_uses_classes(splitter->kind) &&
        (status = check_classes(name, b->rows, b->n_rows, y_class, n_classes, err)) != GCV_OK)
        return status;
    if (gcv_splitter_uses_groups(splitter->kind) && groups == NULL)
        return gcv_error_set(err, GCV_ERR_INTERNAL, "%s requires groups, got none", name);
    gcv_random_seed(&rng, splitter->random_state);

    switch (splitter->kind) {
    case GCV_SPLIT_KFOLD:
        if ((status = check_kfold(splitter->n_splits, b->n_rows, err)) != GCV_OK)
            return status;
        return split_kfold(b, splitter->n_splits, splitter->shuffle ? &rng : NULL, err);
    case GCV_SPLIT_STRATIFIED_KFOLD:
        if ((status = check_kfold(splitter->n_splits, b->n_rows, err)) != GCV_OK)
            return status;
        return split_stratified(b, splitter->n_splits, y_class, n_classes,
                                splitter->shuffle ? &rng : NULL, true, err);
    case GCV_SPLIT_REPEATED_KFOLD:
    case GCV_SPLIT_REPEATED_STRATIFIED_KFOLD:
        if (splitter->n_repeats == 0)
            return gcv_error_set(err, GCV_ERR_SPEC,
                                 "Number of repetitions must be greater than 0.");
        for (size_t r = 0; r < splitter->n_repeats && status == GCV_OK; r++) {
            if ((status = check_kfold(splitter->n_splits, b->n_rows, err)) != GCV_OK)
                break;
            if (splitter->kind == GCV_SPLIT_REPEATED_KFOLD)
                status = split_kfold(b, splitter->n_splits, &rng, err);
            else
                status = split_stratified(b, splitter->n_splits, y_class, n_classes, &rng,
                                          r == 0, err);
        }
        return status;
    case GCV_SPLIT_GROUP_KFOLD:
        if ((status = check_kfold(splitter->n_splits, b->n_rows, err)) != GCV_OK)
            return status;
        return split_group_kfold(b, splitter->n_splits, groups, err);
    case GCV_SPLIT_STRATIFIED_GROUP_KFOLD:
        if ((status = check_kfold(splitter->n_splits, b->n_rows, err)) != GCV_OK)
            return status;
        return split_stratified_group(b, splitter->n_splits, y_class, groups,
                                      splitter->shuffle ? &rng : NULL, err);
    case GCV_SPLIT_SHUFFLE:
        return split_shuffle(b, splitter, err);
    case GCV_SPLIT_STRATIFIED_SHUFFLE:
        return split_stratified_shuffle(b, splitter, y_class, err);
    case GCV_SPLIT_GROUP_SHUFFLE:
        return split_group_shuffle(b, splitter, groups, err);
    case GCV_SPLIT_LEAVE_ONE_OUT:
        if (b->n_rows <= 1)
            return gcv_error_set(err, GCV_ERR_SPEC,
                                 "Cannot perform LeaveOneOut with n_samples=%zu.", b->n_rows);
        return split_leave_out(b, b->n_rows, 1, NULL, err);
    case GCV_SPLIT_LEAVE_P_OUT:
        if (splitter->p == 0)
            return gcv_error_set(err, GCV_ERR_SPEC, "LeavePOut requires p >= 1, got p=0");
        if (b->n_rows <= splitter->p)
            return gcv_error_set(err, GCV_ERR_SPEC,
                                 "p=%zu must be strictly less than the number of samples=%zu",
                                 splitter->p, b->n_rows);
        return split_leave_out(b, b->n_rows, splitter->p, NULL, err);
    case GCV_SPLIT_LEAVE_ONE_GROUP_OUT:
        return split_leave_groups_out(b, name, 1, groups, err);
    case GCV_SPLIT_LEAVE_P_GROUPS_OUT:
        if (splitter->p == 0)
            return gcv_error_set(err, GCV_ERR_SPEC,
                                 "LeavePGroupsOut requires n_groups >= 1, got n_groups=0");
        return split_leave_groups_out(b, name, splitter->p, groups, err);
    case GCV_SPLIT_TIME_SERIES:
        return split_time_series(b, splitter, err);
    case GCV_SPLIT_PREDEFINED:
        if (test_fold == NULL)
            return gcv_error_set(err, GCV_ERR_INTERNAL,
                                 "PredefinedSplit requires test_fold, got none");
        return split_predefined(b, test_fold, err);
    }
    return gcv_error_set(err, GCV_ERR_INTERNAL, "unknown splitter kind %d", (int)splitter->kind);
}

enum gcv_status gcv_fold_plan_build(const struct gcv_splitter *splitter, const size_t *rows,
                                    size_t n_rows, const int32_t *y_class, size_t n_classes,
                                    const int32_t *groups, const int32_t *test_fold,
                                    struct gcv_fold_plan *plan, struct gcv_error *err)
{
    struct builder b = {rows, n_rows, plan, 0, NULL};
    enum gcv_status status;

    plan->folds = NULL;
    plan->n_folds = 0;

    /* Positions map to rows in order, so increasing rows keep scikit-learn's
     * order in every list. */
    for (size_t i = 1; i < n_rows; i++)
        if (rows[i] <= rows[i - 1])
            return gcv_error_set(err, GCV_ERR_INTERNAL,
                                 "search rows must be strictly increasing, got rows[%zu]=%zu "
                                 "after rows[%zu]=%zu",
                                 i, rows[i], i - 1, rows[i - 1]);

    b.in_test = calloc(n_rows + 1, 1);
    if (b.in_test == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "cannot allocate the folds of %zu rows",
                             n_rows);
    status = split(&b, splitter, y_class, n_classes, groups, test_fold, err);
    if (status != GCV_OK)
        gcv_fold_plan_free(plan);
    free(b.in_test);
    return status;
}

enum gcv_status gcv_split_train_test(const struct gcv_train_test *split, size_t n_rows,
                                     const int32_t *y_class, size_t n_classes,
                                     struct gcv_fold *out, struct gcv_error *err)
{
    struct gcv_splitter splitter = {
        .kind = split->stratify ? GCV_SPLIT_STRATIFIED_SHUFFLE : GCV_SPLIT_SHUFFLE,
        .n_splits = 1,
        .random_state = split->random_state,
    };
    struct gcv_fold_plan plan = {NULL, 0};
    size_t *rows = new_row_list(n_rows);
    size_t n_train = 0, n_test = 0;
    enum gcv_status status;

    memset(out, 0, sizeof *out);
    if (rows == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "cannot allocate %zu rows", n_rows);
    for (size_t i = 0; i < n_rows; i++)
        rows[i] = i;

    /* train_test_split turns its sizes into counts (default test_size
     * 0.25) before it builds the splitter. */
    status = validate_sizes(n_rows, split->test_size, split->train_size, 0.25, &n_train, &n_test,
                            err);
    if (status == GCV_OK) {
        splitter.test_size = (struct gcv_split_size){GCV_SIZE_COUNT, n_test, 0.0};
        splitter.train_size = (struct gcv_split_size){GCV_SIZE_COUNT, n_train, 0.0};
        status = gcv_fold_plan_build(&splitter, rows, n_rows, y_class, n_classes, NULL, NULL,
                                     &plan, err);
    }
    if (status == GCV_OK) {
        *out = plan.folds[0];
        memset(&plan.folds[0], 0, sizeof plan.folds[0]);
    }
    gcv_fold_plan_free(&plan);
    free(rows);
    return status;
}

const char *gcv_splitter_name(enum gcv_splitter_kind kind)
{
    switch (kind) {
    case GCV_SPLIT_KFOLD: return "KFold";
    case GCV_SPLIT_STRATIFIED_KFOLD: return "StratifiedKFold";
    case GCV_SPLIT_PREDEFINED: return "PredefinedSplit";
    case GCV_SPLIT_GROUP_KFOLD: return "GroupKFold";
    case GCV_SPLIT_STRATIFIED_GROUP_KFOLD: return "StratifiedGroupKFold";
    case GCV_SPLIT_SHUFFLE: return "ShuffleSplit";
    case GCV_SPLIT_STRATIFIED_SHUFFLE: return "StratifiedShuffleSplit";
    case GCV_SPLIT_GROUP_SHUFFLE: return "GroupShuffleSplit";
    case GCV_SPLIT_REPEATED_KFOLD: return "RepeatedKFold";
    case GCV_SPLIT_REPEATED_STRATIFIED_KFOLD: return "RepeatedStratifiedKFold";
    case GCV_SPLIT_LEAVE_ONE_OUT: return "LeaveOneOut";
    case GCV_SPLIT_LEAVE_P_OUT: return "LeavePOut";
    case GCV_SPLIT_LEAVE_ONE_GROUP_OUT: return "LeaveOneGroupOut";
    case GCV_SPLIT_LEAVE_P_GROUPS_OUT: return "LeavePGroupsOut";
    case GCV_SPLIT_TIME_SERIES: return "TimeSeriesSplit";
    }
    return "unknown splitter";
}

bool gcv_splitter_uses_groups(enum gcv_splitter_kind kind)
{
    return kind == GCV_SPLIT_GROUP_KFOLD || kind == GCV_SPLIT_STRATIFIED_GROUP_KFOLD ||
           kind == GCV_SPLIT_GROUP_SHUFFLE || kind == GCV_SPLIT_LEAVE_ONE_GROUP_OUT ||
           kind == GCV_SPLIT_LEAVE_P_GROUPS_OUT;
}

bool gcv_splitter_uses_classes(enum gcv_splitter_kind kind)
{
    return kind == GCV_SPLIT_STRATIFIED_KFOLD || kind == GCV_SPLIT_STRATIFIED_GROUP_KFOLD ||
           kind == GCV_SPLIT_STRATIFIED_SHUFFLE || kind == GCV_SPLIT_REPEATED_STRATIFIED_KFOLD;
}

void gcv_fold_free(struct gcv_fold *fold)
{
    if (fold == NULL)
        return;
    free(fold->train);
    free(fold->test);
    memset(fold, 0, sizeof *fold);
}

void gcv_fold_plan_free(struct gcv_fold_plan *plan)
{
    if (plan == NULL)
        return;
    for (size_t f = 0; f < plan->n_folds; f++)
        gcv_fold_free(&plan->folds[f]);
    free(plan->folds);
    plan->folds = NULL;
    plan->n_folds = 0;
}
