/* Suite "chain": warm starts along a path (worker/chain.h). The chain
 * plan of a grid, and warm-started fits of LogisticRegression, Lasso and
 * ElasticNet against fits from zero on the fixtures' wine and diabetes
 * data: both must reach the same optimum within the solver's stopping
 * rule, and the warm start must save iterations. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/grid.h"
#include "tests/unit/estimator_checks.h"
#include "worker/chain.h"
#include "worker/estimators/enet.h"
#include "worker/estimators/logistic.h"

/* ----- chain plans --------------------------------------------------------- */

/* One candidate's grid values: path_name = path (unless path_name is
 * NULL) and, when other_name is not NULL, other_name = other. */
static void put_candidate(struct gcv_param_set *set, const char *path_name,
                          struct gcv_value path, const char *other_name,
                          struct gcv_value other)
{
    struct gcv_error err = {0};

    if (path_name != NULL)
        ck_assert_int_eq(gcv_param_set_put(set, path_name, &path, NULL, &err), GCV_OK);
    if (other_name != NULL)
        ck_assert_int_eq(gcv_param_set_put(set, other_name, &other, NULL, &err), GCV_OK);
}

/* The grid ParameterGrid makes of [{"C": [10, 0.1, 1], "class_weight":
 * [null, "balanced"]}, {"penalty": [null]}], in its order: C varies
 * slowest within the first object. */
static void logistic_grid(struct gcv_grid *grid)
{
    const double C[3] = {10, 0.1, 1};

    grid->n_candidates = 7;
    grid->candidates = calloc(grid->n_candidates, sizeof *grid->candidates);
    ck_assert_ptr_nonnull(grid->candidates);
    for (size_t i = 0; i < 3; i++) {
        put_candidate(&grid->candidates[2 * i], "C", real_value(C[i]), "class_weight",
                      null_value());
        put_candidate(&grid->candidates[2 * i + 1], "C", real_value(C[i]), "class_weight",
                      string_value("balanced"));
    }
    put_candidate(&grid->candidates[6], NULL, null_value(), "penalty", null_value());
}

START_TEST(plan_orders_C_ascending_per_other_setting)
{
    struct gcv_grid grid = {0};
    struct gcv_error err = {0};
    int32_t previous[7], next[7];

    logistic_grid(&grid);
    ck_assert_int_eq(gcv_chain_plan(&grid, &gcv_logistic_ops, previous, next, &err), GCV_OK);

    /* class_weight null: candidates 0 (C 10), 2 (C 0.1), 4 (C 1) run as
     * 2 -> 4 -> 0. */
    ck_assert_int_eq(previous[2], -1);
    ck_assert_int_eq(next[2], 4);
    ck_assert_int_eq(previous[4], 2);
    ck_assert_int_eq(next[4], 0);
    ck_assert_int_eq(previous[0], 4);
    ck_assert_int_eq(next[0], -1);

    /* class_weight "balanced": 3 -> 5 -> 1. */
    ck_assert_int_eq(previous[3], -1);
    ck_assert_int_eq(next[3], 5);
    ck_assert_int_eq(previous[5], 3);
    ck_assert_int_eq(next[5], 1);
    ck_assert_int_eq(previous[1], 5);
    ck_assert_int_eq(next[1], -1);

    /* No C: a chain of its own. */
    ck_assert_int_eq(previous[6], -1);
    ck_assert_int_eq(next[6], -1);
    gcv_grid_free(&grid);
}
END_TEST

START_TEST(plan_orders_alpha_descending)
{
    struct gcv_grid grid = {0};
    struct gcv_error err = {0};
    const double alpha[4] = {0.01, 1, 0.1, 1};
    int32_t previous[4], next[4];

    grid.n_candidates = 4;
    grid.candidates = calloc(grid.n_candidates, sizeof *grid.candidates);
    ck_assert_ptr_nonnull(grid.candidates);
    for (size_t i = 0; i < 4; i++)
        put_candidate(&grid.candidates[i], "alpha", real_value(alpha[i]), NULL, null_value());
    ck_assert_int_eq(gcv_chain_plan(&grid, &gcv_lasso_ops, previous, next, &err), GCV_OK);

    /* 1 (candidate 1), 1 (candidate 3, equal values in grid order), 0.1, 0.01. */
    ck_assert_int_eq(previous[1], -1);
    ck_assert_int_eq(next[1], 3);
    ck_assert_int_eq(next[3], 2);
    ck_assert_int_eq(next[2], 0);
    ck_assert_int_eq(previous[0], 2);
    ck_assert_int_eq(next[0], -1);
    gcv_grid_free(&grid);
}
END_TEST

