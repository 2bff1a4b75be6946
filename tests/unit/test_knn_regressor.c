/* Suite "knn_regressor": KNeighborsRegressor against scikit-learn 1.2.1 on
 * the diabetes data (fixtures written by
 * tests/unit/fixtures/make_knn_fixtures.py): the neighbours of every test
 * row and the predictions with uniform and distance weights, for the
 * euclidean, manhattan and minkowski (p = 1.5) metrics. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/knn_checks.h"

#define N_FIXTURES (sizeof knn_regressor_fixtures / sizeof knn_regressor_fixtures[0])

/* The neighbours are the same rows, so a prediction is the same mean or
 * weighted mean; only the rounding of the distances (and so of the
 * weights) differs. */
#define PREDICT_REL_TOL 1e-12

START_TEST(kneighbors_match_sklearn_order)
{
    check_kneighbors(&gcv_knn_regressor_ops, &knn_regressor_fixtures[_i]);
}
END_TEST

START_TEST(predict_matches_sklearn_values)
{
    const struct knn_fixture *fixture = &knn_regressor_fixtures[_i];
    size_t train_index[DIGITS_ROWS], test_index[DIGITS_ROWS];
    const struct gcv_rows train = knn_rows(fixture, false, train_index);
    const struct gcv_rows test = knn_rows(fixture, true, test_index);
    double *predicted = malloc(test.n_rows * sizeof *predicted);
    struct gcv_error err = {0};
    void *model = NULL;

    ck_assert_int_eq(gcv_knn_regressor_ops.fit(&fixture->params, &train, &model, &err), GCV_OK);
    ck_assert_int_eq(gcv_knn_regressor_ops.predict(model, &test, predicted, &err), GCV_OK);
    for (size_t r = 0; r < test.n_rows; r++)
        ck_assert_msg(close_to(predicted[r], fixture->predicted_value[r], PREDICT_REL_TOL, 0),
                      "%s: row %zu predicted %.17g, want %.17g", fixture->name, test_index[r],
                      predicted[r], fixture->predicted_value[r]);
    free(predicted);
    gcv_knn_regressor_ops.model_free(model);
}
END_TEST

START_TEST(distance_weights_average_exact_matches)
{
    /* The query equals training rows 0 and 2 (targets 10 and 30), so they
     * weigh 1 and the third neighbour 0: the prediction is 20. */
    static const double X[] = {1, 2, 1, 4, 1};
    static const double y[] = {10, 99, 30, 7, 0};
    static const size_t train_index[] = {0, 1, 2, 3};
    static const size_t test_index[] = {4};
    const struct gcv_rows train = {.X = X, .n_features = 1, .index = train_index, .n_rows = 4,
                                   .y_value = y};
    const struct gcv_rows test = {.X = X, .n_features = 1, .index = test_index, .n_rows = 1};
    const struct gcv_neighbors_params params = {
        .n_neighbors = 3, .distance_weights = true, .metric = GCV_NEIGHBORS_EUCLIDEAN, .p = 2};
    struct gcv_error err = {0};
    double predicted;
    void *model = NULL;

    ck_assert_int_eq(gcv_knn_regressor_ops.fit(&params, &train, &model, &err), GCV_OK);
    ck_assert_int_eq(gcv_knn_regressor_ops.predict(model, &test, &predicted, &err), GCV_OK);
    ck_assert_double_eq(predicted, 20.0);
    gcv_knn_regressor_ops.model_free(model);
}
END_TEST

START_TEST(fit_rejects_class_labels)
{
    static const size_t index[] = {0, 1, 2};
    const struct gcv_rows train = class_rows("wine", index, 3);
    const struct gcv_neighbors_params params = {.n_neighbors = 1,
                                                .metric = GCV_NEIGHBORS_EUCLIDEAN, .p = 2};
    struct gcv_error err = {0};
    void *model = NULL;

    ck_assert_int_eq(gcv_knn_regressor_ops.fit(&params, &train, &model, &err), GCV_ERR_DATA);
    ck_assert_str_eq(err.message, "KNeighborsRegressor needs regression targets, and the rows "
                                  "have none");
}
END_TEST

START_TEST(params_name_the_regressor)
{
    enum gcv_status status;
    struct gcv_error err = {0};

    parse_one(&gcv_knn_regressor_ops, "radius", real_value(1.0), &status, &err);
    ck_assert_int_eq(status, GCV_ERR_PARAM);
    ck_assert_str_eq(err.message, "unknown KNeighborsRegressor parameter \"radius\" "
                                  "(param_grid[0].x[2], line 9 column 14); accepted: "
                                  "n_neighbors, weights, algorithm, leaf_size, p, metric, "
                                  "metric_params, n_jobs");
}
END_TEST

static Suite *knn_regressor_suite(void)
{
    Suite *suite = suite_create("knn_regressor");
    TCase *fit = tcase_create("fit");
    TCase *params = tcase_create("params");

    tcase_add_loop_test(fit, kneighbors_match_sklearn_order, 0, N_FIXTURES);
    tcase_add_loop_test(fit, predict_matches_sklearn_values, 0, N_FIXTURES);
    tcase_add_test(fit, distance_weights_average_exact_matches);
    tcase_add_test(fit, fit_rejects_class_labels);
    suite_add_tcase(suite, fit);

    tcase_add_test(params, params_name_the_regressor);
    suite_add_tcase(suite, params);
    return suite;
}

int main(void)
{
    return run_suite(knn_regressor_suite());
}
