/* Suite "scorer": every scorer against scikit-learn 1.2.1's scorer objects
 * on the same model outputs (the fixtures written by
 * tests/unit/fixtures/make_scorer_fixtures.py), the warnings and failures
 * that follow scikit-learn's, and the scorer table. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/scorer.h"
#include "tests/unit/fixtures/scorer_fixtures.h"

#define N_SCORER_FIXTURES (sizeof scorer_fixtures / sizeof scorer_fixtures[0])

/* The largest difference from scikit-learn's value that a score may have. */
#define SCORE_TOLERANCE 1e-12

/* Builds the scorer input of fixture fx over y_true and y_pred, which the
 * caller fills with scorer_fixture_values. */
static struct gcv_scorer_input fixture_input(const struct scorer_fixture *fx,
                                             const double *y_true, const double *y_pred)
{
    struct gcv_scorer_input in = {
        .n_rows = fx->n,
        .y_true = y_true,
        .y_pred = y_pred,
        .has_decision_function = fx->has_decision_function,
        .decision = fx->decision,
        .proba = fx->proba,
        .classes = fx->classes,
        .n_classes = fx->n_classes,
        .pos_label = fx->pos_label,
        .pos_label_given = fx->pos_label_given,
    };
    return in;
}

/* Returns the warnings held since the last call, or NULL (free it). */
static char *take_warnings(void)
{
    return gcv_log_take_held();
}

/* Checks fixture _i, the loop test's index: the value within
 * SCORE_TOLERANCE, a failure where scikit-learn raises, and a warning
 * where scikit-learn warns. */
START_TEST(score_matches_sklearn_scorer)
{
    const struct scorer_fixture *fx = &scorer_fixtures[_i];
    const struct gcv_scorer *scorer = gcv_scorer_find(fx->scorer);
    double *y_true = malloc(fx->n * sizeof *y_true);
    double *y_pred = malloc(fx->n * sizeof *y_pred);
    struct gcv_error err = {GCV_OK, ""};
    struct gcv_scorer_input in;
    double score = 42.0;
    enum gcv_status status;
    char *warnings;

    ck_assert_msg(scorer != NULL, "%s: no scorer named %s", fx->name, fx->scorer);
    ck_assert_ptr_nonnull(y_true);
    ck_assert_ptr_nonnull(y_pred);
    scorer_fixture_values(fx, y_true, y_pred);
    in = fixture_input(fx, y_true, y_pred);

    gcv_log_hold_warnings(true);
    free(take_warnings());
    status = gcv_scorer_score(scorer, &in, &score, &err);
    warnings = take_warnings();

    if (fx->fails) {
        ck_assert_msg(status == GCV_ERR_FIT, "%s: scikit-learn raises, gridcv returned %s (%s) "
                      "and %.17g", fx->name, gcv_status_name(status), err.message, score);
        ck_assert_msg(strstr(err.message, fx->scorer) != NULL, "%s: the message \"%s\" does not "
                      "name the scorer", fx->name, err.message);
        ck_assert_double_eq(score, 42.0);
    } else {
        ck_assert_msg(status == GCV_OK, "%s: %s", fx->name, err.message);
        ck_assert_msg(fabs(score - fx->expected) <= SCORE_TOLERANCE, "%s: got %a (%.17g), "
                      "sklearn has %a (%.17g)", fx->name, score, score, fx->expected,
                      fx->expected);
        ck_assert_msg((warnings != NULL) == fx->warns, "%s: scikit-learn %s, gridcv %s%s",
                      fx->name, fx->warns ? "warns" : "does not warn",
                      warnings != NULL ? "warned: " : "did not warn",
                      warnings != NULL ? warnings : "");
    }
    free(warnings);
    gcv_log_hold_warnings(false);
    free(y_pred);
    free(y_true);
}
END_TEST

/* Every fixture bit for bit, because the scorers follow numpy's order of
 * operations. A case that differs is named on stderr with its
 * difference. */
