/* The coordinate descent solver and the parameter checks that ElasticNet
 * and Lasso share; see enet.h for the objective, the method and the
 * stopping rule. X is kept column-major, as scikit-learn makes it
 * Fortran-ordered before fitting, so every column operation is one BLAS
 * call with stride 1 and the column sums are numpy's pairwise sums. */
#include "enet.h"

#include <cblas.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/log.h"
#include "../../common/stats.h"
#include "param_check.h"

/* ----- parameters -------------------------------------------------------- */

struct raw_params {
    struct gcv_enet_params parsed;
    const char *name;
};

static enum gcv_status parse_alpha(const struct gcv_param *param, void *out,
                                   struct gcv_error *err)
{
    struct raw_params *raw = out;

    if (gcv_param_check_number(param, 0.0, false, "a number >= 0", &raw->parsed.alpha, err) !=
        GCV_OK)
        return GCV_ERR_PARAM;
    if (raw->parsed.alpha == 0)
        gcv_log_warn("%s parameter alpha=0: coordinate descent converges poorly without "
                     "regularization; LinearRegression fits that model", raw->name);
    return GCV_OK;
}

static enum gcv_status parse_l1_ratio(const struct gcv_param *param, void *out,
                                      struct gcv_error *err)
{
    struct raw_params *raw = out;

    if (gcv_param_check_number(param, 0.0, false, "a number in [0, 1]", &raw->parsed.l1_ratio,
                               err) != GCV_OK ||
        raw->parsed.l1_ratio > 1.0)
        return gcv_param_check_reject(param, "a number in [0, 1]", err);
    return GCV_OK;
}

static enum gcv_status parse_fit_intercept(const struct gcv_param *param, void *out,
                                           struct gcv_error *err)
{
    struct raw_params *raw = out;

    return gcv_param_check_bool(raw->name, param, &raw->parsed.fit_intercept, err);
}

static enum gcv_status parse_precompute(const struct gcv_param *param, void *out,
                                        struct gcv_error *err)
{
    struct raw_params *raw = out;
    bool precompute;

    if (gcv_param_check_bool(raw->name, param, &precompute, err) != GCV_OK)
        return GCV_ERR_PARAM;
    if (precompute)
        return gcv_param_check_unsupported(param, "the Gram matrix variant of the solver is "
                                           "not implemented; use false", err);
    return GCV_OK;
}

static enum gcv_status parse_max_iter(const struct gcv_param *param, void *out,
                                      struct gcv_error *err)
{
    struct raw_params *raw = out;

    /* null passes the path's own default, 1000. */
    if (param->value.kind == GCV_VALUE_NULL) {
        raw->parsed.max_iter = 1000;
        return GCV_OK;
    }
    return gcv_param_check_integer(param, 1, LLONG_MAX, "null or an integer >= 1",
                                   &raw->parsed.max_iter, err);
}

static enum gcv_status parse_ignored_bool(const struct gcv_param *param, void *out,
                                          struct gcv_error *err)
{
    bool value;

    /* copy_X: X is always copied. warm_start: GridSearchCV fits a fresh
     * clone for every task, so there is no previous solution. */
    return gcv_param_check_bool(((struct raw_params *)out)->name, param, &value, err);
}

static enum gcv_status parse_tol(const struct gcv_param *param, void *out, struct gcv_error *err)
{
    return gcv_param_check_number(param, 0.0, false, "a number >= 0",
                                  &((struct raw_params *)out)->parsed.tol, err);
}

static enum gcv_status parse_positive(const struct gcv_param *param, void *out,
                                      struct gcv_error *err)
{
    struct raw_params *raw = out;
    bool positive;

    if (gcv_param_check_bool(raw->name, param, &positive, err) != GCV_OK)
        return GCV_ERR_PARAM;
    if (positive)
        return gcv_param_check_unsupported(param, "coefficients are not constrained; use "
                                           "false", err);
    return GCV_OK;
}

static enum gcv_status parse_random_state(const struct gcv_param *param, void *out,
                                          struct gcv_error *err)
{
    /* Only selection="random" draws random numbers. */
    (void)out;
    if (param->value.kind == GCV_VALUE_NULL ||
        (param->value.kind == GCV_VALUE_INT && param->value.integer >= 0 &&
         param->value.integer <= 4294967295LL))
        return GCV_OK;
    return gcv_param_check_reject(param, "null or an integer in [0, 4294967295]", err);
}

