/* The reductions behind cv_results, computed bit for bit as numpy and
 * scikit-learn 1.2 compute them, so means and ranks match the reference. */
#ifndef GCV_STATS_H
#define GCV_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Sums x[0], x[stride], ... (n values) with numpy's pairwise summation: 8
 * partial sums up to 128 values, halves recursively above. Like numpy with
 * its default buffer size, it sums chunks of 8192 values in turn. The
 * result equals numpy.sum (numpy 1.24) on the same values, bit for bit.
 * NaN propagates, and the sum of no values is 0.0. */
double gcv_stats_sum(const double *x, size_t n, size_t stride);

/* numpy.average(x): gcv_stats_sum divided by n (NaN when n is 0). */
double gcv_stats_mean(const double *x, size_t n, size_t stride);

/* The population standard deviation as scikit-learn's cv_results computes
 * it: sqrt(average((x - mean)**2)), each square rounded before the sum. */
double gcv_stats_std(const double *x, size_t n, size_t stride);

/* Writes ranks[i], the rank_test_score of means[i]: greatest first, ties
 * sharing the lowest rank (scipy's rankdata method "min" on -means). As in
 * scikit-learn 1.2, NaN counts as nanmin(means) - 1 and +-inf as +-DBL_MAX.
 * So NaN ranks last, but ties with the lowest mean when subtracting 1 does
 * not change it (-1e300). All ranks are 1 when every mean is NaN. The cost
 * is O(n log n). */
void gcv_stats_rank_min(const double *means, size_t n, int32_t *ranks);

#endif
