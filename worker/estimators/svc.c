/* SVC: one-vs-one C-SVC on libsvm's SMO solver (smo.h), following
 * scikit-learn 1.2.1 (sklearn/svm/_base.py, _classes.py) and its copy of
 * libsvm (sklearn/svm/src/libsvm/svm.cpp: svm_train, svm_group_classes,
 * svm_predict_values).
 *
 * Fit: the classes present in the training rows are sorted by code (libsvm's
 * label order there equals scikit-learn's classes_). The rows are grouped
 * by class, keeping their order within a class. For each pair a < b, rows
 * of class a are labelled +1 and rows of class b -1, and the dual
 *     min 1/2 alpha^T Q alpha - e^T alpha,  y^T alpha = 0,
 *     0 <= alpha_i <= C * class_weight[class of i]
 * is solved with the stopping rule of smo.h (tol). A row is a support vector
 * when its alpha is non-zero in any pair.
 *
 * Warm start (fit_from, along increasing C): each pair starts from the
 * previous model's alphas of that pair, read back from its dual
 * coefficients. They stay feasible for a larger C, so the solver only
 * builds the gradient from their kernel columns. Platt scaling still runs
 * from zero.
 *
 * Predict: each pair's decision value is sum_i coef_i K(x_i, x) - rho over
 * the support vectors of its two classes. A positive value votes for a, any
 * other for b, and the class with the most votes wins, the lowest class on
 * ties.
 *
 * Cost: k (k - 1) / 2 SMO problems for k classes. Prediction costs one
 * dgemm of each block of rows against the support vectors, plus
 * O(n_rows (k - 1) n_sv) for the sums. */
#include "svc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/log.h"
#include "../../common/stats.h"
#include "param_check.h"
#include "smo.h"
#include "svc_probability.h"

/* ----- parameters -------------------------------------------------------- */

static const char accepted_names[] =
    "C, kernel, degree, gamma, coef0, shrinking, probability, tol, cache_size, class_weight, "
    "verbose, max_iter, decision_function_shape, break_ties, random_state";

/* Fails with "NAME must be EXPECTED, got VALUE (WHERE)". */
static enum gcv_status reject(const struct gcv_param *param, const char *expected,
                              struct gcv_error *err)
{
    char value[64];

    gcv_value_format_json(&param->value, value, sizeof value);
    return gcv_error_set(err, GCV_ERR_PARAM, "%s must be %s, got %s%s%s%s", param->name, expected,
                         value, param->where != NULL ? " (" : "",
                         param->where != NULL ? param->where : "",
                         param->where != NULL ? ")" : "");
}

/* Fails with "NAME=VALUE is not supported yet: REASON (WHERE)". */
static enum gcv_status reject_unsupported(const struct gcv_param *param, const char *reason,
                                          struct gcv_error *err)
{
    char value[64];

    gcv_value_format_json(&param->value, value, sizeof value);
    return gcv_error_set(err, GCV_ERR_PARAM, "%s=%s is not supported yet: %s%s%s%s", param->name,
                         value, reason, param->where != NULL ? " (" : "",
                         param->where != NULL ? param->where : "",
                         param->where != NULL ? ")" : "");
}

static bool is_string(const struct gcv_param *param, const char *text)
{
    return param->value.kind == GCV_VALUE_STRING && strcmp(param->value.string, text) == 0;
}

/* Reads a finite number, checking it against a lower limit (strict or not). */
static enum gcv_status parse_number(const struct gcv_param *param, double lower, bool strict,
                                    const char *expected, double *out, struct gcv_error *err)
{
    double x;

    if (!gcv_value_as_number(&param->value, &x) || !isfinite(x) || x < lower ||
        (strict && x == lower))
        return reject(param, expected, err);
    *out = x;
    return GCV_OK;
}

/* scikit-learn 1.2 accepts an integer for a boolean parameter with a
 * FutureWarning (rejected from 1.4); so does this function, with a warning. */
static enum gcv_status parse_bool(const struct gcv_param *param, bool *out,
                                  struct gcv_error *err)
{
    if (param->value.kind == GCV_VALUE_BOOL) {
        *out = param->value.boolean;
        return GCV_OK;
    }
    if (param->value.kind == GCV_VALUE_INT) {
        gcv_log_warn("SVC parameter %s=%lld: an integer for a boolean is deprecated since "
                     "scikit-learn 1.2; write true or false",
                     param->name, param->value.integer);
        *out = param->value.integer != 0;
        return GCV_OK;
    }
    return reject(param, "true or false", err);
}

static enum gcv_status parse_C(const struct gcv_param *param, struct gcv_svc_params *out,
                               struct gcv_error *err)
{
    return parse_number(param, 0.0, true, "a number > 0", &out->C, err);
}

static enum gcv_status parse_kernel(const struct gcv_param *param, struct gcv_svc_params *out,
                                    struct gcv_error *err)
{
    static const struct {
        const char *name;
        enum gcv_kernel_type type;
    } kernels[] = {
        {"linear", GCV_KERNEL_LINEAR},
        {"poly", GCV_KERNEL_POLY},
        {"rbf", GCV_KERNEL_RBF},
        {"sigmoid", GCV_KERNEL_SIGMOID},
    };

    for (size_t k = 0; k < sizeof kernels / sizeof kernels[0]; k++) {
        if (is_string(param, kernels[k].name)) {
            out->kernel = kernels[k].type;
            return GCV_OK;
        }
    }
    if (is_string(param, "precomputed"))
        return reject_unsupported(param,
                                  "kernels are computed from the dataset's features; use "
                                  "\"linear\", \"poly\", \"rbf\" or \"sigmoid\"",
                                  err);
    return reject(param, "one of \"linear\", \"poly\", \"rbf\", \"sigmoid\"", err);
}

static enum gcv_status parse_degree(const struct gcv_param *param, struct gcv_svc_params *out,
                                    struct gcv_error *err)
{
    /* libsvm stores the degree as an int. */
    if (param->value.kind != GCV_VALUE_INT || param->value.integer < 0 ||
        param->value.integer > 2147483647)
        return reject(param, "an integer >= 0", err);
    out->degree = (int)param->value.integer;
    return GCV_OK;
}

static enum gcv_status parse_gamma(const struct gcv_param *param, struct gcv_svc_params *out,
                                   struct gcv_error *err)
{
    static const char expected[] = "\"scale\", \"auto\" or a number >= 0";

