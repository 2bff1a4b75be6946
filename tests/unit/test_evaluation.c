/* Suite "evaluation": the confusion matrix, classification report, ROC and
 * precision-recall curves and mean cost of the holdout evaluation against
 * sklearn.metrics on the fixtures written by
 * tests/unit/fixtures/make_evaluation_fixtures.py, the neg_mean_cost
 * scorer on the same cases, and the files the report writes. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/scorer.h"
#include "coordinator/evaluation.h"
#include "tests/unit/fixtures/evaluation_fixtures.h"

#define N_FIXTURES (sizeof evaluation_fixtures / sizeof evaluation_fixtures[0])

/* The largest difference from scikit-learn's value that a number may have. */
#define TOLERANCE 1e-12

/* Evaluates fixture fx into *eval; the caller frees it. */
static void evaluate_fixture(const struct evaluation_fixture *fx, struct gcv_evaluation *eval)
{
    struct gcv_error err = {GCV_OK, ""};
    enum gcv_status status;

    status = gcv_evaluation_compute(fx->y_true, fx->y_pred, fx->n_rows, fx->n_classes,
                                    fx->positive, fx->score, fx->cost, eval, &err);
    ck_assert_msg(status == GCV_OK, "%s: %s", fx->name, err.message);
}

static void assert_near(const char *what, const char *name, size_t i, double got,
                        double expected)
{
    ck_assert_msg(fabs(got - expected) <= TOLERANCE, "%s: %s[%zu] = %.17g, scikit-learn %.17g",
                  name, what, i, got, expected);
}

START_TEST(confusion_matrix_matches_sklearn)
{
    const struct evaluation_fixture *fx = &evaluation_fixtures[_i];
    size_t matrix[16];

    ck_assert_uint_le(fx->n_classes * fx->n_classes, 16);
    gcv_evaluation_confusion_matrix(fx->y_true, fx->y_pred, fx->n_rows, fx->n_classes, matrix);
    for (size_t k = 0; k < fx->n_classes * fx->n_classes; k++)
        ck_assert_msg(matrix[k] == fx->confusion[k], "%s: cell %zu is %zu, scikit-learn %zu",
                      fx->name, k, matrix[k], fx->confusion[k]);
}
END_TEST

START_TEST(classification_report_matches_sklearn)
{
    const struct evaluation_fixture *fx = &evaluation_fixtures[_i];
    struct gcv_evaluation eval;

    evaluate_fixture(fx, &eval);
    for (size_t k = 0; k < fx->n_classes; k++) {
        assert_near("precision", fx->name, k, eval.rows[k].precision, fx->precision[k]);
        assert_near("recall", fx->name, k, eval.rows[k].recall, fx->recall[k]);
        assert_near("f1", fx->name, k, eval.rows[k].f1, fx->f1[k]);
        ck_assert_uint_eq(eval.rows[k].support, fx->support[k]);
    }
    assert_near("accuracy", fx->name, 0, eval.accuracy, fx->accuracy);
    ck_assert_msg(eval.all_labels_present == fx->has_accuracy,
                  "%s: the report should name its micro average %s", fx->name,
                  fx->has_accuracy ? "accuracy" : "micro avg");
    assert_near("macro precision", fx->name, 0, eval.macro.precision, fx->macro[0]);
    assert_near("macro recall", fx->name, 0, eval.macro.recall, fx->macro[1]);
    assert_near("macro f1", fx->name, 0, eval.macro.f1, fx->macro[2]);
    assert_near("weighted precision", fx->name, 0, eval.weighted.precision, fx->weighted[0]);
    assert_near("weighted recall", fx->name, 0, eval.weighted.recall, fx->weighted[1]);
    assert_near("weighted f1", fx->name, 0, eval.weighted.f1, fx->weighted[2]);
    ck_assert_uint_eq(eval.macro.support, fx->n_rows);
    ck_assert_uint_eq(eval.weighted.support, fx->n_rows);
    gcv_evaluation_free(&eval);
}
END_TEST

