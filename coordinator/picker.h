/* The choice of the next task for a worker: the tasks of the fold the
 * worker prepared last while it has open ones, the costliest first.
 *
 * Running the costliest fits first (the longest-processing-time-first
 * rule) keeps a search from ending with one worker on a long fit while the
 * others sit idle. Costs are not known in advance, so the picker learns the
 * mean fit time of each parameter value from finished tasks (SVC's fit
 * time grows with C, for example). A candidate it has not seen is
 * estimated as the geometric mean over its parameter values. Staying on
 * the worker's fold lets it reuse that fold's cached work
 * (worker/fold_cache.h: a kernel matrix or normal equations computed once
 * per fold and rank). A worker whose fold has no open task moves to the
 * unclaimed fold (no other worker's last fold) whose open task is
 * costliest. Only when every open fold is claimed does it join one,
 * taking the costliest open task, and only when the fold's open work is
 * estimated to cost at least as much as the fold's preparation. Otherwise
 * two workers would prepare the same fold for a few short tasks, and
 * preparing a fold can take hundreds of fits (KNN's sorted distances).
 * Within a fold, a worker given groups (gcv_picker_set_groups) keeps to the
 * candidates that differ only in the estimator's path parameter, such as
 * the values of C at one gamma, which share the fold's kernel matrix for
 * that gamma. When its group has no open task there, it takes a group no
 * other worker on the fold is in, so two workers sharing a fold compute
 * different kernel matrices rather than the same ones.
 * The order changes only how soon each result arrives; the results
 * table is indexed by (candidate, fold), so its content does not depend on
 * it. */
#ifndef GCV_PICKER_H
#define GCV_PICKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/grid.h"
#include "../common/status.h"

struct gcv_picker {
    size_t n_candidates;
    size_t n_folds;
    size_t n_params;          /* grid->n_param_names */
    int32_t *value_id;        /* [n_candidates * n_params] index of the candidate's value
                                 among the distinct values of the parameter, -1 when absent */
    size_t *n_values;         /* [n_params] distinct values per parameter */
    uint8_t *handed;          /* [n_candidates * n_folds] 1 once handed out or done */
    size_t *order;            /* [n_candidates] candidates, costliest estimate first */
    double *estimate;         /* [n_candidates] estimated fit seconds */
    /* Cost estimates for joining another worker's fold, from the fit + score
     * seconds of finished tasks (gcv_picker_record). An opening task is the
     * first task a worker runs on a fold after it moved there, so it also
     * prepares the fold's cached work. */
    uint8_t *opening;         /* [n_candidates * n_folds] 1 for an opening task */
    double *opening_seconds;  /* [n_folds] longest finished opening task (s), 0 if none */
    int32_t *opening_candidate; /* [n_folds] its candidate, -1 if none */
    double *candidate_seconds;  /* [n_candidates] summed seconds of finished non-opening tasks */
    size_t *candidate_count;    /* [n_candidates] their count */
    double *fold_prepare;       /* [n_folds] scratch: estimated preparation, -1 if unknown */
    uint8_t *worth_joining;     /* [n_folds] scratch of gcv_picker_next */
    size_t cursor;            /* order[0..cursor) have every fold handed out */
    size_t n_learned;         /* finished tasks at the last re-estimate */
    size_t n_finished;        /* finished tasks seen so far */
    int *last_fold;           /* [n_workers + 1] fold each worker got last, -1 at first */
    int *holders;             /* [n_folds] workers whose last fold it is */
    size_t *fold_cursor;      /* [n_folds] order[0..fold_cursor[f]) have fold f handed out */
    int n_workers;
    const int32_t *chain_previous; /* [n_candidates] borrowed (gcv_picker_set_chains), or NULL */
    const int32_t *chain_next;     /* [n_candidates] borrowed, or NULL */
    /* Groups (gcv_picker_set_groups); all NULL and n_groups 0 without them. */
    size_t n_groups;
    int32_t *group;           /* [n_candidates] group of each candidate */
    size_t *group_start;      /* [n_groups + 1] group g's candidates are
                                 group_members[group_start[g] .. group_start[g + 1]) */
    size_t *group_members;    /* [n_candidates] candidates, by group, ascending within one */
    size_t *position;         /* [n_candidates] position of each candidate in order */
    int32_t *last_group;      /* [n_workers + 1] group of each worker's last task, -1 at first */
    int *group_holders;       /* [n_folds * n_groups] workers whose last fold and group these are */
};

/* Prepares a picker for the candidates of grid, n_folds folds and ranks
 * 1..n_workers. Tasks with done[task] set (a resumed journal) are never
 * handed out. On success the picker is owned by the caller
 * (gcv_picker_free). */
enum gcv_status gcv_picker_init(struct gcv_picker *picker, const struct gcv_grid *grid,
                                size_t n_folds, int n_workers, const uint8_t *done,
                                struct gcv_error *err);

/* Makes the picker hand out warm-start chains (worker/chain.h) instead of
 * single tasks. previous and next link each candidate to its neighbours in
 * its chain, are -1 at the ends, and must stay valid as long as the picker.
 * gcv_picker_next then returns the first candidate of a chain, which stands
 * for every task of that chain on the fold. A chain's estimated cost is the
 * sum of its fits'. A chain is open on a fold while any of its
 * tasks there lacks done[task]. Call once, right after gcv_picker_init. */
void gcv_picker_set_chains(struct gcv_picker *picker, const int32_t *previous,
                           const int32_t *next, const uint8_t *done);

/* Gives the picker the groups of candidates that have the same values
 * except for path_param, so that each worker stays within one group on a
 * fold (see the top of this file). Candidates that do not set path_param
 * form groups by their other values alike. Call once, after
 * gcv_picker_init and gcv_picker_set_chains. Fails only with
 * GCV_ERR_NOMEM, and the picker then works without groups. */
enum gcv_status gcv_picker_set_groups(struct gcv_picker *picker, const struct gcv_grid *grid,
                                      const char *path_param, struct gcv_error *err);

/* Chooses the next task for worker (1..n_workers) and marks it handed out.
 * Returns false when no task is left for worker. Either every task has
 * been handed out, or every open task is on a fold of other workers whose
 * open work costs less than preparing that fold again, as estimated from
 * finished tasks. The workers of that fold run those tasks. */
bool gcv_picker_next(struct gcv_picker *picker, int worker, int32_t *candidate, int32_t *fold);

/* Learns from the tasks finished so far: fit_times and done are the
 * results table's [n_candidates * n_folds] arrays. Re-estimates the costs
 * when the number of finished tasks has doubled since the last estimate,
 * or grown by 256, so the cost over a search stays small. */
void gcv_picker_learn(struct gcv_picker *picker, const double *fit_times, const uint8_t *done);

/* Records that the task (candidate, fold) finished after seconds of fit
 * and score time, so that gcv_picker_next can decide whether to join a
 * fold. */
void gcv_picker_record(struct gcv_picker *picker, int32_t candidate, int32_t fold,
                       double seconds);

/* Frees the picker's arrays. Accepts NULL. */
void gcv_picker_free(struct gcv_picker *picker);

#endif
