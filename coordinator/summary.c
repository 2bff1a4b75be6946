#include "summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/shm.h"
#include "output.h"
#include "plot.h"

/* Seconds between two plain progress lines when standard error is a log
 * file, so a long search writes a bounded number of lines. */
#define PLAIN_PROGRESS_INTERVAL 10.0

void gcv_progress_init(struct gcv_progress *progress, int verbosity,
                       const struct gcv_grid *grid)
{
    memset(progress, 0, sizeof *progress);
    progress->verbosity = verbosity;
    progress->grid = grid;
    progress->on_terminal = isatty(STDERR_FILENO);
    progress->start = gcv_task_clock();
    progress->last_print = progress->start;
    progress->best_mean = NAN;
}

/* Returns the best mean test score of the refit scorer among candidates
 * whose folds have all finished, or NaN when none has. */
static double best_finished_mean(const struct gcv_results *results)
{
    double best = NAN;

    for (size_t c = 0; c < results->n_candidates; c++) {
        const double *row = &results->test_scores[c * results->n_folds * results->n_scorers +
                                                  results->refit_scorer];
        double sum = 0.0;
        bool complete = true;

        for (size_t f = 0; f < results->n_folds; f++) {
            complete = complete && results->done[c * results->n_folds + f];
            sum += row[f * results->n_scorers];
        }
        if (complete && isfinite(sum) && !(sum / (double)results->n_folds <= best))
            best = sum / (double)results->n_folds;
    }
    return best;
}

/* Compares two parameters by name, as Python sorts dict keys. */
static int compare_param_names(const void *a, const void *b)
{
    const struct gcv_param *const *left = a, *const *right = b;
    return strcmp((*left)->name, (*right)->name);
}

/* Appends to tail[used..len) the scores of a fit of a multi-metric search,
 * as scikit-learn 1.2's _fit_and_score writes them: " f1: (train=0.981,
 * test=0.973)" for each scorer in name order. Returns the new length. */
static size_t print_scorer_scores(const struct gcv_results *results,
                                  const struct gcv_task_result *last, char *tail, size_t used,
                                  size_t len)
{
    size_t order[GCV_MAX_SCORERS];

    for (size_t s = 0; s < results->n_scorers; s++) {
        size_t k = s;
        for (; k > 0 && strcmp(results->scorer_names[order[k - 1]], results->scorer_names[s]) > 0;
             k--)
            order[k] = order[k - 1];
        order[k] = s;
    }
    for (size_t k = 0; k < results->n_scorers && used < len; k++) {
        size_t s = order[k];
        used += (size_t)snprintf(tail + used, len - used, " %s: (", results->scorer_names[s]);
        if (results->has_train && used < len)
            used += (size_t)snprintf(tail + used, len - used, "train=%.3f, ",
                                     last->train_scores[s]);
        if (used < len)
            used += (size_t)snprintf(tail + used, len - used, "test=%.3f)", last->test_scores[s]);
    }
    return used;
}

/* Prints the line of one finished fit as scikit-learn 1.2's _fit_and_score
 * does with verbose=3, "[CV 1/5] END ...C=1, gamma=0.1;, score=0.967 total
 * time=   0.0s": keys sorted, values as Python's str(), dots padding the
 * line to 80 columns. The rank that ran the fit and any failure follow. */
