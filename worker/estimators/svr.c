/* SVR: epsilon-support vector regression on libsvm's SMO solver (smo.h),
 * following scikit-learn 1.2.1 (sklearn/svm/_classes.py, _base.py) and its
 * copy of libsvm (sklearn/svm/src/libsvm/svm.cpp: solve_epsilon_svr,
 * SVR_Q, svm_train, svm_predict_values).
 *
 * Fit: with l training rows and targets y, the dual
 *     min 1/2 (a - a*)^T K (a - a*) + eps e^T (a + a*) - y^T (a - a*),
 *     e^T (a - a*) = 0,  0 <= a_i, a*_i <= C,
 * is solved as one problem of 2l variables in the form of smo.h: variable
 * k < l is a_k with label +1 and linear term eps - y_k, variable l + k is
 * a*_k with label -1 and linear term eps + y_k. Its Q matrix is
 * Q_uv = s_u s_v K(x_index(u), x_index(v)), s being the label and index(u)
 * the training row of variable u. The stopping rule is smo.h's (tol). A row
 * is a support vector when a_k - a*_k is non-zero.
 *
 * Predict: sum_k (a_k - a*_k) K(x_k, x) - rho over the support vectors;
 * scikit-learn's intercept_ is -rho.
 *
 * Warm start (fit_from, along increasing C): the previous solution is
 * feasible for a larger C, so the solver starts from it instead of zero
 * and builds the gradient from its support vectors' kernel columns.
 *
 * Cost: one SMO problem of 2l variables whose Q columns come from a cache
 * of l kernel columns, each O(l n_features) to compute. */
#include "svr.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/log.h"
#include "../../common/stats.h"
#include "param_check.h"
#include "../fold_cache.h"
#include "smo.h"

/* ----- parameters -------------------------------------------------------- */

static enum gcv_status parse_C(const struct gcv_param *param, void *out, struct gcv_error *err)
{
    return gcv_param_check_number(param, 0.0, true, "a number > 0",
                                  &((struct gcv_svr_params *)out)->C, err);
}

static enum gcv_status parse_epsilon(const struct gcv_param *param, void *out,
                                     struct gcv_error *err)
{
    return gcv_param_check_number(param, 0.0, false, "a number >= 0",
                                  &((struct gcv_svr_params *)out)->epsilon, err);
}

static enum gcv_status parse_kernel(const struct gcv_param *param, void *out,
                                    struct gcv_error *err)
{
    static const char *const names[] = {"linear", "poly", "rbf", "sigmoid"};
    static const enum gcv_kernel_type types[] = {GCV_KERNEL_LINEAR, GCV_KERNEL_POLY,
                                                 GCV_KERNEL_RBF, GCV_KERNEL_SIGMOID};
    int choice;

    if (gcv_param_check_is_string(param, "precomputed"))
        return gcv_param_check_unsupported(param,
                                           "kernels are computed from the dataset's features; "
                                           "use \"linear\", \"poly\", \"rbf\" or \"sigmoid\"",
                                           err);
    if (gcv_param_check_choice(param, names, 4, "one of \"linear\", \"poly\", \"rbf\", \"sigmoid\"",
                               &choice, err) != GCV_OK)
        return GCV_ERR_PARAM;
    ((struct gcv_svr_params *)out)->kernel = types[choice];
    return GCV_OK;
}

static enum gcv_status parse_degree(const struct gcv_param *param, void *out,
                                    struct gcv_error *err)
{
    long long degree;

    /* libsvm stores the degree as an int. */
    if (gcv_param_check_integer(param, 0, 2147483647LL, "an integer >= 0", &degree, err) != GCV_OK)
        return GCV_ERR_PARAM;
    ((struct gcv_svr_params *)out)->degree = (int)degree;
    return GCV_OK;
}

static enum gcv_status parse_gamma(const struct gcv_param *param, void *out,
                                   struct gcv_error *err)
{
    struct gcv_svr_params *params = out;

