/* Suite "tree": DecisionTreeClassifier, DecisionTreeRegressor,
 * ExtraTreeClassifier and ExtraTreeRegressor against scikit-learn 1.2.1 on
 * wine, breast cancer, digits and diabetes (fixtures written by
 * tests/unit/fixtures/make_tree_fixtures.py): every node of the fitted
 * tree and every prediction, the criteria on hand-derived cases, and the
 * parameter checks. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/estimator_checks.h"
#include "tests/unit/fixtures/tree_fixtures.h"
#include "worker/estimators/tree.h"

#define N_TREE_FIXTURES (sizeof tree_fixtures / sizeof tree_fixtures[0])

static const struct gcv_estimator_ops *tree_ops(const char *name)
{
    static const struct gcv_estimator_ops *const all[] = {
        &gcv_decision_tree_classifier_ops, &gcv_decision_tree_regressor_ops,
        &gcv_extra_tree_classifier_ops, &gcv_extra_tree_regressor_ops,
    };

    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        if (strcmp(all[k]->name, name) == 0)
            return all[k];
    ck_abort_msg("no estimator %s", name);
    return NULL;
}

/* The rows i % 4 != 0 (train) or i % 4 == 0 (test) of a fixture dataset,
 * written to index. */
static struct gcv_rows fixture_rows(const char *dataset, bool test, size_t *index)
{
    size_t n_total, n = 0;

    if (strcmp(dataset, "diabetes") == 0)
        n_total = DIABETES_ROWS;
    else if (strcmp(dataset, "wine") == 0)
        n_total = WINE_ROWS;
    else if (strcmp(dataset, "cancer") == 0)
        n_total = CANCER_ROWS;
    else
        n_total = DIGITS_ROWS;
    for (size_t i = 0; i < n_total; i++)
        if ((i % 4 == 0) == test)
            index[n++] = i;
    if (strcmp(dataset, "diabetes") == 0)
        return diabetes_rows(index, n);
    return class_rows(dataset, index, n);
}

/* Parses and fits a fixture's estimator on its training rows. */
static struct gcv_tree_model *fit_fixture(const struct tree_fixture *fixture,
                                          const struct gcv_estimator_ops *ops)
{
    const struct gcv_param_set set = {.items = fixture->params, .count = fixture->n_params};
    size_t train_index[DIGITS_ROWS];
    const struct gcv_rows train = fixture_rows(fixture->dataset, false, train_index);
    struct gcv_error err = {0};
    void *params = NULL, *model = NULL;

    ck_assert_msg(ops->params_parse(&set, &params, &err) == GCV_OK, "%s: %s", fixture->name,
                  err.message);
    ck_assert_msg(ops->fit(params, &train, &model, &err) == GCV_OK, "%s: %s", fixture->name,
                  err.message);
    ops->params_free(params);
    return model;
}

START_TEST(tree_nodes_match_sklearn)
{
    const struct tree_fixture *fixture = &tree_fixtures[_i];
    const struct gcv_estimator_ops *ops = tree_ops(fixture->estimator);
    struct gcv_tree_model *model = fit_fixture(fixture, ops);
    const struct gcv_tree *tree = &model->tree;

    ck_assert_msg(tree->n_nodes == fixture->n_nodes, "%s: %zu nodes, scikit-learn has %zu",
                  fixture->name, tree->n_nodes, fixture->n_nodes);
    for (size_t i = 0; i < tree->n_nodes; i++) {
        const struct gcv_tree_node *node = &tree->nodes[i];
        const bool leaf = node->left == GCV_TREE_LEAF;

        ck_assert_msg(leaf == (fixture->left[i] == -1), "%s: node %zu leaf differs",
                      fixture->name, i);
        if (leaf)
            continue;
        ck_assert_msg((int64_t)node->left == fixture->left[i] &&
                          (int64_t)node->right == fixture->right[i],
                      "%s: node %zu children %zu, %zu, want %lld, %lld", fixture->name, i,
                      node->left, node->right, (long long)fixture->left[i],
                      (long long)fixture->right[i]);
        ck_assert_msg((int64_t)node->feature == fixture->feature[i],
                      "%s: node %zu splits feature %zu, want %lld", fixture->name, i,
                      node->feature, (long long)fixture->feature[i]);
        ck_assert_msg(node->threshold == fixture->threshold[i],
                      "%s: node %zu threshold %.17g, want %.17g", fixture->name, i,
                      node->threshold, fixture->threshold[i]);
    }
    ops->model_free(model);
}
END_TEST

