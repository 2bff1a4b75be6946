/* Suite "gradient_boosting": GradientBoostingClassifier and
 * GradientBoostingRegressor against scikit-learn 1.2.1, whose values
 * tests/unit/fixtures/make_gradient_boosting_fixtures.py writes. It checks
 * predict, decision_function and predict_proba after fits with every loss,
 * with and without subsampling, then models saved and loaded back, the
 * fits that fail and the parameter checks. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/model_file.h"
#include "tests/unit/estimator_checks.h"
#include "tests/unit/fixtures/gradient_boosting_fixtures.h"
#include "worker/estimators/gradient_boosting.h"

#define N_GB_FIXTURES (sizeof gb_fixtures / sizeof gb_fixtures[0])

/* Relative tolerance on raw predictions and probabilities. The fit repeats
 * scikit-learn's operations in their order, and on the x86-64 machine the
 * suite was written on every value was equal bit for bit. The margin
 * covers a numpy whose vectorised exp or log rounds the last bit otherwise
 * than the C library. */
#define RAW_TOL 1e-12

static const struct gcv_estimator_ops *gb_ops(const char *name)
{
    if (strcmp(name, gcv_gradient_boosting_classifier_ops.name) == 0)
        return &gcv_gradient_boosting_classifier_ops;
    ck_assert_str_eq(name, gcv_gradient_boosting_regressor_ops.name);
    return &gcv_gradient_boosting_regressor_ops;
}

/* The rows i % 4 != 0 (train) or i % 4 == 0 (test) of a fixture dataset,
 * written to index. */
static struct gcv_rows fixture_rows(const char *dataset, bool test, size_t *index)
{
    size_t n_total, n = 0;

    if (strcmp(dataset, "diabetes") == 0)
        n_total = DIABETES_ROWS;
    else if (strcmp(dataset, "wine") == 0)
        n_total = WINE_ROWS;
    else if (strcmp(dataset, "cancer") == 0)
        n_total = CANCER_ROWS;
    else
        n_total = DIGITS_ROWS;
    for (size_t i = 0; i < n_total; i++)
        if ((i % 4 == 0) == test)
            index[n++] = i;
    if (strcmp(dataset, "diabetes") == 0)
        return diabetes_rows(index, n);
    return class_rows(dataset, index, n);
}

/* Parses params[n_params] for ops and fits on the training rows of
 * dataset. */
static struct gcv_gb_model *fit_fixture(const struct gb_fixture *fixture)
{
    const struct gcv_estimator_ops *ops = gb_ops(fixture->estimator);
    const struct gcv_param_set set = {.items = fixture->params, .count = fixture->n_params};
    size_t train_index[DIGITS_ROWS];
    const struct gcv_rows train = fixture_rows(fixture->dataset, false, train_index);
    struct gcv_error err = {0};
    void *parsed = NULL, *model = NULL;

    ck_assert_msg(ops->params_parse(&set, &parsed, &err) == GCV_OK, "%s", err.message);
    ck_assert_msg(ops->fit(parsed, &train, &model, &err) == GCV_OK, "%s", err.message);
    ops->params_free(parsed);
    return model;
}

START_TEST(predict_matches_sklearn)
{
    const struct gb_fixture *fixture = &gb_fixtures[_i];
    const struct gcv_estimator_ops *ops = gb_ops(fixture->estimator);
    struct gcv_gb_model *model = fit_fixture(fixture);
    size_t test_index[DIGITS_ROWS];
    const struct gcv_rows test = fixture_rows(fixture->dataset, true, test_index);
    double *predicted = malloc(test.n_rows * sizeof *predicted);
    struct gcv_error err = {0};

    ck_assert_int_eq(ops->predict(model, &test, predicted, &err), GCV_OK);
    for (size_t r = 0; r < test.n_rows; r++) {
        if (ops->kind == GCV_ESTIMATOR_CLASSIFIER)
            ck_assert_msg(predicted[r] == fixture->predicted[r], "%s: row %zu predicted %g, "
                          "want %g", fixture->name, test_index[r], predicted[r],
                          fixture->predicted[r]);
        else
            ck_assert_msg(close_to(predicted[r], fixture->predicted[r], RAW_TOL, 0.0),
                          "%s: row %zu predicted %.17g, want %.17g", fixture->name,
                          test_index[r], predicted[r], fixture->predicted[r]);
    }
    free(predicted);
    gcv_gb_model_free(model);
}
END_TEST

