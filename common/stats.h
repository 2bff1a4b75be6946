/* The reductions behind cv_results, computed bit for bit as numpy and
 * scikit-learn 1.2 compute them, so means and ranks match the reference. */
#ifndef GCV_STATS_H
#define GCV_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Sums x[0], x[stride], ... (n values) with numpy's pairwise summation
 * (blocks of 8 partial sums, halves recursively above 128 values), so the
 * result equals numpy.sum on the same values. NaN propagates. */
double gcv_stats_sum(const double *x, size_t n, size_t stride);

/* numpy.average(x): the pairwise sum divided by n. */
double gcv_stats_mean(const double *x, size_t n, size_t stride);

/* The population standard deviation as scikit-learn's cv_results computes
 * it: sqrt(average((x - mean)**2)). */
double gcv_stats_std(const double *x, size_t n, size_t stride);

/* rank_test_score: rank of each mean, greatest first, ties sharing the
 * lowest rank (scipy's rankdata method "min" on -means). NaN means rank
 * after every finite mean, and all ranks are 1 when every mean is NaN. */
void gcv_stats_rank_min(const double *means, size_t n, int32_t *ranks);

#endif