START_TEST(tree_predict_matches_sklearn)
{
    const struct tree_fixture *fixture = &tree_fixtures[_i];
    const struct gcv_estimator_ops *ops = tree_ops(fixture->estimator);
    struct gcv_tree_model *model = fit_fixture(fixture, ops);
    size_t test_index[DIGITS_ROWS];
    const struct gcv_rows test = fixture_rows(fixture->dataset, true, test_index);
    double *predicted = malloc(test.n_rows * sizeof *predicted);
    struct gcv_error err = {0};

    ck_assert_int_eq(ops->predict(model, &test, predicted, &err), GCV_OK);
    for (size_t r = 0; r < test.n_rows; r++)
        ck_assert_msg(predicted[r] == fixture->predicted[r], "%s: row %zu predicted %.17g, "
                      "want %.17g", fixture->name, test_index[r], predicted[r],
                      fixture->predicted[r]);
    free(predicted);
    ops->model_free(model);
}
END_TEST

START_TEST(tree_predict_proba_agrees_with_predict)
{
    /* cancer_entropy_depth4 stops at depth 4, so its leaves mix classes. */
    const struct tree_fixture *fixture = &tree_fixtures[1];
    struct gcv_tree_model *model = fit_fixture(fixture, &gcv_decision_tree_classifier_ops);
    size_t test_index[CANCER_ROWS];
    const struct gcv_rows test = fixture_rows("cancer", true, test_index);
    double *proba = malloc(test.n_rows * CANCER_CLASSES * sizeof *proba);
    int32_t classes[CANCER_CLASSES];
    size_t n_classes = 0;
    struct gcv_error err = {0};
    bool mixed = false;

    ck_assert_str_eq(fixture->name, "cancer_entropy_depth4");
    ck_assert_int_eq(gcv_decision_tree_classifier_ops.predict_proba(model, &test, proba, classes,
                                                                    &n_classes, &err),
                     GCV_OK);
    ck_assert_uint_eq(n_classes, 2);
    ck_assert_int_eq(classes[0], 0);
    ck_assert_int_eq(classes[1], 1);
    for (size_t r = 0; r < test.n_rows; r++) {
        const double *row = proba + 2 * r;

        ck_assert_double_eq_tol(row[0] + row[1], 1.0, 1e-15);
        ck_assert_double_eq((double)(row[1] > row[0]), fixture->predicted[r]);
        mixed = mixed || (row[0] > 0.0 && row[1] > 0.0);
    }
    ck_assert_msg(mixed, "no test row reached a mixed leaf");
    free(proba);
    gcv_tree_model_free(model);
}
END_TEST

/* ----- criteria on hand-derived cases ------------------------------------ */

/* Fits estimator with criterion on the one-feature rows x = 0, 1, 2, 3 with
 * labels or targets y[4]. */
