/* What the user sees: the start line, the progress line and the closing
 * summary. Results go to standard output; progress to standard error. */
#ifndef GCV_SUMMARY_H
#define GCV_SUMMARY_H

#include <stdbool.h>
#include <stdio.h>

#include "../common/dataset.h"
#include "../common/spec.h"
#include "../worker/task.h"
#include "results.h"

/* State of the progress line. */
struct gcv_progress {
    int verbosity;        /* 0 quiet, 1 progress, 2 a line per fit */
    bool on_terminal;     /* standard error is a terminal: redraw in place */
    double start;         /* gcv_task_clock() at the start of the search */
    double last_print;    /* when the last plain line was printed */
    double best_mean;     /* best finished candidate's mean so far, or NaN */
};

/* Starts the progress display; verbosity as above. */
void gcv_progress_init(struct gcv_progress *progress, int verbosity);

/* Scheduler callback (gcv_scheduler_progress_fn); arg is a struct
 * gcv_progress. */
void gcv_progress_update(const struct gcv_results *results, const struct gcv_task_result *last,
                         void *arg);

/* Ends the progress line (a newline on a terminal). */
void gcv_progress_finish(struct gcv_progress *progress);

/* Prints the line that opens a search, in the manner of scikit-learn's
 * "Fitting 5 folds for each of 36 candidates, totalling 180 fits". */
void gcv_summary_print_start(FILE *stream, const struct gcv_spec *spec,
                             const struct gcv_dataset *data, size_t n_search_rows,
                             size_t n_folds, int n_workers);

/* The outcome of the refit of the best candidate. */
struct gcv_refit_outcome {
    bool done;
    double refit_time;       /* seconds */
    bool has_holdout;
    double holdout_score;    /* refit scorer on the holdout rows */
    size_t n_holdout;
};

/* Prints the closing summary: best parameters and score, holdout score,
 * fits and failures, wall time, and where the files are. */
void gcv_summary_print_end(FILE *stream, const struct gcv_spec *spec,
                           const struct gcv_results *results,
                           const struct gcv_refit_outcome *refit, double wall_time,
                           const char *folder);

/* Writes best.json into folder. */
enum gcv_status gcv_summary_write_best(const struct gcv_spec *spec,
                                       const struct gcv_results *results,
                                       const struct gcv_refit_outcome *refit, double wall_time,
                                       const char *folder, struct gcv_error *err);

#endif
