/* LogisticRegression(solver="lbfgs"): see logistic.h for the objective and
 * the stopping rule. The loss and gradient follow scikit-learn's
 * LinearModelLoss and its Cython losses term by term: raw predictions
 * from one dgemv (dgemm over blocks of rows for the multinomial, see
 * lockstep.h), per-row losses and gradients
 * by the numerically stable formulas of sklearn/_loss, the loss summed
 * pairwise as numpy does, and the gradient as X^T times the per-row
 * gradients. The multinomial coefficients are laid out as scikit-learn
 * ravels them (Fortran order of the n_classes x (n_features + 1) matrix).
 * Cost per evaluation: O(n_rows n_features n_classes). */
#include "logistic.h"

#include <cblas.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/log.h"
#include "../../common/stats.h"
#include "kernel.h"
#include "lbfgs.h"
#include "lockstep.h"
#include "param_check.h"

/* ----- parameters -------------------------------------------------------- */

static enum gcv_status parse_penalty(const struct gcv_param *param, void *out,
                                     struct gcv_error *err)
{
    struct gcv_logistic_params *params = out;

    if (gcv_param_check_is_string(param, "l2")) {
        params->penalized = true;
        return GCV_OK;
    }
    if (param->value.kind == GCV_VALUE_NULL || gcv_param_check_is_string(param, "none")) {
        /* scikit-learn 1.2 deprecates "none" (removed in 1.4) for null. */
        if (param->value.kind != GCV_VALUE_NULL)
            gcv_log_warn("LogisticRegression parameter penalty=\"none\": deprecated since "
                         "scikit-learn 1.2; write null");
        params->penalized = false;
        return GCV_OK;
    }
    if (gcv_param_check_is_string(param, "l1") || gcv_param_check_is_string(param, "elasticnet"))
        return gcv_param_check_unsupported(param, "the lbfgs solver supports only \"l2\", "
                                           "\"none\" or null", err);
    return gcv_param_check_reject(param, "one of \"l2\", \"l1\", \"elasticnet\", \"none\" or "
                                  "null", err);
}

static enum gcv_status parse_dual(const struct gcv_param *param, void *out,
                                  struct gcv_error *err)
{
    bool dual;

    (void)out;
    if (gcv_param_check_bool("LogisticRegression", param, &dual, err) != GCV_OK)
        return GCV_ERR_PARAM;
    if (dual)
        return gcv_param_check_unsupported(param, "only the liblinear solver has a dual "
                                           "formulation; use false", err);
    return GCV_OK;
}

static enum gcv_status parse_tol(const struct gcv_param *param, void *out, struct gcv_error *err)
{
    return gcv_param_check_number(param, 0.0, false, "a number >= 0",
                                  &((struct gcv_logistic_params *)out)->tol, err);
}

static enum gcv_status parse_C(const struct gcv_param *param, void *out, struct gcv_error *err)
{
    return gcv_param_check_number(param, 0.0, true, "a number > 0",
                                  &((struct gcv_logistic_params *)out)->C, err);
}

static enum gcv_status parse_fit_intercept(const struct gcv_param *param, void *out,
                                           struct gcv_error *err)
{
    return gcv_param_check_bool("LogisticRegression", param,
                                &((struct gcv_logistic_params *)out)->fit_intercept, err);
}

static enum gcv_status parse_intercept_scaling(const struct gcv_param *param, void *out,
                                               struct gcv_error *err)
{
    double scaling;

    /* Only liblinear reads it. */
    (void)out;
    return gcv_param_check_number(param, 0.0, true, "a number > 0", &scaling, err);
}

static enum gcv_status parse_class_weight(const struct gcv_param *param, void *out,
                                          struct gcv_error *err)
{
    struct gcv_logistic_params *params = out;

    if (param->value.kind == GCV_VALUE_NULL) {
        params->class_weight_balanced = false;
        return GCV_OK;
    }
    if (gcv_param_check_is_string(param, "balanced")) {
        params->class_weight_balanced = true;
        return GCV_OK;
    }
    return gcv_param_check_reject(param, "null or \"balanced\"", err);
}

static enum gcv_status parse_random_state(const struct gcv_param *param, void *out,
                                          struct gcv_error *err)
{
    /* Only the sag, saga and liblinear solvers draw random numbers. */
    (void)out;
    if (param->value.kind == GCV_VALUE_NULL ||
        (param->value.kind == GCV_VALUE_INT && param->value.integer >= 0 &&
         param->value.integer <= 4294967295LL))
        return GCV_OK;
    return gcv_param_check_reject(param, "null or an integer in [0, 4294967295]", err);
}

