#include "worker.h"

#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "fold_cache.h"

/* Results on their way to rank 0, in two slots that units use in turn.
 * Each slot contains copies of one unit's results, each with the request
 * of its send. Rank 0 keeps two units on each worker
 * (coordinator/scheduler.c). So with units of one task, rank 0 has
 * received a slot's results before it sends the task whose results reuse
 * the slot, and the wait for them ends at the first test. */
struct outbox {
    struct gcv_task_result *results; /* [2 * capacity], slot s from s * capacity, owned */
    MPI_Request *requests;           /* [2 * capacity], as results, owned */
    size_t capacity;                 /* results per slot */
    size_t n[2];                     /* sends of each slot not yet waited for */
    size_t next;                     /* the slot of the next unit */
};

/* Waits until every send of slot has completed. */
static enum gcv_status outbox_wait(struct outbox *outbox, size_t slot, struct gcv_error *err)
{
    MPI_Request *requests = outbox->requests + slot * outbox->capacity;
    enum gcv_status status = GCV_OK;

    for (size_t i = 0; i < outbox->n[slot] && status == GCV_OK; i++)
        status = gcv_proto_wait(&requests[i], MPI_STATUS_IGNORE, err);
    outbox->n[slot] = 0;
    return status;
}

/* Starts sending results[0..n) to rank 0, each marked with this worker's
 * rank, from copies in the next slot of outbox, so that the next unit runs
 * while they travel. */
static enum gcv_status send_results(const struct gcv_task_result *results, size_t n, int rank,
                                    struct outbox *outbox, MPI_Comm comm, struct gcv_error *err)
{
    const size_t slot = outbox->next;
    struct gcv_task_result *copies = outbox->results + slot * outbox->capacity;
    MPI_Request *requests = outbox->requests + slot * outbox->capacity;
    enum gcv_status status = outbox_wait(outbox, slot, err);

    for (size_t i = 0; i < n && status == GCV_OK; i++) {
        copies[i] = results[i];
        copies[i].rank = rank;
        status = gcv_proto_start_result(&copies[i], comm, &requests[i], err);
        if (status == GCV_OK)
            outbox->n[slot] = i + 1;
    }
    outbox->next = 1 - slot;
    return status;
}

enum gcv_status gcv_worker_run(const struct gcv_task_context *ctx, MPI_Comm comm,
                               struct gcv_error *err)
{
    struct gcv_chain_state chain = {0};  /* the last model, with warm starts */
    const size_t capacity = ctx->batched ? ctx->n_candidates : 1;
    const size_t n_allocated = capacity > 0 ? capacity : 1; /* tasks of a unit, at least 1 */
    int32_t *unit = malloc(n_allocated * sizeof *unit); /* [capacity] */
    struct gcv_task_result *results = malloc(n_allocated * sizeof *results);
    struct outbox outbox = {
        .results = malloc(2 * n_allocated * sizeof *outbox.results),
        .requests = malloc(2 * n_allocated * sizeof *outbox.requests),
        .capacity = n_allocated,
    };
    size_t n_unit = 0;    /* tasks of the unit received so far */
    int32_t last_fold = -1; /* fold of the last unit run, -1 before the first */
    bool drained = false;
    int rank;
    enum gcv_status status = GCV_OK;

    if (unit == NULL || results == NULL || outbox.results == NULL || outbox.requests == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for the tasks of %zu "
                               "candidates", capacity);
        goto cleanup;
    }
    GCV_MPI_CHECK(MPI_Comm_rank(comm, &rank));
    for (;;) {
        int32_t candidate, fold;
        bool unit_end;

        status = gcv_proto_recv_task(&candidate, &fold, &unit_end, comm, err);
        if (status != GCV_OK)
            break;
        if (candidate == GCV_TASK_STOP) {
            /* Receive the drain notice that preceded this stop, so that no
             * message is left unmatched at MPI_Finalize. */
            if (fold == GCV_STOP_AFTER_DRAIN)
                status = gcv_proto_poll_drain(true, &drained, comm, err);
            break;
        }

        /* A batch runs once all its tasks are here; the coordinator sends
         * them one after the other. */
        if (n_unit < capacity)
            unit[n_unit++] = candidate;
        if (ctx->batched && !unit_end && n_unit < capacity)
            continue;

        /* A task on another fold than the last one retires the cached
         * work of the folds before (gcv_fold_cache_retire). */
        if (last_fold >= 0 && fold != last_fold)
            gcv_fold_cache_retire();
        last_fold = fold;

        /* After a drain notice, tasks not yet started go back unrun. A
         * signal that reaches this rank itself changes nothing: the
         * coordinator decides when the search stops. */
        if ((status = gcv_proto_poll_drain(false, &drained, comm, err)) != GCV_OK)
            break;
        if (drained) {
            for (size_t i = 0; i < n_unit; i++) {
                memset(&results[i], 0, sizeof results[i]);
                results[i].candidate = unit[i];
                results[i].fold = fold;
                results[i].status = GCV_STOPPED;
            }
        } else if (ctx->batched) {
            gcv_task_run_batch(ctx, unit, n_unit, fold, results);
        } else if (ctx->chain_previous != NULL) {
            gcv_chain_run(ctx, &chain, candidate, fold, &results[0]);
        } else {
            gcv_task_run(ctx, candidate, fold, &results[0]);
        }
        status = send_results(results, n_unit, rank, &outbox, comm, err);
        n_unit = 0;
        if (status != GCV_OK)
            break;
    }
cleanup:
    /* The last results reach rank 0 before the worker returns, also after
     * a failure, so that no send is left active at MPI_Finalize. */
    for (size_t slot = 0; slot < 2; slot++) {
        if (status == GCV_OK)
            status = outbox_wait(&outbox, slot, err);
        else
            outbox_wait(&outbox, slot, &(struct gcv_error){GCV_OK, ""});
    }
    gcv_chain_state_clear(ctx, &chain);
    free(unit);
    free(results);
    free(outbox.results);
    free(outbox.requests);
    return status;
}
