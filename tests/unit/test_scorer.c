/* Suite "scorer": accuracy and r2 bit for bit as scikit-learn 1.2.1's
 * sklearn.metrics computes them, against the fixtures written by
 * tests/unit/fixtures/make_scorer_fixtures.py, and the scorer lookup. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/scorer.h"
#include "tests/unit/fixtures/scorer_fixtures.h"

#define N_SCORER_FIXTURES (sizeof scorer_fixtures / sizeof scorer_fixtures[0])

static uint64_t bits_of(double value)
{
    uint64_t bits;

    memcpy(&bits, &value, sizeof bits);
    return bits;
}

/* Checks fixture _i, the loop test's index. */
START_TEST(score_matches_sklearn_metrics)
{
    const struct scorer_fixture *fx = &scorer_fixtures[_i];
    const struct gcv_scorer *scorer = gcv_scorer_find(fx->scorer);
    double *y_true = malloc(fx->n * sizeof *y_true);
    double *y_pred = malloc(fx->n * sizeof *y_pred);
    struct gcv_error err = {GCV_OK, ""};
    double score = NAN;

    ck_assert_ptr_nonnull(scorer);
    ck_assert_ptr_nonnull(y_true);
    ck_assert_ptr_nonnull(y_pred);
    scorer_fixture_values(fx, y_true, y_pred);

    ck_assert_msg(scorer->score(y_true, y_pred, fx->n, &score, &err) == GCV_OK, "%s: %s",
                  fx->name, err.message);
    ck_assert_msg(bits_of(score) == bits_of(fx->expected), "%s: got %a (%.17g), sklearn has %a "
                  "(%.17g)", fx->name, score, score, fx->expected, fx->expected);
    free(y_pred);
    free(y_true);
}
END_TEST

/* sklearn's r2_score returns NaN with an UndefinedMetricWarning for fewer
 * than two rows. Here the score fails as a fit does, and the search's
 * error_score (NaN by default) takes its place. */
START_TEST(r2_rejects_one_row)
{
    const struct gcv_scorer *r2 = gcv_scorer_find("r2");
    const double y_true[1] = {1.5}, y_pred[1] = {1.5};
    struct gcv_error err = {GCV_OK, ""};
    double score = 42.0;

    ck_assert_int_eq(r2->score(y_true, y_pred, 1, &score, &err), GCV_ERR_FIT);
    ck_assert_int_eq(err.status, GCV_ERR_FIT);
    ck_assert_ptr_nonnull(strstr(err.message, "r2"));
    ck_assert_ptr_nonnull(strstr(err.message, "got 1"));
    ck_assert_double_eq(score, 42.0);

    ck_assert_int_eq(r2->score(y_true, y_pred, 0, &score, &err), GCV_ERR_FIT);
}
END_TEST

START_TEST(accuracy_rejects_no_rows)
{
    const struct gcv_scorer *accuracy = gcv_scorer_find("accuracy");
    const double y[1] = {0.0};
    struct gcv_error err = {GCV_OK, ""};
    double score = 42.0;

    ck_assert_int_eq(accuracy->score(y, y, 0, &score, &err), GCV_ERR_FIT);
    ck_assert_ptr_nonnull(strstr(err.message, "empty"));
    ck_assert_double_eq(score, 42.0);
}
END_TEST

START_TEST(find_by_exact_name)
{
    const struct gcv_scorer *accuracy = gcv_scorer_find("accuracy");
    const struct gcv_scorer *r2 = gcv_scorer_find("r2");

    ck_assert_ptr_nonnull(accuracy);
    ck_assert_str_eq(accuracy->name, "accuracy");
    ck_assert_int_eq(accuracy->target, GCV_SCORER_CLASSIFICATION);
    ck_assert_ptr_nonnull(r2);
    ck_assert_str_eq(r2->name, "r2");
    ck_assert_int_eq(r2->target, GCV_SCORER_REGRESSION);

    /* Names are case-sensitive, as scikit-learn's get_scorer looks them up
     * in a dict. */
    ck_assert_ptr_null(gcv_scorer_find("Accuracy"));
    ck_assert_ptr_null(gcv_scorer_find("r2 "));
    ck_assert_ptr_null(gcv_scorer_find("f1"));
    ck_assert_ptr_null(gcv_scorer_find(""));
}
END_TEST

/* A classifier's score method is accuracy and a regressor's is r2, which
 * is what GridSearchCV uses when scoring is None. */
START_TEST(default_follows_target)
{
    ck_assert_ptr_eq(gcv_scorer_default(GCV_SCORER_CLASSIFICATION), gcv_scorer_find("accuracy"));
    ck_assert_ptr_eq(gcv_scorer_default(GCV_SCORER_REGRESSION), gcv_scorer_find("r2"));
}
END_TEST

START_TEST(list_names_per_target)
{
    char names[64];

    gcv_scorer_list_names(GCV_SCORER_CLASSIFICATION, names, sizeof names);
    ck_assert_str_eq(names, "accuracy");
    gcv_scorer_list_names(GCV_SCORER_REGRESSION, names, sizeof names);
    ck_assert_str_eq(names, "r2");
}
END_TEST

static Suite *scorer_suite(void)
{
    Suite *suite = suite_create("scorer");
    TCase *tc = tcase_create("core");

    tcase_add_loop_test(tc, score_matches_sklearn_metrics, 0, (int)N_SCORER_FIXTURES);
    tcase_add_test(tc, r2_rejects_one_row);
    tcase_add_test(tc, accuracy_rejects_no_rows);
    tcase_add_test(tc, find_by_exact_name);
    tcase_add_test(tc, default_follows_target);
    tcase_add_test(tc, list_names_per_target);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(scorer_suite());
    int n_failed;

    srunner_run_all(runner, CK_NORMAL);
    n_failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return n_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