static enum gcv_status parse_solver(const struct gcv_param *param, void *out,
                                    struct gcv_error *err)
{
    static const char *const others[] = {"liblinear", "newton-cg", "newton-cholesky", "sag",
                                         "saga"};

    (void)out;
    if (gcv_param_check_is_string(param, "lbfgs"))
        return GCV_OK;
    for (size_t k = 0; k < sizeof others / sizeof others[0]; k++)
        if (gcv_param_check_is_string(param, others[k]))
            return gcv_param_check_unsupported(param, "only the lbfgs solver is implemented",
                                               err);
    return gcv_param_check_reject(param, "one of \"lbfgs\", \"liblinear\", \"newton-cg\", "
                                  "\"newton-cholesky\", \"sag\", \"saga\"", err);
}

static enum gcv_status parse_max_iter(const struct gcv_param *param, void *out,
                                      struct gcv_error *err)
{
    return gcv_param_check_integer(param, 0, LLONG_MAX, "an integer >= 0",
                                   &((struct gcv_logistic_params *)out)->max_iter, err);
}

static enum gcv_status parse_multi_class(const struct gcv_param *param, void *out,
                                         struct gcv_error *err)
{
    static const char *const names[] = {"auto", "ovr", "multinomial"};
    static const enum gcv_logistic_multi_class values[] = {
        GCV_LOGISTIC_AUTO, GCV_LOGISTIC_OVR, GCV_LOGISTIC_MULTINOMIAL};
    int choice;

    if (gcv_param_check_choice(param, names, 3, "one of \"auto\", \"ovr\", \"multinomial\"",
                               &choice, err) != GCV_OK)
        return GCV_ERR_PARAM;
    ((struct gcv_logistic_params *)out)->multi_class = values[choice];
    return GCV_OK;
}

static enum gcv_status parse_verbose(const struct gcv_param *param, void *out,
                                     struct gcv_error *err)
{
    (void)out;
    if (param->value.kind == GCV_VALUE_INT && param->value.integer < 0)
        return gcv_param_check_reject(param, "an integer >= 0 or a boolean", err);
    return gcv_param_check_ignored(param,
                                   GCV_PARAM_KIND(GCV_VALUE_BOOL) | GCV_PARAM_KIND(GCV_VALUE_INT),
                                   "an integer >= 0 or a boolean", err);
}

static enum gcv_status parse_warm_start(const struct gcv_param *param, void *out,
                                        struct gcv_error *err)
{
    bool warm_start;

    /* GridSearchCV fits a fresh clone for every task, so there is never a
     * previous solution to start from. */
    (void)out;
    return gcv_param_check_bool("LogisticRegression", param, &warm_start, err);
}

static enum gcv_status parse_n_jobs(const struct gcv_param *param, void *out,
                                    struct gcv_error *err)
{
    (void)out;
    return gcv_param_check_ignored(param,
                                   GCV_PARAM_KIND(GCV_VALUE_NULL) | GCV_PARAM_KIND(GCV_VALUE_INT),
                                   "null or an integer", err);
}

static enum gcv_status parse_l1_ratio(const struct gcv_param *param, void *out,
                                      struct gcv_error *err)
{
    double ratio;

    /* Only the elasticnet penalty reads it. */
    (void)out;
    if (param->value.kind == GCV_VALUE_NULL)
        return GCV_OK;
    if (gcv_param_check_number(param, 0.0, false, "null or a number in [0, 1]", &ratio, err) !=
            GCV_OK ||
        ratio > 1.0)
        return gcv_param_check_reject(param, "null or a number in [0, 1]", err);
    gcv_log_warn("LogisticRegression parameter l1_ratio: only the elasticnet penalty reads it");
    return GCV_OK;
}

static const struct gcv_param_check_entry param_table[] = {
    {"penalty", parse_penalty},
    {"dual", parse_dual},
    {"tol", parse_tol},
    {"C", parse_C},
    {"fit_intercept", parse_fit_intercept},
    {"intercept_scaling", parse_intercept_scaling},
    {"class_weight", parse_class_weight},
    {"random_state", parse_random_state},
    {"solver", parse_solver},
    {"max_iter", parse_max_iter},
    {"multi_class", parse_multi_class},
    {"verbose", parse_verbose},
    {"warm_start", parse_warm_start},
    {"n_jobs", parse_n_jobs},
    {"l1_ratio", parse_l1_ratio},
};

static enum gcv_status logistic_params_parse(const struct gcv_param_set *params, void **out,
                                             struct gcv_error *err)
{
    struct gcv_logistic_params *parsed = malloc(sizeof *parsed);
    enum gcv_status status;

