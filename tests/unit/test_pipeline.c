/* Suite "pipeline": pipelines of scalers and estimators against
 * scikit-learn 1.2.1's make_pipeline (fixtures written by
 * tests/unit/fixtures/make_pipeline_fixtures.py): predictions,
 * probabilities and decision values, with every step fitted on the
 * training rows only; the make_pipeline names of the
 * steps; how "step__name" parameters reach their step; and the registry's
 * checks of a pipeline's steps. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/estimator_checks.h"
#include "tests/unit/fixtures/pipeline_fixtures.h"
#include "worker/estimators/pipeline.h"
#include "worker/estimators/svc.h"

#define N_FIXTURES (sizeof pipeline_fixtures / sizeof pipeline_fixtures[0])

/* Regression predictions: the final estimators' own tolerances (Ridge's
 * 1e-6 is the loosest, SVR's predictions differ from libsvm's in the last
 * digits); the scalers before them agree to the last bits. */
#define PREDICT_REL_TOL 1e-6

static const struct gcv_estimator_ops *resolve(const char *name)
{
    const struct gcv_estimator_ops *ops = NULL;
    struct gcv_error err = {0};

    ck_assert_msg(gcv_estimator_resolve(name, &ops, &err) == GCV_OK, "%s: %s", name,
                  err.message);
    return ops;
}

/* The rows i % 4 != 0 (train) or i % 4 == 0 (test) of a dataset. */
static struct gcv_rows split(const char *dataset, bool test, size_t *index)
{
    const bool diabetes = strcmp(dataset, "diabetes") == 0;
    struct gcv_rows rows = diabetes ? diabetes_rows(index, 0) : class_rows(dataset, index, 0);
    const size_t n_rows = diabetes                         ? DIABETES_ROWS
                          : strcmp(dataset, "wine") == 0   ? WINE_ROWS
                          : strcmp(dataset, "cancer") == 0 ? CANCER_ROWS
                                                           : DIGITS_ROWS;

    for (size_t i = 0; i < n_rows; i++)
        if ((i % 4 == 0) == test)
            index[rows.n_rows++] = i;
    return rows;
}

START_TEST(predict_matches_sklearn)
{
    const struct pipeline_fixture *fixture = &pipeline_fixtures[_i];
    const struct gcv_estimator_ops *ops = resolve(fixture->estimator);
    struct gcv_param items[4];
    const struct gcv_param_set set = {.items = items, .count = fixture->n_params};
    size_t train_index[DIGITS_ROWS], test_index[DIGITS_ROWS];
    const struct gcv_rows train = split(fixture->dataset, false, train_index);
    const struct gcv_rows test = split(fixture->dataset, true, test_index);
    double *predicted = malloc(test.n_rows * sizeof *predicted);
    struct gcv_error err = {0};
    void *params = NULL, *model = NULL;

    for (size_t k = 0; k < fixture->n_params; k++)
        items[k] = (struct gcv_param){.name = (char *)fixture->params[k].name,
                                      .value = fixture->params[k].value};
    ck_assert_msg(gcv_estimator_params_parse(ops, &set, &params, &err) == GCV_OK, "%s: %s",
                  fixture->name, err.message);
    ck_assert_msg(ops->fit(params, &train, &model, &err) == GCV_OK, "%s: %s", fixture->name,
                  err.message);
    ck_assert_int_eq(ops->predict(model, &test, predicted, &err), GCV_OK);
    for (size_t r = 0; r < test.n_rows; r++) {
        if (ops->kind == GCV_ESTIMATOR_CLASSIFIER)
            ck_assert_msg(predicted[r] == fixture->predicted[r], "%s: row %zu predicted %g, "
                          "want %g", fixture->name, test_index[r], predicted[r],
                          fixture->predicted[r]);
        else
            ck_assert_msg(close_to(predicted[r], fixture->predicted[r], PREDICT_REL_TOL, 0),
                          "%s: row %zu predicted %.17g, want %.17g", fixture->name,
                          test_index[r], predicted[r], fixture->predicted[r]);
    }

    /* predict_proba and decision_function reach the final step through the
     * transformers. */
    ck_assert((ops->predict_proba != NULL) ==
              (ops->steps[ops->n_steps - 1]->predict_proba != NULL));
    if (fixture->proba != NULL) {
        double *proba = malloc(test.n_rows * DIGITS_CLASSES * sizeof *proba);
        int32_t classes[DIGITS_CLASSES];
        size_t n_classes = 0;

        ck_assert_int_eq(ops->predict_proba(model, &test, proba, classes, &n_classes, &err),
                         GCV_OK);
        for (size_t k = 0; k < test.n_rows * n_classes; k++)
            ck_assert_msg(close_to(proba[k], fixture->proba[k], 0, PREDICT_REL_TOL),
                          "%s: proba[%zu] = %.17g, want %.17g", fixture->name, k, proba[k],
                          fixture->proba[k]);
        free(proba);
    }
    if (fixture->decision != NULL) {
        int32_t classes[2];
        size_t n_classes = 0;

        ck_assert_int_eq(ops->decision_function(model, &test, predicted, classes, &n_classes,
                                                &err),
                         GCV_OK);
        ck_assert_uint_eq(n_classes, 2);
        for (size_t r = 0; r < test.n_rows; r++)
            ck_assert_msg(close_to(predicted[r], fixture->decision[r], PREDICT_REL_TOL, 1e-9),
                          "%s: row %zu decision %.17g, want %.17g", fixture->name, test_index[r],
                          predicted[r], fixture->decision[r]);
    }
    free(predicted);
    ops->model_free(model);
    ops->params_free(params);
}
END_TEST

