/* Suite "split": fold plans against scikit-learn 1.2.1's splitters and
 * train_test_split (fixtures written by
 * tests/unit/fixtures/make_split_fixtures.py), their error messages, and
 * the mapping of search positions to dataset rows. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/split.h"
#include "tests/unit/fixtures/split_fixtures.h"

#define N_FIXTURES (sizeof split_fixtures / sizeof split_fixtures[0])
#define N_PLAN_FIXTURES (sizeof plan_fixtures / sizeof plan_fixtures[0])
#define N_TRAIN_TEST_FIXTURES (sizeof train_test_fixtures / sizeof train_test_fixtures[0])

/* Dataset row of search position i when the search skips rows: 1, 4, 7, ... */
#define SPARSE_ROW(i) (3 * (i) + 1)

/* What a build wrote to standard error (gcv_log_warn's lines). */
static char captured_stderr[4096];

/* Runs gcv_fold_plan_build with standard error redirected to a temporary
 * file, and keeps what was written in captured_stderr. */
static enum gcv_status build_capturing_stderr_all(const struct gcv_splitter *splitter,
                                                  const size_t *rows, size_t n_rows,
                                                  const int32_t *y_class, size_t n_classes,
                                                  const int32_t *groups,
                                                  const int32_t *test_fold,
                                                  struct gcv_fold_plan *plan,
                                                  struct gcv_error *err)
{
    enum gcv_status status;
    FILE *capture = tmpfile();
    int saved_stderr;
    size_t length;

    ck_assert_ptr_nonnull(capture);
    fflush(stderr);
    saved_stderr = dup(STDERR_FILENO);
    ck_assert_int_ge(saved_stderr, 0);
    ck_assert_int_ge(dup2(fileno(capture), STDERR_FILENO), 0);

    status = gcv_fold_plan_build(splitter, rows, n_rows, y_class, n_classes, groups, test_fold,
                                 plan, err);

    fflush(stderr);
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    rewind(capture);
    length = fread(captured_stderr, 1, sizeof captured_stderr - 1, capture);
    captured_stderr[length] = '\0';
    fclose(capture);
    return status;
}

static enum gcv_status build_capturing_stderr(const struct gcv_splitter *splitter,
                                              const size_t *rows, size_t n_rows,
                                              const int32_t *y_class, size_t n_classes,
                                              const int32_t *test_fold,
                                              struct gcv_fold_plan *plan, struct gcv_error *err)
{
    return build_capturing_stderr_all(splitter, rows, n_rows, y_class, n_classes, NULL,
                                      test_fold, plan, err);
}

static enum gcv_status build_capturing_stderr_groups(const struct gcv_splitter *splitter,
                                                     const size_t *rows, size_t n_rows,
                                                     const int32_t *y_class, size_t n_classes,
                                                     const int32_t *groups,
                                                     struct gcv_fold_plan *plan,
                                                     struct gcv_error *err)
{
    return build_capturing_stderr_all(splitter, rows, n_rows, y_class, n_classes, groups, NULL,
                                      plan, err);
}

/* Builds the plan of fixture fx with search position i at dataset row
 * rows[i], checks it against scikit-learn's folds, and returns the status. */
static enum gcv_status check_fixture(const struct split_fixture *fx, bool sparse_rows)
{
    size_t n_total = sparse_rows ? SPARSE_ROW(fx->n_rows) : fx->n_rows;
    size_t *rows = calloc(fx->n_rows + 1, sizeof *rows);
    int32_t *by_row = calloc(n_total + 1, sizeof *by_row); /* labels indexed by dataset row */
    struct gcv_splitter splitter = {.kind = fx->kind, .n_splits = fx->n_splits};
    struct gcv_fold_plan plan;
    struct gcv_error err = {GCV_OK, ""};
    enum gcv_status status;

    ck_assert_ptr_nonnull(rows);
    ck_assert_ptr_nonnull(by_row);
    for (size_t i = 0; i < fx->n_rows; i++) {
        rows[i] = sparse_rows ? SPARSE_ROW(i) : i;
        if (fx->labels != NULL)
            by_row[rows[i]] = fx->labels[i];
    }

