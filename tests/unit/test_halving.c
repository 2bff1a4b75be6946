/* Tests of the halving search's arithmetic (coordinator/halving.c)
 * against scikit-learn 1.2.1: the rounds HalvingGridSearchCV plans and
 * the candidates _top_k keeps between rounds, from
 * fixtures/halving_fixtures.h (make_halving_fixtures.py). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../../coordinator/halving.h"
#include "fixtures/halving_fixtures.h"

#define N_ROUNDS_CASES (sizeof halving_rounds_cases / sizeof halving_rounds_cases[0])
#define N_TOP_K_CASES (sizeof halving_top_k_cases / sizeof halving_top_k_cases[0])

START_TEST(rounds_match_sklearn)
{
    const struct halving_rounds_case *expected = &halving_rounds_cases[_i];
    struct gcv_halving halving;

    memset(&halving, 0, sizeof halving);
    halving.factor = expected->factor;
    halving.aggressive_elimination = expected->aggressive;
    halving.max_resources = expected->max_resources;
    gcv_halving_count_rounds(&halving, expected->n_candidates, expected->start,
                             expected->exhaust);

    ck_assert_double_eq(halving.min_resources, expected->min_resources);
    ck_assert_uint_eq(halving.n_required_iterations, expected->n_required);
    ck_assert_uint_eq(halving.n_possible_iterations, expected->n_possible);
    ck_assert_uint_eq(halving.n_iterations, expected->n_iterations);
    for (size_t round = 0; round < halving.n_iterations; round++)
        ck_assert_msg(gcv_halving_round_resources(&halving, round) ==
                          expected->n_resources[round],
                      "case %d round %zu: %zu resources, scikit-learn %zu", _i, round,
                      gcv_halving_round_resources(&halving, round),
                      expected->n_resources[round]);
}
END_TEST

START_TEST(top_k_matches_sklearn_with_ties_and_nan)
{
    const struct halving_top_k_case *expected = &halving_top_k_cases[_i];
    size_t kept[HALVING_MAX_SCORES];
    struct gcv_error err = {GCV_OK, ""};

    ck_assert_int_eq(gcv_halving_top_k(expected->scores, expected->n, expected->k, kept, &err),
                     GCV_OK);
    for (size_t i = 0; i < expected->k; i++)
        ck_assert_msg(kept[i] == expected->kept[i], "case %d position %zu: row %zu, "
                      "scikit-learn row %zu", _i, i, kept[i], expected->kept[i]);
}
END_TEST

START_TEST(pick_best_takes_first_max_of_last_round)
{
    /* Rows 0-3 are round 0, rows 4-6 round 1. Row 1 scores highest
     * overall, but the best is the first maximum of the last round (row
     * 5, tied with row 6), and NaN is skipped as np.nanargmax skips it. */
    const int64_t iter[] = {0, 0, 0, 0, 1, 1, 1};
    double means[] = {0.5, 0.99, 0.4, 0.6, NAN, 0.8, 0.8};
    int32_t ranks[7] = {0};
    struct gcv_results results;

    memset(&results, 0, sizeof results);
    results.n_candidates = 7;
    results.mean_test = means;
    results.rank_test = ranks;
    results.iter = iter;
    gcv_halving_pick_best(&results);
    ck_assert_uint_eq(results.best_index, 5);

    /* A last round of NaN only: its first row. */
    means[5] = means[6] = NAN;
    gcv_halving_pick_best(&results);
    ck_assert_uint_eq(results.best_index, 4);
}
END_TEST

static Suite *halving_suite(void)
{
    Suite *suite = suite_create("halving");
    TCase *tc = tcase_create("core");

    tcase_add_loop_test(tc, rounds_match_sklearn, 0, (int)N_ROUNDS_CASES);
    tcase_add_loop_test(tc, top_k_matches_sklearn_with_ties_and_nan, 0, (int)N_TOP_K_CASES);
    tcase_add_test(tc, pick_best_takes_first_max_of_last_round);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(halving_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
