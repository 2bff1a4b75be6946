/* The neighbour checks test_knn_classifier.c and test_knn_regressor.c
 * share: a fixture's fit and its kneighbors against scikit-learn's. */
#ifndef GCV_KNN_CHECKS_H
#define GCV_KNN_CHECKS_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/estimator_checks.h"
#include "tests/unit/fixtures/knn_fixtures.h"
#include "worker/estimators/knn.h"

/* Distances agree to rounding: the euclidean ones come from
 * |x|^2 - 2 x.z + |z|^2 as in scikit-learn, with the dot products from
 * another dgemm blocking. */
#define DISTANCE_REL_TOL 1e-12

/* The rows i % 4 != 0 (train) or i % 4 == 0 (test) of a fixture's
 * dataset, the other way round when the fixture is swapped, into index
 * (of DIGITS_ROWS entries at least). */
static inline struct gcv_rows knn_rows(const struct knn_fixture *fixture, bool test,
                                       size_t *index)
{
    const size_t n_rows = fixture->dataset[0] == 'w'   ? WINE_ROWS
                          : fixture->dataset[0] == 'c' ? CANCER_ROWS
                          : fixture->dataset[1] == 'i' && fixture->dataset[2] == 'g'
                              ? DIGITS_ROWS
                              : DIABETES_ROWS;
    size_t n = 0;

    for (size_t i = 0; i < n_rows; i++)
        if ((i % 4 == 0) == (test != fixture->swapped))
            index[n++] = i;
    if (strcmp(fixture->dataset, "diabetes") == 0)
        return diabetes_rows(index, n);
    return class_rows(fixture->dataset, index, n);
}

static inline int compare_positions(const void *a, const void *b)
{
    const size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* Fits fixture with ops and checks kneighbors on the test rows: the same
 * indices in the same order (as sets when scikit-learn used a tree, whose
 * order among equal distances is its own) and the same distances. */
static inline void check_kneighbors(const struct gcv_estimator_ops *ops,
                                    const struct knn_fixture *fixture)
{
    size_t train_index[DIGITS_ROWS], test_index[DIGITS_ROWS];
    const struct gcv_rows train = knn_rows(fixture, false, train_index);
    const struct gcv_rows test = knn_rows(fixture, true, test_index);
    const size_t k = (size_t)fixture->params.n_neighbors;
    size_t *neighbors = malloc(test.n_rows * k * sizeof *neighbors);
    double *distances = malloc(test.n_rows * k * sizeof *distances);
    size_t want[64];
    struct gcv_error err = {0};
    struct gcv_knn_model *model = NULL;

    ck_assert_int_eq(ops->fit(&fixture->params, &train, (void **)&model, &err), GCV_OK);
    ck_assert_int_eq(gcv_neighbors_kneighbors(&model->index, &test, k, neighbors, distances,
                                              ops->name, &err),
                     GCV_OK);
    for (size_t r = 0; r < test.n_rows; r++) {
        size_t *got = neighbors + r * k;

        memcpy(want, fixture->neighbors + r * k, k * sizeof *want);
        if (fixture->tree) {
            qsort(got, k, sizeof *got, compare_positions);
            qsort(want, k, sizeof *want, compare_positions);
        }
        for (size_t h = 0; h < k; h++) {
            ck_assert_msg(got[h] == want[h], "%s: test row %zu neighbour %zu is %zu, want %zu",
                          fixture->name, test_index[r], h, got[h], want[h]);
            ck_assert_msg(fixture->tree || close_to(distances[r * k + h],
                                                    fixture->distances[r * k + h],
                                                    DISTANCE_REL_TOL, 1e-12),
                          "%s: test row %zu distance %zu is %.17g, want %.17g", fixture->name,
                          test_index[r], h, distances[r * k + h], fixture->distances[r * k + h]);
        }
    }
    free(neighbors);
    free(distances);
    ops->model_free(model);
}

#endif
