/* ElasticNet: least squares with the L1 and L2 penalties of enet.h, fitted by
 * the coordinate descent of enet_cd.c. Predict: X coef + intercept. */
#include "enet.h"

#include <stdlib.h>

static enum gcv_status elastic_net_params_parse(const struct gcv_param_set *params, void **out,
                                                struct gcv_error *err)
{
    return gcv_enet_params_parse(false, params, out, err);
}

static void elastic_net_params_free(void *params)
{
    free(params);
}

static enum gcv_status elastic_net_fit(const void *params, const struct gcv_rows *train,
                                       void **model, struct gcv_error *err)
{
    return gcv_enet_fit("ElasticNet", params, train, (struct gcv_enet_model **)model, err);
}

static enum gcv_status elastic_net_fit_from(const void *params, const struct gcv_rows *train,
                                            const void *previous, void **model,
                                            struct gcv_error *err)
{
    return gcv_enet_fit_from("ElasticNet", params, train, previous,
                             (struct gcv_enet_model **)model, err);
}

static enum gcv_status elastic_net_predict(const void *model, const struct gcv_rows *rows,
                                           double *out, struct gcv_error *err)
{
    return gcv_enet_predict("ElasticNet", model, rows, out, err);
}

static const char *elastic_net_fit_warning(const void *model_pointer)
{
    const struct gcv_enet_model *model = model_pointer;

    return model->converged ? NULL : model->warning;
}

const struct gcv_estimator_ops gcv_elastic_net_ops = {
    .name = "ElasticNet",
    .kind = GCV_ESTIMATOR_REGRESSOR,
    .params_parse = elastic_net_params_parse,
    .params_free = elastic_net_params_free,
    .fit = elastic_net_fit,
    .predict = elastic_net_predict,
    .model_free = gcv_enet_model_free,
    .fit_warning = elastic_net_fit_warning,
    .path_param = "alpha",
    .path_increasing = false,
    .fit_from = elastic_net_fit_from,
    .save = gcv_enet_model_save,
    .load = gcv_enet_model_load,
};
