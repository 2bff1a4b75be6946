#include "report.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../common/log.h"
#include "../common/spec.h"
#include "../worker/task.h"
#include "halving.h"
#include "journal.h"
#include "results.h"
#include "summary.h"

/* The inputs of one report, freed in reverse order. */
struct report {
    char folder[4096];
    struct gcv_spec spec;
    struct gcv_task_context ctx;   /* the scorers, and a check of the spec */
    struct gcv_results results;
    struct gcv_refit_outcome refit;
    double wall_time;              /* seconds, or NaN when unknown */
    int64_t *iter;                 /* [results.n_candidates] a halving search's round of each
                                      row, owned; NULL for any other search */
    int64_t *n_resources;          /* [results.n_candidates] its round's resources, owned */
};

/* Builds folder/name into path. */
static void folder_path(const struct report *report, const char *name, char *path, size_t len)
{
    snprintf(path, len, "%s/%s", report->folder, name);
}

static bool file_exists(const struct report *report, const char *name)
{
    char path[4200];
    struct stat info;

    folder_path(report, name, path, sizeof path);
    return stat(path, &info) == 0 && S_ISREG(info.st_mode);
}

/* Reads folder/spec.json, the copy of the spec that run stores, and finds
 * its scorers. The estimator parameters were valid when the search ran, so
 * warnings about them are not repeated here. */
static enum gcv_status read_spec(struct report *report, struct gcv_error *err)
{
    char path[4200];
    char *text = NULL, *discarded;
    struct stat info;
    enum gcv_status status;

    folder_path(report, "spec.json", path, sizeof path);
    if (stat(report->folder, &info) != 0)
        return gcv_error_set(err, GCV_ERR_USAGE, "output folder %s does not exist: give the "
                             "--out folder of a run", report->folder);
    if (!S_ISDIR(info.st_mode))
        return gcv_error_set(err, GCV_ERR_USAGE, "%s is not a folder: give the --out folder "
                             "of a run", report->folder);
    if (!file_exists(report, "spec.json"))
        return gcv_error_set(err, GCV_ERR_USAGE, "%s is not a gridcv output folder: it has no "
                             "spec.json; give the --out folder of a run", report->folder);
    if ((status = gcv_spec_read_file(path, &text, err)) != GCV_OK)
        return status;
    status = gcv_spec_parse(text, path, &report->spec, err);
    free(text);
    if (status != GCV_OK)
        return status;

    gcv_log_hold_warnings(true);
    status = gcv_task_context_init(&report->ctx, &report->spec, NULL, NULL, err);
    discarded = gcv_log_take_held();
    free(discarded);
    gcv_log_hold_warnings(false);
    return status;
}

/* Loads folder/name as JSON into *root (owned by the caller, json_decref). */
static enum gcv_status load_json(const struct report *report, const char *name, json_t **root,
                                 struct gcv_error *err)
{
    char path[4200];
    json_error_t json_err;

    folder_path(report, name, path, sizeof path);
    *root = json_load_file(path, JSON_DECODE_ANY, &json_err);
    if (*root == NULL && json_error_code(&json_err) == json_error_cannot_open_file)
        return gcv_error_set(err, GCV_ERR_IO, "cannot read %s: %s", path, json_err.text);
    if (*root == NULL)
        return gcv_error_set(err, GCV_ERR_DATA, "%s is not valid JSON (line %d column %d: %s); "
                             "run the search again to rewrite it", path, json_err.line,
                             json_err.column, json_err.text);
    if (!json_is_object(*root)) {
        json_decref(*root);
        *root = NULL;
        return gcv_error_set(err, GCV_ERR_DATA, "%s does not hold a JSON object; run the "
                             "search again to rewrite it", path);
    }
    return GCV_OK;
}

/* Returns a JSON number as a double, null as NaN; false for anything else. */
static bool json_to_double(const json_t *value, double *out)
{
    if (json_is_null(value)) {
        *out = NAN;
        return true;
    }
    if (!json_is_number(value))
        return false;
    *out = json_number_value(value);
    return true;
}

/* Reads the column key of cv_results.json, which must contain n numbers
 * (null for NaN), into out[n]. */
static enum gcv_status read_column(const json_t *table, const char *key, size_t n, double *out,
                                   struct gcv_error *err)
{
    const json_t *column = json_object_get(table, key);

