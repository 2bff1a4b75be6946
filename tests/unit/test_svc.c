/* Suite "svc": the SVC estimator against scikit-learn 1.2.1 (fixtures
 * written by tests/unit/fixtures/make_svc_fixtures.py): fitted support
 * vectors, dual coefficients, intercepts and iteration counts, decision
 * values and predictions on held-out rows, and the parameter checks with
 * their messages. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/param.h"
#include "tests/unit/fixtures/svc_fixtures.h"
#include "worker/estimators/svc.h"

#define N_FIXTURES (sizeof svc_fixtures / sizeof svc_fixtures[0])

/* Relative tolerance of fitted values against scikit-learn's. */
#define REL_TOL 1e-6

static const char where[] = "param_grid[0].C[2], line 9 column 14";

/* The clouds dataset, drawn in main as make_svc_fixtures.py draws it. */
static double svc_clouds_X[SVC_CLOUDS_ROWS * SVC_CLOUDS_FEATURES];
static int32_t svc_clouds_y[SVC_CLOUDS_ROWS];

/* ----- helpers ----------------------------------------------------------- */

static bool close_to(double got, double want, double abs_floor)
{
    return fabs(got - want) <= REL_TOL * fabs(want) + abs_floor;
}

/* Fills the clouds: row i has class i % 2 and features 2u + 0.6 * class,
 * u being the top 53 bits of splitmix64 outputs drawn in row-major order. */
static void make_clouds(void)
{
    uint64_t state = SVC_CLOUDS_SEED;

    for (size_t k = 0; k < SVC_CLOUDS_ROWS * SVC_CLOUDS_FEATURES; k++) {
        const size_t row = k / SVC_CLOUDS_FEATURES;
        uint64_t z = (state += 0x9E3779B97F4A7C15ULL);

        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z ^= z >> 31;
        svc_clouds_y[row] = (int32_t)(row % 2);
        svc_clouds_X[k] = (double)(z >> 11) / 9007199254740992.0 * 2 + 0.6 * svc_clouds_y[row];
    }
}

/* The rows index[n] of a fixture's dataset. */
static struct gcv_rows fixture_rows(const struct svc_fixture *fixture, const size_t *index,
                                    size_t n)
{
    struct gcv_rows rows = {.index = index, .n_rows = n, .y_value = NULL};

    if (strcmp(fixture->dataset, "iris") == 0) {
        rows.X = svc_iris_X;
        rows.n_features = SVC_IRIS_FEATURES;
        rows.y_class = svc_iris_y;
        rows.n_classes = SVC_IRIS_CLASSES;
    } else if (strcmp(fixture->dataset, "cancer") == 0) {
        rows.X = svc_cancer_X;
        rows.n_features = SVC_CANCER_FEATURES;
        rows.y_class = svc_cancer_y;
        rows.n_classes = SVC_CANCER_CLASSES;
    } else {
        rows.X = svc_clouds_X;
        rows.n_features = SVC_CLOUDS_FEATURES;
        rows.y_class = svc_clouds_y;
        rows.n_classes = SVC_CLOUDS_CLASSES;
    }
    return rows;
}

static struct gcv_svc_model *fit_fixture(const struct svc_fixture *fixture)
{
    const struct gcv_rows train = fixture_rows(fixture, fixture->train, fixture->n_train);
    struct gcv_error err = {0};
    void *model = NULL;
    enum gcv_status status = gcv_svc_ops.fit(&fixture->params, &train, &model, &err);

    ck_assert_msg(status == GCV_OK, "%s: fit failed: %s", fixture->name, err.message);
    return model;
}

static struct gcv_value int_value(long long x)
{
    return (struct gcv_value){.kind = GCV_VALUE_INT, .integer = x, .real = (double)x};
}

static struct gcv_value real_value(double x)
{
    return (struct gcv_value){.kind = GCV_VALUE_REAL, .real = x};
}

static struct gcv_value string_value(const char *text)
{
    return (struct gcv_value){.kind = GCV_VALUE_STRING, .string = (char *)text};
}

static struct gcv_value bool_value(bool b)
{
    return (struct gcv_value){.kind = GCV_VALUE_BOOL, .boolean = b};
}

static struct gcv_value null_value(void)
{
    return (struct gcv_value){.kind = GCV_VALUE_NULL};
}

