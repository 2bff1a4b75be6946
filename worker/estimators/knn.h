/* scikit-learn 1.2.1's KNeighborsClassifier and KNeighborsRegressor
 * (sklearn/neighbors/_classification.py, _regression.py) on the
 * brute-force search of neighbors.h, with scikit-learn's parameter names,
 * defaults and range checks.
 *
 * Not supported yet, and rejected with a message: metrics other than
 * "minkowski", "euclidean" and "manhattan", p < 1, metric_params, weights
 * given as a callable, and the KD-tree and ball tree (algorithm
 * "kd_tree", "ball_tree" and "auto" run the brute-force search, which finds
 * the same neighbours except among exactly equal distances). */
#ifndef GCV_KNN_H
#define GCV_KNN_H

#include "../estimator.h"
#include "neighbors.h"

extern const struct gcv_estimator_ops gcv_knn_classifier_ops;
extern const struct gcv_estimator_ops gcv_knn_regressor_ops;

/* A fitted KNeighborsClassifier or KNeighborsRegressor: the training rows
 * and their labels or targets. */
struct gcv_knn_model {
    struct gcv_neighbors_index index;
    struct gcv_neighbors_params params;
    int32_t *y_class;     /* [index.n_rows] class codes (classifier), owned, or NULL */
    double *y_value;      /* [index.n_rows] targets (regressor), owned, or NULL */
    size_t n_codes;       /* class codes of the dataset (classifier) */
};

#endif
