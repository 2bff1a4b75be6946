/* Ridge: least squares with an L2 penalty on the coefficients (see ridge.h
 * and the objective in ridge_solver.h), and the parameter checks that
 * Ridge and RidgeClassifier share. Predict: X coef + intercept. */
#include "ridge.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "param_check.h"

/* ----- parameters -------------------------------------------------------- */

static enum gcv_status parse_alpha(const struct gcv_param *param, void *out,
                                   struct gcv_error *err)
{
    return gcv_param_check_number(param, 0.0, false, "a number >= 0",
                                  &((struct gcv_ridge_params *)out)->alpha, err);
}

static enum gcv_status parse_fit_intercept(const struct gcv_param *param, void *out,
                                           struct gcv_error *err)
{
    struct gcv_ridge_params *params = out;

    return gcv_param_check_bool(params->estimator, param, &params->fit_intercept, err);
}

static enum gcv_status parse_copy_X(const struct gcv_param *param, void *out,
                                    struct gcv_error *err)
{
    bool copy;

    /* X is always copied before centring, so the value changes nothing. */
    return gcv_param_check_bool(((struct gcv_ridge_params *)out)->estimator, param, &copy, err);
}

static enum gcv_status parse_max_iter(const struct gcv_param *param, void *out,
                                      struct gcv_error *err)
{
    long long max_iter;

    /* Only the iterative solvers read it. */
    (void)out;
    if (param->value.kind == GCV_VALUE_NULL)
        return GCV_OK;
    return gcv_param_check_integer(param, 1, LLONG_MAX, "null or an integer >= 1", &max_iter,
                                   err);
}

static enum gcv_status parse_tol(const struct gcv_param *param, void *out, struct gcv_error *err)
{
    double tol;

    /* "tol has no effect for solvers 'svd' and 'cholesky'" (Ridge's docs). */
    (void)out;
    return gcv_param_check_number(param, 0.0, false, "a number >= 0", &tol, err);
}

static enum gcv_status parse_solver(const struct gcv_param *param, void *out,
                                    struct gcv_error *err)
{
    static const char *const supported[] = {"auto", "cholesky", "svd"};
    static const enum gcv_ridge_solver solvers[] = {GCV_RIDGE_AUTO, GCV_RIDGE_CHOLESKY,
                                                    GCV_RIDGE_SVD};
    static const char *const iterative[] = {"lsqr", "sparse_cg", "sag", "saga", "lbfgs"};
    int choice;

    for (size_t k = 0; k < sizeof iterative / sizeof iterative[0]; k++)
        if (gcv_param_check_is_string(param, iterative[k]))
            return gcv_param_check_unsupported(param, "the iterative solvers are not "
                                               "implemented; use \"auto\", \"cholesky\" or "
                                               "\"svd\"", err);
    if (gcv_param_check_choice(param, supported, 3, "one of \"auto\", \"svd\", \"cholesky\", "
                               "\"lsqr\", \"sparse_cg\", \"sag\", \"saga\", \"lbfgs\"", &choice,
                               err) != GCV_OK)
        return GCV_ERR_PARAM;
    ((struct gcv_ridge_params *)out)->solver = solvers[choice];
    return GCV_OK;
}

static enum gcv_status parse_positive(const struct gcv_param *param, void *out,
                                      struct gcv_error *err)
{
    bool positive;

    if (gcv_param_check_bool(((struct gcv_ridge_params *)out)->estimator, param, &positive,
                             err) != GCV_OK)
        return GCV_ERR_PARAM;
    if (positive)
        return gcv_param_check_unsupported(param, "positive coefficients need the lbfgs "
                                           "solver, which is not implemented; use false", err);
    return GCV_OK;
}

static enum gcv_status parse_random_state(const struct gcv_param *param, void *out,
                                          struct gcv_error *err)
{
    /* Only the sag and saga solvers draw random numbers. */
    (void)out;
    if (param->value.kind == GCV_VALUE_NULL ||
        (param->value.kind == GCV_VALUE_INT && param->value.integer >= 0 &&
         param->value.integer <= 4294967295LL))
        return GCV_OK;
    return gcv_param_check_reject(param, "null or an integer in [0, 4294967295]", err);
}

static enum gcv_status parse_class_weight(const struct gcv_param *param, void *out,
                                          struct gcv_error *err)
{
    struct gcv_ridge_params *params = out;

    if (param->value.kind == GCV_VALUE_NULL) {
        params->class_weight_balanced = false;
        return GCV_OK;
    }
    if (gcv_param_check_is_string(param, "balanced")) {
        params->class_weight_balanced = true;
        return GCV_OK;
    }
    return gcv_param_check_reject(param, "null or \"balanced\"", err);
}