START_TEST(scores_bit_identical_to_sklearn)
{
    size_t n_compared = 0, n_identical = 0;

    for (size_t k = 0; k < N_SCORER_FIXTURES; k++) {
        const struct scorer_fixture *fx = &scorer_fixtures[k];
        double *y_true = malloc(fx->n * sizeof *y_true);
        double *y_pred = malloc(fx->n * sizeof *y_pred);
        struct gcv_error err = {GCV_OK, ""};
        struct gcv_scorer_input in;
        double score = NAN;

        ck_assert_ptr_nonnull(y_true);
        ck_assert_ptr_nonnull(y_pred);
        scorer_fixture_values(fx, y_true, y_pred);
        in = fixture_input(fx, y_true, y_pred);
        gcv_log_hold_warnings(true);
        if (!fx->fails &&
            gcv_scorer_score(gcv_scorer_find(fx->scorer), &in, &score, &err) == GCV_OK) {
            n_compared++;
            if (score == fx->expected)
                n_identical++;
            else
                fprintf(stderr, "scorer: %s differs from sklearn by %.3g\n", fx->name,
                        score - fx->expected);
        }
        free(take_warnings());
        gcv_log_hold_warnings(false);
        free(y_pred);
        free(y_true);
    }
    ck_assert_uint_gt(n_compared, 300);
    ck_assert_uint_eq(n_identical, n_compared);
}
END_TEST

/* Every scoring name this release of gridcv implements, with what it
 * needs from the model, as sklearn/metrics/_scorer.py declares them. */
START_TEST(table_has_every_sklearn_name)
{
    static const struct {
        const char *name;
        enum gcv_scorer_target target;
        enum gcv_scorer_needs needs;
        bool binary_only;
        bool uses_pos_label;
    } expected[] = {
        {"accuracy", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_LABELS, false, false},
        {"balanced_accuracy", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_LABELS, false, false},
        {"matthews_corrcoef", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_LABELS, false, false},
        {"precision", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_LABELS, true, true},
        {"precision_micro", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_LABELS, false, false},
        {"precision_macro", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_LABELS, false, false},
        {"precision_weighted", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_LABELS, false, false},
        {"recall", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_LABELS, true, true},
        {"recall_micro", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_LABELS, false, false},
        {"recall_macro", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_LABELS, false, false},
        {"recall_weighted", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_LABELS, false, false},
        {"f1", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_LABELS, true, true},
        {"f1_micro", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_LABELS, false, false},
        {"f1_macro", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_LABELS, false, false},
        {"f1_weighted", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_LABELS, false, false},
        {"jaccard", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_LABELS, true, true},
        {"jaccard_micro", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_LABELS, false, false},
        {"jaccard_macro", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_LABELS, false, false},
        {"jaccard_weighted", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_LABELS, false, false},
        {"top_k_accuracy", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_THRESHOLD, true, false},
        {"roc_auc", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_THRESHOLD, true, false},
        {"average_precision", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_THRESHOLD, true, true},
        {"roc_auc_ovr", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_PROBA, false, false},
        {"roc_auc_ovo", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_PROBA, false, false},
        {"roc_auc_ovr_weighted", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_PROBA, false,
         false},
        {"roc_auc_ovo_weighted", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_PROBA, false,
         false},
        {"neg_log_loss", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_PROBA, false, false},
        {"neg_brier_score", GCV_SCORER_CLASSIFICATION, GCV_SCORER_NEEDS_PROBA, true, true},
        {"explained_variance", GCV_SCORER_REGRESSION, GCV_SCORER_NEEDS_LABELS, false, false},
        {"max_error", GCV_SCORER_REGRESSION, GCV_SCORER_NEEDS_LABELS, false, false},
        {"neg_mean_absolute_error", GCV_SCORER_REGRESSION, GCV_SCORER_NEEDS_LABELS, false,
         false},
        {"neg_mean_squared_error", GCV_SCORER_REGRESSION, GCV_SCORER_NEEDS_LABELS, false,
         false},
        {"neg_root_mean_squared_error", GCV_SCORER_REGRESSION, GCV_SCORER_NEEDS_LABELS, false,
         false},
        {"neg_median_absolute_error", GCV_SCORER_REGRESSION, GCV_SCORER_NEEDS_LABELS, false,
         false},
        {"neg_mean_absolute_percentage_error", GCV_SCORER_REGRESSION, GCV_SCORER_NEEDS_LABELS,
         false, false},
        {"neg_mean_squared_log_error", GCV_SCORER_REGRESSION, GCV_SCORER_NEEDS_LABELS, false,
         false},
        {"r2", GCV_SCORER_REGRESSION, GCV_SCORER_NEEDS_LABELS, false, false},
    };

    for (size_t k = 0; k < sizeof expected / sizeof expected[0]; k++) {
        const struct gcv_scorer *scorer = gcv_scorer_find(expected[k].name);

        ck_assert_msg(scorer != NULL, "no scorer named %s", expected[k].name);
        ck_assert_str_eq(scorer->name, expected[k].name);
        ck_assert_msg(scorer->target == expected[k].target, "%s: wrong target",
                      expected[k].name);
        ck_assert_msg(scorer->needs == expected[k].needs, "%s: wrong needs", expected[k].name);
        ck_assert_msg(scorer->binary_only == expected[k].binary_only, "%s: binary_only",
                      expected[k].name);
        ck_assert_msg(scorer->uses_pos_label == expected[k].uses_pos_label,
                      "%s: uses_pos_label", expected[k].name);
    }
}
END_TEST

