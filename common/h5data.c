/* Reading a dataset from HDF5. This is the only module that uses HDF5.
 * HDF5's own error printing is turned off; the innermost message of its
 * error stack is folded into ours, with the file and dataset named. */
#include "dataset.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Copies the description of the innermost entry of HDF5's error stack,
 * the one that names the cause ("truncated file: eof = 5708, ..."), where
 * an upward walk starts (n == 0). Control characters become spaces, as
 * some descriptions span lines and the message must be one line. */
static herr_t keep_innermost_description(unsigned n, const H5E_error2_t *entry, void *data)
{
    char *buf = data;

    if (n != 0 || entry->desc == NULL)
        return 0;
    snprintf(buf, 256, "%s", entry->desc);
    for (char *c = buf; *c != '\0'; c++)
        if ((unsigned char)*c < 0x20)
            *c = ' ';
    return 0;
}

static const char *hdf5_reason(char *buf)
{
    buf[0] = '\0';
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost_description, buf);
    if (buf[0] == '\0')
        snprintf(buf, 256, "unknown HDF5 error");
    return buf;
}

/* Returns true when path names a folder, which access() accepts and HDF5
 * reports only as a failed read. */
static bool is_folder(const char *path)
{
    struct stat info;

    return stat(path, &info) == 0 && S_ISDIR(info.st_mode);
}

/* An open dataset and what we learnt about it. */
struct h5_array {
    hid_t dataset;
    hid_t type;
    hid_t space;
    H5T_class_t type_class;
    int rank;
    hsize_t dims[H5S_MAX_RANK];
};

static void array_close(struct h5_array *array)
{
    if (array->space >= 0)
        H5Sclose(array->space);
    if (array->type >= 0)
        H5Tclose(array->type);
    if (array->dataset >= 0)
        H5Dclose(array->dataset);
    array->space = array->type = array->dataset = H5I_INVALID_HID;
}

/* Opens dataset name of file and reads its shape and type class. */
static enum gcv_status array_open(hid_t file, const char *path, const char *name,
                                  struct h5_array *array, struct gcv_error *err)
{
    char reason[256];
    htri_t exists;

    array->dataset = array->type = array->space = H5I_INVALID_HID;

    /* H5Lexists fails rather than answers when an intermediate group is
     * missing, so both outcomes mean "not found". */
    exists = H5Lexists(file, name, H5P_DEFAULT);
    if (exists <= 0)
        return gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" not found", path, name);

    array->dataset = H5Dopen2(file, name, H5P_DEFAULT);
    if (array->dataset < 0)
        return gcv_error_set(err, GCV_ERR_DATA, "%s: \"%s\" cannot be opened as a dataset: %s",
                             path, name, hdf5_reason(reason));
    array->type = H5Dget_type(array->dataset);
    array->space = H5Dget_space(array->dataset);
    if (array->type < 0 || array->space < 0) {
        array_close(array);
        return gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" is unreadable: %s", path,
                             name, hdf5_reason(reason));
    }
    array->type_class = H5Tget_class(array->type);
    array->rank = H5Sget_simple_extent_ndims(array->space);
    if (array->rank < 0 || array->rank > H5S_MAX_RANK) {
        array_close(array);
        return gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" has no simple shape", path,
                             name);
    }
    H5Sget_simple_extent_dims(array->space, array->dims, NULL);
    return GCV_OK;
}

static bool is_numeric(const struct h5_array *array)
{
    return array->type_class == H5T_INTEGER || array->type_class == H5T_FLOAT;
}

