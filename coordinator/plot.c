#include "plot.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output.h"

/* ---- Choosing the plotted parameters ---------------------------------- */

/* Returns true when candidate has exactly the parameter names of best and
 * equals it on each of them except skip_a and skip_b (either may be NULL). */
static bool matches_best_except(const struct gcv_param_set *best,
                                const struct gcv_param_set *candidate, const char *skip_a,
                                const char *skip_b)
{
    if (candidate->count != best->count)
        return false;
    for (size_t i = 0; i < best->count; i++) {
        const char *name = best->items[i].name;
        const struct gcv_param *other = gcv_param_set_find(candidate, name);

        if (other == NULL)
            return false;
        if ((skip_a != NULL && strcmp(name, skip_a) == 0) ||
            (skip_b != NULL && strcmp(name, skip_b) == 0))
            continue;
        if (!gcv_value_equal(&best->items[i].value, &other->value))
            return false;
    }
    return true;
}

/* Returns the position of value in values[0..n), or n. */
static size_t find_value(const struct gcv_value *const *values, size_t n,
                         const struct gcv_value *value)
{
    for (size_t i = 0; i < n; i++)
        if (gcv_value_equal(values[i], value))
            return i;
    return n;
}

/* Collects the distinct values of parameter name among the candidates that
 * match the best setting except on name and skip, in candidate order.
 * values has room for every candidate. Returns how many were found. */
static size_t collect_values(const struct gcv_plot_input *input, const char *name,
                             const char *skip, const struct gcv_value **values)
{
    const struct gcv_param_set *best = &input->grid->candidates[input->best_index];
    size_t n = 0;

    for (size_t c = 0; c < input->grid->n_candidates; c++) {
        const struct gcv_param_set *candidate = &input->grid->candidates[c];
        const struct gcv_param *param;

        if (!matches_best_except(best, candidate, name, skip))
            continue;
        param = gcv_param_set_find(candidate, name);
        if (find_value(values, n, &param->value) == n)
            values[n++] = &param->value;
    }
    return n;
}

/* Returns the spread (max - min) of the finite mean test scores of the
 * candidates that match the best setting except on name; 0 when fewer than
 * two are finite. */
static double score_spread(const struct gcv_plot_input *input, const char *name)
{
    const struct gcv_param_set *best = &input->grid->candidates[input->best_index];
    double low = INFINITY, high = -INFINITY;

    for (size_t c = 0; c < input->grid->n_candidates; c++) {
        double mean = input->mean_test[c];

        if (!isfinite(mean) ||
            !matches_best_except(best, &input->grid->candidates[c], name, NULL))
            continue;
        low = mean < low ? mean : low;
        high = mean > high ? mean : high;
    }
    return high > low ? high - low : 0.0;
}

/* Fills plot->varying with the parameters of the best candidate that take
 * more than one value around it, in cv_results column order, and returns
 * their score spreads in spread[]. */
static void find_varying(struct gcv_plot *plot, const struct gcv_value **scratch,
                         double *spread)
{
    const struct gcv_plot_input *input = &plot->input;
    const struct gcv_param_set *best = &input->grid->candidates[input->best_index];

    plot->n_varying = 0;
    for (size_t k = 0; k < input->grid->n_param_names; k++) {
        const char *name = input->grid->param_names[k];

        if (plot->n_varying == GCV_PLOT_MAX_PARAMS)
            break;
        if (gcv_param_set_find(best, name) == NULL)
            continue;
        if (collect_values(input, name, NULL, scratch) < 2)
            continue;
        spread[plot->n_varying] = score_spread(input, name);
        plot->varying[plot->n_varying++] = name;
    }
}

/* Returns the position in plot->varying of the largest spread, skipping
 * position skip; the first one wins a tie, so the choice is deterministic. */
static size_t widest_spread(const struct gcv_plot *plot, const double *spread, size_t skip)
{
    size_t chosen = plot->n_varying;

    for (size_t k = 0; k < plot->n_varying; k++)
        if (k != skip && (chosen == plot->n_varying || spread[k] > spread[chosen]))
            chosen = k;
    return chosen;
}

enum gcv_status gcv_plot_prepare(struct gcv_plot *plot, const struct gcv_plot_input *input,
                                 struct gcv_error *err)
{
    size_t n_candidates = input->grid->n_candidates;
    const struct gcv_value **scratch = NULL; /* [n_candidates] */
    double spread[GCV_PLOT_MAX_PARAMS];
    size_t first, second;
    enum gcv_status status = GCV_OK;

    memset(plot, 0, sizeof *plot);
    plot->input = *input;
    if (n_candidates == 0 || input->best_index >= n_candidates)
        return GCV_OK;

    scratch = malloc(n_candidates * sizeof *scratch);
    if (scratch == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for a plot of %zu candidates",
                             n_candidates);
    find_varying(plot, scratch, spread);

    /* The two parameters that change the score most, kept in column order. */
    plot->n_axes = plot->n_varying < 2 ? plot->n_varying : 2;
    if (plot->n_axes == 0)
        goto cleanup;
    first = widest_spread(plot, spread, plot->n_varying);
    second = plot->n_axes == 2 ? widest_spread(plot, spread, first) : plot->n_varying;
    if (second < first) {
        size_t swap = first;
        first = second;
        second = swap;
    }
    plot->names[0] = plot->varying[first];
    plot->names[1] = plot->n_axes == 2 ? plot->varying[second] : NULL;

