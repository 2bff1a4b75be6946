/* Plots of a finished search, written as SVG by this module (no plotting
 * library), and the same numbers as a text table for the terminal.
 *
 * A plot shows the mean test score of the candidates that equal the best
 * setting on every parameter except the plotted ones. With two such
 * parameters it is a heatmap (heatmap.svg), the classic figure of C against
 * gamma for an RBF SVC; with one it is a validation curve
 * (validation_curve.svg), the mean test score with a band of one standard
 * deviation, and the train score when the search kept it. With more than
 * two, the two whose values change the mean score most around the best are
 * plotted and the others stay at the best setting. */
#ifndef GCV_PLOT_H
#define GCV_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../common/grid.h"
#include "../common/param.h"
#include "../common/status.h"

/* The scores a plot draws from, whether of a search that just ran or of
 * the files of a finished one. Every pointer is borrowed and must outlive
 * the plot. */
struct gcv_plot_input {
    const struct gcv_grid *grid;  /* candidates, in cv_results order */
    const double *mean_test;      /* [grid->n_candidates] */
    const double *std_test;       /* [grid->n_candidates] */
    const double *mean_train;     /* [grid->n_candidates], or NULL without train scores */
    const double *std_train;      /* [grid->n_candidates], or NULL without train scores */
    size_t best_index;
    const char *scorer_name;      /* "accuracy" */
    const char *estimator;        /* "SVC" */
};

/* The most parameters a grid candidate may have for the plot to consider
 * each of them; a candidate with more is plotted on its first ones. */
#define GCV_PLOT_MAX_PARAMS 64

struct gcv_plot {
    struct gcv_plot_input input;

    /* The plotted parameters: 0 (nothing varies around the best), 1 or 2.
     * Axis 0 gives the rows of the heatmap and table, axis 1 the columns. */
    size_t n_axes;
    const char *names[2];                /* borrowed from the grid */
    const struct gcv_value **values[2];  /* [n_values[a]] borrowed values, array owned */
    size_t n_values[2];                  /* n_values[1] is 1 with one axis */
    long *cells;   /* [n_values[0] * n_values[1]] candidate index, or -1 where the
                      grid has no candidate; row-major, owned */

    /* Parameters whose values vary around the best setting, in cv_results
     * column order; more than n_axes of them means some were left out. */
    const char *varying[GCV_PLOT_MAX_PARAMS];  /* borrowed from the grid */
    size_t n_varying;

    const char *file;  /* "heatmap.svg", "validation_curve.svg", or NULL until
                          gcv_plot_write has written one */
};

/* Chooses the plotted parameters and collects their cells. On success the
 * plot is owned by the caller (gcv_plot_free); input is copied, the arrays
 * it points to stay borrowed. */
enum gcv_status gcv_plot_prepare(struct gcv_plot *plot, const struct gcv_plot_input *input,
                                 struct gcv_error *err);

/* Frees the arrays the plot owns and zeroes it. Accepts NULL. */
void gcv_plot_free(struct gcv_plot *plot);

/* Prints the plotted scores as a text table (3 decimals, the best marked
 * with *) and, when parameters were left out, which ones. Prints nothing
 * when nothing varies. */
void gcv_plot_print_table(FILE *stream, const struct gcv_plot *plot);

/* Writes heatmap.svg (two axes) or validation_curve.svg (one axis) into
 * folder and removes the other file, so the folder never shows a stale
 * plot. With no axis both are removed. Sets plot->file. */
enum gcv_status gcv_plot_write(struct gcv_plot *plot, const char *folder,
                               struct gcv_error *err);

/* Writes the value as Python's str() prints it (0.001, 10, rbf, True, None)
 * into buf of size len; returns the length the full text needs. */
int gcv_plot_format_value(const struct gcv_value *value, char *buf, size_t len);

#endif
