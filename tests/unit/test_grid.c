/* Suite "grid": expansion of grid objects into candidates in the order of
 * scikit-learn's ParameterGrid, and the param_<name> columns in the order
 * cv_results_ lists them, against the fixtures written by
 * tests/unit/fixtures/make_grid_fixtures.py. */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/grid.h"
#include "tests/unit/fixtures/grid_fixtures.h"
#include "tests/unit/fixtures/sampler_fixtures.h"

#define N_GRID_CASES (sizeof grid_cases / sizeof grid_cases[0])

/* Builds grid objects that borrow a fixture's names and values. Only the
 * object and axis arrays are allocated, and free_objects frees them. */
static struct gcv_grid_object *build_objects(const struct grid_fixture_case *fx)
{
    struct gcv_grid_object *objects = calloc(fx->n_objects, sizeof *objects);

    ck_assert_ptr_nonnull(objects);
    for (size_t k = 0; k < fx->n_objects; k++) {
        const struct grid_fixture_object *source = &fx->objects[k];

        objects[k].n_axes = source->n_axes;
        objects[k].axes = calloc(source->n_axes + 1, sizeof *objects[k].axes);
        ck_assert_ptr_nonnull(objects[k].axes);
        for (size_t a = 0; a < source->n_axes; a++) {
            objects[k].axes[a].name = (char *)source->axes[a].name;
            objects[k].axes[a].values = source->axes[a].values;
            objects[k].axes[a].n_values = source->axes[a].n_values;
        }
    }
    return objects;
}

static void free_objects(struct gcv_grid_object *objects, size_t n_objects)
{
    for (size_t k = 0; k < n_objects; k++)
        free(objects[k].axes);
    free(objects);
}

/* Checks every candidate of grid against the fixture, parameter by
 * parameter in order. */
static void check_candidates(const struct grid_fixture_case *fx, const struct gcv_grid *grid)
{
    size_t next = 0;

    ck_assert_msg(grid->n_candidates == fx->n_candidates, "%s: %zu candidates, scikit-learn has %zu",
                  fx->name, grid->n_candidates, fx->n_candidates);
    for (size_t c = 0; c < fx->n_candidates; c++) {
        const struct gcv_param_set *set = &grid->candidates[c];

        ck_assert_msg(set->count == fx->sizes[c], "%s: candidate %zu has %zu parameters, "
                      "scikit-learn has %zu", fx->name, c, set->count, fx->sizes[c]);
        for (size_t i = 0; i < set->count; i++, next++) {
            const struct grid_fixture_param *expected = &fx->params[next];
            char got[64], want[64];

            gcv_value_format_python(&set->items[i].value, got, sizeof got);
            gcv_value_format_python(&expected->value, want, sizeof want);
            ck_assert_msg(strcmp(set->items[i].name, expected->name) == 0,
                          "%s: candidate %zu parameter %zu is %s, scikit-learn has %s", fx->name,
                          c, i, set->items[i].name, expected->name);
            ck_assert_msg(gcv_value_equal(&set->items[i].value, &expected->value),
                          "%s: candidate %zu %s=%s, scikit-learn has %s", fx->name, c,
                          expected->name, got, want);
        }
    }
}

static void check_columns(const struct grid_fixture_case *fx, const struct gcv_grid *grid)
{
    ck_assert_msg(grid->n_param_names == fx->n_columns, "%s: %zu param columns, cv_results_ "
                  "has %zu", fx->name, grid->n_param_names, fx->n_columns);
    for (size_t p = 0; p < fx->n_columns; p++)
        ck_assert_msg(strcmp(grid->param_names[p], fx->columns[p]) == 0,
                      "%s: param column %zu is param_%s, cv_results_ has param_%s", fx->name, p,
                      grid->param_names[p], fx->columns[p]);
}

/* Checks fixture case _i, the loop test's index. */
START_TEST(expansion_matches_parameter_grid)
{
    const struct grid_fixture_case *fx = &grid_cases[_i];
    struct gcv_grid_object *objects = build_objects(fx);
    struct gcv_grid grid;
    struct gcv_error err = {GCV_OK, ""};

    ck_assert_msg(gcv_grid_expand(objects, fx->n_objects, &grid, &err) == GCV_OK, "%s: %s",
                  fx->name, err.message);
    check_candidates(fx, &grid);
    check_columns(fx, &grid);

    gcv_grid_free(&grid);
    free_objects(objects, fx->n_objects);
}
END_TEST

/* Expansion sorts its own array of axis pointers, so the objects keep the
 * spec's key order. */
