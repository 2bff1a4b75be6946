/* The decision tree builder of scikit-learn 1.2.1, step for step.
 *
 * Objective: at each node, the split (feature, threshold) that maximises
 * the impurity decrease of the chosen criterion, N counting sample weight:
 *     N_t / N * (I(t) - N_tR / N_t * I(tR) - N_tL / N_t * I(tL)).
 * Growth stops at max_depth, min_samples_split, min_samples_leaf,
 * min_weight_fraction_leaf, an impurity below machine epsilon or a decrease
 * below min_impurity_decrease. With max_leaf_nodes, the node of largest
 * decrease is split first until that many leaves exist. The reference is
 * scikit-learn 1.2.1's sklearn/tree/_tree.pyx and _splitter.pyx.
 *
 * Cost: the best splitter sorts the node's samples on each drawn feature,
 * O(n log n), then scans the thresholds once with running class counts or
 * sums, O(n), so a balanced tree costs O(max_features * n log^2 n). The
 * absolute_error criterion recomputes both children's medians and absolute
 * deviations at every threshold, O(n^2) per feature and node, as
 * scikit-learn 1.2.1 does.
 *
 * Exactness: scikit-learn's BestSplitter, RandomSplitter, criteria and
 * DepthFirst/BestFirstTreeBuilder are followed operation by operation. The
 * features are float32 and sorted with scikit-learn's introsort, so equal
 * values end in the same order. The features are drawn from its xorshift
 * generator `our_rand_r`, seeded by RandomState(seed).randint(0, 2^31 - 1).
 * The criterion updates its running sums from the same end, and the
 * best-first frontier is libstdc++'s heap. */
#include "tree.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../common/random.h"
#include "../../common/stats.h"
#include "tree_criterion.h"

/* Values of x within this much of each other count as equal (float32). */
static const float feature_threshold = 1e-7f;

/* scikit-learn's RAND_R_MAX, the largest value our_rand_r returns. */
#define RAND_R_MAX 0x7FFFFFFFu

/* The parent of the root, and the feature and threshold of a leaf. */
#define UNDEFINED SIZE_MAX
#define UNDEFINED_THRESHOLD (-2.0)

/* ----- scikit-learn's random numbers (sklearn/utils/_random.pxd) -------- */

/* One 32-bit xorshift step (shifts 13, 17, 5), reduced to [0,
 * RAND_R_MAX]. A zero state is replaced by 1. */
static uint32_t rand_r_next(uint32_t *state)
{
    if (*state == 0)
        *state = 1;
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    return *state % (RAND_R_MAX + 1u);
}

/* An integer in [low, high). */
static size_t rand_int(size_t low, size_t high, uint32_t *state)
{
    return low + rand_r_next(state) % (high - low);
}

/* A double in [low, high]. */
static double rand_uniform(double low, double high, uint32_t *state)
{
    return (high - low) * (double)rand_r_next(state) / (double)RAND_R_MAX + low;
}

static double monotonic_seconds(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
}

/* ----- sorting a node's samples on one feature --------------------------- */

/* Introsort of values[n] carrying samples[n] along: a median-of-three
 * pivot and a three-way partition, falling back to heapsort past depth
 * 2 log2(n). It is the sort of scikit-learn 1.2.1's splitter, repeated
 * exactly because the order it leaves among equal values decides the order
 * of later sums. */

static void swap_pair(float *values, size_t *samples, size_t i, size_t j)
{
    float value = values[i];
    size_t sample = samples[i];

    values[i] = values[j];
    values[j] = value;
    samples[i] = samples[j];
    samples[j] = sample;
}

static float median_of_three(const float *values, size_t n)
{
    float a = values[0], b = values[n / 2], c = values[n - 1];

    if (a < b) {
        if (b < c)
            return b;
        return a < c ? c : a;
    }
    if (b < c)
        return a < c ? a : c;
    return b;
}

static void sift_down(float *values, size_t *samples, size_t start, size_t end)
{
    size_t root = start;

    for (;;) {
        size_t child = root * 2 + 1;
        size_t largest = root;

        if (child < end && values[largest] < values[child])
            largest = child;
        if (child + 1 < end && values[largest] < values[child + 1])
            largest = child + 1;
        if (largest == root)
            return;
        swap_pair(values, samples, root, largest);
        root = largest;
    }
}

static void heapsort_pairs(float *values, size_t *samples, size_t n)
{
    size_t start = (n - 2) / 2;

    for (;;) {
        sift_down(values, samples, start, n);
        if (start == 0)
            break;
        start--;
    }
    for (size_t end = n - 1; end > 0; end--) {
        swap_pair(values, samples, 0, end);
        sift_down(values, samples, 0, end);
    }
}

static void introsort(float *values, size_t *samples, size_t n, int max_depth)
{
    while (n > 1) {
        size_t i = 0, low = 0, high = n;
        float pivot;

        if (max_depth <= 0) {
            heapsort_pairs(values, samples, n);
            return;
        }
        max_depth--;
        pivot = median_of_three(values, n);

        while (i < high) {
            if (values[i] < pivot) {
                swap_pair(values, samples, i, low);
                i++;
                low++;
            } else if (values[i] > pivot) {
                high--;
                swap_pair(values, samples, i, high);
            } else {
                i++;
            }
        }
        introsort(values, samples, low, max_depth);
        values += high;
        samples += high;
        n -= high;
    }
}

static void sort_pairs(float *values, size_t *samples, size_t n)
{
    if (n == 0)
        return;
    introsort(values, samples, n, 2 * (int)gcv_tree_log2((double)n));
}

/* ----- splitters (sklearn/tree/_splitter.pyx) ---------------------------- */

struct split_record {
    size_t feature;
    size_t pos;              /* samples[start:pos] go left; end for no split */
    double threshold;
    double improvement;
    double impurity_left;
    double impurity_right;
};

/* The builder's working state over the samples of positive weight. */
struct splitter {
    const struct gcv_tree_data *data;
    enum gcv_tree_splitter kind;
    struct gcv_tree_criterion_state criterion;
    size_t max_features;
    size_t min_samples_leaf;
    double min_weight_leaf;
    uint32_t rand_r_state;
    size_t *samples;            /* [data->n_samples], owned; the first n_samples are used */
    size_t n_samples;           /* samples of non-zero weight */
    size_t *features;           /* [n_features], owned */
    size_t *constant_features;  /* [n_features], owned */
    float *feature_values;      /* [data->n_samples], owned */
    size_t start, end;          /* the current node */
};

static void init_split(struct split_record *split, size_t start_pos)
{
    split->impurity_left = INFINITY;
    split->impurity_right = INFINITY;
    split->pos = start_pos;
    split->feature = 0;
    split->threshold = 0.0;
    split->improvement = -INFINITY;
}

