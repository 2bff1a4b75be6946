#include "model_file.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define VERSION_ATTRIBUTE "gridcv_format_version"

/* ----- scalars ----------------------------------------------------------- */

static enum gcv_status put_scalar(hid_t group, const char *name, hid_t type, const void *value,
                                  struct gcv_error *err)
{
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t attribute = H5I_INVALID_HID;
    enum gcv_status status = GCV_OK;

    if (space >= 0)
        attribute = H5Acreate2(group, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (attribute < 0 || H5Awrite(attribute, type, value) < 0)
        status = gcv_error_set(err, GCV_ERR_IO, "cannot write model attribute \"%s\"", name);
    if (attribute >= 0)
        H5Aclose(attribute);
    if (space >= 0)
        H5Sclose(space);
    return status;
}

/* Reads the scalar numeric attribute name as type, converting as HDF5
 * does; the stored type must be of class wanted_class. */
static enum gcv_status get_scalar(hid_t group, const char *name, hid_t type,
                                  H5T_class_t wanted_class, void *value, struct gcv_error *err)
{
    hid_t attribute = H5I_INVALID_HID, space = H5I_INVALID_HID, stored = H5I_INVALID_HID;
    enum gcv_status status = GCV_OK;

    if (H5Aexists(group, name) <= 0)
        return gcv_error_set(err, GCV_ERR_DATA, "model attribute \"%s\" is missing", name);
    attribute = H5Aopen(group, name, H5P_DEFAULT);
    if (attribute >= 0) {
        space = H5Aget_space(attribute);
        stored = H5Aget_type(attribute);
    }
    if (space < 0 || stored < 0 || H5Sget_simple_extent_npoints(space) != 1 ||
        H5Tget_class(stored) != wanted_class || H5Aread(attribute, type, value) < 0)
        status = gcv_error_set(err, GCV_ERR_DATA, "model attribute \"%s\" is not a single %s",
                               name, wanted_class == H5T_FLOAT ? "float" : "integer");
    if (stored >= 0)
        H5Tclose(stored);
    if (space >= 0)
        H5Sclose(space);
    if (attribute >= 0)
        H5Aclose(attribute);
    return status;
}

enum gcv_status gcv_model_file_put_size(hid_t group, const char *name, size_t value,
                                        struct gcv_error *err)
{
    unsigned long long stored = value;

    return put_scalar(group, name, H5T_STD_U64LE, &stored, err);
}

enum gcv_status gcv_model_file_put_int(hid_t group, const char *name, long long value,
                                       struct gcv_error *err)
{
    return put_scalar(group, name, H5T_STD_I64LE, &value, err);
}

enum gcv_status gcv_model_file_put_double(hid_t group, const char *name, double value,
                                          struct gcv_error *err)
{
    return put_scalar(group, name, H5T_IEEE_F64LE, &value, err);
}

enum gcv_status gcv_model_file_get_size(hid_t group, const char *name, size_t *value,
                                        struct gcv_error *err)
{
    long long stored;
    enum gcv_status status;

    if ((status = get_scalar(group, name, H5T_NATIVE_LLONG, H5T_INTEGER, &stored, err)) != GCV_OK)
        return status;
    if (stored < 0)
        return gcv_error_set(err, GCV_ERR_DATA, "model attribute \"%s\" must be >= 0, got %lld",
                             name, stored);
    *value = (size_t)stored;
    return GCV_OK;
}

enum gcv_status gcv_model_file_get_int(hid_t group, const char *name, long long *value,
                                       struct gcv_error *err)
{
    return get_scalar(group, name, H5T_NATIVE_LLONG, H5T_INTEGER, value, err);
}

enum gcv_status gcv_model_file_get_double(hid_t group, const char *name, double *value,
                                          struct gcv_error *err)
{
    return get_scalar(group, name, H5T_NATIVE_DOUBLE, H5T_FLOAT, value, err);
}

/* ----- arrays ------------------------------------------------------------ */

static enum gcv_status put_array(hid_t group, const char *name, hid_t file_type,
                                 hid_t memory_type, const void *values, size_t n,
                                 struct gcv_error *err)
{
    hsize_t dims[1] = {(hsize_t)n};
    hid_t space = H5Screate_simple(1, dims, NULL);
    hid_t dataset = H5I_INVALID_HID;
    enum gcv_status status = GCV_OK;

