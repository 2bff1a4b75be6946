/* Forests of trees (sklearn/ensemble/_forest.py, scikit-learn 1.2.1) built
 * by a pool of POSIX threads inside the rank.
 *
 * Each tree i is built from seeds[i] alone: its bootstrap counts come from
 * RandomState(seeds[i]).randint(0, n, n_bootstrap), its splits from
 * tree.h with the same seed, and it is written to trees[i]. The threads
 * take tree indexes from a shared counter, so which thread builds a tree
 * changes nothing in it, and predictions sum the trees in index order. */
#define _GNU_SOURCE /* sched_getaffinity and CPU_COUNT */

#include "forest.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../common/stats.h"
#include "../fold_cache.h"

/* Prediction gives each thread at least this many rows. */
#define MIN_ROWS_PER_THREAD 64

/* ----- cores and threads ------------------------------------------------- */

/* Returns the positive integer in environment variable name, or 0. */
static long positive_env(const char *name)
{
    const char *text = getenv(name);
    char *end;
    long value;

    if (text == NULL || *text == '\0')
        return 0;
    value = strtol(text, &end, 10);
    return *end == '\0' && value > 0 ? value : 0;
}

size_t gcv_forest_cores_per_rank(void)
{
    long cores = positive_env("GRIDCV_CORES_PER_RANK");
    long local_ranks, world_ranks;
    cpu_set_t mask;

    if (cores > 0)
        return (size_t)cores;
    cores = positive_env("SLURM_CPUS_PER_TASK");
    if (cores > 0)
        return (size_t)cores;

    if (sched_getaffinity(0, sizeof mask, &mask) == 0)
        cores = CPU_COUNT(&mask);
    else
        cores = sysconf(_SC_NPROCESSORS_ONLN);
    local_ranks = positive_env("OMPI_COMM_WORLD_LOCAL_SIZE");
    world_ranks = positive_env("OMPI_COMM_WORLD_SIZE");
    if (local_ranks == 0) {
        local_ranks = positive_env("MPI_LOCALNRANKS");
        world_ranks = positive_env("PMI_SIZE");
    }

    /* Rank 0 hands out the tasks and fits nothing while the workers do, so
     * when every rank is on this node, its cores go to the workers. */
    if (local_ranks > 1 && world_ranks == local_ranks)
        local_ranks--;
    if (local_ranks > 1)
        cores /= local_ranks;
    return cores > 0 ? (size_t)cores : 1;
}

size_t gcv_forest_thread_count(long long n_jobs, size_t n_trees, size_t cores)
{
    long long threads = n_jobs;

    if (n_jobs == 0)
        threads = 1;
    else if (n_jobs < 0)
        threads = (long long)cores + 1 + n_jobs;
    if (threads > (long long)cores)
        threads = (long long)cores;
    if (threads > (long long)n_trees)
        threads = (long long)n_trees;
    return threads > 1 ? (size_t)threads : 1;
}

/* The function and argument of one thread of run_threads. */
struct thread_start {
    void (*work)(void *context, size_t thread);
    void *context;
    size_t thread;
};

static void *thread_entry(void *argument)
{
    const struct thread_start *start = argument;

    start->work(start->context, start->thread);
    return NULL;
}

/* Runs work(context, thread) for thread = 0..n_threads-1 on as many
 * threads, thread 0 being the caller's, and waits for all of them. The
 * caller runs the share of a thread that cannot be created itself. */
static void run_threads(size_t n_threads, void (*work)(void *context, size_t thread),
                        void *context)
{
    pthread_t *ids = calloc(n_threads, sizeof *ids);
    struct thread_start *starts = calloc(n_threads, sizeof *starts);
    bool *started = calloc(n_threads, sizeof *started);

    if (ids == NULL || starts == NULL || started == NULL) {
        for (size_t t = 0; t < n_threads; t++)
            work(context, t);
        goto cleanup;
    }
    for (size_t t = 1; t < n_threads; t++) {
        starts[t] = (struct thread_start){.work = work, .context = context, .thread = t};
        started[t] = pthread_create(&ids[t], NULL, thread_entry, &starts[t]) == 0;
    }
    work(context, 0);
    for (size_t t = 1; t < n_threads; t++) {
        if (started[t])
            pthread_join(ids[t], NULL);
        else
            work(context, t);
    }

cleanup:
    free(ids);
    free(starts);
    free(started);
}

/* ----- building the trees ------------------------------------------------ */

/* The work the threads of one fit share. */
struct build_job {
    const struct gcv_forest_params *params;
    const struct gcv_tree_data *data;
    const double *class_weight;   /* [data->n_samples] expanded class weights, or NULL */
    size_t n_bootstrap;           /* rows each bootstrap sample draws, 0 without bootstrap */
    struct gcv_tree *trees;       /* [end], each written by one thread */
    const uint32_t *seeds;        /* [end] */
    size_t end;
    double deadline;              /* monotonic seconds, 0 for none */
    pthread_mutex_t lock;         /* guards the fields below */
    size_t next;                  /* the next tree to build */
    bool failed;
    size_t failed_tree;           /* the lowest failed tree */
    enum gcv_status status;       /* of failed_tree */
    struct gcv_error err;
};