START_TEST(raw_predictions_match_sklearn)
{
    const struct gb_fixture *fixture = &gb_fixtures[_i];
    struct gcv_gb_model *model = fit_fixture(fixture);
    size_t test_index[DIGITS_ROWS];
    const struct gcv_rows test = fixture_rows(fixture->dataset, true, test_index);
    const size_t n_values = test.n_rows * fixture->n_columns;
    double *raw = malloc(n_values * sizeof *raw);
    struct gcv_error err = {0};

    ck_assert_uint_eq(model->n_columns, fixture->n_columns);
    ck_assert_msg(model->n_stages == fixture->n_stages, "%s: %zu stages, want %zu",
                  fixture->name, model->n_stages, fixture->n_stages);
    ck_assert_int_eq(gcv_gb_raw_predict(model, &test, raw, &err), GCV_OK);
    for (size_t i = 0; i < n_values; i++)
        ck_assert_msg(close_to(raw[i], fixture->raw[i], RAW_TOL, 1e-15),
                      "%s: row %zu column %zu raw prediction %.17g, want %.17g",
                      fixture->name, test_index[i / fixture->n_columns],
                      i % fixture->n_columns, raw[i], fixture->raw[i]);
    free(raw);
    gcv_gb_model_free(model);
}
END_TEST

START_TEST(decision_function_matches_sklearn)
{
    const struct gb_fixture *fixture = &gb_fixtures[_i];
    const struct gcv_estimator_ops *ops = gb_ops(fixture->estimator);
    struct gcv_gb_model *model;
    size_t test_index[DIGITS_ROWS];
    const struct gcv_rows test = fixture_rows(fixture->dataset, true, test_index);
    int32_t classes[DIGITS_CLASSES];
    size_t n_classes = 0;
    double *decision;
    struct gcv_error err = {0};

    if (ops->kind == GCV_ESTIMATOR_REGRESSOR) {
        ck_assert_ptr_null(ops->decision_function);
        return;
    }
    model = fit_fixture(fixture);
    decision = malloc(test.n_rows * sizeof *decision);
    for (size_t r = 0; r < test.n_rows; r++)
        decision[r] = -7.0;
    ck_assert_int_eq(ops->decision_function(model, &test, decision, classes, &n_classes, &err),
                     GCV_OK);
    ck_assert_uint_eq(n_classes, test.n_classes);
    for (size_t k = 0; k < n_classes; k++)
        ck_assert_int_eq(classes[k], (int32_t)k);
    for (size_t r = 0; r < test.n_rows; r++) {
        if (fixture->n_columns == 1)
            ck_assert_msg(close_to(decision[r], fixture->raw[r], RAW_TOL, 1e-15),
                          "%s: row %zu decision %.17g, want %.17g", fixture->name,
                          test_index[r], decision[r], fixture->raw[r]);
        else
            ck_assert_double_eq(decision[r], -7.0);
    }
    free(decision);
    gcv_gb_model_free(model);
}
END_TEST

START_TEST(proba_matches_sklearn)
{
    const struct gb_fixture *fixture = &gb_fixtures[_i];
    const struct gcv_estimator_ops *ops = gb_ops(fixture->estimator);
    struct gcv_gb_model *model;
    size_t test_index[DIGITS_ROWS];
    const struct gcv_rows test = fixture_rows(fixture->dataset, true, test_index);
    int32_t classes[DIGITS_CLASSES];
    size_t n_classes = 0;
    double *proba;
    struct gcv_error err = {0};

    if (fixture->proba == NULL) {
        ck_assert_ptr_null(ops->predict_proba);
        return;
    }
    model = fit_fixture(fixture);
    proba = malloc(test.n_rows * test.n_classes * sizeof *proba);
    ck_assert_int_eq(ops->predict_proba(model, &test, proba, classes, &n_classes, &err),
                     GCV_OK);
    ck_assert_uint_eq(n_classes, test.n_classes);
    for (size_t i = 0; i < test.n_rows * n_classes; i++)
        ck_assert_msg(close_to(proba[i], fixture->proba[i], RAW_TOL, 1e-15),
                      "%s: row %zu class %zu probability %.17g, want %.17g", fixture->name,
                      test_index[i / n_classes], i % n_classes, proba[i], fixture->proba[i]);
    free(proba);
    gcv_gb_model_free(model);
}
END_TEST

