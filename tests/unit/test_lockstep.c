/* Suite "lockstep": fits run in lockstep (worker/estimators/lockstep.h)
 * give the results of the same fits alone. The products of members that
 * post different widths and leave at different evaluations, over several
 * blocks of rows, are compared with one dgemm each. LogisticRegression's
 * fit_batch, alone and as a pipeline's final step, is compared with its
 * fit on the digits, wine and breast cancer fixtures, multinomial and
 * one-vs-rest.
 *
 * OpenBLAS may compute a column with another kernel when it sits at
 * another place of a wider product (its edge kernels handle the columns
 * left over from its 4- or 8-wide blocks), so the comparisons allow
 * rounding: 1e-13 of the sum of |terms| for one product, and for the fits
 * COEF_REL_TOL of the largest coefficient (COEF_REL_TOL_100 after 100
 * iterations on digits). */
#include <cblas.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/estimator_checks.h"
#include "worker/estimators/lockstep.h"
#include "worker/estimators/logistic.h"
#include "worker/estimators/pipeline.h"

/* ----- the products ------------------------------------------------------ */

/* Rounding of a fit differs by about 1e-16 per product and grows over
 * the iterations; 30 L-BFGS iterations on these data sets keep it far
 * below this (test_logistic.c measures 1e-7 relative after 100
 * iterations on badly conditioned data). */
#define COEF_REL_TOL 1e-6

/* After 100 iterations on the unscaled digits, where OpenBLAS's
 * small-matrix kernels (AVX-512 machines) compute the product of a fit
 * alone in another order than the wider product of the batch: the
 * largest difference seen was 2.9e-5 of the largest coefficient (C =
 * 0.01, AMD EPYC, OpenBLAS 0.3.21), and below 1e-7 for the other values
 * of C. With AVX2 kernels every bit was the same. */
#define COEF_REL_TOL_100 1e-3

/* 1 000 features allow blocks of at most 196 rows
 * (GCV_LOCKSTEP_BLOCK_BYTES), so an evaluation of 450 rows runs over
 * three blocks: 144 and 152 rows, multiples of 8, and the last 154. */
#define ROWS 450
#define COLS 1000
#define MEMBERS 5
#define BLOCK_ROWS (GCV_LOCKSTEP_BLOCK_BYTES / (COLS * sizeof(double)))
#define BLOCKS ((ROWS + BLOCK_ROWS - 1) / BLOCK_ROWS)

/* A pseudo-random value in [-1, 1) from a counter (a 64-bit LCG step). */
static double noise(uint64_t i)
{
    i = i * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(i >> 11) / (double)(1ULL << 53) * 2.0 - 1.0;
}

struct product_check {
    struct gcv_lockstep *lockstep;
    const double *X;       /* [ROWS * COLS] */
    size_t mismatches[MEMBERS]; /* values beyond rounding */
    size_t order_errors[MEMBERS]; /* rows function calls out of row order or size */
    size_t rounds[MEMBERS];
};

/* The state of one member's evaluation, for its rows function. */
struct product_round {
    struct product_check *check;
    size_t member;
    size_t k;
    const double *want_product;   /* [ROWS * k] X B from a dgemm of its own */
    const double *product_bound;  /* [ROWS * k] sum of |terms| of each value */
    double *G;                    /* [ROWS * k] the rows written */
    size_t next_row;              /* the first row of the next call */
    size_t calls;
};

/* gcv_lockstep_rows_fn: checks the rows of X B against the member's own
 * dgemm and writes G = X B + member. */
static void product_rows(void *pointer, size_t first, size_t count, double *raw,
                         size_t raw_stride, double *G, size_t G_stride)
{
    struct product_round *round = pointer;
    const size_t k = round->k, m = round->member;

    /* Blocks in row order, of at most BLOCK_ROWS rows (the last up to
     * GCV_LOCKSTEP_BLOCK_ALIGN - 1 more), of near-equal sizes, each but
     * the last a multiple of GCV_LOCKSTEP_BLOCK_ALIGN rows. */
    round->check->order_errors[m] += first != round->next_row;
    round->check->order_errors[m] += count > BLOCK_ROWS + GCV_LOCKSTEP_BLOCK_ALIGN - 1 ||
                                     count + 2 * GCV_LOCKSTEP_BLOCK_ALIGN < ROWS / BLOCKS;
    round->check->order_errors[m] += first + count < ROWS && count % GCV_LOCKSTEP_BLOCK_ALIGN != 0;
    round->next_row = first + count;
    round->calls++;
    for (size_t r = 0; r < count; r++)
        for (size_t c = 0; c < k; c++) {
            const size_t i = (first + r) * k + c;

            round->check->mismatches[m] += fabs(raw[r * raw_stride + c] -
                                                round->want_product[i]) >
                                           1e-13 * round->product_bound[i];
            round->G[i] = raw[r * raw_stride + c] + (double)m;
            G[r * G_stride + c] = round->G[i];
        }
}