START_TEST(plan_follows_pipeline_final_step)
{
    const struct gcv_estimator_ops *pipeline =
        gcv_estimator_find("make_pipeline(StandardScaler, LogisticRegression)");
    struct gcv_grid grid = {0};
    struct gcv_error err = {0};
    int32_t previous[2], next[2];

    ck_assert_ptr_nonnull(pipeline);
    ck_assert_str_eq(pipeline->path_param, "logisticregression__C");
    grid.n_candidates = 2;
    grid.candidates = calloc(grid.n_candidates, sizeof *grid.candidates);
    ck_assert_ptr_nonnull(grid.candidates);
    put_candidate(&grid.candidates[0], "logisticregression__C", int_value(100), NULL,
                  null_value());
    put_candidate(&grid.candidates[1], "logisticregression__C", real_value(0.5), NULL,
                  null_value());
    ck_assert_int_eq(gcv_chain_plan(&grid, pipeline, previous, next, &err), GCV_OK);
    ck_assert_int_eq(next[1], 0);
    ck_assert_int_eq(previous[0], 1);
    gcv_grid_free(&grid);
}
END_TEST

/* Builds chains of the given lengths over consecutive candidates. */
static size_t make_chains(const size_t *lengths, size_t n_chains, int32_t *previous,
                          int32_t *next)
{
    size_t c = 0;

    for (size_t k = 0; k < n_chains; k++)
        for (size_t i = 0; i < lengths[k]; i++, c++) {
            previous[c] = i > 0 ? (int32_t)c - 1 : -1;
            next[c] = i + 1 < lengths[k] ? (int32_t)c + 1 : -1;
        }
    return c;
}

/* The lengths of the chains of previous/next, in order of their heads. */
static size_t chain_lengths(const int32_t *previous, const int32_t *next, size_t n,
                            size_t *lengths)
{
    size_t count = 0;

    for (size_t head = 0; head < n; head++) {
        if (previous[head] >= 0)
            continue;
        lengths[count] = 0;
        for (int32_t c = (int32_t)head; c >= 0; c = next[c])
            lengths[count]++;
        count++;
    }
    return count;
}

START_TEST(split_cuts_near_equal_parts)
{
    /* 10 with at most 8 -> 5 + 5; 17 -> 6 + 6 + 5; 8 stays whole; 1 stays. */
    const size_t lengths[] = {10, 17, 8, 1};
    const size_t want[] = {5, 5, 6, 6, 5, 8, 1};
    int32_t previous[36], next[36];
    size_t got[36];
    const size_t n = make_chains(lengths, 4, previous, next);
    size_t count;

    gcv_chain_split(previous, next, n, 8);
    count = chain_lengths(previous, next, n, got);
    ck_assert_uint_eq(count, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < count; i++)
        ck_assert_uint_eq(got[i], want[i]);
    /* Every link left is a link of the plan before. */
    for (size_t c = 0; c < n; c++)
        if (next[c] >= 0)
            ck_assert_int_eq(next[c], (int32_t)c + 1);
}
END_TEST

START_TEST(split_of_one_gives_singles)
{
    const size_t lengths[] = {4};
    int32_t previous[4], next[4];
    const size_t n = make_chains(lengths, 1, previous, next);

    gcv_chain_split(previous, next, n, 1);
    for (size_t c = 0; c < n; c++) {
        ck_assert_int_eq(previous[c], -1);
        ck_assert_int_eq(next[c], -1);
    }
}
END_TEST

START_TEST(plan_rejects_estimator_without_warm_start)
{
    struct gcv_grid grid = {0};
    struct gcv_error err = {0};
    int32_t previous[1], next[1];

    grid.n_candidates = 1;
    grid.candidates = calloc(1, sizeof *grid.candidates);
    ck_assert_ptr_nonnull(grid.candidates);
    put_candidate(&grid.candidates[0], "n_neighbors", int_value(3), NULL, null_value());
    ck_assert_int_eq(gcv_chain_plan(&grid, gcv_estimator_find("KNeighborsClassifier"),
                                    previous, next, &err),
                     GCV_ERR_SPEC);
    ck_assert_ptr_nonnull(strstr(err.message, "KNeighborsClassifier has no warm start"));
    gcv_grid_free(&grid);
}
END_TEST