    /* The values along each axis and the candidate of each cell. */
    for (size_t a = 0; a < plot->n_axes; a++) {
        plot->values[a] = malloc(n_candidates * sizeof *plot->values[a]);
        if (plot->values[a] == NULL) {
            status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for a plot axis of "
                                   "%zu values", n_candidates);
            goto cleanup;
        }
        plot->n_values[a] = collect_values(input, plot->names[a], plot->names[1 - a],
                                           plot->values[a]);
    }
    if (plot->n_axes == 1)
        plot->n_values[1] = 1;

    plot->cells = malloc(plot->n_values[0] * plot->n_values[1] * sizeof *plot->cells);
    if (plot->cells == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for a plot of %zu x %zu "
                               "cells", plot->n_values[0], plot->n_values[1]);
        goto cleanup;
    }
    for (size_t i = 0; i < plot->n_values[0] * plot->n_values[1]; i++)
        plot->cells[i] = -1;
    for (size_t c = 0; c < n_candidates; c++) {
        const struct gcv_param_set *candidate = &input->grid->candidates[c];
        size_t row, column = 0;

        if (!matches_best_except(&input->grid->candidates[input->best_index], candidate,
                                 plot->names[0], plot->names[1]))
            continue;
        row = find_value(plot->values[0], plot->n_values[0],
                         &gcv_param_set_find(candidate, plot->names[0])->value);
        if (plot->n_axes == 2)
            column = find_value(plot->values[1], plot->n_values[1],
                                &gcv_param_set_find(candidate, plot->names[1])->value);
        if (plot->cells[row * plot->n_values[1] + column] < 0)
            plot->cells[row * plot->n_values[1] + column] = (long)c;
    }

cleanup:
    free(scratch);
    if (status != GCV_OK)
        gcv_plot_free(plot);
    return status;
}

void gcv_plot_free(struct gcv_plot *plot)
{
    if (plot == NULL)
        return;
    free(plot->values[0]);
    free(plot->values[1]);
    free(plot->cells);
    memset(plot, 0, sizeof *plot);
}

int gcv_plot_format_value(const struct gcv_value *value, char *buf, size_t len)
{
    if (value->kind == GCV_VALUE_STRING)
        return snprintf(buf, len, "%s", value->string);
    return gcv_value_format_python(value, buf, len);
}

/* ---- Text table ------------------------------------------------------- */

/* Writes the cell text of a mean score: 3 decimals, "nan", or "-" for a
 * combination the grid does not have. */
static void format_score(const struct gcv_plot *plot, long candidate, char *buf, size_t len)
{
    if (candidate < 0)
        snprintf(buf, len, "-");
    else if (isnan(plot->input.mean_test[candidate]))
        snprintf(buf, len, "nan");
    else
        snprintf(buf, len, "%.3f", plot->input.mean_test[candidate]);
}

/* Returns the widest Python str() text among the values of axis a. */
static size_t widest_label(const struct gcv_plot *plot, size_t a)
{
    char label[128];
    size_t widest = 0;

    for (size_t i = 0; i < plot->n_values[a]; i++) {
        size_t length = (size_t)gcv_plot_format_value(plot->values[a][i], label, sizeof label);
        widest = length > widest ? length : widest;
    }
    return widest < sizeof label ? widest : sizeof label - 1;
}

static void print_table_2d(FILE *stream, const struct gcv_plot *plot)
{
    char corner[300], label[128], score[32];
    size_t row_width, column_width;

    snprintf(corner, sizeof corner, "%s \\ %s", plot->names[0], plot->names[1]);
    row_width = widest_label(plot, 0);
    row_width = strlen(corner) > row_width ? strlen(corner) : row_width;
    column_width = widest_label(plot, 1);
    column_width = column_width > 5 ? column_width : 5;

    fprintf(stream, "mean test %s (rows %s, columns %s):\n", plot->input.scorer_name,
            plot->names[0], plot->names[1]);
    fprintf(stream, "  %*s", (int)row_width, corner);
    for (size_t j = 0; j < plot->n_values[1]; j++) {
        gcv_plot_format_value(plot->values[1][j], label, sizeof label);
        /* Each column leaves room for the best cell's '*', except the last,
         * so no line ends in a space. */
        fprintf(stream, "  %*s%s", (int)column_width, label,
                j + 1 < plot->n_values[1] ? " " : "");
    }
    fputc('\n', stream);

    for (size_t i = 0; i < plot->n_values[0]; i++) {
        gcv_plot_format_value(plot->values[0][i], label, sizeof label);
        fprintf(stream, "  %*s", (int)row_width, label);
        for (size_t j = 0; j < plot->n_values[1]; j++) {
            long candidate = plot->cells[i * plot->n_values[1] + j];
            bool best = candidate == (long)plot->input.best_index;

            format_score(plot, candidate, score, sizeof score);
            fprintf(stream, "  %*s%s", (int)column_width, score,
                    best ? "*" : (j + 1 < plot->n_values[1] ? " " : ""));
        }
        fputc('\n', stream);
    }
}

