/* The data of a search: X, the encoded y, the rows kept out as holdout, and
 * the shards they were read from.
 *
 * X is stored as doubles, row-major. Class labels are encoded as codes
 * 0..n_classes-1 in the order numpy.unique sorts them, and the original
 * labels are kept for output.
 *
 * The row arrays (X, y_class or y_value, holdout, test_fold, groups) and the shard
 * list live in one block of memory: either a block the dataset owns (gcv_dataset_load), or a
 * node's shared-memory window that every rank of the node maps read-only
 * (common/shm.h). Loading is split in two steps, so that a caller can size
 * the block before any row is read: gcv_dataset_scan opens every shard and
 * checks names, shapes and types, and gcv_dataset_read fills the arrays. */
#ifndef GCV_DATASET_H
#define GCV_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* The PredefinedSplit test_fold name that means "each shard is one test
 * fold": row r gets the index of the shard it was read from. */
#define GCV_DATASET_SHARD_FOLDS "shard"

enum gcv_label_kind {
    GCV_LABELS_NONE,    /* regression targets */
    GCV_LABELS_INTEGER,
    GCV_LABELS_STRING,
};

/* Owner of a dataset's row block. */
enum gcv_dataset_storage {
    GCV_DATASET_EMPTY,    /* no row arrays */
    GCV_DATASET_OWNED,    /* one malloc'd block that starts at X, freed with the dataset */
    GCV_DATASET_BORROWED, /* memory owned elsewhere (a shared-memory window), which must
                             outlive the dataset and is freed by its owner */
};

struct gcv_dataset {
    size_t n_rows;
    size_t n_features;
    enum gcv_dataset_storage storage; /* of the block: X, y_class, y_value, holdout,
                                         test_fold and shard_start */
    double *X;              /* [n_rows * n_features], row-major */

    bool is_classification; /* y holds labels (integer or string), not targets */
    int32_t *y_class;       /* [n_rows] class codes; NULL for regression */
    double *y_value;        /* [n_rows] targets; NULL for classification */

    size_t n_classes;
    enum gcv_label_kind label_kind;
    long long *class_integers; /* [n_classes] sorted labels, owned, when integer */
    char **class_strings;      /* [n_classes] sorted labels, owned, when string */

    uint8_t *holdout;       /* [n_rows] 1 for a holdout row; NULL when none */
    int32_t *test_fold;     /* [n_rows] PredefinedSplit fold per row; NULL when unused */
    int32_t *groups;        /* [n_rows] group codes, numbered in the sorted order of the
                               group labels (numbers or strings); NULL without data.groups */

    size_t n_shards;        /* >= 1 once loaded */
    size_t *shard_start;    /* [n_shards + 1] first row of each shard, then n_rows */
};

/* Source of a dataset: HDF5 shards with the same dataset names, whose rows
 * are concatenated in order, and the names of their datasets. Every
 * pointer is borrowed. */
struct gcv_dataset_source {
    const char *const *paths; /* [n_paths] HDF5 files or glob(3) patterns */
    size_t n_paths;           /* >= 1 */
    const char *X;           /* 2-D numeric dataset */
    const char *y;           /* 1-D labels or targets, or NULL to read X alone (for a
                                regressor source, y_value is then all 0) */
    const char *holdout;     /* 1-D 0/1 mask, or NULL */
    const char *test_fold;   /* 1-D integer fold per row, GCV_DATASET_SHARD_FOLDS, or NULL */
    const char *groups;      /* 1-D group labels, numbers or strings, or NULL */
    bool classification;     /* read y as class labels, else as float targets */
    const char *paths_key;   /* the name of paths in messages ("DATA"), or NULL for the
                                spec key "data.path" */
    const char *X_key;       /* the name of X in messages ("--X"), or NULL for "data.X" */
};

/* Result of a scan of the shards: enough to size and place the row arrays
 * before any row is read. */
struct gcv_dataset_layout {
    char **files;          /* [n_shards] shard paths after glob expansion, owned; NULL on
                              a rank that did not scan */
    size_t n_shards;
    size_t *shard_start;   /* [n_shards + 1] first row of each shard, then n_rows, owned;
                              NULL on a rank that did not scan */
    size_t n_rows;
    size_t n_features;
    bool classification;   /* y_class is stored, else y_value */
    bool has_holdout;
    bool has_test_fold;
    bool shard_folds;      /* test_fold is the shard index of each row */
    bool has_groups;
};