START_TEST(expansion_leaves_objects_unchanged)
{
    const struct grid_fixture_case *fx = &grid_cases[1];
    struct gcv_grid_object *objects = build_objects(fx);
    struct gcv_grid grid;
    struct gcv_error err = {GCV_OK, ""};

    ck_assert_str_eq(fx->name, "keys given unsorted");
    ck_assert_int_eq(gcv_grid_expand(objects, fx->n_objects, &grid, &err), GCV_OK);
    for (size_t a = 0; a < fx->objects[0].n_axes; a++) {
        ck_assert_str_eq(objects[0].axes[a].name, fx->objects[0].axes[a].name);
        ck_assert_ptr_eq(objects[0].axes[a].values, fx->objects[0].axes[a].values);
    }
    gcv_grid_free(&grid);
    free_objects(objects, fx->n_objects);
}
END_TEST

/* Each candidate value keeps the spec location of the value it came from,
 * so an estimator's error can point at it. */
START_TEST(expansion_copies_value_locations)
{
    struct gcv_value c_values[2] = {{.kind = GCV_VALUE_INT, .integer = 1, .real = 1.0},
                                    {.kind = GCV_VALUE_INT, .integer = 10, .real = 10.0}};
    struct gcv_value kernel_values[1] = {{.kind = GCV_VALUE_STRING, .string = (char *)"rbf"}};
    char *c_where[2] = {(char *)"param_grid.C[0] (line 3 column 10)",
                        (char *)"param_grid.C[1] (line 3 column 13)"};
    struct gcv_grid_axis axes[2] = {
        {.name = (char *)"kernel", .values = kernel_values, .n_values = 1},
        {.name = (char *)"C", .values = c_values, .where = c_where, .n_values = 2},
    };
    struct gcv_grid_object object = {axes, 2};
    struct gcv_grid grid;
    struct gcv_error err = {GCV_OK, ""};

    ck_assert_int_eq(gcv_grid_expand(&object, 1, &grid, &err), GCV_OK);
    ck_assert_uint_eq(grid.n_candidates, 2);
    ck_assert_str_eq(grid.candidates[0].items[0].name, "C");
    ck_assert_str_eq(grid.candidates[0].items[0].where, c_where[0]);
    ck_assert_ptr_ne(grid.candidates[0].items[0].where, c_where[0]);
    ck_assert_str_eq(grid.candidates[1].items[0].where, c_where[1]);
    ck_assert_ptr_null(grid.candidates[0].items[1].where);
    gcv_grid_free(&grid);
}
END_TEST

START_TEST(expansion_rejects_no_objects)
{
    struct gcv_grid grid;
    struct gcv_error err = {GCV_OK, ""};

    ck_assert_int_eq(gcv_grid_expand(NULL, 0, &grid, &err), GCV_ERR_SPEC);
    ck_assert_int_eq(err.status, GCV_ERR_SPEC);
    ck_assert_ptr_nonnull(strstr(err.message, "no candidates"));
    ck_assert_uint_eq(grid.n_candidates, 0);
    ck_assert_ptr_null(grid.candidates);
    ck_assert_ptr_null(grid.param_names);
}
END_TEST

/* The candidates of an object are the product of its list lengths, so an
 * object with an empty list adds none (the spec parser rejects empty
 * lists before this, as ParameterGrid does), and its names no column. */
START_TEST(empty_list_adds_no_candidates)
{
    struct gcv_value one = {.kind = GCV_VALUE_INT, .integer = 1, .real = 1.0};
    struct gcv_grid_axis empty_axis = {.name = (char *)"gamma"};
    struct gcv_grid_axis c_axis = {.name = (char *)"C", .values = &one, .n_values = 1};
    struct gcv_grid_object objects[2] = {{&empty_axis, 1}, {&c_axis, 1}};
    struct gcv_grid grid;
    struct gcv_error err = {GCV_OK, ""};

    ck_assert_int_eq(gcv_grid_expand(objects, 2, &grid, &err), GCV_OK);
    ck_assert_uint_eq(grid.n_candidates, 1);
    ck_assert_uint_eq(grid.n_param_names, 1);
    ck_assert_str_eq(grid.param_names[0], "C");
    gcv_grid_free(&grid);

    ck_assert_int_eq(gcv_grid_expand(objects, 1, &grid, &err), GCV_ERR_SPEC);
}
END_TEST

