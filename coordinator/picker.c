#include "picker.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Re-estimate after at most this many new results. */
#define RELEARN_INTERVAL 256

/* Positions of the order that group_next looks through for a group no
 * worker on the fold is in. */
#define GROUP_SCAN_LIMIT 4096

/* Assigns each candidate's value of each parameter an index among the
 * distinct values that parameter takes in the grid. */
static enum gcv_status index_values(struct gcv_picker *picker, const struct gcv_grid *grid,
                                    struct gcv_error *err)
{
    for (size_t p = 0; p < picker->n_params; p++) {
        const struct gcv_value **distinct = malloc(grid->n_candidates * sizeof *distinct);
        size_t n_distinct = 0;

        if (distinct == NULL)
            return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory planning the task order");
        for (size_t c = 0; c < grid->n_candidates; c++) {
            const struct gcv_param *param = gcv_param_set_find(&grid->candidates[c],
                                                               grid->param_names[p]);
            size_t v;

            picker->value_id[c * picker->n_params + p] = -1;
            if (param == NULL)
                continue;
            for (v = 0; v < n_distinct; v++)
                if (gcv_value_equal(distinct[v], &param->value))
                    break;
            if (v == n_distinct)
                distinct[n_distinct++] = &param->value;
            picker->value_id[c * picker->n_params + p] = (int32_t)v;
        }
        picker->n_values[p] = n_distinct;
        free(distinct);
    }
    return GCV_OK;
}

enum gcv_status gcv_picker_init(struct gcv_picker *picker, const struct gcv_grid *grid,
                                size_t n_folds, int n_workers, const uint8_t *done,
                                struct gcv_error *err)
{
    size_t n_tasks = grid->n_candidates * n_folds;

    memset(picker, 0, sizeof *picker);
    picker->n_candidates = grid->n_candidates;
    picker->n_folds = n_folds;
    picker->n_params = grid->n_param_names;
    picker->n_workers = n_workers;
    picker->value_id = malloc((grid->n_candidates * picker->n_params + 1) * sizeof(int32_t));
    picker->n_values = calloc(picker->n_params + 1, sizeof(size_t));
    picker->handed = malloc(n_tasks + 1);
    picker->order = malloc((grid->n_candidates + 1) * sizeof(size_t));
    picker->estimate = calloc(grid->n_candidates + 1, sizeof(double));
    picker->last_fold = malloc(((size_t)n_workers + 1) * sizeof(int));
    picker->holders = calloc(n_folds + 1, sizeof(int));
    picker->fold_cursor = calloc(n_folds + 1, sizeof(size_t));
    picker->opening = calloc(n_tasks + 1, 1);
    picker->opening_seconds = calloc(n_folds + 1, sizeof(double));
    picker->opening_candidate = malloc((n_folds + 1) * sizeof(int32_t));
    picker->candidate_seconds = calloc(grid->n_candidates + 1, sizeof(double));
    picker->candidate_count = calloc(grid->n_candidates + 1, sizeof(size_t));
    picker->fold_prepare = malloc((n_folds + 1) * sizeof(double));
    picker->worth_joining = calloc(n_folds + 1, 1);
    if (picker->value_id == NULL || picker->n_values == NULL || picker->handed == NULL ||
        picker->order == NULL || picker->estimate == NULL || picker->last_fold == NULL ||
        picker->holders == NULL || picker->fold_cursor == NULL || picker->opening == NULL ||
        picker->opening_seconds == NULL || picker->opening_candidate == NULL ||
        picker->candidate_seconds == NULL || picker->candidate_count == NULL ||
        picker->fold_prepare == NULL || picker->worth_joining == NULL) {
        gcv_picker_free(picker);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory planning %zu tasks", n_tasks);
    }

    /* Until a fit time is known, the order is scikit-learn's. */
    for (size_t c = 0; c < grid->n_candidates; c++)
        picker->order[c] = c;
    for (size_t t = 0; t < n_tasks; t++)
        picker->handed[t] = done != NULL ? done[t] : 0;
    for (int w = 0; w <= n_workers; w++)
        picker->last_fold[w] = -1;
    for (size_t f = 0; f < n_folds; f++)
        picker->opening_candidate[f] = -1;

    if (index_values(picker, grid, err) != GCV_OK) {
        gcv_picker_free(picker);
        return err->status;
    }
    return GCV_OK;
}