static void print_fit_line(const struct gcv_progress *progress,
                           const struct gcv_results *results, const struct gcv_task_result *last)
{
    const struct gcv_param_set *params = &progress->grid->candidates[last->candidate];
    const struct gcv_param *sorted[GCV_PLOT_MAX_PARAMS];
    char head[64], tail[1024], value[256];
    size_t n = params->count < GCV_PLOT_MAX_PARAMS ? params->count : GCV_PLOT_MAX_PARAMS;
    size_t used = 0;
    double total_time = last->fit_time + last->score_time;
    int n_dots;

    snprintf(head, sizeof head, "[CV %d/%zu] END ", (int)last->fold + 1, results->n_folds);
    for (size_t i = 0; i < n; i++)
        sorted[i] = &params->items[i];
    qsort(sorted, n, sizeof *sorted, compare_param_names);
    for (size_t i = 0; i < n && used < sizeof tail; i++) {
        gcv_plot_format_value(&sorted[i]->value, value, sizeof value);
        used += (size_t)snprintf(tail + used, sizeof tail - used, "%s%s=%s", i > 0 ? ", " : "",
                                 sorted[i]->name, value);
    }
    if (n > 0 && used < sizeof tail)
        used += (size_t)snprintf(tail + used, sizeof tail - used, ";");
    if (results->multimetric)
        used = print_scorer_scores(results, last, tail, used, sizeof tail);
    else if (used < sizeof tail && results->has_train)
        used += (size_t)snprintf(tail + used, sizeof tail - used,
                                 ", score=(train=%.3f, test=%.3f)", last->train_scores[0],
                                 last->test_scores[0]);
    else if (used < sizeof tail)
        used += (size_t)snprintf(tail + used, sizeof tail - used, ", score=%.3f",
                                 last->test_scores[0]);
    /* joblib's short_format_time. */
    if (used < sizeof tail && total_time > 60.0)
        snprintf(tail + used, sizeof tail - used, " total time=%4.1fmin", total_time / 60.0);
    else if (used < sizeof tail)
        snprintf(tail + used, sizeof tail - used, " total time= %5.1fs", total_time);

    n_dots = 80 - (int)strlen(head) - (int)strlen(tail);
    fprintf(stderr, "%s%s%.*s%s (rank %d)%s%s\n", progress->on_terminal ? "\r\033[K" : "", head,
            n_dots > 0 ? n_dots : 0,
            "................................................................................",
            tail, (int)last->rank, last->status != GCV_OK ? "; fit failed: " : "",
            last->status != GCV_OK ? last->message : "");
}

void gcv_progress_update(const struct gcv_results *results, const struct gcv_task_result *last,
                         void *arg)
{
    struct gcv_progress *progress = arg;
    size_t n_tasks = results->n_candidates * results->n_folds;
    double now = gcv_task_clock();
    double elapsed = now - progress->start;
    double eta = results->n_done > 0
                     ? elapsed / (double)results->n_done * (double)(n_tasks - results->n_done)
                     : 0.0;
    char best[32] = "-";

    if (progress->verbosity >= 2 && progress->grid != NULL)
        print_fit_line(progress, results, last);
    if (progress->verbosity < 1)
        return;
    if (!progress->on_terminal && results->n_done < n_tasks &&
        now - progress->last_print < PLAIN_PROGRESS_INTERVAL)
        return;

    progress->best_mean = best_finished_mean(results);
    if (isfinite(progress->best_mean))
        snprintf(best, sizeof best, "%.4f", progress->best_mean);
    fprintf(stderr, "%s%zu/%zu fits, %zu failed, %.1fs elapsed, ETA %.1fs, best %s %s%s",
            progress->on_terminal ? "\r" : "", results->n_done, n_tasks, results->n_failed,
            elapsed, eta, results->scorer_names[results->refit_scorer], best,
            progress->on_terminal ? "\033[K" : "\n");
    fflush(stderr);
    progress->last_print = now;
}

void gcv_progress_finish(struct gcv_progress *progress)
{
    if (progress->verbosity >= 1 && progress->on_terminal) {
        fputc('\n', stderr);
        fflush(stderr);
    }
}

void gcv_summary_print_start(FILE *stream, const struct gcv_spec *spec,
                             const struct gcv_dataset *data, size_t n_search_rows,
                             size_t n_folds, int n_workers)
{
    fprintf(stream, "Fitting %zu folds for each of %zu candidates, totalling %zu fits "
            "(%s on %zu x %zu rows x features, %d worker%s)\n",
            n_folds, spec->grid.n_candidates, n_folds * spec->grid.n_candidates, spec->estimator,
            n_search_rows, data->n_features, n_workers, n_workers == 1 ? "" : "s");
    fflush(stream);
}

