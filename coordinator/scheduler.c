#include "scheduler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "../worker/chain.h"
#include "picker.h"

/* Units of work each worker is given at once: one running, one waiting.
 * A unit is a task, or with warm starts a chain of tasks (worker/chain.h). */
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

/* Runs every chain or batch on this rank, as run_locally does with single
 * tasks: a chain's tasks one by one, a batch's open tasks together. */
static enum gcv_status run_chains_locally(const struct gcv_task_context *ctx,
                                          const struct gcv_spec *spec,
                                          struct gcv_results *results,
                                          struct gcv_scheduler_options *options,
                                          struct gcv_error *err)
{
    const size_t n_c = results->n_candidates;
    struct gcv_task_result *unit_results = malloc((n_c + 1) * sizeof *unit_results); /* [n_c] */
    int32_t *unit = malloc((n_c + 1) * sizeof *unit); /* [n_c] a batch's open candidates */
    struct gcv_chain_state state = {0};
    struct gcv_error stop_reason = {GCV_OK, ""};
    enum gcv_status status = GCV_OK;

    if (unit_results == NULL || unit == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for the tasks of %zu "
                               "candidates", n_c);
        goto cleanup;
    }
    for (size_t head = 0; head < n_c; head++) {
        if (ctx->chain_previous[head] >= 0)
            continue;
        for (size_t f = 0; f < results->n_folds; f++) {
            size_t n_unit = 0;

            for (int32_t c = (int32_t)head; c >= 0; c = ctx->chain_next[c]) {
                if (results->done[(size_t)c * results->n_folds + f])
                    continue;
                if (stop_requested(options)) {
                    status = stopped(results, options, err);
                    goto cleanup;
                }
                if (ctx->batched) {
                    unit[n_unit++] = c;
                    continue;
                }
                gcv_chain_run(ctx, &state, c, (int32_t)f, &unit_results[0]);
                finish_result(&unit_results[0], spec, results, options, &stop_reason);
                if (stop_reason.status != GCV_OK)
                    break;
            }
            if (n_unit > 0)
                gcv_task_run_batch(ctx, unit, n_unit, (int32_t)f, unit_results);
            for (size_t i = 0; i < n_unit && stop_reason.status == GCV_OK; i++)
                finish_result(&unit_results[i], spec, results, options, &stop_reason);
            if (stop_reason.status != GCV_OK) {
                *err = stop_reason;
                status = stop_reason.status;
                goto cleanup;
            }
        }
    }

cleanup:
    gcv_chain_state_clear(ctx, &state);
    free(unit_results);
    free(unit);
    return status;
}

static enum gcv_status run_locally(const struct gcv_task_context *ctx, const struct gcv_spec *spec,
                                   struct gcv_results *results,
                                   struct gcv_scheduler_options *options, struct gcv_error *err)
{
    struct gcv_task_result result;
    struct gcv_error stop_reason = {GCV_OK, ""};
    size_t next = 0;