    status = build_capturing_stderr(&splitter, rows, fx->n_rows,
                                    fx->kind == GCV_SPLIT_STRATIFIED_KFOLD ? by_row : NULL,
                                    fx->n_classes,
                                    fx->kind == GCV_SPLIT_PREDEFINED ? by_row : NULL, &plan,
                                    &err);

    if (fx->n_folds == 0) {
        ck_assert_msg(status == GCV_ERR_SPEC, "%s: scikit-learn raises, got status %d", fx->name,
                      (int)status);
        ck_assert_ptr_null(plan.folds);
        ck_assert_uint_eq(plan.n_folds, 0);
        goto done;
    }
    ck_assert_msg(status == GCV_OK, "%s: %s", fx->name, err.message);
    ck_assert_msg(plan.n_folds == fx->n_folds, "%s: %zu folds, scikit-learn has %zu", fx->name,
                  plan.n_folds, fx->n_folds);

    /* Walk the positions in order: each goes to the test list of its fold
     * and to the train list of every other fold, so both lists follow row
     * order. */
    for (size_t f = 0; f < plan.n_folds; f++) {
        const struct gcv_fold *fold = &plan.folds[f];
        size_t n_test = 0;
        size_t n_train = 0;

        for (size_t i = 0; i < fx->n_rows; i++) {
            if (fx->folds[i] == (int32_t)f) {
                ck_assert_msg(n_test < fold->n_test && fold->test[n_test] == rows[i],
                              "%s: fold %zu should test row %zu", fx->name, f, rows[i]);
                n_test++;
            } else {
                ck_assert_msg(n_train < fold->n_train && fold->train[n_train] == rows[i],
                              "%s: fold %zu should train on row %zu", fx->name, f, rows[i]);
                n_train++;
            }
        }
        ck_assert_msg(fold->n_test == n_test, "%s: fold %zu tests %zu rows, expected %zu",
                      fx->name, f, fold->n_test, n_test);
        ck_assert_msg(fold->n_train == n_train, "%s: fold %zu trains on %zu rows, expected %zu",
                      fx->name, f, fold->n_train, n_train);
    }

done:
    gcv_fold_plan_free(&plan);
    free(by_row);
    free(rows);
    return status;
}

static void check_fixtures_of_kind(enum gcv_splitter_kind kind)
{
    size_t n_checked = 0;

    for (size_t c = 0; c < N_FIXTURES; c++) {
        if (split_fixtures[c].kind != kind)
            continue;
        check_fixture(&split_fixtures[c], false);
        check_fixture(&split_fixtures[c], true);
        n_checked++;
    }
    ck_assert_uint_gt(n_checked, 0);
}

START_TEST(kfold_matches_sklearn)
{
    check_fixtures_of_kind(GCV_SPLIT_KFOLD);
}
END_TEST

START_TEST(stratified_kfold_matches_sklearn)
{
    check_fixtures_of_kind(GCV_SPLIT_STRATIFIED_KFOLD);
}
END_TEST

START_TEST(predefined_split_matches_sklearn)
{
    check_fixtures_of_kind(GCV_SPLIT_PREDEFINED);
}
END_TEST

/* Each build logs scikit-learn's UserWarning once, and nothing when
 * scikit-learn gives none. */
START_TEST(stratified_kfold_warns_as_sklearn)
{
    size_t n_warnings = 0;

    for (size_t c = 0; c < N_FIXTURES; c++) {
        const struct split_fixture *fx = &split_fixtures[c];
        const char *newline;

        if (fx->kind != GCV_SPLIT_STRATIFIED_KFOLD || fx->n_folds == 0)
            continue;
        check_fixture(fx, true);
        if (fx->warning == NULL) {
            ck_assert_msg(captured_stderr[0] == '\0', "%s: unexpected output \"%s\"", fx->name,
                          captured_stderr);
            continue;
        }
        newline = strchr(captured_stderr, '\n');
        ck_assert_msg(strstr(captured_stderr, fx->warning) != NULL, "%s: \"%s\" lacks \"%s\"",
                      fx->name, captured_stderr, fx->warning);
        ck_assert_msg(newline != NULL && newline[1] == '\0', "%s: not one line: \"%s\"",
                      fx->name, captured_stderr);
        n_warnings++;
    }
    ck_assert_uint_gt(n_warnings, 0);
}
END_TEST

