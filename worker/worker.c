#include "worker.h"

#include <string.h>

#include "chain.h"

enum gcv_status gcv_worker_run(const struct gcv_task_context *ctx, MPI_Comm comm,
                               struct gcv_error *err)
{
    struct gcv_task_result result;
    struct gcv_chain_state chain = {0};  /* the last model, with warm starts */
    bool drained = false;
    int rank;
    enum gcv_status status = GCV_OK;

    GCV_MPI_CHECK(MPI_Comm_rank(comm, &rank));
    for (;;) {
        int32_t candidate, fold;

        if ((status = gcv_proto_recv_task(&candidate, &fold, comm, err)) != GCV_OK)
            break;
        if (candidate == GCV_TASK_STOP) {
            /* Receive the drain notice that preceded this stop, so that no
             * message is left unmatched at MPI_Finalize. */
            if (fold == GCV_STOP_AFTER_DRAIN)
                status = gcv_proto_poll_drain(true, &drained, comm, err);
            break;
        }

        /* After a drain notice, tasks not yet started go back unrun. A
         * signal that reaches this rank itself changes nothing: the
         * coordinator decides when the search stops. */
        if ((status = gcv_proto_poll_drain(false, &drained, comm, err)) != GCV_OK)
            break;
        if (drained) {
            memset(&result, 0, sizeof result);
            result.candidate = candidate;
            result.fold = fold;
            result.status = GCV_STOPPED;
        } else if (ctx->chain_previous != NULL) {
            gcv_chain_run(ctx, &chain, candidate, fold, &result);
        } else {
            gcv_task_run(ctx, candidate, fold, &result);
        }
        result.rank = rank;
        if ((status = gcv_proto_send_result(&result, comm, err)) != GCV_OK)
            break;
    }
cleanup:
    gcv_chain_state_clear(ctx, &chain);
    return status;
}
