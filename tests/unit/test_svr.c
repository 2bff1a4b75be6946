/* Suite "svr": the SVR estimator against scikit-learn 1.2.1 on the diabetes
 * data (fixtures written by tests/unit/fixtures/make_svr_fixtures.py):
 * support vectors, dual coefficients, intercept and iteration count of the
 * fit, predictions on held-out rows, and the parameter checks. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/estimator_checks.h"
#include "tests/unit/fixtures/svr_fixtures.h"
#include "worker/estimators/svr.h"

#define N_FIXTURES (sizeof svr_fixtures / sizeof svr_fixtures[0])
#define N_TRAIN (sizeof svr_train / sizeof svr_train[0])
#define N_TEST (sizeof svr_test / sizeof svr_test[0])

/* The solver's iterates follow libsvm's (same working sets, same float Q
 * columns), so the dual coefficients and rho agree to rounding: 1e-9
 * relative, with a floor of 1e-9 for coefficients near 0. */
#define FIT_REL_TOL 1e-9

/* Predictions differ more, because libsvm's prediction takes the RBF
 * distance from x - sv and gridcv from the squared norms: 1e-6 relative
 * still catches a wrong support vector or coefficient, which moves a
 * prediction by far more. */
#define PREDICT_REL_TOL 1e-6

static struct gcv_svr_model *fit_fixture(const struct svr_fixture *fixture)
{
    const struct gcv_rows train = diabetes_rows(svr_train, N_TRAIN);
    struct gcv_error err = {0};
    void *model = NULL;
    enum gcv_status status = gcv_svr_ops.fit(&fixture->params, &train, &model, &err);

    ck_assert_msg(status == GCV_OK, "%s: fit failed: %s", fixture->name, err.message);
    return model;
}

START_TEST(fit_matches_sklearn_model)
{
    const struct svr_fixture *fixture = &svr_fixtures[_i];
    struct gcv_svr_model *model = fit_fixture(fixture);

    ck_assert_msg(close_to(model->kernel.gamma, fixture->gamma, 1e-15, 0),
                  "%s: gamma %.17g, want %.17g", fixture->name, model->kernel.gamma,
                  fixture->gamma);
    ck_assert_msg(model->n_iter == fixture->n_iter, "%s: n_iter %lld, want %lld", fixture->name,
                  model->n_iter, fixture->n_iter);
    ck_assert_msg(model->converged == fixture->converged, "%s: converged %d, want %d",
                  fixture->name, model->converged, fixture->converged);
    ck_assert_msg(model->n_sv == fixture->n_sv, "%s: %zu support vectors, want %zu",
                  fixture->name, model->n_sv, fixture->n_sv);
    for (size_t s = 0; s < fixture->n_sv; s++) {
        ck_assert_msg(model->support[s] == fixture->support[s], "%s: support[%zu] = %zu, want %zu",
                      fixture->name, s, model->support[s], fixture->support[s]);
        ck_assert_msg(close_to(model->dual_coef[s], fixture->dual_coef[s], FIT_REL_TOL, 1e-9),
                      "%s: dual_coef[%zu] = %.17g, want %.17g", fixture->name, s,
                      model->dual_coef[s], fixture->dual_coef[s]);
    }
    ck_assert_msg(close_to(-model->rho, fixture->intercept, FIT_REL_TOL, 0),
                  "%s: intercept %.17g, want %.17g", fixture->name, -model->rho,
                  fixture->intercept);
    gcv_svr_ops.model_free(model);
}
END_TEST

START_TEST(predict_matches_sklearn_on_held_out_rows)
{
    const struct svr_fixture *fixture = &svr_fixtures[_i];
    struct gcv_svr_model *model = fit_fixture(fixture);
    const struct gcv_rows test = diabetes_rows(svr_test, N_TEST);
    double predicted[N_TEST];
    struct gcv_error err = {0};

    ck_assert_int_eq(gcv_svr_ops.predict(model, &test, predicted, &err), GCV_OK);
    for (size_t r = 0; r < N_TEST; r++)
        ck_assert_msg(close_to(predicted[r], fixture->predicted[r], PREDICT_REL_TOL, 0),
                      "%s: row %zu predicted %.17g, want %.17g", fixture->name, svr_test[r],
                      predicted[r], fixture->predicted[r]);
    gcv_svr_ops.model_free(model);
}
END_TEST

START_TEST(max_iter_reached_gives_warning_not_failure)
{
    struct gcv_svr_params params = svr_fixtures[0].params;
    const struct gcv_rows train = diabetes_rows(svr_train, N_TRAIN);
    struct gcv_error err = {0};
    void *model = NULL;

    params.max_iter = 3;
    ck_assert_int_eq(gcv_svr_ops.fit(&params, &train, &model, &err), GCV_OK);
    ck_assert_int_eq(((struct gcv_svr_model *)model)->n_iter, 3);
    ck_assert_ptr_nonnull(gcv_svr_ops.fit_warning(model));
    ck_assert_ptr_nonnull(strstr(gcv_svr_ops.fit_warning(model), "max_iter=3"));
    gcv_svr_ops.model_free(model);

    params.max_iter = -1;
    ck_assert_int_eq(gcv_svr_ops.fit(&params, &train, &model, &err), GCV_OK);
    ck_assert_ptr_null(gcv_svr_ops.fit_warning(model));
    gcv_svr_ops.model_free(model);
}
END_TEST