/* Parses the one-item set {name: value} located at where_text. */
static enum gcv_status parse_one(const char *name, struct gcv_value value, const char *where_text,
                                 struct gcv_svc_params *out, struct gcv_error *err)
{
    struct gcv_param item = {.name = (char *)name, .value = value, .where = (char *)where_text};
    const struct gcv_param_set set = {.items = &item, .count = 1};
    void *parsed = NULL;
    enum gcv_status status = gcv_svc_ops.params_parse(&set, &parsed, err);

    if (status == GCV_OK) {
        *out = *(struct gcv_svc_params *)parsed;
        gcv_svc_ops.params_free(parsed);
    } else {
        ck_assert_ptr_null(parsed);
    }
    return status;
}

/* ----- fit and predict against scikit-learn ------------------------------ */

START_TEST(fit_matches_sklearn_model)
{
    const struct svc_fixture *fixture = &svc_fixtures[_i];
    struct gcv_svc_model *model = fit_fixture(fixture);
    const size_t n_pairs = fixture->n_classes * (fixture->n_classes - 1) / 2;

    ck_assert_msg(close_to(model->kernel.gamma, fixture->gamma, 0), "%s: gamma %.17g, want %.17g",
                  fixture->name, model->kernel.gamma, fixture->gamma);
    ck_assert_msg(model->n_classes == fixture->n_classes, "%s: %zu classes, want %zu",
                  fixture->name, model->n_classes, fixture->n_classes);
    for (size_t c = 0; c < fixture->n_classes; c++) {
        ck_assert_int_eq(model->classes[c], fixture->classes[c]);
        ck_assert_msg(model->n_support[c] == fixture->n_support[c],
                      "%s: class %zu has %zu support vectors, want %zu", fixture->name, c,
                      model->n_support[c], fixture->n_support[c]);
    }
    ck_assert_msg(model->n_sv == fixture->n_sv, "%s: %zu support vectors, want %zu",
                  fixture->name, model->n_sv, fixture->n_sv);
    for (size_t s = 0; s < fixture->n_sv; s++)
        ck_assert_msg(model->support[s] == fixture->support[s],
                      "%s: support[%zu] = %zu, want %zu", fixture->name, s, model->support[s],
                      fixture->support[s]);
    for (size_t k = 0; k < (fixture->n_classes - 1) * fixture->n_sv; k++)
        ck_assert_msg(close_to(model->dual_coef[k], fixture->dual_coef[k], 1e-12),
                      "%s: dual_coef[%zu] = %.17g, want %.17g", fixture->name, k,
                      model->dual_coef[k], fixture->dual_coef[k]);
    for (size_t p = 0; p < n_pairs; p++) {
        ck_assert_msg(close_to(-model->rho[p], fixture->intercept[p], 1e-12),
                      "%s: intercept[%zu] = %.17g, want %.17g", fixture->name, p, -model->rho[p],
                      fixture->intercept[p]);
        /* Equal counts mean the same sequence of working pairs as libsvm. */
        ck_assert_msg(model->n_iter[p] == fixture->n_iter[p], "%s: n_iter[%zu] = %lld, want %lld",
                      fixture->name, p, model->n_iter[p], fixture->n_iter[p]);
    }
    ck_assert_msg(model->converged == fixture->converged, "%s: converged %d, want %d",
                  fixture->name, model->converged, fixture->converged);

    gcv_svc_ops.model_free(model);
}
END_TEST

START_TEST(predict_matches_sklearn_on_held_out_rows)
{
    const struct svc_fixture *fixture = &svc_fixtures[_i];
    struct gcv_svc_model *model = fit_fixture(fixture);
    const struct gcv_rows test = fixture_rows(fixture, fixture->test, fixture->n_test);
    const size_t n_pairs = gcv_svc_n_pairs(model);
    double *decision = malloc(fixture->n_test * n_pairs * sizeof *decision);
    double *predicted = malloc(fixture->n_test * sizeof *predicted);
    struct gcv_error err = {0};

    ck_assert_int_eq(gcv_svc_decision_function(model, &test, decision, &err), GCV_OK);
    ck_assert_int_eq(gcv_svc_ops.predict(model, &test, predicted, &err), GCV_OK);
    for (size_t k = 0; k < fixture->n_test * n_pairs; k++)
        ck_assert_msg(close_to(decision[k], fixture->decision[k], 1e-9),
                      "%s: decision value %zu = %.17g, want %.17g", fixture->name, k, decision[k],
                      fixture->decision[k]);
    for (size_t r = 0; r < fixture->n_test; r++)
        ck_assert_msg(predicted[r] == (double)fixture->predicted[r],
                      "%s: row %zu predicted %g, want %d", fixture->name, fixture->test[r],
                      predicted[r], (int)fixture->predicted[r]);

    free(decision);
    free(predicted);
    gcv_svc_ops.model_free(model);
}
END_TEST

