/* The estimator registry: every estimator gridcv knows, by name, and the
 * pipelines built from them. */
#include "../estimator.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/model_file.h"
#include "../../common/suggest.h"

#include "enet.h"
#include "forest.h"
#include "gradient_boosting.h"
#include "kernel.h"
#include "knn.h"
#include "linear_svc.h"
#include "logistic.h"
#include "pipeline.h"
#include "ridge.h"
#include "scalers.h"
#include "svc.h"
#include "svr.h"
#include "tree.h"

static const struct gcv_estimator_ops *const estimators[] = {
    &gcv_svc_ops,
    &gcv_svr_ops,
    &gcv_ridge_ops,
    &gcv_ridge_classifier_ops,
    &gcv_knn_classifier_ops,
    &gcv_knn_regressor_ops,
    &gcv_logistic_ops,
    &gcv_linear_svc_ops,
    &gcv_lasso_ops,
    &gcv_elastic_net_ops,
    &gcv_decision_tree_classifier_ops,
    &gcv_decision_tree_regressor_ops,
    &gcv_extra_tree_classifier_ops,
    &gcv_extra_tree_regressor_ops,
    &gcv_random_forest_classifier_ops,
    &gcv_random_forest_regressor_ops,
    &gcv_extra_trees_classifier_ops,
    &gcv_extra_trees_regressor_ops,
    &gcv_gradient_boosting_classifier_ops,
    &gcv_gradient_boosting_regressor_ops,
    &gcv_standard_scaler_ops,
    &gcv_minmax_scaler_ops,
    &gcv_robust_scaler_ops,
    &gcv_normalizer_ops,
};

#define N_ESTIMATORS (sizeof estimators / sizeof estimators[0])

/* The most steps a pipeline may have. */
#define MAX_STEPS 16

/* The pipelines built so far, newest first. Each lives until the process
 * ends, because every task context of the search points to it. */
struct registered_pipeline {
    struct gcv_estimator_ops *ops;
    struct registered_pipeline *next;
};

static struct registered_pipeline *pipelines;

static const struct gcv_estimator_ops *find_registered(const char *name)
{
    for (size_t i = 0; i < N_ESTIMATORS; i++)
        if (strcmp(estimators[i]->name, name) == 0)
            return estimators[i];
    return NULL;
}

static const char *kind_name(enum gcv_estimator_kind kind)
{
    switch (kind) {
    case GCV_ESTIMATOR_CLASSIFIER:
        return "a classifier";
    case GCV_ESTIMATOR_REGRESSOR:
        return "a regressor";
    case GCV_ESTIMATOR_TRANSFORMER:
        break;
    }
    return "a transformer";
}

static enum gcv_status unknown_name(const char *name, struct gcv_error *err)
{
    char names[GCV_ESTIMATOR_NAME_MAX], hint[100] = "";
    const char *candidates[N_ESTIMATORS];
    const char *closest;

    for (size_t i = 0; i < N_ESTIMATORS; i++)
        candidates[i] = estimators[i]->name;
    closest = gcv_suggest_closest(name, candidates, N_ESTIMATORS);
    if (closest != NULL)
        snprintf(hint, sizeof hint, "did you mean \"%s\"? ", closest);
    gcv_estimator_list_names(names, sizeof names);
    return gcv_error_set(err, GCV_ERR_SPEC, "unknown estimator \"%s\"; %sknown estimators: %s",
                         name, hint, names);
}

/* Splits "make_pipeline(A, B, ...)" into its step estimators, checking that
 * every step is known, that the last one is a classifier or regressor and
 * that the others are transformers. */
static enum gcv_status parse_pipeline_name(const char *name,
                                           const struct gcv_estimator_ops **steps,
                                           size_t *n_steps, struct gcv_error *err)
{
    static const char prefix[] = "make_pipeline(";
    char text[GCV_ESTIMATOR_NAME_MAX];
    char *cursor, *end;
    size_t len = strlen(name);

    *n_steps = 0;
    if (len >= sizeof text)
        return gcv_error_set(err, GCV_ERR_SPEC, "estimator name of %zu characters is too long "
                             "(at most %zu)", len, sizeof text - 1);
    memcpy(text, name + strlen(prefix), len - strlen(prefix) - 1);
    text[len - strlen(prefix) - 1] = '\0';

    for (cursor = text; *cursor != '\0'; cursor = end) {
        char *comma = strchr(cursor, ',');

        end = comma != NULL ? comma + 1 : cursor + strlen(cursor);
        if (comma != NULL)
            *comma = '\0';
        while (*cursor == ' ')
            cursor++;
        for (char *last = cursor + strlen(cursor); last > cursor && last[-1] == ' '; last--)
            last[-1] = '\0';

        if (*n_steps == MAX_STEPS)
            return gcv_error_set(err, GCV_ERR_SPEC, "a pipeline may have at most %d steps",
                                 MAX_STEPS);
        steps[*n_steps] = find_registered(cursor);
        if (steps[*n_steps] == NULL)
            return unknown_name(cursor, err);
        (*n_steps)++;
    }
    if (*n_steps == 0)
        return gcv_error_set(err, GCV_ERR_SPEC, "a pipeline needs at least one step");

    for (size_t s = 0; s + 1 < *n_steps; s++)
        if (steps[s]->kind != GCV_ESTIMATOR_TRANSFORMER)
            return gcv_error_set(err, GCV_ERR_SPEC, "pipeline step %zu, %s, is %s; every step "
                                 "but the last must be a transformer such as StandardScaler",
                                 s, steps[s]->name, kind_name(steps[s]->kind));
    if (steps[*n_steps - 1]->kind == GCV_ESTIMATOR_TRANSFORMER)
        return gcv_error_set(err, GCV_ERR_SPEC, "the last pipeline step, %s, is a transformer; "
                             "end the pipeline with a classifier or regressor such as SVC",
                             steps[*n_steps - 1]->name);
    return GCV_OK;
}

