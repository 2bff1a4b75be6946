/* Suite "forest": RandomForestClassifier, RandomForestRegressor,
 * ExtraTreesClassifier and ExtraTreesRegressor against scikit-learn 1.2.1
 * (fixtures written by tests/unit/fixtures/make_tree_fixtures.py): the
 * seeds of the trees, predict, predict_proba and oob_score_. It also checks
 * that forests are identical whatever the number of threads and whether
 * their trees come from the fold cache or a fit from scratch, how the
 * threads are counted from n_jobs and the cores of the rank, and the
 * parameter checks. */
#define _GNU_SOURCE /* sched_getaffinity and CPU_COUNT */

#include <check.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/estimator_checks.h"
#include "tests/unit/fixtures/tree_fixtures.h"
#include "worker/estimators/forest.h"
#include "worker/fold_cache.h"

#define N_FOREST_FIXTURES (sizeof forest_fixtures / sizeof forest_fixtures[0])

static const struct gcv_estimator_ops *forest_ops(const char *name)
{
    static const struct gcv_estimator_ops *const all[] = {
        &gcv_random_forest_classifier_ops, &gcv_random_forest_regressor_ops,
        &gcv_extra_trees_classifier_ops, &gcv_extra_trees_regressor_ops,
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

/* Parses params[n_params] for ops and fits on the training rows of
 * dataset. */
static struct gcv_forest *fit_forest(const struct gcv_estimator_ops *ops, const char *dataset,
                                     struct gcv_param *params, size_t n_params)
{
    const struct gcv_param_set set = {.items = params, .count = n_params};
    size_t train_index[DIGITS_ROWS];
    const struct gcv_rows train = fixture_rows(dataset, false, train_index);
    struct gcv_error err = {0};
    void *parsed = NULL, *model = NULL;

    ck_assert_msg(ops->params_parse(&set, &parsed, &err) == GCV_OK, "%s", err.message);
    ck_assert_msg(ops->fit(parsed, &train, &model, &err) == GCV_OK, "%s", err.message);
    ops->params_free(parsed);
    return model;
}

START_TEST(forest_seeds_match_sklearn)
{
    const struct forest_fixture *fixture = &forest_fixtures[_i];
    struct gcv_forest *forest = fit_forest(forest_ops(fixture->estimator), fixture->dataset,
                                           fixture->params, fixture->n_params);

    ck_assert_uint_eq(forest->n_trees, fixture->n_trees);
    for (size_t t = 0; t < forest->n_trees; t++)
        ck_assert_msg(forest->seeds[t] == fixture->seeds[t], "%s: tree %zu seed %u, want %u",
                      fixture->name, t, forest->seeds[t], fixture->seeds[t]);
    gcv_forest_free(forest);
}
END_TEST

START_TEST(forest_predict_matches_sklearn)
{
    const struct forest_fixture *fixture = &forest_fixtures[_i];
    const struct gcv_estimator_ops *ops = forest_ops(fixture->estimator);
    struct gcv_forest *forest = fit_forest(ops, fixture->dataset, fixture->params,
                                           fixture->n_params);
    size_t test_index[DIGITS_ROWS];
    const struct gcv_rows test = fixture_rows(fixture->dataset, true, test_index);
    double *predicted = malloc(test.n_rows * sizeof *predicted);
    struct gcv_error err = {0};

    ck_assert_int_eq(ops->predict(forest, &test, predicted, &err), GCV_OK);
    for (size_t r = 0; r < test.n_rows; r++)
        ck_assert_msg(predicted[r] == fixture->predicted[r], "%s: row %zu predicted %.17g, "
                      "want %.17g", fixture->name, test_index[r], predicted[r],
                      fixture->predicted[r]);
    free(predicted);
    gcv_forest_free(forest);
}
END_TEST

START_TEST(forest_proba_matches_sklearn)
{
    const struct forest_fixture *fixture = &forest_fixtures[_i];
    const struct gcv_estimator_ops *ops = forest_ops(fixture->estimator);
    struct gcv_forest *forest;
    size_t test_index[DIGITS_ROWS];
    const struct gcv_rows test = fixture_rows(fixture->dataset, true, test_index);
    int32_t classes[DIGITS_CLASSES];
    size_t n_classes = 0;
    double *proba;
    struct gcv_error err = {0};

    if (fixture->proba == NULL) {
        ck_assert_ptr_null(ops->predict_proba);
        return;
    }
    forest = fit_forest(ops, fixture->dataset, fixture->params, fixture->n_params);
    proba = malloc(test.n_rows * test.n_classes * sizeof *proba);
    ck_assert_int_eq(ops->predict_proba(forest, &test, proba, classes, &n_classes, &err),
                     GCV_OK);
    ck_assert_uint_eq(n_classes, test.n_classes);
    for (size_t k = 0; k < n_classes; k++)
        ck_assert_int_eq(classes[k], (int32_t)k);
    for (size_t i = 0; i < test.n_rows * n_classes; i++)
        ck_assert_msg(proba[i] == fixture->proba[i], "%s: row %zu class %zu probability "
                      "%.17g, want %.17g", fixture->name, test_index[i / n_classes],
                      i % n_classes, proba[i], fixture->proba[i]);
    free(proba);
    gcv_forest_free(forest);
}
END_TEST

START_TEST(forest_oob_score_matches_sklearn)
{
    const struct forest_fixture *fixture = &forest_fixtures[_i];
    struct gcv_forest *forest = fit_forest(forest_ops(fixture->estimator), fixture->dataset,
                                           fixture->params, fixture->n_params);

    ck_assert(forest->has_oob_score == !isnan(fixture->oob_score));
    if (forest->has_oob_score)
        ck_assert_msg(forest->oob_score == fixture->oob_score, "%s: oob_score %.17g, want "
                      "%.17g", fixture->name, forest->oob_score, fixture->oob_score);
    gcv_forest_free(forest);
}
END_TEST

/* ----- threads ----------------------------------------------------------- */

/* Returns true when the two trees have the same nodes and values, bit for
 * bit. */
static bool same_tree(const struct gcv_tree *a, const struct gcv_tree *b)
{
    if (a->n_nodes != b->n_nodes || a->n_values != b->n_values)
        return false;
    for (size_t i = 0; i < a->n_nodes; i++) {
        const struct gcv_tree_node *x = &a->nodes[i], *y = &b->nodes[i];

        if (x->left != y->left || x->right != y->right || x->feature != y->feature ||
            memcmp(&x->threshold, &y->threshold, sizeof x->threshold) != 0 ||
            memcmp(&x->impurity, &y->impurity, sizeof x->impurity) != 0)
            return false;
    }
    return memcmp(a->values, b->values, a->n_nodes * a->n_values * sizeof *a->values) == 0;
}

/* Fits a 12-tree forest on digits with n_jobs on a rank given 4 cores. */
static struct gcv_forest *fit_with_jobs(const struct gcv_estimator_ops *ops, long long n_jobs)
{
    struct gcv_param params[] = {
        {.name = "n_estimators", .value = int_value(12)},
        {.name = "random_state", .value = int_value(42)},
        {.name = "max_features", .value = real_value(0.3)},
        {.name = "n_jobs", .value = int_value(n_jobs)},
    };

    return fit_forest(ops, "digits", params, sizeof params / sizeof params[0]);
}

START_TEST(forest_identical_across_thread_counts)
{
    static const long long jobs[] = {2, 3, -1};
    static const size_t want_threads[] = {2, 3, 4};
    const struct gcv_estimator_ops *ops = _i == 0 ? &gcv_random_forest_classifier_ops
                                                  : &gcv_extra_trees_classifier_ops;
    size_t test_index[DIGITS_ROWS];
    const struct gcv_rows test = fixture_rows("digits", true, test_index);
    struct gcv_forest *reference;
    double *want = malloc(test.n_rows * DIGITS_CLASSES * sizeof *want);
    double *got = malloc(test.n_rows * DIGITS_CLASSES * sizeof *got);
    struct gcv_error err = {0};

    setenv("GRIDCV_CORES_PER_RANK", "4", 1);
    reference = fit_with_jobs(ops, 1);
    ck_assert_uint_eq(reference->n_threads, 1);
    ck_assert_int_eq(gcv_forest_predict_proba(reference, &test, want, &err), GCV_OK);

    for (size_t j = 0; j < sizeof jobs / sizeof jobs[0]; j++) {
        struct gcv_forest *forest = fit_with_jobs(ops, jobs[j]);

        ck_assert_uint_eq(forest->n_threads, want_threads[j]);
        ck_assert_uint_eq(forest->n_trees, reference->n_trees);
        for (size_t t = 0; t < forest->n_trees; t++)
            ck_assert_msg(same_tree(&forest->trees[t], &reference->trees[t]),
                          "n_jobs=%lld: tree %zu differs from the one-thread fit", jobs[j], t);
        ck_assert_int_eq(gcv_forest_predict_proba(forest, &test, got, &err), GCV_OK);
        ck_assert_msg(memcmp(got, want, test.n_rows * DIGITS_CLASSES * sizeof *got) == 0,
                      "n_jobs=%lld: probabilities differ from the one-thread fit", jobs[j]);
        gcv_forest_free(forest);
    }
    unsetenv("GRIDCV_CORES_PER_RANK");
    gcv_forest_free(reference);
    free(want);
    free(got);
}
END_TEST

START_TEST(thread_count_follows_joblib)
{
    /* n_jobs (0 for null), trees, cores -> threads. */
    static const struct {
        long long n_jobs;
        size_t n_trees, cores, threads;
    } cases[] = {
        {0, 100, 8, 1},    /* null: one thread */
        {1, 100, 8, 1},
        {4, 100, 2, 2},    /* capped by the cores of the rank */
        {-1, 100, 3, 3},   /* every core */
        {-2, 100, 4, 3},   /* cores + 1 - 2, as joblib */
        {-10, 100, 4, 1},  /* never below one */
        {8, 5, 16, 5},     /* never more threads than trees */
    };

    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        ck_assert_msg(gcv_forest_thread_count(cases[k].n_jobs, cases[k].n_trees,
                                              cases[k].cores) == cases[k].threads,
                      "n_jobs=%lld, %zu trees, %zu cores: want %zu threads", cases[k].n_jobs,
                      cases[k].n_trees, cases[k].cores, cases[k].threads);
}
END_TEST

START_TEST(cores_per_rank_from_environment)
{
    cpu_set_t mask;
    size_t affinity;

    ck_assert_int_eq(sched_getaffinity(0, sizeof mask, &mask), 0);
    affinity = (size_t)CPU_COUNT(&mask);
    unsetenv("GRIDCV_CORES_PER_RANK");
    unsetenv("SLURM_CPUS_PER_TASK");
    unsetenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    unsetenv("OMPI_COMM_WORLD_SIZE");
    unsetenv("MPI_LOCALNRANKS");
    unsetenv("PMI_SIZE");

    ck_assert_uint_eq(gcv_forest_cores_per_rank(), affinity);
    setenv("OMPI_COMM_WORLD_LOCAL_SIZE", "2", 1);
    ck_assert_uint_eq(gcv_forest_cores_per_rank(), affinity / 2 > 0 ? affinity / 2 : 1);
    setenv("OMPI_COMM_WORLD_LOCAL_SIZE", "100000", 1);
    ck_assert_uint_eq(gcv_forest_cores_per_rank(), 1);

    /* On a single node, 3 ranks are 2 workers and the coordinator, and 2
     * ranks one worker with every core. */
    setenv("OMPI_COMM_WORLD_LOCAL_SIZE", "3", 1);
    setenv("OMPI_COMM_WORLD_SIZE", "3", 1);
    ck_assert_uint_eq(gcv_forest_cores_per_rank(), affinity / 2 > 0 ? affinity / 2 : 1);
    setenv("OMPI_COMM_WORLD_LOCAL_SIZE", "2", 1);
    setenv("OMPI_COMM_WORLD_SIZE", "2", 1);
    ck_assert_uint_eq(gcv_forest_cores_per_rank(), affinity);
    setenv("OMPI_COMM_WORLD_SIZE", "4", 1);
    ck_assert_uint_eq(gcv_forest_cores_per_rank(), affinity / 2 > 0 ? affinity / 2 : 1);
    unsetenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    unsetenv("OMPI_COMM_WORLD_SIZE");
    setenv("MPI_LOCALNRANKS", "3", 1);
    setenv("PMI_SIZE", "3", 1);
    ck_assert_uint_eq(gcv_forest_cores_per_rank(), affinity / 2 > 0 ? affinity / 2 : 1);
    unsetenv("PMI_SIZE");
    setenv("MPI_LOCALNRANKS", "100000", 1);
    ck_assert_uint_eq(gcv_forest_cores_per_rank(), 1);
    setenv("SLURM_CPUS_PER_TASK", "5", 1);
    ck_assert_uint_eq(gcv_forest_cores_per_rank(), 5);
    setenv("GRIDCV_CORES_PER_RANK", "3", 1);
    ck_assert_uint_eq(gcv_forest_cores_per_rank(), 3);
    setenv("GRIDCV_CORES_PER_RANK", "zero", 1);
    ck_assert_uint_eq(gcv_forest_cores_per_rank(), 5);

    unsetenv("GRIDCV_CORES_PER_RANK");
    unsetenv("SLURM_CPUS_PER_TASK");
    unsetenv("MPI_LOCALNRANKS");
}
END_TEST

/* ----- fit failures ------------------------------------------------------ */

START_TEST(max_samples_above_rows_fails_fit)
{
    struct gcv_param params[] = {
        {.name = "n_estimators", .value = int_value(3)},
        {.name = "max_samples", .value = int_value(1000)},
    };
    const struct gcv_param_set set = {.items = params, .count = 2};
    size_t train_index[WINE_ROWS];
    const struct gcv_rows train = fixture_rows("wine", false, train_index);
    struct gcv_error err = {0};
    void *parsed = NULL, *model = NULL;

    ck_assert_int_eq(gcv_random_forest_classifier_ops.params_parse(&set, &parsed, &err), GCV_OK);
    ck_assert_int_eq(gcv_random_forest_classifier_ops.fit(parsed, &train, &model, &err),
                     GCV_ERR_FIT);
    ck_assert_ptr_null(model);
    ck_assert_str_eq(err.message, "max_samples=1000 exceeds the 133 training rows; use at most "
                     "133 or a fraction in (0, 1]");
    free(parsed);
}
END_TEST

START_TEST(passed_deadline_times_out)
{
    const struct gcv_param_set empty = {0};
    size_t train_index[DIGITS_ROWS];
    struct gcv_rows train = fixture_rows("digits", false, train_index);
    struct gcv_error err = {0};
    void *parsed = NULL, *model = NULL;

    train.deadline = 1e-9;
    ck_assert_int_eq(gcv_random_forest_classifier_ops.params_parse(&empty, &parsed, &err),
                     GCV_OK);
    ck_assert_int_eq(gcv_random_forest_classifier_ops.fit(parsed, &train, &model, &err),
                     GCV_ERR_TIMEOUT);
    ck_assert_ptr_null(model);
    ck_assert_msg(strstr(err.message, "deadline") != NULL, "%s", err.message);
    free(parsed);
}
END_TEST

/* ----- trees shared along n_estimators ----------------------------------- */

/* The fits of a reuse test: the estimator, its dataset and parameters but
 * n_estimators, and the order of n_estimators in which the fits come. */
static const struct {
    const char *estimator;
    const char *dataset;
    size_t order[3];
} reuse_cases[] = {
    {"RandomForestClassifier", "digits", {4, 10, 7}},   /* grow, then a prefix */
    {"RandomForestClassifier", "digits", {10, 4, 7}},   /* prefixes only */
    {"RandomForestClassifier", "digits", {7, 4, 10}},   /* a prefix, then grow */
    {"ExtraTreesRegressor", "diabetes", {4, 10, 7}},
    {"ExtraTreesRegressor", "diabetes", {10, 4, 7}},
};

/* Fits n_trees trees of the reuse case's estimator on its training rows,
 * with bootstrap samples and the out-of-bag score, by the estimator's own
 * fit, which reads the fold cache when it is on. A deadline of 1e-9 has
 * passed already, so that a fit that builds a tree times out. */
static enum gcv_status fit_reuse_case(size_t i, size_t n_trees, double deadline,
                                      struct gcv_forest **out)
{
    const struct gcv_estimator_ops *ops = forest_ops(reuse_cases[i].estimator);
    struct gcv_param params[] = {
        {.name = "n_estimators", .value = int_value((long long)n_trees)},
        {.name = "random_state", .value = int_value(11)},
        {.name = "max_features", .value = real_value(0.3)},
        {.name = "bootstrap", .value = bool_value(true)},
        {.name = "oob_score", .value = bool_value(true)},
    };
    const struct gcv_param_set set = {.items = params, .count = 5};
    static size_t train_index[DIGITS_ROWS];
    struct gcv_rows train = fixture_rows(reuse_cases[i].dataset, false, train_index);
    struct gcv_error err = {0};
    void *parsed = NULL, *model = NULL;
    enum gcv_status status;

    train.deadline = deadline;
    ck_assert_msg(ops->params_parse(&set, &parsed, &err) == GCV_OK, "%s", err.message);
    status = ops->fit(parsed, &train, &model, &err);
    ops->params_free(parsed);
    *out = model;
    return status;
}

/* Checks that forest equals reference tree by tree, and in its
 * predictions and out-of-bag score, bit for bit. */
static void assert_same_forest(size_t i, const struct gcv_forest *forest,
                               const struct gcv_forest *reference)
{
    size_t test_index[DIGITS_ROWS];
    const struct gcv_rows test = fixture_rows(reuse_cases[i].dataset, true, test_index);
    double *want = malloc(test.n_rows * sizeof *want);
    double *got = malloc(test.n_rows * sizeof *got);
    struct gcv_error err = {0};

    ck_assert_uint_eq(forest->n_trees, reference->n_trees);
    ck_assert_int_eq(forest->params.n_estimators, reference->params.n_estimators);
    for (size_t t = 0; t < forest->n_trees; t++) {
        ck_assert_uint_eq(forest->seeds[t], reference->seeds[t]);
        ck_assert_msg(same_tree(&forest->trees[t], &reference->trees[t]),
                      "%s, %zu trees: tree %zu differs from the fit from scratch",
                      reuse_cases[i].estimator, forest->n_trees, t);
    }
    ck_assert_int_eq(gcv_forest_predict(reference, &test, want, &err), GCV_OK);
    ck_assert_int_eq(gcv_forest_predict(forest, &test, got, &err), GCV_OK);
    ck_assert_msg(memcmp(got, want, test.n_rows * sizeof *got) == 0,
                  "%s, %zu trees: predictions differ from the fit from scratch",
                  reuse_cases[i].estimator, forest->n_trees);
    ck_assert(forest->has_oob_score && reference->has_oob_score);
    ck_assert_msg(memcmp(&forest->oob_score, &reference->oob_score, sizeof(double)) == 0,
                  "oob_score %.17g, from scratch %.17g", forest->oob_score,
                  reference->oob_score);
    ck_assert_str_eq(forest->warning, reference->warning);
    free(want);
    free(got);
}

START_TEST(reused_trees_match_fit_from_scratch)
{
    struct gcv_forest *reference[3], *forest;
    struct gcv_fold_cache_stats stats;
    size_t kept = 0, want_reused = 0;

    /* From scratch: the cache off. */
    gcv_fold_cache_configure(0);
    for (size_t k = 0; k < 3; k++)
        ck_assert_int_eq(fit_reuse_case(_i, reuse_cases[_i].order[k], 0, &reference[k]),
                         GCV_OK);

    /* Each fit after the first grows onto, or takes the first trees of,
     * the forest the fold cache kept. */
    gcv_fold_cache_configure(64 * (size_t)1 << 20);
    for (size_t k = 0; k < 3; k++) {
        const size_t n_trees = reuse_cases[_i].order[k];

        ck_assert_int_eq(fit_reuse_case(_i, n_trees, 0, &forest), GCV_OK);
        assert_same_forest(_i, forest, reference[k]);
        gcv_forest_free(forest);
        want_reused += n_trees < kept ? n_trees : kept;
        kept = n_trees > kept ? n_trees : kept;
    }
    gcv_fold_cache_get_stats(&stats);
    ck_assert_uint_eq(stats.trees_reused, want_reused);
    for (size_t k = 0; k < 3; k++)
        gcv_forest_free(reference[k]);
    gcv_fold_cache_configure(0);
}
END_TEST

START_TEST(fewer_trees_than_cached_builds_none)
{
    struct gcv_forest *forest = NULL, *reference;

    /* A passed deadline fails any fit that builds a tree, both without the
     * cache and with it while no forest is kept yet. */
    gcv_fold_cache_configure(0);
    ck_assert_int_eq(fit_reuse_case(0, 4, 1e-9, &forest), GCV_ERR_TIMEOUT);
    ck_assert_int_eq(fit_reuse_case(0, 4, 0, &reference), GCV_OK);
    gcv_fold_cache_configure(64 * (size_t)1 << 20);
    ck_assert_int_eq(fit_reuse_case(0, 4, 1e-9, &forest), GCV_ERR_TIMEOUT);
    ck_assert_ptr_null(forest);

    /* Once 10 trees are kept, 4 cost no tree, nor do 10 again. */
    ck_assert_int_eq(fit_reuse_case(0, 10, 0, &forest), GCV_OK);
    gcv_forest_free(forest);
    ck_assert_int_eq(fit_reuse_case(0, 4, 1e-9, &forest), GCV_OK);
    assert_same_forest(0, forest, reference);
    gcv_forest_free(forest);
    ck_assert_int_eq(fit_reuse_case(0, 10, 1e-9, &forest), GCV_OK);
    gcv_forest_free(forest);

    /* 12 trees need 2 new ones, so they time out, and leave the 10 kept. */
    ck_assert_int_eq(fit_reuse_case(0, 12, 1e-9, &forest), GCV_ERR_TIMEOUT);
    ck_assert_int_eq(fit_reuse_case(0, 4, 1e-9, &forest), GCV_OK);
    assert_same_forest(0, forest, reference);
    gcv_forest_free(forest);
    gcv_forest_free(reference);
    gcv_fold_cache_configure(0);
}
END_TEST

START_TEST(timed_out_growth_leaves_seeds_in_order)
{
    struct gcv_forest *forest = NULL, *reference;

    gcv_fold_cache_configure(0);
    ck_assert_int_eq(fit_reuse_case(2, 10, 0, &reference), GCV_OK);

    /* 4 trees kept, growing to 10 times out, then a fit of 10 grows the 6
     * missing trees from the seeds that follow the 4th. */
    gcv_fold_cache_configure(64 * (size_t)1 << 20);
    ck_assert_int_eq(fit_reuse_case(2, 4, 0, &forest), GCV_OK);
    gcv_forest_free(forest);
    ck_assert_int_eq(fit_reuse_case(2, 10, 1e-9, &forest), GCV_ERR_TIMEOUT);
    ck_assert_int_eq(fit_reuse_case(2, 10, 0, &forest), GCV_OK);
    assert_same_forest(2, forest, reference);
    gcv_forest_free(forest);
    gcv_forest_free(reference);
    gcv_fold_cache_configure(0);
}
END_TEST

START_TEST(other_parameters_get_their_own_trees)
{
    struct gcv_param sqrt_params[] = {
        {.name = "n_estimators", .value = int_value(6)},
        {.name = "random_state", .value = int_value(11)},
        {.name = "max_features", .value = string_value("sqrt")},
    };
    struct gcv_param depth_params[] = {
        {.name = "n_estimators", .value = int_value(6)},
        {.name = "random_state", .value = int_value(11)},
        {.name = "max_features", .value = string_value("sqrt")},
        {.name = "max_depth", .value = int_value(3)},
    };
    struct gcv_forest *unlimited, *forest, *reference;

    gcv_fold_cache_configure(0);
    reference = fit_forest(&gcv_random_forest_classifier_ops, "digits", depth_params, 4);

    /* A forest without max_depth is kept first, and the fit with
     * max_depth=3 must not take its trees. */
    gcv_fold_cache_configure(64 * (size_t)1 << 20);
    unlimited = fit_forest(&gcv_random_forest_classifier_ops, "digits", sqrt_params, 3);
    forest = fit_forest(&gcv_random_forest_classifier_ops, "digits", depth_params, 4);
    ck_assert_uint_eq(forest->n_trees, reference->n_trees);
    for (size_t t = 0; t < forest->n_trees; t++)
        ck_assert_msg(same_tree(&forest->trees[t], &reference->trees[t]),
                      "tree %zu is not the max_depth=3 tree", t);
    ck_assert(!same_tree(&forest->trees[0], &unlimited->trees[0]));
    gcv_forest_free(unlimited);
    gcv_forest_free(forest);
    gcv_forest_free(reference);
    gcv_fold_cache_configure(0);
}
END_TEST

/* ----- parameters -------------------------------------------------------- */

START_TEST(defaults_match_sklearn)
{
    struct gcv_forest_params *rf_classifier = parse_defaults(&gcv_random_forest_classifier_ops);
    struct gcv_forest_params *rf_regressor = parse_defaults(&gcv_random_forest_regressor_ops);
    struct gcv_forest_params *et_classifier = parse_defaults(&gcv_extra_trees_classifier_ops);
    struct gcv_forest_params *et_regressor = parse_defaults(&gcv_extra_trees_regressor_ops);

    ck_assert_int_eq(rf_classifier->n_estimators, 100);
    ck_assert(rf_classifier->bootstrap);
    ck_assert(!rf_classifier->oob_score);
    ck_assert_int_eq(rf_classifier->n_jobs, 0);
    ck_assert_int_eq(rf_classifier->max_samples, GCV_FOREST_SAMPLES_ALL);
    ck_assert_int_eq(rf_classifier->tree.criterion, GCV_TREE_GINI);
    ck_assert_int_eq(rf_classifier->tree.splitter, GCV_TREE_SPLITTER_BEST);
    ck_assert_int_eq(rf_classifier->tree.max_features, GCV_TREE_FEATURES_SQRT);
    ck_assert(rf_regressor->bootstrap);
    ck_assert_int_eq(rf_regressor->tree.criterion, GCV_TREE_SQUARED_ERROR);
    ck_assert_int_eq(rf_regressor->tree.max_features, GCV_TREE_FEATURES_FRACTION);
    ck_assert_double_eq(rf_regressor->tree.max_features_fraction, 1.0);
    ck_assert(!et_classifier->bootstrap);
    ck_assert_int_eq(et_classifier->tree.splitter, GCV_TREE_SPLITTER_RANDOM);
    ck_assert_int_eq(et_classifier->tree.max_features, GCV_TREE_FEATURES_SQRT);
    ck_assert(!et_regressor->bootstrap);
    ck_assert_int_eq(et_regressor->tree.splitter, GCV_TREE_SPLITTER_RANDOM);
    free(rf_classifier);
    free(rf_regressor);
    free(et_classifier);
    free(et_regressor);
}
END_TEST

static const struct {
    const char *estimator;
    const char *name;
    struct gcv_value value;
    const char *message;
} rejected[] = {
    {"RandomForestClassifier", "n_estimators", {.kind = GCV_VALUE_INT, .integer = 0},
     "n_estimators must be an integer >= 1, got 0"},
    {"RandomForestClassifier", "n_jobs", {.kind = GCV_VALUE_INT, .integer = 0},
     "n_jobs must be null or a nonzero integer (-1 for every core of the rank), got 0"},
    {"RandomForestRegressor", "n_jobs", {.kind = GCV_VALUE_REAL, .real = 2.0},
     "n_jobs must be null or a nonzero integer (-1 for every core of the rank), got 2.0"},
    {"RandomForestClassifier", "max_samples", {.kind = GCV_VALUE_INT, .integer = 0},
     "max_samples must be null, a real in (0, 1] or an integer >= 1, got 0"},
    {"RandomForestRegressor", "max_samples", {.kind = GCV_VALUE_REAL, .real = 1.5},
     "max_samples must be null, a real in (0, 1] or an integer >= 1, got 1.5"},
    {"RandomForestClassifier", "bootstrap", {.kind = GCV_VALUE_STRING, .string = "yes"},
     "bootstrap must be true or false, got \"yes\""},
    {"RandomForestClassifier", "class_weight", {.kind = GCV_VALUE_STRING, .string = "auto"},
     "class_weight must be null, \"balanced\" or \"balanced_subsample\", got \"auto\""},
    {"RandomForestClassifier", "verbose", {.kind = GCV_VALUE_INT, .integer = -1},
     "verbose must be an integer >= 0 or a boolean, got -1"},
    {"RandomForestClassifier", "splitter", {.kind = GCV_VALUE_STRING, .string = "best"},
     "unknown RandomForestClassifier parameter \"splitter\""},
    {"ExtraTreesRegressor", "class_weight", {.kind = GCV_VALUE_STRING, .string = "balanced"},
     "unknown ExtraTreesRegressor parameter \"class_weight\""},
    {"ExtraTreesClassifier", "criterion", {.kind = GCV_VALUE_STRING, .string = "poisson"},
     "criterion must be one of \"gini\", \"entropy\", \"log_loss\", got \"poisson\""},
    /* bootstrap is false by default in ExtraTreesClassifier. */
    {"ExtraTreesClassifier", "oob_score", {.kind = GCV_VALUE_BOOL, .boolean = true},
     "oob_score=true requires bootstrap=true"},
    {"ExtraTreesRegressor", "max_samples", {.kind = GCV_VALUE_REAL, .real = 0.5},
     "max_samples=0.5 requires bootstrap=true"},
};

START_TEST(invalid_value_rejected)
{
    struct gcv_error err = {0};
    enum gcv_status status;
    void *parsed = parse_one(forest_ops(rejected[_i].estimator), rejected[_i].name,
                             rejected[_i].value, &status, &err);

    ck_assert_ptr_null(parsed);
    ck_assert_int_eq(status, GCV_ERR_PARAM);
    ck_assert_msg(strncmp(err.message, rejected[_i].message, strlen(rejected[_i].message)) == 0,
                  "got: %s\nwant: %s", err.message, rejected[_i].message);
    ck_assert_msg(strstr(err.message, checks_where) != NULL, "no location in: %s", err.message);
}
END_TEST

START_TEST(bootstrap_false_accepts_null_max_samples)
{
    struct gcv_param params[] = {
        {.name = "bootstrap", .value = bool_value(false)},
        {.name = "max_samples", .value = null_value()},
        {.name = "oob_score", .value = bool_value(false)},
    };
    const struct gcv_param_set set = {.items = params, .count = 3};
    struct gcv_error err = {0};
    void *parsed = NULL;

    ck_assert_int_eq(gcv_random_forest_classifier_ops.params_parse(&set, &parsed, &err),
                     GCV_OK);
    ck_assert(!((struct gcv_forest_params *)parsed)->bootstrap);
    free(parsed);
}
END_TEST

static Suite *forest_suite(void)
{
    Suite *suite = suite_create("forest");
    TCase *sklearn = tcase_create("sklearn");
    TCase *threads = tcase_create("threads");
    TCase *reuse = tcase_create("reuse");
    TCase *failures = tcase_create("failures");
    TCase *params = tcase_create("params");

    tcase_set_timeout(sklearn, 60);
    tcase_add_loop_test(sklearn, forest_seeds_match_sklearn, 0, N_FOREST_FIXTURES);
    tcase_add_loop_test(sklearn, forest_predict_matches_sklearn, 0, N_FOREST_FIXTURES);
    tcase_add_loop_test(sklearn, forest_proba_matches_sklearn, 0, N_FOREST_FIXTURES);
    tcase_add_loop_test(sklearn, forest_oob_score_matches_sklearn, 0, N_FOREST_FIXTURES);
    suite_add_tcase(suite, sklearn);

    tcase_set_timeout(threads, 60);
    tcase_add_loop_test(threads, forest_identical_across_thread_counts, 0, 2);
    tcase_add_test(threads, thread_count_follows_joblib);
    tcase_add_test(threads, cores_per_rank_from_environment);
    suite_add_tcase(suite, threads);

    tcase_set_timeout(reuse, 60);
    tcase_add_loop_test(reuse, reused_trees_match_fit_from_scratch, 0,
                        sizeof reuse_cases / sizeof reuse_cases[0]);
    tcase_add_test(reuse, fewer_trees_than_cached_builds_none);
    tcase_add_test(reuse, timed_out_growth_leaves_seeds_in_order);
    tcase_add_test(reuse, other_parameters_get_their_own_trees);
    suite_add_tcase(suite, reuse);

    tcase_add_test(failures, max_samples_above_rows_fails_fit);
    tcase_add_test(failures, passed_deadline_times_out);
    suite_add_tcase(suite, failures);

    tcase_add_test(params, defaults_match_sklearn);
    tcase_add_loop_test(params, invalid_value_rejected, 0, sizeof rejected / sizeof rejected[0]);
    tcase_add_test(params, bootstrap_false_accepts_null_max_samples);
    suite_add_tcase(suite, params);
    return suite;
}

int main(void)
{
    return run_suite(forest_suite());
}
