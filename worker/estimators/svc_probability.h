/* Probability estimates of SVC (probability=true), as scikit-learn 1.2.1's
 * copy of libsvm computes them (sklearn/svm/src/libsvm/svm.cpp:
 * svm_binary_svc_probability, sigmoid_train, sigmoid_predict,
 * multiclass_probability; the generator of sklearn/svm/src/newrand).
 *
 * Fit: for each one-vs-one pair, the pair's rows are shuffled and cut into
 * 5 folds. A C-SVC fitted on 4 folds gives decision values for the fifth.
 * A sigmoid 1 / (1 + exp(A f + B)) is then fitted to those out-of-fold
 * values (Platt 2000, with the Newton method and targets of Lin, Lin and
 * Weng, "A note on Platt's probabilistic outputs for support vector
 * machines", 2007).
 * Predict: each pair's sigmoid gives a pairwise probability, and the class
 * probabilities couple them by the second method of Wu, Lin and Weng,
 * "Probability estimates for multi-class classification by pairwise
 * coupling" (JMLR 2004). scikit-learn's fork couples two classes the same
 * iterative way, so a binary model's probabilities differ from the plain
 * sigmoid by up to the coupling tolerance (0.005 / k). */
#ifndef GCV_SVC_PROBABILITY_H
#define GCV_SVC_PROBABILITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../common/random.h"
#include "../../common/status.h"
#include "../fold_cache.h"
#include "kernel.h"

/* scikit-learn's libsvm generator: std::mt19937 seeded with set_seed. */
struct gcv_svc_rng {
    struct gcv_random mt; /* MT19937 seeded by init_genrand, as std::mt19937::seed */
    uint32_t seed;        /* the seed every libsvm training call restores */
};

/* Seeds rng with libsvm's random_seed. */
void gcv_svc_rng_seed(struct gcv_svc_rng *rng, uint32_t seed);

/* Returns scikit-learn's random_seed for libsvm from the estimator's
 * integer random_state: RandomState(random_state).randint(2147483647). */
uint32_t gcv_svc_rng_libsvm_seed(uint32_t random_state);

/* Draws an integer in [0, range) (range > 0) as bounded_rand_int(range) in
 * scikit-learn's fork of libsvm does, by Lemire's multiply-and-reject method. */
uint32_t gcv_svc_rng_bounded(struct gcv_svc_rng *rng, uint32_t range);

/* Fits the sigmoid P(y = +1 | f) = 1 / (1 + exp(A f + B)) to the decision
 * values f[l] with labels positive[l] (true for +1), as libsvm's
 * sigmoid_train does. It uses the regularised targets (N+ + 1) / (N+ + 2)
 * and 1 / (N- + 2) and Newton steps with a backtracking line search.
 * It stops when both gradient entries are below 1e-5, after 100 iterations,
 * or when the step falls below 1e-10, where libsvm also stops and keeps the
 * last point. Cost O(l) per iteration. */
void gcv_svc_sigmoid_fit(size_t l, const double *f, const bool *positive, double *A,
                         double *B);

/* Returns 1 / (1 + exp(A f + B)), computed without overflow. */
double gcv_svc_sigmoid_predict(double f, double A, double B);

/* Couples the pairwise probabilities r[k * k] into class probabilities p[k]
 * as libsvm's multiclass_probability does, where r[i * k + j] = P(i | i or j)
 * and r[j * k + i] = 1 - r[i * k + j]. It minimises
 * sum_i sum_{j != i} (r_ji p_i - r_ij p_j)^2 over the simplex by coordinate
 * updates, and stops when every entry of Q p is within 0.005 / k of p^T Q p,
 * or after max(100, k) sweeps. work has room for k * k + k doubles. */
void gcv_svc_couple(size_t k, const double *r, double *p, double *work);

/* The settings of one binary C-SVC problem of the cross-validation. */
struct gcv_svc_probability_problem {
    const struct gcv_kernel *kernel;
    const double *X;          /* [n * n_features] training rows, row-major, borrowed */
    const double *norms;      /* [n] squared norms of the rows of X, borrowed */
    size_t n_features;
    const struct gcv_fold_rbf *fold; /* the fold cache's RBF kernel matrix of the same rows,
                                        or a zeroed struct (kernel NULL) without one */
    const size_t *rows;       /* [l] rows of X of the pair: first class first */
    size_t l;
    size_t count_first;       /* rows of the first class; its label is +1 */
    double C_first, C_second; /* weighted C of the two classes */
    double tol;
    bool shrinking;
    long long max_iter;
    size_t cache_bytes;
    double deadline;          /* as gcv_smo_problem.deadline */
};

/* Computes the Platt parameters of one pair as svm_binary_svc_probability
 * does. It shuffles the pair's rows with rng, then fits a C-SVC on each 4 of
 * the 5 folds and predicts the fifth. Each fit restores rng's seed, as each
 * libsvm training call does. Finally it fits the sigmoid to the
 * out-of-fold decision values, which are positive for the first class.
 * Fails with GCV_ERR_NOMEM or GCV_ERR_TIMEOUT. */
enum gcv_status gcv_svc_probability_fit_pair(const struct gcv_svc_probability_problem *problem,
                                             struct gcv_svc_rng *rng, double *A, double *B,
                                             struct gcv_error *err);

#endif
