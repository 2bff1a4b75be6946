/* Warm starts along a path: the fits of one fold whose candidates differ
 * only in the estimator's path parameter (C, or alpha) run as one chain,
 * in path order, each starting from the solution of the one before.
 *
 * The plan is a function of the grid and the estimator alone, so every
 * rank builds the same one. A chain is handed out and run as one unit, so
 * each fit starts from the same solution whatever the number of ranks and
 * its results are the same. A warm-started fit reaches the optimum of a
 * fit from zero within the solver's tolerance, not the same bits. */
#ifndef GCV_CHAIN_H
#define GCV_CHAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/grid.h"
#include "../common/proto.h"
#include "../common/status.h"
#include "estimator.h"
#include "task.h"

/* Plans the chains of grid for estimator: candidates with the same grid
 * values except estimator->path_param, which all of them set to a number,
 * form one chain, ordered by that number (ascending when
 * path_increasing, else descending; equal values in grid order). Any other
 * candidate is a chain of its own. Writes previous[c], the candidate
 * before c in its chain or -1 for the first, and next[c], the one after
 * or -1 for the last; both have grid->n_candidates entries. Fails with
 * GCV_ERR_SPEC when the estimator has no warm start, and GCV_ERR_NOMEM. */
enum gcv_status gcv_chain_plan(const struct gcv_grid *grid,
                               const struct gcv_estimator_ops *estimator, int32_t *previous,
                               int32_t *next, struct gcv_error *err);

/* Cuts every chain of previous[n] and next[n] (as gcv_chain_plan writes
 * them) into consecutive parts of at most max_members candidates, as
 * equal in size as the length allows: a chain of 10 with max_members 8
 * becomes two of 5. Used for batches (gcv_task_run_batch), whose fits
 * run together and whose width this bounds. */
void gcv_chain_split(int32_t *previous, int32_t *next, size_t n, size_t max_members);

/* The model a worker keeps between the fits of a chain. */
struct gcv_chain_state {
    bool has_fit;     /* candidate and fold name a fit that ran */
    int32_t candidate;
    int32_t fold;
    void *model;      /* that fit's model, owned; NULL when the fit failed */
};

/* Runs task (candidate, fold) as gcv_task_run does, starting from the
 * model of the candidate before it in its chain (ctx->chain_previous), and
 * sets out->warm_start when it did. When state does not contain that model
 * (a resumed search hands out the rest of a chain), the fits before it
 * run again first, unreported, so the start is the same as in a run of
 * the whole chain. A fit after a failed fit starts from zero. Keeps the
 * new model in state. */
void gcv_chain_run(const struct gcv_task_context *ctx, struct gcv_chain_state *state,
                   int32_t candidate, int32_t fold, struct gcv_task_result *out);

/* Frees the model in state and clears state. Accepts NULL. */
void gcv_chain_state_clear(const struct gcv_task_context *ctx, struct gcv_chain_state *state);

#endif