START_TEST(grid_free_accepts_null_and_empty)
{
    struct gcv_grid grid;
    struct gcv_grid_object object;

    memset(&grid, 0, sizeof grid);
    memset(&object, 0, sizeof object);
    gcv_grid_free(NULL);
    gcv_grid_free(&grid);
    gcv_grid_object_free(NULL);
    gcv_grid_object_free(&object);
    ck_assert_uint_eq(grid.n_candidates, 0);
    ck_assert_uint_eq(object.n_axes, 0);
}
END_TEST

/* gcv_grid_object_free releases what the spec parser allocates: names,
 * values, strings and locations. Only valgrind or ASan would show a leak,
 * so the test checks that the object is zeroed. */
START_TEST(grid_object_free_releases_axes)
{
    struct gcv_grid_object object;

    object.n_axes = 1;
    object.axes = calloc(1, sizeof *object.axes);
    ck_assert_ptr_nonnull(object.axes);
    object.axes[0].name = strdup("kernel");
    object.axes[0].values = calloc(1, sizeof *object.axes[0].values);
    object.axes[0].where = calloc(1, sizeof *object.axes[0].where);
    ck_assert_ptr_nonnull(object.axes[0].values);
    ck_assert_ptr_nonnull(object.axes[0].where);
    object.axes[0].values[0].kind = GCV_VALUE_STRING;
    object.axes[0].values[0].string = strdup("rbf");
    object.axes[0].where[0] = strdup("param_grid.kernel[0]");
    object.axes[0].n_values = 1;

    gcv_grid_object_free(&object);
    ck_assert_ptr_null(object.axes);
    ck_assert_uint_eq(object.n_axes, 0);
}
END_TEST

/* Builds grid objects from a sampler fixture's param_distributions. */
static struct gcv_grid_object *sampler_objects(const struct sampler_fixture *fx)
{
    struct gcv_grid_object *objects = calloc(fx->n_objects, sizeof *objects);

    ck_assert_ptr_nonnull(objects);
    for (size_t o = 0; o < fx->n_objects; o++) {
        const struct sampler_object *source = &fx->objects[o];

        objects[o].axes = calloc(source->n_axes + 1, sizeof *objects[o].axes);
        ck_assert_ptr_nonnull(objects[o].axes);
        objects[o].n_axes = source->n_axes;
        for (size_t a = 0; a < source->n_axes; a++) {
            const struct sampler_axis *in = &source->axes[a];
            struct gcv_grid_axis *axis = &objects[o].axes[a];

            axis->name = strdup(in->name);
            axis->distribution = in->distribution;
            axis->arguments[0] = in->arguments[0];
            axis->arguments[1] = in->arguments[1];
            axis->bounds[0] = in->bounds[0];
            axis->bounds[1] = in->bounds[1];
            axis->values = calloc(in->n_values + 1, sizeof *axis->values);
            ck_assert_ptr_nonnull(axis->values);
            for (size_t v = 0; v < in->n_values; v++) {
                axis->values[v].kind = in->values[v].kind;
                axis->values[v].boolean = in->values[v].integer != 0;
                axis->values[v].integer = in->values[v].integer;
                axis->values[v].real = in->values[v].real;
                if (in->values[v].string != NULL)
                    axis->values[v].string = strdup(in->values[v].string);
            }
            axis->n_values = in->n_values;
        }
    }
    return objects;
}

/* Every fixture: the candidates, their keys and values in ParameterSampler's
 * order, and the cv_results columns in order of first appearance. */