    if (gcv_param_check_is_string(param, "scale")) {
        params->gamma = GCV_SVR_GAMMA_SCALE;
        return GCV_OK;
    }
    if (gcv_param_check_is_string(param, "auto")) {
        params->gamma = GCV_SVR_GAMMA_AUTO;
        return GCV_OK;
    }
    params->gamma = GCV_SVR_GAMMA_VALUE;
    return gcv_param_check_number(param, 0.0, false, "\"scale\", \"auto\" or a number >= 0",
                                  &params->gamma_value, err);
}

static enum gcv_status parse_coef0(const struct gcv_param *param, void *out,
                                   struct gcv_error *err)
{
    return gcv_param_check_number(param, -INFINITY, false, "a finite number",
                                  &((struct gcv_svr_params *)out)->coef0, err);
}

static enum gcv_status parse_tol(const struct gcv_param *param, void *out, struct gcv_error *err)
{
    return gcv_param_check_number(param, 0.0, true, "a number > 0",
                                  &((struct gcv_svr_params *)out)->tol, err);
}

static enum gcv_status parse_shrinking(const struct gcv_param *param, void *out,
                                       struct gcv_error *err)
{
    return gcv_param_check_bool("SVR", param, &((struct gcv_svr_params *)out)->shrinking, err);
}

static enum gcv_status parse_cache_size(const struct gcv_param *param, void *out,
                                        struct gcv_error *err)
{
    return gcv_param_check_number(param, 0.0, true, "a number of megabytes > 0",
                                  &((struct gcv_svr_params *)out)->cache_size, err);
}

static enum gcv_status parse_verbose(const struct gcv_param *param, void *out,
                                     struct gcv_error *err)
{
    /* Accepted for compatibility; libsvm's progress output is not printed. */
    (void)out;
    if (param->value.kind == GCV_VALUE_INT && param->value.integer < 0)
        return gcv_param_check_reject(param, "an integer >= 0 or a boolean", err);
    return gcv_param_check_ignored(param,
                                   GCV_PARAM_KIND(GCV_VALUE_BOOL) | GCV_PARAM_KIND(GCV_VALUE_INT),
                                   "an integer >= 0 or a boolean", err);
}

static enum gcv_status parse_max_iter(const struct gcv_param *param, void *out,
                                      struct gcv_error *err)
{
    return gcv_param_check_integer(param, -1, LLONG_MAX, "an integer >= -1 (-1 for no limit)",
                                   &((struct gcv_svr_params *)out)->max_iter, err);
}

static const struct gcv_param_check_entry param_table[] = {
    {"kernel", parse_kernel},
    {"degree", parse_degree},
    {"gamma", parse_gamma},
    {"coef0", parse_coef0},
    {"tol", parse_tol},
    {"C", parse_C},
    {"epsilon", parse_epsilon},
    {"shrinking", parse_shrinking},
    {"cache_size", parse_cache_size},
    {"verbose", parse_verbose},
    {"max_iter", parse_max_iter},
};

static enum gcv_status svr_params_parse(const struct gcv_param_set *params, void **out,
                                        struct gcv_error *err)
{
    struct gcv_svr_params *parsed = malloc(sizeof *parsed);
    enum gcv_status status;

