/* Reading a dataset from HDF5 shards. This is the only module that uses
 * HDF5. HDF5's own error printing is turned off; the innermost message of
 * its error stack is folded into ours, with the shard and dataset named.
 *
 * Shards are read one after the other, each straight into its slice of the
 * row arrays, so X is never held twice: HDF5 converts float32 or integer X
 * to double and decompresses chunked (gzip) datasets on the way. */
#include "dataset.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <hdf5.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Alignment of each row array inside the block: one cache line. */
#define BLOCK_ALIGN 64

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

/* True for a path that exists and is neither a regular file nor a folder:
 * a FIFO, a device or a socket, in which HDF5 cannot seek (a FIFO would
 * block its open until a writer comes). */
static bool is_special(const char *path)
{
    struct stat info;

    return stat(path, &info) == 0 && !S_ISDIR(info.st_mode) && !S_ISREG(info.st_mode);
}

/* ----- shards and datasets ------------------------------------------------ */

/* An open dataset and what we learnt about it. */
struct h5_array {
    hid_t dataset;
    hid_t type;
    hid_t space;
    H5T_class_t type_class;
    int rank;
    hsize_t dims[H5S_MAX_RANK];
    bool enum_values; /* an enum of integers, such as h5py's numpy bool, read as its integers */
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

/* Returns true for the number layouts that numpy and h5py write: integers
 * of 1, 2, 4 or 8 bytes that use every bit, IEEE 754 floats of 2, 4 or 8
 * bytes, and the x86 80-bit extended float that numpy's longdouble uses.
 * A damaged file can describe other layouts, which HDF5's conversion to
 * double then handles with huge buffers: an 8-row file of 4 KiB made one
 * load use 4 GB. */
static bool is_standard_number(hid_t type, H5T_class_t type_class)
{
    static const struct {
        size_t size, precision, sign, exponent, exponent_bits, mantissa_bits, bias;
    } floats[] = {
        {2, 16, 15, 10, 5, 10, 15},
        {4, 32, 31, 23, 8, 23, 127},
        {8, 64, 63, 52, 11, 52, 1023},
        {16, 80, 79, 64, 15, 64, 16383},
    };
    size_t size = H5Tget_size(type);
    size_t sign, exponent, exponent_bits, mantissa, mantissa_bits;

    if (H5Tget_offset(type) != 0)
        return false;
    if (type_class == H5T_INTEGER)
        return (size == 1 || size == 2 || size == 4 || size == 8) &&
               H5Tget_precision(type) == 8 * size;
    if (H5Tget_fields(type, &sign, &exponent, &exponent_bits, &mantissa, &mantissa_bits) < 0)
        return false;
    for (size_t i = 0; i < sizeof floats / sizeof floats[0]; i++)
        if (size == floats[i].size && H5Tget_precision(type) == floats[i].precision &&
            sign == floats[i].sign && exponent == floats[i].exponent &&
            exponent_bits == floats[i].exponent_bits && mantissa == 0 &&
            mantissa_bits == floats[i].mantissa_bits && H5Tget_ebias(type) == floats[i].bias)
            return true;
    return false;
}

/* Link names gathered for a "not found" message: at most 10, cut short
 * when the buffer is full. */
struct name_list {
    char *buf;
    size_t len;
    size_t count;
};

static herr_t add_link_name(hid_t group, const char *name, const H5L_info_t *info, void *data)
{
    struct name_list *list = data;
    size_t used = strlen(list->buf);

    (void)group;
    (void)info;
    if (list->count == 10) {
        snprintf(list->buf + used, list->len - used, ", ...");
        return 1;
    }
    snprintf(list->buf + used, list->len - used, "%s%s", list->count > 0 ? ", " : "", name);
    list->count++;
    return 0;
}

/* Writes the names in the root group of file, comma-separated, into buf. */
static void list_root_names(hid_t file, char *buf, size_t len)
{
    struct name_list list = {buf, len, 0};
    hsize_t index = 0;

    buf[0] = '\0';
    H5Literate(file, H5_INDEX_NAME, H5_ITER_INC, &index, add_link_name, &list);
}

/* Opens dataset name of file and reads its shape and type class. key is
 * the spec key that names the dataset ("data.X"), or NULL when unknown. */
static enum gcv_status array_open(hid_t file, const char *path, const char *name,
                                  const char *key, struct h5_array *array, struct gcv_error *err)
{
    char reason[256], names[200];
    htri_t exists;

    array->dataset = array->type = array->space = H5I_INVALID_HID;

    /* H5Lexists fails rather than answers when an intermediate group is
     * missing, so both outcomes mean "not found". */
    exists = H5Lexists(file, name, H5P_DEFAULT);
    if (exists <= 0) {
        list_root_names(file, names, sizeof names);
        return gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" not found%s%s%s; the file's "
                             "root group holds: %s", path, name,
                             key != NULL ? " (named by " : "", key != NULL ? key : "",
                             key != NULL ? ")" : "", names[0] != '\0' ? names : "nothing");
    }