    *out = NULL;
    if (parsed == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for LogisticRegression "
                             "parameters");

    /* scikit-learn 1.2.1's defaults. */
    *parsed = (struct gcv_logistic_params){
        .C = 1.0,
        .penalized = true,
        .fit_intercept = true,
        .class_weight_balanced = false,
        .tol = 1e-4,
        .max_iter = 100,
        .multi_class = GCV_LOGISTIC_AUTO,
    };
    status = gcv_param_check_all("LogisticRegression", params, param_table,
                                 sizeof param_table / sizeof param_table[0], parsed, err);
    if (status != GCV_OK) {
        free(parsed);
        return status;
    }
    *out = parsed;
    return GCV_OK;
}

static void logistic_params_free(void *params)
{
    free(params);
}

/* ----- the loss ---------------------------------------------------------- */

/* One binary or multinomial problem and its work arrays. */
struct objective {
    size_t n_rows;
    size_t n_features;
    size_t n_classes;         /* 1 for a binary problem */
    bool fit_intercept;
    const double *X;          /* [n_rows * n_features], row-major, borrowed */
    const double *target;     /* [n_rows] 0/1, or the class position (multinomial) */
    const double *weights;    /* [n_rows] sample weights, or NULL for all 1 */
    double l2;                /* 1 / C, or 0 without penalty */
    double *raw;              /* [n_rows] raw predictions (binary) */
    double *losses;           /* [n_rows] */
    double *row_gradients;    /* [n_rows] (binary) */
    double *probabilities;    /* [n_classes] (multinomial) */
    double *intercept_gradient; /* [n_classes] (multinomial) */
    const double *point;      /* the multinomial evaluation's x, borrowed */
    struct gcv_lockstep *lockstep; /* (multinomial) the fits sharing the products, or a
                                      lockstep of this fit alone */
    size_t member;            /* this fit's member number in lockstep */
};

/* The half binomial loss and its derivative at raw prediction z, as
 * scikit-learn's closs_grad_half_binomial computes them. */
static void binomial_loss(double y, double z, double *loss, double *gradient)
{
    double e;

    if (z <= 0) {
        e = exp(z);
        *loss = (z <= -37 ? e : log1p(e)) - y * z;
        *gradient = ((1 - y) * e - y) / (1 + e);
    } else {
        e = exp(-z);
        *loss = (z <= 18 ? log1p(e) : e) + (1 - y) * z;
        *gradient = ((1 - y) - y * e) / (1 + e);
    }
}

/* The binary objective at x = (w, b) and its gradient. */
static double evaluate_binary(void *context, const double *x, double *gradient)
{
    struct objective *obj = context;
    const size_t n = obj->n_rows;
    const size_t d = obj->n_features;
    const double b = obj->fit_intercept ? x[d] : 0.0;
    double f;

    /* raw = X w + b: X [n x d] row-major, lda d. */
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)d, 1.0, obj->X, (int)d, x, 1, 0.0,
                obj->raw, 1);
    for (size_t i = 0; i < n; i++) {
        double loss, row_gradient;

        binomial_loss(obj->target[i], obj->raw[i] + b, &loss, &row_gradient);
        obj->losses[i] = obj->weights != NULL ? obj->weights[i] * loss : loss;
        obj->row_gradients[i] = obj->weights != NULL ? obj->weights[i] * row_gradient
                                                     : row_gradient;
    }

    f = gcv_stats_sum(obj->losses, n, 1) + 0.5 * obj->l2 * cblas_ddot((int)d, x, 1, x, 1);
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)d, 1.0, obj->X, (int)d,
                obj->row_gradients, 1, 0.0, gradient, 1);
    for (size_t j = 0; j < d; j++)
        gradient[j] += obj->l2 * x[j];
    if (obj->fit_intercept)
        gradient[d] = gcv_stats_sum(obj->row_gradients, n, 1);
    return f;
}

/* gcv_lockstep_rows_fn of the multinomial objective at obj->point: per
 * row, adds the intercepts to the raw predictions, then takes the loss
 * logsumexp - raw of the true class and the gradient softmax - one-hot,
 * the exponentials taken after subtracting the row's maximum. Sums the
 * rows' gradients into obj->intercept_gradient in row order. */
