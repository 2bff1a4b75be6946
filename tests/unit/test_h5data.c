/* Suite "h5data": loading a dataset from HDF5 shards. Every test writes
 * its own small files with the HDF5 C API into a scratch folder, so the
 * expected values are the ones written here. The tests cover shards
 * concatenated in the order given, sorted glob patterns, chunked gzip and
 * float32 datasets, and integer, float and string labels (fixed and
 * variable length). They also cover per-shard test folds and the
 * rejections that must name the shard. */
#include <check.h>
#include <dirent.h>
#include <hdf5.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/dataset.h"

/* The scratch folder of the test case, made before its tests run. */
static char scratch[256];

static void make_scratch(void)
{
    const char *tmp = getenv("TMPDIR");

    snprintf(scratch, sizeof scratch, "%s/gridcv-h5data.XXXXXX", tmp != NULL ? tmp : "/tmp");
    if (mkdtemp(scratch) == NULL) {
        perror("mkdtemp");
        exit(EXIT_FAILURE);
    }
}

/* Removes the scratch folder; the tests write only plain files into it. */
static void remove_scratch(void)
{
    DIR *dir = opendir(scratch);
    struct dirent *entry;
    char path[600];

    if (dir == NULL)
        return;
    while ((entry = readdir(dir)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", scratch, entry->d_name);
        unlink(path);
    }
    closedir(dir);
    rmdir(scratch);
}

/* Returns scratch/name in a static buffer of 8 slots, so a test can hold a
 * few paths at once. */
static const char *in_scratch(const char *name)
{
    static char paths[8][600];
    static int next;
    char *path = paths[next++ % 8];

    snprintf(path, 600, "%s/%s", scratch, name);
    return path;
}

/* ----- writing fixtures ---------------------------------------------------- */

static hid_t create_file(const char *path)
{
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);

    ck_assert_msg(file >= 0, "cannot create %s", path);
    return file;
}

/* Writes values (doubles in memory) as a dataset of rank 1 or 2 stored as
 * file_type. With gzip, the dataset is stored in chunks of 2 rows
 * compressed with deflate. */
static void put_numbers(hid_t file, const char *name, const double *values, size_t n_rows,
                        size_t n_cols, hid_t file_type, bool gzip)
{
    hsize_t dims[2] = {n_rows, n_cols}, chunk[2] = {2, n_cols};
    int rank = n_cols == 0 ? 1 : 2;
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t plist = H5Pcreate(H5P_DATASET_CREATE);
    hid_t dataset;

    if (gzip) {
        chunk[0] = n_rows < 2 ? n_rows : 2;
        ck_assert_int_ge(H5Pset_chunk(plist, rank, chunk), 0);
        ck_assert_int_ge(H5Pset_deflate(plist, 6), 0);
    }
    dataset = H5Dcreate2(file, name, file_type, space, H5P_DEFAULT, plist, H5P_DEFAULT);
    ck_assert_msg(dataset >= 0, "cannot create dataset %s", name);
    ck_assert_int_ge(H5Dwrite(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values),
                     0);
    H5Dclose(dataset);
    H5Pclose(plist);
    H5Sclose(space);
}

/* Writes labels as fixed-length strings of width bytes, NUL-padded as
 * numpy's "S" dtype stores them. */
static void put_fixed_strings(hid_t file, const char *name, const char *const *labels, size_t n,
                              size_t width)
{
    hsize_t dims[1] = {n};
    hid_t type = H5Tcopy(H5T_C_S1);
    hid_t space = H5Screate_simple(1, dims, NULL);
    char *buffer = calloc(n, width);
    hid_t dataset;

    ck_assert_ptr_nonnull(buffer);
    for (size_t i = 0; i < n; i++)
        strncpy(buffer + i * width, labels[i], width);
    H5Tset_size(type, width);
    H5Tset_strpad(type, H5T_STR_NULLPAD);
    dataset = H5Dcreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert_int_ge(dataset, 0);
    ck_assert_int_ge(H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer), 0);
    H5Dclose(dataset);
    H5Sclose(space);
    H5Tclose(type);
    free(buffer);
}