void gcv_picker_set_chains(struct gcv_picker *picker, const int32_t *previous,
                           const int32_t *next, const uint8_t *done)
{
    const size_t n_f = picker->n_folds;

    picker->chain_previous = previous;
    picker->chain_next = next;

    /* Only the first candidate of a chain is handed out, for all of it. */
    for (size_t c = 0; c < picker->n_candidates; c++) {
        for (size_t f = 0; f < n_f; f++) {
            bool all_done = true;

            if (previous[c] >= 0) {
                picker->handed[c * n_f + f] = 1;
                continue;
            }
            for (int32_t m = (int32_t)c; m >= 0 && all_done; m = next[m])
                all_done = done != NULL && done[(size_t)m * n_f + f];
            picker->handed[c * n_f + f] = all_done;
        }
    }
}

/* The picker and path parameter of compare_group_keys: qsort takes no
 * context argument. */
static const struct gcv_picker *group_picker;
static size_t group_skip;

/* Compares candidates x and y by their values other than the path
 * parameter: -1, 0 or 1. */
static int compare_other_values(size_t x, size_t y)
{
    const size_t n_params = group_picker->n_params;
    const int32_t *values_x = &group_picker->value_id[x * n_params];
    const int32_t *values_y = &group_picker->value_id[y * n_params];

    for (size_t p = 0; p < n_params; p++)
        if (p != group_skip && values_x[p] != values_y[p])
            return values_x[p] < values_y[p] ? -1 : 1;
    return 0;
}

/* Orders candidates by their values other than the path parameter, then
 * by index. */
static int compare_group_keys(const void *a, const void *b)
{
    const size_t x = *(const size_t *)a, y = *(const size_t *)b;
    const int by_values = compare_other_values(x, y);

    return by_values != 0 ? by_values : (x > y) - (x < y);
}

/* Frees the group arrays; the picker then works without groups. */
static void free_groups(struct gcv_picker *picker)
{
    free(picker->group);
    free(picker->group_start);
    free(picker->group_members);
    free(picker->position);
    free(picker->last_group);
    free(picker->group_holders);
    picker->group = NULL;
    picker->group_start = NULL;
    picker->group_members = NULL;
    picker->position = NULL;
    picker->last_group = NULL;
    picker->group_holders = NULL;
    picker->n_groups = 0;
}

enum gcv_status gcv_picker_set_groups(struct gcv_picker *picker, const struct gcv_grid *grid,
                                      const char *path_param, struct gcv_error *err)
{
    const size_t n_c = picker->n_candidates;
    size_t n_groups = 0;

    /* Sort the candidates by their other values: a group is a run of
     * equal keys. */
    group_skip = picker->n_params;
    for (size_t p = 0; p < picker->n_params; p++)
        if (path_param != NULL && strcmp(grid->param_names[p], path_param) == 0)
            group_skip = p;
    picker->group = malloc((n_c + 1) * sizeof *picker->group);
    picker->group_members = malloc((n_c + 1) * sizeof *picker->group_members);
    picker->group_start = malloc((n_c + 2) * sizeof *picker->group_start);
    picker->position = malloc((n_c + 1) * sizeof *picker->position);
    picker->last_group = malloc(((size_t)picker->n_workers + 1) * sizeof *picker->last_group);
    if (picker->group == NULL || picker->group_members == NULL ||
        picker->group_start == NULL || picker->position == NULL || picker->last_group == NULL)
        goto nomem;
    for (size_t c = 0; c < n_c; c++)
        picker->group_members[c] = c;
    group_picker = picker;
    qsort(picker->group_members, n_c, sizeof *picker->group_members, compare_group_keys);

    /* Number the groups in the sorted order. */
    for (size_t k = 0; k < n_c; k++) {
        if (k == 0 ||
            compare_other_values(picker->group_members[k - 1], picker->group_members[k]) != 0)
            picker->group_start[n_groups++] = k;
        picker->group[picker->group_members[k]] = (int32_t)(n_groups - 1);
    }
    picker->group_start[n_groups] = n_c;
    picker->n_groups = n_groups;

    picker->group_holders = calloc(picker->n_folds * n_groups + 1,
                                   sizeof *picker->group_holders);
    if (picker->group_holders == NULL)
        goto nomem;
    for (size_t k = 0; k < n_c; k++)
        picker->position[picker->order[k]] = k;
    for (int w = 0; w <= picker->n_workers; w++)
        picker->last_group[w] = -1;
    return GCV_OK;

nomem:
    free_groups(picker);
    return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory grouping %zu candidates", n_c);
}

/* True when every fold of candidate has been handed out. */
static bool candidate_handed(const struct gcv_picker *picker, size_t candidate)
{
    const uint8_t *row = &picker->handed[candidate * picker->n_folds];

    for (size_t f = 0; f < picker->n_folds; f++)
        if (!row[f])
            return false;
    return true;
}

