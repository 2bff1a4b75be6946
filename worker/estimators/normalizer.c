/* Normalizer: each row divided by its norm, l2 (the square root of the
 * sum of squares), l1 (the sum of absolute values, summed pairwise as
 * numpy does) or max (the largest absolute value); a norm below 10 eps
 * counts as 1 (_handle_zeros_in_scale). Fitting learns nothing but the
 * number of features. */
#include "scalers.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "../../common/stats.h"
#include "kernel.h"
#include "param_check.h"

enum normalizer_norm { NORM_L2, NORM_L1, NORM_MAX };

struct normalizer_params {
    int norm;   /* enum normalizer_norm */
};

struct normalizer_model {
    size_t n_features;
    int norm;
};

static enum gcv_status parse_norm(const struct gcv_param *param, void *out,
                                  struct gcv_error *err)
{
    static const char *const names[] = {"l2", "l1", "max"};

    return gcv_param_check_choice(param, names, 3, "one of \"l1\", \"l2\", \"max\"",
                                  &((struct normalizer_params *)out)->norm, err);
}

static enum gcv_status parse_copy(const struct gcv_param *param, void *out,
                                  struct gcv_error *err)
{
    bool copy;

    /* Every transform writes a new copy of the rows. */
    (void)out;
    return gcv_param_check_bool("Normalizer", param, &copy, err);
}

static const struct gcv_param_check_entry param_table[] = {
    {"norm", parse_norm},
    {"copy", parse_copy},
};

static enum gcv_status normalizer_params_parse(const struct gcv_param_set *params, void **out,
                                               struct gcv_error *err)
{
    struct normalizer_params *parsed = malloc(sizeof *parsed);
    enum gcv_status status;

    *out = NULL;
    if (parsed == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for Normalizer parameters");
    parsed->norm = NORM_L2;
    status = gcv_param_check_all("Normalizer", params, param_table,
                                 sizeof param_table / sizeof param_table[0], parsed, err);
    if (status != GCV_OK) {
        free(parsed);
        return status;
    }
    *out = parsed;
    return GCV_OK;
}

static void normalizer_free(void *pointer)
{
    free(pointer);
}

static void *normalizer_model_copy(const void *model)
{
    struct normalizer_model *copy = malloc(sizeof *copy);

    if (copy != NULL)
        *copy = *(const struct normalizer_model *)model;
    return copy;
}

static enum gcv_status normalizer_fit(const void *params, const struct gcv_rows *train,
                                      void **model_out, struct gcv_error *err)
{
    struct normalizer_model *model = malloc(sizeof *model);

    *model_out = NULL;
    if (model == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting Normalizer");
    model->n_features = train->n_features;
    model->norm = ((const struct normalizer_params *)params)->norm;
    *model_out = model;
    return GCV_OK;
}

static enum gcv_status normalizer_transform(const void *model_pointer,
                                            const struct gcv_rows *rows, double *out,
                                            struct gcv_error *err)
{
    const struct normalizer_model *model = model_pointer;
    const size_t d = model->n_features;
    double *magnitudes = malloc((d > 0 ? d : 1) * sizeof *magnitudes);   /* [d] */

    if (rows->n_features != d) {
        free(magnitudes);
        return gcv_error_set(err, GCV_ERR_DATA, "Normalizer was fitted on %zu features, the "
                             "rows have %zu", d, rows->n_features);
    }
    if (magnitudes == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory normalizing %zu rows",
                             rows->n_rows);
    gcv_kernel_gather_rows(rows, out);

    for (size_t i = 0; i < rows->n_rows; i++) {
        double *row = out + i * d;
        double norm = 0;

        if (model->norm == NORM_L2) {
            for (size_t j = 0; j < d; j++)
                norm += row[j] * row[j];
            norm = sqrt(norm);
        } else if (model->norm == NORM_L1) {
            for (size_t j = 0; j < d; j++)
                magnitudes[j] = fabs(row[j]);
            norm = gcv_stats_sum(magnitudes, d, 1);
        } else {
            for (size_t j = 0; j < d; j++)
                norm = fmax(norm, fabs(row[j]));
        }
        if (norm < 10 * DBL_EPSILON)
            norm = 1.0;
        for (size_t j = 0; j < d; j++)
            row[j] /= norm;
    }
    free(magnitudes);
    return GCV_OK;
}

/* ----- save and load ----------------------------------------------------- */

static enum gcv_status normalizer_save(const void *model_pointer, hid_t group,
                                       struct gcv_error *err)
{
    const struct normalizer_model *model = model_pointer;
    enum gcv_status status;

    if ((status = gcv_model_file_put_size(group, "n_features", model->n_features, err)) !=
        GCV_OK)
        return status;
    return gcv_model_file_put_int(group, "norm", model->norm, err);
}

static enum gcv_status normalizer_load(hid_t group, void **model_out, struct gcv_error *err)
{
    struct normalizer_model *model = calloc(1, sizeof *model);
    long long norm = 0;
    enum gcv_status status;

    *model_out = NULL;
    if (model == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory loading Normalizer");
    if ((status = gcv_model_file_get_size(group, "n_features", &model->n_features, err)) ==
            GCV_OK &&
        (status = gcv_model_file_get_int(group, "norm", &norm, err)) == GCV_OK &&
        (norm < NORM_L2 || norm > NORM_MAX))
        status = gcv_error_set(err, GCV_ERR_DATA, "model attribute \"norm\" is %lld; expected "
                               "0 (l2), 1 (l1) or 2 (max)", norm);
    if (status != GCV_OK) {
        free(model);
        return status;
    }
    model->norm = (int)norm;
    *model_out = model;
    return GCV_OK;
}

const struct gcv_estimator_ops gcv_normalizer_ops = {
    .name = "Normalizer",
    .kind = GCV_ESTIMATOR_TRANSFORMER,
    .params_parse = normalizer_params_parse,
    .params_free = normalizer_free,
    .fit = normalizer_fit,
    .model_free = normalizer_free,
    .transform = normalizer_transform,
    .model_copy = normalizer_model_copy,
    .save = normalizer_save,
    .load = normalizer_load,
};