START_TEST(fit_without_a_class_predicts_dataset_codes)
{
    /* The fixture trains on setosa and virginica only (codes 0 and 2). */
    const struct svc_fixture *fixture = NULL;
    struct gcv_svc_model *model;

    for (size_t f = 0; f < N_FIXTURES; f++)
        if (strcmp(svc_fixtures[f].name, "iris_without_versicolor") == 0)
            fixture = &svc_fixtures[f];
    ck_assert_ptr_nonnull(fixture);

    model = fit_fixture(fixture);
    ck_assert_uint_eq(model->n_classes, 2);
    ck_assert_int_eq(model->classes[0], 0);
    ck_assert_int_eq(model->classes[1], 2);
    ck_assert_uint_eq(gcv_svc_n_pairs(model), 1);
    gcv_svc_ops.model_free(model);
}
END_TEST

START_TEST(vote_ties_go_to_lowest_class)
{
    /* A hand-built model with zero coefficients, so each pair's decision
     * value is -rho. libsvm's vote: a value > 0 votes for the pair's first
     * class, any other (0 included) for the second, and the first class with
     * the most votes wins. */
    int32_t classes[] = {0, 1, 2};
    size_t n_support[] = {1, 1, 1};
    size_t support[] = {0, 1, 2};
    double support_vectors[] = {1, 1, 1};
    double sv_norms[] = {1, 1, 1};
    double dual_coef[6] = {0};
    double rho[3];
    long long n_iter[3] = {0};
    const struct gcv_svc_model model = {
        .kernel = {.type = GCV_KERNEL_LINEAR},
        .n_features = 1,
        .n_classes = 3,
        .classes = classes,
        .n_support = n_support,
        .n_sv = 3,
        .support = support,
        .support_vectors = support_vectors,
        .sv_norms = sv_norms,
        .dual_coef = dual_coef,
        .rho = rho,
        .n_iter = n_iter,
        .converged = true,
    };
    const double X[] = {0.5};
    const size_t index[] = {0};
    const struct gcv_rows rows = {.X = X, .n_features = 1, .index = index, .n_rows = 1};
    struct gcv_error err = {0};
    double predicted;

    /* Pairs (0,1), (0,2), (1,2) with values -1, +1, -1: one vote each. */
    rho[0] = 1;
    rho[1] = -1;
    rho[2] = 1;
    ck_assert_int_eq(gcv_svc_ops.predict(&model, &rows, &predicted, &err), GCV_OK);
    ck_assert_double_eq(predicted, 0.0);

    /* A value of exactly 0 on (0,1) votes for 1, which then wins 2 to 1. */
    rho[0] = 0;
    rho[1] = -1;
    rho[2] = -1;
    ck_assert_int_eq(gcv_svc_ops.predict(&model, &rows, &predicted, &err), GCV_OK);
    ck_assert_double_eq(predicted, 1.0);
}
END_TEST

START_TEST(fit_rejects_a_single_class)
{
    /* Iris rows 0..49 are all setosa. */
    size_t index[50];
    struct gcv_svc_params params;
    struct gcv_error err = {0};
    void *model = (void *)&params;
    struct gcv_rows train = {
        .X = svc_iris_X,
        .n_features = SVC_IRIS_FEATURES,
        .index = index,
        .n_rows = 50,
        .y_class = svc_iris_y,
        .n_classes = SVC_IRIS_CLASSES,
    };

    for (size_t r = 0; r < 50; r++)
        index[r] = r;
    ck_assert_int_eq(parse_one("C", real_value(1.0), where, &params, &err), GCV_OK);
    ck_assert_int_eq(gcv_svc_ops.fit(&params, &train, &model, &err), GCV_ERR_FIT);
    ck_assert_ptr_null(model);
    ck_assert_str_eq(err.message, "The number of classes has to be greater than one; got 1 class");
}
END_TEST