static void multinomial_rows(void *context, size_t first, size_t count, double *raw_rows,
                             size_t raw_stride, double *gradient_rows, size_t gradient_stride)
{
    struct objective *obj = context;
    const size_t d = obj->n_features;
    const size_t K = obj->n_classes;
    const double *x = obj->point;

    for (size_t r = 0; r < count; r++) {
        const size_t i = first + r;
        double *raw = raw_rows + r * raw_stride;
        double *row_gradient = gradient_rows + r * gradient_stride;
        const size_t label = (size_t)obj->target[i];
        const double weight = obj->weights != NULL ? obj->weights[i] : 1.0;
        double largest, sum_exps = 0, loss;

        for (size_t k = 0; k < K; k++)
            raw[k] += obj->fit_intercept ? x[k + K * d] : 0.0;
        largest = raw[0];
        for (size_t k = 1; k < K; k++)
            if (largest < raw[k])
                largest = raw[k];
        for (size_t k = 0; k < K; k++) {
            obj->probabilities[k] = exp(raw[k] - largest);
            sum_exps += obj->probabilities[k];
        }
        loss = log(sum_exps) + largest;
        for (size_t k = 0; k < K; k++) {
            if (label == k)
                loss -= raw[k];
            obj->probabilities[k] /= sum_exps;
            row_gradient[k] = obj->probabilities[k] - (label == k ? 1.0 : 0.0);
        }
        if (obj->weights != NULL) {
            loss *= weight;
            for (size_t k = 0; k < K; k++)
                row_gradient[k] *= weight;
        }
        obj->losses[i] = loss;
        for (size_t k = 0; k < K; k++)
            obj->intercept_gradient[k] += row_gradient[k];
    }
}

/* The multinomial objective at x, the n_classes x (n_features + 1) matrix
 * in Fortran order (entry (k, j) at x[k + n_classes j], the intercepts in
 * column n_features), and its gradient in the same layout. */
static double evaluate_multinomial(void *context, const double *x, double *gradient)
{
    struct objective *obj = context;
    const size_t n = obj->n_rows;
    const size_t d = obj->n_features;
    const size_t K = obj->n_classes;
    double f;

    /* raw [n x K] = X [n x d] times W^T, which the layout stores as a
     * [d x K] row-major matrix (ldb K); then per block of rows the losses
     * and G, and the gradient (k, j) = sum_i G[i][k] X[i][j], the [d x K]
     * row-major matrix X^T G (lockstep.h). */
    obj->point = x;
    for (size_t k = 0; k < K; k++)
        obj->intercept_gradient[k] = 0.0;
    gcv_lockstep_evaluate(obj->lockstep, obj->member, x, K, multinomial_rows, obj, gradient);

    f = gcv_stats_sum(obj->losses, n, 1) +
        0.5 * obj->l2 * cblas_ddot((int)(K * d), x, 1, x, 1);
    for (size_t k = 0; k < K * d; k++)
        gradient[k] += obj->l2 * x[k];
    if (obj->fit_intercept)
        for (size_t k = 0; k < K; k++)
            gradient[k + K * d] = obj->intercept_gradient[k];
    return f;
}

/* ----- fit --------------------------------------------------------------- */

static void logistic_model_free(void *model_pointer)
{
    struct gcv_logistic_model *model = model_pointer;

    if (model == NULL)
        return;
    free(model->classes);
    free(model->coef);
    free(model->intercept);
    free(model);
}

static const char *logistic_fit_warning(const void *model_pointer)
{
    const struct gcv_logistic_model *model = model_pointer;

    return model->converged ? NULL : model->warning;
}

/* Writes into x the solver's variables for problem row of previous, a
 * model fitted on the same rows with another C: row's (w, b) for a binary
 * problem, else every class's in scikit-learn's Fortran order. A
 * multinomial model of two classes kept only its second row, and the
 * first is its negation, as at the penalised optimum. */
static void start_point(const struct gcv_logistic_model *previous, size_t row,
                        const struct objective *obj, double *x)
{
    const size_t d = obj->n_features;
    const size_t K = obj->n_classes;

    for (size_t k = 0; k < K; k++) {
        const double sign = K == 2 && k == 0 ? -1.0 : 1.0;
        const size_t source = K == 1 ? row : (K == 2 ? 0 : k);

        for (size_t j = 0; j < d; j++)
            x[K == 1 ? j : k + K * j] = sign * previous->coef[source * d + j];
        if (obj->fit_intercept)
            x[K == 1 ? d : k + K * d] = sign * previous->intercept[source];
    }
}

/* Minimises obj from zero, or from previous's solution for problem row
 * when previous is not NULL, and writes the solution, n_classes rows of
 * (w, b), into coef[n_classes * d] and intercept[n_classes]. */
