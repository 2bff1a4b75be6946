/* Suite "model_file": saving a fitted model into a model file and loading
 * it back (common/model_file.h and every estimator's save and load).
 *
 * The expected values are those of the fitted model itself: a loaded
 * model must predict, and give decision values and probabilities, with
 * the same bits as the model that was saved. The fixture datasets are
 * split as the pipeline suite splits them, rows i % 4 != 0 for training
 * and i % 4 == 0 for the predictions. The other tests pin the rejection
 * of files that are not model files, of a newer format version and of
 * damaged arrays. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/model_file.h"
#include "tests/unit/estimator_checks.h"

/* One estimator fitted on one dataset with up to two parameters. */
struct round_trip_case {
    const char *estimator;
    const char *dataset;   /* "wine", "cancer" or "diabetes" */
    const char *names[2];  /* NULL for unused */
    struct gcv_value values[2];
};

#define REAL(x) {.kind = GCV_VALUE_REAL, .real = (x)}
#define INT(x) {.kind = GCV_VALUE_INT, .integer = (x), .real = (x)}
#define BOOL(x) {.kind = GCV_VALUE_BOOL, .boolean = (x)}
#define STRING(x) {.kind = GCV_VALUE_STRING, .string = (x)}

static const struct round_trip_case cases[] = {
    {"SVC", "cancer", {NULL, NULL}, {{0}, {0}}},
    {"SVC", "wine", {"kernel", "C"}, {STRING("poly"), REAL(3.0)}},
    {"SVC", "wine", {"probability", NULL}, {BOOL(true), {0}}},
    {"SVR", "diabetes", {"C", NULL}, {REAL(50.0), {0}}},
    {"Ridge", "diabetes", {NULL, NULL}, {{0}, {0}}},
    {"RidgeClassifier", "cancer", {NULL, NULL}, {{0}, {0}}},
    {"RidgeClassifier", "wine", {NULL, NULL}, {{0}, {0}}},
    {"LogisticRegression", "cancer", {"max_iter", NULL}, {INT(500), {0}}},
    {"LogisticRegression", "wine", {"max_iter", NULL}, {INT(500), {0}}},
    {"LinearSVC", "cancer", {"dual", NULL}, {BOOL(false), {0}}},
    {"LinearSVC", "wine", {"C", NULL}, {REAL(0.1), {0}}},
    {"Lasso", "diabetes", {"alpha", NULL}, {REAL(0.1), {0}}},
    {"ElasticNet", "diabetes", {"alpha", NULL}, {REAL(0.01), {0}}},
    {"KNeighborsClassifier", "wine", {"weights", NULL}, {STRING("distance"), {0}}},
    {"KNeighborsRegressor", "diabetes", {"p", NULL}, {INT(1), {0}}},
    {"DecisionTreeClassifier", "wine", {"random_state", NULL}, {INT(0), {0}}},
    {"DecisionTreeRegressor", "diabetes", {"max_depth", NULL}, {INT(6), {0}}},
    {"ExtraTreeClassifier", "cancer", {"random_state", NULL}, {INT(3), {0}}},
    {"ExtraTreeRegressor", "diabetes", {"random_state", NULL}, {INT(3), {0}}},
    {"RandomForestClassifier", "wine", {"n_estimators", "random_state"}, {INT(10), INT(0)}},
    {"RandomForestRegressor", "diabetes", {"n_estimators", "n_jobs"}, {INT(8), INT(2)}},
    {"ExtraTreesClassifier", "cancer", {"n_estimators", NULL}, {INT(10), {0}}},
    {"ExtraTreesRegressor", "diabetes", {"n_estimators", NULL}, {INT(10), {0}}},
    {"GradientBoostingClassifier", "wine", {"n_estimators", NULL}, {INT(10), {0}}},
    {"GradientBoostingRegressor", "diabetes", {"n_estimators", NULL}, {INT(10), {0}}},
    {"make_pipeline(StandardScaler, SVC)", "cancer", {NULL, NULL}, {{0}, {0}}},
    {"make_pipeline(MinMaxScaler, KNeighborsClassifier)", "wine", {NULL, NULL}, {{0}, {0}}},
    {"make_pipeline(RobustScaler, Ridge)", "diabetes", {NULL, NULL}, {{0}, {0}}},
    {"make_pipeline(Normalizer, StandardScaler, LogisticRegression)", "wine",
     {NULL, NULL}, {{0}, {0}}},
};