/* Writes labels as variable-length UTF-8 strings, as h5py stores a list
 * of Python str. */
static void put_utf8_strings(hid_t file, const char *name, const char *const *labels, size_t n)
{
    hsize_t dims[1] = {n};
    hid_t type = H5Tcopy(H5T_C_S1);
    hid_t space = H5Screate_simple(1, dims, NULL);
    hid_t dataset;

    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    dataset = H5Dcreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert_int_ge(dataset, 0);
    ck_assert_int_ge(H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, labels), 0);
    H5Dclose(dataset);
    H5Sclose(space);
    H5Tclose(type);
}

/* Writes a shard of n rows and 2 features, X[i] = {base + i, -(base + i)},
 * with integer labels y. */
static void write_shard(const char *path, double base, const double *y, size_t n)
{
    double X[32];
    hid_t file = create_file(path);

    ck_assert_uint_le(n, 16);
    for (size_t i = 0; i < n; i++) {
        X[2 * i] = base + (double)i;
        X[2 * i + 1] = -(base + (double)i);
    }
    put_numbers(file, "X", X, n, 2, H5T_IEEE_F64LE, false);
    put_numbers(file, "y", y, n, 0, H5T_STD_I64LE, false);
    H5Fclose(file);
}

/* ----- loading ------------------------------------------------------------- */

/* A classification source over paths with datasets "X" and "y". */
static struct gcv_dataset_source source_of(const char *const *paths, size_t n_paths)
{
    struct gcv_dataset_source source = {
        .paths = paths,
        .n_paths = n_paths,
        .X = "X",
        .y = "y",
        .classification = true,
    };
    return source;
}

/* Loads source and fails the test with the message when it does not load. */
static void load_ok(const struct gcv_dataset_source *source, struct gcv_dataset *data)
{
    struct gcv_error err = {GCV_OK, ""};
    enum gcv_status status = gcv_dataset_load(source, data, &err);

    ck_assert_msg(status == GCV_OK, "load failed: %s", err.message);
    ck_assert_int_eq(data->storage, GCV_DATASET_OWNED);
}

/* Loads source, expects GCV_ERR_DATA, and checks that the message contains
 * each of the NULL-terminated fragments. */
static void load_fails(const struct gcv_dataset_source *source, const char *const *fragments)
{
    struct gcv_dataset data;
    struct gcv_error err = {GCV_OK, ""};
    enum gcv_status status = gcv_dataset_load(source, &data, &err);

    ck_assert_msg(status == GCV_ERR_DATA, "expected GCV_ERR_DATA, got %d (%s)", (int)status,
                  err.message);
    for (size_t i = 0; fragments[i] != NULL; i++)
        ck_assert_msg(strstr(err.message, fragments[i]) != NULL,
                      "message lacks \"%s\": %s", fragments[i], err.message);
    ck_assert_ptr_null(data.X);
}

START_TEST(shards_concatenate_in_list_order)
{
    /* Listed c, a, b: the rows must follow the list, not the names. */
    const double y_a[2] = {1, 2}, y_b[3] = {3, 1, 2}, y_c[1] = {2};
    const char *paths[3];
    struct gcv_dataset data;
    struct gcv_dataset_source source;
    const double first_x[6] = {300, 100, 101, 200, 201, 202}; /* X[:, 0] in load order */
    const int32_t codes[6] = {1, 0, 1, 2, 0, 1};              /* labels 2 1 2 3 1 2 */

    paths[0] = in_scratch("order-c.h5");
    paths[1] = in_scratch("order-a.h5");
    paths[2] = in_scratch("order-b.h5");
    write_shard(paths[0], 300, y_c, 1);
    write_shard(paths[1], 100, y_a, 2);
    write_shard(paths[2], 200, y_b, 3);
    source = source_of(paths, 3);
    load_ok(&source, &data);

    ck_assert_uint_eq(data.n_rows, 6);
    ck_assert_uint_eq(data.n_features, 2);
    ck_assert_uint_eq(data.n_shards, 3);
    ck_assert_uint_eq(data.shard_start[0], 0);
    ck_assert_uint_eq(data.shard_start[1], 1);
    ck_assert_uint_eq(data.shard_start[2], 3);
    ck_assert_uint_eq(data.shard_start[3], 6);
    for (size_t i = 0; i < 6; i++) {
        ck_assert_double_eq(data.X[2 * i], first_x[i]);
        ck_assert_double_eq(data.X[2 * i + 1], -first_x[i]);
        ck_assert_int_eq(data.y_class[i], codes[i]);
    }
    ck_assert_int_eq(data.label_kind, GCV_LABELS_INTEGER);
    ck_assert_uint_eq(data.n_classes, 3);
    ck_assert_int_eq(data.class_integers[0], 1);
    ck_assert_int_eq(data.class_integers[2], 3);
    gcv_dataset_free(&data);
}
END_TEST