    array->dataset = H5Dopen2(file, name, H5P_DEFAULT);
    if (array->dataset < 0)
        return gcv_error_set(err, GCV_ERR_DATA, "%s: \"%s\"%s%s%s cannot be opened as a "
                             "dataset: %s", path, name, key != NULL ? " (named by " : "",
                             key != NULL ? key : "", key != NULL ? ")" : "",
                             hdf5_reason(reason));
    array->type = H5Dget_type(array->dataset);
    array->space = H5Dget_space(array->dataset);
    if (array->type < 0 || array->space < 0) {
        array_close(array);
        return gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" is unreadable: %s", path,
                             name, hdf5_reason(reason));
    }
    array->type_class = H5Tget_class(array->type);
    array->enum_values = false;
    if (array->type_class == H5T_ENUM) {
        hid_t base = H5Tget_super(array->type);

        /* h5py writes numpy bool as an enum of int8 (FALSE = 0, TRUE = 1),
         * so an enum over a standard integer counts as that integer. */
        if (base >= 0 && H5Tget_class(base) == H5T_INTEGER &&
            is_standard_number(base, H5T_INTEGER)) {
            array->type_class = H5T_INTEGER;
            array->enum_values = true;
        }
        if (base >= 0)
            H5Tclose(base);
    }
    if (!array->enum_values && (array->type_class == H5T_INTEGER || array->type_class == H5T_FLOAT) &&
        !is_standard_number(array->type, array->type_class)) {
        array_close(array);
        return gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" has a damaged or unsupported "
                             "number type: write integers of 1 to 8 bytes or IEEE floats of 2, 4 "
                             "or 8 bytes", path, name);
    }
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
    hid_t native = H5I_INVALID_HID, base = H5I_INVALID_HID;
    size_t n_values = 1;
    enum gcv_status status = GCV_OK;

    if (!array->enum_values) {
        if (H5Dread(array->dataset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
            return gcv_error_set(err, GCV_ERR_DATA, "%s: reading dataset \"%s\" failed: %s",
                                 path, name, hdf5_reason(reason));
        return GCV_OK;
    }

    /* HDF5 converts an enum only to another enum, so the values are read as
     * the native enum and their integers then converted in place. buf holds
     * n_values of mem_type, at least as wide as the enum's integer. */
    for (int d = 0; d < array->rank; d++)
        n_values *= (size_t)array->dims[d];
    native = H5Tget_native_type(array->type, H5T_DIR_ASCEND);
    base = native >= 0 ? H5Tget_super(native) : H5I_INVALID_HID;
    if (base < 0 || H5Tget_size(base) > H5Tget_size(mem_type) ||
        H5Dread(array->dataset, native, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0 ||
        H5Tconvert(base, mem_type, n_values, buf, NULL, H5P_DEFAULT) < 0)
        status = gcv_error_set(err, GCV_ERR_DATA, "%s: reading enum dataset \"%s\" as integers "
                               "failed: %s", path, name, hdf5_reason(reason));
    if (base >= 0)
        H5Tclose(base);
    if (native >= 0)
        H5Tclose(native);
    return status;
}

/* Seconds the check process of gcv_dataset_scan may take; 0 turns the
 * check off. */
static double check_timeout = GCV_DATASET_CHECK_TIMEOUT;

/* Sets O_NONBLOCK on fd. */
static int fcntl_nonblock(int fd)
{
    int flags = fcntl(fd, F_GETFL);

    return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* In the check process: the write end of the pipe on which open_file names
 * each file before HDF5 touches it, so that the parent can name the file
 * that crashed or hung HDF5. -1 elsewhere. */
static int check_progress_fd = -1;

/* The names of the paths and of X in messages: the spec keys unless the
 * source names them otherwise (gridcv predict's command line). */
static const char *paths_key(const struct gcv_dataset_source *source)
{
    return source->paths_key != NULL ? source->paths_key : "data.path";
}

static const char *X_key(const struct gcv_dataset_source *source)
{
    return source->X_key != NULL ? source->X_key : "data.X";
}

/* Opens an HDF5 file read-only, or names the reason it cannot be opened;
 * key names the paths in messages. */
static enum gcv_status open_file(const char *path, const char *key, hid_t *file,
                                 struct gcv_error *err)
{
    char reason[256];

    *file = H5I_INVALID_HID;
    if (check_progress_fd >= 0) {
        /* One write of at most PIPE_BUF bytes is atomic; a longer path is
         * cut, which only shortens the name in a message. */
        char line[512];
        int len = snprintf(line, sizeof line, "%s\n", path);
        if (len > 0 && write(check_progress_fd, line,
                             (size_t)len < sizeof line ? (size_t)len : sizeof line - 1) < 0)
            check_progress_fd = -1;
    }
    if (access(path, R_OK) != 0)
        return gcv_error_set(err, GCV_ERR_DATA, "%s: cannot open %s: %s", key, path,
                             strerror(errno));
    if (is_folder(path))
        return gcv_error_set(err, GCV_ERR_DATA, "%s: %s is a folder, not an HDF5 file",
                             key, path);
    if (is_special(path))
        return gcv_error_set(err, GCV_ERR_DATA, "%s: %s is not a regular file (a FIFO, "
                             "a device or a socket); HDF5 needs a file it can seek in", key, path);
    if (H5Fis_hdf5(path) <= 0)
        return gcv_error_set(err, GCV_ERR_DATA, "%s: %s is not a readable HDF5 file "
                             "(truncated, corrupt or another format)", key, path);
    *file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (*file < 0)
        return gcv_error_set(err, GCV_ERR_DATA, "%s: cannot open HDF5 file %s: %s", key, path,
                             hdf5_reason(reason));
    return GCV_OK;
}

/* Checks that a dataset is 1-D with one entry per row of its shard's X. */
static enum gcv_status check_column(const struct h5_array *array, size_t n_rows,
                                    const char *path, const char *name, const char *role,
                                    struct gcv_error *err)
{
    if (array->rank != 1)
        return gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (%s) must be 1-D, got %d-D",
                             path, name, role, array->rank);
    if ((size_t)array->dims[0] != n_rows)
        return gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (%s) has %llu entries but X "
                             "has %zu rows: they must have the same length", path, name, role,
                             (unsigned long long)array->dims[0], n_rows);
    return GCV_OK;
}

/* ----- scan ---------------------------------------------------------------- */

/* Appends a copy of path to the layout's file list, rejecting a file that is
 * already in it. */
static enum gcv_status add_file(struct gcv_dataset_layout *layout, size_t *capacity,
                                const char *path, const char *key, struct gcv_error *err)
{
    for (size_t i = 0; i < layout->n_shards; i++)
        if (strcmp(layout->files[i], path) == 0)
            return gcv_error_set(err, GCV_ERR_DATA, "%s: %s is listed twice (shards %zu "
                                 "and %zu): each shard must appear once", key, path, i,
                                 layout->n_shards);
    if (layout->n_shards == *capacity) {
        size_t grown = *capacity > 0 ? 2 * *capacity : 8;
        char **files = realloc(layout->files, grown * sizeof *files);
        if (files == NULL)
            return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory listing the shards");
        layout->files = files;
        *capacity = grown;
    }
    layout->files[layout->n_shards] = strdup(path);
    if (layout->files[layout->n_shards] == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory listing the shards");
    layout->n_shards++;
    return GCV_OK;
}

/* Expands each entry of source->paths in order: an entry with a glob
 * metacharacter becomes its matches, sorted by glob(3); any other entry is
 * taken as it is, so a missing file is reported by name when it is opened. */
static enum gcv_status expand_paths(const struct gcv_dataset_source *source,
                                    struct gcv_dataset_layout *layout, struct gcv_error *err)
{
    size_t capacity = 0;
    enum gcv_status status = GCV_OK;

    for (size_t i = 0; i < source->n_paths && status == GCV_OK; i++) {
        const char *entry = source->paths[i];
        glob_t matches;
        int rc;

        if (strpbrk(entry, "*?[") == NULL) {
            status = add_file(layout, &capacity, entry, paths_key(source), err);
            continue;
        }
        rc = glob(entry, GLOB_ERR, NULL, &matches);
        if (rc == GLOB_NOMATCH)
            return gcv_error_set(err, GCV_ERR_DATA, "%s: the pattern %s matches no file",
                                 paths_key(source), entry);
        if (rc != 0) {
            if (rc != GLOB_NOSPACE)
                globfree(&matches);
            return gcv_error_set(err, rc == GLOB_NOSPACE ? GCV_ERR_NOMEM : GCV_ERR_DATA,
                                 "%s: cannot expand the pattern %s: %s", paths_key(source),
                                 entry,
                                 rc == GLOB_NOSPACE ? "out of memory" : "a folder is unreadable");
        }
        for (size_t m = 0; m < matches.gl_pathc && status == GCV_OK; m++)
            status = add_file(layout, &capacity, matches.gl_pathv[m], paths_key(source),
                              err);
        globfree(&matches);
    }
    return status;
}

/* Storage of y in the first shard, which every other shard must match. */
enum y_storage { Y_UNKNOWN, Y_STRINGS, Y_NUMBERS };

/* Checks one shard's datasets and records its rows. */
static enum gcv_status scan_shard(const struct gcv_dataset_source *source, size_t shard,
                                  struct gcv_dataset_layout *layout, enum y_storage *y_storage,
                                  struct gcv_error *err)
{
    const char *path = layout->files[shard];
    struct h5_array array = {H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID, 0, 0, {0},
                             false};
    hid_t file;
    size_t n_rows;
    enum y_storage storage;
    enum gcv_status status;

    if ((status = open_file(path, paths_key(source), &file, err)) != GCV_OK)
        return status;

    /* X: 2-D, numeric, non-empty, as wide as the first shard's. */
    if ((status = array_open(file, path, source->X, X_key(source), &array, err)) != GCV_OK)
        goto cleanup;
    if (array.rank != 2) {
        status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (%s) must be 2-D (rows "
                               "x features), got %d-D", path, source->X, X_key(source),
                               array.rank);
        goto cleanup;
    }
    if (!is_numeric(&array)) {
        status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (%s) must hold numbers "
                               "(integer or float), got %s", path, source->X, X_key(source),
                               array.type_class == H5T_STRING ? "strings" : "another type");
        goto cleanup;
    }
    if (array.dims[0] == 0 || array.dims[1] == 0) {
        status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (X) is empty: shape "
                               "(%llu, %llu)", path, source->X, (unsigned long long)array.dims[0],
                               (unsigned long long)array.dims[1]);
        goto cleanup;
    }
    if (shard > 0 && (size_t)array.dims[1] != layout->n_features) {
        status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (X) has %llu columns, but "
                               "shard %s has %zu: every shard must have the same features",
                               path, source->X, (unsigned long long)array.dims[1],
                               layout->files[0], layout->n_features);
        goto cleanup;
    }
    n_rows = (size_t)array.dims[0];
    layout->n_features = (size_t)array.dims[1];
    array_close(&array);

    /* y: a column of strings or numbers, stored as the first shard does.
     * A source without y (the rows of gridcv predict) reads X alone. */
    if (source->y != NULL) {
        if ((status = array_open(file, path, source->y, "data.y", &array, err)) != GCV_OK)
            goto cleanup;
        if ((status = check_column(&array, n_rows, path, source->y, "y", err)) != GCV_OK)
            goto cleanup;
        if (array.type_class == H5T_STRING) {
            storage = Y_STRINGS;
        } else if (is_numeric(&array)) {
            storage = Y_NUMBERS;
        } else {
            status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (y) must hold "
                                   "numbers or strings", path, source->y);
            goto cleanup;
        }
        if (storage == Y_STRINGS && !source->classification) {
            status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (y) holds strings, "
                                   "but the estimator is a regressor and needs numeric "
                                   "targets", path, source->y);
            goto cleanup;
        }
        if (*y_storage != Y_UNKNOWN && storage != *y_storage) {
            status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (y) holds %s, but "
                                   "shard %s holds %s: every shard must store y the same "
                                   "way", path, source->y,
                                   storage == Y_STRINGS ? "strings" : "numbers",
                                   layout->files[0], storage == Y_STRINGS ? "numbers" : "strings");
            goto cleanup;
        }
        *y_storage = storage;
        array_close(&array);
    }

    /* The optional columns: numeric, one entry per row. */
    if (source->holdout != NULL) {
        status = array_open(file, path, source->holdout, "data.holdout", &array, err);
        if (status != GCV_OK)
            goto cleanup;
        status = check_column(&array, n_rows, path, source->holdout, "holdout mask", err);
        if (status == GCV_OK && !is_numeric(&array))
            status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (holdout mask) must "
                                   "hold integers 0 and 1", path, source->holdout);
        if (status != GCV_OK)
            goto cleanup;
        array_close(&array);
    }
    if (layout->has_test_fold && !layout->shard_folds) {
        status = array_open(file, path, source->test_fold, "cv.test_fold", &array, err);
        if (status != GCV_OK)
            goto cleanup;
        status = check_column(&array, n_rows, path, source->test_fold, "test_fold", err);
        if (status == GCV_OK && !is_numeric(&array))
            status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (test_fold) must hold "
                                   "integers", path, source->test_fold);
        if (status != GCV_OK)
            goto cleanup;
        array_close(&array);
    }
    if (layout->has_groups) {
        status = array_open(file, path, source->groups, "data.groups", &array, err);
        if (status != GCV_OK)
            goto cleanup;
        status = check_column(&array, n_rows, path, source->groups, "groups", err);
        if (status == GCV_OK && !is_numeric(&array) && array.type_class != H5T_STRING)
            status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (groups) must hold "
                                   "numbers or strings", path, source->groups);
        if (status != GCV_OK)
            goto cleanup;
        array_close(&array);
    }
    if (layout->shard_folds && H5Lexists(file, GCV_DATASET_SHARD_FOLDS, H5P_DEFAULT) > 0) {
        status = gcv_error_set(err, GCV_ERR_DATA, "%s: cv.test_fold \"%s\" means each shard is "
                               "one test fold, but this file also has a dataset named \"%s\": "
                               "rename that dataset to use it as test_fold", path,
                               GCV_DATASET_SHARD_FOLDS, GCV_DATASET_SHARD_FOLDS);
        goto cleanup;
    }

    layout->shard_start[shard + 1] = layout->shard_start[shard] + n_rows;