/* Builds a plan expected to fail and checks the status and message. */
static void check_rejected(const struct gcv_splitter *splitter, const size_t *rows,
                           size_t n_rows, const int32_t *y_class, size_t n_classes,
                           const int32_t *test_fold, enum gcv_status expected_status,
                           const char *expected_message)
{
    struct gcv_fold_plan plan;
    struct gcv_error err = {GCV_OK, ""};
    enum gcv_status status;

    status = gcv_fold_plan_build(splitter, rows, n_rows, y_class, n_classes, NULL, test_fold,
                                 &plan, &err);
    ck_assert_int_eq(status, expected_status);
    ck_assert_int_eq(err.status, expected_status);
    ck_assert_str_eq(err.message, expected_message);
    ck_assert_ptr_null(plan.folds);
    ck_assert_uint_eq(plan.n_folds, 0);
}

static const size_t first_rows[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};

START_TEST(kfold_rejects_fewer_than_two_splits)
{
    struct gcv_splitter kfold = {.kind = GCV_SPLIT_KFOLD, .n_splits = 1};
    struct gcv_splitter stratified = {.kind = GCV_SPLIT_STRATIFIED_KFOLD, .n_splits = 0};
    static const int32_t y[] = {0, 1, 0, 1, 0, 1, 0, 1, 0, 1};

    check_rejected(&kfold, first_rows, 10, NULL, 0, NULL, GCV_ERR_SPEC,
                   "k-fold cross-validation requires n_splits=2 or more, got n_splits=1.");
    check_rejected(&stratified, first_rows, 10, y, 2, NULL, GCV_ERR_SPEC,
                   "k-fold cross-validation requires n_splits=2 or more, got n_splits=0.");
}
END_TEST

START_TEST(kfold_rejects_more_splits_than_rows)
{
    struct gcv_splitter kfold = {.kind = GCV_SPLIT_KFOLD, .n_splits = 6};
    struct gcv_splitter stratified = {.kind = GCV_SPLIT_STRATIFIED_KFOLD, .n_splits = 6};
    static const int32_t y[] = {0, 0, 0, 0, 0};

    check_rejected(&kfold, first_rows, 5, NULL, 0, NULL, GCV_ERR_SPEC,
                   "Cannot have number of splits n_splits=6 greater than the number of "
                   "samples: n_samples=5.");
    check_rejected(&stratified, first_rows, 5, y, 1, NULL, GCV_ERR_SPEC,
                   "Cannot have number of splits n_splits=6 greater than the number of "
                   "samples: n_samples=5.");
}
END_TEST

START_TEST(stratified_kfold_rejects_splits_above_every_class)
{
    struct gcv_splitter stratified = {.kind = GCV_SPLIT_STRATIFIED_KFOLD, .n_splits = 4};
    /* Classes of 3, 2 and 2 rows (scikit-learn raises: 4 > 3, 4 > 2). */
    static const int32_t y[] = {2, 0, 2, 1, 0, 2, 1};

    check_rejected(&stratified, first_rows, 7, y, 3, NULL, GCV_ERR_SPEC,
                   "n_splits=4 cannot be greater than the number of members in each class "
                   "(the largest class has 3 members).");
}
END_TEST

