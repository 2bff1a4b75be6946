/* A main for the fuzz targets without libFuzzer. It feeds every file of
 * the folders (or files) named on the command line to
 * LLVMFuzzerTestOneInput once, in name order, so that the corpus and the
 * regressions replay in the normal test run with any compiler.
 *
 * Usage: replay_TARGET PATH...
 * Files whose names start with "." (such as .gitkeep) are skipped, and a
 * folder that does not exist counts as empty. A crashing input ends the
 * process (after its name is printed); otherwise the last line is
 * "replayed N inputs" and the exit status is 0. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads the whole file at path into a malloc'd buffer. Returns NULL on
 * failure, after printing why. */
static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *file = fopen(path, "rb");
    uint8_t *buffer = NULL;
    long length;

    if (file == NULL) {
        fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    if (fseek(file, 0, SEEK_END) != 0 || (length = ftell(file)) < 0 ||
        fseek(file, 0, SEEK_SET) != 0) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        fclose(file);
        return NULL;
    }
    buffer = malloc((size_t)length + 1);
    if (buffer == NULL || fread(buffer, 1, (size_t)length, file) != (size_t)length) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        free(buffer);
        fclose(file);
        return NULL;
    }
    fclose(file);
    *size = (size_t)length;
    return buffer;
}

/* Feeds one file. Returns 0, or -1 when it cannot be read. */
static int replay_file(const char *path)
{
    size_t size = 0;
    uint8_t *data = read_file(path, &size);

    if (data == NULL)
        return -1;
    fprintf(stderr, "replay: %s\n", path);
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Feeds every file of folder in name order. Returns the number fed, or -1
 * when one cannot be read. */
static long replay_folder(const char *folder)
{
    DIR *dir = opendir(folder);
    struct dirent *entry;
    char **names = NULL;
    size_t n_names = 0;
    long count = 0;

    if (dir == NULL)
        return errno == ENOENT ? 0 : -1;
    while ((entry = readdir(dir)) != NULL) {
        char **grown;

        if (entry->d_name[0] == '.')
            continue;
        grown = realloc(names, (n_names + 1) * sizeof *names);
        if (grown == NULL || (grown[n_names] = strdup(entry->d_name)) == NULL) {
            fprintf(stderr, "replay: out of memory listing %s\n", folder);
            exit(1);
        }
        names = grown;
        n_names++;
    }
    closedir(dir);
    qsort(names, n_names, sizeof *names, compare_names);

    for (size_t i = 0; i < n_names; i++) {
        char path[4096];
        struct stat info;

        snprintf(path, sizeof path, "%s/%s", folder, names[i]);
        if (stat(path, &info) == 0 && S_ISREG(info.st_mode)) {
            if (replay_file(path) != 0)
                count = -1;
            else if (count >= 0)
                count++;
        }
        free(names[i]);
    }
    free(names);
    return count;
}

int main(int argc, char **argv)
{
    long total = 0;

    for (int i = 1; i < argc; i++) {
        struct stat info;
        long count;

        if (stat(argv[i], &info) == 0 && S_ISREG(info.st_mode))
            count = replay_file(argv[i]) == 0 ? 1 : -1;
        else
            count = replay_folder(argv[i]);
        if (count < 0) {
            fprintf(stderr, "replay: cannot read every input of %s\n", argv[i]);
            return 1;
        }
        total += count;
    }
    printf("replayed %ld inputs\n", total);
    return 0;
}