START_TEST(sampling_matches_parameter_sampler)
{
    for (size_t f = 0; f < sizeof sampler_fixtures / sizeof sampler_fixtures[0]; f++) {
        const struct sampler_fixture *fx = &sampler_fixtures[f];
        struct gcv_grid_object *objects = sampler_objects(fx);
        struct gcv_grid grid;
        struct gcv_error err = {GCV_OK, ""};
        size_t n_names = 0;

        ck_assert_msg(gcv_grid_sample(objects, fx->n_objects, fx->n_iter, fx->random_state,
                                      &grid, &err) == GCV_OK, "%s: %s", fx->name, err.message);
        ck_assert_msg(grid.n_candidates == fx->n_candidates, "%s: %zu candidates, expected %zu",
                      fx->name, grid.n_candidates, fx->n_candidates);
        for (size_t c = 0; c < fx->n_candidates; c++) {
            const struct sampler_candidate *expected = &fx->candidates[c];
            const struct gcv_param_set *actual = &grid.candidates[c];

            ck_assert_msg(actual->count == expected->n_items, "%s: candidate %zu has %zu keys",
                          fx->name, c, actual->count);
            for (size_t k = 0; k < expected->n_items; k++) {
                const struct gcv_value *value = &actual->items[k].value;
                const struct sampler_value *want = &expected->values[k];

                ck_assert_msg(strcmp(actual->items[k].name, expected->names[k]) == 0,
                              "%s: candidate %zu key %zu is %s, expected %s", fx->name, c, k,
                              actual->items[k].name, expected->names[k]);
                ck_assert_msg(value->kind == want->kind, "%s: candidate %zu %s has kind %d",
                              fx->name, c, expected->names[k], (int)value->kind);
                if (want->kind == GCV_VALUE_REAL)
                    ck_assert_msg(memcmp(&value->real, &want->real, sizeof want->real) == 0,
                                  "%s: candidate %zu %s is %a, expected %a", fx->name, c,
                                  expected->names[k], value->real, want->real);
                if (want->kind == GCV_VALUE_INT)
                    ck_assert_msg(value->integer == want->integer,
                                  "%s: candidate %zu %s is %lld, expected %lld", fx->name, c,
                                  expected->names[k], value->integer, want->integer);
                if (want->kind == GCV_VALUE_BOOL)
                    ck_assert_int_eq(value->boolean, want->integer != 0);
                if (want->kind == GCV_VALUE_STRING)
                    ck_assert_str_eq(value->string, want->string);
            }
        }

        /* Columns: each name once, in order of first appearance. */
        for (size_t c = 0; c < fx->n_candidates; c++)
            for (size_t k = 0; k < fx->candidates[c].n_items; k++) {
                bool seen = false;

                for (size_t e = 0; e < c && !seen; e++)
                    for (size_t j = 0; j < fx->candidates[e].n_items; j++)
                        seen = seen || strcmp(fx->candidates[e].names[j],
                                              fx->candidates[c].names[k]) == 0;
                for (size_t j = 0; j < k; j++)
                    seen = seen || strcmp(fx->candidates[c].names[j],
                                          fx->candidates[c].names[k]) == 0;
                if (seen)
                    continue;
                ck_assert_uint_lt(n_names, grid.n_param_names);
                ck_assert_str_eq(grid.param_names[n_names], fx->candidates[c].names[k]);
                n_names++;
            }
        ck_assert_uint_eq(grid.n_param_names, n_names);

        gcv_grid_free(&grid);
        for (size_t o = 0; o < fx->n_objects; o++)
            gcv_grid_object_free(&objects[o]);
        free(objects);
    }
}
END_TEST

START_TEST(sampling_rejects_zero_iterations)
{
    struct gcv_grid_object object = {NULL, 0};
    struct gcv_grid grid;
    struct gcv_error err = {GCV_OK, ""};

    ck_assert_int_eq(gcv_grid_sample(&object, 1, 0, 0, &grid, &err), GCV_ERR_SPEC);
    ck_assert_ptr_null(grid.candidates);
}
END_TEST

/* The memory limit of the tests below: 1 GiB per rank, half of a machine
 * of 2 GiB with one rank, whatever the memory of the machine that runs
 * them. */
#define TEST_MACHINE_BYTES ((size_t)2 << 30)

START_TEST(memory_check_counts_a_small_list_grid)
{
    struct gcv_value values[2] = {{.kind = GCV_VALUE_INT, .integer = 1, .real = 1},
                                  {.kind = GCV_VALUE_INT, .integer = 2, .real = 2}};
    struct gcv_grid_axis axes[2] = {
        {.name = "a", .values = values, .n_values = 2, .distribution = GCV_DIST_LIST},
        {.name = "b", .values = values, .n_values = 2, .distribution = GCV_DIST_LIST},
    };
    struct gcv_grid_object object = {axes, 2};
    struct gcv_grid grid;
    struct gcv_error err = {GCV_OK, ""};

    /* Two billion draws from a grid of 4 candidates give those 4. */
    gcv_grid_set_memory_limit(TEST_MACHINE_BYTES, 1);
    ck_assert_int_eq(gcv_grid_check_sample_memory(&object, 1, 2000000000u, &err), GCV_OK);
    ck_assert_int_eq(gcv_grid_sample(&object, 1, 2000000000u, 0, &grid, &err), GCV_OK);
    ck_assert_uint_eq(grid.n_candidates, 4);
    gcv_grid_free(&grid);
    gcv_grid_set_memory_limit(0, 1);
}
END_TEST

