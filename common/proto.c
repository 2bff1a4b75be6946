#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Seconds a wait polls without sleeping before its first sleep. A message
 * already on its way often arrives within them, such as the task that rank
 * 0 sends on receiving a result, and a sleep lasts at least its length. */
#define SPIN_SECONDS 50e-6

enum gcv_status gcv_proto_mpi_error(int code, const char *call, struct gcv_error *err)
{
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;

    if (MPI_Error_string(code, text, &len) != MPI_SUCCESS)
        snprintf(text, sizeof text, "MPI error code %d", code);
    return gcv_error_set(err, GCV_ERR_MPI, "%s failed: %s", call, text);
}

static double monotonic_seconds(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
}

enum gcv_status gcv_proto_wait(MPI_Request *request, MPI_Status *mpi_status,
                               struct gcv_error *err)
{
    bool done;

    return gcv_proto_wait_interruptible(request, mpi_status, NULL, 0, &done, err);
}

enum gcv_status gcv_proto_wait_interruptible(MPI_Request *request, MPI_Status *mpi_status,
                                             const volatile sig_atomic_t *interrupt,
                                             double deadline, bool *done,
                                             struct gcv_error *err)
{
    long sleep_ns = 20000;
    const double spin_end = monotonic_seconds() + SPIN_SECONDS;
    enum gcv_status status = GCV_OK;

    *done = false;
    for (;;) {
        int completed = 0;
        struct timespec pause;
        double now;

        GCV_MPI_CHECK(MPI_Test(request, &completed, mpi_status));
        if (completed) {
            *done = true;
            break;
        }
        if (interrupt != NULL && *interrupt != 0)
            break;
        now = monotonic_seconds();
        if (deadline > 0 && now >= deadline)
            break;
        if (now < spin_end)
            continue;
        pause.tv_sec = 0;
        pause.tv_nsec = sleep_ns;
        nanosleep(&pause, NULL);
        if (sleep_ns < 1000000)
            sleep_ns *= 2;
    }
cleanup:
    return status;
}

enum gcv_status gcv_proto_idle_barrier(MPI_Comm comm, struct gcv_error *err)
{
    MPI_Request request = MPI_REQUEST_NULL;
    enum gcv_status status = GCV_OK;

    GCV_MPI_CHECK(MPI_Ibarrier(comm, &request));
    status = gcv_proto_wait(&request, MPI_STATUS_IGNORE, err);
cleanup:
    return status;
}

enum gcv_status gcv_proto_send_task(int worker, int32_t candidate, int32_t fold, bool unit_end,
                                    MPI_Comm comm, struct gcv_error *err)
{
    int32_t message[3] = {candidate, fold, unit_end ? 1 : 0};
    enum gcv_status status = GCV_OK;

    GCV_MPI_CHECK(MPI_Send(message, 3, MPI_INT32_T, worker, GCV_TAG_TASK, comm));
cleanup:
    return status;
}

enum gcv_status gcv_proto_recv_task(int32_t *candidate, int32_t *fold, bool *unit_end,
                                    MPI_Comm comm, struct gcv_error *err)
{
    int32_t message[3];
    MPI_Request request = MPI_REQUEST_NULL;
    enum gcv_status status = GCV_OK;

    GCV_MPI_CHECK(MPI_Irecv(message, 3, MPI_INT32_T, 0, GCV_TAG_TASK, comm, &request));
    if ((status = gcv_proto_wait(&request, MPI_STATUS_IGNORE, err)) != GCV_OK)
        goto cleanup;
    *candidate = message[0];
    *fold = message[1];
    *unit_end = message[2] != 0;
cleanup:
    return status;
}

enum gcv_status gcv_proto_start_result(const struct gcv_task_result *result, MPI_Comm comm,
                                       MPI_Request *request, struct gcv_error *err)
{
    enum gcv_status status = GCV_OK;

    GCV_MPI_CHECK(MPI_Isend(result, (int)sizeof *result, MPI_BYTE, 0, GCV_TAG_RESULT, comm,
                            request));
cleanup:
    return status;
}

enum gcv_status gcv_proto_recv_result(struct gcv_task_result *result, MPI_Comm comm,
                                      struct gcv_error *err)
{
    MPI_Request request = MPI_REQUEST_NULL;
    enum gcv_status status = GCV_OK;

    GCV_MPI_CHECK(MPI_Irecv(result, (int)sizeof *result, MPI_BYTE, MPI_ANY_SOURCE,
                            GCV_TAG_RESULT, comm, &request));
    status = gcv_proto_wait(&request, MPI_STATUS_IGNORE, err);
cleanup:
    return status;
}

