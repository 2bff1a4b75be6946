/* Suite "picker": the choice of the next task. Every task is handed out
 * exactly once, resumed tasks never, the order is scikit-learn's until a
 * fit time is known, then the costliest candidates first, and a worker
 * keeps its fold while it has open tasks, then moves to a fold that no
 * other worker is on. It joins another worker's fold only when the fold's
 * open work costs at least as much as preparing it. With groups, a worker
 * stays with the candidates that differ from its last one only in C, and a
 * worker that joins a fold takes another group than the fold's worker. */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/grid.h"
#include "coordinator/picker.h"

/* Builds a grid over C in c_values and gamma in gamma_values (reals). */
static void build_grid(struct gcv_grid *grid, const double *c_values, size_t n_c,
                       const double *gamma_values, size_t n_gamma)
{
    struct gcv_grid_axis axes[2];
    struct gcv_grid_object object = {axes, 2};
    struct gcv_value c[8], gamma[8];
    struct gcv_error err;

    memset(axes, 0, sizeof axes);
    for (size_t i = 0; i < n_c; i++)
        c[i] = (struct gcv_value){.kind = GCV_VALUE_REAL, .real = c_values[i]};
    for (size_t i = 0; i < n_gamma; i++)
        gamma[i] = (struct gcv_value){.kind = GCV_VALUE_REAL, .real = gamma_values[i]};
    axes[0] = (struct gcv_grid_axis){.name = "C", .values = c, .n_values = n_c};
    axes[1] = (struct gcv_grid_axis){.name = "gamma", .values = gamma, .n_values = n_gamma};
    ck_assert_int_eq(gcv_grid_expand(&object, 1, grid, &err), GCV_OK);
}

START_TEST(picker_hands_out_every_task_once)
{
    static const double c_values[] = {0.1, 1, 10}, gamma_values[] = {0.01, 0.1};
    struct gcv_grid grid;
    struct gcv_picker picker;
    struct gcv_error err;
    int seen[6 * 4] = {0};
    int32_t candidate, fold;
    size_t count = 0;

    build_grid(&grid, c_values, 3, gamma_values, 2);
    ck_assert_int_eq(gcv_picker_init(&picker, &grid, 4, 3, NULL, &err), GCV_OK);
    while (gcv_picker_next(&picker, 1 + (int)(count % 3), &candidate, &fold)) {
        ck_assert_int_ge(candidate, 0);
        ck_assert_int_lt(candidate, 6);
        ck_assert_int_ge(fold, 0);
        ck_assert_int_lt(fold, 4);
        seen[candidate * 4 + fold]++;
        count++;
    }
    ck_assert_uint_eq(count, 24);
    for (size_t t = 0; t < 24; t++)
        ck_assert_int_eq(seen[t], 1);
    gcv_picker_free(&picker);
    gcv_grid_free(&grid);
}
END_TEST

START_TEST(picker_skips_resumed_tasks)
{
    static const double c_values[] = {1, 10}, gamma_values[] = {0.1};
    uint8_t done[2 * 3] = {1, 1, 0, 0, 1, 0};
    struct gcv_grid grid;
    struct gcv_picker picker;
    struct gcv_error err;
    int32_t candidate, fold;
    size_t count = 0;

    build_grid(&grid, c_values, 2, gamma_values, 1);
    ck_assert_int_eq(gcv_picker_init(&picker, &grid, 3, 1, done, &err), GCV_OK);
    while (gcv_picker_next(&picker, 1, &candidate, &fold)) {
        ck_assert_int_eq(done[candidate * 3 + fold], 0);
        count++;
    }
    ck_assert_uint_eq(count, 3);
    gcv_picker_free(&picker);
    gcv_grid_free(&grid);
}
END_TEST

START_TEST(picker_starts_in_sklearn_order)
{
    static const double c_values[] = {1, 10}, gamma_values[] = {0.1, 1};
    struct gcv_grid grid;
    struct gcv_picker picker;
    struct gcv_error err;
    int32_t candidate, fold;

    build_grid(&grid, c_values, 2, gamma_values, 2);
    ck_assert_int_eq(gcv_picker_init(&picker, &grid, 2, 1, NULL, &err), GCV_OK);
    ck_assert(gcv_picker_next(&picker, 1, &candidate, &fold));
    ck_assert_int_eq(candidate, 0);
    ck_assert_int_eq(fold, 0);
    /* The worker's last fold is 0, and candidate 1 has it open. */
    ck_assert(gcv_picker_next(&picker, 1, &candidate, &fold));
    ck_assert_int_eq(candidate, 1);
    ck_assert_int_eq(fold, 0);
    gcv_picker_free(&picker);
    gcv_grid_free(&grid);
}
END_TEST

