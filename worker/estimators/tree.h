/* Decision trees as scikit-learn 1.2.1 grows them (sklearn/tree/_tree.pyx,
 * _splitter.pyx, _criterion.pyx), shared by DecisionTreeClassifier,
 * DecisionTreeRegressor and the forests.
 *
 * The builder repeats scikit-learn's arithmetic step by step, so a tree
 * grown from the same rows, weights and seed has the same nodes. Features
 * are float32, each node's samples are sorted with the same introsort, the
 * features are drawn with scikit-learn's xorshift generator seeded from
 * numpy's RandomState(random_state), and the criteria accumulate their sums
 * in the same order. See docs/trees.md for what still differs. */
#ifndef GCV_TREE_H
#define GCV_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../common/param.h"
#include "../../common/random.h"
#include "../../common/status.h"
#include "../estimator.h"

extern const struct gcv_estimator_ops gcv_decision_tree_classifier_ops;
extern const struct gcv_estimator_ops gcv_decision_tree_regressor_ops;
extern const struct gcv_estimator_ops gcv_extra_tree_classifier_ops;
extern const struct gcv_estimator_ops gcv_extra_tree_regressor_ops;

enum gcv_tree_criterion {
    GCV_TREE_GINI,
    GCV_TREE_ENTROPY,          /* "entropy" and "log_loss" */
    GCV_TREE_SQUARED_ERROR,
    GCV_TREE_FRIEDMAN_MSE,
    GCV_TREE_ABSOLUTE_ERROR,
    GCV_TREE_POISSON,
};

enum gcv_tree_splitter {
    GCV_TREE_SPLITTER_BEST,    /* every threshold of each drawn feature */
    GCV_TREE_SPLITTER_RANDOM,  /* one uniform threshold per drawn feature (extra trees) */
};

enum gcv_tree_max_features {
    GCV_TREE_FEATURES_ALL,     /* null, or 1.0 */
    GCV_TREE_FEATURES_COUNT,   /* an integer */
    GCV_TREE_FEATURES_FRACTION,
    GCV_TREE_FEATURES_SQRT,
    GCV_TREE_FEATURES_LOG2,
};

enum gcv_tree_class_weight {
    GCV_TREE_CLASS_WEIGHT_NONE,
    GCV_TREE_CLASS_WEIGHT_BALANCED,
    GCV_TREE_CLASS_WEIGHT_BALANCED_SUBSAMPLE,  /* forests only */
};

/* The parameters of one tree, as written in the spec and checked against
 * scikit-learn 1.2.1's constraints. Integer-or-fraction parameters keep
 * both forms: the fraction applies when its flag is set. */
struct gcv_tree_params {
    enum gcv_tree_criterion criterion;
    enum gcv_tree_splitter splitter;
    long long max_depth;                 /* 0 for null (unlimited) */
    long long min_samples_split;
    double min_samples_split_fraction;
    bool min_samples_split_is_fraction;
    long long min_samples_leaf;
    double min_samples_leaf_fraction;
    bool min_samples_leaf_is_fraction;
    double min_weight_fraction_leaf;
    enum gcv_tree_max_features max_features;
    long long max_features_count;        /* GCV_TREE_FEATURES_COUNT */
    double max_features_fraction;        /* GCV_TREE_FEATURES_FRACTION */
    long long max_leaf_nodes;            /* 0 for null: depth-first growth */
    double min_impurity_decrease;
    double ccp_alpha;
    enum gcv_tree_class_weight class_weight;
    uint32_t random_state;               /* null is read as 0, see docs/trees.md */
};

/* The training rows of one fit in the layout the builder reads, made once
 * and shared read-only by every tree of a forest. */
struct gcv_tree_data {
    float *X;              /* [n_features * n_samples], owned: feature f of sample i at
                              X[f * n_samples + i], rounded to float32 as scikit-learn does */
    double *y;             /* [n_samples], owned: class index (classifier) or target */
    size_t n_samples;
    size_t n_features;
    size_t n_classes;      /* classes present in the rows (classifier), 0 for a regressor */
    int32_t *class_codes;  /* [n_classes], owned: the dataset's code of each class index,
                              ascending; NULL for a regressor */
};

/* Sentinel child of a leaf. */
#define GCV_TREE_LEAF SIZE_MAX

