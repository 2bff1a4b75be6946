/* The estimator registry: every estimator gridcv knows, by name. */
#include "../estimator.h"

#include <stdio.h>
#include <string.h>

#include "svc.h"

static const struct gcv_estimator_ops *const estimators[] = {
    &gcv_svc_ops,
};

#define N_ESTIMATORS (sizeof estimators / sizeof estimators[0])

const struct gcv_estimator_ops *gcv_estimator_find(const char *name)
{
    for (size_t i = 0; i < N_ESTIMATORS; i++)
        if (strcmp(estimators[i]->name, name) == 0)
            return estimators[i];
    return NULL;
}

void gcv_estimator_list_names(char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < N_ESTIMATORS && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i > 0 ? ", " : "",
                                 estimators[i]->name);
}