START_TEST(roc_curve_matches_sklearn)
{
    const struct evaluation_fixture *fx = &evaluation_fixtures[_i];
    struct gcv_evaluation eval;

    evaluate_fixture(fx, &eval);
    ck_assert_msg(eval.has_curves == (fx->score != NULL), "%s: curves %d, expected %d",
                  fx->name, eval.has_curves, fx->score != NULL);
    if (fx->score != NULL) {
        ck_assert_msg(eval.roc.n_points == fx->n_roc, "%s: %zu ROC points, scikit-learn %zu",
                      fx->name, eval.roc.n_points, fx->n_roc);
        ck_assert_uint_eq(eval.roc.n_thresholds, fx->n_roc);
        for (size_t i = 0; i < fx->n_roc; i++) {
            assert_near("fpr", fx->name, i, eval.roc.x[i], fx->fpr[i]);
            assert_near("tpr", fx->name, i, eval.roc.y[i], fx->tpr[i]);
            assert_near("roc threshold", fx->name, i, eval.roc.thresholds[i],
                        fx->roc_thresholds[i]);
        }
        assert_near("roc_auc", fx->name, 0, eval.roc_auc, fx->roc_auc);
    }
    gcv_evaluation_free(&eval);
}
END_TEST

START_TEST(pr_curve_matches_sklearn)
{
    const struct evaluation_fixture *fx = &evaluation_fixtures[_i];
    struct gcv_evaluation eval;

    evaluate_fixture(fx, &eval);
    if (fx->score != NULL) {
        ck_assert_msg(eval.pr.n_points == fx->n_pr, "%s: %zu points, scikit-learn %zu",
                      fx->name, eval.pr.n_points, fx->n_pr);
        ck_assert_uint_eq(eval.pr.n_thresholds, fx->n_pr - 1);
        for (size_t i = 0; i < fx->n_pr; i++) {
            assert_near("precision", fx->name, i, eval.pr.y[i], fx->pr_precision[i]);
            assert_near("recall", fx->name, i, eval.pr.x[i], fx->pr_recall[i]);
        }
        for (size_t i = 0; i + 1 < fx->n_pr; i++)
            assert_near("pr threshold", fx->name, i, eval.pr.thresholds[i],
                        fx->pr_thresholds[i]);
        assert_near("average_precision", fx->name, 0, eval.average_precision,
                    fx->average_precision);
    }
    gcv_evaluation_free(&eval);
}
END_TEST

START_TEST(mean_cost_matches_sklearn)
{
    const struct evaluation_fixture *fx = &evaluation_fixtures[_i];
    double y_true[64], y_pred[64], score = NAN;
    struct gcv_scorer_input in = {
        .n_rows = fx->n_rows,
        .y_true = y_true,
        .y_pred = y_pred,
        .cost_matrix = fx->cost,
        .n_cost_classes = fx->n_classes,
    };
    struct gcv_evaluation eval;
    struct gcv_error err = {GCV_OK, ""};

    evaluate_fixture(fx, &eval);
    ck_assert(eval.has_cost);
    assert_near("mean cost", fx->name, 0, eval.mean_cost, fx->mean_cost);
    gcv_evaluation_free(&eval);

    /* The scorer is minus the same number. */
    ck_assert_uint_le(fx->n_rows, 64);
    for (size_t i = 0; i < fx->n_rows; i++) {
        y_true[i] = fx->y_true[i];
        y_pred[i] = fx->y_pred[i];
    }
    ck_assert_int_eq(gcv_scorer_score(gcv_scorer_find("neg_mean_cost"), &in, &score, &err),
                     GCV_OK);
    assert_near("neg_mean_cost", fx->name, 0, score, -fx->mean_cost);
}
END_TEST

START_TEST(neg_mean_cost_without_matrix_fails)
{
    const double y[2] = {0, 1};
    struct gcv_scorer_input in = {.n_rows = 2, .y_true = y, .y_pred = y};
    struct gcv_error err = {GCV_OK, ""};
    double score = 42.0;

    ck_assert_int_eq(gcv_scorer_score(gcv_scorer_find("neg_mean_cost"), &in, &score, &err),
                     GCV_ERR_INTERNAL);
    ck_assert_ptr_nonnull(strstr(err.message, "cost_matrix"));
    ck_assert_double_eq(score, 42.0);
}
END_TEST