START_TEST(fit_rejects_a_class_code_out_of_range)
{
    const size_t index[] = {0, 1, 2};
    const int32_t y[] = {0, 1, 5};
    struct gcv_svc_params params;
    struct gcv_error err = {0};
    void *model = NULL;
    struct gcv_rows train = {
        .X = svc_iris_X,
        .n_features = SVC_IRIS_FEATURES,
        .index = index,
        .n_rows = 3,
        .y_class = y,
        .n_classes = 3,
    };

    ck_assert_int_eq(parse_one("C", real_value(1.0), where, &params, &err), GCV_OK);
    ck_assert_int_eq(gcv_svc_ops.fit(&params, &train, &model, &err), GCV_ERR_DATA);
    ck_assert_ptr_null(model);
    ck_assert_str_eq(err.message, "class code 5 of row 2 is outside [0, 3)");
}
END_TEST

START_TEST(max_iter_reached_is_reported_not_failed)
{
    const struct svc_fixture *fixture = &svc_fixtures[0];
    struct gcv_svc_params params = fixture->params;
    const struct gcv_rows train = fixture_rows(fixture, fixture->train, fixture->n_train);
    const struct gcv_rows test = fixture_rows(fixture, fixture->test, fixture->n_test);
    double *predicted = malloc(fixture->n_test * sizeof *predicted);
    struct gcv_error err = {0};
    struct gcv_svc_model *model = NULL;
    void *fitted = NULL;

    params.max_iter = 1;
    ck_assert_int_eq(gcv_svc_ops.fit(&params, &train, &fitted, &err), GCV_OK);
    model = fitted;
    ck_assert(!model->converged);
    for (size_t p = 0; p < gcv_svc_n_pairs(model); p++)
        ck_assert_int_eq(model->n_iter[p], 1);
    ck_assert_int_eq(gcv_svc_ops.predict(model, &test, predicted, &err), GCV_OK);

    free(predicted);
    gcv_svc_ops.model_free(model);
}
END_TEST

START_TEST(decision_function_rejects_other_feature_count)
{
    const struct svc_fixture *fixture = &svc_fixtures[0];
    struct gcv_svc_model *model = fit_fixture(fixture);
    struct gcv_rows rows = fixture_rows(fixture, fixture->test, 1);
    double decision[3];
    struct gcv_error err = {0};

    rows.n_features = 3;
    ck_assert_int_eq(gcv_svc_decision_function(model, &rows, decision, &err), GCV_ERR_DATA);
    ck_assert_str_eq(err.message, "SVC was fitted on 4 features, the rows have 3");
    gcv_svc_ops.model_free(model);
}
END_TEST

/* ----- parameters --------------------------------------------------------- */

START_TEST(params_default_to_sklearn_values)
{
    const struct gcv_param_set empty = {.items = NULL, .count = 0};
    struct gcv_error err = {0};
    void *parsed = NULL;
    struct gcv_svc_params *params;

    ck_assert_int_eq(gcv_svc_ops.params_parse(&empty, &parsed, &err), GCV_OK);
    params = parsed;
    ck_assert_double_eq(params->C, 1.0);
    ck_assert_int_eq(params->kernel, GCV_KERNEL_RBF);
    ck_assert_int_eq(params->gamma, GCV_SVC_GAMMA_SCALE);
    ck_assert_int_eq(params->degree, 3);
    ck_assert_double_eq(params->coef0, 0.0);
    ck_assert(params->shrinking);
    ck_assert_double_eq(params->tol, 1e-3);
    ck_assert_double_eq(params->cache_size, 200.0);
    ck_assert(!params->class_weight_balanced);
    ck_assert_int_eq(params->max_iter, -1);
    gcv_svc_ops.params_free(parsed);
}
END_TEST

