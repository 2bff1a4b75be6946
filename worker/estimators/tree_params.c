/* The parameters of the tree and forest estimators: names, defaults and
 * ranges of scikit-learn 1.2.1 (the _parameter_constraints of
 * BaseDecisionTree, DecisionTreeClassifier, DecisionTreeRegressor,
 * BaseForest and the four forests, and the checks their fit methods make
 * on the parameters alone). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/log.h"
#include "forest.h"
#include "param_check.h"
#include "tree.h"

/* The parameters being parsed, with the estimator they belong to. */
struct raw_params {
    struct gcv_forest_params forest;   /* forest.tree for a single tree */
    enum gcv_tree_estimator estimator;
    const struct gcv_param *max_samples_param;  /* NULL when absent */
    const struct gcv_param *oob_score_param;    /* NULL when absent */
    bool max_features_auto;
};

static bool is_forest(enum gcv_tree_estimator estimator)
{
    return estimator >= GCV_TREE_RANDOM_FOREST_CLASSIFIER;
}

static bool is_classifier(enum gcv_tree_estimator estimator)
{
    switch (estimator) {
    case GCV_TREE_DECISION_TREE_CLASSIFIER:
    case GCV_TREE_EXTRA_TREE_CLASSIFIER:
    case GCV_TREE_RANDOM_FOREST_CLASSIFIER:
    case GCV_TREE_EXTRA_TREES_CLASSIFIER:
        return true;
    default:
        return false;
    }
}

const char *gcv_tree_estimator_name(enum gcv_tree_estimator estimator)
{
    static const char *const names[] = {
        "DecisionTreeClassifier", "DecisionTreeRegressor", "ExtraTreeClassifier",
        "ExtraTreeRegressor", "RandomForestClassifier", "RandomForestRegressor",
        "ExtraTreesClassifier", "ExtraTreesRegressor",
    };

    return names[estimator];
}

/* ----- parameters shared with gradient boosting -------------------------- */

enum gcv_status gcv_tree_param_max_depth(const struct gcv_param *param,
                                         struct gcv_tree_params *tree, struct gcv_error *err)
{
    if (param->value.kind == GCV_VALUE_NULL) {
        tree->max_depth = 0;
        return GCV_OK;
    }
    return gcv_param_check_integer(param, 1, LLONG_MAX, "an integer >= 1 or null",
                                   &tree->max_depth, err);
}

enum gcv_status gcv_tree_param_min_samples_split(const struct gcv_param *param,
                                                 struct gcv_tree_params *tree,
                                                 struct gcv_error *err)
{
    static const char expected[] = "an integer >= 2 or a real in (0, 1]";

    /* An integer 1 passes scikit-learn's real interval and then counts as
     * the integer 1, which the floor of 2 * min_samples_leaf overrides. */
    if (param->value.kind == GCV_VALUE_INT && param->value.integer >= 1) {
        tree->min_samples_split = param->value.integer;
        tree->min_samples_split_is_fraction = false;
        return GCV_OK;
    }
    if (param->value.kind == GCV_VALUE_REAL && param->value.real > 0.0 &&
        param->value.real <= 1.0) {
        tree->min_samples_split_fraction = param->value.real;
        tree->min_samples_split_is_fraction = true;
        return GCV_OK;
    }
    return gcv_param_check_reject(param, expected, err);
}

enum gcv_status gcv_tree_param_min_samples_leaf(const struct gcv_param *param,
                                                struct gcv_tree_params *tree, struct gcv_error *err)
{
    static const char expected[] = "an integer >= 1 or a real in (0, 1)";

    if (param->value.kind == GCV_VALUE_INT && param->value.integer >= 1) {
        tree->min_samples_leaf = param->value.integer;
        tree->min_samples_leaf_is_fraction = false;
        return GCV_OK;
    }
    if (param->value.kind == GCV_VALUE_REAL && param->value.real > 0.0 &&
        param->value.real < 1.0) {
        tree->min_samples_leaf_fraction = param->value.real;
        tree->min_samples_leaf_is_fraction = true;
        return GCV_OK;
    }
    return gcv_param_check_reject(param, expected, err);
}