static enum gcv_status solve(const struct gcv_logistic_params *params, struct objective *obj,
                             const struct gcv_logistic_model *previous, size_t row,
                             double deadline, struct gcv_logistic_model *model, double *coef,
                             double *intercept, struct gcv_error *err)
{
    const size_t d = obj->n_features;
    const size_t K = obj->n_classes;
    const size_t n_variables = K * (d + (obj->fit_intercept ? 1 : 0));
    double *x = calloc(n_variables > 0 ? n_variables : 1, sizeof *x);
    struct gcv_lbfgs_result result;
    struct gcv_lbfgs_problem problem = {
        .n = n_variables,
        .evaluate = K == 1 ? evaluate_binary : evaluate_multinomial,
        .context = obj,
        .memory = 10,
        .pgtol = params->tol,
        .factr = 1e7,
        .max_iter = params->max_iter,
        .max_fun = 15000,
        .max_ls = 20,
        .deadline = deadline,
    };
    enum gcv_status status;

    if (x == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu coefficients",
                             n_variables);
    if (previous != NULL)
        start_point(previous, row, obj, x);
    if ((status = gcv_lbfgs_minimize(&problem, x, &result, err)) != GCV_OK) {
        free(x);
        return status;
    }

    for (size_t k = 0; k < K; k++) {
        for (size_t j = 0; j < d; j++)
            coef[k * d + j] = K == 1 ? x[j] : x[k + K * j];
        intercept[k] = 0.0;
        if (obj->fit_intercept)
            intercept[k] = K == 1 ? x[d] : x[k + K * d];
    }
    if (result.n_iter > model->n_iter)
        model->n_iter = result.n_iter < params->max_iter ? result.n_iter : params->max_iter;
    if (result.outcome != GCV_LBFGS_CONVERGED && model->converged) {
        model->converged = false;
        if (result.outcome == GCV_LBFGS_LINE_SEARCH_FAILED)
            snprintf(model->warning, sizeof model->warning,
                     "LogisticRegression: lbfgs found no acceptable step after %lld iterations "
                     "(ConvergenceWarning); consider scaling the features", result.n_iter);
        else
            snprintf(model->warning, sizeof model->warning,
                     "LogisticRegression: lbfgs stopped at max_iter=%lld before converging "
                     "(ConvergenceWarning); increase max_iter or scale the features",
                     params->max_iter);
        gcv_log_warn("%s", model->warning);
    }
    free(x);
    return GCV_OK;
}

/* Fits from zero, or from previous's solution when previous is not NULL
 * (a warm start along C). With a lockstep, the fit is its member number
 * member. Its training rows are then the gathered matrix shared_X[n * d],
 * and a multinomial problem takes its products through the lockstep. */
static enum gcv_status fit_path(const void *params_pointer, const struct gcv_rows *train,
                                const struct gcv_logistic_model *previous,
                                struct gcv_lockstep *lockstep, size_t member,
                                const double *shared_X, void **model_out,
                                struct gcv_error *err)
{
    const struct gcv_logistic_params *params = params_pointer;
    const size_t n = train->n_rows;
    const size_t d = train->n_features;
    const size_t n_codes = train->n_classes;
    struct gcv_logistic_model *model = NULL;
    struct objective obj = {0};
    size_t *count = NULL;        /* [n_codes] training rows of each code */
    size_t *position = NULL;     /* [n_codes] position of each present code */
    double *X = NULL;            /* [n * d] training rows */
    double *target = NULL;       /* [n] */
    double *weights = NULL;      /* [n] balanced class weights */
    struct gcv_lockstep *own_lockstep = NULL; /* a multinomial fit alone */
    size_t K;
    bool multinomial;
    enum gcv_status status = GCV_OK;

    *model_out = NULL;
    if (train->y_class == NULL)
        return gcv_error_set(err, GCV_ERR_DATA, "LogisticRegression needs class labels, and "
                             "the rows have none");

