/* MinMaxScaler with feature_range (0, 1): per feature, data_min and
 * data_max of the training rows, scale_ = 1 / range (a range below
 * 10 eps counted as 1, as _handle_zeros_in_scale does) and
 * min_ = 0 - data_min * scale_. Transform: x * scale_ + min_, clipped to
 * [0, 1] when clip. */
#include "scalers.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "kernel.h"
#include "param_check.h"

struct minmax_params {
    bool clip;
};

static enum gcv_status parse_clip(const struct gcv_param *param, void *out,
                                  struct gcv_error *err)
{
    return gcv_param_check_bool("MinMaxScaler", param, &((struct minmax_params *)out)->clip, err);
}

static enum gcv_status parse_copy(const struct gcv_param *param, void *out,
                                  struct gcv_error *err)
{
    bool copy;

    /* Every transform writes a new copy of the rows. */
    (void)out;
    return gcv_param_check_bool("MinMaxScaler", param, &copy, err);
}

static enum gcv_status parse_feature_range(const struct gcv_param *param, void *out,
                                           struct gcv_error *err)
{
    /* A spec value is a scalar, so the tuple cannot be written. */
    (void)out;
    return gcv_param_check_unsupported(param, "only the default range (0, 1) is available", err);
}

static const struct gcv_param_check_entry param_table[] = {
    {"feature_range", parse_feature_range},
    {"copy", parse_copy},
    {"clip", parse_clip},
};

static enum gcv_status minmax_params_parse(const struct gcv_param_set *params, void **out,
                                           struct gcv_error *err)
{
    struct minmax_params *parsed = malloc(sizeof *parsed);
    enum gcv_status status;

    *out = NULL;
    if (parsed == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for MinMaxScaler parameters");
    parsed->clip = false;
    status = gcv_param_check_all("MinMaxScaler", params, param_table,
                                 sizeof param_table / sizeof param_table[0], parsed, err);
    if (status != GCV_OK) {
        free(parsed);
        return status;
    }
    *out = parsed;
    return GCV_OK;
}

static void minmax_params_free(void *params)
{
    free(params);
}

static void minmax_model_free(void *model_pointer)
{
    struct gcv_minmax_model *model = model_pointer;

    if (model == NULL)
        return;
    free(model->scale);
    free(model->min);
    free(model);
}

static void *minmax_model_copy(const void *model_pointer)
{
    const struct gcv_minmax_model *model = model_pointer;
    struct gcv_minmax_model *copy = calloc(1, sizeof *copy);

    if (copy == NULL)
        return NULL;
    *copy = *model;
    copy->scale = gcv_scaler_copy_values(model->scale, model->n_features);
    copy->min = gcv_scaler_copy_values(model->min, model->n_features);
    if (copy->scale == NULL || copy->min == NULL) {
        minmax_model_free(copy);
        return NULL;
    }
    return copy;
}

static enum gcv_status minmax_fit(const void *params_pointer, const struct gcv_rows *train,
                                  void **model_out, struct gcv_error *err)
{
    const struct minmax_params *params = params_pointer;
    const size_t n = train->n_rows;
    const size_t d = train->n_features;
    struct gcv_minmax_model *model = calloc(1, sizeof *model);

    *model_out = NULL;
    if (model != NULL) {
        model->scale = malloc((d > 0 ? d : 1) * sizeof *model->scale);
        model->min = malloc((d > 0 ? d : 1) * sizeof *model->min);
    }
    if (model == NULL || model->scale == NULL || model->min == NULL) {
        minmax_model_free(model);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting MinMaxScaler");
    }
    if (n == 0) {
        minmax_model_free(model);
        return gcv_error_set(err, GCV_ERR_FIT, "MinMaxScaler needs at least one row, got 0");
    }
    model->n_features = d;
    model->clip = params->clip;

    for (size_t j = 0; j < d; j++) {
        double low = INFINITY, high = -INFINITY, range;

        for (size_t i = 0; i < n; i++) {
            const double x = train->X[train->index[i] * d + j];
            low = fmin(low, x);
            high = fmax(high, x);
        }
        range = high - low;
        if (range < 10 * DBL_EPSILON)
            range = 1.0;
        model->scale[j] = (1.0 - 0.0) / range;
        model->min[j] = 0.0 - low * model->scale[j];
    }
    *model_out = model;
    return GCV_OK;
}

static enum gcv_status minmax_transform(const void *model_pointer, const struct gcv_rows *rows,
                                        double *out, struct gcv_error *err)
{
    const struct gcv_minmax_model *model = model_pointer;
    const size_t d = model->n_features;

    if (rows->n_features != d)
        return gcv_error_set(err, GCV_ERR_DATA, "MinMaxScaler was fitted on %zu features, the "
                             "rows have %zu", d, rows->n_features);
    gcv_kernel_gather_rows(rows, out);
    for (size_t i = 0; i < rows->n_rows; i++) {
        double *row = out + i * d;

        for (size_t j = 0; j < d; j++) {
            row[j] *= model->scale[j];
            row[j] += model->min[j];
            if (model->clip)
                row[j] = fmin(fmax(row[j], 0.0), 1.0);
        }
    }
    return GCV_OK;
}

/* ----- save and load ----------------------------------------------------- */

static enum gcv_status minmax_save(const void *model_pointer, hid_t group,
                                   struct gcv_error *err)
{
    const struct gcv_minmax_model *model = model_pointer;
    enum gcv_status status;

    if ((status = gcv_model_file_put_size(group, "n_features", model->n_features, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_int(group, "clip", model->clip, err)) != GCV_OK ||
        (status = gcv_model_file_put_doubles(group, "scale", model->scale, model->n_features,
                                             err)) != GCV_OK)
        return status;
    return gcv_model_file_put_doubles(group, "min", model->min, model->n_features, err);
}

static enum gcv_status minmax_load(hid_t group, void **model_out, struct gcv_error *err)
{
    struct gcv_minmax_model *model = calloc(1, sizeof *model);
    long long clip = 0;
    enum gcv_status status;

    *model_out = NULL;
    if (model == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory loading MinMaxScaler");
    if ((status = gcv_model_file_get_size(group, "n_features", &model->n_features, err)) !=
            GCV_OK ||
        (status = gcv_model_file_get_int(group, "clip", &clip, err)) != GCV_OK ||
        (status = gcv_model_file_get_doubles(group, "scale", model->n_features, &model->scale,
                                             err)) != GCV_OK ||
        (status = gcv_model_file_get_doubles(group, "min", model->n_features, &model->min,
                                             err)) != GCV_OK) {
        minmax_model_free(model);
        return status;
    }
    model->clip = clip != 0;
    *model_out = model;
    return GCV_OK;
}

const struct gcv_estimator_ops gcv_minmax_scaler_ops = {
    .name = "MinMaxScaler",
    .kind = GCV_ESTIMATOR_TRANSFORMER,
    .params_parse = minmax_params_parse,
    .params_free = minmax_params_free,
    .fit = minmax_fit,
    .model_free = minmax_model_free,
    .model_copy = minmax_model_copy,
    .transform = minmax_transform,
    .save = minmax_save,
    .load = minmax_load,
};