/* sklearn's r2_score returns NaN with an UndefinedMetricWarning for fewer
 * than two rows. Here the score fails as a fit does, and the search's
 * error_score (NaN by default) takes its place. */
START_TEST(r2_rejects_one_row)
{
    const double y_true[1] = {1.5}, y_pred[1] = {1.5};
    struct gcv_scorer_input in = {.n_rows = 1, .y_true = y_true, .y_pred = y_pred};
    struct gcv_error err = {GCV_OK, ""};
    double score = 42.0;

    ck_assert_int_eq(gcv_scorer_score(gcv_scorer_find("r2"), &in, &score, &err), GCV_ERR_FIT);
    ck_assert_int_eq(err.status, GCV_ERR_FIT);
    ck_assert_ptr_nonnull(strstr(err.message, "r2"));
    ck_assert_ptr_nonnull(strstr(err.message, "got 1"));
    ck_assert_double_eq(score, 42.0);
}
END_TEST

START_TEST(every_scorer_rejects_no_rows)
{
    static const char *const names[] = {"accuracy", "f1_macro", "roc_auc", "neg_log_loss",
                                        "r2", "max_error"};
    const double y[1] = {0.0};
    const int32_t classes[2] = {0, 1};
    struct gcv_scorer_input in = {.n_rows = 0, .y_true = y, .y_pred = y, .proba = y,
                                  .classes = classes, .n_classes = 2};

    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        struct gcv_error err = {GCV_OK, ""};
        double score = 42.0;

        ck_assert_int_eq(gcv_scorer_score(gcv_scorer_find(names[k]), &in, &score, &err),
                         GCV_ERR_FIT);
        ck_assert_ptr_nonnull(strstr(err.message, names[k]));
        ck_assert_ptr_nonnull(strstr(err.message, "empty"));
        ck_assert_double_eq(score, 42.0);
    }
}
END_TEST

/* A scorer called without the output it needs is a bug of the caller,
 * not a failed fit. */
START_TEST(missing_output_is_internal_error)
{
    const double y[2] = {0.0, 1.0};
    struct gcv_scorer_input labels_only = {.n_rows = 2, .y_true = y, .y_pred = y};
    struct gcv_scorer_input no_labels = {.n_rows = 2, .y_true = y};
    struct gcv_error err = {GCV_OK, ""};
    double score = 42.0;

    ck_assert_int_eq(gcv_scorer_score(gcv_scorer_find("neg_log_loss"), &labels_only, &score,
                                      &err), GCV_ERR_INTERNAL);
    ck_assert_ptr_nonnull(strstr(err.message, "neg_log_loss"));
    ck_assert_int_eq(gcv_scorer_score(gcv_scorer_find("roc_auc"), &labels_only, &score, &err),
                     GCV_ERR_INTERNAL);
    ck_assert_int_eq(gcv_scorer_score(gcv_scorer_find("accuracy"), &no_labels, &score, &err),
                     GCV_ERR_INTERNAL);
    ck_assert_double_eq(score, 42.0);
}
END_TEST

/* A zero division warns with one fixed text per scorer, so the search's
 * held warnings print it once however many fits raise it. */