START_TEST(predict_rejects_other_feature_count)
{
    struct gcv_svr_model *model = fit_fixture(&svr_fixtures[0]);
    struct gcv_rows rows = diabetes_rows(svr_test, 1);
    double predicted[1];
    struct gcv_error err = {0};

    rows.n_features = 3;
    ck_assert_int_eq(gcv_svr_ops.predict(model, &rows, predicted, &err), GCV_ERR_DATA);
    ck_assert_str_eq(err.message, "SVR was fitted on 10 features, the rows have 3");
    gcv_svr_ops.model_free(model);
}
END_TEST

START_TEST(fit_rejects_class_labels)
{
    const size_t index[] = {0, 1, 2};
    const struct gcv_rows rows = class_rows("wine", index, 3);
    struct gcv_svr_params params = svr_fixtures[0].params;
    struct gcv_error err = {0};
    void *model = NULL;

    ck_assert_int_eq(gcv_svr_ops.fit(&params, &rows, &model, &err), GCV_ERR_DATA);
    ck_assert_ptr_null(model);
}
END_TEST

START_TEST(params_default_to_sklearn_values)
{
    struct gcv_svr_params *params = parse_defaults(&gcv_svr_ops);

    ck_assert_double_eq(params->C, 1.0);
    ck_assert_double_eq(params->epsilon, 0.1);
    ck_assert_int_eq(params->kernel, GCV_KERNEL_RBF);
    ck_assert_int_eq(params->gamma, GCV_SVR_GAMMA_SCALE);
    ck_assert_int_eq(params->degree, 3);
    ck_assert_double_eq(params->coef0, 0.0);
    ck_assert_double_eq(params->tol, 1e-3);
    ck_assert(params->shrinking);
    ck_assert_double_eq(params->cache_size, 200.0);
    ck_assert_int_eq(params->max_iter, -1);
    gcv_svr_ops.params_free(params);
}
END_TEST

START_TEST(params_accept_valid_values)
{
    enum gcv_status status;
    struct gcv_error err = {0};
    struct gcv_svr_params *params;

    params = parse_one(&gcv_svr_ops, "epsilon", int_value(0), &status, &err);
    ck_assert_int_eq(status, GCV_OK);
    ck_assert_double_eq(params->epsilon, 0.0);
    gcv_svr_ops.params_free(params);

    params = parse_one(&gcv_svr_ops, "gamma", string_value("auto"), &status, &err);
    ck_assert_int_eq(status, GCV_OK);
    ck_assert_int_eq(params->gamma, GCV_SVR_GAMMA_AUTO);
    gcv_svr_ops.params_free(params);

    params = parse_one(&gcv_svr_ops, "kernel", string_value("linear"), &status, &err);
    ck_assert_int_eq(status, GCV_OK);
    ck_assert_int_eq(params->kernel, GCV_KERNEL_LINEAR);
    gcv_svr_ops.params_free(params);
}
END_TEST

START_TEST(params_reject_out_of_range_values)
{
    static const struct {
        const char *name;
        const char *message;
    } cases[] = {
        {"C", "C must be a number > 0, got 0 (param_grid[0].x[2], line 9 column 14)"},
        {"epsilon",
         "epsilon must be a number >= 0, got -0.5 (param_grid[0].x[2], line 9 column 14)"},
        {"max_iter", "max_iter must be an integer >= -1 (-1 for no limit), got -2 "
                           "(param_grid[0].x[2], line 9 column 14)"},
        {"kernel", "kernel=\"precomputed\" is not supported yet: kernels are computed "
                         "from the dataset's features; use \"linear\", \"poly\", \"rbf\" or "
                         "\"sigmoid\" (param_grid[0].x[2], line 9 column 14)"},
        {"class_weight", "unknown SVR parameter \"class_weight\" (param_grid[0].x[2], "
                               "line 9 column 14); accepted: kernel, degree, gamma, coef0, tol, "
                               "C, epsilon, shrinking, cache_size, verbose, max_iter"},
    };
    const struct gcv_value values[] = {int_value(0), real_value(-0.5), int_value(-2),
                                       string_value("precomputed"), string_value("balanced")};

    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        enum gcv_status status;
        struct gcv_error err = {0};

        parse_one(&gcv_svr_ops, cases[k].name, values[k], &status, &err);
        ck_assert_int_eq(status, GCV_ERR_PARAM);
        ck_assert_str_eq(err.message, cases[k].message);
    }
}
END_TEST

/* ----- warm start -------------------------------------------------------- */

/* RBF fixtures the warm-start test walks to, by index into svr_fixtures:
 * rbf_scale_C_100, rbf_gamma_0.5_C_1000_epsilon_5, rbf_epsilon_0. */
static const size_t warm_fixtures[] = {0, 2, 7};

