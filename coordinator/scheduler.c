#include "scheduler.h"

#include <stdlib.h>
#include <string.h>

/* Tasks each worker holds at once: one running, one waiting. */
#define TASKS_IN_FLIGHT 2

/* Handles one result: records it, and decides whether the search must
 * stop (a raised fit failure or a fatal worker error). */
static enum gcv_status accept_result(const struct gcv_task_result *result,
                                     const struct gcv_spec *spec, struct gcv_results *results,
                                     gcv_scheduler_progress_fn progress, void *progress_arg,
                                     struct gcv_error *err)
{
    gcv_results_record(results, result, spec);
    if (progress != NULL)
        progress(results, result, progress_arg);

    if (result->status == GCV_OK)
        return GCV_OK;
    if (result->status == GCV_ERR_FIT && spec->error_score != GCV_ERROR_SCORE_RAISE)
        return GCV_OK;
    return gcv_error_set(err, (enum gcv_status)result->status, "fit of candidate %d on fold %d "
                         "(rank %d) failed: %s", (int)result->candidate, (int)result->fold,
                         (int)result->rank, result->message);
}

static enum gcv_status run_locally(const struct gcv_task_context *ctx, const struct gcv_spec *spec,
                                   struct gcv_results *results,
                                   gcv_scheduler_progress_fn progress, void *progress_arg,
                                   struct gcv_error *err)
{
    struct gcv_task_result result;
    enum gcv_status status;

    for (size_t c = 0; c < results->n_candidates; c++) {
        for (size_t f = 0; f < results->n_folds; f++) {
            gcv_task_run(ctx, (int32_t)c, (int32_t)f, &result);
            status = accept_result(&result, spec, results, progress, progress_arg, err);
            if (status != GCV_OK)
                return status;
        }
    }
    return GCV_OK;
}

enum gcv_status gcv_scheduler_run(const struct gcv_task_context *ctx, const struct gcv_spec *spec,
                                  struct gcv_results *results, gcv_scheduler_progress_fn progress,
                                  void *progress_arg, MPI_Comm comm, struct gcv_error *err)
{
    size_t n_tasks = results->n_candidates * results->n_folds;
    size_t next = 0, in_flight = 0;
    int *held = NULL;
    int size;
    struct gcv_error stop_reason = {GCV_OK, ""};
    enum gcv_status status = GCV_OK;

    GCV_MPI_CHECK(MPI_Comm_size(comm, &size));
    if (size == 1)
        return run_locally(ctx, spec, results, progress, progress_arg, err);

    held = calloc((size_t)size, sizeof *held);
    if (held == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory scheduling %d workers", size - 1);

    /* Tasks go out in scikit-learn's order, candidate-major, so the first
     * results are the first rows of the table. */
    for (int round = 0; round < TASKS_IN_FLIGHT; round++) {
        for (int worker = 1; worker < size && next < n_tasks; worker++) {
            status = gcv_proto_send_task(worker, (int32_t)(next / results->n_folds),
                                         (int32_t)(next % results->n_folds), comm, err);
            if (status != GCV_OK)
                goto cleanup;
            next++;
            held[worker]++;
            in_flight++;
        }
    }

    while (in_flight > 0) {
        struct gcv_task_result result;
        int worker;

        if ((status = gcv_proto_recv_result(&result, comm, err)) != GCV_OK)
            goto cleanup;
        worker = result.rank;
        if (worker < 1 || worker >= size || held[worker] == 0) {
            status = gcv_error_set(err, GCV_ERR_INTERNAL, "result from unexpected rank %d", worker);
            goto cleanup;
        }
        held[worker]--;
        in_flight--;

        if (stop_reason.status == GCV_OK)
            accept_result(&result, spec, results, progress, progress_arg, &stop_reason);
        else
            gcv_results_record(results, &result, spec);

        if (stop_reason.status == GCV_OK && next < n_tasks) {
            status = gcv_proto_send_task(worker, (int32_t)(next / results->n_folds),
                                         (int32_t)(next % results->n_folds), comm, err);
            if (status != GCV_OK)
                goto cleanup;
            next++;
            held[worker]++;
            in_flight++;
        }
    }
    if (stop_reason.status != GCV_OK) {
        *err = stop_reason;
        status = stop_reason.status;
    }

cleanup:
    /* Every worker gets its stop, also after a failure, so none is left
     * waiting for a task that will never come. */
    gcv_scheduler_stop_workers(comm);
    free(held);
    return status;
}

void gcv_scheduler_stop_workers(MPI_Comm comm)
{
    int size = 1;

    MPI_Comm_size(comm, &size);
    for (int worker = 1; worker < size; worker++) {
        struct gcv_error ignored;
        gcv_proto_send_task(worker, GCV_TASK_STOP, 0, comm, &ignored);
    }
}
