/* libFuzzer target for the HDF5 reader: the input is the content of an
 * HDF5 file. It writes the bytes to a temporary file and loads that file
 * with gcv_dataset_load twice: as a classifier's data (X, y), then as a
 * regressor's with a holdout mask and PredefinedSplit folds (X, y,
 * holdout, fold). Each error message must pass fuzz_check_error.
 *
 * Built with clang -fsanitize=fuzzer by scripts/fuzz, and with
 * replay_main.c into replay_h5data, which the test run uses to replay the
 * corpus and the regressions. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_error.h"
#include "common/dataset.h"

/* The temporary file, made on the first call and removed at exit. */
static char temp_path[4096];

static void remove_temp_file(void)
{
    if (temp_path[0] != '\0')
        unlink(temp_path);
}

/* Makes the temporary file on the first call. Returns 0, or -1 when it
 * cannot be made. */
static int make_temp_file(void)
{
    const char *folder = getenv("TMPDIR");
    int fd;

    if (temp_path[0] != '\0')
        return 0;
    snprintf(temp_path, sizeof temp_path, "%s/gridcv-fuzz-h5data-XXXXXX",
             folder != NULL && folder[0] != '\0' ? folder : "/tmp");
    fd = mkstemp(temp_path);
    if (fd < 0) {
        perror("fuzz_h5data: mkstemp");
        temp_path[0] = '\0';
        return -1;
    }
    close(fd);
    atexit(remove_temp_file);
    return 0;
}

/* Replaces the temporary file's content by size bytes of data. */
static int write_temp_file(const uint8_t *data, size_t size)
{
    FILE *file = fopen(temp_path, "wb");
    int failed;

    if (file == NULL)
        return -1;
    failed = fwrite(data, 1, size, file) != size;
    failed |= fclose(file) != 0;
    return failed ? -1 : 0;
}

static void load(const struct gcv_dataset_source *source)
{
    struct gcv_dataset dataset;
    struct gcv_error err = {GCV_OK, ""};
    enum gcv_status status;

    status = gcv_dataset_load(source, &dataset, &err);
    fuzz_check_error(status, &err);
    if (status == GCV_OK)
        gcv_dataset_free(&dataset);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *paths[1];
    struct gcv_dataset_source classifier = {
        .paths = paths, .n_paths = 1, .X = "X", .y = "y", .classification = true,
    };
    struct gcv_dataset_source regressor = {
        .paths = paths, .n_paths = 1, .X = "X", .y = "y", .holdout = "holdout",
        .test_fold = "fold", .classification = false,
    };

    if (make_temp_file() != 0 || write_temp_file(data, size) != 0) {
        fprintf(stderr, "fuzz_h5data: cannot write the temporary file %s\n", temp_path);
        abort();
    }
    paths[0] = temp_path;
    /* A file that makes HDF5 loop forever is reported after 2 s, well
     * inside libFuzzer's -timeout of scripts/fuzz. */
    gcv_dataset_set_check_timeout(2.0);
    load(&classifier);
    load(&regressor);
    return 0;
}
