/* The model file: one fitted estimator or pipeline in HDF5, written by
 * `gridcv run` after the refit and read by `gridcv predict`.
 *
 * Layout (docs/model.md has the full description):
 *   /                   attributes gridcv_format_version, estimator,
 *                       best_params (JSON text), n_features, target_kind
 *                       ("integer", "string" or "regression"), n_classes
 *   /classes            the class labels as the data gave them, sorted
 *                       (int64 or variable-length UTF-8 strings); absent
 *                       for a regressor
 *   /model              the estimator's own group, written by its save
 *                       operation; a pipeline writes one subgroup per step
 *
 * The helpers below write and read the attributes and datasets of one
 * estimator's group, so that each estimator's save and load stay short.
 * Scalars are attributes of the group; arrays are datasets. A read
 * checks that the stored array has the length the caller expects, so a
 * damaged or foreign file is rejected before any array is used. */
#ifndef GCV_MODEL_FILE_H
#define GCV_MODEL_FILE_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "dataset.h"
#include "status.h"

/* The format version this build writes, and the newest it reads. */
#define GCV_MODEL_FORMAT_VERSION 1

/* The root of a model file, apart from the estimator's group. */
struct gcv_model_header {
    long long format_version;
    char *estimator;           /* "SVC" or "make_pipeline(StandardScaler, SVC)", owned */
    char *best_params;         /* JSON object text, owned */
    size_t n_features;
    enum gcv_label_kind label_kind; /* GCV_LABELS_NONE for a regressor */
    size_t n_classes;          /* 0 for a regressor */
    long long *class_integers; /* [n_classes] sorted labels when integer, owned, else NULL */
    char **class_strings;      /* [n_classes] sorted labels when string, owned, else NULL */
    /* A binary classifier's decision threshold tuned by the spec's
     * "threshold" (coordinator/threshold.h); the fields below are set only
     * when has_threshold. */
    bool has_threshold;
    double threshold;          /* a row is positive when its score is >= threshold */
    bool threshold_from_proba; /* the score is the positive class's probability, else its
                                  decision value */
    int32_t threshold_positive; /* class codes of the positive and the negative class */
    int32_t threshold_negative;
};

/* Writes the model file path: the header, then the group "/model" filled by
 * save_model(model, group, err). The file is written under a temporary name
 * in the same folder and renamed into place once complete, so on failure
 * no file is left at path. header's arrays and strings are borrowed. */
enum gcv_status gcv_model_file_write(const char *path, const struct gcv_model_header *header,
                                     enum gcv_status (*save_model)(const void *model,
                                                                   hid_t group,
                                                                   struct gcv_error *err),
                                     const void *model, struct gcv_error *err);

/* Opens the model file path and reads its header into *header. Rejects, as
 * GCV_ERR_DATA naming the file: a missing or unreadable file, a file that
 * is not HDF5 or has no gridcv_format_version attribute ("not a gridcv
 * model file"), a format version newer than GCV_MODEL_FORMAT_VERSION, and
 * a damaged header. On success *file is an open HDF5 file and *group its
 * "/model" group, both closed by the caller with H5Gclose and H5Fclose, and
 * header is freed with gcv_model_header_free. */
enum gcv_status gcv_model_file_open(const char *path, struct gcv_model_header *header,
                                    hid_t *file, hid_t *group, struct gcv_error *err);

/* Frees what header owns and zeroes it. Accepts NULL. */
void gcv_model_header_free(struct gcv_model_header *header);

/* ----- scalars: attributes of a group ------------------------------------ */

enum gcv_status gcv_model_file_put_size(hid_t group, const char *name, size_t value,
                                        struct gcv_error *err);
enum gcv_status gcv_model_file_put_int(hid_t group, const char *name, long long value,
                                       struct gcv_error *err);
enum gcv_status gcv_model_file_put_double(hid_t group, const char *name, double value,
                                          struct gcv_error *err);

/* Each get fails with GCV_ERR_DATA when the attribute is missing or not a
 * number of the kind requested; get_size also rejects a negative value. */
enum gcv_status gcv_model_file_get_size(hid_t group, const char *name, size_t *value,
                                        struct gcv_error *err);
enum gcv_status gcv_model_file_get_int(hid_t group, const char *name, long long *value,
                                       struct gcv_error *err);
enum gcv_status gcv_model_file_get_double(hid_t group, const char *name, double *value,
                                          struct gcv_error *err);

/* Writes value as a variable-length UTF-8 string attribute. */
enum gcv_status gcv_model_file_put_string(hid_t group, const char *name, const char *value,
                                          struct gcv_error *err);

/* Reads the string attribute name (fixed or variable length) into a new
 * string *value, owned by the caller and freed with free. */
enum gcv_status gcv_model_file_get_string(hid_t group, const char *name, char **value,
                                          struct gcv_error *err);

/* ----- arrays: 1-D datasets of a group ----------------------------------- */

/* Each put writes values[n] as a 1-D dataset; n may be 0. A matrix is
 * stored flat, row-major, and its shape kept as size attributes by the
 * caller. */
enum gcv_status gcv_model_file_put_doubles(hid_t group, const char *name, const double *values,
                                           size_t n, struct gcv_error *err);
enum gcv_status gcv_model_file_put_sizes(hid_t group, const char *name, const size_t *values,
                                         size_t n, struct gcv_error *err);
enum gcv_status gcv_model_file_put_int32s(hid_t group, const char *name, const int32_t *values,
                                          size_t n, struct gcv_error *err);

/* Each get reads the dataset name, which must hold exactly n values, into
 * a new array *values[n] (at least one element is allocated, so n = 0
 * gives a valid pointer), owned by the caller and freed with free. Fails
 * with GCV_ERR_DATA for a missing dataset or another length, with
 * *values left NULL. get_doubles also rejects a NaN or an infinity: no
 * fitted model stores one, so the file is damaged. */
enum gcv_status gcv_model_file_get_doubles(hid_t group, const char *name, size_t n,
                                           double **values, struct gcv_error *err);
enum gcv_status gcv_model_file_get_sizes(hid_t group, const char *name, size_t n,
                                         size_t **values, struct gcv_error *err);
enum gcv_status gcv_model_file_get_int32s(hid_t group, const char *name, size_t n,
                                          int32_t **values, struct gcv_error *err);

/* Reads the class codes of a classifier: n codes, each at least 0 and
 * each larger than the one before, as a fit numbers the classes it saw.
 * Fails as gcv_model_file_get_int32s does, and with GCV_ERR_DATA for
 * codes out of that order. */
enum gcv_status gcv_model_file_get_class_codes(hid_t group, const char *name, size_t n,
                                               int32_t **values, struct gcv_error *err);

#endif
