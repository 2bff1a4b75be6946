#include "log.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum gcv_log_level gcv_log_threshold = GCV_LOG_WARN;
static int log_rank = -1;

static const char *const level_names[] = {"error", "warning", "info", "debug"};

/* A growing text of distinct lines, each ending in a newline, with a NUL
 * after the last. */
struct line_set {
    char *text;       /* [capacity], owned; NULL while empty */
    size_t length;    /* bytes before the NUL */
    size_t capacity;
};

static bool holding;
static struct line_set held;     /* this rank's held warnings */
static struct line_set printed;  /* warnings rank 0 has written after a gather */

static bool line_set_contains(const char *text, const char *line, size_t length)
{
    const char *p = text;

    while (p != NULL && *p != '\0') {
        const char *end = strchr(p, '\n');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
        if (n == length && memcmp(p, line, length) == 0)
            return true;
        p = end != NULL ? end + 1 : NULL;
    }
    return false;
}

/* Appends line[0..length) and a newline unless the set contains it already.
 * Returns false when out of memory. */
static bool line_set_add(struct line_set *set, const char *line, size_t length)
{
    if (set->text != NULL && line_set_contains(set->text, line, length))
        return true;
    if (set->length + length + 2 > set->capacity) {
        size_t capacity = 2 * set->capacity + length + 2;
        char *grown = realloc(set->text, capacity);
        if (grown == NULL)
            return false;
        set->text = grown;
        set->capacity = capacity;
    }
    memcpy(set->text + set->length, line, length);
    set->length += length;
    set->text[set->length++] = '\n';
    set->text[set->length] = '\0';
    return true;
}

void gcv_log_init(int rank, enum gcv_log_level threshold)
{
    log_rank = rank;
    gcv_log_threshold = threshold;
}

void gcv_log_hold_warnings(bool hold)
{
    holding = hold;
}

char *gcv_log_take_held(void)
{
    char *text = held.text;

    memset(&held, 0, sizeof held);
    return text;
}

void gcv_log_write(enum gcv_log_level level, const char *format, ...)
{
    char line[1024];
    va_list args;

    va_start(args, format);
    vsnprintf(line, sizeof line, format, args);
    va_end(args);

    /* A held warning is stored as one line of the gathered text. */
    for (char *p = line; *p != '\0'; p++)
        if (*p == '\n')
            *p = ' ';
    if (level == GCV_LOG_WARN && holding && line_set_add(&held, line, strlen(line)))
        return;

    /* One fprintf per line so that lines of different ranks do not interleave
     * within a line when mpirun merges their streams. */
    if (log_rank < 0)
        fprintf(stderr, "gridcv[?] %s: %s\n", level_names[level], line);
    else
        fprintf(stderr, "gridcv[%d] %s: %s\n", log_rank, level_names[level], line);
}

void gcv_log_print_gathered(FILE *stream, const char *const *held_texts,
                            const char *const *hosts, int n_ranks)
{
    for (int rank = 0; rank < n_ranks; rank++) {
        const char *p = held_texts[rank];

        while (p != NULL && *p != '\0') {
            const char *end = strchr(p, '\n');
            size_t length = end != NULL ? (size_t)(end - p) : strlen(p);
            int n_raised = 0;

            if (printed.text == NULL || !line_set_contains(printed.text, p, length)) {
                /* Ranks below this one did not raise it, or it would have
                 * been printed already. */
                for (int other = rank; other < n_ranks; other++)
                    if (held_texts[other] != NULL &&
                        line_set_contains(held_texts[other], p, length))
                        n_raised++;

                if (rank == 0)
                    fprintf(stream, "gridcv: warning: %.*s", (int)length, p);
                else
                    fprintf(stream, "gridcv: warning: rank %d (%s): %.*s", rank,
                            hosts != NULL && hosts[rank] != NULL ? hosts[rank] : "unknown host",
                            (int)length, p);
                if (n_raised > 1)
                    fprintf(stream, " (repeated on %d ranks)", n_raised);
                fputc('\n', stream);

                /* Out of memory, a warning may be printed again later. */
                line_set_add(&printed, p, length);
            }
            p = end != NULL ? end + 1 : NULL;
        }
    }
    fflush(stream);
}
