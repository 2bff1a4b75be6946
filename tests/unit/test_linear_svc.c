/* Suite "linear_svc": LinearSVC against scikit-learn 1.2.1 on breast
 * cancer, wine and digits (fixtures written by
 * tests/unit/fixtures/make_linear_svc_fixtures.py): iteration counts,
 * convergence, coefficients, decision values and predicted labels of the
 * four LIBLINEAR solvers, binary and one-vs-rest, of the Crammer-Singer
 * solver, the round trip through a model file, warm starts along C, and
 * the parameter checks. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/model_file.h"
#include "tests/unit/estimator_checks.h"
#include "tests/unit/fixtures/linear_svc_fixtures.h"
#include "worker/estimators/linear_svc.h"

#define N_FIXTURES (sizeof linear_svc_fixtures / sizeof linear_svc_fixtures[0])

/* Tolerances relative to the largest coefficient. Every fixture's
 * coefficients came out bit for bit equal to scikit-learn's on x86-64 with
 * Debian's OpenBLAS. The coordinate descent solvers use no BLAS during
 * the fit (they visit the coordinates in scikit-learn's random order and
 * sum in LIBLINEAR's order), so only the prediction's dgemm may round
 * differently elsewhere. The trust-region solver makes LIBLINEAR's BLAS
 * calls (dnrm2, ddot, daxpy), and a BLAS kernel that rounds them
 * differently ends the Newton steps elsewhere within tol. Under valgrind,
 * whose emulated CPU makes OpenBLAS pick other kernels, cancer_primal_C_2
 * moved by 2.3e-8 of its largest coefficient and one decision value by
 * 1.05e-6 of its size. The decision values use the same tolerances,
 * relative to the row's largest decision value or 1. */
#define COEF_REL_TOL 1e-9
#define TRUST_REGION_REL_TOL 1e-5

/* A label may differ only where scikit-learn's decision is this close to
 * a tie, relative to the row's largest decision value. */
#define TIE_REL_TOL 1e-6

static const double *fixture_X(const struct linear_svc_fixture *fixture)
{
    if (!fixture->raw)
        return fixture->X;
    if (strcmp(fixture->dataset, "cancer") == 0)
        return cancer_X;
    if (strcmp(fixture->dataset, "wine") == 0)
        return wine_X;
    return digits_X;
}

/* The rows i % 4 != 0 (train) or i % 4 == 0 (test), into index. */
static struct gcv_rows fixture_rows(const struct linear_svc_fixture *fixture, bool test,
                                    size_t *index)
{
    struct gcv_rows rows = class_rows(fixture->dataset, index, 0);
    const size_t n_rows = rows.n_features == WINE_FEATURES     ? WINE_ROWS
                          : rows.n_features == CANCER_FEATURES ? CANCER_ROWS
                                                               : DIGITS_ROWS;

    for (size_t i = 0; i < n_rows; i++)
        if ((i % 4 == 0) == test)
            index[rows.n_rows++] = i;
    rows.X = fixture_X(fixture);
    return rows;
}

/* The coefficient tolerance of the fixture's solver. */
static double coef_tolerance(const struct linear_svc_fixture *fixture)
{
    if (!fixture->params.crammer_singer && fixture->params.solver == GCV_LINEAR_SVC_L2R_L2LOSS)
        return TRUST_REGION_REL_TOL;
    return COEF_REL_TOL;
}

static struct gcv_linear_svc_model *fit_fixture(const struct linear_svc_fixture *fixture)
{
    size_t index[DIGITS_ROWS];
    const struct gcv_rows train = fixture_rows(fixture, false, index);
    struct gcv_error err = {0};
    void *model = NULL;
    enum gcv_status status = gcv_linear_svc_ops.fit(&fixture->params, &train, &model, &err);

    ck_assert_msg(status == GCV_OK, "%s: fit failed: %s", fixture->name, err.message);
    return model;
}