static void swap_size(size_t *a, size_t i, size_t j)
{
    size_t t = a[i];

    a[i] = a[j];
    a[j] = t;
}

static const float *feature_column(const struct splitter *s, size_t feature)
{
    return s->data->X + feature * s->data->n_samples;
}

static void splitter_node_reset(struct splitter *s, size_t start, size_t end,
                                double *weighted_n_node_samples)
{
    s->start = start;
    s->end = end;
    gcv_tree_criterion_init(&s->criterion, start, end);
    *weighted_n_node_samples = s->criterion.weighted_n_node_samples;
}

/* Moves samples[start:end] that go left at (feature, threshold) first. */
static void partition_samples(struct splitter *s, size_t feature, double threshold)
{
    const float *column = feature_column(s, feature);
    size_t p = s->start, partition_end = s->end;

    while (p < partition_end) {
        if (column[s->samples[p]] <= threshold) {
            p++;
        } else {
            partition_end--;
            swap_size(s->samples, p, partition_end);
        }
    }
}

/* Moves the criterion to pos and returns the proxy improvement of the
 * split there, or -INFINITY when a child would have fewer than
 * min_samples_leaf samples or less than min_weight_leaf weight. */
static double evaluate_position(struct splitter *s, size_t pos)
{
    struct gcv_tree_criterion_state *c = &s->criterion;

    if (pos - s->start < s->min_samples_leaf || s->end - pos < s->min_samples_leaf)
        return -INFINITY;
    gcv_tree_criterion_update(c, pos);
    if (c->weighted_n_left < s->min_weight_leaf || c->weighted_n_right < s->min_weight_leaf)
        return -INFINITY;
    return gcv_tree_criterion_proxy_improvement(c);
}

/* Scans the thresholds of the feature whose sorted values fill
 * feature_values[start:end], updating best. */
static void scan_thresholds(struct splitter *s, struct split_record *current,
                            struct split_record *best, double *best_proxy)
{
    const float *xf = s->feature_values;
    size_t p = s->start;

    gcv_tree_criterion_reset(&s->criterion);
    while (p < s->end) {
        double proxy;

        while (p + 1 < s->end && xf[p + 1] <= xf[p] + feature_threshold)
            p++;
        p++;
        if (p >= s->end)
            continue;

        current->pos = p;
        proxy = evaluate_position(s, p);
        if (proxy > *best_proxy) {
            *best_proxy = proxy;
            /* The sum of halves cannot overflow to infinity. */
            current->threshold = (double)xf[p - 1] / 2.0 + (double)xf[p] / 2.0;
            if (current->threshold == (double)xf[p] || isinf(current->threshold))
                current->threshold = xf[p - 1];
            *best = *current;
        }
    }
}

/* Copies the node's values of feature into feature_values[start:end] and
 * returns their range. The best splitter sorts them, with the samples. */
static void gather_values(struct splitter *s, size_t feature, float *min_value,
                          float *max_value)
{
    const float *column = feature_column(s, feature);
    float *xf = s->feature_values;

    *min_value = *max_value = column[s->samples[s->start]];
    for (size_t p = s->start; p < s->end; p++) {
        const float value = column[s->samples[p]];

        xf[p] = value;
        if (value < *min_value)
            *min_value = value;
        else if (value > *max_value)
            *max_value = value;
    }
    if (s->kind == GCV_TREE_SPLITTER_BEST) {
        sort_pairs(xf + s->start, s->samples + s->start, s->end - s->start);
        *min_value = xf[s->start];
        *max_value = xf[s->end - 1];
    }
}

/* The random splitter's try of one feature: a threshold drawn uniformly in
 * [min_value, max_value), the node's samples partitioned at it, and the
 * split kept in best when it beats the best so far. */
static void try_random_threshold(struct splitter *s, float min_value, float max_value,
                                 struct split_record *current, struct split_record *best,
                                 double *best_proxy)
{
    float *xf = s->feature_values;
    size_t p = s->start, partition_end = s->end;
    double proxy;

    current->threshold = rand_uniform(min_value, max_value, &s->rand_r_state);
    if (current->threshold == max_value)
        current->threshold = min_value;
    while (p < partition_end) {
        if (xf[p] <= current->threshold) {
            p++;
        } else {
            partition_end--;
            swap_pair(xf, s->samples, p, partition_end);
        }
    }
    current->pos = partition_end;
    gcv_tree_criterion_reset(&s->criterion);
    proxy = evaluate_position(s, current->pos);
    if (proxy > *best_proxy) {
        *best_proxy = proxy;
        *best = *current;
    }
}

/* Draws features without replacement (a Fisher-Yates shuffle of
 * features[] that skips features known to be constant in the node) until
 * max_features non-constant ones were evaluated, and keeps the best split.
 * *n_constant_features is the number of known constant features on entry
 * and on return, kept at the front of features[] for the children. */
static void node_split(struct splitter *s, double impurity, struct split_record *split,
                       size_t *n_constant_features)
{
    size_t *features = s->features;
    const size_t end = s->end;
    const size_t n_known_constants = *n_constant_features;
    size_t n_total_constants = n_known_constants;
    size_t f_i = s->data->n_features;
    size_t n_visited = 0, n_found_constants = 0, n_drawn_constants = 0;
    struct split_record best, current;
    double best_proxy = -INFINITY;

    init_split(&best, end);
    init_split(&current, end);

    while (f_i > n_total_constants &&
           (n_visited < s->max_features ||
            n_visited <= n_found_constants + n_drawn_constants)) {
        size_t f_j;
        float min_value, max_value;

        n_visited++;
        f_j = rand_int(n_drawn_constants, f_i - n_found_constants, &s->rand_r_state);
        if (f_j < n_known_constants) {
            swap_size(features, n_drawn_constants, f_j);
            n_drawn_constants++;
            continue;
        }
        f_j += n_found_constants;
        current.feature = features[f_j];
        gather_values(s, current.feature, &min_value, &max_value);
        if (max_value <= min_value + feature_threshold) {
            swap_size(features, f_j, n_total_constants);
            n_found_constants++;
            n_total_constants++;
            continue;
        }
        f_i--;
        swap_size(features, f_i, f_j);

        if (s->kind == GCV_TREE_SPLITTER_BEST)
            scan_thresholds(s, &current, &best, &best_proxy);
        else
            try_random_threshold(s, min_value, max_value, &current, &best, &best_proxy);
    }

    /* Put the left samples of the best split first and compute its exact
     * improvement. The random splitter left the samples partitioned when
     * its best feature was the last one drawn. */
    if (best.pos < end) {
        if (s->kind == GCV_TREE_SPLITTER_BEST || current.feature != best.feature)
            partition_samples(s, best.feature, best.threshold);
        gcv_tree_criterion_reset(&s->criterion);
        gcv_tree_criterion_update(&s->criterion, best.pos);
        gcv_tree_criterion_children_impurity(&s->criterion, &best.impurity_left,
                                             &best.impurity_right);
        best.improvement = gcv_tree_criterion_improvement(&s->criterion, impurity,
                                                          best.impurity_left,
                                                          best.impurity_right);
    }

    /* The known constants keep their order for the siblings and children;
     * the newly found ones follow them. */
    memcpy(features, s->constant_features, n_known_constants * sizeof *features);
    memcpy(s->constant_features + n_known_constants, features + n_known_constants,
           n_found_constants * sizeof *features);

    *split = best;
    *n_constant_features = n_total_constants;
}