/* Fit time grows a hundredfold from C = 0.1 to C = 10; once the first
 * fold of C = 0.1 and C = 10 are timed, the candidates with C = 10 must
 * come first, before any other candidate, though scikit-learn's order
 * puts them last. */
START_TEST(picker_runs_costly_values_first)
{
    static const double c_values[] = {0.1, 1, 10}, gamma_values[] = {0.01, 0.1};
    struct gcv_grid grid;
    struct gcv_picker picker;
    struct gcv_error err;
    double fit_times[6 * 2] = {0};
    uint8_t done[6 * 2] = {0};
    int32_t candidate, fold;

    build_grid(&grid, c_values, 3, gamma_values, 2);
    ck_assert_int_eq(gcv_picker_init(&picker, &grid, 2, 2, NULL, &err), GCV_OK);

    /* Candidate 0 is (C 0.1, gamma 0.01), candidate 4 is (C 10, gamma 0.01). */
    done[0 * 2 + 0] = 1;
    fit_times[0 * 2 + 0] = 0.01;
    gcv_picker_learn(&picker, fit_times, done);
    done[4 * 2 + 0] = 1;
    fit_times[4 * 2 + 0] = 1.0;
    gcv_picker_learn(&picker, fit_times, done);
    picker.handed[0 * 2 + 0] = 1;
    picker.handed[4 * 2 + 0] = 1;

    ck_assert(gcv_picker_next(&picker, 2, &candidate, &fold));
    ck_assert_msg(candidate == 4 || candidate == 5, "first pick after learning: candidate %d, "
                  "expected 4 or 5 (C = 10)", candidate);
    ck_assert(gcv_picker_next(&picker, 2, &candidate, &fold));
    ck_assert_msg(candidate == 4 || candidate == 5, "second pick after learning: candidate %d, "
                  "expected 4 or 5 (C = 10)", candidate);
    gcv_picker_free(&picker);
    gcv_grid_free(&grid);
}
END_TEST

START_TEST(picker_prefers_worker_last_fold)
{
    static const double c_values[] = {1, 10, 100}, gamma_values[] = {0.1};
    struct gcv_grid grid;
    struct gcv_picker picker;
    struct gcv_error err;
    int32_t candidate, fold;

    build_grid(&grid, c_values, 3, gamma_values, 1);
    ck_assert_int_eq(gcv_picker_init(&picker, &grid, 3, 2, NULL, &err), GCV_OK);
    /* Worker 1 has no last fold: the first open task, (0, 0). */
    ck_assert(gcv_picker_next(&picker, 1, &candidate, &fold));
    ck_assert_int_eq(candidate, 0);
    ck_assert_int_eq(fold, 0);
    /* Worker 2 neither: the next open fold of candidate 0, (0, 1). */
    ck_assert(gcv_picker_next(&picker, 2, &candidate, &fold));
    ck_assert_int_eq(candidate, 0);
    ck_assert_int_eq(fold, 1);
    /* Worker 1 gets fold 0 again, of candidate 1, before (0, 2). */
    ck_assert(gcv_picker_next(&picker, 1, &candidate, &fold));
    ck_assert_msg(candidate == 1 && fold == 0, "worker 1 got (%d, %d), expected (1, 0)",
                  candidate, fold);
    /* Worker 2 gets fold 1 again, of candidate 1. */
    ck_assert(gcv_picker_next(&picker, 2, &candidate, &fold));
    ck_assert_msg(candidate == 1 && fold == 1, "worker 2 got (%d, %d), expected (1, 1)",
                  candidate, fold);
    gcv_picker_free(&picker);
    gcv_grid_free(&grid);
}
END_TEST

/* Ten candidates on two folds: after the first round, worker 1 gets every
 * open task of its fold 0, costliest (here scikit-learn's order) first,
 * before any task of worker 2's fold 1. */