START_TEST(steps_are_named_as_make_pipeline)
{
    const struct gcv_estimator_ops *ops =
        resolve("make_pipeline(StandardScaler, MinMaxScaler, StandardScaler, SVC)");

    ck_assert_str_eq(ops->name, "make_pipeline(StandardScaler, MinMaxScaler, StandardScaler, SVC)");
    ck_assert_uint_eq(ops->n_steps, 4);
    ck_assert_int_eq(ops->kind, GCV_ESTIMATOR_CLASSIFIER);
    ck_assert_str_eq(gcv_pipeline_step_name(ops, 0), "standardscaler-1");
    ck_assert_str_eq(gcv_pipeline_step_name(ops, 1), "minmaxscaler");
    ck_assert_str_eq(gcv_pipeline_step_name(ops, 2), "standardscaler-2");
    ck_assert_str_eq(gcv_pipeline_step_name(ops, 3), "svc");
    ck_assert_ptr_eq(resolve("make_pipeline(StandardScaler, MinMaxScaler, StandardScaler, SVC)"),
                     ops);
    ck_assert_int_eq(resolve("make_pipeline(RobustScaler, SVR)")->kind,
                     GCV_ESTIMATOR_REGRESSOR);
}
END_TEST

START_TEST(params_reach_their_step)
{
    const struct gcv_estimator_ops *ops = resolve("make_pipeline(StandardScaler, SVC)");
    struct gcv_param items[] = {
        {.name = "svc__C", .value = real_value(7.5)},
        {.name = "standardscaler__with_mean", .value = bool_value(false)},
        {.name = "verbose", .value = bool_value(false)},
        {.name = "memory", .value = null_value()},
    };
    const struct gcv_param_set set = {.items = items, .count = 4};
    struct gcv_error err = {0};
    struct gcv_pipeline_params *params = NULL;

    ck_assert_int_eq(gcv_estimator_params_parse(ops, &set, (void **)&params, &err), GCV_OK);
    ck_assert_uint_eq(params->n_steps, 2);
    ck_assert_ptr_eq(params->steps[1], &gcv_svc_ops);
    ck_assert_double_eq(((const struct gcv_svc_params *)params->step_params[1])->C, 7.5);
    ops->params_free(params);
}
END_TEST