enum gcv_status gcv_tree_param_min_weight_fraction_leaf(const struct gcv_param *param,
                                                        struct gcv_tree_params *tree,
                                                        struct gcv_error *err)
{
    double fraction;

    if (gcv_param_check_number(param, 0.0, false, "a number in [0, 0.5]", &fraction, err) !=
        GCV_OK)
        return GCV_ERR_PARAM;
    if (fraction > 0.5)
        return gcv_param_check_reject(param, "a number in [0, 0.5]", err);
    tree->min_weight_fraction_leaf = fraction;
    return GCV_OK;
}

enum gcv_status gcv_tree_param_random_state(const struct gcv_param *param,
                                            struct gcv_tree_params *tree, struct gcv_error *err)
{
    long long seed;

    if (param->value.kind == GCV_VALUE_NULL) {
        tree->random_state = 0;
        return GCV_OK;
    }
    if (gcv_param_check_integer(param, 0, 4294967295LL, "null or an integer in [0, 4294967295]",
                                &seed, err) != GCV_OK)
        return GCV_ERR_PARAM;
    tree->random_state = (uint32_t)seed;
    return GCV_OK;
}

enum gcv_status gcv_tree_param_max_leaf_nodes(const struct gcv_param *param,
                                              struct gcv_tree_params *tree, struct gcv_error *err)
{

    if (param->value.kind == GCV_VALUE_NULL) {
        tree->max_leaf_nodes = 0;
        return GCV_OK;
    }
    return gcv_param_check_integer(param, 2, LLONG_MAX, "an integer >= 2 or null",
                                   &tree->max_leaf_nodes, err);
}

enum gcv_status gcv_tree_param_min_impurity_decrease(const struct gcv_param *param,
                                                     struct gcv_tree_params *tree,
                                                     struct gcv_error *err)
{
    return gcv_param_check_number(param, 0.0, false, "a number >= 0",
                                  &tree->min_impurity_decrease, err);
}

enum gcv_status gcv_tree_param_ccp_alpha(const struct gcv_param *param,
                                         struct gcv_tree_params *tree, struct gcv_error *err)
{
    return gcv_param_check_number(param, 0.0, false, "a number >= 0",
                                  &tree->ccp_alpha, err);
}

enum gcv_status gcv_tree_param_max_features(const struct gcv_param *param,
                                            struct gcv_tree_params *tree, bool *is_auto,
                                            struct gcv_error *err)
{
    static const char expected[] = "an integer >= 1, a real in (0, 1], \"sqrt\", \"log2\" or "
                                   "null";

    *is_auto = false;
    switch (param->value.kind) {
    case GCV_VALUE_NULL:
        tree->max_features = GCV_TREE_FEATURES_ALL;
        return GCV_OK;
    case GCV_VALUE_INT:
        if (param->value.integer < 1)
            break;
        tree->max_features = GCV_TREE_FEATURES_COUNT;
        tree->max_features_count = param->value.integer;
        return GCV_OK;
    case GCV_VALUE_REAL:
        if (!(param->value.real > 0.0 && param->value.real <= 1.0))
            break;
        tree->max_features = GCV_TREE_FEATURES_FRACTION;
        tree->max_features_fraction = param->value.real;
        return GCV_OK;
    case GCV_VALUE_STRING:
        if (gcv_param_check_is_string(param, "sqrt")) {
            tree->max_features = GCV_TREE_FEATURES_SQRT;
            return GCV_OK;
        }
        if (gcv_param_check_is_string(param, "log2")) {
            tree->max_features = GCV_TREE_FEATURES_LOG2;
            return GCV_OK;
        }
        if (gcv_param_check_is_string(param, "auto")) {
            *is_auto = true;
            return GCV_OK;
        }
        break;
    case GCV_VALUE_BOOL:
        break;
    }
    return gcv_param_check_reject(param, expected, err);
}

