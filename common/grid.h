/* Expansion of a parameter grid into candidate settings, in the order of
 * scikit-learn's ParameterGrid: grid objects in list order; within one
 * object the keys sorted and the last key varying fastest. Also the
 * candidates of a randomized search, drawn as scikit-learn's
 * ParameterSampler draws them. */
#ifndef GCV_GRID_H
#define GCV_GRID_H

#include <stddef.h>
#include <stdint.h>

#include "param.h"
#include "status.h"

/* What a key of a randomized search draws from: a list, or a scipy.stats
 * distribution (scipy 1.10's names and parameters). */
enum gcv_distribution_kind {
    GCV_DIST_LIST,        /* one of values, each equally likely */
    GCV_DIST_UNIFORM,     /* uniform(loc, scale): reals in [loc, loc + scale] */
    GCV_DIST_LOGUNIFORM,  /* loguniform(a, b): reals in [a, b], log-uniformly */
    GCV_DIST_RANDINT,     /* randint(low, high): integers in [low, high) */
};

/* One key of a grid object and its list of values, or for a randomized
 * search its distribution. */
struct gcv_grid_axis {
    char *name;                /* owned */
    struct gcv_value *values;  /* [n_values], owned */
    char **where;              /* [n_values] spec location of each value, owned; for a
                                  distribution [1], its location */
    size_t n_values;           /* 0 for a distribution */
    enum gcv_distribution_kind distribution;
    double arguments[2];       /* uniform: loc, scale; loguniform: a, b */
    long long bounds[2];       /* randint: low, high */
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
 * On success the grid is owned by the caller (gcv_grid_free). Rejects, as
 * GCV_ERR_SPEC, a grid without candidates or with more than INT32_MAX,
 * because candidate numbers travel between ranks as int32_t, and one whose
 * candidates would take more memory than a rank may give them
 * (gcv_grid_set_memory_limit). */
enum gcv_status gcv_grid_expand(const struct gcv_grid_object *objects, size_t n_objects,
                                struct gcv_grid *grid, struct gcv_error *err);

/* Draws the candidates of scikit-learn 1.2.1's
 * ParameterSampler(objects, n_iter, random_state) into grid, in draw
 * order, from numpy's RandomState(random_state):
 * - When every axis is a list, n_iter distinct candidates of the grid
 *   (sample_without_replacement of their ParameterGrid indices), each
 *   with its keys in reverse sorted order as ParameterGrid indexing builds
 *   them. A grid smaller than n_iter gives all its candidates, in grid
 *   order, with scikit-learn's warning.
 * - Otherwise n_iter candidates, each from an object chosen with
 *   randint(n_objects), its keys drawn in sorted order: randint(n_values)
 *   picks from a list, and a distribution draws as scipy.stats' rvs.
 * Candidates may repeat in the second case, as in scikit-learn. Columns
 * (param_names) are in order of first appearance. On success the grid is
 * owned by the caller (gcv_grid_free). */
enum gcv_status gcv_grid_sample(const struct gcv_grid_object *objects, size_t n_objects,
                                size_t n_iter, uint32_t random_state, struct gcv_grid *grid,
                                struct gcv_error *err);

/* Returns GCV_ERR_SPEC when the candidates that gcv_grid_sample would draw
 * would take more memory than a rank may give them
 * (gcv_grid_set_memory_limit). Those are n_iter candidates, or the whole
 * grid when every axis is a list and the grid is smaller. The estimate
 * counts the structures and strings of their parameters. A spec with a
 * billion candidates so fails at once instead of exhausting the memory.
 * gcv_grid_sample checks this too; a caller that knows where n_iter comes
 * from calls it first to say so. gcv_grid_expand makes the same check for
 * a whole grid. */
enum gcv_status gcv_grid_check_sample_memory(const struct gcv_grid_object *objects,
                                             size_t n_objects, size_t n_iter,
                                             struct gcv_error *err);

/* Sets the memory that the candidates of one rank may take: half of
 * machine_bytes divided by ranks, the ranks on the machine. The data, the
 * results and the fits need the other half, and each rank builds its own
 * candidates. machine_bytes 0 stands for the machine's physical memory,
 * and the default is (0, 1). Call it before the spec is read, from one
 * thread. */
void gcv_grid_set_memory_limit(size_t machine_bytes, int ranks);

/* Frees the grid's candidates and names and zeroes it. Accepts NULL. */
void gcv_grid_free(struct gcv_grid *grid);

/* Frees one grid object's axes and zeroes it. Accepts NULL. */
void gcv_grid_object_free(struct gcv_grid_object *object);

#endif