    *out = NULL;
    if (parsed == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for SVR parameters");

    /* scikit-learn 1.2.1's defaults. */
    *parsed = (struct gcv_svr_params){
        .C = 1.0,
        .epsilon = 0.1,
        .kernel = GCV_KERNEL_RBF,
        .gamma = GCV_SVR_GAMMA_SCALE,
        .gamma_value = 0.0,
        .degree = 3,
        .coef0 = 0.0,
        .tol = 1e-3,
        .shrinking = true,
        .cache_size = 200.0,
        .max_iter = -1,
    };
    status = gcv_param_check_all("SVR", params, param_table,
                                 sizeof param_table / sizeof param_table[0], parsed, err);
    if (status != GCV_OK) {
        free(parsed);
        return status;
    }
    *out = parsed;
    return GCV_OK;
}

static void svr_params_free(void *params)
{
    free(params);
}

/* ----- model ------------------------------------------------------------- */

static void svr_model_free(void *model_pointer)
{
    struct gcv_svr_model *model = model_pointer;

    if (model == NULL)
        return;
    free(model->support);
    free(model->support_vectors);
    free(model->sv_norms);
    free(model->dual_coef);
    free(model);
}

static const char *svr_fit_warning(const void *model_pointer)
{
    const struct gcv_svr_model *model = model_pointer;

    return model->converged ? NULL : model->warning;
}

/* ----- the Q matrix of epsilon-SVR --------------------------------------- */

/* Q of the 2l variables, as libsvm's SVR_Q: kernel columns are cached by
 * training row (l of them, each of length l), and each request builds the
 * column of variable i in the solver's current order in one of two
 * buffers, multiplying by the labels of both variables. */
struct svr_q {
    struct gcv_smo_qmatrix matrix; /* pass &q->matrix to the solver */
    struct gcv_kernel kernel;
    size_t l;                      /* training rows; the solver has 2l variables */
    size_t n_features;
    const double *X;               /* [l * n_features], row-major, borrowed */
    double *norms;                 /* [l] squared row norms, owned */
    signed char *sign;             /* [2l] label of each variable, solver order, owned */
    size_t *index;                 /* [2l] training row of each variable, solver order, owned */
    double *diagonal;              /* [2l] Q_uu, solver order, owned */
    double *scratch;               /* [l] kernel values before the cast to float, owned */
    const float *fold_kernel;      /* [l * l] the fold cache's RBF kernel matrix of the
                                      training rows, borrowed, or NULL */
    float *buffer[2];              /* [2l] each, the two most recent columns, owned */
    int next_buffer;
    struct gcv_smo_cache cache;    /* kernel columns by training row */
};

static const float *svr_q_get_column(void *context, size_t i, size_t len)
{
    struct svr_q *q = context;
    const size_t l = q->l;
    const size_t d = q->n_features;
    const size_t row = q->index[i];
    const float *data;
    float *column;
    float sign_i;

    /* The kernel column of the training row: a row of the fold's kernel
     * matrix, or computed once in full into the column cache. */
    if (q->fold_kernel != NULL) {
        data = q->fold_kernel + row * l;
    } else {
        size_t start;
        float *cached = gcv_smo_cache_get(&q->cache, row, l, &start);

        if (start < l) {
            gcv_kernel_column(&q->kernel, q->X + start * d, q->norms + start, l - start, d,
                              q->X + row * d, q->norms[row], q->scratch);
            for (size_t k = start; k < l; k++)
                cached[k] = (float)q->scratch[k - start];
        }
        data = cached;
    }

    /* Reordered into the solver's order, with both labels applied. */
    column = q->buffer[q->next_buffer];
    q->next_buffer = 1 - q->next_buffer;
    sign_i = (float)q->sign[i];
    for (size_t j = 0; j < len; j++)
        column[j] = sign_i * (float)q->sign[j] * data[q->index[j]];
    return column;
}

static void svr_q_swap_index(void *context, size_t i, size_t j)
{
    struct svr_q *q = context;
    signed char sign = q->sign[i];
    size_t index = q->index[i];
    double diagonal = q->diagonal[i];

    q->sign[i] = q->sign[j];
    q->sign[j] = sign;
    q->index[i] = q->index[j];
    q->index[j] = index;
    q->diagonal[i] = q->diagonal[j];
    q->diagonal[j] = diagonal;
}

static void svr_q_free(struct svr_q *q)
{
    gcv_smo_cache_free(&q->cache);
    free(q->norms);
    free(q->sign);
    free(q->index);
    free(q->diagonal);
    free(q->scratch);
    free(q->buffer[0]);
    free(q->buffer[1]);
    memset(q, 0, sizeof *q);
}

/* Builds the Q matrix of the training rows X[l * n_features] (borrowed for
 * the life of q). fold_kernel[l * l], when not NULL, is the fold cache's
 * RBF kernel matrix of the same rows, borrowed for the life of q, and no
 * column is then computed or cached. On failure nothing needs freeing. */
static enum gcv_status svr_q_init(struct svr_q *q, const struct gcv_kernel *kernel,
                                  const double *X, size_t l, size_t n_features,
                                  const float *fold_kernel, size_t cache_bytes,
                                  struct gcv_error *err)
{
    const size_t n = l > 0 ? l : 1;
    enum gcv_status status;