/* Returns the position in order of fold's costliest open task, or
 * n_candidates when the fold has none left. */
static size_t fold_next(struct gcv_picker *picker, size_t fold)
{
    size_t k = picker->fold_cursor[fold];

    while (k < picker->n_candidates && picker->handed[picker->order[k] * picker->n_folds + fold])
        k++;
    picker->fold_cursor[fold] = k;
    return k;
}

/* The estimated fit + score seconds of a task of candidate that does not
 * open its fold: the candidate's mean, else overall, the mean of every
 * such task. */
static double task_seconds(const struct gcv_picker *picker, size_t candidate, double overall)
{
    if (picker->candidate_count[candidate] > 0)
        return picker->candidate_seconds[candidate] / (double)picker->candidate_count[candidate];
    return overall;
}

/* Sets worth_joining[f] for every fold: true when the fold's open tasks
 * are estimated to cost at least as much as preparing the fold, so that a
 * worker that joins its holders ends the fold sooner. Preparing a fold is
 * estimated as its longest opening task less that candidate's ordinary
 * task, or, for a fold with no finished opening task, as the mean of that
 * estimate over the other folds. While nothing is known, every fold is
 * worth joining. Costs O(n_candidates * n_folds). */
static void mark_folds_worth_joining(struct gcv_picker *picker)
{
    const size_t n_c = picker->n_candidates, n_f = picker->n_folds;
    double overall, total = 0.0, prepare_sum = 0.0;
    size_t count = 0, n_prepared = 0;

    for (size_t c = 0; c < n_c; c++) {
        total += picker->candidate_seconds[c];
        count += picker->candidate_count[c];
    }
    overall = count > 0 ? total / (double)count : 0.0;

    for (size_t f = 0; f < n_f; f++) {
        double own;

        picker->fold_prepare[f] = -1.0;
        if (count == 0 || picker->opening_candidate[f] < 0)
            continue;
        own = task_seconds(picker, (size_t)picker->opening_candidate[f], overall);
        picker->fold_prepare[f] =
            picker->opening_seconds[f] > own ? picker->opening_seconds[f] - own : 0.0;
        prepare_sum += picker->fold_prepare[f];
        n_prepared++;
    }

    for (size_t f = 0; f < n_f; f++) {
        double open_work = 0.0, prepare = picker->fold_prepare[f];

        if (n_prepared == 0) {
            picker->worth_joining[f] = 1;
            continue;
        }
        if (prepare < 0.0)
            prepare = prepare_sum / (double)n_prepared;
        for (size_t c = 0; c < n_c; c++)
            if (!picker->handed[c * n_f + f])
                open_work += task_seconds(picker, c, overall);
        picker->worth_joining[f] = open_work >= prepare;
    }
}

/* Returns the position in order of worker's next task on fold, given
 * first, the position of the fold's costliest open task. That task is the
 * costliest open one of the worker's own group. Without one, it is the
 * costliest open task of a group that no worker on the fold is in, else
 * first. The second search looks at GROUP_SCAN_LIMIT positions at most,
 * so a pick stays cheap on grids of many candidates. */
static size_t group_next(const struct gcv_picker *picker, int worker, size_t fold, size_t first)
{
    const size_t n_f = picker->n_folds;
    const int32_t own = worker >= 0 && worker <= picker->n_workers ? picker->last_group[worker]
                                                                   : -1;
    size_t best = picker->n_candidates;

    if (own >= 0) {
        for (size_t k = picker->group_start[own]; k < picker->group_start[own + 1]; k++) {
            const size_t c = picker->group_members[k];

            if (!picker->handed[c * n_f + fold] && picker->position[c] < best)
                best = picker->position[c];
        }
        if (best < picker->n_candidates)
            return best;
    }
    for (size_t k = first; k < picker->n_candidates && k < first + GROUP_SCAN_LIMIT; k++) {
        const size_t c = picker->order[k];

        if (!picker->handed[c * n_f + fold] &&
            picker->group_holders[fold * picker->n_groups + (size_t)picker->group[c]] == 0)
            return k;
    }
    return first;
}

/* Returns the position in order of the costliest open candidate whose
 * group no worker is in on some fold worth joining, and sets *fold to
 * that fold. Returns n_candidates when there is none. */
static size_t join_free_group(const struct gcv_picker *picker, size_t *fold)
{
    const size_t n_f = picker->n_folds;

    for (size_t k = picker->cursor; k < picker->n_candidates; k++) {
        const size_t c = picker->order[k];

        for (size_t f = 0; f < n_f; f++) {
            if (!picker->handed[c * n_f + f] && picker->worth_joining[f] &&
                picker->group_holders[f * picker->n_groups + (size_t)picker->group[c]] == 0) {
                *fold = f;
                return k;
            }
        }
    }
    return picker->n_candidates;
}

