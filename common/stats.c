/* The reductions of cv_results, in numpy 1.24's order of operations, so
 * that results match numpy and scikit-learn 1.2.1 bit for bit.
 *
 * numpy sums float64 values with pairwise summation (DOUBLE_pairwise_sum in
 * numpy/core/src/umath/loops_utils.h.src). Rounding makes the order of the
 * additions part of the result, so this file reproduces that order. */
#include "stats.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <stdbool.h>

/* Each product must be rounded before it is added, as numpy rounds it when
 * it stores (x - mean)**2 in a temporary array, so no fused multiply-add. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

/* numpy's PW_BLOCKSIZE: blocks up to this size are summed with 8
 * accumulators, larger ones are halved. */
#define PAIRWISE_BLOCK 128

/* numpy's default ufunc buffer size (numpy.getbufsize()): a reduction over
 * more values is fed to the summation loop in chunks of this many. */
#define NUMPY_BUFFER_SIZE 8192

/* The i-th summed value: x[i * stride], or its squared deviation from
 * center when square_deviations is set. */
static inline double term(const double *x, size_t i, size_t stride, bool square_deviations,
                          double center)
{
    double deviation;

    if (!square_deviations)
        return x[i * stride];
    deviation = x[i * stride] - center;
    return deviation * deviation;
}

/* Adds the n terms as numpy's pairwise_sum does: a plain loop below 8
 * values, 8 interleaved accumulators up to PAIRWISE_BLOCK values, and above
 * that two halves split at a multiple of 8. */
static double pairwise_sum(const double *x, size_t n, size_t stride, bool square_deviations,
                           double center)
{
    double r[8];
    double sum;
    size_t i;

    if (n < 8) {
        /* -0.0 so that a sum of negative zeros stays -0.0, as in numpy. */
        sum = -0.0;
        for (i = 0; i < n; i++)
            sum += term(x, i, stride, square_deviations, center);
        return sum;
    }

    if (n > PAIRWISE_BLOCK) {
        size_t half = n / 2 - (n / 2) % 8;

        return pairwise_sum(x, half, stride, square_deviations, center) +
               pairwise_sum(x + half * stride, n - half, stride, square_deviations, center);
    }

    for (size_t k = 0; k < 8; k++)
        r[k] = term(x, k, stride, square_deviations, center);
    for (i = 8; i < n - n % 8; i += 8)
        for (size_t k = 0; k < 8; k++)
            r[k] += term(x, i + k, stride, square_deviations, center);
    sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++)
        sum += term(x, i, stride, square_deviations, center);
    return sum;
}

/* numpy.add.reduce: the result starts at add's identity +0.0 (so a sum of
 * negative zeros is +0.0) and each buffer-sized chunk's pairwise sum is
 * added to it in turn. */
static double numpy_sum(const double *x, size_t n, size_t stride, bool square_deviations,
                        double center)
{
    double sum = 0.0;

    for (size_t start = 0; start < n; start += NUMPY_BUFFER_SIZE) {
        size_t length = n - start < NUMPY_BUFFER_SIZE ? n - start : NUMPY_BUFFER_SIZE;

        sum += pairwise_sum(x + start * stride, length, stride, square_deviations, center);
    }
    return sum;
}

double gcv_stats_sum(const double *x, size_t n, size_t stride)
{
    return numpy_sum(x, n, stride, false, 0.0);
}

double gcv_stats_mean(const double *x, size_t n, size_t stride)
{
    return numpy_sum(x, n, stride, false, 0.0) / (double)n;
}

double gcv_stats_std(const double *x, size_t n, size_t stride)
{
    double mean = gcv_stats_mean(x, n, stride);

    return sqrt(numpy_sum(x, n, stride, true, mean) / (double)n);
}

/* The value scikit-learn ranks for mean i: numpy.nan_to_num(means,
 * nan=nanmin(means) - 1), which also clamps +-inf to +-DBL_MAX (but leaves
 * the NaN replacement alone, even when it is -inf). */
static double rank_value(const double *means, size_t i, double nan_value)
{
    if (isnan(means[i]))
        return nan_value;
    if (isinf(means[i]))
        return means[i] > 0 ? DBL_MAX : -DBL_MAX;
    return means[i];
}

static int compare_descending(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x < y) - (x > y);
}

/* Returns how many of sorted[0..n) (descending, no NaN) are greater than
 * value: the position of the first entry not greater, by bisection. */
static size_t count_greater(const double *sorted, size_t n, double value)
{
    size_t low = 0, high = n;

    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (sorted[middle] > value)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

/* Ranks as scikit-learn 1.2.1's _format_results does: rankdata(-values,
 * method="min"), so the rank is one plus the number of greater values.
 * Sorting a copy makes that O(n log n); without memory for the copy, the
 * ranks come from O(n^2) comparisons instead, with the same result. */
void gcv_stats_rank_min(const double *means, size_t n, int32_t *ranks)
{
    double nan_min = INFINITY;
    double *sorted;
    bool all_nan = true;

    for (size_t i = 0; i < n; i++) {
        if (isnan(means[i]))
            continue;
        all_nan = false;
        nan_min = means[i] < nan_min ? means[i] : nan_min;
    }

    /* Every fit or score failed: scikit-learn ranks all candidates first. */
    if (all_nan) {
        for (size_t i = 0; i < n; i++)
            ranks[i] = 1;
        return;
    }

    sorted = malloc(n * sizeof *sorted);
    if (sorted != NULL) {
        for (size_t i = 0; i < n; i++)
            sorted[i] = rank_value(means, i, nan_min - 1);
        qsort(sorted, n, sizeof *sorted, compare_descending);
        for (size_t i = 0; i < n; i++)
            ranks[i] = (int32_t)(1 + count_greater(sorted, n, rank_value(means, i, nan_min - 1)));
        free(sorted);
        return;
    }

    for (size_t i = 0; i < n; i++) {
        double value = rank_value(means, i, nan_min - 1);
        int32_t rank = 1;

        for (size_t j = 0; j < n; j++)
            if (rank_value(means, j, nan_min - 1) > value)
                rank++;
        ranks[i] = rank;
    }
}