START_TEST(fit_matches_sklearn_solution)
{
    const struct linear_svc_fixture *fixture = &linear_svc_fixtures[_i];
    struct gcv_linear_svc_model *model = fit_fixture(fixture);
    const size_t d = model->n_features;
    double scale = 0;

    ck_assert_uint_eq(model->n_classes, fixture->n_classes);
    for (size_t c = 0; c < fixture->n_classes; c++)
        ck_assert_int_eq(model->classes[c], fixture->classes[c]);
    ck_assert_uint_eq(model->n_rows, fixture->n_rows);
    if (fixture->n_iter >= 0) {
        ck_assert_msg(model->n_iter == fixture->n_iter, "%s: n_iter %lld, want %lld",
                      fixture->name, model->n_iter, fixture->n_iter);
        ck_assert_msg(model->converged == fixture->converged, "%s: converged %d, want %d",
                      fixture->name, model->converged, fixture->converged);
    }
    ck_assert((gcv_linear_svc_ops.fit_warning(model) == NULL) == model->converged);

    for (size_t k = 0; k < fixture->n_rows * d; k++)
        scale = fmax(scale, fabs(fixture->coef[k]));
    for (size_t k = 0; k < fixture->n_rows * d; k++)
        ck_assert_msg(close_to(model->coef[k], fixture->coef[k], 0, coef_tolerance(fixture) * scale),
                      "%s: coef[%zu] = %.17g, want %.17g", fixture->name, k, model->coef[k],
                      fixture->coef[k]);
    for (size_t c = 0; c < fixture->n_rows; c++)
        ck_assert_msg(close_to(model->intercept[c], fixture->intercept[c], 0,
                               coef_tolerance(fixture) *
                                   fmax(scale, fabs(fixture->intercept[c]))),
                      "%s: intercept[%zu] = %.17g, want %.17g", fixture->name, c,
                      model->intercept[c], fixture->intercept[c]);
    gcv_linear_svc_ops.model_free(model);
}
END_TEST

START_TEST(predict_matches_sklearn_labels)
{
    const struct linear_svc_fixture *fixture = &linear_svc_fixtures[_i];
    struct gcv_linear_svc_model *model = fit_fixture(fixture);
    size_t index[DIGITS_ROWS];
    const struct gcv_rows test = fixture_rows(fixture, true, index);
    const size_t t = fixture->n_rows;
    double *decision = malloc(test.n_rows * t * sizeof *decision);
    double *predicted = malloc(test.n_rows * sizeof *predicted);
    struct gcv_error err = {0};

    ck_assert_uint_eq(test.n_rows, fixture->n_test);
    ck_assert_int_eq(gcv_linear_svc_decision(model, &test, decision, &err), GCV_OK);
    ck_assert_int_eq(gcv_linear_svc_ops.predict(model, &test, predicted, &err), GCV_OK);
    for (size_t r = 0; r < test.n_rows; r++) {
        double scale = 0;

        for (size_t c = 0; c < t; c++)
            scale = fmax(scale, fabs(fixture->decision[r * t + c]));
        for (size_t c = 0; c < t; c++)
            ck_assert_msg(close_to(decision[r * t + c], fixture->decision[r * t + c], 0,
                                   coef_tolerance(fixture) * fmax(scale, 1.0)),
                          "%s: row %zu decision[%zu] = %.17g, want %.17g", fixture->name,
                          index[r], c, decision[r * t + c], fixture->decision[r * t + c]);
        if (fixture->margin[r] > TIE_REL_TOL * fmax(scale, 1.0))
            ck_assert_msg(predicted[r] == (double)fixture->predicted[r],
                          "%s: row %zu predicted %g, want %d", fixture->name, index[r],
                          predicted[r], (int)fixture->predicted[r]);
    }
    free(decision);
    free(predicted);
    gcv_linear_svc_ops.model_free(model);
}
END_TEST