/* Hosts, and rank ranges per host, that the hosts line names before it
 * sums up the rest, so that a job of thousands of ranks prints one short
 * line. */
#define MAX_LISTED_HOSTS 16
#define MAX_LISTED_RANGES 8

/* One rank and the host it runs on. */
struct rank_host {
    const char *name;  /* borrowed from the gathered names */
    int rank;
};

/* The ranks of one host: entries[start .. start + count) of the sorted
 * rank list. */
struct host_group {
    int first_rank;
    size_t start;
    size_t count;
    int min_threads;
    int max_threads;
};

/* Orders ranks by host name, then by rank. */
static int compare_rank_hosts(const void *a, const void *b)
{
    const struct rank_host *left = a, *right = b;
    int order = strcmp(left->name, right->name);

    if (order != 0)
        return order;
    return (left->rank > right->rank) - (left->rank < right->rank);
}

static int compare_first_ranks(const void *a, const void *b)
{
    const struct host_group *left = a, *right = b;

    return (left->first_rank > right->first_rank) - (left->first_rank < right->first_rank);
}

/* Prints sorted ranks as ranges: "ranks 0-1, 4". */
static void print_rank_ranges(FILE *stream, const struct rank_host *entries, size_t count)
{
    size_t n_ranges = 0;

    fputs(count == 1 ? "rank " : "ranks ", stream);
    for (size_t i = 0; i < count;) {
        size_t end = i;

        while (end + 1 < count && entries[end + 1].rank == entries[end].rank + 1)
            end++;
        if (n_ranges == MAX_LISTED_RANGES) {
            fputs(", ...", stream);
            return;
        }
        fprintf(stream, "%s%d", n_ranges > 0 ? ", " : "", entries[i].rank);
        if (end > i)
            fprintf(stream, "-%d", entries[end].rank);
        n_ranges++;
        i = end + 1;
    }
}

void gcv_summary_print_hosts(FILE *stream, const char *hosts, size_t name_size,
                             const int *blas_threads, int n_ranks)
{
    size_t n = n_ranks > 0 ? (size_t)n_ranks : 0, n_groups = 0, n_listed;
    struct rank_host *entries = malloc((n > 0 ? n : 1) * sizeof *entries); /* [n], owned */
    struct host_group *groups = malloc((n > 0 ? n : 1) * sizeof *groups);  /* [n], owned */
    int min_threads = 0, max_threads = 0, other_ranks = 0;

    if (n == 0 || entries == NULL || groups == NULL) {
        fputs("hosts: not listed (out of memory)\n", stream);
        goto cleanup;
    }

    /* Group the ranks by host. A host's group starts at its lowest rank. */
    for (size_t r = 0; r < n; r++) {
        entries[r].name = hosts + r * name_size;
        entries[r].rank = (int)r;
    }
    qsort(entries, n, sizeof *entries, compare_rank_hosts);
    for (size_t i = 0; i < n; i++) {
        int threads = blas_threads[entries[i].rank];

        if (i == 0 || strcmp(entries[i].name, entries[i - 1].name) != 0)
            groups[n_groups++] = (struct host_group){entries[i].rank, i, 0, threads, threads};
        groups[n_groups - 1].count++;
        if (threads < groups[n_groups - 1].min_threads)
            groups[n_groups - 1].min_threads = threads;
        if (threads > groups[n_groups - 1].max_threads)
            groups[n_groups - 1].max_threads = threads;
    }
    qsort(groups, n_groups, sizeof *groups, compare_first_ranks);
    min_threads = groups[0].min_threads;
    max_threads = groups[0].max_threads;
    for (size_t g = 1; g < n_groups; g++) {
        min_threads = groups[g].min_threads < min_threads ? groups[g].min_threads : min_threads;
        max_threads = groups[g].max_threads > max_threads ? groups[g].max_threads : max_threads;
    }

    /* One entry per host. The thread count goes into each entry only when
     * the ranks differ in it. */
    n_listed = n_groups < MAX_LISTED_HOSTS ? n_groups : MAX_LISTED_HOSTS;
    fputs("hosts: ", stream);
    for (size_t g = 0; g < n_listed; g++) {
        const struct host_group *group = &groups[g];

        fprintf(stream, "%s%s (", g > 0 ? ", " : "", entries[group->start].name);
        print_rank_ranges(stream, &entries[group->start], group->count);
        if (min_threads != max_threads && group->min_threads == group->max_threads)
            fprintf(stream, "; %d BLAS thread%s each", group->min_threads,
                    group->min_threads == 1 ? "" : "s");
        else if (min_threads != max_threads)
            fprintf(stream, "; %d to %d BLAS threads", group->min_threads, group->max_threads);
        fputc(')', stream);
    }
    for (size_t g = n_listed; g < n_groups; g++)
        other_ranks += (int)groups[g].count;
    if (n_groups > n_listed)
        fprintf(stream, " and %zu more hosts with %d ranks", n_groups - n_listed, other_ranks);
    if (min_threads == max_threads)
        fprintf(stream, "; %d BLAS thread%s per rank", min_threads, min_threads == 1 ? "" : "s");
    fputc('\n', stream);

cleanup:
    fflush(stream);
    free(groups);
    free(entries);
}

