/* One search from spec to report, on every rank: the body of `gridcv run`. */
#ifndef GCV_SEARCH_H
#define GCV_SEARCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

struct gcv_run_options {
    const char *spec_path;
    const char *out_dir;   /* NULL: gridcv-<spec name> in the current folder */
    bool force;            /* overwrite an output folder of another search */
    int verbosity;         /* 0 quiet, 1 progress (default), 2 a line per fit */
    bool resume;           /* continue the search journalled in the output folder */
    double grace;          /* seconds the running fits get after a stop request */
    int blas_threads;      /* OpenBLAS threads of each rank, >= 1 */
    size_t fold_cache_mb;  /* megabytes of fold cache per rank (worker/fold_cache.h),
                              0 to disable it */
    size_t lockstep;       /* the most fits of a fold run together (gcv_task_configure_batches),
                              1 to run each alone */
    const volatile sig_atomic_t *stop_signal; /* nonzero once a signal asked to stop
                                                 early; NULL for none */
};

/* Runs the search on MPI_COMM_WORLD (MPI must be initialised) and returns
 * the process exit code: 0 success, 2 bad input, 1 failure while running,
 * 3 stopped early by a signal (resumable). Every rank returns the same
 * code; rank 0 prints the one error line. When the grace after a stop runs
 * out with fits still running, rank 0 ends the job with MPI_Abort and
 * status 3 instead of returning. */
int gcv_search_run(const struct gcv_run_options *options);

/* Runs every check of gcv_search_run up to the first fit (spec, output
 * folder, data, folds, every candidate's parameters) in this process alone,
 * without MPI, and prints what the run would do (gcv_summary_print_check)
 * or the one error line. Creates and fits nothing. Returns the exit code
 * of gcv_search_run for the same input: 0 valid, 2 bad input, 1 failure. */
int gcv_search_check(const struct gcv_run_options *options);

#endif