static struct gcv_tree_model *fit_four_rows(const struct gcv_estimator_ops *ops,
                                            const char *criterion, const double *y_value,
                                            const int32_t *y_class)
{
    static const double X[] = {0, 1, 2, 3};
    static const size_t index[] = {0, 1, 2, 3};
    const struct gcv_rows train = {.X = X, .n_features = 1, .index = index, .n_rows = 4,
                                   .y_class = y_class, .y_value = y_value,
                                   .n_classes = y_class != NULL ? 2 : 0};
    struct gcv_param item = {.name = "criterion", .value = string_value(criterion)};
    const struct gcv_param_set set = {.items = &item, .count = 1};
    struct gcv_error err = {0};
    void *params = NULL, *model = NULL;

    ck_assert_int_eq(ops->params_parse(&set, &params, &err), GCV_OK);
    ck_assert_msg(ops->fit(params, &train, &model, &err) == GCV_OK, "%s", err.message);
    ops->params_free(params);
    return model;
}

START_TEST(gini_of_two_balanced_classes)
{
    /* y = 0, 0, 1, 1: Gini = 1 - (2^2 + 2^2) / 4^2 = 0.5 at the root; the
     * split at the midpoint 1.5 leaves two pure leaves. */
    static const int32_t y[] = {0, 0, 1, 1};
    struct gcv_tree_model *model = fit_four_rows(&gcv_decision_tree_classifier_ops, "gini",
                                                 NULL, y);

    ck_assert_uint_eq(model->tree.n_nodes, 3);
    ck_assert_double_eq(model->tree.nodes[0].impurity, 0.5);
    ck_assert_double_eq(model->tree.nodes[0].threshold, 1.5);
    ck_assert_double_eq(model->tree.nodes[1].impurity, 0.0);
    ck_assert_double_eq(model->tree.nodes[2].impurity, 0.0);
    gcv_tree_model_free(model);
}
END_TEST

START_TEST(entropy_of_three_to_one)
{
    /* y = 0, 0, 0, 1: entropy = -(3/4 log2 3/4 + 1/4 log2 1/4)
     * = 0.811278124459132... bits; the split isolates the last row at 2.5. */
    static const int32_t y[] = {0, 0, 0, 1};
    const double want = -(0.75 * log2(0.75) + 0.25 * log2(0.25));
    struct gcv_tree_model *model = fit_four_rows(&gcv_decision_tree_classifier_ops, "entropy",
                                                 NULL, y);

    ck_assert_double_eq_tol(model->tree.nodes[0].impurity, want, 1e-15);
    ck_assert_double_eq_tol(model->tree.nodes[0].impurity, 0.8112781244591328, 1e-15);
    ck_assert_double_eq(model->tree.nodes[0].threshold, 2.5);
    gcv_tree_model_free(model);
}
END_TEST

START_TEST(squared_error_isolates_outlier)
{
    /* y = 1, 2, 3, 10: variance = (1 + 4 + 9 + 100) / 4 - 4^2 = 12.5. The
     * proxy sum_l^2 / n_l + sum_r^2 / n_r is 1 + 225/3 = 76, 9/2 + 169/2 =
     * 89 and 36/3 + 100 = 112 for the splits after 1, 2 and 3 rows, so the
     * tree splits at 2.5, the left child's variance being 14/3 - 4 = 2/3. */
    static const double y[] = {1, 2, 3, 10};
    struct gcv_tree_model *model = fit_four_rows(&gcv_decision_tree_regressor_ops,
                                                 "squared_error", y, NULL);

    ck_assert_double_eq_tol(model->tree.nodes[0].impurity, 12.5, 1e-14);
    ck_assert_double_eq(model->tree.nodes[0].threshold, 2.5);
    ck_assert_double_eq_tol(model->tree.nodes[1].impurity, 2.0 / 3.0, 1e-14);
    ck_assert_double_eq(gcv_tree_value(&model->tree, 0)[0], 4.0);
    gcv_tree_model_free(model);
}
END_TEST