/* ----- save and load ------------------------------------------------------ */

static const long long class_labels[DIGITS_CLASSES] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};

/* A model file path of this process, removed by the caller. */
static void model_path(char *path, size_t len)
{
    snprintf(path, len, "/tmp/gridcv_test_gb_model_%ld.h5", (long)getpid());
}

/* Writes model, fitted by ops on rows like train, to path. */
static void write_model(const char *path, const struct gcv_estimator_ops *ops,
                        const void *model, const struct gcv_rows *train)
{
    const struct gcv_model_header header = {
        .estimator = (char *)ops->name,
        .best_params = "{}",
        .n_features = train->n_features,
        .label_kind = train->y_class != NULL ? GCV_LABELS_INTEGER : GCV_LABELS_NONE,
        .n_classes = train->y_class != NULL ? train->n_classes : 0,
        .class_integers = (long long *)class_labels,
    };
    struct gcv_error err = {0};

    ck_assert_msg(gcv_model_file_write(path, &header, ops->save, model, &err) == GCV_OK, "%s",
                  err.message);
}

/* Loads the model of path with ops->load, returning the status. */
static enum gcv_status read_model(const char *path, const struct gcv_estimator_ops *ops,
                                  void **model, struct gcv_error *err)
{
    struct gcv_model_header header;
    hid_t file, group;
    enum gcv_status status;

    ck_assert_msg(gcv_model_file_open(path, &header, &file, &group, err) == GCV_OK, "%s",
                  err->message);
    status = ops->load(group, model, err);
    H5Gclose(group);
    H5Fclose(file);
    gcv_model_header_free(&header);
    return status;
}

START_TEST(loaded_model_predicts_same_bits)
{
    const struct gb_fixture *fixture = &gb_fixtures[_i];
    const struct gcv_estimator_ops *ops = gb_ops(fixture->estimator);
    struct gcv_gb_model *fitted = fit_fixture(fixture);
    size_t train_index[DIGITS_ROWS], test_index[DIGITS_ROWS];
    const struct gcv_rows train = fixture_rows(fixture->dataset, false, train_index);
    const struct gcv_rows test = fixture_rows(fixture->dataset, true, test_index);
    const size_t n = test.n_rows, width = test.n_classes > 0 ? test.n_classes : 1;
    double *fitted_out = calloc(n * width, sizeof *fitted_out);
    double *loaded_out = calloc(n * width, sizeof *loaded_out);
    int32_t classes[DIGITS_CLASSES];
    size_t n_classes;
    struct gcv_error err = {0};
    void *loaded = NULL;
    char path[128];

    model_path(path, sizeof path);
    write_model(path, ops, fitted, &train);
    ck_assert_msg(read_model(path, ops, &loaded, &err) == GCV_OK, "%s: %s", fixture->name,
                  err.message);
    unlink(path);

    ck_assert_int_eq(ops->predict(fitted, &test, fitted_out, &err), GCV_OK);
    ck_assert_int_eq(ops->predict(loaded, &test, loaded_out, &err), GCV_OK);
    ck_assert_msg(memcmp(fitted_out, loaded_out, n * sizeof *fitted_out) == 0,
                  "%s: predictions differ after loading", fixture->name);
    ck_assert_int_eq(gcv_gb_raw_predict(fitted, &test, fitted_out, &err), GCV_OK);
    ck_assert_int_eq(gcv_gb_raw_predict(loaded, &test, loaded_out, &err), GCV_OK);
    ck_assert_msg(memcmp(fitted_out, loaded_out, n * fitted->n_columns * sizeof *fitted_out) ==
                      0, "%s: raw predictions differ after loading", fixture->name);
    if (ops->predict_proba != NULL) {
        ck_assert_int_eq(ops->predict_proba(fitted, &test, fitted_out, classes, &n_classes,
                                            &err), GCV_OK);
        ck_assert_int_eq(ops->predict_proba(loaded, &test, loaded_out, classes, &n_classes,
                                            &err), GCV_OK);
        ck_assert_msg(memcmp(fitted_out, loaded_out, n * n_classes * sizeof *fitted_out) == 0,
                      "%s: probabilities differ after loading", fixture->name);
    }
    free(fitted_out);
    free(loaded_out);
    gcv_gb_model_free(loaded);
    gcv_gb_model_free(fitted);
}
END_TEST