static enum gcv_status parse_selection(const struct gcv_param *param, void *out,
                                       struct gcv_error *err)
{
    (void)out;
    if (gcv_param_check_is_string(param, "cyclic"))
        return GCV_OK;
    if (gcv_param_check_is_string(param, "random"))
        return gcv_param_check_unsupported(param, "coordinates are updated in order; use "
                                           "\"cyclic\"", err);
    return gcv_param_check_reject(param, "\"cyclic\" or \"random\"", err);
}

static const struct gcv_param_check_entry param_table[] = {
    {"alpha", parse_alpha},
    {"fit_intercept", parse_fit_intercept},
    {"precompute", parse_precompute},
    {"max_iter", parse_max_iter},
    {"copy_X", parse_ignored_bool},
    {"tol", parse_tol},
    {"warm_start", parse_ignored_bool},
    {"positive", parse_positive},
    {"random_state", parse_random_state},
    {"selection", parse_selection},
    {"l1_ratio", parse_l1_ratio},  /* last: ElasticNet only */
};

#define N_PARAMS (sizeof param_table / sizeof param_table[0])

enum gcv_status gcv_enet_params_parse(bool lasso, const struct gcv_param_set *params,
                                      void **out, struct gcv_error *err)
{
    struct raw_params raw = {
        .parsed = {.alpha = 1.0, .l1_ratio = lasso ? 1.0 : 0.5, .fit_intercept = true,
                   .max_iter = 1000, .tol = 1e-4},
        .name = lasso ? "Lasso" : "ElasticNet",
    };
    struct gcv_enet_params *parsed;
    enum gcv_status status;

    *out = NULL;
    status = gcv_param_check_all(raw.name, params, param_table, lasso ? N_PARAMS - 1 : N_PARAMS,
                                 &raw, err);
    if (status != GCV_OK)
        return status;
    parsed = malloc(sizeof *parsed);
    if (parsed == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %s parameters", raw.name);
    *parsed = raw.parsed;
    *out = parsed;
    return GCV_OK;
}

/* ----- the solver -------------------------------------------------------- */

static double soft_sign(double x)
{
    if (x == 0)
        return 0.0;
    return x > 0 ? 1.0 : -1.0;
}

/* Minimises from w[d] = 0, or from start[d] when start is not NULL (a
 * warm start), on X [n x d] column-major (ld n) and y[n], with
 * the penalties l1 (alpha in _cd_fast) and l2 (beta); writes the sweeps
 * done, the last duality gap and whether it fell below tol ||y||^2. R[n]
 * and XtA[d] are scratch. */
static void coordinate_descent(const double *X, const double *y, size_t n, size_t d, double l1,
                               double l2, long long max_iter, double tol,
                               const double *norm_cols, const double *start, double *w,
                               double *R, double *XtA, long long *n_iter, double *gap_out,
                               bool *converged)
{
    const double d_w_tol = tol;
    double gap = tol + 1.0;
    long long iter;

    *converged = false;
    memset(w, 0, d * sizeof *w);
    memcpy(R, y, n * sizeof *R);   /* y - X w with w = 0 */
    if (start != NULL) {
        /* R = y - X start. */
        memcpy(w, start, d * sizeof *w);
        cblas_dgemv(CblasColMajor, CblasNoTrans, (int)n, (int)d, -1.0, X, (int)n, w, 1, 1.0,
                    R, 1);
    }
    tol *= cblas_ddot((int)n, y, 1, y, 1);

    for (iter = 0; iter < max_iter; iter++) {
        double w_max = 0.0, d_w_max = 0.0;

        /* One sweep over the coordinates, in order. */
        for (size_t j = 0; j < d; j++) {
            const double *column = X + j * n;
            const double w_old = w[j];
            double dot;

            if (norm_cols[j] == 0.0)
                continue;
            if (w_old != 0.0)
                cblas_daxpy((int)n, w_old, column, 1, R, 1);
            dot = cblas_ddot((int)n, column, 1, R, 1);
            w[j] = soft_sign(dot) * fmax(fabs(dot) - l1, 0) / (norm_cols[j] + l2);
            if (w[j] != 0.0)
                cblas_daxpy((int)n, -w[j], column, 1, R, 1);
            d_w_max = fmax(d_w_max, fabs(w[j] - w_old));
            w_max = fmax(w_max, fabs(w[j]));
        }

        /* The duality gap, once the coordinates barely move. */
        if (w_max == 0.0 || d_w_max / w_max < d_w_tol || iter == max_iter - 1) {
            double dual_norm = 0.0, R_norm2, w_norm2, scaling, l1_norm;

            /* XtA = X^T R - l2 w. */
            memcpy(XtA, w, d * sizeof *XtA);
            cblas_dgemv(CblasColMajor, CblasTrans, (int)n, (int)d, 1.0, X, (int)n, R, 1, -l2,
                        XtA, 1);
            for (size_t j = 0; j < d; j++)
                dual_norm = fmax(dual_norm, fabs(XtA[j]));
            R_norm2 = cblas_ddot((int)n, R, 1, R, 1);
            w_norm2 = cblas_ddot((int)d, w, 1, w, 1);
            if (dual_norm > l1) {
                scaling = l1 / dual_norm;
                gap = 0.5 * (R_norm2 + R_norm2 * (scaling * scaling));
            } else {
                scaling = 1.0;
                gap = R_norm2;
            }
            l1_norm = cblas_dasum((int)d, w, 1);
            gap += l1 * l1_norm - scaling * cblas_ddot((int)n, R, 1, y, 1) +
                   0.5 * l2 * (1 + scaling * scaling) * w_norm2;
            if (gap < tol) {
                *converged = true;
                break;
            }
        }
    }
    *n_iter = *converged ? iter + 1 : max_iter;
    *gap_out = gap;
}

void gcv_enet_model_free(void *model_pointer)
{
    struct gcv_enet_model *model = model_pointer;

    if (model == NULL)
        return;
    free(model->coef);
    free(model);
}

enum gcv_status gcv_enet_fit(const char *name, const struct gcv_enet_params *params,
                             const struct gcv_rows *train, struct gcv_enet_model **model_out,
                             struct gcv_error *err)
{
    return gcv_enet_fit_from(name, params, train, NULL, model_out, err);
}

enum gcv_status gcv_enet_fit_from(const char *name, const struct gcv_enet_params *params,
                                  const struct gcv_rows *train,
                                  const struct gcv_enet_model *previous,
                                  struct gcv_enet_model **model_out, struct gcv_error *err)
{
    const size_t n = train->n_rows;
    const size_t d = train->n_features;
    struct gcv_enet_model *model = calloc(1, sizeof *model);
    double *X = malloc((n * d > 0 ? n * d : 1) * sizeof *X);     /* [d * n] column-major */
    double *y = malloc((n > 0 ? n : 1) * sizeof *y);             /* [n] */
    double *x_mean = calloc(d > 0 ? d : 1, sizeof *x_mean);      /* [d] */
    double *norm_cols = malloc((d > 0 ? d : 1) * sizeof *norm_cols); /* [d] */
    double *R = malloc((n > 0 ? n : 1) * sizeof *R);             /* [n] residual */
    double *XtA = malloc((d > 0 ? d : 1) * sizeof *XtA);         /* [d] */
    double *squares = malloc((n > 0 ? n : 1) * sizeof *squares); /* [n] */
    double y_mean = 0.0;
    enum gcv_status status = GCV_OK;

    *model_out = NULL;
    if (model != NULL)
        model->coef = calloc(d > 0 ? d : 1, sizeof *model->coef);
    if (model == NULL || model->coef == NULL || X == NULL || y == NULL || x_mean == NULL ||
        norm_cols == NULL || R == NULL || XtA == NULL || squares == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting %s on %zu rows", name,
                               n);
        goto cleanup;
    }
    if (train->y_value == NULL) {
        status = gcv_error_set(err, GCV_ERR_DATA, "%s needs regression targets, and the rows "
                               "have none", name);
        goto cleanup;
    }
    if (n == 0 || d == 0) {
        status = gcv_error_set(err, GCV_ERR_FIT, "%s needs at least one row and one feature, "
                               "got %zu x %zu", name, n, d);
        goto cleanup;
    }
    if (previous != NULL && previous->n_features != d) {
        status = gcv_error_set(err, GCV_ERR_INTERNAL, "%s: the warm start model has %zu "
                               "features, the rows have %zu", name, previous->n_features, d);
        goto cleanup;
    }
    model->n_features = d;

    /* X column by column, centred by its pairwise column means. */
    for (size_t j = 0; j < d; j++)
        for (size_t i = 0; i < n; i++)
            X[j * n + i] = train->X[train->index[i] * d + j];
    for (size_t i = 0; i < n; i++)
        y[i] = train->y_value[train->index[i]];
    if (params->fit_intercept) {
        for (size_t j = 0; j < d; j++) {
            x_mean[j] = gcv_stats_sum(X + j * n, n, 1) / (double)n;
            for (size_t i = 0; i < n; i++)
                X[j * n + i] -= x_mean[j];
        }
        y_mean = gcv_stats_sum(y, n, 1) / (double)n;
        for (size_t i = 0; i < n; i++)
            y[i] -= y_mean;
    }
    for (size_t j = 0; j < d; j++) {
        for (size_t i = 0; i < n; i++)
            squares[i] = X[j * n + i] * X[j * n + i];
        norm_cols[j] = gcv_stats_sum(squares, n, 1);
    }

    coordinate_descent(X, y, n, d, params->alpha * params->l1_ratio * (double)n,
                       params->alpha * (1.0 - params->l1_ratio) * (double)n, params->max_iter,
                       params->tol, norm_cols, previous != NULL ? previous->coef : NULL,
                       model->coef, R, XtA, &model->n_iter,
                       &model->dual_gap, &model->converged);
    model->dual_gap /= (double)n;
    if (!model->converged) {
        snprintf(model->warning, sizeof model->warning,
                 "%s: coordinate descent stopped at max_iter=%lld with a duality gap of %.3g "
                 "(ConvergenceWarning); increase max_iter or alpha", name, params->max_iter,
                 model->dual_gap * (double)n);
        gcv_log_warn("%s", model->warning);
    }

    /* intercept_ = y_mean - x_mean . coef. */
    model->intercept = 0.0;
    if (params->fit_intercept)
        model->intercept = y_mean - cblas_ddot((int)d, x_mean, 1, model->coef, 1);

cleanup:
    free(X);
    free(y);
    free(x_mean);
    free(norm_cols);
    free(R);
    free(XtA);
    free(squares);
    if (status != GCV_OK) {
        gcv_enet_model_free(model);
        return status;
    }
    *model_out = model;
    return GCV_OK;
}

