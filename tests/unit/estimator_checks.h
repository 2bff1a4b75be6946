/* Helpers shared by the estimator suites: parameter values, one-parameter
 * parsing, views of the fixture datasets and tolerance checks. Every
 * function is static, so each suite compiles its own copy. */
#ifndef GCV_ESTIMATOR_CHECKS_H
#define GCV_ESTIMATOR_CHECKS_H

#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/param.h"
#include "tests/unit/fixtures/dataset_fixtures.h"
#include "worker/estimator.h"

/* The location the parameter checks quote in their messages. */
static const char checks_where[] = "param_grid[0].x[2], line 9 column 14";

static inline struct gcv_value int_value(long long x)
{
    return (struct gcv_value){.kind = GCV_VALUE_INT, .integer = x, .real = (double)x};
}

static inline struct gcv_value real_value(double x)
{
    return (struct gcv_value){.kind = GCV_VALUE_REAL, .real = x};
}

static inline struct gcv_value string_value(const char *text)
{
    return (struct gcv_value){.kind = GCV_VALUE_STRING, .string = (char *)text};
}

static inline struct gcv_value bool_value(bool b)
{
    return (struct gcv_value){.kind = GCV_VALUE_BOOL, .boolean = b};
}

static inline struct gcv_value null_value(void)
{
    return (struct gcv_value){.kind = GCV_VALUE_NULL};
}

/* Parses the one-item set {name: value}, located at checks_where, with
 * estimator. On success the parsed struct is returned (free it with
 * estimator->params_free); on failure NULL, with the status in *status. */
static inline void *parse_one(const struct gcv_estimator_ops *estimator, const char *name,
                              struct gcv_value value, enum gcv_status *status,
                              struct gcv_error *err)
{
    struct gcv_param item = {.name = (char *)name, .value = value, .where = (char *)checks_where};
    const struct gcv_param_set set = {.items = &item, .count = 1};
    void *parsed = NULL;

    *status = gcv_estimator_params_parse(estimator, &set, &parsed, err);
    if (*status != GCV_OK)
        ck_assert_ptr_null(parsed);
    return parsed;
}

/* Parses no parameters: the estimator's defaults. */
static inline void *parse_defaults(const struct gcv_estimator_ops *estimator)
{
    const struct gcv_param_set empty = {.items = NULL, .count = 0};
    struct gcv_error err = {0};
    void *parsed = NULL;

    ck_assert_int_eq(gcv_estimator_params_parse(estimator, &empty, &parsed, &err), GCV_OK);
    return parsed;
}

/* |got - want| <= rel |want| + abs_floor. */
static inline bool close_to(double got, double want, double rel, double abs_floor)
{
    return fabs(got - want) <= rel * fabs(want) + abs_floor;
}

/* The rows index[n] of the diabetes data, with its targets. */
static inline struct gcv_rows diabetes_rows(const size_t *index, size_t n)
{
    return (struct gcv_rows){
        .X = diabetes_X,
        .n_features = DIABETES_FEATURES,
        .index = index,
        .n_rows = n,
        .y_value = diabetes_y,
    };
}

/* The rows index[n] of a classification dataset of the fixtures: "wine",
 * "cancer" or "digits". */
static inline struct gcv_rows class_rows(const char *dataset, const size_t *index, size_t n)
{
    struct gcv_rows rows = {.index = index, .n_rows = n};

    if (dataset[0] == 'w') {
        rows.X = wine_X;
        rows.n_features = WINE_FEATURES;
        rows.y_class = wine_y;
        rows.n_classes = WINE_CLASSES;
    } else if (dataset[0] == 'c') {
        rows.X = cancer_X;
        rows.n_features = CANCER_FEATURES;
        rows.y_class = cancer_y;
        rows.n_classes = CANCER_CLASSES;
    } else {
        rows.X = digits_X;
        rows.n_features = DIGITS_FEATURES;
        rows.y_class = digits_y;
        rows.n_classes = DIGITS_CLASSES;
    }
    return rows;
}

/* Runs suite and returns the process exit status. */
static inline int run_suite(Suite *suite)
{
    SRunner *runner = srunner_create(suite);
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