    if (is_string(param, "scale")) {
        out->gamma = GCV_SVC_GAMMA_SCALE;
        return GCV_OK;
    }
    if (is_string(param, "auto")) {
        out->gamma = GCV_SVC_GAMMA_AUTO;
        return GCV_OK;
    }
    out->gamma = GCV_SVC_GAMMA_VALUE;
    return parse_number(param, 0.0, false, expected, &out->gamma_value, err);
}

static enum gcv_status parse_coef0(const struct gcv_param *param, struct gcv_svc_params *out,
                                   struct gcv_error *err)
{
    return parse_number(param, -INFINITY, false, "a finite number", &out->coef0, err);
}

static enum gcv_status parse_shrinking(const struct gcv_param *param,
                                       struct gcv_svc_params *out, struct gcv_error *err)
{
    return parse_bool(param, &out->shrinking, err);
}

static enum gcv_status parse_probability(const struct gcv_param *param,
                                         struct gcv_svc_params *out, struct gcv_error *err)
{
    return parse_bool(param, &out->probability, err);
}

static enum gcv_status parse_tol(const struct gcv_param *param, struct gcv_svc_params *out,
                                 struct gcv_error *err)
{
    return parse_number(param, 0.0, true, "a number > 0", &out->tol, err);
}

static enum gcv_status parse_cache_size(const struct gcv_param *param,
                                        struct gcv_svc_params *out, struct gcv_error *err)
{
    return parse_number(param, 0.0, true, "a number of megabytes > 0", &out->cache_size, err);
}

static enum gcv_status parse_class_weight(const struct gcv_param *param,
                                          struct gcv_svc_params *out, struct gcv_error *err)
{
    if (param->value.kind == GCV_VALUE_NULL) {
        out->class_weight_balanced = false;
        return GCV_OK;
    }
    if (is_string(param, "balanced")) {
        out->class_weight_balanced = true;
        return GCV_OK;
    }
    return reject(param, "null or \"balanced\"", err);
}

static enum gcv_status parse_verbose(const struct gcv_param *param, struct gcv_svc_params *out,
                                     struct gcv_error *err)
{
    /* Accepted for compatibility; libsvm's progress output is not printed. */
    (void)out;
    if (param->value.kind == GCV_VALUE_BOOL ||
        (param->value.kind == GCV_VALUE_INT && param->value.integer >= 0))
        return GCV_OK;
    return reject(param, "an integer >= 0 or a boolean", err);
}

static enum gcv_status parse_max_iter(const struct gcv_param *param,
                                      struct gcv_svc_params *out, struct gcv_error *err)
{
    if (param->value.kind != GCV_VALUE_INT || param->value.integer < -1)
        return reject(param, "an integer >= -1 (-1 for no limit)", err);
    out->max_iter = param->value.integer;
    return GCV_OK;
}

static enum gcv_status parse_decision_function_shape(const struct gcv_param *param,
                                                     struct gcv_svc_params *out,
                                                     struct gcv_error *err)
{
    /* Only decision_function reads it, and predict does not. */
    (void)out;
    if (is_string(param, "ovr") || is_string(param, "ovo"))
        return GCV_OK;
    return reject(param, "\"ovr\" or \"ovo\"", err);
}

static enum gcv_status parse_break_ties(const struct gcv_param *param,
                                        struct gcv_svc_params *out, struct gcv_error *err)
{
    bool break_ties = false;
    enum gcv_status status = parse_bool(param, &break_ties, err);

    (void)out;
    if (status != GCV_OK)
        return status;
    if (break_ties)
        return reject_unsupported(param,
                                  "predictions use the one-vs-one vote, ties going to the "
                                  "lowest class; use false",
                                  err);
    return GCV_OK;
}

static enum gcv_status parse_random_state(const struct gcv_param *param,
                                          struct gcv_svc_params *out, struct gcv_error *err)
{
    /* Only probability estimates draw random numbers. scikit-learn draws
     * from numpy's global generator for null; gridcv reads null as 0 so
     * that every run gives the same probabilities. */
    if (param->value.kind == GCV_VALUE_NULL) {
        out->random_state = 0;
        return GCV_OK;
    }
    if (param->value.kind == GCV_VALUE_INT && param->value.integer >= 0 &&
        param->value.integer <= 4294967295LL) {
        out->random_state = (uint32_t)param->value.integer;
        return GCV_OK;
    }
    return reject(param, "null or an integer in [0, 4294967295]", err);
}

static const struct {
    const char *name;
    enum gcv_status (*parse)(const struct gcv_param *param, struct gcv_svc_params *out,
                             struct gcv_error *err);
} param_parsers[] = {
    {"C", parse_C},
    {"kernel", parse_kernel},
    {"degree", parse_degree},
    {"gamma", parse_gamma},
    {"coef0", parse_coef0},
    {"shrinking", parse_shrinking},
    {"probability", parse_probability},
    {"tol", parse_tol},
    {"cache_size", parse_cache_size},
    {"class_weight", parse_class_weight},
    {"verbose", parse_verbose},
    {"max_iter", parse_max_iter},
    {"decision_function_shape", parse_decision_function_shape},
    {"break_ties", parse_break_ties},
    {"random_state", parse_random_state},
};

static enum gcv_status svc_params_parse(const struct gcv_param_set *params, void **out,
                                        struct gcv_error *err)
{
    struct gcv_svc_params *parsed = malloc(sizeof *parsed);