/* ----- the tree and its builders (sklearn/tree/_tree.pyx) ---------------- */

/* The limits of one build, resolved from the parameters and the rows as
 * BaseDecisionTree.fit resolves them. */
struct limits {
    size_t max_depth;
    size_t min_samples_split;
    size_t min_samples_leaf;
    size_t max_features;
    size_t max_leaf_nodes;        /* 0 for depth-first growth */
    double min_weight_leaf;
    double min_impurity_decrease;
    double deadline;              /* monotonic seconds, 0 for none */
};

struct builder {
    struct splitter splitter;
    struct limits limits;
    struct gcv_tree *tree;
};

static enum gcv_status tree_reserve(struct gcv_tree *tree, size_t capacity,
                                    struct gcv_error *err)
{
    struct gcv_tree_node *nodes;
    double *values;

    if (capacity <= tree->capacity)
        return GCV_OK;
    nodes = realloc(tree->nodes, capacity * sizeof *nodes);
    if (nodes == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory growing a tree to %zu nodes",
                             capacity);
    tree->nodes = nodes;
    values = realloc(tree->values, capacity * tree->n_values * sizeof *values);
    if (values == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory growing a tree to %zu nodes",
                             capacity);
    tree->values = values;
    tree->capacity = capacity;
    return GCV_OK;
}

/* Appends a node and links it from its parent (UNDEFINED for the root).
 * A leaf gets no feature and threshold -2, as in scikit-learn. */
static enum gcv_status tree_add_node(struct gcv_tree *tree, size_t parent, bool is_left,
                                     bool is_leaf, const struct split_record *split,
                                     double impurity, size_t n_node_samples,
                                     double weighted_n_node_samples, size_t *id,
                                     struct gcv_error *err)
{
    struct gcv_tree_node *node;
    enum gcv_status status;

    if (tree->n_nodes == tree->capacity &&
        (status = tree_reserve(tree, tree->capacity < 8 ? 8 : 2 * tree->capacity, err)) !=
            GCV_OK)
        return status;
    *id = tree->n_nodes++;
    node = &tree->nodes[*id];
    node->impurity = impurity;
    node->n_node_samples = n_node_samples;
    node->weighted_n_node_samples = weighted_n_node_samples;
    node->left = GCV_TREE_LEAF;
    node->right = GCV_TREE_LEAF;
    node->feature = UNDEFINED;
    node->threshold = UNDEFINED_THRESHOLD;
    if (!is_leaf) {
        node->feature = split->feature;
        node->threshold = split->threshold;
    }
    if (parent != UNDEFINED) {
        if (is_left)
            tree->nodes[parent].left = *id;
        else
            tree->nodes[parent].right = *id;
    }
    return GCV_OK;
}

static bool past_deadline(const struct limits *limits)
{
    return limits->deadline > 0 && monotonic_seconds() >= limits->deadline;
}

static enum gcv_status timeout_error(const struct gcv_tree *tree, struct gcv_error *err)
{
    return gcv_error_set(err, GCV_ERR_TIMEOUT, "tree building passed its deadline after %zu "
                         "nodes", tree->n_nodes);
}

/* Whether a node of n samples and weight weighted_n at depth cannot be
 * split, before its split is searched. */
static bool is_leaf_by_limits(const struct limits *limits, size_t depth, size_t n,
                              double weighted_n, double impurity)
{
    return depth >= limits->max_depth || n < limits->min_samples_split ||
           n < 2 * limits->min_samples_leaf || weighted_n < 2 * limits->min_weight_leaf ||
           impurity <= DBL_EPSILON;
}

/* A node waiting on the depth-first stack. */
struct stack_record {
    size_t start, end, depth, parent;
    bool is_left;
    double impurity;
    size_t n_constant_features;
};

static enum gcv_status stack_push(struct stack_record **stack, size_t *n, size_t *capacity,
                                  struct stack_record record, struct gcv_error *err)
{
    if (*n == *capacity) {
        size_t grown = *capacity < 16 ? 16 : 2 * *capacity;
        struct stack_record *bigger = realloc(*stack, grown * sizeof *bigger);

        if (bigger == NULL)
            return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for the tree builder's "
                                 "stack of %zu nodes", grown);
        *stack = bigger;
        *capacity = grown;
    }
    (*stack)[(*n)++] = record;
    return GCV_OK;
}

/* DepthFirstTreeBuilder: nodes are split in depth-first order, the left
 * child first, each inheriting the constant features its parent found. */
static enum gcv_status build_depth_first(struct builder *b, struct gcv_error *err)
{
    struct splitter *s = &b->splitter;
    const struct limits *limits = &b->limits;
    struct gcv_tree *tree = b->tree;
    struct stack_record *stack = NULL;
    size_t n_stack = 0, stack_capacity = 0;
    struct split_record split;
    bool first = true;
    enum gcv_status status;

    init_split(&split, 0);
    status = stack_push(&stack, &n_stack, &stack_capacity,
                        (struct stack_record){.start = 0, .end = s->n_samples, .depth = 0,
                                              .parent = UNDEFINED, .is_left = false,
                                              .impurity = INFINITY},
                        err);

    while (status == GCV_OK && n_stack > 0) {
        struct stack_record record = stack[--n_stack];
        double weighted_n;
        bool is_leaf;
        size_t id;

        if (past_deadline(limits)) {
            status = timeout_error(tree, err);
            break;
        }
        splitter_node_reset(s, record.start, record.end, &weighted_n);
        if (first) {
            record.impurity = gcv_tree_criterion_node_impurity(&s->criterion);
            first = false;
        }
        is_leaf = is_leaf_by_limits(limits, record.depth, record.end - record.start,
                                    weighted_n, record.impurity);
        if (!is_leaf) {
            node_split(s, record.impurity, &split, &record.n_constant_features);
            is_leaf = split.pos >= record.end ||
                      split.improvement + DBL_EPSILON < limits->min_impurity_decrease;
        }

        status = tree_add_node(tree, record.parent, record.is_left, is_leaf, &split,
                               record.impurity, record.end - record.start, weighted_n, &id,
                               err);
        if (status != GCV_OK)
            break;
        gcv_tree_criterion_node_value(&s->criterion, tree->values + id * tree->n_values);
        if (record.depth > tree->max_depth)
            tree->max_depth = record.depth;
        if (is_leaf)
            continue;

        status = stack_push(&stack, &n_stack, &stack_capacity,
                            (struct stack_record){
                                .start = split.pos, .end = record.end,
                                .depth = record.depth + 1, .parent = id, .is_left = false,
                                .impurity = split.impurity_right,
                                .n_constant_features = record.n_constant_features},
                            err);
        if (status == GCV_OK)
            status = stack_push(&stack, &n_stack, &stack_capacity,
                                (struct stack_record){
                                    .start = record.start, .end = split.pos,
                                    .depth = record.depth + 1, .parent = id, .is_left = true,
                                    .impurity = split.impurity_left,
                                    .n_constant_features = record.n_constant_features},
                                err);
    }
    free(stack);
    return status;
}