START_TEST(absolute_error_uses_split_median)
{
    /* y = 1, 2, 3, 10 with unit weights: the first two reach half the
     * weight exactly, so the median is (2 + 3) / 2 = 2.5 and the mean
     * absolute deviation (1.5 + 0.5 + 0.5 + 7.5) / 4 = 2.5. */
    static const double y[] = {1, 2, 3, 10};
    struct gcv_tree_model *model = fit_four_rows(&gcv_decision_tree_regressor_ops,
                                                 "absolute_error", y, NULL);

    ck_assert_double_eq(gcv_tree_value(&model->tree, 0)[0], 2.5);
    ck_assert_double_eq(model->tree.nodes[0].impurity, 2.5);
    gcv_tree_model_free(model);
}
END_TEST

START_TEST(poisson_half_deviance)
{
    /* y = 1, 1, 2, 4, mean 2: sum y log(y / 2) / 4 = (2 log 0.5 + 0 +
     * 4 log 2) / 4 = log(2) / 2. */
    static const double y[] = {1, 1, 2, 4};
    struct gcv_tree_model *model = fit_four_rows(&gcv_decision_tree_regressor_ops, "poisson",
                                                 y, NULL);

    ck_assert_double_eq_tol(model->tree.nodes[0].impurity, log(2.0) / 2.0, 1e-15);
    gcv_tree_model_free(model);
}
END_TEST

START_TEST(balanced_weights_invert_class_counts)
{
    /* n / (k * count): 4 / (2 * 3) for class 0 and 4 / (2 * 1) for 1. */
    static const double X[] = {0, 1, 2, 3};
    static const int32_t y[] = {0, 0, 0, 1};
    static const size_t index[] = {0, 1, 2, 3};
    const struct gcv_rows train = {.X = X, .n_features = 1, .index = index, .n_rows = 4,
                                   .y_class = y, .n_classes = 2};
    struct gcv_tree_data data;
    struct gcv_error err = {0};
    double weights[4];

    ck_assert_int_eq(gcv_tree_data_init(&data, &train, true, &err), GCV_OK);
    gcv_tree_balanced_weights(&data, weights);
    ck_assert_double_eq(weights[0], 4.0 / 6.0);
    ck_assert_double_eq(weights[2], 4.0 / 6.0);
    ck_assert_double_eq(weights[3], 2.0);
    gcv_tree_data_free(&data);
}
END_TEST

START_TEST(classes_absent_from_fold_are_skipped)
{
    /* The fold has classes 0 and 2 of three: the tree has two classes
     * and predicts the dataset codes. */
    static const double X[] = {0, 1, 2, 3};
    static const int32_t y[] = {2, 2, 0, 0};
    static const size_t index[] = {0, 1, 2, 3};
    const struct gcv_rows train = {.X = X, .n_features = 1, .index = index, .n_rows = 4,
                                   .y_class = y, .n_classes = 3};
    const struct gcv_param_set empty = {0};
    struct gcv_tree_model *model = NULL;
    struct gcv_error err = {0};
    void *params = NULL;
    double predicted[4];

    ck_assert_int_eq(gcv_decision_tree_classifier_ops.params_parse(&empty, &params, &err),
                     GCV_OK);
    ck_assert_int_eq(gcv_decision_tree_classifier_ops.fit(params, &train, (void **)&model,
                                                          &err),
                     GCV_OK);
    ck_assert_uint_eq(model->n_classes, 2);
    ck_assert_int_eq(model->class_codes[0], 0);
    ck_assert_int_eq(model->class_codes[1], 2);
    ck_assert_int_eq(gcv_decision_tree_classifier_ops.predict(model, &train, predicted, &err),
                     GCV_OK);
    ck_assert_double_eq(predicted[0], 2.0);
    ck_assert_double_eq(predicted[3], 0.0);
    gcv_tree_model_free(model);
    free(params);
}
END_TEST

/* ----- fit failures ------------------------------------------------------ */