    *out = NULL;
    if (parsed == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for SVC parameters");

    /* scikit-learn 1.2.1's defaults. */
    *parsed = (struct gcv_svc_params){
        .C = 1.0,
        .kernel = GCV_KERNEL_RBF,
        .gamma = GCV_SVC_GAMMA_SCALE,
        .gamma_value = 0.0,
        .degree = 3,
        .coef0 = 0.0,
        .shrinking = true,
        .tol = 1e-3,
        .cache_size = 200.0,
        .class_weight_balanced = false,
        .max_iter = -1,
    };

    for (size_t i = 0; i < params->count; i++) {
        const struct gcv_param *param = &params->items[i];
        size_t k = 0;
        const size_t n_parsers = sizeof param_parsers / sizeof param_parsers[0];

        while (k < n_parsers && strcmp(param->name, param_parsers[k].name) != 0)
            k++;
        if (k == n_parsers) {
            gcv_param_check_unknown("SVC", param, accepted_names, err);
            free(parsed);
            return GCV_ERR_PARAM;
        }
        enum gcv_status status = param_parsers[k].parse(param, parsed, err);
        if (status != GCV_OK) {
            free(parsed);
            return status;
        }
    }

    *out = parsed;
    return GCV_OK;
}

static void svc_params_free(void *params)
{
    free(params);
}

/* ----- model ------------------------------------------------------------- */

size_t gcv_svc_n_pairs(const struct gcv_svc_model *model)
{
    return model->n_classes * (model->n_classes - 1) / 2;
}

static void svc_model_free(void *model_pointer)
{
    struct gcv_svc_model *model = model_pointer;

    if (model == NULL)
        return;
    free(model->classes);
    free(model->n_support);
    free(model->support);
    free(model->support_vectors);
    free(model->sv_norms);
    free(model->dual_coef);
    free(model->rho);
    free(model->n_iter);
    free(model->prob_a);
    free(model->prob_b);
    free(model);
}

/* ----- fit --------------------------------------------------------------- */

/* The training rows grouped by class, as libsvm's svm_group_classes does. */
struct class_groups {
    size_t n_classes;   /* classes present */
    int32_t *classes;   /* [n_classes] dataset codes, ascending */
    size_t *count;      /* [n_classes] rows of each class */
    size_t *start;      /* [n_classes] first grouped position of each class */
    size_t *perm;       /* [n_rows] training position of each grouped position */
};

static void class_groups_free(struct class_groups *groups)
{
    free(groups->classes);
    free(groups->count);
    free(groups->start);
    free(groups->perm);
}

static enum gcv_status group_classes(const struct gcv_rows *train, struct class_groups *groups,
                                     struct gcv_error *err)
{
    const size_t n = train->n_rows;
    const size_t n_codes = train->n_classes;
    size_t *code_count = NULL;   /* [n_codes] */
    size_t *code_group = NULL;   /* [n_codes] group of each present code */
    size_t *fill = NULL;         /* [n_classes] next free grouped position */
    enum gcv_status status = GCV_OK;

    memset(groups, 0, sizeof *groups);
    if (train->y_class == NULL)
        return gcv_error_set(err, GCV_ERR_DATA, "SVC needs class labels, and the rows have none");

    code_count = calloc(n_codes > 0 ? n_codes : 1, sizeof *code_count);
    code_group = calloc(n_codes > 0 ? n_codes : 1, sizeof *code_group);
    groups->perm = malloc((n > 0 ? n : 1) * sizeof *groups->perm);
    if (code_count == NULL || code_group == NULL || groups->perm == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory grouping %zu rows by class", n);
        goto cleanup;
    }

    /* Count the rows of each class code. */
    for (size_t r = 0; r < n; r++) {
        const int32_t code = train->y_class[train->index[r]];
        if (code < 0 || (size_t)code >= n_codes) {
            status = gcv_error_set(err, GCV_ERR_DATA,
                                   "class code %d of row %zu is outside [0, %zu)", (int)code,
                                   train->index[r], n_codes);
            goto cleanup;
        }
        code_count[code]++;
    }
    for (size_t c = 0; c < n_codes; c++)
        if (code_count[c] > 0)
            groups->n_classes++;
    if (groups->n_classes < 2) {
        status = gcv_error_set(err, GCV_ERR_FIT,
                               "The number of classes has to be greater than one; got %zu class",
                               groups->n_classes);
        goto cleanup;
    }

    /* Present classes in ascending code order, then the grouped order. */
    groups->classes = malloc(groups->n_classes * sizeof *groups->classes);
    groups->count = malloc(groups->n_classes * sizeof *groups->count);
    groups->start = malloc(groups->n_classes * sizeof *groups->start);
    fill = malloc(groups->n_classes * sizeof *fill);
    if (groups->classes == NULL || groups->count == NULL || groups->start == NULL ||
        fill == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory grouping %zu rows by class", n);
        goto cleanup;
    }
    for (size_t c = 0, g = 0; c < n_codes; c++) {
        if (code_count[c] == 0)
            continue;
        groups->classes[g] = (int32_t)c;
        groups->count[g] = code_count[c];
        groups->start[g] = g == 0 ? 0 : groups->start[g - 1] + groups->count[g - 1];
        fill[g] = groups->start[g];
        code_group[c] = g;
        g++;
    }
    for (size_t r = 0; r < n; r++) {
        const size_t g = code_group[train->y_class[train->index[r]]];
        groups->perm[fill[g]++] = r;
    }

cleanup:
    free(code_count);
    free(code_group);
    free(fill);
    if (status != GCV_OK)
        class_groups_free(groups);
    return status;
}

/* gamma "scale": 1 / (n_features * X.var()) with numpy's var over all
 * elements (pairwise sums, mean first), or 1 when the variance is 0. */
static enum gcv_status scale_gamma(const double *X, size_t n, size_t d, double *gamma,
                                   struct gcv_error *err)
{
    const size_t total = n * d;
    double *squares = malloc((total > 0 ? total : 1) * sizeof *squares);
    double mean, variance;

    if (squares == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory computing the variance of %zu values",
                             total);
    mean = gcv_stats_sum(X, total, 1) / (double)total;
    for (size_t k = 0; k < total; k++) {
        const double centered = X[k] - mean;
        squares[k] = centered * centered;
    }
    variance = gcv_stats_sum(squares, total, 1) / (double)total;
    free(squares);

    *gamma = variance != 0 ? 1.0 / ((double)d * variance) : 1.0;
    return GCV_OK;
}

/* Solves the binary problem of classes a < b and writes y_i alpha_i of its
 * rows (class a first) into coef[count[a] + count[b]], starting from the
 * feasible alphas start[count[a] + count[b]], or from zero when start is
 * NULL. Kernel values come
 * from fold->kernel when the fold cache has the RBF kernel matrix, else
 * from X. */
static enum gcv_status train_pair(const struct gcv_svc_params *params,
                                  const struct gcv_kernel *kernel, const double *X, size_t d,
                                  const struct gcv_fold_rbf *fold,
                                  const struct class_groups *groups, size_t a, size_t b,
                                  const double *weighted_C, const double *start,
                                  double deadline, double *coef,
                                  struct gcv_smo_solution *solution, struct gcv_error *err)
{
    const size_t count_a = groups->count[a];
    const size_t l = count_a + groups->count[b];
    size_t *rows = malloc(l * sizeof *rows);
    signed char *y = malloc(l * sizeof *y);
    double *C = malloc(l * sizeof *C);
    double *p = malloc(l * sizeof *p);
    struct gcv_smo_kernel_q q = {0};
    double cache_bytes = params->cache_size * (double)(1 << 20);
    enum gcv_status status = GCV_OK;

    if (rows == NULL || y == NULL || C == NULL || p == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for a binary SVC problem of %zu rows",
                               l);
        goto cleanup;
    }