/* Prints the classes with their counts among the search rows. */
static void print_classes(FILE *stream, const struct gcv_check_report *report)
{
    const struct gcv_dataset *data = report->data;
    size_t *counts = calloc(data->n_classes + 1, sizeof *counts);
    char label[256];

    fprintf(stream, "classes:     %zu", data->n_classes);
    if (counts == NULL) {
        fputc('\n', stream);
        return;
    }
    for (size_t i = 0; i < report->n_search_rows; i++)
        counts[data->y_class[report->search_rows[i]]]++;
    fputs(" (rows per class in the search rows:", stream);
    for (size_t k = 0; k < data->n_classes; k++) {
        gcv_dataset_format_label(data, (int32_t)k, label, sizeof label);
        fprintf(stream, "%s %s: %zu", k > 0 ? "," : "", label, counts[k]);
    }
    fputs(")\n", stream);
    free(counts);
}

static int compare_value_pointers(const void *a, const void *b)
{
    return gcv_value_compare(*(const struct gcv_value *const *)a,
                             *(const struct gcv_value *const *)b);
}

/* Prints the candidates and how many values each grid parameter takes. */
static void print_candidates(FILE *stream, const struct gcv_grid *grid)
{
    const struct gcv_value **values = malloc((grid->n_candidates + 1) * sizeof *values);

    fprintf(stream, "candidates:  %zu", grid->n_candidates);
    for (size_t k = 0; k < grid->n_param_names && values != NULL; k++) {
        const char *name = grid->param_names[k];
        size_t n_values = 0, n_distinct = 0;

        /* Sorting puts equal values next to each other, so counting the
         * distinct ones costs n log n. A random search draws a new value of
         * each distribution for every candidate, so n can be large. */
        for (size_t c = 0; c < grid->n_candidates; c++) {
            const struct gcv_param *param = gcv_param_set_find(&grid->candidates[c], name);

            if (param != NULL)
                values[n_values++] = &param->value;
        }
        qsort(values, n_values, sizeof *values, compare_value_pointers);
        for (size_t i = 0; i < n_values; i++)
            if (i == 0 || !gcv_value_equal(values[i - 1], values[i]))
                n_distinct++;
        fprintf(stream, "%s%s: %zu value%s", k == 0 ? " (" : ", ", name, n_distinct,
                n_distinct == 1 ? "" : "s");
    }
    fputs(grid->n_param_names > 0 && values != NULL ? ")\n" : "\n", stream);
    free(values);
}