START_TEST(stratified_kfold_rejects_bad_labels)
{
    struct gcv_splitter stratified = {.kind = GCV_SPLIT_STRATIFIED_KFOLD, .n_splits = 2};
    static const int32_t y[] = {0, 1, 0, 3, 1};

    check_rejected(&stratified, first_rows, 5, y, 3, NULL, GCV_ERR_INTERNAL,
                   "StratifiedKFold: class code 3 of row 3 is not in 0..n_classes-1 "
                   "(n_classes=3)");
    check_rejected(&stratified, first_rows, 5, NULL, 3, NULL, GCV_ERR_INTERNAL,
                   "StratifiedKFold requires class labels, got none");
}
END_TEST

START_TEST(predefined_split_rejects_no_test_fold)
{
    struct gcv_splitter predefined = {.kind = GCV_SPLIT_PREDEFINED, .n_splits = 0};
    /* Row 3, the only one with a fold, is not a search row. */
    static const int32_t test_fold[] = {-1, -1, -1, 0, -1};
    static const size_t rows[] = {0, 1, 2, 4};

    check_rejected(&predefined, rows, 4, NULL, 0, test_fold, GCV_ERR_SPEC,
                   "PredefinedSplit: test_fold is -1 on all 4 search rows, so there is no "
                   "test fold; mark at least one row with a fold number");
    check_rejected(&predefined, rows, 4, NULL, 0, NULL, GCV_ERR_INTERNAL,
                   "PredefinedSplit requires test_fold, got none");
}
END_TEST

START_TEST(fold_plan_rejects_unsorted_rows)
{
    struct gcv_splitter kfold = {.kind = GCV_SPLIT_KFOLD, .n_splits = 2};
    static const size_t rows[] = {0, 2, 2, 5};

    check_rejected(&kfold, rows, 4, NULL, 0, NULL, GCV_ERR_INTERNAL,
                   "search rows must be strictly increasing, got rows[2]=2 after rows[1]=2");
}
END_TEST

static void check_rows(const size_t *actual, size_t n_actual, const size_t *expected,
                       size_t n_expected)
{
    ck_assert_uint_eq(n_actual, n_expected);
    for (size_t i = 0; i < n_expected; i++)
        ck_assert_uint_eq(actual[i], expected[i]);
}

/* Folds hold dataset rows, and labels are read at rows[i] only: the rows
 * left out of the search carry labels that would change the plan if read. */
