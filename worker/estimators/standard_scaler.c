/* StandardScaler: mean_ and var_ as scikit-learn 1.2.1's
 * _incremental_mean_and_var computes them for one batch without weights
 * (the corrected two-pass algorithm of Chan, Golub & LeVeque): per
 * feature, mean = sum(x) / n and var = (sum((x - mean)^2) -
 * sum(x - mean)^2 / n) / n, with numpy's order of summation (sequential
 * down each column, pairwise for a single column). scale_ = sqrt(var),
 * except that a feature whose var is within the rounding bound of a
 * constant (_is_constant_feature) gets 1. Transform: x - mean when
 * with_mean, then / scale when with_std (gcv_scaler_transform). */
#include "scalers.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "param_check.h"

struct standard_params {
    bool with_mean;
    bool with_std;
};

static enum gcv_status parse_with_mean(const struct gcv_param *param, void *out,
                                       struct gcv_error *err)
{
    return gcv_param_check_bool("StandardScaler", param,
                                &((struct standard_params *)out)->with_mean, err);
}

static enum gcv_status parse_with_std(const struct gcv_param *param, void *out,
                                      struct gcv_error *err)
{
    return gcv_param_check_bool("StandardScaler", param,
                                &((struct standard_params *)out)->with_std, err);
}

static enum gcv_status parse_copy(const struct gcv_param *param, void *out,
                                  struct gcv_error *err)
{
    bool copy;

    /* Every transform writes a new copy of the rows. */
    (void)out;
    return gcv_param_check_bool("StandardScaler", param, &copy, err);
}

static const struct gcv_param_check_entry param_table[] = {
    {"copy", parse_copy},
    {"with_mean", parse_with_mean},
    {"with_std", parse_with_std},
};

static enum gcv_status standard_params_parse(const struct gcv_param_set *params, void **out,
                                             struct gcv_error *err)
{
    struct standard_params *parsed = malloc(sizeof *parsed);
    enum gcv_status status;

    *out = NULL;
    if (parsed == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for StandardScaler parameters");
    *parsed = (struct standard_params){.with_mean = true, .with_std = true};
    status = gcv_param_check_all("StandardScaler", params, param_table,
                                 sizeof param_table / sizeof param_table[0], parsed, err);
    if (status != GCV_OK) {
        free(parsed);
        return status;
    }
    *out = parsed;
    return GCV_OK;
}

static void standard_params_free(void *params)
{
    free(params);
}

static enum gcv_status standard_fit(const void *params_pointer, const struct gcv_rows *train,
                                    void **model_out, struct gcv_error *err)
{
    const struct standard_params *params = params_pointer;
    const size_t n = train->n_rows;
    const size_t d = train->n_features;
    struct gcv_scaler_model *model = calloc(1, sizeof *model);
    double *X = malloc((n * d > 0 ? n * d : 1) * sizeof *X);        /* [n * d] */
    double *centered = malloc((n * d > 0 ? n * d : 1) * sizeof *X); /* [n * d] x - mean */
    double *corrections = NULL; /* [d] column sums of centered */
    enum gcv_status status = GCV_OK;

    *model_out = NULL;
    if (model == NULL || X == NULL || centered == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting StandardScaler on "
                               "%zu rows", n);
        goto cleanup;
    }
    model->n_features = d;
    if (n == 0) {
        status = gcv_error_set(err, GCV_ERR_FIT, "StandardScaler needs at least one row, got 0");
        goto cleanup;
    }
    if (!params->with_mean && !params->with_std)
        goto cleanup;

    gcv_kernel_gather_rows(train, X);
    model->center = malloc((d > 0 ? d : 1) * sizeof *model->center);
    if (model->center == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting StandardScaler");
        goto cleanup;
    }
    gcv_scaler_column_sums(X, n, d, model->center);
    for (size_t j = 0; j < d; j++)
        model->center[j] /= (double)n;

    if (params->with_std) {
        model->scale = malloc((d > 0 ? d : 1) * sizeof *model->scale);
        corrections = malloc((d > 0 ? d : 1) * sizeof *corrections);
        if (model->scale == NULL || corrections == NULL) {
            status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting StandardScaler");
            goto cleanup;
        }
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < d; j++)
                centered[i * d + j] = X[i * d + j] - model->center[j];
        gcv_scaler_column_sums(centered, n, d, corrections);

        /* X becomes the squares of the centered values, and scale their
         * column sums, before scale takes its final values. */
        for (size_t i = 0; i < n * d; i++)
            X[i] = centered[i] * centered[i];
        gcv_scaler_column_sums(X, n, d, model->scale);
        for (size_t j = 0; j < d; j++) {
            const double mean = model->center[j];
            const double var = (model->scale[j] - corrections[j] * corrections[j] / (double)n) /
                               (double)n;

            /* _is_constant_feature: var <= n eps var + (n mean eps)^2. */
            const double drift = (double)n * mean * DBL_EPSILON;
            const double bound = (double)n * DBL_EPSILON * var + drift * drift;

            model->scale[j] = var <= bound ? 1.0 : sqrt(var);
        }
    }
    if (!params->with_mean) {
        free(model->center);
        model->center = NULL;
    }

cleanup:
    free(X);
    free(centered);
    free(corrections);
    if (status != GCV_OK) {
        gcv_scaler_model_free(model);
        return status;
    }
    *model_out = model;
    return GCV_OK;
}

const struct gcv_estimator_ops gcv_standard_scaler_ops = {
    .name = "StandardScaler",
    .kind = GCV_ESTIMATOR_TRANSFORMER,
    .params_parse = standard_params_parse,
    .params_free = standard_params_free,
    .fit = standard_fit,
    .model_free = gcv_scaler_model_free,
    .model_copy = gcv_scaler_model_copy,
    .transform = gcv_scaler_transform,
    .save = gcv_scaler_model_save,
    .load = gcv_scaler_model_load,
};