static void print_table_1d(FILE *stream, const struct gcv_plot *plot)
{
    char label[128], score[32];
    size_t width = widest_label(plot, 0);

    width = strlen(plot->names[0]) > width ? strlen(plot->names[0]) : width;
    fprintf(stream, "mean test %s by %s:\n", plot->input.scorer_name, plot->names[0]);
    fprintf(stream, "  %*s   mean    std\n", (int)width, plot->names[0]);
    for (size_t i = 0; i < plot->n_values[0]; i++) {
        long candidate = plot->cells[i];
        bool has_std;

        gcv_plot_format_value(plot->values[0][i], label, sizeof label);
        format_score(plot, candidate, score, sizeof score);
        has_std = candidate >= 0 && isfinite(plot->input.std_test[candidate]);
        fprintf(stream, "  %*s  %5s%s", (int)width, label, score,
                candidate == (long)plot->input.best_index ? "*" : (has_std ? " " : ""));
        if (has_std)
            fprintf(stream, " %.3f", plot->input.std_test[candidate]);
        fputc('\n', stream);
    }
}

/* Writes "name=value, ..." for the varying parameters that the plot leaves
 * at the best setting into buf of size len; "" when there are none. */
static void format_left_out(const struct gcv_plot *plot, char *buf, size_t len)
{
    const struct gcv_param_set *best = &plot->input.grid->candidates[plot->input.best_index];
    char label[128];
    size_t used = 0;

    buf[0] = '\0';
    for (size_t k = 0; k < plot->n_varying && used < len; k++) {
        const char *name = plot->varying[k];

        if (strcmp(name, plot->names[0]) == 0 ||
            (plot->names[1] != NULL && strcmp(name, plot->names[1]) == 0))
            continue;
        gcv_plot_format_value(&gcv_param_set_find(best, name)->value, label, sizeof label);
        used += (size_t)snprintf(buf + used, len - used, "%s%s=%s", used > 0 ? ", " : "", name,
                                 label);
    }
}

/* Says which varying parameters the table leaves at the best setting. */
static void print_left_out(FILE *stream, const struct gcv_plot *plot)
{
    char fixed[1024];

    if (plot->n_varying <= plot->n_axes)
        return;
    format_left_out(plot, fixed, sizeof fixed);
    fprintf(stream, "  %s and %s change the mean score most around the best; fixed at the "
            "best setting: %s\n", plot->names[0], plot->names[1], fixed);
}

void gcv_plot_print_table(FILE *stream, const struct gcv_plot *plot)
{
    if (plot->n_axes == 2)
        print_table_2d(stream, plot);
    else if (plot->n_axes == 1)
        print_table_1d(stream, plot);
    else
        return;
    print_left_out(stream, plot);
}

/* ---- SVG helpers ------------------------------------------------------ */

/* Viridis, a colour map of matplotlib: entries 0, 17, 34, ..., 255 of the
 * 256-entry table _viridis_data in matplotlib 3.6.3's
 * lib/matplotlib/_cm_listed.py, as red, green, blue in [0, 1]. */
static const double viridis_stops[16][3] = {
    {0.267004, 0.004874, 0.329415}, {0.282656, 0.100196, 0.422160},
    {0.277134, 0.185228, 0.489898}, {0.253935, 0.265254, 0.529983},
    {0.221989, 0.339161, 0.548752}, {0.190631, 0.407061, 0.556089},
    {0.163625, 0.471133, 0.558148}, {0.139147, 0.533812, 0.555298},
    {0.120565, 0.596422, 0.543611}, {0.134692, 0.658636, 0.517649},
    {0.208030, 0.718701, 0.472873}, {0.327796, 0.773980, 0.406640},
    {0.477504, 0.821444, 0.318195}, {0.647257, 0.858400, 0.209861},
    {0.824940, 0.884720, 0.106217}, {0.993248, 0.906157, 0.143936},
};

#define N_VIRIDIS_STOPS (sizeof viridis_stops / sizeof viridis_stops[0])

/* Returns the viridis colour at t in [0, 1] (clamped), interpolated
 * linearly between the two nearest stops, in rgb[3]. */
static void viridis(double t, double rgb[3])
{
    double position;
    size_t low;

    t = t < 0.0 ? 0.0 : (t > 1.0 ? 1.0 : t);
    position = t * (double)(N_VIRIDIS_STOPS - 1);
    low = (size_t)position;
    if (low >= N_VIRIDIS_STOPS - 1)
        low = N_VIRIDIS_STOPS - 2;
    for (int k = 0; k < 3; k++)
        rgb[k] = viridis_stops[low][k] +
                 (position - (double)low) * (viridis_stops[low + 1][k] - viridis_stops[low][k]);
}

/* Writes rgb as "#rrggbb". */
static void write_colour(FILE *stream, const double rgb[3])
{
    fprintf(stream, "#%02x%02x%02x", (int)lround(rgb[0] * 255.0), (int)lround(rgb[1] * 255.0),
            (int)lround(rgb[2] * 255.0));
}

/* Writes text with the five XML special characters escaped. */
static void write_escaped(FILE *stream, const char *text)
{
    for (; *text != '\0'; text++) {
        switch (*text) {
        case '&': fputs("&amp;", stream); break;
        case '<': fputs("&lt;", stream); break;
        case '>': fputs("&gt;", stream); break;
        case '"': fputs("&quot;", stream); break;
        case '\'': fputs("&apos;", stream); break;
        default: fputc(*text, stream);
        }
    }
}

/* Writes one <text> element; anchor is start, middle or end, and rotated
 * turns it a quarter to the left about its anchor point. */