/* Reads the whole file folder/name into buf; returns false when missing. */
static bool read_text(const char *folder, const char *name, char *buf, size_t len)
{
    char path[512];
    FILE *file;
    size_t n;

    snprintf(path, sizeof path, "%s/%s", folder, name);
    if ((file = fopen(path, "r")) == NULL)
        return false;
    n = fread(buf, 1, len - 1, file);
    buf[n] = '\0';
    fclose(file);
    return true;
}

START_TEST(write_uses_dataset_labels)
{
    const struct evaluation_fixture *fx = &evaluation_fixtures[0];
    long long labels[2] = {-3, 7};
    struct gcv_dataset data = {.n_classes = 2, .is_classification = true,
                               .label_kind = GCV_LABELS_INTEGER, .class_integers = labels};
    char folder[] = "/tmp/gridcv-test-evaluation.XXXXXX", text[65536], expected[256];
    struct gcv_evaluation eval;
    struct gcv_error err = {GCV_OK, ""};
    static const char *const names[] = {"confusion_matrix.csv", "classification_report.csv",
                                        "roc_curve.csv", "precision_recall_curve.csv",
                                        "roc_curve.svg", "precision_recall_curve.svg",
                                        "holdout_cost.csv"};

    ck_assert_ptr_nonnull(mkdtemp(folder));
    evaluate_fixture(fx, &eval);
    ck_assert_msg(gcv_evaluation_write(&eval, &data, folder, &err) == GCV_OK, "%s",
                  err.message);

    /* Header and rows carry the labels -3 and 7, not the codes. */
    ck_assert(read_text(folder, "confusion_matrix.csv", text, sizeof text));
    snprintf(expected, sizeof expected, "true\\predicted,-3,7\n-3,%zu,%zu\n7,%zu,%zu\n",
             fx->confusion[0], fx->confusion[1], fx->confusion[2], fx->confusion[3]);
    ck_assert_str_eq(text, expected);
    ck_assert(read_text(folder, "classification_report.csv", text, sizeof text));
    ck_assert_ptr_nonnull(strstr(text, "label,precision,recall,f1-score,support\n-3,"));
    ck_assert_ptr_nonnull(strstr(text, "\naccuracy,,,"));
    ck_assert(read_text(folder, "roc_curve.csv", text, sizeof text));
    ck_assert_ptr_nonnull(strstr(text, "# positive class 7, roc_auc "));
    ck_assert(read_text(folder, "precision_recall_curve.csv", text, sizeof text));
    ck_assert_ptr_nonnull(strstr(text, "\nprecision,recall,threshold\n"));
    ck_assert(read_text(folder, "roc_curve.svg", text, sizeof text));
    ck_assert_ptr_nonnull(strstr(text, "default threshold"));

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[512];

        snprintf(path, sizeof path, "%s/%s", folder, names[i]);
        ck_assert_msg(unlink(path) == 0, "%s was not written", names[i]);
    }
    rmdir(folder);
    gcv_evaluation_free(&eval);
}
END_TEST

static Suite *evaluation_suite(void)
{
    Suite *suite = suite_create("evaluation");
    TCase *tc = tcase_create("core");

    tcase_add_loop_test(tc, confusion_matrix_matches_sklearn, 0, (int)N_FIXTURES);
    tcase_add_loop_test(tc, classification_report_matches_sklearn, 0, (int)N_FIXTURES);
    tcase_add_loop_test(tc, roc_curve_matches_sklearn, 0, (int)N_FIXTURES);
    tcase_add_loop_test(tc, pr_curve_matches_sklearn, 0, (int)N_FIXTURES);
    tcase_add_loop_test(tc, mean_cost_matches_sklearn, 0, (int)N_FIXTURES);
    tcase_add_test(tc, neg_mean_cost_without_matrix_fails);
    tcase_add_test(tc, write_uses_dataset_labels);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(evaluation_suite());
    int n_failed;

    srunner_run_all(runner, CK_NORMAL);
    n_failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return n_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