START_TEST(load_rejects_inconsistent_classes)
{
    const struct gb_fixture *fixture = &gb_fixtures[0]; /* two classes, one tree a stage */
    const struct gcv_estimator_ops *ops = gb_ops(fixture->estimator);
    struct gcv_gb_model *fitted = fit_fixture(fixture);
    size_t train_index[CANCER_ROWS];
    const struct gcv_rows train = fixture_rows(fixture->dataset, false, train_index);
    struct gcv_error err = {0};
    void *loaded = NULL;
    char path[128];
    hid_t file, group;

    ck_assert_str_eq(fixture->dataset, "cancer");
    model_path(path, sizeof path);
    write_model(path, ops, fitted, &train);
    file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    ck_assert_int_ge(file, 0);
    group = H5Gopen2(file, "model", H5P_DEFAULT);
    ck_assert_int_ge(group, 0);
    ck_assert_int_ge(H5Adelete(group, "n_columns"), 0);
    ck_assert_int_eq(gcv_model_file_put_size(group, "n_columns", 2, &err), GCV_OK);
    H5Gclose(group);
    H5Fclose(file);

    ck_assert_int_eq(read_model(path, ops, &loaded, &err), GCV_ERR_DATA);
    ck_assert_ptr_null(loaded);
    ck_assert_ptr_nonnull(strstr(err.message, "2 classes and 2 trees a stage"));
    unlink(path);
    gcv_gb_model_free(fitted);
}
END_TEST

/* ----- fits that fail ----------------------------------------------------- */

START_TEST(one_class_fails_fit)
{
    size_t index[40];
    struct gcv_rows train;
    struct gcv_error err = {0};
    void *params = parse_defaults(&gcv_gradient_boosting_classifier_ops);
    void *model = NULL;
    size_t n = 0;

    /* Wine's first 59 rows are class 0. */
    for (size_t i = 0; i < 40; i++)
        index[n++] = i;
    train = class_rows("wine", index, n);
    ck_assert_int_eq(gcv_gradient_boosting_classifier_ops.fit(params, &train, &model, &err),
                     GCV_ERR_FIT);
    ck_assert_ptr_null(model);
    ck_assert_ptr_nonnull(strstr(err.message, "at least 2 classes"));
    free(params);
}
END_TEST

START_TEST(exponential_on_three_classes_fails_fit)
{
    size_t index[WINE_ROWS];
    const struct gcv_rows train = fixture_rows("wine", false, index);
    struct gcv_error err = {0};
    enum gcv_status status;
    void *params = parse_one(&gcv_gradient_boosting_classifier_ops, "loss",
                             string_value("exponential"), &status, &err);
    void *model = NULL;

    ck_assert_int_eq(status, GCV_OK);
    ck_assert_int_eq(gcv_gradient_boosting_classifier_ops.fit(params, &train, &model, &err),
                     GCV_ERR_FIT);
    ck_assert_ptr_null(model);
    ck_assert_ptr_nonnull(strstr(err.message, "exactly 2 classes"));
    free(params);
}
END_TEST

START_TEST(early_stopping_split_fails_fit)
{
    size_t index[41];
    struct gcv_rows train;
    struct gcv_error err = {0};
    enum gcv_status status;
    void *params = parse_one(&gcv_gradient_boosting_classifier_ops, "n_iter_no_change",
                             int_value(2), &status, &err);
    void *model = NULL;
    size_t n = 0;

    /* 40 rows of class 0 and one of class 1: too few to stratify, as
     * train_test_split rejects. */
    ck_assert_int_eq(status, GCV_OK);
    for (size_t i = 0; i < 40; i++)
        index[n++] = i;
    index[n++] = 70;
    train = class_rows("wine", index, n);
    ck_assert_int_eq(wine_y[70], 1);
    ck_assert_int_eq(gcv_gradient_boosting_classifier_ops.fit(params, &train, &model, &err),
                     GCV_ERR_FIT);
    ck_assert_ptr_null(model);
    ck_assert_msg(strstr(err.message, "validation split") != NULL, "message \"%s\"",
                  err.message);
    free(params);
}
END_TEST

