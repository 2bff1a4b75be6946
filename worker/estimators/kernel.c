#include "kernel.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

/* base^times by repeated squaring, the order of products libsvm uses, so
 * that polynomial kernel values match libsvm's to the last bit. */
static double power_by_squaring(double base, int times)
{
    double square = base;
    double result = 1.0;

    for (int t = times; t > 0; t /= 2) {
        if (t % 2 == 1)
            result *= square;
        square = square * square;
    }
    return result;
}

/* Turns n dot products x.z_k in place into kernel values. x_norm and
 * z_norms are read by the RBF kernel only. */
static void apply_kernel(const struct gcv_kernel *kernel, double x_norm, const double *z_norms,
                         size_t n, double *values)
{
    const double gamma = kernel->gamma;
    const double coef0 = kernel->coef0;

    switch (kernel->type) {
    case GCV_KERNEL_LINEAR:
        break;
    case GCV_KERNEL_POLY:
        for (size_t k = 0; k < n; k++)
            values[k] = power_by_squaring(gamma * values[k] + coef0, kernel->degree);
        break;
    case GCV_KERNEL_RBF:
        for (size_t k = 0; k < n; k++)
            values[k] = exp(-gamma * (x_norm + z_norms[k] - 2 * values[k]));
        break;
    case GCV_KERNEL_SIGMOID:
        for (size_t k = 0; k < n; k++)
            values[k] = tanh(gamma * values[k] + coef0);
        break;
    }
}

void gcv_kernel_apply(const struct gcv_kernel *kernel, double x_norm, const double *z_norms,
                      size_t n, double *values)
{
    apply_kernel(kernel, x_norm, z_norms, n, values);
}

void gcv_kernel_gather_rows(const struct gcv_rows *rows, double *out)
{
    const size_t d = rows->n_features;

    for (size_t r = 0; r < rows->n_rows; r++)
        memcpy(out + r * d, rows->X + rows->index[r] * d, d * sizeof *out);
}

void gcv_kernel_row_norms(const double *X, size_t n_rows, size_t n_features, double *norms)
{
    for (size_t r = 0; r < n_rows; r++) {
        const double *row = X + r * n_features;
        norms[r] = cblas_ddot((int)n_features, row, 1, row, 1);
    }
}

void gcv_kernel_diagonal(const struct gcv_kernel *kernel, const double *norms, size_t n_rows,
                         double *out)
{
    /* K(x, x) from x.x. For RBF, |x|^2 + |x|^2 - 2 x.x is exactly 0 when all
     * three terms are the same number, as in libsvm. */
    memcpy(out, norms, n_rows * sizeof *out);
    for (size_t r = 0; r < n_rows; r++) {
        double x_norm = norms[r];
        apply_kernel(kernel, x_norm, &x_norm, 1, out + r);
    }
}

void gcv_kernel_column(const struct gcv_kernel *kernel, const double *A, const double *a_norms,
                       size_t n_rows, size_t n_features, const double *x, double x_norm,
                       double *out)
{
    if (n_rows == 0)
        return;
    if (n_features == 0) {
        memset(out, 0, n_rows * sizeof *out);
    } else {
        /* out = A x, A row-major [n_rows x n_features], lda = n_features. */
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n_rows, (int)n_features, 1.0, A,
                    (int)n_features, x, 1, 0.0, out, 1);
    }
    apply_kernel(kernel, x_norm, a_norms, n_rows, out);
}

void gcv_kernel_block(const struct gcv_kernel *kernel, const double *A, const double *a_norms,
                      size_t n_a, const double *B, const double *b_norms, size_t n_b,
                      size_t n_features, double *out)
{
    if (n_a == 0 || n_b == 0)
        return;
    if (n_features == 0) {
        memset(out, 0, n_a * n_b * sizeof *out);
    } else {
        /* out = A B^T: A [n_a x n_features] and B [n_b x n_features], both
         * row-major with leading dimension n_features; out has ldc = n_b. */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n_a, (int)n_b, (int)n_features,
                    1.0, A, (int)n_features, B, (int)n_features, 0.0, out, (int)n_b);
    }
    for (size_t r = 0; r < n_a; r++)
        apply_kernel(kernel, a_norms != NULL ? a_norms[r] : 0.0, b_norms, n_b, out + r * n_b);
}

enum gcv_status gcv_kernel_save(const struct gcv_kernel *kernel, hid_t group,
                                struct gcv_error *err)
{
    enum gcv_status status;

    if ((status = gcv_model_file_put_int(group, "kernel", (long long)kernel->type, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_double(group, "gamma", kernel->gamma, err)) != GCV_OK ||
        (status = gcv_model_file_put_double(group, "coef0", kernel->coef0, err)) != GCV_OK)
        return status;
    return gcv_model_file_put_int(group, "degree", kernel->degree, err);
}

enum gcv_status gcv_kernel_load(hid_t group, struct gcv_kernel *kernel, struct gcv_error *err)
{
    long long type, degree;
    enum gcv_status status;

    if ((status = gcv_model_file_get_int(group, "kernel", &type, err)) != GCV_OK ||
        (status = gcv_model_file_get_double(group, "gamma", &kernel->gamma, err)) != GCV_OK ||
        (status = gcv_model_file_get_double(group, "coef0", &kernel->coef0, err)) != GCV_OK ||
        (status = gcv_model_file_get_int(group, "degree", &degree, err)) != GCV_OK)
        return status;
    if (type < GCV_KERNEL_LINEAR || type > GCV_KERNEL_SIGMOID)
        return gcv_error_set(err, GCV_ERR_DATA, "model attribute \"kernel\" is %lld; expected "
                             "0 (linear) to 3 (sigmoid)", type);
    if (degree < 0 || degree > 1000000)
        return gcv_error_set(err, GCV_ERR_DATA, "model attribute \"degree\" is %lld; expected "
                             "0 to 1000000", degree);
    kernel->type = (enum gcv_kernel_type)type;
    kernel->degree = (int)degree;
    return GCV_OK;
}

void gcv_kernel_support_block(const struct gcv_kernel *kernel, const struct gcv_rows *rows,
                              size_t first, size_t count, const struct gcv_fold_cross *cross,
                              const size_t *support, const double *support_vectors,
                              const double *sv_norms, size_t n_sv, double *X_block,
                              double *norms, double *out)
{
    const size_t d = rows->n_features;

    if (cross->dots != NULL) {
        for (size_t r = 0; r < count; r++) {
            const double *dots = cross->dots + (first + r) * cross->n_train;
            double *values = out + r * n_sv;

            for (size_t s = 0; s < n_sv; s++)
                values[s] = dots[support[s]];
            gcv_kernel_apply(kernel, cross->norms[first + r], sv_norms, n_sv, values);
        }
        return;
    }

    const struct gcv_rows part = {
        .X = rows->X,
        .n_features = d,
        .index = rows->index + first,
        .n_rows = count,
    };
    gcv_kernel_gather_rows(&part, X_block);
    gcv_kernel_row_norms(X_block, count, d, norms);
    gcv_kernel_block(kernel, X_block, norms, count, support_vectors, sv_norms, n_sv, d, out);
}
