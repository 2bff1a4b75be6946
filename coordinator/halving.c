#include "halving.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/proto.h"
#include "../common/random.h"
#include "../worker/worker.h"
#include "scheduler.h"
#include "summary.h"

/* numpy's SMALL_QUICKSORT: partitions of at most this many elements (plus
 * one) are finished by insertion sort. */
#define QUICKSORT_SMALL 15
#define QUICKSORT_STACK 128

/* ---- Arithmetic as Python and numpy do it ------------------------------ */

/* Python's float floor division a // b for b > 0 (CPython's float_divmod):
 * the quotient of a - fmod(a, b), rounded to the nearest integer below. */
static double python_floordiv(double a, double b)
{
    double mod = fmod(a, b), div = (a - mod) / b, floordiv;

    if (mod != 0 && ((b < 0) != (mod < 0)))
        div -= 1.0;
    if (div == 0)
        return copysign(0.0, a / b);
    floordiv = floor(div);
    if (div - floordiv > 0.5)
        floordiv += 1.0;
    return floordiv;
}

/* Python's math.log(x, base): log(x) / log(base), each from the C library. */
static double python_log(double x, double base)
{
    return log(x) / log(base);
}

/* numpy's ordering of doubles in a sort: NaN after every number. */
static bool sorts_before(double a, double b)
{
    return a < b || (b != b && a == a);
}

/* Heapsort of tosort[0..n) by v, numpy's fallback when quicksort recurses
 * too deep (aheapsort_). */
static void argsort_heap(const double *v, size_t *tosort, size_t n)
{
    size_t *a = tosort - 1; /* 1-based, as numpy writes it */
    size_t i, j, l, tmp;

    for (l = n >> 1; l > 0; --l) {
        tmp = a[l];
        for (i = l, j = l << 1; j <= n;) {
            if (j < n && sorts_before(v[a[j]], v[a[j + 1]]))
                j += 1;
            if (sorts_before(v[tmp], v[a[j]])) {
                a[i] = a[j];
                i = j;
                j += j;
            } else {
                break;
            }
        }
        a[i] = tmp;
    }
    for (; n > 1;) {
        tmp = a[n];
        a[n] = a[1];
        n -= 1;
        for (i = 1, j = 2; j <= n;) {
            if (j < n && sorts_before(v[a[j]], v[a[j + 1]]))
                j++;
            if (sorts_before(v[tmp], v[a[j]])) {
                a[i] = a[j];
                i = j;
                j += j;
            } else {
                break;
            }
        }
        a[i] = tmp;
    }
}

static void swap_index(size_t *a, size_t *b)
{
    size_t t = *a;

    *a = *b;
    *b = t;
}

/* numpy 1.24's np.argsort(v) with the default kind "quicksort" on float64
 * (aquicksort_ in numpy/core/src/npysort/quicksort.cpp; numpy 1.24 has no
 * AVX-512 argsort). It is an introsort and not stable, so equal scores get
 * numpy's order only when this function follows numpy step by step.
 * order[0..n) receives the indices. */
static void argsort_numpy(const double *v, size_t n, size_t *order)
{
    size_t *pl, *pr, *pm, *pi, *pj, *pk;
    size_t *stack[QUICKSORT_STACK], **sptr = stack;
    int depth[QUICKSORT_STACK], *psdepth = depth;
    int cdepth = 0;
    double vp;

    for (size_t i = 0; i < n; i++)
        order[i] = i;
    if (n < 2)
        return;
    for (size_t m = n; m > 1; m >>= 1)
        cdepth++;
    cdepth *= 2;
    pl = order;
    pr = order + n - 1;

    for (;;) {
        if (cdepth < 0) {
            argsort_heap(v, pl, (size_t)(pr - pl) + 1);
            goto stack_pop;
        }
        while (pr - pl > QUICKSORT_SMALL) {
            /* Median of three, then a partition around it. */
            pm = pl + ((pr - pl) >> 1);
            if (sorts_before(v[*pm], v[*pl]))
                swap_index(pm, pl);
            if (sorts_before(v[*pr], v[*pm]))
                swap_index(pr, pm);
            if (sorts_before(v[*pm], v[*pl]))
                swap_index(pm, pl);
            vp = v[*pm];
            pi = pl;
            pj = pr - 1;
            swap_index(pm, pj);
            for (;;) {
                do
                    ++pi;
                while (sorts_before(v[*pi], vp));
                do
                    --pj;
                while (sorts_before(vp, v[*pj]));
                if (pi >= pj)
                    break;
                swap_index(pi, pj);
            }
            pk = pr - 1;
            swap_index(pi, pk);
            /* The larger partition waits on the stack. */
            if (pi - pl < pr - pi) {
                *sptr++ = pi + 1;
                *sptr++ = pr;
                pr = pi - 1;
            } else {
                *sptr++ = pl;
                *sptr++ = pi - 1;
                pl = pi + 1;
            }
            *psdepth++ = --cdepth;
        }

        /* Insertion sort of the small partition. */
        for (pi = pl + 1; pi <= pr; ++pi) {
            size_t vi = *pi;
            vp = v[vi];
            pj = pi;
            pk = pi - 1;
            while (pj > pl && sorts_before(vp, v[*pk]))
                *pj-- = *pk--;
            *pj = vi;
        }
    stack_pop:
        if (sptr == stack)
            break;
        pr = *(--sptr);
        pl = *(--sptr);
        cdepth = *(--psdepth);
    }
}

