/* Files of the output folder, written whole or not at all: each is
 * written under a temporary name and renamed into place once complete, so
 * a reader never mistakes a partial file (a full disk, a killed job) for a
 * result. */
#ifndef GCV_OUTPUT_H
#define GCV_OUTPUT_H

#include <stdio.h>

#include "../common/status.h"

struct gcv_output_file {
    FILE *stream;      /* write here between open and commit */
    char path[4096];   /* final path */
    char temp[4096];   /* temporary path while writing */
};

/* Opens folder/name for writing under a temporary name. */
enum gcv_status gcv_output_open(struct gcv_output_file *file, const char *folder,
                                const char *name, struct gcv_error *err);

/* Flushes, checks every write for errors (a full disk), closes and renames
 * the file into place. On failure the temporary file is removed. */
enum gcv_status gcv_output_commit(struct gcv_output_file *file, struct gcv_error *err);

/* Closes and removes the temporary file. Accepts a file never opened. */
void gcv_output_abandon(struct gcv_output_file *file);

/* Writes s as a JSON string literal to stream. */
void gcv_output_json_string(FILE *stream, const char *s);

/* Writes x to stream as JSON: the shortest round-trip decimal, or null for
 * NaN and infinities (which JSON cannot express). */
void gcv_output_json_number(FILE *stream, double x);

#endif