/* ----- LogisticRegression ------------------------------------------------ */

static double wine_scaled[WINE_ROWS * WINE_FEATURES];

/* Standardizes the wine features, so that lbfgs converges well inside
 * max_iter at every C of the tests. */
static void scale_wine(void)
{
    for (size_t j = 0; j < WINE_FEATURES; j++) {
        double mean = 0.0, square = 0.0;

        for (size_t i = 0; i < WINE_ROWS; i++)
            mean += wine_X[i * WINE_FEATURES + j] / WINE_ROWS;
        for (size_t i = 0; i < WINE_ROWS; i++) {
            double centred = wine_X[i * WINE_FEATURES + j] - mean;
            square += centred * centred / WINE_ROWS;
        }
        for (size_t i = 0; i < WINE_ROWS; i++)
            wine_scaled[i * WINE_FEATURES + j] =
                (wine_X[i * WINE_FEATURES + j] - mean) / sqrt(square);
    }
}

/* The objective lbfgs minimises: the summed multinomial log loss plus
 * ||coef||^2 / (2 C), from the model's probabilities on rows. */
static double logistic_objective(const struct gcv_logistic_model *model,
                                 const struct gcv_rows *rows, double C)
{
    double *proba = malloc(rows->n_rows * WINE_CLASSES * sizeof *proba);
    int32_t classes[WINE_CLASSES];
    size_t n_classes = 0;
    struct gcv_error err = {0};
    double loss = 0.0, norm = 0.0;

    ck_assert_ptr_nonnull(proba);
    ck_assert_int_eq(gcv_logistic_ops.predict_proba(model, rows, proba, classes, &n_classes,
                                                    &err),
                     GCV_OK);
    ck_assert_uint_eq(n_classes, WINE_CLASSES);
    for (size_t i = 0; i < rows->n_rows; i++)
        loss -= log(proba[i * WINE_CLASSES + (size_t)rows->y_class[rows->index[i]]]);
    for (size_t k = 0; k < model->n_rows * model->n_features; k++)
        norm += model->coef[k] * model->coef[k];
    free(proba);
    return loss + norm / (2.0 * C);
}

static struct gcv_logistic_model *fit_logistic(double C, const struct gcv_rows *rows,
                                               const struct gcv_logistic_model *previous)
{
    struct gcv_error err = {0};
    enum gcv_status status;
    void *params = parse_one(&gcv_logistic_ops, "C", real_value(C), &status, &err);
    void *model = NULL;

    ck_assert_int_eq(status, GCV_OK);
    if (previous == NULL)
        status = gcv_logistic_ops.fit(params, rows, &model, &err);
    else
        status = gcv_logistic_ops.fit_from(params, rows, previous, &model, &err);
    ck_assert_msg(status == GCV_OK, "fit at C=%g failed: %s", C, err.message);
    gcv_logistic_ops.params_free(params);
    return model;
}

START_TEST(logistic_warm_start_reaches_same_optimum)
{
    size_t index[WINE_ROWS];
    struct gcv_rows rows;
    struct gcv_logistic_model *start, *cold, *warm;
    double cold_objective, warm_objective;

    scale_wine();
    for (size_t i = 0; i < WINE_ROWS; i++)
        index[i] = i;
    rows = class_rows("wine", index, WINE_ROWS);
    rows.X = wine_scaled;

    start = fit_logistic(0.01, &rows, NULL);
    cold = fit_logistic(1.0, &rows, NULL);
    warm = fit_logistic(1.0, &rows, start);

    /* Both stopped by the solver's own test (the largest gradient entry
     * below tol = 1e-4, or the objective's relative decrease below
     * factr eps = 2.2e-9), not at max_iter. */
    ck_assert_ptr_null(gcv_logistic_ops.fit_warning(cold));
    ck_assert_ptr_null(gcv_logistic_ops.fit_warning(warm));

    /* The objective is strongly convex in coef (modulus 1/C = 1) and both
     * gradients are below 1e-4 per entry, so the objective values agree to
     * about n_variables * 1e-8; 1e-6 relative leaves room for rounding. */
    cold_objective = logistic_objective(cold, &rows, 1.0);
    warm_objective = logistic_objective(warm, &rows, 1.0);
    ck_assert_msg(fabs(cold_objective - warm_objective) <= 1e-6 * cold_objective,
                  "objective from zero %.12g, warm-started %.12g", cold_objective,
                  warm_objective);
    for (size_t k = 0; k < cold->n_rows * cold->n_features; k++)
        ck_assert_msg(fabs(cold->coef[k] - warm->coef[k]) <= 1e-3,
                      "coef[%zu]: from zero %.9g, warm-started %.9g", k, cold->coef[k],
                      warm->coef[k]);
    ck_assert_msg(warm->n_iter < cold->n_iter, "warm start took %lld iterations, from zero %lld",
                  warm->n_iter, cold->n_iter);

    gcv_logistic_ops.model_free(start);
    gcv_logistic_ops.model_free(cold);
    gcv_logistic_ops.model_free(warm);
}
END_TEST