/* A node of the best-first frontier, with its split already searched. */
struct frontier_record {
    size_t node_id, start, end, pos, depth;
    bool is_leaf;
    double impurity, impurity_left, impurity_right, improvement;
};

/* The frontier is a max-heap on improvement kept exactly as libstdc++'s
 * std::push_heap and std::pop_heap keep it, because scikit-learn uses
 * them, and among equal improvements the heap's layout decides which node
 * is split first. */
static bool frontier_less(const struct frontier_record *a, const struct frontier_record *b)
{
    return a->improvement < b->improvement;
}

static void heap_sift_up(struct frontier_record *heap, size_t hole, size_t top,
                         struct frontier_record value)
{
    while (hole > top) {
        size_t parent = (hole - 1) / 2;

        if (!frontier_less(&heap[parent], &value))
            break;
        heap[hole] = heap[parent];
        hole = parent;
    }
    heap[hole] = value;
}

static void heap_push(struct frontier_record *heap, size_t *n, struct frontier_record value)
{
    heap[*n] = value;
    (*n)++;
    heap_sift_up(heap, *n - 1, 0, heap[*n - 1]);
}

/* Removes the largest record into *out (std::pop_heap, then pop_back). */
static void heap_pop(struct frontier_record *heap, size_t *n, struct frontier_record *out)
{
    if (*n > 1) {
        const size_t len = *n - 1;
        struct frontier_record value = heap[len];
        size_t hole = 0, child = 0;

        heap[len] = heap[0];
        while (child < (len - 1) / 2) {
            child = 2 * (child + 1);
            if (frontier_less(&heap[child], &heap[child - 1]))
                child--;
            heap[hole] = heap[child];
            hole = child;
        }
        if ((len & 1) == 0 && child == (len - 2) / 2) {
            child = 2 * (child + 1);
            heap[hole] = heap[child - 1];
            hole = child - 1;
        }
        heap_sift_up(heap, hole, 0, value);
    }
    *out = heap[*n - 1];
    (*n)--;
}

/* Adds the node samples[start:end] to the tree with its split searched
 * (BestFirstTreeBuilder._add_split_node); the root computes its own
 * impurity. */
static enum gcv_status add_split_node(struct builder *b, size_t start, size_t end,
                                      double impurity, bool is_first, bool is_left,
                                      size_t parent, size_t depth,
                                      struct frontier_record *out, struct gcv_error *err)
{
    struct splitter *s = &b->splitter;
    struct split_record split;
    size_t n_constant_features = 0, id;
    double weighted_n;
    bool is_leaf;
    enum gcv_status status;

    init_split(&split, end);
    splitter_node_reset(s, start, end, &weighted_n);
    if (is_first)
        impurity = gcv_tree_criterion_node_impurity(&s->criterion);
    is_leaf = is_leaf_by_limits(&b->limits, depth, end - start, weighted_n, impurity);
    if (!is_leaf) {
        node_split(s, impurity, &split, &n_constant_features);
        is_leaf = split.pos >= end ||
                  split.improvement + DBL_EPSILON < b->limits.min_impurity_decrease;
    }
    status = tree_add_node(b->tree, parent, is_left, is_leaf, &split, impurity, end - start,
                           weighted_n, &id, err);
    if (status != GCV_OK)
        return status;
    gcv_tree_criterion_node_value(&s->criterion, b->tree->values + id * b->tree->n_values);

    *out = (struct frontier_record){
        .node_id = id, .start = start, .end = end, .depth = depth, .impurity = impurity,
        .is_leaf = is_leaf,
        .pos = is_leaf ? end : split.pos,
        .improvement = is_leaf ? 0.0 : split.improvement,
        .impurity_left = is_leaf ? impurity : split.impurity_left,
        .impurity_right = is_leaf ? impurity : split.impurity_right,
    };
    return GCV_OK;
}

/* BestFirstTreeBuilder: the frontier node of largest improvement is split
 * next, until max_leaf_nodes leaves exist. */
static enum gcv_status build_best_first(struct builder *b, struct gcv_error *err)
{
    struct gcv_tree *tree = b->tree;
    long long max_split_nodes = (long long)b->limits.max_leaf_nodes - 1;
    /* Each split removes one record and adds two non-empty ones, so the
     * frontier never contains more records than max_leaf_nodes or samples. */
    const size_t heap_capacity = (b->limits.max_leaf_nodes < b->splitter.n_samples
                                      ? b->limits.max_leaf_nodes
                                      : b->splitter.n_samples) + 1;
    struct frontier_record *heap = malloc(heap_capacity * sizeof *heap);
    struct frontier_record record, left, right;
    size_t n_heap = 0;
    enum gcv_status status;

    if (heap == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for a frontier of %zu nodes",
                             heap_capacity);
    status = add_split_node(b, 0, b->splitter.n_samples, INFINITY, true, true, UNDEFINED, 0,
                            &record, err);
    if (status == GCV_OK)
        heap_push(heap, &n_heap, record);

    while (status == GCV_OK && n_heap > 0) {
        struct gcv_tree_node *node;

        if (past_deadline(&b->limits)) {
            status = timeout_error(tree, err);
            break;
        }
        heap_pop(heap, &n_heap, &record);
        node = &tree->nodes[record.node_id];
        if (record.depth > tree->max_depth)
            tree->max_depth = record.depth;

        if (record.is_leaf || max_split_nodes <= 0) {
            node->left = GCV_TREE_LEAF;
            node->right = GCV_TREE_LEAF;
            node->feature = UNDEFINED;
            node->threshold = UNDEFINED_THRESHOLD;
            continue;
        }
        max_split_nodes--;
        status = add_split_node(b, record.start, record.pos, record.impurity_left, false, true,
                                record.node_id, record.depth + 1, &left, err);
        if (status == GCV_OK)
            status = add_split_node(b, record.pos, record.end, record.impurity_right, false,
                                    false, record.node_id, record.depth + 1, &right, err);
        if (status != GCV_OK)
            break;
        heap_push(heap, &n_heap, left);
        heap_push(heap, &n_heap, right);
    }
    free(heap);
    return status;
}

