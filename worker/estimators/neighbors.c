#include "neighbors.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "../fold_cache.h"
#include "kernel.h"
#include "param_check.h"

/* Query rows whose dgemm block is computed at once; scikit-learn's chunks
 * are 256 rows too, though the size changes no result. */
#define QUERY_BLOCK 256

/* The maximum of neighbours per query row that the fold cache keeps
 * sorted. */
#define SORTED_MAX 128

/* ----- parameters -------------------------------------------------------- */

/* The parameters as written, before metric and p are resolved together. */
struct raw_params {
    struct gcv_neighbors_params parsed;
    int metric;   /* position in metric_names */
};

static const char *const metric_names[] = {"minkowski", "euclidean", "manhattan"};

static enum gcv_status parse_n_neighbors(const struct gcv_param *param, void *out,
                                         struct gcv_error *err)
{
    return gcv_param_check_integer(param, 1, LLONG_MAX, "an integer >= 1",
                                   &((struct raw_params *)out)->parsed.n_neighbors, err);
}

static enum gcv_status parse_weights(const struct gcv_param *param, void *out,
                                     struct gcv_error *err)
{
    struct raw_params *raw = out;

    if (param->value.kind == GCV_VALUE_NULL || gcv_param_check_is_string(param, "uniform")) {
        raw->parsed.distance_weights = false;
        return GCV_OK;
    }
    if (gcv_param_check_is_string(param, "distance")) {
        raw->parsed.distance_weights = true;
        return GCV_OK;
    }
    return gcv_param_check_reject(param, "\"uniform\", \"distance\" or null", err);
}

static enum gcv_status parse_algorithm(const struct gcv_param *param, void *out,
                                       struct gcv_error *err)
{
    static const char *const algorithms[] = {"auto", "ball_tree", "kd_tree", "brute"};
    int choice;

    /* Every algorithm runs the brute-force search (see neighbors.h). */
    (void)out;
    return gcv_param_check_choice(param, algorithms, 4, "one of \"auto\", \"ball_tree\", "
                                  "\"kd_tree\", \"brute\"", &choice, err);
}

static enum gcv_status parse_leaf_size(const struct gcv_param *param, void *out,
                                       struct gcv_error *err)
{
    long long leaf_size;

    /* Only the trees read it. */
    (void)out;
    return gcv_param_check_integer(param, 1, LLONG_MAX, "an integer >= 1", &leaf_size, err);
}

static enum gcv_status parse_p(const struct gcv_param *param, void *out, struct gcv_error *err)
{
    double p;

    if (param->value.kind == GCV_VALUE_NULL) {
        ((struct raw_params *)out)->parsed.p = 2.0;
        return GCV_OK;
    }
    if (gcv_param_check_number(param, 0.0, true, "a number > 0", &p, err) != GCV_OK)
        return GCV_ERR_PARAM;
    if (p < 1.0)
        return gcv_param_check_unsupported(param, "p < 1 is not a metric and only the brute "
                                           "force of scikit-learn accepts it; use p >= 1", err);
    ((struct raw_params *)out)->parsed.p = p;
    return GCV_OK;
}

static enum gcv_status parse_metric(const struct gcv_param *param, void *out,
                                    struct gcv_error *err)
{
    if (param->value.kind == GCV_VALUE_STRING &&
        gcv_param_check_choice(param, metric_names, 3, "", &((struct raw_params *)out)->metric,
                               err) == GCV_OK)
        return GCV_OK;
    if (param->value.kind == GCV_VALUE_STRING)
        return gcv_param_check_unsupported(param, "the metrics are \"minkowski\", "
                                           "\"euclidean\" and \"manhattan\"", err);
    return gcv_param_check_reject(param, "one of \"minkowski\", \"euclidean\", \"manhattan\"",
                                  err);
}

static enum gcv_status parse_metric_params(const struct gcv_param *param, void *out,
                                           struct gcv_error *err)
{
    (void)out;
    if (param->value.kind == GCV_VALUE_NULL)
        return GCV_OK;
    return gcv_param_check_reject(param, "null", err);
}

static enum gcv_status parse_n_jobs(const struct gcv_param *param, void *out,
                                    struct gcv_error *err)
{
    /* Each task runs on one core; parallelism comes from the MPI ranks. */
    (void)out;
    return gcv_param_check_ignored(param,
                                   GCV_PARAM_KIND(GCV_VALUE_NULL) | GCV_PARAM_KIND(GCV_VALUE_INT),
                                   "null or an integer", err);
}

static const struct gcv_param_check_entry param_table[] = {
    {"n_neighbors", parse_n_neighbors},
    {"weights", parse_weights},
    {"algorithm", parse_algorithm},
    {"leaf_size", parse_leaf_size},
    {"p", parse_p},
    {"metric", parse_metric},
    {"metric_params", parse_metric_params},
    {"n_jobs", parse_n_jobs},
};

enum gcv_status gcv_neighbors_params_parse(const char *estimator,
                                           const struct gcv_param_set *params, void **out,
                                           struct gcv_error *err)
{
    struct raw_params raw = {
        .parsed = {.n_neighbors = 5, .distance_weights = false, .p = 2.0},
        .metric = 0,
    };
    struct gcv_neighbors_params *parsed;
    enum gcv_status status;

    *out = NULL;
    status = gcv_param_check_all(estimator, params, param_table,
                                 sizeof param_table / sizeof param_table[0], &raw, err);
    if (status != GCV_OK)
        return status;