    if (column == NULL || !json_is_array(column) || json_array_size(column) != n)
        return gcv_error_set(err, GCV_ERR_DATA, "cv_results.json: column %s must be a list of "
                             "%zu numbers, one per candidate of spec.json", key, n);
    for (size_t c = 0; c < n; c++)
        if (!json_to_double(json_array_get(column, c), &out[c]))
            return gcv_error_set(err, GCV_ERR_DATA, "cv_results.json: %s[%zu] is not a number",
                                 key, c);
    return GCV_OK;
}

/* Reads a field of best.json that must be a number or null. */
static enum gcv_status read_best_number(const json_t *best, const char *key, double *out,
                                        struct gcv_error *err)
{
    const json_t *value = json_object_get(best, key);

    if (value == NULL || !json_to_double(value, out))
        return gcv_error_set(err, GCV_ERR_DATA, "best.json: %s must be a number or null", key);
    return GCV_OK;
}

/* Reads a field of best.json that must be an integer in [0, limit]. */
static enum gcv_status read_best_count(const json_t *best, const char *key, size_t limit,
                                       size_t *out, struct gcv_error *err)
{
    const json_t *value = json_object_get(best, key);

    if (value == NULL || !json_is_integer(value) || json_integer_value(value) < 0 ||
        (unsigned long long)json_integer_value(value) > (unsigned long long)limit)
        return gcv_error_set(err, GCV_ERR_DATA, "best.json: %s must be an integer from 0 to "
                             "%zu", key, limit);
    *out = (size_t)json_integer_value(value);
    return GCV_OK;
}

/* Allocates the results tables for n_folds folds and the spec's scorers. */
static enum gcv_status init_results(struct report *report, size_t n_folds, bool has_train,
                                    struct gcv_error *err)
{
    const char *scorer_names[GCV_MAX_SCORERS];
    enum gcv_status status;

    for (size_t s = 0; s < report->ctx.n_scorers; s++)
        scorer_names[s] = report->ctx.scorers[s]->name;
    status = gcv_results_init(&report->results, report->spec.grid.n_candidates, n_folds,
                              report->ctx.n_scorers, scorer_names, has_train, err);
    report->results.refit_scorer = report->ctx.refit_scorer;
    report->results.multimetric = report->spec.multimetric;
    return status;
}

/* The score columns of scorer s in cv_results, as results.c names them:
 * "<set>_score" for one scorer, "<set>_<name>" for a scoring list. */
static void score_key(const struct report *report, size_t s, const char *set, char *buf,
                      size_t len)
{
    if (!report->spec.multimetric)
        snprintf(buf, len, "%s_score", set);
    else
        snprintf(buf, len, "%s_%s", set, report->ctx.scorers[s]->name);
}

/* Reads the mean, standard deviation and rank columns of scorer s (and its
 * train columns when has_train) into its rows of the results. ranks has
 * room for one column. */
static enum gcv_status read_scorer_columns(struct report *report, const json_t *table,
                                           size_t s, bool has_train, double *ranks,
                                           struct gcv_error *err)
{
    struct gcv_results *results = &report->results;
    size_t n = results->n_candidates, first = s * n;
    char key[128];
    enum gcv_status status;

    score_key(report, s, "mean_test", key, sizeof key);
    if ((status = read_column(table, key, n, results->mean_test + first, err)) != GCV_OK)
        return status;
    score_key(report, s, "std_test", key, sizeof key);
    if ((status = read_column(table, key, n, results->std_test + first, err)) != GCV_OK)
        return status;
    score_key(report, s, "rank_test", key, sizeof key);
    if ((status = read_column(table, key, n, ranks, err)) != GCV_OK)
        return status;
    for (size_t c = 0; c < n; c++)
        results->rank_test[first + c] = (int32_t)ranks[c];
    if (!has_train)
        return GCV_OK;
    score_key(report, s, "mean_train", key, sizeof key);
    if ((status = read_column(table, key, n, results->mean_train + first, err)) != GCV_OK)
        return status;
    score_key(report, s, "std_train", key, sizeof key);
    return read_column(table, key, n, results->std_train + first, err);
}

/* Fills *out from best.json's "threshold" entry, when there is one, so
 * that the summary shows the tuned threshold again. */