START_TEST(decision_function_op_gives_binary_column)
{
    const struct linear_svc_fixture *fixture = &linear_svc_fixtures[0];
    struct gcv_linear_svc_model *model = fit_fixture(fixture);
    size_t index[CANCER_ROWS];
    const struct gcv_rows test = fixture_rows(fixture, true, index);
    double *decision = malloc(test.n_rows * sizeof *decision);
    int32_t classes[CANCER_CLASSES];
    size_t n_classes = 0;
    struct gcv_error err = {0};

    ck_assert_uint_eq(fixture->n_classes, 2);
    ck_assert_int_eq(gcv_linear_svc_ops.decision_function(model, &test, decision, classes,
                                                          &n_classes, &err),
                     GCV_OK);
    ck_assert_uint_eq(n_classes, 2);
    ck_assert_int_eq(classes[0], fixture->classes[0]);
    ck_assert_int_eq(classes[1], fixture->classes[1]);
    for (size_t r = 0; r < test.n_rows; r++)
        ck_assert(close_to(decision[r], fixture->decision[r], 0,
                           COEF_REL_TOL * fmax(fabs(fixture->decision[r]), 1.0)));
    free(decision);
    gcv_linear_svc_ops.model_free(model);
}
END_TEST

/* Saves the model of a fixture into a model file, loads it back and
 * checks that both give the same decision values and labels, bit for bit:
 * the binary cancer_default, the one-vs-rest wine_default and the
 * Crammer-Singer wine_crammer_singer. */
START_TEST(saved_model_loads_with_same_decisions)
{
    static const char *const names[] = {"cancer_default", "wine_default",
                                        "wine_crammer_singer"};
    static const long long labels[3] = {0, 1, 2};
    const struct linear_svc_fixture *fixture = NULL;
    struct gcv_linear_svc_model *fitted, *loaded = NULL;
    size_t index[CANCER_ROWS];
    struct gcv_rows test;
    struct gcv_model_header header = {0};
    struct gcv_error err = {0};
    hid_t file, group;
    char path[128];
    double *fitted_out, *loaded_out;

    for (size_t k = 0; k < N_FIXTURES; k++)
        if (strcmp(linear_svc_fixtures[k].name, names[_i]) == 0)
            fixture = &linear_svc_fixtures[k];
    ck_assert_ptr_nonnull(fixture);
    fitted = fit_fixture(fixture);
    test = fixture_rows(fixture, true, index);
    header = (struct gcv_model_header){
        .estimator = "LinearSVC",
        .best_params = "{}",
        .n_features = test.n_features,
        .label_kind = GCV_LABELS_INTEGER,
        .n_classes = test.n_classes,
        .class_integers = (long long *)labels,
    };
    snprintf(path, sizeof path, "/tmp/gridcv_test_linear_svc_%ld.h5", (long)getpid());
    ck_assert_msg(gcv_model_file_write(path, &header, gcv_linear_svc_ops.save, fitted, &err) ==
                      GCV_OK,
                  "%s", err.message);

    header = (struct gcv_model_header){0};
    ck_assert_msg(gcv_model_file_open(path, &header, &file, &group, &err) == GCV_OK, "%s",
                  err.message);
    ck_assert_msg(gcv_linear_svc_ops.load(group, (void **)&loaded, &err) == GCV_OK, "%s",
                  err.message);
    H5Gclose(group);
    H5Fclose(file);
    gcv_model_header_free(&header);
    unlink(path);

    ck_assert_uint_eq(loaded->n_classes, fitted->n_classes);
    ck_assert_uint_eq(loaded->n_rows, fitted->n_rows);
    ck_assert_ptr_null(gcv_linear_svc_ops.fit_warning(loaded));
    fitted_out = malloc(test.n_rows * fitted->n_rows * sizeof *fitted_out);
    loaded_out = malloc(test.n_rows * fitted->n_rows * sizeof *loaded_out);
    ck_assert_int_eq(gcv_linear_svc_decision(fitted, &test, fitted_out, &err), GCV_OK);
    ck_assert_int_eq(gcv_linear_svc_decision(loaded, &test, loaded_out, &err), GCV_OK);
    ck_assert_mem_eq(loaded_out, fitted_out, test.n_rows * fitted->n_rows * sizeof *fitted_out);
    ck_assert_int_eq(gcv_linear_svc_ops.predict(fitted, &test, fitted_out, &err), GCV_OK);
    ck_assert_int_eq(gcv_linear_svc_ops.predict(loaded, &test, loaded_out, &err), GCV_OK);
    ck_assert_mem_eq(loaded_out, fitted_out, test.n_rows * sizeof *fitted_out);

    free(fitted_out);
    free(loaded_out);
    gcv_linear_svc_ops.model_free(fitted);
    gcv_linear_svc_ops.model_free(loaded);
}
END_TEST