    /* "minkowski" with p = 1 or 2 is the manhattan or euclidean metric, as
     * scikit-learn's effective_metric_; the other metrics ignore p. */
    if (raw.metric == 1)
        raw.parsed.metric = GCV_NEIGHBORS_EUCLIDEAN;
    else if (raw.metric == 2)
        raw.parsed.metric = GCV_NEIGHBORS_MANHATTAN;
    else if (raw.parsed.p == 2.0)
        raw.parsed.metric = GCV_NEIGHBORS_EUCLIDEAN;
    else if (raw.parsed.p == 1.0)
        raw.parsed.metric = GCV_NEIGHBORS_MANHATTAN;
    else
        raw.parsed.metric = GCV_NEIGHBORS_MINKOWSKI;

    parsed = malloc(sizeof *parsed);
    if (parsed == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %s parameters", estimator);
    *parsed = raw.parsed;
    *out = parsed;
    return GCV_OK;
}

/* ----- index ------------------------------------------------------------- */

enum gcv_status gcv_neighbors_index_build(struct gcv_neighbors_index *index,
                                          const struct gcv_rows *train,
                                          enum gcv_neighbors_metric metric, double p,
                                          struct gcv_error *err)
{
    const size_t n = train->n_rows;
    const size_t d = train->n_features;

    memset(index, 0, sizeof *index);
    index->n_rows = n;
    index->n_features = d;
    index->metric = metric;
    index->p = p;
    index->X = malloc((n * d > 0 ? n * d : 1) * sizeof *index->X);
    index->norms = malloc((n > 0 ? n : 1) * sizeof *index->norms);
    if (index->X == NULL || index->norms == NULL) {
        gcv_neighbors_index_free(index);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory storing %zu training rows", n);
    }
    gcv_kernel_gather_rows(train, index->X);
    gcv_kernel_row_norms(index->X, n, d, index->norms);
    return GCV_OK;
}

void gcv_neighbors_index_free(struct gcv_neighbors_index *index)
{
    if (index == NULL)
        return;
    free(index->X);
    free(index->norms);
    memset(index, 0, sizeof *index);
}

/* ----- search ------------------------------------------------------------ */

/* Pushes (value, position) into the max-heap values/positions of size k,
 * as scikit-learn's heap_push: only a value below the root enters, and it
 * sifts down from the root, swapping with the larger child. */
static void heap_push(double *values, size_t *positions, size_t k, double value, size_t position)
{
    size_t i = 0;

    if (value >= values[0])
        return;
    for (;;) {
        const size_t left = 2 * i + 1;
        const size_t right = left + 1;
        size_t swap;

        if (left >= k)
            break;
        if (right >= k) {
            if (values[left] > value)
                swap = left;
            else
                break;
        } else if (values[left] >= values[right]) {
            if (value < values[left])
                swap = left;
            else
                break;
        } else {
            if (value < values[right])
                swap = right;
            else
                break;
        }
        values[i] = values[swap];
        positions[i] = positions[swap];
        i = swap;
    }
    values[i] = value;
    positions[i] = position;
}

static void swap_pair(double *values, size_t *positions, size_t a, size_t b)
{
    const double value = values[a];
    const size_t position = positions[a];

    values[a] = values[b];
    positions[a] = positions[b];
    values[b] = value;
    positions[b] = position;
}

/* Sorts values ascending, moving positions along, with scikit-learn's
 * simultaneous_sort: a quicksort whose pivot is the median of the first,
 * middle and last values, and small cases of 2 and 3 values by swaps. The
 * order it leaves equal values in is the one scikit-learn returns. */
static void simultaneous_sort(double *values, size_t *positions, size_t size)
{
    size_t pivot, store;
    double pivot_value;

    if (size <= 1)
        return;
    if (size == 2) {
        if (values[0] > values[1])
            swap_pair(values, positions, 0, 1);
        return;
    }
    if (size == 3) {
        if (values[0] > values[1])
            swap_pair(values, positions, 0, 1);
        if (values[1] > values[2]) {
            swap_pair(values, positions, 1, 2);
            if (values[0] > values[1])
                swap_pair(values, positions, 0, 1);
        }
        return;
    }

    /* Median of three: the smallest to the front, the median to the end
     * as the pivot, the largest to the middle. */
    pivot = size / 2;
    if (values[0] > values[size - 1])
        swap_pair(values, positions, 0, size - 1);
    if (values[size - 1] > values[pivot]) {
        swap_pair(values, positions, size - 1, pivot);
        if (values[0] > values[size - 1])
            swap_pair(values, positions, 0, size - 1);
    }
    pivot_value = values[size - 1];

    /* Everything below the pivot to the front, then the pivot after it. */
    store = 0;
    for (size_t i = 0; i + 1 < size; i++) {
        if (values[i] < pivot_value) {
            swap_pair(values, positions, i, store);
            store++;
        }
    }
    swap_pair(values, positions, store, size - 1);
    pivot = store;

    if (pivot > 1)
        simultaneous_sort(values, positions, pivot);
    if (pivot + 2 < size)
        simultaneous_sort(values + pivot + 1, positions + pivot + 1, size - pivot - 1);
}

/* The surrogate distances of query x to every training row, into out[n]. */
static void surrogate_row(const struct gcv_neighbors_index *index, const double *x,
                          double *out)
{
    const size_t d = index->n_features;

    for (size_t j = 0; j < index->n_rows; j++) {
        const double *z = index->X + j * d;
        double sum = 0;

        if (index->metric == GCV_NEIGHBORS_MANHATTAN) {
            for (size_t f = 0; f < d; f++)
                sum += fabs(x[f] - z[f]);
        } else {
            for (size_t f = 0; f < d; f++)
                sum += pow(fabs(x[f] - z[f]), index->p);
        }
        out[j] = sum;
    }
}

/* The euclidean surrogates of one query row from its products
 * products[n] = -2 x.z with the training rows: |x|^2 + (-2 x.z) + |z|^2,
 * added in that order, clipped at 0, into out[n] (which may be products). */
static void euclidean_surrogates(double q_norm, const double *products, const double *norms,
                                 size_t n, double *out)
{
    size_t j = 0;

#ifdef __SSE2__
    /* Two at a time, with the same additions in the same order; maxpd
     * returns its second operand, 0, for a NaN, as the comparison below. */
    const __m128d query = _mm_set1_pd(q_norm);
    const __m128d zero = _mm_setzero_pd();

    for (; j + 2 <= n; j += 2) {
        __m128d value = _mm_add_pd(query, _mm_loadu_pd(products + j));

        value = _mm_add_pd(value, _mm_loadu_pd(norms + j));
        _mm_storeu_pd(out + j, _mm_max_pd(value, zero));
    }
#endif
    /* max(0, v) as a comparison, which gcc inlines, where fmax is a call
     * into libm per value without -ffast-math; a NaN becomes 0 in both. */
    for (; j < n; j++) {
        const double value = q_norm + products[j] + norms[j];
        out[j] = value > 0.0 ? value : 0.0;
    }
}

/* Fills values[count * n] for query rows [first, first + count) of rows,
 * through the scratch arrays queries[count * d] and q_norms[count]. For
 * the euclidean metric it writes the products -2 x.z and the squared
 * query norms, which euclidean_surrogates turns into surrogates. For the
 * other metrics it writes the surrogates. */
static void block_products(const struct gcv_neighbors_index *index, const struct gcv_rows *rows,
                           size_t first, size_t count, double *queries, double *q_norms,
                           double *values)
{
    const size_t n = index->n_rows;
    const size_t d = index->n_features;
    const struct gcv_rows part = {
        .X = rows->X,
        .n_features = d,
        .index = rows->index + first,
        .n_rows = count,
    };

    gcv_kernel_gather_rows(&part, queries);
    if (index->metric != GCV_NEIGHBORS_EUCLIDEAN) {
        for (size_t r = 0; r < count; r++)
            surrogate_row(index, queries + r * d, values + r * n);
        return;
    }

    /* values [count x n] = -2 queries index->X^T, both row-major with
     * leading dimension d. */
    gcv_kernel_row_norms(queries, count, d, q_norms);
    if (d > 0 && n > 0)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)count, (int)n, (int)d, -2.0,
                    queries, (int)d, index->X, (int)d, 0.0, values, (int)n);
    else
        memset(values, 0, count * n * sizeof *values);
}