START_TEST(zero_division_warns_once_per_scorer)
{
    /* Nothing predicted as class 1: precision of class 1 is 0/0. */
    const double y_true[4] = {0, 1, 1, 0}, y_pred[4] = {0, 0, 0, 0};
    struct gcv_scorer_input in = {.n_rows = 4, .y_true = y_true, .y_pred = y_pred,
                                  .pos_label = 1};
    struct gcv_error err = {GCV_OK, ""};
    double score = 42.0;
    char *held;

    gcv_log_hold_warnings(true);
    free(take_warnings());
    for (int fit = 0; fit < 3; fit++) {
        ck_assert_int_eq(gcv_scorer_score(gcv_scorer_find("precision"), &in, &score, &err),
                         GCV_OK);
        ck_assert_double_eq(score, 0.0);
        ck_assert_int_eq(gcv_scorer_score(gcv_scorer_find("precision_macro"), &in, &score,
                                          &err), GCV_OK);
    }
    held = take_warnings();
    gcv_log_hold_warnings(false);

    ck_assert_ptr_nonnull(held);
    /* Two lines: one for precision, one for precision_macro. */
    ck_assert_ptr_nonnull(strstr(held, "precision: "));
    ck_assert_ptr_nonnull(strstr(held, "precision_macro: "));
    ck_assert_ptr_nonnull(strstr(held, "set to 0.0"));
    ck_assert_ptr_null(strchr(strchr(strchr(held, '\n') + 1, '\n') + 1, '\n'));
    free(held);
}
END_TEST

/* Where the spec names no positive class and the dataset has no label 1,
 * a binary scorer fails instead of guessing one. */
START_TEST(binary_scorer_needs_pos_label)
{
    const double y_true[4] = {0, 1, 1, 0}, y_pred[4] = {0, 1, 0, 0};
    struct gcv_scorer_input in = {.n_rows = 4, .y_true = y_true, .y_pred = y_pred,
                                  .pos_label = -1};
    struct gcv_error err = {GCV_OK, ""};
    double score = 42.0;

    ck_assert_int_eq(gcv_scorer_score(gcv_scorer_find("f1"), &in, &score, &err), GCV_ERR_FIT);
    ck_assert_ptr_nonnull(strstr(err.message, "pos_label"));
    ck_assert_int_eq(gcv_scorer_score(gcv_scorer_find("f1_macro"), &in, &score, &err), GCV_OK);
}
END_TEST

START_TEST(find_by_exact_name)
{
    ck_assert_ptr_nonnull(gcv_scorer_find("accuracy"));
    ck_assert_ptr_nonnull(gcv_scorer_find("neg_root_mean_squared_error"));

    /* Names are case-sensitive, as scikit-learn's get_scorer looks them up
     * in a dict, and the names scikit-learn has but gridcv does not are
     * unknown. */
    ck_assert_ptr_null(gcv_scorer_find("Accuracy"));
    ck_assert_ptr_null(gcv_scorer_find("r2 "));
    ck_assert_ptr_null(gcv_scorer_find("f1_samples"));
    ck_assert_ptr_null(gcv_scorer_find("neg_mean_poisson_deviance"));
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
    char names[1024], short_buffer[12];

    gcv_scorer_list_names(GCV_SCORER_CLASSIFICATION, names, sizeof names);
    ck_assert_ptr_eq(strstr(names, "accuracy, average_precision, balanced_accuracy, f1, "), names);
    ck_assert_ptr_nonnull(strstr(names, ", roc_auc_ovo_weighted, "));
    ck_assert_ptr_null(strstr(names, "r2"));
    gcv_scorer_list_names(GCV_SCORER_REGRESSION, names, sizeof names);
    ck_assert_str_eq(names, "explained_variance, max_error, neg_mean_absolute_error, "
                     "neg_mean_absolute_percentage_error, neg_mean_squared_error, "
                     "neg_mean_squared_log_error, neg_median_absolute_error, "
                     "neg_root_mean_squared_error, r2");

    /* A short buffer holds the start of the list. */
    gcv_scorer_list_names(GCV_SCORER_REGRESSION, short_buffer, sizeof short_buffer);
    ck_assert_str_eq(short_buffer, "explained_v");
}
END_TEST

static Suite *scorer_suite(void)
{
    Suite *suite = suite_create("scorer");
    TCase *tc = tcase_create("core");

    tcase_add_loop_test(tc, score_matches_sklearn_scorer, 0, (int)N_SCORER_FIXTURES);
    tcase_add_test(tc, scores_bit_identical_to_sklearn);
    tcase_add_test(tc, table_has_every_sklearn_name);
    tcase_add_test(tc, r2_rejects_one_row);
    tcase_add_test(tc, every_scorer_rejects_no_rows);
    tcase_add_test(tc, missing_output_is_internal_error);
    tcase_add_test(tc, zero_division_warns_once_per_scorer);
    tcase_add_test(tc, binary_scorer_needs_pos_label);
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
