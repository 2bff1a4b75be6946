/* Diagnostics on standard error: one entry point, the level tested before
 * any formatting, each line prefixed with the rank and the level.
 * Results are never written here; they go to standard output from rank 0. */
#ifndef GCV_LOG_H
#define GCV_LOG_H

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

#define gcv_log_error(...) GCV_LOG(GCV_LOG_ERROR, __VA_ARGS__)
#define gcv_log_warn(...) GCV_LOG(GCV_LOG_WARN, __VA_ARGS__)
#define gcv_log_info(...) GCV_LOG(GCV_LOG_INFO, __VA_ARGS__)
#define gcv_log_debug(...) GCV_LOG(GCV_LOG_DEBUG, __VA_ARGS__)

#endif