static const struct gcv_param_check_entry param_table[] = {
    {"alpha", parse_alpha},
    {"fit_intercept", parse_fit_intercept},
    {"copy_X", parse_copy_X},
    {"max_iter", parse_max_iter},
    {"tol", parse_tol},
    {"solver", parse_solver},
    {"positive", parse_positive},
    {"random_state", parse_random_state},
    {"class_weight", parse_class_weight},  /* last: RidgeClassifier only */
};

#define N_PARAMS (sizeof param_table / sizeof param_table[0])

enum gcv_status gcv_ridge_params_parse(bool classifier, const struct gcv_param_set *params,
                                       void **out, struct gcv_error *err)
{
    const char *name = classifier ? "RidgeClassifier" : "Ridge";
    struct gcv_ridge_params *parsed = malloc(sizeof *parsed);
    enum gcv_status status;

    *out = NULL;
    if (parsed == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %s parameters", name);

    /* scikit-learn 1.2.1's defaults. */
    *parsed = (struct gcv_ridge_params){
        .estimator = name,
        .alpha = 1.0,
        .fit_intercept = true,
        .solver = GCV_RIDGE_AUTO,
        .class_weight_balanced = false,
    };
    status = gcv_param_check_all(name, params, param_table, classifier ? N_PARAMS : N_PARAMS - 1,
                                 parsed, err);
    if (status != GCV_OK) {
        free(parsed);
        return status;
    }
    *out = parsed;
    return GCV_OK;
}

static enum gcv_status ridge_params_parse(const struct gcv_param_set *params, void **out,
                                          struct gcv_error *err)
{
    return gcv_ridge_params_parse(false, params, out, err);
}

static void ridge_params_free(void *params)
{
    free(params);
}

/* ----- fit and predict --------------------------------------------------- */

static void ridge_model_free(void *model)
{
    if (model == NULL)
        return;
    gcv_ridge_fit_free(model);
    free(model);
}

static enum gcv_status ridge_fit(const void *params_pointer, const struct gcv_rows *train,
                                 void **model_out, struct gcv_error *err)
{
    const struct gcv_ridge_params *params = params_pointer;
    const size_t n = train->n_rows;
    struct gcv_ridge_fit *model = NULL;
    double *y = NULL;   /* [n] targets in fold order */
    enum gcv_status status;

    *model_out = NULL;
    if (train->y_value == NULL)
        return gcv_error_set(err, GCV_ERR_DATA, "Ridge needs regression targets, and the rows "
                             "have none");
    if (train->n_features == 0)
        return gcv_error_set(err, GCV_ERR_DATA, "Ridge needs at least one feature, got 0");

    y = malloc((n > 0 ? n : 1) * sizeof *y);
    model = calloc(1, sizeof *model);
    if (y == NULL || model == NULL) {
        free(y);
        free(model);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting Ridge on %zu rows", n);
    }
    for (size_t r = 0; r < n; r++)
        y[r] = train->y_value[train->index[r]];

    status = gcv_ridge_fit(train, y, 1, NULL, params->alpha, params->fit_intercept,
                           params->solver, model, err);
    free(y);
    if (status != GCV_OK) {
        free(model);
        return status;
    }
    *model_out = model;
    return GCV_OK;
}

static enum gcv_status ridge_predict(const void *model, const struct gcv_rows *rows, double *out,
                                     struct gcv_error *err)
{
    return gcv_ridge_decision(model, "Ridge", rows, out, err);
}

/* ----- save and load ----------------------------------------------------- */

static enum gcv_status ridge_save(const void *model, hid_t group, struct gcv_error *err)
{
    return gcv_ridge_fit_save(model, group, err);
}

static enum gcv_status ridge_load(hid_t group, void **model_out, struct gcv_error *err)
{
    struct gcv_ridge_fit *model = calloc(1, sizeof *model);
    enum gcv_status status;

    *model_out = NULL;
    if (model == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory loading a Ridge model");
    status = gcv_ridge_fit_load(group, model, err);
    if (status == GCV_OK && model->n_targets != 1)
        status = gcv_error_set(err, GCV_ERR_DATA, "a Ridge model has 1 target, got %zu",
                               model->n_targets);
    if (status != GCV_OK) {
        ridge_model_free(model);
        return status;
    }
    *model_out = model;
    return GCV_OK;
}

const struct gcv_estimator_ops gcv_ridge_ops = {
    .name = "Ridge",
    .kind = GCV_ESTIMATOR_REGRESSOR,
    .params_parse = ridge_params_parse,
    .params_free = ridge_params_free,
    .fit = ridge_fit,
    .predict = ridge_predict,
    .model_free = ridge_model_free,
    .save = ridge_save,
    .load = ridge_load,
};
