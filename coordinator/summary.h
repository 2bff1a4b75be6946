/* What the user sees: the start line, the progress line and the closing
 * summary. Results go to standard output; progress to standard error. */
#ifndef GCV_SUMMARY_H
#define GCV_SUMMARY_H

#include <stdbool.h>
#include <stdio.h>

#include "../common/dataset.h"
#include "../common/shm.h"
#include "../common/spec.h"
#include "../worker/task.h"
#include "plot.h"
#include "results.h"
#include "threshold.h"

/* State of the progress line. */
struct gcv_progress {
    int verbosity;        /* 0 quiet, 1 progress, 2 a line per fit */
    bool on_terminal;     /* standard error is a terminal: redraw in place */
    double start;         /* gcv_task_clock() at the start of the search */
    double last_print;    /* when the last plain line was printed */
    double best_mean;     /* best finished candidate's mean so far, or NaN */
    const struct gcv_grid *grid;  /* candidates named in the lines per fit, borrowed */
};

/* Starts the progress display; verbosity as above. grid must outlive the
 * progress. */
void gcv_progress_init(struct gcv_progress *progress, int verbosity,
                       const struct gcv_grid *grid);

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

/* Prints the hosts of a run with the ranks on each and their OpenBLAS
 * threads: "hosts: nodeA (ranks 0-1), nodeB (ranks 2-3); 1 BLAS thread per
 * rank". Hosts are listed in the order of their lowest rank. hosts is
 * [n_ranks * name_size], rank r's NUL-terminated name at r * name_size;
 * blas_threads is [n_ranks]. Both are borrowed for the call. */
void gcv_summary_print_hosts(FILE *stream, const char *hosts, size_t name_size,
                             const int *blas_threads, int n_ranks);

/* The findings of `gridcv check`, for gcv_summary_print_check. Every
 * pointer is borrowed for the call. */
struct gcv_check_report {
    const struct gcv_spec *spec;
    const struct gcv_dataset *data;
    const size_t *search_rows;        /* [n_search_rows] dataset rows outside the holdout */
    size_t n_search_rows;
    const struct gcv_fold_plan *plan;
    enum gcv_splitter_kind splitter;  /* after an integer cv was resolved */
    const char *scorer_name;
    const struct gcv_shm *shm;        /* node_bytes set to the size of the loaded rows */
    const char *folder;               /* the output folder run would use */
    const char *folder_state;         /* what run would do with it, one phrase */
};

/* Prints what a run of the spec would do, without fitting anything: the
 * data shape and classes, the folds and their sizes, the candidates and
 * fits, and gcv_shm_print_memory's estimate for one worker. */
void gcv_summary_print_check(FILE *stream, const struct gcv_check_report *report);

/* The outcome of the refit of the best candidate. */
struct gcv_refit_outcome {
    bool done;
    double refit_time;       /* seconds */
    bool has_holdout;
    double holdout_score;    /* refit scorer on the holdout rows */
    size_t n_holdout;
    struct gcv_threshold_result threshold; /* threshold.done after tuning for the spec's
                                              "threshold" */
};

/* Prints the closing summary: best parameters and score, holdout score,
 * fits and failures, wall time (left out when NaN), the table of the plotted scores when plot
 * is not NULL, and where the files are. */
void gcv_summary_print_end(FILE *stream, const struct gcv_spec *spec,
                           const struct gcv_results *results,
                           const struct gcv_refit_outcome *refit, double wall_time,
                           const char *folder, const struct gcv_plot *plot);

/* Writes the plot of the finalized results into folder (heatmap.svg or
 * validation_curve.svg, see plot.h) and prints the closing summary with
 * its table. Used after a search and by `gridcv report`. */
enum gcv_status gcv_summary_finish(FILE *stream, const struct gcv_spec *spec,
                                   const struct gcv_results *results,
                                   const struct gcv_refit_outcome *refit, double wall_time,
                                   const char *folder, struct gcv_error *err);

/* Writes best.json into folder. */
enum gcv_status gcv_summary_write_best(const struct gcv_spec *spec,
                                       const struct gcv_results *results,
                                       const struct gcv_refit_outcome *refit, double wall_time,
                                       const char *folder, struct gcv_error *err);

#endif
