/* Suite "random": numpy's legacy RandomState and the scipy.stats and
 * scikit-learn draws built on it, against sequences recorded from numpy
 * 1.24, scipy 1.10 and scikit-learn 1.2.1 (fixtures written by
 * tests/unit/fixtures/make_random_fixtures.py). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/random.h"
#include "tests/unit/fixtures/random_fixtures.h"

#define N_CASES (sizeof random_cases / sizeof random_cases[0])

/* The position of a replay in a case's expected outputs. */
struct replay {
    const struct random_case *fx;
    size_t next_integer;
    size_t next_real;
};

static void expect_integer(struct replay *r, int64_t actual, size_t op)
{
    ck_assert_msg(r->next_integer < r->fx->n_integers, "%s op %zu: more integers than numpy",
                  r->fx->name, op);
    ck_assert_msg(actual == r->fx->integers[r->next_integer],
                  "%s op %zu: integer %zu is %lld, numpy gives %lld", r->fx->name, op,
                  r->next_integer, (long long)actual,
                  (long long)r->fx->integers[r->next_integer]);
    r->next_integer++;
}

static void expect_real(struct replay *r, double actual, size_t op)
{
    ck_assert_msg(r->next_real < r->fx->n_reals, "%s op %zu: more reals than numpy",
                  r->fx->name, op);
    ck_assert_msg(memcmp(&actual, &r->fx->reals[r->next_real], sizeof actual) == 0,
                  "%s op %zu: real %zu is %a, numpy gives %a", r->fx->name, op, r->next_real,
                  actual, r->fx->reals[r->next_real]);
    r->next_real++;
}

/* Applies one op to rng and checks its outputs. */
static void replay_op(struct gcv_random *rng, struct replay *r, size_t index)
{
    const struct random_op *op = &r->fx->ops[index];
    size_t *items = calloc(op->n + 1, sizeof *items);
    size_t (*rows)[3] = calloc(op->n + 1, sizeof *rows);
    struct gcv_error err = {GCV_OK, ""};

    ck_assert_ptr_nonnull(items);
    ck_assert_ptr_nonnull(rows);
    switch (op->kind) {
    case RANDOM_OP_RAW32:
        for (size_t i = 0; i < op->count; i++)
            expect_integer(r, gcv_random_next32(rng), index);
        break;
    case RANDOM_OP_SAMPLE:
        for (size_t i = 0; i < op->count; i++)
            expect_real(r, gcv_random_sample(rng), index);
        break;
    case RANDOM_OP_RANDINT:
        for (size_t i = 0; i < op->count; i++)
            expect_integer(r, gcv_random_randint(rng, op->low, op->high), index);
        break;
    case RANDOM_OP_PERMUTATION:
        gcv_random_permutation(rng, op->n, items);
        for (size_t i = 0; i < op->n; i++)
            expect_integer(r, (int64_t)items[i], index);
        break;
    case RANDOM_OP_SHUFFLE_ROWS:
        for (size_t i = 0; i < op->n; i++)
            rows[i][0] = rows[i][1] = rows[i][2] = i;
        gcv_random_shuffle(rng, rows, op->n, sizeof rows[0]);
        for (size_t i = 0; i < op->n; i++) {
            ck_assert_uint_eq(rows[i][1], rows[i][0]);
            ck_assert_uint_eq(rows[i][2], rows[i][0]);
            expect_integer(r, (int64_t)rows[i][0], index);
        }
        break;
    case RANDOM_OP_CHOICE:
        ck_assert_int_eq(gcv_random_choice(rng, op->n, op->size, items, &err), GCV_OK);
        for (size_t i = 0; i < op->size; i++)
            expect_integer(r, (int64_t)items[i], index);
        break;
    case RANDOM_OP_UNIFORM:
        for (size_t i = 0; i < op->count; i++)
            expect_real(r, gcv_random_uniform(rng, op->x, op->y), index);
        break;
    case RANDOM_OP_SAMPLE_WITHOUT_REPLACEMENT:
        ck_assert_int_eq(
            gcv_random_sample_without_replacement(rng, op->n, op->size, items, &err), GCV_OK);
        for (size_t i = 0; i < op->size; i++)
            expect_integer(r, (int64_t)items[i], index);
        break;
    case RANDOM_OP_UNIFORM_RVS:
        expect_real(r, gcv_random_uniform_rvs(rng, op->x, op->y), index);
        break;
    case RANDOM_OP_LOGUNIFORM_RVS:
        expect_real(r, gcv_random_loguniform_rvs(rng, op->x, op->y), index);
        break;
    case RANDOM_OP_RANDINT_RVS:
        expect_integer(r, gcv_random_randint_rvs(rng, op->low, op->high), index);
        break;
    }
    free(rows);
    free(items);
}