/* Fills values[count * n] with the surrogates of query rows [first, first
 * + count) of rows to every training row, as block_products. */
static void block_surrogates(const struct gcv_neighbors_index *index, const struct gcv_rows *rows,
                             size_t first, size_t count, double *queries, double *q_norms,
                             double *values)
{
    const size_t n = index->n_rows;

    block_products(index, rows, first, count, queries, q_norms, values);
    if (index->metric == GCV_NEIGHBORS_EUCLIDEAN)
        for (size_t r = 0; r < count; r++)
            euclidean_surrogates(q_norms[r], values + r * n, index->norms, n, values + r * n);
}

/* The neighbours of a fold's test rows among its training rows, as the
 * fold cache keeps them (GCV_FOLD_CACHE_NEIGHBORS) for every n_neighbors
 * and weights of a grid: per query row, its nearest rows sorted. When the
 * first k + 1 sorted surrogates of a row are distinct, the k nearest are
 * unique, so scikit-learn's heap and sort return exactly the first k of
 * them. A row with a tie among them keeps its surrogates to every training
 * row, and the heap runs on those as without the cache. The struct and
 * its arrays are one allocation; tied_surrogates is another. */
struct fold_neighbors {
    size_t n_queries;
    size_t n_train;
    size_t n_sorted;          /* min(n_train, SORTED_MAX + 1) */
    size_t *exact_up_to;      /* [n_queries] the largest k the sorted rows serve exactly */
    size_t *tied_slot;        /* [n_queries] the row's slot in tied_surrogates, or SIZE_MAX */
    double *sorted_values;    /* [n_queries * n_sorted] surrogates, ascending */
    size_t *sorted_rows;      /* [n_queries * n_sorted] their training positions */
    double *tied_surrogates;  /* [n_tied * n_train] surrogates of the rows with a tie, owned */
};

/* The cache parameter of a metric: its p for minkowski, else a negative
 * code. */
static double metric_key(const struct gcv_neighbors_index *index)
{
    return index->metric == GCV_NEIGHBORS_MINKOWSKI ? index->p : -1.0 - (double)index->metric;
}

static void fold_neighbors_free(void *value)
{
    struct fold_neighbors *neighbors = value;

    if (neighbors == NULL)
        return;
    free(neighbors->tied_surrogates);
    free(neighbors);
}

/* Values the selection compares with its threshold before it looks at
 * any one of them, at most 64 (one bit each in a mask). */
#define FILTER_CHUNK 64

/* Candidates a row's selection buffers, per value it keeps, before it
 * cuts them back to the values it keeps. */