static enum gcv_status read_threshold(const json_t *best, struct gcv_threshold_result *out,
                                      struct gcv_error *err)
{
    const json_t *entry = json_object_get(best, "threshold");
    const char *name = json_string_value(json_object_get(entry, "objective"));
    const char *response = json_string_value(json_object_get(entry, "response"));
    const struct gcv_scorer *objective = name != NULL ? gcv_scorer_find(name) : NULL;
    enum gcv_status status;

    memset(out, 0, sizeof *out);
    if (entry == NULL || json_is_null(entry))
        return GCV_OK;
    if (objective == NULL || response == NULL)
        return gcv_error_set(err, GCV_ERR_DATA, "best.json: threshold must name a known "
                             "objective scorer and a response");
    if ((status = read_best_number(entry, "default", &out->default_threshold, err)) != GCV_OK ||
        (status = read_best_number(entry, "value", &out->threshold, err)) != GCV_OK ||
        (status = read_best_number(entry, "cv_score_default", &out->default_score, err)) !=
            GCV_OK ||
        (status = read_best_number(entry, "cv_score_tuned", &out->tuned_score, err)) != GCV_OK ||
        (status = read_best_count(entry, "n_cv_rows", SIZE_MAX, &out->n_rows, err)) != GCV_OK)
        return status;
    out->objective = objective->name;
    out->from_proba = strcmp(response, "predict_proba") == 0;
    out->improved = json_is_true(json_object_get(entry, "improved"));
    out->done = true;
    return GCV_OK;
}

/* Fills the results and the refit outcome from best.json. */
static enum gcv_status read_best(struct report *report, const json_t *best,
                                 struct gcv_error *err)
{
    struct gcv_results *results = &report->results;
    size_t n_tasks = results->n_candidates * results->n_folds;
    double refit_time, holdout_score;
    enum gcv_status status;

    if ((status = read_best_count(best, "best_index", results->n_candidates - 1,
                                  &results->best_index, err)) != GCV_OK ||
        (status = read_best_count(best, "n_fits", n_tasks, &results->n_done, err)) != GCV_OK ||
        (status = read_best_count(best, "n_failed_fits", results->n_done, &results->n_failed,
                                  err)) != GCV_OK ||
        (status = read_best_count(best, "n_holdout", SIZE_MAX, &report->refit.n_holdout,
                                  err)) != GCV_OK ||
        (status = read_best_number(best, "refit_time", &refit_time, err)) != GCV_OK ||
        (status = read_best_number(best, "holdout_score", &holdout_score, err)) != GCV_OK ||
        (status = read_best_number(best, "wall_time", &report->wall_time, err)) != GCV_OK)
        return status;

    report->refit.done = !isnan(refit_time);
    report->refit.refit_time = refit_time;
    report->refit.has_holdout = report->refit.done && !isnan(holdout_score);
    report->refit.holdout_score = holdout_score;
    return read_threshold(best, &report->refit.threshold, err);
}

/* A finished search: cv_results.json and best.json. The means, standard
 * deviations and ranks are taken as written, not recomputed. */
static enum gcv_status read_finished(struct report *report, struct gcv_error *err)
{
    json_t *table = NULL, *best = NULL;
    const json_t *params;
    size_t n = report->spec.grid.n_candidates, n_folds;
    double *ranks = NULL;
    char key[128];
    bool has_train;
    enum gcv_status status;

    if ((status = load_json(report, "cv_results.json", &table, err)) != GCV_OK)
        goto cleanup;
    if ((status = load_json(report, "best.json", &best, err)) != GCV_OK)
        goto cleanup;

    params = json_object_get(table, "params");
    if (!json_is_array(params) || json_array_size(params) != n) {
        status = gcv_error_set(err, GCV_ERR_DATA, "cv_results.json has %zu candidates but "
                               "spec.json's grid has %zu: the files are of different searches",
                               json_is_array(params) ? json_array_size(params) : 0, n);
        goto cleanup;
    }
    if ((status = read_best_count(best, "n_splits", SIZE_MAX, &n_folds, err)) != GCV_OK)
        goto cleanup;
    score_key(report, report->ctx.refit_scorer, "mean_train", key, sizeof key);
    has_train = json_object_get(table, key) != NULL;
    if ((status = init_results(report, n_folds, has_train, err)) != GCV_OK)
        goto cleanup;

