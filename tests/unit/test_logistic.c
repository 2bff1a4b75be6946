/* Suite "logistic": LogisticRegression (lbfgs) against scikit-learn 1.2.1 on
 * breast cancer, wine and digits (fixtures written by
 * tests/unit/fixtures/make_logistic_fixtures.py): iteration counts,
 * convergence, coefficients, decision values, probabilities and predicted
 * labels of binary, multinomial and one-vs-rest fits, and the parameter
 * checks. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/estimator_checks.h"
#include "tests/unit/fixtures/logistic_fixtures.h"
#include "worker/estimators/logistic.h"

#define N_FIXTURES (sizeof logistic_fixtures / sizeof logistic_fixtures[0])

/* The L-BFGS iterates follow scipy's L-BFGS-B step for step (the same
 * directions, line search and tests), so the iteration counts are equal
 * and the coefficients differ only by rounding, which grows with the
 * iterations on ill-conditioned data: 5e-11 relative on these converged
 * fits, 4e-11 after 40 iterations on the unscaled breast cancer data, 1e-7
 * after 100 on the standardized one with C=100. On the unscaled breast
 * cancer data the difference grows about tenfold every 5 iterations and
 * reaches the size of the coefficients by iteration 90 (measured against
 * scikit-learn at max_iter 5 to 100), so no fixture runs that long there. 1e-6 of the largest coefficient is far below
 * the solver's tolerance: tol 1e-4 bounds the gradient. */
#define COEF_REL_TOL 1e-6

/* A label may differ only where scikit-learn's decision is this close to
 * a tie, relative to the row's largest decision value (none is, in these
 * fixtures). */
#define TIE_REL_TOL 1e-6