START_TEST(passed_deadline_times_out)
{
    size_t index[CANCER_ROWS];
    struct gcv_rows train = fixture_rows("cancer", false, index);
    struct gcv_error err = {0};
    void *params = parse_defaults(&gcv_gradient_boosting_classifier_ops);
    void *model = NULL;

    train.deadline = 1e-9;
    ck_assert_int_eq(gcv_gradient_boosting_classifier_ops.fit(params, &train, &model, &err),
                     GCV_ERR_TIMEOUT);
    ck_assert_ptr_null(model);
    free(params);
}
END_TEST

/* ----- parameters ---------------------------------------------------------- */

START_TEST(defaults_match_sklearn)
{
    struct gcv_gb_params *classifier = parse_defaults(&gcv_gradient_boosting_classifier_ops);
    struct gcv_gb_params *regressor = parse_defaults(&gcv_gradient_boosting_regressor_ops);

    ck_assert_int_eq(classifier->loss, GCV_GB_LOG_LOSS);
    ck_assert_int_eq(regressor->loss, GCV_GB_SQUARED_ERROR);
    for (int k = 0; k < 2; k++) {
        const struct gcv_gb_params *p = k == 0 ? classifier : regressor;

        ck_assert_double_eq(p->learning_rate, 0.1);
        ck_assert_int_eq(p->n_estimators, 100);
        ck_assert_double_eq(p->subsample, 1.0);
        ck_assert_double_eq(p->alpha, 0.9);
        ck_assert(!p->init_zero);
        ck_assert_int_eq(p->tree.criterion, GCV_TREE_FRIEDMAN_MSE);
        ck_assert_int_eq(p->tree.splitter, GCV_TREE_SPLITTER_BEST);
        ck_assert_int_eq(p->tree.max_depth, 3);
        ck_assert_int_eq(p->tree.min_samples_split, 2);
        ck_assert_int_eq(p->tree.min_samples_leaf, 1);
        ck_assert_int_eq(p->tree.max_features, GCV_TREE_FEATURES_ALL);
        ck_assert_int_eq(p->tree.max_leaf_nodes, 0);
        ck_assert_uint_eq(p->tree.random_state, 0);
    }
    free(classifier);
    free(regressor);
}
END_TEST

/* One value each estimator rejects, and a word of the message. */
static const struct {
    bool classifier;
    const char *name;
    struct gcv_value value;
    const char *message;
} rejected[] = {
    {true, "learning_rate", {.kind = GCV_VALUE_REAL, .real = -0.1}, "a number >= 0"},
    {true, "n_estimators", {.kind = GCV_VALUE_INT, .integer = 0}, "an integer >= 1"},
    {true, "subsample", {.kind = GCV_VALUE_REAL, .real = 0.0}, "(0, 1]"},
    {false, "subsample", {.kind = GCV_VALUE_REAL, .real = 1.5}, "(0, 1]"},
    {true, "loss", {.kind = GCV_VALUE_STRING, .string = "squared_error"}, "log_loss"},
    {false, "loss", {.kind = GCV_VALUE_STRING, .string = "log_loss"}, "absolute_error"},
    {false, "loss", {.kind = GCV_VALUE_STRING, .string = "lad"}, "huber"},
    {true, "criterion", {.kind = GCV_VALUE_STRING, .string = "absolute_error"}, "friedman_mse"},
    {true, "max_depth", {.kind = GCV_VALUE_INT, .integer = 0}, "an integer >= 1 or null"},
    {false, "alpha", {.kind = GCV_VALUE_REAL, .real = 1.0}, "(0, 1)"},
    {true, "alpha", {.kind = GCV_VALUE_REAL, .real = 0.5}, "unknown"},
    {true, "n_iter_no_change", {.kind = GCV_VALUE_INT, .integer = 0}, "an integer >= 1"},
    {false, "tol", {.kind = GCV_VALUE_REAL, .real = -1e-4}, "a number >= 0"},
    {false, "validation_fraction", {.kind = GCV_VALUE_REAL, .real = 0.0}, "(0, 1)"},
    {true, "init", {.kind = GCV_VALUE_STRING, .string = "prior"}, "\"zero\""},
    {true, "splitter", {.kind = GCV_VALUE_STRING, .string = "best"}, "unknown"},
    {false, "max_features", {.kind = GCV_VALUE_REAL, .real = 1.5}, "\"sqrt\""},
};

