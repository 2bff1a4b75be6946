/* Suite "stats": sums, means and standard deviations bit for bit as numpy
 * 1.24 and scikit-learn 1.2.1's cv_results compute them, and
 * rank_test_score, against the fixtures written by
 * tests/unit/fixtures/make_split_fixtures.py. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/stats.h"
#include "tests/unit/fixtures/split_fixtures.h"

#define N_SUM_FIXTURES (sizeof sum_fixtures / sizeof sum_fixtures[0])
#define N_RANK_FIXTURES (sizeof rank_fixtures / sizeof rank_fixtures[0])

/* Stride of the strided test; the gaps hold NaN, which would show in any
 * result that read them. */
#define STRIDE 3

static uint64_t bits_of(double value)
{
    uint64_t bits;

    memcpy(&bits, &value, sizeof bits);
    return bits;
}

/* Fails unless actual and expected have the same bits (so -0.0 differs
 * from 0.0), naming the quantity and the length. */
static void assert_same_bits(double actual, double expected, const char *quantity, size_t n)
{
    ck_assert_msg(bits_of(actual) == bits_of(expected), "%s of %zu values: got %a, numpy has %a",
                  quantity, n, actual, expected);
}

/* Checks sum, mean and std of every fixture, with its values stored at
 * x[0], x[stride], ... */
static void check_sum_fixtures(size_t stride)
{
    for (size_t c = 0; c < N_SUM_FIXTURES; c++) {
        const struct sum_fixture *fx = &sum_fixtures[c];
        double *x = malloc(fx->n * stride * sizeof *x);

        ck_assert_ptr_nonnull(x);
        for (size_t i = 0; i < fx->n * stride; i++)
            x[i] = NAN;
        split_fixture_draw(fx->seed, fx->n, stride, x);

        assert_same_bits(gcv_stats_sum(x, fx->n, stride), fx->sum, "sum", fx->n);
        assert_same_bits(gcv_stats_mean(x, fx->n, stride), fx->mean, "mean", fx->n);
        assert_same_bits(gcv_stats_std(x, fx->n, stride), fx->std, "std", fx->n);
        free(x);
    }
}

START_TEST(stats_match_numpy_contiguous)
{
    check_sum_fixtures(1);
}
END_TEST

START_TEST(stats_match_numpy_strided)
{
    check_sum_fixtures(STRIDE);
}
END_TEST

/* numpy.add.reduce starts from add's identity +0.0, and +0.0 + -0.0 is
 * +0.0: numpy.sum([-0.0]) and numpy.sum([-0.0] * 10) are 0.0. A sum of no
 * values is that identity, and their mean 0.0 / 0 is NaN (numpy.mean([])
 * returns nan with a warning). */
START_TEST(sum_of_zeros_and_of_nothing)
{
    static const double negative_zeros[10] = {-0.0, -0.0, -0.0, -0.0, -0.0,
                                              -0.0, -0.0, -0.0, -0.0, -0.0};

    assert_same_bits(gcv_stats_sum(negative_zeros, 1, 1), 0.0, "sum", 1);
    assert_same_bits(gcv_stats_sum(negative_zeros, 10, 1), 0.0, "sum", 10);
    assert_same_bits(gcv_stats_sum(negative_zeros, 0, 1), 0.0, "sum", 0);
    ck_assert(isnan(gcv_stats_mean(negative_zeros, 0, 1)));
}
END_TEST

START_TEST(sum_propagates_nan)
{
    double x[200];

    for (size_t i = 0; i < 200; i++)
        x[i] = (double)i;
    for (size_t n = 1; n <= 200; n += 13) {
        x[n - 1] = NAN;
        ck_assert_msg(isnan(gcv_stats_sum(x, n, 1)), "sum of %zu values", n);
        ck_assert_msg(isnan(gcv_stats_mean(x, n, 1)), "mean of %zu values", n);
        ck_assert_msg(isnan(gcv_stats_std(x, n, 1)), "std of %zu values", n);
        x[n - 1] = (double)(n - 1);
    }
}
END_TEST

/* Ties, NaN, all NaN, a single candidate, -0.0 against 0.0 and infinities,
 * against GridSearchCV's rank_test_score. */
START_TEST(rank_matches_sklearn)
{
    for (size_t c = 0; c < N_RANK_FIXTURES; c++) {
        const struct rank_fixture *fx = &rank_fixtures[c];
        int32_t ranks[16];

        ck_assert_uint_le(fx->n, 16);
        gcv_stats_rank_min(fx->means, fx->n, ranks);
        for (size_t i = 0; i < fx->n; i++)
            ck_assert_msg(ranks[i] == fx->ranks[i], "%s: candidate %zu ranked %d, expected %d",
                          fx->name, i, (int)ranks[i], (int)fx->ranks[i]);
    }
}
END_TEST

static Suite *stats_suite(void)
{
    Suite *suite = suite_create("stats");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, stats_match_numpy_contiguous);
    tcase_add_test(tc, stats_match_numpy_strided);
    tcase_add_test(tc, sum_of_zeros_and_of_nothing);
    tcase_add_test(tc, sum_propagates_nan);
    tcase_add_test(tc, rank_matches_sklearn);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(stats_suite());
    int n_failed;

    srunner_run_all(runner, CK_NORMAL);
    n_failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return n_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
