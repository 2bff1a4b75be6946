/* KNeighborsClassifier: the class of the k nearest training rows, found by
 * neighbors.h.
 *
 * Uniform weights: the most frequent class among the k, the smallest class
 * on ties (scipy.stats.mode). Distance weights: for each class in
 * ascending order, the sum of the weights of the neighbours in it (numpy's
 * pairwise sum over the k neighbours in kneighbors order, others counted
 * as 0); the first class whose sum is strictly greater than every earlier
 * one wins (sklearn.utils.extmath.weighted_mode). */
#include "knn.h"

#include <stdlib.h>
#include <string.h>

#include "../../common/stats.h"

static enum gcv_status knn_classifier_params_parse(const struct gcv_param_set *params,
                                                   void **out, struct gcv_error *err)
{
    return gcv_neighbors_params_parse("KNeighborsClassifier", params, out, err);
}

static void knn_params_free(void *params)
{
    free(params);
}

static void knn_model_free(void *model_pointer)
{
    struct gcv_knn_model *model = model_pointer;

    if (model == NULL)
        return;
    gcv_neighbors_index_free(&model->index);
    free(model->y_class);
    free(model->y_value);
    free(model);
}

static enum gcv_status knn_classifier_fit(const void *params, const struct gcv_rows *train,
                                          void **model_out, struct gcv_error *err)
{
    const size_t n = train->n_rows;
    struct gcv_knn_model *model;
    enum gcv_status status;

    *model_out = NULL;
    if (train->y_class == NULL)
        return gcv_error_set(err, GCV_ERR_DATA, "KNeighborsClassifier needs class labels, and "
                             "the rows have none");
    model = calloc(1, sizeof *model);
    if (model == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting KNeighborsClassifier");
    model->params = *(const struct gcv_neighbors_params *)params;
    model->n_codes = train->n_classes;
    model->y_class = malloc((n > 0 ? n : 1) * sizeof *model->y_class);
    if (model->y_class == NULL) {
        free(model);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting KNeighborsClassifier");
    }
    for (size_t r = 0; r < n; r++) {
        model->y_class[r] = train->y_class[train->index[r]];
        if (model->y_class[r] < 0 || (size_t)model->y_class[r] >= model->n_codes) {
            status = gcv_error_set(err, GCV_ERR_DATA, "class code %d of row %zu is outside "
                                   "[0, %zu)", (int)model->y_class[r], train->index[r],
                                   model->n_codes);
            knn_model_free(model);
            return status;
        }
    }
    status = gcv_neighbors_index_build(&model->index, train, model->params.metric,
                                       model->params.p, err);
    if (status != GCV_OK) {
        knn_model_free(model);
        return status;
    }
    *model_out = model;
    return GCV_OK;
}

/* The voted class of one query row from its k neighbours and, with
 * distance weights, their weights[k]; counts[n_codes] and terms[k] are
 * scratch space. */
static int32_t vote(const struct gcv_knn_model *model, const size_t *neighbors,
                    const double *weights, size_t k, double *counts, double *terms)
{
    int32_t winner = 0;
    double best = 0;

    if (weights == NULL) {
        memset(counts, 0, model->n_codes * sizeof *counts);
        for (size_t h = 0; h < k; h++)
            counts[model->y_class[neighbors[h]]] += 1.0;
        for (size_t c = 0; c < model->n_codes; c++) {
            if (counts[c] > best) {
                best = counts[c];
                winner = (int32_t)c;
            }
        }
        return winner;
    }

    for (size_t c = 0; c < model->n_codes; c++) {
        double sum;

        for (size_t h = 0; h < k; h++)
            terms[h] = model->y_class[neighbors[h]] == (int32_t)c ? weights[h] : 0.0;
        sum = gcv_stats_sum(terms, k, 1);
        if (sum > best) {
            best = sum;
            winner = (int32_t)c;
        }
    }
    return winner;
}

static enum gcv_status knn_classifier_predict(const void *model_pointer,
                                              const struct gcv_rows *rows, double *out,
                                              struct gcv_error *err)
{
    const struct gcv_knn_model *model = model_pointer;
    const size_t m = rows->n_rows;
    const size_t k = (size_t)model->params.n_neighbors;
    const bool weighted = model->params.distance_weights;
    size_t *neighbors = malloc((m * k > 0 ? m * k : 1) * sizeof *neighbors);   /* [m * k] */
    double *distances = weighted ? malloc((m * k > 0 ? m * k : 1) * sizeof *distances) : NULL;
    double *counts = malloc((model->n_codes > 0 ? model->n_codes : 1) * sizeof *counts);
    double *terms = malloc((k > 0 ? k : 1) * sizeof *terms);
    enum gcv_status status;

    if (neighbors == NULL || (weighted && distances == NULL) || counts == NULL ||
        terms == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory predicting %zu rows", m);
        goto cleanup;
    }
    status = gcv_neighbors_kneighbors(&model->index, rows, k, neighbors, distances,
                                      "KNeighborsClassifier", err);
    for (size_t r = 0; r < m && status == GCV_OK; r++) {
        double *weights = NULL;

        if (weighted) {
            weights = distances + r * k;
            gcv_neighbors_distance_weights(weights, k);
        }
        out[r] = (double)vote(model, neighbors + r * k, weights, k, counts, terms);
    }

cleanup:
    free(neighbors);
    free(distances);
    free(counts);
    free(terms);
    return status;
}

/* gcv_estimator_ops.predict_proba, as KNeighborsClassifier.predict_proba:
 * per query row, the weights of its neighbours (1 each for uniform
 * weights) added class by class in neighbour order, then divided by their
 * sum over the classes, one column per class of the training rows. */
static enum gcv_status knn_classifier_proba_op(const void *model_pointer,
                                               const struct gcv_rows *rows, double *out,
                                               int32_t *classes, size_t *n_classes,
                                               struct gcv_error *err)
{
    const struct gcv_knn_model *model = model_pointer;
    const size_t m = rows->n_rows;
    const size_t k = (size_t)model->params.n_neighbors;
    const bool weighted = model->params.distance_weights;
    size_t *column = calloc(model->n_codes > 0 ? model->n_codes : 1, sizeof *column);
    size_t *neighbors = malloc((m * k > 0 ? m * k : 1) * sizeof *neighbors);   /* [m * k] */
    double *distances = weighted ? malloc((m * k > 0 ? m * k : 1) * sizeof *distances) : NULL;
    enum gcv_status status;
    size_t K = 0;

    if (column == NULL || neighbors == NULL || (weighted && distances == NULL)) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory predicting %zu rows", m);
        goto cleanup;
    }

    /* classes_: the codes of the training rows, ascending. */
    for (size_t r = 0; r < model->index.n_rows; r++)
        column[model->y_class[r]] = 1;
    for (size_t c = 0; c < model->n_codes; c++) {
        if (column[c] == 0)
            continue;
        column[c] = K;
        classes[K++] = (int32_t)c;
    }
    *n_classes = K;

    status = gcv_neighbors_kneighbors(&model->index, rows, k, neighbors, distances,
                                      "KNeighborsClassifier", err);
    for (size_t r = 0; r < m && status == GCV_OK; r++) {
        double *proba = out + r * K;
        double *weights = weighted ? distances + r * k : NULL;
        double normalizer;

        if (weighted)
            gcv_neighbors_distance_weights(weights, k);
        memset(proba, 0, K * sizeof *proba);
        for (size_t h = 0; h < k; h++)
            proba[column[model->y_class[neighbors[r * k + h]]]] += weighted ? weights[h] : 1.0;
        normalizer = gcv_stats_sum(proba, K, 1);
        if (normalizer == 0.0)
            normalizer = 1.0;
        for (size_t c = 0; c < K; c++)
            proba[c] /= normalizer;
    }

cleanup:
    free(column);
    free(neighbors);
    free(distances);
    return status;
}

