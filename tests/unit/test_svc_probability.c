/* Suite "svc_probability": SVC with probability=true against scikit-learn
 * 1.2.1 (fixtures written by
 * tests/unit/fixtures/make_svc_probability_fixtures.py). It compares
 * libsvm's bounded random integers, the Platt parameters of every pair,
 * and predict_proba and predict on held-out rows. It also checks pieces by
 * hand: the sigmoid fit, the pairwise coupling, and predict_proba of a
 * model fitted without probability. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "tests/unit/fixtures/svc_probability_fixtures.h"
#include "worker/estimators/svc.h"
#include "worker/estimators/svc_probability.h"

#define N_CASES (sizeof svcp_cases / sizeof svcp_cases[0])

/* Tolerances against scikit-learn. The folds, the SMO iterates and the
 * sigmoid's Newton steps follow libsvm's, so the only differences come
 * from kernel values computed from norms (see svc.c) in the last digits.
 * These cases agree to 1e-10 relative (Platt) and 1e-12 absolute
 * (probabilities). The bounds below leave a margin for other BLAS
 * builds, whose different rounding could change one SMO iterate near the
 * stopping tolerance. */
#define PLATT_REL_TOL 1e-9
#define PROBA_ABS_TOL 1e-10

static struct gcv_svc_params case_params(const struct svcp_case *fixture)
{
    return (struct gcv_svc_params){
        .C = fixture->C,
        .kernel = fixture->kernel,
        .gamma = fixture->gamma_given ? GCV_SVC_GAMMA_VALUE : GCV_SVC_GAMMA_SCALE,
        .gamma_value = fixture->gamma,
        .degree = fixture->degree,
        .coef0 = 0.0,
        .shrinking = true,
        .tol = 1e-3,
        .cache_size = 200.0,
        .class_weight_balanced = fixture->balanced,
        .max_iter = -1,
        .probability = true,
        .random_state = fixture->random_state,
    };
}

/* The even rows (training) or the odd rows (test) of the case's dataset;
 * index must have room for half the rows, rounded up. */
static struct gcv_rows case_rows(const struct svcp_case *fixture, bool odd, size_t *index)
{
    const size_t n_total = fixture->iris ? SVCP_IRIS_ROWS : SVCP_CANCER_ROWS;
    struct gcv_rows rows = {
        .X = fixture->iris ? svcp_iris_X : svcp_cancer_X,
        .n_features = fixture->iris ? SVCP_IRIS_FEATURES : SVCP_CANCER_FEATURES,
        .index = index,
        .y_class = fixture->iris ? svcp_iris_y : svcp_cancer_y,
        .n_classes = fixture->iris ? SVCP_IRIS_CLASSES : SVCP_CANCER_CLASSES,
    };

    for (size_t r = odd ? 1 : 0; r < n_total; r += 2)
        index[rows.n_rows++] = r;
    return rows;
}

static bool close_to(double got, double want, double rel, double abs_floor)
{
    return fabs(got - want) <= rel * fabs(want) + abs_floor;
}

/* ----- against scikit-learn ---------------------------------------------- */

START_TEST(bounded_rand_int_matches_sklearn_generator)
{
    struct gcv_svc_rng rng;
    uint32_t seeded = 0;
    bool first = true;

    for (size_t k = 0; k < sizeof svcp_draws / sizeof svcp_draws[0]; k++) {
        if (first || svcp_draws[k].seed != seeded) {
            gcv_svc_rng_seed(&rng, svcp_draws[k].seed);
            seeded = svcp_draws[k].seed;
            first = false;
        }
        const uint32_t got = gcv_svc_rng_bounded(&rng, svcp_draws[k].range);
        ck_assert_msg(got == svcp_draws[k].value, "seed %u range %u: got %u, want %u",
                      svcp_draws[k].seed, svcp_draws[k].range, got, svcp_draws[k].value);
    }
}
END_TEST

START_TEST(libsvm_seed_is_first_randint_of_random_state)
{
    /* numpy 1.24: np.random.RandomState(0).randint(np.iinfo("i").max). */
    ck_assert_uint_eq(gcv_svc_rng_libsvm_seed(0), 209652396u);
}
END_TEST