/* ----- minimal cost-complexity pruning ----------------------------------- */

/* A node of the original tree to copy into the pruned one. */
struct prune_record {
    size_t original, parent, depth;
    bool is_left;
};

/* Prunes tree with ccp_alpha as scikit-learn 1.2.1's _cost_complexity_prune
 * and _build_pruned_tree (minimal cost-complexity pruning): repeatedly
 * collapses the internal node of smallest effective alpha (R(t) -
 * R(T_t)) / (|leaves of T_t| - 1), R the weighted impurity, the first such
 * node in id order on ties, while that alpha is <= ccp_alpha; then copies
 * the kept nodes into a new tree in depth-first order, left child first.
 * Cost O(n_nodes^2) in the worst case. */
static enum gcv_status prune_tree(struct gcv_tree *tree, double ccp_alpha,
                                  struct gcv_error *err)
{
    const size_t n = tree->n_nodes;
    const double total_weight = tree->nodes[0].weighted_n_node_samples;
    double *r_node = malloc(n * sizeof *r_node);       /* [n] weighted impurity of each node */
    double *r_branch = calloc(n, sizeof *r_branch);    /* [n] sum of r_node over its leaves */
    size_t *parent = malloc(n * sizeof *parent);       /* [n] */
    size_t *n_leaves = calloc(n, sizeof *n_leaves);    /* [n] leaves below an internal node */
    unsigned char *is_leaf = malloc(n);                /* [n] leaf of the pruned tree */
    unsigned char *candidate = malloc(n);              /* [n] internal node still prunable */
    unsigned char *in_subtree = malloc(n);             /* [n] node of the pruned tree */
    size_t *stack = malloc((n + 1) * sizeof *stack);   /* [n + 1] nodes to mark as pruned */
    struct prune_record *copies = malloc((n + 1) * sizeof *copies); /* [n + 1] nodes to copy */
    struct gcv_tree pruned = {.n_values = tree->n_values};
    size_t n_stack = 0;
    enum gcv_status status = GCV_OK;

    if (r_node == NULL || r_branch == NULL || parent == NULL || n_leaves == NULL ||
        is_leaf == NULL || candidate == NULL || in_subtree == NULL || stack == NULL ||
        copies == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory pruning a tree of %zu nodes",
                               n);
        goto cleanup;
    }

    /* Parents, leaves, and the impurity and leaf count of every branch. */
    for (size_t i = 0; i < n; i++) {
        r_node[i] = tree->nodes[i].weighted_n_node_samples * tree->nodes[i].impurity /
                    total_weight;
        is_leaf[i] = tree->nodes[i].left == GCV_TREE_LEAF;
        candidate[i] = !is_leaf[i];
        in_subtree[i] = 1;
    }
    parent[0] = UNDEFINED;
    for (size_t i = 0; i < n; i++) {
        if (!is_leaf[i]) {
            parent[tree->nodes[i].left] = i;
            parent[tree->nodes[i].right] = i;
        }
    }
    for (size_t leaf = 0; leaf < n; leaf++) {
        if (!is_leaf[leaf])
            continue;
        r_branch[leaf] = r_node[leaf];
        for (size_t node = leaf; node != 0; node = parent[node]) {
            r_branch[parent[node]] += r_node[leaf];
            n_leaves[parent[node]] += 1;
        }
    }

    /* Collapse the weakest link while its alpha is at most ccp_alpha. */
    while (candidate[0]) {
        double effective_alpha = DBL_MAX, r_diff;
        size_t weakest = 0, n_pruned_leaves;

        for (size_t i = 0; i < n; i++) {
            double alpha;

            if (!candidate[i])
                continue;
            alpha = (r_node[i] - r_branch[i]) / (double)(n_leaves[i] - 1);
            if (alpha < effective_alpha) {
                effective_alpha = alpha;
                weakest = i;
            }
        }
        if (ccp_alpha < effective_alpha)
            break;

        stack[n_stack++] = weakest;
        while (n_stack > 0) {
            size_t node = stack[--n_stack];

            if (!in_subtree[node])
                continue;
            candidate[node] = 0;
            is_leaf[node] = 0;
            in_subtree[node] = 0;
            if (tree->nodes[node].left != GCV_TREE_LEAF) {
                stack[n_stack++] = tree->nodes[node].left;
                stack[n_stack++] = tree->nodes[node].right;
            }
        }
        is_leaf[weakest] = 1;
        in_subtree[weakest] = 1;

        n_pruned_leaves = n_leaves[weakest] - 1;
        n_leaves[weakest] = 0;
        r_diff = r_node[weakest] - r_branch[weakest];
        r_branch[weakest] = r_node[weakest];
        for (size_t node = parent[weakest]; node != UNDEFINED; node = parent[node]) {
            n_leaves[node] -= n_pruned_leaves;
            r_branch[node] += r_diff;
        }
    }

    /* Copy the kept nodes, depth-first with the left child first. */
    copies[0] = (struct prune_record){.original = 0, .parent = UNDEFINED};
    n_stack = 1;
    while (n_stack > 0) {
        const struct prune_record record = copies[--n_stack];
        const struct gcv_tree_node *node = &tree->nodes[record.original];
        const struct split_record split = {.feature = node->feature,
                                           .threshold = node->threshold};
        size_t id;

        status = tree_add_node(&pruned, record.parent, record.is_left, is_leaf[record.original],
                               &split, node->impurity, node->n_node_samples,
                               node->weighted_n_node_samples, &id, err);
        if (status != GCV_OK)
            goto cleanup;
        memcpy(pruned.values + id * pruned.n_values, gcv_tree_value(tree, record.original),
               pruned.n_values * sizeof *pruned.values);
        if (record.depth > pruned.max_depth)
            pruned.max_depth = record.depth;
        if (is_leaf[record.original])
            continue;
        copies[n_stack++] = (struct prune_record){.original = node->right, .parent = id,
                                                  .depth = record.depth + 1};
        copies[n_stack++] = (struct prune_record){.original = node->left, .parent = id,
                                                  .depth = record.depth + 1, .is_left = true};
    }
    gcv_tree_free(tree);
    *tree = pruned;
    pruned = (struct gcv_tree){0};

cleanup:
    free(r_node);
    free(r_branch);
    free(parent);
    free(n_leaves);
    free(is_leaf);
    free(candidate);
    free(in_subtree);
    free(stack);
    free(copies);
    gcv_tree_free(&pruned);
    return status;
}

/* ----- public functions -------------------------------------------------- */