    /* Class a is +1, class b is -1; every sample weight is 1, so
     * C_i = 1.0 * C * class_weight as in libsvm. */
    for (size_t k = 0; k < l; k++) {
        const bool first = k < count_a;
        const size_t grouped = first ? groups->start[a] + k : groups->start[b] + (k - count_a);
        rows[k] = groups->perm[grouped];
        y[k] = first ? +1 : -1;
        C[k] = 1.0 * weighted_C[first ? a : b];
        p[k] = -1;
        coef[k] = start != NULL ? start[k] : 0;
    }

    if (cache_bytes > (double)(SIZE_MAX / 2))
        cache_bytes = (double)(SIZE_MAX / 2);
    if (fold->kernel != NULL)
        status = gcv_smo_kernel_q_init_fold(&q, kernel, fold, rows, l, y, (size_t)cache_bytes,
                                            err);
    else
        status = gcv_smo_kernel_q_init(&q, kernel, X, d, rows, l, y, (size_t)cache_bytes, err);
    if (status != GCV_OK)
        goto cleanup;

    struct gcv_smo_problem problem = {
        .l = l,
        .Q = &q.matrix,
        .p = p,
        .y = y,
        .C = C,
        .eps = params->tol,
        .shrinking = params->shrinking,
        .max_iter = params->max_iter,
        .deadline = deadline,
    };
    status = gcv_smo_solve(&problem, coef, solution, err);
    if (status != GCV_OK)
        goto cleanup;
    for (size_t k = 0; k < l; k++)
        coef[k] *= y[k];

cleanup:
    gcv_smo_kernel_q_free(&q);
    free(rows);
    free(y);
    free(C);
    free(p);
    return status;
}

/* Writes into start[count[a] + count[b]] the alphas of pair (a, b) in
 * previous, a model fitted on the same rows with the same classes, read
 * back from its dual coefficients in libsvm's layout: row b - 1 contains
 * y alpha = alpha of class a's vectors, row a contains -alpha of class b's.
 * rank[r] is training row r's position within its class. Returns false,
 * leaving start undefined, when previous does not match the pair or an
 * alpha lies outside [0, C] of the new fit, so that the fit starts from
 * zero instead. The start satisfies y^T alpha = 0 as the previous
 * solution did. */
static bool start_pair(const struct gcv_svc_model *previous, const struct class_groups *groups,
                       const size_t *rank, size_t a, size_t b, const double *weighted_C,
                       double *start)
{
    const size_t count_a = groups->count[a];
    const size_t l = count_a + groups->count[b];
    const size_t n = groups->start[groups->n_classes - 1] + groups->count[groups->n_classes - 1];
    size_t first = 0; /* first support vector of the class being read */

    for (size_t k = 0; k < l; k++)
        start[k] = 0;
    for (size_t c = 0; c < previous->n_classes; c++) {
        const bool in_a = c == a, in_b = c == b;

        if (in_a || in_b) {
            const double *row = previous->dual_coef + (in_a ? b - 1 : a) * previous->n_sv;
            for (size_t s = first; s < first + previous->n_support[c]; s++) {
                const size_t r = previous->support[s];
                const double alpha = in_a ? row[s] : -row[s];
                size_t k;

                if (r >= n || rank[r] >= groups->count[c])
                    return false;
                k = in_a ? rank[r] : count_a + rank[r];
                if (groups->perm[groups->start[c] + rank[r]] != r || alpha < 0 ||
                    alpha > weighted_C[c])
                    return false;
                start[k] = alpha;
            }
        }
        first += previous->n_support[c];
    }
    return true;
}

/* Fills model's support vectors and dual coefficients, in libsvm's layout,
 * from the coefficients of every pair. pair_coef[p] contains the rows of the
 * pair's two classes, first class first. */
static enum gcv_status collect_support_vectors(struct gcv_svc_model *model,
                                               const struct class_groups *groups,
                                               const double *X, double *const *pair_coef,
                                               struct gcv_error *err)
{
    const size_t k = groups->n_classes;
    const size_t d = model->n_features;
    const size_t n = groups->start[k - 1] + groups->count[k - 1];
    bool *nonzero = calloc(n > 0 ? n : 1, sizeof *nonzero); /* [n] by grouped position */
    size_t *sv_start = malloc(k * sizeof *sv_start);         /* [k] first SV of each class */
    enum gcv_status status = GCV_OK;
    size_t pair, sv;

    if (nonzero == NULL || sv_start == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory collecting support vectors");
        goto cleanup;
    }

    /* A row is a support vector when any pair gives it a non-zero alpha. */
    pair = 0;
    for (size_t a = 0; a < k; a++) {
        for (size_t b = a + 1; b < k; b++, pair++) {
            for (size_t r = 0; r < groups->count[a]; r++)
                if (fabs(pair_coef[pair][r]) > 0)
                    nonzero[groups->start[a] + r] = true;
            for (size_t r = 0; r < groups->count[b]; r++)
                if (fabs(pair_coef[pair][groups->count[a] + r]) > 0)
                    nonzero[groups->start[b] + r] = true;
        }
    }
    model->n_sv = 0;
    for (size_t c = 0; c < k; c++) {
        model->n_support[c] = 0;
        for (size_t r = 0; r < groups->count[c]; r++)
            if (nonzero[groups->start[c] + r])
                model->n_support[c]++;
        sv_start[c] = model->n_sv;
        model->n_sv += model->n_support[c];
    }

    /* Support vectors in grouped order, with their training positions. */
    model->support = malloc((model->n_sv > 0 ? model->n_sv : 1) * sizeof *model->support);
    model->support_vectors =
        malloc((model->n_sv * d > 0 ? model->n_sv * d : 1) * sizeof *model->support_vectors);
    model->sv_norms = malloc((model->n_sv > 0 ? model->n_sv : 1) * sizeof *model->sv_norms);
    model->dual_coef =
        calloc((k - 1) * model->n_sv > 0 ? (k - 1) * model->n_sv : 1, sizeof *model->dual_coef);
    if (model->support == NULL || model->support_vectors == NULL || model->sv_norms == NULL ||
        model->dual_coef == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu support vectors",
                               model->n_sv);
        goto cleanup;
    }
    sv = 0;
    for (size_t g = 0; g < n; g++) {
        if (!nonzero[g])
            continue;
        model->support[sv] = groups->perm[g];
        memcpy(model->support_vectors + sv * d, X + groups->perm[g] * d, d * sizeof *X);
        sv++;
    }
    gcv_kernel_row_norms(model->support_vectors, model->n_sv, d, model->sv_norms);

    /* Pair (a, b): coefficients of class a's vectors go to row b - 1, those
     * of class b's vectors to row a. */
    pair = 0;
    for (size_t a = 0; a < k; a++) {
        for (size_t b = a + 1; b < k; b++, pair++) {
            double *row_a = model->dual_coef + (b - 1) * model->n_sv + sv_start[a];
            double *row_b = model->dual_coef + a * model->n_sv + sv_start[b];
            for (size_t r = 0, q = 0; r < groups->count[a]; r++)
                if (nonzero[groups->start[a] + r])
                    row_a[q++] = pair_coef[pair][r];
            for (size_t r = 0, q = 0; r < groups->count[b]; r++)
                if (nonzero[groups->start[b] + r])
                    row_b[q++] = pair_coef[pair][groups->count[a] + r];
        }
    }

