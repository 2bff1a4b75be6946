/* Suite "scalers": StandardScaler, MinMaxScaler, RobustScaler and
 * Normalizer against scikit-learn 1.2.1 on wine and on a matrix of hard
 * cases (fixtures written by tests/unit/fixtures/make_scalers_fixtures.py):
 * fitted statistics and transformed rows, constant columns included, and
 * the parameter checks. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/estimator_checks.h"
#include "tests/unit/fixtures/scalers_fixtures.h"
#include "worker/estimators/scalers.h"

#define N_FIXTURES (sizeof scalers_fixtures / sizeof scalers_fixtures[0])

/* The statistics are sums in numpy's order, so they agree to the last
 * bits; the transform of the column near 1e9 loses 9 digits to
 * cancellation in both. 1e-12 relative, with a floor of 1e-9 for values
 * near 0 after centring, catches any change of formula. */
#define REL_TOL 1e-12
#define ABS_TOL 1e-9

static const struct gcv_estimator_ops *const kind_ops[] = {
    &gcv_standard_scaler_ops,
    &gcv_minmax_scaler_ops,
    &gcv_robust_scaler_ops,
    &gcv_normalizer_ops,
};

/* All rows (test true) or the rows i % 4 != 0 of a fixture's dataset. */
static struct gcv_rows fixture_rows(const struct scalers_fixture *fixture, bool all,
                                    size_t *index)
{
    const bool wine = strcmp(fixture->dataset, "wine") == 0;
    const size_t n_rows = wine ? WINE_ROWS : SCALERS_EDGE_ROWS;
    struct gcv_rows rows = {
        .X = wine ? wine_X : scalers_edge_X,
        .n_features = wine ? WINE_FEATURES : SCALERS_EDGE_FEATURES,
        .index = index,
    };

    for (size_t i = 0; i < n_rows; i++)
        if (all || i % 4 != 0)
            index[rows.n_rows++] = i;
    return rows;
}

static void *fit_fixture(const struct scalers_fixture *fixture)
{
    const struct gcv_estimator_ops *ops = kind_ops[fixture->kind];
    struct gcv_param items[4];
    struct gcv_param_set set = {.items = items, .count = fixture->n_params};
    size_t index[WINE_ROWS];
    const struct gcv_rows train = fixture_rows(fixture, false, index);
    struct gcv_error err = {0};
    void *params = NULL, *model = NULL;

    for (size_t k = 0; k < fixture->n_params; k++)
        items[k] = (struct gcv_param){.name = (char *)fixture->params[k].name,
                                      .value = fixture->params[k].value};
    ck_assert_int_eq(gcv_estimator_params_parse(ops, &set, &params, &err), GCV_OK);
    ck_assert_msg(ops->fit(params, &train, &model, &err) == GCV_OK, "%s: %s", fixture->name,
                  err.message);
    ops->params_free(params);
    return model;
}

static void check_values(const char *name, const char *what, const double *got,
                         const double *want, size_t n)
{
    for (size_t k = 0; k < n; k++)
        ck_assert_msg(close_to(got[k], want[k], REL_TOL, ABS_TOL), "%s: %s[%zu] = %.17g, want %.17g",
                      name, what, k, got[k], want[k]);
}

START_TEST(fit_matches_sklearn_statistics)
{
    const struct scalers_fixture *fixture = &scalers_fixtures[_i];
    void *model = fit_fixture(fixture);
    const size_t d = strcmp(fixture->dataset, "wine") == 0 ? WINE_FEATURES : SCALERS_EDGE_FEATURES;

    if (fixture->kind == GCV_SCALER_MINMAX) {
        const struct gcv_minmax_model *minmax = model;
        check_values(fixture->name, "min_", minmax->min, fixture->first, d);
        check_values(fixture->name, "scale_", minmax->scale, fixture->scale, d);
    } else if (fixture->kind != GCV_SCALER_NORMALIZER) {
        const struct gcv_scaler_model *affine = model;
        ck_assert((affine->center == NULL) == (fixture->first == NULL));
        ck_assert((affine->scale == NULL) == (fixture->scale == NULL));
        if (fixture->first != NULL)
            check_values(fixture->name, "center", affine->center, fixture->first, d);
        if (fixture->scale != NULL)
            check_values(fixture->name, "scale_", affine->scale, fixture->scale, d);
    }
    kind_ops[fixture->kind]->model_free(model);
}
END_TEST

START_TEST(transform_matches_sklearn)
{
    const struct scalers_fixture *fixture = &scalers_fixtures[_i];
    const struct gcv_estimator_ops *ops = kind_ops[fixture->kind];
    void *model = fit_fixture(fixture);
    size_t index[WINE_ROWS];
    const struct gcv_rows rows = fixture_rows(fixture, true, index);
    double *out = malloc(rows.n_rows * rows.n_features * sizeof *out);
    struct gcv_error err = {0};

    ck_assert_int_eq(ops->transform(model, &rows, out, &err), GCV_OK);
    check_values(fixture->name, "transformed", out, fixture->transformed,
                 rows.n_rows * rows.n_features);
    free(out);
    ops->model_free(model);
}
END_TEST