static bool is_pipeline_name(const char *name)
{
    static const char prefix[] = "make_pipeline(";
    size_t len = strlen(name);

    return len > strlen(prefix) && strncmp(name, prefix, strlen(prefix)) == 0 &&
           name[len - 1] == ')';
}

enum gcv_status gcv_estimator_resolve(const char *name, const struct gcv_estimator_ops **out,
                                      struct gcv_error *err)
{
    const struct gcv_estimator_ops *steps[MAX_STEPS];
    struct registered_pipeline *entry;
    struct gcv_estimator_ops *ops = NULL;
    size_t n_steps;
    enum gcv_status status;

    *out = NULL;
    if (!is_pipeline_name(name)) {
        *out = find_registered(name);
        if (*out == NULL)
            return unknown_name(name, err);
        if ((*out)->kind == GCV_ESTIMATOR_TRANSFORMER) {
            *out = NULL;
            return gcv_error_set(err, GCV_ERR_SPEC, "%s is a transformer and cannot be searched "
                                 "alone; use it as a pipeline step before a classifier or "
                                 "regressor, as in [\"%s\", \"SVC\"]", name, name);
        }
        return GCV_OK;
    }

    for (entry = pipelines; entry != NULL; entry = entry->next) {
        if (strcmp(entry->ops->name, name) == 0) {
            *out = entry->ops;
            return GCV_OK;
        }
    }
    if ((status = parse_pipeline_name(name, steps, &n_steps, err)) != GCV_OK)
        return status;
    if ((status = gcv_pipeline_ops_create(steps, n_steps, &ops, err)) != GCV_OK)
        return status;

    /* Two spellings of one pipeline ("A,B" and "A, B") get one entry each,
     * under the canonical name the new ops carry. */
    for (entry = pipelines; entry != NULL; entry = entry->next) {
        if (strcmp(entry->ops->name, ops->name) == 0) {
            gcv_pipeline_ops_free(ops);
            *out = entry->ops;
            return GCV_OK;
        }
    }
    entry = malloc(sizeof *entry);
    if (entry == NULL) {
        gcv_pipeline_ops_free(ops);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory registering pipeline %s", name);
    }
    entry->ops = ops;
    entry->next = pipelines;
    pipelines = entry;
    *out = ops;
    return GCV_OK;
}

const struct gcv_estimator_ops *gcv_estimator_find(const char *name)
{
    const struct gcv_estimator_ops *estimator;
    struct gcv_error ignored;

    if (gcv_estimator_resolve(name, &estimator, &ignored) != GCV_OK)
        return NULL;
    return estimator;
}

enum gcv_status gcv_estimator_params_parse(const struct gcv_estimator_ops *estimator,
                                           const struct gcv_param_set *params, void **out,
                                           struct gcv_error *err)
{
    if (estimator->steps != NULL)
        return gcv_pipeline_params_parse(estimator, params, out, err);
    return estimator->params_parse(params, out, err);
}

void gcv_estimator_list_names(char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (int transformers = 0; transformers <= 1; transformers++) {
        for (size_t i = 0; i < N_ESTIMATORS && used < len; i++) {
            if ((estimators[i]->kind == GCV_ESTIMATOR_TRANSFORMER) != (transformers == 1))
                continue;
            used += (size_t)snprintf(buf + used, len - used, "%s%s", used > 0 ? ", " : "",
                                     estimators[i]->name);
        }
    }
}

enum gcv_status gcv_estimator_save_linear(const struct gcv_linear_arrays *arrays, hid_t group,
                                          struct gcv_error *err)
{
    enum gcv_status status;