cleanup:
    free(nonzero);
    free(sv_start);
    return status;
}

/* Fills model->prob_a and model->prob_b with the Platt parameters of every
 * pair, as libsvm's svm_train does with probability=1: its generator is
 * seeded once with scikit-learn's random_seed, drawn from random_state,
 * and the pairs are shuffled in turn. X[n * n_features] are the training
 * rows. */
static enum gcv_status fit_probability(const struct gcv_svc_params *params,
                                       struct gcv_svc_model *model, const double *X,
                                       const struct gcv_fold_rbf *fold,
                                       const struct class_groups *groups,
                                       double *weighted_C, double deadline,
                                       struct gcv_error *err)
{
    const size_t k = groups->n_classes;
    const size_t d = model->n_features;
    const size_t n = groups->start[k - 1] + groups->count[k - 1];
    double cache_bytes = params->cache_size * (double)(1 << 20);
    double *norms = malloc(n * sizeof *norms);   /* [n] squared norms of the rows of X */
    size_t *rows = malloc(n * sizeof *rows);     /* [count_a + count_b] the pair's rows */
    struct gcv_svc_rng rng;
    enum gcv_status status = GCV_OK;

    model->prob_a = malloc(gcv_svc_n_pairs(model) * sizeof *model->prob_a);
    model->prob_b = malloc(gcv_svc_n_pairs(model) * sizeof *model->prob_b);
    if (norms == NULL || rows == NULL || model->prob_a == NULL || model->prob_b == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM,
                               "out of memory for the probability estimates of %zu rows", n);
        goto cleanup;
    }
    if (cache_bytes > (double)(SIZE_MAX / 2))
        cache_bytes = (double)(SIZE_MAX / 2);
    gcv_kernel_row_norms(X, n, d, norms);
    gcv_svc_rng_seed(&rng, gcv_svc_rng_libsvm_seed(params->random_state));

    for (size_t a = 0, pair = 0; a < k; a++) {
        for (size_t b = a + 1; b < k; b++, pair++) {
            const size_t count_a = groups->count[a];
            const size_t l = count_a + groups->count[b];

            for (size_t r = 0; r < l; r++)
                rows[r] = r < count_a ? groups->perm[groups->start[a] + r]
                                      : groups->perm[groups->start[b] + (r - count_a)];
            const struct gcv_svc_probability_problem problem = {
                .kernel = &model->kernel,
                .X = X,
                .norms = norms,
                .n_features = d,
                .fold = fold,
                .rows = rows,
                .l = l,
                .count_first = count_a,
                .C_first = weighted_C[a],
                .C_second = weighted_C[b],
                .tol = params->tol,
                .shrinking = params->shrinking,
                .max_iter = params->max_iter,
                .cache_bytes = (size_t)cache_bytes,
                .deadline = deadline,
            };
            status = gcv_svc_probability_fit_pair(&problem, &rng, &model->prob_a[pair],
                                                  &model->prob_b[pair], err);
            if (status != GCV_OK)
                goto cleanup;
        }
    }

cleanup:
    free(norms);
    free(rows);
    return status;
}

/* Fits from alpha = 0, or, when previous is not NULL (a fit with a smaller
 * C on the same rows), each pair from previous's alphas (start_pair). */
static enum gcv_status fit_path(const struct gcv_svc_params *params,
                                const struct gcv_rows *train,
                                const struct gcv_svc_model *previous, void **model_out,
                                struct gcv_error *err)
{
    const size_t n = train->n_rows;
    const size_t d = train->n_features;
    struct class_groups groups = {0};
    struct gcv_svc_model *model = NULL;
    double *X = NULL;            /* [n * d] training rows, row-major */
    double *weighted_C = NULL;   /* [k] C times the class weight */
    double **pair_coef = NULL;   /* [n_pairs] y alpha of each binary problem */
    size_t *rank = NULL;         /* [n] position of each training row within its class,
                                    with previous only */
    double *start = NULL;        /* [n] starting alphas of one pair, with previous only */
    struct gcv_fold_rbf fold = {0}; /* borrowed from the fold cache until the fit ends */
    size_t k, n_pairs = 0;
    enum gcv_status status;

    *model_out = NULL;

    /* Classes, and the rows grouped by class. */
    status = group_classes(train, &groups, err);
    if (status != GCV_OK)
        return status;
    k = groups.n_classes;
    n_pairs = k * (k - 1) / 2;
    if (d == 0) {
        status = gcv_error_set(err, GCV_ERR_DATA, "SVC needs at least one feature, got 0");
        goto cleanup;
    }

    X = malloc(n * d * sizeof *X);
    weighted_C = malloc(k * sizeof *weighted_C);
    pair_coef = calloc(n_pairs, sizeof *pair_coef);
    model = calloc(1, sizeof *model);
    if (X == NULL || weighted_C == NULL || pair_coef == NULL || model == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting SVC on %zu rows", n);
        goto cleanup;
    }
    gcv_kernel_gather_rows(train, X);

    model->n_features = d;
    model->n_classes = k;
    model->converged = true;
    model->classes = malloc(k * sizeof *model->classes);
    model->n_support = malloc(k * sizeof *model->n_support);
    model->rho = malloc(n_pairs * sizeof *model->rho);
    model->n_iter = malloc(n_pairs * sizeof *model->n_iter);
    if (model->classes == NULL || model->n_support == NULL || model->rho == NULL ||
        model->n_iter == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting SVC on %zu rows", n);
        goto cleanup;
    }
    memcpy(model->classes, groups.classes, k * sizeof *model->classes);

    /* Kernel, with gamma resolved on the training rows. */
    model->kernel = (struct gcv_kernel){
        .type = params->kernel,
        .gamma = params->gamma_value,
        .coef0 = params->coef0,
        .degree = params->degree,
    };
    if (params->gamma == GCV_SVC_GAMMA_SCALE) {
        status = scale_gamma(X, n, d, &model->kernel.gamma, err);
        if (status != GCV_OK)
            goto cleanup;
    } else if (params->gamma == GCV_SVC_GAMMA_AUTO) {
        model->kernel.gamma = 1.0 / (double)d;
    }