enum gcv_status gcv_tree_data_init(struct gcv_tree_data *data, const struct gcv_rows *train,
                                   bool classifier, struct gcv_error *err)
{
    const size_t n = train->n_rows, d = train->n_features;
    size_t *class_index = NULL;   /* [train->n_classes] class index of each code, or SIZE_MAX */
    enum gcv_status status = GCV_OK;

    memset(data, 0, sizeof *data);
    if (n == 0)
        return gcv_error_set(err, GCV_ERR_DATA, "a tree needs at least one training row");
    if (classifier && train->y_class == NULL)
        return gcv_error_set(err, GCV_ERR_DATA, "a tree classifier needs class labels, and the "
                             "rows have none");
    if (!classifier && train->y_value == NULL)
        return gcv_error_set(err, GCV_ERR_DATA, "a tree regressor needs targets, and the rows "
                             "have none");

    data->n_samples = n;
    data->n_features = d;
    data->X = malloc((n * d > 0 ? n * d : 1) * sizeof *data->X);
    data->y = malloc(n * sizeof *data->y);
    if (data->X == NULL || data->y == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory copying %zu training rows",
                               n);
        goto cleanup;
    }
    for (size_t r = 0; r < n; r++) {
        const double *row = train->X + train->index[r] * d;

        for (size_t f = 0; f < d; f++)
            data->X[f * n + r] = (float)row[f];
    }

    if (!classifier) {
        for (size_t r = 0; r < n; r++)
            data->y[r] = train->y_value[train->index[r]];
        return GCV_OK;
    }

    /* Number the classes present in ascending code order, as np.unique. */
    class_index = malloc((train->n_classes > 0 ? train->n_classes : 1) * sizeof *class_index);
    if (class_index == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory indexing %zu classes",
                               train->n_classes);
        goto cleanup;
    }
    for (size_t code = 0; code < train->n_classes; code++)
        class_index[code] = SIZE_MAX;
    for (size_t r = 0; r < n; r++) {
        const int32_t code = train->y_class[train->index[r]];

        if (code < 0 || (size_t)code >= train->n_classes) {
            status = gcv_error_set(err, GCV_ERR_DATA, "class code %d of row %zu is outside "
                                   "[0, %zu)", (int)code, train->index[r], train->n_classes);
            goto cleanup;
        }
        class_index[code] = 0;
    }
    for (size_t code = 0; code < train->n_classes; code++)
        if (class_index[code] != SIZE_MAX)
            class_index[code] = data->n_classes++;
    data->class_codes = malloc(data->n_classes * sizeof *data->class_codes);
    if (data->class_codes == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory indexing %zu classes",
                               data->n_classes);
        goto cleanup;
    }
    for (size_t code = 0; code < train->n_classes; code++)
        if (class_index[code] != SIZE_MAX)
            data->class_codes[class_index[code]] = (int32_t)code;
    for (size_t r = 0; r < n; r++)
        data->y[r] = (double)class_index[train->y_class[train->index[r]]];

cleanup:
    free(class_index);
    if (status != GCV_OK)
        gcv_tree_data_free(data);
    return status;
}

void gcv_tree_data_free(struct gcv_tree_data *data)
{
    if (data == NULL)
        return;
    free(data->X);
    free(data->y);
    free(data->class_codes);
    memset(data, 0, sizeof *data);
}

void gcv_tree_balanced_weights(const struct gcv_tree_data *data, double *weights)
{
    size_t *counts = calloc(data->n_classes > 0 ? data->n_classes : 1, sizeof *counts);

    /* Without the memory for counts, unit weights keep the fit going. */
    if (counts == NULL) {
        for (size_t i = 0; i < data->n_samples; i++)
            weights[i] = 1.0;
        return;
    }
    for (size_t i = 0; i < data->n_samples; i++)
        counts[(size_t)data->y[i]]++;
    for (size_t i = 0; i < data->n_samples; i++)
        weights[i] = (double)data->n_samples /
                     ((double)data->n_classes * (double)counts[(size_t)data->y[i]]);
    free(counts);
}

/* Resolves the limits of one build as BaseDecisionTree.fit does. */
static void resolve_limits(const struct gcv_tree_params *params,
                           const struct gcv_tree_data *data, const double *sample_weight,
                           double deadline, struct limits *limits)
{
    const double n = (double)data->n_samples;
    const size_t d = data->n_features;

    limits->max_depth = params->max_depth > 0 ? (size_t)params->max_depth : (size_t)INT32_MAX;
    limits->min_samples_leaf = params->min_samples_leaf_is_fraction
                                   ? (size_t)ceil(params->min_samples_leaf_fraction * n)
                                   : (size_t)params->min_samples_leaf;
    limits->min_samples_split = (size_t)params->min_samples_split;
    if (params->min_samples_split_is_fraction) {
        limits->min_samples_split = (size_t)ceil(params->min_samples_split_fraction * n);
        if (limits->min_samples_split < 2)
            limits->min_samples_split = 2;
    }
    if (limits->min_samples_split < 2 * limits->min_samples_leaf)
        limits->min_samples_split = 2 * limits->min_samples_leaf;

    limits->max_features = d;
    switch (params->max_features) {
    case GCV_TREE_FEATURES_ALL:
        break;
    case GCV_TREE_FEATURES_COUNT:
        limits->max_features = (size_t)params->max_features_count;
        break;
    case GCV_TREE_FEATURES_FRACTION:
        limits->max_features = (size_t)(params->max_features_fraction * (double)d);
        break;
    case GCV_TREE_FEATURES_SQRT:
        limits->max_features = (size_t)sqrt((double)d);
        break;
    case GCV_TREE_FEATURES_LOG2:
        limits->max_features = d > 0 ? (size_t)log2((double)d) : 0;
        break;
    }
    if (limits->max_features < 1 && params->max_features != GCV_TREE_FEATURES_ALL)
        limits->max_features = 1;

    limits->max_leaf_nodes = (size_t)params->max_leaf_nodes;
    limits->min_weight_leaf = params->min_weight_fraction_leaf *
                              (sample_weight != NULL
                                   ? gcv_stats_sum(sample_weight, data->n_samples, 1)
                                   : n);
    limits->min_impurity_decrease = params->min_impurity_decrease;
    limits->deadline = deadline;
}

static void splitter_free(struct splitter *s)
{
    free(s->samples);
    free(s->features);
    free(s->constant_features);
    free(s->feature_values);
    gcv_tree_criterion_free(&s->criterion);
}

/* Allocates the splitter's arrays, keeps the samples of non-zero weight
 * and starts the feature generator at rand_r_state. */