enum gcv_status gcv_halving_top_k(const double *scores, size_t n, size_t k, size_t *kept,
                                  struct gcv_error *err)
{
    size_t *order = malloc((n + 1) * sizeof *order);
    size_t n_nan = 0;

    if (order == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory sorting %zu candidates", n);
    argsort_numpy(scores, n, order);
    for (size_t i = 0; i < n; i++)
        if (isnan(scores[i]))
            n_nan++;
    /* After the roll, position p contains order[(p - n_nan) mod n]. */
    for (size_t i = 0; i < k; i++) {
        size_t p = n - k + i;
        kept[i] = order[(p + n - n_nan) % n];
    }
    free(order);
    return GCV_OK;
}

/* ---- The plan ------------------------------------------------------------ */

/* Returns the number of distinct classes among the search rows. */
static size_t count_search_classes(const struct gcv_dataset *data, const size_t *search_rows,
                                   size_t n_search_rows)
{
    uint8_t *seen = calloc(data->n_classes + 1, 1);
    size_t count = 0;

    if (seen == NULL)
        return data->n_classes;
    for (size_t i = 0; i < n_search_rows; i++) {
        int32_t code = data->y_class[search_rows[i]];
        if (!seen[code]) {
            seen[code] = 1;
            count++;
        }
    }
    free(seen);
    return count;
}

/* Copies the params of source into an empty set. */
static enum gcv_status copy_params(struct gcv_param_set *target,
                                   const struct gcv_param_set *source, struct gcv_error *err)
{
    enum gcv_status status;

    for (size_t i = 0; i < source->count; i++) {
        const struct gcv_param *item = &source->items[i];
        status = gcv_param_set_put(target, item->name, &item->value, item->where, err);
        if (status != GCV_OK)
            return status;
    }
    return GCV_OK;
}

/* Builds into grid the settings of rows candidates[0..n) of source, in that
 * order, each with the resource parameter set to n_resources when
 * resource is not NULL. The columns are those of source, the resource's
 * last. On success grid is owned by the caller (gcv_grid_free). */
static enum gcv_status build_round_grid(const struct gcv_grid *source, const size_t *candidates,
                                        size_t n, const char *resource, size_t n_resources,
                                        struct gcv_grid *grid, struct gcv_error *err)
{
    struct gcv_value value = {.kind = GCV_VALUE_INT};
    size_t n_names = source->n_param_names + (resource != NULL ? 1 : 0);
    enum gcv_status status = GCV_OK;

    memset(grid, 0, sizeof *grid);
    grid->candidates = calloc(n + 1, sizeof *grid->candidates);
    grid->param_names = calloc(n_names + 1, sizeof *grid->param_names);
    if (grid->candidates == NULL || grid->param_names == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu candidates", n);
        goto cleanup;
    }
    for (size_t p = 0; p < n_names; p++) {
        const char *name = p < source->n_param_names ? source->param_names[p] : resource;
        if ((grid->param_names[p] = strdup(name)) == NULL) {
            status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for parameter names");
            goto cleanup;
        }
        grid->n_param_names++;
    }

    value.integer = (long long)n_resources;
    value.real = (double)n_resources;
    for (size_t c = 0; c < n; c++) {
        grid->n_candidates++;
        status = copy_params(&grid->candidates[c], &source->candidates[candidates[c]], err);
        if (status == GCV_OK && resource != NULL)
            status = gcv_param_set_put(&grid->candidates[c], resource, &value, NULL, err);
        if (status != GCV_OK)
            goto cleanup;
    }

cleanup:
    if (status != GCV_OK)
        gcv_grid_free(grid);
    return status;
}

/* Checks that the estimator accepts the resource parameter by parsing the
 * first candidate with the resource set. scikit-learn checks instead that
 * the parameter is in estimator.get_params(). */
static enum gcv_status check_resource_param(const struct gcv_spec *spec, size_t value,
                                            struct gcv_error *err)
{
    struct gcv_spec probe_spec = *spec;
    struct gcv_task_context probe;
    struct gcv_error reason = {GCV_OK, ""};
    size_t first = 0;
    enum gcv_status status;