enum gcv_status gcv_enet_predict(const char *name, const struct gcv_enet_model *model,
                                 const struct gcv_rows *rows, double *out,
                                 struct gcv_error *err)
{
    const size_t d = model->n_features;

    if (rows->n_features != d)
        return gcv_error_set(err, GCV_ERR_DATA, "%s was fitted on %zu features, the rows have %zu",
                             name, d, rows->n_features);
    for (size_t r = 0; r < rows->n_rows; r++)
        out[r] = cblas_ddot((int)d, rows->X + rows->index[r] * d, 1, model->coef, 1) +
                 model->intercept;
    return GCV_OK;
}

/* ----- save and load ----------------------------------------------------- */

enum gcv_status gcv_enet_model_save(const void *model_pointer, hid_t group,
                                    struct gcv_error *err)
{
    const struct gcv_enet_model *model = model_pointer;
    enum gcv_status status;

    if ((status = gcv_model_file_put_size(group, "n_features", model->n_features, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_double(group, "intercept", model->intercept, err)) !=
            GCV_OK)
        return status;
    return gcv_model_file_put_doubles(group, "coef", model->coef, model->n_features, err);
}

enum gcv_status gcv_enet_model_load(hid_t group, void **model_out, struct gcv_error *err)
{
    struct gcv_enet_model *model = calloc(1, sizeof *model);
    enum gcv_status status;

    *model_out = NULL;
    if (model == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory loading a linear model");
    model->converged = true;
    if ((status = gcv_model_file_get_size(group, "n_features", &model->n_features, err)) !=
            GCV_OK ||
        (status = gcv_model_file_get_double(group, "intercept", &model->intercept, err)) !=
            GCV_OK ||
        (status = gcv_model_file_get_doubles(group, "coef", model->n_features, &model->coef,
                                             err)) != GCV_OK) {
        gcv_enet_model_free(model);
        return status;
    }
    *model_out = model;
    return GCV_OK;
}
