/* Suite "ridge": the Ridge estimator against scikit-learn 1.2.1 on the
 * diabetes data (fixtures written by tests/unit/fixtures/
 * make_ridge_fixtures.py): coefficients, intercept and predictions of the
 * Cholesky, SVD and dual solvers, and the parameter checks. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/estimator_checks.h"
#include "tests/unit/fixtures/ridge_fixtures.h"
#include "worker/estimators/ridge.h"

#define N_FIXTURES (sizeof ridge_fixtures / sizeof ridge_fixtures[0])
#define N_TEST (sizeof ridge_test / sizeof ridge_test[0])

/* The solvers are direct (one factorisation, no iteration), so the only
 * differences from scikit-learn are the rounding of the BLAS and LAPACK
 * calls; the worst case, alpha = 0, has a condition number of 470 on
 * this data (numpy.linalg.cond of the centred X^T X). 1e-6 relative is far below any modelling difference and far
 * above that rounding. */
#define REL_TOL 1e-6

static struct gcv_ridge_fit *fit_fixture(const struct ridge_fixture *fixture)
{
    const struct gcv_rows train = diabetes_rows(fixture->train, fixture->n_train);
    struct gcv_error err = {0};
    void *model = NULL;
    enum gcv_status status = gcv_ridge_ops.fit(&fixture->params, &train, &model, &err);

    ck_assert_msg(status == GCV_OK, "%s: fit failed: %s", fixture->name, err.message);
    return model;
}

START_TEST(fit_matches_sklearn_coefficients)
{
    const struct ridge_fixture *fixture = &ridge_fixtures[_i];
    struct gcv_ridge_fit *model = fit_fixture(fixture);
    double scale = 0;

    for (size_t j = 0; j < DIABETES_FEATURES; j++)
        scale = fmax(scale, fabs(fixture->coef[j]));
    ck_assert_int_eq(model->n_targets, 1);
    for (size_t j = 0; j < DIABETES_FEATURES; j++)
        ck_assert_msg(close_to(model->coef[j], fixture->coef[j], REL_TOL, REL_TOL * scale),
                      "%s: coef[%zu] = %.17g, want %.17g", fixture->name, j, model->coef[j],
                      fixture->coef[j]);
    ck_assert_msg(close_to(model->intercept[0], fixture->intercept, REL_TOL, 1e-12),
                  "%s: intercept %.17g, want %.17g", fixture->name, model->intercept[0],
                  fixture->intercept);
    gcv_ridge_ops.model_free(model);
}
END_TEST

START_TEST(predict_matches_sklearn_on_held_out_rows)
{
    const struct ridge_fixture *fixture = &ridge_fixtures[_i];
    struct gcv_ridge_fit *model = fit_fixture(fixture);
    const struct gcv_rows test = diabetes_rows(ridge_test, N_TEST);
    double predicted[N_TEST];
    struct gcv_error err = {0};

    ck_assert_int_eq(gcv_ridge_ops.predict(model, &test, predicted, &err), GCV_OK);
    for (size_t r = 0; r < N_TEST; r++)
        ck_assert_msg(close_to(predicted[r], fixture->predicted[r], REL_TOL, 0),
                      "%s: row %zu predicted %.17g, want %.17g", fixture->name, ridge_test[r],
                      predicted[r], fixture->predicted[r]);
    gcv_ridge_ops.model_free(model);
}
END_TEST

START_TEST(singular_normal_equations_fall_back_to_svd)
{
    /* Every training row repeats feature 0 in feature 1, so with alpha = 0
     * X^T X is singular: Cholesky fails and the SVD gives the minimum-norm
     * solution, which splits the weight evenly between the two copies. The
     * targets are 3 x0 + 1, so each copy gets 1.5. */
    static const double X[] = {0, 0, 1, 1, 2, 2, 3, 3, 5, 5};
    static const double y[] = {1, 4, 7, 10, 16};
    static const size_t index[] = {0, 1, 2, 3, 4};
    const struct gcv_rows train = {
        .X = X, .n_features = 2, .index = index, .n_rows = 5, .y_value = y};
    struct gcv_ridge_params params = {.alpha = 0.0, .fit_intercept = true,
                                      .solver = GCV_RIDGE_CHOLESKY};
    struct gcv_error err = {0};
    struct gcv_ridge_fit *model = NULL;

    ck_assert_int_eq(gcv_ridge_ops.fit(&params, &train, (void **)&model, &err), GCV_OK);
    ck_assert(close_to(model->coef[0], 1.5, 1e-12, 1e-12));
    ck_assert(close_to(model->coef[1], 1.5, 1e-12, 1e-12));
    ck_assert(close_to(model->intercept[0], 1.0, 1e-12, 1e-12));
    gcv_ridge_ops.model_free(model);
}
END_TEST