void gcv_summary_print_check(FILE *stream, const struct gcv_check_report *report)
{
    const struct gcv_spec *spec = report->spec;
    const struct gcv_dataset *data = report->data;
    const struct gcv_fold_plan *plan = report->plan;
    size_t n_fits = spec->grid.n_candidates * plan->n_folds, n_holdout;

    /* Spec, data and folds. */
    n_holdout = data->n_rows - report->n_search_rows;
    fprintf(stream, "spec:        %s is valid\n", spec->file);
    if (spec->multimetric) {
        fprintf(stream, "estimator:   %s, scoring", spec->estimator);
        for (size_t s = 0; s < spec->n_scoring; s++)
            fprintf(stream, "%s %s", s > 0 ? "," : "", spec->scoring[s]);
        fprintf(stream, ", refit %s\n", spec->refit ? spec->refit_scorer : "false");
    } else {
        fprintf(stream, "estimator:   %s, scoring %s, refit %s\n", spec->estimator,
                report->scorer_name, spec->refit ? "true" : "false");
    }
    fprintf(stream, "data:        %zu rows x %zu features, %s\n", data->n_rows,
            data->n_features, data->is_classification ? "class labels" : "regression targets");
    if (data->is_classification)
        print_classes(stream, report);
    fprintf(stream, "rows:        %zu search rows, %zu holdout rows\n", report->n_search_rows,
            n_holdout);
    fprintf(stream, "folds:       %zu (%s); train/test rows per fold:", plan->n_folds,
            gcv_splitter_name(report->splitter));
    for (size_t f = 0; f < plan->n_folds; f++)
        fprintf(stream, " %zu/%zu", plan->folds[f].n_train, plan->folds[f].n_test);
    fputc('\n', stream);

    /* What the run would do. */
    print_candidates(stream, &spec->grid);
    fprintf(stream, "fits:        %zu (%zu candidate%s x %zu fold%s)%s\n", n_fits,
            spec->grid.n_candidates, spec->grid.n_candidates == 1 ? "" : "s", plan->n_folds,
            plan->n_folds == 1 ? "" : "s",
            spec->refit ? ", then 1 refit of the best on all search rows" : "");

    /* One worker: check cannot know how many ranks run will have. */
    gcv_shm_print_memory(stream, report->shm, spec, data, plan, 1);
    fprintf(stream, "output:      %s (%s)\n", report->folder, report->folder_state);
    fflush(stream);
}

/* Writes a candidate's grid values as Python prints a dict. */
static void print_params_python(FILE *stream, const struct gcv_param_set *params)
{
    char text[512];

    fputc('{', stream);
    for (size_t i = 0; i < params->count; i++) {
        gcv_value_format_python(&params->items[i].value, text, sizeof text);
        fprintf(stream, "%s'%s': %s", i > 0 ? ", " : "", params->items[i].name, text);
    }
    fputc('}', stream);
}

/* Prints the tuned threshold and its out-of-fold score beside predict's. */
static void print_threshold(FILE *stream, const struct gcv_threshold_result *threshold)
{
    fprintf(stream, "threshold: %.6g on the %s (default %g), tuned for %s: %.6f on %zu "
            "out-of-fold rows, %.6f at the default%s\n", threshold->threshold,
            threshold->from_proba ? "positive class's probability" : "decision values",
            threshold->default_threshold, threshold->objective, threshold->tuned_score,
            threshold->n_rows, threshold->default_score,
            threshold->improved ? "" : " (no threshold beats it, so it is kept)");
}

