/* numpy's legacy RandomState, as numpy 1.24 implements it in
 * numpy/random/src/mt19937/mt19937.{c,h} (the generator),
 * numpy/random/src/distributions/distributions.c (random_interval and the
 * masked bounded integers) and numpy/random/mtrand.pyx (shuffle,
 * permutation, choice), and the draws of scikit-learn 1.2.1 and scipy 1.10
 * on top of it. The generator is Matsumoto & Nishimura's MT19937 (ACM
 * TOMACS 8(1), 1998). */
#include "random.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Each product is rounded before the sum that follows, as numpy (built
 * without FMA) rounds it, so no fused multiply-add. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#define MT_SHIFT 397
#define MT_MATRIX_A 0x9908b0dfu
#define MT_UPPER_MASK 0x80000000u
#define MT_LOWER_MASK 0x7fffffffu

void gcv_random_seed(struct gcv_random *rng, uint32_t seed)
{
    rng->key[0] = seed;
    for (int i = 1; i < GCV_RANDOM_STATE_WORDS; i++)
        rng->key[i] = 1812433253u * (rng->key[i - 1] ^ (rng->key[i - 1] >> 30)) + (uint32_t)i;
    rng->pos = GCV_RANDOM_STATE_WORDS;
}

/* Refills the 624 words of the state (one "twist"). */
static void regenerate(struct gcv_random *rng)
{
    const int n = GCV_RANDOM_STATE_WORDS;
    uint32_t *key = rng->key;
    uint32_t y;
    int i;

    for (i = 0; i < n - MT_SHIFT; i++) {
        y = (key[i] & MT_UPPER_MASK) | (key[i + 1] & MT_LOWER_MASK);
        key[i] = key[i + MT_SHIFT] ^ (y >> 1) ^ (-(y & 1u) & MT_MATRIX_A);
    }
    for (; i < n - 1; i++) {
        y = (key[i] & MT_UPPER_MASK) | (key[i + 1] & MT_LOWER_MASK);
        key[i] = key[i + MT_SHIFT - n] ^ (y >> 1) ^ (-(y & 1u) & MT_MATRIX_A);
    }
    y = (key[n - 1] & MT_UPPER_MASK) | (key[0] & MT_LOWER_MASK);
    key[n - 1] = key[MT_SHIFT - 1] ^ (y >> 1) ^ (-(y & 1u) & MT_MATRIX_A);
    rng->pos = 0;
}

