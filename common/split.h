/* Cross-validation splitters and the fold plan they produce.
 *
 * A fold plan is a pure function of the search rows, their labels and the
 * splitter, so every rank computes the same plan. Indices in a plan are row
 * numbers of the dataset, so the i-th search row is rows[i]; scikit-learn's
 * positions map to these one to one. */
#ifndef GCV_SPLIT_H
#define GCV_SPLIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

enum gcv_splitter_kind {
    GCV_SPLIT_KFOLD,
    GCV_SPLIT_STRATIFIED_KFOLD,
    GCV_SPLIT_PREDEFINED,
};

struct gcv_splitter {
    enum gcv_splitter_kind kind;
    size_t n_splits;        /* KFold, StratifiedKFold; ignored by PredefinedSplit */
};

struct gcv_fold {
    size_t *train;          /* [n_train] dataset row numbers, increasing, owned */
    size_t n_train;
    size_t *test;           /* [n_test] dataset row numbers, increasing, owned */
    size_t n_test;
};

struct gcv_fold_plan {
    struct gcv_fold *folds; /* [n_folds], owned */
    size_t n_folds;
};

/* Splits the search rows rows[0..n_rows) as scikit-learn 1.2's splitter of
 * the same name does without shuffling.
 * rows: [n_rows] dataset row numbers, strictly increasing (GCV_ERR_INTERNAL
 *   otherwise), so that plan lists keep scikit-learn's order.
 * y_class: [n_total] class codes 0..n_classes-1 (indexed by dataset row),
 *   required by StratifiedKFold, else may be NULL. Codes absent from the
 *   search rows are ignored, because scikit-learn receives only the labels
 *   of the search rows.
 * test_fold: [n_total] fold per dataset row (-1: always in training),
 *   required by PredefinedSplit, else may be NULL.
 * StratifiedKFold logs scikit-learn's warning once per call when the least
 * populated class has fewer than n_splits rows.
 * On success the plan is owned by the caller (gcv_fold_plan_free). On
 * failure the plan is empty; when the spec is at fault (n_splits < 2, more
 * splits than rows or than members of every class, no PredefinedSplit
 * fold) err carries scikit-learn's reason and the status is GCV_ERR_SPEC. */
enum gcv_status gcv_fold_plan_build(const struct gcv_splitter *splitter, const size_t *rows,
                                    size_t n_rows, const int32_t *y_class, size_t n_classes,
                                    const int32_t *test_fold, struct gcv_fold_plan *plan,
                                    struct gcv_error *err);

/* Frees the folds and zeroes the plan. Accepts NULL. */
void gcv_fold_plan_free(struct gcv_fold_plan *plan);

#endif