/* Reads the whole dataset converted to mem_type into buf. */
static enum gcv_status array_read(const struct h5_array *array, hid_t mem_type, void *buf,
                                  const char *path, const char *name, struct gcv_error *err)
{
    char reason[256];

    if (H5Dread(array->dataset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
        return gcv_error_set(err, GCV_ERR_DATA, "%s: reading dataset \"%s\" failed: %s", path,
                             name, hdf5_reason(reason));
    return GCV_OK;
}

static enum gcv_status read_X(hid_t file, const struct gcv_dataset_source *source,
                              struct gcv_dataset *data, struct gcv_error *err)
{
    struct h5_array array;
    enum gcv_status status;
    size_t n;

    if ((status = array_open(file, source->path, source->X, &array, err)) != GCV_OK)
        return status;

    if (array.rank != 2) {
        status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (X) must be 2-D (rows x "
                               "features), got %d-D", source->path, source->X, array.rank);
        goto cleanup;
    }
    if (!is_numeric(&array)) {
        status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (X) must hold numbers "
                               "(integer or float), got %s", source->path, source->X,
                               array.type_class == H5T_STRING ? "strings" : "another type");
        goto cleanup;
    }
    if (array.dims[0] == 0 || array.dims[1] == 0) {
        status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (X) is empty: shape "
                               "(%llu, %llu)", source->path, source->X,
                               (unsigned long long)array.dims[0], (unsigned long long)array.dims[1]);
        goto cleanup;
    }

    data->n_rows = (size_t)array.dims[0];
    data->n_features = (size_t)array.dims[1];
    n = data->n_rows * data->n_features;
    data->X = malloc(n * sizeof *data->X);
    if (data->X == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for X: %zu x %zu doubles",
                               data->n_rows, data->n_features);
        goto cleanup;
    }
    status = array_read(&array, H5T_NATIVE_DOUBLE, data->X, source->path, source->X, err);
    if (status != GCV_OK)
        goto cleanup;

    for (size_t i = 0; i < n; i++) {
        if (!isfinite(data->X[i])) {
            status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (X) holds %s at row "
                                   "%zu, column %zu: remove or impute such values first",
                                   source->path, source->X, isnan(data->X[i]) ? "NaN" : "infinity",
                                   i / data->n_features, i % data->n_features);
            goto cleanup;
        }
    }

cleanup:
    array_close(&array);
    return status;
}

