/* Suite "ridge_classifier": RidgeClassifier against scikit-learn 1.2.1 on
 * wine, breast cancer and digits (fixtures written by tests/unit/fixtures/
 * make_ridge_classifier_fixtures.py): classes, coefficients, intercepts,
 * decision values and predicted labels, with class_weight="balanced", a
 * fold without one class, and the parameter checks. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/estimator_checks.h"
#include "tests/unit/fixtures/ridge_classifier_fixtures.h"
#include "worker/estimators/ridge.h"

#define N_FIXTURES (sizeof ridge_classifier_fixtures / sizeof ridge_classifier_fixtures[0])

/* The solver is direct, so coefficients and decision values differ from
 * scikit-learn's only by BLAS and LAPACK rounding: 1e-6 relative to the
 * largest value of the row or of the coefficient vector. */
#define REL_TOL 1e-6

/* A predicted label may differ only where scikit-learn's own decision is
 * this close to a tie (none does in these fixtures, but within rounding
 * of a tie either label is correct). */
#define TIE_TOL 1e-9

static struct gcv_ridge_classifier_model *
fit_fixture(const struct ridge_classifier_fixture *fixture)
{
    const struct gcv_rows train = class_rows(fixture->dataset, fixture->train, fixture->n_train);
    struct gcv_error err = {0};
    void *model = NULL;
    enum gcv_status status = gcv_ridge_classifier_ops.fit(&fixture->params, &train, &model, &err);

    ck_assert_msg(status == GCV_OK, "%s: fit failed: %s", fixture->name, err.message);
    return model;
}

START_TEST(fit_matches_sklearn_coefficients)
{
    const struct ridge_classifier_fixture *fixture = &ridge_classifier_fixtures[_i];
    struct gcv_ridge_classifier_model *model = fit_fixture(fixture);
    const size_t d = model->fit.n_features;
    double scale = 0;

    ck_assert_uint_eq(model->n_classes, fixture->n_classes);
    for (size_t c = 0; c < fixture->n_classes; c++)
        ck_assert_int_eq(model->classes[c], fixture->classes[c]);
    ck_assert_uint_eq(model->fit.n_targets, fixture->n_columns);
    for (size_t k = 0; k < fixture->n_columns * d; k++)
        scale = fmax(scale, fabs(fixture->coef[k]));
    for (size_t k = 0; k < fixture->n_columns * d; k++)
        ck_assert_msg(close_to(model->fit.coef[k], fixture->coef[k], REL_TOL, REL_TOL * scale),
                      "%s: coef[%zu] = %.17g, want %.17g", fixture->name, k, model->fit.coef[k],
                      fixture->coef[k]);
    for (size_t c = 0; c < fixture->n_columns; c++)
        ck_assert_msg(close_to(model->fit.intercept[c], fixture->intercept[c], REL_TOL, 1e-9),
                      "%s: intercept[%zu] = %.17g, want %.17g", fixture->name, c,
                      model->fit.intercept[c], fixture->intercept[c]);
    gcv_ridge_classifier_ops.model_free(model);
}
END_TEST

START_TEST(predict_matches_sklearn_labels)
{
    const struct ridge_classifier_fixture *fixture = &ridge_classifier_fixtures[_i];
    struct gcv_ridge_classifier_model *model = fit_fixture(fixture);
    const struct gcv_rows test = class_rows(fixture->dataset, fixture->test, fixture->n_test);
    const size_t n_columns = fixture->n_columns;
    double *decision = malloc(fixture->n_test * n_columns * sizeof *decision);
    double *predicted = malloc(fixture->n_test * sizeof *predicted);
    struct gcv_error err = {0};

    ck_assert_int_eq(gcv_ridge_classifier_decision(model, &test, decision, &err), GCV_OK);
    ck_assert_int_eq(gcv_ridge_classifier_ops.predict(model, &test, predicted, &err), GCV_OK);
    for (size_t r = 0; r < fixture->n_test; r++) {
        double scale = 0;

        for (size_t c = 0; c < n_columns; c++)
            scale = fmax(scale, fabs(fixture->decision[r * n_columns + c]));
        for (size_t c = 0; c < n_columns; c++)
            ck_assert_msg(close_to(decision[r * n_columns + c], fixture->decision[r * n_columns + c],
                                   0, REL_TOL * scale),
                          "%s: row %zu decision[%zu] = %.17g, want %.17g", fixture->name,
                          fixture->test[r], c, decision[r * n_columns + c],
                          fixture->decision[r * n_columns + c]);
        if (fixture->margin[r] > TIE_TOL)
            ck_assert_msg(predicted[r] == (double)fixture->predicted[r],
                          "%s: row %zu predicted %g, want %d", fixture->name, fixture->test[r],
                          predicted[r], (int)fixture->predicted[r]);
    }
    free(decision);
    free(predicted);
    gcv_ridge_classifier_ops.model_free(model);
}
END_TEST