    status = build_round_grid(&spec->grid, &first, 1, spec->halving.resource, value,
                              &probe_spec.grid, err);
    if (status != GCV_OK)
        return status;
    status = gcv_task_context_init(&probe, &probe_spec, NULL, NULL, &reason);
    gcv_grid_free(&probe_spec.grid);
    if (status == GCV_OK) {
        gcv_task_context_free(&probe);
        return GCV_OK;
    }
    return gcv_error_set(err, GCV_ERR_SPEC, "%s: resource: Cannot use resource=%s which is not "
                         "supported by estimator %s (scikit-learn's message): %s", spec->file,
                         spec->halving.resource, spec->estimator, reason.message);
}

/* Draws the random candidates again with a count that depends on the data.
 * For n_candidates "exhaust" the count is max_resources_ // min_resources_,
 * taken before "exhaust" raises min_resources, as in HalvingRandomSearchCV. */
static enum gcv_status draw_candidates(struct gcv_spec *spec, size_t count,
                                       struct gcv_error *err)
{
    struct gcv_grid drawn;
    enum gcv_status status;

    status = gcv_grid_sample(spec->halving.objects, spec->halving.n_objects, count,
                             spec->random_state, &drawn, err);
    if (status == GCV_ERR_SPEC && !spec->halving.exhaust_candidates) {
        char location[600];

        gcv_error_prefix(err, "%s: %s: ", spec->file,
                         gcv_spec_where(spec->text, "n_candidates", location, sizeof location));
    }
    if (status != GCV_OK)
        return status;
    gcv_grid_free(&spec->grid);
    spec->grid = drawn;
    spec->n_iter = count;
    return GCV_OK;
}

enum gcv_status gcv_halving_plan(struct gcv_halving *halving, struct gcv_spec *spec,
                                 const struct gcv_dataset *data, const size_t *search_rows,
                                 size_t n_search_rows, size_t n_folds, bool classifier,
                                 struct gcv_error *err)
{
    const struct gcv_halving_spec *settings = &spec->halving;
    double min_resources;
    size_t n_candidates;
    enum gcv_status status;

    memset(halving, 0, sizeof *halving);
    halving->param_resource = strcmp(settings->resource, "n_samples") != 0;
    halving->factor = settings->factor;
    halving->aggressive_elimination = settings->aggressive_elimination;
    halving->n_search_rows = n_search_rows;

    /* Set min_resources_ and max_resources_ as _check_input_parameters does.
     * "smallest" and "exhaust" start from 2 rows per split (per split and
     * class for a classifier), or from 1 when the resource is a parameter. */
    if (settings->min_kind == GCV_HALVING_MIN_COUNT) {
        min_resources = (double)settings->min_resources;
    } else if (halving->param_resource) {
        min_resources = 1;
    } else {
        min_resources = (double)(n_folds * 2);
        if (classifier && data->y_class != NULL)
            min_resources *= (double)count_search_classes(data, search_rows, n_search_rows);
    }
    halving->max_resources = settings->max_resources > 0 ? settings->max_resources
                                                         : n_search_rows;

    /* scikit-learn accepts this value but then fails in the first round that
     * samples more rows than the search has ("Cannot sample ..."). */
    if (!halving->param_resource && halving->max_resources > n_search_rows)
        return gcv_error_set(err, GCV_ERR_SPEC, "%s: max_resources: %zu is more than the %zu "
                             "rows of the search; with resource \"n_samples\" give at most "
                             "%zu, or \"auto\"", spec->file, halving->max_resources,
                             n_search_rows, n_search_rows);
    if (min_resources > (double)halving->max_resources)
        return gcv_error_set(err, GCV_ERR_SPEC, "%s: min_resources: min_resources_=%.0f is "
                             "greater than max_resources_=%zu (scikit-learn's message); lower "
                             "min_resources or raise max_resources", spec->file, min_resources,
                             halving->max_resources);
    if (min_resources == 0)
        return gcv_error_set(err, GCV_ERR_SPEC, "%s: min_resources_=0: the search has no rows",
                             spec->file);

    /* Random candidates whose count depends on the resources. */
    if (spec->random_search) {
        size_t count = settings->exhaust_candidates
                           ? (size_t)python_floordiv((double)halving->max_resources,
                                                     min_resources)
                           : settings->n_candidates;
        if ((status = draw_candidates(spec, count, err)) != GCV_OK)
            return status;
    }
    n_candidates = spec->grid.n_candidates;