START_TEST(logistic_warm_start_one_vs_rest)
{
    size_t index[WINE_ROWS];
    struct gcv_rows rows;
    struct gcv_error err = {0};
    struct gcv_param items[2] = {
        {.name = "C", .value = real_value(0.05), .where = (char *)checks_where},
        {.name = "multi_class", .value = string_value("ovr"), .where = (char *)checks_where},
    };
    struct gcv_param_set set = {.items = items, .count = 2};
    void *params_small = NULL, *params_large = NULL;
    void *start = NULL, *cold = NULL, *warm = NULL;

    scale_wine();
    for (size_t i = 0; i < WINE_ROWS; i++)
        index[i] = i;
    rows = class_rows("wine", index, WINE_ROWS);
    rows.X = wine_scaled;
    ck_assert_int_eq(gcv_estimator_params_parse(&gcv_logistic_ops, &set, &params_small, &err),
                     GCV_OK);
    items[0].value = real_value(2.0);
    ck_assert_int_eq(gcv_estimator_params_parse(&gcv_logistic_ops, &set, &params_large, &err),
                     GCV_OK);

    ck_assert_int_eq(gcv_logistic_ops.fit(params_small, &rows, &start, &err), GCV_OK);
    ck_assert_int_eq(gcv_logistic_ops.fit(params_large, &rows, &cold, &err), GCV_OK);
    ck_assert_int_eq(gcv_logistic_ops.fit_from(params_large, &rows, start, &warm, &err), GCV_OK);

    /* One binary problem per class, each started from its own row. The
     * tolerance is the one of the multinomial test, on each coefficient. */
    {
        const struct gcv_logistic_model *c = cold, *w = warm;
        ck_assert(!w->multinomial);
        for (size_t k = 0; k < c->n_rows * c->n_features; k++)
            ck_assert_msg(fabs(c->coef[k] - w->coef[k]) <= 1e-3,
                          "coef[%zu]: from zero %.9g, warm-started %.9g", k, c->coef[k],
                          w->coef[k]);
        for (size_t k = 0; k < c->n_rows; k++)
            ck_assert_msg(fabs(c->intercept[k] - w->intercept[k]) <= 1e-3,
                          "intercept[%zu]: from zero %.9g, warm-started %.9g", k,
                          c->intercept[k], w->intercept[k]);
    }

    gcv_logistic_ops.model_free(start);
    gcv_logistic_ops.model_free(cold);
    gcv_logistic_ops.model_free(warm);
    gcv_logistic_ops.params_free(params_small);
    gcv_logistic_ops.params_free(params_large);
}
END_TEST

/* ----- Lasso and ElasticNet ---------------------------------------------- */

/* The objective of enet.h at the model, on rows:
 * 1 / (2 n) ||y - X coef - intercept||^2 + alpha l1_ratio ||coef||_1
 *     + alpha (1 - l1_ratio) / 2 ||coef||^2. */
