/* RidgeClassifier: ridge regression on class indicators, as scikit-learn
 * 1.2.1's _RidgeClassifierMixin does (sklearn/linear_model/_ridge.py).
 *
 * Fit: the classes present in the training rows are sorted by code. As
 * LabelBinarizer(pos_label=1, neg_label=-1) encodes them, two classes give
 * one target column (+1 for the second class, -1 for the first) and k > 2
 * classes give k columns (+1 in the row's class, -1 elsewhere). The columns
 * are fitted together by ridge_solver.h, with class_weight="balanced" as
 * sample weights n / (k * count of the row's class).
 *
 * Predict: the decision values X coef + intercept; with one column the
 * second class when it is > 0, else the first; otherwise the class of the
 * largest value, the first one on ties (numpy's argmax). A fold with a
 * single class always predicts it, as scikit-learn does. */
#include "ridge.h"

#include <stdlib.h>
#include <string.h>

static enum gcv_status ridge_classifier_params_parse(const struct gcv_param_set *params,
                                                     void **out, struct gcv_error *err)
{
    return gcv_ridge_params_parse(true, params, out, err);
}

static void ridge_classifier_params_free(void *params)
{
    free(params);
}

static void ridge_classifier_model_free(void *model_pointer)
{
    struct gcv_ridge_classifier_model *model = model_pointer;

    if (model == NULL)
        return;
    gcv_ridge_fit_free(&model->fit);
    free(model->classes);
    free(model);
}

static enum gcv_status ridge_classifier_fit(const void *params_pointer,
                                            const struct gcv_rows *train, void **model_out,
                                            struct gcv_error *err)
{
    const struct gcv_ridge_params *params = params_pointer;
    const size_t n = train->n_rows;
    const size_t n_codes = train->n_classes;
    struct gcv_ridge_classifier_model *model = NULL;
    size_t *count = NULL;        /* [n_codes] training rows of each class code */
    size_t *column_of = NULL;    /* [n_codes] position of each present code */
    double *Y = NULL;            /* [n * n_columns] -1/+1 indicators */
    double *weights = NULL;      /* [n] balanced class weights, or NULL */
    size_t n_columns;
    enum gcv_status status = GCV_OK;

    *model_out = NULL;
    if (train->y_class == NULL)
        return gcv_error_set(err, GCV_ERR_DATA, "RidgeClassifier needs class labels, and the "
                             "rows have none");
    if (train->n_features == 0)
        return gcv_error_set(err, GCV_ERR_DATA, "RidgeClassifier needs at least one feature, "
                             "got 0");

    count = calloc(n_codes > 0 ? n_codes : 1, sizeof *count);
    column_of = calloc(n_codes > 0 ? n_codes : 1, sizeof *column_of);
    model = calloc(1, sizeof *model);
    if (count == NULL || column_of == NULL || model == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting RidgeClassifier on %zu "
                               "rows", n);
        goto cleanup;
    }

    /* classes_: the codes present, ascending. */
    for (size_t r = 0; r < n; r++) {
        const int32_t code = train->y_class[train->index[r]];
        if (code < 0 || (size_t)code >= n_codes) {
            status = gcv_error_set(err, GCV_ERR_DATA, "class code %d of row %zu is outside "
                                   "[0, %zu)", (int)code, train->index[r], n_codes);
            goto cleanup;
        }
        count[code]++;
    }
    model->classes = malloc((n_codes > 0 ? n_codes : 1) * sizeof *model->classes);
    if (model->classes == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting RidgeClassifier");
        goto cleanup;
    }
    for (size_t c = 0; c < n_codes; c++) {
        if (count[c] == 0)
            continue;
        column_of[c] = model->n_classes;
        model->classes[model->n_classes++] = (int32_t)c;
    }
    if (model->n_classes < 2)
        goto cleanup;

    /* The indicator columns and the class weights. */
    n_columns = model->n_classes == 2 ? 1 : model->n_classes;
    Y = malloc((n * n_columns > 0 ? n * n_columns : 1) * sizeof *Y);
    if (params->class_weight_balanced)
        weights = malloc((n > 0 ? n : 1) * sizeof *weights);
    if (Y == NULL || (params->class_weight_balanced && weights == NULL)) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting RidgeClassifier on %zu "
                               "rows", n);
        goto cleanup;
    }
    for (size_t r = 0; r < n; r++) {
        const int32_t code = train->y_class[train->index[r]];

        if (n_columns == 1) {
            Y[r] = column_of[code] == 1 ? 1.0 : -1.0;
        } else {
            for (size_t c = 0; c < n_columns; c++)
                Y[r * n_columns + c] = column_of[code] == c ? 1.0 : -1.0;
        }
        if (weights != NULL)
            weights[r] = (double)n / ((double)model->n_classes * (double)count[code]);
    }

    status = gcv_ridge_fit(train, Y, n_columns, weights, params->alpha, params->fit_intercept,
                           params->solver, &model->fit, err);