    memset(q, 0, sizeof *q);
    q->kernel = *kernel;
    q->l = l;
    q->n_features = n_features;
    q->X = X;
    q->fold_kernel = fold_kernel;
    q->norms = malloc(n * sizeof *q->norms);
    q->sign = malloc(2 * n * sizeof *q->sign);
    q->index = malloc(2 * n * sizeof *q->index);
    q->diagonal = malloc(2 * n * sizeof *q->diagonal);
    q->scratch = malloc(n * sizeof *q->scratch);
    q->buffer[0] = malloc(2 * n * sizeof *q->buffer[0]);
    q->buffer[1] = malloc(2 * n * sizeof *q->buffer[1]);
    if (q->norms == NULL || q->sign == NULL || q->index == NULL || q->diagonal == NULL ||
        q->scratch == NULL || q->buffer[0] == NULL || q->buffer[1] == NULL) {
        svr_q_free(q);
        return gcv_error_set(err, GCV_ERR_NOMEM,
                             "out of memory for the SVR kernel matrix of %zu rows", l);
    }
    if ((status = gcv_smo_cache_init(&q->cache, l, fold_kernel != NULL ? 0 : cache_bytes,
                                     err)) != GCV_OK) {
        svr_q_free(q);
        return status;
    }

    gcv_kernel_row_norms(X, l, n_features, q->norms);
    gcv_kernel_diagonal(kernel, q->norms, l, q->diagonal);
    for (size_t k = 0; k < l; k++) {
        q->sign[k] = +1;
        q->sign[k + l] = -1;
        q->index[k] = k;
        q->index[k + l] = k;
        q->diagonal[k + l] = q->diagonal[k];
    }

    q->matrix.context = q;
    q->matrix.get_column = svr_q_get_column;
    q->matrix.swap_index = svr_q_swap_index;
    q->matrix.diagonal = q->diagonal;
    return GCV_OK;
}

/* ----- fit --------------------------------------------------------------- */

/* gamma="scale": 1 / (n_features * X.var()) over all values of the
 * training rows, numpy's variance (pairwise sums), or 1 when it is 0. */
static enum gcv_status scale_gamma(const double *X, size_t n, size_t d, double *gamma,
                                   struct gcv_error *err)
{
    const size_t total = n * d;
    double *squares = malloc((total > 0 ? total : 1) * sizeof *squares);
    double mean, variance;

    if (squares == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory computing the variance of %zu "
                             "values", total);
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

/* Keeps the rows whose coefficient is non-zero, in training order. */
static enum gcv_status collect_support_vectors(struct gcv_svr_model *model, const double *X,
                                               const double *coef, size_t l,
                                               struct gcv_error *err)
{
    const size_t d = model->n_features;
    size_t sv = 0;

    model->n_sv = 0;
    for (size_t k = 0; k < l; k++)
        if (fabs(coef[k]) > 0)
            model->n_sv++;

    model->support = malloc((model->n_sv > 0 ? model->n_sv : 1) * sizeof *model->support);
    model->support_vectors =
        malloc((model->n_sv * d > 0 ? model->n_sv * d : 1) * sizeof *model->support_vectors);
    model->sv_norms = malloc((model->n_sv > 0 ? model->n_sv : 1) * sizeof *model->sv_norms);
    model->dual_coef = malloc((model->n_sv > 0 ? model->n_sv : 1) * sizeof *model->dual_coef);
    if (model->support == NULL || model->support_vectors == NULL || model->sv_norms == NULL ||
        model->dual_coef == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu support vectors",
                             model->n_sv);