/* Moves worker's hold to fold and candidate's group. */
static void hold_group(struct gcv_picker *picker, int worker, size_t fold, size_t candidate)
{
    const int32_t group = picker->group[candidate];
    const int last_fold = picker->last_fold[worker];
    const int32_t last_group = picker->last_group[worker];

    if (last_fold == (int)fold && last_group == group)
        return;
    if (last_fold >= 0 && last_group >= 0)
        picker->group_holders[(size_t)last_fold * picker->n_groups + (size_t)last_group]--;
    picker->group_holders[fold * picker->n_groups + (size_t)group]++;
    picker->last_group[worker] = group;
}

bool gcv_picker_next(struct gcv_picker *picker, int worker, int32_t *candidate, int32_t *fold)
{
    const bool known = worker >= 0 && worker <= picker->n_workers;
    int preferred = known ? picker->last_fold[worker] : -1;
    size_t chosen_candidate, chosen_fold = 0, best = picker->n_candidates;

    while (picker->cursor < picker->n_candidates &&
           candidate_handed(picker, picker->order[picker->cursor]))
        picker->cursor++;
    if (picker->cursor == picker->n_candidates)
        return false;

    /* The worker's last fold, while it has an open task. */
    if (preferred >= 0 && (best = fold_next(picker, (size_t)preferred)) < picker->n_candidates) {
        chosen_fold = (size_t)preferred;
        if (picker->group != NULL)
            best = group_next(picker, worker, chosen_fold, best);
        goto take;
    }

    /* Else a fold no worker holds, the one whose open task is costliest. */
    best = picker->n_candidates;
    for (size_t f = 0; f < picker->n_folds; f++) {
        size_t k;
        if (picker->holders[f] > 0 || (k = fold_next(picker, f)) >= best)
            continue;
        best = k;
        chosen_fold = f;
    }
    if (best < picker->n_candidates)
        goto take;

    /* Else the first open fold of the costliest open candidate, among the
     * folds that are worth joining. */
    mark_folds_worth_joining(picker);
    if (picker->group != NULL &&
        (best = join_free_group(picker, &chosen_fold)) < picker->n_candidates)
        goto take;
    for (best = picker->cursor; best < picker->n_candidates; best++) {
        const size_t row = picker->order[best] * picker->n_folds;

        for (chosen_fold = 0; chosen_fold < picker->n_folds; chosen_fold++)
            if (!picker->handed[row + chosen_fold] && picker->worth_joining[chosen_fold])
                break;
        if (chosen_fold < picker->n_folds)
            break;
    }
    if (best == picker->n_candidates)
        return false;

take:
    chosen_candidate = picker->order[best];
    picker->handed[chosen_candidate * picker->n_folds + chosen_fold] = 1;
    if (known && picker->group != NULL)
        hold_group(picker, worker, chosen_fold, chosen_candidate);
    if (known && picker->last_fold[worker] != (int)chosen_fold) {
        picker->opening[chosen_candidate * picker->n_folds + chosen_fold] = 1;
        if (picker->last_fold[worker] >= 0)
            picker->holders[picker->last_fold[worker]]--;
        picker->holders[chosen_fold]++;
        picker->last_fold[worker] = (int)chosen_fold;
    }
    *candidate = (int32_t)chosen_candidate;
    *fold = (int32_t)chosen_fold;
    return true;
}

/* Sorts candidates by estimate, costliest first; equal estimates keep
 * scikit-learn's order, so the order is a function of the fit times. */
static const double *sort_estimates;

static int compare_estimates(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;

    if (sort_estimates[x] != sort_estimates[y])
        return sort_estimates[x] > sort_estimates[y] ? -1 : 1;
    return (x > y) - (x < y);
}

