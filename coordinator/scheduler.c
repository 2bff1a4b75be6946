#include "scheduler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "picker.h"

/* Tasks each worker holds at once: one running, one waiting. */
#define TASKS_IN_FLIGHT 2

static bool stop_requested(const struct gcv_scheduler_options *options)
{
    return options->stop_signal != NULL && *options->stop_signal != 0;
}

static const char *signal_name(int signal_number)
{
    static char other[32];

    switch (signal_number) {
    case SIGTERM: return "SIGTERM";
    case SIGUSR1: return "SIGUSR1";
    case SIGINT: return "SIGINT";
    default:
        snprintf(other, sizeof other, "signal %d", signal_number);
        return other;
    }
}

/* Fills err with the GCV_STOPPED message of a search that a signal ended
 * before every task was done. */
static enum gcv_status stopped(const struct gcv_results *results,
                               const struct gcv_scheduler_options *options,
                               struct gcv_error *err)
{
    size_t n_tasks = results->n_candidates * results->n_folds;

    if (options->n_abandoned > 0)
        return gcv_error_set(err, GCV_STOPPED, "stopped by %s: %zu of %zu fits are done; the "
                             "grace of %g s ran out with %zu fits running, which are lost",
                             signal_name(*options->stop_signal), results->n_done, n_tasks,
                             options->grace, options->n_abandoned);
    return gcv_error_set(err, GCV_STOPPED, "stopped by %s: %zu of %zu fits are done",
                         signal_name(*options->stop_signal), results->n_done, n_tasks);
}

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

/* Journals and records one finished task. A failure to journal, a raised
 * fit failure or a fatal worker error becomes stop_reason unless one is set
 * already. Once stop_reason is set, results are only recorded. */
static void finish_result(const struct gcv_task_result *result, const struct gcv_spec *spec,
                          struct gcv_results *results, struct gcv_scheduler_options *options,
                          struct gcv_error *stop_reason)
{
    struct gcv_journal *journal = options->journal;
    bool finished = result->status == GCV_OK || result->status == GCV_ERR_FIT;

    if (journal != NULL && journal->fd >= 0 && finished) {
        struct gcv_error journal_err = {GCV_OK, ""};
        if (gcv_journal_append(journal, result, &journal_err) != GCV_OK) {
            gcv_journal_close(journal, NULL);
            if (stop_reason->status == GCV_OK)
                *stop_reason = journal_err;
        }
    }

    if (stop_reason->status == GCV_OK)
        accept_result(result, spec, results, options->progress, options->progress_arg,
                      stop_reason);
    else
        gcv_results_record(results, result, spec);
}

/* Advances *next past the tasks that results already contains. Returns
 * false when no task is left. */
static bool next_pending(const struct gcv_results *results, size_t *next)
{
    size_t n_tasks = results->n_candidates * results->n_folds;

    while (*next < n_tasks && results->done[*next])
        (*next)++;
    return *next < n_tasks;
}

static enum gcv_status run_locally(const struct gcv_task_context *ctx, const struct gcv_spec *spec,
                                   struct gcv_results *results,
                                   struct gcv_scheduler_options *options, struct gcv_error *err)
{
    struct gcv_task_result result;
    struct gcv_error stop_reason = {GCV_OK, ""};
    size_t next = 0;

    /* A stop request waits for the running fit, since this rank runs it. */
    while (next_pending(results, &next)) {
        if (stop_requested(options))
            return stopped(results, options, err);
        gcv_task_run(ctx, (int32_t)(next / results->n_folds), (int32_t)(next % results->n_folds),
                     &result);
        finish_result(&result, spec, results, options, &stop_reason);
        if (stop_reason.status != GCV_OK) {
            *err = stop_reason;
            return stop_reason.status;
        }
        next++;
    }
    return GCV_OK;
}

/* Sends worker the next task the picker chooses, if one is left. */
static enum gcv_status hand_out(int worker, struct gcv_picker *picker, int *held,
                                size_t *in_flight, MPI_Comm comm, struct gcv_error *err)
{
    int32_t candidate, fold;
    enum gcv_status status;

    if (!gcv_picker_next(picker, worker, &candidate, &fold))
        return GCV_OK;
    status = gcv_proto_send_task(worker, candidate, fold, comm, err);
    if (status != GCV_OK)
        return status;
    held[worker]++;
    (*in_flight)++;
    return GCV_OK;
}

