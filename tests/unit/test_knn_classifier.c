/* Suite "knn_classifier": KNeighborsClassifier against scikit-learn 1.2.1
 * on digits, wine and breast cancer (fixtures written by
 * tests/unit/fixtures/make_knn_fixtures.py): the neighbours of every test
 * row, in scikit-learn's order even among the exact ties of the integer
 * digits pixels, the predicted labels and probabilities with uniform and
 * distance weights, and the parameter checks. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/knn_checks.h"
#include "worker/fold_cache.h"

#define N_FIXTURES (sizeof knn_classifier_fixtures / sizeof knn_classifier_fixtures[0])

START_TEST(kneighbors_match_sklearn_order)
{
    check_kneighbors(&gcv_knn_classifier_ops, &knn_classifier_fixtures[_i]);
}
END_TEST

/* The same through the fold cache. Its selection of each row's nearest
 * must keep scikit-learn's order, also among the ties of the digits
 * pixels. The training rows, the test rows and their neighbours are the
 * cache's 3 items. */
START_TEST(cached_kneighbors_match_sklearn_order)
{
    struct gcv_fold_cache_stats stats;

    gcv_fold_cache_configure((size_t)64 << 20);
    check_kneighbors(&gcv_knn_classifier_ops, &knn_classifier_fixtures[_i]);
    gcv_fold_cache_get_stats(&stats);
    ck_assert_uint_eq(stats.stores, 3);
    gcv_fold_cache_configure(0);
}
END_TEST

START_TEST(predict_matches_sklearn_labels)
{
    const struct knn_fixture *fixture = &knn_classifier_fixtures[_i];
    size_t train_index[DIGITS_ROWS], test_index[DIGITS_ROWS];
    const struct gcv_rows train = knn_rows(fixture, false, train_index);
    const struct gcv_rows test = knn_rows(fixture, true, test_index);
    double *predicted = malloc(test.n_rows * sizeof *predicted);
    struct gcv_error err = {0};
    void *model = NULL;

    ck_assert_int_eq(gcv_knn_classifier_ops.fit(&fixture->params, &train, &model, &err), GCV_OK);
    ck_assert_int_eq(gcv_knn_classifier_ops.predict(model, &test, predicted, &err), GCV_OK);
    for (size_t r = 0; r < test.n_rows; r++)
        ck_assert_msg(predicted[r] == (double)fixture->predicted_class[r],
                      "%s: row %zu predicted %g, want %d", fixture->name, test_index[r],
                      predicted[r], (int)fixture->predicted_class[r]);
    free(predicted);
    gcv_knn_classifier_ops.model_free(model);
}
END_TEST

START_TEST(predict_proba_matches_sklearn)
{
    const struct knn_fixture *fixture = &knn_classifier_fixtures[_i];
    size_t train_index[DIGITS_ROWS], test_index[DIGITS_ROWS];
    const struct gcv_rows train = knn_rows(fixture, false, train_index);
    const struct gcv_rows test = knn_rows(fixture, true, test_index);
    const size_t K = fixture->n_classes;
    double *proba = malloc(test.n_rows * K * sizeof *proba);
    int32_t classes[DIGITS_CLASSES];
    size_t n_classes = 0;
    struct gcv_error err = {0};
    void *model = NULL;

    ck_assert_int_eq(gcv_knn_classifier_ops.fit(&fixture->params, &train, &model, &err), GCV_OK);
    ck_assert_int_eq(gcv_knn_classifier_ops.predict_proba(model, &test, proba, classes,
                                                          &n_classes, &err),
                     GCV_OK);
    ck_assert_uint_eq(n_classes, K);
    for (size_t c = 0; c < K; c++)
        ck_assert_int_eq(classes[c], (int32_t)c);
    /* Sums of the same weights in the same order: equal to rounding of the
     * distances, which only the "distance" weights read. */
    for (size_t k = 0; k < test.n_rows * K; k++)
        ck_assert_msg(close_to(proba[k], fixture->proba[k], 1e-12, 0),
                      "%s: proba[%zu] = %.17g, want %.17g", fixture->name, k, proba[k],
                      fixture->proba[k]);
    free(proba);
    gcv_knn_classifier_ops.model_free(model);
}
END_TEST

