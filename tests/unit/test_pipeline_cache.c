/* Suite "pipeline_cache": a pipeline's fitted transformers shared through
 * the fold cache (worker/estimators/pipeline.c, worker/fold_cache.h). The
 * settings of a fold that differ only in the final step's parameters fit
 * the transformers once, and every model, decision value and prediction
 * has the same bits as with the cache off. A transformer parameter that
 * differs gets its own fit.
 *
 * The first step is StandardScaler behind a wrapper, CountingScaler, that
 * counts its fits. The data is drawn here with splitmix64, and every
 * feature has its own offset and spread, so the scaler changes the rows. */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "worker/estimators/logistic.h"
#include "worker/estimators/pipeline.h"
#include "worker/estimators/scalers.h"
#include "worker/estimators/svc.h"
#include "worker/fold_cache.h"

#define MIB ((size_t)1 << 20)
#define N_ROWS 200
#define N_FEATURES 6

/* ----- a scaler that counts its fits -------------------------------------- */

static size_t n_scaler_fits;

static enum gcv_status counting_fit(const void *params, const struct gcv_rows *train,
                                    void **model, struct gcv_error *err)
{
    n_scaler_fits++;
    return gcv_standard_scaler_ops.fit(params, train, model, err);
}

/* StandardScaler with counting_fit, named CountingScaler (its pipeline
 * step is "countingscaler"). */
static struct gcv_estimator_ops counting_scaler_ops;

/* Builds make_pipeline(CountingScaler, final); free with
 * gcv_pipeline_ops_free. */
static struct gcv_estimator_ops *counting_pipeline(const struct gcv_estimator_ops *final)
{
    const struct gcv_estimator_ops *steps[2] = {&counting_scaler_ops, final};
    struct gcv_estimator_ops *pipeline = NULL;
    struct gcv_error err = {0};

    counting_scaler_ops = gcv_standard_scaler_ops;
    counting_scaler_ops.name = "CountingScaler";
    counting_scaler_ops.fit = counting_fit;
    ck_assert_msg(gcv_pipeline_ops_create(steps, 2, &pipeline, &err) == GCV_OK, "%s",
                  err.message);
    return pipeline;
}

/* ----- data and settings ------------------------------------------------- */

