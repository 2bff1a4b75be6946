#include "summary.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include "output.h"

/* Seconds between two plain progress lines when standard error is a log
 * file, so a long search writes a bounded number of lines. */
#define PLAIN_PROGRESS_INTERVAL 10.0

void gcv_progress_init(struct gcv_progress *progress, int verbosity)
{
    memset(progress, 0, sizeof *progress);
    progress->verbosity = verbosity;
    progress->on_terminal = isatty(STDERR_FILENO);
    progress->start = gcv_task_clock();
    progress->last_print = progress->start;
    progress->best_mean = NAN;
}

/* Returns the best mean test score among candidates whose folds have all
 * finished, or NaN when none has. */
static double best_finished_mean(const struct gcv_results *results)
{
    double best = NAN;

    for (size_t c = 0; c < results->n_candidates; c++) {
        const double *row = &results->test_scores[c * results->n_folds * results->n_scorers];
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

    if (progress->verbosity >= 2)
        fprintf(stderr, "[fit %zu/%zu] candidate %d fold %d: %s=%.4f fit %.3fs (rank %d)%s%s\n",
                results->n_done, n_tasks, (int)last->candidate, (int)last->fold,
                results->scorer_names[0], last->test_scores[0], last->fit_time, (int)last->rank,
                last->status != GCV_OK ? " failed: " : "", last->message);
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
            elapsed, eta, results->scorer_names[0], best,
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

void gcv_summary_print_end(FILE *stream, const struct gcv_spec *spec,
                           const struct gcv_results *results,
                           const struct gcv_refit_outcome *refit, double wall_time,
                           const char *folder)
{
    size_t best = results->best_index;
    const char *scorer = results->scorer_names[0];

    fprintf(stream, "best parameters:  ");
    print_params_python(stream, &spec->grid.candidates[best]);
    fprintf(stream, "\nbest CV %s: %.6f (+/- %.6f, candidate %zu of %zu)\n", scorer,
            results->mean_test[best], results->std_test[best], best, results->n_candidates);
    if (refit->done && refit->has_holdout)
        fprintf(stream, "holdout %s: %.6f on %zu rows (refit in %.3fs)\n", scorer,
                refit->holdout_score, refit->n_holdout, refit->refit_time);
    else if (refit->done)
        fprintf(stream, "refit on all search rows in %.3fs (no holdout set)\n", refit->refit_time);
    fprintf(stream, "fits: %zu done, %zu failed; wall time %.2fs\n", results->n_done,
            results->n_failed, wall_time);
    for (size_t k = 0; k < results->n_failure_kinds; k++)
        fprintf(stream, "  %zu fits failed: %s\n", results->failures[k].count,
                results->failures[k].message);
    fprintf(stream, "results: %s/cv_results.csv, %s/cv_results.json, %s/best.json\n", folder,
            folder, folder);
    fflush(stream);
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
    gcv_output_json_number(file.stream, results->mean_test[results->best_index]);
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
    fprintf(file.stream, ",\n  \"n_fits\": %zu,\n  \"n_failed_fits\": %zu",
            results->n_candidates * results->n_folds, results->n_failed);
    fprintf(file.stream, ",\n  \"n_candidates\": %zu,\n  \"n_splits\": %zu", results->n_candidates,
            results->n_folds);
    fputs(",\n  \"scoring\": ", file.stream);
    gcv_output_json_string(file.stream, results->scorer_names[0]);
    fputs(",\n  \"estimator\": ", file.stream);
    gcv_output_json_string(file.stream, spec->estimator);
    fputs(",\n  \"wall_time\": ", file.stream);
    gcv_output_json_number(file.stream, wall_time);
    fputs("\n}\n", file.stream);
    return gcv_output_commit(&file, err);
}