    for (size_t k = 0; k < l; k++) {
        if (!(fabs(coef[k]) > 0))
            continue;
        model->support[sv] = k;
        model->dual_coef[sv] = coef[k];
        memcpy(model->support_vectors + sv * d, X + k * d, d * sizeof *X);
        sv++;
    }
    gcv_kernel_row_norms(model->support_vectors, model->n_sv, d, model->sv_norms);
    return GCV_OK;
}

/* Sets alpha[2l] (a then a*) to the solution of previous, a model fitted
 * on the same l rows with a C no larger than bound: a_k = max(c_k, 0) and
 * a*_k = max(-c_k, 0) for each dual coefficient c_k = a_k - a*_k. This
 * start is feasible: sum (a_k - a*_k) is the previous solution's, and
 * 0 <= a, a* <= |c_k| <= bound. Leaves alpha at zero when previous does
 * not fit these rows or bound. */
static void start_from(const struct gcv_svr_model *previous, size_t l, double bound,
                       double *alpha)
{
    for (size_t s = 0; s < previous->n_sv; s++)
        if (previous->support[s] >= l || fabs(previous->dual_coef[s]) > bound)
            return;
    for (size_t s = 0; s < previous->n_sv; s++) {
        const double c = previous->dual_coef[s];

        if (c > 0)
            alpha[previous->support[s]] = c;
        else
            alpha[previous->support[s] + l] = -c;
    }
}

/* Fits from alpha = 0, or from the solution of previous when it is not
 * NULL (a fit with a smaller C on the same rows, see start_from). */
static enum gcv_status fit_path(const struct gcv_svr_params *params,
                                const struct gcv_rows *train,
                                const struct gcv_svr_model *previous, void **model_out,
                                struct gcv_error *err)
{
    const size_t l = train->n_rows;
    const size_t d = train->n_features;
    const size_t n2 = 2 * (l > 0 ? l : 1);
    struct gcv_svr_model *model = NULL;
    struct svr_q q = {0};
    struct gcv_fold_rbf fold = {0}; /* borrowed from the fold cache until the fit ends */
    struct gcv_smo_solution solution;
    double *X = NULL;          /* [l * d] training rows, row-major */
    double *alpha = NULL;      /* [2l] a then a* */
    double *p = NULL;          /* [2l] linear term */
    double *C = NULL;          /* [2l] upper bounds */
    signed char *y = NULL;     /* [2l] labels */
    double *coef = NULL;       /* [l] a - a* */
    double cache_bytes = params->cache_size * (double)(1 << 20);
    enum gcv_status status;

    *model_out = NULL;
    if (train->y_value == NULL)
        return gcv_error_set(err, GCV_ERR_DATA, "SVR needs regression targets, and the rows "
                             "have none");
    if (d == 0)
        return gcv_error_set(err, GCV_ERR_DATA, "SVR needs at least one feature, got 0");
    if (l == 0)
        return gcv_error_set(err, GCV_ERR_FIT, "SVR needs at least one training row, got 0");

    X = malloc(l * d * sizeof *X);
    alpha = calloc(n2, sizeof *alpha);
    p = malloc(n2 * sizeof *p);
    C = malloc(n2 * sizeof *C);
    y = malloc(n2 * sizeof *y);
    coef = malloc(l * sizeof *coef);
    model = calloc(1, sizeof *model);
    if (X == NULL || alpha == NULL || p == NULL || C == NULL || y == NULL || coef == NULL ||
        model == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting SVR on %zu rows", l);
        goto cleanup;
    }
    gcv_kernel_gather_rows(train, X);
    model->n_features = d;

    /* Kernel, with gamma resolved on the training rows. */
    model->kernel = (struct gcv_kernel){
        .type = params->kernel,
        .gamma = params->gamma_value,
        .coef0 = params->coef0,
        .degree = params->degree,
    };
    if (params->gamma == GCV_SVR_GAMMA_SCALE) {
        if ((status = scale_gamma(X, l, d, &model->kernel.gamma, err)) != GCV_OK)
            goto cleanup;
    } else if (params->gamma == GCV_SVR_GAMMA_AUTO) {
        model->kernel.gamma = 1.0 / (double)d;
    }

    /* The 2l-variable problem, from alpha = 0 or from previous. */
    for (size_t k = 0; k < l; k++) {
        const double target = train->y_value[train->index[k]];

        p[k] = params->epsilon - target;
        y[k] = +1;
        C[k] = params->C;
        p[k + l] = params->epsilon + target;
        y[k + l] = -1;
        C[k + l] = params->C;
    }
    if (previous != NULL)
        start_from(previous, l, params->C, alpha);
    /* The fold's RBF kernel matrix, shared with the other candidates of the
     * same gamma on this fold. No other fold cache call follows during the
     * fit, so the matrix stays cached until the end. */
    if (model->kernel.type == GCV_KERNEL_RBF) {
        gcv_fold_cache_rbf(train->X, train->index, l, d, model->kernel.gamma, &fold);
        model->fold_rows_id = fold.rows_id;
    } else {
        struct gcv_fold_rows rows;
        gcv_fold_cache_rows(train->X, train->index, l, d, &rows);
        model->fold_rows_id = rows.id;
    }

