#include "chain.h"

#include <stdlib.h>
#include <string.h>

/* True when a and b set the same parameters to equal values, leaving out
 * the parameter named skip. */
static bool same_except(const struct gcv_param_set *a, const struct gcv_param_set *b,
                        const char *skip)
{
    size_t n_a = 0, n_b = 0;

    for (size_t i = 0; i < a->count; i++) {
        const struct gcv_param *other;

        if (strcmp(a->items[i].name, skip) == 0)
            continue;
        n_a++;
        other = gcv_param_set_find(b, a->items[i].name);
        if (other == NULL || !gcv_value_equal(&a->items[i].value, &other->value))
            return false;
    }
    for (size_t i = 0; i < b->count; i++)
        if (strcmp(b->items[i].name, skip) != 0)
            n_b++;
    return n_a == n_b;
}

/* The path value of candidate c in *value; false when c does not set the
 * path parameter to a number. */
static bool path_value(const struct gcv_grid *grid, size_t c, const char *path, double *value)
{
    const struct gcv_param *param = gcv_param_set_find(&grid->candidates[c], path);

    return param != NULL && param->value.kind != GCV_VALUE_BOOL &&
           gcv_value_as_number(&param->value, value);
}

enum gcv_status gcv_chain_plan(const struct gcv_grid *grid,
                               const struct gcv_estimator_ops *estimator, int32_t *previous,
                               int32_t *next, struct gcv_error *err)
{
    const size_t n = grid->n_candidates;
    const char *path = estimator->path_param;
    uint8_t *placed = NULL;   /* [n] 1 once c is in a chain */
    size_t *members = NULL;   /* [n] the candidates of the chain being built */
    double *values = NULL;    /* [n] their path values */

    if (path == NULL || estimator->fit_from == NULL)
        return gcv_error_set(err, GCV_ERR_SPEC, "%s has no warm start", estimator->name);
    placed = calloc(n + 1, 1);
    members = malloc((n + 1) * sizeof *members);
    values = malloc((n + 1) * sizeof *values);
    if (placed == NULL || members == NULL || values == NULL) {
        free(placed);
        free(members);
        free(values);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory planning the chains of %zu "
                             "candidates", n);
    }
    for (size_t c = 0; c < n; c++)
        previous[c] = next[c] = -1;

    for (size_t c = 0; c < n; c++) {
        size_t count = 0;
        double value;

        if (placed[c] || !path_value(grid, c, path, &value))
            continue;

        /* c and the candidates after it that differ from it only in the
         * path value, sorted by that value as they come. The insertion
         * sort is stable, so equal values keep the grid order. */
        for (size_t k = c; k < n; k++) {
            double v;

            if (placed[k] || !path_value(grid, k, path, &v) ||
                !same_except(&grid->candidates[c], &grid->candidates[k], path))
                continue;
            size_t at = count;
            while (at > 0 && (estimator->path_increasing ? values[at - 1] > v
                                                         : values[at - 1] < v)) {
                members[at] = members[at - 1];
                values[at] = values[at - 1];
                at--;
            }
            members[at] = k;
            values[at] = v;
            count++;
            placed[k] = 1;
        }
        for (size_t i = 1; i < count; i++) {
            previous[members[i]] = (int32_t)members[i - 1];
            next[members[i - 1]] = (int32_t)members[i];
        }
    }

    free(placed);
    free(members);
    free(values);
    return GCV_OK;
}

void gcv_chain_split(int32_t *previous, int32_t *next, size_t n, size_t max_members)
{
    if (max_members == 0)
        max_members = 1;
    for (size_t head = 0; head < n; head++) {
        size_t length = 0, parts, size, extra, in_part = 0, part = 0;
        int32_t c;

        if (previous[head] >= 0)
            continue;
        for (c = (int32_t)head; c >= 0; c = next[c])
            length++;
        parts = (length + max_members - 1) / max_members;
        size = length / parts;
        extra = length % parts;   /* the first `extra` parts take one more */
        for (c = (int32_t)head; c >= 0;) {
            const int32_t after = next[c];

            in_part++;
            if (in_part == size + (part < extra ? 1 : 0) && after >= 0) {
                next[c] = -1;
                previous[after] = -1;
                in_part = 0;
                part++;
            }
            c = after;
        }
    }
}

void gcv_chain_state_clear(const struct gcv_task_context *ctx, struct gcv_chain_state *state)
{
    if (state == NULL)
        return;
    if (state->model != NULL)
        ctx->estimator->model_free(state->model);
    memset(state, 0, sizeof *state);
}

/* Runs one fit of a chain, starting from the model in state when state
 * contains the fit of the candidate before it, and keeps the new model in
 * state. */
static void run_step(const struct gcv_task_context *ctx, struct gcv_chain_state *state,
                     int32_t candidate, int32_t fold, struct gcv_task_result *out)
{
    const int32_t before = ctx->chain_previous[candidate];
    const void *start = NULL;
    void *model = NULL;

    if (before >= 0 && state->has_fit && state->candidate == before && state->fold == fold)
        start = state->model;
    gcv_task_run_from(ctx, candidate, fold, start, &model, out);
    gcv_chain_state_clear(ctx, state);
    state->has_fit = true;
    state->candidate = candidate;
    state->fold = fold;
    state->model = model;
}

void gcv_chain_run(const struct gcv_task_context *ctx, struct gcv_chain_state *state,
                   int32_t candidate, int32_t fold, struct gcv_task_result *out)
{
    const int32_t before = ctx->chain_previous[candidate];

    /* Replay the chain up to the fit before this one when state lacks it:
     * find the first candidate of the chain, then walk forward. */
    if (before >= 0 && !(state->has_fit && state->candidate == before && state->fold == fold)) {
        int32_t c = before;

        while (ctx->chain_previous[c] >= 0)
            c = ctx->chain_previous[c];
        for (; c != candidate; c = ctx->chain_next[c])
            run_step(ctx, state, c, fold, out);
    }
    run_step(ctx, state, candidate, fold, out);
}