/* One thread's bootstrap arrays. */
struct bootstrap_scratch {
    double *weights;        /* [n_samples] */
    size_t *counts;         /* [n_samples] draws of each row */
    size_t *class_counts;   /* [n_classes] draws of each class */
};

static double monotonic_seconds(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
}

/* Counts how often RandomState(seed).randint(0, n, n_bootstrap) draws each
 * row, as _generate_sample_indices and numpy.bincount. */
static void bootstrap_counts(uint32_t seed, size_t n, size_t n_bootstrap, size_t *counts)
{
    struct gcv_random rng;

    gcv_random_seed(&rng, seed);
    memset(counts, 0, n * sizeof *counts);
    for (size_t draw = 0; draw < n_bootstrap; draw++)
        counts[gcv_random_interval(&rng, n - 1)]++;
}

/* Writes the sample weights of the tree seeded with seed, as
 * _parallel_build_trees: the expanded class weight (or 1) times the
 * draws of each row, and with class_weight="balanced_subsample" times
 * n_bootstrap / (k * draws of the row's class), k the classes drawn. */
static void bootstrap_weights(const struct build_job *job, uint32_t seed,
                              struct bootstrap_scratch *scratch)
{
    const struct gcv_tree_data *data = job->data;
    const size_t n = data->n_samples;
    size_t n_classes_drawn = 0;

    bootstrap_counts(seed, n, job->n_bootstrap, scratch->counts);
    for (size_t i = 0; i < n; i++)
        scratch->weights[i] = (job->class_weight != NULL ? job->class_weight[i] : 1.0) *
                              (double)scratch->counts[i];
    if (job->params->tree.class_weight != GCV_TREE_CLASS_WEIGHT_BALANCED_SUBSAMPLE ||
        data->n_classes == 0)
        return;

    memset(scratch->class_counts, 0, data->n_classes * sizeof *scratch->class_counts);
    for (size_t i = 0; i < n; i++)
        scratch->class_counts[(size_t)data->y[i]] += scratch->counts[i];
    for (size_t k = 0; k < data->n_classes; k++)
        n_classes_drawn += scratch->class_counts[k] > 0;
    for (size_t i = 0; i < n; i++) {
        const size_t drawn = scratch->class_counts[(size_t)data->y[i]];

        scratch->weights[i] *= drawn > 0 ? (double)job->n_bootstrap /
                                               ((double)n_classes_drawn * (double)drawn)
                                         : 0.0;
    }
}

/* Records the failure of tree i, keeping the lowest failed tree's. */
static void record_failure(struct build_job *job, size_t i, enum gcv_status status,
                           const struct gcv_error *err)
{
    pthread_mutex_lock(&job->lock);
    if (!job->failed || i < job->failed_tree) {
        job->failed = true;
        job->failed_tree = i;
        job->status = status;
        job->err = *err;
    }
    pthread_mutex_unlock(&job->lock);
}

/* One thread's loop: take the next tree, build it, until none is left or
 * a tree failed. */
static void build_trees_work(void *context, size_t thread)
{
    struct build_job *job = context;
    const size_t n = job->data->n_samples;
    const size_t n_classes = job->data->n_classes > 0 ? job->data->n_classes : 1;
    struct bootstrap_scratch scratch = {0};
    struct gcv_error err = {0};

    (void)thread;
    if (job->n_bootstrap > 0) {
        scratch.weights = malloc(n * sizeof *scratch.weights);
        scratch.counts = malloc(n * sizeof *scratch.counts);
        scratch.class_counts = malloc(n_classes * sizeof *scratch.class_counts);
        if (scratch.weights == NULL || scratch.counts == NULL || scratch.class_counts == NULL) {
            gcv_error_set(&err, GCV_ERR_NOMEM, "out of memory for the bootstrap weights of "
                          "%zu rows", n);
            record_failure(job, 0, GCV_ERR_NOMEM, &err);
            goto cleanup;
        }
    }

    for (;;) {
        const double *weights = job->class_weight;
        enum gcv_status status;
        size_t i;

        pthread_mutex_lock(&job->lock);
        if (job->failed || job->next >= job->end) {
            pthread_mutex_unlock(&job->lock);
            break;
        }
        i = job->next++;
        pthread_mutex_unlock(&job->lock);

        if (job->deadline > 0 && monotonic_seconds() >= job->deadline) {
            status = gcv_error_set(&err, GCV_ERR_TIMEOUT, "the forest passed its deadline "
                                   "before tree %zu of %zu", i, job->end);
        } else {
            if (job->n_bootstrap > 0) {
                bootstrap_weights(job, job->seeds[i], &scratch);
                weights = scratch.weights;
            }
            status = gcv_tree_build(&job->trees[i], &job->params->tree, job->data, weights,
                                    job->seeds[i], job->deadline, &err);
        }
        if (status != GCV_OK) {
            record_failure(job, i, status, &err);
            break;
        }
    }

cleanup:
    free(scratch.weights);
    free(scratch.counts);
    free(scratch.class_counts);
}

/* Builds trees[first:end] of forest, whose seeds are drawn, on n_threads
 * threads. Appending trees to a fitted forest (warm start) is this call
 * on the new range. */