static void write_text(FILE *stream, const char *class_name, double x, double y,
                       const char *anchor, int size, bool rotated, const char *text)
{
    fprintf(stream, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" "
            "font-size=\"%d\"", class_name, x, y, anchor, size);
    if (rotated)
        fprintf(stream, " transform=\"rotate(-90 %.1f %.1f)\"", x, y);
    fputc('>', stream);
    write_escaped(stream, text);
    fputs("</text>\n", stream);
}

/* Estimated width in pixels of text in a sans-serif font of size px: an
 * average glyph is about 0.6 em wide. */
static double text_width(const char *text, int size)
{
    return 0.6 * (double)size * (double)strlen(text);
}

static void write_header(FILE *stream, double width, double height, const char *title)
{
    fprintf(stream, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, Helvetica, Arial, "
            "sans-serif\">\n<title>", width, height, width, height);
    write_escaped(stream, title);
    fprintf(stream, "</title>\n<rect class=\"background\" width=\"%.0f\" height=\"%.0f\" "
            "fill=\"white\"/>\n", width, height);
    write_text(stream, "title", width / 2.0, 28.0, "middle", 16, false, title);
}

/* Returns the smallest and largest finite mean test score among the plotted
 * cells, or false when none is finite. */
static bool score_range(const struct gcv_plot *plot, double *low, double *high)
{
    *low = INFINITY;
    *high = -INFINITY;
    for (size_t i = 0; i < plot->n_values[0] * plot->n_values[1]; i++) {
        double mean;

        if (plot->cells[i] < 0)
            continue;
        mean = plot->input.mean_test[plot->cells[i]];
        if (!isfinite(mean))
            continue;
        *low = mean < *low ? mean : *low;
        *high = mean > *high ? mean : *high;
    }
    return *low <= *high;
}

/* ---- Heatmap ---------------------------------------------------------- */

/* Layout of the heatmap in pixels. */
#define HEATMAP_FONT 12
#define HEATMAP_CELL_HEIGHT 32.0
#define HEATMAP_MIN_CELL_WIDTH 56.0
#define HEATMAP_TOP 48.0
#define COLOURBAR_WIDTH 14.0

/* Writes the colour bar beside the cells: a viridis gradient from the
 * lowest score (bottom) to the highest (top), labelled at both ends. */
static void write_colourbar(FILE *stream, double x, double y, double height, double low,
                            double high, const char *scorer_name)
{
    char label[64];
    double rgb[3];

    fputs("<defs><linearGradient id=\"viridis\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">\n", stream);
    for (size_t k = 0; k < N_VIRIDIS_STOPS; k++) {
        fprintf(stream, "<stop offset=\"%.4f\" stop-color=\"",
                (double)k / (double)(N_VIRIDIS_STOPS - 1));
        write_colour(stream, viridis_stops[k]);
        fputs("\"/>\n", stream);
    }
    fputs("</linearGradient></defs>\n", stream);

    viridis(0.0, rgb);
    fprintf(stream, "<rect class=\"colourbar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
            "height=\"%.1f\" fill=\"url(#viridis)\" stroke=\"#444444\" stroke-width=\"0.5\"/>\n",
            x, y, COLOURBAR_WIDTH, height);
    snprintf(label, sizeof label, "%.3f", high);
    write_text(stream, "tick", x + COLOURBAR_WIDTH + 4.0, y + 9.0, "start", 10, false, label);
    snprintf(label, sizeof label, "%.3f", low);
    write_text(stream, "tick", x + COLOURBAR_WIDTH + 4.0, y + height, "start", 10, false, label);
    write_text(stream, "colourbar-label", x + COLOURBAR_WIDTH + 50.0, y + height / 2.0, "middle",
               11, true, scorer_name);
}

/* Writes one cell: its colour, a tooltip with the setting and score, and
 * the score printed in black or white, whichever reads better on it. */
static void write_cell(FILE *stream, const struct gcv_plot *plot, size_t i, size_t j, double x,
                       double y, double width, double low, double high)
{
    long candidate = plot->cells[i * plot->n_values[1] + j];
    char row_label[128], column_label[128], score[32];
    double rgb[3] = {0.85, 0.85, 0.85};
    double mean = candidate >= 0 ? plot->input.mean_test[candidate] : NAN;
    const char *ink = "#000000";

    if (candidate >= 0 && isfinite(mean)) {
        viridis(high > low ? (mean - low) / (high - low) : 0.5, rgb);
        /* Relative luminance with the Rec. 709 weights. */
        if (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2] < 0.45)
            ink = "#ffffff";
    } else if (candidate < 0) {
        rgb[0] = rgb[1] = rgb[2] = 1.0;
    }
    format_score(plot, candidate, score, sizeof score);
    gcv_plot_format_value(plot->values[0][i], row_label, sizeof row_label);
    gcv_plot_format_value(plot->values[1][j], column_label, sizeof column_label);

    fprintf(stream, "<rect class=\"cell\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
            "fill=\"", x, y, width, HEATMAP_CELL_HEIGHT);
    write_colour(stream, rgb);
    fputs("\" stroke=\"white\" stroke-width=\"1\"><title>", stream);
    write_escaped(stream, plot->names[0]);
    fprintf(stream, "=");
    write_escaped(stream, row_label);
    fputs(", ", stream);
    write_escaped(stream, plot->names[1]);
    fprintf(stream, "=");
    write_escaped(stream, column_label);
    fprintf(stream, ": %s", score);
    if (candidate >= 0 && isfinite(plot->input.std_test[candidate]))
        fprintf(stream, " (std %.3f)", plot->input.std_test[candidate]);
    fputs("</title></rect>\n", stream);
    fprintf(stream, "<text class=\"score\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
            "font-size=\"%d\" fill=\"%s\">%s</text>\n", x + width / 2.0,
            y + HEATMAP_CELL_HEIGHT / 2.0 + 4.0, HEATMAP_FONT, ink, score);
}