static int compare_llong(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static int compare_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Encodes integer labels as codes of their sorted unique values. */
static enum gcv_status encode_integers(const long long *labels, struct gcv_dataset *data,
                                       struct gcv_error *err)
{
    long long *sorted = malloc(data->n_rows * sizeof *sorted);
    size_t n_classes = 0;

    if (sorted == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory encoding labels");
    memcpy(sorted, labels, data->n_rows * sizeof *sorted);
    qsort(sorted, data->n_rows, sizeof *sorted, compare_llong);
    for (size_t i = 0; i < data->n_rows; i++)
        if (i == 0 || sorted[i] != sorted[n_classes - 1])
            sorted[n_classes++] = sorted[i];

    data->label_kind = GCV_LABELS_INTEGER;
    data->n_classes = n_classes;
    data->class_integers = sorted;
    for (size_t i = 0; i < data->n_rows; i++) {
        const long long *hit = bsearch(&labels[i], sorted, n_classes, sizeof *sorted,
                                       compare_llong);
        data->y_class[i] = (int32_t)(hit - sorted);
    }
    return GCV_OK;
}

/* Encodes string labels as codes of their sorted unique values; takes
 * ownership of the strings in labels. */
static enum gcv_status encode_strings(char **labels, struct gcv_dataset *data,
                                      struct gcv_error *err)
{
    char **sorted = malloc(data->n_rows * sizeof *sorted);
    size_t n_classes = 0;

    if (sorted == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory encoding labels");
    memcpy(sorted, labels, data->n_rows * sizeof *sorted);
    qsort(sorted, data->n_rows, sizeof *sorted, compare_string);
    for (size_t i = 0; i < data->n_rows; i++)
        if (i == 0 || strcmp(sorted[i], sorted[n_classes - 1]) != 0)
            sorted[n_classes++] = strdup(sorted[i]);

    data->label_kind = GCV_LABELS_STRING;
    data->n_classes = n_classes;
    data->class_strings = sorted;
    for (size_t c = 0; c < n_classes; c++)
        if (sorted[c] == NULL)
            return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory encoding labels");
    for (size_t i = 0; i < data->n_rows; i++) {
        char **hit = bsearch(&labels[i], sorted, n_classes, sizeof *sorted, compare_string);
        data->y_class[i] = (int32_t)(hit - sorted);
    }
    return GCV_OK;
}

/* Reads a string dataset into n owned C strings. */
static enum gcv_status read_strings(const struct h5_array *array, size_t n, char ***out,
                                    const char *path, const char *name, struct gcv_error *err)
{
    char **strings = calloc(n, sizeof *strings);
    hid_t mem_type = H5Tcopy(H5T_C_S1);
    enum gcv_status status = GCV_OK;

    if (strings == NULL || mem_type < 0) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory reading labels");
        goto cleanup;
    }

    if (H5Tis_variable_str(array->type) > 0) {
        char **raw = calloc(n, sizeof *raw);
        H5Tset_size(mem_type, H5T_VARIABLE);
        if (raw == NULL) {
            status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory reading labels");
            goto cleanup;
        }
        status = array_read(array, mem_type, raw, path, name, err);
        for (size_t i = 0; i < n && status == GCV_OK; i++) {
            strings[i] = strdup(raw[i] != NULL ? raw[i] : "");
            if (strings[i] == NULL)
                status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory reading labels");
        }
        if (status == GCV_OK || raw[0] != NULL)
            H5Dvlen_reclaim(mem_type, array->space, H5P_DEFAULT, raw);
        free(raw);
    } else {
        size_t width = H5Tget_size(array->type) + 1;
        char *raw = calloc(n, width);
        H5Tset_size(mem_type, width);
        H5Tset_strpad(mem_type, H5T_STR_NULLTERM);
        if (raw == NULL) {
            status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory reading labels");
            goto cleanup;
        }
        status = array_read(array, mem_type, raw, path, name, err);
        for (size_t i = 0; i < n && status == GCV_OK; i++) {
            strings[i] = strndup(raw + i * width, width);
            if (strings[i] == NULL)
                status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory reading labels");
        }
        free(raw);
    }

cleanup:
    if (mem_type >= 0)
        H5Tclose(mem_type);
    if (status != GCV_OK && strings != NULL) {
        for (size_t i = 0; i < n; i++)
            free(strings[i]);
        free(strings);
        strings = NULL;
    }
    *out = strings;
    return status;
}

/* Checks that a dataset is 1-D with one entry per row of X. */
static enum gcv_status check_column(const struct h5_array *array, const struct gcv_dataset *data,
                                    const char *path, const char *name, const char *role,
                                    struct gcv_error *err)
{
    if (array->rank != 1)
        return gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (%s) must be 1-D, got %d-D",
                             path, name, role, array->rank);
    if ((size_t)array->dims[0] != data->n_rows)
        return gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (%s) has %llu entries but X "
                             "has %zu rows: they must have the same length", path, name, role,
                             (unsigned long long)array->dims[0], data->n_rows);
    return GCV_OK;
}

static enum gcv_status read_y(hid_t file, const struct gcv_dataset_source *source,
                              struct gcv_dataset *data, struct gcv_error *err)
{
    struct h5_array array;
    double *values = NULL;
    long long *integers = NULL;
    char **strings = NULL;
    size_t n = data->n_rows;
    enum gcv_status status;

    if ((status = array_open(file, source->path, source->y, &array, err)) != GCV_OK)
        return status;
    if ((status = check_column(&array, data, source->path, source->y, "y", err)) != GCV_OK)
        goto cleanup;