#define N_CASES (sizeof cases / sizeof cases[0])

static const long long class_labels[3] = {0, 1, 2};

/* A model file path of this process, removed by the caller. */
static void model_path(char *path, size_t len)
{
    snprintf(path, len, "/tmp/gridcv_test_model_%ld.h5", (long)getpid());
}

/* The rows i % 4 != 0 (train) or i % 4 == 0 (test) of a dataset. */
static struct gcv_rows split(const char *dataset, bool test, size_t *index)
{
    const bool diabetes = strcmp(dataset, "diabetes") == 0;
    struct gcv_rows rows = diabetes ? diabetes_rows(index, 0) : class_rows(dataset, index, 0);
    const size_t n_rows = diabetes                         ? DIABETES_ROWS
                          : strcmp(dataset, "wine") == 0   ? WINE_ROWS
                                                           : CANCER_ROWS;

    for (size_t i = 0; i < n_rows; i++)
        if ((i % 4 == 0) == test)
            index[rows.n_rows++] = i;
    return rows;
}

static const struct gcv_estimator_ops *resolve(const char *name)
{
    const struct gcv_estimator_ops *ops = NULL;
    struct gcv_error err = {0};

    ck_assert_msg(gcv_estimator_resolve(name, &ops, &err) == GCV_OK, "%s: %s", name,
                  err.message);
    return ops;
}

/* Writes model of estimator to path with a header for rows. */
static void write_model(const char *path, const struct gcv_estimator_ops *estimator,
                        const void *model, const struct gcv_rows *rows)
{
    struct gcv_model_header header = {
        .estimator = (char *)estimator->name,
        .best_params = "{}",
        .n_features = rows->n_features,
        .label_kind = rows->y_class != NULL ? GCV_LABELS_INTEGER : GCV_LABELS_NONE,
        .n_classes = rows->y_class != NULL ? rows->n_classes : 0,
        .class_integers = (long long *)class_labels,
    };
    struct gcv_error err = {0};

    ck_assert_msg(gcv_model_file_write(path, &header, estimator->save, model, &err) == GCV_OK,
                  "%s: %s", estimator->name, err.message);
}

/* Opens path and loads its model with estimator's load. */
static void *read_model(const char *path, const struct gcv_estimator_ops *estimator,
                        struct gcv_model_header *header)
{
    struct gcv_error err = {0};
    hid_t file, group;
    void *model = NULL;
    enum gcv_status status;

    status = gcv_model_file_open(path, header, &file, &group, &err);
    ck_assert_msg(status == GCV_OK, "%s: %s", estimator->name, err.message);
    status = estimator->load(group, &model, &err);
    ck_assert_msg(status == GCV_OK, "%s: %s", estimator->name, err.message);
    H5Gclose(group);
    H5Fclose(file);
    return model;
}

