/* Kernel functions of libsvm (linear, polynomial, RBF, sigmoid) on dense
 * row-major data, computed a block at a time through BLAS.
 *
 * With gamma g, coef0 r and degree d (libsvm's definitions):
 *   linear   K(x, z) = x.z
 *   poly     K(x, z) = (g x.z + r)^d, the power taken by repeated squaring
 *   rbf      K(x, z) = exp(-g (|x|^2 + |z|^2 - 2 x.z))
 *   sigmoid  K(x, z) = tanh(g x.z + r)
 * Every block first forms the dot products with one dgemv or dgemm call and
 * then applies the kernel's formula in a loop chosen once per block, so no
 * function pointer is called per element. The RBF kernel needs the squared
 * norms of both sides, which callers compute once with
 * gcv_kernel_row_norms. */
#ifndef GCV_KERNEL_H
#define GCV_KERNEL_H

#include <stddef.h>

#include "../estimator.h"
#include "../fold_cache.h"

enum gcv_kernel_type {
    GCV_KERNEL_LINEAR,
    GCV_KERNEL_POLY,
    GCV_KERNEL_RBF,
    GCV_KERNEL_SIGMOID,
};

struct gcv_kernel {
    enum gcv_kernel_type type;
    double gamma;  /* poly, rbf, sigmoid */
    double coef0;  /* poly, sigmoid */
    int degree;    /* poly, >= 0 */
};

/* Turns the dot products values[k] = x.z_k (k < n) into the kernel values
 * K(x, z_k) in place, with the formulas above. x_norm and z_norms[n] are
 * the squared norms, read only by the RBF kernel. gcv_kernel_column and
 * gcv_kernel_block finish with this step, so dot products computed
 * elsewhere give the same kernel values. */
void gcv_kernel_apply(const struct gcv_kernel *kernel, double x_norm, const double *z_norms,
                      size_t n, double *values);

/* Copies the rows of rows->X listed in rows->index, in that order, into
 * out[rows->n_rows * rows->n_features], row-major. */
void gcv_kernel_gather_rows(const struct gcv_rows *rows, double *out);

/* Writes the squared Euclidean norm of each row of X[n_rows * n_features]
 * (row-major) into norms[n_rows]. */
void gcv_kernel_row_norms(const double *X, size_t n_rows, size_t n_features, double *norms);

/* Writes K(x, x) for each row into out[n_rows], given the squared norms of
 * the rows (libsvm's diagonal: the RBF value is exactly 1). */
void gcv_kernel_diagonal(const struct gcv_kernel *kernel, const double *norms, size_t n_rows,
                         double *out);

/* Writes out[r] = K(A_r, x) for the n_rows rows of A[n_rows * n_features]
 * (row-major, leading dimension n_features). a_norms[n_rows] and x_norm are
 * the squared norms, read only by the RBF kernel (they may be NULL and 0
 * otherwise). */
void gcv_kernel_column(const struct gcv_kernel *kernel, const double *A, const double *a_norms,
                       size_t n_rows, size_t n_features, const double *x, double x_norm,
                       double *out);

/* Writes out[r * n_b + c] = K(A_r, B_c) for A[n_a * n_features] and
 * B[n_b * n_features], both row-major; out is [n_a * n_b], row-major.
 * a_norms[n_a] and b_norms[n_b] are read only by the RBF kernel. */
void gcv_kernel_block(const struct gcv_kernel *kernel, const double *A, const double *a_norms,
                      size_t n_a, const double *B, const double *b_norms, size_t n_b,
                      size_t n_features, double *out);

/* The kernel values of an SVM's prediction: writes those of rows
 * [first, first + count) of rows against the n_sv support vectors into
 * out[count * n_sv], row-major. With cross->dots (the fold's cached dot
 * products of rows with its training rows, support[n_sv] indexing them)
 * they are read off the cache, else computed by gcv_kernel_block from
 * support_vectors[n_sv * n_features] and sv_norms[n_sv], with
 * X_block[count * n_features] and norms[count] as scratch. Both ways run
 * the same kernel formula on the same dot products. */
void gcv_kernel_support_block(const struct gcv_kernel *kernel, const struct gcv_rows *rows,
                              size_t first, size_t count, const struct gcv_fold_cross *cross,
                              const size_t *support, const double *support_vectors,
                              const double *sv_norms, size_t n_sv, double *X_block,
                              double *norms, double *out);

/* Writes kernel's type, gamma, coef0 and degree as attributes of the model
 * group (common/model_file.h). */
enum gcv_status gcv_kernel_save(const struct gcv_kernel *kernel, hid_t group,
                                struct gcv_error *err);

/* Reads what gcv_kernel_save wrote; rejects an unknown kernel type or a
 * negative degree as GCV_ERR_DATA. */
enum gcv_status gcv_kernel_load(hid_t group, struct gcv_kernel *kernel, struct gcv_error *err);

#endif