START_TEST(platt_parameters_match_sklearn)
{
    const struct svcp_case *fixture = &svcp_cases[_i];
    const struct gcv_svc_params params = case_params(fixture);
    size_t index[SVCP_CANCER_ROWS];
    const struct gcv_rows train = case_rows(fixture, false, index);
    struct gcv_error err = {0};
    struct gcv_svc_model *model = NULL;

    ck_assert_msg(gcv_svc_ops.fit(&params, &train, (void **)&model, &err) == GCV_OK,
                  "%s: fit failed: %s", fixture->name, err.message);
    ck_assert_ptr_nonnull(model->prob_a);
    ck_assert_uint_eq(gcv_svc_n_pairs(model), fixture->n_pairs);
    for (size_t p = 0; p < fixture->n_pairs; p++) {
        ck_assert_msg(close_to(model->prob_a[p], fixture->prob_a[p], PLATT_REL_TOL, 1e-12),
                      "%s: probA[%zu] = %.17g, want %.17g", fixture->name, p, model->prob_a[p],
                      fixture->prob_a[p]);
        ck_assert_msg(close_to(model->prob_b[p], fixture->prob_b[p], PLATT_REL_TOL, 1e-9),
                      "%s: probB[%zu] = %.17g, want %.17g", fixture->name, p, model->prob_b[p],
                      fixture->prob_b[p]);
    }
    gcv_svc_ops.model_free(model);
}
END_TEST

START_TEST(predict_proba_matches_sklearn_on_held_out_rows)
{
    const struct svcp_case *fixture = &svcp_cases[_i];
    const struct gcv_svc_params params = case_params(fixture);
    size_t train_index[SVCP_CANCER_ROWS], test_index[SVCP_CANCER_ROWS];
    const struct gcv_rows train = case_rows(fixture, false, train_index);
    const struct gcv_rows test = case_rows(fixture, true, test_index);
    const size_t k = train.n_classes;
    double *proba = malloc(test.n_rows * k * sizeof *proba);
    double *predicted = malloc(test.n_rows * sizeof *predicted);
    int32_t classes[3];
    size_t n_classes = 0;
    struct gcv_error err = {0};
    void *model = NULL;

    ck_assert_int_eq(gcv_svc_ops.fit(&params, &train, &model, &err), GCV_OK);
    ck_assert_int_eq(gcv_svc_ops.predict_proba(model, &test, proba, classes, &n_classes, &err),
                     GCV_OK);
    ck_assert_int_eq(gcv_svc_ops.predict(model, &test, predicted, &err), GCV_OK);
    ck_assert_uint_eq(test.n_rows, fixture->n_test);
    ck_assert_uint_eq(n_classes, k);
    for (size_t c = 0; c < k; c++)
        ck_assert_int_eq(classes[c], (int32_t)c);
    for (size_t i = 0; i < test.n_rows * k; i++)
        ck_assert_msg(close_to(proba[i], fixture->proba[i], 0, PROBA_ABS_TOL),
                      "%s: proba[%zu][%zu] = %.17g, want %.17g", fixture->name, i / k, i % k,
                      proba[i], fixture->proba[i]);
    /* predict votes on the decision values, not on the probabilities. */
    for (size_t r = 0; r < test.n_rows; r++)
        ck_assert_msg(predicted[r] == fixture->predicted[r], "%s: row %zu predicted %g, want %g",
                      fixture->name, r, predicted[r], fixture->predicted[r]);

    free(proba);
    free(predicted);
    gcv_svc_ops.model_free(model);
}
END_TEST

/* ----- by hand ----------------------------------------------------------- */

START_TEST(sigmoid_fit_on_separable_values_is_steep_and_centred)
{
    /* With symmetric values and classes, the optimum has B = 0 by symmetry
     * because the targets are 3/4 and 1/4 for two rows of each class. A < 0,
     * so that positive values give probabilities above 1/2. */
    const double f[4] = {-2, -1, 1, 2};
    const bool positive[4] = {false, false, true, true};
    double A = 0, B = 0;

    gcv_svc_sigmoid_fit(4, f, positive, &A, &B);
    ck_assert_msg(fabs(B) < 1e-6, "B = %.17g, want 0", B);
    ck_assert_msg(A < 0, "A = %.17g, want < 0", A);
    /* At the optimum the gradient in A, sum_i f_i (t_i - p_i), is zero.
     * With B = 0, p(-f) = 1 - p(f), so the sum is twice
     * 1 (3/4 - p(1)) + 2 (3/4 - p(2)), and p(1) + 2 p(2) = 9/4. The fit
     * stops when the gradient is below 1e-5. */
    const double weighted = gcv_svc_sigmoid_predict(1, A, B) + 2 * gcv_svc_sigmoid_predict(2, A, B);
    ck_assert_msg(fabs(weighted - 2.25) < 1e-5, "p(1) + 2 p(2) = %.17g, want 2.25", weighted);
}
END_TEST