static const double *fixture_X(const struct logistic_fixture *fixture)
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
static struct gcv_rows fixture_rows(const struct logistic_fixture *fixture, bool test,
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

static struct gcv_logistic_model *fit_fixture(const struct logistic_fixture *fixture)
{
    size_t index[DIGITS_ROWS];
    const struct gcv_rows train = fixture_rows(fixture, false, index);
    struct gcv_error err = {0};
    void *model = NULL;
    enum gcv_status status = gcv_logistic_ops.fit(&fixture->params, &train, &model, &err);

    ck_assert_msg(status == GCV_OK, "%s: fit failed: %s", fixture->name, err.message);
    return model;
}

START_TEST(fit_matches_sklearn_solution)
{
    const struct logistic_fixture *fixture = &logistic_fixtures[_i];
    struct gcv_logistic_model *model = fit_fixture(fixture);
    const size_t d = model->n_features;
    double scale = 0;

    ck_assert_uint_eq(model->n_classes, fixture->n_classes);
    for (size_t c = 0; c < fixture->n_classes; c++)
        ck_assert_int_eq(model->classes[c], fixture->classes[c]);
    ck_assert_uint_eq(model->n_rows, fixture->n_rows);
    ck_assert_msg(model->n_iter == fixture->n_iter, "%s: n_iter %lld, want %lld", fixture->name,
                  model->n_iter, fixture->n_iter);
    ck_assert_msg(model->converged == fixture->converged, "%s: converged %d, want %d",
                  fixture->name, model->converged, fixture->converged);
    ck_assert((gcv_logistic_ops.fit_warning(model) == NULL) == fixture->converged);

    for (size_t k = 0; k < fixture->n_rows * d; k++)
        scale = fmax(scale, fabs(fixture->coef[k]));
    for (size_t k = 0; k < fixture->n_rows * d; k++)
        ck_assert_msg(close_to(model->coef[k], fixture->coef[k], 0, COEF_REL_TOL * scale),
                      "%s: coef[%zu] = %.17g, want %.17g", fixture->name, k, model->coef[k],
                      fixture->coef[k]);
    for (size_t c = 0; c < fixture->n_rows; c++)
        ck_assert_msg(close_to(model->intercept[c], fixture->intercept[c], 0,
                               COEF_REL_TOL * fmax(scale, fabs(fixture->intercept[c]))),
                      "%s: intercept[%zu] = %.17g, want %.17g", fixture->name, c,
                      model->intercept[c], fixture->intercept[c]);
    gcv_logistic_ops.model_free(model);
}
END_TEST

START_TEST(predict_matches_sklearn_labels)
{
    const struct logistic_fixture *fixture = &logistic_fixtures[_i];
    struct gcv_logistic_model *model = fit_fixture(fixture);
    size_t index[DIGITS_ROWS];
    const struct gcv_rows test = fixture_rows(fixture, true, index);
    const size_t t = fixture->n_rows;
    double *decision = malloc(test.n_rows * t * sizeof *decision);
    double *predicted = malloc(test.n_rows * sizeof *predicted);
    struct gcv_error err = {0};

    ck_assert_uint_eq(test.n_rows, fixture->n_test);
    ck_assert_int_eq(gcv_logistic_decision(model, &test, decision, &err), GCV_OK);
    ck_assert_int_eq(gcv_logistic_ops.predict(model, &test, predicted, &err), GCV_OK);
    for (size_t r = 0; r < test.n_rows; r++) {
        double scale = 0;

        for (size_t c = 0; c < t; c++)
            scale = fmax(scale, fabs(fixture->decision[r * t + c]));
        for (size_t c = 0; c < t; c++)
            ck_assert_msg(close_to(decision[r * t + c], fixture->decision[r * t + c], 0,
                                   COEF_REL_TOL * fmax(scale, 1.0)),
                          "%s: row %zu decision[%zu] = %.17g, want %.17g", fixture->name,
                          index[r], c, decision[r * t + c], fixture->decision[r * t + c]);
        if (fixture->margin[r] > TIE_REL_TOL * fmax(scale, 1.0))
            ck_assert_msg(predicted[r] == (double)fixture->predicted[r],
                          "%s: row %zu predicted %g, want %d", fixture->name, index[r],
                          predicted[r], (int)fixture->predicted[r]);
    }
    free(decision);
    free(predicted);
    gcv_logistic_ops.model_free(model);
}
END_TEST

START_TEST(predict_proba_matches_sklearn)
{
    const struct logistic_fixture *fixture = &logistic_fixtures[_i];
    struct gcv_logistic_model *model = fit_fixture(fixture);
    size_t index[DIGITS_ROWS];
    const struct gcv_rows test = fixture_rows(fixture, true, index);
    const size_t K = fixture->n_classes;
    double *proba = malloc(test.n_rows * K * sizeof *proba);
    double *decision = malloc(test.n_rows * sizeof *decision);
    int32_t classes[DIGITS_CLASSES];
    size_t n_classes = 0;
    struct gcv_error err = {0};

    ck_assert_int_eq(gcv_logistic_ops.predict_proba(model, &test, proba, classes, &n_classes,
                                                    &err),
                     GCV_OK);
    ck_assert_uint_eq(n_classes, K);
    for (size_t c = 0; c < K; c++)
        ck_assert_int_eq(classes[c], fixture->classes[c]);
    for (size_t k = 0; k < test.n_rows * K; k++)
        ck_assert_msg(close_to(proba[k], fixture->proba[k], 0, COEF_REL_TOL),
                      "%s: proba[%zu] = %.17g, want %.17g", fixture->name, k, proba[k],
                      fixture->proba[k]);

    /* decision_function writes the one column of a binary model only. */
    n_classes = 0;
    ck_assert_int_eq(gcv_logistic_ops.decision_function(model, &test, decision, classes,
                                                        &n_classes, &err),
                     GCV_OK);
    ck_assert_uint_eq(n_classes, K);
    if (K == 2)
        for (size_t r = 0; r < test.n_rows; r++)
            ck_assert(close_to(decision[r], fixture->decision[r], 0,
                               COEF_REL_TOL * fmax(fabs(fixture->decision[r]), 1.0)));
    free(proba);
    free(decision);
    gcv_logistic_ops.model_free(model);
}
END_TEST

START_TEST(single_class_fold_fails_the_fit)
{
    static const size_t index[] = {0, 1, 2, 3};
    const struct gcv_rows train = class_rows("wine", index, 4);
    const struct gcv_logistic_params params = {.C = 1, .penalized = true, .fit_intercept = true,
                                               .tol = 1e-4, .max_iter = 100};
    struct gcv_error err = {0};
    void *model = NULL;

    ck_assert_int_eq(gcv_logistic_ops.fit(&params, &train, &model, &err), GCV_ERR_FIT);
    ck_assert_ptr_null(model);
    ck_assert_str_eq(err.message, "This solver needs samples of at least 2 classes in the "
                                  "data, but the data contains only one class: class code 0");
}
END_TEST

START_TEST(params_default_to_sklearn_values)
{
    struct gcv_logistic_params *params = parse_defaults(&gcv_logistic_ops);

    ck_assert_double_eq(params->C, 1.0);
    ck_assert(params->penalized);
    ck_assert(params->fit_intercept);
    ck_assert(!params->class_weight_balanced);
    ck_assert_double_eq(params->tol, 1e-4);
    ck_assert_int_eq(params->max_iter, 100);
    ck_assert_int_eq(params->multi_class, GCV_LOGISTIC_AUTO);
    gcv_logistic_ops.params_free(params);
}
END_TEST

START_TEST(params_accept_no_penalty_spellings)
{
    const struct gcv_value values[] = {null_value(), string_value("none")};

    for (size_t k = 0; k < 2; k++) {
        enum gcv_status status;
        struct gcv_error err = {0};
        struct gcv_logistic_params *params =
            parse_one(&gcv_logistic_ops, "penalty", values[k], &status, &err);

        ck_assert_int_eq(status, GCV_OK);
        ck_assert(!params->penalized);
        gcv_logistic_ops.params_free(params);
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
        {"C", {.kind = GCV_VALUE_INT, .integer = 0},
         "C must be a number > 0, got 0 (param_grid[0].x[2], line 9 column 14)"},
        {"penalty", {.kind = GCV_VALUE_STRING, .string = "l1"},
         "penalty=\"l1\" is not supported yet: the lbfgs solver supports only \"l2\", \"none\" "
         "or null (param_grid[0].x[2], line 9 column 14)"},
        {"solver", {.kind = GCV_VALUE_STRING, .string = "saga"},
         "solver=\"saga\" is not supported yet: only the lbfgs solver is implemented "
         "(param_grid[0].x[2], line 9 column 14)"},
        {"max_iter", {.kind = GCV_VALUE_INT, .integer = -1},
         "max_iter must be an integer >= 0, got -1 (param_grid[0].x[2], line 9 column 14)"},
        {"multi_class", {.kind = GCV_VALUE_STRING, .string = "crammer_singer"},
         "multi_class must be one of \"auto\", \"ovr\", \"multinomial\", got "
         "\"crammer_singer\" (param_grid[0].x[2], line 9 column 14)"},
        {"dual", {.kind = GCV_VALUE_BOOL, .boolean = true},
         "dual=true is not supported yet: only the liblinear solver has a dual formulation; "
         "use false (param_grid[0].x[2], line 9 column 14)"},
    };

    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        enum gcv_status status;
        struct gcv_error err = {0};

        parse_one(&gcv_logistic_ops, cases[k].name, cases[k].value, &status, &err);
        ck_assert_int_eq(status, GCV_ERR_PARAM);
        ck_assert_str_eq(err.message, cases[k].message);
    }
}
END_TEST

static Suite *logistic_suite(void)
{
    Suite *suite = suite_create("logistic");
    TCase *fit = tcase_create("fit");
    TCase *params = tcase_create("params");

    tcase_set_timeout(fit, 60);
    tcase_add_loop_test(fit, fit_matches_sklearn_solution, 0, N_FIXTURES);
    tcase_add_loop_test(fit, predict_matches_sklearn_labels, 0, N_FIXTURES);
    tcase_add_loop_test(fit, predict_proba_matches_sklearn, 0, N_FIXTURES);
    tcase_add_test(fit, single_class_fold_fails_the_fit);
    suite_add_tcase(suite, fit);

    tcase_add_test(params, params_default_to_sklearn_values);
    tcase_add_test(params, params_accept_no_penalty_spellings);
    tcase_add_test(params, params_reject_invalid_values);
    suite_add_tcase(suite, params);
    return suite;
}

int main(void)
{
    return run_suite(logistic_suite());
}