    /* The fold's RBF kernel matrix, shared with the other candidates of the
     * same gamma on this fold. No other fold cache call follows during the
     * fit, so its matrices stay cached until the end. Predictions find the
     * training rows through fold_rows_id. */
    if (model->kernel.type == GCV_KERNEL_RBF) {
        gcv_fold_cache_rbf(train->X, train->index, n, d, model->kernel.gamma, &fold);
        model->fold_rows_id = fold.rows_id;
    } else {
        struct gcv_fold_rows rows;
        gcv_fold_cache_rows(train->X, train->index, n, d, &rows);
        model->fold_rows_id = rows.id;
    }

    /* C per class: "balanced" weighs class c by n / (k * count_c), counted on
     * the training rows, as scikit-learn's compute_class_weight. */
    for (size_t c = 0; c < k; c++) {
        weighted_C[c] = params->C;
        if (params->class_weight_balanced)
            weighted_C[c] *= (double)n / ((double)k * (double)groups.count[c]);
    }

    /* Platt scaling first: libsvm fits each pair's probability model just
     * before the pair, and the pair fits draw no random numbers. */
    if (params->probability) {
        status = fit_probability(params, model, X, &fold, &groups, weighted_C, train->deadline,
                                 err);
        if (status != GCV_OK)
            goto cleanup;
    }

    /* A previous model of the same classes gives each pair its start. */
    if (previous != NULL && previous->n_classes == k &&
        memcmp(previous->classes, groups.classes, k * sizeof *groups.classes) == 0) {
        rank = malloc((n > 0 ? n : 1) * sizeof *rank);
        start = malloc((n > 0 ? n : 1) * sizeof *start);
        if (rank == NULL || start == NULL) {
            status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting SVC on %zu rows",
                                   n);
            goto cleanup;
        }
        for (size_t c = 0; c < k; c++)
            for (size_t r = 0; r < groups.count[c]; r++)
                rank[groups.perm[groups.start[c] + r]] = r;
    }

    /* One binary problem per pair of classes. */
    for (size_t a = 0, pair = 0; a < k; a++) {
        for (size_t b = a + 1; b < k; b++, pair++) {
            struct gcv_smo_solution solution;

            pair_coef[pair] = malloc((groups.count[a] + groups.count[b]) * sizeof **pair_coef);
            if (pair_coef[pair] == NULL) {
                status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting SVC on %zu rows",
                                       n);
                goto cleanup;
            }
            const bool warm = rank != NULL &&
                              start_pair(previous, &groups, rank, a, b, weighted_C, start);

            status = train_pair(params, &model->kernel, X, d, &fold, &groups, a, b, weighted_C,
                                warm ? start : NULL, train->deadline, pair_coef[pair],
                                &solution, err);
            if (status != GCV_OK)
                goto cleanup;
            model->rho[pair] = solution.rho;
            model->n_iter[pair] = solution.n_iter;
            if (!solution.converged)
                model->converged = false;
        }
    }
    if (!model->converged)
        gcv_log_warn("SVC: the solver stopped at max_iter=%lld before converging; "
                     "consider scaling the features",
                     params->max_iter);

    status = collect_support_vectors(model, &groups, X, pair_coef, err);

cleanup:
    if (pair_coef != NULL)
        for (size_t pair = 0; pair < n_pairs; pair++)
            free(pair_coef[pair]);
    free(pair_coef);
    free(rank);
    free(start);
    free(weighted_C);
    free(X);
    class_groups_free(&groups);
    if (status != GCV_OK) {
        svc_model_free(model);
        return status;
    }
    *model_out = model;
    return GCV_OK;
}

static enum gcv_status svc_fit(const void *params, const struct gcv_rows *train,
                               void **model_out, struct gcv_error *err)
{
    return fit_path(params, train, NULL, model_out, err);
}

static enum gcv_status svc_fit_from(const void *params, const struct gcv_rows *train,
                                    const void *previous, void **model_out,
                                    struct gcv_error *err)
{
    return fit_path(params, train, previous, model_out, err);
}

/* ----- predict ----------------------------------------------------------- */

/* Kernel values per block of rows are at most this many doubles (32 MiB). */
#define KERNEL_BLOCK_VALUES ((size_t)1 << 22)

/* Computes libsvm's decision values of rows (positive votes for the first
 * class of the pair) into decision[n_rows * n_pairs] when it is not NULL,
 * and the voted class codes into predicted[n_rows] when it is not NULL. */