    if (space >= 0)
        dataset = H5Dcreate2(group, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT,
                             H5P_DEFAULT);
    if (dataset < 0 || (n > 0 && H5Dwrite(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                                          values) < 0))
        status = gcv_error_set(err, GCV_ERR_IO, "cannot write model array \"%s\" of %zu values",
                               name, n);
    if (dataset >= 0)
        H5Dclose(dataset);
    if (space >= 0)
        H5Sclose(space);
    return status;
}

/* Reads the 1-D dataset name of n values of class wanted_class into a new
 * array of n elements of size element_size (at least one allocated). */
static enum gcv_status get_array(hid_t group, const char *name, hid_t memory_type,
                                 H5T_class_t wanted_class, size_t element_size, size_t n,
                                 void **values, struct gcv_error *err)
{
    hid_t dataset = H5I_INVALID_HID, space = H5I_INVALID_HID, stored = H5I_INVALID_HID;
    hssize_t count = -1;
    void *buffer = NULL;
    enum gcv_status status = GCV_OK;

    *values = NULL;
    if (H5Lexists(group, name, H5P_DEFAULT) <= 0)
        return gcv_error_set(err, GCV_ERR_DATA, "model array \"%s\" is missing", name);
    dataset = H5Dopen2(group, name, H5P_DEFAULT);
    if (dataset >= 0) {
        space = H5Dget_space(dataset);
        stored = H5Dget_type(dataset);
    }
    if (space >= 0 && H5Sget_simple_extent_ndims(space) == 1)
        count = H5Sget_simple_extent_npoints(space);
    if (stored < 0 || count < 0 || H5Tget_class(stored) != wanted_class) {
        status = gcv_error_set(err, GCV_ERR_DATA, "model array \"%s\" is not a 1-D %s dataset",
                               name, wanted_class == H5T_FLOAT ? "float" : "integer");
        goto cleanup;
    }
    if ((size_t)count != n) {
        status = gcv_error_set(err, GCV_ERR_DATA, "model array \"%s\" holds %lld values, "
                               "expected %zu", name, (long long)count, n);
        goto cleanup;
    }
    buffer = malloc((n > 0 ? n : 1) * element_size);
    if (buffer == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory reading model array \"%s\" "
                               "of %zu values", name, n);
        goto cleanup;
    }
    if (n > 0 && H5Dread(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer) < 0) {
        status = gcv_error_set(err, GCV_ERR_DATA, "cannot read model array \"%s\"", name);
        goto cleanup;
    }
    *values = buffer;
    buffer = NULL;

cleanup:
    free(buffer);
    if (stored >= 0)
        H5Tclose(stored);
    if (space >= 0)
        H5Sclose(space);
    if (dataset >= 0)
        H5Dclose(dataset);
    return status;
}

enum gcv_status gcv_model_file_put_doubles(hid_t group, const char *name, const double *values,
                                           size_t n, struct gcv_error *err)
{
    return put_array(group, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values, n, err);
}

enum gcv_status gcv_model_file_put_sizes(hid_t group, const char *name, const size_t *values,
                                         size_t n, struct gcv_error *err)
{
    _Static_assert(sizeof(size_t) == sizeof(unsigned long long), "size_t must be 64 bits");
    return put_array(group, name, H5T_STD_U64LE, H5T_NATIVE_ULLONG, values, n, err);
}

enum gcv_status gcv_model_file_put_int32s(hid_t group, const char *name, const int32_t *values,
                                          size_t n, struct gcv_error *err)
{
    return put_array(group, name, H5T_STD_I32LE, H5T_NATIVE_INT32, values, n, err);
}