START_TEST(picker_keeps_worker_on_its_fold)
{
    static const double c_values[] = {1, 10, 100, 1000, 10000}, gamma_values[] = {0.1, 1};
    struct gcv_grid grid;
    struct gcv_picker picker;
    struct gcv_error err;
    int32_t candidate, fold;

    build_grid(&grid, c_values, 5, gamma_values, 2);
    ck_assert_int_eq(gcv_picker_init(&picker, &grid, 2, 2, NULL, &err), GCV_OK);
    ck_assert(gcv_picker_next(&picker, 1, &candidate, &fold));
    ck_assert(gcv_picker_next(&picker, 2, &candidate, &fold));
    ck_assert_int_eq(fold, 1);
    for (int32_t want = 1; want < 10; want++) {
        ck_assert(gcv_picker_next(&picker, 1, &candidate, &fold));
        ck_assert_msg(candidate == want && fold == 0, "worker 1 got (%d, %d), expected (%d, 0)",
                      candidate, fold, want);
    }
    /* Fold 0 is done and worker 2 holds fold 1: worker 1 joins it. */
    ck_assert(gcv_picker_next(&picker, 1, &candidate, &fold));
    ck_assert_msg(candidate == 1 && fold == 1, "worker 1 got (%d, %d), expected (1, 1)",
                  candidate, fold);
    gcv_picker_free(&picker);
    gcv_grid_free(&grid);
}
END_TEST

/* Three folds and two workers: when worker 1's fold 0 is done, it moves
 * to fold 2, which no worker holds, and stays there. */
START_TEST(picker_moves_to_fold_nobody_holds)
{
    static const double c_values[] = {1, 10}, gamma_values[] = {0.1};
    struct gcv_grid grid;
    struct gcv_picker picker;
    struct gcv_error err;
    int32_t candidate, fold;

    build_grid(&grid, c_values, 2, gamma_values, 1);
    ck_assert_int_eq(gcv_picker_init(&picker, &grid, 3, 2, NULL, &err), GCV_OK);
    ck_assert(gcv_picker_next(&picker, 1, &candidate, &fold)); /* (0, 0) */
    ck_assert(gcv_picker_next(&picker, 2, &candidate, &fold)); /* (0, 1) */
    ck_assert(gcv_picker_next(&picker, 1, &candidate, &fold)); /* (1, 0) */
    ck_assert_int_eq(candidate, 1);
    ck_assert_int_eq(fold, 0);
    ck_assert(gcv_picker_next(&picker, 1, &candidate, &fold));
    ck_assert_msg(candidate == 0 && fold == 2, "worker 1 got (%d, %d), expected (0, 2)",
                  candidate, fold);
    ck_assert(gcv_picker_next(&picker, 1, &candidate, &fold));
    ck_assert_msg(candidate == 1 && fold == 2, "worker 1 got (%d, %d), expected (1, 2)",
                  candidate, fold);
    gcv_picker_free(&picker);
    gcv_grid_free(&grid);
}
END_TEST

/* Hands out (0, 0) and (1, 0) to worker 1 and (0, 1) to worker 2, records
 * the openings (0, 0) and (0, 1) at opening seconds and (1, 0) at 0.01 s,
 * then requests worker 1's next task. The only open task, (1, 1), is on
 * worker 2's fold. Returns whether worker 1 got it. */
static bool worker_joins_after_openings(double opening)
{
    static const double c_values[] = {1, 10}, gamma_values[] = {0.1};
    struct gcv_grid grid;
    struct gcv_picker picker;
    struct gcv_error err;
    int32_t candidate, fold;
    bool joined;

    build_grid(&grid, c_values, 2, gamma_values, 1);
    ck_assert_int_eq(gcv_picker_init(&picker, &grid, 2, 2, NULL, &err), GCV_OK);
    ck_assert(gcv_picker_next(&picker, 1, &candidate, &fold));
    ck_assert_int_eq(candidate, 0);
    ck_assert_int_eq(fold, 0);
    ck_assert(gcv_picker_next(&picker, 2, &candidate, &fold));
    ck_assert_int_eq(candidate, 0);
    ck_assert_int_eq(fold, 1);
    ck_assert(gcv_picker_next(&picker, 1, &candidate, &fold));
    ck_assert_int_eq(candidate, 1);
    ck_assert_int_eq(fold, 0);
    gcv_picker_record(&picker, 0, 0, opening);
    gcv_picker_record(&picker, 1, 0, 0.01);
    gcv_picker_record(&picker, 0, 1, opening);

    joined = gcv_picker_next(&picker, 1, &candidate, &fold);
    if (joined) {
        ck_assert_int_eq(candidate, 1);
        ck_assert_int_eq(fold, 1);
    } else {
        /* The task stays for worker 2, whose fold it is on. */
        ck_assert(gcv_picker_next(&picker, 2, &candidate, &fold));
        ck_assert_int_eq(candidate, 1);
        ck_assert_int_eq(fold, 1);
    }
    gcv_picker_free(&picker);
    gcv_grid_free(&grid);
    return joined;
}