    ranks = malloc((n > 0 ? n : 1) * sizeof *ranks);
    if (ranks == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory reading %zu candidates", n);
        goto cleanup;
    }

    for (size_t s = 0; s < report->ctx.n_scorers; s++)
        if ((status = read_scorer_columns(report, table, s, has_train, ranks, err)) != GCV_OK)
            goto cleanup;
    status = read_best(report, best, err);

cleanup:
    free(ranks);
    json_decref(best);
    json_decref(table);
    return status;
}

/* Converts a params value of cv_results.json into a value of the kind the
 * spec would give it, so that it prints as the run printed it. */
static enum gcv_status to_value(const json_t *json, size_t row, const char *name,
                                struct gcv_value *out, struct gcv_error *err)
{
    enum gcv_status status = gcv_spec_value_from_json(json, out);

    if (status == GCV_ERR_NOMEM)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory reading cv_results.json");
    if (status != GCV_OK)
        return gcv_error_set(err, GCV_ERR_DATA, "cv_results.json: params[%zu].%s must be a "
                             "number, a string, a boolean or null", row, name);
    return GCV_OK;
}

/* Builds into rows the setting of every row of a halving search's
 * cv_results.json. The settings are the params of each row, and the column
 * names are the table's param_<name> keys in their order. On success the
 * caller owns rows (gcv_grid_free). */
static enum gcv_status read_rows(const json_t *table, struct gcv_grid *rows,
                                 struct gcv_error *err)
{
    const json_t *params = json_object_get(table, "params"), *json;
    size_t n = json_is_array(params) ? json_array_size(params) : 0, n_keys = json_object_size(table);
    const char *key;
    struct gcv_value value = {.kind = GCV_VALUE_NULL};
    enum gcv_status status = GCV_OK;

    memset(rows, 0, sizeof *rows);
    if (n == 0)
        return gcv_error_set(err, GCV_ERR_DATA, "cv_results.json: params must be a list of "
                             "at least one object, one per row");
    rows->candidates = calloc(n, sizeof *rows->candidates);
    rows->param_names = calloc(n_keys + 1, sizeof *rows->param_names);
    if (rows->candidates == NULL || rows->param_names == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu rows", n);
        goto cleanup;
    }

    json_object_foreach((json_t *)table, key, json) {
        if (strncmp(key, "param_", 6) != 0)
            continue;
        if ((rows->param_names[rows->n_param_names] = strdup(key + 6)) == NULL) {
            status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for parameter names");
            goto cleanup;
        }
        rows->n_param_names++;
    }

    for (size_t r = 0; r < n; r++) {
        const json_t *row = json_array_get(params, r);

        rows->n_candidates++;
        if (!json_is_object(row)) {
            status = gcv_error_set(err, GCV_ERR_DATA, "cv_results.json: params[%zu] must be "
                                   "an object", r);
            goto cleanup;
        }
        json_object_foreach((json_t *)row, key, json) {
            if ((status = to_value(json, r, key, &value, err)) != GCV_OK)
                goto cleanup;
            status = gcv_param_set_put(&rows->candidates[r], key, &value, NULL, err);
            gcv_value_clear(&value);
            if (status != GCV_OK)
                goto cleanup;
        }
    }

cleanup:
    if (status != GCV_OK)
        gcv_grid_free(rows);
    return status;
}

/* Reads the integer column key of cv_results.json, n values, into a new
 * array *out, which the caller frees with free. */