    if ((status = gcv_model_file_put_size(group, "n_features", arrays->n_features, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_size(group, "n_classes", arrays->n_classes, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_size(group, "n_rows", arrays->n_rows, err)) != GCV_OK ||
        (status = gcv_model_file_put_int32s(group, "classes", arrays->classes,
                                            arrays->n_classes, err)) != GCV_OK ||
        (status = gcv_model_file_put_doubles(group, "coef", arrays->coef,
                                             arrays->n_rows * arrays->n_features, err)) != GCV_OK)
        return status;
    return gcv_model_file_put_doubles(group, "intercept", arrays->intercept, arrays->n_rows, err);
}

enum gcv_status gcv_estimator_load_linear(hid_t group, const char *estimator,
                                          struct gcv_linear_arrays *arrays,
                                          struct gcv_error *err)
{
    enum gcv_status status;

    if ((status = gcv_model_file_get_size(group, "n_features", &arrays->n_features, err)) !=
            GCV_OK ||
        (status = gcv_model_file_get_size(group, "n_classes", &arrays->n_classes, err)) !=
            GCV_OK ||
        (status = gcv_model_file_get_size(group, "n_rows", &arrays->n_rows, err)) != GCV_OK)
        return status;
    if (arrays->n_classes < 2 || arrays->n_classes > INT32_MAX ||
        arrays->n_rows != (arrays->n_classes == 2 ? 1 : arrays->n_classes))
        return gcv_error_set(err, GCV_ERR_DATA, "a %s of %zu classes cannot have %zu "
                             "coefficient rows", estimator, arrays->n_classes, arrays->n_rows);
    if ((status = gcv_model_file_get_class_codes(group, "classes", arrays->n_classes,
                                                 &arrays->classes, err)) != GCV_OK ||
        (status = gcv_model_file_get_doubles(group, "coef", arrays->n_rows * arrays->n_features,
                                             &arrays->coef, err)) != GCV_OK)
        return status;
    return gcv_model_file_get_doubles(group, "intercept", arrays->n_rows, &arrays->intercept,
                                      err);
}

enum gcv_status gcv_estimator_linear_decision(const char *estimator, const double *coef,
                                              const double *intercept, size_t n_features,
                                              size_t n_outputs, const struct gcv_rows *rows,
                                              double *out, struct gcv_error *err)
{
    const size_t m = rows->n_rows;
    const size_t d = n_features;
    const size_t t = n_outputs;
    double *X;

    if (rows->n_features != d)
        return gcv_error_set(err, GCV_ERR_DATA, "%s was fitted on %zu features, the rows have "
                             "%zu", estimator, d, rows->n_features);
    if (m == 0)
        return GCV_OK;
    X = malloc((m * d > 0 ? m * d : 1) * sizeof *X);
    if (X == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory predicting %zu rows", m);
    gcv_kernel_gather_rows(rows, X);

    /* out [m x t] = X [m x d] coef^T, coef [t x d] row-major (ldb d). */
    memset(out, 0, m * t * sizeof *out);
    if (d > 0)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)t, (int)d, 1.0, X,
                    (int)d, coef, (int)d, 0.0, out, (int)t);
    for (size_t r = 0; r < m; r++)
        for (size_t c = 0; c < t; c++)
            out[r * t + c] += intercept[c];
    free(X);
    return GCV_OK;
}

enum gcv_status gcv_estimator_predict_linear(const void *model, const struct gcv_rows *rows,
                                             size_t n_columns, const int32_t *classes,
                                             gcv_estimator_decision_fn decision,
                                             double *out, struct gcv_error *err)
{
    const size_t m = rows->n_rows;
    double *values = malloc((m * n_columns > 0 ? m * n_columns : 1) * sizeof *values);
    enum gcv_status status;

    if (values == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory predicting %zu rows", m);
    status = decision(model, rows, values, err);
    if (status == GCV_OK)
        gcv_estimator_labels_from_decision(values, m, n_columns, classes, out);
    free(values);
    return status;
}

enum gcv_status gcv_estimator_decision_op(const void *model, const struct gcv_rows *rows,
                                          const int32_t *fitted, size_t n_fitted,
                                          gcv_estimator_decision_fn decision,
                                          double *out, int32_t *classes, size_t *n_classes,
                                          struct gcv_error *err)
{
    for (size_t c = 0; c < n_fitted; c++)
        classes[c] = fitted[c];
    *n_classes = n_fitted;
    if (n_fitted != 2)
        return GCV_OK;
    return decision(model, rows, out, err);
}

void gcv_estimator_labels_from_decision(const double *decision, size_t n_rows,
                                        size_t n_columns, const int32_t *classes, double *out)
{
    for (size_t r = 0; r < n_rows; r++) {
        const double *values = decision + r * n_columns;
        size_t best = 0;

        if (n_columns == 1) {
            best = values[0] > 0 ? 1 : 0;
        } else {
            for (size_t c = 1; c < n_columns; c++)
                if (values[c] > values[best])
                    best = c;
        }
        out[r] = (double)classes[best];
    }
}