cleanup:
    array_close(&array);
    H5Fclose(file);
    return status;
}

/* gcv_dataset_scan without the check process. */
static enum gcv_status scan_shards(const struct gcv_dataset_source *source,
                                   struct gcv_dataset_layout *layout, struct gcv_error *err)
{
    enum y_storage y_storage = Y_UNKNOWN;
    enum gcv_status status;

    memset(layout, 0, sizeof *layout);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    layout->classification = source->classification;
    layout->has_holdout = source->holdout != NULL;
    layout->has_test_fold = source->test_fold != NULL;
    layout->has_groups = source->groups != NULL;
    layout->shard_folds = source->test_fold != NULL &&
                          strcmp(source->test_fold, GCV_DATASET_SHARD_FOLDS) == 0;

    if ((status = expand_paths(source, layout, err)) != GCV_OK)
        goto cleanup;
    if (layout->shard_folds && layout->n_shards < 2) {
        status = gcv_error_set(err, GCV_ERR_DATA, "cv.test_fold \"%s\" makes each shard one test "
                               "fold, so data.path must give 2 or more shards, got %zu (%s)",
                               GCV_DATASET_SHARD_FOLDS, layout->n_shards, layout->files[0]);
        goto cleanup;
    }

    layout->shard_start = calloc(layout->n_shards + 1, sizeof *layout->shard_start);
    if (layout->shard_start == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory listing %zu shards",
                               layout->n_shards);
        goto cleanup;
    }
    for (size_t shard = 0; shard < layout->n_shards; shard++)
        if ((status = scan_shard(source, shard, layout, &y_storage, err)) != GCV_OK)
            goto cleanup;
    layout->n_rows = layout->shard_start[layout->n_shards];

    if (gcv_dataset_block_size(layout) == 0)
        status = gcv_error_set(err, GCV_ERR_NOMEM, "data of %zu rows x %zu features is too large "
                               "to address", layout->n_rows, layout->n_features);