static enum gcv_status splitter_init(struct splitter *s, const struct gcv_tree_params *params,
                                     const struct limits *limits,
                                     const struct gcv_tree_data *data,
                                     const double *sample_weight, uint32_t rand_r_state,
                                     struct gcv_error *err)
{
    const size_t n = data->n_samples, d = data->n_features;
    double weighted_n_samples = 0.0;

    memset(s, 0, sizeof *s);
    s->data = data;
    s->kind = params->splitter;
    s->max_features = limits->max_features;
    s->min_samples_leaf = limits->min_samples_leaf;
    s->min_weight_leaf = limits->min_weight_leaf;
    s->samples = malloc(n * sizeof *s->samples);
    s->features = malloc((d > 0 ? d : 1) * sizeof *s->features);
    s->constant_features = malloc((d > 0 ? d : 1) * sizeof *s->constant_features);
    s->feature_values = malloc(n * sizeof *s->feature_values);
    if (s->samples == NULL || s->features == NULL || s->constant_features == NULL ||
        s->feature_values == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for a tree on %zu rows and "
                             "%zu features", n, d);

    s->rand_r_state = rand_r_state;

    for (size_t i = 0; i < n; i++) {
        if (sample_weight == NULL || sample_weight[i] != 0.0)
            s->samples[s->n_samples++] = i;
        weighted_n_samples += sample_weight != NULL ? sample_weight[i] : 1.0;
    }
    for (size_t f = 0; f < d; f++)
        s->features[f] = f;
    return gcv_tree_criterion_alloc(&s->criterion, params->criterion, data, sample_weight,
                                    s->samples, weighted_n_samples, err);
}

enum gcv_status gcv_tree_build(struct gcv_tree *tree, const struct gcv_tree_params *params,
                               const struct gcv_tree_data *data, const double *sample_weight,
                               uint32_t seed, double deadline, struct gcv_error *err)
{
    struct gcv_random rng;

    gcv_random_seed(&rng, seed);
    return gcv_tree_build_from_stream(tree, params, data, sample_weight, &rng, deadline, err);
}

enum gcv_status gcv_tree_build_from_stream(struct gcv_tree *tree,
                                           const struct gcv_tree_params *params,
                                           const struct gcv_tree_data *data,
                                           const double *sample_weight, struct gcv_random *rng,
                                           double deadline, struct gcv_error *err)
{
    const uint32_t rand_r_state = (uint32_t)gcv_random_randint(rng, 0, RAND_R_MAX);
    struct builder b;
    enum gcv_status status;

    memset(tree, 0, sizeof *tree);
    tree->n_values = data->n_classes > 0 ? data->n_classes : 1;
    b.tree = tree;
    resolve_limits(params, data, sample_weight, deadline, &b.limits);

    status = splitter_init(&b.splitter, params, &b.limits, data, sample_weight, rand_r_state,
                           err);
    if (status == GCV_OK && b.splitter.n_samples == 0)
        status = gcv_error_set(err, GCV_ERR_FIT, "every sample weight is 0, so a tree has "
                               "nothing to fit");
    if (status == GCV_OK)
        status = b.limits.max_leaf_nodes > 0 ? build_best_first(&b, err)
                                             : build_depth_first(&b, err);
    if (status == GCV_OK && params->ccp_alpha > 0.0)
        status = prune_tree(tree, params->ccp_alpha, err);

    splitter_free(&b.splitter);
    if (status != GCV_OK)
        gcv_tree_free(tree);
    return status;
}

void gcv_tree_free(struct gcv_tree *tree)
{
    if (tree == NULL)
        return;
    free(tree->nodes);
    free(tree->values);
    memset(tree, 0, sizeof *tree);
}

size_t gcv_tree_apply(const struct gcv_tree *tree, const double *x)
{
    size_t node = 0;

    while (tree->nodes[node].left != GCV_TREE_LEAF) {
        const struct gcv_tree_node *split = &tree->nodes[node];

        node = (double)(float)x[split->feature] <= split->threshold ? split->left
                                                                     : split->right;
    }
    return node;
}

void gcv_tree_leaf_proba(const struct gcv_tree *tree, size_t leaf, double *proba)
{
    const double *counts = gcv_tree_value(tree, leaf);
    double normalizer = gcv_stats_sum(counts, tree->n_values, 1);

    if (normalizer == 0.0)
        normalizer = 1.0;
    for (size_t k = 0; k < tree->n_values; k++)
        proba[k] = counts[k] / normalizer;
}

size_t gcv_tree_argmax(const double *values, size_t n)
{
    size_t best = 0;

    for (size_t k = 1; k < n; k++)
        if (values[k] > values[best])
            best = k;
    return best;
}

enum gcv_status gcv_tree_check_poisson_targets(const struct gcv_tree_data *data,
                                               struct gcv_error *err)
{
    for (size_t i = 0; i < data->n_samples; i++)
        if (data->y[i] < 0.0)
            return gcv_error_set(err, GCV_ERR_FIT, "criterion=\"poisson\" needs targets >= 0, "
                                 "and a training row has %g", data->y[i]);
    if (gcv_stats_sum(data->y, data->n_samples, 1) <= 0.0)
        return gcv_error_set(err, GCV_ERR_FIT, "criterion=\"poisson\" needs a positive sum of "
                             "the targets, and the training rows sum to 0");
    return GCV_OK;
}

void gcv_tree_model_free(void *model_pointer)
{
    struct gcv_tree_model *model = model_pointer;

    if (model == NULL)
        return;
    gcv_tree_free(&model->tree);
    free(model->class_codes);
    free(model);
}

/* ----- save and load ----------------------------------------------------- */

/* The node fields stored as arrays of sizes, and as arrays of doubles. */
enum { N_SIZE_FIELDS = 4, N_DOUBLE_FIELDS = 3 };
static const char *const size_fields[N_SIZE_FIELDS] = {"left", "right", "feature",
                                                       "n_node_samples"};
static const char *const double_fields[N_DOUBLE_FIELDS] = {"threshold", "impurity",
                                                           "weighted_n_node_samples"};

static size_t *size_field(struct gcv_tree_node *node, size_t field)
{
    size_t *fields[N_SIZE_FIELDS] = {&node->left, &node->right, &node->feature,
                                     &node->n_node_samples};
    return fields[field];
}

static double *double_field(struct gcv_tree_node *node, size_t field)
{
    double *fields[N_DOUBLE_FIELDS] = {&node->threshold, &node->impurity,
                                       &node->weighted_n_node_samples};
    return fields[field];
}

enum gcv_status gcv_tree_save(const struct gcv_tree *tree, hid_t group, struct gcv_error *err)
{
    const size_t n = tree->n_nodes;
    size_t *sizes = malloc((n > 0 ? n : 1) * sizeof *sizes);
    double *doubles = malloc((n > 0 ? n : 1) * sizeof *doubles);
    enum gcv_status status = GCV_OK;