enum gcv_status gcv_model_file_get_doubles(hid_t group, const char *name, size_t n,
                                           double **values, struct gcv_error *err)
{
    enum gcv_status status = get_array(group, name, H5T_NATIVE_DOUBLE, H5T_FLOAT,
                                       sizeof **values, n, (void **)values, err);

    for (size_t i = 0; i < n && status == GCV_OK; i++)
        if (!isfinite((*values)[i]))
            status = gcv_error_set(err, GCV_ERR_DATA, "model array \"%s\" holds %g at %zu, "
                                   "which no fit writes", name, (*values)[i], i);
    if (status != GCV_OK && *values != NULL) {
        free(*values);
        *values = NULL;
    }
    return status;
}

enum gcv_status gcv_model_file_get_sizes(hid_t group, const char *name, size_t n,
                                         size_t **values, struct gcv_error *err)
{
    return get_array(group, name, H5T_NATIVE_ULLONG, H5T_INTEGER, sizeof **values, n,
                     (void **)values, err);
}

enum gcv_status gcv_model_file_get_int32s(hid_t group, const char *name, size_t n,
                                          int32_t **values, struct gcv_error *err)
{
    return get_array(group, name, H5T_NATIVE_INT32, H5T_INTEGER, sizeof **values, n,
                     (void **)values, err);
}

enum gcv_status gcv_model_file_get_class_codes(hid_t group, const char *name, size_t n,
                                               int32_t **values, struct gcv_error *err)
{
    enum gcv_status status = gcv_model_file_get_int32s(group, name, n, values, err);

    for (size_t i = 0; i < n && status == GCV_OK; i++)
        if ((*values)[i] < 0 || (i > 0 && (*values)[i] <= (*values)[i - 1]))
            status = gcv_error_set(err, GCV_ERR_DATA, "model array \"%s\" holds class code %d "
                                   "at %zu, but a fit writes codes from 0 up, each larger than "
                                   "the one before", name, (int)(*values)[i], i);
    if (status != GCV_OK && *values != NULL) {
        free(*values);
        *values = NULL;
    }
    return status;
}

/* ----- strings ----------------------------------------------------------- */

/* Returns a variable-length UTF-8 string type, or a negative id. */
static hid_t string_type(void)
{
    hid_t type = H5Tcopy(H5T_C_S1);

    if (type >= 0 && (H5Tset_size(type, H5T_VARIABLE) < 0 ||
                      H5Tset_cset(type, H5T_CSET_UTF8) < 0)) {
        H5Tclose(type);
        return H5I_INVALID_HID;
    }
    return type;
}

enum gcv_status gcv_model_file_put_string(hid_t group, const char *name, const char *value,
                                  struct gcv_error *err)
{
    hid_t type = string_type();
    enum gcv_status status;

    if (type < 0)
        return gcv_error_set(err, GCV_ERR_IO, "cannot make a string type for \"%s\"", name);
    status = put_scalar(group, name, type, &value, err);
    H5Tclose(type);
    return status;
}

enum gcv_status gcv_model_file_get_string(hid_t group, const char *name, char **value,
                                  struct gcv_error *err)
{
    hid_t attribute = H5I_INVALID_HID, stored = H5I_INVALID_HID, memory = H5I_INVALID_HID;
    hid_t space = H5I_INVALID_HID;
    char *text = NULL;
    enum gcv_status status = GCV_OK;

