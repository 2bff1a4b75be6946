/* Expansion of a parameter grid into candidate settings, in the order of
 * scikit-learn's ParameterGrid: grid objects in list order; within one
 * object the keys sorted and the last key varying fastest. */
#ifndef GCV_GRID_H
#define GCV_GRID_H

#include <stddef.h>

#include "param.h"
#include "status.h"

/* One key of a grid object and its list of values. */
struct gcv_grid_axis {
    char *name;                /* owned */
    struct gcv_value *values;  /* [n_values], owned */
    char **where;              /* [n_values] spec location of each value, owned */
    size_t n_values;
};

/* One object of "param_grid"; axes in any order (expansion sorts them). */
struct gcv_grid_object {
    struct gcv_grid_axis *axes; /* [n_axes], owned */
    size_t n_axes;
};

struct gcv_grid {
    struct gcv_param_set *candidates; /* [n_candidates] grid values of each candidate, owned */
    size_t n_candidates;
    char **param_names;  /* [n_param_names] names in cv_results column order, owned */
    size_t n_param_names;
};

/* Expands objects[0..n_objects) into grid. The objects are left as given.
 * On success the grid is owned by the caller (gcv_grid_free). */
enum gcv_status gcv_grid_expand(const struct gcv_grid_object *objects, size_t n_objects,
                                struct gcv_grid *grid, struct gcv_error *err);

/* Frees the grid's candidates and names and zeroes it. Accepts NULL. */
void gcv_grid_free(struct gcv_grid *grid);

/* Frees one grid object's axes and zeroes it. Accepts NULL. */
void gcv_grid_object_free(struct gcv_grid_object *object);

#endif
