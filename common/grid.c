#include "grid.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "random.h"

/* Sorts axis pointers by name, as Python sorts dict items by key: code
 * point order, which strcmp gives on UTF-8 text. */
static int compare_axes(const void *a, const void *b)
{
    const struct gcv_grid_axis *const *x = a;
    const struct gcv_grid_axis *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

static size_t object_size(const struct gcv_grid_object *object)
{
    size_t size = 1;
    for (size_t k = 0; k < object->n_axes; k++)
        size *= object->axes[k].n_values;
    return size;
}

/* Adds name to the column list unless it is there already. */
static enum gcv_status add_param_name(struct gcv_grid *grid, const char *name,
                                      struct gcv_error *err)
{
    char **grown;

    for (size_t i = 0; i < grid->n_param_names; i++)
        if (strcmp(grid->param_names[i], name) == 0)
            return GCV_OK;
    grown = realloc(grid->param_names, (grid->n_param_names + 1) * sizeof *grown);
    if (grown == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory expanding the grid");
    grid->param_names = grown;
    grid->param_names[grid->n_param_names] = strdup(name);
    if (grid->param_names[grid->n_param_names] == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory expanding the grid");
    grid->n_param_names++;
    return GCV_OK;
}

/* Appends the candidates of one object: an odometer over its sorted axes
 * whose last digit turns fastest. */
static enum gcv_status expand_object(const struct gcv_grid_object *object,
                                     struct gcv_grid *grid, struct gcv_error *err)
{
    const struct gcv_grid_axis **sorted = NULL;
    size_t *digit = NULL;
    size_t count = object_size(object);
    enum gcv_status status = GCV_OK;

    sorted = malloc((object->n_axes + 1) * sizeof *sorted);
    digit = calloc(object->n_axes + 1, sizeof *digit);
    if (sorted == NULL || digit == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory expanding the grid");
        goto cleanup;
    }
    for (size_t k = 0; k < object->n_axes; k++)
        sorted[k] = &object->axes[k];
    qsort(sorted, object->n_axes, sizeof *sorted, compare_axes);

    for (size_t c = 0; c < count; c++) {
        struct gcv_param_set *set = &grid->candidates[grid->n_candidates];

        memset(set, 0, sizeof *set);
        grid->n_candidates++;
        for (size_t k = 0; k < object->n_axes; k++) {
            const struct gcv_grid_axis *axis = sorted[k];
            status = gcv_param_set_put(set, axis->name, &axis->values[digit[k]],
                                       axis->where != NULL ? axis->where[digit[k]] : NULL, err);
            if (status != GCV_OK)
                goto cleanup;
            status = add_param_name(grid, axis->name, err);
            if (status != GCV_OK)
                goto cleanup;
        }
        for (size_t k = object->n_axes; k-- > 0;) {
            if (++digit[k] < sorted[k]->n_values)
                break;
            digit[k] = 0;
        }
    }

cleanup:
    free(digit);
    free(sorted);
    return status;
}

static size_t total_size(const struct gcv_grid_object *objects, size_t n_objects);

/* The machine's memory in bytes (0 for its physical memory) and the ranks
 * that share it, set by gcv_grid_set_memory_limit. The candidates of one
 * rank may take half of the memory divided by the ranks. */
static struct {
    size_t machine_bytes;
    int ranks;
} limit = {0, 1};

void gcv_grid_set_memory_limit(size_t machine_bytes, int ranks)
{
    limit.machine_bytes = machine_bytes;
    limit.ranks = ranks > 0 ? ranks : 1;
}

/* Returns the size of the chunk in which glibc's malloc on a 64-bit
 * system stores a request of n bytes: n and an 8-byte header, rounded up to
 * 16, at least 32. */
static double chunk_bytes(size_t n)
{
    const size_t chunk = (n + 8 + 15) & ~(size_t)15;

    return (double)(chunk < 32 ? 32 : chunk);
}

/* Returns the bytes that count candidates of object take: per candidate its
 * struct gcv_param_set and its item array, and per value a struct
 * gcv_param with the copies of the name, of the location and of a string
 * value (gcv_param_set_put). The values of a list are taken as equally
 * frequent. A drawn value's location also names the candidate (draw_value),
 * which its 32 bytes here cover. */
static double object_bytes(const struct gcv_grid_object *object, double count)
{
    double bytes = (double)sizeof(struct gcv_param_set) +
                   chunk_bytes(object->n_axes * sizeof(struct gcv_param));

    for (size_t k = 0; k < object->n_axes; k++) {
        const struct gcv_grid_axis *axis = &object->axes[k];
        double copies = 0;

        if (axis->n_values == 0) {
            copies = axis->where != NULL ? chunk_bytes(strlen(axis->where[0]) + 32) : 0;
        } else {
            for (size_t v = 0; v < axis->n_values; v++) {
                if (axis->where != NULL && axis->where[v] != NULL)
                    copies += chunk_bytes(strlen(axis->where[v]) + 1);
                if (axis->values[v].kind == GCV_VALUE_STRING)
                    copies += chunk_bytes(strlen(axis->values[v].string) + 1);
            }
            copies /= (double)axis->n_values;
        }
        bytes += (double)sizeof(struct gcv_param) + chunk_bytes(strlen(axis->name) + 1) + copies;
    }
    return count * bytes;
}

/* Returns GCV_ERR_SPEC when candidates of bytes (object_bytes) exceed a
 * rank's limit, with a message that starts with what and ends with advice.
 * A machine that does not report its memory size has no limit. A spec with
 * a billion candidates so fails at once instead of exhausting the memory.
 * NOTE: the estimate leaves out the results table (per candidate and
 * fold) and heap fragmentation. The half of the memory outside the limit
 * is meant to cover them, which nothing checks. */
static enum gcv_status check_memory(double bytes, const char *what, const char *advice,
                                    struct gcv_error *err)
{
    const double gib = 1024.0 * 1024.0 * 1024.0;
    const long pages = sysconf(_SC_PHYS_PAGES), page_bytes = sysconf(_SC_PAGESIZE);
    double machine = (double)limit.machine_bytes, per_rank;

    if (machine == 0 && pages > 0 && page_bytes > 0)
        machine = (double)pages * (double)page_bytes;
    per_rank = machine / 2 / limit.ranks;
    if (machine == 0 || bytes <= per_rank)
        return GCV_OK;
    return gcv_error_set(err, GCV_ERR_SPEC, "%s would take about %.2f GiB of memory in each "
                         "rank, above the limit of %.2f GiB per rank (half of the machine's "
                         "%.1f GiB, shared by %d rank%s); %s", what, bytes / gib, per_rank / gib,
                         machine / gib, limit.ranks, limit.ranks == 1 ? "" : "s", advice);
}

enum gcv_status gcv_grid_expand(const struct gcv_grid_object *objects, size_t n_objects,
                                struct gcv_grid *grid, struct gcv_error *err)
{
    size_t total = total_size(objects, n_objects);
    double bytes = 0;
    char what[64];
    enum gcv_status status;

    memset(grid, 0, sizeof *grid);
    if (total == 0)
        return gcv_error_set(err, GCV_ERR_SPEC, "the grid has no candidates");
    /* Candidate numbers travel between ranks as int32_t (common/proto.h). */
    if (total == SIZE_MAX)
        return gcv_error_set(err, GCV_ERR_SPEC, "the number of candidates overflows a size_t; "
                             "gridcv runs at most %d, so use fewer values", INT32_MAX);
    if (total > INT32_MAX)
        return gcv_error_set(err, GCV_ERR_SPEC, "the grid has %zu candidates, more than the %d "
                             "that gridcv can run; use fewer values", total, INT32_MAX);
    for (size_t i = 0; i < n_objects; i++)
        bytes += object_bytes(&objects[i], (double)object_size(&objects[i]));
    snprintf(what, sizeof what, "the grid's %zu candidates", total);
    if ((status = check_memory(bytes, what, "use fewer values", err)) != GCV_OK)
        return status;

    grid->candidates = calloc(total, sizeof *grid->candidates);
    if (grid->candidates == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory: %zu candidates", total);

    for (size_t i = 0; i < n_objects; i++) {
        status = expand_object(&objects[i], grid, err);
        if (status != GCV_OK) {
            gcv_grid_free(grid);
            return status;
        }
    }
    return GCV_OK;
}

/* ---- Randomized search ------------------------------------------------- */

/* Sorts an object's axes by name into sorted[0..n_axes). */
static void sort_axes(const struct gcv_grid_object *object, const struct gcv_grid_axis **sorted)
{
    for (size_t k = 0; k < object->n_axes; k++)
        sorted[k] = &object->axes[k];
    qsort(sorted, object->n_axes, sizeof *sorted, compare_axes);
}

/* Fills set with ParameterGrid's candidate number index (0-based, over all
 * objects), keys in reverse sorted order as ParameterGrid.__getitem__
 * builds them: the last sorted key varies fastest. */
static enum gcv_status grid_candidate_at(const struct gcv_grid_object *objects, size_t n_objects,
                                         size_t index, struct gcv_param_set *set,
                                         struct gcv_error *err)
{
    const struct gcv_grid_axis **sorted = NULL;
    enum gcv_status status = GCV_OK;
    size_t i = 0;

    while (i < n_objects && index >= object_size(&objects[i]))
        index -= object_size(&objects[i++]);
    if (i == n_objects)
        return gcv_error_set(err, GCV_ERR_INTERNAL, "grid candidate %zu is out of range", index);

    sorted = malloc((objects[i].n_axes + 1) * sizeof *sorted);
    if (sorted == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory sampling the grid");
    sort_axes(&objects[i], sorted);
    for (size_t k = objects[i].n_axes; k-- > 0 && status == GCV_OK;) {
        const struct gcv_grid_axis *axis = sorted[k];
        size_t offset = index % axis->n_values;

        index /= axis->n_values;
        status = gcv_param_set_put(set, axis->name, &axis->values[offset],
                                   axis->where != NULL ? axis->where[offset] : NULL, err);
    }
    free(sorted);
    return status;
}

/* Draws one value of axis from rng as ParameterSampler does. candidate
 * numbers the draw in messages. */
static enum gcv_status draw_value(const struct gcv_grid_axis *axis, struct gcv_random *rng,
                                  size_t candidate, struct gcv_param_set *set,
                                  struct gcv_error *err)
{
    struct gcv_value value;
    char where[600];

    memset(&value, 0, sizeof value);
    switch (axis->distribution) {
    case GCV_DIST_LIST: {
        size_t pick = (size_t)gcv_random_randint(rng, 0, (int64_t)axis->n_values);

        return gcv_param_set_put(set, axis->name, &axis->values[pick],
                                 axis->where != NULL ? axis->where[pick] : NULL, err);
    }
    case GCV_DIST_UNIFORM:
        value.kind = GCV_VALUE_REAL;
        value.real = gcv_random_uniform_rvs(rng, axis->arguments[0], axis->arguments[1]);
        break;
    case GCV_DIST_LOGUNIFORM:
        value.kind = GCV_VALUE_REAL;
        value.real = gcv_random_loguniform_rvs(rng, axis->arguments[0], axis->arguments[1]);
        break;
    case GCV_DIST_RANDINT:
        value.kind = GCV_VALUE_INT;
        value.integer = (long long)gcv_random_randint_rvs(rng, axis->bounds[0], axis->bounds[1]);
        value.real = (double)value.integer;
        break;
    }
    snprintf(where, sizeof where, "%s, drawn for candidate %zu",
             axis->where != NULL ? axis->where[0] : axis->name, candidate);
    return gcv_param_set_put(set, axis->name, &value, where, err);
}

/* Returns true when every axis of every object is a list. */
static bool all_lists(const struct gcv_grid_object *objects, size_t n_objects)
{
    for (size_t i = 0; i < n_objects; i++)
        for (size_t k = 0; k < objects[i].n_axes; k++)
            if (objects[i].axes[k].distribution != GCV_DIST_LIST)
                return false;
    return true;
}

/* The number of grid candidates, or SIZE_MAX when it does not fit. */
static size_t total_size(const struct gcv_grid_object *objects, size_t n_objects)
{
    size_t total = 0;

    for (size_t i = 0; i < n_objects; i++) {
        size_t size = 1;

        for (size_t k = 0; k < objects[i].n_axes; k++) {
            size_t n = objects[i].axes[k].n_values;

            if (n > 0 && size > SIZE_MAX / n)
                return SIZE_MAX;
            size *= n;
        }
        if (size > SIZE_MAX - total)
            return SIZE_MAX;
        total += size;
    }
    return total;
}

/* Samples distinct candidates of a grid of lists. */
static enum gcv_status sample_grid(const struct gcv_grid_object *objects, size_t n_objects,
                                   size_t n_iter, struct gcv_random *rng, struct gcv_grid *grid,
                                   struct gcv_error *err)
{
    size_t size = total_size(objects, n_objects);
    size_t *picks = NULL;
    enum gcv_status status;

    if (size == SIZE_MAX)
        return gcv_error_set(err, GCV_ERR_SPEC, "the grid of lists has more candidates than "
                             "can be counted; use fewer values");
    if (size == 0)
        return gcv_error_set(err, GCV_ERR_SPEC, "the grid has no candidates");
    if (size < n_iter) {
        gcv_log_warn("The total space of parameters %zu is smaller than n_iter=%zu. Running %zu "
                     "iterations. For exhaustive searches, use GridSearchCV.",
                     size, n_iter, size);
        n_iter = size;
    }

    picks = malloc(n_iter * sizeof *picks);
    grid->candidates = calloc(n_iter, sizeof *grid->candidates);
    if (picks == NULL || grid->candidates == NULL) {
        free(picks);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory: %zu candidates", n_iter);
    }
    status = gcv_random_sample_without_replacement(rng, size, n_iter, picks, err);
    for (size_t c = 0; c < n_iter && status == GCV_OK; c++) {
        grid->n_candidates++;
        status = grid_candidate_at(objects, n_objects, picks[c], &grid->candidates[c], err);
    }
    free(picks);
    return status;
}

/* Draws n_iter candidates key by key. */
static enum gcv_status sample_distributions(const struct gcv_grid_object *objects,
                                            size_t n_objects, size_t n_iter,
                                            struct gcv_random *rng, struct gcv_grid *grid,
                                            struct gcv_error *err)
{
    const struct gcv_grid_axis **sorted = NULL;
    size_t max_axes = 0;
    enum gcv_status status = GCV_OK;

    for (size_t i = 0; i < n_objects; i++)
        max_axes = objects[i].n_axes > max_axes ? objects[i].n_axes : max_axes;
    sorted = malloc((max_axes + 1) * sizeof *sorted);
    grid->candidates = calloc(n_iter, sizeof *grid->candidates);
    if (sorted == NULL || grid->candidates == NULL) {
        free(sorted);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory: %zu candidates", n_iter);
    }

    for (size_t c = 0; c < n_iter && status == GCV_OK; c++) {
        /* RandomState.choice of one object: randint(n_objects), no draw for one. */
        size_t pick = (size_t)gcv_random_randint(rng, 0, (int64_t)n_objects);
        const struct gcv_grid_object *object = &objects[pick];

        grid->n_candidates++;
        sort_axes(object, sorted);
        for (size_t k = 0; k < object->n_axes && status == GCV_OK; k++)
            status = draw_value(sorted[k], rng, c, &grid->candidates[c], err);
    }
    free(sorted);
    return status;
}

enum gcv_status gcv_grid_check_sample_memory(const struct gcv_grid_object *objects,
                                             size_t n_objects, size_t n_iter,
                                             struct gcv_error *err)
{
    double bytes = 0;
    char what[64];

    /* A grid of lists gives each candidate once, and each object its share
     * of them. Draws from distributions pick each object equally often. */
    if (all_lists(objects, n_objects)) {
        const size_t size = total_size(objects, n_objects);
        const double n = (double)(size < n_iter ? size : n_iter);

        /* gcv_grid_sample reports a count that overflows. */
        if (size == SIZE_MAX)
            return GCV_OK;

        for (size_t i = 0; i < n_objects; i++)
            bytes += object_bytes(&objects[i],
                                  n * (double)object_size(&objects[i]) / (double)size);
        snprintf(what, sizeof what, "%zu candidates", size < n_iter ? size : n_iter);
    } else {
        for (size_t i = 0; i < n_objects; i++)
            bytes += object_bytes(&objects[i], (double)n_iter / (double)n_objects);
        snprintf(what, sizeof what, "%zu candidates", n_iter);
    }
    return check_memory(bytes, what, "draw fewer", err);
}

enum gcv_status gcv_grid_sample(const struct gcv_grid_object *objects, size_t n_objects,
                                size_t n_iter, uint32_t random_state, struct gcv_grid *grid,
                                struct gcv_error *err)
{
    struct gcv_random rng;
    enum gcv_status status;

    memset(grid, 0, sizeof *grid);
    if (n_iter == 0 || n_objects == 0)
        return gcv_error_set(err, GCV_ERR_SPEC, "a randomized search needs n_iter >= 1 and "
                             "at least one object, got n_iter=%zu and %zu", n_iter, n_objects);
    if ((status = gcv_grid_check_sample_memory(objects, n_objects, n_iter, err)) != GCV_OK)
        return status;
    gcv_random_seed(&rng, random_state);
    if (all_lists(objects, n_objects))
        status = sample_grid(objects, n_objects, n_iter, &rng, grid, err);
    else
        status = sample_distributions(objects, n_objects, n_iter, &rng, grid, err);

    /* The cv_results columns, in order of first appearance. */
    for (size_t c = 0; c < grid->n_candidates && status == GCV_OK; c++)
        for (size_t k = 0; k < grid->candidates[c].count && status == GCV_OK; k++)
            status = add_param_name(grid, grid->candidates[c].items[k].name, err);
    if (status != GCV_OK)
        gcv_grid_free(grid);
    return status;
}

void gcv_grid_free(struct gcv_grid *grid)
{
    if (grid == NULL)
        return;
    for (size_t i = 0; i < grid->n_candidates; i++)
        gcv_param_set_clear(&grid->candidates[i]);
    free(grid->candidates);
    for (size_t i = 0; i < grid->n_param_names; i++)
        free(grid->param_names[i]);
    free(grid->param_names);
    memset(grid, 0, sizeof *grid);
}

void gcv_grid_object_free(struct gcv_grid_object *object)
{
    if (object == NULL)
        return;
    for (size_t k = 0; k < object->n_axes; k++) {
        struct gcv_grid_axis *axis = &object->axes[k];
        for (size_t v = 0; v < axis->n_values; v++) {
            gcv_value_clear(&axis->values[v]);
            if (axis->where != NULL)
                free(axis->where[v]);
        }
        if (axis->distribution != GCV_DIST_LIST && axis->where != NULL)
            free(axis->where[0]);
        free(axis->values);
        free(axis->where);
        free(axis->name);
    }
    free(object->axes);
    memset(object, 0, sizeof *object);
}
