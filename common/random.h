/* numpy's legacy RandomState (numpy 1.24): the Mersenne Twister MT19937
 * seeded from an integer, and the draws that scikit-learn 1.2.1 and scipy
 * 1.10 make through it when given random_state=<int>. Each function
 * consumes the generator's 32-bit words exactly as numpy does, so a
 * sequence of calls returns what the same sequence of numpy calls returns,
 * bit for bit, on any rank. Nothing here reads a global state. */
#ifndef GCV_RANDOM_H
#define GCV_RANDOM_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* MT19937's number of 32-bit state words. */
#define GCV_RANDOM_STATE_WORDS 624

/* The state of one RandomState. Copying the struct copies the stream. */
struct gcv_random {
    uint32_t key[GCV_RANDOM_STATE_WORDS];
    int pos;    /* next word of key to temper; GCV_RANDOM_STATE_WORDS: regenerate first */
};

/* Seeds rng as numpy.random.RandomState(seed) does for an integer seed:
 * init_genrand, Knuth's linear recurrence with multiplier 1812433253. */
void gcv_random_seed(struct gcv_random *rng, uint32_t seed);

/* The next tempered 32-bit word (numpy's next_uint32). */
uint32_t gcv_random_next32(struct gcv_random *rng);

/* Two words, the first as the high half (numpy's next_uint64). */
uint64_t gcv_random_next64(struct gcv_random *rng);

/* RandomState.random_sample(): a double in [0, 1) with 53 random bits
 * made from two words, (a >> 5) * 2^26 + (b >> 6), divided by 2^53. */
double gcv_random_sample(struct gcv_random *rng);

/* numpy's random_interval(max): an integer in [0, max] by masked rejection
 * sampling (draw, keep the bits below max's highest set bit, retry while
 * greater than max). Uses one word per try when max < 2^32, two above.
 * Returns 0 without a draw when max is 0. */
uint64_t gcv_random_interval(struct gcv_random *rng, uint64_t max);

/* RandomState.randint(low, high) with the default int64 dtype: an integer
 * in [low, high), low < high, drawn as low + gcv_random_interval(high - 1
 * - low), so no word is consumed when high == low + 1. */
int64_t gcv_random_randint(struct gcv_random *rng, int64_t low, int64_t high);

/* RandomState.shuffle of n items of size bytes each at base (a 1-D array,
 * or the rows of a 2-D array): for i from n-1 down to 1, swap item i with
 * item gcv_random_interval(i). */
void gcv_random_shuffle(struct gcv_random *rng, void *base, size_t n, size_t size);

/* RandomState.permutation(n): out[0..n) = 0..n-1, then shuffled. */
void gcv_random_permutation(struct gcv_random *rng, size_t n, size_t *out);

/* RandomState.uniform(low, high): low + (high - low) * random_sample(). */
double gcv_random_uniform(struct gcv_random *rng, double low, double high);

/* RandomState.choice(n, size, replace=False) with p=None: the first size
 * items of permutation(n), written to out[0..size). Fails with
 * GCV_ERR_INTERNAL when size > n and GCV_ERR_NOMEM when the permutation
 * cannot be allocated, consuming nothing in either case. */
enum gcv_status gcv_random_choice(struct gcv_random *rng, size_t n, size_t size, size_t *out,
                                  struct gcv_error *err);

/* scikit-learn's sample_without_replacement(n_population, n_samples,
 * method="auto") (sklearn/utils/_random.pyx): with r = n_samples /
 * n_population, permutation(n_population)[:n_samples] when 0.01 < r < 0.99,
 * else tracking selection (randint(n_population), redrawn while already
 * taken) when r <= 0.01, else reservoir sampling. out[0..n_samples).
 * Fails as gcv_random_choice does. */
enum gcv_status gcv_random_sample_without_replacement(struct gcv_random *rng,
                                                      size_t n_population, size_t n_samples,
                                                      size_t *out, struct gcv_error *err);

/* scipy.stats.uniform(loc, scale).rvs(random_state=rng) (scipy 1.10):
 * uniform(0, 1) * scale + loc. scale must be >= 0; with scale == 0 scipy
 * returns loc without drawing, and so does this. */
double gcv_random_uniform_rvs(struct gcv_random *rng, double loc, double scale);

/* scipy.stats.loguniform(a, b).rvs(random_state=rng): the inverse CDF
 * a * pow(b / a, u) at u = uniform(0, 1), for 0 < a < b.
 * NOTE: this matches numpy where numpy's float64 power calls the C
 * library's pow, as on the x86-64 machines without AVX-512 it was checked
 * on; a numpy that dispatches power to vectorised code may differ in the
 * last bit. */
double gcv_random_loguniform_rvs(struct gcv_random *rng, double a, double b);

/* scipy.stats.randint(low, high).rvs(random_state=rng): randint(low, high)
 * for low < high. */
int64_t gcv_random_randint_rvs(struct gcv_random *rng, int64_t low, int64_t high);

#endif