    *value = NULL;
    if (H5Aexists(group, name) <= 0)
        return gcv_error_set(err, GCV_ERR_DATA, "model attribute \"%s\" is missing", name);
    attribute = H5Aopen(group, name, H5P_DEFAULT);
    if (attribute >= 0) {
        stored = H5Aget_type(attribute);
        space = H5Aget_space(attribute);
    }
    if (stored < 0 || space < 0 || H5Tget_class(stored) != H5T_STRING ||
        H5Sget_simple_extent_npoints(space) != 1) {
        status = gcv_error_set(err, GCV_ERR_DATA, "model attribute \"%s\" is not a string", name);
        goto cleanup;
    }
    if (H5Tis_variable_str(stored) > 0) {
        memory = string_type();
        if (memory < 0 || H5Aread(attribute, memory, &text) < 0 || text == NULL) {
            status = gcv_error_set(err, GCV_ERR_DATA, "cannot read model attribute \"%s\"",
                                   name);
            goto cleanup;
        }
        *value = strdup(text);
        H5free_memory(text);
    } else {
        size_t size = H5Tget_size(stored);

        memory = H5Tcopy(stored);
        text = calloc(size + 1, 1);
        if (memory < 0 || text == NULL || H5Aread(attribute, memory, text) < 0) {
            free(text);
            status = gcv_error_set(err, GCV_ERR_DATA, "cannot read model attribute \"%s\"",
                                   name);
            goto cleanup;
        }
        *value = text;
    }
    if (*value == NULL)
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory reading \"%s\"", name);

cleanup:
    if (memory >= 0)
        H5Tclose(memory);
    if (space >= 0)
        H5Sclose(space);
    if (stored >= 0)
        H5Tclose(stored);
    if (attribute >= 0)
        H5Aclose(attribute);
    return status;
}

/* ----- classes ----------------------------------------------------------- */

static enum gcv_status put_classes(hid_t file, const struct gcv_model_header *header,
                                   struct gcv_error *err)
{
    hsize_t dims[1] = {(hsize_t)header->n_classes};
    hid_t space = H5I_INVALID_HID, type = H5I_INVALID_HID, dataset = H5I_INVALID_HID;
    enum gcv_status status = GCV_OK;

    if (header->label_kind == GCV_LABELS_INTEGER)
        return put_array(file, "classes", H5T_STD_I64LE, H5T_NATIVE_LLONG,
                         header->class_integers, header->n_classes, err);

    space = H5Screate_simple(1, dims, NULL);
    type = string_type();
    if (space >= 0 && type >= 0)
        dataset = H5Dcreate2(file, "classes", type, space, H5P_DEFAULT, H5P_DEFAULT,
                             H5P_DEFAULT);
    if (dataset < 0 || H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                                header->class_strings) < 0)
        status = gcv_error_set(err, GCV_ERR_IO, "cannot write the %zu class labels",
                               header->n_classes);
    if (dataset >= 0)
        H5Dclose(dataset);
    if (type >= 0)
        H5Tclose(type);
    if (space >= 0)
        H5Sclose(space);
    return status;
}

static enum gcv_status get_classes(hid_t file, struct gcv_model_header *header,
                                   struct gcv_error *err)
{
    const size_t n = header->n_classes;
    hid_t dataset = H5I_INVALID_HID, space = H5I_INVALID_HID, type = H5I_INVALID_HID;
    char **texts = NULL;
    enum gcv_status status = GCV_OK;

    if (header->label_kind == GCV_LABELS_INTEGER) {
        long long *labels = NULL;

        status = get_array(file, "classes", H5T_NATIVE_LLONG, H5T_INTEGER, sizeof *labels, n,
                           (void **)&labels, err);
        header->class_integers = labels;
        for (size_t i = 1; i < n && status == GCV_OK; i++)
            if (labels[i - 1] >= labels[i])
                status = gcv_error_set(err, GCV_ERR_DATA, "model array \"classes\" is not in "
                                       "ascending order (%lld before %lld at %zu), as a fit "
                                       "writes it: the file is damaged; write it again with "
                                       "gridcv run", labels[i - 1], labels[i], i);
        return status;
    }

    if (H5Lexists(file, "classes", H5P_DEFAULT) <= 0)
        return gcv_error_set(err, GCV_ERR_DATA, "model array \"classes\" is missing");
    dataset = H5Dopen2(file, "classes", H5P_DEFAULT);
    if (dataset >= 0)
        space = H5Dget_space(dataset);
    type = string_type();
    texts = calloc(n > 0 ? n : 1, sizeof *texts);
    header->class_strings = calloc(n > 0 ? n : 1, sizeof *header->class_strings);
    if (texts == NULL || header->class_strings == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu class labels", n);
        goto cleanup;
    }
    if (space < 0 || type < 0 || H5Sget_simple_extent_npoints(space) != (hssize_t)n ||
        H5Dread(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, texts) < 0) {
        status = gcv_error_set(err, GCV_ERR_DATA, "model array \"classes\" does not hold %zu "
                               "strings", n);
        goto cleanup;
    }
    for (size_t i = 0; i < n && status == GCV_OK; i++) {
        header->class_strings[i] = strdup(texts[i] != NULL ? texts[i] : "");
        if (header->class_strings[i] == NULL)
            status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for class labels");
    }

