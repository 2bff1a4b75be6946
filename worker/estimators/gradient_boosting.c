/* Gradient boosting of regression trees as scikit-learn 1.2.1 fits it
 * (GradientBoostingClassifier, GradientBoostingRegressor).
 *
 * Objective: the training loss L(y, F) of an additive model
 *     F_M(x) = F_0(x) + learning_rate * sum_{m=1..M} f_m(x),
 * F_0 being the loss's init estimator (the log-odds or log of the class
 * priors, the mean, the median or the alpha-quantile of y). Stage m fits
 * each f_m, one regression tree per column of F, to the negative gradient
 * of L at F_{m-1} on a subsample of the rows, then replaces the value of
 * each leaf by the loss's own step on the rows of that leaf: one Newton
 * step sum(w g) / sum(w h) for log_loss (times (K - 1) / K for K > 2
 * classes) and exponential, the weighted median or alpha-quantile of the
 * residuals for absolute_error and quantile, the median plus the mean
 * clipped deviation from it for huber, the tree's mean for squared_error.
 *
 * Stopping rule: n_estimators stages. With n_iter_no_change, the fit
 * holds out validation_fraction of the rows (train_test_split with
 * random_state, stratified for a classifier) and stops after the first
 * stage whose validation loss plus tol is not below one of the last
 * n_iter_no_change losses, keeping that stage.
 *
 * Cost: n_estimators * K trees on n rows, each O(max_features * n log^2 n)
 * with tree.h, plus O(n) per tree for the gradient and the leaf steps
 * (O(n log n) for the median, quantile and huber steps).
 *
 * Reference: J. H. Friedman, "Greedy function approximation: a gradient
 * boosting machine", Annals of Statistics 29(5), 2001, and "Stochastic
 * gradient boosting", Computational Statistics & Data Analysis 38(4), 2002,
 * as implemented in scikit-learn 1.2.1's sklearn/ensemble/_gb.py and
 * _gb_losses.py. The arithmetic follows scikit-learn's order of
 * operations, numpy's pairwise sums included, and one numpy RandomState
 * seeded with random_state draws the subsample of each stage and the
 * feature generator of each tree in scikit-learn's order. */
#include "gradient_boosting.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../common/log.h"
#include "../../common/model_file.h"
#include "../../common/random.h"
#include "../../common/split.h"
#include "../../common/stats.h"
#include "param_check.h"

/* numpy's float32 eps, the clip of the prior probabilities before their
 * log. */
#define PROBA_EPS ((double)FLT_EPSILON)

/* The denominator below which a Newton step is replaced by 0. */
#define NEWTON_MIN_DENOMINATOR 1e-150

static const char *estimator_name(bool classifier)
{
    return classifier ? "GradientBoostingClassifier" : "GradientBoostingRegressor";
}

/* ----- parameters -------------------------------------------------------- */

/* The parameters being parsed. */
struct raw_params {
    struct gcv_gb_params gb;
    bool classifier;
    bool max_features_auto;
    bool loss_deviance;
};

static enum gcv_status parse_loss(const struct gcv_param *param, void *out,
                                  struct gcv_error *err)
{
    static const char *const classifier_names[] = {"log_loss", "deviance", "exponential"};
    static const char *const regressor_names[] = {"squared_error", "absolute_error", "huber",
                                                  "quantile"};
    static const enum gcv_gb_loss regressor_losses[] = {
        GCV_GB_SQUARED_ERROR, GCV_GB_ABSOLUTE_ERROR, GCV_GB_HUBER, GCV_GB_QUANTILE};
    struct raw_params *raw = out;
    int choice;

    if (raw->classifier) {
        if (gcv_param_check_choice(param, classifier_names, 3,
                                   "one of \"log_loss\", \"exponential\" (\"deviance\" is "
                                   "deprecated)", &choice, err) != GCV_OK)
            return GCV_ERR_PARAM;
        raw->gb.loss = choice == 2 ? GCV_GB_EXPONENTIAL : GCV_GB_LOG_LOSS;
        raw->loss_deviance = choice == 1;
        return GCV_OK;
    }
    if (gcv_param_check_choice(param, regressor_names, 4,
                               "one of \"squared_error\", \"absolute_error\", \"huber\", "
                               "\"quantile\"", &choice, err) != GCV_OK)
        return GCV_ERR_PARAM;
    raw->gb.loss = regressor_losses[choice];
    return GCV_OK;
}

static enum gcv_status parse_learning_rate(const struct gcv_param *param, void *out,
                                           struct gcv_error *err)
{
    return gcv_param_check_number(param, 0.0, false, "a number >= 0",
                                  &((struct raw_params *)out)->gb.learning_rate, err);
}

static enum gcv_status parse_n_estimators(const struct gcv_param *param, void *out,
                                          struct gcv_error *err)
{
    return gcv_param_check_integer(param, 1, LLONG_MAX, "an integer >= 1",
                                   &((struct raw_params *)out)->gb.n_estimators, err);
}

static enum gcv_status parse_subsample(const struct gcv_param *param, void *out,
                                       struct gcv_error *err)
{
    double subsample;

    if (gcv_param_check_number(param, 0.0, true, "a number in (0, 1]", &subsample, err) !=
        GCV_OK)
        return GCV_ERR_PARAM;
    if (subsample > 1.0)
        return gcv_param_check_reject(param, "a number in (0, 1]", err);
    ((struct raw_params *)out)->gb.subsample = subsample;
    return GCV_OK;
}

/* Reads a number in the open interval (0, 1) into *value. */
static enum gcv_status parse_open_fraction(const struct gcv_param *param, double *value,
                                           struct gcv_error *err)
{
    if (gcv_param_check_number(param, 0.0, true, "a number in (0, 1)", value, err) != GCV_OK)
        return GCV_ERR_PARAM;
    if (*value >= 1.0)
        return gcv_param_check_reject(param, "a number in (0, 1)", err);
    return GCV_OK;
}

static enum gcv_status parse_alpha(const struct gcv_param *param, void *out,
                                   struct gcv_error *err)
{
    return parse_open_fraction(param, &((struct raw_params *)out)->gb.alpha, err);
}

static enum gcv_status parse_validation_fraction(const struct gcv_param *param, void *out,
                                                 struct gcv_error *err)
{
    return parse_open_fraction(param, &((struct raw_params *)out)->gb.validation_fraction,
                               err);
}

static enum gcv_status parse_n_iter_no_change(const struct gcv_param *param, void *out,
                                              struct gcv_error *err)
{
    struct raw_params *raw = out;

    if (param->value.kind == GCV_VALUE_NULL) {
        raw->gb.n_iter_no_change = 0;
        return GCV_OK;
    }
    return gcv_param_check_integer(param, 1, LLONG_MAX, "an integer >= 1 or null",
                                   &raw->gb.n_iter_no_change, err);
}

static enum gcv_status parse_tol(const struct gcv_param *param, void *out,
                                 struct gcv_error *err)
{
    return gcv_param_check_number(param, 0.0, false, "a number >= 0",
                                  &((struct raw_params *)out)->gb.tol, err);
}

static enum gcv_status parse_init(const struct gcv_param *param, void *out,
                                  struct gcv_error *err)
{
    struct raw_params *raw = out;

    if (param->value.kind == GCV_VALUE_NULL) {
        raw->gb.init_zero = false;
        return GCV_OK;
    }
    if (gcv_param_check_is_string(param, "zero")) {
        raw->gb.init_zero = true;
        return GCV_OK;
    }
    return gcv_param_check_reject(param, "null or \"zero\" (an estimator object cannot be "
                                  "written in a spec)", err);
}

static enum gcv_status parse_criterion(const struct gcv_param *param, void *out,
                                       struct gcv_error *err)
{
    static const char *const names[] = {"friedman_mse", "squared_error"};
    struct raw_params *raw = out;
    int choice;