START_TEST(loaded_model_predicts_same_bits)
{
    const struct round_trip_case *c = &cases[_i];
    const struct gcv_estimator_ops *estimator = resolve(c->estimator);
    struct gcv_param items[2];
    struct gcv_param_set set = {.items = items, .count = 0};
    size_t train_index[CANCER_ROWS], test_index[CANCER_ROWS];
    const struct gcv_rows train = split(c->dataset, false, train_index);
    const struct gcv_rows test = split(c->dataset, true, test_index);
    const size_t n = test.n_rows, k = test.n_classes > 0 ? test.n_classes : 1;
    double *fitted_out = calloc(n * k, sizeof *fitted_out);
    double *loaded_out = calloc(n * k, sizeof *loaded_out);
    int32_t fitted_classes[3] = {0}, loaded_classes[3] = {0};
    size_t fitted_k = 0, loaded_k = 0;
    struct gcv_model_header header;
    struct gcv_error err = {0};
    void *params = NULL, *fitted = NULL, *loaded;
    char path[128];

    for (size_t p = 0; p < 2 && c->names[p] != NULL; p++)
        items[set.count++] = (struct gcv_param){.name = (char *)c->names[p],
                                                .value = c->values[p],
                                                .where = (char *)checks_where};
    ck_assert_msg(gcv_estimator_params_parse(estimator, &set, &params, &err) == GCV_OK, "%s",
                  err.message);
    ck_assert_msg(estimator->fit(params, &train, &fitted, &err) == GCV_OK, "%s: %s",
                  c->estimator, err.message);
    ck_assert_ptr_nonnull(estimator->save);
    ck_assert_ptr_nonnull(estimator->load);

    model_path(path, sizeof path);
    write_model(path, estimator, fitted, &train);
    loaded = read_model(path, estimator, &header);
    unlink(path);
    ck_assert_str_eq(header.estimator, estimator->name);
    ck_assert_uint_eq(header.n_features, train.n_features);
    ck_assert_int_eq(header.format_version, GCV_MODEL_FORMAT_VERSION);

    /* predict */
    ck_assert_int_eq(estimator->predict(fitted, &test, fitted_out, &err), GCV_OK);
    ck_assert_int_eq(estimator->predict(loaded, &test, loaded_out, &err), GCV_OK);
    ck_assert_msg(memcmp(fitted_out, loaded_out, n * sizeof *fitted_out) == 0,
                  "%s: predictions differ after loading", c->estimator);

    /* decision_function, of a two-class model */
    if (estimator->decision_function != NULL) {
        ck_assert_int_eq(estimator->decision_function(fitted, &test, fitted_out, fitted_classes,
                                                      &fitted_k, &err), GCV_OK);
        ck_assert_int_eq(estimator->decision_function(loaded, &test, loaded_out, loaded_classes,
                                                      &loaded_k, &err), GCV_OK);
        ck_assert_uint_eq(fitted_k, loaded_k);
        ck_assert_mem_eq(fitted_classes, loaded_classes, fitted_k * sizeof *fitted_classes);
        if (fitted_k == 2)
            ck_assert_msg(memcmp(fitted_out, loaded_out, n * sizeof *fitted_out) == 0,
                          "%s: decision values differ after loading", c->estimator);
    }

    /* predict_proba, where the model has it */
    if (estimator->predict_proba != NULL &&
        estimator->predict_proba(fitted, &test, fitted_out, fitted_classes, &fitted_k, &err) ==
            GCV_OK) {
        ck_assert_int_eq(estimator->predict_proba(loaded, &test, loaded_out, loaded_classes,
                                                  &loaded_k, &err), GCV_OK);
        ck_assert_uint_eq(fitted_k, loaded_k);
        ck_assert_msg(memcmp(fitted_out, loaded_out, n * fitted_k * sizeof *fitted_out) == 0,
                      "%s: probabilities differ after loading", c->estimator);
    }

    gcv_model_header_free(&header);
    estimator->model_free(loaded);
    estimator->model_free(fitted);
    estimator->params_free(params);
    free(fitted_out);
    free(loaded_out);
}
END_TEST

/* Fits a two-class SVC on cancer and writes it to path. */
static void write_svc(const char *path)
{
    const struct gcv_estimator_ops *estimator = resolve("SVC");
    size_t index[CANCER_ROWS];
    const struct gcv_rows train = split("cancer", false, index);
    struct gcv_error err = {0};
    void *params = parse_defaults(estimator), *model = NULL;

    ck_assert_int_eq(estimator->fit(params, &train, &model, &err), GCV_OK);
    write_model(path, estimator, model, &train);
    estimator->model_free(model);
    estimator->params_free(params);
}

/* Opens path as a model file and returns the status and message. */
static enum gcv_status open_status(const char *path, struct gcv_error *err)
{
    struct gcv_model_header header;
    hid_t file, group;
    enum gcv_status status = gcv_model_file_open(path, &header, &file, &group, err);

    if (status == GCV_OK) {
        H5Gclose(group);
        H5Fclose(file);
        gcv_model_header_free(&header);
    }
    return status;
}

START_TEST(open_rejects_newer_format_version)
{
    char path[128];
    struct gcv_error err = {0};
    hid_t file;

    model_path(path, sizeof path);
    write_svc(path);
    file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    ck_assert_int_ge(file, 0);
    ck_assert_int_ge(H5Adelete(file, "gridcv_format_version"), 0);
    ck_assert_int_eq(gcv_model_file_put_int(file, "gridcv_format_version",
                                            GCV_MODEL_FORMAT_VERSION + 1, &err), GCV_OK);
    H5Fclose(file);

    ck_assert_int_eq(open_status(path, &err), GCV_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(err.message, "format version 2 is not supported"));
    unlink(path);
}
END_TEST

START_TEST(open_rejects_hdf5_without_version)
{
    char path[128];
    struct gcv_error err = {0};
    hid_t file;

    model_path(path, sizeof path);
    file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert_int_ge(file, 0);
    H5Fclose(file);

    ck_assert_int_eq(open_status(path, &err), GCV_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(err.message, "is not a gridcv model file"));
    unlink(path);
}
END_TEST