/* ----- one function per parameter ---------------------------------------- */

static enum gcv_status parse_criterion(const struct gcv_param *param, void *out,
                                       struct gcv_error *err)
{
    static const char *const classifier_names[] = {"gini", "entropy", "log_loss"};
    static const enum gcv_tree_criterion classifier_criteria[] = {
        GCV_TREE_GINI, GCV_TREE_ENTROPY, GCV_TREE_ENTROPY};
    static const char *const regressor_names[] = {"squared_error", "friedman_mse",
                                                  "absolute_error", "poisson"};
    static const enum gcv_tree_criterion regressor_criteria[] = {
        GCV_TREE_SQUARED_ERROR, GCV_TREE_FRIEDMAN_MSE, GCV_TREE_ABSOLUTE_ERROR,
        GCV_TREE_POISSON};
    struct raw_params *raw = out;
    int choice;

    if (is_classifier(raw->estimator)) {
        if (gcv_param_check_choice(param, classifier_names, 3,
                                   "one of \"gini\", \"entropy\", \"log_loss\"", &choice,
                                   err) != GCV_OK)
            return GCV_ERR_PARAM;
        raw->forest.tree.criterion = classifier_criteria[choice];
        return GCV_OK;
    }
    if (gcv_param_check_choice(param, regressor_names, 4,
                               "one of \"squared_error\", \"friedman_mse\", "
                               "\"absolute_error\", \"poisson\"",
                               &choice, err) != GCV_OK)
        return GCV_ERR_PARAM;
    raw->forest.tree.criterion = regressor_criteria[choice];
    return GCV_OK;
}

static enum gcv_status parse_splitter(const struct gcv_param *param, void *out,
                                      struct gcv_error *err)
{
    static const char *const names[] = {"best", "random"};
    struct raw_params *raw = out;
    int choice;

    if (gcv_param_check_choice(param, names, 2, "\"best\" or \"random\"", &choice, err) !=
        GCV_OK)
        return GCV_ERR_PARAM;
    raw->forest.tree.splitter = choice == 0 ? GCV_TREE_SPLITTER_BEST : GCV_TREE_SPLITTER_RANDOM;
    return GCV_OK;
}

static enum gcv_status parse_max_depth(const struct gcv_param *param, void *out,
                                       struct gcv_error *err)
{
    return gcv_tree_param_max_depth(param, &((struct raw_params *)out)->forest.tree, err);
}

static enum gcv_status parse_min_samples_split(const struct gcv_param *param, void *out,
                                               struct gcv_error *err)
{
    return gcv_tree_param_min_samples_split(param, &((struct raw_params *)out)->forest.tree, err);
}

static enum gcv_status parse_min_samples_leaf(const struct gcv_param *param, void *out,
                                              struct gcv_error *err)
{
    return gcv_tree_param_min_samples_leaf(param, &((struct raw_params *)out)->forest.tree, err);
}

static enum gcv_status parse_min_weight_fraction_leaf(const struct gcv_param *param, void *out,
                                                      struct gcv_error *err)
{
    return gcv_tree_param_min_weight_fraction_leaf(param, &((struct raw_params *)out)->forest.tree,
                                                   err);
}

static enum gcv_status parse_max_features(const struct gcv_param *param, void *out,
                                          struct gcv_error *err)
{
    struct raw_params *raw = out;
    enum gcv_status status;

    status = gcv_tree_param_max_features(param, &raw->forest.tree, &raw->max_features_auto, err);

    /* "auto", deprecated since scikit-learn 1.1: "sqrt" for a classifier,
     * every feature for a regressor. */
    if (status == GCV_OK && raw->max_features_auto)
        raw->forest.tree.max_features = is_classifier(raw->estimator) ? GCV_TREE_FEATURES_SQRT
                                                                      : GCV_TREE_FEATURES_ALL;
    return status;
}