    if (halving->param_resource) {
        for (size_t c = 0; c < n_candidates; c++)
            if (gcv_param_set_find(&spec->grid.candidates[c], settings->resource) != NULL)
                return gcv_error_set(err, GCV_ERR_SPEC, "%s: resource: Cannot use parameter %s "
                                     "as the resource since it is part of the searched "
                                     "parameters (scikit-learn's message)", spec->file,
                                     settings->resource);
        if ((status = check_resource_param(spec, halving->max_resources, err)) != GCV_OK)
            return status;
    }

    gcv_halving_count_rounds(halving, n_candidates, min_resources,
                             settings->min_kind == GCV_HALVING_MIN_EXHAUST);
    return GCV_OK;
}

void gcv_halving_count_rounds(struct gcv_halving *halving, size_t n_candidates,
                              double min_resources, bool exhaust)
{
    double factor = halving->factor;

    halving->n_required_iterations =
        1 + (size_t)floor(python_log((double)n_candidates, factor));
    if (exhaust) {
        double last_power = pow(factor, (double)(halving->n_required_iterations - 1));
        double largest = python_floordiv((double)halving->max_resources, last_power);
        if (largest > min_resources)
            min_resources = largest;
    }
    halving->min_resources = min_resources;
    halving->n_possible_iterations =
        1 + (size_t)floor(python_log(python_floordiv((double)halving->max_resources,
                                                     min_resources), factor));
    halving->n_iterations = halving->aggressive_elimination
                                ? halving->n_required_iterations
                                : (halving->n_possible_iterations < halving->n_required_iterations
                                       ? halving->n_possible_iterations
                                       : halving->n_required_iterations);
}

size_t gcv_halving_round_resources(const struct gcv_halving *halving, size_t round)
{
    double power = (double)round, n;

    /* With aggressive elimination the first rounds repeat the smallest
     * resources until the candidates are few enough. */
    if (halving->aggressive_elimination) {
        double shifted = (double)round - (double)halving->n_required_iterations +
                         (double)halving->n_possible_iterations;
        power = shifted > 0 ? shifted : 0;
    }
    n = floor(pow(halving->factor, power) * halving->min_resources);
    if (n > (double)halving->max_resources)
        n = (double)halving->max_resources;
    return (size_t)n;
}

/* ---- One round ------------------------------------------------------------ */

/* Draws rows as scikit-learn's resample(rows, replace=False, n_samples=n,
 * random_state=seed) does: a fresh RandomState(seed) shuffles 0..n_rows-1
 * and the first n positions are taken, in that order. */
static enum gcv_status subsample(const size_t *rows, size_t n_rows, size_t n, uint32_t seed,
                                 size_t **out, struct gcv_error *err)
{
    struct gcv_random rng;
    size_t *positions;

    if (n > n_rows)
        return gcv_error_set(err, GCV_ERR_INTERNAL, "cannot subsample %zu of %zu rows", n,
                             n_rows);
    positions = malloc((n_rows + 1) * sizeof *positions);
    *out = malloc((n + 1) * sizeof **out);
    if (positions == NULL || *out == NULL) {
        free(positions);
        free(*out);
        *out = NULL;
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory subsampling %zu rows", n_rows);
    }
    for (size_t i = 0; i < n_rows; i++)
        positions[i] = i;
    gcv_random_seed(&rng, seed);
    gcv_random_shuffle(&rng, positions, n_rows, sizeof *positions);
    for (size_t i = 0; i < n; i++)
        (*out)[i] = rows[positions[i]];
    free(positions);
    return GCV_OK;
}

/* Builds the folds of a round over n_resources rows. The training and test
 * rows of each fold are subsampled to int(n_resources / n_search_rows * size),
 * as _SubsampleMetaSplitter does with subsample_test=True. On success the
 * caller owns round (gcv_fold_plan_free). */
static enum gcv_status subsample_plan(const struct gcv_fold_plan *plan, size_t n_resources,
                                      size_t n_search_rows, uint32_t seed,
                                      struct gcv_fold_plan *round, struct gcv_error *err)
{
    double fraction = (double)n_resources / (double)n_search_rows;
    enum gcv_status status = GCV_OK;