#define CANDIDATES_PER_KEPT 4

/* Values of a row sampled, at equal strides, to guess its threshold. */
#define SAMPLE_SIZE 256

/* Candidates the guessed threshold lets through, expected per value kept.
 * With 2, fewer than n_kept get through in about 2 % of rows, and such a
 * row is selected again. That rate is an estimate: a binomial tail for a
 * sample of 256 of 8000 values with 129 kept, when the sample is like the
 * row. A margin of 3 makes it 0.03 % but lets 50 % more candidates
 * through. */
#define SAMPLE_MARGIN 2

/* The running selection of the n_kept smallest values of one row. The
 * candidates, surrogates and their training positions, sit in two arrays,
 * so that moving one is two 8-byte copies that the CPU forwards from store
 * to load. Every value seen and not a candidate is >= threshold, and a
 * cut keeps n_kept candidates, so the n_kept smallest candidates have the
 * values of the n_kept smallest seen. Among equal values they may be other
 * positions than a heap would keep. Only when fewer than n_kept values
 * passed a guessed threshold are some of the n_kept smallest missing. */
struct selection {
    double *values;      /* [capacity], borrowed */
    size_t *rows;        /* [capacity], borrowed */
    size_t capacity;     /* n_kept * CANDIDATES_PER_KEPT + FILTER_CHUNK */
    size_t n_kept;
    size_t count;        /* candidates */
    double threshold;    /* at most DBL_MAX: as in scikit-learn's heap, DBL_MAX
                            and infinity never enter */
    bool has_nan;
};

/* Sorts values[first..last] ascending with insertion sort, moving rows
 * along. */
static void insertion_sort(double *values, size_t *rows, size_t first, size_t last)
{
    for (size_t i = first + 1; i <= last; i++) {
        const double value = values[i];
        const size_t row = rows[i];
        size_t j = i;

        for (; j > first && values[j - 1] > value; j--) {
            values[j] = values[j - 1];
            rows[j] = rows[j - 1];
        }
        values[j] = value;
        rows[j] = row;
    }
}

/* Returns the median of the first, middle and last of values[count],
 * count >= 3. */
static double median_of_three(const double *values, size_t count)
{
    const double a = values[0];
    const double b = values[count / 2];
    const double c = values[count - 1];

    if (a < b)
        return b < c ? b : (a < c ? c : a);
    return a < c ? a : (b < c ? c : b);
}

/* Moves the values[count] that are < pivot (or <= pivot when or_equal)
 * to the front, rows along, and returns their number. Each value is
 * swapped with the first one not moved, whether it moves or not, so the
 * loop has no branch to mispredict (Lomuto's partition). */
static size_t partition_below(double *values, size_t *rows, size_t count, double pivot,
                              bool or_equal)
{
    size_t moved = 0;

    for (size_t i = 0; i < count; i++) {
        const double value = values[i];
        const size_t row = rows[i];

        values[i] = values[moved];
        rows[i] = rows[moved];
        values[moved] = value;
        rows[moved] = row;
        moved += or_equal ? value <= pivot : value < pivot;
    }
    return moved;
}

/* Moves the n_kept smallest of values[count] into values[0..n_kept), in
 * any order, rows along, n_kept <= count: Hoare's FIND, which partitions
 * only the part that contains position n_kept. Values equal to the pivot
 * are split off in a second pass, so runs of equal values end the search
 * instead of slowing it. */
static void keep_smallest(double *values, size_t *rows, size_t count, size_t n_kept)
{
    size_t first = 0, last = count;  /* [0, first) <= [first, last) <= [last, count) */

    while (last - first > 16 && first < n_kept && n_kept < last) {
        const double pivot = median_of_three(values + first, last - first);
        const size_t below = first + partition_below(values + first, rows + first, last - first,
                                                     pivot, false);
        size_t equal_end;

        if (below >= n_kept) {
            last = below;
            continue;
        }
        equal_end = below + partition_below(values + below, rows + below, last - below, pivot,
                                            true);
        if (equal_end >= n_kept)
            return;
        first = equal_end;
    }
    if (last - first > 1)
        insertion_sort(values, rows, first, last - 1);
}

/* Sorts values[count] ascending, rows along: quicksort down to runs of
 * 16, then insertion sort. The order of equal values is unspecified. */
static void sort_candidates(double *values, size_t *rows, size_t count)
{
    size_t first = 0, last = count;  /* the range [first, last) left to sort */

    while (last - first > 16) {
        const double pivot = median_of_three(values + first, last - first);
        const size_t below = first + partition_below(values + first, rows + first, last - first,
                                                     pivot, false);
        const size_t equal_end = below + partition_below(values + below, rows + below,
                                                         last - below, pivot, true);

        /* [below, equal_end) equal the pivot and are in place. Recursion
         * on the smaller side bounds the depth by log2(count). */
        if (below - first < last - equal_end) {
            sort_candidates(values + first, rows + first, below - first);
            first = equal_end;
        } else {
            sort_candidates(values + equal_end, rows + equal_end, last - equal_end);
            last = below;
        }
    }
    if (last - first > 1)
        insertion_sort(values, rows, first, last - 1);
}

/* Cuts the candidates of selection back to the n_kept smallest, the
 * largest of which becomes the threshold. */
