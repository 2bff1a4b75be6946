/* Diagnostics on standard error: one entry point, the level tested before
 * any formatting, each line prefixed with the rank and the level.
 * Results are never written here; they go to standard output from rank 0.
 *
 * Warnings can be held instead of written, so that each distinct warning of
 * a whole MPI job reaches the user once: every rank holds its warnings, the
 * search sends them to rank 0 at its next agreement point, and rank 0
 * prints each text once, naming the rank and host it came from and how many
 * ranks raised it. This module itself makes no MPI call. */
#ifndef GCV_LOG_H
#define GCV_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum gcv_log_level {
    GCV_LOG_ERROR = 0,
    GCV_LOG_WARN = 1,
    GCV_LOG_INFO = 2,
    GCV_LOG_DEBUG = 3,
};

/* Lines above this level are dropped before formatting. */
extern enum gcv_log_level gcv_log_threshold;

/* Sets the rank shown in each line's prefix and the threshold. Called once,
 * after MPI_Init; before it, lines carry rank "?". */
void gcv_log_init(int rank, enum gcv_log_level threshold);

void gcv_log_write(enum gcv_log_level level, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

#define GCV_LOG(level, ...)                          \
    do {                                             \
        if ((level) <= gcv_log_threshold)            \
            gcv_log_write((level), __VA_ARGS__);     \
    } while (0)

/* Starts (hold true) or stops holding warnings. While held, a warning is
 * stored, each distinct text once per rank, instead of written; errors and
 * the other levels are still written at once. */
void gcv_log_hold_warnings(bool hold);

/* Returns the held warnings as one malloc'd text, each distinct warning
 * once as a line ending in a newline, in the order first raised, and
 * empties the store. The caller frees the text. Returns NULL when nothing
 * is held, or when out of memory (the held warnings are then dropped). */
char *gcv_log_take_held(void);

/* Rank 0: writes to stream, once, every warning of held[0..n_ranks) (each
 * a text from gcv_log_take_held of that rank, or NULL) that this process has
 * not written before. A warning is named after the lowest rank that raised
 * it, with its host from hosts[rank] when that rank is not 0, and gets
 * "(repeated on N ranks)" when N > 1 ranks raised it. The order is
 * deterministic: by that lowest rank, then by the order that rank raised
 * them. */
void gcv_log_print_gathered(FILE *stream, const char *const *held, const char *const *hosts,
                            int n_ranks);

#define gcv_log_error(...) GCV_LOG(GCV_LOG_ERROR, __VA_ARGS__)
#define gcv_log_warn(...) GCV_LOG(GCV_LOG_WARN, __VA_ARGS__)
#define gcv_log_info(...) GCV_LOG(GCV_LOG_INFO, __VA_ARGS__)
#define gcv_log_debug(...) GCV_LOG(GCV_LOG_DEBUG, __VA_ARGS__)

#endif