/* Sends every worker a stop, announcing a drain notice sent before it. */
static void stop_workers(MPI_Comm comm, bool after_drain)
{
    int size = 1;

    MPI_Comm_size(comm, &size);
    for (int worker = 1; worker < size; worker++) {
        struct gcv_error ignored;
        gcv_proto_send_task(worker, GCV_TASK_STOP, after_drain ? GCV_STOP_AFTER_DRAIN : 0, comm,
                            &ignored);
    }
}

/* Starts the drain after a stop request: sends every worker a drain
 * notice, so that it skips the tasks it has received but not started. */
static enum gcv_status start_drain(int size, size_t in_flight,
                                   const struct gcv_scheduler_options *options, MPI_Comm comm,
                                   struct gcv_error *err)
{
    enum gcv_status status;

    gcv_log_warn("%s received: handing out no more tasks; waiting up to %g s for the running "
                 "fits (%zu tasks in flight)", signal_name(*options->stop_signal),
                 options->grace, in_flight);
    for (int worker = 1; worker < size; worker++)
        if ((status = gcv_proto_send_drain(worker, comm, err)) != GCV_OK)
            return status;
    return GCV_OK;
}

enum gcv_status gcv_scheduler_run(const struct gcv_task_context *ctx, const struct gcv_spec *spec,
                                  struct gcv_results *results,
                                  struct gcv_scheduler_options *options, MPI_Comm comm,
                                  struct gcv_error *err)
{
    struct gcv_picker picker = {0};
    size_t in_flight = 0;
    int *held = NULL;
    int size;
    bool draining = false;
    double grace_end = 0;
    struct gcv_error stop_reason = {GCV_OK, ""};
    enum gcv_status status = GCV_OK;

    options->n_abandoned = 0;
    GCV_MPI_CHECK(MPI_Comm_size(comm, &size));
    if (size == 1)
        return run_locally(ctx, spec, results, options, err);

    status = gcv_picker_init(&picker, &spec->grid, results->n_folds, size - 1, results->done, err);
    if (status != GCV_OK)
        return status;
    held = calloc((size_t)size, sizeof *held);
    if (held == NULL) {
        gcv_picker_free(&picker);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory scheduling %d workers", size - 1);
    }

    /* The first tasks go out in scikit-learn's order, since no cost is
     * known yet; the picker reorders as fit times arrive. */
    for (int round = 0; round < TASKS_IN_FLIGHT && !stop_requested(options); round++) {
        for (int worker = 1; worker < size; worker++) {
            status = hand_out(worker, &picker, held, &in_flight, comm, err);
            if (status != GCV_OK)
                goto cleanup;
        }
    }

    while (in_flight > 0) {
        struct gcv_task_result result;
        bool received;
        int worker;

        if (!draining && stop_requested(options)) {
            if ((status = start_drain(size, in_flight, options, comm, err)) != GCV_OK)
                goto cleanup;
            draining = true;
            grace_end = gcv_task_clock() + options->grace;
        }

        /* Before a stop request the wait returns when one arrives; after
         * it, when the grace runs out. */
        status = gcv_proto_recv_result_interruptible(&result, comm,
                                                     draining ? NULL : options->stop_signal,
                                                     draining ? grace_end : 0, &received, err);
        if (status != GCV_OK)
            goto cleanup;
        if (!received) {
            if (draining) {
                options->n_abandoned = in_flight;
                break;
            }
            continue;
        }

        worker = result.rank;
        if (worker < 1 || worker >= size || held[worker] == 0) {
            status = gcv_error_set(err, GCV_ERR_INTERNAL, "result from unexpected rank %d", worker);
            goto cleanup;
        }
        held[worker]--;
        in_flight--;

        /* A task that a draining worker skipped is neither run nor recorded. */
        if (result.status == GCV_STOPPED)
            continue;
        finish_result(&result, spec, results, options, &stop_reason);
        gcv_picker_learn(&picker, results->fit_times, results->done);

        if (!draining && stop_reason.status == GCV_OK) {
            status = hand_out(worker, &picker, held, &in_flight, comm, err);
            if (status != GCV_OK)
                goto cleanup;
        }
    }

    if (stop_reason.status != GCV_OK) {
        *err = stop_reason;
        status = stop_reason.status;
    } else if (stop_requested(options) && results->n_done < results->n_candidates * results->n_folds) {
        status = stopped(results, options, err);
    }

cleanup:
    /* Every worker gets its stop, also after a failure, so none is left
     * waiting for a task that will never come. */
    stop_workers(comm, draining);
    free(held);
    gcv_picker_free(&picker);
    return status;
}

void gcv_scheduler_stop_workers(MPI_Comm comm)
{
    stop_workers(comm, false);
}