    round->n_folds = 0;
    round->folds = calloc(plan->n_folds + 1, sizeof *round->folds);
    if (round->folds == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu folds", plan->n_folds);
    for (size_t f = 0; f < plan->n_folds && status == GCV_OK; f++) {
        const struct gcv_fold *fold = &plan->folds[f];
        struct gcv_fold *target = &round->folds[f];

        round->n_folds++;
        target->n_train = (size_t)(fraction * (double)fold->n_train);
        target->n_test = (size_t)(fraction * (double)fold->n_test);
        status = subsample(fold->train, fold->n_train, target->n_train, seed, &target->train,
                           err);
        if (status == GCV_OK)
            status = subsample(fold->test, fold->n_test, target->n_test, seed, &target->test,
                               err);
    }
    if (status != GCV_OK)
        gcv_fold_plan_free(round);
    return status;
}

/* The state of a round on every rank, freed by round_free. */
struct round {
    struct gcv_spec spec;         /* the search's spec with this round's grid; only grid
                                     is owned */
    struct gcv_fold_plan folds;   /* subsampled folds, owned; unused for a parameter */
    const struct gcv_fold_plan *plan; /* folds, or the search's plan */
    struct gcv_task_context ctx;
    bool has_ctx;
};

static void round_free(struct round *round)
{
    if (round->has_ctx)
        gcv_task_context_free(&round->ctx);
    gcv_fold_plan_free(&round->folds);
    gcv_grid_free(&round->spec.grid);
    memset(round, 0, sizeof *round);
}

/* Prepares a round on any rank from its candidates, given as indices into
 * spec->grid in the order scikit-learn lists them. */
static enum gcv_status round_prepare(struct round *round, const struct gcv_halving *halving,
                                     const struct gcv_spec *spec, const struct gcv_dataset *data,
                                     const struct gcv_fold_plan *plan, const size_t *candidates,
                                     size_t n_candidates, size_t n_resources,
                                     struct gcv_error *err)
{
    enum gcv_status status;

    memset(round, 0, sizeof *round);
    round->spec = *spec;
    status = build_round_grid(&spec->grid, candidates, n_candidates,
                              halving->param_resource ? spec->halving.resource : NULL,
                              n_resources, &round->spec.grid, err);
    if (status != GCV_OK) {
        memset(&round->spec.grid, 0, sizeof round->spec.grid);
        return status;
    }
    round->plan = plan;
    if (!halving->param_resource) {
        status = subsample_plan(plan, n_resources, halving->n_search_rows, spec->random_state,
                                &round->folds, err);
        if (status != GCV_OK)
            return status;
        round->plan = &round->folds;
    }
    status = gcv_task_context_init(&round->ctx, &round->spec, data, round->plan, err);
    round->has_ctx = status == GCV_OK;
    return status;
}

/* The results of every round, as they arrived, on rank 0. */
struct collected {
    struct gcv_task_result *results; /* [n_results], owned; candidate is the cv_results row */
    size_t n_results;
    size_t capacity;
    size_t row_offset;             /* the first cv_results row of the running round */
    struct gcv_progress *progress; /* the round's progress display */
    bool out_of_memory;
};

/* Copies each result, with its candidate turned into a cv_results row, then
 * updates the display. This is the scheduler's progress callback. */
static void collect_result(const struct gcv_results *results, const struct gcv_task_result *last,
                           void *arg)
{
    struct collected *collected = arg;

    if (collected->n_results == collected->capacity) {
        size_t capacity = collected->capacity > 0 ? 2 * collected->capacity : 256;
        struct gcv_task_result *grown =
            realloc(collected->results, capacity * sizeof *grown);
        if (grown == NULL) {
            collected->out_of_memory = true;
            return;
        }
        collected->results = grown;
        collected->capacity = capacity;
    }
    collected->results[collected->n_results] = *last;
    collected->results[collected->n_results].candidate =
        (int32_t)(collected->row_offset + (size_t)last->candidate);
    collected->n_results++;
    gcv_progress_update(results, last, collected->progress);
}

/* Runs the round's tasks on the workers and writes the mean test score of
 * the refit scorer of each candidate into scores[n_candidates]. Rank 0 only. */
static enum gcv_status schedule_round(struct round *round, struct collected *collected,
                                      struct gcv_halving *halving,
                                      const struct gcv_run_options *options, double *scores,
                                      MPI_Comm comm, struct gcv_error *err)
{
    const char *names[GCV_MAX_SCORERS];
    struct gcv_results results;
    struct gcv_progress progress;
    struct gcv_scheduler_options schedule = {
        .progress = collect_result,
        .progress_arg = collected,
        .journal = NULL,
        .stop_signal = options->stop_signal,
        .grace = options->grace,
    };
    size_t n = round->spec.grid.n_candidates;
    enum gcv_status status;

    for (size_t s = 0; s < round->ctx.n_scorers; s++)
        names[s] = round->ctx.scorers[s]->name;
    status = gcv_results_init(&results, n, round->plan->n_folds, round->ctx.n_scorers, names,
                              round->spec.return_train_score, err);
    if (status != GCV_OK) {
        gcv_scheduler_stop_workers(comm);
        return status;
    }
    results.refit_scorer = round->ctx.refit_scorer;
    gcv_progress_init(&progress, options->verbosity, &round->spec.grid);
    collected->progress = &progress;
    status = gcv_scheduler_run(&round->ctx, &round->spec, &results, &schedule, comm, err);
    gcv_progress_finish(&progress);
    halving->n_abandoned = schedule.n_abandoned;
    if (status == GCV_OK && collected->out_of_memory)
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory keeping the results of the "
                               "halving rounds");
    if (status == GCV_OK) {
        gcv_results_finalize(&results);
        memcpy(scores, &results.mean_test[results.refit_scorer * n], n * sizeof *scores);
    }