START_TEST(sigmoid_predict_has_no_overflow)
{
    ck_assert_double_eq_tol(gcv_svc_sigmoid_predict(1e6, 1, 0), 0.0, 1e-300);
    ck_assert_double_eq_tol(gcv_svc_sigmoid_predict(-1e6, 1, 0), 1.0, 1e-15);
    ck_assert_double_eq_tol(gcv_svc_sigmoid_predict(0, 1, 0), 0.5, 1e-15);
}
END_TEST

START_TEST(coupling_of_consistent_pairs_returns_their_classes)
{
    /* Pairwise probabilities made from p = (0.5, 0.3, 0.2), r_ij =
     * p_i / (p_i + p_j), make every term of the objective zero, so p is
     * the minimum. The iteration stops within its tolerance 0.005 / 3. */
    const double p_true[3] = {0.5, 0.3, 0.2};
    double r[9], p[3], work[12];

    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 3; j++)
            r[i * 3 + j] = i == j ? 0 : p_true[i] / (p_true[i] + p_true[j]);
    gcv_svc_couple(3, r, p, work);
    for (size_t i = 0; i < 3; i++)
        ck_assert_msg(fabs(p[i] - p_true[i]) < 5e-3, "p[%zu] = %.17g, want %.17g", i, p[i],
                      p_true[i]);
    ck_assert_double_eq_tol(p[0] + p[1] + p[2], 1.0, 1e-12);
}
END_TEST

START_TEST(predict_proba_without_probability_fails_with_hint)
{
    const struct svcp_case *fixture = &svcp_cases[0];
    struct gcv_svc_params params = case_params(fixture);
    size_t index[SVCP_CANCER_ROWS];
    const struct gcv_rows train = case_rows(fixture, false, index);
    double proba[SVCP_IRIS_ROWS * SVCP_IRIS_CLASSES];
    int32_t classes[3];
    size_t n_classes = 0;
    struct gcv_error err = {0};
    void *model = NULL;

    params.probability = false;
    ck_assert_int_eq(gcv_svc_ops.fit(&params, &train, &model, &err), GCV_OK);
    ck_assert_ptr_null(((struct gcv_svc_model *)model)->prob_a);
    ck_assert_int_eq(gcv_svc_ops.predict_proba(model, &train, proba, classes, &n_classes, &err),
                     GCV_ERR_FIT);
    ck_assert_msg(strstr(err.message, "set probability: true") != NULL, "message: %s",
                  err.message);
    gcv_svc_ops.model_free(model);
}
END_TEST

static Suite *svc_probability_suite(void)
{
    Suite *suite = suite_create("svc_probability");
    TCase *sklearn = tcase_create("sklearn");
    TCase *hand = tcase_create("hand");

    tcase_set_timeout(sklearn, 60);
    tcase_add_test(sklearn, bounded_rand_int_matches_sklearn_generator);
    tcase_add_test(sklearn, libsvm_seed_is_first_randint_of_random_state);
    tcase_add_loop_test(sklearn, platt_parameters_match_sklearn, 0, (int)N_CASES);
    tcase_add_loop_test(sklearn, predict_proba_matches_sklearn_on_held_out_rows, 0, (int)N_CASES);
    suite_add_tcase(suite, sklearn);

    tcase_add_test(hand, sigmoid_fit_on_separable_values_is_steep_and_centred);
    tcase_add_test(hand, sigmoid_predict_has_no_overflow);
    tcase_add_test(hand, coupling_of_consistent_pairs_returns_their_classes);
    tcase_add_test(hand, predict_proba_without_probability_fails_with_hint);
    suite_add_tcase(suite, hand);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(svc_probability_suite());
    int failed;

    gcv_log_threshold = GCV_LOG_ERROR;
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
