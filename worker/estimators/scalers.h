/* scikit-learn 1.2.1's feature scalers (sklearn/preprocessing/_data.py) as
 * transformers, the steps that a pipeline fits on the training rows of a
 * fold and applies to its training and test rows:
 *   StandardScaler  (x - mean) / std per feature, with_mean, with_std;
 *   MinMaxScaler    x * scale + min, mapping each feature's training range
 *                   to [0, 1], clip;
 *   RobustScaler    (x - median) / (q75 - q25) per feature, with_centering,
 *                   with_scaling, unit_variance;
 *   Normalizer      each row divided by its l2, l1 or max norm (no fit).
 * A scale of zero (a constant feature, an empty range, a zero row) becomes
 * 1, as _handle_zeros_in_scale does, so such a feature maps to 0 (to the
 * low end of the range for MinMaxScaler).
 *
 * Not supported yet: feature_range and quantile_range other than their
 * defaults (0, 1) and (25, 75), because a spec value cannot be a tuple. */
#ifndef GCV_SCALERS_H
#define GCV_SCALERS_H

#include <stdbool.h>
#include <stddef.h>

#include "../estimator.h"

extern const struct gcv_estimator_ops gcv_standard_scaler_ops;
extern const struct gcv_estimator_ops gcv_minmax_scaler_ops;
extern const struct gcv_estimator_ops gcv_robust_scaler_ops;
extern const struct gcv_estimator_ops gcv_normalizer_ops;

/* A fitted per-feature affine map, out = (x - center) / scale, which
 * StandardScaler and RobustScaler fit; a NULL array is not applied. */
struct gcv_scaler_model {
    size_t n_features;
    double *center;   /* [n_features] mean_ or center_, owned, or NULL */
    double *scale;    /* [n_features] scale_, owned, or NULL */
};

/* A fitted MinMaxScaler: out = x * scale + min, clipped to [0, 1] when clip. */
struct gcv_minmax_model {
    size_t n_features;
    double *scale;    /* [n_features] scale_, owned */
    double *min;      /* [n_features] min_, owned */
    bool clip;
};

/* Frees a struct gcv_scaler_model. Accepts NULL. */
void gcv_scaler_model_free(void *model);

/* Returns a copy of a struct gcv_scaler_model, owned by the caller, or
 * NULL when memory runs out. */
void *gcv_scaler_model_copy(const void *model);

/* Returns a copy of values[n], owned by the caller, or NULL when values
 * is NULL or memory runs out. */
double *gcv_scaler_copy_values(const double *values, size_t n);

/* The transform of a struct gcv_scaler_model: out = (x - center) / scale,
 * into out[rows->n_rows * n_features], row-major. */
enum gcv_status gcv_scaler_transform(const void *model, const struct gcv_rows *rows, double *out,
                                     struct gcv_error *err);

/* Sums every column of X[n * d] (row-major) into sums[d] as numpy sums
 * along axis 0: each column sequentially from row 0 down, or pairwise when
 * d is 1. The rows are read in order, so the matrix streams through the
 * cache once. */
void gcv_scaler_column_sums(const double *X, size_t n, size_t d, double *sums);

/* gcv_estimator_ops.save and load of a struct gcv_scaler_model
 * (StandardScaler, RobustScaler): n_features and the arrays present, an
 * absent array being stored as the attribute has_center or has_scale 0. */
enum gcv_status gcv_scaler_model_save(const void *model, hid_t group, struct gcv_error *err);
enum gcv_status gcv_scaler_model_load(hid_t group, void **model, struct gcv_error *err);

#endif
