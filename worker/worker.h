/* The worker loop: receive a task, run it, send its result, until the
 * coordinator sends a stop. */
#ifndef GCV_WORKER_H
#define GCV_WORKER_H

#include <mpi.h>

#include "task.h"

/* Serves tasks from rank 0 until a stop arrives. Once rank 0 sends a drain
 * notice, the tasks that have not started are answered with status
 * GCV_STOPPED instead of run. Returns GCV_ERR_MPI only when communication
 * fails; failed fits travel in the results. */
enum gcv_status gcv_worker_run(const struct gcv_task_context *ctx, MPI_Comm comm,
                               struct gcv_error *err);

#endif