    if (ctx->chain_previous != NULL)
        return run_chains_locally(ctx, spec, results, options, err);

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

/* The work handed out. Each worker has TASKS_IN_FLIGHT units and gets the
 * next one when the last task of a unit returns. */
struct holdings {
    int *tasks;          /* [size] tasks per worker */
    uint8_t *unit_end;   /* [n_candidates * n_folds] 1 for the last task sent of a unit */
};

/* Sends worker the next unit the picker chooses, if one is left: one
 * task, or with warm starts every task of the chosen chain not yet done,
 * in path order. */
static enum gcv_status hand_out(const struct gcv_task_context *ctx,
                                const struct gcv_results *results, int worker,
                                struct gcv_picker *picker, struct holdings *holdings,
                                size_t *in_flight, MPI_Comm comm, struct gcv_error *err)
{
    int32_t candidate, fold, last = -1;
    enum gcv_status status;

    if (!gcv_picker_next(picker, worker, &candidate, &fold))
        return GCV_OK;
    /* Each task goes out once the next one to send is known, so that the
     * last is marked as the unit's end. */
    for (int32_t c = candidate; c >= 0; c = ctx->chain_next != NULL ? ctx->chain_next[c] : -1) {
        if (results->done[(size_t)c * results->n_folds + (size_t)fold])
            continue;
        if (last >= 0 && (status = gcv_proto_send_task(worker, last, fold, false, comm, err)) !=
                             GCV_OK)
            return status;
        holdings->tasks[worker]++;
        (*in_flight)++;
        last = c;
    }
    if (last >= 0 && (status = gcv_proto_send_task(worker, last, fold, true, comm, err)) != GCV_OK)
        return status;
    if (last >= 0)
        holdings->unit_end[(size_t)last * results->n_folds + (size_t)fold] = 1;
    return GCV_OK;
}

/* Sends every worker a stop, announcing a drain notice sent before it. */
static void stop_workers(MPI_Comm comm, bool after_drain)
{
    int size = 1;

    MPI_Comm_size(comm, &size);
    for (int worker = 1; worker < size; worker++) {
        struct gcv_error ignored;
        gcv_proto_send_task(worker, GCV_TASK_STOP, after_drain ? GCV_STOP_AFTER_DRAIN : 0, true,
                            comm, &ignored);
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
    struct holdings holdings = {0};
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
    if (ctx->chain_previous != NULL)
        gcv_picker_set_chains(&picker, ctx->chain_previous, ctx->chain_next, results->done);
    if (ctx->estimator->path_param != NULL) {
        status = gcv_picker_set_groups(&picker, &spec->grid, ctx->estimator->path_param, err);
        if (status != GCV_OK)
            goto cleanup;
    }
    holdings.tasks = calloc((size_t)size, sizeof *holdings.tasks);
    holdings.unit_end = calloc(results->n_candidates * results->n_folds + 1, 1);
    if (holdings.tasks == NULL || holdings.unit_end == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory scheduling %d workers",
                               size - 1);
        goto cleanup;
    }

    /* The first tasks go out in scikit-learn's order, since no cost is
     * known yet; the picker reorders as fit times arrive. */
    for (int round = 0; round < TASKS_IN_FLIGHT && !stop_requested(options); round++) {
        for (int worker = 1; worker < size; worker++) {
            status = hand_out(ctx, results, worker, &picker, &holdings, &in_flight, comm, err);
            if (status != GCV_OK)
                goto cleanup;
        }
    }

    while (in_flight > 0) {
        struct gcv_task_result result;
        bool received, unit_done;
        size_t task;
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
        if (worker < 1 || worker >= size || holdings.tasks[worker] == 0 ||
            result.candidate < 0 || (size_t)result.candidate >= results->n_candidates ||
            result.fold < 0 || (size_t)result.fold >= results->n_folds) {
            status = gcv_error_set(err, GCV_ERR_INTERNAL, "result from unexpected rank %d", worker);
            goto cleanup;
        }
        holdings.tasks[worker]--;
        in_flight--;
        task = (size_t)result.candidate * results->n_folds + (size_t)result.fold;
        unit_done = holdings.unit_end[task];
        holdings.unit_end[task] = 0;

        /* A task that a draining worker skipped is neither run nor recorded. */
        if (result.status == GCV_STOPPED)
            continue;
        finish_result(&result, spec, results, options, &stop_reason);
        gcv_picker_learn(&picker, results->fit_times, results->done);
        gcv_picker_record(&picker, result.candidate, result.fold,
                          result.fit_time + result.score_time);

        if (!draining && stop_reason.status == GCV_OK && unit_done) {
            status = hand_out(ctx, results, worker, &picker, &holdings, &in_flight, comm, err);
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
    free(holdings.tasks);
    free(holdings.unit_end);
    gcv_picker_free(&picker);
    return status;
}

void gcv_scheduler_stop_workers(MPI_Comm comm)
{
    stop_workers(comm, false);
}
