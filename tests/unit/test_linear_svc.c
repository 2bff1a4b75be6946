/* Suite "linear_svc": LinearSVC against scikit-learn 1.2.1 on breast
 * cancer, wine and digits (fixtures written by
 * tests/unit/fixtures/make_linear_svc_fixtures.py): iteration counts,
 * convergence, coefficients, decision values and predicted labels of the
 * four LIBLINEAR solvers, binary and one-vs-rest, of the Crammer-Singer
 * solver, the round trip through a model file, and the parameter
 * checks. */
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