START_TEST(single_class_fold_fails_the_fit)
{
    static const size_t index[] = {0, 1, 2, 3};
    const struct gcv_rows train = class_rows("wine", index, 4);
    struct gcv_linear_svc_params *params = parse_defaults(&gcv_linear_svc_ops);
    struct gcv_error err = {0};
    void *model = NULL;

    ck_assert_int_eq(gcv_linear_svc_ops.fit(params, &train, &model, &err), GCV_ERR_FIT);
    ck_assert_ptr_null(model);
    ck_assert_str_eq(err.message, "LinearSVC needs rows of at least 2 classes, and the "
                                  "training rows have only class code 0");
    gcv_linear_svc_ops.params_free(params);
}
END_TEST

/* ----- warm starts ------------------------------------------------------ */

/* The fixtures a warm start is checked on: every solver, binary and
 * one-vs-rest, with and without balanced class weights, and
 * Crammer-Singer on three classes (whose primal needs the K rows of
 * coefficients, which two classes collapse into one). */
static const char *const warm_fixtures[] = {
    "cancer_default",         "cancer_hinge_C_0.5",   "cancer_primal_C_2",
    "cancer_l1_C_0.3",        "cancer_intercept_scaling_10", "wine_default",
    "wine_hinge_balanced",    "wine_primal_C_10",     "wine_l1_balanced",
    "digits_C_0.05",          "wine_crammer_singer",  "wine_crammer_singer_balanced",
};
#define N_WARM_FIXTURES (sizeof warm_fixtures / sizeof warm_fixtures[0])

static const struct linear_svc_fixture *find_fixture(const char *name)
{
    for (size_t k = 0; k < N_FIXTURES; k++)
        if (strcmp(linear_svc_fixtures[k].name, name) == 0)
            return &linear_svc_fixtures[k];
    ck_abort_msg("no fixture %s", name);
    return NULL;
}

/* The row's value of decision column column, with the intercept. */
static double column_decision(const struct gcv_linear_svc_model *model, const double *x,
                              size_t column)
{
    double sum = model->intercept[column];

    for (size_t j = 0; j < model->n_features; j++)
        sum += model->coef[column * model->n_features + j] * x[j];
    return sum;
}

/* The penalty of one decision column's weights, the intercept feature's
 * weight (intercept_ / intercept_scaling) included, as LIBLINEAR
 * penalises it: ||w||^2 / 2, or ||w||_1 for penalty "l1". */
static double column_penalty(const struct gcv_linear_svc_params *params,
                             const struct gcv_linear_svc_model *model, size_t column)
{
    const bool l1 = params->solver == GCV_LINEAR_SVC_L1R_L2LOSS && !params->crammer_singer;
    const double b = params->fit_intercept ? model->intercept[column] / params->intercept_scaling
                                           : 0.0;
    double sum = l1 ? fabs(b) : b * b / 2;

    for (size_t j = 0; j < model->n_features; j++) {
        const double w = model->coef[column * model->n_features + j];

        sum += l1 ? fabs(w) : w * w / 2;
    }
    return sum;
}

/* The primal objective that the solver of params minimises, at model,
 * over the training rows train, summed over the one-vs-rest problems:
 * penalty + sum_i C_i loss_i, with C_i = C times the "balanced" weight
 * l / (K count) of the problem's positive class for its rows, and C
 * (two classes: the weighted C of the first class) for the others. For
 * Crammer-Singer: sum_m ||w_m||^2 / 2 + sum_i C_i max_m ([m != y_i] +
 * w_m.x_i - w_{y_i}.x_i), C_i weighted by the row's class. */