START_TEST(vote_ties_go_to_smallest_class)
{
    /* Four training points at distances 1, 1, 2, 2 from the query 0 with
     * classes 2, 1, 1, 2: with k = 4 each class has two votes, so class 1
     * wins; with distance weights each class sums to 1 + 0.5, so class 1
     * wins again, as weighted_mode keeps the first of equal sums. */
    static const double X[] = {1, -1, 2, -2, 0};
    static const int32_t y[] = {2, 1, 1, 2, 0};
    static const size_t train_index[] = {0, 1, 2, 3};
    static const size_t test_index[] = {4};
    const struct gcv_rows train = {.X = X, .n_features = 1, .index = train_index, .n_rows = 4,
                                   .y_class = y, .n_classes = 3};
    const struct gcv_rows test = {.X = X, .n_features = 1, .index = test_index, .n_rows = 1};
    struct gcv_neighbors_params params = {.n_neighbors = 4, .metric = GCV_NEIGHBORS_EUCLIDEAN,
                                          .p = 2};
    struct gcv_error err = {0};
    double predicted;
    void *model = NULL;

    for (int weighted = 0; weighted <= 1; weighted++) {
        params.distance_weights = weighted == 1;
        ck_assert_int_eq(gcv_knn_classifier_ops.fit(&params, &train, &model, &err), GCV_OK);
        ck_assert_int_eq(gcv_knn_classifier_ops.predict(model, &test, &predicted, &err), GCV_OK);
        ck_assert_double_eq(predicted, 1.0);
        gcv_knn_classifier_ops.model_free(model);
    }
}
END_TEST

START_TEST(zero_distance_neighbours_take_every_weight)
{
    /* The query equals training point 0 (class 0); the other two neighbours
     * (class 1, nearer than any class 0 point but one) weigh 0. */
    static const double X[] = {0, 0.1, 0.2, 5, 0};
    static const int32_t y[] = {0, 1, 1, 0, 0};
    static const size_t train_index[] = {0, 1, 2, 3};
    static const size_t test_index[] = {4};
    const struct gcv_rows train = {.X = X, .n_features = 1, .index = train_index, .n_rows = 4,
                                   .y_class = y, .n_classes = 2};
    const struct gcv_rows test = {.X = X, .n_features = 1, .index = test_index, .n_rows = 1};
    const struct gcv_neighbors_params params = {
        .n_neighbors = 3, .distance_weights = true, .metric = GCV_NEIGHBORS_EUCLIDEAN, .p = 2};
    struct gcv_error err = {0};
    double predicted;
    void *model = NULL;

    ck_assert_int_eq(gcv_knn_classifier_ops.fit(&params, &train, &model, &err), GCV_OK);
    ck_assert_int_eq(gcv_knn_classifier_ops.predict(model, &test, &predicted, &err), GCV_OK);
    ck_assert_double_eq(predicted, 0.0);
    gcv_knn_classifier_ops.model_free(model);
}
END_TEST

START_TEST(more_neighbours_than_rows_fails_the_fit)
{
    static const size_t train_index[] = {0, 1, 2};
    static const size_t test_index[] = {3};
    const struct gcv_rows train = class_rows("wine", train_index, 3);
    const struct gcv_rows test = class_rows("wine", test_index, 1);
    const struct gcv_neighbors_params params = {.n_neighbors = 5,
                                                .metric = GCV_NEIGHBORS_EUCLIDEAN, .p = 2};
    struct gcv_error err = {0};
    double predicted;
    void *model = NULL;

    ck_assert_int_eq(gcv_knn_classifier_ops.fit(&params, &train, &model, &err), GCV_OK);
    ck_assert_int_eq(gcv_knn_classifier_ops.predict(model, &test, &predicted, &err), GCV_ERR_FIT);
    ck_assert_str_eq(err.message, "KNeighborsClassifier: n_neighbors=5 is more than the 3 "
                                  "training rows of the fit");
    gcv_knn_classifier_ops.model_free(model);
}
END_TEST

START_TEST(params_default_to_sklearn_values)
{
    struct gcv_neighbors_params *params = parse_defaults(&gcv_knn_classifier_ops);

    ck_assert_int_eq(params->n_neighbors, 5);
    ck_assert(!params->distance_weights);
    ck_assert_int_eq(params->metric, GCV_NEIGHBORS_EUCLIDEAN);
    gcv_knn_classifier_ops.params_free(params);
}
END_TEST