static void selection_compact(struct selection *selection)
{
    const double *values = selection->values;
    double threshold;

    keep_smallest(selection->values, selection->rows, selection->count, selection->n_kept);
    selection->count = selection->n_kept;
    threshold = values[0];
    for (size_t h = 1; h < selection->n_kept; h++)
        threshold = values[h] > threshold ? values[h] : threshold;
    selection->threshold = threshold;
}

/* Returns a mask of the values of values[count], count <= 64, that are
 * not >= threshold, NaN included: bit t for values[t]. */
static uint64_t chunk_below(const double *values, size_t count, double threshold)
{
    uint64_t mask = 0;
    size_t t = 0;

#ifdef __SSE2__
    const __m128d limit = _mm_set1_pd(threshold);

    for (; t + 2 <= count; t += 2)
        mask |= (uint64_t)_mm_movemask_pd(_mm_cmpnge_pd(_mm_loadu_pd(values + t), limit)) << t;
#endif
    for (; t < count; t++)
        mask |= (uint64_t)!(values[t] >= threshold) << t;
    return mask;
}

/* Returns the position of the lowest set bit of mask, which is not 0. */
static size_t lowest_bit(uint64_t mask)
{
#if defined(__GNUC__)
    return (size_t)__builtin_ctzll(mask);
#else
    size_t bit = 0;

    while ((mask & 1) == 0) {
        mask >>= 1;
        bit++;
    }
    return bit;
#endif
}

/* Offers values[count], the surrogates of training positions first_row,
 * first_row + 1, ..., to selection. */
static void selection_push(struct selection *selection, const double *values, size_t count,
                           size_t first_row)
{
    /* Locals, which the stores into the candidate arrays cannot alias. */
    double *kept_values = selection->values;
    size_t *kept_rows = selection->rows;
    double threshold = selection->threshold;
    size_t n_candidates = selection->count;
    bool has_nan = false;

    /* A chunk's mask of the values below the threshold, from comparisons
     * without branches, and then a loop over its set bits only: once the
     * threshold has fallen, most masks are 0, and one branch skips 64
     * values. A value is counted only when below the threshold, which a
     * cut may have lowered within the chunk. */
    for (size_t j = 0; j < count; j += FILTER_CHUNK) {
        const size_t chunk = count - j < FILTER_CHUNK ? count - j : FILTER_CHUNK;
        uint64_t mask = chunk_below(values + j, chunk, threshold);

        if (mask == 0)
            continue;
        if (n_candidates + chunk > selection->capacity) {
            selection->count = n_candidates;
            selection_compact(selection);
            n_candidates = selection->count;
            threshold = selection->threshold;
        }
        while (mask != 0) {
            const size_t t = lowest_bit(mask);
            const double value = values[j + t];

            mask &= mask - 1;
            kept_values[n_candidates] = value;
            kept_rows[n_candidates] = first_row + j + t;
            n_candidates += value < threshold;
            has_nan |= value != value;
        }
    }
    selection->count = n_candidates;
    selection->has_nan |= has_nan;
}

/* Writes the n_kept smallest values offered to selection, ascending, into
 * sorted[n_kept] and their positions into nearest[n_kept], padded with
 * (DBL_MAX, 0) when fewer values were below DBL_MAX, as scikit-learn's
 * heap pads them. Returns false, writing nothing, when a value was NaN. */
static bool selection_finish(struct selection *selection, double *sorted, size_t *nearest)
{
    const size_t n_kept = selection->n_kept;

    if (selection->has_nan)
        return false;
    if (selection->count > n_kept)
        keep_smallest(selection->values, selection->rows, selection->count, n_kept);
    for (size_t h = selection->count; h < n_kept; h++) {
        selection->values[h] = DBL_MAX;
        selection->rows[h] = 0;
    }
    sort_candidates(selection->values, selection->rows, n_kept);
    memcpy(sorted, selection->values, n_kept * sizeof *sorted);
    memcpy(nearest, selection->rows, n_kept * sizeof *nearest);
    return true;
}

/* Returns a threshold that about SAMPLE_MARGIN * n_kept of values[n]
 * lie below: just above the matching rank of SAMPLE_SIZE of them at equal
 * strides. Returns DBL_MAX when n is too small for a sample to help. Uses
 * buffer_values and buffer_rows [capacity] as scratch. */
static double guess_threshold(const double *values, size_t n, size_t n_kept,
                              double *buffer_values, size_t *buffer_rows, size_t capacity)
{
    const size_t stride = n / SAMPLE_SIZE;
    size_t rank;
    double guess;

    if (stride < 2 || capacity < SAMPLE_SIZE)
        return DBL_MAX;
    rank = (SAMPLE_MARGIN * n_kept * SAMPLE_SIZE + n - 1) / n;
    if (rank >= SAMPLE_SIZE / 2)
        return DBL_MAX;

    for (size_t s = 0; s < SAMPLE_SIZE; s++) {
        const size_t j = s * stride;

        buffer_values[s] = values[j];
        buffer_rows[s] = j;
    }
    keep_smallest(buffer_values, buffer_rows, SAMPLE_SIZE, rank);
    guess = buffer_values[0];
    for (size_t h = 1; h < rank; h++)
        guess = buffer_values[h] > guess ? buffer_values[h] : guess;

    /* Values equal to the sampled one pass too; a NaN or a value from
     * DBL_MAX up guesses nothing. */
    return guess < DBL_MAX ? nextafter(guess, DBL_MAX) : DBL_MAX;
}