START_TEST(params_accept_every_valid_form)
{
    struct gcv_param items[] = {
        {.name = "C", .value = int_value(10)},
        {.name = "kernel", .value = string_value("poly")},
        {.name = "degree", .value = int_value(0)},
        {.name = "gamma", .value = int_value(0)},
        {.name = "coef0", .value = real_value(-1.5)},
        {.name = "shrinking", .value = bool_value(false)},
        {.name = "probability", .value = bool_value(false)},
        {.name = "tol", .value = real_value(1e-4)},
        {.name = "cache_size", .value = int_value(500)},
        {.name = "class_weight", .value = string_value("balanced")},
        {.name = "verbose", .value = int_value(3)},
        {.name = "max_iter", .value = int_value(10)},
        {.name = "decision_function_shape", .value = string_value("ovo")},
        {.name = "break_ties", .value = bool_value(false)},
        {.name = "random_state", .value = int_value(4294967295LL)},
    };
    const struct gcv_param_set set = {.items = items, .count = sizeof items / sizeof items[0]};
    struct gcv_error err = {0};
    void *parsed = NULL;
    struct gcv_svc_params *params;

    ck_assert_msg(gcv_svc_ops.params_parse(&set, &parsed, &err) == GCV_OK, "%s", err.message);
    params = parsed;
    ck_assert_double_eq(params->C, 10.0);
    ck_assert_int_eq(params->kernel, GCV_KERNEL_POLY);
    ck_assert_int_eq(params->degree, 0);
    ck_assert_int_eq(params->gamma, GCV_SVC_GAMMA_VALUE);
    ck_assert_double_eq(params->gamma_value, 0.0);
    ck_assert_double_eq(params->coef0, -1.5);
    ck_assert(!params->shrinking);
    ck_assert_double_eq(params->tol, 1e-4);
    ck_assert_double_eq(params->cache_size, 500.0);
    ck_assert(params->class_weight_balanced);
    ck_assert_int_eq(params->max_iter, 10);
    gcv_svc_ops.params_free(parsed);
}
END_TEST

START_TEST(params_accept_gamma_names_and_null_options)
{
    struct gcv_svc_params params;
    struct gcv_error err = {0};

    ck_assert_int_eq(parse_one("gamma", string_value("auto"), where, &params, &err), GCV_OK);
    ck_assert_int_eq(params.gamma, GCV_SVC_GAMMA_AUTO);
    ck_assert_int_eq(parse_one("gamma", string_value("scale"), where, &params, &err), GCV_OK);
    ck_assert_int_eq(params.gamma, GCV_SVC_GAMMA_SCALE);
    ck_assert_int_eq(parse_one("class_weight", null_value(), where, &params, &err), GCV_OK);
    ck_assert(!params.class_weight_balanced);
    ck_assert_int_eq(parse_one("random_state", null_value(), where, &params, &err), GCV_OK);
    ck_assert_int_eq(parse_one("verbose", bool_value(true), where, &params, &err), GCV_OK);
    ck_assert_int_eq(parse_one("max_iter", int_value(-1), where, &params, &err), GCV_OK);
    ck_assert_int_eq(params.max_iter, -1);
    /* scikit-learn 1.2 still accepts an integer for a boolean (deprecated). */
    ck_assert_int_eq(parse_one("shrinking", int_value(0), where, &params, &err), GCV_OK);
    ck_assert(!params.shrinking);
}
END_TEST