    /* Fail when every fit of a round failed, as scikit-learn raises, because
     * no score can rank the candidates. */
    if (status == GCV_OK && results.n_failure_kinds > 0 &&
        results.n_failed == n * round->plan->n_folds)
        status = gcv_error_set(err, GCV_ERR_FIT, "all %zu fits of a halving round failed, so "
                               "no candidate can be ranked; the first error, %zu times: %s",
                               results.n_failed, results.failures[0].count,
                               results.failures[0].message);
    gcv_results_free(&results);
    return status;
}

/* ---- The rounds ------------------------------------------------------------ */

void gcv_halving_print_plan(FILE *stream, const struct gcv_halving *halving,
                            const struct gcv_spec *spec)
{
    fprintf(stream, "halving: %zu candidate%s, %zu round%s, factor %g, %s from %g to %zu\n",
            spec->grid.n_candidates, spec->grid.n_candidates == 1 ? "" : "s",
            halving->n_iterations, halving->n_iterations == 1 ? "" : "s", spec->halving.factor,
            spec->halving.resource, halving->min_resources, halving->max_resources);
    fflush(stream);
}

void gcv_halving_print_round(FILE *stream, size_t i, size_t n_candidates, const char *resource,
                             size_t n_resources, double seconds)
{
    fprintf(stream, "halving round %zu: %zu candidate%s, %s %zu", i, n_candidates,
            n_candidates == 1 ? "" : "s", resource, n_resources);
    if (!isnan(seconds))
        fprintf(stream, ", %.2fs", seconds);
    fputc('\n', stream);
}

void gcv_halving_print_remaining(FILE *stream, size_t n_remaining)
{
    fprintf(stream, "halving: %zu candidate%s after the last round\n", n_remaining,
            n_remaining == 1 ? " remains" : "s remain");
}

/* Prints one line per round as it ran, before the summary. Rank 0 only. */
static void print_rounds(FILE *stream, const struct gcv_halving *halving, const char *resource)
{
    for (size_t i = 0; i < halving->n_iterations; i++)
        gcv_halving_print_round(stream, i, halving->rounds[i].n_candidates, resource,
                                halving->rounds[i].n_resources, halving->rounds[i].seconds);
    gcv_halving_print_remaining(stream, halving->n_remaining_candidates);
}

/* Writes the "halving" member of best.json, which has scikit-learn's
 * attributes of a fitted halving search without their trailing underscore.
 * Rank 0 only. */
static enum gcv_status make_best_json(struct gcv_halving *halving, const struct gcv_spec *spec,
                                      struct gcv_error *err)
{
    size_t capacity = 512 + 48 * halving->n_iterations, used = 0;
    char *text = malloc(capacity);

    if (text == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for best.json");
#define APPEND(...) used += (size_t)snprintf(text + used, capacity - used, __VA_ARGS__)
    APPEND("{\"n_iterations\": %zu, \"n_candidates\": [", halving->n_iterations);
    for (size_t i = 0; i < halving->n_iterations; i++)
        APPEND("%s%zu", i > 0 ? ", " : "", halving->rounds[i].n_candidates);
    APPEND("], \"n_resources\": [");
    for (size_t i = 0; i < halving->n_iterations; i++)
        APPEND("%s%zu", i > 0 ? ", " : "", halving->rounds[i].n_resources);
    APPEND("], \"n_remaining_candidates\": %zu, \"n_required_iterations\": %zu, "
           "\"n_possible_iterations\": %zu, \"min_resources\": %.17g, \"max_resources\": %zu, "
           "\"factor\": %.17g, \"resource\": \"%s\", \"aggressive_elimination\": %s}",
           halving->n_remaining_candidates, halving->n_required_iterations,
           halving->n_possible_iterations, halving->min_resources, halving->max_resources,
           spec->halving.factor, spec->halving.resource,
           spec->halving.aggressive_elimination ? "true" : "false");
#undef APPEND
    halving->best_json = text;
    return GCV_OK;
}

/* Replaces the search's grid, context and results with those of every
 * cv_results row. Rank 0 only, after the last round. */
static enum gcv_status assemble(struct gcv_halving *halving, struct gcv_spec *spec,
                                struct gcv_task_context *ctx, struct gcv_results *results,
                                struct gcv_grid *rows, const struct collected *collected,
                                const struct gcv_dataset *data, const struct gcv_fold_plan *plan,
                                struct gcv_error *err)
{
    const char *names[GCV_MAX_SCORERS];
    enum gcv_status status;