    if (gcv_param_check_choice(param, names, 2, "\"friedman_mse\" or \"squared_error\"",
                               &choice, err) != GCV_OK)
        return GCV_ERR_PARAM;
    raw->gb.tree.criterion = choice == 0 ? GCV_TREE_FRIEDMAN_MSE : GCV_TREE_SQUARED_ERROR;
    return GCV_OK;
}

static enum gcv_status parse_max_depth(const struct gcv_param *param, void *out,
                                       struct gcv_error *err)
{
    return gcv_tree_param_max_depth(param, &((struct raw_params *)out)->gb.tree, err);
}

static enum gcv_status parse_min_samples_split(const struct gcv_param *param, void *out,
                                               struct gcv_error *err)
{
    return gcv_tree_param_min_samples_split(param, &((struct raw_params *)out)->gb.tree, err);
}

static enum gcv_status parse_min_samples_leaf(const struct gcv_param *param, void *out,
                                              struct gcv_error *err)
{
    return gcv_tree_param_min_samples_leaf(param, &((struct raw_params *)out)->gb.tree, err);
}

static enum gcv_status parse_min_weight_fraction_leaf(const struct gcv_param *param, void *out,
                                                      struct gcv_error *err)
{
    return gcv_tree_param_min_weight_fraction_leaf(param, &((struct raw_params *)out)->gb.tree,
                                                   err);
}

static enum gcv_status parse_max_features(const struct gcv_param *param, void *out,
                                          struct gcv_error *err)
{
    struct raw_params *raw = out;
    enum gcv_status status;

    status = gcv_tree_param_max_features(param, &raw->gb.tree, &raw->max_features_auto, err);

    /* scikit-learn 1.2.1 passes "auto" on to each stage's
     * DecisionTreeRegressor, which reads it as every feature, also inside
     * GradientBoostingClassifier. */
    if (status == GCV_OK && raw->max_features_auto)
        raw->gb.tree.max_features = GCV_TREE_FEATURES_ALL;
    return status;
}

static enum gcv_status parse_random_state(const struct gcv_param *param, void *out,
                                          struct gcv_error *err)
{
    return gcv_tree_param_random_state(param, &((struct raw_params *)out)->gb.tree, err);
}

static enum gcv_status parse_max_leaf_nodes(const struct gcv_param *param, void *out,
                                            struct gcv_error *err)
{
    return gcv_tree_param_max_leaf_nodes(param, &((struct raw_params *)out)->gb.tree, err);
}

static enum gcv_status parse_min_impurity_decrease(const struct gcv_param *param, void *out,
                                                   struct gcv_error *err)
{
    return gcv_tree_param_min_impurity_decrease(param, &((struct raw_params *)out)->gb.tree, err);
}

static enum gcv_status parse_ccp_alpha(const struct gcv_param *param, void *out,
                                       struct gcv_error *err)
{
    return gcv_tree_param_ccp_alpha(param, &((struct raw_params *)out)->gb.tree, err);
}

static enum gcv_status parse_verbose(const struct gcv_param *param, void *out,
                                     struct gcv_error *err)
{
    (void)out;
    if (param->value.kind == GCV_VALUE_BOOL ||
        (param->value.kind == GCV_VALUE_INT && param->value.integer >= 0))
        return GCV_OK;
    return gcv_param_check_reject(param, "an integer >= 0 or a boolean", err);
}

static enum gcv_status parse_warm_start(const struct gcv_param *param, void *out,
                                        struct gcv_error *err)
{
    struct raw_params *raw = out;
    bool warm_start;

    /* Every fit of a search starts from a fresh estimator, as
     * GridSearchCV's clone does, so warm_start never finds stages to keep. */
    return gcv_param_check_bool(estimator_name(raw->classifier), param, &warm_start, err);
}

static const struct gcv_param_check_entry classifier_params[] = {
    {"loss", parse_loss},
    {"learning_rate", parse_learning_rate},
    {"n_estimators", parse_n_estimators},
    {"subsample", parse_subsample},
    {"criterion", parse_criterion},
    {"min_samples_split", parse_min_samples_split},
    {"min_samples_leaf", parse_min_samples_leaf},
    {"min_weight_fraction_leaf", parse_min_weight_fraction_leaf},
    {"max_depth", parse_max_depth},
    {"min_impurity_decrease", parse_min_impurity_decrease},
    {"init", parse_init},
    {"random_state", parse_random_state},
    {"max_features", parse_max_features},
    {"verbose", parse_verbose},
    {"max_leaf_nodes", parse_max_leaf_nodes},
    {"warm_start", parse_warm_start},
    {"validation_fraction", parse_validation_fraction},
    {"n_iter_no_change", parse_n_iter_no_change},
    {"tol", parse_tol},
    {"ccp_alpha", parse_ccp_alpha},
};

#define N_CLASSIFIER_PARAMS (sizeof classifier_params / sizeof classifier_params[0])

