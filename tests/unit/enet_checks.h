/* The checks test_lasso.c and test_elastic_net.c share: a fixture's fit
 * and predictions against scikit-learn's. */
#ifndef GCV_ENET_CHECKS_H
#define GCV_ENET_CHECKS_H

#include <check.h>

#include "tests/unit/estimator_checks.h"
#include "tests/unit/fixtures/enet_fixtures.h"
#include "worker/estimators/enet.h"

#define ENET_N_TRAIN (sizeof enet_train / sizeof enet_train[0])
#define ENET_N_TEST (sizeof enet_test / sizeof enet_test[0])

/* The sweeps repeat scikit-learn's _cd_fast operation by operation on the
 * same BLAS (axpy, dot, gemv, asum), and the centring uses numpy's
 * pairwise sums, so the iteration counts are equal and the coefficients
 * agree to rounding, even where max_iter cuts the fit short. 1e-10
 * relative to the largest coefficient is far below the solver's
 * tolerance, which bounds the duality gap, not the coefficients. */
#define ENET_REL_TOL 1e-10

static inline struct gcv_enet_model *enet_fit_fixture(const struct gcv_estimator_ops *ops,
                                                      const struct enet_fixture *fixture)
{
    const struct gcv_rows train = diabetes_rows(enet_train, ENET_N_TRAIN);
    struct gcv_error err = {0};
    void *model = NULL;

    ck_assert_msg(ops->fit(&fixture->params, &train, &model, &err) == GCV_OK, "%s: %s",
                  fixture->name, err.message);
    return model;
}

/* Fits fixture with ops and checks the fit and the predictions. */
static inline void check_enet_fixture(const struct gcv_estimator_ops *ops,
                                      const struct enet_fixture *fixture)
{
    struct gcv_enet_model *model = enet_fit_fixture(ops, fixture);
    const struct gcv_rows test = diabetes_rows(enet_test, ENET_N_TEST);
    double predicted[ENET_N_TEST];
    struct gcv_error err = {0};
    double scale = 0;

    ck_assert_msg(model->n_iter == fixture->n_iter, "%s: n_iter %lld, want %lld", fixture->name,
                  model->n_iter, fixture->n_iter);
    ck_assert_msg(model->converged == fixture->converged, "%s: converged %d, want %d",
                  fixture->name, model->converged, fixture->converged);
    ck_assert((ops->fit_warning(model) == NULL) == fixture->converged);
    for (size_t j = 0; j < DIABETES_FEATURES; j++)
        scale = fmax(scale, fabs(fixture->coef[j]));
    for (size_t j = 0; j < DIABETES_FEATURES; j++)
        ck_assert_msg(close_to(model->coef[j], fixture->coef[j], 0, ENET_REL_TOL * scale),
                      "%s: coef[%zu] = %.17g, want %.17g", fixture->name, j, model->coef[j],
                      fixture->coef[j]);
    ck_assert_msg(close_to(model->intercept, fixture->intercept, ENET_REL_TOL, 0),
                  "%s: intercept %.17g, want %.17g", fixture->name, model->intercept,
                  fixture->intercept);
    ck_assert_msg(close_to(model->dual_gap, fixture->dual_gap, 1e-6, 1e-12),
                  "%s: dual_gap %.17g, want %.17g", fixture->name, model->dual_gap,
                  fixture->dual_gap);

    ck_assert_int_eq(ops->predict(model, &test, predicted, &err), GCV_OK);
    for (size_t r = 0; r < ENET_N_TEST; r++)
        ck_assert_msg(close_to(predicted[r], fixture->predicted[r], ENET_REL_TOL, 0),
                      "%s: row %zu predicted %.17g, want %.17g", fixture->name, enet_test[r],
                      predicted[r], fixture->predicted[r]);
    ops->model_free(model);
}

#endif
