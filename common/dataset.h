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

/* Frees everything the dataset owns and zeroes it. Accepts NULL. */
void gcv_dataset_free(struct gcv_dataset *data);

/* Writes the label of class code into buf of size len, as Python prints it
 * (5, 'setosa'). */
int gcv_dataset_format_label(const struct gcv_dataset *data, int32_t code, char *buf,
                             size_t len);

#endif
