/* The checks that both fuzz targets make on every error that gridcv
 * returns, beyond not crashing: gridcv prints err->message as the one line
 * of a failed run, so it must be a non-empty single line of printable
 * text, NUL-terminated within the buffer, with a status of exit code 1
 * or 2. A violation aborts, which libFuzzer and the replay report as a
 * crash of that input. */
#ifndef GCV_FUZZ_CHECK_ERROR_H
#define GCV_FUZZ_CHECK_ERROR_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/status.h"

static void fuzz_check_error(enum gcv_status status, const struct gcv_error *err)
{
    const char *problem = NULL;
    size_t length;

    if (status == GCV_OK)
        return;
    length = strnlen(err->message, sizeof err->message);
    if (gcv_status_exit_code(status) != 1 && gcv_status_exit_code(status) != 2)
        problem = "a failure status whose exit code is neither 1 nor 2";
    else if (err->status != status)
        problem = "err->status differs from the returned status";
    else if (length == sizeof err->message)
        problem = "a message without a terminating NUL";
    else if (length == 0)
        problem = "an empty message";
    for (size_t i = 0; i < length && problem == NULL; i++) {
        unsigned char c = (unsigned char)err->message[i];
        if (c < 0x20 || c == 0x7f)
            problem = "a control character (such as a newline) in the message";
    }
    if (problem != NULL) {
        fprintf(stderr, "fuzz: %s: status %s, message \"%.*s\"\n", problem,
                gcv_status_name(status), (int)length, err->message);
        abort();
    }
}

#endif
