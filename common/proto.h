/* The message protocol between the coordinator (rank 0) and the workers:
 * every tag and message layout, and the helpers that send, receive and
 * agree on failures.
 *
 * A task is two integers, a candidate index and a fold index, because
 * every rank expands the same grid and builds the same fold plan. Results
 * travel as a fixed-size struct sent as bytes, which assumes that every
 * rank runs on the same architecture (the usual case on one cluster). */
#ifndef GCV_PROTO_H
#define GCV_PROTO_H

#include <mpi.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "status.h"

enum gcv_proto_tag {
    GCV_TAG_TASK = 101,    /* coordinator -> worker: int32[2] {candidate, fold}, or a stop */
    GCV_TAG_RESULT = 102,  /* worker -> coordinator: struct gcv_task_result */
    GCV_TAG_ERROR = 103,   /* failing rank -> rank 0: the text of its error message */
    GCV_TAG_DRAIN = 104,   /* coordinator -> worker: empty; skip the tasks not yet started */
};

/* The candidate index of the task message that tells a worker to stop. */
#define GCV_TASK_STOP (-1)

/* The fold index of a stop that follows a GCV_TAG_DRAIN message, which the
 * worker must receive before it ends. */
#define GCV_STOP_AFTER_DRAIN 1

/* The most scorers a search can ask for at once. */
#define GCV_MAX_SCORERS 8

/* The longest error text a result carries, with its NUL. */
#define GCV_RESULT_MESSAGE_MAX 256

/* One finished (candidate, fold) task. */
struct gcv_task_result {
    int32_t candidate;
    int32_t fold;
    int32_t status;       /* enum gcv_status: GCV_OK, GCV_ERR_FIT for a failed fit, else fatal */
    int32_t rank;         /* rank that ran the task */
    double fit_time;      /* seconds */
    double score_time;    /* seconds */
    double test_scores[GCV_MAX_SCORERS];  /* one per scorer, in the spec's order */
    double train_scores[GCV_MAX_SCORERS]; /* filled when return_train_score */
    int32_t warm_start;   /* 1 when the fit started from the one before it in its chain
                             (worker/chain.h), else 0 */
    char message[GCV_RESULT_MESSAGE_MAX]; /* why the fit failed, or "" */
};

/* Checks an MPI call and turns a failure into GCV_ERR_MPI with the MPI
 * error string. Used inside functions that have `err` and a `cleanup:`
 * label and a `status` variable. */
#define GCV_MPI_CHECK(call)                                                    \
    do {                                                                       \
        int mpi_rc_ = (call);                                                  \
        if (mpi_rc_ != MPI_SUCCESS) {                                          \
            status = gcv_proto_mpi_error(mpi_rc_, #call, err);                 \
            goto cleanup;                                                      \
        }                                                                      \
    } while (0)

/* Fills err with the MPI error string of code and the failed call. Returns
 * GCV_ERR_MPI. */
enum gcv_status gcv_proto_mpi_error(int code, const char *call, struct gcv_error *err);

/* Waits for request to complete without spinning a core: MPI_Test in a
 * loop, for 50 microseconds without sleeping, then with sleeps that grow
 * from 20 microseconds to 1 millisecond, since a blocking wait in Open MPI
 * busy-polls. */
enum gcv_status gcv_proto_wait(MPI_Request *request, MPI_Status *mpi_status,
                               struct gcv_error *err);

/* Waits as gcv_proto_wait, but returns early with *done false, the request
 * still active, once *interrupt is nonzero (checked between polls, so a
 * signal handler can set it) or the CLOCK_MONOTONIC time in seconds passes
 * deadline. interrupt may be NULL and deadline 0 for none. */
enum gcv_status gcv_proto_wait_interruptible(MPI_Request *request, MPI_Status *mpi_status,
                                             const volatile sig_atomic_t *interrupt,
                                             double deadline, bool *done,
                                             struct gcv_error *err);

/* Waits until every rank of comm has called it, sleeping between tests
 * as gcv_proto_wait does. Ranks that wait for rank 0's serial work (the
 * refit) call it so that they leave their cores to that work: a blocking
 * collective of Open MPI polls a core while it waits. */
enum gcv_status gcv_proto_idle_barrier(MPI_Comm comm, struct gcv_error *err);

/* Sends a task (or GCV_TASK_STOP) to worker. unit_end is true for the
 * last task sent of a unit: a single task, or the tasks of one chain or
 * batch (worker/chain.h), which are sent one after the other. */
enum gcv_status gcv_proto_send_task(int worker, int32_t candidate, int32_t fold, bool unit_end,
                                    MPI_Comm comm, struct gcv_error *err);

/* Receives the next task from rank 0, waiting without spinning. */
enum gcv_status gcv_proto_recv_task(int32_t *candidate, int32_t *fold, bool *unit_end,
                                    MPI_Comm comm, struct gcv_error *err);

/* Starts sending a result to rank 0 and returns at once. The caller keeps
 * result unchanged until *request completes (gcv_proto_wait). A blocking
 * send would wait for rank 0's next poll. Open MPI 4.1's shared-memory
 * transport (vader) completes a send of more than btl_vader_max_inline_send
 * bytes (256 by default) only when the receiver calls into MPI, and a
 * result is larger. On the benchmark machine that wait cost a worker about
 * 0.5 ms per task. */
enum gcv_status gcv_proto_start_result(const struct gcv_task_result *result, MPI_Comm comm,
                                       MPI_Request *request, struct gcv_error *err);

/* Receives the next result from any worker, waiting without spinning. */
enum gcv_status gcv_proto_recv_result(struct gcv_task_result *result, MPI_Comm comm,
                                      struct gcv_error *err);

/* Receives the next result as gcv_proto_recv_result, but gives up as
 * gcv_proto_wait_interruptible does. *received is true when result was
 * filled. Otherwise no receive is left pending. */
enum gcv_status gcv_proto_recv_result_interruptible(struct gcv_task_result *result,
                                                    MPI_Comm comm,
                                                    const volatile sig_atomic_t *interrupt,
                                                    double deadline, bool *received,
                                                    struct gcv_error *err);

/* Sends worker a drain notice: it skips the tasks it has received but not
 * started and answers each with a result of status GCV_STOPPED. A stop with
 * fold GCV_STOP_AFTER_DRAIN must follow. */
enum gcv_status gcv_proto_send_drain(int worker, MPI_Comm comm, struct gcv_error *err);

/* Worker side: sets *drained once a drain message from rank 0 has been
 * received, without waiting for one. With wait true, waits for it (after
 * a stop with fold GCV_STOP_AFTER_DRAIN). Keeps *drained true once set. */
enum gcv_status gcv_proto_poll_drain(bool wait, bool *drained, MPI_Comm comm,
                                     struct gcv_error *err);

/* Broadcasts a string from rank 0: on rank 0 *text is the input; on the
 * others *text receives a malloc'd copy that the caller frees. */
enum gcv_status gcv_proto_bcast_string(char **text, MPI_Comm comm, struct gcv_error *err);

/* Collective: every rank passes its own status and err. Returns the first
 * failing status by rank order (GCV_OK when all succeeded) on every rank;
 * on rank 0, err then holds the message of the lowest failing rank,
 * prefixed with that rank when it is not 0. */
enum gcv_status gcv_proto_agree(enum gcv_status status, struct gcv_error *err, MPI_Comm comm);

#endif