START_TEST(glob_pattern_expands_sorted)
{
    /* glob(3) sorts by name in the C locale: part-1, part-10, part-2. */
    const double y[2] = {0, 1};
    char pattern[600];
    const char *paths[1] = {pattern};
    struct gcv_dataset data;
    struct gcv_dataset_source source;

    write_shard(in_scratch("part-2.h5"), 20, y, 2);
    write_shard(in_scratch("part-10.h5"), 100, y, 2);
    write_shard(in_scratch("part-1.h5"), 10, y, 2);
    snprintf(pattern, sizeof pattern, "%s/part-*.h5", scratch);
    source = source_of(paths, 1);
    load_ok(&source, &data);

    ck_assert_uint_eq(data.n_shards, 3);
    ck_assert_uint_eq(data.n_rows, 6);
    ck_assert_double_eq(data.X[0], 10);
    ck_assert_double_eq(data.X[2 * 2], 100);
    ck_assert_double_eq(data.X[2 * 4], 20);
    ck_assert_double_eq(data.X[2 * 5], 21);
    gcv_dataset_free(&data);
}
END_TEST

START_TEST(glob_pattern_without_match_is_named)
{
    char pattern[600];
    const char *paths[1] = {pattern};
    const char *fragments[] = {pattern, "matches no file", NULL};
    struct gcv_dataset_source source;

    snprintf(pattern, sizeof pattern, "%s/nothing-*.h5", scratch);
    source = source_of(paths, 1);
    load_fails(&source, fragments);
}
END_TEST

START_TEST(chunked_gzip_float32_reads_values)
{
    /* float32 values widen exactly to double, so 0.1f reads as
     * (double)0.1f, not as 0.1. */
    const float stored[5 * 3] = {0.1f, 1.5f, -2.25f, 3, 4, 5, 6, 7, 8,
                                 9, 10, 11, 12, 13, 1e-3f};
    double X[5 * 3];
    const double y[5] = {0, 1, 0, 1, 1};
    const char *paths[1];
    struct gcv_dataset data;
    struct gcv_dataset_source source;
    hid_t file, dataset, plist;
    int n_filters;
    unsigned flags;
    size_t n_values = 0;
    unsigned values[4];
    char filter_name[32];

    for (size_t i = 0; i < 15; i++)
        X[i] = (double)stored[i];
    paths[0] = in_scratch("gzip32.h5");
    file = create_file(paths[0]);
    put_numbers(file, "X", X, 5, 3, H5T_IEEE_F32LE, true);
    put_numbers(file, "y", y, 5, 0, H5T_STD_I32LE, true);
    H5Fclose(file);

    /* The fixture must really be chunked and deflated. */
    file = H5Fopen(paths[0], H5F_ACC_RDONLY, H5P_DEFAULT);
    dataset = H5Dopen2(file, "X", H5P_DEFAULT);
    plist = H5Dget_create_plist(dataset);
    ck_assert_int_eq(H5Pget_layout(plist), H5D_CHUNKED);
    n_filters = H5Pget_nfilters(plist);
    ck_assert_int_eq(n_filters, 1);
    n_values = 4;
    ck_assert_int_eq(H5Pget_filter2(plist, 0, &flags, &n_values, values, sizeof filter_name,
                                    filter_name, NULL),
                     H5Z_FILTER_DEFLATE);
    H5Pclose(plist);
    H5Dclose(dataset);
    H5Fclose(file);

    source = source_of(paths, 1);
    load_ok(&source, &data);
    ck_assert_uint_eq(data.n_rows, 5);
    ck_assert_uint_eq(data.n_features, 3);
    for (size_t i = 0; i < 15; i++)
        ck_assert_msg(data.X[i] == (double)stored[i], "X[%zu] = %.17g, expected %.17g", i,
                      data.X[i], (double)stored[i]);
    ck_assert(data.X[0] != 0.1);
    ck_assert_int_eq(data.y_class[1], 1);
    ck_assert_int_eq(data.y_class[2], 0);
    gcv_dataset_free(&data);
}
END_TEST