static void write_heatmap(FILE *stream, const struct gcv_plot *plot)
{
    char title[512], label[128], fixed[1024], subtitle[1100] = "";
    double cell_width = HEATMAP_MIN_CELL_WIDTH, row_label_width = 0.0, top = HEATMAP_TOP, left,
           grid_width, grid_height, width, height, low, high;
    size_t n_rows = plot->n_values[0], n_columns = plot->n_values[1];

    /* Sizes: cells wide enough for the column labels, margins for the row
     * labels, the axis names and the colour bar. */
    for (size_t j = 0; j < n_columns; j++) {
        gcv_plot_format_value(plot->values[1][j], label, sizeof label);
        if (text_width(label, HEATMAP_FONT) + 12.0 > cell_width)
            cell_width = text_width(label, HEATMAP_FONT) + 12.0;
    }
    for (size_t i = 0; i < n_rows; i++) {
        gcv_plot_format_value(plot->values[0][i], label, sizeof label);
        if (text_width(label, HEATMAP_FONT) > row_label_width)
            row_label_width = text_width(label, HEATMAP_FONT);
    }
    snprintf(title, sizeof title, "%s: mean test %s over %s and %s", plot->input.estimator,
             plot->input.scorer_name, plot->names[0], plot->names[1]);
    left = 16.0 + 18.0 + 10.0 + row_label_width + 8.0;
    grid_width = cell_width * (double)n_columns;
    grid_height = HEATMAP_CELL_HEIGHT * (double)n_rows;
    width = left + grid_width + 20.0 + COLOURBAR_WIDTH + 70.0;
    if (text_width(title, 16) + 32.0 > width)
        width = text_width(title, 16) + 32.0;
    if (plot->n_varying > plot->n_axes) {
        format_left_out(plot, fixed, sizeof fixed);
        snprintf(subtitle, sizeof subtitle, "at the best %s", fixed);
        top += 18.0;
        if (text_width(subtitle, 12) + 32.0 > width)
            width = text_width(subtitle, 12) + 32.0;
    }
    height = top + grid_height + 56.0;
    if (!score_range(plot, &low, &high))
        low = high = NAN;

    write_header(stream, width, height, title);
    if (subtitle[0] != '\0')
        write_text(stream, "subtitle", width / 2.0, 48.0, "middle", 12, false, subtitle);

    /* Cells, row by row, then the outline of the best one on top. */
    fputs("<g class=\"cells\">\n", stream);
    for (size_t i = 0; i < n_rows; i++)
        for (size_t j = 0; j < n_columns; j++)
            write_cell(stream, plot, i, j, left + cell_width * (double)j,
                       top + HEATMAP_CELL_HEIGHT * (double)i, cell_width, low, high);
    fputs("</g>\n", stream);
    for (size_t i = 0; i < n_rows; i++)
        for (size_t j = 0; j < n_columns; j++)
            if (plot->cells[i * n_columns + j] == (long)plot->input.best_index)
                fprintf(stream, "<rect class=\"best\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                        "height=\"%.1f\" fill=\"none\" stroke=\"#e31a1c\" "
                        "stroke-width=\"3\"/>\n", left + cell_width * (double)j + 1.5,
                        top + HEATMAP_CELL_HEIGHT * (double)i + 1.5, cell_width - 3.0,
                        HEATMAP_CELL_HEIGHT - 3.0);

    /* Axes: the columns' values below the cells, the rows' to the left. */
    fputs("<g class=\"x-axis\">\n", stream);
    for (size_t j = 0; j < n_columns; j++) {
        gcv_plot_format_value(plot->values[1][j], label, sizeof label);
        write_text(stream, "tick", left + cell_width * ((double)j + 0.5),
                   top + grid_height + 18.0, "middle", HEATMAP_FONT, false, label);
    }
    write_text(stream, "axis-label", left + grid_width / 2.0, top + grid_height + 42.0,
               "middle", 14, false, plot->names[1]);
    fputs("</g>\n<g class=\"y-axis\">\n", stream);
    for (size_t i = 0; i < n_rows; i++) {
        gcv_plot_format_value(plot->values[0][i], label, sizeof label);
        write_text(stream, "tick", left - 8.0,
                   top + HEATMAP_CELL_HEIGHT * ((double)i + 0.5) + 4.0, "end",
                   HEATMAP_FONT, false, label);
    }
    write_text(stream, "axis-label", 16.0 + 12.0, top + grid_height / 2.0, "middle", 14,
               true, plot->names[0]);
    fputs("</g>\n", stream);

    if (isfinite(low))
        write_colourbar(stream, left + grid_width + 20.0, top, grid_height, low, high,
                        plot->input.scorer_name);
    fputs("</svg>\n", stream);
}

/* ---- Validation curve ------------------------------------------------- */