START_TEST(params_resolve_metric_and_p)
{
    static const struct {
        const char *name;
        struct gcv_value value;
        enum gcv_neighbors_metric metric;
    } cases[] = {
        {"p", {.kind = GCV_VALUE_INT, .integer = 1, .real = 1}, GCV_NEIGHBORS_MANHATTAN},
        {"p", {.kind = GCV_VALUE_REAL, .real = 2.0}, GCV_NEIGHBORS_EUCLIDEAN},
        {"p", {.kind = GCV_VALUE_REAL, .real = 3.5}, GCV_NEIGHBORS_MINKOWSKI},
        {"metric", {.kind = GCV_VALUE_STRING, .string = "manhattan"}, GCV_NEIGHBORS_MANHATTAN},
        {"metric", {.kind = GCV_VALUE_STRING, .string = "euclidean"}, GCV_NEIGHBORS_EUCLIDEAN},
        {"algorithm", {.kind = GCV_VALUE_STRING, .string = "kd_tree"}, GCV_NEIGHBORS_EUCLIDEAN},
    };

    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        enum gcv_status status;
        struct gcv_error err = {0};
        struct gcv_neighbors_params *params =
            parse_one(&gcv_knn_classifier_ops, cases[k].name, cases[k].value, &status, &err);

        ck_assert_msg(status == GCV_OK, "case %zu: %s", k, err.message);
        ck_assert_int_eq(params->metric, cases[k].metric);
        gcv_knn_classifier_ops.params_free(params);
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
        {"n_neighbors", {.kind = GCV_VALUE_INT, .integer = 0},
         "n_neighbors must be an integer >= 1, got 0 (param_grid[0].x[2], line 9 column 14)"},
        {"n_neighbors", {.kind = GCV_VALUE_REAL, .real = 5.0},
         "n_neighbors must be an integer >= 1, got 5.0 (param_grid[0].x[2], line 9 column 14)"},
        {"weights", {.kind = GCV_VALUE_STRING, .string = "gaussian"},
         "weights must be \"uniform\", \"distance\" or null, got \"gaussian\" "
         "(param_grid[0].x[2], line 9 column 14)"},
        {"p", {.kind = GCV_VALUE_REAL, .real = 0.5},
         "p=0.5 is not supported yet: p < 1 is not a metric and only the brute force of "
         "scikit-learn accepts it; use p >= 1 (param_grid[0].x[2], line 9 column 14)"},
        {"metric", {.kind = GCV_VALUE_STRING, .string = "cosine"},
         "metric=\"cosine\" is not supported yet: the metrics are \"minkowski\", "
         "\"euclidean\" and \"manhattan\" (param_grid[0].x[2], line 9 column 14)"},
        {"algorithm", {.kind = GCV_VALUE_STRING, .string = "fast"},
         "algorithm must be one of \"auto\", \"ball_tree\", \"kd_tree\", \"brute\", got \"fast\" "
         "(param_grid[0].x[2], line 9 column 14)"},
    };

    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        enum gcv_status status;
        struct gcv_error err = {0};

        parse_one(&gcv_knn_classifier_ops, cases[k].name, cases[k].value, &status, &err);
        ck_assert_int_eq(status, GCV_ERR_PARAM);
        ck_assert_str_eq(err.message, cases[k].message);
    }
}
END_TEST

static Suite *knn_classifier_suite(void)
{
    Suite *suite = suite_create("knn_classifier");
    TCase *fit = tcase_create("fit");
    TCase *params = tcase_create("params");

    tcase_set_timeout(fit, 60);
    tcase_add_loop_test(fit, kneighbors_match_sklearn_order, 0, N_FIXTURES);
    tcase_add_loop_test(fit, cached_kneighbors_match_sklearn_order, 0, N_FIXTURES);
    tcase_add_loop_test(fit, predict_matches_sklearn_labels, 0, N_FIXTURES);
    tcase_add_loop_test(fit, predict_proba_matches_sklearn, 0, N_FIXTURES);
    tcase_add_test(fit, vote_ties_go_to_smallest_class);
    tcase_add_test(fit, zero_distance_neighbours_take_every_weight);
    tcase_add_test(fit, more_neighbours_than_rows_fails_the_fit);
    suite_add_tcase(suite, fit);

    tcase_add_test(params, params_default_to_sklearn_values);
    tcase_add_test(params, params_resolve_metric_and_p);
    tcase_add_test(params, params_reject_invalid_values);
    suite_add_tcase(suite, params);
    return suite;
}

int main(void)
{
    return run_suite(knn_classifier_suite());
}