    if (cache_bytes > (double)(SIZE_MAX / 2))
        cache_bytes = (double)(SIZE_MAX / 2);
    if ((status = svr_q_init(&q, &model->kernel, X, l, d, fold.kernel, (size_t)cache_bytes,
                             err)) != GCV_OK)
        goto cleanup;

    struct gcv_smo_problem problem = {
        .l = 2 * l,
        .Q = &q.matrix,
        .p = p,
        .y = y,
        .C = C,
        .eps = params->tol,
        .shrinking = params->shrinking,
        .max_iter = params->max_iter,
        .deadline = train->deadline,
    };
    if ((status = gcv_smo_solve(&problem, alpha, &solution, err)) != GCV_OK)
        goto cleanup;

    for (size_t k = 0; k < l; k++)
        coef[k] = alpha[k] - alpha[k + l];
    model->rho = solution.rho;
    model->n_iter = solution.n_iter;
    model->converged = solution.converged;
    if (!model->converged) {
        snprintf(model->warning, sizeof model->warning,
                 "SVR: the solver stopped at max_iter=%lld before converging "
                 "(ConvergenceWarning); consider scaling the features", params->max_iter);
        gcv_log_warn("%s", model->warning);
    }
    status = collect_support_vectors(model, X, coef, l, err);

cleanup:
    svr_q_free(&q);
    free(X);
    free(alpha);
    free(p);
    free(C);
    free(y);
    free(coef);
    if (status != GCV_OK) {
        svr_model_free(model);
        return status;
    }
    *model_out = model;
    return GCV_OK;
}

static enum gcv_status svr_fit(const void *params, const struct gcv_rows *train,
                               void **model_out, struct gcv_error *err)
{
    return fit_path(params, train, NULL, model_out, err);
}

static enum gcv_status svr_fit_from(const void *params, const struct gcv_rows *train,
                                    const void *previous, void **model_out,
                                    struct gcv_error *err)
{
    return fit_path(params, train, previous, model_out, err);
}

/* ----- predict ----------------------------------------------------------- */

/* Kernel values per block of rows are at most this many doubles (32 MiB). */
#define KERNEL_BLOCK_VALUES ((size_t)1 << 22)

static enum gcv_status svr_predict(const void *model_pointer, const struct gcv_rows *rows,
                                   double *out, struct gcv_error *err)
{
    const struct gcv_svr_model *model = model_pointer;
    const size_t d = model->n_features;
    const size_t n_sv = model->n_sv;
    size_t block = n_sv > 0 ? KERNEL_BLOCK_VALUES / n_sv : rows->n_rows;
    double *X_block = NULL;   /* [block * d] */
    double *norms = NULL;     /* [block] */
    double *K = NULL;         /* [block * n_sv], row-major */
    struct gcv_fold_cross cross = {0}; /* the rows' dot products with the training rows,
                                          borrowed from the fold cache */
    enum gcv_status status = GCV_OK;

    if (rows->n_features != d)
        return gcv_error_set(err, GCV_ERR_DATA, "SVR was fitted on %zu features, the rows "
                             "have %zu", d, rows->n_features);
    if (block == 0)
        block = 1;
    if (block > 256)
        block = 256;

    X_block = malloc(block * d * sizeof *X_block);
    norms = malloc(block * sizeof *norms);
    K = malloc((block * n_sv > 0 ? block * n_sv : 1) * sizeof *K);
    if (X_block == NULL || norms == NULL || K == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory predicting %zu rows with SVR",
                               rows->n_rows);
        goto cleanup;
    }

    /* Every candidate of a fold predicts the same test rows, so their dot
     * products with all of the fold's training rows are computed once. */
    if (model->fold_rows_id != 0 && n_sv > 0)
        gcv_fold_cache_cross(rows->X, rows->index, rows->n_rows, d, model->fold_rows_id,
                             &cross);

