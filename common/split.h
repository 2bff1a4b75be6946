/* Cross-validation splitters and the fold plan they produce.
 *
 * A fold plan is a pure function of the search rows, their labels, their
 * groups and the splitter (with its seed), so every rank computes the same
 * plan. Indices in a plan are row numbers of the dataset, so the i-th
 * search row is rows[i]; scikit-learn's positions map to these one to
 * one. */
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
    GCV_SPLIT_GROUP_KFOLD,
    GCV_SPLIT_STRATIFIED_GROUP_KFOLD,
    GCV_SPLIT_SHUFFLE,                   /* ShuffleSplit */
    GCV_SPLIT_STRATIFIED_SHUFFLE,        /* StratifiedShuffleSplit */
    GCV_SPLIT_GROUP_SHUFFLE,             /* GroupShuffleSplit */
    GCV_SPLIT_REPEATED_KFOLD,
    GCV_SPLIT_REPEATED_STRATIFIED_KFOLD,
    GCV_SPLIT_LEAVE_ONE_OUT,
    GCV_SPLIT_LEAVE_P_OUT,
    GCV_SPLIT_LEAVE_ONE_GROUP_OUT,
    GCV_SPLIT_LEAVE_P_GROUPS_OUT,
    GCV_SPLIT_TIME_SERIES,               /* TimeSeriesSplit */
};

/* The form of a test_size or train_size. scikit-learn reads an int as a
 * number of samples and a float as a fraction of them. */
enum gcv_split_size_kind {
    GCV_SIZE_DEFAULT,    /* None: the splitter's default */
    GCV_SIZE_COUNT,
    GCV_SIZE_FRACTION,   /* in (0, 1) */
};

struct gcv_split_size {
    enum gcv_split_size_kind kind;
    size_t count;        /* GCV_SIZE_COUNT */
    double fraction;     /* GCV_SIZE_FRACTION */
};

/* A splitter and its scikit-learn constructor parameters. Fields that a
 * kind does not take are ignored, so {.kind, .n_splits} describes an
 * unshuffled k-fold kind. */
struct gcv_splitter {
    enum gcv_splitter_kind kind;
    size_t n_splits;        /* k-fold kinds, shuffle-split kinds, TimeSeriesSplit */
    bool shuffle;           /* KFold, StratifiedKFold, StratifiedGroupKFold */
    uint32_t random_state;  /* RandomState seed: of the shuffle when shuffle is set, and
                               of the shuffle-split and repeated kinds */
    size_t n_repeats;       /* RepeatedKFold, RepeatedStratifiedKFold: >= 1 */
    struct gcv_split_size test_size;  /* shuffle-split kinds (default 0.1, GroupShuffleSplit
                                         0.2 of the groups); TimeSeriesSplit (a count, default
                                         n_rows / (n_splits + 1)) */
    struct gcv_split_size train_size; /* shuffle-split kinds (default: the rest) */
    size_t p;               /* LeavePOut's p, LeavePGroupsOut's n_groups: >= 1 */
    size_t max_train_size;  /* TimeSeriesSplit; 0 for no limit */
    size_t gap;             /* TimeSeriesSplit */
};

/* One train/test split. Both lists are in the order scikit-learn yields
 * them: increasing for the k-fold, leave-out, time-series and predefined
 * kinds, and in the order of the random draws for ShuffleSplit and
 * StratifiedShuffleSplit. A row may be in neither list (train_size,
 * TimeSeriesSplit), and test lists of different folds may overlap
 * (shuffle-split, repeated and leave-p-out kinds). */
struct gcv_fold {
    size_t *train;          /* [n_train] dataset row numbers, owned */
    size_t n_train;
    size_t *test;           /* [n_test] dataset row numbers, owned */
    size_t n_test;
};

struct gcv_fold_plan {
    struct gcv_fold *folds; /* [n_folds], owned */
    size_t n_folds;
};

/* The arguments of train_test_split(X, y, test_size, train_size,
 * random_state, stratify=y if stratify else None). */
struct gcv_train_test {
    struct gcv_split_size test_size;  /* default 0.25, or the rest when train_size is set */
    struct gcv_split_size train_size; /* default: the rest */
    uint32_t random_state;
    bool stratify;
};

/* Splits the search rows rows[0..n_rows) as scikit-learn 1.2.1's splitter
 * of the same name does when it is given the search rows' X, y and groups.
 * rows: [n_rows] dataset row numbers, strictly increasing (GCV_ERR_INTERNAL
 *   otherwise); search position i is dataset row rows[i].
 * y_class: [n_total] class codes 0..n_classes-1 in the order of the sorted
 *   labels, indexed by dataset row; required by the stratified kinds, else
 *   may be NULL. Codes absent from the search rows are ignored, because
 *   scikit-learn receives only the labels of the search rows.
 * groups: [n_total] group codes in the order of the sorted group labels
 *   (gaps allowed), indexed by dataset row; required by the group kinds.
 * test_fold: [n_total] fold per dataset row (-1: always in training),
 *   required by PredefinedSplit, else may be NULL.
 * Randomised kinds draw from numpy's RandomState(random_state) as
 * scikit-learn does for an integer random_state.
 * The stratified k-fold kinds log scikit-learn's warning once per call
 * when the least populated class has fewer than n_splits rows.
 * On success the plan is owned by the caller (gcv_fold_plan_free). On
 * failure the plan is empty. The status is GCV_ERR_SPEC when the spec is
 * at fault: parameters out of range, too few rows, classes, class members
 * or groups for the splitter, no PredefinedSplit fold, a
 * StratifiedGroupKFold fold without rows, or more than INT32_MAX folds.
 * err then carries scikit-learn's reason where it has one. */
enum gcv_status gcv_fold_plan_build(const struct gcv_splitter *splitter, const size_t *rows,
                                    size_t n_rows, const int32_t *y_class, size_t n_classes,
                                    const int32_t *groups, const int32_t *test_fold,
                                    struct gcv_fold_plan *plan, struct gcv_error *err);

/* Splits dataset rows 0..n_rows-1 as train_test_split does: ShuffleSplit,
 * or StratifiedShuffleSplit on y_class ([n_rows] codes 0..n_classes-1)
 * when stratify is set, with n_splits=1. On success out contains the
 * train and test rows in train_test_split's order and is freed with
 * gcv_fold_free. On failure it is empty and err names the reason
 * (GCV_ERR_SPEC for sizes or classes scikit-learn rejects). */
enum gcv_status gcv_split_train_test(const struct gcv_train_test *split, size_t n_rows,
                                     const int32_t *y_class, size_t n_classes,
                                     struct gcv_fold *out, struct gcv_error *err);

/* Returns scikit-learn's class name of a splitter kind ("KFold"). */
const char *gcv_splitter_name(enum gcv_splitter_kind kind);

/* Returns true when the kind reads group labels. */
bool gcv_splitter_uses_groups(enum gcv_splitter_kind kind);

/* Returns true when the kind reads class labels. */
bool gcv_splitter_uses_classes(enum gcv_splitter_kind kind);

/* Frees the lists of one fold and zeroes it. Accepts NULL. */
void gcv_fold_free(struct gcv_fold *fold);

/* Frees the folds and zeroes the plan. Accepts NULL. */
void gcv_fold_plan_free(struct gcv_fold_plan *plan);

#endif