/* The dual objective of an RBF model from its coefficients c = a - a*:
 * 1/2 sum_ij c_i c_j exp(-gamma |x_i - x_j|^2) + epsilon sum_i |c_i|
 * - sum_i y_i c_i, taking a + a* = |c| for each row as at an optimum. */
static double svr_objective(const struct gcv_svr_model *model, double epsilon)
{
    const size_t n_sv = model->n_sv, d = model->n_features;
    double objective = 0;

    for (size_t i = 0; i < n_sv; i++) {
        const double c = model->dual_coef[i];

        objective += epsilon * fabs(c) - diabetes_y[svr_train[model->support[i]]] * c;
        for (size_t j = 0; j < n_sv; j++) {
            double distance = 0;

            for (size_t f = 0; f < d; f++) {
                const double diff = model->support_vectors[i * d + f] -
                                    model->support_vectors[j * d + f];
                distance += diff * diff;
            }
            objective += 0.5 * c * model->dual_coef[j] * exp(-model->kernel.gamma * distance);
        }
    }
    return objective;
}

/* A fit started from the model of C / 10 reaches the dual objective of the
 * fit from zero within the solver's tolerance. It takes a different number
 * of iterations than that fit, which a start that was ignored would repeat
 * exactly, and it predicts the held-out rows alike. The stopping rule bounds the largest KKT violation by tol,
 * not the objective gap. The gaps measured here are below 1e-10 relative
 * and the predictions differ by less than 1e-5 relative, so the bounds
 * 1e-5 and 1e-3 still fail a start read from the wrong rows. */
START_TEST(warm_start_matches_fit_from_zero)
{
    const struct svr_fixture *fixture = &svr_fixtures[warm_fixtures[_i]];
    const struct gcv_rows train = diabetes_rows(svr_train, N_TRAIN);
    const struct gcv_rows test = diabetes_rows(svr_test, N_TEST);
    struct gcv_svr_params small = fixture->params;
    struct gcv_error err = {0};
    void *previous = NULL, *warm = NULL, *cold = NULL;
    double warm_predicted[N_TEST], cold_predicted[N_TEST];

    ck_assert_ptr_nonnull(gcv_svr_ops.fit_from);
    ck_assert_str_eq(gcv_svr_ops.path_param, "C");
    ck_assert(gcv_svr_ops.path_increasing);
    small.C = fixture->params.C / 10;
    ck_assert_int_eq(gcv_svr_ops.fit(&small, &train, &previous, &err), GCV_OK);
    ck_assert_int_eq(gcv_svr_ops.fit_from(&fixture->params, &train, previous, &warm, &err),
                     GCV_OK);
    ck_assert_int_eq(gcv_svr_ops.fit(&fixture->params, &train, &cold, &err), GCV_OK);

    const struct gcv_svr_model *w = warm, *c = cold;
    const double got = svr_objective(w, fixture->params.epsilon);
    const double want = svr_objective(c, fixture->params.epsilon);
    ck_assert_msg(fabs(got - want) <= 1e-5 * fabs(want),
                  "%s: objective %.10g warm, %.10g from zero", fixture->name, got, want);
    ck_assert_msg(w->n_iter != c->n_iter, "%s: the warm fit repeated the %lld iterations of "
                  "the fit from zero", fixture->name, c->n_iter);

    ck_assert_int_eq(gcv_svr_ops.predict(warm, &test, warm_predicted, &err), GCV_OK);
    ck_assert_int_eq(gcv_svr_ops.predict(cold, &test, cold_predicted, &err), GCV_OK);
    for (size_t r = 0; r < N_TEST; r++)
        ck_assert_msg(close_to(warm_predicted[r], cold_predicted[r], 1e-3, 0),
                      "%s: row %zu predicted %.10g warm, %.10g from zero", fixture->name,
                      svr_test[r], warm_predicted[r], cold_predicted[r]);

    gcv_svr_ops.model_free(previous);
    gcv_svr_ops.model_free(warm);
    gcv_svr_ops.model_free(cold);
}
END_TEST

static Suite *svr_suite(void)
{
    Suite *suite = suite_create("svr");
    TCase *fit = tcase_create("fit");
    TCase *params = tcase_create("params");

    tcase_set_timeout(fit, 60);
    tcase_add_loop_test(fit, fit_matches_sklearn_model, 0, N_FIXTURES);
    tcase_add_loop_test(fit, predict_matches_sklearn_on_held_out_rows, 0, N_FIXTURES);
    tcase_add_test(fit, max_iter_reached_gives_warning_not_failure);
    tcase_add_test(fit, predict_rejects_other_feature_count);
    tcase_add_test(fit, fit_rejects_class_labels);
    tcase_add_loop_test(fit, warm_start_matches_fit_from_zero, 0,
                        (int)(sizeof warm_fixtures / sizeof warm_fixtures[0]));
    suite_add_tcase(suite, fit);

    tcase_add_test(params, params_default_to_sklearn_values);
    tcase_add_test(params, params_accept_valid_values);
    tcase_add_test(params, params_reject_out_of_range_values);
    suite_add_tcase(suite, params);
    return suite;
}

int main(void)
{
    return run_suite(svr_suite());
}