/* Opening tasks of 10 s against ordinary ones of 0.01 s: preparing fold 1
 * costs 10 - 0.01 = 9.99 s, more than its open work of 0.01 s. */
START_TEST(picker_leaves_fold_costlier_to_prepare)
{
    ck_assert(!worker_joins_after_openings(10.0));
}
END_TEST

/* Opening tasks of 0.02 s: preparing fold 1 costs 0.02 - 0.01 = 0.01 s, no
 * more than its open work of 0.01 s. */
START_TEST(picker_joins_fold_cheap_to_prepare)
{
    ck_assert(worker_joins_after_openings(0.02));
}
END_TEST

/* One worker, one fold, scikit-learn's order (C outer, gamma inner): the
 * values of C at the first gamma come before the next gamma. */
START_TEST(picker_groups_keep_worker_on_gamma)
{
    static const double c_values[] = {1, 10, 100}, gamma_values[] = {0.01, 0.1, 1};
    static const int32_t expected[9] = {0, 3, 6, 1, 4, 7, 2, 5, 8};
    struct gcv_grid grid;
    struct gcv_picker picker;
    struct gcv_error err;
    int32_t candidate, fold;

    build_grid(&grid, c_values, 3, gamma_values, 3);
    ck_assert_int_eq(gcv_picker_init(&picker, &grid, 1, 1, NULL, &err), GCV_OK);
    ck_assert_int_eq(gcv_picker_set_groups(&picker, &grid, "C", &err), GCV_OK);
    ck_assert_uint_eq(picker.n_groups, 3);
    for (size_t k = 0; k < 9; k++) {
        ck_assert(gcv_picker_next(&picker, 1, &candidate, &fold));
        ck_assert_msg(candidate == expected[k], "pick %zu: candidate %d, expected %d", k,
                      candidate, expected[k]);
    }
    ck_assert(!gcv_picker_next(&picker, 1, &candidate, &fold));
    gcv_picker_free(&picker);
    gcv_grid_free(&grid);
}
END_TEST

/* Fit times learnt on fold 1 put the smallest gamma's candidates first.
 * Two workers share fold 0: the second takes the next gamma's costliest
 * candidate, not the next candidate of the first worker's gamma, and each
 * then finishes its own gamma. */
START_TEST(picker_groups_split_shared_fold)
{
    static const double c_values[] = {1, 10, 100}, gamma_values[] = {0.01, 0.1, 1};
    static const double gamma_seconds[] = {10, 1, 0.1};
    static const int32_t first_worker[] = {6, 3, 0}, second_worker[] = {7, 4, 1};
    double fit_times[9 * 2] = {0};
    uint8_t done[9 * 2] = {0};
    struct gcv_grid grid;
    struct gcv_picker picker;
    struct gcv_error err;
    int32_t candidate, fold;

    build_grid(&grid, c_values, 3, gamma_values, 3);
    for (size_t c = 0; c < 9; c++) {
        done[c * 2 + 1] = 1;
        fit_times[c * 2 + 1] = gamma_seconds[c % 3] * (double)(1 + c / 3);
    }
    ck_assert_int_eq(gcv_picker_init(&picker, &grid, 2, 2, done, &err), GCV_OK);
    ck_assert_int_eq(gcv_picker_set_groups(&picker, &grid, "C", &err), GCV_OK);
    gcv_picker_learn(&picker, fit_times, done);

    for (size_t k = 0; k < 3; k++) {
        ck_assert(gcv_picker_next(&picker, 1, &candidate, &fold));
        ck_assert_int_eq(fold, 0);
        ck_assert_msg(candidate == first_worker[k], "worker 1, pick %zu: candidate %d, "
                      "expected %d", k, candidate, first_worker[k]);
        ck_assert(gcv_picker_next(&picker, 2, &candidate, &fold));
        ck_assert_int_eq(fold, 0);
        ck_assert_msg(candidate == second_worker[k], "worker 2, pick %zu: candidate %d, "
                      "expected %d", k, candidate, second_worker[k]);
    }

    /* The first worker moves to the gamma that no worker is on. */
    ck_assert(gcv_picker_next(&picker, 1, &candidate, &fold));
    ck_assert_int_eq(candidate, 8);
    gcv_picker_free(&picker);
    gcv_grid_free(&grid);
}
END_TEST