cleanup:
    if (status != GCV_OK)
        gcv_dataset_layout_free(layout);
    return status;
}

void gcv_dataset_layout_free(struct gcv_dataset_layout *layout)
{
    if (layout == NULL)
        return;
    if (layout->files != NULL)
        for (size_t i = 0; i < layout->n_shards; i++)
            free(layout->files[i]);
    free(layout->files);
    free(layout->shard_start);
    memset(layout, 0, sizeof *layout);
}

/* ----- the block of row arrays ------------------------------------------- */

/* Byte offsets of the arrays in the block; SIZE_MAX for an absent one. */
struct block_offsets {
    size_t X, y_class, y_value, holdout, test_fold, groups, shard_start, total;
};

/* Adds an array of count items of size bytes at the next aligned offset.
 * Returns false on overflow. */
static bool place(size_t *end, size_t count, size_t size, size_t *offset)
{
    size_t start = (*end + BLOCK_ALIGN - 1) / BLOCK_ALIGN * BLOCK_ALIGN;

    if (start < *end || (size > 0 && count > (SIZE_MAX - start) / size))
        return false;
    *offset = start;
    *end = start + count * size;
    return true;
}

static bool block_offsets(const struct gcv_dataset_layout *layout, struct block_offsets *at)
{
    size_t end = 0, n = layout->n_rows;
    bool ok = true;

    at->y_class = at->y_value = at->holdout = at->test_fold = at->groups = SIZE_MAX;
    if (layout->n_features > 0 && n > SIZE_MAX / layout->n_features)
        return false;
    if (layout->n_shards == SIZE_MAX)
        return false;
    ok = place(&end, n * layout->n_features, sizeof(double), &at->X);
    if (ok && layout->classification)
        ok = place(&end, n, sizeof(int32_t), &at->y_class);
    if (ok && !layout->classification)
        ok = place(&end, n, sizeof(double), &at->y_value);
    if (ok && layout->has_test_fold)
        ok = place(&end, n, sizeof(int32_t), &at->test_fold);
    if (ok && layout->has_groups)
        ok = place(&end, n, sizeof(int32_t), &at->groups);
    if (ok && layout->has_holdout)
        ok = place(&end, n, sizeof(uint8_t), &at->holdout);
    if (ok)
        ok = place(&end, layout->n_shards + 1, sizeof(size_t), &at->shard_start);
    at->total = end;
    return ok;
}

size_t gcv_dataset_block_size(const struct gcv_dataset_layout *layout)
{
    struct block_offsets at;

    return block_offsets(layout, &at) ? at.total : 0;
}

enum gcv_status gcv_dataset_attach(struct gcv_dataset *data,
                                   const struct gcv_dataset_layout *layout, void *block,
                                   enum gcv_dataset_storage storage, struct gcv_error *err)
{
    struct block_offsets at;
    char *base = block;

    memset(data, 0, sizeof *data);
    if (!block_offsets(layout, &at))
        return gcv_error_set(err, GCV_ERR_INTERNAL, "a dataset of %zu rows x %zu features "
                             "does not fit in memory", layout->n_rows, layout->n_features);
    data->n_shards = layout->n_shards;
    data->n_rows = layout->n_rows;
    data->n_features = layout->n_features;
    data->is_classification = layout->classification;
    data->storage = storage;

    data->X = (double *)(void *)(base + at.X);
    if (at.y_class != SIZE_MAX)
        data->y_class = (int32_t *)(void *)(base + at.y_class);
    if (at.y_value != SIZE_MAX)
        data->y_value = (double *)(void *)(base + at.y_value);
    if (at.test_fold != SIZE_MAX)
        data->test_fold = (int32_t *)(void *)(base + at.test_fold);
    if (at.groups != SIZE_MAX)
        data->groups = (int32_t *)(void *)(base + at.groups);
    if (at.holdout != SIZE_MAX)
        data->holdout = (uint8_t *)(void *)(base + at.holdout);
    data->shard_start = (size_t *)(void *)(base + at.shard_start);
    if (layout->shard_start != NULL)
        memcpy(data->shard_start, layout->shard_start,
               (layout->n_shards + 1) * sizeof *data->shard_start);
    return GCV_OK;
}

/* ----- labels --------------------------------------------------------------- */

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

/* Encodes string labels as codes of their sorted unique values. The class
 * list contains copies, so labels stays owned by the caller. */
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
            sorted[n_classes++] = sorted[i];
    for (size_t c = 0; c < n_classes; c++)
        sorted[c] = strdup(sorted[c]);

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

/* Blocks that HDF5 allocates for variable-length strings during one read
 * (through H5Pset_vlen_mem_manager), kept so that every one can be freed
 * even when the read fails partway: HDF5 1.10.8 then drops the strings it
 * has already converted without freeing them. */
struct vlen_blocks {
    void **blocks;    /* [count] owned, each from malloc */
    size_t count;
    size_t capacity;
};

static void *vlen_block_alloc(size_t size, void *info)
{
    struct vlen_blocks *list = info;
    void *block;

    if (list->count == list->capacity) {
        size_t capacity = list->capacity > 0 ? 2 * list->capacity : 64;
        void **grown = realloc(list->blocks, capacity * sizeof *grown);

        if (grown == NULL)
            return NULL;
        list->blocks = grown;
        list->capacity = capacity;
    }
    block = malloc(size > 0 ? size : 1);
    if (block != NULL)
        list->blocks[list->count++] = block;
    return block;
}

/* HDF5's free for a block does nothing: vlen_blocks_free frees every block
 * once the read is over. */
static void vlen_block_keep(void *block, void *info)
{
    (void)block;
    (void)info;
}