START_TEST(passed_deadline_times_out)
{
    size_t index[DIGITS_ROWS];
    struct gcv_rows train = fixture_rows("digits", false, index);
    const struct gcv_param_set empty = {0};
    struct gcv_error err = {0};
    void *params = NULL, *model = NULL;

    train.deadline = 1e-9;
    ck_assert_int_eq(gcv_decision_tree_classifier_ops.params_parse(&empty, &params, &err),
                     GCV_OK);
    ck_assert_int_eq(gcv_decision_tree_classifier_ops.fit(params, &train, &model, &err),
                     GCV_ERR_TIMEOUT);
    ck_assert_ptr_null(model);
    ck_assert_msg(strstr(err.message, "deadline") != NULL, "%s", err.message);
    free(params);
}
END_TEST

START_TEST(poisson_rejects_negative_targets)
{
    static const double X[] = {0, 1, 2};
    static const double y[] = {1, -1, 2};
    static const size_t index[] = {0, 1, 2};
    const struct gcv_rows train = {.X = X, .n_features = 1, .index = index, .n_rows = 3,
                                   .y_value = y};
    struct gcv_param item = {.name = "criterion", .value = string_value("poisson")};
    const struct gcv_param_set set = {.items = &item, .count = 1};
    struct gcv_error err = {0};
    void *params = NULL, *model = NULL;

    ck_assert_int_eq(gcv_decision_tree_regressor_ops.params_parse(&set, &params, &err), GCV_OK);
    ck_assert_int_eq(gcv_decision_tree_regressor_ops.fit(params, &train, &model, &err),
                     GCV_ERR_FIT);
    ck_assert_str_eq(err.message, "criterion=\"poisson\" needs targets >= 0, and a training "
                     "row has -1");
    free(params);
}
END_TEST

/* ----- parameters -------------------------------------------------------- */

START_TEST(defaults_match_sklearn)
{
    struct gcv_tree_params *classifier = parse_defaults(&gcv_decision_tree_classifier_ops);
    struct gcv_tree_params *regressor = parse_defaults(&gcv_decision_tree_regressor_ops);
    struct gcv_tree_params *extra_classifier = parse_defaults(&gcv_extra_tree_classifier_ops);
    struct gcv_tree_params *extra_regressor = parse_defaults(&gcv_extra_tree_regressor_ops);

    ck_assert_int_eq(classifier->criterion, GCV_TREE_GINI);
    ck_assert_int_eq(classifier->splitter, GCV_TREE_SPLITTER_BEST);
    ck_assert_int_eq(classifier->max_features, GCV_TREE_FEATURES_ALL);
    ck_assert_int_eq(classifier->max_depth, 0);
    ck_assert_int_eq(classifier->min_samples_split, 2);
    ck_assert_int_eq(classifier->min_samples_leaf, 1);
    ck_assert_int_eq(classifier->max_leaf_nodes, 0);
    ck_assert_int_eq(classifier->class_weight, GCV_TREE_CLASS_WEIGHT_NONE);
    ck_assert_uint_eq(classifier->random_state, 0);
    ck_assert_double_eq(classifier->ccp_alpha, 0.0);
    ck_assert_int_eq(regressor->criterion, GCV_TREE_SQUARED_ERROR);
    ck_assert_int_eq(regressor->max_features, GCV_TREE_FEATURES_ALL);
    ck_assert_int_eq(extra_classifier->splitter, GCV_TREE_SPLITTER_RANDOM);
    ck_assert_int_eq(extra_classifier->max_features, GCV_TREE_FEATURES_SQRT);
    ck_assert_int_eq(extra_regressor->splitter, GCV_TREE_SPLITTER_RANDOM);
    ck_assert_int_eq(extra_regressor->max_features, GCV_TREE_FEATURES_FRACTION);
    ck_assert_double_eq(extra_regressor->max_features_fraction, 1.0);
    free(classifier);
    free(regressor);
    free(extra_classifier);
    free(extra_regressor);
}
END_TEST