START_TEST(string_labels_fixed_and_variable_length)
{
    /* Shard 1 stores fixed-length strings, shard 2 variable-length UTF-8.
     * Sorted classes: "cat" < "dog" < "émeu" (UTF-8 bytes sort after ASCII). */
    const char *fixed[3] = {"dog", "cat", "dog"};
    const char *variable[2] = {"\xc3\xa9meu", "cat"};
    const char *paths[2];
    double X[3 * 2] = {0, 1, 2, 3, 4, 5};
    const int32_t codes[5] = {1, 0, 1, 2, 0};
    struct gcv_dataset data;
    struct gcv_dataset_source source;
    char label[32];
    hid_t file;

    paths[0] = in_scratch("labels-fixed.h5");
    paths[1] = in_scratch("labels-vlen.h5");
    file = create_file(paths[0]);
    put_numbers(file, "X", X, 3, 2, H5T_IEEE_F64LE, false);
    put_fixed_strings(file, "y", fixed, 3, 5);
    H5Fclose(file);
    file = create_file(paths[1]);
    put_numbers(file, "X", X, 2, 2, H5T_IEEE_F64LE, false);
    put_utf8_strings(file, "y", variable, 2);
    H5Fclose(file);

    source = source_of(paths, 2);
    load_ok(&source, &data);
    ck_assert_int_eq(data.label_kind, GCV_LABELS_STRING);
    ck_assert_uint_eq(data.n_classes, 3);
    ck_assert_str_eq(data.class_strings[0], "cat");
    ck_assert_str_eq(data.class_strings[1], "dog");
    ck_assert_str_eq(data.class_strings[2], "\xc3\xa9meu");
    for (size_t i = 0; i < 5; i++)
        ck_assert_int_eq(data.y_class[i], codes[i]);
    gcv_dataset_format_label(&data, 1, label, sizeof label);
    ck_assert_str_eq(label, "'dog'");
    gcv_dataset_free(&data);
}
END_TEST

START_TEST(float_targets_and_integer_labels)
{
    /* A regressor keeps float y as it is; a classifier sorts integer
     * labels numerically (-5 < 3 < 10), and accepts integral floats. */
    const double targets[4] = {0.5, -1.25, 3e10, 7};
    const double labels[4] = {10, -5, 3, 10};
    const char *paths[1];
    struct gcv_dataset data;
    struct gcv_dataset_source source;
    double X[4 * 1] = {1, 2, 3, 4};
    hid_t file;

    paths[0] = in_scratch("targets.h5");
    file = create_file(paths[0]);
    put_numbers(file, "X", X, 4, 1, H5T_STD_I16LE, false);
    put_numbers(file, "y", targets, 4, 0, H5T_IEEE_F64LE, false);
    put_numbers(file, "labels", labels, 4, 0, H5T_IEEE_F32LE, false);
    H5Fclose(file);

    source = source_of(paths, 1);
    source.classification = false;
    load_ok(&source, &data);
    ck_assert_ptr_null(data.y_class);
    ck_assert_int_eq(data.label_kind, GCV_LABELS_NONE);
    for (size_t i = 0; i < 4; i++) {
        ck_assert_double_eq(data.y_value[i], targets[i]);
        ck_assert_double_eq(data.X[i], X[i]);
    }
    gcv_dataset_free(&data);

    source.classification = true;
    source.y = "labels";
    load_ok(&source, &data);
    ck_assert_uint_eq(data.n_classes, 3);
    ck_assert_int_eq(data.class_integers[0], -5);
    ck_assert_int_eq(data.class_integers[1], 3);
    ck_assert_int_eq(data.class_integers[2], 10);
    ck_assert_int_eq(data.y_class[0], 2);
    ck_assert_int_eq(data.y_class[1], 0);
    ck_assert_int_eq(data.y_class[2], 1);
    ck_assert_int_eq(data.y_class[3], 2);
    gcv_dataset_free(&data);
}
END_TEST