/* Member m has m + 1 columns and runs 2 m + 1 evaluations, each checked
 * against dgemm calls of its own: X B in its rows function, X^T G after. */
static void product_member(void *pointer, size_t m)
{
    struct product_check *check = pointer;
    const size_t k = m + 1;
    double B[COLS * MEMBERS], want_product[ROWS * MEMBERS], G[ROWS * MEMBERS];
    double got[COLS * MEMBERS], want[COLS * MEMBERS], bound[COLS * MEMBERS];
    double product_bound[ROWS * MEMBERS];

    for (size_t evaluation = 0; evaluation < 2 * m + 1; evaluation++) {
        struct product_round round = {check, m, k, want_product, product_bound, G, 0, 0};

        for (size_t i = 0; i < COLS * k; i++)
            B[i] = noise(1000 * m + 100 * evaluation + i);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ROWS, (int)k, COLS, 1.0, check->X,
                    COLS, B, (int)k, 0.0, want_product, (int)k);
        for (size_t r = 0; r < ROWS; r++)
            for (size_t c = 0; c < k; c++) {
                product_bound[r * k + c] = 0;
                for (size_t j = 0; j < COLS; j++)
                    product_bound[r * k + c] += fabs(check->X[r * COLS + j] * B[j * k + c]);
            }
        gcv_lockstep_evaluate(check->lockstep, m, B, k, product_rows, &round, got);
        check->order_errors[m] += round.next_row != ROWS || round.calls != BLOCKS;

        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, COLS, (int)k, ROWS, 1.0, check->X,
                    COLS, G, (int)k, 0.0, want, (int)k);
        for (size_t j = 0; j < COLS; j++)
            for (size_t c = 0; c < k; c++) {
                bound[j * k + c] = 0;
                for (size_t r = 0; r < ROWS; r++)
                    bound[j * k + c] += fabs(check->X[r * COLS + j] * G[r * k + c]);
            }
        for (size_t i = 0; i < COLS * k; i++)
            check->mismatches[m] += fabs(got[i] - want[i]) > 1e-13 * bound[i];
        check->rounds[m]++;
    }
}

static void check_products(struct product_check *check, size_t n_members)
{
    for (size_t m = 0; m < n_members; m++) {
        ck_assert_uint_eq(check->rounds[m], 2 * m + 1);
        ck_assert_msg(check->order_errors[m] == 0, "member %zu: %zu evaluations did not cover "
                      "the %d rows in %zu even blocks in order", m, check->order_errors[m], ROWS,
                      (size_t)BLOCKS);
        ck_assert_msg(check->mismatches[m] == 0, "member %zu: %zu values differ from its own "
                      "dgemm beyond rounding", m, check->mismatches[m]);
    }
}

START_TEST(products_match_own_dgemm)
{
    double *X = malloc(ROWS * COLS * sizeof *X);
    struct product_check check = {0};
    struct gcv_error err = {0};

    ck_assert_ptr_nonnull(X);
    ck_assert_uint_gt(BLOCKS, 2);
    for (size_t i = 0; i < ROWS * COLS; i++)
        X[i] = noise(i);
    check.X = X;
    ck_assert_int_eq(gcv_lockstep_create(X, ROWS, COLS, MEMBERS, MEMBERS, &check.lockstep, &err),
                     GCV_OK);
    gcv_lockstep_run(check.lockstep, product_member, &check);
    check_products(&check, MEMBERS);
    gcv_lockstep_free(check.lockstep);
    free(X);
}
END_TEST