    gcv_task_context_free(ctx);
    gcv_grid_free(&spec->grid);
    spec->grid = *rows;
    memset(rows, 0, sizeof *rows);
    if ((status = gcv_task_context_init(ctx, spec, data, plan, err)) != GCV_OK)
        return status;

    for (size_t s = 0; s < ctx->n_scorers; s++)
        names[s] = ctx->scorers[s]->name;
    status = gcv_results_init(results, spec->grid.n_candidates, plan->n_folds, ctx->n_scorers,
                              names, spec->return_train_score, err);
    if (status != GCV_OK)
        return status;
    results->refit_scorer = ctx->refit_scorer;
    results->multimetric = spec->multimetric;
    for (size_t i = 0; i < collected->n_results; i++)
        gcv_results_record(results, &collected->results[i], spec);
    results->iter = halving->iter;
    results->n_resources = halving->n_resources;
    if ((status = make_best_json(halving, spec, err)) != GCV_OK)
        return status;
    results->halving_json = halving->best_json;
    return GCV_OK;
}

/* Appends the settings of round to rows, the grid of every cv_results row,
 * and their round and resources to halving's columns. */
static enum gcv_status append_rows(struct gcv_halving *halving, struct gcv_grid *rows,
                                   struct round *round, size_t itr, size_t n_resources,
                                   struct gcv_error *err)
{
    struct gcv_grid *grid = &round->spec.grid;
    size_t n = rows->n_candidates + grid->n_candidates;
    struct gcv_param_set *candidates = realloc(rows->candidates, (n + 1) * sizeof *candidates);
    int64_t *iter = realloc(halving->iter, (n + 1) * sizeof *iter);
    int64_t *resources;

    if (candidates != NULL)
        rows->candidates = candidates;
    if (iter != NULL)
        halving->iter = iter;
    resources = realloc(halving->n_resources, (n + 1) * sizeof *resources);
    if (resources != NULL)
        halving->n_resources = resources;
    if (candidates == NULL || iter == NULL || resources == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu cv_results rows", n);

    /* The settings move to rows, and the names are taken from the first
     * round. */
    for (size_t c = 0; c < grid->n_candidates; c++) {
        rows->candidates[rows->n_candidates + c] = grid->candidates[c];
        memset(&grid->candidates[c], 0, sizeof grid->candidates[c]);
        halving->iter[rows->n_candidates + c] = (int64_t)itr;
        halving->n_resources[rows->n_candidates + c] = (int64_t)n_resources;
    }
    rows->n_candidates = n;
    if (rows->param_names == NULL) {
        rows->param_names = grid->param_names;
        rows->n_param_names = grid->n_param_names;
        grid->param_names = NULL;
        grid->n_param_names = 0;
    }
    halving->n_rows = n;
    return GCV_OK;
}

/* Broadcasts the candidates that rank 0 keeps to every rank (a collective
 * call). kept has room for every candidate of the search on every rank. It
 * is sent as bytes because every rank runs on the same architecture, as
 * common/proto.h assumes for results. */
static enum gcv_status share_kept(size_t *kept, size_t *n_kept, MPI_Comm comm,
                                  struct gcv_error *err)
{
    unsigned long long count = *n_kept;
    enum gcv_status status = GCV_OK;

    GCV_MPI_CHECK(MPI_Bcast(&count, 1, MPI_UNSIGNED_LONG_LONG, 0, comm));
    GCV_MPI_CHECK(MPI_Bcast(kept, (int)(count * sizeof *kept), MPI_BYTE, 0, comm));
    *n_kept = (size_t)count;

cleanup:
    return status;
}

enum gcv_status gcv_halving_run(struct gcv_halving *halving, struct gcv_spec *spec,
                                struct gcv_task_context *ctx, struct gcv_results *results,
                                const struct gcv_dataset *data, const struct gcv_fold_plan *plan,
                                const struct gcv_run_options *options, MPI_Comm comm,
                                struct gcv_error *err)
{
    size_t n_candidates = spec->grid.n_candidates;
    size_t *candidates = malloc((n_candidates + 1) * sizeof *candidates); /* into spec->grid */
    size_t *kept = malloc((n_candidates + 1) * sizeof *kept);
    double *scores = malloc((n_candidates + 1) * sizeof *scores);
    struct gcv_grid rows = {0};   /* rank 0: every cv_results row's setting */
    struct collected collected = {0};
    struct round round = {0};
    int rank = 0;
    enum gcv_status status = GCV_OK;