    /* A fit numbers the labels in strcmp order (common/h5data.c). */
    for (size_t i = 1; i < n && status == GCV_OK; i++)
        if (strcmp(header->class_strings[i - 1], header->class_strings[i]) >= 0)
            status = gcv_error_set(err, GCV_ERR_DATA, "model array \"classes\" is not in "
                                   "ascending order (\"%s\" before \"%s\" at %zu), as a fit "
                                   "writes it: the file is damaged; write it again with gridcv "
                                   "run", header->class_strings[i - 1],
                                   header->class_strings[i], i);
    H5Dvlen_reclaim(type, space, H5P_DEFAULT, texts);

cleanup:
    free(texts);
    if (type >= 0)
        H5Tclose(type);
    if (space >= 0)
        H5Sclose(space);
    if (dataset >= 0)
        H5Dclose(dataset);
    return status;
}

/* ----- the file ---------------------------------------------------------- */

static const char *kind_name(enum gcv_label_kind kind)
{
    switch (kind) {
    case GCV_LABELS_INTEGER:
        return "integer";
    case GCV_LABELS_STRING:
        return "string";
    case GCV_LABELS_NONE:
        break;
    }
    return "regression";
}

static enum gcv_status put_header(hid_t file, const struct gcv_model_header *header,
                                  struct gcv_error *err)
{
    enum gcv_status status;

