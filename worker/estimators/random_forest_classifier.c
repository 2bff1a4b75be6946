/* RandomForestClassifier and ExtraTreesClassifier: forest.h with class
 * probabilities averaged over the trees. They differ only in their
 * defaults: best splits on bootstrap samples, or random splits on every
 * row. */
#include <stdlib.h>
#include <string.h>

#include "forest.h"

static enum gcv_status random_forest_classifier_params_parse(const struct gcv_param_set *params,
                                                             void **out, struct gcv_error *err)
{
    return gcv_tree_params_parse(GCV_TREE_RANDOM_FOREST_CLASSIFIER, params, out, err);
}

static enum gcv_status extra_trees_classifier_params_parse(const struct gcv_param_set *params,
                                                           void **out, struct gcv_error *err)
{
    return gcv_tree_params_parse(GCV_TREE_EXTRA_TREES_CLASSIFIER, params, out, err);
}

static void forest_params_free(void *params)
{
    free(params);
}

static void forest_model_free(void *model)
{
    gcv_forest_free(model);
}

static enum gcv_status forest_classifier_fit(const void *params, const struct gcv_rows *train,
                                             void **model, struct gcv_error *err)
{
    return gcv_forest_fit(params, true, train, (struct gcv_forest **)model, err);
}

static enum gcv_status forest_classifier_predict(const void *model, const struct gcv_rows *rows,
                                                 double *out, struct gcv_error *err)
{
    return gcv_forest_predict(model, rows, out, err);
}

static enum gcv_status forest_classifier_predict_proba(const void *model_pointer,
                                                       const struct gcv_rows *rows, double *out,
                                                       int32_t *classes, size_t *n_classes,
                                                       struct gcv_error *err)
{
    const struct gcv_forest *forest = model_pointer;

    memcpy(classes, forest->class_codes, forest->n_classes * sizeof *classes);
    *n_classes = forest->n_classes;
    return gcv_forest_predict_proba(forest, rows, out, err);
}

static const char *forest_fit_warning(const void *model)
{
    const struct gcv_forest *forest = model;

    return forest->warning[0] != '\0' ? forest->warning : NULL;
}

const struct gcv_estimator_ops gcv_random_forest_classifier_ops = {
    .name = "RandomForestClassifier",
    .kind = GCV_ESTIMATOR_CLASSIFIER,
    .params_parse = random_forest_classifier_params_parse,
    .params_free = forest_params_free,
    .fit = forest_classifier_fit,
    .predict = forest_classifier_predict,
    .model_free = forest_model_free,
    .fit_warning = forest_fit_warning,
    .predict_proba = forest_classifier_predict_proba,
    .save = gcv_forest_save,
    .load = gcv_forest_load,
};

const struct gcv_estimator_ops gcv_extra_trees_classifier_ops = {
    .name = "ExtraTreesClassifier",
    .kind = GCV_ESTIMATOR_CLASSIFIER,
    .params_parse = extra_trees_classifier_params_parse,
    .params_free = forest_params_free,
    .fit = forest_classifier_fit,
    .predict = forest_classifier_predict,
    .model_free = forest_model_free,
    .fit_warning = forest_fit_warning,
    .predict_proba = forest_classifier_predict_proba,
    .save = gcv_forest_save,
    .load = gcv_forest_load,
};