    MPI_Comm_rank(comm, &rank);
    halving->rounds = calloc(halving->n_iterations + 1, sizeof *halving->rounds);
    if (candidates == NULL || kept == NULL || scores == NULL || halving->rounds == NULL)
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu candidates",
                               n_candidates);

    /* Every rank enters the rounds, or none does, so that no worker waits
     * for tasks from a coordinator that gave up (or the reverse). */
    if ((status = gcv_proto_agree(status, err, comm)) != GCV_OK)
        goto cleanup;
    for (size_t c = 0; c < n_candidates; c++)
        candidates[c] = c;
    if (rank == 0 && options->verbosity > 0)
        gcv_halving_print_plan(stdout, halving, spec);

    for (size_t itr = 0; itr < halving->n_iterations; itr++) {
        size_t n_resources = gcv_halving_round_resources(halving, itr), n_kept;
        double start = gcv_task_clock();

        /* Every rank builds the round. A worker that fails still runs the
         * worker loop and rank 0 still stops the workers, so no rank waits
         * alone. */
        status = round_prepare(&round, halving, spec, data, plan, candidates, n_candidates,
                               n_resources, err);
        if (rank == 0) {
            collected.row_offset = rows.n_candidates;
            if (status == GCV_OK)
                status = schedule_round(&round, &collected, halving, options, scores, comm, err);
            else
                gcv_scheduler_stop_workers(comm);
            if (halving->n_abandoned > 0)
                goto cleanup; /* busy workers cannot agree, so the caller aborts the job */
        } else if (status == GCV_OK) {
            status = gcv_worker_run(&round.ctx, comm, err);
        } else {
            struct gcv_error ignored;
            gcv_worker_run(ctx, comm, &ignored);
        }

        /* Rank 0 keeps the best candidates and sends every rank the ones
         * that stay. */
        n_kept = (size_t)ceil((double)n_candidates / spec->halving.factor);
        if (rank == 0 && status == GCV_OK) {
            halving->rounds[itr].n_candidates = n_candidates;
            halving->rounds[itr].n_resources = n_resources;
            halving->rounds[itr].seconds = gcv_task_clock() - start;
            status = gcv_halving_top_k(scores, n_candidates, n_kept, kept, err);
            for (size_t i = 0; i < n_kept && status == GCV_OK; i++)
                kept[i] = candidates[kept[i]];
            if (status == GCV_OK)
                status = append_rows(halving, &rows, &round, itr, n_resources, err);
        }
        if ((status = gcv_proto_agree(status, err, comm)) != GCV_OK)
            goto cleanup;
        status = share_kept(kept, &n_kept, comm, err);
        if ((status = gcv_proto_agree(status, err, comm)) != GCV_OK)
            goto cleanup;
        memcpy(candidates, kept, n_kept * sizeof *kept);
        n_candidates = n_kept;
        round_free(&round);
    }
    halving->n_remaining_candidates = n_candidates;

    if (rank == 0) {
        print_rounds(stdout, halving, spec->halving.resource);
        status = assemble(halving, spec, ctx, results, &rows, &collected, data, plan, err);
    }

cleanup:
    if (status == GCV_STOPPED) {
        char stopped[GCV_ERROR_MAX];
        memcpy(stopped, err->message, sizeof stopped);
        gcv_error_set(err, GCV_STOPPED, "%s (halving search); a halving search keeps no "
                      "journal and cannot be resumed: run it again", stopped);
    }
    round_free(&round);
    gcv_grid_free(&rows);
    free(collected.results);
    free(scores);
    free(kept);
    free(candidates);
    return status;
}

void gcv_halving_pick_best(struct gcv_results *results)
{
    const double *means = &results->mean_test[results->refit_scorer * results->n_candidates];
    int64_t last = 0;
    size_t best = SIZE_MAX;

    if (results->iter == NULL || results->n_candidates == 0)
        return;
    for (size_t c = 0; c < results->n_candidates; c++)
        if (results->iter[c] > last)
            last = results->iter[c];
    for (size_t c = 0; c < results->n_candidates; c++) {
        if (results->iter[c] != last)
            continue;
        if (best == SIZE_MAX)
            best = c;   /* stays best when every score of the round is NaN */
        if (!isnan(means[c]) && (isnan(means[best]) || means[c] > means[best]))
            best = c;
    }
    results->best_index = best;
}

void gcv_halving_free(struct gcv_halving *halving)
{
    if (halving == NULL)
        return;
    free(halving->rounds);
    free(halving->iter);
    free(halving->n_resources);
    free(halving->best_json);
    memset(halving, 0, sizeof *halving);
}