START_TEST(shard_with_other_width_is_named)
{
    const double y[2] = {0, 1};
    double X3[2 * 3] = {0, 1, 2, 3, 4, 5};
    const char *paths[2];
    const char *fragments[3];
    struct gcv_dataset_source source;
    hid_t file;

    paths[0] = in_scratch("width-2.h5");
    paths[1] = in_scratch("width-3.h5");
    write_shard(paths[0], 0, y, 2);
    file = create_file(paths[1]);
    put_numbers(file, "X", X3, 2, 3, H5T_IEEE_F64LE, false);
    put_numbers(file, "y", y, 2, 0, H5T_STD_I64LE, false);
    H5Fclose(file);

    fragments[0] = paths[1];
    fragments[1] = "3 columns";
    fragments[2] = NULL;
    source = source_of(paths, 2);
    load_fails(&source, fragments);
}
END_TEST

START_TEST(shard_with_short_y_is_named)
{
    const double y[3] = {0, 1, 0};
    double X[3 * 2] = {0, 1, 2, 3, 4, 5};
    const char *paths[2];
    const char *fragments[4];
    struct gcv_dataset_source source;
    hid_t file;

    paths[0] = in_scratch("length-ok.h5");
    paths[1] = in_scratch("length-short.h5");
    write_shard(paths[0], 0, y, 3);
    file = create_file(paths[1]);
    put_numbers(file, "X", X, 3, 2, H5T_IEEE_F64LE, false);
    put_numbers(file, "y", y, 2, 0, H5T_STD_I64LE, false);
    H5Fclose(file);

    fragments[0] = paths[1];
    fragments[1] = "2 entries";
    fragments[2] = "3 rows";
    fragments[3] = NULL;
    source = source_of(paths, 2);
    load_fails(&source, fragments);
}
END_TEST

START_TEST(shard_with_other_label_type_is_named)
{
    const double y[2] = {0, 1};
    const char *names[2] = {"a", "b"};
    double X[2 * 2] = {0, 1, 2, 3};
    const char *paths[2];
    const char *fragments[3];
    struct gcv_dataset_source source;
    hid_t file;

    paths[0] = in_scratch("type-numbers.h5");
    paths[1] = in_scratch("type-strings.h5");
    write_shard(paths[0], 0, y, 2);
    file = create_file(paths[1]);
    put_numbers(file, "X", X, 2, 2, H5T_IEEE_F64LE, false);
    put_fixed_strings(file, "y", names, 2, 2);
    H5Fclose(file);

    fragments[0] = paths[1];
    fragments[1] = "holds strings";
    fragments[2] = NULL;
    source = source_of(paths, 2);
    load_fails(&source, fragments);
}
END_TEST

START_TEST(nan_in_later_shard_names_shard_and_row)
{
    const double y[2] = {0, 1};
    double X[2 * 2] = {0, 1, NAN, 3};
    const char *paths[2];
    const char *fragments[4];
    struct gcv_dataset_source source;
    hid_t file;

    paths[0] = in_scratch("finite.h5");
    paths[1] = in_scratch("with-nan.h5");
    write_shard(paths[0], 0, y, 2);
    file = create_file(paths[1]);
    put_numbers(file, "X", X, 2, 2, H5T_IEEE_F64LE, false);
    put_numbers(file, "y", y, 2, 0, H5T_STD_I64LE, false);
    H5Fclose(file);

    fragments[0] = paths[1];
    fragments[1] = "NaN at row 1, column 0";
    fragments[2] = NULL;
    source = source_of(paths, 2);
    load_fails(&source, fragments);
}
END_TEST

