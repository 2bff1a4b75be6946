#include "grid.h"

#include <stdlib.h>
#include <string.h>

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

enum gcv_status gcv_grid_expand(const struct gcv_grid_object *objects, size_t n_objects,
                                struct gcv_grid *grid, struct gcv_error *err)
{
    size_t total = 0;
    enum gcv_status status;

    memset(grid, 0, sizeof *grid);
    for (size_t i = 0; i < n_objects; i++)
        total += object_size(&objects[i]);
    if (total == 0)
        return gcv_error_set(err, GCV_ERR_SPEC, "param_grid: the grid has no candidates");

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
        free(axis->values);
        free(axis->where);
        free(axis->name);
    }
    free(object->axes);
    memset(object, 0, sizeof *object);
}
