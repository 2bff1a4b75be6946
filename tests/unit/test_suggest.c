/* Tests of the "did you mean" hints (common/suggest.c). */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/suggest.h"

START_TEST(distance_counts_edits_without_case)
{
    ck_assert_uint_eq(gcv_suggest_distance("gama", "gamma"), 1);
    ck_assert_uint_eq(gcv_suggest_distance("SCV", "SVC"), 2);
    ck_assert_uint_eq(gcv_suggest_distance("svc", "SVC"), 0);
    ck_assert_uint_eq(gcv_suggest_distance("", "abc"), 3);
    ck_assert_uint_eq(gcv_suggest_distance("kitten", "sitting"), 3);
}
END_TEST

START_TEST(distance_refuses_long_candidate)
{
    char long_name[80];

    for (size_t i = 0; i < sizeof long_name - 1; i++)
        long_name[i] = 'a';
    long_name[sizeof long_name - 1] = '\0';
    ck_assert_uint_eq(gcv_suggest_distance("a", long_name), SIZE_MAX);
}
END_TEST

START_TEST(closest_picks_nearest_and_first_of_ties)
{
    const char *names[] = {"C", "kernel", "gamma", "coef0", "degree"};

    ck_assert_str_eq(gcv_suggest_closest("gama", names, 5), "gamma");
    ck_assert_str_eq(gcv_suggest_closest("kernl", names, 5), "kernel");
    /* "c" is one edit from "C" only by case: distance 0. */
    ck_assert_str_eq(gcv_suggest_closest("c", names, 5), "C");
}
END_TEST

START_TEST(closest_gives_nothing_for_distant_name)
{
    const char *names[] = {"C", "kernel", "gamma"};

    ck_assert_ptr_null(gcv_suggest_closest("n_jobs", names, 3));
    ck_assert_ptr_null(gcv_suggest_closest("nu", names, 3));
}
END_TEST

START_TEST(from_list_splits_on_commas)
{
    char buf[32];

    ck_assert_str_eq(gcv_suggest_from_list("Y", "path, X, y, holdout", buf, sizeof buf), "y");
    ck_assert_str_eq(gcv_suggest_from_list("holdot", "path, X, y, holdout", buf, sizeof buf),
                     "holdout");
    ck_assert_ptr_null(gcv_suggest_from_list("zzzzzz", "path, X, y, holdout", buf, sizeof buf));
}
END_TEST

START_TEST(from_list_cuts_to_buffer)
{
    char buf[4];

    ck_assert_str_eq(gcv_suggest_from_list("holdot", "holdout", buf, sizeof buf), "hol");
}
END_TEST

static Suite *suggest_suite(void)
{
    Suite *suite = suite_create("suggest");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, distance_counts_edits_without_case);
    tcase_add_test(tc, distance_refuses_long_candidate);
    tcase_add_test(tc, closest_picks_nearest_and_first_of_ties);
    tcase_add_test(tc, closest_gives_nothing_for_distant_name);
    tcase_add_test(tc, from_list_splits_on_commas);
    tcase_add_test(tc, from_list_cuts_to_buffer);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(suggest_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
