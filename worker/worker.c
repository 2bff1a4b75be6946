#include "worker.h"

enum gcv_status gcv_worker_run(const struct gcv_task_context *ctx, MPI_Comm comm,
                               struct gcv_error *err)
{
    struct gcv_task_result result;
    int rank;
    enum gcv_status status = GCV_OK;

    GCV_MPI_CHECK(MPI_Comm_rank(comm, &rank));
    for (;;) {
        int32_t candidate, fold;

        if ((status = gcv_proto_recv_task(&candidate, &fold, comm, err)) != GCV_OK)
            break;
        if (candidate == GCV_TASK_STOP)
            break;
        gcv_task_run(ctx, candidate, fold, &result);
        result.rank = rank;
        if ((status = gcv_proto_send_result(&result, comm, err)) != GCV_OK)
            break;
    }
cleanup:
    return status;
}