static const struct {
    const char *name;
    struct gcv_value value;
    const char *message; /* without the location suffix */
} bad_params[] = {
    {"C", {.kind = GCV_VALUE_INT, .integer = -1, .real = -1}, "C must be a number > 0, got -1"},
    {"C", {.kind = GCV_VALUE_REAL, .real = 0.0}, "C must be a number > 0, got 0.0"},
    {"C", {.kind = GCV_VALUE_STRING, .string = "1"}, "C must be a number > 0, got \"1\""},
    {"C", {.kind = GCV_VALUE_BOOL, .boolean = true}, "C must be a number > 0, got true"},
    {"kernel", {.kind = GCV_VALUE_STRING, .string = "foo"},
     "kernel must be one of \"linear\", \"poly\", \"rbf\", \"sigmoid\", got \"foo\""},
    {"kernel", {.kind = GCV_VALUE_STRING, .string = "precomputed"},
     "kernel=\"precomputed\" is not supported yet: kernels are computed from the dataset's "
     "features; use \"linear\", \"poly\", \"rbf\" or \"sigmoid\""},
    {"kernel", {.kind = GCV_VALUE_NULL}, "kernel must be one of \"linear\", \"poly\", \"rbf\", "
                                         "\"sigmoid\", got null"},
    {"degree", {.kind = GCV_VALUE_REAL, .real = 2.0}, "degree must be an integer >= 0, got 2.0"},
    {"degree", {.kind = GCV_VALUE_INT, .integer = -1, .real = -1},
     "degree must be an integer >= 0, got -1"},
    {"gamma", {.kind = GCV_VALUE_REAL, .real = -0.5},
     "gamma must be \"scale\", \"auto\" or a number >= 0, got -0.5"},
    {"gamma", {.kind = GCV_VALUE_STRING, .string = "Scale"},
     "gamma must be \"scale\", \"auto\" or a number >= 0, got \"Scale\""},
    {"coef0", {.kind = GCV_VALUE_STRING, .string = "0"},
     "coef0 must be a finite number, got \"0\""},
    {"shrinking", {.kind = GCV_VALUE_STRING, .string = "yes"},
     "shrinking must be true or false, got \"yes\""},
    {"probability", {.kind = GCV_VALUE_STRING, .string = "true"},
     "probability must be true or false, got \"true\""},
    {"tol", {.kind = GCV_VALUE_INT, .integer = 0, .real = 0}, "tol must be a number > 0, got 0"},
    {"cache_size", {.kind = GCV_VALUE_REAL, .real = -5.5},
     "cache_size must be a number of megabytes > 0, got -5.5"},
    {"class_weight", {.kind = GCV_VALUE_STRING, .string = "auto"},
     "class_weight must be null or \"balanced\", got \"auto\""},
    {"verbose", {.kind = GCV_VALUE_INT, .integer = -1, .real = -1},
     "verbose must be an integer >= 0 or a boolean, got -1"},
    {"max_iter", {.kind = GCV_VALUE_INT, .integer = -2, .real = -2},
     "max_iter must be an integer >= -1 (-1 for no limit), got -2"},
    {"max_iter", {.kind = GCV_VALUE_REAL, .real = 100.0},
     "max_iter must be an integer >= -1 (-1 for no limit), got 100.0"},
    {"decision_function_shape", {.kind = GCV_VALUE_STRING, .string = "ovx"},
     "decision_function_shape must be \"ovr\" or \"ovo\", got \"ovx\""},
    {"break_ties", {.kind = GCV_VALUE_BOOL, .boolean = true},
     "break_ties=true is not supported yet: predictions use the one-vs-one vote, ties going to "
     "the lowest class; use false"},
    {"random_state", {.kind = GCV_VALUE_INT, .integer = -1, .real = -1},
     "random_state must be null or an integer in [0, 4294967295], got -1"},
    {"random_state", {.kind = GCV_VALUE_INT, .integer = 4294967296LL, .real = 4294967296.0},
     "random_state must be null or an integer in [0, 4294967295], got 4294967296"},
    {"nu", {.kind = GCV_VALUE_REAL, .real = 0.5}, NULL},
};

START_TEST(params_reject_bad_value_with_message)
{
    struct gcv_svc_params params;
    struct gcv_error err = {0};
    char expected[GCV_ERROR_MAX];

    if (bad_params[_i].message != NULL)
        snprintf(expected, sizeof expected, "%s (%s)", bad_params[_i].message, where);
    else
        snprintf(expected, sizeof expected,
                 "unknown SVC parameter \"%s\" (%s); accepted: C, kernel, degree, gamma, coef0, "
                 "shrinking, probability, tol, cache_size, class_weight, verbose, max_iter, "
                 "decision_function_shape, break_ties, random_state",
                 bad_params[_i].name, where);

    ck_assert_int_eq(parse_one(bad_params[_i].name, bad_params[_i].value, where, &params, &err),
                     GCV_ERR_PARAM);
    ck_assert_int_eq(err.status, GCV_ERR_PARAM);
    ck_assert_str_eq(err.message, expected);
}
END_TEST

START_TEST(params_message_omits_missing_location)
{
    struct gcv_svc_params params;
    struct gcv_error err = {0};

    ck_assert_int_eq(parse_one("C", real_value(-2.5), NULL, &params, &err), GCV_ERR_PARAM);
    ck_assert_str_eq(err.message, "C must be a number > 0, got -2.5");
}
END_TEST

/* ----- warm start -------------------------------------------------------- */

/* Fixtures with an RBF kernel that the warm-start tests walk to: binary and
 * 3-class, with and without balanced class weights. */
static const char *const warm_fixtures[] = {
    "iris_rbf_gamma_0.5_C_10",
    "iris_balanced_few_setosa",
    "cancer_rbf_balanced_auto",
    "clouds_rbf_gamma_2_C_10",
};

static const struct svc_fixture *find_fixture(const char *name)
{
    for (size_t f = 0; f < N_FIXTURES; f++)
        if (strcmp(svc_fixtures[f].name, name) == 0)
            return &svc_fixtures[f];
    ck_abort_msg("no fixture %s", name);
    return NULL;
}