START_TEST(fold_plan_maps_positions_to_dataset_rows)
{
    static const size_t rows[] = {2, 5, 6, 9, 11};
    struct gcv_splitter kfold = {.kind = GCV_SPLIT_KFOLD, .n_splits = 2};
    struct gcv_splitter stratified = {.kind = GCV_SPLIT_STRATIFIED_KFOLD, .n_splits = 2};
    struct gcv_splitter predefined = {.kind = GCV_SPLIT_PREDEFINED, .n_splits = 0};
    /* Search labels 1, 1, 0, 0, 1; the other rows carry class 2. */
    static const int32_t y[] = {2, 2, 1, 2, 2, 1, 0, 2, 2, 0, 2, 1};
    static const int32_t test_fold[] = {5, 5, 1, 5, 5, 0, -1, 5, 5, 1, 5, 0};
    struct gcv_fold_plan plan;
    struct gcv_error err = {GCV_OK, ""};

    /* KFold, 5 positions in 2 folds: positions 0-2, then 3-4. */
    ck_assert_int_eq(gcv_fold_plan_build(&kfold, rows, 5, NULL, 0, NULL, NULL, &plan, &err),
                     GCV_OK);
    ck_assert_uint_eq(plan.n_folds, 2);
    check_rows(plan.folds[0].test, plan.folds[0].n_test, (const size_t[]){2, 5, 6}, 3);
    check_rows(plan.folds[0].train, plan.folds[0].n_train, (const size_t[]){9, 11}, 2);
    check_rows(plan.folds[1].test, plan.folds[1].n_test, (const size_t[]){9, 11}, 2);
    check_rows(plan.folds[1].train, plan.folds[1].n_train, (const size_t[]){2, 5, 6}, 3);
    gcv_fold_plan_free(&plan);

    /* StratifiedKFold: labels 1, 1, 0, 0, 1 encode as 0, 0, 1, 1, 0 by first
     * appearance. Dealing the sorted codes 0, 0, 0, 1, 1 to folds 0, 1, 0,
     * 1, 0 gives class 0 two rows in fold 0 and one in fold 1, and class 1
     * one row in each. So rows 2 and 5 go to fold 0, row 11 to fold 1, and
     * rows 6 and 9 to folds 0 and 1. scikit-learn agrees:
     * StratifiedKFold(2).split(X, [1, 1, 0, 0, 1]) tests positions
     * [0, 1, 2], then [3, 4]. */
    ck_assert_int_eq(gcv_fold_plan_build(&stratified, rows, 5, y, 3, NULL, NULL, &plan, &err),
                     GCV_OK);
    ck_assert_uint_eq(plan.n_folds, 2);
    check_rows(plan.folds[0].test, plan.folds[0].n_test, (const size_t[]){2, 5, 6}, 3);
    check_rows(plan.folds[1].test, plan.folds[1].n_test, (const size_t[]){9, 11}, 2);
    gcv_fold_plan_free(&plan);

    /* PredefinedSplit: search values 1, 0, -1, 1, 0 make folds 0 and 1; the
     * value 5 outside the search rows makes no fold. */
    ck_assert_int_eq(
        gcv_fold_plan_build(&predefined, rows, 5, NULL, 0, NULL, test_fold, &plan, &err),
        GCV_OK);
    ck_assert_uint_eq(plan.n_folds, 2);
    check_rows(plan.folds[0].test, plan.folds[0].n_test, (const size_t[]){5, 11}, 2);
    check_rows(plan.folds[0].train, plan.folds[0].n_train, (const size_t[]){2, 6, 9}, 3);
    check_rows(plan.folds[1].test, plan.folds[1].n_test, (const size_t[]){2, 9}, 2);
    check_rows(plan.folds[1].train, plan.folds[1].n_train, (const size_t[]){5, 6, 11}, 3);
    gcv_fold_plan_free(&plan);
}
END_TEST

/* Returns true when one of scikit-learn's folds tests no row, which
 * gridcv rejects because such a fold cannot be scored. */
static bool has_empty_test(const struct plan_fixture *fx)
{
    for (size_t f = 0; f < fx->n_folds; f++)
        if (fx->offsets[2 * f + 1] == fx->offsets[2 * f + 2])
            return true;
    return false;
}

/* Checks that list[0..n) contains the dataset rows of the fixture's
 * positions[from..to), in order. */
static void check_list(const struct plan_fixture *fx, size_t fold, const char *which,
                       const size_t *list, size_t n, uint32_t from, uint32_t to,
                       const size_t *rows)
{
    ck_assert_msg(n == to - from, "%s: fold %zu %s has %zu rows, scikit-learn has %u",
                  fx->name, fold, which, n, (unsigned)(to - from));
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(list[i] == rows[fx->positions[from + i]],
                      "%s: fold %zu %s[%zu] is row %zu, scikit-learn has row %zu", fx->name,
                      fold, which, i, list[i], rows[fx->positions[from + i]]);
}

/* Builds the plan of fixture fx, search position i at dataset row rows[i],
 * and checks every fold's train and test lists, in order. */