    if (array.type_class == H5T_STRING) {
        if (!source->classification) {
            status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (y) holds strings, but "
                                   "the estimator is a regressor and needs numeric targets",
                                   source->path, source->y);
            goto cleanup;
        }
        data->is_classification = true;
        data->y_class = malloc(n * sizeof *data->y_class);
        if (data->y_class == NULL) {
            status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for y");
            goto cleanup;
        }
        if ((status = read_strings(&array, n, &strings, source->path, source->y, err)) != GCV_OK)
            goto cleanup;
        status = encode_strings(strings, data, err);
        goto cleanup;
    }

    if (!is_numeric(&array)) {
        status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (y) must hold numbers or "
                               "strings", source->path, source->y);
        goto cleanup;
    }

    values = malloc(n * sizeof *values);
    if (values == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for y");
        goto cleanup;
    }
    if ((status = array_read(&array, H5T_NATIVE_DOUBLE, values, source->path, source->y, err)) != GCV_OK)
        goto cleanup;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(values[i])) {
            status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (y) holds %s at row %zu",
                                   source->path, source->y, isnan(values[i]) ? "NaN" : "infinity", i);
            goto cleanup;
        }
    }

    if (!source->classification) {
        data->is_classification = false;
        data->label_kind = GCV_LABELS_NONE;
        data->y_value = values;
        values = NULL;
        goto cleanup;
    }

    /* A classifier accepts float labels only when every one is integral,
     * as scikit-learn's type_of_target calls such y "multiclass". */
    integers = malloc(n * sizeof *integers);
    data->y_class = malloc(n * sizeof *data->y_class);
    if (integers == NULL || data->y_class == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for y");
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        if (values[i] != floor(values[i]) || fabs(values[i]) > 9.0e15) {
            status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (y) holds continuous "
                                   "values (%g at row %zu), but the estimator is a classifier and "
                                   "needs class labels (integers or strings)", source->path,
                                   source->y, values[i], i);
            goto cleanup;
        }
        integers[i] = (long long)values[i];
    }
    data->is_classification = true;
    status = encode_integers(integers, data, err);

cleanup:
    if (strings != NULL) {
        for (size_t i = 0; i < n; i++)
            free(strings[i]);
        free(strings);
    }
    free(integers);
    free(values);
    array_close(&array);
    return status;
}

/* Reads a 1-D integer dataset with one entry per row (the holdout mask or
 * the test folds) into *out as int32. */
static enum gcv_status read_int_column(hid_t file, const char *path, const char *name,
                                       const char *role, const struct gcv_dataset *data,
                                       int32_t **out, struct gcv_error *err)
{
    struct h5_array array;
    double *values = NULL;
    enum gcv_status status;

    *out = NULL;
    if ((status = array_open(file, path, name, &array, err)) != GCV_OK)
        return status;
    if ((status = check_column(&array, data, path, name, role, err)) != GCV_OK)
        goto cleanup;
    if (!is_numeric(&array)) {
        status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (%s) must hold integers",
                               path, name, role);
        goto cleanup;
    }
    values = malloc(data->n_rows * sizeof *values);
    *out = malloc(data->n_rows * sizeof **out);
    if (values == NULL || *out == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %s", role);
        goto cleanup;
    }
    if ((status = array_read(&array, H5T_NATIVE_DOUBLE, values, path, name, err)) != GCV_OK)
        goto cleanup;
    for (size_t i = 0; i < data->n_rows; i++) {
        if (values[i] != floor(values[i]) || fabs(values[i]) > 2.0e9) {
            status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (%s) holds %g at row "
                                   "%zu: it must hold integers", path, name, role, values[i], i);
            goto cleanup;
        }
        (*out)[i] = (int32_t)values[i];
    }

cleanup:
    if (status != GCV_OK) {
        free(*out);
        *out = NULL;
    }
    free(values);
    array_close(&array);
    return status;
}