static void vlen_blocks_free(struct vlen_blocks *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->blocks[i]);
    free(list->blocks);
    memset(list, 0, sizeof *list);
}

/* Reads a string dataset of n entries into out[0..n) as owned C strings.
 * The memory type takes the file's character set (h5py writes str as
 * variable-length UTF-8), because HDF5 does not convert between ASCII and
 * UTF-8. */
static enum gcv_status read_strings(const struct h5_array *array, size_t n, char **out,
                                    const char *path, const char *name, struct gcv_error *err)
{
    hid_t mem_type = H5Tcopy(H5T_C_S1);
    hid_t transfer = H5I_INVALID_HID;
    struct vlen_blocks blocks = {NULL, 0, 0};
    char *fixed = NULL;  /* [n * width] fixed-length strings, NUL-terminated */
    char **raw = NULL;   /* [n] variable-length strings, in blocks */
    char reason[256];
    enum gcv_status status = GCV_OK;

    if (mem_type < 0)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory reading labels");
    H5Tset_cset(mem_type, H5Tget_cset(array->type));

    if (H5Tis_variable_str(array->type) > 0) {
        raw = calloc(n, sizeof *raw);
        transfer = H5Pcreate(H5P_DATASET_XFER);
        if (raw == NULL || transfer < 0 ||
            H5Pset_vlen_mem_manager(transfer, vlen_block_alloc, &blocks, vlen_block_keep,
                                    NULL) < 0) {
            status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory reading labels");
            goto cleanup;
        }
        H5Tset_size(mem_type, H5T_VARIABLE);
        /* NOTE: HDF5 1.10.8 can crash or loop forever inside this read
         * (H5HG_read, its global heap code) on a file whose heap is damaged;
         * the check process of gcv_dataset_scan runs it first. */
        if (H5Dread(array->dataset, mem_type, H5S_ALL, H5S_ALL, transfer, raw) < 0) {
            status = gcv_error_set(err, GCV_ERR_DATA, "%s: reading dataset \"%s\" failed: %s",
                                   path, name, hdf5_reason(reason));
            goto cleanup;
        }
        for (size_t i = 0; i < n && status == GCV_OK; i++) {
            out[i] = strdup(raw[i] != NULL ? raw[i] : "");
            if (out[i] == NULL)
                status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory reading labels");
        }
    } else {
        size_t width = H5Tget_size(array->type) + 1;
        fixed = calloc(n, width);
        if (fixed == NULL) {
            status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory reading labels");
            goto cleanup;
        }
        H5Tset_size(mem_type, width);
        H5Tset_strpad(mem_type, H5T_STR_NULLTERM);
        if ((status = array_read(array, mem_type, fixed, path, name, err)) != GCV_OK)
            goto cleanup;
        for (size_t i = 0; i < n && status == GCV_OK; i++) {
            out[i] = strndup(fixed + i * width, width);
            if (out[i] == NULL)
                status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory reading labels");
        }
    }

cleanup:
    vlen_blocks_free(&blocks);
    if (transfer >= 0)
        H5Pclose(transfer);
    free(fixed);
    free(raw);
    H5Tclose(mem_type);
    return status;
}

/* ----- read ----------------------------------------------------------------- */

/* The scratch of one read: what the row arrays cannot hold until every
 * shard is in. */
struct read_state {
    const struct gcv_dataset_source *source;
    const struct gcv_dataset_layout *layout;
    struct gcv_dataset *data;
    double *values;       /* [max shard rows] a numeric column of one shard */
    long long *integers;  /* [n_rows] integer labels of a classifier, or NULL */
    char **strings;       /* [n_rows] string labels, owned, or NULL */
    size_t n_kept_out;    /* holdout rows so far */
    double *group_numbers; /* [n_rows] numeric group labels, or NULL */
    char **group_strings;  /* [n_rows] string group labels, owned, or NULL */
    bool skip_X;          /* the check process: every dataset but X's values */
};

/* Names the data in messages about all shards at once: the file, or the
 * first and last of the shards. */
static const char *describe_files(const struct gcv_dataset_layout *layout, char *buf, size_t len)
{
    if (layout->n_shards == 1)
        snprintf(buf, len, "%s", layout->files[0]);
    else
        snprintf(buf, len, "data.path (%zu shards, %s to %s)", layout->n_shards,
                 layout->files[0], layout->files[layout->n_shards - 1]);
    return buf;
}

/* Reads X of one shard into its rows and checks that every value is finite. */
static enum gcv_status read_shard_X(struct read_state *state, hid_t file, size_t shard,
                                    struct gcv_error *err)
{
    const char *path = state->layout->files[shard];
    const char *name = state->source->X;
    const size_t d = state->data->n_features;
    const size_t start = state->layout->shard_start[shard];
    const size_t n = (state->layout->shard_start[shard + 1] - start) * d;
    double *X = state->data->X + start * d;
    struct h5_array array;
    enum gcv_status status;

    if ((status = array_open(file, path, name, NULL, &array, err)) != GCV_OK)
        return status;
    if (array.rank != 2 || (size_t)array.dims[0] * (size_t)array.dims[1] != n)
        status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (X) changed its shape "
                               "while the data was read", path, name);
    else
        status = array_read(&array, H5T_NATIVE_DOUBLE, X, path, name, err);
    array_close(&array);
    if (status != GCV_OK)
        return status;

    for (size_t i = 0; i < n; i++)
        if (!isfinite(X[i]))
            return gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (X) holds %s at row %zu, "
                                 "column %zu: remove or impute such values first", path, name,
                                 isnan(X[i]) ? "NaN" : "infinity", i / d, i % d);
    return GCV_OK;
}

/* Reads a numeric column of one shard as doubles into state->values. */
static enum gcv_status read_shard_numbers(struct read_state *state, hid_t file, size_t shard,
                                          const char *name, const char *role,
                                          struct gcv_error *err)
{
    const char *path = state->layout->files[shard];
    const size_t n = state->layout->shard_start[shard + 1] - state->layout->shard_start[shard];
    struct h5_array array;
    enum gcv_status status;

    if ((status = array_open(file, path, name, NULL, &array, err)) != GCV_OK)
        return status;
    status = check_column(&array, n, path, name, role, err);
    if (status == GCV_OK && !is_numeric(&array))
        status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (%s) must hold numbers",
                               path, name, role);
    if (status == GCV_OK)
        status = array_read(&array, H5T_NATIVE_DOUBLE, state->values, path, name, err);
    array_close(&array);
    return status;
}

/* Reads y of one shard: targets straight into y_value, integer labels into
 * state->integers, string labels into state->strings. */