enum gcv_status gcv_proto_recv_result_interruptible(struct gcv_task_result *result,
                                                    MPI_Comm comm,
                                                    const volatile sig_atomic_t *interrupt,
                                                    double deadline, bool *received,
                                                    struct gcv_error *err)
{
    MPI_Request request = MPI_REQUEST_NULL;
    MPI_Status mpi_status;
    bool done = false;
    int cancelled = 0;
    enum gcv_status status = GCV_OK;

    *received = false;
    GCV_MPI_CHECK(MPI_Irecv(result, (int)sizeof *result, MPI_BYTE, MPI_ANY_SOURCE,
                            GCV_TAG_RESULT, comm, &request));
    status = gcv_proto_wait_interruptible(&request, MPI_STATUS_IGNORE, interrupt, deadline,
                                          &done, err);
    if (status != GCV_OK || done) {
        *received = done;
        return status;
    }

    /* A result may still have matched between the last poll and the
     * cancel, and MPI_Test_cancelled shows which happened. */
    GCV_MPI_CHECK(MPI_Cancel(&request));
    GCV_MPI_CHECK(MPI_Wait(&request, &mpi_status));
    GCV_MPI_CHECK(MPI_Test_cancelled(&mpi_status, &cancelled));
    *received = !cancelled;
cleanup:
    return status;
}

enum gcv_status gcv_proto_send_drain(int worker, MPI_Comm comm, struct gcv_error *err)
{
    enum gcv_status status = GCV_OK;

    GCV_MPI_CHECK(MPI_Send(NULL, 0, MPI_BYTE, worker, GCV_TAG_DRAIN, comm));
cleanup:
    return status;
}

enum gcv_status gcv_proto_poll_drain(bool wait, bool *drained, MPI_Comm comm,
                                     struct gcv_error *err)
{
    MPI_Request request = MPI_REQUEST_NULL;
    int pending = 0;
    enum gcv_status status = GCV_OK;

    if (*drained)
        return GCV_OK;
    if (!wait) {
        GCV_MPI_CHECK(MPI_Iprobe(0, GCV_TAG_DRAIN, comm, &pending, MPI_STATUS_IGNORE));
        if (!pending)
            return GCV_OK;
    }
    GCV_MPI_CHECK(MPI_Irecv(NULL, 0, MPI_BYTE, 0, GCV_TAG_DRAIN, comm, &request));
    if ((status = gcv_proto_wait(&request, MPI_STATUS_IGNORE, err)) == GCV_OK)
        *drained = true;
cleanup:
    return status;
}

enum gcv_status gcv_proto_bcast_string(char **text, MPI_Comm comm, struct gcv_error *err)
{
    long long length = 0;
    int rank;
    enum gcv_status status = GCV_OK;

    GCV_MPI_CHECK(MPI_Comm_rank(comm, &rank));
    if (rank == 0)
        length = (long long)strlen(*text);
    GCV_MPI_CHECK(MPI_Bcast(&length, 1, MPI_LONG_LONG, 0, comm));
    if (rank != 0) {
        *text = malloc((size_t)length + 1);
        if (*text == NULL)
            return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory receiving %lld bytes", length);
    }
    /* A spec is far below 2 GiB, the most one MPI_Bcast count carries. */
    GCV_MPI_CHECK(MPI_Bcast(*text, (int)length + 1, MPI_CHAR, 0, comm));
cleanup:
    return status;
}

enum gcv_status gcv_proto_agree(enum gcv_status local, struct gcv_error *err, MPI_Comm comm)
{
    int rank, size, failing, candidate;
    int32_t agreed;
    enum gcv_status status = GCV_OK;

    GCV_MPI_CHECK(MPI_Comm_rank(comm, &rank));
    GCV_MPI_CHECK(MPI_Comm_size(comm, &size));

    /* The lowest failing rank speaks for all. */
    candidate = local != GCV_OK ? rank : size;
    GCV_MPI_CHECK(MPI_Allreduce(&candidate, &failing, 1, MPI_INT, MPI_MIN, comm));
    if (failing == size)
        return GCV_OK;

    agreed = (int32_t)local;
    GCV_MPI_CHECK(MPI_Bcast(&agreed, 1, MPI_INT32_T, failing, comm));

    if (failing != 0 && rank == failing)
        GCV_MPI_CHECK(MPI_Send(err->message, GCV_ERROR_MAX, MPI_CHAR, 0, GCV_TAG_ERROR, comm));
    if (failing != 0 && rank == 0) {
        char message[GCV_ERROR_MAX];
        GCV_MPI_CHECK(MPI_Recv(message, GCV_ERROR_MAX, MPI_CHAR, failing, GCV_TAG_ERROR, comm,
                               MPI_STATUS_IGNORE));
        message[GCV_ERROR_MAX - 1] = '\0';
        gcv_error_set(err, (enum gcv_status)agreed, "rank %d: %s", failing, message);
    }
    if (rank == 0)
        err->status = (enum gcv_status)agreed;
    return (enum gcv_status)agreed;

cleanup:
    return status;
}