START_TEST(shard_listed_twice_is_rejected)
{
    const double y[2] = {0, 1};
    const char *paths[2];
    const char *fragments[3];
    struct gcv_dataset_source source;

    paths[0] = in_scratch("twice.h5");
    paths[1] = paths[0];
    write_shard(paths[0], 0, y, 2);
    fragments[0] = paths[0];
    fragments[1] = "listed twice";
    fragments[2] = NULL;
    source = source_of(paths, 2);
    load_fails(&source, fragments);
}
END_TEST

START_TEST(missing_shard_is_named)
{
    const double y[2] = {0, 1};
    const char *paths[2];
    const char *fragments[3];
    struct gcv_dataset_source source;

    paths[0] = in_scratch("present.h5");
    paths[1] = in_scratch("absent.h5");
    write_shard(paths[0], 0, y, 2);
    fragments[0] = paths[1];
    fragments[1] = "cannot open";
    fragments[2] = NULL;
    source = source_of(paths, 2);
    load_fails(&source, fragments);
}
END_TEST

START_TEST(shard_folds_give_shard_index)
{
    /* Three shards of 2, 1 and 3 rows: test_fold is 0 0 1 2 2 2, and the
     * holdout mask of each shard is read into its own rows. */
    const double y[3] = {0, 1, 1}, holdout_a[2] = {0, 1}, holdout_b[1] = {0},
                 holdout_c[3] = {1, 0, 0};
    const double *holdouts[3] = {holdout_a, holdout_b, holdout_c};
    const size_t rows[3] = {2, 1, 3};
    const int32_t folds[6] = {0, 0, 1, 2, 2, 2};
    const uint8_t kept_out[6] = {0, 1, 0, 1, 0, 0};
    const char *paths[3];
    struct gcv_dataset data;
    struct gcv_dataset_source source;

    for (size_t s = 0; s < 3; s++) {
        char name[32];
        hid_t file;

        snprintf(name, sizeof name, "folds-%zu.h5", s);
        paths[s] = in_scratch(name);
        write_shard(paths[s], 10.0 * (double)s, y, rows[s]);
        file = H5Fopen(paths[s], H5F_ACC_RDWR, H5P_DEFAULT);
        ck_assert_int_ge(file, 0);
        put_numbers(file, "is_test", holdouts[s], rows[s], 0, H5T_STD_U8LE, false);
        H5Fclose(file);
    }
    source = source_of(paths, 3);
    source.test_fold = GCV_DATASET_SHARD_FOLDS;
    source.holdout = "is_test";
    load_ok(&source, &data);
    ck_assert_ptr_nonnull(data.test_fold);
    ck_assert_ptr_nonnull(data.holdout);
    for (size_t i = 0; i < 6; i++) {
        ck_assert_int_eq(data.test_fold[i], folds[i]);
        ck_assert_int_eq(data.holdout[i], kept_out[i]);
    }
    gcv_dataset_free(&data);
}
END_TEST

START_TEST(shard_folds_need_two_shards)
{
    const double y[2] = {0, 1};
    const char *paths[1];
    const char *fragments[] = {"2 or more shards", NULL};
    struct gcv_dataset_source source;

    paths[0] = in_scratch("single.h5");
    write_shard(paths[0], 0, y, 2);
    source = source_of(paths, 1);
    source.test_fold = GCV_DATASET_SHARD_FOLDS;
    load_fails(&source, fragments);
}
END_TEST