static enum gcv_status grow_trees(struct gcv_forest *forest, const struct gcv_tree_data *data,
                                  const double *class_weight, size_t n_bootstrap, size_t first,
                                  size_t end, double deadline, struct gcv_error *err)
{
    struct build_job job = {
        .params = &forest->params,
        .data = data,
        .class_weight = class_weight,
        .n_bootstrap = n_bootstrap,
        .trees = forest->trees,
        .seeds = forest->seeds,
        .end = end,
        .deadline = deadline,
        .next = first,
    };

    if (pthread_mutex_init(&job.lock, NULL) != 0)
        return gcv_error_set(err, GCV_ERR_INTERNAL, "cannot create the lock of the tree "
                             "builders");
    run_threads(forest->n_threads, build_trees_work, &job);
    pthread_mutex_destroy(&job.lock);
    if (job.failed) {
        *err = job.err;
        return job.status;
    }
    return GCV_OK;
}

/* ----- out-of-bag score -------------------------------------------------- */

/* Computes forest->oob_score as BaseForest._compute_oob_predictions: each
 * training row is predicted by the trees whose bootstrap left it out
 * (mean class probabilities, or mean value), then scored by accuracy or
 * R^2. A row that every tree drew counts as predicted by none, with
 * scikit-learn's warning. */
static enum gcv_status compute_oob_score(struct gcv_forest *forest,
                                         const struct gcv_tree_data *data, size_t n_bootstrap,
                                         struct gcv_error *err)
{
    const size_t n = data->n_samples, d = data->n_features;
    const size_t width = forest->classifier ? forest->n_classes : 1;
    double *prediction = calloc(n * width, sizeof *prediction);  /* [n * width] */
    size_t *n_predictions = calloc(n, sizeof *n_predictions);    /* [n] */
    size_t *counts = malloc(n * sizeof *counts);                 /* [n] */
    double *row = malloc((d > 0 ? d : 1) * sizeof *row);          /* [d] */
    double *proba = malloc(width * sizeof *proba);                /* [width] */
    double *terms = malloc(n * sizeof *terms);                    /* [n] */
    bool missing = false;
    enum gcv_status status = GCV_OK;

    if (prediction == NULL || n_predictions == NULL || counts == NULL || row == NULL ||
        proba == NULL || terms == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for the out-of-bag score "
                               "of %zu rows", n);
        goto cleanup;
    }

    for (size_t t = 0; t < forest->n_trees; t++) {
        const struct gcv_tree *tree = &forest->trees[t];

        bootstrap_counts(forest->seeds[t], n, n_bootstrap, counts);
        for (size_t i = 0; i < n; i++) {
            size_t leaf;

            if (counts[i] > 0)
                continue;
            for (size_t f = 0; f < d; f++)
                row[f] = data->X[f * n + i];
            leaf = gcv_tree_apply(tree, row);
            if (forest->classifier)
                gcv_tree_leaf_proba(tree, leaf, proba);
            else
                proba[0] = gcv_tree_value(tree, leaf)[0];
            for (size_t k = 0; k < width; k++)
                prediction[i * width + k] += proba[k];
            n_predictions[i]++;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (n_predictions[i] == 0) {
            missing = true;
            n_predictions[i] = 1;
        }
        for (size_t k = 0; k < width; k++)
            prediction[i * width + k] /= (double)n_predictions[i];
    }
    if (missing)
        snprintf(forest->warning, sizeof forest->warning, "Some inputs do not have OOB "
                 "scores. This probably means too few trees were used to compute any "
                 "reliable OOB estimates.");

    if (forest->classifier) {
        size_t correct = 0;

        for (size_t i = 0; i < n; i++)
            correct += gcv_tree_argmax(prediction + i * width, width) == (size_t)data->y[i];
        forest->oob_score = (double)correct / (double)n;
    } else {
        /* r2_score: 1 - sum (y - p)^2 / sum (y - mean y)^2, with numpy's
         * pairwise sums; 0 for constant targets, 1 for a perfect fit. */
        double numerator, denominator, mean = gcv_stats_sum(data->y, n, 1) / (double)n;

        for (size_t i = 0; i < n; i++)
            terms[i] = (data->y[i] - prediction[i]) * (data->y[i] - prediction[i]);
        numerator = gcv_stats_sum(terms, n, 1);
        for (size_t i = 0; i < n; i++)
            terms[i] = (data->y[i] - mean) * (data->y[i] - mean);
        denominator = gcv_stats_sum(terms, n, 1);
        if (numerator != 0.0 && denominator != 0.0)
            forest->oob_score = 1.0 - numerator / denominator;
        else
            forest->oob_score = numerator != 0.0 ? 0.0 : 1.0;
    }
    forest->has_oob_score = true;

cleanup:
    free(prediction);
    free(n_predictions);
    free(counts);
    free(row);
    free(proba);
    free(terms);
    return status;
}

/* ----- forests that share their trees ------------------------------------ */

/* Tree i depends only on the training rows, the parameters other than
 * n_estimators and n_jobs, and seeds[i], the i-th draw of
 * RandomState(random_state). A forest of k trees is therefore the first k
 * trees of a forest of K > k trees fitted on the same fold with the same
 * other parameters. The fold cache (worker/fold_cache.h) keeps the largest
 * forest fitted so far for each fold and parameters: a fit with more trees
 * grows the missing ones onto it, a fit with fewer copies its first trees.
 * Either gives the trees, and so the predictions, of a fit from scratch,
 * bit for bit, in whatever order the fits come. */