static enum gcv_status read_holdout(hid_t file, const struct gcv_dataset_source *source,
                                    struct gcv_dataset *data, struct gcv_error *err)
{
    int32_t *mask = NULL;
    size_t n_kept_out = 0;
    enum gcv_status status;

    status = read_int_column(file, source->path, source->holdout, "holdout mask", data, &mask, err);
    if (status != GCV_OK)
        return status;

    data->holdout = malloc(data->n_rows);
    if (data->holdout == NULL) {
        free(mask);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for the holdout mask");
    }
    for (size_t i = 0; i < data->n_rows; i++) {
        if (mask[i] != 0 && mask[i] != 1) {
            status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (holdout mask) holds %d "
                                   "at row %zu: it must hold 0 (search row) or 1 (holdout row)",
                                   source->path, source->holdout, (int)mask[i], i);
            free(mask);
            return status;
        }
        data->holdout[i] = (uint8_t)mask[i];
        n_kept_out += (size_t)mask[i];
    }
    free(mask);

    if (n_kept_out == 0)
        return gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (holdout mask) selects no "
                             "row: mark holdout rows with 1, or remove data.holdout",
                             source->path, source->holdout);
    if (n_kept_out == data->n_rows)
        return gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (holdout mask) keeps all %zu "
                             "rows out of the search: mark search rows with 0", source->path,
                             source->holdout, data->n_rows);
    return GCV_OK;
}

enum gcv_status gcv_dataset_load(const struct gcv_dataset_source *source,
                                 struct gcv_dataset *data, struct gcv_error *err)
{
    char reason[256];
    hid_t file = H5I_INVALID_HID;
    enum gcv_status status;

    memset(data, 0, sizeof *data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);

    if (access(source->path, R_OK) != 0)
        return gcv_error_set(err, GCV_ERR_DATA, "data.path: cannot open %s: %s", source->path,
                             strerror(errno));
    if (is_folder(source->path))
        return gcv_error_set(err, GCV_ERR_DATA, "data.path: %s is a folder, not an HDF5 file",
                             source->path);
    if (H5Fis_hdf5(source->path) <= 0)
        return gcv_error_set(err, GCV_ERR_DATA, "data.path: %s is not a readable HDF5 file "
                             "(truncated, corrupt or another format)", source->path);
    file = H5Fopen(source->path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0)
        return gcv_error_set(err, GCV_ERR_DATA, "data.path: cannot open HDF5 file %s: %s",
                             source->path, hdf5_reason(reason));

    status = read_X(file, source, data, err);
    if (status == GCV_OK)
        status = read_y(file, source, data, err);
    if (status == GCV_OK && source->holdout != NULL)
        status = read_holdout(file, source, data, err);
    if (status == GCV_OK && source->test_fold != NULL)
        status = read_int_column(file, source->path, source->test_fold, "test_fold", data,
                                 &data->test_fold, err);

    H5Fclose(file);
    if (status != GCV_OK)
        gcv_dataset_free(data);
    return status;
}

void gcv_dataset_free(struct gcv_dataset *data)
{
    if (data == NULL)
        return;
    free(data->X);
    free(data->y_class);
    free(data->y_value);
    free(data->class_integers);
    if (data->class_strings != NULL)
        for (size_t c = 0; c < data->n_classes; c++)
            free(data->class_strings[c]);
    free(data->class_strings);
    free(data->holdout);
    free(data->test_fold);
    memset(data, 0, sizeof *data);
}

int gcv_dataset_format_label(const struct gcv_dataset *data, int32_t code, char *buf, size_t len)
{
    if (data->label_kind == GCV_LABELS_INTEGER && code >= 0 && (size_t)code < data->n_classes)
        return snprintf(buf, len, "%lld", data->class_integers[code]);
    if (data->label_kind == GCV_LABELS_STRING && code >= 0 && (size_t)code < data->n_classes)
        return snprintf(buf, len, "'%s'", data->class_strings[code]);
    return snprintf(buf, len, "%d", (int)code);
}