#define CURVE_WIDTH 480.0
#define CURVE_HEIGHT 300.0
#define CURVE_LEFT 96.0
#define CURVE_TOP 48.0
#define CURVE_LEGEND_WIDTH 170.0

enum x_scale {
    X_CATEGORIES,  /* evenly spaced, in grid order: a value is not a number */
    X_LINEAR,
    X_LOG,         /* all values > 0 and spanning more than two decades */
};

/* The points of the curve, sorted by x for numeric values. */
struct curve {
    enum x_scale scale;
    size_t n;
    size_t *order;     /* [n] positions in plot->values[0], plotting order, owned */
    double *x;         /* [n] pixel x of each position in order, owned */
    double y_low, y_high;  /* score range of the y axis */
};

/* Sorts order[0..n) by numbers[order[i]], keeping grid order among equal
 * numbers: an insertion sort, since a grid axis has few values and qsort
 * takes no context argument in C11. */
static void sort_by_number(size_t *order, size_t n, const double *numbers)
{
    for (size_t i = 1; i < n; i++) {
        size_t key = order[i], k = i;

        while (k > 0 && numbers[order[k - 1]] > numbers[key]) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = key;
    }
}

/* Widens [low, high] by the band of mean +/- std of each plotted cell. */
static void extend_range(const struct gcv_plot *plot, const double *mean, const double *std,
                         double *low, double *high)
{
    for (size_t i = 0; i < plot->n_values[0]; i++) {
        long c = plot->cells[i];
        double spread;

        if (c < 0 || !isfinite(mean[c]))
            continue;
        spread = std != NULL && isfinite(std[c]) ? std[c] : 0.0;
        *low = mean[c] - spread < *low ? mean[c] - spread : *low;
        *high = mean[c] + spread > *high ? mean[c] + spread : *high;
    }
}

/* Chooses the x scale and positions and the y range. */
static enum gcv_status curve_layout(const struct gcv_plot *plot, struct curve *curve,
                                    struct gcv_error *err)
{
    size_t n = plot->n_values[0];
    double *numbers = malloc(n * sizeof *numbers);
    double low = INFINITY, high = -INFINITY, x_low = INFINITY, x_high = -INFINITY;
    bool numeric = true, positive = true;

    curve->n = n;
    curve->order = malloc(n * sizeof *curve->order);
    curve->x = malloc(n * sizeof *curve->x);
    if (numbers == NULL || curve->order == NULL || curve->x == NULL) {
        free(numbers);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for a curve of %zu points", n);
    }

    /* Scale: numbers on a log axis when they span more than two decades. */
    for (size_t i = 0; i < n; i++) {
        curve->order[i] = i;
        if (plot->values[0][i]->kind == GCV_VALUE_BOOL ||
            !gcv_value_as_number(plot->values[0][i], &numbers[i]) || !isfinite(numbers[i])) {
            numeric = false;
            continue;
        }
        positive = positive && numbers[i] > 0.0;
        x_low = numbers[i] < x_low ? numbers[i] : x_low;
        x_high = numbers[i] > x_high ? numbers[i] : x_high;
    }
    curve->scale = !numeric ? X_CATEGORIES
                   : (positive && x_high / x_low > 100.0) ? X_LOG : X_LINEAR;
    if (curve->scale != X_CATEGORIES)
        sort_by_number(curve->order, n, numbers);

    for (size_t k = 0; k < n; k++) {
        double u;
        size_t i = curve->order[k];

        if (curve->scale == X_CATEGORIES)
            u = ((double)k + 0.5) / (double)n;
        else if (x_high == x_low)
            u = 0.5;
        else if (curve->scale == X_LOG)
            u = 0.05 + 0.9 * (log10(numbers[i]) - log10(x_low)) /
                           (log10(x_high) - log10(x_low));
        else
            u = 0.05 + 0.9 * (numbers[i] - x_low) / (x_high - x_low);
        curve->x[k] = CURVE_LEFT + u * CURVE_WIDTH;
    }
    free(numbers);

    /* y: every band, with a 5% margin; a flat curve gets a small range. */
    extend_range(plot, plot->input.mean_test, plot->input.std_test, &low, &high);
    if (plot->input.mean_train != NULL)
        extend_range(plot, plot->input.mean_train, plot->input.std_train, &low, &high);
    if (!(low <= high)) {
        low = 0.0;
        high = 1.0;
    }
    if (high - low < 1e-9) {
        double pad = fabs(high) > 1e-9 ? 0.05 * fabs(high) : 0.05;
        low -= pad;
        high += pad;
    }
    curve->y_low = low - 0.05 * (high - low);
    curve->y_high = high + 0.05 * (high - low);
    return GCV_OK;
}

static double curve_y(const struct curve *curve, double score)
{
    return CURVE_TOP + CURVE_HEIGHT * (curve->y_high - score) / (curve->y_high - curve->y_low);
}

/* Returns a step of 1, 2 or 5 times a power of ten that cuts span into
 * about five intervals. */
static double nice_step(double span)
{
    double raw = span / 5.0;
    double power = pow(10.0, floor(log10(raw)));
    double fraction = raw / power;

    if (fraction < 1.5)
        return power;
    if (fraction < 3.5)
        return 2.0 * power;
    if (fraction < 7.5)
        return 5.0 * power;
    return 10.0 * power;
}

/* Writes each mean of one score as a point with an error bar of +/- std,
 * shifted by offset pixels so that the train and test bars stand apart.
 * Values that are not numbers get bars, because they have no order for a
 * line to follow. */