void gcv_summary_print_end(FILE *stream, const struct gcv_spec *spec,
                           const struct gcv_results *results,
                           const struct gcv_refit_outcome *refit, double wall_time,
                           const char *folder, const struct gcv_plot *plot)
{
    size_t best = results->best_index;
    size_t first = results->refit_scorer * results->n_candidates; /* the refit scorer's row */
    const char *scorer = results->scorer_names[results->refit_scorer];

    fprintf(stream, "best parameters:  ");
    print_params_python(stream, &spec->grid.candidates[best]);
    /* The index counts from 0, as best_index in best.json and scikit-learn's
     * best_index_ do. */
    fprintf(stream, "\nbest CV %s: %.6f (+/- %.6f, candidate index %zu of %zu, counting from 0)\n",
            scorer,
            results->mean_test[first + best], results->std_test[first + best], best,
            results->n_candidates);
    if (results->n_scorers > 1) {
        fprintf(stream, "its mean CV scores:");
        for (size_t s = 0; s < results->n_scorers; s++)
            fprintf(stream, "%s %s %.6f", s > 0 ? "," : "", results->scorer_names[s],
                    results->mean_test[s * results->n_candidates + best]);
        fputc('\n', stream);
    }
    if (refit->done && refit->has_holdout)
        fprintf(stream, "holdout %s: %.6f on %zu rows (refit in %.3fs)\n", scorer,
                refit->holdout_score, refit->n_holdout, refit->refit_time);
    else if (refit->done)
        fprintf(stream, "refit on all search rows in %.3fs (no holdout set)\n", refit->refit_time);
    if (refit->done && refit->threshold.done)
        print_threshold(stream, &refit->threshold);
    fprintf(stream, "fits: %zu done, %zu failed", results->n_done, results->n_failed);
    if (isfinite(wall_time))
        fprintf(stream, "; wall time %.2fs", wall_time);
    fputc('\n', stream);
    for (size_t k = 0; k < results->n_failure_kinds; k++)
        fprintf(stream, "  %zu fits failed: %s\n", results->failures[k].count,
                results->failures[k].message);
    for (size_t k = 0; k < results->n_warning_kinds; k++)
        fprintf(stream, "  %zu fits warned: %s\n", results->warnings[k].count,
                results->warnings[k].message);
    if (plot != NULL)
        gcv_plot_print_table(stream, plot);
    /* A search that stopped early, reported from its journal, wrote no
     * result files. */
    if (results->n_done == results->n_candidates * results->n_folds)
        fprintf(stream, "results: %s/cv_results.csv, %s/cv_results.json, %s/best.json\n",
                folder, folder, folder);
    if (plot != NULL && plot->file != NULL)
        fprintf(stream, "plot: %s/%s\n", folder, plot->file);
    fflush(stream);
}

enum gcv_status gcv_summary_finish(FILE *stream, const struct gcv_spec *spec,
                                   const struct gcv_results *results,
                                   const struct gcv_refit_outcome *refit, double wall_time,
                                   const char *folder, struct gcv_error *err)
{
    /* The plot shows the refit scorer's scores. */
    size_t first = results->refit_scorer * results->n_candidates;
    struct gcv_plot_input input = {
        .grid = &spec->grid,
        .mean_test = results->mean_test + first,
        .std_test = results->std_test + first,
        .mean_train = results->mean_train != NULL ? results->mean_train + first : NULL,
        .std_train = results->std_train != NULL ? results->std_train + first : NULL,
        .best_index = results->best_index,
        .scorer_name = results->scorer_names[results->refit_scorer],
        .estimator = spec->estimator,
    };
    struct gcv_plot plot;
    enum gcv_status status;

    if ((status = gcv_plot_prepare(&plot, &input, err)) != GCV_OK)
        return status;
    status = gcv_plot_write(&plot, folder, err);
    if (status == GCV_OK)
        gcv_summary_print_end(stream, spec, results, refit, wall_time, folder, &plot);
    gcv_plot_free(&plot);
    return status;
}

/* Writes the "threshold" entry of best.json: the objective, which scores
 * were cut, predict's cut and the tuned one, and the objective (and mean
 * cost, with a cost matrix) of both on the pooled out-of-fold rows. */