START_TEST(predict_rejects_other_feature_count)
{
    struct gcv_ridge_fit *model = fit_fixture(&ridge_fixtures[0]);
    struct gcv_rows rows = diabetes_rows(ridge_test, 1);
    double predicted[1];
    struct gcv_error err = {0};

    rows.n_features = 4;
    ck_assert_int_eq(gcv_ridge_ops.predict(model, &rows, predicted, &err), GCV_ERR_DATA);
    ck_assert_str_eq(err.message, "Ridge was fitted on 10 features, the rows have 4");
    gcv_ridge_ops.model_free(model);
}
END_TEST

START_TEST(params_default_to_sklearn_values)
{
    struct gcv_ridge_params *params = parse_defaults(&gcv_ridge_ops);

    ck_assert_double_eq(params->alpha, 1.0);
    ck_assert(params->fit_intercept);
    ck_assert_int_eq(params->solver, GCV_RIDGE_AUTO);
    ck_assert(!params->class_weight_balanced);
    gcv_ridge_ops.params_free(params);
}
END_TEST

START_TEST(params_accept_ignored_and_valid_values)
{
    static const struct {
        const char *name;
        struct gcv_value value;
    } cases[] = {
        {"alpha", {.kind = GCV_VALUE_INT, .integer = 0}},
        {"copy_X", {.kind = GCV_VALUE_BOOL, .boolean = false}},
        {"max_iter", {.kind = GCV_VALUE_NULL}},
        {"max_iter", {.kind = GCV_VALUE_INT, .integer = 100}},
        {"tol", {.kind = GCV_VALUE_REAL, .real = 1e-3}},
        {"solver", {.kind = GCV_VALUE_STRING, .string = "svd"}},
        {"positive", {.kind = GCV_VALUE_BOOL, .boolean = false}},
        {"random_state", {.kind = GCV_VALUE_INT, .integer = 7}},
    };

    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        enum gcv_status status;
        struct gcv_error err = {0};
        void *params = parse_one(&gcv_ridge_ops, cases[k].name, cases[k].value, &status, &err);

        ck_assert_msg(status == GCV_OK, "%s: %s", cases[k].name, err.message);
        gcv_ridge_ops.params_free(params);
    }
}
END_TEST

START_TEST(params_reject_invalid_values)
{
    static const struct {
        const char *name;
        struct gcv_value value;
        const char *message;
    } cases[] = {
        {"alpha", {.kind = GCV_VALUE_REAL, .real = -1.0},
         "alpha must be a number >= 0, got -1.0 (param_grid[0].x[2], line 9 column 14)"},
        {"solver", {.kind = GCV_VALUE_STRING, .string = "sag"},
         "solver=\"sag\" is not supported yet: the iterative solvers are not implemented; use "
         "\"auto\", \"cholesky\" or \"svd\" (param_grid[0].x[2], line 9 column 14)"},
        {"solver", {.kind = GCV_VALUE_STRING, .string = "qr"},
         "solver must be one of \"auto\", \"svd\", \"cholesky\", \"lsqr\", \"sparse_cg\", "
         "\"sag\", \"saga\", \"lbfgs\", got \"qr\" (param_grid[0].x[2], line 9 column 14)"},
        {"positive", {.kind = GCV_VALUE_BOOL, .boolean = true},
         "positive=true is not supported yet: positive coefficients need the lbfgs solver, "
         "which is not implemented; use false (param_grid[0].x[2], line 9 column 14)"},
        {"max_iter", {.kind = GCV_VALUE_INT, .integer = 0},
         "max_iter must be null or an integer >= 1, got 0 (param_grid[0].x[2], line 9 column "
         "14)"},
        {"class_weight", {.kind = GCV_VALUE_STRING, .string = "balanced"},
         "unknown Ridge parameter \"class_weight\" (param_grid[0].x[2], line 9 column 14); "
         "accepted: alpha, fit_intercept, copy_X, max_iter, tol, solver, positive, "
         "random_state"},
    };

    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        enum gcv_status status;
        struct gcv_error err = {0};

        parse_one(&gcv_ridge_ops, cases[k].name, cases[k].value, &status, &err);
        ck_assert_int_eq(status, GCV_ERR_PARAM);
        ck_assert_str_eq(err.message, cases[k].message);
    }
}
END_TEST

static Suite *ridge_suite(void)
{
    Suite *suite = suite_create("ridge");
    TCase *fit = tcase_create("fit");
    TCase *params = tcase_create("params");

    tcase_add_loop_test(fit, fit_matches_sklearn_coefficients, 0, N_FIXTURES);
    tcase_add_loop_test(fit, predict_matches_sklearn_on_held_out_rows, 0, N_FIXTURES);
    tcase_add_test(fit, singular_normal_equations_fall_back_to_svd);
    tcase_add_test(fit, predict_rejects_other_feature_count);
    suite_add_tcase(suite, fit);

    tcase_add_test(params, params_default_to_sklearn_values);
    tcase_add_test(params, params_accept_ignored_and_valid_values);
    tcase_add_test(params, params_reject_invalid_values);
    suite_add_tcase(suite, params);
    return suite;
}

int main(void)
{
    return run_suite(ridge_suite());
}