    count = calloc(n_codes > 0 ? n_codes : 1, sizeof *count);
    position = calloc(n_codes > 0 ? n_codes : 1, sizeof *position);
    model = calloc(1, sizeof *model);
    if (shared_X == NULL)
        X = malloc((n * d > 0 ? n * d : 1) * sizeof *X);
    target = malloc((n > 0 ? n : 1) * sizeof *target);
    weights = malloc((n > 0 ? n : 1) * sizeof *weights);
    if (count == NULL || position == NULL || model == NULL ||
        (shared_X == NULL && X == NULL) || target == NULL ||
        weights == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting LogisticRegression "
                               "on %zu rows", n);
        goto cleanup;
    }
    model->n_features = d;
    model->converged = true;

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
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting LogisticRegression");
        goto cleanup;
    }
    for (size_t c = 0; c < n_codes; c++) {
        if (count[c] == 0)
            continue;
        position[c] = model->n_classes;
        model->classes[model->n_classes++] = (int32_t)c;
    }
    K = model->n_classes;
    if (K < 2) {
        status = gcv_error_set(err, GCV_ERR_FIT, "This solver needs samples of at least 2 "
                               "classes in the data, but the data contains only one class: "
                               "class code %d", K == 1 ? (int)model->classes[0] : -1);
        goto cleanup;
    }
    multinomial = params->multi_class == GCV_LOGISTIC_MULTINOMIAL ||
                  (params->multi_class == GCV_LOGISTIC_AUTO && K > 2);
    model->multinomial = multinomial;
    if (previous != NULL && (previous->n_features != d || previous->n_classes != K ||
                             previous->multinomial != multinomial ||
                             memcmp(previous->classes, model->classes,
                                    K * sizeof *model->classes) != 0)) {
        status = gcv_error_set(err, GCV_ERR_INTERNAL, "LogisticRegression: the warm start "
                               "model was fitted on other classes or features (%zu classes, "
                               "%zu features; these rows have %zu and %zu)",
                               previous->n_classes, previous->n_features, K, d);
        goto cleanup;
    }

    /* One row per decision column: one for two classes, else one per class. */
    model->n_rows = K == 2 ? 1 : K;
    model->coef = calloc(K * (d > 0 ? d : 1), sizeof *model->coef);
    model->intercept = calloc(K, sizeof *model->intercept);
    obj.raw = malloc((n > 0 ? n : 1) * sizeof *obj.raw);
    obj.losses = malloc((n > 0 ? n : 1) * sizeof *obj.losses);
    obj.row_gradients = malloc((n > 0 ? n : 1) * sizeof *obj.row_gradients);
    obj.probabilities = malloc(K * sizeof *obj.probabilities);
    obj.intercept_gradient = malloc(K * sizeof *obj.intercept_gradient);
    if (model->coef == NULL || model->intercept == NULL || obj.raw == NULL ||
        obj.losses == NULL || obj.row_gradients == NULL || obj.probabilities == NULL ||
        obj.intercept_gradient == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting LogisticRegression "
                               "on %zu rows", n);
        goto cleanup;
    }
    if (shared_X == NULL)
        gcv_kernel_gather_rows(train, X);
    obj.n_rows = n;
    obj.n_features = d;
    obj.fit_intercept = params->fit_intercept;
    obj.X = shared_X != NULL ? shared_X : X;
    obj.target = target;
    obj.weights = params->class_weight_balanced ? weights : NULL;
    obj.l2 = params->penalized ? 1.0 / params->C : 0.0;

    if (multinomial) {
        /* One problem over all classes; with two, the second row is kept. */
        obj.n_classes = K;
        obj.lockstep = lockstep;
        obj.member = member;
        if (lockstep == NULL) {
            status = gcv_lockstep_create(obj.X, n, d, 1, K, &own_lockstep, err);
            if (status != GCV_OK)
                goto cleanup;
            obj.lockstep = own_lockstep;
            obj.member = 0;
        }
        for (size_t r = 0; r < n; r++) {
            const int32_t code = train->y_class[train->index[r]];
            target[r] = (double)position[code];
            weights[r] = (double)n / ((double)K * (double)count[code]);
        }
        status = solve(params, &obj, previous, 0, train->deadline, model, model->coef,
                       model->intercept, err);
        if (status == GCV_OK && K == 2) {
            memmove(model->coef, model->coef + d, d * sizeof *model->coef);
            model->intercept[0] = model->intercept[1];
        }
    } else {
        /* One binary problem per decision column: the class of the column
         * (the second class when there are two) against the rest. */
        obj.n_classes = 1;
        for (size_t row = 0; row < model->n_rows && status == GCV_OK; row++) {
            const size_t positive = K == 2 ? 1 : row;
            size_t n_positive = 0;

            for (size_t r = 0; r < n; r++) {
                target[r] = position[train->y_class[train->index[r]]] == positive ? 1.0 : 0.0;
                n_positive += target[r] == 1.0;
            }
            for (size_t r = 0; r < n; r++)
                weights[r] = (double)n / (2.0 * (double)(target[r] == 1.0 ? n_positive
                                                                           : n - n_positive));
            status = solve(params, &obj, previous, row, train->deadline, model,
                           model->coef + row * d, model->intercept + row, err);
        }
    }

