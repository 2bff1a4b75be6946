#include "param_check.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../common/log.h"
#include "../../common/suggest.h"

/* The " (WHERE)" suffix of a message, or "" when the location is unknown. */
#define WHERE_FORMAT "%s%s%s"
#define WHERE_ARGS(param)                                  \
    (param)->where != NULL ? " (" : "",                    \
        (param)->where != NULL ? (param)->where : "",      \
        (param)->where != NULL ? ")" : ""

enum gcv_status gcv_param_check_reject(const struct gcv_param *param, const char *expected,
                                       struct gcv_error *err)
{
    char value[64];

    gcv_value_format_json(&param->value, value, sizeof value);
    return gcv_error_set(err, GCV_ERR_PARAM, "%s must be %s, got %s" WHERE_FORMAT, param->name,
                         expected, value, WHERE_ARGS(param));
}

enum gcv_status gcv_param_check_unsupported(const struct gcv_param *param, const char *reason,
                                            struct gcv_error *err)
{
    char value[64];

    gcv_value_format_json(&param->value, value, sizeof value);
    return gcv_error_set(err, GCV_ERR_PARAM, "%s=%s is not supported yet: %s" WHERE_FORMAT,
                         param->name, value, reason, WHERE_ARGS(param));
}

enum gcv_status gcv_param_check_unknown(const char *estimator, const struct gcv_param *param,
                                        const char *accepted, struct gcv_error *err)
{
    char closest[64], hint[100] = "";

    if (gcv_suggest_from_list(param->name, accepted, closest, sizeof closest) != NULL)
        snprintf(hint, sizeof hint, "did you mean \"%s\"? ", closest);
    return gcv_error_set(err, GCV_ERR_PARAM, "unknown %s parameter \"%s\"" WHERE_FORMAT
                         "; %saccepted: %s", estimator, param->name, WHERE_ARGS(param), hint,
                         accepted);
}

bool gcv_param_check_is_string(const struct gcv_param *param, const char *text)
{
    return param->value.kind == GCV_VALUE_STRING && strcmp(param->value.string, text) == 0;
}

enum gcv_status gcv_param_check_number(const struct gcv_param *param, double lower, bool strict,
                                       const char *expected, double *out,
                                       struct gcv_error *err)
{
    double x;

    if (!gcv_value_as_number(&param->value, &x) || !isfinite(x) || x < lower ||
        (strict && x == lower))
        return gcv_param_check_reject(param, expected, err);
    *out = x;
    return GCV_OK;
}

enum gcv_status gcv_param_check_integer(const struct gcv_param *param, long long lower,
                                        long long upper, const char *expected, long long *out,
                                        struct gcv_error *err)
{
    if (param->value.kind != GCV_VALUE_INT || param->value.integer < lower ||
        param->value.integer > upper)
        return gcv_param_check_reject(param, expected, err);
    *out = param->value.integer;
    return GCV_OK;
}

enum gcv_status gcv_param_check_bool(const char *estimator, const struct gcv_param *param,
                                     bool *out, struct gcv_error *err)
{
    if (param->value.kind == GCV_VALUE_BOOL) {
        *out = param->value.boolean;
        return GCV_OK;
    }
    if (param->value.kind == GCV_VALUE_INT) {
        gcv_log_warn("%s parameter %s=%lld: an integer for a boolean is deprecated since "
                     "scikit-learn 1.2; write true or false",
                     estimator, param->name, param->value.integer);
        *out = param->value.integer != 0;
        return GCV_OK;
    }
    return gcv_param_check_reject(param, "true or false", err);
}

enum gcv_status gcv_param_check_choice(const struct gcv_param *param,
                                       const char *const *choices, size_t n_choices,
                                       const char *expected, int *out, struct gcv_error *err)
{
    for (size_t k = 0; k < n_choices; k++) {
        if (gcv_param_check_is_string(param, choices[k])) {
            *out = (int)k;
            return GCV_OK;
        }
    }
    return gcv_param_check_reject(param, expected, err);
}

enum gcv_status gcv_param_check_ignored(const struct gcv_param *param, unsigned kinds,
                                        const char *expected, struct gcv_error *err)
{
    if ((kinds & GCV_PARAM_KIND(param->value.kind)) == 0)
        return gcv_param_check_reject(param, expected, err);
    return GCV_OK;
}

enum gcv_status gcv_param_check_all(const char *estimator, const struct gcv_param_set *params,
                                    const struct gcv_param_check_entry *table, size_t n_entries,
                                    void *out, struct gcv_error *err)
{
    for (size_t i = 0; i < params->count; i++) {
        const struct gcv_param *param = &params->items[i];
        enum gcv_status status;
        size_t k = 0;

        while (k < n_entries && strcmp(param->name, table[k].name) != 0)
            k++;
        if (k == n_entries) {
            char accepted[512];
            size_t used = 0;

            accepted[0] = '\0';
            for (size_t e = 0; e < n_entries && used < sizeof accepted; e++)
                used += (size_t)snprintf(accepted + used, sizeof accepted - used, "%s%s",
                                         e > 0 ? ", " : "", table[e].name);
            return gcv_param_check_unknown(estimator, param, accepted, err);
        }
        if ((status = table[k].parse(param, out, err)) != GCV_OK)
            return status;
    }
    return GCV_OK;
}