/* A forest as the fold cache keeps it. */
struct cached_forest {
    struct gcv_forest *forest;    /* owned; its n_estimators, n_jobs, n_threads and
                                     out-of-bag fields are not kept up to date */
    double *y;                    /* [n_samples] class indexes or targets it was fitted on,
                                     owned */
    size_t n_samples;
};

static void cached_forest_free(void *value)
{
    struct cached_forest *cached = value;

    if (cached == NULL)
        return;
    gcv_forest_free(cached->forest);
    free(cached->y);
    free(cached);
}

/* The bytes a cached forest takes, for the fold cache's budget. */
static size_t cached_forest_bytes(const struct cached_forest *cached)
{
    const struct gcv_forest *forest = cached->forest;
    size_t bytes = sizeof *cached + sizeof *forest + cached->n_samples * sizeof *cached->y +
                   forest->n_classes * sizeof *forest->class_codes +
                   forest->n_trees * (sizeof *forest->trees + sizeof *forest->seeds);

    for (size_t t = 0; t < forest->n_trees; t++) {
        const struct gcv_tree *tree = &forest->trees[t];

        bytes += tree->capacity * sizeof *tree->nodes +
                 tree->capacity * tree->n_values * sizeof *tree->values;
    }
    return bytes;
}

static uint64_t mix_hash(uint64_t hash, uint64_t value)
{
    hash ^= value + 0x9E3779B97F4A7C15ULL + (hash << 6) + (hash >> 2);
    return hash * 0xFF51AFD7ED558CCDULL;
}

static uint64_t double_hash_bits(double value)
{
    uint64_t bits;

    memcpy(&bits, &value, sizeof bits);
    return bits;
}

/* The fold cache's key of a forest's parameters, n_estimators, n_jobs and
 * oob_score aside: a hash below 2^53, so that the double holding it is
 * exact. same_growth confirms a match. */
static double growth_key(const struct gcv_forest_params *params, bool classifier)
{
    const struct gcv_tree_params *tree = &params->tree;
    const uint64_t fields[] = {
        classifier, tree->criterion, tree->splitter, (uint64_t)tree->max_depth,
        (uint64_t)tree->min_samples_split, double_hash_bits(tree->min_samples_split_fraction),
        tree->min_samples_split_is_fraction, (uint64_t)tree->min_samples_leaf,
        double_hash_bits(tree->min_samples_leaf_fraction), tree->min_samples_leaf_is_fraction,
        double_hash_bits(tree->min_weight_fraction_leaf), tree->max_features,
        (uint64_t)tree->max_features_count, double_hash_bits(tree->max_features_fraction),
        (uint64_t)tree->max_leaf_nodes, double_hash_bits(tree->min_impurity_decrease),
        double_hash_bits(tree->ccp_alpha), tree->class_weight, tree->random_state,
        params->bootstrap, params->max_samples, (uint64_t)params->max_samples_count,
        double_hash_bits(params->max_samples_fraction),
    };
    uint64_t hash = 0;

    for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++)
        hash = mix_hash(hash, fields[k]);
    return (double)(hash >> 11);
}

/* Returns true when forests of a and b grow the same trees. */
static bool same_growth(const struct gcv_forest_params *a, const struct gcv_forest_params *b)
{
    const struct gcv_tree_params *s = &a->tree, *t = &b->tree;

    return s->criterion == t->criterion && s->splitter == t->splitter &&
           s->max_depth == t->max_depth && s->min_samples_split == t->min_samples_split &&
           s->min_samples_split_fraction == t->min_samples_split_fraction &&
           s->min_samples_split_is_fraction == t->min_samples_split_is_fraction &&
           s->min_samples_leaf == t->min_samples_leaf &&
           s->min_samples_leaf_fraction == t->min_samples_leaf_fraction &&
           s->min_samples_leaf_is_fraction == t->min_samples_leaf_is_fraction &&
           s->min_weight_fraction_leaf == t->min_weight_fraction_leaf &&
           s->max_features == t->max_features &&
           s->max_features_count == t->max_features_count &&
           s->max_features_fraction == t->max_features_fraction &&
           s->max_leaf_nodes == t->max_leaf_nodes &&
           s->min_impurity_decrease == t->min_impurity_decrease &&
           s->ccp_alpha == t->ccp_alpha && s->class_weight == t->class_weight &&
           s->random_state == t->random_state && a->bootstrap == b->bootstrap &&
           a->max_samples == b->max_samples && a->max_samples_count == b->max_samples_count &&
           a->max_samples_fraction == b->max_samples_fraction;
}

/* Returns true when cached was fitted with params on data's rows. */
static bool cached_forest_matches(const struct cached_forest *cached,
                                  const struct gcv_forest_params *params, bool classifier,
                                  const struct gcv_tree_data *data)
{
    const struct gcv_forest *forest = cached->forest;

    return forest->classifier == classifier && same_growth(&forest->params, params) &&
           forest->n_features == data->n_features && cached->n_samples == data->n_samples &&
           forest->n_classes == data->n_classes &&
           memcmp(cached->y, data->y, data->n_samples * sizeof *data->y) == 0 &&
           (data->n_classes == 0 || memcmp(forest->class_codes, data->class_codes,
                                           data->n_classes * sizeof *data->class_codes) == 0);
}