static double primal_objective(const struct gcv_linear_svc_params *params,
                               const struct gcv_rows *train,
                               const struct gcv_linear_svc_model *model)
{
    const size_t K = model->n_classes;
    double weighted_C[DIGITS_CLASSES];
    size_t count[DIGITS_CLASSES] = {0};
    size_t position[DIGITS_CLASSES] = {0};
    double objective = 0;

    for (size_t c = 0; c < K; c++)
        position[model->classes[c]] = c;
    for (size_t r = 0; r < train->n_rows; r++)
        count[position[train->y_class[train->index[r]]]]++;
    for (size_t c = 0; c < K; c++)
        weighted_C[c] = params->C * (params->class_weight_balanced
                                         ? (double)train->n_rows / ((double)K * (double)count[c])
                                         : 1.0);

    for (size_t column = 0; column < model->n_rows; column++)
        objective += column_penalty(params, model, column);
    for (size_t r = 0; r < train->n_rows; r++) {
        const double *x = train->X + train->index[r] * train->n_features;
        const size_t own = position[train->y_class[train->index[r]]];

        if (params->crammer_singer) {
            const double own_value = column_decision(model, x, own);
            double slack = 0;

            for (size_t m = 0; m < K; m++)
                if (m != own)
                    slack = fmax(slack, 1 + column_decision(model, x, m) - own_value);
            objective += weighted_C[own] * slack;
            continue;
        }
        for (size_t column = 0; column < model->n_rows; column++) {
            const size_t positive = K == 2 ? 1 : column;
            const double y = own == positive ? 1 : -1;
            const double cost = own == positive ? weighted_C[positive]
                                                : (K == 2 ? weighted_C[0] : params->C);
            const double slack = fmax(0.0, 1 - y * column_decision(model, x, column));

            objective += cost * (params->solver == GCV_LINEAR_SVC_L2R_L1LOSS_DUAL
                                     ? slack
                                     : slack * slack);
        }
    }
    return objective;
}

static struct gcv_linear_svc_model *fit_warm(const struct gcv_linear_svc_params *params,
                                             const struct gcv_rows *train,
                                             const struct gcv_linear_svc_model *previous)
{
    struct gcv_error err = {0};
    void *model = NULL;
    const enum gcv_status status =
        previous == NULL ? gcv_linear_svc_ops.fit(params, train, &model, &err)
                         : gcv_linear_svc_ops.fit_from(params, train, previous, &model, &err);

    ck_assert_msg(status == GCV_OK, "C=%g: fit failed: %s", params->C, err.message);
    return model;
}

/* A chain C/10, C/3, C of warm starts ends at the objective of the fit
 * from zero at C. Both stop by the same rule within the solver's
 * tolerance of the optimum, not at the same point. Over these fixtures
 * the two objectives differed by at most 3.0e-5 of their value (the
 * trust-region solver, whose rule is ||gradient|| <= eps ||gradient at
 * 0||; the coordinate descent solvers by at most 5.5e-6), measured with
 * this test on x86-64. */
#define WARM_OBJECTIVE_REL_TOL 1e-4

START_TEST(warm_start_reaches_cold_objective)
{
    static const double divisors[] = {10.0, 3.0, 1.0};
    const struct linear_svc_fixture *fixture = find_fixture(warm_fixtures[_i]);
    size_t index[DIGITS_ROWS];
    const struct gcv_rows train = fixture_rows(fixture, false, index);
    struct gcv_linear_svc_params params = fixture->params;
    struct gcv_linear_svc_model *cold, *chain = NULL;
    double cold_objective, warm_objective;

    params.max_iter = 100000;
    for (size_t step = 0; step < sizeof divisors / sizeof divisors[0]; step++) {
        struct gcv_linear_svc_model *next;

        params.C = fixture->params.C / divisors[step];
        next = fit_warm(&params, &train, chain);
        if (chain != NULL)
            gcv_linear_svc_ops.model_free(chain);
        chain = next;
    }
    cold = fit_warm(&params, &train, NULL);
    ck_assert_msg(cold->converged && chain->converged, "%s: a fit stopped at max_iter",
                  fixture->name);

    cold_objective = primal_objective(&params, &train, cold);
    warm_objective = primal_objective(&params, &train, chain);
    ck_assert_msg(close_to(warm_objective, cold_objective, WARM_OBJECTIVE_REL_TOL, 0),
                  "%s: warm-started objective %.17g, from zero %.17g (relative difference "
                  "%.2e)",
                  fixture->name, warm_objective, cold_objective,
                  fabs(warm_objective - cold_objective) / cold_objective);
    gcv_linear_svc_ops.model_free(cold);
    gcv_linear_svc_ops.model_free(chain);
}
END_TEST