static void check_plan_fixture(const struct plan_fixture *fx, bool sparse_rows)
{
    size_t n_total = sparse_rows ? SPARSE_ROW(fx->n_rows) : fx->n_rows;
    size_t *rows = calloc(fx->n_rows + 1, sizeof *rows);
    int32_t *labels = calloc(n_total + 1, sizeof *labels);
    int32_t *groups = calloc(n_total + 1, sizeof *groups);
    struct gcv_fold_plan plan;
    struct gcv_error err = {GCV_OK, ""};
    enum gcv_status status;

    ck_assert_ptr_nonnull(rows);
    ck_assert_ptr_nonnull(labels);
    ck_assert_ptr_nonnull(groups);
    /* Rows left out of the search carry a class and a group of their own,
     * which would change the folds if they were read. */
    for (size_t r = 0; r < n_total; r++) {
        labels[r] = (int32_t)fx->n_classes - 1;
        groups[r] = 1000;
    }
    for (size_t i = 0; i < fx->n_rows; i++) {
        rows[i] = sparse_rows ? SPARSE_ROW(i) : i;
        if (fx->labels != NULL)
            labels[rows[i]] = fx->labels[i];
        if (fx->groups != NULL)
            groups[rows[i]] = fx->groups[i];
    }

    status = build_capturing_stderr_groups(&fx->splitter, rows, fx->n_rows,
                                           fx->labels != NULL ? labels : NULL, fx->n_classes,
                                           fx->groups != NULL ? groups : NULL, &plan, &err);
    if (fx->n_folds == 0 || has_empty_test(fx)) {
        ck_assert_msg(status == GCV_ERR_SPEC, "%s: scikit-learn raises or leaves a fold empty "
                      "(%s), got status %d", fx->name, fx->error != NULL ? fx->error : "",
                      (int)status);
        ck_assert_ptr_null(plan.folds);
        goto done;
    }
    ck_assert_msg(status == GCV_OK, "%s: %s", fx->name, err.message);
    ck_assert_msg(plan.n_folds == fx->n_folds, "%s: %zu folds, scikit-learn has %zu", fx->name,
                  plan.n_folds, fx->n_folds);
    for (size_t f = 0; f < plan.n_folds; f++) {
        check_list(fx, f, "train", plan.folds[f].train, plan.folds[f].n_train,
                   fx->offsets[2 * f], fx->offsets[2 * f + 1], rows);
        check_list(fx, f, "test", plan.folds[f].test, plan.folds[f].n_test,
                   fx->offsets[2 * f + 1], fx->offsets[2 * f + 2], rows);
    }

done:
    gcv_fold_plan_free(&plan);
    free(groups);
    free(labels);
    free(rows);
}

static void check_plan_fixtures_of_kind(enum gcv_splitter_kind kind)
{
    size_t n_checked = 0;

    for (size_t c = 0; c < N_PLAN_FIXTURES; c++) {
        if (plan_fixtures[c].splitter.kind != kind)
            continue;
        check_plan_fixture(&plan_fixtures[c], false);
        check_plan_fixture(&plan_fixtures[c], true);
        n_checked++;
    }
    ck_assert_uint_gt(n_checked, 0);
}

START_TEST(shuffled_kfold_matches_sklearn)
{
    check_plan_fixtures_of_kind(GCV_SPLIT_KFOLD);
}
END_TEST

START_TEST(shuffled_stratified_kfold_matches_sklearn)
{
    check_plan_fixtures_of_kind(GCV_SPLIT_STRATIFIED_KFOLD);
}
END_TEST

START_TEST(group_kfold_matches_sklearn)
{
    check_plan_fixtures_of_kind(GCV_SPLIT_GROUP_KFOLD);
}
END_TEST

START_TEST(stratified_group_kfold_matches_sklearn)
{
    check_plan_fixtures_of_kind(GCV_SPLIT_STRATIFIED_GROUP_KFOLD);
}
END_TEST

START_TEST(shuffle_split_matches_sklearn)
{
    check_plan_fixtures_of_kind(GCV_SPLIT_SHUFFLE);
}
END_TEST

START_TEST(stratified_shuffle_split_matches_sklearn)
{
    check_plan_fixtures_of_kind(GCV_SPLIT_STRATIFIED_SHUFFLE);
}
END_TEST

START_TEST(group_shuffle_split_matches_sklearn)
{
    check_plan_fixtures_of_kind(GCV_SPLIT_GROUP_SHUFFLE);
}
END_TEST

START_TEST(repeated_kfold_matches_sklearn)
{
    check_plan_fixtures_of_kind(GCV_SPLIT_REPEATED_KFOLD);
    check_plan_fixtures_of_kind(GCV_SPLIT_REPEATED_STRATIFIED_KFOLD);
}
END_TEST