START_TEST(picker_hands_out_chains_as_units)
{
    static const double c_values[] = {0.1, 1, 10}, gamma_values[] = {0.01, 0.1};
    /* In ParameterGrid's order C varies slowest, so candidates 0, 2, 4 share
     * gamma 0.01 and 1, 3, 5 share gamma 0.1. Each set is one chain along C. */
    static const int32_t previous[6] = {-1, -1, 0, 1, 2, 3};
    static const int32_t next[6] = {2, 3, 4, 5, -1, -1};
    struct gcv_grid grid;
    struct gcv_picker picker;
    struct gcv_error err;
    uint8_t done[6 * 4] = {0};
    double fit_times[6 * 4];
    int seen[6 * 4] = {0};
    int32_t candidate, fold;
    size_t count = 0;

    /* Chain 1-3-5 is done on fold 0; chain 0-2-4 only partly on fold 1. */
    done[1 * 4 + 0] = done[3 * 4 + 0] = done[5 * 4 + 0] = 1;
    done[2 * 4 + 1] = 1;
    build_grid(&grid, c_values, 3, gamma_values, 2);
    ck_assert_int_eq(gcv_picker_init(&picker, &grid, 4, 2, done, &err), GCV_OK);
    gcv_picker_set_chains(&picker, previous, next, done);
    while (gcv_picker_next(&picker, 1 + (int)(count % 2), &candidate, &fold)) {
        seen[candidate * 4 + fold]++;
        count++;
    }

    /* The first candidate of each chain represents the whole chain. Chain
     * 0-2-4 is handed out on 4 folds (fold 1 is still open) and chain 1-3-5
     * on 3. */
    ck_assert_uint_eq(count, 7);
    for (size_t f = 0; f < 4; f++) {
        ck_assert_int_eq(seen[0 * 4 + f], 1);
        ck_assert_int_eq(seen[1 * 4 + f], f == 0 ? 0 : 1);
        for (size_t c = 2; c < 6; c++)
            ck_assert_int_eq(seen[c * 4 + f], 0);
    }

    /* A chain's estimate is the sum of its fits': candidate c took c + 1 s. */
    for (size_t t = 0; t < 6 * 4; t++) {
        fit_times[t] = (double)(t / 4 + 1);
        done[t] = 1;
    }
    gcv_picker_learn(&picker, fit_times, done);
    ck_assert_double_eq_tol(picker.estimate[0], 1.0 + 3.0 + 5.0, 1e-12);
    ck_assert_double_eq_tol(picker.estimate[1], 2.0 + 4.0 + 6.0, 1e-12);
    gcv_picker_free(&picker);
    gcv_grid_free(&grid);
}
END_TEST

static Suite *picker_suite(void)
{
    Suite *suite = suite_create("picker");
    TCase *core = tcase_create("core");

    tcase_add_test(core, picker_hands_out_every_task_once);
    tcase_add_test(core, picker_skips_resumed_tasks);
    tcase_add_test(core, picker_starts_in_sklearn_order);
    tcase_add_test(core, picker_runs_costly_values_first);
    tcase_add_test(core, picker_prefers_worker_last_fold);
    tcase_add_test(core, picker_keeps_worker_on_its_fold);
    tcase_add_test(core, picker_moves_to_fold_nobody_holds);
    tcase_add_test(core, picker_leaves_fold_costlier_to_prepare);
    tcase_add_test(core, picker_joins_fold_cheap_to_prepare);
    tcase_add_test(core, picker_hands_out_chains_as_units);
    tcase_add_test(core, picker_groups_keep_worker_on_gamma);
    tcase_add_test(core, picker_groups_split_shared_fold);
    suite_add_tcase(suite, core);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(picker_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