static enum gcv_status read_shard_y(struct read_state *state, hid_t file, size_t shard,
                                    struct gcv_error *err)
{
    const char *path = state->layout->files[shard];
    const char *name = state->source->y;
    const size_t start = state->layout->shard_start[shard];
    const size_t n = state->layout->shard_start[shard + 1] - start;
    const size_t n_total = state->layout->n_rows;
    struct h5_array array;
    bool strings;
    enum gcv_status status;

    if ((status = array_open(file, path, name, NULL, &array, err)) != GCV_OK)
        return status;
    strings = array.type_class == H5T_STRING;
    if (strings && !state->layout->classification)
        status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (y) holds strings, but the "
                               "estimator is a regressor and needs numeric targets", path, name);
    else if ((strings && state->integers != NULL) || (!strings && state->strings != NULL))
        status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (y) holds %s, unlike the "
                               "shards before it: every shard must store y the same way", path,
                               name, strings ? "strings" : "numbers");
    else if (strings)
        status = check_column(&array, n, path, name, "y", err);
    if (status == GCV_OK && strings && state->strings == NULL) {
        state->strings = calloc(n_total, sizeof *state->strings);
        if (state->strings == NULL)
            status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu labels", n_total);
    }
    if (status == GCV_OK && strings)
        status = read_strings(&array, n, state->strings + start, path, name, err);
    array_close(&array);
    if (status != GCV_OK || strings)
        return status;

    if ((status = read_shard_numbers(state, file, shard, name, "y", err)) != GCV_OK)
        return status;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(state->values[i]))
            return gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (y) holds %s at row %zu",
                                 path, name, isnan(state->values[i]) ? "NaN" : "infinity", i);
    if (!state->layout->classification) {
        memcpy(state->data->y_value + start, state->values, n * sizeof *state->values);
        return GCV_OK;
    }

    /* A classifier accepts float labels only when every one is integral,
     * as scikit-learn's type_of_target calls such y "multiclass". */
    if (state->integers == NULL) {
        state->integers = malloc(n_total * sizeof *state->integers);
        if (state->integers == NULL)
            return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu labels", n_total);
    }
    for (size_t i = 0; i < n; i++) {
        const double value = state->values[i];
        if (value != floor(value) || fabs(value) > 9.0e15)
            return gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (y) holds continuous "
                                 "values (%g at row %zu), but the estimator is a classifier and "
                                 "needs class labels (integers or strings)", path, name, value, i);
        state->integers[start + i] = (long long)value;
    }
    return GCV_OK;
}

/* Reads the holdout mask of one shard and checks that it contains only 0
 * and 1. */
static enum gcv_status read_shard_holdout(struct read_state *state, hid_t file, size_t shard,
                                          struct gcv_error *err)
{
    const char *path = state->layout->files[shard];
    const char *name = state->source->holdout;
    const size_t start = state->layout->shard_start[shard];
    const size_t n = state->layout->shard_start[shard + 1] - start;
    enum gcv_status status;

    status = read_shard_numbers(state, file, shard, name, "holdout mask", err);
    if (status != GCV_OK)
        return status;
    for (size_t i = 0; i < n; i++) {
        const double value = state->values[i];
        if (value != 0.0 && value != 1.0)
            return gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (holdout mask) holds %g "
                                 "at row %zu: it must hold 0 (search row) or 1 (holdout row)",
                                 path, name, value, i);
        state->data->holdout[start + i] = (uint8_t)value;
        state->n_kept_out += (size_t)value;
    }
    return GCV_OK;
}

/* Fills test_fold of one shard: the shard index for a shard split, else
 * the integers of the test_fold dataset. */
static enum gcv_status read_shard_test_fold(struct read_state *state, hid_t file, size_t shard,
                                            struct gcv_error *err)
{
    const char *path = state->layout->files[shard];
    const char *name = state->source->test_fold;
    const size_t start = state->layout->shard_start[shard];
    const size_t n = state->layout->shard_start[shard + 1] - start;
    int32_t *test_fold = state->data->test_fold + start;
    enum gcv_status status;

    if (state->layout->shard_folds) {
        if (shard > (size_t)INT32_MAX)
            return gcv_error_set(err, GCV_ERR_DATA, "data.path: %zu shards are too many for one "
                                 "test fold each (at most %d)", state->layout->n_shards,
                                 (int)INT32_MAX);
        for (size_t i = 0; i < n; i++)
            test_fold[i] = (int32_t)shard;
        return GCV_OK;
    }

    if ((status = read_shard_numbers(state, file, shard, name, "test_fold", err)) != GCV_OK)
        return status;
    for (size_t i = 0; i < n; i++) {
        const double value = state->values[i];
        if (value != floor(value) || fabs(value) > 2.0e9)
            return gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (test_fold) holds %g at "
                                 "row %zu: it must hold integers", path, name, value, i);
        test_fold[i] = (int32_t)value;
    }
    return GCV_OK;
}

/* Reads the group labels of one shard: numbers into state->group_numbers
 * or strings into state->group_strings, stored as the first shard stores
 * them. */
static enum gcv_status read_shard_groups(struct read_state *state, hid_t file, size_t shard,
                                         struct gcv_error *err)
{
    const char *path = state->layout->files[shard];
    const char *name = state->source->groups;
    const size_t start = state->layout->shard_start[shard];
    const size_t n = state->layout->shard_start[shard + 1] - start;
    const size_t n_total = state->layout->n_rows;
    struct h5_array array;
    bool strings;
    enum gcv_status status;

    if ((status = array_open(file, path, name, NULL, &array, err)) != GCV_OK)
        return status;
    strings = array.type_class == H5T_STRING;
    if ((strings && state->group_numbers != NULL) || (!strings && state->group_strings != NULL))
        status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (groups) holds %s, unlike "
                               "the shards before it: every shard must store groups the same "
                               "way", path, name, strings ? "strings" : "numbers");
    else if (strings)
        status = check_column(&array, n, path, name, "groups", err);
    if (status == GCV_OK && strings && state->group_strings == NULL) {
        state->group_strings = calloc(n_total, sizeof *state->group_strings);
        if (state->group_strings == NULL)
            status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu groups", n_total);
    }
    if (status == GCV_OK && strings)
        status = read_strings(&array, n, state->group_strings + start, path, name, err);
    array_close(&array);
    if (status != GCV_OK || strings)
        return status;

    if ((status = read_shard_numbers(state, file, shard, name, "groups", err)) != GCV_OK)
        return status;
    if (state->group_numbers == NULL) {
        state->group_numbers = malloc(n_total * sizeof *state->group_numbers);
        if (state->group_numbers == NULL)
            return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu groups", n_total);
    }
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(state->values[i]))
            return gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (groups) holds %s at "
                                 "row %zu", path, name, isnan(state->values[i]) ? "NaN" :
                                 "infinity", i);
        state->group_numbers[start + i] = state->values[i];
    }
    return GCV_OK;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Numbers each row's group by the rank of its label among the distinct
 * labels, sorted as numpy.unique sorts them: numbers by value, strings by
 * code point (strcmp on UTF-8). */