    for (size_t first = 0; first < rows->n_rows; first += block) {
        const size_t count = rows->n_rows - first < block ? rows->n_rows - first : block;

        /* NOTE: libsvm's prediction takes the RBF distance from x - sv, not
         * from the norms used here, so predictions can differ from
         * scikit-learn's in the last digits. */
        gcv_kernel_support_block(&model->kernel, rows, first, count, &cross, model->support,
                                 model->support_vectors, model->sv_norms, n_sv, X_block, norms,
                                 K);

        /* libsvm's sum, in support vector order. */
        for (size_t r = 0; r < count; r++) {
            double sum = 0;

            for (size_t s = 0; s < n_sv; s++)
                sum += model->dual_coef[s] * K[r * n_sv + s];
            out[first + r] = sum - model->rho;
        }
    }

cleanup:
    free(X_block);
    free(norms);
    free(K);
    return status;
}

/* ----- save and load ----------------------------------------------------- */

/* gcv_estimator_ops.save: the kernel, support vectors with their norms,
 * dual coefficients and rho, which are all that prediction reads. */
static enum gcv_status svr_save(const void *model_pointer, hid_t group, struct gcv_error *err)
{
    const struct gcv_svr_model *model = model_pointer;
    enum gcv_status status;

    if ((status = gcv_kernel_save(&model->kernel, group, err)) != GCV_OK ||
        (status = gcv_model_file_put_size(group, "n_features", model->n_features, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_size(group, "n_sv", model->n_sv, err)) != GCV_OK ||
        (status = gcv_model_file_put_double(group, "rho", model->rho, err)) != GCV_OK ||
        (status = gcv_model_file_put_sizes(group, "support", model->support, model->n_sv,
                                           err)) != GCV_OK ||
        (status = gcv_model_file_put_doubles(group, "support_vectors", model->support_vectors,
                                             model->n_sv * model->n_features, err)) != GCV_OK ||
        (status = gcv_model_file_put_doubles(group, "sv_norms", model->sv_norms, model->n_sv,
                                             err)) != GCV_OK)
        return status;
    return gcv_model_file_put_doubles(group, "dual_coef", model->dual_coef, model->n_sv, err);
}

/* gcv_estimator_ops.load: the inverse of svr_save, reporting convergence. */
static enum gcv_status svr_load(hid_t group, void **model_out, struct gcv_error *err)
{
    struct gcv_svr_model *model = calloc(1, sizeof *model);
    enum gcv_status status;

    *model_out = NULL;
    if (model == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory loading an SVR model");
    model->converged = true;
    if ((status = gcv_kernel_load(group, &model->kernel, err)) != GCV_OK ||
        (status = gcv_model_file_get_size(group, "n_features", &model->n_features, err)) !=
            GCV_OK ||
        (status = gcv_model_file_get_size(group, "n_sv", &model->n_sv, err)) != GCV_OK ||
        (status = gcv_model_file_get_double(group, "rho", &model->rho, err)) != GCV_OK ||
        (status = gcv_model_file_get_sizes(group, "support", model->n_sv, &model->support,
                                           err)) != GCV_OK ||
        (status = gcv_model_file_get_doubles(group, "support_vectors",
                                             model->n_sv * model->n_features,
                                             &model->support_vectors, err)) != GCV_OK ||
        (status = gcv_model_file_get_doubles(group, "sv_norms", model->n_sv, &model->sv_norms,
                                             err)) != GCV_OK ||
        (status = gcv_model_file_get_doubles(group, "dual_coef", model->n_sv, &model->dual_coef,
                                             err)) != GCV_OK)
        goto cleanup;
    *model_out = model;
    model = NULL;

cleanup:
    svr_model_free(model);
    return status;
}

const struct gcv_estimator_ops gcv_svr_ops = {
    .name = "SVR",
    .kind = GCV_ESTIMATOR_REGRESSOR,
    .params_parse = svr_params_parse,
    .params_free = svr_params_free,
    .fit = svr_fit,
    .predict = svr_predict,
    .model_free = svr_model_free,
    .fit_warning = svr_fit_warning,
    .path_param = "C",
    .path_increasing = true,
    .fit_from = svr_fit_from,
    .save = svr_save,
    .load = svr_load,
};