/* Hands cached to the fold cache as the forest of rows and key, or frees
 * it when it does not fit. */
static void keep_cached_forest(const struct gcv_fold_rows *rows, double key,
                               struct cached_forest *cached)
{
    size_t bytes;

    if (rows->id == 0 || cached->forest == NULL || cached->forest->n_trees == 0) {
        cached_forest_free(cached);
        return;
    }
    bytes = cached_forest_bytes(cached);
    if (!gcv_fold_cache_reserve(rows, 0, bytes)) {
        cached_forest_free(cached);
        return;
    }
    gcv_fold_cache_store(rows, GCV_FOLD_CACHE_FOREST, 0, key, cached, bytes, cached_forest_free);
}

/* Copies the nodes and values of source into *copy, which the caller frees
 * with gcv_tree_free. */
static enum gcv_status copy_tree(const struct gcv_tree *source, struct gcv_tree *copy,
                                 struct gcv_error *err)
{
    const size_t n_nodes = source->n_nodes > 0 ? source->n_nodes : 1;

    *copy = *source;
    copy->nodes = malloc(n_nodes * sizeof *copy->nodes);
    copy->values = malloc(n_nodes * source->n_values * sizeof *copy->values);
    copy->capacity = n_nodes;
    if (copy->nodes == NULL || copy->values == NULL) {
        gcv_tree_free(copy);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory copying a tree of %zu nodes",
                             source->n_nodes);
    }
    memcpy(copy->nodes, source->nodes, source->n_nodes * sizeof *copy->nodes);
    memcpy(copy->values, source->values,
           source->n_nodes * source->n_values * sizeof *copy->values);
    return GCV_OK;
}

/* Allocates a forest of params on data with room for n_trees trees, and
 * draws their seeds. No tree is built yet, so forest->n_trees is 0. */
static enum gcv_status new_forest(const struct gcv_forest_params *params, bool classifier,
                                  const struct gcv_tree_data *data, size_t n_trees,
                                  struct gcv_forest **out, struct gcv_error *err)
{
    struct gcv_forest *forest = calloc(1, sizeof *forest);
    const size_t n_classes = data->n_classes;

    *out = NULL;
    if (forest != NULL) {
        forest->trees = calloc(n_trees > 0 ? n_trees : 1, sizeof *forest->trees);
        forest->seeds = malloc((n_trees > 0 ? n_trees : 1) * sizeof *forest->seeds);
        if (n_classes > 0)
            forest->class_codes = malloc(n_classes * sizeof *forest->class_codes);
    }
    if (forest == NULL || forest->trees == NULL || forest->seeds == NULL ||
        (n_classes > 0 && forest->class_codes == NULL)) {
        gcv_forest_free(forest);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for a forest of %zu trees",
                             n_trees);
    }
    forest->params = *params;
    forest->classifier = classifier;
    forest->n_features = data->n_features;
    forest->n_classes = n_classes;
    if (n_classes > 0)
        memcpy(forest->class_codes, data->class_codes, n_classes * sizeof *data->class_codes);

    /* Tree i's random_state is the i-th draw of RandomState(random_state),
     * as BaseEnsemble._make_estimator sets it. */
    gcv_random_seed(&forest->seed_stream, params->tree.random_state);
    for (size_t i = 0; i < n_trees; i++)
        forest->seeds[i] = (uint32_t)gcv_random_randint(&forest->seed_stream, 0, INT32_MAX);
    *out = forest;
    return GCV_OK;
}

/* Grows trees onto forest until it has n_trees, drawing their seeds from
 * its seed_stream, on the threads n_jobs gives for the new trees. On
 * failure the forest is left as it was. */
static enum gcv_status extend_forest(struct gcv_forest *forest, long long n_jobs, size_t cores,
                                     const struct gcv_tree_data *data,
                                     const double *class_weight, size_t n_bootstrap,
                                     size_t n_trees, double deadline, struct gcv_error *err)
{
    const size_t first = forest->n_trees;
    const struct gcv_random stream = forest->seed_stream;
    struct gcv_tree *trees;
    uint32_t *seeds;
    enum gcv_status status;

    if (n_trees <= first)
        return GCV_OK;
    trees = realloc(forest->trees, n_trees * sizeof *trees);
    if (trees != NULL)
        forest->trees = trees;
    seeds = realloc(forest->seeds, n_trees * sizeof *seeds);
    if (seeds != NULL)
        forest->seeds = seeds;
    if (trees == NULL || seeds == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for a forest of %zu trees",
                             n_trees);

    memset(forest->trees + first, 0, (n_trees - first) * sizeof *forest->trees);
    for (size_t i = first; i < n_trees; i++)
        forest->seeds[i] = (uint32_t)gcv_random_randint(&forest->seed_stream, 0, INT32_MAX);
    forest->n_threads = gcv_forest_thread_count(n_jobs, n_trees - first, cores);
    status = grow_trees(forest, data, class_weight, n_bootstrap, first, n_trees, deadline, err);
    if (status != GCV_OK) {
        for (size_t i = first; i < n_trees; i++)
            gcv_tree_free(&forest->trees[i]);
        forest->seed_stream = stream;
        return status;
    }
    forest->n_trees = n_trees;
    return GCV_OK;
}