static enum gcv_status encode_groups(struct read_state *state, struct gcv_error *err)
{
    struct gcv_dataset *data = state->data;
    size_t n = data->n_rows, n_unique = 0;

    if (state->group_numbers != NULL) {
        double *sorted = malloc((n + 1) * sizeof *sorted);

        if (sorted == NULL)
            return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory encoding groups");
        memcpy(sorted, state->group_numbers, n * sizeof *sorted);
        qsort(sorted, n, sizeof *sorted, compare_double);
        for (size_t i = 0; i < n; i++)
            if (n_unique == 0 || sorted[i] != sorted[n_unique - 1])
                sorted[n_unique++] = sorted[i];
        for (size_t i = 0; i < n; i++) {
            const double *hit = bsearch(&state->group_numbers[i], sorted, n_unique,
                                        sizeof *sorted, compare_double);
            data->groups[i] = (int32_t)(hit - sorted);
        }
        free(sorted);
    } else if (state->group_strings != NULL) {
        char **sorted = malloc((n + 1) * sizeof *sorted);

        if (sorted == NULL)
            return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory encoding groups");
        memcpy(sorted, state->group_strings, n * sizeof *sorted);
        qsort(sorted, n, sizeof *sorted, compare_string);
        for (size_t i = 0; i < n; i++)
            if (n_unique == 0 || strcmp(sorted[i], sorted[n_unique - 1]) != 0)
                sorted[n_unique++] = sorted[i];
        for (size_t i = 0; i < n; i++) {
            char **hit = bsearch(&state->group_strings[i], sorted, n_unique, sizeof *sorted,
                                 compare_string);
            data->groups[i] = (int32_t)(hit - sorted);
        }
        free(sorted);
    }
    if (n_unique > (size_t)INT32_MAX)
        return gcv_error_set(err, GCV_ERR_DATA, "dataset \"%s\" (groups) has %zu distinct groups, "
                             "more than %d", state->source->groups, n_unique, (int)INT32_MAX);
    return GCV_OK;
}

static enum gcv_status read_shard(struct read_state *state, size_t shard, struct gcv_error *err)
{
    hid_t file;
    enum gcv_status status;

    if ((status = open_file(state->layout->files[shard], paths_key(state->source), &file,
                            err)) != GCV_OK)
        return status;
    if (!state->skip_X)
        status = read_shard_X(state, file, shard, err);
    if (status == GCV_OK && state->source->y != NULL)
        status = read_shard_y(state, file, shard, err);
    else if (status == GCV_OK && state->data->y_value != NULL)
        memset(state->data->y_value + state->layout->shard_start[shard], 0,
               (state->layout->shard_start[shard + 1] - state->layout->shard_start[shard]) *
                   sizeof *state->data->y_value);
    if (status == GCV_OK && state->layout->has_holdout)
        status = read_shard_holdout(state, file, shard, err);
    if (status == GCV_OK && state->layout->has_test_fold)
        status = read_shard_test_fold(state, file, shard, err);
    if (status == GCV_OK && state->layout->has_groups)
        status = read_shard_groups(state, file, shard, err);
    H5Fclose(file);
    return status;
}

/* Reads every shard of layout into data, X's values too unless skip_X. */
static enum gcv_status read_shards(const struct gcv_dataset_source *source,
                                   const struct gcv_dataset_layout *layout,
                                   struct gcv_dataset *data, bool skip_X, struct gcv_error *err)
{
    struct read_state state = {source, layout, data, NULL, NULL, NULL, 0, NULL, NULL, skip_X};
    size_t max_shard_rows = 1;
    char files[600];
    enum gcv_status status = GCV_OK;

    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (layout->files == NULL || data->X == NULL || data->n_rows != layout->n_rows)
        return gcv_error_set(err, GCV_ERR_INTERNAL, "gcv_dataset_read needs a scanned layout and "
                             "a dataset attached to it");

    for (size_t shard = 0; shard < layout->n_shards; shard++) {
        size_t rows = layout->shard_start[shard + 1] - layout->shard_start[shard];
        if (rows > max_shard_rows)
            max_shard_rows = rows;
    }
    state.values = malloc(max_shard_rows * sizeof *state.values);
    if (state.values == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for a column of %zu rows",
                               max_shard_rows);
        goto cleanup;
    }

    /* Every shard into its rows. */
    for (size_t shard = 0; shard < layout->n_shards; shard++)
        if ((status = read_shard(&state, shard, err)) != GCV_OK)
            goto cleanup;

    /* Labels, once all are known. */
    if (state.strings != NULL)
        status = encode_strings(state.strings, data, err);
    else if (state.integers != NULL)
        status = encode_integers(state.integers, data, err);
    if (status == GCV_OK)
        status = encode_groups(&state, err);
    if (status != GCV_OK)
        goto cleanup;

    /* A holdout that keeps out nothing or everything is a mistake. */
    if (layout->has_holdout && state.n_kept_out == 0)
        status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (holdout mask) selects no "
                               "row: mark holdout rows with 1, or remove data.holdout",
                               describe_files(layout, files, sizeof files), source->holdout);
    else if (layout->has_holdout && state.n_kept_out == data->n_rows)
        status = gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" (holdout mask) keeps all %zu "
                               "rows out of the search: mark search rows with 0",
                               describe_files(layout, files, sizeof files), source->holdout,
                               data->n_rows);

cleanup:
    if (state.strings != NULL)
        for (size_t i = 0; i < layout->n_rows; i++)
            free(state.strings[i]);
    free(state.strings);
    if (state.group_strings != NULL)
        for (size_t i = 0; i < layout->n_rows; i++)
            free(state.group_strings[i]);
    free(state.group_strings);
    free(state.group_numbers);
    free(state.integers);
    free(state.values);
    return status;
}

enum gcv_status gcv_dataset_read(const struct gcv_dataset_source *source,
                                 const struct gcv_dataset_layout *layout,
                                 struct gcv_dataset *data, struct gcv_error *err)
{
    return read_shards(source, layout, data, false, err);
}

/* ----- the check process ------------------------------------------------------ */

/* Some damaged files make HDF5 itself crash or loop forever: a global heap
 * object whose stored size runs past its collection, a group whose local
 * heap is broken (docs/data.md, "Damaged files"). No check that gridcv can
 * make through HDF5's API catches them first, since that check would run
 * the same library code. So gcv_dataset_scan first runs the scan and the
 * read of everything but X's values in a child process: the file names,
 * every dataset's metadata and the labels, where those faults live. The
 * child touches nothing of its parent (no MPI call, no output, _exit) and
 * costs a second read of the labels only. A child killed by a signal, or
 * still running after check_timeout seconds, marks the file it was
 * reading as damaged. X's values are read in the parent alone, so a
 * fault in a chunk of X is not caught. */