/* Re-estimates every candidate's fit time from the finished tasks. */
static void estimate_costs(struct gcv_picker *picker, const double *fit_times, const uint8_t *done)
{
    size_t n_slots = 0, n_c = picker->n_candidates, n_f = picker->n_folds;
    size_t *offset = malloc((picker->n_params + 1) * sizeof *offset);
    double *sum_log = NULL, *candidate_sum = NULL;
    size_t *count = NULL, *candidate_count = NULL;
    double overall_log = 0.0;
    size_t overall_count = 0;

    for (size_t p = 0; offset != NULL && p < picker->n_params; p++) {
        offset[p] = n_slots;
        n_slots += picker->n_values[p];
    }
    sum_log = calloc(n_slots + 1, sizeof *sum_log);
    count = calloc(n_slots + 1, sizeof *count);
    candidate_sum = calloc(n_c + 1, sizeof *candidate_sum);
    candidate_count = calloc(n_c + 1, sizeof *candidate_count);
    if (offset == NULL || sum_log == NULL || count == NULL || candidate_sum == NULL ||
        candidate_count == NULL)
        goto cleanup; /* the order is an optimisation: keep the old one */

    /* Log fit times per parameter value: a fit's cost spans decades across
     * a grid, so the geometric mean is the typical value. */
    for (size_t c = 0; c < n_c; c++) {
        for (size_t f = 0; f < n_f; f++) {
            double t = fit_times[c * n_f + f];
            if (!done[c * n_f + f] || !(t > 0.0))
                continue;
            candidate_sum[c] += t;
            candidate_count[c]++;
            overall_log += log(t);
            overall_count++;
            for (size_t p = 0; p < picker->n_params; p++) {
                int32_t v = picker->value_id[c * picker->n_params + p];
                if (v >= 0) {
                    sum_log[offset[p] + (size_t)v] += log(t);
                    count[offset[p] + (size_t)v]++;
                }
            }
        }
    }
    if (overall_count == 0)
        goto cleanup;

    for (size_t c = 0; c < n_c; c++) {
        double log_sum = 0.0;
        size_t n_known = 0;

        if (candidate_count[c] > 0) {
            picker->estimate[c] = candidate_sum[c] / (double)candidate_count[c];
            continue;
        }
        for (size_t p = 0; p < picker->n_params; p++) {
            int32_t v = picker->value_id[c * picker->n_params + p];
            if (v >= 0 && count[offset[p] + (size_t)v] > 0) {
                log_sum += sum_log[offset[p] + (size_t)v] / (double)count[offset[p] + (size_t)v];
                n_known++;
            }
        }
        picker->estimate[c] = exp(n_known > 0 ? log_sum / (double)n_known
                                              : overall_log / (double)overall_count);
    }

    /* A chain costs the sum of its fits, kept on its first candidate. */
    for (size_t c = 0; picker->chain_next != NULL && c < n_c; c++) {
        if (picker->chain_previous[c] >= 0)
            continue;
        for (int32_t m = picker->chain_next[c]; m >= 0; m = picker->chain_next[m])
            picker->estimate[c] += picker->estimate[m];
    }

    for (size_t c = 0; c < n_c; c++)
        picker->order[c] = c;
    sort_estimates = picker->estimate;
    qsort(picker->order, n_c, sizeof *picker->order, compare_estimates);
    for (size_t k = 0; picker->position != NULL && k < n_c; k++)
        picker->position[picker->order[k]] = k;
    picker->cursor = 0;
    memset(picker->fold_cursor, 0, n_f * sizeof *picker->fold_cursor);

cleanup:
    free(candidate_count);
    free(candidate_sum);
    free(count);
    free(sum_log);
    free(offset);
}

void gcv_picker_learn(struct gcv_picker *picker, const double *fit_times, const uint8_t *done)
{
    picker->n_finished++;
    if (picker->n_finished < 2 * picker->n_learned &&
        picker->n_finished < picker->n_learned + RELEARN_INTERVAL)
        return;
    picker->n_learned = picker->n_finished;
    estimate_costs(picker, fit_times, done);
}

void gcv_picker_record(struct gcv_picker *picker, int32_t candidate, int32_t fold,
                       double seconds)
{
    size_t task;

    if (candidate < 0 || (size_t)candidate >= picker->n_candidates || fold < 0 ||
        (size_t)fold >= picker->n_folds || !(seconds >= 0.0))
        return;
    task = (size_t)candidate * picker->n_folds + (size_t)fold;
    if (!picker->opening[task]) {
        picker->candidate_seconds[candidate] += seconds;
        picker->candidate_count[candidate]++;
    } else if (seconds > picker->opening_seconds[fold]) {
        picker->opening_seconds[fold] = seconds;
        picker->opening_candidate[fold] = candidate;
    }
}

void gcv_picker_free(struct gcv_picker *picker)
{
    if (picker == NULL)
        return;
    free(picker->value_id);
    free(picker->n_values);
    free(picker->handed);
    free(picker->order);
    free(picker->estimate);
    free(picker->last_fold);
    free(picker->holders);
    free(picker->fold_cursor);
    free(picker->opening);
    free(picker->opening_seconds);
    free(picker->opening_candidate);
    free(picker->candidate_seconds);
    free(picker->candidate_count);
    free(picker->fold_prepare);
    free(picker->worth_joining);
    free_groups(picker);
    memset(picker, 0, sizeof *picker);
}