cleanup:
    free(count);
    free(column_of);
    free(Y);
    free(weights);
    if (status != GCV_OK) {
        ridge_classifier_model_free(model);
        return status;
    }
    *model_out = model;
    return GCV_OK;
}

enum gcv_status gcv_ridge_classifier_decision(const struct gcv_ridge_classifier_model *model,
                                              const struct gcv_rows *rows, double *out,
                                              struct gcv_error *err)
{
    return gcv_ridge_decision(&model->fit, "RidgeClassifier", rows, out, err);
}

/* gcv_estimator_decision_fn of a RidgeClassifier model. */
static enum gcv_status ridge_classifier_decision_values(const void *model,
                                                        const struct gcv_rows *rows,
                                                        double *values, struct gcv_error *err)
{
    return gcv_ridge_classifier_decision(model, rows, values, err);
}

static enum gcv_status ridge_classifier_predict(const void *model_pointer,
                                                const struct gcv_rows *rows, double *out,
                                                struct gcv_error *err)
{
    const struct gcv_ridge_classifier_model *model = model_pointer;

    if (model->n_classes < 2) {
        for (size_t r = 0; r < rows->n_rows; r++)
            out[r] = (double)model->classes[0];
        return GCV_OK;
    }
    return gcv_estimator_predict_linear(model, rows, model->fit.n_targets, model->classes,
                                        ridge_classifier_decision_values, out, err);
}

/* gcv_estimator_ops.decision_function: the fitted classes, and the one
 * decision column of a model fitted on two classes. */
static enum gcv_status ridge_classifier_decision_op(const void *model_pointer,
                                                    const struct gcv_rows *rows, double *out,
                                                    int32_t *classes, size_t *n_classes,
                                                    struct gcv_error *err)
{
    const struct gcv_ridge_classifier_model *model = model_pointer;

    return gcv_estimator_decision_op(model, rows, model->classes, model->n_classes,
                                     ridge_classifier_decision_values, out, classes, n_classes,
                                     err);
}

/* ----- save and load ----------------------------------------------------- */

/* gcv_estimator_ops.save: the classes and, with two or more, the fit. */
static enum gcv_status ridge_classifier_save(const void *model_pointer, hid_t group,
                                             struct gcv_error *err)
{
    const struct gcv_ridge_classifier_model *model = model_pointer;
    enum gcv_status status;

    if ((status = gcv_model_file_put_size(group, "n_classes", model->n_classes, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_int32s(group, "classes", model->classes, model->n_classes,
                                            err)) != GCV_OK)
        return status;
    return model->n_classes >= 2 ? gcv_ridge_fit_save(&model->fit, group, err) : GCV_OK;
}

static enum gcv_status ridge_classifier_load(hid_t group, void **model_out,
                                             struct gcv_error *err)
{
    struct gcv_ridge_classifier_model *model = calloc(1, sizeof *model);
    size_t expected_targets;
    enum gcv_status status;

    *model_out = NULL;
    if (model == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory loading a RidgeClassifier");
    if ((status = gcv_model_file_get_size(group, "n_classes", &model->n_classes, err)) !=
            GCV_OK)
        goto cleanup;
    if (model->n_classes < 1 || model->n_classes > INT32_MAX) {
        status = gcv_error_set(err, GCV_ERR_DATA, "a RidgeClassifier needs at least 1 class, "
                               "got %zu", model->n_classes);
        goto cleanup;
    }
    status = gcv_model_file_get_class_codes(group, "classes", model->n_classes, &model->classes,
                                            err);
    if (status != GCV_OK || model->n_classes < 2)
        goto cleanup;
    if ((status = gcv_ridge_fit_load(group, &model->fit, err)) != GCV_OK)
        goto cleanup;
    expected_targets = model->n_classes == 2 ? 1 : model->n_classes;
    if (model->fit.n_targets != expected_targets)
        status = gcv_error_set(err, GCV_ERR_DATA, "a RidgeClassifier of %zu classes has %zu "
                               "targets, got %zu", model->n_classes, expected_targets,
                               model->fit.n_targets);

cleanup:
    if (status != GCV_OK) {
        ridge_classifier_model_free(model);
        return status;
    }
    *model_out = model;
    return GCV_OK;
}

const struct gcv_estimator_ops gcv_ridge_classifier_ops = {
    .name = "RidgeClassifier",
    .kind = GCV_ESTIMATOR_CLASSIFIER,
    .params_parse = ridge_classifier_params_parse,
    .params_free = ridge_classifier_params_free,
    .fit = ridge_classifier_fit,
    .predict = ridge_classifier_predict,
    .model_free = ridge_classifier_model_free,
    .decision_function = ridge_classifier_decision_op,
    .save = ridge_classifier_save,
    .load = ridge_classifier_load,
};
