/* Suite "elastic_net": ElasticNet against scikit-learn 1.2.1 on the
 * diabetes data (fixtures written by tests/unit/fixtures/
 * make_enet_fixtures.py): coefficients, intercept, iteration counts,
 * duality gaps and predictions for l1_ratio from 0 to 0.9, and the
 * parameter checks. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/enet_checks.h"

#define N_FIXTURES (sizeof elastic_net_fixtures / sizeof elastic_net_fixtures[0])

START_TEST(fit_matches_sklearn)
{
    check_enet_fixture(&gcv_elastic_net_ops, &elastic_net_fixtures[_i]);
}
END_TEST

START_TEST(params_default_to_sklearn_values)
{
    struct gcv_enet_params *params = parse_defaults(&gcv_elastic_net_ops);

    ck_assert_double_eq(params->alpha, 1.0);
    ck_assert_double_eq(params->l1_ratio, 0.5);
    ck_assert(params->fit_intercept);
    ck_assert_int_eq(params->max_iter, 1000);
    ck_assert_double_eq(params->tol, 1e-4);
    gcv_elastic_net_ops.params_free(params);
}
END_TEST

START_TEST(params_check_l1_ratio)
{
    enum gcv_status status;
    struct gcv_error err = {0};
    struct gcv_enet_params *params;

    params = parse_one(&gcv_elastic_net_ops, "l1_ratio", int_value(1), &status, &err);
    ck_assert_int_eq(status, GCV_OK);
    ck_assert_double_eq(params->l1_ratio, 1.0);
    gcv_elastic_net_ops.params_free(params);

    parse_one(&gcv_elastic_net_ops, "l1_ratio", real_value(1.5), &status, &err);
    ck_assert_int_eq(status, GCV_ERR_PARAM);
    ck_assert_str_eq(err.message, "l1_ratio must be a number in [0, 1], got 1.5 "
                                  "(param_grid[0].x[2], line 9 column 14)");
}
END_TEST

static Suite *elastic_net_suite(void)
{
    Suite *suite = suite_create("elastic_net");
    TCase *fit = tcase_create("fit");
    TCase *params = tcase_create("params");

    tcase_add_loop_test(fit, fit_matches_sklearn, 0, N_FIXTURES);
    suite_add_tcase(suite, fit);
    tcase_add_test(params, params_default_to_sklearn_values);
    tcase_add_test(params, params_check_l1_ratio);
    suite_add_tcase(suite, params);
    return suite;
}

int main(void)
{
    return run_suite(elastic_net_suite());
}
