/* KFold, StratifiedKFold and PredefinedSplit without shuffling, as
 * scikit-learn 1.2.1 defines them in sklearn/model_selection/_split.py.
 *
 * Each splitter gives every search position a test fold (or none), and
 * build_folds turns that assignment into the train and test lists. Nothing
 * here depends on the rank or on the number of ranks. */
#include "split.h"

#include <stdlib.h>

#include "log.h"

/* Fold of a position that is in no test fold (PredefinedSplit's -1). */
#define NO_TEST_FOLD SIZE_MAX

/* Allocates room for n row numbers. It never requests 0 bytes, so NULL
 * always means out of memory. */
static size_t *new_row_list(size_t n)
{
    return malloc((n > 0 ? n : 1) * sizeof(size_t));
}

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

/* KFold: n_rows % n_splits folds of n_rows / n_splits + 1 rows, then folds
 * of n_rows / n_splits rows, each a contiguous run of positions. */
static void assign_kfold(size_t n_splits, size_t n_rows, size_t *fold_of)
{
    size_t position = 0;

    for (size_t fold = 0; fold < n_splits; fold++) {
        size_t size = n_rows / n_splits + (fold < n_rows % n_splits ? 1 : 0);

        for (size_t i = 0; i < size; i++)
            fold_of[position++] = fold;
    }
}

/* StratifiedKFold (scikit-learn's _make_test_folds). Classes are numbered
 * in order of first appearance among the search rows. The labels, sorted by
 * that number, are dealt to the folds in turn (position p of the sorted
 * labels goes to fold p % n_splits), which fixes how many rows of each class
 * every fold receives. The rows of a class then fill fold 0's share first,
 * then fold 1's, and so on, in row order. */
static enum gcv_status assign_stratified(size_t n_splits, const size_t *rows, size_t n_rows,
                                         const int32_t *y_class, size_t n_classes,
                                         size_t *fold_of, struct gcv_error *err)
{
    enum gcv_status status = GCV_OK;
    size_t *class_order = NULL; /* [n_classes] order of first appearance, by code */
    size_t *counts = NULL;      /* [n_present] rows per class, by order */
    size_t *allocation = NULL;  /* [n_present * n_splits] rows of each class per fold */
    size_t *next_fold = NULL;   /* [n_present] fold that the next row of a class joins */
    size_t n_present = 0;
    size_t min_count = SIZE_MAX;
    size_t max_count = 0;
    size_t position = 0;

    class_order = malloc(n_classes * sizeof *class_order);
    counts = calloc(n_classes, sizeof *counts);
    next_fold = calloc(n_classes, sizeof *next_fold);
    if (n_classes > 0 && (class_order == NULL || counts == NULL || next_fold == NULL)) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "StratifiedKFold: cannot allocate %zu classes",
                               n_classes);
        goto cleanup;
    }

    /* Number the classes by first appearance and count their rows. */
    for (size_t c = 0; c < n_classes; c++)
        class_order[c] = SIZE_MAX;
    for (size_t i = 0; i < n_rows; i++) {
        int32_t code = y_class[rows[i]];

        if (code < 0 || (size_t)code >= n_classes) {
            status = gcv_error_set(err, GCV_ERR_INTERNAL,
                                   "StratifiedKFold: class code %d of row %zu is not in "
                                   "0..n_classes-1 (n_classes=%zu)",
                                   (int)code, rows[i], n_classes);
            goto cleanup;
        }
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
    if (n_splits > min_count)
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

    /* Give each row the first fold whose share of its class is not full. */
    for (size_t i = 0; i < n_rows; i++) {
        size_t k = class_order[y_class[rows[i]]];
        size_t *share = allocation + k * n_splits;

        while (share[next_fold[k]] == 0)
            next_fold[k]++;
        share[next_fold[k]]--;
        fold_of[i] = next_fold[k];
    }

cleanup:
    free(allocation);
    free(next_fold);
    free(counts);
    free(class_order);
    return status;
}

static int compare_int32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a;
    int32_t y = *(const int32_t *)b;

    return (x > y) - (x < y);
}

/* PredefinedSplit: each distinct test_fold value other than -1, in
 * increasing order, is a fold, and rows marked -1 are never tested. Other
 * negative values are folds like any other, as in scikit-learn. */
