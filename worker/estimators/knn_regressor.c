/* KNeighborsRegressor: the targets of the k nearest training rows, found
 * by neighbors.h. Uniform weights: their mean. Distance weights:
 * sum w_h y_h / sum w_h. Sums are numpy's pairwise sums over the k
 * neighbours in kneighbors order, as scikit-learn's np.mean and np.sum
 * along axis 1 compute them. */
#include "knn.h"

#include <stdlib.h>

#include "../../common/stats.h"

static enum gcv_status knn_regressor_params_parse(const struct gcv_param_set *params,
                                                  void **out, struct gcv_error *err)
{
    return gcv_neighbors_params_parse("KNeighborsRegressor", params, out, err);
}

static void knn_regressor_params_free(void *params)
{
    free(params);
}

static void knn_regressor_model_free(void *model_pointer)
{
    struct gcv_knn_model *model = model_pointer;

    if (model == NULL)
        return;
    gcv_neighbors_index_free(&model->index);
    free(model->y_value);
    free(model);
}

static enum gcv_status knn_regressor_fit(const void *params, const struct gcv_rows *train,
                                         void **model_out, struct gcv_error *err)
{
    const size_t n = train->n_rows;
    struct gcv_knn_model *model;
    enum gcv_status status;

    *model_out = NULL;
    if (train->y_value == NULL)
        return gcv_error_set(err, GCV_ERR_DATA, "KNeighborsRegressor needs regression targets, "
                             "and the rows have none");
    model = calloc(1, sizeof *model);
    if (model == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting KNeighborsRegressor");
    model->params = *(const struct gcv_neighbors_params *)params;
    model->y_value = malloc((n > 0 ? n : 1) * sizeof *model->y_value);
    if (model->y_value == NULL) {
        free(model);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting KNeighborsRegressor");
    }
    for (size_t r = 0; r < n; r++)
        model->y_value[r] = train->y_value[train->index[r]];
    status = gcv_neighbors_index_build(&model->index, train, model->params.metric,
                                       model->params.p, err);
    if (status != GCV_OK) {
        knn_regressor_model_free(model);
        return status;
    }
    *model_out = model;
    return GCV_OK;
}

static enum gcv_status knn_regressor_predict(const void *model_pointer,
                                             const struct gcv_rows *rows, double *out,
                                             struct gcv_error *err)
{
    const struct gcv_knn_model *model = model_pointer;
    const size_t m = rows->n_rows;
    const size_t k = (size_t)model->params.n_neighbors;
    const bool weighted = model->params.distance_weights;
    size_t *neighbors = malloc((m * k > 0 ? m * k : 1) * sizeof *neighbors);   /* [m * k] */
    double *distances = weighted ? malloc((m * k > 0 ? m * k : 1) * sizeof *distances) : NULL;
    double *terms = malloc((k > 0 ? k : 1) * sizeof *terms);                   /* [k] */
    enum gcv_status status;

    if (neighbors == NULL || (weighted && distances == NULL) || terms == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory predicting %zu rows", m);
        goto cleanup;
    }
    status = gcv_neighbors_kneighbors(&model->index, rows, k, neighbors, distances,
                                      "KNeighborsRegressor", err);
    for (size_t r = 0; r < m && status == GCV_OK; r++) {
        const size_t *nearest = neighbors + r * k;

        if (!weighted) {
            for (size_t h = 0; h < k; h++)
                terms[h] = model->y_value[nearest[h]];
            out[r] = gcv_stats_sum(terms, k, 1) / (double)k;
        } else {
            double *weights = distances + r * k;
            double denominator;

            gcv_neighbors_distance_weights(weights, k);
            denominator = gcv_stats_sum(weights, k, 1);
            for (size_t h = 0; h < k; h++)
                terms[h] = model->y_value[nearest[h]] * weights[h];
            out[r] = gcv_stats_sum(terms, k, 1) / denominator;
        }
    }

cleanup:
    free(neighbors);
    free(distances);
    free(terms);
    return status;
}

/* ----- save and load ----------------------------------------------------- */

/* gcv_estimator_ops.save: the parameters, the training rows and their
 * targets, because prediction searches them. */
static enum gcv_status knn_regressor_save(const void *model_pointer, hid_t group,
                                          struct gcv_error *err)
{
    const struct gcv_knn_model *model = model_pointer;
    enum gcv_status status;

    if ((status = gcv_neighbors_save(&model->params, &model->index, group, err)) != GCV_OK)
        return status;
    return gcv_model_file_put_doubles(group, "y_value", model->y_value, model->index.n_rows,
                                      err);
}

static enum gcv_status knn_regressor_load(hid_t group, void **model_out, struct gcv_error *err)
{
    struct gcv_knn_model *model = calloc(1, sizeof *model);
    enum gcv_status status;

    *model_out = NULL;
    if (model == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory loading KNeighborsRegressor");
    if ((status = gcv_neighbors_load(group, &model->params, &model->index, err)) != GCV_OK ||
        (status = gcv_model_file_get_doubles(group, "y_value", model->index.n_rows,
                                             &model->y_value, err)) != GCV_OK) {
        knn_regressor_model_free(model);
        return status;
    }
    *model_out = model;
    return GCV_OK;
}

const struct gcv_estimator_ops gcv_knn_regressor_ops = {
    .name = "KNeighborsRegressor",
    .kind = GCV_ESTIMATOR_REGRESSOR,
    .params_parse = knn_regressor_params_parse,
    .params_free = knn_regressor_params_free,
    .fit = knn_regressor_fit,
    .predict = knn_regressor_predict,
    .model_free = knn_regressor_model_free,
    .save = knn_regressor_save,
    .load = knn_regressor_load,
};