/* A fit started from its own solution at the same C is at the optimum
 * already: it stops at once (measured with this test: 1 to 4 passes of
 * coordinate descent, 0 Newton steps), where a fit from zero takes 11 to
 * 816. A start that is dropped, or a w not rebuilt from the dual's
 * alpha, would take about as many as a fit from zero. */
#define OWN_SOLUTION_MAX_ITER 5

START_TEST(warm_start_from_own_solution_stops_at_once)
{
    const struct linear_svc_fixture *fixture = find_fixture(warm_fixtures[_i]);
    size_t index[DIGITS_ROWS];
    const struct gcv_rows train = fixture_rows(fixture, false, index);
    struct gcv_linear_svc_params params = fixture->params;
    struct gcv_linear_svc_model *cold, *again;

    params.max_iter = 100000;
    cold = fit_warm(&params, &train, NULL);
    again = fit_warm(&params, &train, cold);
    ck_assert_msg(again->n_iter <= OWN_SOLUTION_MAX_ITER, "%s: %lld iterations from its own solution, %lld from "
                  "zero", fixture->name, again->n_iter, cold->n_iter);
    ck_assert_msg(cold->n_iter > OWN_SOLUTION_MAX_ITER, "%s: %lld iterations from zero", fixture->name,
                  cold->n_iter);
    gcv_linear_svc_ops.model_free(cold);
    gcv_linear_svc_ops.model_free(again);
}
END_TEST

START_TEST(warm_start_rejects_model_of_other_rows)
{
    const struct linear_svc_fixture *fixture = find_fixture("cancer_default");
    size_t index[CANCER_ROWS];
    struct gcv_rows train = fixture_rows(fixture, false, index);
    struct gcv_linear_svc_model *previous = fit_warm(&fixture->params, &train, NULL);
    struct gcv_error err = {0};
    void *model = NULL;

    train.n_rows -= 1;
    ck_assert_int_eq(gcv_linear_svc_ops.fit_from(&fixture->params, &train, previous, &model,
                                                 &err),
                     GCV_ERR_INTERNAL);
    ck_assert_ptr_null(model);
    ck_assert_msg(strstr(err.message, "the warm start is a model of other rows") != NULL, "%s",
                  err.message);
    gcv_linear_svc_ops.model_free(previous);
}
END_TEST

START_TEST(params_default_to_sklearn_values)
{
    struct gcv_linear_svc_params *params = parse_defaults(&gcv_linear_svc_ops);

    ck_assert_int_eq(params->solver, GCV_LINEAR_SVC_L2R_L2LOSS_DUAL);
    ck_assert_double_eq(params->C, 1.0);
    ck_assert_double_eq(params->tol, 1e-4);
    ck_assert_int_eq(params->max_iter, 1000);
    ck_assert(params->fit_intercept);
    ck_assert_double_eq(params->intercept_scaling, 1.0);
    ck_assert(!params->class_weight_balanced);
    ck_assert_uint_eq(params->random_state, 0);
    ck_assert(!params->crammer_singer);
    gcv_linear_svc_ops.params_free(params);
}
END_TEST

/* Parses {penalty, loss, dual} and returns the status, with the parsed
 * solver in *solver on success. */
static enum gcv_status parse_combination(const char *penalty, const char *loss, bool dual,
                                         enum gcv_linear_svc_solver *solver,
                                         struct gcv_error *err)
{
    struct gcv_param items[] = {
        {.name = "penalty", .value = string_value(penalty), .where = NULL},
        {.name = "loss", .value = string_value(loss), .where = NULL},
        {.name = "dual", .value = bool_value(dual), .where = NULL},
    };
    const struct gcv_param_set set = {.items = items, .count = 3};
    struct gcv_linear_svc_params *parsed = NULL;
    enum gcv_status status =
        gcv_estimator_params_parse(&gcv_linear_svc_ops, &set, (void **)&parsed, err);

    if (status == GCV_OK) {
        *solver = parsed->solver;
        gcv_linear_svc_ops.params_free(parsed);
    } else {
        ck_assert_ptr_null(parsed);
    }
    return status;
}