START_TEST(shard_folds_reject_dataset_named_shard)
{
    const double y[2] = {0, 1}, folds[2] = {0, 1};
    const char *paths[2];
    const char *fragments[3];
    struct gcv_dataset_source source;
    hid_t file;

    paths[0] = in_scratch("named-a.h5");
    paths[1] = in_scratch("named-b.h5");
    write_shard(paths[0], 0, y, 2);
    write_shard(paths[1], 5, y, 2);
    file = H5Fopen(paths[1], H5F_ACC_RDWR, H5P_DEFAULT);
    put_numbers(file, "shard", folds, 2, 0, H5T_STD_I64LE, false);
    H5Fclose(file);

    fragments[0] = paths[1];
    fragments[1] = "dataset named \"shard\"";
    fragments[2] = NULL;
    source = source_of(paths, 2);
    source.test_fold = GCV_DATASET_SHARD_FOLDS;
    load_fails(&source, fragments);
}
END_TEST

START_TEST(holdout_empty_over_all_shards_is_rejected)
{
    const double y[2] = {0, 1}, none[2] = {0, 0};
    const char *paths[2];
    const char *fragments[] = {"2 shards", "selects no row", NULL};
    struct gcv_dataset_source source;

    for (size_t s = 0; s < 2; s++) {
        hid_t file;

        paths[s] = in_scratch(s == 0 ? "no-holdout-a.h5" : "no-holdout-b.h5");
        write_shard(paths[s], 0, y, 2);
        file = H5Fopen(paths[s], H5F_ACC_RDWR, H5P_DEFAULT);
        put_numbers(file, "is_test", none, 2, 0, H5T_STD_I64LE, false);
        H5Fclose(file);
    }
    source = source_of(paths, 2);
    source.holdout = "is_test";
    load_fails(&source, fragments);
}
END_TEST

START_TEST(borrowed_block_is_not_freed)
{
    /* gcv_dataset_free must leave a borrowed block alone: freeing this
     * static block would abort the test's process. */
    static double block[256];
    const double y[3] = {0, 1, 0};
    const char *paths[1];
    struct gcv_dataset data;
    struct gcv_dataset_layout layout;
    struct gcv_dataset_source source;
    struct gcv_error err = {GCV_OK, ""};

    paths[0] = in_scratch("borrowed.h5");
    write_shard(paths[0], 7, y, 3);
    source = source_of(paths, 1);
    ck_assert_int_eq(gcv_dataset_scan(&source, &layout, &err), GCV_OK);
    ck_assert_uint_le(gcv_dataset_block_size(&layout), sizeof block);
    ck_assert_int_eq(gcv_dataset_attach(&data, &layout, block, GCV_DATASET_BORROWED, &err),
                     GCV_OK);
    ck_assert_ptr_eq(data.X, block);
    ck_assert_int_eq(gcv_dataset_read(&source, &layout, &data, &err), GCV_OK);
    gcv_dataset_free(&data);
    gcv_dataset_layout_free(&layout);

    ck_assert_ptr_null(data.X);
    ck_assert_double_eq(block[0], 7);
    ck_assert_double_eq(block[4], 9);
}
END_TEST

START_TEST(scan_reads_no_row)
{
    /* A scan sizes the block from the shapes alone: a NaN in X is found by
     * the read, not by the scan. */
    const double y[2] = {0, 1};
    double X[2 * 2] = {NAN, 1, 2, 3};
    const char *paths[1];
    struct gcv_dataset_layout layout;
    struct gcv_dataset_source source;
    struct gcv_error err = {GCV_OK, ""};
    hid_t file;

    paths[0] = in_scratch("scan-only.h5");
    file = create_file(paths[0]);
    put_numbers(file, "X", X, 2, 2, H5T_IEEE_F64LE, false);
    put_numbers(file, "y", y, 2, 0, H5T_STD_I64LE, false);
    H5Fclose(file);

    source = source_of(paths, 1);
    ck_assert_int_eq(gcv_dataset_scan(&source, &layout, &err), GCV_OK);
    ck_assert_uint_eq(layout.n_rows, 2);
    ck_assert_uint_eq(layout.n_features, 2);
    ck_assert_uint_eq(layout.n_shards, 1);
    ck_assert_str_eq(layout.files[0], paths[0]);
    /* X (32 bytes), y_class at 64 (8 bytes), shard list at 128 (16 bytes). */
    ck_assert_uint_eq(gcv_dataset_block_size(&layout), 144);
    gcv_dataset_layout_free(&layout);
}
END_TEST