START_TEST(invalid_value_rejected)
{
    const struct gcv_estimator_ops *ops = rejected[_i].classifier
                                              ? &gcv_gradient_boosting_classifier_ops
                                              : &gcv_gradient_boosting_regressor_ops;
    struct gcv_error err = {0};
    enum gcv_status status;
    void *parsed = parse_one(ops, rejected[_i].name, rejected[_i].value, &status, &err);

    ck_assert_ptr_null(parsed);
    ck_assert_int_eq(status, GCV_ERR_PARAM);
    ck_assert_msg(strstr(err.message, rejected[_i].message) != NULL, "%s: message \"%s\"",
                  rejected[_i].name, err.message);
    ck_assert_msg(strstr(err.message, checks_where) != NULL, "message \"%s\" lacks the location",
                  err.message);
}
END_TEST

START_TEST(accepted_values_parse)
{
    struct gcv_error err = {0};
    enum gcv_status status;
    struct gcv_gb_params *p;

    p = parse_one(&gcv_gradient_boosting_classifier_ops, "loss", string_value("deviance"),
                  &status, &err);
    ck_assert_int_eq(status, GCV_OK);
    ck_assert_int_eq(p->loss, GCV_GB_LOG_LOSS);
    free(p);
    p = parse_one(&gcv_gradient_boosting_regressor_ops, "criterion",
                  string_value("squared_error"), &status, &err);
    ck_assert_int_eq(status, GCV_OK);
    ck_assert_int_eq(p->tree.criterion, GCV_TREE_SQUARED_ERROR);
    free(p);
    p = parse_one(&gcv_gradient_boosting_regressor_ops, "max_depth", null_value(), &status,
                  &err);
    ck_assert_int_eq(status, GCV_OK);
    ck_assert_int_eq(p->tree.max_depth, 0);
    free(p);
    p = parse_one(&gcv_gradient_boosting_classifier_ops, "subsample", int_value(1), &status,
                  &err);
    ck_assert_int_eq(status, GCV_OK);
    ck_assert_double_eq(p->subsample, 1.0);
    free(p);
    /* scikit-learn hands "auto" to each DecisionTreeRegressor, which reads
     * it as every feature, also inside the classifier. */
    p = parse_one(&gcv_gradient_boosting_classifier_ops, "max_features", string_value("auto"),
                  &status, &err);
    ck_assert_int_eq(status, GCV_OK);
    ck_assert_int_eq(p->tree.max_features, GCV_TREE_FEATURES_ALL);
    free(p);
}
END_TEST

static Suite *gradient_boosting_suite(void)
{
    Suite *suite = suite_create("gradient_boosting");
    TCase *sklearn = tcase_create("sklearn");
    TCase *saved = tcase_create("saved");
    TCase *failures = tcase_create("failures");
    TCase *params = tcase_create("params");

    tcase_set_timeout(sklearn, 60);
    tcase_add_loop_test(sklearn, predict_matches_sklearn, 0, N_GB_FIXTURES);
    tcase_add_loop_test(sklearn, raw_predictions_match_sklearn, 0, N_GB_FIXTURES);
    tcase_add_loop_test(sklearn, decision_function_matches_sklearn, 0, N_GB_FIXTURES);
    tcase_add_loop_test(sklearn, proba_matches_sklearn, 0, N_GB_FIXTURES);
    suite_add_tcase(suite, sklearn);

    tcase_set_timeout(saved, 60);
    tcase_add_loop_test(saved, loaded_model_predicts_same_bits, 0, N_GB_FIXTURES);
    tcase_add_test(saved, load_rejects_inconsistent_classes);
    suite_add_tcase(suite, saved);

    tcase_add_test(failures, one_class_fails_fit);
    tcase_add_test(failures, exponential_on_three_classes_fails_fit);
    tcase_add_test(failures, early_stopping_split_fails_fit);
    tcase_add_test(failures, passed_deadline_times_out);
    suite_add_tcase(suite, failures);

    tcase_add_test(params, defaults_match_sklearn);
    tcase_add_loop_test(params, invalid_value_rejected, 0, sizeof rejected / sizeof rejected[0]);
    tcase_add_test(params, accepted_values_parse);
    suite_add_tcase(suite, params);
    return suite;
}

int main(void)
{
    return run_suite(gradient_boosting_suite());
}