    if (sizes == NULL || doubles == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory saving a tree of %zu nodes",
                               n);
        goto cleanup;
    }
    if ((status = gcv_model_file_put_size(group, "n_nodes", n, err)) != GCV_OK ||
        (status = gcv_model_file_put_size(group, "n_values", tree->n_values, err)) != GCV_OK ||
        (status = gcv_model_file_put_size(group, "max_depth", tree->max_depth, err)) != GCV_OK)
        goto cleanup;
    for (size_t f = 0; f < N_SIZE_FIELDS && status == GCV_OK; f++) {
        for (size_t i = 0; i < n; i++)
            sizes[i] = *size_field(&tree->nodes[i], f);
        status = gcv_model_file_put_sizes(group, size_fields[f], sizes, n, err);
    }
    for (size_t f = 0; f < N_DOUBLE_FIELDS && status == GCV_OK; f++) {
        for (size_t i = 0; i < n; i++)
            doubles[i] = *double_field(&tree->nodes[i], f);
        status = gcv_model_file_put_doubles(group, double_fields[f], doubles, n, err);
    }
    if (status == GCV_OK)
        status = gcv_model_file_put_doubles(group, "values", tree->values, n * tree->n_values,
                                            err);

cleanup:
    free(sizes);
    free(doubles);
    return status;
}

/* Checks that every row that enters node 0 reaches a leaf in bounds. */
static enum gcv_status check_loaded_tree(const struct gcv_tree *tree, size_t n_features,
                                         struct gcv_error *err)
{
    for (size_t i = 0; i < tree->n_nodes; i++) {
        const struct gcv_tree_node *node = &tree->nodes[i];

        if (node->left == GCV_TREE_LEAF)
            continue;
        if (node->left <= i || node->left >= tree->n_nodes || node->right <= i ||
            node->right >= tree->n_nodes)
            return gcv_error_set(err, GCV_ERR_DATA, "tree node %zu has children %zu and %zu; "
                                 "expected ids after it and below %zu", i, node->left,
                                 node->right, tree->n_nodes);
        if (node->feature >= n_features)
            return gcv_error_set(err, GCV_ERR_DATA, "tree node %zu splits on feature %zu of %zu",
                                 i, node->feature, n_features);
    }
    return GCV_OK;
}

enum gcv_status gcv_tree_load(hid_t group, size_t n_features, struct gcv_tree *tree,
                              struct gcv_error *err)
{
    size_t *sizes = NULL;
    double *doubles = NULL;
    size_t n;
    enum gcv_status status;

    memset(tree, 0, sizeof *tree);
    if ((status = gcv_model_file_get_size(group, "n_nodes", &tree->n_nodes, err)) != GCV_OK ||
        (status = gcv_model_file_get_size(group, "n_values", &tree->n_values, err)) != GCV_OK ||
        (status = gcv_model_file_get_size(group, "max_depth", &tree->max_depth, err)) != GCV_OK)
        goto cleanup;
    n = tree->n_nodes;
    if (n == 0 || tree->n_values == 0) {
        status = gcv_error_set(err, GCV_ERR_DATA, "a tree needs at least 1 node and 1 value, "
                               "got %zu and %zu", n, tree->n_values);
        goto cleanup;
    }
    tree->capacity = n;
    tree->nodes = calloc(n, sizeof *tree->nodes);
    if (tree->nodes == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory loading a tree of %zu nodes",
                               n);
        goto cleanup;
    }
    for (size_t f = 0; f < N_SIZE_FIELDS; f++) {
        if ((status = gcv_model_file_get_sizes(group, size_fields[f], n, &sizes, err)) != GCV_OK)
            goto cleanup;
        for (size_t i = 0; i < n; i++)
            *size_field(&tree->nodes[i], f) = sizes[i];
        free(sizes);
        sizes = NULL;
    }
    for (size_t f = 0; f < N_DOUBLE_FIELDS; f++) {
        status = gcv_model_file_get_doubles(group, double_fields[f], n, &doubles, err);
        if (status != GCV_OK)
            goto cleanup;
        for (size_t i = 0; i < n; i++)
            *double_field(&tree->nodes[i], f) = doubles[i];
        free(doubles);
        doubles = NULL;
    }
    if ((status = gcv_model_file_get_doubles(group, "values", n * tree->n_values,
                                             &tree->values, err)) != GCV_OK)
        goto cleanup;
    status = check_loaded_tree(tree, n_features, err);

cleanup:
    free(sizes);
    free(doubles);
    if (status != GCV_OK)
        gcv_tree_free(tree);
    return status;
}

enum gcv_status gcv_tree_model_save(const void *model_pointer, hid_t group,
                                    struct gcv_error *err)
{
    const struct gcv_tree_model *model = model_pointer;
    enum gcv_status status;

    if ((status = gcv_model_file_put_size(group, "n_classes", model->n_classes, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_int32s(group, "class_codes", model->class_codes,
                                            model->n_classes, err)) != GCV_OK)
        return status;
    return gcv_tree_save(&model->tree, group, err);
}

/* struct gcv_tree_model keeps no feature count, so the split features are
 * checked against the n_features attribute of the file's root: every
 * gridcv estimator keeps the width of its input rows. */
enum gcv_status gcv_tree_model_load(hid_t group, void **model_out, struct gcv_error *err)
{
    struct gcv_tree_model *model = calloc(1, sizeof *model);
    hid_t root = H5Gopen2(group, "/", H5P_DEFAULT);
    size_t n_features = 0;
    enum gcv_status status;

    *model_out = NULL;
    if (root < 0)
        status = gcv_error_set(err, GCV_ERR_DATA, "cannot open the model file's root group");
    else
        status = gcv_model_file_get_size(root, "n_features", &n_features, err);
    if (root >= 0)
        H5Gclose(root);
    if (model == NULL) {
        return status != GCV_OK ? status
                                : gcv_error_set(err, GCV_ERR_NOMEM, "out of memory loading a "
                                                "tree");
    }
    if (status != GCV_OK ||
        (status = gcv_model_file_get_size(group, "n_classes", &model->n_classes, err)) !=
            GCV_OK ||
        (status = gcv_model_file_get_class_codes(group, "class_codes", model->n_classes,
                                                 &model->class_codes, err)) != GCV_OK ||
        (status = gcv_tree_load(group, n_features, &model->tree, err)) != GCV_OK)
        goto cleanup;
    if (model->n_classes > 0 && model->tree.n_values != model->n_classes)
        status = gcv_error_set(err, GCV_ERR_DATA, "a tree of %zu classes stores %zu values per "
                               "node", model->n_classes, model->tree.n_values);

cleanup:
    if (status != GCV_OK) {
        gcv_tree_model_free(model);
        return status;
    }
    *model_out = model;
    return GCV_OK;
}