static enum gcv_status svc_evaluate(const struct gcv_svc_model *model, const struct gcv_rows *rows,
                                    double *decision, double *predicted, struct gcv_error *err)
{
    const size_t d = model->n_features;
    const size_t k = model->n_classes;
    const size_t n_sv = model->n_sv;
    const size_t n_pairs = gcv_svc_n_pairs(model);
    size_t block = n_sv > 0 ? KERNEL_BLOCK_VALUES / n_sv : rows->n_rows;
    double *X_block = NULL;   /* [block * d] */
    double *norms = NULL;     /* [block] */
    double *K = NULL;         /* [block * n_sv], row-major */
    size_t *sv_start = NULL;  /* [k] */
    double *pair_values = NULL; /* [n_pairs] */
    int *votes = NULL;        /* [k] */
    struct gcv_fold_cross cross = {0}; /* the rows' dot products with the training rows,
                                          borrowed from the fold cache */
    enum gcv_status status = GCV_OK;

    if (rows->n_features != d)
        return gcv_error_set(err, GCV_ERR_DATA,
                             "SVC was fitted on %zu features, the rows have %zu", d,
                             rows->n_features);
    if (block == 0)
        block = 1;
    if (block > 256)
        block = 256;

    X_block = malloc(block * d * sizeof *X_block);
    norms = malloc(block * sizeof *norms);
    K = malloc((block * n_sv > 0 ? block * n_sv : 1) * sizeof *K);
    sv_start = malloc(k * sizeof *sv_start);
    pair_values = malloc(n_pairs * sizeof *pair_values);
    votes = malloc(k * sizeof *votes);
    if (X_block == NULL || norms == NULL || K == NULL || sv_start == NULL ||
        pair_values == NULL || votes == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory predicting %zu rows with SVC",
                               rows->n_rows);
        goto cleanup;
    }
    for (size_t c = 0, total = 0; c < k; c++) {
        sv_start[c] = total;
        total += model->n_support[c];
    }

    /* Every candidate of a fold predicts the same test rows, so their dot
     * products with all of the fold's training rows are computed once. */
    if (model->fold_rows_id != 0 && n_sv > 0)
        gcv_fold_cache_cross(rows->X, rows->index, rows->n_rows, d, model->fold_rows_id,
                             &cross);

    for (size_t first = 0; first < rows->n_rows; first += block) {
        const size_t count = rows->n_rows - first < block ? rows->n_rows - first : block;

        /* Kernel values of the block against every support vector.
         * NOTE: libsvm's prediction takes the RBF distance from x - sv, not
         * from the norms used here, so decision values can differ from
         * scikit-learn's in the last digits; the fixture tests allow 1e-6
         * relative. */
        gcv_kernel_support_block(&model->kernel, rows, first, count, &cross, model->support,
                                 model->support_vectors, model->sv_norms, n_sv, X_block, norms,
                                 K);

        /* Each pair's sum over its two classes' vectors, then the vote. */
        for (size_t r = 0; r < count; r++) {
            const double *kvalue = K + r * n_sv;
            size_t pair = 0, winner = 0;

            memset(votes, 0, k * sizeof *votes);
            for (size_t a = 0; a < k; a++) {
                for (size_t b = a + 1; b < k; b++, pair++) {
                    const double *coef_a = model->dual_coef + (b - 1) * n_sv;
                    const double *coef_b = model->dual_coef + a * n_sv;
                    double sum = 0;

                    for (size_t s = sv_start[a]; s < sv_start[a] + model->n_support[a]; s++)
                        sum += coef_a[s] * kvalue[s];
                    for (size_t s = sv_start[b]; s < sv_start[b] + model->n_support[b]; s++)
                        sum += coef_b[s] * kvalue[s];
                    sum -= model->rho[pair];
                    pair_values[pair] = sum;
                    if (sum > 0)
                        votes[a]++;
                    else
                        votes[b]++;
                }
            }
            for (size_t c = 1; c < k; c++)
                if (votes[c] > votes[winner])
                    winner = c;

            if (decision != NULL)
                memcpy(decision + (first + r) * n_pairs, pair_values,
                       n_pairs * sizeof *pair_values);
            if (predicted != NULL)
                predicted[first + r] = (double)model->classes[winner];
        }
    }

cleanup:
    free(X_block);
    free(norms);
    free(K);
    free(sv_start);
    free(pair_values);
    free(votes);
    return status;
}

static enum gcv_status svc_predict(const void *model, const struct gcv_rows *rows, double *out,
                                   struct gcv_error *err)
{
    return svc_evaluate(model, rows, NULL, out, err);
}

enum gcv_status gcv_svc_decision_function(const struct gcv_svc_model *model,
                                          const struct gcv_rows *rows, double *out,
                                          struct gcv_error *err)
{
    enum gcv_status status = svc_evaluate(model, rows, out, NULL, err);

    if (status == GCV_OK && model->n_classes == 2)
        for (size_t r = 0; r < rows->n_rows; r++)
            out[r] = -out[r];
    return status;
}

/* gcv_estimator_ops.decision_function: the fitted classes, and the
 * decision values of a model fitted on two classes. */
static enum gcv_status svc_decision_function(const void *model_pointer,
                                             const struct gcv_rows *rows, double *out,
                                             int32_t *classes, size_t *n_classes,
                                             struct gcv_error *err)
{
    const struct gcv_svc_model *model = model_pointer;

    for (size_t k = 0; k < model->n_classes; k++)
        classes[k] = model->classes[k];
    *n_classes = model->n_classes;
    if (model->n_classes != 2)
        return GCV_OK;
    return gcv_svc_decision_function(model, rows, out, err);
}

/* gcv_estimator_ops.predict_proba: libsvm's svm_predict_probability. Each
 * pair's decision value goes through its sigmoid, clipped to
 * [1e-7, 1 - 1e-7], and the pairwise probabilities are coupled, for two
 * classes too, as scikit-learn's fork does. */
static enum gcv_status svc_predict_proba(const void *model_pointer, const struct gcv_rows *rows,
                                         double *out, int32_t *classes, size_t *n_classes,
                                         struct gcv_error *err)
{
    const struct gcv_svc_model *model = model_pointer;
    const size_t k = model->n_classes;
    const size_t n_pairs = gcv_svc_n_pairs(model);
    const double min_prob = 1e-7;
    double *decision = NULL; /* [n_rows * n_pairs] libsvm's signs */
    double *pairwise = NULL; /* [k * k] */
    double *work = NULL;     /* [k * k + k] */
    enum gcv_status status;

    if (model->prob_a == NULL || model->prob_b == NULL)
        return gcv_error_set(err, GCV_ERR_FIT, "predict_proba is not available when SVC is "
                             "fitted with probability=false; set probability: true");
    for (size_t c = 0; c < k; c++)
        classes[c] = model->classes[c];
    *n_classes = k;

    decision = malloc((rows->n_rows * n_pairs + 1) * sizeof *decision);
    pairwise = malloc(k * k * sizeof *pairwise);
    work = malloc((k * k + k) * sizeof *work);
    if (decision == NULL || pairwise == NULL || work == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory predicting probabilities of "
                               "%zu rows with SVC", rows->n_rows);
        goto cleanup;
    }
    if ((status = svc_evaluate(model, rows, decision, NULL, err)) != GCV_OK)
        goto cleanup;

    for (size_t r = 0; r < rows->n_rows; r++) {
        const double *values = decision + r * n_pairs;

        for (size_t a = 0, pair = 0; a < k; a++) {
            for (size_t b = a + 1; b < k; b++, pair++) {
                double p = gcv_svc_sigmoid_predict(values[pair], model->prob_a[pair],
                                                   model->prob_b[pair]);
                p = p < min_prob ? min_prob : (p > 1 - min_prob ? 1 - min_prob : p);
                pairwise[a * k + b] = p;
                pairwise[b * k + a] = 1 - p;
            }
        }
        gcv_svc_couple(k, pairwise, out + r * k, work);
    }

cleanup:
    free(decision);
    free(pairwise);
    free(work);
    return status;
}

/* gcv_estimator_ops.check_predict_proba: scikit-learn's SVC has
 * predict_proba only with probability=True. */
static enum gcv_status svc_check_predict_proba(const void *params_pointer, struct gcv_error *err)
{
    const struct gcv_svc_params *params = params_pointer;

    if (params->probability)
        return GCV_OK;
    return gcv_error_set(err, GCV_ERR_PARAM, "SVC has predict_proba only when fitted with "
                         "probability=true, and this setting has probability=false; set "
                         "probability: true in params");
}