static enum gcv_status read_integer_column(const json_t *table, const char *key, size_t n,
                                           int64_t **out, struct gcv_error *err)
{
    const json_t *column = json_object_get(table, key);

    if (!json_is_array(column) || json_array_size(column) != n)
        return gcv_error_set(err, GCV_ERR_DATA, "cv_results.json: column %s must be a list of "
                             "%zu integers, one per row", key, n);
    if ((*out = malloc(n * sizeof **out)) == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu rows", n);
    for (size_t r = 0; r < n; r++) {
        const json_t *value = json_array_get(column, r);
        if (!json_is_integer(value))
            return gcv_error_set(err, GCV_ERR_DATA, "cv_results.json: %s[%zu] is not an "
                                 "integer", key, r);
        (*out)[r] = (int64_t)json_integer_value(value);
    }
    return GCV_OK;
}

/* Returns element i of the list key in best.json's "halving" entry, or -1
 * when it is missing or not a non-negative integer. */
static long long halving_entry(const json_t *halving, const char *key, size_t i)
{
    const json_t *value = json_array_get(json_object_get(halving, key), i);

    return json_is_integer(value) && json_integer_value(value) >= 0
               ? (long long)json_integer_value(value)
               : -1;
}

/* Prints the rounds from best.json's "halving" entry as the run printed
 * them after its last round, without the seconds of each round, which
 * best.json does not keep. */
static enum gcv_status print_rounds(const json_t *best, struct gcv_error *err)
{
    const json_t *halving = json_object_get(best, "halving");
    const char *resource = json_string_value(json_object_get(halving, "resource"));
    const json_t *iterations = json_object_get(halving, "n_iterations");
    const json_t *remaining = json_object_get(halving, "n_remaining_candidates");
    size_t n_rounds = json_is_integer(iterations) ? (size_t)json_integer_value(iterations) : 0;
    long long n_remaining = json_is_integer(remaining) ? json_integer_value(remaining) : -1;

    if (resource == NULL || !json_is_integer(iterations) || json_integer_value(iterations) < 1 ||
        n_remaining < 0)
        return gcv_error_set(err, GCV_ERR_DATA, "best.json: halving must give resource, "
                             "n_iterations (at least 1) and n_remaining_candidates");
    for (size_t i = 0; i < n_rounds; i++)
        if (halving_entry(halving, "n_candidates", i) < 0 ||
            halving_entry(halving, "n_resources", i) < 0)
            return gcv_error_set(err, GCV_ERR_DATA, "best.json: halving.n_candidates and "
                                 "halving.n_resources must list %zu non-negative integers, one "
                                 "per round", n_rounds);

    for (size_t i = 0; i < n_rounds; i++)
        gcv_halving_print_round(stdout, i, (size_t)halving_entry(halving, "n_candidates", i),
                                resource, (size_t)halving_entry(halving, "n_resources", i), NAN);
    gcv_halving_print_remaining(stdout, (size_t)n_remaining);
    return GCV_OK;
}

/* Reads a finished halving search: cv_results.json, with one row per
 * candidate and round, and best.json. The grid of the report becomes the
 * setting of every row, as the run's grid is after its last round, so that
 * the summary and the plot are those of the run. */
static enum gcv_status read_halving(struct report *report, struct gcv_error *err)
{
    json_t *table = NULL, *best = NULL;
    struct gcv_grid rows = {0};
    size_t n_folds;
    double *ranks = NULL;
    char key[128];
    bool has_train;
    enum gcv_status status;

    if (!file_exists(report, "cv_results.json"))
        return gcv_error_set(err, GCV_ERR_USAGE, "%s has no cv_results.json: the halving search "
                             "has not finished, and a halving search keeps no journal to report "
                             "from; run it again", report->folder);
    if ((status = load_json(report, "cv_results.json", &table, err)) != GCV_OK)
        goto cleanup;
    if ((status = load_json(report, "best.json", &best, err)) != GCV_OK)
        goto cleanup;

    /* The rows replace the grid of spec.json. */
    if ((status = read_rows(table, &rows, err)) != GCV_OK)
        goto cleanup;
    gcv_grid_free(&report->spec.grid);
    report->spec.grid = rows;
    if ((status = read_integer_column(table, "iter", rows.n_candidates, &report->iter, err)) !=
            GCV_OK ||
        (status = read_integer_column(table, "n_resources", rows.n_candidates,
                                      &report->n_resources, err)) != GCV_OK)
        goto cleanup;

    if ((status = read_best_count(best, "n_splits", SIZE_MAX, &n_folds, err)) != GCV_OK)
        goto cleanup;
    score_key(report, report->ctx.refit_scorer, "mean_train", key, sizeof key);
    has_train = json_object_get(table, key) != NULL;
    if ((status = init_results(report, n_folds, has_train, err)) != GCV_OK)
        goto cleanup;
    report->results.iter = report->iter;
    report->results.n_resources = report->n_resources;

    if ((ranks = malloc(rows.n_candidates * sizeof *ranks)) == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory reading %zu rows",
                               rows.n_candidates);
        goto cleanup;
    }
    for (size_t s = 0; s < report->ctx.n_scorers; s++)
        if ((status = read_scorer_columns(report, table, s, has_train, ranks, err)) != GCV_OK)
            goto cleanup;
    if ((status = read_best(report, best, err)) != GCV_OK)
        goto cleanup;
    status = print_rounds(best, err);

cleanup:
    free(ranks);
    json_decref(best);
    json_decref(table);
    return status;
}

