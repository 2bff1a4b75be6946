/* Status codes shared by every module, and the error buffer that carries
 * the specifics of a failure up to the entry point.
 *
 * Library code returns an enum gcv_status and fills a struct gcv_error with
 * one line that names what failed, on which value, and what is accepted.
 * Only the entry point decides how the job ends (see gcv_status_exit_code). */
#ifndef GCV_STATUS_H
#define GCV_STATUS_H

#include <stddef.h>

/* X(name, exit code, message). One list gives the enum, the names and the
 * messages, so they never drift apart. Exit code 2 is bad input (the user
 * can fix it), and 1 is a failure while running. Exit code 3 means a signal
 * stopped the search early and its journal lets `gridcv run --resume`
 * finish it, so a batch script can requeue itself on 3. */
#define GCV_STATUS_LIST(X)                                                   \
    X(GCV_OK, 0, "success")                                                  \
    X(GCV_ERR_USAGE, 2, "invalid command line")                              \
    X(GCV_ERR_SPEC, 2, "invalid search spec")                                \
    X(GCV_ERR_DATA, 2, "invalid data")                                       \
    X(GCV_ERR_PARAM, 2, "invalid estimator parameter")                       \
    X(GCV_ERR_IO, 1, "input/output error")                                   \
    X(GCV_ERR_NOMEM, 1, "out of memory")                                     \
    X(GCV_ERR_MPI, 1, "MPI error")                                           \
    X(GCV_ERR_FIT, 1, "fit failed")                                          \
    X(GCV_ERR_INTERNAL, 1, "internal error")                              \
    X(GCV_ERR_TIMEOUT, 1, "time limit exceeded")                          \
    X(GCV_STOPPED, 3, "stopped early, resumable")

enum gcv_status {
#define GCV_STATUS_ENUM(name, code, message) name,
    GCV_STATUS_LIST(GCV_STATUS_ENUM)
#undef GCV_STATUS_ENUM
    GCV_STATUS_COUNT
};

#define GCV_ERROR_MAX 512

/* The specifics of the last failure. Embedded by value in the caller's
 * context, never allocated. */
struct gcv_error {
    enum gcv_status status;
    char message[GCV_ERROR_MAX]; /* NUL-terminated, one line, no trailing newline */
};

/* Returns the enum's name ("GCV_ERR_SPEC"), or "GCV_UNKNOWN" for a value
 * outside the list. */
const char *gcv_status_name(enum gcv_status status);

/* Returns the generic message of a status ("invalid search spec"). */
const char *gcv_status_message(enum gcv_status status);

/* Returns the process exit code for a status: 0, 1, 2 or 3. */
int gcv_status_exit_code(enum gcv_status status);

/* Records status and a printf-formatted message in err (which may be NULL)
 * and returns status, so a caller can write
 * `return gcv_error_set(err, GCV_ERR_SPEC, "...", ...);`. Control
 * characters in the message are escaped (\n, \xHH), so it stays one line. */
enum gcv_status gcv_error_set(struct gcv_error *err, enum gcv_status status,
                              const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepends a printf-formatted context ("data.path: ") to the message in err,
 * keeping its status. Returns that status. */
enum gcv_status gcv_error_prefix(struct gcv_error *err, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Resets err to GCV_OK with an empty message. */
void gcv_error_clear(struct gcv_error *err);

#endif