static enum gcv_status parse_random_state(const struct gcv_param *param, void *out,
                                          struct gcv_error *err)
{
    return gcv_tree_param_random_state(param, &((struct raw_params *)out)->forest.tree, err);
}

static enum gcv_status parse_max_leaf_nodes(const struct gcv_param *param, void *out,
                                            struct gcv_error *err)
{
    return gcv_tree_param_max_leaf_nodes(param, &((struct raw_params *)out)->forest.tree, err);
}

static enum gcv_status parse_min_impurity_decrease(const struct gcv_param *param, void *out,
                                                   struct gcv_error *err)
{
    return gcv_tree_param_min_impurity_decrease(param, &((struct raw_params *)out)->forest.tree,
                                                err);
}

static enum gcv_status parse_ccp_alpha(const struct gcv_param *param, void *out,
                                       struct gcv_error *err)
{
    return gcv_tree_param_ccp_alpha(param, &((struct raw_params *)out)->forest.tree, err);
}

static enum gcv_status parse_class_weight(const struct gcv_param *param, void *out,
                                          struct gcv_error *err)
{
    struct raw_params *raw = out;
    struct gcv_tree_params *tree = &raw->forest.tree;

    if (param->value.kind == GCV_VALUE_NULL) {
        tree->class_weight = GCV_TREE_CLASS_WEIGHT_NONE;
        return GCV_OK;
    }
    if (gcv_param_check_is_string(param, "balanced")) {
        tree->class_weight = GCV_TREE_CLASS_WEIGHT_BALANCED;
        return GCV_OK;
    }
    if (is_forest(raw->estimator)) {
        if (gcv_param_check_is_string(param, "balanced_subsample")) {
            tree->class_weight = GCV_TREE_CLASS_WEIGHT_BALANCED_SUBSAMPLE;
            return GCV_OK;
        }
        return gcv_param_check_reject(param, "null, \"balanced\" or \"balanced_subsample\"",
                                      err);
    }
    return gcv_param_check_reject(param, "null or \"balanced\"", err);
}

static enum gcv_status parse_n_estimators(const struct gcv_param *param, void *out,
                                          struct gcv_error *err)
{
    return gcv_param_check_integer(param, 1, LLONG_MAX, "an integer >= 1",
                                   &((struct raw_params *)out)->forest.n_estimators, err);
}

static enum gcv_status parse_bootstrap(const struct gcv_param *param, void *out,
                                       struct gcv_error *err)
{
    struct raw_params *raw = out;

    return gcv_param_check_bool(gcv_tree_estimator_name(raw->estimator), param,
                                &raw->forest.bootstrap, err);
}

static enum gcv_status parse_oob_score(const struct gcv_param *param, void *out,
                                       struct gcv_error *err)
{
    struct raw_params *raw = out;

    raw->oob_score_param = param;
    return gcv_param_check_bool(gcv_tree_estimator_name(raw->estimator), param,
                                &raw->forest.oob_score, err);
}

static enum gcv_status parse_n_jobs(const struct gcv_param *param, void *out,
                                    struct gcv_error *err)
{
    struct gcv_forest_params *forest = &((struct raw_params *)out)->forest;

    if (param->value.kind == GCV_VALUE_NULL) {
        forest->n_jobs = 0;
        return GCV_OK;
    }
    /* scikit-learn accepts 0 here and joblib rejects it at fit time. */
    if (param->value.kind != GCV_VALUE_INT || param->value.integer == 0)
        return gcv_param_check_reject(param, "null or a nonzero integer (-1 for every core of "
                                      "the rank)", err);
    forest->n_jobs = param->value.integer;
    return GCV_OK;
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
     * GridSearchCV's clone does, so warm_start never finds trees to keep. */
    return gcv_param_check_bool(gcv_tree_estimator_name(raw->estimator), param, &warm_start,
                                err);
}

static enum gcv_status parse_max_samples(const struct gcv_param *param, void *out,
                                         struct gcv_error *err)
{
    struct raw_params *raw = out;
    struct gcv_forest_params *forest = &raw->forest;