    if ((status = gcv_model_file_put_int(file, VERSION_ATTRIBUTE, GCV_MODEL_FORMAT_VERSION,
                                         err)) != GCV_OK ||
        (status = gcv_model_file_put_string(file, "estimator", header->estimator, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_string(file, "best_params", header->best_params, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_size(file, "n_features", header->n_features, err)) !=
            GCV_OK ||
        (status = gcv_model_file_put_string(file, "target_kind",
                                            kind_name(header->label_kind), err)) != GCV_OK ||
        (status = gcv_model_file_put_size(file, "n_classes", header->n_classes, err)) != GCV_OK)
        return status;
    if (header->label_kind != GCV_LABELS_NONE)
        status = put_classes(file, header, err);
    if (status == GCV_OK && header->has_threshold &&
        ((status = gcv_model_file_put_double(file, "threshold", header->threshold, err)) !=
             GCV_OK ||
         (status = gcv_model_file_put_string(file, "threshold_score",
                                             header->threshold_from_proba ? "predict_proba"
                                                                          : "decision_function",
                                             err)) != GCV_OK ||
         (status = gcv_model_file_put_int(file, "threshold_positive_class",
                                          header->threshold_positive, err)) != GCV_OK))
        return status;
    if (status == GCV_OK && header->has_threshold)
        status = gcv_model_file_put_int(file, "threshold_negative_class",
                                        header->threshold_negative, err);
    return status;
}

/* Reads the optional tuned threshold of a binary classifier's model file:
 * its four attributes, or none of them. */
static enum gcv_status get_threshold(hid_t file, struct gcv_model_header *header,
                                     struct gcv_error *err)
{
    char *score = NULL;
    long long positive = -1, negative = -1;
    enum gcv_status status;

    header->has_threshold = H5Aexists(file, "threshold") > 0;
    if (!header->has_threshold)
        return GCV_OK;
    if ((status = gcv_model_file_get_double(file, "threshold", &header->threshold, err)) !=
            GCV_OK ||
        (status = gcv_model_file_get_string(file, "threshold_score", &score, err)) != GCV_OK ||
        (status = gcv_model_file_get_int(file, "threshold_positive_class", &positive, err)) !=
            GCV_OK ||
        (status = gcv_model_file_get_int(file, "threshold_negative_class", &negative, err)) !=
            GCV_OK)
        goto cleanup;
    if (strcmp(score, "predict_proba") != 0 && strcmp(score, "decision_function") != 0)
        status = gcv_error_set(err, GCV_ERR_DATA, "model attribute \"threshold_score\" is "
                               "\"%s\"; expected \"decision_function\" or \"predict_proba\"",
                               score);
    else if (header->n_classes != 2 || positive < 0 || positive > 1 || negative != 1 - positive)
        status = gcv_error_set(err, GCV_ERR_DATA, "model attributes \"threshold_positive_class\" "
                               "%lld and \"threshold_negative_class\" %lld do not name the two "
                               "classes of a binary model", positive, negative);
    else if (isnan(header->threshold))
        status = gcv_error_set(err, GCV_ERR_DATA, "model attribute \"threshold\" is NaN, "
                               "which no tuning writes");
    header->threshold_from_proba = strcmp(score, "predict_proba") == 0;
    header->threshold_positive = (int32_t)positive;
    header->threshold_negative = (int32_t)negative;

cleanup:
    free(score);
    return status;
}

enum gcv_status gcv_model_file_write(const char *path, const struct gcv_model_header *header,
                                     enum gcv_status (*save_model)(const void *model,
                                                                   hid_t group,
                                                                   struct gcv_error *err),
                                     const void *model, struct gcv_error *err)
{
    char temp[4096];
    const char *slash = strrchr(path, '/');
    hid_t file = H5I_INVALID_HID, group = H5I_INVALID_HID;
    enum gcv_status status;

    /* The temporary file sits in the same folder, so rename is atomic. */
    if (slash != NULL)
        snprintf(temp, sizeof temp, "%.*s/.%s.partial", (int)(slash - path), path, slash + 1);
    else
        snprintf(temp, sizeof temp, ".%s.partial", path);

    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    file = H5Fcreate(temp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0)
        return gcv_error_set(err, GCV_ERR_IO, "cannot create model file %s", temp);
    if ((status = put_header(file, header, err)) != GCV_OK)
        goto cleanup;
    group = H5Gcreate2(file, "model", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (group < 0) {
        status = gcv_error_set(err, GCV_ERR_IO, "cannot create group /model in %s", temp);
        goto cleanup;
    }
    status = save_model(model, group, err);

cleanup:
    if (group >= 0)
        H5Gclose(group);
    if (H5Fclose(file) < 0 && status == GCV_OK)
        status = gcv_error_set(err, GCV_ERR_IO, "writing model file %s failed", temp);
    if (status == GCV_OK && rename(temp, path) != 0)
        status = gcv_error_set(err, GCV_ERR_IO, "cannot rename %s to %s: %s", temp, path,
                               strerror(errno));
    if (status != GCV_OK) {
        unlink(temp);
        gcv_error_prefix(err, "%s: ", path);
    }
    return status;
}

static enum gcv_status get_header(hid_t file, struct gcv_model_header *header,
                                  struct gcv_error *err)
{
    char *kind = NULL;
    enum gcv_status status;

    if ((status = gcv_model_file_get_int(file, VERSION_ATTRIBUTE, &header->format_version,
                                         err)) != GCV_OK)
        return status;
    if (header->format_version > GCV_MODEL_FORMAT_VERSION || header->format_version < 1)
        return gcv_error_set(err, GCV_ERR_DATA, "model format version %lld is not supported: "
                             "this gridcv reads versions 1 to %d; use a newer gridcv",
                             header->format_version, GCV_MODEL_FORMAT_VERSION);
    if ((status = gcv_model_file_get_string(file, "estimator", &header->estimator, err)) !=
            GCV_OK ||
        (status = gcv_model_file_get_string(file, "best_params", &header->best_params, err)) !=
            GCV_OK ||
        (status = gcv_model_file_get_size(file, "n_features", &header->n_features, err)) !=
            GCV_OK ||
        (status = gcv_model_file_get_size(file, "n_classes", &header->n_classes, err)) !=
            GCV_OK ||
        (status = gcv_model_file_get_string(file, "target_kind", &kind, err)) != GCV_OK)
        goto cleanup;

    if (strcmp(kind, "integer") == 0) {
        header->label_kind = GCV_LABELS_INTEGER;
    } else if (strcmp(kind, "string") == 0) {
        header->label_kind = GCV_LABELS_STRING;
    } else if (strcmp(kind, "regression") == 0) {
        header->label_kind = GCV_LABELS_NONE;
    } else {
        status = gcv_error_set(err, GCV_ERR_DATA, "model attribute \"target_kind\" is \"%s\"; "
                               "expected \"integer\", \"string\" or \"regression\"", kind);
        goto cleanup;
    }
    if (header->label_kind != GCV_LABELS_NONE && header->n_classes < 1) {
        status = gcv_error_set(err, GCV_ERR_DATA, "a classifier's model file names no class");
        goto cleanup;
    }
    if (header->label_kind != GCV_LABELS_NONE)
        status = get_classes(file, header, err);
    if (status == GCV_OK && header->label_kind != GCV_LABELS_NONE)
        status = get_threshold(file, header, err);

cleanup:
    free(kind);
    return status;
}

enum gcv_status gcv_model_file_open(const char *path, struct gcv_model_header *header,
                                    hid_t *file, hid_t *group, struct gcv_error *err)
{
    struct stat info;
    enum gcv_status status;

    memset(header, 0, sizeof *header);
    *file = *group = H5I_INVALID_HID;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (stat(path, &info) != 0)
        return gcv_error_set(err, GCV_ERR_DATA, "model file %s cannot be opened: %s; give "
                             "the model.h5 that gridcv run wrote into its output folder", path,
                             strerror(errno));
    if (S_ISDIR(info.st_mode))
        return gcv_error_set(err, GCV_ERR_DATA, "model file %s is a folder; give the model.h5 "
                             "inside it", path);
    if (!S_ISREG(info.st_mode))
        return gcv_error_set(err, GCV_ERR_DATA, "model file %s is not a regular file (a device "
                             "or a FIFO); HDF5 needs a file it can seek in", path);
    if (H5Fis_hdf5(path) <= 0 ||
        (*file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0)
        return gcv_error_set(err, GCV_ERR_DATA, "%s is not a gridcv model file: it is not an "
                             "HDF5 file; give the model.h5 that gridcv run wrote, then the "
                             "data", path);
    if (H5Aexists(*file, VERSION_ATTRIBUTE) <= 0) {
        status = gcv_error_set(err, GCV_ERR_DATA, "%s is not a gridcv model file: it has no "
                               "attribute \"%s\"; give the model.h5 that gridcv run wrote, "
                               "then the data", path, VERSION_ATTRIBUTE);
        goto cleanup;
    }
    if ((status = get_header(*file, header, err)) != GCV_OK)
        goto cleanup;
    if (H5Lexists(*file, "model", H5P_DEFAULT) <= 0 ||
        (*group = H5Gopen2(*file, "model", H5P_DEFAULT)) < 0)
        status = gcv_error_set(err, GCV_ERR_DATA, "the group /model is missing");

cleanup:
    if (status != GCV_OK) {
        if (strncmp(err->message, path, strlen(path)) != 0)
            gcv_error_prefix(err, "%s: ", path);
        if (*group >= 0)
            H5Gclose(*group);
        H5Fclose(*file);
        *file = *group = H5I_INVALID_HID;
        gcv_model_header_free(header);
    }
    return status;
}

void gcv_model_header_free(struct gcv_model_header *header)
{
    if (header == NULL)
        return;
    free(header->estimator);
    free(header->best_params);
    free(header->class_integers);
    if (header->class_strings != NULL)
        for (size_t i = 0; i < header->n_classes; i++)
            free(header->class_strings[i]);
    free(header->class_strings);
    memset(header, 0, sizeof *header);
}