START_TEST(leave_out_matches_sklearn)
{
    check_plan_fixtures_of_kind(GCV_SPLIT_LEAVE_ONE_OUT);
    check_plan_fixtures_of_kind(GCV_SPLIT_LEAVE_P_OUT);
    check_plan_fixtures_of_kind(GCV_SPLIT_LEAVE_ONE_GROUP_OUT);
    check_plan_fixtures_of_kind(GCV_SPLIT_LEAVE_P_GROUPS_OUT);
}
END_TEST

START_TEST(time_series_split_matches_sklearn)
{
    check_plan_fixtures_of_kind(GCV_SPLIT_TIME_SERIES);
}
END_TEST

/* The fixtures ask for errors from most splitters; each message begins as
 * scikit-learn's ValueError does. */
START_TEST(splitter_errors_match_sklearn)
{
    size_t n_checked = 0;

    for (size_t c = 0; c < N_PLAN_FIXTURES; c++) {
        const struct plan_fixture *fx = &plan_fixtures[c];
        struct gcv_fold_plan plan;
        struct gcv_error err = {GCV_OK, ""};
        size_t rows[64];
        size_t prefix;

        if (fx->error == NULL)
            continue;
        ck_assert_uint_le(fx->n_rows, 64);
        for (size_t i = 0; i < fx->n_rows; i++)
            rows[i] = i;
        ck_assert_int_eq(build_capturing_stderr_groups(&fx->splitter, rows, fx->n_rows,
                                                       fx->labels, fx->n_classes, fx->groups,
                                                       &plan, &err),
                         GCV_ERR_SPEC);
        /* Messages that list the groups name their number instead. */
        prefix = strcspn(fx->error, "(");
        ck_assert_msg(strncmp(err.message, fx->error, prefix) == 0,
                      "%s: \"%s\" does not begin as \"%s\"", fx->name, err.message, fx->error);
        n_checked++;
    }
    ck_assert_uint_gt(n_checked, 10);
}
END_TEST

/* Holdouts: train_test_split's train and test rows, in its order. */
START_TEST(train_test_split_matches_sklearn)
{
    for (size_t c = 0; c < N_TRAIN_TEST_FIXTURES; c++) {
        const struct train_test_fixture *fx = &train_test_fixtures[c];
        struct gcv_fold fold;
        struct gcv_error err = {GCV_OK, ""};
        enum gcv_status status;

        status = gcv_split_train_test(&fx->split, fx->n_rows, fx->labels, fx->n_classes, &fold,
                                      &err);
        if (fx->train == NULL) {
            ck_assert_msg(status == GCV_ERR_SPEC, "%s: scikit-learn raises, got %d", fx->name,
                          (int)status);
            ck_assert_ptr_null(fold.train);
            continue;
        }
        ck_assert_msg(status == GCV_OK, "%s: %s", fx->name, err.message);
        ck_assert_uint_eq(fold.n_train, fx->n_train);
        ck_assert_uint_eq(fold.n_test, fx->n_test);
        for (size_t i = 0; i < fx->n_train; i++)
            ck_assert_msg(fold.train[i] == fx->train[i], "%s: train[%zu] is %zu, expected %u",
                          fx->name, i, fold.train[i], (unsigned)fx->train[i]);
        for (size_t i = 0; i < fx->n_test; i++)
            ck_assert_msg(fold.test[i] == fx->test[i], "%s: test[%zu] is %zu, expected %u",
                          fx->name, i, fold.test[i], (unsigned)fx->test[i]);
        gcv_fold_free(&fold);
    }
}
END_TEST

/* Equally large groups are ordered by numpy's unstable quicksort: with 40
 * groups of sizes 1 to 4 a stable order would differ from scikit-learn's. */