/* The dual objective 1/2 alpha^T Q alpha - e^T alpha of pair (a, b) of an
 * RBF model, computed from its dual coefficients c = y alpha (class a's
 * vectors in row b - 1, class b's in row a):
 * 1/2 sum_ij c_i c_j exp(-gamma |x_i - x_j|^2) - sum_i |c_i|. */
static double pair_objective(const struct gcv_svc_model *model, size_t a, size_t b)
{
    const size_t n_sv = model->n_sv, d = model->n_features;
    double *coef = calloc(n_sv > 0 ? n_sv : 1, sizeof *coef); /* [n_sv], 0 outside the pair */
    double objective = 0;
    size_t first = 0;

    ck_assert_ptr_nonnull(coef);
    for (size_t c = 0; c < model->n_classes; c++) {
        for (size_t s = first; s < first + model->n_support[c]; s++) {
            if (c == a)
                coef[s] = model->dual_coef[(b - 1) * n_sv + s];
            else if (c == b)
                coef[s] = model->dual_coef[a * n_sv + s];
        }
        first += model->n_support[c];
    }
    for (size_t i = 0; i < n_sv; i++) {
        if (coef[i] == 0)
            continue;
        objective -= fabs(coef[i]);
        for (size_t j = 0; j < n_sv; j++) {
            double distance = 0;

            for (size_t f = 0; f < d; f++) {
                const double diff = model->support_vectors[i * d + f] -
                                    model->support_vectors[j * d + f];
                distance += diff * diff;
            }
            objective += 0.5 * coef[i] * coef[j] * exp(-model->kernel.gamma * distance);
        }
    }
    free(coef);
    return objective;
}

static long long total_iterations(const struct gcv_svc_model *model)
{
    long long total = 0;

    for (size_t p = 0; p < gcv_svc_n_pairs(model); p++)
        total += model->n_iter[p];
    return total;
}

/* A fit started from the model of C / 10 reaches the dual objective of the
 * fit from zero in every pair, within the solver's tolerance. It takes a
 * different number of iterations than that fit, which a start that was
 * ignored would repeat exactly, and it predicts the same labels on the
 * held-out rows. The stopping rule bounds
 * the largest KKT violation by tol = 1e-3, not the objective gap. The gaps
 * measured on these fixtures are below 1e-6 relative, so the bound 1e-5
 * still fails a start read from the wrong rows, which ends elsewhere. */
START_TEST(warm_start_matches_fit_from_zero)
{
    const struct svc_fixture *fixture = find_fixture(warm_fixtures[_i]);
    const struct gcv_rows train = fixture_rows(fixture, fixture->train, fixture->n_train);
    const struct gcv_rows test = fixture_rows(fixture, fixture->test, fixture->n_test);
    struct gcv_svc_params small = fixture->params;
    struct gcv_error err = {0};
    void *previous = NULL, *warm = NULL, *cold = NULL;
    double *warm_labels = malloc(fixture->n_test * sizeof *warm_labels);
    double *cold_labels = malloc(fixture->n_test * sizeof *cold_labels);

    ck_assert_ptr_nonnull(gcv_svc_ops.fit_from);
    ck_assert_str_eq(gcv_svc_ops.path_param, "C");
    ck_assert(gcv_svc_ops.path_increasing);
    small.C = fixture->params.C / 10;
    ck_assert_int_eq(gcv_svc_ops.fit(&small, &train, &previous, &err), GCV_OK);
    ck_assert_int_eq(gcv_svc_ops.fit_from(&fixture->params, &train, previous, &warm, &err),
                     GCV_OK);
    ck_assert_int_eq(gcv_svc_ops.fit(&fixture->params, &train, &cold, &err), GCV_OK);

    const struct gcv_svc_model *w = warm, *c = cold;
    ck_assert_uint_eq(w->n_classes, c->n_classes);
    for (size_t a = 0; a < c->n_classes; a++) {
        for (size_t b = a + 1; b < c->n_classes; b++) {
            const double got = pair_objective(w, a, b), want = pair_objective(c, a, b);

            ck_assert_msg(fabs(got - want) <= 1e-5 * fabs(want),
                          "%s: pair (%zu, %zu) objective %.10g warm, %.10g from zero",
                          fixture->name, a, b, got, want);
        }
    }
    ck_assert_msg(memcmp(w->n_iter, c->n_iter, gcv_svc_n_pairs(c) * sizeof *c->n_iter) != 0,
                  "%s: the warm fit repeated the iterations of the fit from zero (%lld)",
                  fixture->name, total_iterations(c));

    ck_assert_int_eq(gcv_svc_ops.predict(warm, &test, warm_labels, &err), GCV_OK);
    ck_assert_int_eq(gcv_svc_ops.predict(cold, &test, cold_labels, &err), GCV_OK);
    for (size_t r = 0; r < fixture->n_test; r++)
        ck_assert_msg(warm_labels[r] == cold_labels[r], "%s: row %zu predicted %g warm, %g "
                      "from zero", fixture->name, fixture->test[r], warm_labels[r],
                      cold_labels[r]);

    free(warm_labels);
    free(cold_labels);
    gcv_svc_ops.model_free(previous);
    gcv_svc_ops.model_free(warm);
    gcv_svc_ops.model_free(cold);
}
END_TEST

