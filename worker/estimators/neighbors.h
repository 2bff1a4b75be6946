/* The brute-force k-nearest-neighbour search shared by
 * KNeighborsClassifier and KNeighborsRegressor, as scikit-learn 1.2.1's
 * brute algorithm computes it (sklearn/neighbors/_base.py: kneighbors,
 * which calls the ArgKmin reduction of
 * sklearn/metrics/_pairwise_distances_reduction), and the parameter checks
 * both estimators share.
 *
 * Search: for each query row x, the "surrogate" distance to every training
 * row z is pushed, in training order, into a max-heap of size k whose
 * entries start at DBL_MAX (scikit-learn's heap_push: a value enters only
 * when strictly smaller than the heap's largest). Unless the query rows
 * outnumber the training rows or exceed 1024, scikit-learn (strategy
 * "parallel_on_Y") then pushes that heap's entries into a fresh one, which
 * keeps the same rows in a possibly different heap order. The k kept are
 * sorted by scikit-learn's simultaneous_sort, a quicksort that is not
 * stable, so equal distances keep the order it leaves them in. Surrogates:
 *   euclidean (minkowski with p = 2): |x|^2 + (-2 x.z) + |z|^2, clipped at
 *     0, the middle term from one dgemm per block of query rows, and the
 *     distance its square root;
 *   manhattan (p = 1): sum |x_j - z_j|, which is the distance;
 *   minkowski with another p >= 1: sum |x_j - z_j|^p, the distance its
 *     p-th root.
 * Among training rows at exactly equal distances this keeps the ones
 * scikit-learn keeps when it runs on one OpenMP thread. With several
 * threads scikit-learn merges per-thread heaps and may keep others, and
 * its KD-tree and ball tree (which algorithm="auto" picks for at most 15
 * features) order exact ties their own way; only such ties differ.
 *
 * Cost: O(n_queries n_train n_features) for the distances, plus
 * O(n_queries n_train log k) for the heaps. With the fold cache on, a
 * selection of expected cost O(n_train) per query row finds its 129
 * nearest once per fold, and each k up to 128 then takes a prefix of them
 * unless the row has a tie (neighbors.c). */
#ifndef GCV_NEIGHBORS_H
#define GCV_NEIGHBORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../estimator.h"

enum gcv_neighbors_metric {
    GCV_NEIGHBORS_EUCLIDEAN,
    GCV_NEIGHBORS_MANHATTAN,
    GCV_NEIGHBORS_MINKOWSKI,  /* any other p >= 1 */
};

/* The parsed parameters of one candidate of either estimator. */
struct gcv_neighbors_params {
    long long n_neighbors;
    bool distance_weights;              /* weights="distance", else "uniform" */
    enum gcv_neighbors_metric metric;   /* resolved from metric and p */
    double p;                           /* GCV_NEIGHBORS_MINKOWSKI only */
};

/* Checks params for estimator ("KNeighborsClassifier" or
 * "KNeighborsRegressor") into a malloc'd struct gcv_neighbors_params,
 * defaults included (n_neighbors=5, weights="uniform", algorithm="auto",
 * leaf_size=30, p=2, metric="minkowski"). */
enum gcv_status gcv_neighbors_params_parse(const char *estimator,
                                           const struct gcv_param_set *params, void **out,
                                           struct gcv_error *err);

/* The training rows a fitted estimator searches. */
struct gcv_neighbors_index {
    size_t n_rows;
    size_t n_features;
    double *X;          /* [n_rows * n_features], row-major, training order, owned */
    double *norms;      /* [n_rows] squared row norms (euclidean only), owned */
    enum gcv_neighbors_metric metric;
    double p;
};

/* Copies the rows of train into index. On failure nothing needs freeing. */
enum gcv_status gcv_neighbors_index_build(struct gcv_neighbors_index *index,
                                          const struct gcv_rows *train,
                                          enum gcv_neighbors_metric metric, double p,
                                          struct gcv_error *err);

/* Frees what the index owns. Accepts a zeroed index. */
void gcv_neighbors_index_free(struct gcv_neighbors_index *index);

/* Writes, for each row r of rows, the positions in the training rows of its
 * k nearest neighbours into neighbors[r * k + 0..k) and their distances
 * into distances[r * k + ...] (which may be NULL), nearest first, as
 * scikit-learn's kneighbors returns them. Fails with GCV_ERR_FIT when k
 * exceeds the training rows (scikit-learn raises there too), GCV_ERR_DATA
 * on another number of features, or GCV_ERR_NOMEM. */
enum gcv_status gcv_neighbors_kneighbors(const struct gcv_neighbors_index *index,
                                         const struct gcv_rows *rows, size_t k,
                                         size_t *neighbors, double *distances,
                                         const char *estimator, struct gcv_error *err);

/* Turns the distances[n] of one query row into scikit-learn's "distance"
 * weights in place: 1 / d, except that when some 1 / d is infinite (d = 0)
 * those neighbours weigh 1 and the others 0. */
void gcv_neighbors_distance_weights(double *distances, size_t n);

/* Writes params and the index (training rows and their norms) into the
 * model group (common/model_file.h). */
enum gcv_status gcv_neighbors_save(const struct gcv_neighbors_params *params,
                                   const struct gcv_neighbors_index *index, hid_t group,
                                   struct gcv_error *err);

/* Reads what gcv_neighbors_save wrote. On success index owns its arrays
 * (gcv_neighbors_index_free); on failure nothing needs freeing. Rejects
 * n_neighbors outside [1, n_rows] and an unknown metric as GCV_ERR_DATA. */
enum gcv_status gcv_neighbors_load(hid_t group, struct gcv_neighbors_params *params,
                                   struct gcv_neighbors_index *index, struct gcv_error *err);

#endif