/* Seconds that the check process of gcv_dataset_scan may run by default. */
#define GCV_DATASET_CHECK_TIMEOUT 60.0

/* Sets how long the check process of gcv_dataset_scan may run before the
 * file it reads is reported as damaged; 0 (or less) turns the check off.
 * For the whole process; call it before any scan. */
void gcv_dataset_set_check_timeout(double seconds);

/* Expands the glob patterns of source, each pattern's matches sorted, and
 * opens every shard without reading any row. First, unless turned off,
 * runs the same scan and a read of every dataset but X's values in a
 * child process, so that a damaged file that crashes HDF5 or makes it loop
 * forever is reported as GCV_ERR_DATA naming the file instead of ending
 * or hanging this process. A pattern that matches
 * nothing is an error. Rejects, as GCV_ERR_DATA naming the shard and
 * dataset: a missing or non-HDF5 file, a file listed twice, a missing
 * dataset, X that is not 2-D, numeric and non-empty, X widths that differ
 * between shards, and y, holdout or test_fold that is not 1-D or not as
 * long as X. Also rejects y stored as strings in one shard and numbers in
 * another, string y for a regressor, and test_fold "shard" with fewer
 * than 2 shards. On success the layout is owned by the caller
 * (gcv_dataset_layout_free). */
enum gcv_status gcv_dataset_scan(const struct gcv_dataset_source *source,
                                 struct gcv_dataset_layout *layout, struct gcv_error *err);

/* Frees what the layout owns and zeroes it. Accepts NULL. */
void gcv_dataset_layout_free(struct gcv_dataset_layout *layout);

/* Returns the size in bytes of the block that holds the row arrays and the
 * shard list of layout, or 0 when it does not fit in a size_t. */
size_t gcv_dataset_block_size(const struct gcv_dataset_layout *layout);

/* Empties data, then sets its shape from layout and points its row arrays
 * and shard list into block (gcv_dataset_block_size bytes, aligned as
 * malloc aligns). Copies layout's shard list into the block when layout
 * has one. A layout without one leaves the block's list as it is, for a
 * rank that maps a block another rank fills. storage says who frees block:
 * GCV_DATASET_OWNED hands it to the dataset. Fails (GCV_ERR_INTERNAL)
 * only for a layout whose block size is 0. */
enum gcv_status gcv_dataset_attach(struct gcv_dataset *data,
                                   const struct gcv_dataset_layout *layout, void *block,
                                   enum gcv_dataset_storage storage, struct gcv_error *err);

/* Reads every shard of layout (from gcv_dataset_scan of source) into the
 * row arrays of data (from gcv_dataset_attach), encodes the labels and
 * checks the values. Rejects, as GCV_ERR_DATA with the shard, dataset and
 * row named: NaN or infinite values, continuous y for a classifier, a
 * holdout mask that is not 0/1 or keeps out all rows or none, and a
 * test_fold that is not integral, and NaN or infinite groups, or groups
 * stored as strings in one shard and numbers in another. The class lists
 * are owned by data. */
enum gcv_status gcv_dataset_read(const struct gcv_dataset_source *source,
                                 const struct gcv_dataset_layout *layout,
                                 struct gcv_dataset *data, struct gcv_error *err);

/* Scans and reads source into data, which then owns its rows (one process
 * reading its own copy). On success the caller frees data with
 * gcv_dataset_free; on failure data is empty. */
enum gcv_status gcv_dataset_load(const struct gcv_dataset_source *source,
                                 struct gcv_dataset *data, struct gcv_error *err);

/* Frees what the dataset owns (the row block only when storage is
 * GCV_DATASET_OWNED) and zeroes it. Accepts NULL. */
void gcv_dataset_free(struct gcv_dataset *data);

/* Writes the label of class code into buf of size len, as Python prints it
 * (5, 'setosa'). */
int gcv_dataset_format_label(const struct gcv_dataset *data, int32_t code, char *buf,
                             size_t len);

#endif