/* Writes into *out a new forest of params made of copies of the first
 * params->n_estimators trees of source, which has at least as many. */
static enum gcv_status copy_first_trees(const struct gcv_forest *source,
                                        const struct gcv_forest_params *params,
                                        const struct gcv_tree_data *data,
                                        struct gcv_forest **out, struct gcv_error *err)
{
    const size_t n_trees = (size_t)params->n_estimators;
    struct gcv_forest *forest;
    enum gcv_status status;

    status = new_forest(params, source->classifier, data, n_trees, &forest, err);
    for (size_t t = 0; t < n_trees && status == GCV_OK; t++) {
        status = copy_tree(&source->trees[t], &forest->trees[t], err);
        forest->n_trees = t + (status == GCV_OK);
    }
    if (status != GCV_OK) {
        gcv_forest_free(forest);
        return status;
    }
    *out = forest;
    return GCV_OK;
}

/* ----- fit, predict, free ------------------------------------------------ */

/* The rows each bootstrap sample draws (_get_n_samples_bootstrap):
 * max_samples, a fraction of n rounded half to even, or n. */
static enum gcv_status bootstrap_size(const struct gcv_forest_params *params, size_t n,
                                      size_t *out, struct gcv_error *err)
{
    switch (params->max_samples) {
    case GCV_FOREST_SAMPLES_ALL:
        *out = n;
        break;
    case GCV_FOREST_SAMPLES_COUNT:
        if ((unsigned long long)params->max_samples_count > n)
            return gcv_error_set(err, GCV_ERR_FIT, "max_samples=%lld exceeds the %zu training "
                                 "rows; use at most %zu or a fraction in (0, 1]",
                                 params->max_samples_count, n, n);
        *out = (size_t)params->max_samples_count;
        break;
    case GCV_FOREST_SAMPLES_FRACTION:
        *out = (size_t)rint((double)n * params->max_samples_fraction);
        break;
    }
    if (*out == 0)
        return gcv_error_set(err, GCV_ERR_FIT, "max_samples=%g of %zu training rows draws no "
                             "row; use a larger fraction", params->max_samples_fraction, n);
    return GCV_OK;
}

enum gcv_status gcv_forest_fit(const struct gcv_forest_params *params, bool classifier,
                               const struct gcv_rows *train, struct gcv_forest **out,
                               struct gcv_error *err)
{
    const size_t n_trees = (size_t)params->n_estimators;
    const size_t cores = gcv_forest_cores_per_rank();
    const double key = growth_key(params, classifier);
    struct gcv_tree_data data;
    struct gcv_fold_rows rows = {0};     /* the training rows in the fold cache; id 0 if not */
    struct cached_forest *cached = NULL; /* the largest forest of this fold and params, owned */
    struct gcv_forest *forest = NULL;
    size_t n_reused = 0;           /* trees taken from the fold cache */
    double *class_weight = NULL;   /* [data.n_samples] expanded class weights, or NULL */
    size_t n_bootstrap = 0;
    enum gcv_status status;

    *out = NULL;
    status = gcv_tree_data_init(&data, train, classifier, err);
    if (status != GCV_OK)
        return status;
    if (!classifier && params->tree.criterion == GCV_TREE_POISSON &&
        (status = gcv_tree_check_poisson_targets(&data, err)) != GCV_OK)
        goto cleanup;
    if (params->bootstrap &&
        (status = bootstrap_size(params, data.n_samples, &n_bootstrap, err)) != GCV_OK)
        goto cleanup;

    /* class_weight="balanced" weighs every tree's rows alike;
     * "balanced_subsample" weighs each bootstrap sample on its own. */
    if (classifier && params->tree.class_weight != GCV_TREE_CLASS_WEIGHT_NONE &&
        !(params->tree.class_weight == GCV_TREE_CLASS_WEIGHT_BALANCED_SUBSAMPLE &&
          params->bootstrap)) {
        class_weight = malloc(data.n_samples * sizeof *class_weight);
        if (class_weight == NULL) {
            status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for the class weights "
                                   "of %zu rows", data.n_samples);
            goto cleanup;
        }
        gcv_tree_balanced_weights(&data, class_weight);
    }

    /* The trees fitted earlier on this fold with these parameters, or a
     * new forest to hold them when the cache has none (or is off). */
    if (gcv_fold_cache_rows(train->X, train->index, train->n_rows, train->n_features, &rows))
        cached = gcv_fold_cache_take(&rows, GCV_FOLD_CACHE_FOREST, 0, key);
    if (cached != NULL && !cached_forest_matches(cached, params, classifier, &data)) {
        keep_cached_forest(&rows, key, cached);
        cached = NULL;
        rows.id = 0;
    }
    if (cached != NULL)
        n_reused = cached->forest->n_trees < n_trees ? cached->forest->n_trees : n_trees;
    if (cached == NULL) {
        cached = calloc(1, sizeof *cached);
        if (cached != NULL)
            cached->y = malloc((data.n_samples > 0 ? data.n_samples : 1) * sizeof *cached->y);
        if (cached == NULL || cached->y == NULL) {
            status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for a forest of %zu "
                                   "trees", n_trees);
            goto cleanup;
        }
        memcpy(cached->y, data.y, data.n_samples * sizeof *data.y);
        cached->n_samples = data.n_samples;
        if ((status = new_forest(params, classifier, &data, 0, &cached->forest, err)) != GCV_OK)
            goto cleanup;
    }

    /* Grow the missing trees, then keep the forest for the next fit and
     * return its first n_trees. Without the cache the forest itself is
     * the model. */
    status = extend_forest(cached->forest, params->n_jobs, cores, &data, class_weight,
                           n_bootstrap, n_trees, train->deadline, err);
    if (status != GCV_OK)
        goto cleanup;
    if (rows.id != 0) {
        status = copy_first_trees(cached->forest, params, &data, &forest, err);
        keep_cached_forest(&rows, key, cached);
        cached = NULL;
        if (status != GCV_OK)
            goto cleanup;
    } else {
        forest = cached->forest;
        cached->forest = NULL;
        forest->params = *params;
    }
    forest->n_threads = gcv_forest_thread_count(params->n_jobs, n_trees, cores);

    if (params->oob_score &&
        (status = compute_oob_score(forest, &data, n_bootstrap, err)) != GCV_OK)
        goto cleanup;
    *out = forest;
    forest = NULL;
    gcv_fold_cache_count_reused_trees(n_reused);

