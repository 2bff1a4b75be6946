/* The data of a search: X, the encoded y, and the rows kept out as holdout.
 *
 * X is stored as doubles, row-major. Class labels are encoded as codes
 * 0..n_classes-1 in the order numpy.unique sorts them, and the original
 * labels are kept for output. */
#ifndef GCV_DATASET_H
#define GCV_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

enum gcv_label_kind {
    GCV_LABELS_NONE,    /* regression targets */
    GCV_LABELS_INTEGER,
    GCV_LABELS_STRING,
};

struct gcv_dataset {
    size_t n_rows;
    size_t n_features;
    double *X;              /* [n_rows * n_features], row-major, owned */

    bool is_classification; /* y holds labels (integer or string), not targets */
    int32_t *y_class;       /* [n_rows] class codes, owned; NULL for regression */
    double *y_value;        /* [n_rows] targets, owned; NULL for classification */

    size_t n_classes;
    enum gcv_label_kind label_kind;
    long long *class_integers; /* [n_classes] sorted labels, owned, when integer */
    char **class_strings;      /* [n_classes] sorted labels, owned, when string */

    uint8_t *holdout;       /* [n_rows] 1 for a holdout row, owned; NULL when none */
    int32_t *test_fold;     /* [n_rows] PredefinedSplit fold per row, owned; NULL when unused */
};

/* Where a dataset comes from: one HDF5 file and the names of its
 * datasets. Every string is borrowed. */
struct gcv_dataset_source {
    const char *path;        /* HDF5 file */
    const char *X;           /* 2-D numeric dataset */
    const char *y;           /* 1-D labels or targets */
    const char *holdout;     /* 1-D 0/1 mask, or NULL */
    const char *test_fold;   /* 1-D integer fold per row, or NULL */
    bool classification;     /* read y as class labels, else as float targets */
};

/* Reads the datasets of source into data, which the caller owns on success
 * (gcv_dataset_free). Rejects, as GCV_ERR_DATA with the file and dataset
 * named: a missing file or dataset, a file that is not HDF5, X that is not
 * 2-D or numeric, y that is not 1-D or has another length, NaN or infinite
 * values, continuous y for a classifier or string y for a regressor, and a
 * holdout mask that is not 0/1 or keeps out all rows or none. */
enum gcv_status gcv_dataset_load(const struct gcv_dataset_source *source,
                                 struct gcv_dataset *data, struct gcv_error *err);

/* Frees everything the dataset owns and zeroes it. Accepts NULL. */
void gcv_dataset_free(struct gcv_dataset *data);

/* Writes the label of class code into buf of size len, as Python prints it
 * (5, 'setosa'). */
int gcv_dataset_format_label(const struct gcv_dataset *data, int32_t code, char *buf,
                             size_t len);

#endif
