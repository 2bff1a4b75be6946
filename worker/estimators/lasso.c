/* Lasso: ElasticNet with l1_ratio 1, the L1 penalty alone, fitted by
 * the coordinate descent of enet_cd.c. Predict: X coef + intercept. */
#include "enet.h"

#include <stdlib.h>

static enum gcv_status lasso_params_parse(const struct gcv_param_set *params, void **out,
                                          struct gcv_error *err)
{
    return gcv_enet_params_parse(true, params, out, err);
}

static void lasso_params_free(void *params)
{
    free(params);
}

static enum gcv_status lasso_fit(const void *params, const struct gcv_rows *train,
                                 void **model, struct gcv_error *err)
{
    return gcv_enet_fit("Lasso", params, train, (struct gcv_enet_model **)model, err);
}

static enum gcv_status lasso_fit_from(const void *params, const struct gcv_rows *train,
                                      const void *previous, void **model,
                                      struct gcv_error *err)
{
    return gcv_enet_fit_from("Lasso", params, train, previous,
                             (struct gcv_enet_model **)model, err);
}

static enum gcv_status lasso_predict(const void *model, const struct gcv_rows *rows,
                                     double *out, struct gcv_error *err)
{
    return gcv_enet_predict("Lasso", model, rows, out, err);
}

static const char *lasso_fit_warning(const void *model_pointer)
{
    const struct gcv_enet_model *model = model_pointer;

    return model->converged ? NULL : model->warning;
}

const struct gcv_estimator_ops gcv_lasso_ops = {
    .name = "Lasso",
    .kind = GCV_ESTIMATOR_REGRESSOR,
    .params_parse = lasso_params_parse,
    .params_free = lasso_params_free,
    .fit = lasso_fit,
    .predict = lasso_predict,
    .model_free = gcv_enet_model_free,
    .fit_warning = lasso_fit_warning,
    .path_param = "alpha",
    .path_increasing = false,
    .fit_from = lasso_fit_from,
    .save = gcv_enet_model_save,
    .load = gcv_enet_model_load,
};
