#include "log.h"

#include <stdarg.h>
#include <stdio.h>

enum gcv_log_level gcv_log_threshold = GCV_LOG_WARN;
static int log_rank = -1;

static const char *const level_names[] = {"error", "warning", "info", "debug"};

void gcv_log_init(int rank, enum gcv_log_level threshold)
{
    log_rank = rank;
    gcv_log_threshold = threshold;
}

void gcv_log_write(enum gcv_log_level level, const char *format, ...)
{
    char line[1024];
    va_list args;

    va_start(args, format);
    vsnprintf(line, sizeof line, format, args);
    va_end(args);

    /* One fprintf per line so that lines of different ranks do not interleave
     * within a line when mpirun merges their streams. */
    if (log_rank < 0)
        fprintf(stderr, "gridcv[?] %s: %s\n", level_names[level], line);
    else
        fprintf(stderr, "gridcv[%d] %s: %s\n", log_rank, level_names[level], line);
}