static enum gcv_status assign_predefined(const size_t *rows, size_t n_rows,
                                         const int32_t *test_fold, size_t *fold_of,
                                         size_t *n_folds, struct gcv_error *err)
{
    int32_t *values = NULL; /* [n_values] the test_fold values other than -1, sorted */
    size_t n_values = 0;
    size_t n_unique = 0;

    values = malloc((n_rows > 0 ? n_rows : 1) * sizeof *values);
    if (values == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "PredefinedSplit: cannot allocate %zu rows",
                             n_rows);
    for (size_t i = 0; i < n_rows; i++)
        if (test_fold[rows[i]] != -1)
            values[n_values++] = test_fold[rows[i]];
    qsort(values, n_values, sizeof *values, compare_int32);
    for (size_t i = 0; i < n_values; i++)
        if (n_unique == 0 || values[i] != values[n_unique - 1])
            values[n_unique++] = values[i];

    if (n_unique == 0) {
        free(values);
        return gcv_error_set(err, GCV_ERR_SPEC,
                             "PredefinedSplit: test_fold is -1 on all %zu search rows, so "
                             "there is no test fold; mark at least one row with a fold number",
                             n_rows);
    }

    for (size_t i = 0; i < n_rows; i++) {
        int32_t value = test_fold[rows[i]];
        const int32_t *found = NULL;

        if (value != -1)
            found = bsearch(&value, values, n_unique, sizeof *values, compare_int32);
        fold_of[i] = found != NULL ? (size_t)(found - values) : NO_TEST_FOLD;
    }
    *n_folds = n_unique;
    free(values);
    return GCV_OK;
}

/* Fills plan with n_folds folds: fold f tests the rows whose fold_of is f,
 * in row order, and trains on all the others. */
static enum gcv_status build_folds(const size_t *rows, size_t n_rows, const size_t *fold_of,
                                   size_t n_folds, struct gcv_fold_plan *plan,
                                   struct gcv_error *err)
{
    struct gcv_fold *folds = calloc(n_folds, sizeof *folds);

    if (folds == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "cannot allocate %zu folds", n_folds);
    plan->folds = folds;
    plan->n_folds = n_folds;

    for (size_t i = 0; i < n_rows; i++)
        if (fold_of[i] != NO_TEST_FOLD)
            folds[fold_of[i]].n_test++;
    for (size_t f = 0; f < n_folds; f++) {
        folds[f].test = new_row_list(folds[f].n_test);
        folds[f].train = new_row_list(n_rows - folds[f].n_test);
        if (folds[f].test == NULL || folds[f].train == NULL)
            return gcv_error_set(err, GCV_ERR_NOMEM, "cannot allocate fold %zu of %zu rows", f,
                                 n_rows);
        folds[f].n_test = 0;
    }

    for (size_t i = 0; i < n_rows; i++)
        for (size_t f = 0; f < n_folds; f++) {
            if (fold_of[i] == f)
                folds[f].test[folds[f].n_test++] = rows[i];
            else
                folds[f].train[folds[f].n_train++] = rows[i];
        }
    return GCV_OK;
}

enum gcv_status gcv_fold_plan_build(const struct gcv_splitter *splitter, const size_t *rows,
                                    size_t n_rows, const int32_t *y_class, size_t n_classes,
                                    const int32_t *test_fold, struct gcv_fold_plan *plan,
                                    struct gcv_error *err)
{
    enum gcv_status status = GCV_OK;
    size_t *fold_of = NULL; /* [n_rows] test fold of each search position */
    size_t n_folds = splitter->n_splits;

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

    fold_of = new_row_list(n_rows);
    if (fold_of == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "cannot allocate the folds of %zu rows",
                             n_rows);

    switch (splitter->kind) {
    case GCV_SPLIT_KFOLD:
        status = check_kfold(splitter->n_splits, n_rows, err);
        if (status == GCV_OK)
            assign_kfold(splitter->n_splits, n_rows, fold_of);
        break;
    case GCV_SPLIT_STRATIFIED_KFOLD:
        status = check_kfold(splitter->n_splits, n_rows, err);
        if (status == GCV_OK && y_class == NULL)
            status = gcv_error_set(err, GCV_ERR_INTERNAL,
                                   "StratifiedKFold requires class labels, got none");
        if (status == GCV_OK)
            status = assign_stratified(splitter->n_splits, rows, n_rows, y_class, n_classes,
                                       fold_of, err);
        break;
    case GCV_SPLIT_PREDEFINED:
        if (test_fold == NULL)
            status = gcv_error_set(err, GCV_ERR_INTERNAL,
                                   "PredefinedSplit requires test_fold, got none");
        else
            status = assign_predefined(rows, n_rows, test_fold, fold_of, &n_folds, err);
        break;
    default:
        status = gcv_error_set(err, GCV_ERR_INTERNAL, "unknown splitter kind %d",
                               (int)splitter->kind);
        break;
    }
    if (status != GCV_OK)
        goto cleanup;

    status = build_folds(rows, n_rows, fold_of, n_folds, plan, err);

cleanup:
    if (status != GCV_OK)
        gcv_fold_plan_free(plan);
    free(fold_of);
    return status;
}

void gcv_fold_plan_free(struct gcv_fold_plan *plan)
{
    if (plan == NULL)
        return;
    for (size_t f = 0; f < plan->n_folds; f++) {
        free(plan->folds[f].train);
        free(plan->folds[f].test);
    }
    free(plan->folds);
    plan->folds = NULL;
    plan->n_folds = 0;
}