/* Sorts the n_sorted nearest of query row `row` into found's arrays, from
 * its surrogates values[n_train]. buffer_values and buffer_rows have
 * n_sorted * CANDIDATES_PER_KEPT + FILTER_CHUNK entries, for struct
 * selection. Returns true when the row has a tie that limits its exact
 * prefix.
 *
 * Where sorted[0..k] rise strictly, the k nearest are the only k values
 * below sorted[k] and distinct, so scikit-learn's heap of size k and its
 * sort return them in this order, whatever the order of later ties.
 * exact_up_to is the largest such k, so the cache serves only prefixes
 * that every exact selection returns alike. */
static bool sort_nearest(struct fold_neighbors *found, size_t row, const double *values,
                         double *buffer_values, size_t *buffer_rows)
{
    const size_t n = found->n_train;
    const size_t n_sorted = found->n_sorted;
    double *sorted = found->sorted_values + row * n_sorted;
    size_t *nearest = found->sorted_rows + row * n_sorted;
    const size_t capacity = n_sorted * CANDIDATES_PER_KEPT + FILTER_CHUNK;
    double start = guess_threshold(values, n, n_sorted, buffer_values, buffer_rows, capacity);
    struct selection selection;
    size_t distinct = 0;

    /* From the guessed threshold, then from DBL_MAX when fewer than
     * n_sorted values were below the guess. */
    for (;;) {
        selection = (struct selection){
            .values = buffer_values,
            .rows = buffer_rows,
            .capacity = capacity,
            .n_kept = n_sorted,
            .threshold = start,
        };
        selection_push(&selection, values, n, 0);
        if (selection.count >= n_sorted || selection.has_nan || start == DBL_MAX)
            break;
        start = DBL_MAX;
    }
    if (!selection_finish(&selection, sorted, nearest)) {
        /* A NaN compares false both ways, so where it ends up depends
         * on the heap's own comparisons. The row counts as tied, and every
         * k runs scikit-learn's heap on its kept surrogates. */
        found->exact_up_to[row] = 0;
        return true;
    }

    /* sorted[0..distinct] rise strictly: every k <= distinct has its k + 1
     * nearest distinct, so its k nearest are a prefix. */
    while (distinct + 1 < n_sorted && sorted[distinct] < sorted[distinct + 1])
        distinct++;
    if (distinct + 1 < n_sorted) {
        found->exact_up_to[row] = distinct;
        return true;
    }
    found->exact_up_to[row] = n_sorted == found->n_train ? found->n_train : n_sorted - 1;
    return false;
}

/* Returns the cached neighbours of rows among the index's training rows,
 * computing and storing them when they fit the budget; NULL otherwise.
 * Uses the scratch arrays of gcv_neighbors_kneighbors, middle being
 * [QUERY_BLOCK * n_train]. */
static const struct fold_neighbors *find_fold_neighbors(const struct gcv_neighbors_index *index,
                                                        const struct gcv_rows *rows,
                                                        double *queries, double *q_norms,
                                                        double *middle)
{
    const size_t n = index->n_rows;
    const size_t m = rows->n_rows;
    const size_t n_sorted = n < SORTED_MAX + 1 ? n : SORTED_MAX + 1;
    struct gcv_fold_rows train, test;
    struct fold_neighbors *found;
    struct fold_neighbors *stored = NULL;  /* found once it is in the cache */
    const size_t buffer_size = n_sorted * CANDIDATES_PER_KEPT + FILTER_CHUNK;
    double *buffer_values = NULL;          /* [buffer_size] for struct selection */
    double *row_values = NULL;             /* [n] one row's euclidean surrogates */
    size_t *buffer_rows = NULL;            /* [buffer_size] */
    size_t n_tied = 0, tied_capacity = 0, bytes;

    if (n == 0 || m == 0 || m > SIZE_MAX / sizeof(double) / n / 2 ||
        !gcv_fold_cache_rows(index->X, NULL, n, index->n_features, &train) ||
        !gcv_fold_cache_rows(rows->X, rows->index, m, index->n_features, &test) ||
        !gcv_fold_cache_rows_by_id(train.id, &train))
        return NULL;
    found = gcv_fold_cache_find(&test, GCV_FOLD_CACHE_NEIGHBORS, train.id, metric_key(index));
    if (found != NULL)
        return found;

    bytes = sizeof *found + m * 2 * sizeof(size_t) +
            m * n_sorted * (sizeof(double) + sizeof(size_t));
    found = malloc(bytes);
    if (found == NULL)
        return NULL;
    found->tied_surrogates = NULL;
    buffer_values = malloc(buffer_size * sizeof *buffer_values);
    buffer_rows = malloc(buffer_size * sizeof *buffer_rows);
    row_values = malloc(n * sizeof *row_values);
    if (buffer_values == NULL || buffer_rows == NULL || row_values == NULL)
        goto cleanup;
    found->n_queries = m;
    found->n_train = n;
    found->n_sorted = n_sorted;
    found->sorted_values = (double *)(found + 1);
    found->exact_up_to = (size_t *)(found->sorted_values + m * n_sorted);
    found->tied_slot = found->exact_up_to + m;
    found->sorted_rows = found->tied_slot + m;

    /* A block of products or surrogates at a time. Then per row its
     * surrogates are written in order into row_values (64 KiB for 8000
     * training rows, which stays in cache while the selection samples and
     * filters it), its nearest sorted, and its surrogates kept when it has
     * a tie. */
    for (size_t first = 0; first < m; first += QUERY_BLOCK) {
        const size_t count = m - first < QUERY_BLOCK ? m - first : QUERY_BLOCK;

        block_products(index, rows, first, count, queries, q_norms, middle);
        for (size_t r = 0; r < count; r++) {
            const double *values = middle + r * n;

            if (index->metric == GCV_NEIGHBORS_EUCLIDEAN) {
                euclidean_surrogates(q_norms[r], values, index->norms, n, row_values);
                values = row_values;
            }
            found->tied_slot[first + r] = SIZE_MAX;
            if (!sort_nearest(found, first + r, values, buffer_values, buffer_rows))
                continue;
            if (n_tied == tied_capacity) {
                size_t capacity = tied_capacity > 0 ? 2 * tied_capacity : 16;
                double *grown;

                capacity = capacity < m ? capacity : m;
                grown = realloc(found->tied_surrogates, capacity * n * sizeof *grown);
                if (grown == NULL)
                    goto cleanup;
                found->tied_surrogates = grown;
                tied_capacity = capacity;
            }
            memcpy(found->tied_surrogates + n_tied * n, values, n * sizeof *values);
            found->tied_slot[first + r] = n_tied++;
        }
    }

    bytes += n_tied * n * sizeof(double);
    if (!gcv_fold_cache_reserve(&test, train.id, bytes))
        goto cleanup;
    gcv_fold_cache_store(&test, GCV_FOLD_CACHE_NEIGHBORS, train.id, metric_key(index), found,
                         bytes, fold_neighbors_free);
    stored = found;
    found = NULL;

cleanup:
    fold_neighbors_free(found);
    free(buffer_values);
    free(buffer_rows);
    free(row_values);
    return stored;
}