cleanup:
    free(count);
    free(position);
    free(X);
    free(target);
    free(weights);
    free(obj.raw);
    free(obj.losses);
    free(obj.row_gradients);
    free(obj.probabilities);
    free(obj.intercept_gradient);
    gcv_lockstep_free(own_lockstep);
    if (status != GCV_OK) {
        logistic_model_free(model);
        return status;
    }
    *model_out = model;
    return GCV_OK;
}

static enum gcv_status logistic_fit(const void *params, const struct gcv_rows *train,
                                    void **model, struct gcv_error *err)
{
    return fit_path(params, train, NULL, NULL, 0, NULL, model, err);
}

static enum gcv_status logistic_fit_from(const void *params, const struct gcv_rows *train,
                                         const void *previous, void **model,
                                         struct gcv_error *err)
{
    return fit_path(params, train, previous, NULL, 0, NULL, model, err);
}

/* The fits of one batch, for the lockstep's members. */
struct batch {
    const void *const *params;   /* [n] */
    const struct gcv_rows *train;
    struct gcv_lockstep *lockstep;
    const double *X;             /* [n_rows * n_features] the gathered training rows */
    void **models;               /* [n] */
    enum gcv_status *statuses;   /* [n] */
    struct gcv_error *errors;    /* [n] */
};

static void fit_member(void *pointer, size_t member)
{
    struct batch *batch = pointer;

    batch->statuses[member] = fit_path(batch->params[member], batch->train, NULL,
                                       batch->lockstep, member, batch->X,
                                       &batch->models[member], &batch->errors[member]);
}

/* Fits n settings in lockstep (lockstep.h): a multinomial problem's
 * products are shared, one-vs-rest problems run one after the other as
 * in fit. Each model matches a fit alone within rounding (lockstep.h). */
static enum gcv_status logistic_fit_batch(const void *const *params, size_t n,
                                          const struct gcv_rows *train, void **models,
                                          enum gcv_status *statuses, struct gcv_error *errors,
                                          struct gcv_error *err)
{
    const size_t rows = train->n_rows, d = train->n_features;
    struct batch batch = {params, train, NULL, NULL, models, statuses, errors};
    double *X = malloc((rows * d > 0 ? rows * d : 1) * sizeof *X); /* [rows * d] */
    enum gcv_status status;

    for (size_t i = 0; i < n; i++)
        models[i] = NULL;
    if (X == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting %zu LogisticRegression "
                             "settings on %zu rows", n, rows);
    gcv_kernel_gather_rows(train, X);
    status = gcv_lockstep_create(X, rows, d, n, train->n_classes > 0 ? train->n_classes : 1,
                                 &batch.lockstep, err);
    if (status == GCV_OK) {
        batch.X = X;
        gcv_lockstep_run(batch.lockstep, fit_member, &batch);
    }
    gcv_lockstep_free(batch.lockstep);
    free(X);
    return status;
}

/* ----- predict ----------------------------------------------------------- */

enum gcv_status gcv_logistic_decision(const struct gcv_logistic_model *model,
                                      const struct gcv_rows *rows, double *out,
                                      struct gcv_error *err)
{
    return gcv_estimator_linear_decision("LogisticRegression", model->coef, model->intercept,
                                         model->n_features, model->n_rows, rows, out, err);
}

/* gcv_estimator_decision_fn of a LogisticRegression model. */
static enum gcv_status logistic_decision_values(const void *model, const struct gcv_rows *rows,
                                                double *values, struct gcv_error *err)
{
    return gcv_logistic_decision(model, rows, values, err);
}

static enum gcv_status logistic_predict(const void *model_pointer, const struct gcv_rows *rows,
                                        double *out, struct gcv_error *err)
{
    const struct gcv_logistic_model *model = model_pointer;

    return gcv_estimator_predict_linear(model, rows, model->n_rows, model->classes,
                                        logistic_decision_values, out, err);
}

/* gcv_estimator_ops.decision_function: the fitted classes, and the one
 * decision column of a model fitted on two classes. */
static enum gcv_status logistic_decision_op(const void *model_pointer,
                                            const struct gcv_rows *rows, double *out,
                                            int32_t *classes, size_t *n_classes,
                                            struct gcv_error *err)
{
    const struct gcv_logistic_model *model = model_pointer;

    return gcv_estimator_decision_op(model, rows, model->classes, model->n_classes,
                                     logistic_decision_values, out, classes, n_classes, err);
}