struct gcv_tree_node {
    size_t left;                   /* child node ids, GCV_TREE_LEAF for a leaf */
    size_t right;
    size_t feature;                /* split feature; unused in a leaf */
    double threshold;              /* a row goes left when float32(x[feature]) <= threshold */
    double impurity;
    size_t n_node_samples;         /* distinct training samples in the node */
    double weighted_n_node_samples;
};

/* A fitted tree. Node 0 is the root; ids follow scikit-learn's creation
 * order. */
struct gcv_tree {
    struct gcv_tree_node *nodes;   /* [n_nodes], owned */
    double *values;                /* [n_nodes * n_values], owned: the weighted class counts
                                      of a classifier node, or a regressor's prediction */
    size_t n_nodes;
    size_t capacity;               /* nodes allocated */
    size_t n_values;               /* n_classes, or 1 for a regressor */
    size_t max_depth;              /* depth of the deepest node */
};

/* A fitted DecisionTree* or ExtraTree* estimator. */
struct gcv_tree_model {
    struct gcv_tree tree;
    size_t n_classes;       /* classes of the training rows, 0 for a regressor */
    int32_t *class_codes;   /* [n_classes] dataset code of each class index, owned, or NULL */
};

/* Frees a struct gcv_tree_model and what it owns. Accepts NULL. */
void gcv_tree_model_free(void *model);

/* Converts the training rows into data: X to float32 and feature-major, y
 * to class indexes of the classes present (ascending dataset codes) or to
 * targets. A classifier needs train->y_class, a regressor train->y_value.
 * On success data owns its arrays (gcv_tree_data_free). */
enum gcv_status gcv_tree_data_init(struct gcv_tree_data *data, const struct gcv_rows *train,
                                   bool classifier, struct gcv_error *err);

/* Frees what data owns and zeroes it. Accepts NULL. */
void gcv_tree_data_free(struct gcv_tree_data *data);

/* Writes scikit-learn's compute_sample_weight("balanced", y) for the
 * samples of data into weights[data->n_samples]: n / (k * count of the
 * class), k the classes present. */
void gcv_tree_balanced_weights(const struct gcv_tree_data *data, double *weights);

/* Rejects Poisson targets as scikit-learn's fit does (GCV_ERR_FIT): a
 * negative target, or a sum that is not positive. */
enum gcv_status gcv_tree_check_poisson_targets(const struct gcv_tree_data *data,
                                               struct gcv_error *err);

/* Grows one tree on data as scikit-learn's BaseDecisionTree.fit does with
 * random_state=seed and the given sample weights (NULL for all 1; samples
 * of weight 0 take no part), then prunes it when params->ccp_alpha > 0.
 * Returns GCV_ERR_TIMEOUT once the monotonic clock passes deadline (0 for
 * none), checked at every node, and GCV_ERR_FIT when every weight is 0. On
 * success *tree is owned by the caller (gcv_tree_free). */
enum gcv_status gcv_tree_build(struct gcv_tree *tree, const struct gcv_tree_params *params,
                               const struct gcv_tree_data *data, const double *sample_weight,
                               uint32_t seed, double deadline, struct gcv_error *err);

/* Grows one tree as gcv_tree_build does, but draws the feature
 * generator's state from rng as one randint(0, 2^31 - 1). scikit-learn's
 * splitter does the same when the tree is given a RandomState instance that
 * the caller keeps drawing from, as the stages of gradient boosting do. */
enum gcv_status gcv_tree_build_from_stream(struct gcv_tree *tree,
                                           const struct gcv_tree_params *params,
                                           const struct gcv_tree_data *data,
                                           const double *sample_weight, struct gcv_random *rng,
                                           double deadline, struct gcv_error *err);

/* Frees the nodes and values of tree and zeroes it. Accepts NULL. */
void gcv_tree_free(struct gcv_tree *tree);

/* Returns the leaf that row x[n_features] (doubles, compared as float32)
 * reaches. */
size_t gcv_tree_apply(const struct gcv_tree *tree, const double *x);

/* The value row of a node: n_values doubles. */
static inline const double *gcv_tree_value(const struct gcv_tree *tree, size_t node)
{
    return tree->values + node * tree->n_values;
}

/* Writes a classifier leaf's class probabilities into proba[n_values]: its
 * weighted counts divided by their numpy sum (1 when the sum is 0), as
 * DecisionTreeClassifier.predict_proba. */
void gcv_tree_leaf_proba(const struct gcv_tree *tree, size_t leaf, double *proba);

/* Returns the position of the first largest of values[n] (numpy.argmax). */
size_t gcv_tree_argmax(const double *values, size_t n);

