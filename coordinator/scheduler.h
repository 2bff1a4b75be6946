/* Handing tasks to workers and gathering their results on rank 0. */
#ifndef GCV_SCHEDULER_H
#define GCV_SCHEDULER_H

#include <mpi.h>
#include <stdbool.h>

#include "../worker/task.h"
#include "results.h"

/* Called on rank 0 after each result is recorded (progress display). */
typedef void (*gcv_scheduler_progress_fn)(const struct gcv_results *results,
                                          const struct gcv_task_result *last, void *arg);

/* Runs every (candidate, fold) task and records each result in results.
 *
 * With one rank, rank 0 runs the tasks itself. Otherwise ranks 1..P-1 are
 * workers (running gcv_worker_run) fed by self-scheduling: each worker
 * holds up to two tasks, so it starts its next fit while its last result
 * travels, and gets a new task as each result arrives. Every worker is
 * sent a stop before this returns, also on failure.
 *
 * A failed fit is recorded and the search goes on, unless spec asks for
 * error_score "raise": then no new task is handed out, the tasks in flight
 * are drained, and GCV_ERR_FIT returns with the fit's message. */
enum gcv_status gcv_scheduler_run(const struct gcv_task_context *ctx, const struct gcv_spec *spec,
                                  struct gcv_results *results, gcv_scheduler_progress_fn progress,
                                  void *progress_arg, MPI_Comm comm, struct gcv_error *err);

/* Sends a stop to every worker, for a coordinator that fails before the
 * search starts, so that no worker waits for a task forever. */
void gcv_scheduler_stop_workers(MPI_Comm comm);

#endif