uint32_t gcv_random_next32(struct gcv_random *rng)
{
    uint32_t y;

    if (rng->pos == GCV_RANDOM_STATE_WORDS)
        regenerate(rng);
    y = rng->key[rng->pos++];

    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

uint64_t gcv_random_next64(struct gcv_random *rng)
{
    uint64_t high = gcv_random_next32(rng);
    uint64_t low = gcv_random_next32(rng);

    return high << 32 | low;
}

double gcv_random_sample(struct gcv_random *rng)
{
    int32_t a = (int32_t)(gcv_random_next32(rng) >> 5);
    int32_t b = (int32_t)(gcv_random_next32(rng) >> 6);

    return (a * 67108864.0 + b) / 9007199254740992.0;
}

uint64_t gcv_random_interval(struct gcv_random *rng, uint64_t max)
{
    uint64_t mask = max;
    uint64_t value;

    if (max == 0)
        return 0;

    /* The smallest mask of low bits that covers max. */
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    mask |= mask >> 32;

    if (max <= UINT32_MAX) {
        while ((value = gcv_random_next32(rng) & mask) > max)
            ;
    } else {
        while ((value = gcv_random_next64(rng) & mask) > max)
            ;
    }
    return value;
}

int64_t gcv_random_randint(struct gcv_random *rng, int64_t low, int64_t high)
{
    /* numpy draws on the closed range [low, high - 1]; the difference is
     * taken in unsigned arithmetic, as numpy does, so it cannot overflow. */
    uint64_t range = (uint64_t)(high - 1) - (uint64_t)low;

    return (int64_t)((uint64_t)low + gcv_random_interval(rng, range));
}

void gcv_random_shuffle(struct gcv_random *rng, void *base, size_t n, size_t size)
{
    unsigned char *items = base;
    unsigned char buffer[64];

    for (size_t i = n; i-- > 1;) {
        size_t j = (size_t)gcv_random_interval(rng, i);

        if (i == j)
            continue;
        /* Swap items i and j through the buffer, a chunk at a time. */
        for (size_t done = 0; done < size; done += sizeof buffer) {
            size_t chunk = size - done < sizeof buffer ? size - done : sizeof buffer;

            memcpy(buffer, items + j * size + done, chunk);
            memcpy(items + j * size + done, items + i * size + done, chunk);
            memcpy(items + i * size + done, buffer, chunk);
        }
    }
}

void gcv_random_permutation(struct gcv_random *rng, size_t n, size_t *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = i;
    gcv_random_shuffle(rng, out, n, sizeof *out);
}

double gcv_random_uniform(struct gcv_random *rng, double low, double high)
{
    return low + (high - low) * gcv_random_sample(rng);
}

enum gcv_status gcv_random_choice(struct gcv_random *rng, size_t n, size_t size, size_t *out,
                                  struct gcv_error *err)
{
    size_t *permutation;

    if (size > n)
        return gcv_error_set(err, GCV_ERR_INTERNAL,
                             "cannot take a sample of %zu from a population of %zu without "
                             "replacement",
                             size, n);
    permutation = malloc((n > 0 ? n : 1) * sizeof *permutation);
    if (permutation == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for a permutation of %zu", n);
    gcv_random_permutation(rng, n, permutation);
    memcpy(out, permutation, size * sizeof *out);
    free(permutation);
    return GCV_OK;
}

/* Tracking selection: each draw is retried while it was drawn before. The
 * taken flags cost n_population bytes, which a permutation would cost in
 * any case for larger samples. */
static enum gcv_status sample_by_tracking(struct gcv_random *rng, size_t n_population,
                                          size_t n_samples, size_t *out, struct gcv_error *err)
{
    unsigned char *taken = calloc(n_population > 0 ? n_population : 1, 1);

    if (taken == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory sampling from %zu",
                             n_population);
    for (size_t i = 0; i < n_samples; i++) {
        size_t j;

        do
            j = (size_t)gcv_random_randint(rng, 0, (int64_t)n_population);
        while (taken[j]);
        taken[j] = 1;
        out[i] = j;
    }
    free(taken);
    return GCV_OK;
}

/* Reservoir sampling: the first n_samples items, each later item i
 * replacing slot j = randint(0, i + 1) when j < n_samples. */
static void sample_by_reservoir(struct gcv_random *rng, size_t n_population, size_t n_samples,
                                size_t *out)
{
    for (size_t i = 0; i < n_samples; i++)
        out[i] = i;
    for (size_t i = n_samples; i < n_population; i++) {
        size_t j = (size_t)gcv_random_randint(rng, 0, (int64_t)i + 1);

        if (j < n_samples)
            out[j] = i;
    }
}

enum gcv_status gcv_random_sample_without_replacement(struct gcv_random *rng,
                                                      size_t n_population, size_t n_samples,
                                                      size_t *out, struct gcv_error *err)
{
    double ratio = n_population != 0 ? (double)n_samples / (double)n_population : 1.0;

    if (n_samples > n_population)
        return gcv_error_set(err, GCV_ERR_INTERNAL,
                             "cannot sample %zu of %zu integers without replacement", n_samples,
                             n_population);
    if (ratio > 0.01 && ratio < 0.99)
        return gcv_random_choice(rng, n_population, n_samples, out, err);
    if (ratio < 0.2)
        return sample_by_tracking(rng, n_population, n_samples, out, err);
    sample_by_reservoir(rng, n_population, n_samples, out);
    return GCV_OK;
}

double gcv_random_uniform_rvs(struct gcv_random *rng, double loc, double scale)
{
    double u;

    if (scale == 0.0)
        return loc;
    u = gcv_random_uniform(rng, 0.0, 1.0);
    return u * scale + loc;
}

double gcv_random_loguniform_rvs(struct gcv_random *rng, double a, double b)
{
    double u = gcv_random_uniform(rng, 0.0, 1.0);

    return a * pow(b * 1.0 / a, u);
}

int64_t gcv_random_randint_rvs(struct gcv_random *rng, int64_t low, int64_t high)
{
    return gcv_random_randint(rng, low, high);
}