START_TEST(memory_check_refuses_draws_beyond_limit)
{
    struct gcv_grid_axis axis = {.name = "a", .distribution = GCV_DIST_UNIFORM,
                                 .arguments = {0, 1}};
    struct gcv_grid_object object = {&axis, 1};
    struct gcv_grid grid;
    struct gcv_error err = {GCV_OK, ""};

    /* 100 million draws of one value take over 10 GiB. */
    gcv_grid_set_memory_limit(TEST_MACHINE_BYTES, 1);
    ck_assert_int_eq(gcv_grid_check_sample_memory(&object, 1, 100000000u, &err), GCV_ERR_SPEC);
    ck_assert_msg(strstr(err.message, "100000000 candidates would take about") != NULL,
                  "message: %s", err.message);
    ck_assert_msg(strstr(err.message, "above the limit of 1.00 GiB per rank") != NULL,
                  "message: %s", err.message);
    err = (struct gcv_error){GCV_OK, ""};
    ck_assert_int_eq(gcv_grid_sample(&object, 1, 100000000u, 0, &grid, &err), GCV_ERR_SPEC);
    ck_assert_ptr_null(grid.candidates);
    ck_assert_int_eq(gcv_grid_check_sample_memory(&object, 1, 1000, &err), GCV_OK);
    gcv_grid_set_memory_limit(0, 1);
}
END_TEST

START_TEST(memory_check_divides_limit_among_ranks)
{
    struct gcv_grid_axis axis = {.name = "a", .distribution = GCV_DIST_UNIFORM,
                                 .arguments = {0, 1}};
    struct gcv_grid_object object = {&axis, 1};
    struct gcv_error err = {GCV_OK, ""};

    /* 2 million draws take a few hundred MiB: within 1 GiB for one rank,
     * beyond the 1/8 GiB of each of 8 ranks. */
    gcv_grid_set_memory_limit(TEST_MACHINE_BYTES, 1);
    ck_assert_int_eq(gcv_grid_check_sample_memory(&object, 1, 2000000u, &err), GCV_OK);
    gcv_grid_set_memory_limit(TEST_MACHINE_BYTES, 8);
    ck_assert_int_eq(gcv_grid_check_sample_memory(&object, 1, 2000000u, &err), GCV_ERR_SPEC);
    ck_assert_msg(strstr(err.message, "shared by 8 ranks") != NULL, "message: %s",
                  err.message);
    gcv_grid_set_memory_limit(0, 1);
}
END_TEST

START_TEST(memory_check_refuses_large_grid)
{
    static const char *const names[3] = {"a", "b", "c"};
    struct gcv_value values[1000];
    struct gcv_grid_axis axes[3];
    struct gcv_grid_object object = {axes, 3};
    struct gcv_grid grid;
    struct gcv_error err = {GCV_OK, ""};

    /* 10^9 candidates of three values, checked before any is built. */
    for (size_t v = 0; v < 1000; v++)
        values[v] = (struct gcv_value){.kind = GCV_VALUE_INT, .integer = (long long)v,
                                       .real = (double)v};
    for (size_t k = 0; k < 3; k++)
        axes[k] = (struct gcv_grid_axis){.name = (char *)names[k], .values = values,
                                         .n_values = 1000, .distribution = GCV_DIST_LIST};
    gcv_grid_set_memory_limit(TEST_MACHINE_BYTES, 1);
    ck_assert_int_eq(gcv_grid_expand(&object, 1, &grid, &err), GCV_ERR_SPEC);
    ck_assert_msg(strstr(err.message, "the grid's 1000000000 candidates would take about") !=
                  NULL, "message: %s", err.message);
    ck_assert_ptr_null(grid.candidates);
    gcv_grid_set_memory_limit(0, 1);
}
END_TEST

static Suite *grid_suite(void)
{
    Suite *suite = suite_create("grid");
    TCase *tc = tcase_create("core");

    tcase_add_loop_test(tc, expansion_matches_parameter_grid, 0, (int)N_GRID_CASES);
    tcase_add_test(tc, expansion_leaves_objects_unchanged);
    tcase_add_test(tc, expansion_copies_value_locations);
    tcase_add_test(tc, expansion_rejects_no_objects);
    tcase_add_test(tc, empty_list_adds_no_candidates);
    tcase_add_test(tc, grid_free_accepts_null_and_empty);
    tcase_add_test(tc, grid_object_free_releases_axes);
    tcase_add_test(tc, sampling_matches_parameter_sampler);
    tcase_add_test(tc, sampling_rejects_zero_iterations);
    tcase_add_test(tc, memory_check_counts_a_small_list_grid);
    tcase_add_test(tc, memory_check_refuses_draws_beyond_limit);
    tcase_add_test(tc, memory_check_divides_limit_among_ranks);
    tcase_add_test(tc, memory_check_refuses_large_grid);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(grid_suite());
    int n_failed;

    srunner_run_all(runner, CK_NORMAL);
    n_failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return n_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