static double enet_objective(const struct gcv_enet_model *model, const struct gcv_rows *rows,
                             double alpha, double l1_ratio)
{
    double squares = 0.0, l1 = 0.0, l2 = 0.0;

    for (size_t i = 0; i < rows->n_rows; i++) {
        const double *x = rows->X + rows->index[i] * rows->n_features;
        double residual = rows->y_value[rows->index[i]] - model->intercept;

        for (size_t j = 0; j < rows->n_features; j++)
            residual -= x[j] * model->coef[j];
        squares += residual * residual;
    }
    for (size_t j = 0; j < model->n_features; j++) {
        l1 += fabs(model->coef[j]);
        l2 += model->coef[j] * model->coef[j];
    }
    return squares / (2.0 * (double)rows->n_rows) + alpha * l1_ratio * l1 +
           alpha * (1.0 - l1_ratio) / 2.0 * l2;
}

static struct gcv_enet_model *fit_enet(double alpha, double l1_ratio,
                                       const struct gcv_rows *rows,
                                       const struct gcv_enet_model *previous)
{
    struct gcv_enet_params params = {
        .alpha = alpha, .l1_ratio = l1_ratio, .fit_intercept = true, .max_iter = 1000,
        .tol = 1e-4,
    };
    struct gcv_enet_model *model = NULL;
    struct gcv_error err = {0};

    ck_assert_msg(gcv_enet_fit_from("ElasticNet", &params, rows, previous, &model, &err) ==
                      GCV_OK,
                  "fit at alpha=%g failed: %s", alpha, err.message);
    ck_assert_msg(model->converged, "fit at alpha=%g did not converge", alpha);
    return model;
}

/* Fits alpha_start, then alpha from zero and from the first fit. Coordinate
 * descent stops once the duality gap (model->dual_gap, on the objective
 * divided by n) is below tol ||y - mean(y)||^2 / n, so each objective is
 * within its own gap of the optimum and the two differ by at most the sum
 * of the gaps. */
static void check_enet_warm_start(double alpha_start, double alpha, double l1_ratio)
{
    size_t index[DIABETES_ROWS];
    struct gcv_rows rows;
    struct gcv_enet_model *start, *cold, *warm;
    double cold_objective, warm_objective;

    for (size_t i = 0; i < DIABETES_ROWS; i++)
        index[i] = i;
    rows = diabetes_rows(index, DIABETES_ROWS);

    start = fit_enet(alpha_start, l1_ratio, &rows, NULL);
    cold = fit_enet(alpha, l1_ratio, &rows, NULL);
    warm = fit_enet(alpha, l1_ratio, &rows, start);
    cold_objective = enet_objective(cold, &rows, alpha, l1_ratio);
    warm_objective = enet_objective(warm, &rows, alpha, l1_ratio);
    ck_assert_msg(fabs(cold_objective - warm_objective) <= cold->dual_gap + warm->dual_gap,
                  "objective from zero %.12g (gap %.3g), warm-started %.12g (gap %.3g)",
                  cold_objective, cold->dual_gap, warm_objective, warm->dual_gap);
    ck_assert_msg(warm->n_iter <= cold->n_iter, "warm start took %lld sweeps, from zero %lld",
                  warm->n_iter, cold->n_iter);

    gcv_enet_model_free(start);
    gcv_enet_model_free(cold);
    gcv_enet_model_free(warm);
}

START_TEST(lasso_warm_start_reaches_same_optimum)
{
    check_enet_warm_start(0.1, 0.01, 1.0);
}
END_TEST

START_TEST(elastic_net_warm_start_reaches_same_optimum)
{
    check_enet_warm_start(0.01, 0.001, 0.5);
}
END_TEST

static Suite *chain_suite(void)
{
    Suite *suite = suite_create("chain");
    TCase *plan = tcase_create("plan");
    TCase *solvers = tcase_create("solvers");

    tcase_add_test(plan, plan_orders_C_ascending_per_other_setting);
    tcase_add_test(plan, plan_orders_alpha_descending);
    tcase_add_test(plan, plan_follows_pipeline_final_step);
    tcase_add_test(plan, split_cuts_near_equal_parts);
    tcase_add_test(plan, split_of_one_gives_singles);
    tcase_add_test(plan, plan_rejects_estimator_without_warm_start);
    suite_add_tcase(suite, plan);

    tcase_add_test(solvers, logistic_warm_start_reaches_same_optimum);
    tcase_add_test(solvers, logistic_warm_start_one_vs_rest);
    tcase_add_test(solvers, lasso_warm_start_reaches_same_optimum);
    tcase_add_test(solvers, elastic_net_warm_start_reaches_same_optimum);
    suite_add_tcase(suite, solvers);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(chain_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