START_TEST(group_kfold_breaks_ties_as_numpy)
{
    size_t n_checked = 0;

    for (size_t c = 0; c < N_PLAN_FIXTURES; c++) {
        const struct plan_fixture *fx = &plan_fixtures[c];

        if (fx->splitter.kind != GCV_SPLIT_GROUP_KFOLD || fx->n_rows < 60)
            continue;
        check_plan_fixture(fx, false);
        n_checked++;
    }
    ck_assert_uint_gt(n_checked, 0);
}
END_TEST

START_TEST(splitter_names_follow_sklearn)
{
    ck_assert_str_eq(gcv_splitter_name(GCV_SPLIT_STRATIFIED_GROUP_KFOLD), "StratifiedGroupKFold");
    ck_assert_str_eq(gcv_splitter_name(GCV_SPLIT_TIME_SERIES), "TimeSeriesSplit");
    ck_assert(gcv_splitter_uses_groups(GCV_SPLIT_LEAVE_P_GROUPS_OUT));
    ck_assert(!gcv_splitter_uses_groups(GCV_SPLIT_SHUFFLE));
    ck_assert(gcv_splitter_uses_classes(GCV_SPLIT_REPEATED_STRATIFIED_KFOLD));
    ck_assert(!gcv_splitter_uses_classes(GCV_SPLIT_GROUP_KFOLD));
}
END_TEST

START_TEST(group_splitters_reject_missing_groups)
{
    struct gcv_splitter group_kfold = {.kind = GCV_SPLIT_GROUP_KFOLD, .n_splits = 2};

    check_rejected(&group_kfold, first_rows, 4, NULL, 0, NULL, GCV_ERR_INTERNAL,
                   "GroupKFold requires groups, got none");
}
END_TEST

START_TEST(fold_plan_free_accepts_null_and_empty)
{
    struct gcv_fold_plan plan = {NULL, 0};

    gcv_fold_plan_free(NULL);
    gcv_fold_plan_free(&plan);
    ck_assert_ptr_null(plan.folds);
}
END_TEST

static Suite *split_suite(void)
{
    Suite *suite = suite_create("split");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, kfold_matches_sklearn);
    tcase_add_test(tc, stratified_kfold_matches_sklearn);
    tcase_add_test(tc, predefined_split_matches_sklearn);
    tcase_add_test(tc, stratified_kfold_warns_as_sklearn);
    tcase_add_test(tc, kfold_rejects_fewer_than_two_splits);
    tcase_add_test(tc, kfold_rejects_more_splits_than_rows);
    tcase_add_test(tc, stratified_kfold_rejects_splits_above_every_class);
    tcase_add_test(tc, stratified_kfold_rejects_bad_labels);
    tcase_add_test(tc, predefined_split_rejects_no_test_fold);
    tcase_add_test(tc, fold_plan_rejects_unsorted_rows);
    tcase_add_test(tc, fold_plan_maps_positions_to_dataset_rows);
    tcase_add_test(tc, shuffled_kfold_matches_sklearn);
    tcase_add_test(tc, shuffled_stratified_kfold_matches_sklearn);
    tcase_add_test(tc, group_kfold_matches_sklearn);
    tcase_add_test(tc, stratified_group_kfold_matches_sklearn);
    tcase_add_test(tc, shuffle_split_matches_sklearn);
    tcase_add_test(tc, stratified_shuffle_split_matches_sklearn);
    tcase_add_test(tc, group_shuffle_split_matches_sklearn);
    tcase_add_test(tc, repeated_kfold_matches_sklearn);
    tcase_add_test(tc, leave_out_matches_sklearn);
    tcase_add_test(tc, time_series_split_matches_sklearn);
    tcase_add_test(tc, splitter_errors_match_sklearn);
    tcase_add_test(tc, train_test_split_matches_sklearn);
    tcase_add_test(tc, group_kfold_breaks_ties_as_numpy);
    tcase_add_test(tc, splitter_names_follow_sklearn);
    tcase_add_test(tc, group_splitters_reject_missing_groups);
    tcase_add_test(tc, fold_plan_free_accepts_null_and_empty);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(split_suite());
    int n_failed;

    srunner_run_all(runner, CK_NORMAL);
    n_failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return n_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
