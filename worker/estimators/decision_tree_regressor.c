/* DecisionTreeRegressor and ExtraTreeRegressor: one tree grown by tree.h,
 * predicting the value of the leaf a row reaches (the weighted mean of its
 * targets, or their weighted median with criterion="absolute_error"). */
#include <stdlib.h>

#include "tree.h"

static enum gcv_status decision_tree_regressor_params_parse(const struct gcv_param_set *params,
                                                            void **out, struct gcv_error *err)
{
    return gcv_tree_params_parse(GCV_TREE_DECISION_TREE_REGRESSOR, params, out, err);
}

static enum gcv_status extra_tree_regressor_params_parse(const struct gcv_param_set *params,
                                                         void **out, struct gcv_error *err)
{
    return gcv_tree_params_parse(GCV_TREE_EXTRA_TREE_REGRESSOR, params, out, err);
}

static void tree_params_free(void *params)
{
    free(params);
}

static enum gcv_status tree_regressor_fit(const void *params_pointer,
                                          const struct gcv_rows *train, void **model_out,
                                          struct gcv_error *err)
{
    const struct gcv_tree_params *params = params_pointer;
    struct gcv_tree_data data;
    struct gcv_tree_model *model = NULL;
    enum gcv_status status;

    *model_out = NULL;
    status = gcv_tree_data_init(&data, train, false, err);
    if (status != GCV_OK)
        return status;
    if (params->criterion == GCV_TREE_POISSON &&
        (status = gcv_tree_check_poisson_targets(&data, err)) != GCV_OK)
        goto cleanup;

    model = calloc(1, sizeof *model);
    if (model == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting a tree on %zu rows",
                               data.n_samples);
        goto cleanup;
    }
    status = gcv_tree_build(&model->tree, params, &data, NULL, params->random_state,
                            train->deadline, err);
    if (status != GCV_OK)
        goto cleanup;
    *model_out = model;
    model = NULL;

cleanup:
    gcv_tree_data_free(&data);
    gcv_tree_model_free(model);
    return status;
}

static enum gcv_status tree_regressor_predict(const void *model_pointer,
                                              const struct gcv_rows *rows, double *out,
                                              struct gcv_error *err)
{
    const struct gcv_tree_model *model = model_pointer;

    (void)err;
    for (size_t r = 0; r < rows->n_rows; r++) {
        const size_t leaf = gcv_tree_apply(&model->tree, rows->X + rows->index[r] *
                                                                     rows->n_features);

        out[r] = gcv_tree_value(&model->tree, leaf)[0];
    }
    return GCV_OK;
}

const struct gcv_estimator_ops gcv_decision_tree_regressor_ops = {
    .name = "DecisionTreeRegressor",
    .kind = GCV_ESTIMATOR_REGRESSOR,
    .params_parse = decision_tree_regressor_params_parse,
    .params_free = tree_params_free,
    .fit = tree_regressor_fit,
    .predict = tree_regressor_predict,
    .model_free = gcv_tree_model_free,
    .save = gcv_tree_model_save,
    .load = gcv_tree_model_load,
};

const struct gcv_estimator_ops gcv_extra_tree_regressor_ops = {
    .name = "ExtraTreeRegressor",
    .kind = GCV_ESTIMATOR_REGRESSOR,
    .params_parse = extra_tree_regressor_params_parse,
    .params_free = tree_params_free,
    .fit = tree_regressor_fit,
    .predict = tree_regressor_predict,
    .model_free = gcv_tree_model_free,
    .save = gcv_tree_model_save,
    .load = gcv_tree_model_load,
};