    raw->max_samples_param = param;
    if (param->value.kind == GCV_VALUE_NULL) {
        forest->max_samples = GCV_FOREST_SAMPLES_ALL;
        raw->max_samples_param = NULL;
        return GCV_OK;
    }
    if (param->value.kind == GCV_VALUE_INT && param->value.integer >= 1) {
        forest->max_samples = GCV_FOREST_SAMPLES_COUNT;
        forest->max_samples_count = param->value.integer;
        return GCV_OK;
    }
    if (param->value.kind == GCV_VALUE_REAL && param->value.real > 0.0 &&
        param->value.real <= 1.0) {
        forest->max_samples = GCV_FOREST_SAMPLES_FRACTION;
        forest->max_samples_fraction = param->value.real;
        return GCV_OK;
    }
    return gcv_param_check_reject(param, "null, a real in (0, 1] or an integer >= 1", err);
}

/* ----- the tables -------------------------------------------------------- */

enum applies_to {
    SINGLE_TREES = 1,     /* DecisionTree*, ExtraTree* */
    FORESTS = 2,
    CLASSIFIERS_ONLY = 4,
};

static const struct {
    struct gcv_param_check_entry entry;
    unsigned applies;
} all_params[] = {
    {{"n_estimators", parse_n_estimators}, FORESTS},
    {{"criterion", parse_criterion}, SINGLE_TREES | FORESTS},
    {{"splitter", parse_splitter}, SINGLE_TREES},
    {{"max_depth", parse_max_depth}, SINGLE_TREES | FORESTS},
    {{"min_samples_split", parse_min_samples_split}, SINGLE_TREES | FORESTS},
    {{"min_samples_leaf", parse_min_samples_leaf}, SINGLE_TREES | FORESTS},
    {{"min_weight_fraction_leaf", parse_min_weight_fraction_leaf}, SINGLE_TREES | FORESTS},
    {{"max_features", parse_max_features}, SINGLE_TREES | FORESTS},
    {{"max_leaf_nodes", parse_max_leaf_nodes}, SINGLE_TREES | FORESTS},
    {{"min_impurity_decrease", parse_min_impurity_decrease}, SINGLE_TREES | FORESTS},
    {{"bootstrap", parse_bootstrap}, FORESTS},
    {{"oob_score", parse_oob_score}, FORESTS},
    {{"n_jobs", parse_n_jobs}, FORESTS},
    {{"random_state", parse_random_state}, SINGLE_TREES | FORESTS},
    {{"verbose", parse_verbose}, FORESTS},
    {{"warm_start", parse_warm_start}, FORESTS},
    {{"class_weight", parse_class_weight}, SINGLE_TREES | FORESTS | CLASSIFIERS_ONLY},
    {{"ccp_alpha", parse_ccp_alpha}, SINGLE_TREES | FORESTS},
    {{"max_samples", parse_max_samples}, FORESTS},
};

#define N_ALL_PARAMS (sizeof all_params / sizeof all_params[0])