START_TEST(params_select_liblinear_solver)
{
    static const struct {
        const char *penalty, *loss;
        bool dual;
        enum gcv_linear_svc_solver solver;
    } cases[] = {
        {"l2", "hinge", true, GCV_LINEAR_SVC_L2R_L1LOSS_DUAL},
        {"l2", "squared_hinge", true, GCV_LINEAR_SVC_L2R_L2LOSS_DUAL},
        {"l2", "squared_hinge", false, GCV_LINEAR_SVC_L2R_L2LOSS},
        {"l1", "squared_hinge", false, GCV_LINEAR_SVC_L1R_L2LOSS},
    };

    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        enum gcv_linear_svc_solver solver;
        struct gcv_error err = {0};

        ck_assert_int_eq(parse_combination(cases[k].penalty, cases[k].loss, cases[k].dual,
                                           &solver, &err),
                         GCV_OK);
        ck_assert_int_eq(solver, cases[k].solver);
    }
}
END_TEST

START_TEST(params_reject_combinations_sklearn_rejects)
{
    static const struct {
        const char *penalty, *loss;
        bool dual;
        const char *message;
    } cases[] = {
        {"l2", "hinge", false,
         "LinearSVC: penalty=\"l2\" with loss=\"hinge\" is not supported when dual=false: the "
         "hinge loss is solved only in the dual; use dual=true or loss=\"squared_hinge\""},
        {"l1", "hinge", true,
         "LinearSVC: penalty=\"l1\" with loss=\"hinge\" is not supported (dual=true): "
         "LIBLINEAR has no solver for the L1-penalised hinge loss; use "
         "loss=\"squared_hinge\" with dual=false"},
        {"l1", "hinge", false,
         "LinearSVC: penalty=\"l1\" with loss=\"hinge\" is not supported (dual=false): "
         "LIBLINEAR has no solver for the L1-penalised hinge loss; use "
         "loss=\"squared_hinge\" with dual=false"},
        {"l1", "squared_hinge", true,
         "LinearSVC: penalty=\"l1\" with loss=\"squared_hinge\" is not supported when "
         "dual=true: the L1 penalty is solved only in the primal; use dual=false"},
    };

    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        enum gcv_linear_svc_solver solver;
        struct gcv_error err = {0};

        ck_assert_int_eq(parse_combination(cases[k].penalty, cases[k].loss, cases[k].dual,
                                           &solver, &err),
                         GCV_ERR_PARAM);
        ck_assert_str_eq(err.message, cases[k].message);
    }
}
END_TEST

START_TEST(params_combination_message_names_location)
{
    struct gcv_param items[] = {
        {.name = "penalty", .value = string_value("l1"), .where = (char *)checks_where},
    };
    const struct gcv_param_set set = {.items = items, .count = 1};
    void *parsed = NULL;
    struct gcv_error err = {0};

    ck_assert_int_eq(gcv_estimator_params_parse(&gcv_linear_svc_ops, &set, &parsed, &err),
                     GCV_ERR_PARAM);
    ck_assert_ptr_null(parsed);
    ck_assert_str_eq(err.message, "LinearSVC: penalty=\"l1\" with loss=\"squared_hinge\" is "
                                  "not supported when dual=true: the L1 penalty is solved only "
                                  "in the primal; use dual=false (param_grid[0].x[2], line 9 "
                                  "column 14)");
}
END_TEST

START_TEST(params_crammer_singer_ignores_loss_and_penalty)
{
    struct gcv_param items[] = {
        {.name = "penalty", .value = string_value("l1"), .where = NULL},
        {.name = "loss", .value = string_value("hinge"), .where = NULL},
        {.name = "multi_class", .value = string_value("crammer_singer"), .where = NULL},
    };
    const struct gcv_param_set set = {.items = items, .count = 3};
    struct gcv_linear_svc_params *parsed = NULL;
    struct gcv_error err = {0};

    ck_assert_int_eq(gcv_estimator_params_parse(&gcv_linear_svc_ops, &set, (void **)&parsed,
                                                &err),
                     GCV_OK);
    ck_assert(parsed->crammer_singer);
    gcv_linear_svc_ops.params_free(parsed);
}
END_TEST