cleanup:
    if (cached != NULL)
        keep_cached_forest(&rows, key, cached);
    gcv_tree_data_free(&data);
    free(class_weight);
    gcv_forest_free(forest);
    return status;
}

/* The rows one prediction call shares among its threads. */
struct predict_job {
    const struct gcv_forest *forest;
    const struct gcv_rows *rows;
    double *out;          /* [rows->n_rows * width] */
    double *scratch;      /* [n_threads * width] one leaf's probabilities per thread */
    size_t width;         /* n_classes, or 1 */
    size_t n_threads;
};

/* Thread t's share of the rows: each row sums its trees in index order. */
static void predict_work(void *context, size_t thread)
{
    const struct predict_job *job = context;
    const struct gcv_forest *forest = job->forest;
    const struct gcv_rows *rows = job->rows;
    const size_t first = rows->n_rows * thread / job->n_threads;
    const size_t end = rows->n_rows * (thread + 1) / job->n_threads;
    double *proba = job->scratch + thread * job->width;

    for (size_t r = first; r < end; r++) {
        const double *x = rows->X + rows->index[r] * rows->n_features;
        double *sum = job->out + r * job->width;

        for (size_t k = 0; k < job->width; k++)
            sum[k] = 0.0;
        for (size_t t = 0; t < forest->n_trees; t++) {
            const size_t leaf = gcv_tree_apply(&forest->trees[t], x);

            if (forest->classifier)
                gcv_tree_leaf_proba(&forest->trees[t], leaf, proba);
            else
                proba[0] = gcv_tree_value(&forest->trees[t], leaf)[0];
            for (size_t k = 0; k < job->width; k++)
                sum[k] += proba[k];
        }
        for (size_t k = 0; k < job->width; k++)
            sum[k] /= (double)forest->n_trees;
    }
}

/* Writes the mean over the trees of each row's class probabilities (a
 * classifier) or value into out[rows->n_rows * width]. */
static enum gcv_status predict_mean(const struct gcv_forest *forest,
                                    const struct gcv_rows *rows, double *out,
                                    struct gcv_error *err)
{
    struct predict_job job = {
        .forest = forest,
        .rows = rows,
        .out = out,
        .width = forest->classifier ? forest->n_classes : 1,
        .n_threads = (rows->n_rows + MIN_ROWS_PER_THREAD - 1) / MIN_ROWS_PER_THREAD,
    };

    if (job.n_threads > forest->n_threads)
        job.n_threads = forest->n_threads;
    if (job.n_threads == 0)
        job.n_threads = 1;
    job.scratch = malloc(job.n_threads * job.width * sizeof *job.scratch);
    if (job.scratch == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory predicting %zu rows",
                             rows->n_rows);
    run_threads(job.n_threads, predict_work, &job);
    free(job.scratch);
    return GCV_OK;
}

enum gcv_status gcv_forest_predict_proba(const struct gcv_forest *forest,
                                         const struct gcv_rows *rows, double *proba,
                                         struct gcv_error *err)
{
    if (!forest->classifier)
        return gcv_error_set(err, GCV_ERR_INTERNAL, "predict_proba of a regression forest");
    return predict_mean(forest, rows, proba, err);
}