enum gcv_status gcv_gb_params_parse(bool classifier, const struct gcv_param_set *params,
                                    void **out, struct gcv_error *err)
{
    struct gcv_param_check_entry table[N_CLASSIFIER_PARAMS + 1];
    const char *name = estimator_name(classifier);
    struct gcv_tree_params *tree;
    struct gcv_gb_params *parsed;
    struct raw_params raw;
    size_t n_entries = N_CLASSIFIER_PARAMS;
    enum gcv_status status;

    *out = NULL;
    memcpy(table, classifier_params, sizeof classifier_params);
    if (!classifier)
        table[n_entries++] = (struct gcv_param_check_entry){"alpha", parse_alpha};

    /* scikit-learn's defaults. */
    memset(&raw, 0, sizeof raw);
    raw.classifier = classifier;
    raw.gb.loss = classifier ? GCV_GB_LOG_LOSS : GCV_GB_SQUARED_ERROR;
    raw.gb.learning_rate = 0.1;
    raw.gb.n_estimators = 100;
    raw.gb.subsample = 1.0;
    raw.gb.alpha = 0.9;
    raw.gb.validation_fraction = 0.1;
    raw.gb.tol = 1e-4;
    tree = &raw.gb.tree;
    tree->criterion = GCV_TREE_FRIEDMAN_MSE;
    tree->splitter = GCV_TREE_SPLITTER_BEST;
    tree->max_depth = 3;
    tree->min_samples_split = 2;
    tree->min_samples_leaf = 1;
    tree->max_features = GCV_TREE_FEATURES_ALL;
    tree->class_weight = GCV_TREE_CLASS_WEIGHT_NONE;

    status = gcv_param_check_all(name, params, table, n_entries, &raw, err);
    if (status != GCV_OK)
        return status;
    if (raw.loss_deviance)
        gcv_log_warn("%s parameter loss=\"deviance\" is deprecated since scikit-learn 1.1; "
                     "write \"log_loss\", which is the same loss", name);
    if (raw.max_features_auto)
        gcv_log_warn("%s parameter max_features=\"auto\" is deprecated since scikit-learn 1.1; "
                     "its trees consider every feature, so write null", name);

    parsed = malloc(sizeof *parsed);
    if (parsed == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %s parameters", name);
    *parsed = raw.gb;
    *out = parsed;
    return GCV_OK;
}

/* ----- numerics as numpy and scipy compute them ------------------------- */

/* scipy.special.expit. */
static double expit(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

/* numpy.sign of one value: -1, 0 or 1. */
static double sign_of(double x)
{
    if (x > 0.0)
        return 1.0;
    if (x < 0.0)
        return -1.0;
    return 0.0;
}

/* numpy.nan_to_num of one value. */
static double nan_to_num(double x)
{
    if (isnan(x))
        return 0.0;
    if (isinf(x))
        return x > 0 ? DBL_MAX : -DBL_MAX;
    return x;
}

/* scipy.special.logsumexp of values[n]: the maximum (0 when not finite)
 * plus the log of the pairwise sum of exp(value - maximum). scratch has
 * room for n values. */
static double log_sum_exp(const double *values, size_t n, double *scratch)
{
    double max = values[0];

    for (size_t k = 1; k < n; k++)
        if (values[k] > max || isnan(values[k]))
            max = values[k];
    if (!isfinite(max))
        max = 0.0;
    for (size_t k = 0; k < n; k++)
        scratch[k] = exp(values[k] - max);
    return log(gcv_stats_sum(scratch, n, 1)) + max;
}

static int compare_doubles(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* numpy.percentile(values, q) with the default linear method, for q in
 * [0, 100]; sorts values[n] in place, n >= 1. */
static double percentile_linear(double *values, size_t n, double q)
{
    const double virtual_index = (double)(n - 1) * (q / 100.0);
    size_t previous, next;
    double gamma, diff;

    qsort(values, n, sizeof *values, compare_doubles);
    if (virtual_index >= (double)(n - 1))
        return values[n - 1];
    previous = (size_t)floor(virtual_index);
    next = previous + 1;
    gamma = virtual_index - (double)previous;
    diff = values[next] - values[previous];
    /* numpy's _lerp computes from the nearer end. */
    if (gamma >= 0.5)
        return values[next] - diff * (1.0 - gamma);
    return values[previous] + diff * gamma;
}

/* One value and its weight, for the weighted percentile. */
struct weighted {
    double value;
    double weight;
};

static int compare_weighted(const void *a, const void *b)
{
    return compare_doubles(&((const struct weighted *)a)->value,
                           &((const struct weighted *)b)->value);
}

/* scikit-learn's _weighted_percentile(values, weights, percentile): the
 * first sorted value whose cumulative weight reaches percentile / 100 of
 * the total. Sorts items[n] in place, n >= 1.
 * NOTE: neither numpy's argsort nor qsort is stable, so equal values of
 * different weights may be visited in another order than scikit-learn's.
 * The rows of a boosting leaf all weigh 1, so there the order changes
 * nothing. */
static double weighted_percentile(struct weighted *items, size_t n, double percentile)
{
    double cumulative = 0.0, target, total = 0.0;

    qsort(items, n, sizeof *items, compare_weighted);
    for (size_t i = 0; i < n; i++)
        total += items[i].weight;
    target = percentile / 100.0 * total;
    if (target == 0.0)
        target = nextafter(0.0, 1.0);
    for (size_t i = 0; i < n; i++) {
        cumulative += items[i].weight;
        if (cumulative >= target)
            return items[i].value;
    }
    return items[n - 1].value;
}

/* ----- fitting ------------------------------------------------------------ */

static double monotonic_seconds(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
}

/* The working arrays of one fit. */
struct fit_state {
    const struct gcv_gb_params *params;
    const struct gcv_rows *train;
    struct gcv_tree_data data;  /* y: class index or target */
    size_t n;                   /* training rows */
    size_t n_columns;
    double *raw;                /* [n * n_columns] raw predictions, row-major */
    double *raw_before;         /* [n * n_columns] raw predictions before the stage */
    double *target;             /* [n] y of the current tree (the class indicator for K > 2) */
    double *residual;           /* [n] negative gradient, the tree's targets */
    double *weight;             /* [n] 1 in the stage's subsample, else 0 */
    size_t *leaf;               /* [n] leaf of each row */
    size_t *order;              /* [n] in-bag rows sorted by leaf, stable */
    size_t *leaf_start;         /* [max nodes + 1] */
    size_t leaf_start_size;
    double *numerator;          /* [n] per-row terms of a leaf's step */
    double *denominator;        /* [n] */
    struct weighted *items;     /* [n] */
    double *scratch;            /* [n_columns] */
    double huber_gamma;         /* huber: the alpha-quantile of |y - F| before the stage */
};

static void fit_state_free(struct fit_state *s)
{
    gcv_tree_data_free(&s->data);
    free(s->raw);
    free(s->raw_before);
    free(s->target);
    free(s->residual);
    free(s->weight);
    free(s->leaf);
    free(s->order);
    free(s->leaf_start);
    free(s->numerator);
    free(s->denominator);
    free(s->items);
    free(s->scratch);
}

static enum gcv_status fit_state_alloc(struct fit_state *s, struct gcv_error *err)
{
    const size_t n = s->n, K = s->n_columns;

    s->raw = malloc(n * K * sizeof *s->raw);
    s->raw_before = malloc(n * K * sizeof *s->raw_before);
    s->target = malloc(n * sizeof *s->target);
    s->residual = malloc(n * sizeof *s->residual);
    s->weight = malloc(n * sizeof *s->weight);
    s->leaf = malloc(n * sizeof *s->leaf);
    s->order = malloc(n * sizeof *s->order);
    s->numerator = malloc(n * sizeof *s->numerator);
    s->denominator = malloc(n * sizeof *s->denominator);
    s->items = malloc(n * sizeof *s->items);
    s->scratch = malloc(K * sizeof *s->scratch);
    if (s->raw == NULL || s->raw_before == NULL || s->target == NULL || s->residual == NULL ||
        s->weight == NULL || s->leaf == NULL || s->order == NULL || s->numerator == NULL ||
        s->denominator == NULL || s->items == NULL || s->scratch == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for gradient boosting on %zu "
                             "rows", n);
    return GCV_OK;
}

/* Writes the init estimator's raw predictions into init_raw[n_columns]:
 * the clipped log-odds (halved for exponential) or log priors of the
 * classes, or the mean, median or alpha-quantile of the targets. */
static enum gcv_status init_raw_predictions(struct fit_state *s, double *init_raw,
                                            struct gcv_error *err)
{
    const struct gcv_gb_params *params = s->params;
    const size_t n = s->n, K = s->n_columns;

    if (params->init_zero) {
        for (size_t k = 0; k < K; k++)
            init_raw[k] = 0.0;
        return GCV_OK;
    }
    switch (params->loss) {
    case GCV_GB_LOG_LOSS:
    case GCV_GB_EXPONENTIAL: {
        size_t *counts = calloc(s->data.n_classes, sizeof *counts);

        if (counts == NULL)
            return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory counting classes");
        for (size_t i = 0; i < n; i++)
            counts[(size_t)s->data.y[i]]++;
        for (size_t c = 0; c < s->data.n_classes; c++) {
            const double p = fmin(fmax((double)counts[c] / (double)n, PROBA_EPS),
                                  1.0 - PROBA_EPS);

            if (K > 1)
                init_raw[c] = log(p);
            else if (c == 1)
                init_raw[0] = params->loss == GCV_GB_EXPONENTIAL ? 0.5 * log(p / (1.0 - p))
                                                                 : log(p / (1.0 - p));
        }
        free(counts);
        return GCV_OK;
    }
    case GCV_GB_SQUARED_ERROR:
        init_raw[0] = gcv_stats_mean(s->data.y, n, 1);
        return GCV_OK;
    case GCV_GB_ABSOLUTE_ERROR:
    case GCV_GB_HUBER:
    case GCV_GB_QUANTILE:
        memcpy(s->numerator, s->data.y, n * sizeof *s->numerator);
        init_raw[0] = percentile_linear(s->numerator, n,
                                        params->loss == GCV_GB_QUANTILE ? params->alpha * 100.0
                                                                        : 50.0);
        return GCV_OK;
    }
    return GCV_OK;
}

/* scikit-learn's _random_sample_mask: of the n rows, keeps n_inbag, row i
 * when uniform() * (n - i) < the rows still to keep. */
static void draw_subsample(struct fit_state *s, struct gcv_random *rng)
{
    const size_t n = s->n;
    size_t n_inbag = (size_t)(s->params->subsample * (double)n), n_kept = 0;

    if (n_inbag < 1)
        n_inbag = 1;
    for (size_t i = 0; i < n; i++) {
        const double u = gcv_random_uniform(rng, 0.0, 1.0);

        if (u * (double)(n - i) < (double)(n_inbag - n_kept)) {
            s->weight[i] = 1.0;
            n_kept++;
        } else {
            s->weight[i] = 0.0;
        }
    }
}

/* Writes tree k's targets and the negative gradient of the loss at
 * raw_before into target and residual. */
static void compute_residuals(struct fit_state *s, size_t k)
{
    const size_t n = s->n, K = s->n_columns;
    const double alpha = s->params->alpha;

    /* Huber's threshold: the weighted alpha-quantile of |y - F| over every
     * row, each of weight 1, because scikit-learn applies the subsample
     * to the weights only after the gradient. */
    if (s->params->loss == GCV_GB_HUBER) {
        for (size_t i = 0; i < n; i++) {
            s->items[i].value = fabs(s->data.y[i] - s->raw_before[i]);
            s->items[i].weight = 1.0;
        }
        s->huber_gamma = weighted_percentile(s->items, n, alpha * 100.0);
    }

    for (size_t i = 0; i < n; i++) {
        const double raw = s->raw_before[i * K + k];
        const double y = s->data.y[i];

        switch (s->params->loss) {
        case GCV_GB_LOG_LOSS:
            if (K > 1) {
                const double lse = log_sum_exp(s->raw_before + i * K, K, s->scratch);

                s->target[i] = (size_t)y == k ? 1.0 : 0.0;
                s->residual[i] = s->target[i] - nan_to_num(exp(raw - lse));
            } else {
                s->target[i] = y;
                s->residual[i] = y - expit(raw);
            }
            break;
        case GCV_GB_EXPONENTIAL: {
            const double sign = 2.0 * y - 1.0;

            s->target[i] = y;
            s->residual[i] = sign * exp(-sign * raw);
            break;
        }
        case GCV_GB_SQUARED_ERROR:
            s->target[i] = y;
            s->residual[i] = y - raw;
            break;
        case GCV_GB_ABSOLUTE_ERROR:
            s->target[i] = y;
            s->residual[i] = y - raw > 0.0 ? 1.0 : -1.0;
            break;
        case GCV_GB_QUANTILE:
            s->target[i] = y;
            s->residual[i] = y > raw ? alpha : -(1.0 - alpha);
            break;
        case GCV_GB_HUBER: {
            const double diff = y - raw;

            s->target[i] = y;
            if (fabs(diff) <= s->huber_gamma)
                s->residual[i] = diff;
            else
                s->residual[i] = s->huber_gamma * sign_of(diff);
            break;
        }
        }
    }
}

/* Returns Huber's leaf step on the residuals diff[m] of a leaf, each of
 * weight 1: their median plus the mean of their deviations from it,
 * clipped to [-gamma, gamma]. Sorts items[m] and overwrites diff. */
static double huber_step(struct weighted *items, double *diff, size_t m, double gamma)
{
    const double median = weighted_percentile(items, m, 50.0);

    for (size_t j = 0; j < m; j++) {
        const double deviation = diff[j] - median;

        diff[j] = sign_of(deviation) * fmin(fabs(deviation), gamma);
    }
    return median + gcv_stats_mean(diff, m, 1);
}

/* Sorts the in-bag rows by their leaf, keeping row order within a leaf,
 * into order; leaf_start[node] is where node's rows begin. */
static enum gcv_status group_by_leaf(struct fit_state *s, const struct gcv_tree *tree,
                                     bool subsampled, struct gcv_error *err)
{
    const size_t n = s->n;

    if (s->leaf_start_size < tree->n_nodes + 1) {
        free(s->leaf_start);
        s->leaf_start = malloc((tree->n_nodes + 1) * sizeof *s->leaf_start);
        if (s->leaf_start == NULL) {
            s->leaf_start_size = 0;
            return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu tree nodes",
                                 tree->n_nodes);
        }
        s->leaf_start_size = tree->n_nodes + 1;
    }
    memset(s->leaf_start, 0, (tree->n_nodes + 1) * sizeof *s->leaf_start);
    for (size_t i = 0; i < n; i++)
        if (!subsampled || s->weight[i] != 0.0)
            s->leaf_start[s->leaf[i] + 1]++;
    for (size_t node = 0; node < tree->n_nodes; node++)
        s->leaf_start[node + 1] += s->leaf_start[node];
    for (size_t i = 0; i < n; i++)
        if (!subsampled || s->weight[i] != 0.0)
            s->order[s->leaf_start[s->leaf[i]]++] = i;
    /* Each count now ends where the next node's rows begin: shift back. */
    for (size_t node = tree->n_nodes; node > 0; node--)
        s->leaf_start[node] = s->leaf_start[node - 1];
    s->leaf_start[0] = 0;
    return GCV_OK;
}

/* Replaces the value of every leaf of tree k by the loss's step on the
 * in-bag rows of that leaf, as _update_terminal_region does. */
static enum gcv_status update_leaves(struct fit_state *s, struct gcv_tree *tree, size_t k,
                                     bool subsampled, struct gcv_error *err)
{
    const struct gcv_gb_params *params = s->params;
    const size_t K = s->n_columns;
    enum gcv_status status = group_by_leaf(s, tree, subsampled, err);

    if (status != GCV_OK)
        return status;
    for (size_t node = 0; node < tree->n_nodes; node++) {
        const size_t begin = s->leaf_start[node], end = s->leaf_start[node + 1];
        const size_t m = end - begin;
        double *value = tree->values + node * tree->n_values;

        if (tree->nodes[node].left != GCV_TREE_LEAF)
            continue;
        for (size_t j = 0; j < m; j++) {
            const size_t i = s->order[begin + j];
            const double w = subsampled ? s->weight[i] : 1.0;
            const double y = s->target[i], g = s->residual[i];
            const double raw = s->raw_before[i * K + k];

            switch (params->loss) {
            case GCV_GB_LOG_LOSS:
                s->numerator[j] = w * g;
                s->denominator[j] = w * (y - g) * (1.0 - y + g);
                break;
            case GCV_GB_EXPONENTIAL: {
                const double sign = 2.0 * y - 1.0;

                s->numerator[j] = sign * w * exp(-sign * raw);
                s->denominator[j] = w * exp(-sign * raw);
                break;
            }
            case GCV_GB_ABSOLUTE_ERROR:
            case GCV_GB_QUANTILE:
            case GCV_GB_HUBER:
                s->items[j].value = y - raw;
                s->items[j].weight = w;
                s->numerator[j] = y - raw;
                break;
            case GCV_GB_SQUARED_ERROR:
                break;
            }
        }

        switch (params->loss) {
        case GCV_GB_LOG_LOSS:
        case GCV_GB_EXPONENTIAL: {
            double numerator = gcv_stats_sum(s->numerator, m, 1);
            const double denominator = gcv_stats_sum(s->denominator, m, 1);

            if (params->loss == GCV_GB_LOG_LOSS && K > 1)
                numerator *= (double)(K - 1) / (double)K;
            value[0] = fabs(denominator) < NEWTON_MIN_DENOMINATOR ? 0.0
                                                                  : numerator / denominator;
            break;
        }
        case GCV_GB_ABSOLUTE_ERROR:
        case GCV_GB_QUANTILE:
            /* The builder never leaves a leaf without in-bag rows. */
            if (m > 0)
                value[0] = weighted_percentile(s->items, m,
                                               params->loss == GCV_GB_QUANTILE
                                                   ? params->alpha * 100.0
                                                   : 50.0);
            break;
        case GCV_GB_HUBER:
            if (m > 0)
                value[0] = huber_step(s->items, s->numerator, m, s->huber_gamma);
            break;
        case GCV_GB_SQUARED_ERROR:
            break;
        }
    }
    return GCV_OK;
}

/* Fits stage i's trees and adds them to raw. */
static enum gcv_status fit_stage(struct fit_state *s, struct gcv_gb_model *model, size_t i,
                                 struct gcv_random *rng, struct gcv_error *err)
{
    const struct gcv_gb_params *params = s->params;
    const bool subsampled = params->subsample < 1.0;
    const size_t n = s->n, K = s->n_columns, d = s->data.n_features;
    struct gcv_tree_data view = s->data;
    enum gcv_status status;

    if (subsampled)
        draw_subsample(s, rng);
    memcpy(s->raw_before, s->raw, n * K * sizeof *s->raw);

    /* Each tree regresses the residuals: a view of the rows with them as
     * targets, sharing X. */
    view.y = s->residual;
    view.n_classes = 0;
    view.class_codes = NULL;
    for (size_t k = 0; k < K; k++) {
        struct gcv_tree *tree = &model->trees[i * K + k];

        compute_residuals(s, k);
        status = gcv_tree_build_from_stream(tree, &params->tree, &view,
                                            subsampled ? s->weight : NULL, rng,
                                            s->train->deadline, err);
        if (status != GCV_OK)
            return status;
        model->n_stages = i + 1;

        for (size_t r = 0; r < n; r++)
            s->leaf[r] = gcv_tree_apply(tree, s->train->X + s->train->index[r] * d);
        if (params->loss != GCV_GB_SQUARED_ERROR &&
            (status = update_leaves(s, tree, k, subsampled, err)) != GCV_OK)
            return status;
        for (size_t r = 0; r < n; r++)
            s->raw[r * K + k] += params->learning_rate * gcv_tree_value(tree, s->leaf[r])[0];
    }
    return GCV_OK;
}

/* ----- early stopping ----------------------------------------------------- */

/* The rows early stopping holds out, and the loss on them. */
struct validation {
    struct gcv_rows rows;   /* the held-out rows; index is val_index */
    size_t *fit_index;      /* [n_fit] owned: dataset rows the stages fit on, in
                               train_test_split's order */
    size_t *val_index;      /* [rows.n_rows] owned: the held-out dataset rows */
    double *y;              /* [rows.n_rows] owned: class index or target */
    double *raw;            /* [rows.n_rows * n_columns] owned: raw predictions */
    double *terms;          /* [2 * rows.n_rows] owned: the loss's terms */
    double *scratch;        /* [2 * n_columns] owned */
    double *history;        /* [n_iter_no_change] owned: the latest losses */
};

static void validation_free(struct validation *v)
{
    free(v->fit_index);
    free(v->val_index);
    free(v->y);
    free(v->raw);
    free(v->terms);
    free(v->scratch);
    free(v->history);
}

static enum gcv_status too_few_classes(size_t n_classes, struct gcv_error *err)
{
    return gcv_error_set(err, GCV_ERR_FIT, "GradientBoostingClassifier needs at least 2 "
                         "classes in the training rows, and they contain %zu", n_classes);
}

/* Numbers the classes of train's rows 0..*n_present-1 in ascending code
 * order into codes[train->n_rows]. */
static enum gcv_status index_classes(const struct gcv_rows *train, int32_t *codes,
                                     size_t *n_present, struct gcv_error *err)
{
    int32_t *index_of = malloc((train->n_classes > 0 ? train->n_classes : 1) *
                               sizeof *index_of);

    *n_present = 0;
    if (index_of == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory indexing %zu classes",
                             train->n_classes);
    for (size_t c = 0; c < train->n_classes; c++)
        index_of[c] = -1;
    for (size_t r = 0; r < train->n_rows; r++)
        index_of[train->y_class[train->index[r]]] = 0;
    for (size_t c = 0; c < train->n_classes; c++)
        if (index_of[c] >= 0)
            index_of[c] = (int32_t)(*n_present)++;
    for (size_t r = 0; r < train->n_rows; r++)
        codes[r] = index_of[train->y_class[train->index[r]]];
    free(index_of);
    return GCV_OK;
}

/* Splits train as train_test_split(test_size=validation_fraction,
 * random_state, stratify=y for a classifier) does: the fit rows into
 * *fit_rows (a view of train with v->fit_index) and the held-out rows into
 * v->rows. A split that scikit-learn rejects, or that leaves a class out
 * of the fit rows, fails the fit. */
static enum gcv_status split_validation(const struct gcv_gb_params *params, bool classifier,
                                        const struct gcv_rows *train, struct validation *v,
                                        struct gcv_rows *fit_rows, struct gcv_error *err)
{
    const size_t n = train->n_rows;
    const struct gcv_train_test split = {
        .test_size = {.kind = GCV_SIZE_FRACTION, .fraction = params->validation_fraction},
        .train_size = {.kind = GCV_SIZE_DEFAULT},
        .random_state = params->tree.random_state,
        .stratify = classifier,
    };
    struct gcv_fold fold = {0};
    int32_t *codes = NULL;      /* [n] class index of each row, classifiers only */
    bool *seen = NULL;          /* [n_present] */
    size_t n_present = 0, n_seen = 0;
    enum gcv_status status = GCV_OK;

    if (classifier) {
        codes = malloc((n > 0 ? n : 1) * sizeof *codes);
        if (codes == NULL)
            return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory splitting %zu rows", n);
        if ((status = index_classes(train, codes, &n_present, err)) != GCV_OK)
            goto cleanup;
        if (n_present < 2) {
            status = too_few_classes(n_present, err);
            goto cleanup;
        }
    }
    status = gcv_split_train_test(&split, n, codes, n_present, &fold, err);
    if (status == GCV_ERR_SPEC) {
        status = GCV_ERR_FIT;
        gcv_error_prefix(err, "the validation split of early stopping failed: ");
    }
    if (status != GCV_OK)
        goto cleanup;

    v->fit_index = malloc((fold.n_train > 0 ? fold.n_train : 1) * sizeof *v->fit_index);
    v->val_index = malloc((fold.n_test > 0 ? fold.n_test : 1) * sizeof *v->val_index);
    seen = calloc(n_present > 0 ? n_present : 1, sizeof *seen);
    if (v->fit_index == NULL || v->val_index == NULL || seen == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory splitting %zu rows", n);
        goto cleanup;
    }
    for (size_t j = 0; j < fold.n_train; j++) {
        v->fit_index[j] = train->index[fold.train[j]];
        if (classifier && !seen[codes[fold.train[j]]]) {
            seen[codes[fold.train[j]]] = true;
            n_seen++;
        }
    }
    for (size_t j = 0; j < fold.n_test; j++)
        v->val_index[j] = train->index[fold.test[j]];
    if (classifier && n_seen < n_present) {
        status = gcv_error_set(err, GCV_ERR_FIT, "the training rows left by the validation "
                               "split of early stopping contain %zu of the %zu classes; try "
                               "another random_state or validation_fraction", n_seen,
                               n_present);
        goto cleanup;
    }
    *fit_rows = *train;
    fit_rows->index = v->fit_index;
    fit_rows->n_rows = fold.n_train;
    v->rows = *train;
    v->rows.index = v->val_index;
    v->rows.n_rows = fold.n_test;

cleanup:
    gcv_fold_free(&fold);
    free(codes);
    free(seen);
    return status;
}

/* Allocates the arrays of v and starts its raw predictions at the init
 * estimator's, once model's classes are known. */
static enum gcv_status validation_start(struct validation *v, const struct gcv_gb_model *model,
                                        struct gcv_error *err)
{
    const size_t n = v->rows.n_rows, K = model->n_columns;

    v->y = malloc((n > 0 ? n : 1) * sizeof *v->y);
    v->raw = malloc((n * K > 0 ? n * K : 1) * sizeof *v->raw);
    v->terms = malloc((n > 0 ? 2 * n : 1) * sizeof *v->terms);
    v->scratch = malloc(2 * K * sizeof *v->scratch);
    v->history = malloc((size_t)model->params.n_iter_no_change * sizeof *v->history);
    if (v->y == NULL || v->raw == NULL || v->terms == NULL || v->scratch == NULL ||
        v->history == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu validation rows", n);
    for (size_t r = 0; r < n; r++) {
        const size_t row = v->rows.index[r];

        memcpy(v->raw + r * K, model->init_raw, K * sizeof *v->raw);
        if (!model->classifier) {
            v->y[r] = v->rows.y_value[row];
            continue;
        }
        /* Every class of the held-out rows is among the fitted ones. */
        for (size_t c = 0; c < model->n_classes; c++)
            if (model->class_codes[c] == v->rows.y_class[row])
                v->y[r] = (double)c;
    }
    for (long long j = 0; j < model->params.n_iter_no_change; j++)
        v->history[j] = INFINITY;
    return GCV_OK;
}

/* numpy.logaddexp(0, x). */
static double log_add_exp_zero(double x)
{
    const double diff = 0.0 - x;

    if (x == 0.0)
        return M_LN2;
    if (diff > 0.0)
        return log1p(exp(-diff));
    if (diff <= 0.0)
        return x + log1p(exp(diff));
    return NAN;
}

/* The loss of the held-out rows' raw predictions, as the loss object's
 * __call__ computes it with sample weights of 1. */
static double validation_loss(const struct validation *v, const struct gcv_gb_model *model,
                              double huber_gamma)
{
    const size_t n = v->rows.n_rows, K = model->n_columns;
    const double alpha = model->params.alpha;
    double *low = v->terms, *high = v->terms + n;
    size_t n_low = 0, n_high = 0;

    for (size_t r = 0; r < n; r++) {
        const double *raw = v->raw + r * K, y = v->y[r];
        const double diff = y - raw[0];

        switch (model->params.loss) {
        case GCV_GB_LOG_LOSS:
            if (K == 1) {
                low[n_low++] = y * raw[0] - log_add_exp_zero(raw[0]);
                break;
            }
            /* -(sum_k Y_k raw_k) + logsumexp(raw), Y the one-hot class. */
            for (size_t k = 0; k < K; k++)
                v->scratch[k] = ((size_t)y == k ? 1.0 : 0.0) * raw[k];
            low[n_low++] = -gcv_stats_sum(v->scratch, K, 1) +
                           log_sum_exp(raw, K, v->scratch + K);
            break;
        case GCV_GB_EXPONENTIAL:
            low[n_low++] = exp(-(2.0 * y - 1.0) * raw[0]);
            break;
        case GCV_GB_SQUARED_ERROR:
            low[n_low++] = diff * diff;
            break;
        case GCV_GB_ABSOLUTE_ERROR:
            low[n_low++] = fabs(diff);
            break;
        case GCV_GB_HUBER:
            if (fabs(diff) <= huber_gamma)
                low[n_low++] = 0.5 * (diff * diff);
            else
                high[n_high++] = huber_gamma * (fabs(diff) - huber_gamma / 2.0);
            break;
        case GCV_GB_QUANTILE:
            if (y > raw[0])
                low[n_low++] = diff;
            else
                high[n_high++] = diff;
            break;
        }
    }

    switch (model->params.loss) {
    case GCV_GB_LOG_LOSS:
        if (K > 1)
            return gcv_stats_sum(low, n_low, 1) / (double)n;
        return (-2.0 / (double)n) * gcv_stats_sum(low, n_low, 1);
    case GCV_GB_HUBER:
        return (gcv_stats_sum(low, n_low, 1) + gcv_stats_sum(high, n_high, 1)) / (double)n;
    case GCV_GB_QUANTILE:
        return (alpha * gcv_stats_sum(low, n_low, 1) -
                (1.0 - alpha) * gcv_stats_sum(high, n_high, 1)) / (double)n;
    default:
        return (1.0 / (double)n) * gcv_stats_sum(low, n_low, 1);
    }
}

/* Adds stage i's trees to the held-out raw predictions and returns
 * whether their loss plus tol is below one of the last n_iter_no_change
 * losses, recording it if so. The fit stops after the first stage where
 * it is not. */
static bool validation_improves(struct validation *v, const struct gcv_gb_model *model,
                                size_t i, double huber_gamma)
{
    const size_t K = model->n_columns, n_history = (size_t)model->params.n_iter_no_change;
    const double learning_rate = model->params.learning_rate;
    double loss;

    for (size_t r = 0; r < v->rows.n_rows; r++) {
        const double *x = v->rows.X + v->rows.index[r] * v->rows.n_features;

        for (size_t k = 0; k < K; k++) {
            const struct gcv_tree *tree = &model->trees[i * K + k];

            v->raw[r * K + k] += learning_rate *
                                 gcv_tree_value(tree, gcv_tree_apply(tree, x))[0];
        }
    }
    loss = validation_loss(v, model, huber_gamma);
    for (size_t j = 0; j < n_history; j++) {
        if (loss + model->params.tol < v->history[j]) {
            v->history[i % n_history] = loss;
            return true;
        }
    }
    return false;
}

enum gcv_status gcv_gb_fit(const struct gcv_gb_params *params, bool classifier,
                           const struct gcv_rows *train, struct gcv_gb_model **out,
                           struct gcv_error *err)
{
    struct fit_state s;
    struct gcv_gb_model *model = NULL;
    struct gcv_random rng;
    struct validation v;
    struct gcv_rows fit_rows = *train;
    enum gcv_status status;

    *out = NULL;
    memset(&s, 0, sizeof s);
    memset(&v, 0, sizeof v);
    s.params = params;
    s.train = &fit_rows;
    if (params->n_iter_no_change > 0 &&
        (status = split_validation(params, classifier, train, &v, &fit_rows, err)) != GCV_OK)
        goto cleanup;
    status = gcv_tree_data_init(&s.data, &fit_rows, classifier, err);
    if (status != GCV_OK)
        goto cleanup;
    s.n = s.data.n_samples;

    /* The loss and its trees per stage. */
    if (classifier && s.data.n_classes < 2) {
        status = too_few_classes(s.data.n_classes, err);
        goto cleanup;
    }
    if (classifier && params->loss == GCV_GB_EXPONENTIAL && s.data.n_classes != 2) {
        status = gcv_error_set(err, GCV_ERR_FIT, "loss=\"exponential\" needs exactly 2 "
                               "classes, and the training rows contain %zu; use "
                               "loss=\"log_loss\"", s.data.n_classes);
        goto cleanup;
    }
    s.n_columns = classifier && s.data.n_classes > 2 ? s.data.n_classes : 1;

    model = calloc(1, sizeof *model);
    if (model == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for a gradient boosting "
                               "model");
        goto cleanup;
    }
    model->params = *params;
    model->classifier = classifier;
    model->n_columns = s.n_columns;
    model->n_features = s.data.n_features;
    model->trees = calloc((size_t)params->n_estimators * s.n_columns, sizeof *model->trees);
    model->init_raw = malloc(s.n_columns * sizeof *model->init_raw);
    if (model->trees == NULL || model->init_raw == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %lld stages of %zu "
                               "trees", params->n_estimators, s.n_columns);
        goto cleanup;
    }
    if (classifier) {
        model->n_classes = s.data.n_classes;
        model->class_codes = s.data.class_codes;
        s.data.class_codes = NULL;
    }
    status = fit_state_alloc(&s, err);
    if (status != GCV_OK)
        goto cleanup;

    /* The init estimator. */
    status = init_raw_predictions(&s, model->init_raw, err);
    if (status != GCV_OK)
        goto cleanup;
    for (size_t r = 0; r < s.n; r++)
        memcpy(s.raw + r * s.n_columns, model->init_raw, s.n_columns * sizeof *s.raw);

    if (params->n_iter_no_change > 0 && (status = validation_start(&v, model, err)) != GCV_OK)
        goto cleanup;

    /* The stages, from one generator as scikit-learn's self._rng. */
    gcv_random_seed(&rng, params->tree.random_state);
    for (size_t i = 0; i < (size_t)params->n_estimators; i++) {
        if (train->deadline > 0 && monotonic_seconds() >= train->deadline) {
            status = gcv_error_set(err, GCV_ERR_TIMEOUT, "gradient boosting passed its "
                                   "deadline after %zu of %lld stages", i,
                                   params->n_estimators);
            goto cleanup;
        }
        status = fit_stage(&s, model, i, &rng, err);
        if (status != GCV_OK)
            goto cleanup;
        if (params->n_iter_no_change > 0 && !validation_improves(&v, model, i, s.huber_gamma))
            break;
    }
    *out = model;
    model = NULL;

cleanup:
    fit_state_free(&s);
    validation_free(&v);
    gcv_gb_model_free(model);
    return status;
}

/* ----- prediction --------------------------------------------------------- */

enum gcv_status gcv_gb_raw_predict(const struct gcv_gb_model *model,
                                   const struct gcv_rows *rows, double *raw,
                                   struct gcv_error *err)
{
    const size_t K = model->n_columns;
    const double learning_rate = model->params.learning_rate;

    if (rows->n_features != model->n_features)
        return gcv_error_set(err, GCV_ERR_DATA, "the rows have %zu features, and the model was "
                             "fitted on %zu", rows->n_features, model->n_features);
    for (size_t r = 0; r < rows->n_rows; r++) {
        const double *x = rows->X + rows->index[r] * rows->n_features;
        double *out = raw + r * K;

        memcpy(out, model->init_raw, K * sizeof *out);
        for (size_t t = 0; t < model->n_stages * K; t++) {
            const struct gcv_tree *tree = &model->trees[t];

            out[t % K] += learning_rate * gcv_tree_value(tree, gcv_tree_apply(tree, x))[0];
        }
    }
    return GCV_OK;
}

/* Writes the class probabilities of one row of raw predictions into
 * proba[n_classes], as _raw_prediction_to_proba does. scratch has room
 * for n_columns values. */
static void raw_to_proba(const struct gcv_gb_model *model, const double *raw, double *proba,
                         double *scratch)
{
    const size_t K = model->n_columns;

    if (K == 1) {
        proba[1] = expit(model->params.loss == GCV_GB_EXPONENTIAL ? 2.0 * raw[0] : raw[0]);
        proba[0] = 1.0 - proba[1];
        return;
    }
    const double lse = log_sum_exp(raw, K, scratch);

    for (size_t k = 0; k < K; k++)
        proba[k] = nan_to_num(exp(raw[k] - lse));
}

/* Computes the raw predictions of rows into a new array *raw, owned by the
 * caller (free). */
static enum gcv_status raw_predict_alloc(const struct gcv_gb_model *model,
                                         const struct gcv_rows *rows, double **raw,
                                         struct gcv_error *err)
{
    enum gcv_status status;

    *raw = malloc((rows->n_rows * model->n_columns > 0 ? rows->n_rows * model->n_columns : 1) *
                  sizeof **raw);
    if (*raw == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory predicting %zu rows",
                             rows->n_rows);
    status = gcv_gb_raw_predict(model, rows, *raw, err);
    if (status != GCV_OK) {
        free(*raw);
        *raw = NULL;
    }
    return status;
}

void gcv_gb_model_free(struct gcv_gb_model *model)
{
    if (model == NULL)
        return;
    if (model->trees != NULL)
        for (size_t t = 0; t < (size_t)model->params.n_estimators * model->n_columns; t++)
            gcv_tree_free(&model->trees[t]);
    free(model->trees);
    free(model->init_raw);
    free(model->class_codes);
    free(model);
}

/* ----- save and load ------------------------------------------------------ */

/* The maximum number of trees (stages times trees a stage) a model file
 * may declare. */
#define MAX_SAVED_TREES (1u << 24)

enum gcv_status gcv_gb_save(const void *model_pointer, hid_t group, struct gcv_error *err)
{
    const struct gcv_gb_model *model = model_pointer;
    enum gcv_status status;
    char name[32];

    if ((status = gcv_model_file_put_int(group, "classifier", model->classifier, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_int(group, "loss", model->params.loss, err)) != GCV_OK ||
        (status = gcv_model_file_put_double(group, "learning_rate",
                                            model->params.learning_rate, err)) != GCV_OK ||
        (status = gcv_model_file_put_size(group, "n_stages", model->n_stages, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_size(group, "n_columns", model->n_columns, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_size(group, "n_features", model->n_features, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_size(group, "n_classes", model->n_classes, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_int32s(group, "class_codes", model->class_codes,
                                            model->n_classes, err)) != GCV_OK ||
        (status = gcv_model_file_put_doubles(group, "init_raw", model->init_raw,
                                             model->n_columns, err)) != GCV_OK)
        return status;
    for (size_t t = 0; t < model->n_stages * model->n_columns && status == GCV_OK; t++) {
        hid_t tree_group;

        snprintf(name, sizeof name, "tree_%06zu", t);
        tree_group = H5Gcreate2(group, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (tree_group < 0)
            return gcv_error_set(err, GCV_ERR_IO, "cannot create model group %s", name);
        status = gcv_tree_save(&model->trees[t], tree_group, err);
        H5Gclose(tree_group);
    }
    return status;
}

/* Rejects, as GCV_ERR_DATA, a model whose loss, classes and trees a stage
 * do not fit together. */
static enum gcv_status check_loaded(const struct gcv_gb_model *model, long long loss,
                                    struct gcv_error *err)
{
    const bool classifier_loss = loss == GCV_GB_LOG_LOSS || loss == GCV_GB_EXPONENTIAL;
    const size_t columns = model->n_classes > 2 ? model->n_classes : 1;

    if (loss < GCV_GB_LOG_LOSS || loss > GCV_GB_HUBER || classifier_loss != model->classifier)
        return gcv_error_set(err, GCV_ERR_DATA, "loss %lld is not a %s loss of gradient "
                             "boosting", loss, model->classifier ? "classifier" : "regressor");
    if (model->classifier && (model->n_classes < 2 || model->n_columns != columns))
        return gcv_error_set(err, GCV_ERR_DATA, "a gradient boosting classifier needs at least "
                             "2 classes and one tree a stage per class above 2, got %zu "
                             "classes and %zu trees a stage", model->n_classes,
                             model->n_columns);
    if (!model->classifier && (model->n_classes != 0 || model->n_columns != 1))
        return gcv_error_set(err, GCV_ERR_DATA, "a gradient boosting regressor has no classes "
                             "and one tree a stage, got %zu classes and %zu trees a stage",
                             model->n_classes, model->n_columns);
    if (model->n_stages == 0 || model->n_stages > MAX_SAVED_TREES / model->n_columns)
        return gcv_error_set(err, GCV_ERR_DATA, "a gradient boosting model needs 1 to %u trees, "
                             "got %zu stages of %zu", MAX_SAVED_TREES, model->n_stages,
                             model->n_columns);
    return GCV_OK;
}

enum gcv_status gcv_gb_load(hid_t group, void **model_out, struct gcv_error *err)
{
    struct gcv_gb_model *model = calloc(1, sizeof *model);
    long long classifier = 0, loss = 0;
    enum gcv_status status;
    char name[32];

    *model_out = NULL;
    if (model == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory loading a gradient boosting "
                             "model");
    if ((status = gcv_model_file_get_int(group, "classifier", &classifier, err)) != GCV_OK ||
        (status = gcv_model_file_get_int(group, "loss", &loss, err)) != GCV_OK ||
        (status = gcv_model_file_get_double(group, "learning_rate",
                                            &model->params.learning_rate, err)) != GCV_OK ||
        (status = gcv_model_file_get_size(group, "n_stages", &model->n_stages, err)) !=
            GCV_OK ||
        (status = gcv_model_file_get_size(group, "n_columns", &model->n_columns, err)) !=
            GCV_OK ||
        (status = gcv_model_file_get_size(group, "n_features", &model->n_features, err)) !=
            GCV_OK ||
        (status = gcv_model_file_get_size(group, "n_classes", &model->n_classes, err)) !=
            GCV_OK)
        goto cleanup;
    model->classifier = classifier != 0;
    if ((status = check_loaded(model, loss, err)) != GCV_OK ||
        (status = gcv_model_file_get_class_codes(group, "class_codes", model->n_classes,
                                                 &model->class_codes, err)) != GCV_OK ||
        (status = gcv_model_file_get_doubles(group, "init_raw", model->n_columns,
                                             &model->init_raw, err)) != GCV_OK)
        goto cleanup;
    model->params.loss = (enum gcv_gb_loss)loss;
    model->params.n_estimators = (long long)model->n_stages;
    model->trees = calloc(model->n_stages * model->n_columns, sizeof *model->trees);
    if (model->trees == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory loading %zu trees",
                               model->n_stages * model->n_columns);
        goto cleanup;
    }

    for (size_t t = 0; t < model->n_stages * model->n_columns && status == GCV_OK; t++) {
        hid_t tree_group;

        snprintf(name, sizeof name, "tree_%06zu", t);
        if (H5Lexists(group, name, H5P_DEFAULT) <= 0 ||
            (tree_group = H5Gopen2(group, name, H5P_DEFAULT)) < 0) {
            status = gcv_error_set(err, GCV_ERR_DATA, "model group %s is missing", name);
            break;
        }
        status = gcv_tree_load(tree_group, model->n_features, &model->trees[t], err);
        if (status == GCV_OK && model->trees[t].n_values != 1)
            status = gcv_error_set(err, GCV_ERR_DATA, "tree %zu stores %zu values per node, "
                                   "expected 1", t, model->trees[t].n_values);
        if (status != GCV_OK)
            gcv_error_prefix(err, "%s: ", name);
        H5Gclose(tree_group);
    }
    if (status != GCV_OK)
        goto cleanup;
    *model_out = model;
    model = NULL;

cleanup:
    gcv_gb_model_free(model);
    return status;
}

/* ----- the estimator interface ------------------------------------------ */

static enum gcv_status classifier_params_parse(const struct gcv_param_set *params, void **out,
                                               struct gcv_error *err)
{
    return gcv_gb_params_parse(true, params, out, err);
}

static enum gcv_status regressor_params_parse(const struct gcv_param_set *params, void **out,
                                              struct gcv_error *err)
{
    return gcv_gb_params_parse(false, params, out, err);
}

static void gb_params_free(void *params)
{
    free(params);
}

static void gb_model_free(void *model)
{
    gcv_gb_model_free(model);
}

static enum gcv_status classifier_fit(const void *params, const struct gcv_rows *train,
                                      void **model, struct gcv_error *err)
{
    return gcv_gb_fit(params, true, train, (struct gcv_gb_model **)model, err);
}

static enum gcv_status regressor_fit(const void *params, const struct gcv_rows *train,
                                     void **model, struct gcv_error *err)
{
    return gcv_gb_fit(params, false, train, (struct gcv_gb_model **)model, err);
}

static enum gcv_status classifier_predict_proba(const void *model_pointer,
                                                const struct gcv_rows *rows, double *out,
                                                int32_t *classes, size_t *n_classes,
                                                struct gcv_error *err)
{
    const struct gcv_gb_model *model = model_pointer;
    double *raw = NULL, *scratch = NULL;
    enum gcv_status status;

    status = raw_predict_alloc(model, rows, &raw, err);
    if (status != GCV_OK)
        return status;
    scratch = malloc(model->n_columns * sizeof *scratch);
    if (scratch == NULL) {
        free(raw);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu classes",
                             model->n_classes);
    }
    for (size_t r = 0; r < rows->n_rows; r++)
        raw_to_proba(model, raw + r * model->n_columns, out + r * model->n_classes, scratch);
    memcpy(classes, model->class_codes, model->n_classes * sizeof *classes);
    *n_classes = model->n_classes;
    free(scratch);
    free(raw);
    return GCV_OK;
}

/* Predicts the class of greatest probability (the first on ties), or for
 * loss="exponential" the second class where the raw prediction is >= 0,
 * as _raw_prediction_to_decision does. */
static enum gcv_status classifier_predict(const void *model_pointer,
                                          const struct gcv_rows *rows, double *out,
                                          struct gcv_error *err)
{
    const struct gcv_gb_model *model = model_pointer;
    const size_t C = model->n_classes, K = model->n_columns;
    double *raw = NULL, *proba = NULL, *scratch = NULL;
    enum gcv_status status;

    status = raw_predict_alloc(model, rows, &raw, err);
    if (status != GCV_OK)
        return status;
    proba = malloc(C * sizeof *proba);
    scratch = malloc(K * sizeof *scratch);
    if (proba == NULL || scratch == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory predicting %zu rows",
                               rows->n_rows);
        goto cleanup;
    }
    for (size_t r = 0; r < rows->n_rows; r++) {
        size_t best;

        if (model->params.loss == GCV_GB_EXPONENTIAL) {
            best = raw[r] >= 0.0 ? 1 : 0;
        } else {
            raw_to_proba(model, raw + r * K, proba, scratch);
            best = gcv_tree_argmax(proba, C);
        }
        out[r] = (double)model->class_codes[best];
    }

cleanup:
    free(raw);
    free(proba);
    free(scratch);
    return status;
}

static enum gcv_status classifier_decision_function(const void *model_pointer,
                                                    const struct gcv_rows *rows, double *out,
                                                    int32_t *classes, size_t *n_classes,
                                                    struct gcv_error *err)
{
    const struct gcv_gb_model *model = model_pointer;

    memcpy(classes, model->class_codes, model->n_classes * sizeof *classes);
    *n_classes = model->n_classes;
    if (model->n_columns != 1)
        return GCV_OK;
    return gcv_gb_raw_predict(model, rows, out, err);
}

static enum gcv_status regressor_predict(const void *model, const struct gcv_rows *rows,
                                         double *out, struct gcv_error *err)
{
    return gcv_gb_raw_predict(model, rows, out, err);
}

const struct gcv_estimator_ops gcv_gradient_boosting_classifier_ops = {
    .name = "GradientBoostingClassifier",
    .kind = GCV_ESTIMATOR_CLASSIFIER,
    .params_parse = classifier_params_parse,
    .params_free = gb_params_free,
    .fit = classifier_fit,
    .predict = classifier_predict,
    .model_free = gb_model_free,
    .decision_function = classifier_decision_function,
    .predict_proba = classifier_predict_proba,
    .save = gcv_gb_save,
    .load = gcv_gb_load,
};

const struct gcv_estimator_ops gcv_gradient_boosting_regressor_ops = {
    .name = "GradientBoostingRegressor",
    .kind = GCV_ESTIMATOR_REGRESSOR,
    .params_parse = regressor_params_parse,
    .params_free = gb_params_free,
    .fit = regressor_fit,
    .predict = regressor_predict,
    .model_free = gb_model_free,
    .save = gcv_gb_save,
    .load = gcv_gb_load,
};