START_TEST(model_copy_transforms_alike)
{
    const struct scalers_fixture *fixture = &scalers_fixtures[_i];
    const struct gcv_estimator_ops *ops = kind_ops[fixture->kind];
    void *model, *copy;
    size_t index[WINE_ROWS];
    const struct gcv_rows rows = fixture_rows(fixture, true, index);
    const size_t n_values = rows.n_rows * rows.n_features;
    double *want = malloc(n_values * sizeof *want), *got = malloc(n_values * sizeof *got);
    struct gcv_error err = {0};

    /* The Normalizer's fit reads nothing, so it has no copy to make. */
    if (ops->model_copy == NULL) {
        ck_assert_int_eq(fixture->kind, GCV_SCALER_NORMALIZER);
        free(want);
        free(got);
        return;
    }
    model = fit_fixture(fixture);
    copy = ops->model_copy(model);
    ck_assert_ptr_nonnull(copy);
    ck_assert_int_eq(ops->transform(model, &rows, want, &err), GCV_OK);
    ops->model_free(model);
    ck_assert_int_eq(ops->transform(copy, &rows, got, &err), GCV_OK);
    ck_assert_msg(memcmp(got, want, n_values * sizeof *got) == 0, "%s: the copy transforms "
                  "differently", fixture->name);
    ops->model_free(copy);
    free(want);
    free(got);
}
END_TEST

START_TEST(transform_rejects_other_feature_count)
{
    void *model = fit_fixture(&scalers_fixtures[0]);
    size_t index[WINE_ROWS];
    struct gcv_rows rows = fixture_rows(&scalers_fixtures[0], true, index);
    double out[WINE_FEATURES];
    struct gcv_error err = {0};

    rows.n_rows = 1;
    rows.n_features = 4;
    ck_assert_int_eq(gcv_standard_scaler_ops.transform(model, &rows, out, &err), GCV_ERR_DATA);
    ck_assert_str_eq(err.message, "the scaler was fitted on 13 features, the rows have 4");
    gcv_standard_scaler_ops.model_free(model);
}
END_TEST

START_TEST(scalers_are_transformers)
{
    for (size_t k = 0; k < sizeof kind_ops / sizeof kind_ops[0]; k++) {
        ck_assert_int_eq(kind_ops[k]->kind, GCV_ESTIMATOR_TRANSFORMER);
        ck_assert_ptr_nonnull(kind_ops[k]->transform);
        ck_assert_ptr_null(kind_ops[k]->predict);
    }
}
END_TEST

START_TEST(params_reject_invalid_values)
{
    static const struct {
        const struct gcv_estimator_ops *ops;
        const char *name;
        struct gcv_value value;
        const char *message;
    } cases[] = {
        {&gcv_standard_scaler_ops, "with_mean", {.kind = GCV_VALUE_STRING, .string = "yes"},
         "with_mean must be true or false, got \"yes\" (param_grid[0].x[2], line 9 column 14)"},
        {&gcv_minmax_scaler_ops, "feature_range", {.kind = GCV_VALUE_INT, .integer = 1},
         "feature_range=1 is not supported yet: only the default range (0, 1) is available "
         "(param_grid[0].x[2], line 9 column 14)"},
        {&gcv_robust_scaler_ops, "quantile_range", {.kind = GCV_VALUE_NULL},
         "quantile_range=null is not supported yet: only the default range (25.0, 75.0) is "
         "available (param_grid[0].x[2], line 9 column 14)"},
        {&gcv_normalizer_ops, "norm", {.kind = GCV_VALUE_STRING, .string = "l3"},
         "norm must be one of \"l1\", \"l2\", \"max\", got \"l3\" (param_grid[0].x[2], line 9 "
         "column 14)"},
        {&gcv_standard_scaler_ops, "with_centering", {.kind = GCV_VALUE_BOOL, .boolean = true},
         "unknown StandardScaler parameter \"with_centering\" (param_grid[0].x[2], line 9 "
         "column 14); accepted: copy, with_mean, with_std"},
    };

    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        enum gcv_status status;
        struct gcv_error err = {0};

        parse_one(cases[k].ops, cases[k].name, cases[k].value, &status, &err);
        ck_assert_int_eq(status, GCV_ERR_PARAM);
        ck_assert_str_eq(err.message, cases[k].message);
    }
}
END_TEST

static Suite *scalers_suite(void)
{
    Suite *suite = suite_create("scalers");
    TCase *fit = tcase_create("fit");
    TCase *params = tcase_create("params");

    tcase_add_loop_test(fit, fit_matches_sklearn_statistics, 0, N_FIXTURES);
    tcase_add_loop_test(fit, transform_matches_sklearn, 0, N_FIXTURES);
    tcase_add_loop_test(fit, model_copy_transforms_alike, 0, N_FIXTURES);
    tcase_add_test(fit, transform_rejects_other_feature_count);
    tcase_add_test(fit, scalers_are_transformers);
    suite_add_tcase(suite, fit);

    tcase_add_test(params, params_reject_invalid_values);
    suite_add_tcase(suite, params);
    return suite;
}

int main(void)
{
    return run_suite(scalers_suite());
}