START_TEST(accepted_values_parse)
{
    struct gcv_error err = {0};
    enum gcv_status status;
    struct gcv_tree_params *params;

    /* An integer 1 passes scikit-learn's real interval (0, 1]. */
    params = parse_one(&gcv_decision_tree_classifier_ops, "min_samples_split", int_value(1),
                       &status, &err);
    ck_assert_int_eq(status, GCV_OK);
    ck_assert(!params->min_samples_split_is_fraction);
    ck_assert_int_eq(params->min_samples_split, 1);
    free(params);

    params = parse_one(&gcv_decision_tree_classifier_ops, "max_features", real_value(1.0),
                       &status, &err);
    ck_assert_int_eq(status, GCV_OK);
    ck_assert_int_eq(params->max_features, GCV_TREE_FEATURES_FRACTION);
    free(params);

    params = parse_one(&gcv_decision_tree_classifier_ops, "criterion", string_value("log_loss"),
                       &status, &err);
    ck_assert_int_eq(status, GCV_OK);
    ck_assert_int_eq(params->criterion, GCV_TREE_ENTROPY);
    free(params);

    params = parse_one(&gcv_decision_tree_regressor_ops, "random_state",
                       int_value(4294967295LL), &status, &err);
    ck_assert_int_eq(status, GCV_OK);
    ck_assert_uint_eq(params->random_state, 4294967295u);
    free(params);
}
END_TEST

static const struct {
    const char *estimator;
    const char *name;
    struct gcv_value value;
    const char *message;
} rejected[] = {
    {"DecisionTreeClassifier", "criterion", {.kind = GCV_VALUE_STRING, .string = "squared_error"},
     "criterion must be one of \"gini\", \"entropy\", \"log_loss\", got \"squared_error\""},
    {"DecisionTreeRegressor", "criterion", {.kind = GCV_VALUE_STRING, .string = "gini"},
     "criterion must be one of \"squared_error\", \"friedman_mse\", \"absolute_error\", "
     "\"poisson\", got \"gini\""},
    {"DecisionTreeClassifier", "splitter", {.kind = GCV_VALUE_STRING, .string = "worst"},
     "splitter must be \"best\" or \"random\", got \"worst\""},
    {"DecisionTreeClassifier", "max_depth", {.kind = GCV_VALUE_INT, .integer = 0},
     "max_depth must be an integer >= 1 or null, got 0"},
    {"DecisionTreeClassifier", "max_depth", {.kind = GCV_VALUE_REAL, .real = 2.5},
     "max_depth must be an integer >= 1 or null, got 2.5"},
    {"DecisionTreeClassifier", "min_samples_split", {.kind = GCV_VALUE_INT, .integer = 0},
     "min_samples_split must be an integer >= 2 or a real in (0, 1], got 0"},
    {"DecisionTreeClassifier", "min_samples_split", {.kind = GCV_VALUE_REAL, .real = 1.5},
     "min_samples_split must be an integer >= 2 or a real in (0, 1], got 1.5"},
    {"DecisionTreeRegressor", "min_samples_leaf", {.kind = GCV_VALUE_REAL, .real = 1.0},
     "min_samples_leaf must be an integer >= 1 or a real in (0, 1), got 1.0"},
    {"DecisionTreeRegressor", "min_weight_fraction_leaf", {.kind = GCV_VALUE_REAL, .real = 0.6},
     "min_weight_fraction_leaf must be a number in [0, 0.5], got 0.6"},
    {"DecisionTreeClassifier", "max_features", {.kind = GCV_VALUE_INT, .integer = 0},
     "max_features must be an integer >= 1, a real in (0, 1], \"sqrt\", \"log2\" or null, "
     "got 0"},
    {"DecisionTreeClassifier", "max_features", {.kind = GCV_VALUE_REAL, .real = 1.5},
     "max_features must be an integer >= 1, a real in (0, 1], \"sqrt\", \"log2\" or null, "
     "got 1.5"},
    {"ExtraTreeRegressor", "max_features", {.kind = GCV_VALUE_STRING, .string = "half"},
     "max_features must be an integer >= 1, a real in (0, 1], \"sqrt\", \"log2\" or null, "
     "got \"half\""},
    {"DecisionTreeClassifier", "max_leaf_nodes", {.kind = GCV_VALUE_INT, .integer = 1},
     "max_leaf_nodes must be an integer >= 2 or null, got 1"},
    {"DecisionTreeClassifier", "min_impurity_decrease", {.kind = GCV_VALUE_REAL, .real = -1.0},
     "min_impurity_decrease must be a number >= 0, got -1.0"},
    {"DecisionTreeRegressor", "ccp_alpha", {.kind = GCV_VALUE_REAL, .real = -0.1},
     "ccp_alpha must be a number >= 0, got -0.1"},
    {"DecisionTreeClassifier", "class_weight",
     {.kind = GCV_VALUE_STRING, .string = "balanced_subsample"},
     "class_weight must be null or \"balanced\", got \"balanced_subsample\""},
    {"DecisionTreeClassifier", "random_state", {.kind = GCV_VALUE_INT, .integer = -1},
     "random_state must be null or an integer in [0, 4294967295], got -1"},
    {"DecisionTreeRegressor", "class_weight", {.kind = GCV_VALUE_STRING, .string = "balanced"},
     "unknown DecisionTreeRegressor parameter \"class_weight\""},
    {"DecisionTreeClassifier", "n_estimators", {.kind = GCV_VALUE_INT, .integer = 10},
     "unknown DecisionTreeClassifier parameter \"n_estimators\""},
};

