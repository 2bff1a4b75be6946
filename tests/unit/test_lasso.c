/* Suite "lasso": Lasso against scikit-learn 1.2.1 on the diabetes data
 * (fixtures written by tests/unit/fixtures/make_enet_fixtures.py):
 * coefficients, intercept, iteration counts, duality gaps and predictions,
 * from an all-zero solution to a fit cut short by max_iter, and the
 * parameter checks. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/enet_checks.h"

#define N_FIXTURES (sizeof lasso_fixtures / sizeof lasso_fixtures[0])

START_TEST(fit_matches_sklearn)
{
    check_enet_fixture(&gcv_lasso_ops, &lasso_fixtures[_i]);
}
END_TEST

START_TEST(params_default_to_sklearn_values)
{
    struct gcv_enet_params *params = parse_defaults(&gcv_lasso_ops);

    ck_assert_double_eq(params->alpha, 1.0);
    ck_assert_double_eq(params->l1_ratio, 1.0);
    ck_assert(params->fit_intercept);
    ck_assert_int_eq(params->max_iter, 1000);
    ck_assert_double_eq(params->tol, 1e-4);
    gcv_lasso_ops.params_free(params);
}
END_TEST

START_TEST(params_reject_invalid_values)
{
    static const struct {
        const char *name;
        struct gcv_value value;
        const char *message;
    } cases[] = {
        {"alpha", {.kind = GCV_VALUE_REAL, .real = -0.1},
         "alpha must be a number >= 0, got -0.1 (param_grid[0].x[2], line 9 column 14)"},
        {"l1_ratio", {.kind = GCV_VALUE_REAL, .real = 0.5},
         "unknown Lasso parameter \"l1_ratio\" (param_grid[0].x[2], line 9 column 14); "
         "accepted: alpha, fit_intercept, precompute, max_iter, copy_X, tol, warm_start, "
         "positive, random_state, selection"},
        {"selection", {.kind = GCV_VALUE_STRING, .string = "random"},
         "selection=\"random\" is not supported yet: coordinates are updated in order; use "
         "\"cyclic\" (param_grid[0].x[2], line 9 column 14)"},
        {"precompute", {.kind = GCV_VALUE_BOOL, .boolean = true},
         "precompute=true is not supported yet: the Gram matrix variant of the solver is not "
         "implemented; use false (param_grid[0].x[2], line 9 column 14)"},
        {"max_iter", {.kind = GCV_VALUE_INT, .integer = 0},
         "max_iter must be null or an integer >= 1, got 0 (param_grid[0].x[2], line 9 "
         "column 14)"},
    };

    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        enum gcv_status status;
        struct gcv_error err = {0};

        parse_one(&gcv_lasso_ops, cases[k].name, cases[k].value, &status, &err);
        ck_assert_int_eq(status, GCV_ERR_PARAM);
        ck_assert_str_eq(err.message, cases[k].message);
    }
}
END_TEST

static Suite *lasso_suite(void)
{
    Suite *suite = suite_create("lasso");
    TCase *fit = tcase_create("fit");
    TCase *params = tcase_create("params");

    tcase_add_loop_test(fit, fit_matches_sklearn, 0, N_FIXTURES);
    suite_add_tcase(suite, fit);
    tcase_add_test(params, params_default_to_sklearn_values);
    tcase_add_test(params, params_reject_invalid_values);
    suite_add_tcase(suite, params);
    return suite;
}

int main(void)
{
    return run_suite(lasso_suite());
}
