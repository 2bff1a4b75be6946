/* Suite "threshold": gcv_threshold_pick on small sets whose best
 * threshold is derived by hand in each test, with the cost matrix and
 * scorers of common/scorer.c. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "common/log.h"
#include "common/scorer.h"
#include "coordinator/threshold.h"

START_TEST(cost_objective_moves_threshold_below_default)
{
    /* y = 0 0 0 1 1 1 with scores -2 -1 0.5 -0.5 1 3. predict (score > 0)
     * gives one false positive (0.5) and one false negative (-0.5): cost
     * 1 + 10 = 11 over 6 rows. Cutting between -1 and -0.5 (at -0.75)
     * keeps only the false positive: cost 1, the least of every cut
     * (every row positive costs 3, above -0.5 costs at least 10). */
    static const double cost[4] = {0, 1, 10, 0};
    const double y_true[6] = {0, 0, 0, 1, 1, 1};
    const double score[6] = {-2, -1, 0.5, -0.5, 1, 3};
    const double y_default[6] = {0, 0, 1, 0, 1, 1};
    const struct gcv_scorer_input base = {.pos_label = 1, .cost_matrix = cost,
                                          .n_cost_classes = 2};
    struct gcv_threshold_result out = {0};
    struct gcv_error err = {0};

    ck_assert_int_eq(gcv_threshold_pick(gcv_scorer_find("neg_mean_cost"), &base, y_true, score,
                                        y_default, 6, 1, 0, 0.0, &out, &err),
                     GCV_OK);
    ck_assert(out.improved);
    ck_assert_double_eq_tol(out.threshold, -0.75, 1e-15);
    ck_assert_double_eq_tol(out.default_score, -11.0 / 6, 1e-15);
    ck_assert_double_eq_tol(out.tuned_score, -1.0 / 6, 1e-15);
    ck_assert(out.has_cost);
    ck_assert_double_eq_tol(out.default_cost, 11.0 / 6, 1e-15);
    ck_assert_double_eq_tol(out.tuned_cost, 1.0 / 6, 1e-15);
    ck_assert_uint_eq(out.n_rows, 6);
}
END_TEST

START_TEST(default_kept_when_no_cut_beats_it)
{
    /* y = 0 0 0 1 1 1 with scores -2 -1 0.5 0.2 1 3: predict's labels
     * (score > 0) have accuracy 5/6, and no cut does better (the one
     * false positive at 0.5 lies above the true positive at 0.2), so the
     * default threshold is kept. */
    const double y_true[6] = {0, 0, 0, 1, 1, 1};
    const double score[6] = {-2, -1, 0.5, 0.2, 1, 3};
    const double y_default[6] = {0, 0, 1, 1, 1, 1};
    const struct gcv_scorer_input base = {.pos_label = 1};
    struct gcv_threshold_result out = {0};
    struct gcv_error err = {0};

    ck_assert_int_eq(gcv_threshold_pick(gcv_scorer_find("accuracy"), &base, y_true, score,
                                        y_default, 6, 1, 0, 0.0, &out, &err),
                     GCV_OK);
    ck_assert(!out.improved);
    ck_assert_double_eq(out.threshold, 0.0);
    ck_assert_double_eq_tol(out.default_score, 5.0 / 6, 1e-15);
    ck_assert_double_eq_tol(out.tuned_score, 5.0 / 6, 1e-15);
    ck_assert(!out.has_cost);
}
END_TEST

START_TEST(f1_objective_on_probabilities)
{
    /* y = 0 1 0 1 with probabilities 0.1 0.3 0.6 0.9 and predict's labels
     * 0 0 1 1 (f1 1/2). Cutting at 0.2 (between 0.1 and 0.3) gives
     * tp 2, fp 1: precision 2/3, recall 1, f1 0.8, the best of the cuts
     * (all positive: 2/3; above 0.6: 2/3; none: 0). */
    const double y_true[4] = {0, 1, 0, 1};
    const double score[4] = {0.1, 0.3, 0.6, 0.9};
    const double y_default[4] = {0, 0, 1, 1};
    const struct gcv_scorer_input base = {.pos_label = 1};
    struct gcv_threshold_result out = {0};
    struct gcv_error err = {0};

    ck_assert_int_eq(gcv_threshold_pick(gcv_scorer_find("f1"), &base, y_true, score, y_default,
                                        4, 1, 0, 0.5, &out, &err),
                     GCV_OK);
    ck_assert(out.improved);
    ck_assert_double_eq_tol(out.threshold, 0.2, 1e-15);
    ck_assert_double_eq_tol(out.default_score, 0.5, 1e-15);
    ck_assert_double_eq_tol(out.tuned_score, 0.8, 1e-15);
    ck_assert_double_eq(out.default_threshold, 0.5);
}
END_TEST