/* ----- parameters -------------------------------------------------------- */

/* The estimator whose parameters gcv_tree_params_parse checks. The forest
 * kinds accept the forest's parameters (forest.h) and reject splitter. */
enum gcv_tree_estimator {
    GCV_TREE_DECISION_TREE_CLASSIFIER,
    GCV_TREE_DECISION_TREE_REGRESSOR,
    GCV_TREE_EXTRA_TREE_CLASSIFIER,
    GCV_TREE_EXTRA_TREE_REGRESSOR,
    GCV_TREE_RANDOM_FOREST_CLASSIFIER,
    GCV_TREE_RANDOM_FOREST_REGRESSOR,
    GCV_TREE_EXTRA_TREES_CLASSIFIER,
    GCV_TREE_EXTRA_TREES_REGRESSOR,
};

/* Returns the scikit-learn class name of an estimator kind. */
const char *gcv_tree_estimator_name(enum gcv_tree_estimator estimator);

/* Checks params for estimator against scikit-learn 1.2.1's constraints and
 * defaults and returns them in *out: a struct gcv_tree_params for a single
 * tree, a struct gcv_forest_params (forest.h) for a forest. *out is owned
 * by the caller (free). On failure the status is GCV_ERR_PARAM and err
 * names the parameter, its value and location, and what is accepted. */
enum gcv_status gcv_tree_params_parse(enum gcv_tree_estimator estimator,
                                      const struct gcv_param_set *params, void **out,
                                      struct gcv_error *err);

/* Parsers of the parameters that the tree, forest and gradient boosting
 * estimators share. Each checks param against scikit-learn 1.2.1's
 * constraints and sets its field of *tree. On failure it returns
 * GCV_ERR_PARAM and err names the parameter, its value and what is accepted. */
/* max_features: as the others, except that "auto", whose meaning depends
 * on the estimator, sets *is_auto and leaves tree->max_features to the
 * caller. */
enum gcv_status gcv_tree_param_max_features(const struct gcv_param *param,
                                            struct gcv_tree_params *tree, bool *is_auto,
                                            struct gcv_error *err);
enum gcv_status gcv_tree_param_max_depth(const struct gcv_param *param,
                                         struct gcv_tree_params *tree, struct gcv_error *err);
enum gcv_status gcv_tree_param_min_samples_split(const struct gcv_param *param,
                                                 struct gcv_tree_params *tree,
                                                 struct gcv_error *err);
enum gcv_status gcv_tree_param_min_samples_leaf(const struct gcv_param *param,
                                                struct gcv_tree_params *tree,
                                                struct gcv_error *err);
enum gcv_status gcv_tree_param_min_weight_fraction_leaf(const struct gcv_param *param,
                                                        struct gcv_tree_params *tree,
                                                        struct gcv_error *err);
enum gcv_status gcv_tree_param_random_state(const struct gcv_param *param,
                                            struct gcv_tree_params *tree, struct gcv_error *err);
enum gcv_status gcv_tree_param_max_leaf_nodes(const struct gcv_param *param,
                                              struct gcv_tree_params *tree, struct gcv_error *err);
enum gcv_status gcv_tree_param_min_impurity_decrease(const struct gcv_param *param,
                                                     struct gcv_tree_params *tree,
                                                     struct gcv_error *err);
enum gcv_status gcv_tree_param_ccp_alpha(const struct gcv_param *param,
                                         struct gcv_tree_params *tree, struct gcv_error *err);

/* Writes tree's nodes (one array per field) and values into the model
 * group (common/model_file.h). */
enum gcv_status gcv_tree_save(const struct gcv_tree *tree, hid_t group, struct gcv_error *err);

/* Reads what gcv_tree_save wrote into tree, which then owns its arrays
 * (gcv_tree_free). On failure tree is zeroed. Rejects, as GCV_ERR_DATA, a
 * tree whose rows could leave it or loop: a split feature >= n_features,
 * or a child id not greater than its node's or not below n_nodes. */
enum gcv_status gcv_tree_load(hid_t group, size_t n_features, struct gcv_tree *tree,
                              struct gcv_error *err);

/* gcv_estimator_ops.save and load of the single-tree estimators: the tree,
 * n_features and the class codes of a classifier. */
enum gcv_status gcv_tree_model_save(const void *model, hid_t group, struct gcv_error *err);
enum gcv_status gcv_tree_model_load(hid_t group, void **model, struct gcv_error *err);

#endif
