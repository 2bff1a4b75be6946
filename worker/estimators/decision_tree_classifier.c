/* DecisionTreeClassifier and ExtraTreeClassifier: one tree grown by
 * tree.h, predicting the class of largest weighted count in the leaf a row
 * reaches (the first such class on ties, as numpy.argmax). */
#include <stdlib.h>
#include <string.h>

#include "tree.h"

static enum gcv_status decision_tree_classifier_params_parse(const struct gcv_param_set *params,
                                                             void **out, struct gcv_error *err)
{
    return gcv_tree_params_parse(GCV_TREE_DECISION_TREE_CLASSIFIER, params, out, err);
}

static enum gcv_status extra_tree_classifier_params_parse(const struct gcv_param_set *params,
                                                          void **out, struct gcv_error *err)
{
    return gcv_tree_params_parse(GCV_TREE_EXTRA_TREE_CLASSIFIER, params, out, err);
}

static void tree_params_free(void *params)
{
    free(params);
}

/* Fits one tree. class_weight="balanced" weighs each row by n / (k *
 * count of its class), k the classes of the training rows. */
static enum gcv_status tree_classifier_fit(const void *params_pointer,
                                           const struct gcv_rows *train, void **model_out,
                                           struct gcv_error *err)
{
    const struct gcv_tree_params *params = params_pointer;
    struct gcv_tree_data data;
    struct gcv_tree_model *model = NULL;
    double *weights = NULL;   /* [data.n_samples], or NULL for unit weights */
    enum gcv_status status;

    *model_out = NULL;
    status = gcv_tree_data_init(&data, train, true, err);
    if (status != GCV_OK)
        return status;

    model = calloc(1, sizeof *model);
    if (params->class_weight != GCV_TREE_CLASS_WEIGHT_NONE)
        weights = malloc(data.n_samples * sizeof *weights);
    if (model == NULL || (params->class_weight != GCV_TREE_CLASS_WEIGHT_NONE && weights == NULL)) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting a tree on %zu rows",
                               data.n_samples);
        goto cleanup;
    }
    if (weights != NULL)
        gcv_tree_balanced_weights(&data, weights);

    status = gcv_tree_build(&model->tree, params, &data, weights, params->random_state,
                            train->deadline, err);
    if (status != GCV_OK)
        goto cleanup;

    /* The model keeps the class codes; the rest of data goes. */
    model->n_classes = data.n_classes;
    model->class_codes = data.class_codes;
    data.class_codes = NULL;
    *model_out = model;
    model = NULL;

cleanup:
    gcv_tree_data_free(&data);
    gcv_tree_model_free(model);
    free(weights);
    return status;
}

static enum gcv_status tree_classifier_predict(const void *model_pointer,
                                               const struct gcv_rows *rows, double *out,
                                               struct gcv_error *err)
{
    const struct gcv_tree_model *model = model_pointer;

    (void)err;
    for (size_t r = 0; r < rows->n_rows; r++) {
        const size_t leaf = gcv_tree_apply(&model->tree, rows->X + rows->index[r] *
                                                                     rows->n_features);
        const size_t best = gcv_tree_argmax(gcv_tree_value(&model->tree, leaf),
                                            model->tree.n_values);

        out[r] = (double)model->class_codes[best];
    }
    return GCV_OK;
}

static enum gcv_status tree_classifier_predict_proba(const void *model_pointer,
                                                     const struct gcv_rows *rows, double *out,
                                                     int32_t *classes, size_t *n_classes,
                                                     struct gcv_error *err)
{
    const struct gcv_tree_model *model = model_pointer;
    const size_t width = model->n_classes;

    (void)err;
    memcpy(classes, model->class_codes, width * sizeof *classes);
    *n_classes = width;
    for (size_t r = 0; r < rows->n_rows; r++) {
        const size_t leaf = gcv_tree_apply(&model->tree, rows->X + rows->index[r] *
                                                                     rows->n_features);

        gcv_tree_leaf_proba(&model->tree, leaf, out + r * width);
    }
    return GCV_OK;
}

const struct gcv_estimator_ops gcv_decision_tree_classifier_ops = {
    .name = "DecisionTreeClassifier",
    .kind = GCV_ESTIMATOR_CLASSIFIER,
    .params_parse = decision_tree_classifier_params_parse,
    .params_free = tree_params_free,
    .fit = tree_classifier_fit,
    .predict = tree_classifier_predict,
    .model_free = gcv_tree_model_free,
    .predict_proba = tree_classifier_predict_proba,
    .save = gcv_tree_model_save,
    .load = gcv_tree_model_load,
};

const struct gcv_estimator_ops gcv_extra_tree_classifier_ops = {
    .name = "ExtraTreeClassifier",
    .kind = GCV_ESTIMATOR_CLASSIFIER,
    .params_parse = extra_tree_classifier_params_parse,
    .params_free = tree_params_free,
    .fit = tree_classifier_fit,
    .predict = tree_classifier_predict,
    .model_free = gcv_tree_model_free,
    .predict_proba = tree_classifier_predict_proba,
    .save = gcv_tree_model_save,
    .load = gcv_tree_model_load,
};