START_TEST(one_member_outside_run)
{
    double *X = malloc(ROWS * COLS * sizeof *X);
    struct product_check check = {0};
    struct gcv_error err = {0};

    /* A fit alone calls gcv_lockstep_evaluate from its own thread. */
    ck_assert_ptr_nonnull(X);
    for (size_t i = 0; i < ROWS * COLS; i++)
        X[i] = noise(7 * i + 3);
    check.X = X;
    ck_assert_int_eq(gcv_lockstep_create(X, ROWS, COLS, 1, 1, &check.lockstep, &err), GCV_OK);
    product_member(&check, 0);
    check_products(&check, 1);
    gcv_lockstep_free(check.lockstep);
    free(X);
}
END_TEST

/* ----- LogisticRegression ------------------------------------------------- */

#define N_C 6
static const double grid_C[N_C] = {0.001, 0.01, 0.1, 1.0, 10.0, 100.0};

static void *logistic_params(double C, const char *multi_class, long long max_iter)
{
    struct gcv_param items[3] = {
        {.name = "C", .value = real_value(C), .where = (char *)checks_where},
        {.name = "multi_class", .value = string_value(multi_class),
         .where = (char *)checks_where},
        {.name = "max_iter", .value = int_value(max_iter), .where = (char *)checks_where},
    };
    const struct gcv_param_set set = {.items = items, .count = 3};
    struct gcv_error err = {0};
    void *parsed = NULL;

    ck_assert_int_eq(gcv_estimator_params_parse(&gcv_logistic_ops, &set, &parsed, &err),
                     GCV_OK);
    return parsed;
}

/* Fits the N_C values of C on rows alone and as one batch, and checks
 * that the coefficients and intercepts agree within tolerance times the
 * largest coefficient. */
static void check_batch(const char *dataset, const char *multi_class, long long max_iter,
                        double tolerance)
{
    size_t index[DIGITS_ROWS];
    struct gcv_rows train = class_rows(dataset, index, 0);
    const size_t n_total = train.n_features == WINE_FEATURES     ? WINE_ROWS
                           : train.n_features == CANCER_FEATURES ? CANCER_ROWS
                                                                 : DIGITS_ROWS;
    const void *params[N_C];
    void *batch[N_C];
    enum gcv_status statuses[N_C];
    struct gcv_error errors[N_C], err = {0};

    for (size_t i = 0; i < n_total; i++)
        if (i % 3 != 0)
            index[train.n_rows++] = i;
    for (size_t c = 0; c < N_C; c++)
        params[c] = logistic_params(grid_C[c], multi_class, max_iter);
    ck_assert_int_eq(gcv_logistic_ops.fit_batch(params, N_C, &train, batch, statuses, errors,
                                                &err), GCV_OK);
    for (size_t c = 0; c < N_C; c++) {
        const struct gcv_logistic_model *got = batch[c];
        struct gcv_logistic_model *want = NULL;

        ck_assert_msg(statuses[c] == GCV_OK, "%s C=%g: %s", dataset, grid_C[c],
                      errors[c].message);
        ck_assert_int_eq(gcv_logistic_ops.fit(params[c], &train, (void **)&want, &err), GCV_OK);
        double largest = 0;

        ck_assert_uint_eq(got->n_rows, want->n_rows);
        for (size_t i = 0; i < want->n_rows * want->n_features; i++)
            largest = fmax(largest, fabs(want->coef[i]));
        for (size_t i = 0; i < want->n_rows * want->n_features; i++)
            ck_assert_msg(fabs(got->coef[i] - want->coef[i]) <= tolerance * largest,
                          "%s %s C=%g: batch coefficient %zu is %.17g, alone %.17g", dataset,
                          multi_class, grid_C[c], i, got->coef[i], want->coef[i]);
        for (size_t i = 0; i < want->n_rows; i++)
            ck_assert(fabs(got->intercept[i] - want->intercept[i]) <= tolerance * largest);
        gcv_logistic_ops.model_free(want);
        gcv_logistic_ops.model_free(batch[c]);
        gcv_logistic_ops.params_free((void *)params[c]);
    }
}

START_TEST(multinomial_batch_matches_alone)
{
    /* 10 classes; the larger C stop at max_iter 30, the smaller converge
     * first and leave the lockstep early. */
    check_batch("digits", "auto", 30, COEF_REL_TOL);
}
END_TEST