START_TEST(positive_class_zero_labels_cut_rows)
{
    /* The positive class is code 0: rows at or above the cut get label 0.
     * y = 1 1 0 0 with scores (for class 0) -1 0.4 0.6 2 and predict's
     * labels 1 0 0 0: recall of class 0 is 1, precision 2/3, f1 0.8.
     * Cutting at 0.5 gives labels 1 1 0 0, f1 1. */
    const double y_true[4] = {1, 1, 0, 0};
    const double score[4] = {-1, 0.4, 0.6, 2};
    const double y_default[4] = {1, 0, 0, 0};
    const struct gcv_scorer_input base = {.pos_label = 0, .pos_label_given = true};
    struct gcv_threshold_result out = {0};
    struct gcv_error err = {0};

    ck_assert_int_eq(gcv_threshold_pick(gcv_scorer_find("f1"), &base, y_true, score, y_default,
                                        4, 0, 1, 0.0, &out, &err),
                     GCV_OK);
    ck_assert(out.improved);
    ck_assert_double_eq_tol(out.threshold, 0.5, 1e-15);
    ck_assert_double_eq_tol(out.default_score, 0.8, 1e-15);
    ck_assert_double_eq_tol(out.tuned_score, 1.0, 1e-15);
    ck_assert_int_eq(out.positive, 0);
    ck_assert_int_eq(out.negative, 1);
}
END_TEST

START_TEST(many_distinct_scores_use_spaced_cuts)
{
    /* 20000 rows with distinct scores i / 20000, positive from row 6010
     * on, and predict's labels cut at 0.5 (accuracy 0.8005). The 20001
     * cuts exceed GCV_THRESHOLD_MAX_CUTS, so 1001 evenly spaced ones are
     * scored: cut k lies before row 20 k. None separates the classes,
     * although scoring all 20001 would find the cut before row 6010. The
     * cuts before rows 6000 and 6020 both mislabel 10 rows (accuracy
     * 0.9995), and the tie goes to the one nearer 0.5. */
    enum { N = 20000 };
    static double y_true[N], score[N], y_default[N];
    const struct gcv_scorer_input base = {.pos_label = 1};
    struct gcv_threshold_result out = {0};
    struct gcv_error err = {0};

    for (size_t i = 0; i < N; i++) {
        score[i] = (double)i / N;
        y_true[i] = i >= 6010 ? 1 : 0;
        y_default[i] = score[i] >= 0.5 ? 1 : 0;
    }
    ck_assert_int_eq(gcv_threshold_pick(gcv_scorer_find("accuracy"), &base, y_true, score,
                                        y_default, N, 1, 0, 0.5, &out, &err),
                     GCV_OK);
    ck_assert(out.improved);
    ck_assert_double_eq_tol(out.default_score, 0.8005, 1e-15);
    ck_assert_double_eq_tol(out.tuned_score, 0.9995, 1e-15);
    ck_assert_double_eq_tol(out.threshold, (6019.0 + 6020.0) / 2 / N, 1e-15);
}
END_TEST

static Suite *threshold_suite(void)
{
    Suite *suite = suite_create("threshold");
    TCase *pick = tcase_create("pick");

    tcase_add_test(pick, cost_objective_moves_threshold_below_default);
    tcase_add_test(pick, default_kept_when_no_cut_beats_it);
    tcase_add_test(pick, f1_objective_on_probabilities);
    tcase_add_test(pick, positive_class_zero_labels_cut_rows);
    tcase_add_test(pick, many_distinct_scores_use_spaced_cuts);
    suite_add_tcase(suite, pick);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(threshold_suite());
    int failed;

    gcv_log_threshold = GCV_LOG_ERROR;
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