static void write_bars(FILE *stream, const struct gcv_plot *plot, const struct curve *curve,
                       const double *mean, const double *std, const char *class_name,
                       const char *colour, double offset)
{
    for (size_t k = 0; k < curve->n; k++) {
        long c = plot->cells[curve->order[k]];
        double spread, x = curve->x[k] + offset;

        if (c < 0 || !isfinite(mean[c]))
            continue;
        spread = isfinite(std[c]) ? std[c] : 0.0;
        fprintf(stream, "<line class=\"%s-bar\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                "y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>\n", class_name, x,
                curve_y(curve, mean[c] + spread), x, curve_y(curve, mean[c] - spread), colour);
        fprintf(stream, "<circle class=\"%s-point\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" "
                "fill=\"%s\"/>\n", class_name, x, curve_y(curve, mean[c]), colour);
    }
}

/* Writes the band of mean +/- std and the line of the means of one score,
 * broken where a cell is missing or NaN; error bars when the values are not
 * numbers. */
static void write_series(FILE *stream, const struct gcv_plot *plot, const struct curve *curve,
                         const double *mean, const double *std, const char *class_name,
                         const char *colour)
{
    size_t start = 0;

    if (curve->scale == X_CATEGORIES) {
        write_bars(stream, plot, curve, mean, std, class_name, colour,
                   plot->input.mean_train != NULL ? (strcmp(class_name, "train") == 0 ? -5.0 : 5.0)
                                                  : 0.0);
        return;
    }

    while (start < curve->n) {
        size_t end = start;
        long c;

        /* One run of consecutive finite points. */
        while (end < curve->n && (c = plot->cells[curve->order[end]]) >= 0 && isfinite(mean[c]))
            end++;
        if (end == start) {
            start++;
            continue;
        }

        fprintf(stream, "<polygon class=\"%s-band\" fill=\"%s\" fill-opacity=\"0.2\" "
                "stroke=\"none\" points=\"", class_name, colour);
        for (size_t k = start; k < end; k++) {
            c = plot->cells[curve->order[k]];
            fprintf(stream, "%.1f,%.1f ", curve->x[k],
                    curve_y(curve, mean[c] + (isfinite(std[c]) ? std[c] : 0.0)));
        }
        for (size_t k = end; k-- > start;) {
            c = plot->cells[curve->order[k]];
            fprintf(stream, "%.1f,%.1f ", curve->x[k],
                    curve_y(curve, mean[c] - (isfinite(std[c]) ? std[c] : 0.0)));
        }
        fprintf(stream, "\"/>\n<polyline class=\"%s\" fill=\"none\" stroke=\"%s\" "
                "stroke-width=\"2\" points=\"", class_name, colour);
        for (size_t k = start; k < end; k++)
            fprintf(stream, "%.1f,%.1f ", curve->x[k],
                    curve_y(curve, mean[plot->cells[curve->order[k]]]));
        fputs("\"/>\n", stream);
        for (size_t k = start; k < end; k++)
            fprintf(stream, "<circle class=\"%s-point\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\" "
                    "fill=\"%s\"/>\n", class_name, curve->x[k],
                    curve_y(curve, mean[plot->cells[curve->order[k]]]), colour);
        start = end;
    }
}

/* Writes the frame, the y grid lines and labels, and the x labels (every
 * value, or every k-th when they would overlap). */