START_TEST(open_rejects_text_and_missing_files)
{
    char path[128];
    struct gcv_error err = {0};
    FILE *stream;

    model_path(path, sizeof path);
    stream = fopen(path, "w");
    ck_assert_ptr_nonnull(stream);
    fputs("prediction\n0\n", stream);
    fclose(stream);
    ck_assert_int_eq(open_status(path, &err), GCV_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(err.message, "it is not an HDF5 file"));
    unlink(path);

    ck_assert_int_eq(open_status(path, &err), GCV_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(err.message, "cannot be opened"));
}
END_TEST

START_TEST(load_rejects_short_array)
{
    const struct gcv_estimator_ops *estimator = resolve("SVC");
    const double short_coef[3] = {1.0, 2.0, 3.0};
    struct gcv_model_header header;
    struct gcv_error err = {0};
    char path[128];
    hid_t file, group;
    void *model = NULL;

    model_path(path, sizeof path);
    write_svc(path);
    file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    ck_assert_int_ge(H5Ldelete(file, "/model/dual_coef", H5P_DEFAULT), 0);
    group = H5Gopen2(file, "/model", H5P_DEFAULT);
    ck_assert_int_eq(gcv_model_file_put_doubles(group, "dual_coef", short_coef, 3, &err),
                     GCV_OK);
    H5Gclose(group);
    H5Fclose(file);

    ck_assert_int_eq(gcv_model_file_open(path, &header, &file, &group, &err), GCV_OK);
    ck_assert_int_eq(estimator->load(group, &model, &err), GCV_ERR_DATA);
    ck_assert_ptr_null(model);
    ck_assert_ptr_nonnull(strstr(err.message, "model array \"dual_coef\" holds 3 values"));
    H5Gclose(group);
    H5Fclose(file);
    gcv_model_header_free(&header);
    unlink(path);
}
END_TEST

START_TEST(header_keeps_string_labels)
{
    const struct gcv_estimator_ops *estimator = resolve("SVC");
    size_t index[CANCER_ROWS];
    const struct gcv_rows train = split("cancer", false, index);
    char *labels[2] = {"benign", "malignant, \"M\""};
    struct gcv_model_header header = {
        .estimator = "SVC",
        .best_params = "{\"C\": 1.0}",
        .n_features = train.n_features,
        .label_kind = GCV_LABELS_STRING,
        .n_classes = 2,
        .class_strings = labels,
    }, read;
    struct gcv_error err = {0};
    void *params = parse_defaults(estimator), *model = NULL;
    char path[128];
    hid_t file, group;

    ck_assert_int_eq(estimator->fit(params, &train, &model, &err), GCV_OK);
    model_path(path, sizeof path);
    ck_assert_int_eq(gcv_model_file_write(path, &header, estimator->save, model, &err),
                     GCV_OK);
    ck_assert_int_eq(gcv_model_file_open(path, &read, &file, &group, &err), GCV_OK);
    ck_assert_int_eq(read.label_kind, GCV_LABELS_STRING);
    ck_assert_uint_eq(read.n_classes, 2);
    ck_assert_str_eq(read.class_strings[0], "benign");
    ck_assert_str_eq(read.class_strings[1], "malignant, \"M\"");
    ck_assert_str_eq(read.best_params, "{\"C\": 1.0}");
    H5Gclose(group);
    H5Fclose(file);
    gcv_model_header_free(&read);
    unlink(path);
    estimator->model_free(model);
    estimator->params_free(params);
}
END_TEST

static Suite *model_file_suite(void)
{
    Suite *suite = suite_create("model_file");
    TCase *round_trip = tcase_create("round_trip");
    TCase *rejects = tcase_create("rejects");

    tcase_set_timeout(round_trip, 120);
    tcase_add_loop_test(round_trip, loaded_model_predicts_same_bits, 0, (int)N_CASES);
    tcase_add_test(rejects, open_rejects_newer_format_version);
    tcase_add_test(rejects, open_rejects_hdf5_without_version);
    tcase_add_test(rejects, open_rejects_text_and_missing_files);
    tcase_add_test(rejects, load_rejects_short_array);
    tcase_add_test(rejects, header_keeps_string_labels);
    suite_add_tcase(suite, round_trip);
    suite_add_tcase(suite, rejects);
    return suite;
}

int main(void)
{
    return run_suite(model_file_suite());
}