/* The distance of a surrogate, as scikit-learn's _rdist_to_dist. */
static double surrogate_to_distance(const struct gcv_neighbors_index *index, double surrogate)
{
    switch (index->metric) {
    case GCV_NEIGHBORS_EUCLIDEAN:
        /* The comparison gives fmax's result without its call into libm;
         * euclidean surrogates are clipped at 0 already. */
        return sqrt(surrogate > 0.0 ? surrogate : 0.0);
    case GCV_NEIGHBORS_MANHATTAN:
        return surrogate;
    case GCV_NEIGHBORS_MINKOWSKI:
        break;
    }
    return pow(surrogate, 1.0 / index->p);
}

enum gcv_status gcv_neighbors_kneighbors(const struct gcv_neighbors_index *index,
                                         const struct gcv_rows *rows, size_t k,
                                         size_t *neighbors, double *distances,
                                         const char *estimator, struct gcv_error *err)
{
    const size_t n = index->n_rows;
    const size_t d = index->n_features;
    const size_t m = rows->n_rows;
    double *queries = NULL;  /* [QUERY_BLOCK * d] query rows of the block */
    double *q_norms = NULL;  /* [QUERY_BLOCK] their squared norms */
    double *middle = NULL;   /* [QUERY_BLOCK * n] -2 x.z, or the surrogates */
    double *heap = NULL;     /* [k] */
    double *scan_values = NULL;  /* [k] the heap of the scan, before the merge */
    size_t *scan_rows = NULL;    /* [k] */
    const struct fold_neighbors *cached = NULL; /* borrowed from the fold cache */
    /* scikit-learn's strategy "auto" on one thread: parallel_on_X, one heap
     * per query row, when there are fewer training rows than query rows or
     * more than 4 * 256 query rows; otherwise parallel_on_Y, whose thread
     * heap is merged into the main heap, which can reorder equal values. */
    const bool merge = !(n < m || 4 * 256 < m);
    enum gcv_status status = GCV_OK;

    if (rows->n_features != d)
        return gcv_error_set(err, GCV_ERR_DATA, "%s was fitted on %zu features, the rows have %zu",
                             estimator, d, rows->n_features);
    if (k > n)
        return gcv_error_set(err, GCV_ERR_FIT, "%s: n_neighbors=%zu is more than the %zu "
                             "training rows of the fit", estimator, k, n);

    queries = malloc((QUERY_BLOCK * d > 0 ? QUERY_BLOCK * d : 1) * sizeof *queries);
    q_norms = malloc(QUERY_BLOCK * sizeof *q_norms);
    middle = malloc((QUERY_BLOCK * n > 0 ? QUERY_BLOCK * n : 1) * sizeof *middle);
    heap = malloc((k > 0 ? k : 1) * sizeof *heap);
    scan_values = malloc((k > 0 ? k : 1) * sizeof *scan_values);
    scan_rows = malloc((k > 0 ? k : 1) * sizeof *scan_rows);
    if (queries == NULL || q_norms == NULL || middle == NULL || heap == NULL ||
        scan_values == NULL || scan_rows == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory searching the neighbours of "
                               "%zu rows", m);
        goto cleanup;
    }

    /* Every candidate of a fold searches the same test rows: their
     * nearest rows are sorted once per fold. Beyond the SORTED_MAX sorted
     * the cache has too few, and the search runs without it. */
    if (k <= SORTED_MAX || n <= SORTED_MAX + 1)
        cached = find_fold_neighbors(index, rows, queries, q_norms, middle);

    for (size_t first = 0; first < m; first += QUERY_BLOCK) {
        const size_t count = m - first < QUERY_BLOCK ? m - first : QUERY_BLOCK;

        if (cached == NULL)
            block_surrogates(index, rows, first, count, queries, q_norms, middle);

        for (size_t r = 0; r < count; r++) {
            const size_t row = first + r;
            const double *values = middle + r * n;
            size_t *nearest = neighbors + row * k;

            if (cached != NULL && k <= cached->exact_up_to[row]) {
                memcpy(heap, cached->sorted_values + row * cached->n_sorted, k * sizeof *heap);
                memcpy(nearest, cached->sorted_rows + row * cached->n_sorted,
                       k * sizeof *nearest);
                if (distances != NULL)
                    for (size_t h = 0; h < k; h++)
                        distances[row * k + h] = surrogate_to_distance(index, heap[h]);
                continue;
            }
            /* Past its exact prefix a row has a tie, and its surrogates are
             * kept. */
            if (cached != NULL)
                values = cached->tied_surrogates + cached->tied_slot[row] * n;

            for (size_t h = 0; h < k; h++) {
                heap[h] = DBL_MAX;
                nearest[h] = 0;
            }
            for (size_t j = 0; j < n; j++)
                heap_push(heap, nearest, k, values[j], j);
            if (merge) {
                /* The thread's heap, pushed entry by entry into the main
                 * one: the same rows, possibly in another heap order. */
                memcpy(scan_values, heap, k * sizeof *heap);
                memcpy(scan_rows, nearest, k * sizeof *nearest);
                for (size_t h = 0; h < k; h++) {
                    heap[h] = DBL_MAX;
                    nearest[h] = 0;
                }
                for (size_t h = 0; h < k; h++)
                    heap_push(heap, nearest, k, scan_values[h], scan_rows[h]);
            }
            simultaneous_sort(heap, nearest, k);

            if (distances != NULL)
                for (size_t h = 0; h < k; h++)
                    distances[(first + r) * k + h] = surrogate_to_distance(index, heap[h]);
        }
    }