/* A previous model fitted on other classes gives no start, so the fit runs
 * from zero and equals the plain fit bit for bit. */
START_TEST(warm_start_ignores_other_classes)
{
    const struct svc_fixture *fixture = find_fixture("iris_rbf_gamma_0.5_C_10");
    const struct svc_fixture *other = find_fixture("iris_without_versicolor");
    const struct gcv_rows train = fixture_rows(fixture, fixture->train, fixture->n_train);
    const struct gcv_rows other_train = fixture_rows(other, other->train, other->n_train);
    struct gcv_error err = {0};
    void *previous = NULL, *warm = NULL, *cold = NULL;

    ck_assert_int_eq(gcv_svc_ops.fit(&other->params, &other_train, &previous, &err), GCV_OK);
    ck_assert_int_eq(gcv_svc_ops.fit_from(&fixture->params, &train, previous, &warm, &err),
                     GCV_OK);
    ck_assert_int_eq(gcv_svc_ops.fit(&fixture->params, &train, &cold, &err), GCV_OK);
    const struct gcv_svc_model *w = warm, *c = cold;
    ck_assert_uint_eq(w->n_sv, c->n_sv);
    ck_assert_mem_eq(w->dual_coef, c->dual_coef, (c->n_classes - 1) * c->n_sv * sizeof(double));
    ck_assert_mem_eq(w->n_iter, c->n_iter, gcv_svc_n_pairs(c) * sizeof(long long));
    gcv_svc_ops.model_free(previous);
    gcv_svc_ops.model_free(warm);
    gcv_svc_ops.model_free(cold);
}
END_TEST

static Suite *svc_suite(void)
{
    Suite *suite = suite_create("svc");
    TCase *sklearn = tcase_create("sklearn");
    TCase *fit = tcase_create("fit");
    TCase *warm = tcase_create("warm_start");
    TCase *params = tcase_create("params");

    tcase_set_timeout(sklearn, 60);
    tcase_add_loop_test(sklearn, fit_matches_sklearn_model, 0, (int)N_FIXTURES);
    tcase_add_loop_test(sklearn, predict_matches_sklearn_on_held_out_rows, 0, (int)N_FIXTURES);
    suite_add_tcase(suite, sklearn);

    tcase_set_timeout(warm, 60);
    tcase_add_loop_test(warm, warm_start_matches_fit_from_zero, 0,
                        (int)(sizeof warm_fixtures / sizeof warm_fixtures[0]));
    tcase_add_test(warm, warm_start_ignores_other_classes);
    suite_add_tcase(suite, warm);

    tcase_add_test(fit, fit_without_a_class_predicts_dataset_codes);
    tcase_add_test(fit, vote_ties_go_to_lowest_class);
    tcase_add_test(fit, fit_rejects_a_single_class);
    tcase_add_test(fit, fit_rejects_a_class_code_out_of_range);
    tcase_add_test(fit, max_iter_reached_is_reported_not_failed);
    tcase_add_test(fit, decision_function_rejects_other_feature_count);
    suite_add_tcase(suite, fit);

    tcase_add_test(params, params_default_to_sklearn_values);
    tcase_add_test(params, params_accept_every_valid_form);
    tcase_add_test(params, params_accept_gamma_names_and_null_options);
    tcase_add_loop_test(params, params_reject_bad_value_with_message, 0,
                        (int)(sizeof bad_params / sizeof bad_params[0]));
    tcase_add_test(params, params_message_omits_missing_location);
    suite_add_tcase(suite, params);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(svc_suite());
    int failed;

    /* The deprecated-integer warning would clutter the test output. */
    gcv_log_threshold = GCV_LOG_ERROR;
    make_clouds();
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