static void write_threshold_json(FILE *stream, const struct gcv_threshold_result *threshold)
{
    fputs(",\n  \"threshold\": {\"objective\": ", stream);
    gcv_output_json_string(stream, threshold->objective);
    fprintf(stream, ", \"response\": \"%s\", \"positive_class_code\": %d, \"default\": ",
            threshold->from_proba ? "predict_proba" : "decision_function",
            (int)threshold->positive);
    gcv_output_json_number(stream, threshold->default_threshold);
    fputs(", \"value\": ", stream);
    gcv_output_json_number(stream, threshold->threshold);
    fprintf(stream, ", \"improved\": %s, \"cv_score_default\": ",
            threshold->improved ? "true" : "false");
    gcv_output_json_number(stream, threshold->default_score);
    fputs(", \"cv_score_tuned\": ", stream);
    gcv_output_json_number(stream, threshold->tuned_score);
    if (threshold->has_cost) {
        fputs(", \"cv_mean_cost_default\": ", stream);
        gcv_output_json_number(stream, threshold->default_cost);
        fputs(", \"cv_mean_cost_tuned\": ", stream);
        gcv_output_json_number(stream, threshold->tuned_cost);
    }
    fprintf(stream, ", \"n_cv_rows\": %zu}", threshold->n_rows);
}

enum gcv_status gcv_summary_write_best(const struct gcv_spec *spec,
                                       const struct gcv_results *results,
                                       const struct gcv_refit_outcome *refit, double wall_time,
                                       const char *folder, struct gcv_error *err)
{
    const struct gcv_param_set *params = &spec->grid.candidates[results->best_index];
    struct gcv_output_file file;
    char text[512];
    enum gcv_status status;

    if ((status = gcv_output_open(&file, folder, "best.json", err)) != GCV_OK)
        return status;

    fputs("{\n  \"best_params\": {", file.stream);
    for (size_t i = 0; i < params->count; i++) {
        if (i > 0)
            fputs(", ", file.stream);
        gcv_output_json_string(file.stream, params->items[i].name);
        gcv_value_format_json(&params->items[i].value, text, sizeof text);
        fprintf(file.stream, ": %s", text);
    }
    fputs("},\n  \"best_score\": ", file.stream);
    gcv_output_json_number(file.stream, results->mean_test[results->refit_scorer *
                                                           results->n_candidates +
                                                           results->best_index]);
    fprintf(file.stream, ",\n  \"best_index\": %zu,\n  \"refit_time\": ", results->best_index);
    if (refit->done)
        gcv_output_json_number(file.stream, refit->refit_time);
    else
        fputs("null", file.stream);
    fputs(",\n  \"holdout_score\": ", file.stream);
    if (refit->done && refit->has_holdout)
        gcv_output_json_number(file.stream, refit->holdout_score);
    else
        fputs("null", file.stream);
    fprintf(file.stream, ",\n  \"n_holdout\": %zu", refit->has_holdout ? refit->n_holdout : 0);
    if (refit->done && refit->threshold.done)
        write_threshold_json(file.stream, &refit->threshold);
    fprintf(file.stream, ",\n  \"n_fits\": %zu,\n  \"n_failed_fits\": %zu",
            results->n_candidates * results->n_folds, results->n_failed);
    fprintf(file.stream, ",\n  \"n_warned_fits\": %zu", results->n_warned);
    fprintf(file.stream, ",\n  \"n_candidates\": %zu,\n  \"n_splits\": %zu", results->n_candidates,
            results->n_folds);
    fputs(",\n  \"scoring\": ", file.stream);
    gcv_output_json_string(file.stream, results->scorer_names[results->refit_scorer]);
    fputs(",\n  \"scorers\": [", file.stream);
    for (size_t s = 0; s < results->n_scorers; s++) {
        if (s > 0)
            fputs(", ", file.stream);
        gcv_output_json_string(file.stream, results->scorer_names[s]);
    }
    fputc(']', file.stream);
    fputs(",\n  \"estimator\": ", file.stream);
    gcv_output_json_string(file.stream, spec->estimator);
    if (results->halving_json != NULL)
        fprintf(file.stream, ",\n  \"halving\": %s", results->halving_json);
    fputs(",\n  \"wall_time\": ", file.stream);
    gcv_output_json_number(file.stream, wall_time);
    fputs("\n}\n", file.stream);
    return gcv_output_commit(&file, err);
}