/* ----- save and load ----------------------------------------------------- */

/* gcv_estimator_ops.save: the parameters, the training rows and their
 * class codes, because prediction searches them. */
static enum gcv_status knn_classifier_save(const void *model_pointer, hid_t group,
                                           struct gcv_error *err)
{
    const struct gcv_knn_model *model = model_pointer;
    enum gcv_status status;

    if ((status = gcv_neighbors_save(&model->params, &model->index, group, err)) != GCV_OK ||
        (status = gcv_model_file_put_size(group, "n_codes", model->n_codes, err)) != GCV_OK)
        return status;
    return gcv_model_file_put_int32s(group, "y_class", model->y_class, model->index.n_rows,
                                     err);
}

static enum gcv_status knn_classifier_load(hid_t group, void **model_out,
                                           struct gcv_error *err)
{
    struct gcv_knn_model *model = calloc(1, sizeof *model);
    enum gcv_status status;

    *model_out = NULL;
    if (model == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory loading KNeighborsClassifier");
    if ((status = gcv_neighbors_load(group, &model->params, &model->index, err)) != GCV_OK ||
        (status = gcv_model_file_get_size(group, "n_codes", &model->n_codes, err)) != GCV_OK ||
        (status = gcv_model_file_get_int32s(group, "y_class", model->index.n_rows,
                                            &model->y_class, err)) != GCV_OK)
        goto cleanup;
    for (size_t r = 0; r < model->index.n_rows; r++)
        if (model->y_class[r] < 0 || (size_t)model->y_class[r] >= model->n_codes) {
            status = gcv_error_set(err, GCV_ERR_DATA, "class code %d of stored row %zu is "
                                   "outside [0, %zu)", (int)model->y_class[r], r,
                                   model->n_codes);
            goto cleanup;
        }

cleanup:
    if (status != GCV_OK) {
        knn_model_free(model);
        return status;
    }
    *model_out = model;
    return GCV_OK;
}

const struct gcv_estimator_ops gcv_knn_classifier_ops = {
    .name = "KNeighborsClassifier",
    .kind = GCV_ESTIMATOR_CLASSIFIER,
    .params_parse = knn_classifier_params_parse,
    .params_free = knn_params_free,
    .fit = knn_classifier_fit,
    .predict = knn_classifier_predict,
    .model_free = knn_model_free,
    .predict_proba = knn_classifier_proba_op,
    .save = knn_classifier_save,
    .load = knn_classifier_load,
};