START_TEST(params_reject_invalid_values)
{
    static const struct {
        const char *name;
        struct gcv_value value;
        const char *message;
    } cases[] = {
        {"C", {.kind = GCV_VALUE_INT, .integer = 0},
         "C must be a number > 0, got 0 (param_grid[0].x[2], line 9 column 14)"},
        {"tol", {.kind = GCV_VALUE_REAL, .real = 0.0},
         "tol must be a number > 0, got 0.0 (param_grid[0].x[2], line 9 column 14)"},
        {"intercept_scaling", {.kind = GCV_VALUE_INT, .integer = -1},
         "intercept_scaling must be a number > 0, got -1 (param_grid[0].x[2], line 9 "
         "column 14)"},
        {"penalty", {.kind = GCV_VALUE_STRING, .string = "elasticnet"},
         "penalty must be \"l1\" or \"l2\", got \"elasticnet\" (param_grid[0].x[2], line 9 "
         "column 14)"},
        {"loss", {.kind = GCV_VALUE_STRING, .string = "log"},
         "loss must be \"hinge\" or \"squared_hinge\", got \"log\" (param_grid[0].x[2], "
         "line 9 column 14)"},
        {"max_iter", {.kind = GCV_VALUE_INT, .integer = -1},
         "max_iter must be an integer in [0, 2147483647] (LIBLINEAR counts in a C int), got -1 "
         "(param_grid[0].x[2], line 9 column 14)"},
        {"multi_class", {.kind = GCV_VALUE_STRING, .string = "multinomial"},
         "multi_class must be \"ovr\" or \"crammer_singer\", got \"multinomial\" "
         "(param_grid[0].x[2], line 9 column 14)"},
        {"class_weight", {.kind = GCV_VALUE_STRING, .string = "auto"},
         "class_weight must be null or \"balanced\", got \"auto\" (param_grid[0].x[2], line 9 "
         "column 14)"},
        {"random_state", {.kind = GCV_VALUE_INT, .integer = -3},
         "random_state must be null or an integer in [0, 4294967295], got -3 "
         "(param_grid[0].x[2], line 9 column 14)"},
    };

    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        enum gcv_status status;
        struct gcv_error err = {0};

        parse_one(&gcv_linear_svc_ops, cases[k].name, cases[k].value, &status, &err);
        ck_assert_int_eq(status, GCV_ERR_PARAM);
        ck_assert_str_eq(err.message, cases[k].message);
    }
}
END_TEST

static Suite *linear_svc_suite(void)
{
    Suite *suite = suite_create("linear_svc");
    TCase *fit = tcase_create("fit");
    TCase *params = tcase_create("params");

    tcase_set_timeout(fit, 60);
    tcase_add_loop_test(fit, fit_matches_sklearn_solution, 0, N_FIXTURES);
    tcase_add_loop_test(fit, predict_matches_sklearn_labels, 0, N_FIXTURES);
    tcase_add_test(fit, decision_function_op_gives_binary_column);
    tcase_add_loop_test(fit, saved_model_loads_with_same_decisions, 0, 3);
    tcase_add_test(fit, single_class_fold_fails_the_fit);
    tcase_add_loop_test(fit, warm_start_reaches_cold_objective, 0, N_WARM_FIXTURES);
    tcase_add_loop_test(fit, warm_start_from_own_solution_stops_at_once, 0, N_WARM_FIXTURES);
    tcase_add_test(fit, warm_start_rejects_model_of_other_rows);
    suite_add_tcase(suite, fit);

    tcase_add_test(params, params_default_to_sklearn_values);
    tcase_add_test(params, params_select_liblinear_solver);
    tcase_add_test(params, params_reject_combinations_sklearn_rejects);
    tcase_add_test(params, params_crammer_singer_ignores_loss_and_penalty);
    tcase_add_test(params, params_combination_message_names_location);
    tcase_add_test(params, params_reject_invalid_values);
    suite_add_tcase(suite, params);
    return suite;
}

int main(void)
{
    return run_suite(linear_svc_suite());
}