cleanup:
    free(queries);
    free(q_norms);
    free(middle);
    free(heap);
    free(scan_values);
    free(scan_rows);
    return status;
}

void gcv_neighbors_distance_weights(double *distances, size_t n)
{
    bool has_infinite = false;

    /* As numpy: 1 / 0 is inf, and so is 1 / d for a d below 1 / DBL_MAX. */
    for (size_t i = 0; i < n; i++) {
        distances[i] = 1.0 / distances[i];
        if (isinf(distances[i]))
            has_infinite = true;
    }
    if (has_infinite)
        for (size_t i = 0; i < n; i++)
            distances[i] = isinf(distances[i]) ? 1.0 : 0.0;
}

/* ----- save and load ----------------------------------------------------- */

enum gcv_status gcv_neighbors_save(const struct gcv_neighbors_params *params,
                                   const struct gcv_neighbors_index *index, hid_t group,
                                   struct gcv_error *err)
{
    enum gcv_status status;

    if ((status = gcv_model_file_put_int(group, "n_neighbors", params->n_neighbors, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_int(group, "distance_weights", params->distance_weights,
                                         err)) != GCV_OK ||
        (status = gcv_model_file_put_int(group, "metric", (long long)index->metric, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_double(group, "p", index->p, err)) != GCV_OK ||
        (status = gcv_model_file_put_size(group, "n_rows", index->n_rows, err)) != GCV_OK ||
        (status = gcv_model_file_put_size(group, "n_features", index->n_features, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_doubles(group, "X", index->X,
                                             index->n_rows * index->n_features, err)) != GCV_OK)
        return status;
    return gcv_model_file_put_doubles(group, "norms", index->norms, index->n_rows, err);
}

enum gcv_status gcv_neighbors_load(hid_t group, struct gcv_neighbors_params *params,
                                   struct gcv_neighbors_index *index, struct gcv_error *err)
{
    long long weights, metric;
    enum gcv_status status;

    memset(params, 0, sizeof *params);
    memset(index, 0, sizeof *index);
    if ((status = gcv_model_file_get_int(group, "n_neighbors", &params->n_neighbors, err)) !=
            GCV_OK ||
        (status = gcv_model_file_get_int(group, "distance_weights", &weights, err)) != GCV_OK ||
        (status = gcv_model_file_get_int(group, "metric", &metric, err)) != GCV_OK ||
        (status = gcv_model_file_get_double(group, "p", &index->p, err)) != GCV_OK ||
        (status = gcv_model_file_get_size(group, "n_rows", &index->n_rows, err)) != GCV_OK ||
        (status = gcv_model_file_get_size(group, "n_features", &index->n_features, err)) !=
            GCV_OK)
        return status;
    if (metric < GCV_NEIGHBORS_EUCLIDEAN || metric > GCV_NEIGHBORS_MINKOWSKI)
        return gcv_error_set(err, GCV_ERR_DATA, "model attribute \"metric\" is %lld; expected "
                             "0 (euclidean), 1 (manhattan) or 2 (minkowski)", metric);
    if (params->n_neighbors < 1 || (unsigned long long)params->n_neighbors > index->n_rows)
        return gcv_error_set(err, GCV_ERR_DATA, "model attribute \"n_neighbors\" is %lld; "
                             "expected 1 to the %zu stored rows", params->n_neighbors,
                             index->n_rows);
    params->distance_weights = weights != 0;
    params->metric = index->metric = (enum gcv_neighbors_metric)metric;
    params->p = index->p;
    if ((status = gcv_model_file_get_doubles(group, "X", index->n_rows * index->n_features,
                                             &index->X, err)) != GCV_OK ||
        (status = gcv_model_file_get_doubles(group, "norms", index->n_rows, &index->norms,
                                             err)) != GCV_OK)
        gcv_neighbors_index_free(index);
    return status;
}