START_TEST(bool_enum_holdout_reads_as_mask)
{
    /* h5py stores numpy bool as an enum of int8 with FALSE = 0 and
     * TRUE = 1; the mask below keeps rows 1 and 3 out. */
    const double y[4] = {0, 1, 0, 1};
    const int8_t mask[4] = {0, 1, 0, 1};
    const char *paths[1] = {in_scratch("bool-mask.h5")};
    hsize_t dims[1] = {4};
    int8_t false_value = 0, true_value = 1;
    hid_t file, type, space, dataset;
    struct gcv_dataset data;
    struct gcv_dataset_source source;

    write_shard(paths[0], 0.0, y, 4);
    file = H5Fopen(paths[0], H5F_ACC_RDWR, H5P_DEFAULT);
    ck_assert_int_ge(file, 0);
    type = H5Tenum_create(H5T_STD_I8LE);
    ck_assert_int_ge(H5Tenum_insert(type, "FALSE", &false_value), 0);
    ck_assert_int_ge(H5Tenum_insert(type, "TRUE", &true_value), 0);
    space = H5Screate_simple(1, dims, NULL);
    dataset = H5Dcreate2(file, "is_test", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert_int_ge(dataset, 0);
    ck_assert_int_ge(H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, mask), 0);
    H5Dclose(dataset);
    H5Sclose(space);
    H5Tclose(type);
    H5Fclose(file);

    source = source_of(paths, 1);
    source.holdout = "is_test";
    load_ok(&source, &data);
    ck_assert_ptr_nonnull(data.holdout);
    for (size_t i = 0; i < 4; i++)
        ck_assert_int_eq(data.holdout[i], mask[i]);
    gcv_dataset_free(&data);
}
END_TEST

START_TEST(missing_dataset_names_key_and_contents)
{
    const double y[2] = {0, 1};
    const char *paths[1] = {in_scratch("no-features.h5")};
    const char *const fragments[] = {"dataset \"features\" not found", "(named by data.X)",
                                     "root group holds: X, y", NULL};
    struct gcv_dataset_source source;

    write_shard(paths[0], 0.0, y, 2);
    source = source_of(paths, 1);
    source.X = "features";
    load_fails(&source, fragments);
}
END_TEST

static Suite *h5data_suite(void)
{
    Suite *suite = suite_create("h5data");
    TCase *tc = tcase_create("core");

    tcase_add_unchecked_fixture(tc, make_scratch, remove_scratch);
    tcase_add_test(tc, shards_concatenate_in_list_order);
    tcase_add_test(tc, glob_pattern_expands_sorted);
    tcase_add_test(tc, glob_pattern_without_match_is_named);
    tcase_add_test(tc, chunked_gzip_float32_reads_values);
    tcase_add_test(tc, string_labels_fixed_and_variable_length);
    tcase_add_test(tc, float_targets_and_integer_labels);
    tcase_add_test(tc, shard_with_other_width_is_named);
    tcase_add_test(tc, shard_with_short_y_is_named);
    tcase_add_test(tc, shard_with_other_label_type_is_named);
    tcase_add_test(tc, nan_in_later_shard_names_shard_and_row);
    tcase_add_test(tc, shard_listed_twice_is_rejected);
    tcase_add_test(tc, missing_shard_is_named);
    tcase_add_test(tc, shard_folds_give_shard_index);
    tcase_add_test(tc, shard_folds_need_two_shards);
    tcase_add_test(tc, shard_folds_reject_dataset_named_shard);
    tcase_add_test(tc, holdout_empty_over_all_shards_is_rejected);
    tcase_add_test(tc, borrowed_block_is_not_freed);
    tcase_add_test(tc, scan_reads_no_row);
    tcase_add_test(tc, bool_enum_holdout_reads_as_mask);
    tcase_add_test(tc, missing_dataset_names_key_and_contents);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(h5data_suite());
    int n_failed;

    srunner_run_all(runner, CK_NORMAL);
    n_failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return n_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
