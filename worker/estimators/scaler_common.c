/* The parts StandardScaler and RobustScaler share: the per-feature affine
 * (x - center) / scale and its model, and numpy's column sums. */
#include "scalers.h"

#include <stdlib.h>
#include <string.h>

#include "../../common/stats.h"
#include "kernel.h"

void gcv_scaler_model_free(void *model_pointer)
{
    struct gcv_scaler_model *model = model_pointer;

    if (model == NULL)
        return;
    free(model->center);
    free(model->scale);
    free(model);
}

double *gcv_scaler_copy_values(const double *values, size_t n)
{
    double *copy;

    if (values == NULL || (copy = malloc((n > 0 ? n : 1) * sizeof *copy)) == NULL)
        return NULL;
    memcpy(copy, values, n * sizeof *copy);
    return copy;
}

void *gcv_scaler_model_copy(const void *model_pointer)
{
    const struct gcv_scaler_model *model = model_pointer;
    struct gcv_scaler_model *copy = calloc(1, sizeof *copy);

    if (copy == NULL)
        return NULL;
    copy->n_features = model->n_features;
    copy->center = gcv_scaler_copy_values(model->center, model->n_features);
    copy->scale = gcv_scaler_copy_values(model->scale, model->n_features);
    if ((model->center != NULL && copy->center == NULL) ||
        (model->scale != NULL && copy->scale == NULL)) {
        gcv_scaler_model_free(copy);
        return NULL;
    }
    return copy;
}

enum gcv_status gcv_scaler_transform(const void *model_pointer, const struct gcv_rows *rows,
                                     double *out, struct gcv_error *err)
{
    const struct gcv_scaler_model *model = model_pointer;
    const size_t d = model->n_features;

    if (rows->n_features != d)
        return gcv_error_set(err, GCV_ERR_DATA, "the scaler was fitted on %zu features, the "
                             "rows have %zu", d, rows->n_features);
    gcv_kernel_gather_rows(rows, out);
    for (size_t i = 0; i < rows->n_rows; i++) {
        double *row = out + i * d;

        if (model->center != NULL)
            for (size_t j = 0; j < d; j++)
                row[j] -= model->center[j];
        if (model->scale != NULL)
            for (size_t j = 0; j < d; j++)
                row[j] /= model->scale[j];
    }
    return GCV_OK;
}

void gcv_scaler_column_sums(const double *X, size_t n, size_t d, double *sums)
{
    if (d == 1) {
        sums[0] = gcv_stats_sum(X, n, 1);
        return;
    }
    for (size_t j = 0; j < d; j++)
        sums[j] = 0;
    for (size_t i = 0; i < n; i++) {
        const double *row = X + i * d;

        for (size_t j = 0; j < d; j++)
            sums[j] += row[j];
    }
}

enum gcv_status gcv_scaler_model_save(const void *model_pointer, hid_t group,
                                      struct gcv_error *err)
{
    const struct gcv_scaler_model *model = model_pointer;
    enum gcv_status status;

    if ((status = gcv_model_file_put_size(group, "n_features", model->n_features, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_int(group, "has_center", model->center != NULL, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_int(group, "has_scale", model->scale != NULL, err)) !=
            GCV_OK)
        return status;
    if (model->center != NULL &&
        (status = gcv_model_file_put_doubles(group, "center", model->center, model->n_features,
                                             err)) != GCV_OK)
        return status;
    if (model->scale != NULL)
        status = gcv_model_file_put_doubles(group, "scale", model->scale, model->n_features,
                                            err);
    return status;
}

enum gcv_status gcv_scaler_model_load(hid_t group, void **model_out, struct gcv_error *err)
{
    struct gcv_scaler_model *model = calloc(1, sizeof *model);
    long long has_center = 0, has_scale = 0;
    enum gcv_status status;

    *model_out = NULL;
    if (model == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory loading a scaler");
    if ((status = gcv_model_file_get_size(group, "n_features", &model->n_features, err)) !=
            GCV_OK ||
        (status = gcv_model_file_get_int(group, "has_center", &has_center, err)) != GCV_OK ||
        (status = gcv_model_file_get_int(group, "has_scale", &has_scale, err)) != GCV_OK)
        goto cleanup;
    if (has_center != 0 &&
        (status = gcv_model_file_get_doubles(group, "center", model->n_features, &model->center,
                                             err)) != GCV_OK)
        goto cleanup;
    if (has_scale != 0)
        status = gcv_model_file_get_doubles(group, "scale", model->n_features, &model->scale,
                                            err);

    /* A fit stores 1 where a feature is constant, never 0. */
    for (size_t j = 0; status == GCV_OK && model->scale != NULL && j < model->n_features; j++)
        if (model->scale[j] == 0)
            status = gcv_error_set(err, GCV_ERR_DATA, "model array \"scale\" holds 0 at %zu, "
                                   "which no fit writes", j);

cleanup:
    if (status != GCV_OK) {
        gcv_scaler_model_free(model);
        return status;
    }
    *model_out = model;
    return GCV_OK;
}