/* scikit-learn's defaults for estimator. */
static void set_defaults(struct raw_params *raw, enum gcv_tree_estimator estimator)
{
    struct gcv_forest_params *forest = &raw->forest;
    struct gcv_tree_params *tree = &forest->tree;
    const bool extra = estimator == GCV_TREE_EXTRA_TREE_CLASSIFIER ||
                       estimator == GCV_TREE_EXTRA_TREE_REGRESSOR ||
                       estimator == GCV_TREE_EXTRA_TREES_CLASSIFIER ||
                       estimator == GCV_TREE_EXTRA_TREES_REGRESSOR;

    memset(raw, 0, sizeof *raw);
    raw->estimator = estimator;
    tree->criterion = is_classifier(estimator) ? GCV_TREE_GINI : GCV_TREE_SQUARED_ERROR;
    tree->splitter = extra ? GCV_TREE_SPLITTER_RANDOM : GCV_TREE_SPLITTER_BEST;
    tree->min_samples_split = 2;
    tree->min_samples_leaf = 1;
    tree->max_features = GCV_TREE_FEATURES_ALL;
    if (estimator != GCV_TREE_DECISION_TREE_CLASSIFIER &&
        estimator != GCV_TREE_DECISION_TREE_REGRESSOR) {
        /* "sqrt" for the classifiers, 1.0 (every feature) for the
         * regressors. */
        if (is_classifier(estimator)) {
            tree->max_features = GCV_TREE_FEATURES_SQRT;
        } else {
            tree->max_features = GCV_TREE_FEATURES_FRACTION;
            tree->max_features_fraction = 1.0;
        }
    }
    forest->n_estimators = 100;
    forest->bootstrap = estimator == GCV_TREE_RANDOM_FOREST_CLASSIFIER ||
                        estimator == GCV_TREE_RANDOM_FOREST_REGRESSOR;
}

/* The checks BaseForest.fit makes on the parameters alone. */
static enum gcv_status check_forest(const struct raw_params *raw, struct gcv_error *err)
{
    const struct gcv_param *param = raw->max_samples_param;

    if (!raw->forest.bootstrap && param != NULL) {
        char value[64];

        gcv_value_format_json(&param->value, value, sizeof value);
        return gcv_error_set(err, GCV_ERR_PARAM, "max_samples=%s requires bootstrap=true%s%s%s; "
                             "set bootstrap to true or max_samples to null", value,
                             param->where != NULL ? " (" : "",
                             param->where != NULL ? param->where : "",
                             param->where != NULL ? ")" : "");
    }
    param = raw->oob_score_param;
    if (raw->forest.oob_score && !raw->forest.bootstrap)
        return gcv_error_set(err, GCV_ERR_PARAM, "oob_score=true requires bootstrap=true%s%s%s, "
                             "because only bootstrap samples leave rows out of bag",
                             param != NULL && param->where != NULL ? " (" : "",
                             param != NULL && param->where != NULL ? param->where : "",
                             param != NULL && param->where != NULL ? ")" : "");
    return GCV_OK;
}

enum gcv_status gcv_tree_params_parse(enum gcv_tree_estimator estimator,
                                      const struct gcv_param_set *params, void **out,
                                      struct gcv_error *err)
{
    struct gcv_param_check_entry table[N_ALL_PARAMS];
    const unsigned family = is_forest(estimator) ? FORESTS : SINGLE_TREES;
    const char *name = gcv_tree_estimator_name(estimator);
    struct raw_params raw;
    size_t n_entries = 0;
    enum gcv_status status;

    *out = NULL;
    for (size_t k = 0; k < N_ALL_PARAMS; k++) {
        if ((all_params[k].applies & family) == 0)
            continue;
        if ((all_params[k].applies & CLASSIFIERS_ONLY) != 0 && !is_classifier(estimator))
            continue;
        table[n_entries++] = all_params[k].entry;
    }

    set_defaults(&raw, estimator);
    status = gcv_param_check_all(name, params, table, n_entries, &raw, err);
    if (status == GCV_OK && is_forest(estimator))
        status = check_forest(&raw, err);
    if (status != GCV_OK)
        return status;
    if (raw.max_features_auto)
        gcv_log_warn("%s parameter max_features=\"auto\" is deprecated since scikit-learn 1.1; "
                     "write %s", name, is_classifier(estimator) ? "\"sqrt\"" : "1.0");

    if (is_forest(estimator)) {
        struct gcv_forest_params *parsed = malloc(sizeof *parsed);

        if (parsed == NULL)
            return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %s parameters", name);
        *parsed = raw.forest;
        *out = parsed;
    } else {
        struct gcv_tree_params *parsed = malloc(sizeof *parsed);

        if (parsed == NULL)
            return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %s parameters", name);
        *parsed = raw.forest.tree;
        *out = parsed;
    }
    return GCV_OK;
}