/* gcv_estimator_ops.predict_proba, as LogisticRegression.predict_proba:
 * for one-vs-rest fits (two classes without multi_class="multinomial", or
 * "ovr") the logistic function of each decision column, a single column p
 * giving (1 - p, p) and several normalised by their row sum; for
 * multinomial fits the softmax of the decision columns, a single column d
 * standing for (-d, d). */
static enum gcv_status logistic_proba_op(const void *model_pointer, const struct gcv_rows *rows,
                                         double *out, int32_t *classes, size_t *n_classes,
                                         struct gcv_error *err)
{
    const struct gcv_logistic_model *model = model_pointer;
    const size_t m = rows->n_rows;
    const size_t K = model->n_classes;
    const size_t t = model->n_rows;
    double *decision = malloc((m * t > 0 ? m * t : 1) * sizeof *decision);
    enum gcv_status status;

    if (decision == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory predicting %zu rows", m);
    for (size_t c = 0; c < K; c++)
        classes[c] = model->classes[c];
    *n_classes = K;
    status = gcv_logistic_decision(model, rows, decision, err);

    for (size_t r = 0; r < m && status == GCV_OK; r++) {
        const double *values = decision + r * t;
        double *proba = out + r * K;
        double largest, total = 0;

        if (!model->multinomial) {
            for (size_t c = 0; c < t; c++)
                proba[t == 1 ? 1 : c] = 1.0 / (1.0 + exp(-values[c]));
            if (t == 1) {
                proba[0] = 1 - proba[1];
                continue;
            }
            for (size_t c = 0; c < K; c++)
                total += proba[c];
            for (size_t c = 0; c < K; c++)
                proba[c] /= total;
            continue;
        }

        if (t == 1) {
            proba[0] = -values[0];
            proba[1] = values[0];
        } else {
            memcpy(proba, values, K * sizeof *proba);
        }
        largest = proba[0];
        for (size_t c = 1; c < K; c++)
            largest = fmax(largest, proba[c]);
        for (size_t c = 0; c < K; c++) {
            proba[c] = exp(proba[c] - largest);
            total += proba[c];
        }
        for (size_t c = 0; c < K; c++)
            proba[c] /= total;
    }
    free(decision);
    return status;
}

/* ----- save and load ----------------------------------------------------- */

/* gcv_estimator_ops.save: classes, coef_, intercept_ and the loss, which
 * are all that prediction reads. */
static enum gcv_status logistic_save(const void *model_pointer, hid_t group,
                                     struct gcv_error *err)
{
    const struct gcv_logistic_model *model = model_pointer;
    const struct gcv_linear_arrays arrays = {
        model->n_features, model->n_classes, model->n_rows,
        model->classes, model->coef, model->intercept,
    };
    enum gcv_status status;

    if ((status = gcv_model_file_put_int(group, "multinomial", model->multinomial, err)) !=
        GCV_OK)
        return status;
    return gcv_estimator_save_linear(&arrays, group, err);
}

/* gcv_estimator_ops.load: the inverse of logistic_save, reporting
 * convergence. */
static enum gcv_status logistic_load(hid_t group, void **model_out, struct gcv_error *err)
{
    struct gcv_logistic_model *model = calloc(1, sizeof *model);
    struct gcv_linear_arrays arrays = {0};
    long long multinomial = 0;
    enum gcv_status status;

    *model_out = NULL;
    if (model == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory loading a LogisticRegression");
    model->converged = true;
    status = gcv_model_file_get_int(group, "multinomial", &multinomial, err);
    model->multinomial = multinomial != 0;
    if (status == GCV_OK)
        status = gcv_estimator_load_linear(group, "LogisticRegression", &arrays, err);
    model->n_features = arrays.n_features;
    model->n_classes = arrays.n_classes;
    model->n_rows = arrays.n_rows;
    model->classes = arrays.classes;
    model->coef = arrays.coef;
    model->intercept = arrays.intercept;
    if (status != GCV_OK) {
        logistic_model_free(model);
        return status;
    }
    *model_out = model;
    return GCV_OK;
}

const struct gcv_estimator_ops gcv_logistic_ops = {
    .name = "LogisticRegression",
    .kind = GCV_ESTIMATOR_CLASSIFIER,
    .params_parse = logistic_params_parse,
    .params_free = logistic_params_free,
    .fit = logistic_fit,
    .predict = logistic_predict,
    .model_free = logistic_model_free,
    .fit_warning = logistic_fit_warning,
    .decision_function = logistic_decision_op,
    .predict_proba = logistic_proba_op,
    .path_param = "C",
    .path_increasing = true,
    .fit_from = logistic_fit_from,
    .fit_batch = logistic_fit_batch,
    .save = logistic_save,
    .load = logistic_load,
};
