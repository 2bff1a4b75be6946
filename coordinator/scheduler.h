/* Handing tasks to workers and gathering their results on rank 0. */
#ifndef GCV_SCHEDULER_H
#define GCV_SCHEDULER_H

#include <mpi.h>
#include <signal.h>
#include <stdbool.h>

#include "../worker/task.h"
#include "journal.h"
#include "results.h"

/* Called on rank 0 after each result is recorded (progress display). */
typedef void (*gcv_scheduler_progress_fn)(const struct gcv_results *results,
                                          const struct gcv_task_result *last, void *arg);

/* The parts of a run beyond its tasks: progress display, journal and stop
 * requests. Every pointer is borrowed for the call. */
struct gcv_scheduler_options {
    gcv_scheduler_progress_fn progress; /* called after each recorded result, or NULL */
    void *progress_arg;
    struct gcv_journal *journal;        /* each finished task is appended before it is
                                           recorded, or NULL for no journal */
    const volatile sig_atomic_t *stop_signal; /* a signal handler sets it to the signal's
                                                 number to stop early; NULL for none */
    double grace;                       /* seconds the running fits get after a stop */
    size_t n_abandoned;                 /* out: fits still running when the grace ran out */
};

/* Runs every (candidate, fold) task that results does not hold yet (tasks
 * replayed from a journal are skipped) and records each result in results.
 *
 * With one rank, rank 0 runs the tasks itself. Otherwise ranks 1..P-1 are
 * workers (running gcv_worker_run) fed by self-scheduling: each worker
 * holds up to two tasks, so it starts its next fit while its last result
 * travels, and gets a new task as each result arrives. Every worker is
 * sent a stop before this returns, also on failure.
 *
 * A failed fit is recorded and the search goes on, unless spec asks for
 * error_score "raise": then no new task is handed out, the tasks in flight
 * are drained, and GCV_ERR_FIT returns with the fit's message. A failure
 * to append to the journal ends the search the same way with GCV_ERR_IO.
 *
 * When *options->stop_signal becomes nonzero, no new task is handed out,
 * workers skip the tasks they hold but have not started, and the running
 * fits get options->grace seconds to finish. GCV_STOPPED then returns,
 * unless every task turned out done. If the grace runs out first,
 * options->n_abandoned counts the fits still running: their workers are
 * busy, so the caller must end the job with MPI_Abort rather than wait. */
enum gcv_status gcv_scheduler_run(const struct gcv_task_context *ctx, const struct gcv_spec *spec,
                                  struct gcv_results *results,
                                  struct gcv_scheduler_options *options, MPI_Comm comm,
                                  struct gcv_error *err);

/* Sends a stop to every worker, for a coordinator that fails before the
 * search starts, so that no worker waits for a task forever. */
void gcv_scheduler_stop_workers(MPI_Comm comm);

#endif