START_TEST(invalid_value_rejected)
{
    struct gcv_error err = {0};
    enum gcv_status status;
    void *parsed = parse_one(tree_ops(rejected[_i].estimator), rejected[_i].name,
                             rejected[_i].value, &status, &err);

    ck_assert_ptr_null(parsed);
    ck_assert_int_eq(status, GCV_ERR_PARAM);
    ck_assert_msg(strncmp(err.message, rejected[_i].message, strlen(rejected[_i].message)) == 0,
                  "got: %s\nwant: %s", err.message, rejected[_i].message);
    ck_assert_msg(strstr(err.message, checks_where) != NULL, "no location in: %s", err.message);
}
END_TEST

static Suite *tree_suite(void)
{
    Suite *suite = suite_create("tree");
    TCase *sklearn = tcase_create("sklearn");
    TCase *criteria = tcase_create("criteria");
    TCase *failures = tcase_create("failures");
    TCase *params = tcase_create("params");

    tcase_set_timeout(sklearn, 60);
    tcase_add_loop_test(sklearn, tree_nodes_match_sklearn, 0, N_TREE_FIXTURES);
    tcase_add_loop_test(sklearn, tree_predict_matches_sklearn, 0, N_TREE_FIXTURES);
    tcase_add_test(sklearn, tree_predict_proba_agrees_with_predict);
    suite_add_tcase(suite, sklearn);

    tcase_add_test(criteria, gini_of_two_balanced_classes);
    tcase_add_test(criteria, entropy_of_three_to_one);
    tcase_add_test(criteria, squared_error_isolates_outlier);
    tcase_add_test(criteria, absolute_error_uses_split_median);
    tcase_add_test(criteria, poisson_half_deviance);
    tcase_add_test(criteria, balanced_weights_invert_class_counts);
    tcase_add_test(criteria, classes_absent_from_fold_are_skipped);
    suite_add_tcase(suite, criteria);

    tcase_add_test(failures, passed_deadline_times_out);
    tcase_add_test(failures, poisson_rejects_negative_targets);
    suite_add_tcase(suite, failures);

    tcase_add_test(params, defaults_match_sklearn);
    tcase_add_test(params, accepted_values_parse);
    tcase_add_loop_test(params, invalid_value_rejected, 0, sizeof rejected / sizeof rejected[0]);
    suite_add_tcase(suite, params);
    return suite;
}

int main(void)
{
    return run_suite(tree_suite());
}