START_TEST(params_errors_name_the_step)
{
    const struct gcv_estimator_ops *ops = resolve("make_pipeline(StandardScaler, SVC)");
    static const struct {
        const char *name;
        struct gcv_value value;
        const char *message;
    } cases[] = {
        {"svc__C", {.kind = GCV_VALUE_INT, .integer = -1},
         "pipeline step svc: C must be a number > 0, got -1 (param_grid[0].x[2], line 9 "
         "column 14)"},
        {"standardscaler__alpha", {.kind = GCV_VALUE_INT, .integer = 1},
         "pipeline step standardscaler: unknown StandardScaler parameter \"alpha\" "
         "(param_grid[0].x[2], line 9 column 14); accepted: copy, with_mean, with_std"},
        {"C", {.kind = GCV_VALUE_INT, .integer = 1},
         "unknown make_pipeline(StandardScaler, SVC) parameter \"C\" (param_grid[0].x[2], line 9 "
         "column 14); accepted: standardscaler__<StandardScaler parameter>, svc__<SVC "
         "parameter>, memory, verbose"},
        {"memory", {.kind = GCV_VALUE_STRING, .string = "/tmp"},
         "memory=\"/tmp\" is not supported yet: gridcv keeps fitted transformers in its fold "
         "cache (--fold-cache-mb) instead; use null (param_grid[0].x[2], line 9 column 14)"},
    };

    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        enum gcv_status status;
        struct gcv_error err = {0};

        parse_one(ops, cases[k].name, cases[k].value, &status, &err);
        ck_assert_int_eq(status, GCV_ERR_PARAM);
        ck_assert_str_eq(err.message, cases[k].message);
    }
}
END_TEST

START_TEST(resolve_rejects_bad_steps)
{
    static const struct {
        const char *name;
        const char *message;
    } cases[] = {
        {"make_pipeline(SVC, StandardScaler)",
         "pipeline step 0, SVC, is a classifier; every step but the last must be a transformer "
         "such as StandardScaler"},
        {"make_pipeline(StandardScaler)",
         "the last pipeline step, StandardScaler, is a transformer; end the pipeline with a "
         "classifier or regressor such as SVC"},
        {"StandardScaler",
         "StandardScaler is a transformer and cannot be searched alone; use it as a pipeline "
         "step before a classifier or regressor, as in [\"StandardScaler\", \"SVC\"]"},
    };

    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const struct gcv_estimator_ops *ops = NULL;
        struct gcv_error err = {0};

        ck_assert_int_eq(gcv_estimator_resolve(cases[k].name, &ops, &err), GCV_ERR_SPEC);
        ck_assert_ptr_null(ops);
        ck_assert_str_eq(err.message, cases[k].message);
        ck_assert_ptr_null(gcv_estimator_find(cases[k].name));
    }
}
END_TEST

START_TEST(resolve_lists_known_names_for_unknown_step)
{
    const struct gcv_estimator_ops *ops = NULL;
    struct gcv_error err = {0};

    ck_assert_int_eq(gcv_estimator_resolve("make_pipeline(StandardScaler, Lassso)", &ops, &err),
                     GCV_ERR_SPEC);
    ck_assert_ptr_nonnull(strstr(err.message, "unknown estimator \"Lassso\"; did you mean "
                                              "\"Lasso\"? known estimators: SVC, "));
    ck_assert_ptr_nonnull(strstr(err.message, "StandardScaler"));
}
END_TEST

static Suite *pipeline_suite(void)
{
    Suite *suite = suite_create("pipeline");
    TCase *fit = tcase_create("fit");
    TCase *names = tcase_create("names");

    tcase_set_timeout(fit, 60);
    tcase_add_loop_test(fit, predict_matches_sklearn, 0, N_FIXTURES);
    suite_add_tcase(suite, fit);

    tcase_add_test(names, steps_are_named_as_make_pipeline);
    tcase_add_test(names, params_reach_their_step);
    tcase_add_test(names, params_errors_name_the_step);
    tcase_add_test(names, resolve_rejects_bad_steps);
    tcase_add_test(names, resolve_lists_known_names_for_unknown_step);
    suite_add_tcase(suite, names);
    return suite;
}

int main(void)
{
    return run_suite(pipeline_suite());
}