void gcv_dataset_set_check_timeout(double seconds)
{
    check_timeout = seconds > 0 ? seconds : 0;
}

/* The child's work: scan and read into a private block, then _exit(0)
 * whatever the outcome, since the parent repeats the work and reports any
 * ordinary error itself. The block's X rows are never written, so their
 * pages are never touched. */
static void check_in_child(const struct gcv_dataset_source *source, int progress_fd)
{
    struct gcv_dataset_layout layout;
    struct gcv_dataset data;
    struct gcv_error err;
    void *block = NULL;

    /* Quiet: a crash must not print the MPI library's backtrace (its
     * handlers were inherited) or a sanitizer report, because the parent
     * reports the failure. */
    static const int fault_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    for (size_t i = 0; i < sizeof fault_signals / sizeof fault_signals[0]; i++)
        signal(fault_signals[i], SIG_DFL);
    int null_fd = open("/dev/null", O_WRONLY);
    if (null_fd >= 0) {
        dup2(null_fd, STDOUT_FILENO);
        dup2(null_fd, STDERR_FILENO);
        close(null_fd);
    }

    check_progress_fd = progress_fd;
    memset(&data, 0, sizeof data);
    if (scan_shards(source, &layout, &err) != GCV_OK)
        _exit(0);
    block = malloc(gcv_dataset_block_size(&layout));
    if (block != NULL &&
        gcv_dataset_attach(&data, &layout, block, GCV_DATASET_OWNED, &err) == GCV_OK) {
        block = NULL;
        (void)read_shards(source, &layout, &data, true, &err);
    }
    free(block);
    gcv_dataset_free(&data);
    gcv_dataset_layout_free(&layout);
    close(progress_fd);
    _exit(0);
}

static double monotonic_seconds(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
}

/* Reads what the child wrote so far and keeps the last complete line, the
 * file it opened last, in last[len]. */
static void drain_progress(int fd, char *partial, size_t *used, char *last, size_t len)
{
    char chunk[512];
    ssize_t got;

    while ((got = read(fd, chunk, sizeof chunk)) > 0)
        for (ssize_t i = 0; i < got; i++) {
            if (chunk[i] == '\n') {
                partial[*used] = '\0';
                snprintf(last, len, "%s", partial);
                *used = 0;
            } else if (*used + 1 < len) {
                partial[(*used)++] = chunk[i];
            }
        }
}

/* Runs check_in_child and waits for it. A fork or pipe that fails leaves
 * the data unchecked: the read that follows works as it would without the
 * check. */
static enum gcv_status check_in_process(const struct gcv_dataset_source *source,
                                        struct gcv_error *err)
{
    char partial[512], last[512] = "";
    size_t used = 0;
    int fds[2], wstatus = 0;
    bool timed_out = false;
    pid_t pid, done;
    double start, nap = 0.001;

    if (pipe(fds) != 0)
        return GCV_OK;
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return GCV_OK;
    }
    if (pid == 0) {
        close(fds[0]);
        check_in_child(source, fds[1]);
    }
    close(fds[1]);
    (void)fcntl_nonblock(fds[0]);

    start = monotonic_seconds();
    for (;;) {
        drain_progress(fds[0], partial, &used, last, sizeof last);
        done = waitpid(pid, &wstatus, WNOHANG);
        if (done == pid || (done < 0 && errno != EINTR))
            break;
        if (monotonic_seconds() - start > check_timeout) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
            }
            timed_out = true;
            break;
        }
        struct timespec pause = {0, (long)(nap * 1e9)};
        nanosleep(&pause, NULL);
        if (nap < 0.05)
            nap *= 2;
    }
    drain_progress(fds[0], partial, &used, last, sizeof last);
    close(fds[0]);
    if (done < 0 && !timed_out)
        return GCV_OK; /* the child was reaped elsewhere: nothing known */

    if (last[0] == '\0')
        snprintf(last, sizeof last, "%s", source->paths[0]);
    if (timed_out)
        return gcv_error_set(err, GCV_ERR_DATA, "%s: HDF5 did not finish reading the "
                             "structure and labels of %s within %g s: the file is likely damaged "
                             "(HDF5 loops on some broken heaps); if it is only slow to read, "
                             "raise the limit with gridcv run --data-check-timeout",
                             paths_key(source), last, check_timeout);
    if (WIFSIGNALED(wstatus))
        return gcv_error_set(err, GCV_ERR_DATA, "%s: reading %s crashed the HDF5 library "
                             "(signal %d, %s) in gridcv's check process: the file is damaged; "
                             "write it again from its source", paths_key(source), last,
                             WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)));
    if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) != 0)
        return gcv_error_set(err, GCV_ERR_DATA, "%s: reading %s made the HDF5 library "
                             "fail (gridcv's check process ended with status %d): the file is "
                             "damaged; write it again from its source", paths_key(source),
                             last, WEXITSTATUS(wstatus));
    return GCV_OK;
}

enum gcv_status gcv_dataset_scan(const struct gcv_dataset_source *source,
                                 struct gcv_dataset_layout *layout, struct gcv_error *err)
{
    enum gcv_status status;

    memset(layout, 0, sizeof *layout);
    if (check_timeout > 0 && (status = check_in_process(source, err)) != GCV_OK)
        return status;
    return scan_shards(source, layout, err);
}

/* ----- one process, its own copy ------------------------------------------ */

enum gcv_status gcv_dataset_load(const struct gcv_dataset_source *source,
                                 struct gcv_dataset *data, struct gcv_error *err)
{
    struct gcv_dataset_layout layout;
    void *block = NULL;
    enum gcv_status status;

    memset(data, 0, sizeof *data);
    if ((status = gcv_dataset_scan(source, &layout, err)) != GCV_OK)
        return status;

    block = malloc(gcv_dataset_block_size(&layout));
    if (block == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu rows x %zu features",
                               layout.n_rows, layout.n_features);
        goto cleanup;
    }
    if ((status = gcv_dataset_attach(data, &layout, block, GCV_DATASET_OWNED, err)) != GCV_OK)
        goto cleanup;
    block = NULL;
    status = gcv_dataset_read(source, &layout, data, err);

cleanup:
    free(block);
    if (status != GCV_OK)
        gcv_dataset_free(data);
    gcv_dataset_layout_free(&layout);
    return status;
}

void gcv_dataset_free(struct gcv_dataset *data)
{
    if (data == NULL)
        return;
    if (data->storage == GCV_DATASET_OWNED)
        free(data->X);
    free(data->class_integers);
    if (data->class_strings != NULL)
        for (size_t c = 0; c < data->n_classes; c++)
            free(data->class_strings[c]);
    free(data->class_strings);
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