static void write_curve_axes(FILE *stream, const struct gcv_plot *plot,
                             const struct curve *curve)
{
    double step = nice_step(curve->y_high - curve->y_low);
    double widest = 0.0;
    size_t every = 1;
    char label[128];

    fputs("<g class=\"y-axis\">\n", stream);
    for (double tick = ceil(curve->y_low / step) * step; tick <= curve->y_high; tick += step) {
        double y = curve_y(curve, tick);
        fprintf(stream, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#dddddd\"/>\n", CURVE_LEFT, y, CURVE_LEFT + CURVE_WIDTH, y);
        snprintf(label, sizeof label, "%.*f", step >= 1.0 ? 0 : (int)ceil(-log10(step) - 1e-9),
                 fabs(tick) < step * 1e-6 ? 0.0 : tick);
        write_text(stream, "tick", CURVE_LEFT - 6.0, y + 4.0, "end", 11, false, label);
    }
    write_text(stream, "axis-label", 40.0, CURVE_TOP + CURVE_HEIGHT / 2.0, "middle", 14, true,
               plot->input.scorer_name);
    fputs("</g>\n<g class=\"x-axis\">\n", stream);

    for (size_t k = 0; k < curve->n; k++) {
        gcv_plot_format_value(plot->values[0][curve->order[k]], label, sizeof label);
        widest = text_width(label, 11) > widest ? text_width(label, 11) : widest;
    }
    while (curve->n > 1 && every < curve->n &&
           widest + 6.0 > (CURVE_WIDTH * 0.9 / (double)(curve->n - 1)) * (double)every)
        every++;
    for (size_t k = 0; k < curve->n; k++) {
        fprintf(stream, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#444444\"/>\n", curve->x[k], CURVE_TOP + CURVE_HEIGHT, curve->x[k],
                CURVE_TOP + CURVE_HEIGHT + 4.0);
        if (k % every != 0)
            continue;
        gcv_plot_format_value(plot->values[0][curve->order[k]], label, sizeof label);
        write_text(stream, "tick", curve->x[k], CURVE_TOP + CURVE_HEIGHT + 17.0, "middle", 11,
                   false, label);
    }
    snprintf(label, sizeof label, "%s%s", plot->names[0],
             curve->scale == X_LOG ? " (log scale)" : "");
    write_text(stream, "axis-label", CURVE_LEFT + CURVE_WIDTH / 2.0,
               CURVE_TOP + CURVE_HEIGHT + 40.0, "middle", 14, false, label);
    fputs("</g>\n", stream);
    fprintf(stream, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
            "fill=\"none\" stroke=\"#444444\"/>\n", CURVE_LEFT, CURVE_TOP, CURVE_WIDTH,
            CURVE_HEIGHT);
}

/* Writes one legend entry: a line sample and its text. */
static void write_legend_entry(FILE *stream, double x, double y, const char *colour,
                               const char *text)
{
    fprintf(stream, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
            "stroke-width=\"2\"/>\n", x, y, x + 22.0, y, colour);
    write_text(stream, "legend", x + 28.0, y + 4.0, "start", 11, false, text);
}

static enum gcv_status write_curve(FILE *stream, const struct gcv_plot *plot,
                                   struct gcv_error *err)
{
    /* Test in viridis' dark blue, train in its green, the best in red. */
    static const char test_colour[] = "#3b528b", train_colour[] = "#21a585",
                      best_colour[] = "#e31a1c";
    struct curve curve = {0};
    char title[512];
    double legend_x = CURVE_LEFT + CURVE_WIDTH + 16.0;
    enum gcv_status status;

    if ((status = curve_layout(plot, &curve, err)) != GCV_OK)
        goto cleanup;
    snprintf(title, sizeof title, "%s: validation curve of %s over %s", plot->input.estimator,
             plot->input.scorer_name, plot->names[0]);
    write_header(stream, CURVE_LEFT + CURVE_WIDTH + CURVE_LEGEND_WIDTH,
                 CURVE_TOP + CURVE_HEIGHT + 60.0, title);
    write_curve_axes(stream, plot, &curve);

    if (plot->input.mean_train != NULL)
        write_series(stream, plot, &curve, plot->input.mean_train, plot->input.std_train,
                     "train", train_colour);
    write_series(stream, plot, &curve, plot->input.mean_test, plot->input.std_test, "test",
                 test_colour);
    for (size_t k = 0; k < curve.n; k++) {
        long c = plot->cells[curve.order[k]];
        double shift = curve.scale == X_CATEGORIES && plot->input.mean_train != NULL ? 5.0 : 0.0;
        if (c == (long)plot->input.best_index && isfinite(plot->input.mean_test[c]))
            fprintf(stream, "<circle class=\"best\" cx=\"%.1f\" cy=\"%.1f\" r=\"7\" "
                    "fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\"/>\n", curve.x[k] + shift,
                    curve_y(&curve, plot->input.mean_test[c]), best_colour);
    }

    write_legend_entry(stream, legend_x, CURVE_TOP + 10.0, test_colour, "test, mean ± std");
    if (plot->input.mean_train != NULL)
        write_legend_entry(stream, legend_x, CURVE_TOP + 30.0, train_colour,
                           "train, mean ± std");
    fprintf(stream, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"6\" fill=\"none\" stroke=\"%s\" "
            "stroke-width=\"2.5\"/>\n", legend_x + 11.0,
            CURVE_TOP + (plot->input.mean_train != NULL ? 50.0 : 30.0), best_colour);
    write_text(stream, "legend", legend_x + 28.0,
               CURVE_TOP + (plot->input.mean_train != NULL ? 54.0 : 34.0), "start", 11, false,
               "best");
    fputs("</svg>\n", stream);

cleanup:
    free(curve.order);
    free(curve.x);
    return status;
}

/* ---- Files ------------------------------------------------------------ */

static enum gcv_status remove_file(const char *folder, const char *name, struct gcv_error *err)
{
    char path[4200];

    snprintf(path, sizeof path, "%s/%s", folder, name);
    if (unlink(path) != 0 && errno != ENOENT)
        return gcv_error_set(err, GCV_ERR_IO, "cannot remove the old plot %s: %s", path,
                             strerror(errno));
    return GCV_OK;
}

enum gcv_status gcv_plot_write(struct gcv_plot *plot, const char *folder,
                               struct gcv_error *err)
{
    static const char heatmap[] = "heatmap.svg", curve[] = "validation_curve.svg";
    struct gcv_output_file file;
    const char *name = NULL;
    enum gcv_status status;

    if (plot->n_axes == 2)
        name = heatmap;
    else if (plot->n_axes == 1)
        name = curve;

    plot->file = NULL;
    if ((status = remove_file(folder, name == heatmap ? curve : heatmap, err)) != GCV_OK)
        return status;
    if (name == NULL)
        return remove_file(folder, curve, err);

    if ((status = gcv_output_open(&file, folder, name, err)) != GCV_OK)
        return status;
    if (plot->n_axes == 2) {
        write_heatmap(file.stream, plot);
    } else if ((status = write_curve(file.stream, plot, err)) != GCV_OK) {
        gcv_output_abandon(&file);
        return status;
    }
    if ((status = gcv_output_commit(&file, err)) != GCV_OK)
        return status;
    plot->file = name;
    return GCV_OK;
}