/* Uniform numbers in [0, 1) from the top 53 bits of splitmix64. */
static double next_uniform(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

/* Two classes, row r of class r % 2. Feature f is offset by 3 f and
 * spread over a width of 1 + f, and the class moves the first two
 * features, so the classes overlap. */
static double X[N_ROWS * N_FEATURES];
static int32_t y[N_ROWS];

static void make_data(void)
{
    uint64_t seed = 7;

    for (size_t r = 0; r < N_ROWS; r++) {
        y[r] = (int32_t)(r % 2);
        for (size_t f = 0; f < N_FEATURES; f++)
            X[r * N_FEATURES + f] = 3.0 * (double)f + (1.0 + (double)f) *
                                    (next_uniform(&seed) - 0.5 + (f < 2 ? 0.6 * y[r] : 0.0));
    }
}

/* The rows r % 5 != fold (training) or r % 5 == fold (test). */
static struct gcv_rows fold_rows(size_t fold, bool test, size_t *index)
{
    struct gcv_rows rows = {.X = X, .n_features = N_FEATURES, .index = index,
                            .y_class = y, .n_classes = 2};

    for (size_t r = 0; r < N_ROWS; r++)
        if ((r % 5 == fold) == test)
            index[rows.n_rows++] = r;
    return rows;
}

static struct gcv_value real_value(double x)
{
    return (struct gcv_value){.kind = GCV_VALUE_REAL, .real = x};
}

static struct gcv_value bool_value(bool b)
{
    return (struct gcv_value){.kind = GCV_VALUE_BOOL, .boolean = b};
}

/* Parses the setting {names[k]: values[k]}, k < n, for pipeline. */
static void *parse_setting(const struct gcv_estimator_ops *pipeline, const char *const *names,
                           const struct gcv_value *values, size_t n)
{
    struct gcv_param items[4];
    const struct gcv_param_set set = {.items = items, .count = n};
    struct gcv_error err = {0};
    void *params = NULL;

    for (size_t k = 0; k < n; k++)
        items[k] = (struct gcv_param){.name = (char *)names[k], .value = values[k]};
    ck_assert_msg(gcv_pipeline_params_parse(pipeline, &set, &params, &err) == GCV_OK, "%s",
                  err.message);
    return params;
}

/* ----- comparisons ------------------------------------------------------- */

static void assert_same_doubles(const double *got, const double *want, size_t n,
                                const char *what)
{
    for (size_t k = 0; k < n; k++)
        ck_assert_msg(memcmp(&got[k], &want[k], sizeof got[k]) == 0,
                      "%s[%zu] = %.17g, want %.17g", what, k, got[k], want[k]);
}

/* Asserts that the fitted scalers of two pipeline models have the same
 * bits. */
static void assert_same_scaler(const struct gcv_pipeline_model *got,
                               const struct gcv_pipeline_model *want)
{
    const struct gcv_scaler_model *a = got->step_models[0];
    const struct gcv_scaler_model *b = want->step_models[0];

    ck_assert_ptr_ne(a, b);
    ck_assert_uint_eq(a->n_features, b->n_features);
    ck_assert((a->center == NULL) == (b->center == NULL));
    ck_assert((a->scale == NULL) == (b->scale == NULL));
    if (a->center != NULL)
        assert_same_doubles(a->center, b->center, a->n_features, "center");
    if (a->scale != NULL)
        assert_same_doubles(a->scale, b->scale, a->n_features, "scale");
}

static void assert_same_svc(const struct gcv_svc_model *a, const struct gcv_svc_model *b)
{
    ck_assert_uint_eq(a->n_classes, b->n_classes);
    ck_assert_uint_eq(a->n_sv, b->n_sv);
    ck_assert_mem_eq(a->support, b->support, a->n_sv * sizeof *a->support);
    assert_same_doubles(a->support_vectors, b->support_vectors, a->n_sv * a->n_features,
                        "support_vectors");
    assert_same_doubles(a->dual_coef, b->dual_coef, (a->n_classes - 1) * a->n_sv, "dual_coef");
    assert_same_doubles(a->rho, b->rho, gcv_svc_n_pairs(a), "rho");
    ck_assert_mem_eq(a->n_iter, b->n_iter, gcv_svc_n_pairs(a) * sizeof *a->n_iter);
}

static void assert_same_logistic(const struct gcv_logistic_model *a,
                                 const struct gcv_logistic_model *b)
{
    ck_assert_uint_eq(a->n_rows, b->n_rows);
    ck_assert_uint_eq(a->n_features, b->n_features);
    assert_same_doubles(a->coef, b->coef, a->n_rows * a->n_features, "coef");
    assert_same_doubles(a->intercept, b->intercept, a->n_rows, "intercept");
    ck_assert_int_eq(a->n_iter, b->n_iter);
}

/* Asserts that two fitted pipelines predict the same labels and decision
 * values, bit for bit, on rows. */
static void assert_same_outputs(const struct gcv_estimator_ops *pipeline, const void *got,
                                const void *want, const struct gcv_rows *rows)
{
    double labels[2][N_ROWS], decision[2][N_ROWS];
    int32_t classes[2];
    size_t n_classes;
    struct gcv_error err = {0};
    const void *models[2] = {got, want};

    for (size_t m = 0; m < 2; m++) {
        ck_assert_int_eq(pipeline->predict(models[m], rows, labels[m], &err), GCV_OK);
        ck_assert_int_eq(pipeline->decision_function(models[m], rows, decision[m], classes,
                                                     &n_classes, &err),
                         GCV_OK);
        ck_assert_uint_eq(n_classes, 2);
    }
    assert_same_doubles(labels[0], labels[1], rows->n_rows, "predicted");
    assert_same_doubles(decision[0], decision[1], rows->n_rows, "decision");
}

static void *fit(const struct gcv_estimator_ops *pipeline, const void *params,
                 const struct gcv_rows *train)
{
    struct gcv_error err = {0};
    void *model = NULL;

    ck_assert_msg(pipeline->fit(params, train, &model, &err) == GCV_OK, "%s", err.message);
    return model;
}

/* ----- the tests --------------------------------------------------------- */

/* The 3 x 2 grid of svc__C and svc__gamma on one fold, with the dataset
 * declared (rows found by their index array, _i = 1) or not (found by
 * content, _i = 0): with the cache the scaler is fitted once, without it
 * six times, and the models and outputs have the same bits. */
START_TEST(svc_settings_share_one_scaler_fit)
{
    static const double Cs[] = {0.5, 5, 50};
    static const double gammas[] = {0.1, 0.8};
    static const char *const names[] = {"svc__C", "svc__gamma"};
    struct gcv_estimator_ops *pipeline = counting_pipeline(&gcv_svc_ops);
    size_t train_index[N_ROWS], test_index[N_ROWS];
    const struct gcv_rows train = fold_rows(1, false, train_index);
    const struct gcv_rows test = fold_rows(1, true, test_index);
    void *params[6], *scratch[6];
    struct gcv_fold_cache_stats stats;

    make_data();
    for (size_t k = 0; k < 6; k++) {
        const struct gcv_value values[2] = {real_value(Cs[k % 3]), real_value(gammas[k / 3])};
        params[k] = parse_setting(pipeline, names, values, 2);
    }

    gcv_fold_cache_configure(0);
    n_scaler_fits = 0;
    for (size_t k = 0; k < 6; k++)
        scratch[k] = fit(pipeline, params[k], &train);
    ck_assert_uint_eq(n_scaler_fits, 6);

    gcv_fold_cache_configure(64 * MIB);
    if (_i == 1)
        gcv_fold_cache_set_dataset(X, sizeof X / sizeof X[0]);
    n_scaler_fits = 0;
    for (size_t k = 0; k < 6; k++) {
        struct gcv_pipeline_model *cached = fit(pipeline, params[k], &train);
        const struct gcv_pipeline_model *want = scratch[k];

        assert_same_scaler(cached, want);
        assert_same_svc(cached->step_models[1], want->step_models[1]);
        assert_same_outputs(pipeline, cached, want, &test);
        assert_same_outputs(pipeline, cached, want, &train);
        pipeline->model_free(cached);
    }
    ck_assert_uint_eq(n_scaler_fits, 1);
    gcv_fold_cache_get_stats(&stats);
    ck_assert_uint_eq(stats.evictions, 0);
    ck_assert_uint_eq(stats.too_large, 0);

    for (size_t k = 0; k < 6; k++) {
        pipeline->model_free(scratch[k]);
        pipeline->params_free(params[k]);
    }
    gcv_fold_cache_configure(0);
    gcv_pipeline_ops_free(pipeline);
}
END_TEST

/* LogisticRegression's C along a path: alone (fit), warm-started
 * (fit_from) and in lockstep batches (fit_batch), each on two folds. With
 * the cache each fold's scaler is fitted once for all of them, and every
 * model has the bits of the same call with the cache off. */
START_TEST(logistic_paths_share_one_scaler_fit_per_fold)
{
    static const double Cs[] = {0.01, 0.1, 1, 10};
    static const char *const names[] = {"logisticregression__C"};
    struct gcv_estimator_ops *pipeline = counting_pipeline(&gcv_logistic_ops);
    size_t train_index[2][N_ROWS];
    const struct gcv_rows train[2] = {fold_rows(0, false, train_index[0]),
                                      fold_rows(3, false, train_index[1])};
    void *params[4];
    void *models[2][2][3][4] = {{{{0}}}}; /* [cache off, on][fold][fit, fit_from, batch][C] */
    size_t fits[2];

    make_data();
    ck_assert_ptr_nonnull(pipeline->fit_from);
    ck_assert_ptr_nonnull(pipeline->fit_batch);
    for (size_t c = 0; c < 4; c++) {
        const struct gcv_value value = real_value(Cs[c]);
        params[c] = parse_setting(pipeline, names, &value, 1);
    }

    for (size_t on = 0; on < 2; on++) {
        gcv_fold_cache_configure(on ? 64 * MIB : 0);
        gcv_fold_cache_set_dataset(X, sizeof X / sizeof X[0]);
        n_scaler_fits = 0;
        for (size_t f = 0; f < 2; f++) {
            enum gcv_status statuses[4];
            struct gcv_error errors[4], err = {0};

            for (size_t c = 0; c < 4; c++)
                models[on][f][0][c] = fit(pipeline, params[c], &train[f]);
            for (size_t c = 0; c < 4; c++)
                ck_assert_int_eq(pipeline->fit_from(params[c], &train[f],
                                                    c > 0 ? models[on][f][1][c - 1] : NULL,
                                                    &models[on][f][1][c], &err),
                                 GCV_OK);
            ck_assert_int_eq(pipeline->fit_batch((const void *const *)params, 4, &train[f],
                                                 models[on][f][2], statuses, errors, &err),
                             GCV_OK);
            for (size_t c = 0; c < 4; c++)
                ck_assert_msg(statuses[c] == GCV_OK, "%s", errors[c].message);
        }
        fits[on] = n_scaler_fits;
    }
    ck_assert_uint_eq(fits[0], 2 * (4 + 4 + 1));
    ck_assert_uint_eq(fits[1], 2);

    for (size_t f = 0; f < 2; f++) {
        for (size_t path = 0; path < 3; path++) {
            for (size_t c = 0; c < 4; c++) {
                const struct gcv_pipeline_model *cached = models[1][f][path][c];
                const struct gcv_pipeline_model *scratch = models[0][f][path][c];

                assert_same_scaler(cached, scratch);
                assert_same_logistic(cached->step_models[1], scratch->step_models[1]);
                pipeline->model_free(models[1][f][path][c]);
                pipeline->model_free(models[0][f][path][c]);
            }
        }
    }
    for (size_t c = 0; c < 4; c++)
        pipeline->params_free(params[c]);
    gcv_fold_cache_configure(0);
    gcv_pipeline_ops_free(pipeline);
}
END_TEST

/* countingscaler__with_mean true and false are two scalers: each is
 * fitted once, kept beside the other, and served to its own settings. */
START_TEST(other_scaler_parameter_is_fitted_apart)
{
    static const char *const names[] = {"countingscaler__with_mean", "svc__C"};
    struct gcv_estimator_ops *pipeline = counting_pipeline(&gcv_svc_ops);
    size_t train_index[N_ROWS];
    const struct gcv_rows train = fold_rows(2, false, train_index);
    void *params[2][2], *models[2][2];

    make_data();
    for (size_t mean = 0; mean < 2; mean++) {
        for (size_t c = 0; c < 2; c++) {
            const struct gcv_value values[2] = {bool_value(mean == 1),
                                                real_value(c == 0 ? 1.0 : 10.0)};
            params[mean][c] = parse_setting(pipeline, names, values, 2);
        }
    }
    ck_assert_str_ne(((struct gcv_pipeline_params *)params[0][0])->prefix_key,
                     ((struct gcv_pipeline_params *)params[1][0])->prefix_key);
    ck_assert_str_eq(((struct gcv_pipeline_params *)params[0][0])->prefix_key,
                     ((struct gcv_pipeline_params *)params[0][1])->prefix_key);

    gcv_fold_cache_configure(64 * MIB);
    gcv_fold_cache_set_dataset(X, sizeof X / sizeof X[0]);
    n_scaler_fits = 0;
    models[0][0] = fit(pipeline, params[0][0], &train);
    ck_assert_uint_eq(n_scaler_fits, 1);
    models[1][0] = fit(pipeline, params[1][0], &train);
    ck_assert_uint_eq(n_scaler_fits, 2);
    models[0][1] = fit(pipeline, params[0][1], &train);
    models[1][1] = fit(pipeline, params[1][1], &train);
    ck_assert_uint_eq(n_scaler_fits, 2);

    /* Without centring the scaler keeps no mean. */
    for (size_t c = 0; c < 2; c++) {
        const struct gcv_pipeline_model *without = models[0][c];
        const struct gcv_pipeline_model *with = models[1][c];

        ck_assert_ptr_null(((struct gcv_scaler_model *)without->step_models[0])->center);
        ck_assert_ptr_nonnull(((struct gcv_scaler_model *)with->step_models[0])->center);
    }

    for (size_t mean = 0; mean < 2; mean++) {
        for (size_t c = 0; c < 2; c++) {
            pipeline->model_free(models[mean][c]);
            pipeline->params_free(params[mean][c]);
        }
    }
    gcv_fold_cache_configure(0);
    gcv_pipeline_ops_free(pipeline);
}
END_TEST

/* A budget large enough for the key of the training rows but not for the
 * scaled rows: nothing is kept, each fit fits the scaler, and the result is that
 * of the cache off. */
START_TEST(prefix_larger_than_budget_is_fitted_each_time)
{
    static const char *const names[] = {"svc__C"};
    struct gcv_estimator_ops *pipeline = counting_pipeline(&gcv_svc_ops);
    size_t train_index[N_ROWS], test_index[N_ROWS];
    const struct gcv_rows train = fold_rows(4, false, train_index);
    const struct gcv_rows test = fold_rows(4, true, test_index);
    const struct gcv_value value = real_value(2.0);
    void *params, *scratch, *small;
    struct gcv_fold_cache_stats stats;

    make_data();
    params = parse_setting(pipeline, names, &value, 1);
    gcv_fold_cache_configure(0);
    scratch = fit(pipeline, params, &train);

    gcv_fold_cache_configure(train.n_rows * sizeof(size_t) + 64);
    gcv_fold_cache_set_dataset(X, sizeof X / sizeof X[0]);
    n_scaler_fits = 0;
    for (size_t k = 0; k < 3; k++) {
        small = fit(pipeline, params, &train);
        assert_same_outputs(pipeline, small, scratch, &test);
        pipeline->model_free(small);
    }
    ck_assert_uint_eq(n_scaler_fits, 3);
    gcv_fold_cache_get_stats(&stats);
    ck_assert_uint_ge(stats.too_large, 3);

    pipeline->model_free(scratch);
    pipeline->params_free(params);
    gcv_fold_cache_configure(0);
    gcv_pipeline_ops_free(pipeline);
}
END_TEST

static Suite *pipeline_cache_suite(void)
{
    Suite *suite = suite_create("pipeline_cache");
    TCase *shared = tcase_create("shared");

    tcase_set_timeout(shared, 60);
    tcase_add_loop_test(shared, svc_settings_share_one_scaler_fit, 0, 2);
    tcase_add_test(shared, logistic_paths_share_one_scaler_fit_per_fold);
    tcase_add_test(shared, other_scaler_parameter_is_fitted_apart);
    tcase_add_test(shared, prefix_larger_than_budget_is_fitted_each_time);
    suite_add_tcase(suite, shared);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(pipeline_cache_suite());
    int failed;

    gcv_log_threshold = GCV_LOG_ERROR;
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