/* gcv_estimator_ops.fit_warning: scikit-learn's ConvergenceWarning for a
 * fit that reached max_iter, so the summary counts such fits. */
static const char *svc_fit_warning(const void *model_pointer)
{
    const struct gcv_svc_model *model = model_pointer;

    return model->converged ? NULL
                            : "SVC: the solver stopped at max_iter before converging; "
                              "consider scaling the features";
}

/* ----- save and load ----------------------------------------------------- */

/* gcv_estimator_ops.save: the kernel, classes, support vectors with their
 * norms, dual coefficients, rho and, with probability=true, the Platt
 * parameters, which are all that prediction reads. */
static enum gcv_status svc_save(const void *model_pointer, hid_t group, struct gcv_error *err)
{
    const struct gcv_svc_model *model = model_pointer;
    const size_t n_sv = model->n_sv;
    enum gcv_status status;

    if ((status = gcv_kernel_save(&model->kernel, group, err)) != GCV_OK ||
        (status = gcv_model_file_put_size(group, "n_features", model->n_features, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_size(group, "n_classes", model->n_classes, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_size(group, "n_sv", n_sv, err)) != GCV_OK ||
        (status = gcv_model_file_put_int32s(group, "classes", model->classes, model->n_classes,
                                            err)) != GCV_OK ||
        (status = gcv_model_file_put_sizes(group, "n_support", model->n_support,
                                           model->n_classes, err)) != GCV_OK ||
        (status = gcv_model_file_put_sizes(group, "support", model->support, n_sv, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_doubles(group, "support_vectors", model->support_vectors,
                                             n_sv * model->n_features, err)) != GCV_OK ||
        (status = gcv_model_file_put_doubles(group, "sv_norms", model->sv_norms, n_sv, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_doubles(group, "dual_coef", model->dual_coef,
                                             (model->n_classes - 1) * n_sv, err)) != GCV_OK)
        return status;
    if ((status = gcv_model_file_put_doubles(group, "rho", model->rho, gcv_svc_n_pairs(model),
                                             err)) != GCV_OK ||
        (status = gcv_model_file_put_int(group, "probability", model->prob_a != NULL, err)) !=
            GCV_OK || model->prob_a == NULL)
        return status;
    if ((status = gcv_model_file_put_doubles(group, "prob_a", model->prob_a,
                                             gcv_svc_n_pairs(model), err)) != GCV_OK)
        return status;
    return gcv_model_file_put_doubles(group, "prob_b", model->prob_b, gcv_svc_n_pairs(model),
                                      err);
}

/* gcv_estimator_ops.load: the inverse of svc_save. n_iter is not saved, so
 * the loaded model reports 0 iterations and convergence. */
static enum gcv_status svc_load(hid_t group, void **model_out, struct gcv_error *err)
{
    struct gcv_svc_model *model = calloc(1, sizeof *model);
    size_t total = 0;
    long long probability = 0;
    enum gcv_status status;

    *model_out = NULL;
    if (model == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory loading an SVC model");
    model->converged = true;
    if ((status = gcv_kernel_load(group, &model->kernel, err)) != GCV_OK ||
        (status = gcv_model_file_get_size(group, "n_features", &model->n_features, err)) !=
            GCV_OK ||
        (status = gcv_model_file_get_size(group, "n_classes", &model->n_classes, err)) !=
            GCV_OK ||
        (status = gcv_model_file_get_size(group, "n_sv", &model->n_sv, err)) != GCV_OK)
        goto cleanup;
    if (model->n_classes < 2 || model->n_classes > INT32_MAX || model->n_features == 0) {
        status = gcv_error_set(err, GCV_ERR_DATA, "an SVC model needs at least 2 classes and 1 "
                               "feature, got %zu and %zu", model->n_classes, model->n_features);
        goto cleanup;
    }
    if ((status = gcv_model_file_get_class_codes(group, "classes", model->n_classes,
                                                 &model->classes, err)) != GCV_OK ||
        (status = gcv_model_file_get_sizes(group, "n_support", model->n_classes,
                                           &model->n_support, err)) != GCV_OK)
        goto cleanup;
    for (size_t c = 0; c < model->n_classes; c++)
        total += model->n_support[c];
    if (total != model->n_sv) {
        status = gcv_error_set(err, GCV_ERR_DATA, "SVC model: n_support sums to %zu, but n_sv "
                               "is %zu", total, model->n_sv);
        goto cleanup;
    }
    model->n_iter = calloc(gcv_svc_n_pairs(model), sizeof *model->n_iter);
    if (model->n_iter == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory loading an SVC model");
        goto cleanup;
    }
    if ((status = gcv_model_file_get_sizes(group, "support", model->n_sv, &model->support,
                                           err)) != GCV_OK ||
        (status = gcv_model_file_get_doubles(group, "support_vectors",
                                             model->n_sv * model->n_features,
                                             &model->support_vectors, err)) != GCV_OK ||
        (status = gcv_model_file_get_doubles(group, "sv_norms", model->n_sv, &model->sv_norms,
                                             err)) != GCV_OK ||
        (status = gcv_model_file_get_doubles(group, "dual_coef",
                                             (model->n_classes - 1) * model->n_sv,
                                             &model->dual_coef, err)) != GCV_OK ||
        (status = gcv_model_file_get_doubles(group, "rho", gcv_svc_n_pairs(model), &model->rho,
                                             err)) != GCV_OK ||
        (status = gcv_model_file_get_int(group, "probability", &probability, err)) != GCV_OK)
        goto cleanup;
    if (probability != 0 &&
        ((status = gcv_model_file_get_doubles(group, "prob_a", gcv_svc_n_pairs(model),
                                              &model->prob_a, err)) != GCV_OK ||
         (status = gcv_model_file_get_doubles(group, "prob_b", gcv_svc_n_pairs(model),
                                              &model->prob_b, err)) != GCV_OK))
        goto cleanup;
    *model_out = model;
    model = NULL;

cleanup:
    svc_model_free(model);
    return status;
}

const struct gcv_estimator_ops gcv_svc_ops = {
    .name = "SVC",
    .kind = GCV_ESTIMATOR_CLASSIFIER,
    .params_parse = svc_params_parse,
    .params_free = svc_params_free,
    .fit = svc_fit,
    .predict = svc_predict,
    .model_free = svc_model_free,
    .decision_function = svc_decision_function,
    .predict_proba = svc_predict_proba,
    .check_predict_proba = svc_check_predict_proba,
    .fit_warning = svc_fit_warning,
    .path_param = "C",
    .path_increasing = true,
    .fit_from = svc_fit_from,
    .save = svc_save,
    .load = svc_load,
};