enum gcv_status gcv_forest_predict(const struct gcv_forest *forest, const struct gcv_rows *rows,
                                   double *out, struct gcv_error *err)
{
    const size_t n = rows->n_rows;
    double *proba;
    enum gcv_status status;

    if (!forest->classifier)
        return predict_mean(forest, rows, out, err);

    proba = malloc((n > 0 ? n : 1) * forest->n_classes * sizeof *proba);
    if (proba == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory predicting %zu rows", n);
    status = predict_mean(forest, rows, proba, err);
    for (size_t r = 0; r < n && status == GCV_OK; r++)
        out[r] = (double)forest->class_codes[gcv_tree_argmax(proba + r * forest->n_classes,
                                                             forest->n_classes)];
    free(proba);
    return status;
}

void gcv_forest_free(struct gcv_forest *forest)
{
    if (forest == NULL)
        return;
    if (forest->trees != NULL)
        for (size_t t = 0; t < forest->n_trees; t++)
            gcv_tree_free(&forest->trees[t]);
    free(forest->trees);
    free(forest->seeds);
    free(forest->class_codes);
    free(forest);
}

/* ----- save and load ----------------------------------------------------- */

enum gcv_status gcv_forest_save(const void *forest_pointer, hid_t group, struct gcv_error *err)
{
    const struct gcv_forest *forest = forest_pointer;
    enum gcv_status status;
    char name[32];

    if ((status = gcv_model_file_put_int(group, "classifier", forest->classifier, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_int(group, "n_jobs", forest->params.n_jobs, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_size(group, "n_trees", forest->n_trees, err)) != GCV_OK ||
        (status = gcv_model_file_put_size(group, "n_features", forest->n_features, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_size(group, "n_classes", forest->n_classes, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_int32s(group, "class_codes", forest->class_codes,
                                            forest->n_classes, err)) != GCV_OK)
        return status;
    for (size_t t = 0; t < forest->n_trees && status == GCV_OK; t++) {
        hid_t tree_group;

        snprintf(name, sizeof name, "tree_%06zu", t);
        tree_group = H5Gcreate2(group, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (tree_group < 0)
            return gcv_error_set(err, GCV_ERR_IO, "cannot create model group %s", name);
        status = gcv_model_file_put_int(tree_group, "seed", forest->seeds[t], err);
        if (status == GCV_OK)
            status = gcv_tree_save(&forest->trees[t], tree_group, err);
        H5Gclose(tree_group);
    }
    return status;
}

enum gcv_status gcv_forest_load(hid_t group, void **forest_out, struct gcv_error *err)
{
    struct gcv_forest *forest = calloc(1, sizeof *forest);
    long long classifier = 0, seed;
    enum gcv_status status;
    char name[32];

    *forest_out = NULL;
    if (forest == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory loading a forest");
    if ((status = gcv_model_file_get_int(group, "classifier", &classifier, err)) != GCV_OK ||
        (status = gcv_model_file_get_int(group, "n_jobs", &forest->params.n_jobs, err)) !=
            GCV_OK ||
        (status = gcv_model_file_get_size(group, "n_trees", &forest->n_trees, err)) != GCV_OK ||
        (status = gcv_model_file_get_size(group, "n_features", &forest->n_features, err)) !=
            GCV_OK ||
        (status = gcv_model_file_get_size(group, "n_classes", &forest->n_classes, err)) !=
            GCV_OK ||
        (status = gcv_model_file_get_class_codes(group, "class_codes", forest->n_classes,
                                                 &forest->class_codes, err)) != GCV_OK)
        goto cleanup;
    forest->classifier = classifier != 0;
    if (forest->n_trees == 0 || forest->n_trees > (1u << 24) ||
        (forest->classifier && forest->n_classes == 0)) {
        status = gcv_error_set(err, GCV_ERR_DATA, "a forest needs 1 to 16777216 trees and a "
                               "classifier at least 1 class, got %zu trees and %zu classes",
                               forest->n_trees, forest->n_classes);
        goto cleanup;
    }
    forest->params.n_estimators = (long long)forest->n_trees;
    forest->trees = calloc(forest->n_trees, sizeof *forest->trees);
    forest->seeds = calloc(forest->n_trees, sizeof *forest->seeds);
    if (forest->trees == NULL || forest->seeds == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory loading %zu trees",
                               forest->n_trees);
        goto cleanup;
    }
    for (size_t t = 0; t < forest->n_trees && status == GCV_OK; t++) {
        hid_t tree_group;

        snprintf(name, sizeof name, "tree_%06zu", t);
        if (H5Lexists(group, name, H5P_DEFAULT) <= 0 ||
            (tree_group = H5Gopen2(group, name, H5P_DEFAULT)) < 0) {
            status = gcv_error_set(err, GCV_ERR_DATA, "model group %s is missing", name);
            break;
        }
        status = gcv_model_file_get_int(tree_group, "seed", &seed, err);
        forest->seeds[t] = (uint32_t)seed;
        if (status == GCV_OK)
            status = gcv_tree_load(tree_group, forest->n_features, &forest->trees[t], err);
        if (status == GCV_OK &&
            forest->trees[t].n_values != (forest->classifier ? forest->n_classes : 1))
            status = gcv_error_set(err, GCV_ERR_DATA, "tree %zu stores %zu values per node, "
                                   "expected %zu", t, forest->trees[t].n_values,
                                   forest->classifier ? forest->n_classes : (size_t)1);
        if (status != GCV_OK)
            gcv_error_prefix(err, "%s: ", name);
        H5Gclose(tree_group);
    }
    if (status != GCV_OK)
        goto cleanup;
    forest->n_threads = gcv_forest_thread_count(forest->params.n_jobs, forest->n_trees,
                                                gcv_forest_cores_per_rank());
    *forest_out = forest;
    forest = NULL;

cleanup:
    gcv_forest_free(forest);
    return status;
}