START_TEST(multinomial_batch_at_max_iter_100)
{
    /* Not on the unscaled wine data: its proline column (hundreds, where
     * the others are near 1) makes rounding differences grow with every
     * iteration, as test_logistic.c describes for breast cancer. The
     * pipeline test below fits wine after StandardScaler. */
    check_batch("digits", "multinomial", 100, COEF_REL_TOL_100);
}
END_TEST

START_TEST(ovr_batch_matches_alone)
{
    /* Binary and one-vs-rest problems run one after the other in the
     * batch, without shared products. */
    check_batch("cancer", "auto", 100, COEF_REL_TOL);
    check_batch("wine", "ovr", 100, COEF_REL_TOL);
}
END_TEST

START_TEST(pipeline_batch_matches_alone)
{
    const struct gcv_estimator_ops *pipeline = NULL;
    size_t index[WINE_ROWS];
    struct gcv_rows train = class_rows("wine", index, 0);
    const void *params[N_C];
    void *batch[N_C];
    enum gcv_status statuses[N_C];
    struct gcv_error errors[N_C], err = {0};
    double got[WINE_ROWS * WINE_CLASSES], want[WINE_ROWS * WINE_CLASSES];
    int32_t classes[WINE_CLASSES];
    size_t n_classes;

    ck_assert_int_eq(gcv_estimator_resolve("make_pipeline(StandardScaler, LogisticRegression)",
                                           &pipeline, &err), GCV_OK);
    ck_assert_ptr_nonnull(pipeline->fit_batch);
    for (size_t i = 0; i < WINE_ROWS; i++)
        if (i % 3 != 0)
            index[train.n_rows++] = i;
    for (size_t c = 0; c < N_C; c++) {
        struct gcv_param item = {.name = "logisticregression__C", .value = real_value(grid_C[c]),
                                 .where = (char *)checks_where};
        const struct gcv_param_set set = {.items = &item, .count = 1};
        void *parsed = NULL;

        ck_assert_int_eq(gcv_estimator_params_parse(pipeline, &set, &parsed, &err), GCV_OK);
        params[c] = parsed;
    }
    ck_assert_int_eq(pipeline->fit_batch(params, N_C, &train, batch, statuses, errors, &err),
                     GCV_OK);
    for (size_t c = 0; c < N_C; c++) {
        void *alone = NULL;

        ck_assert_msg(statuses[c] == GCV_OK, "C=%g: %s", grid_C[c], errors[c].message);
        ck_assert_int_eq(pipeline->fit(params[c], &train, &alone, &err), GCV_OK);
        ck_assert_int_eq(pipeline->predict_proba(batch[c], &train, got, classes, &n_classes,
                                                 &err), GCV_OK);
        ck_assert_int_eq(pipeline->predict_proba(alone, &train, want, classes, &n_classes,
                                                 &err), GCV_OK);
        for (size_t i = 0; i < train.n_rows * n_classes; i++)
            ck_assert_msg(fabs(got[i] - want[i]) <= 1e-9, "C=%g: batch probability %zu is "
                          "%.17g, alone %.17g", grid_C[c], i, got[i], want[i]);
        pipeline->model_free(alone);
        pipeline->model_free(batch[c]);
        pipeline->params_free((void *)params[c]);
    }
}
END_TEST

/* gridcv run gives each rank one OpenBLAS thread unless --blas-threads
 * sets more. With more, OpenBLAS splits a product among its threads by the product's
 * width, and the sums of a batch and of a fit alone may round apart. */
static void one_blas_thread(void)
{
    openblas_set_num_threads(1);
}

static Suite *lockstep_suite(void)
{
    Suite *suite = suite_create("lockstep");
    TCase *products = tcase_create("products");
    TCase *logistic = tcase_create("logistic");

    tcase_add_test(products, products_match_own_dgemm);
    tcase_add_test(products, one_member_outside_run);
    tcase_add_test(logistic, multinomial_batch_matches_alone);
    tcase_add_test(logistic, multinomial_batch_at_max_iter_100);
    tcase_add_test(logistic, ovr_batch_matches_alone);
    tcase_add_test(logistic, pipeline_batch_matches_alone);
    tcase_add_checked_fixture(logistic, one_blas_thread, NULL);
    tcase_set_timeout(logistic, 60);
    suite_add_tcase(suite, products);
    suite_add_tcase(suite, logistic);
    return suite;
}

int main(void)
{
    return run_suite(lockstep_suite());
}