/* A search that stopped early: the fits its journal recorded. Prints what
 * part of the search the report covers. Sets *any_mean to whether some
 * candidate has all its folds. */
static enum gcv_status read_journal(struct report *report, bool *any_mean, struct gcv_error *err)
{
    struct gcv_journal_contents contents;
    char path[4200];
    size_t n_tasks;
    enum gcv_status status;

    *any_mean = false;
    folder_path(report, GCV_JOURNAL_FILE, path, sizeof path);
    if ((status = gcv_journal_read(path, &contents, err)) != GCV_OK)
        return status;
    if (contents.header.spec_hash != gcv_journal_hash_text(report->spec.text) ||
        contents.header.n_candidates != report->spec.grid.n_candidates ||
        contents.header.n_scorers != report->ctx.n_scorers) {
        status = gcv_error_set(err, GCV_ERR_DATA, "%s was written for another spec than %s/"
                               "spec.json: the files are of different searches", path,
                               report->folder);
        goto cleanup;
    }
    status = init_results(report, (size_t)contents.header.n_folds, contents.header.has_train,
                          err);
    if (status != GCV_OK)
        goto cleanup;

    for (size_t i = 0; i < contents.n_records; i++)
        gcv_results_record(&report->results, &contents.records[i], &report->spec);
    gcv_results_finalize(&report->results);
    for (size_t c = 0; c < report->results.n_candidates; c++)
        *any_mean = *any_mean ||
                    isfinite(report->results.mean_test[report->results.refit_scorer *
                                                           report->results.n_candidates + c]);

    n_tasks = report->results.n_candidates * report->results.n_folds;
    printf("partial search: %zu of %zu fits recorded in %s; the run has not finished, so a "
           "candidate without all its folds has no mean score\n", report->results.n_done,
           n_tasks, path);
    if (contents.dropped_bytes > 0)
        printf("  %llu bytes after the last intact record were left out\n",
               (unsigned long long)contents.dropped_bytes);

cleanup:
    gcv_journal_contents_free(&contents);
    return status;
}

static void report_free(struct report *report)
{
    gcv_results_free(&report->results);
    free(report->n_resources);
    free(report->iter);
    gcv_task_context_free(&report->ctx);
    gcv_spec_free(&report->spec);
}

int gcv_report_run(const char *folder)
{
    struct report report;
    struct gcv_error err = {GCV_OK, ""};
    bool any_mean = true;
    enum gcv_status status;

    memset(&report, 0, sizeof report);
    report.wall_time = NAN;
    snprintf(report.folder, sizeof report.folder, "%s", folder);

    /* The spec, then the results: the finished tables when they are there,
     * else the journal of a search that stopped. A halving search keeps no
     * journal. */
    status = read_spec(&report, &err);

    if (status == GCV_OK && report.spec.halving.enabled)
        status = read_halving(&report, &err);
    else if (status == GCV_OK && file_exists(&report, "cv_results.json"))
        status = read_finished(&report, &err);
    else if (status == GCV_OK && file_exists(&report, GCV_JOURNAL_FILE))
        status = read_journal(&report, &any_mean, &err);
    else if (status == GCV_OK)
        status = gcv_error_set(&err, GCV_ERR_USAGE, "%s has neither cv_results.json nor %s: "
                               "the search has not recorded any fit yet", folder,
                               GCV_JOURNAL_FILE);

    /* The summary and the plot, as run prints and writes them. */
    if (status == GCV_OK && any_mean)
        status = gcv_summary_finish(stdout, &report.spec, &report.results, &report.refit,
                                    report.wall_time, report.folder, &err);
    else if (status == GCV_OK)
        printf("no candidate has all its folds yet: no best setting and no plot\n");

    if (status != GCV_OK) {
        fflush(stdout);
        fprintf(stderr, "gridcv: error: %s\n", err.message);
    }
    report_free(&report);
    return gcv_status_exit_code(status);
}