/* Every case: the ops in turn on one generator, every output as numpy's. */
START_TEST(random_state_matches_numpy)
{
    for (size_t c = 0; c < N_CASES; c++) {
        struct replay r = {&random_cases[c], 0, 0};
        struct gcv_random rng;

        gcv_random_seed(&rng, random_cases[c].seed);
        for (size_t op = 0; op < random_cases[c].n_ops; op++)
            replay_op(&rng, &r, op);
        ck_assert_msg(r.next_integer == random_cases[c].n_integers,
                      "%s: %zu integers, numpy gives %zu", random_cases[c].name, r.next_integer,
                      random_cases[c].n_integers);
        ck_assert_msg(r.next_real == random_cases[c].n_reals, "%s: %zu reals, numpy gives %zu",
                      random_cases[c].name, r.next_real, random_cases[c].n_reals);
    }
}
END_TEST

/* The first words of MT19937 seeded with 5489, the default seed of C++'s
 * std::mt19937, whose first output is 3499211612. */
START_TEST(mt19937_matches_reference_output)
{
    struct gcv_random rng;

    gcv_random_seed(&rng, 5489u);
    ck_assert_uint_eq(gcv_random_next32(&rng), 3499211612u);
    ck_assert_uint_eq(gcv_random_next32(&rng), 581869302u);
    ck_assert_uint_eq(gcv_random_next32(&rng), 3890346734u);
}
END_TEST

/* A copied state continues the same stream; the original is unchanged. */
START_TEST(copied_state_repeats_stream)
{
    struct gcv_random rng, copy;

    gcv_random_seed(&rng, 11u);
    for (int i = 0; i < 700; i++)
        gcv_random_next32(&rng);
    copy = rng;
    for (int i = 0; i < 1000; i++)
        ck_assert_uint_eq(gcv_random_next32(&rng), gcv_random_next32(&copy));
}
END_TEST

START_TEST(interval_of_zero_draws_nothing)
{
    struct gcv_random rng, untouched;

    gcv_random_seed(&rng, 3u);
    untouched = rng;
    ck_assert_uint_eq(gcv_random_interval(&rng, 0), 0);
    ck_assert_int_eq(gcv_random_randint(&rng, 9, 10), 9);
    ck_assert_uint_eq(gcv_random_next32(&rng), gcv_random_next32(&untouched));
}
END_TEST

START_TEST(choice_rejects_sample_above_population)
{
    struct gcv_random rng, untouched;
    struct gcv_error err = {GCV_OK, ""};
    size_t out[4];

    gcv_random_seed(&rng, 3u);
    untouched = rng;
    ck_assert_int_eq(gcv_random_choice(&rng, 3, 4, out, &err), GCV_ERR_INTERNAL);
    ck_assert_str_eq(err.message, "cannot take a sample of 4 from a population of 3 without "
                                  "replacement");
    ck_assert_int_eq(gcv_random_sample_without_replacement(&rng, 2, 3, out, &err),
                     GCV_ERR_INTERNAL);
    ck_assert_uint_eq(gcv_random_next32(&rng), gcv_random_next32(&untouched));
}
END_TEST

static Suite *random_suite(void)
{
    Suite *suite = suite_create("random");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, random_state_matches_numpy);
    tcase_add_test(tc, mt19937_matches_reference_output);
    tcase_add_test(tc, copied_state_repeats_stream);
    tcase_add_test(tc, interval_of_zero_draws_nothing);
    tcase_add_test(tc, choice_rejects_sample_above_population);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(random_suite());
    int n_failed;

    srunner_run_all(runner, CK_NORMAL);
    n_failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return n_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
