/* RobustScaler with quantile_range (25, 75): per feature, center_ = the
 * median of the training rows (numpy.median: the mean of the two middle
 * values for an even count) and scale_ = q75 - q25, numpy.percentile's
 * "linear" quantiles (virtual index (n - 1) q, interpolated as numpy's
 * _lerp does), a scale below 10 eps counted as 1, and divided by
 * norm.ppf(0.75) - norm.ppf(0.25) when unit_variance. Transform:
 * (x - center_) / scale_ (gcv_scaler_transform). */
#include "scalers.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "param_check.h"

/* scipy.stats.norm.ppf(0.75) - norm.ppf(0.25), as scipy 1.10 computes it. */
#define NORMAL_IQR 1.3489795003921634

struct robust_params {
    bool with_centering;
    bool with_scaling;
    bool unit_variance;
};

static enum gcv_status parse_with_centering(const struct gcv_param *param, void *out,
                                            struct gcv_error *err)
{
    return gcv_param_check_bool("RobustScaler", param,
                                &((struct robust_params *)out)->with_centering, err);
}

static enum gcv_status parse_with_scaling(const struct gcv_param *param, void *out,
                                          struct gcv_error *err)
{
    return gcv_param_check_bool("RobustScaler", param,
                                &((struct robust_params *)out)->with_scaling, err);
}

static enum gcv_status parse_unit_variance(const struct gcv_param *param, void *out,
                                           struct gcv_error *err)
{
    return gcv_param_check_bool("RobustScaler", param,
                                &((struct robust_params *)out)->unit_variance, err);
}

static enum gcv_status parse_copy(const struct gcv_param *param, void *out,
                                  struct gcv_error *err)
{
    bool copy;

    /* Every transform writes a new copy of the rows. */
    (void)out;
    return gcv_param_check_bool("RobustScaler", param, &copy, err);
}

static enum gcv_status parse_quantile_range(const struct gcv_param *param, void *out,
                                            struct gcv_error *err)
{
    /* A spec value is a scalar, so the tuple cannot be written. */
    (void)out;
    return gcv_param_check_unsupported(param, "only the default range (25.0, 75.0) is "
                                       "available", err);
}

static const struct gcv_param_check_entry param_table[] = {
    {"with_centering", parse_with_centering},
    {"with_scaling", parse_with_scaling},
    {"quantile_range", parse_quantile_range},
    {"copy", parse_copy},
    {"unit_variance", parse_unit_variance},
};

static enum gcv_status robust_params_parse(const struct gcv_param_set *params, void **out,
                                           struct gcv_error *err)
{
    struct robust_params *parsed = malloc(sizeof *parsed);
    enum gcv_status status;

    *out = NULL;
    if (parsed == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for RobustScaler parameters");
    *parsed = (struct robust_params){.with_centering = true, .with_scaling = true};
    status = gcv_param_check_all("RobustScaler", params, param_table,
                                 sizeof param_table / sizeof param_table[0], parsed, err);
    if (status != GCV_OK) {
        free(parsed);
        return status;
    }
    *out = parsed;
    return GCV_OK;
}

static void robust_params_free(void *params)
{
    free(params);
}

static int compare_doubles(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* numpy.percentile(sorted[0..n), 100 q) with the "linear" method. */
static double linear_quantile(const double *sorted, size_t n, double q)
{
    const double virtual_index = (double)(n - 1) * q;
    const double below = floor(virtual_index);
    const size_t previous = (size_t)below;
    const size_t next = previous + 1 < n ? previous + 1 : n - 1;
    const double gamma = virtual_index - below;
    const double a = sorted[previous], b = sorted[next];
    const double difference = b - a;

    if (gamma >= 0.5)
        return b - difference * (1 - gamma);
    return a + difference * gamma;
}

static enum gcv_status robust_fit(const void *params_pointer, const struct gcv_rows *train,
                                  void **model_out, struct gcv_error *err)
{
    const struct robust_params *params = params_pointer;
    const size_t n = train->n_rows;
    const size_t d = train->n_features;
    struct gcv_scaler_model *model = calloc(1, sizeof *model);
    double *column = malloc((n > 0 ? n : 1) * sizeof *column);   /* [n] one sorted feature */

    *model_out = NULL;
    if (model != NULL && params->with_centering)
        model->center = malloc((d > 0 ? d : 1) * sizeof *model->center);
    if (model != NULL && params->with_scaling)
        model->scale = malloc((d > 0 ? d : 1) * sizeof *model->scale);
    if (model == NULL || column == NULL || (params->with_centering && model->center == NULL) ||
        (params->with_scaling && model->scale == NULL)) {
        free(column);
        gcv_scaler_model_free(model);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting RobustScaler");
    }
    if (n == 0) {
        free(column);
        gcv_scaler_model_free(model);
        return gcv_error_set(err, GCV_ERR_FIT, "RobustScaler needs at least one row, got 0");
    }
    model->n_features = d;

    for (size_t j = 0; j < d; j++) {
        for (size_t i = 0; i < n; i++)
            column[i] = train->X[train->index[i] * d + j];
        qsort(column, n, sizeof *column, compare_doubles);

        if (model->center != NULL)
            model->center[j] = n % 2 == 1 ? column[n / 2]
                                          : (column[n / 2 - 1] + column[n / 2]) / 2.0;
        if (model->scale != NULL) {
            double scale = linear_quantile(column, n, 0.75) - linear_quantile(column, n, 0.25);

            if (scale < 10 * DBL_EPSILON)
                scale = 1.0;
            if (params->unit_variance)
                scale /= NORMAL_IQR;
            model->scale[j] = scale;
        }
    }
    free(column);
    *model_out = model;
    return GCV_OK;
}

const struct gcv_estimator_ops gcv_robust_scaler_ops = {
    .name = "RobustScaler",
    .kind = GCV_ESTIMATOR_TRANSFORMER,
    .params_parse = robust_params_parse,
    .params_free = robust_params_free,
    .fit = robust_fit,
    .model_free = gcv_scaler_model_free,
    .model_copy = gcv_scaler_model_copy,
    .transform = gcv_scaler_transform,
    .save = gcv_scaler_model_save,
    .load = gcv_scaler_model_load,
};