START_TEST(decision_function_op_writes_binary_column)
{
    for (size_t f = 0; f < N_FIXTURES; f++) {
        const struct ridge_classifier_fixture *fixture = &ridge_classifier_fixtures[f];
        struct gcv_ridge_classifier_model *model = fit_fixture(fixture);
        const struct gcv_rows test = class_rows(fixture->dataset, fixture->test, fixture->n_test);
        double *decision = malloc(fixture->n_test * sizeof *decision);
        int32_t classes[DIGITS_CLASSES];
        size_t n_classes = 0;
        struct gcv_error err = {0};

        ck_assert_int_eq(gcv_ridge_classifier_ops.decision_function(model, &test, decision,
                                                                    classes, &n_classes, &err),
                         GCV_OK);
        ck_assert_uint_eq(n_classes, fixture->n_classes);
        for (size_t c = 0; c < n_classes; c++)
            ck_assert_int_eq(classes[c], fixture->classes[c]);
        if (fixture->n_columns == 1)
            for (size_t r = 0; r < fixture->n_test; r++)
                ck_assert(close_to(decision[r], fixture->decision[r], REL_TOL, 1e-12));
        free(decision);
        gcv_ridge_classifier_ops.model_free(model);
    }
}
END_TEST

START_TEST(single_class_fold_predicts_that_class)
{
    static const size_t train_index[] = {0, 1, 2, 3};   /* wine rows 0-3 are class 0 */
    static const size_t test_index[] = {100, 170};
    const struct gcv_rows train = class_rows("wine", train_index, 4);
    const struct gcv_rows test = class_rows("wine", test_index, 2);
    struct gcv_ridge_params params = {.alpha = 1.0, .fit_intercept = true};
    struct gcv_error err = {0};
    double predicted[2];
    void *model = NULL;

    ck_assert_int_eq(gcv_ridge_classifier_ops.fit(&params, &train, &model, &err), GCV_OK);
    ck_assert_int_eq(gcv_ridge_classifier_ops.predict(model, &test, predicted, &err), GCV_OK);
    ck_assert_double_eq(predicted[0], 0.0);
    ck_assert_double_eq(predicted[1], 0.0);
    gcv_ridge_classifier_ops.model_free(model);
}
END_TEST

START_TEST(fit_rejects_regression_targets)
{
    static const size_t index[] = {0, 1, 2};
    const struct gcv_rows train = diabetes_rows(index, 3);
    struct gcv_ridge_params params = {.alpha = 1.0, .fit_intercept = true};
    struct gcv_error err = {0};
    void *model = NULL;

    ck_assert_int_eq(gcv_ridge_classifier_ops.fit(&params, &train, &model, &err), GCV_ERR_DATA);
    ck_assert_str_eq(err.message, "RidgeClassifier needs class labels, and the rows have none");
}
END_TEST

START_TEST(params_accept_class_weight)
{
    enum gcv_status status;
    struct gcv_error err = {0};
    struct gcv_ridge_params *params;

    params = parse_one(&gcv_ridge_classifier_ops, "class_weight", string_value("balanced"),
                       &status, &err);
    ck_assert_int_eq(status, GCV_OK);
    ck_assert(params->class_weight_balanced);
    gcv_ridge_classifier_ops.params_free(params);

    params = parse_one(&gcv_ridge_classifier_ops, "class_weight", null_value(), &status, &err);
    ck_assert_int_eq(status, GCV_OK);
    ck_assert(!params->class_weight_balanced);
    gcv_ridge_classifier_ops.params_free(params);

    parse_one(&gcv_ridge_classifier_ops, "class_weight", string_value("auto"), &status, &err);
    ck_assert_int_eq(status, GCV_ERR_PARAM);
    ck_assert_str_eq(err.message, "class_weight must be null or \"balanced\", got \"auto\" "
                                  "(param_grid[0].x[2], line 9 column 14)");
}
END_TEST

static Suite *ridge_classifier_suite(void)
{
    Suite *suite = suite_create("ridge_classifier");
    TCase *fit = tcase_create("fit");
    TCase *params = tcase_create("params");

    tcase_add_loop_test(fit, fit_matches_sklearn_coefficients, 0, N_FIXTURES);
    tcase_add_loop_test(fit, predict_matches_sklearn_labels, 0, N_FIXTURES);
    tcase_add_test(fit, decision_function_op_writes_binary_column);
    tcase_add_test(fit, single_class_fold_predicts_that_class);
    tcase_add_test(fit, fit_rejects_regression_targets);
    suite_add_tcase(suite, fit);

    tcase_add_test(params, params_accept_class_weight);
    suite_add_tcase(suite, params);
    return suite;
}

int main(void)
{
    return run_suite(ridge_classifier_suite());
}
