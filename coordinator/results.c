#include "results.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/stats.h"
#include "output.h"

enum gcv_status gcv_results_init(struct gcv_results *results, size_t n_candidates,
                                 size_t n_folds, size_t n_scorers,
                                 const char *const *scorer_names, bool has_train,
                                 struct gcv_error *err)
{
    size_t n_tasks = n_candidates * n_folds;
    size_t n_table = n_scorers * n_candidates;

    memset(results, 0, sizeof *results);
    results->n_candidates = n_candidates;
    results->n_folds = n_folds;
    results->n_scorers = n_scorers;
    results->has_train = has_train;
    results->multimetric = n_scorers > 1;
    for (size_t s = 0; s < n_scorers; s++)
        results->scorer_names[s] = scorer_names[s];

    results->test_scores = malloc(n_tasks * n_scorers * sizeof(double));
    results->fit_times = calloc(n_tasks, sizeof(double));
    results->score_times = calloc(n_tasks, sizeof(double));
    results->done = calloc(n_tasks, 1);
    results->warm_starts = calloc(n_tasks + 1, sizeof(double));
    results->mean_test = malloc(n_table * sizeof(double));
    results->std_test = malloc(n_table * sizeof(double));
    results->rank_test = malloc(n_table * sizeof(int32_t));
    results->mean_fit_time = malloc(n_candidates * sizeof(double));
    results->std_fit_time = malloc(n_candidates * sizeof(double));
    results->mean_score_time = malloc(n_candidates * sizeof(double));
    results->std_score_time = malloc(n_candidates * sizeof(double));
    if (has_train) {
        results->train_scores = malloc(n_tasks * n_scorers * sizeof(double));
        results->mean_train = malloc(n_table * sizeof(double));
        results->std_train = malloc(n_table * sizeof(double));
    }
    if (results->test_scores == NULL || results->fit_times == NULL ||
        results->score_times == NULL || results->done == NULL || results->warm_starts == NULL ||
        results->mean_test == NULL ||
        results->std_test == NULL || results->rank_test == NULL ||
        results->mean_fit_time == NULL || results->std_fit_time == NULL ||
        results->mean_score_time == NULL || results->std_score_time == NULL ||
        (has_train && (results->train_scores == NULL || results->mean_train == NULL ||
                       results->std_train == NULL))) {
        gcv_results_free(results);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for the results of %zu fits",
                             n_tasks);
    }
    for (size_t i = 0; i < n_tasks * n_scorers; i++) {
        results->test_scores[i] = NAN;
        if (has_train)
            results->train_scores[i] = NAN;
    }
    return GCV_OK;
}

/* Counts message in the list kinds[0..*n_kinds), adding it when new. */
static void count_message(struct gcv_failure_count **kinds, size_t *n_kinds, const char *message)
{
    struct gcv_failure_count *grown;

    for (size_t i = 0; i < *n_kinds; i++) {
        if (strcmp((*kinds)[i].message, message) == 0) {
            (*kinds)[i].count++;
            return;
        }
    }
    grown = realloc(*kinds, (*n_kinds + 1) * sizeof *grown);
    if (grown == NULL)
        return; /* the count is a report; losing one kind is not worth failing the search */
    *kinds = grown;
    snprintf(grown[*n_kinds].message, GCV_RESULT_MESSAGE_MAX, "%s", message);
    grown[*n_kinds].count = 1;
    (*n_kinds)++;
}

void gcv_results_record(struct gcv_results *results, const struct gcv_task_result *result,
                        const struct gcv_spec *spec)
{
    size_t task = (size_t)result->candidate * results->n_folds + (size_t)result->fold;
    double failed_score = spec->error_score == GCV_ERROR_SCORE_VALUE ? spec->error_score_value
                                                                     : NAN;

    if (results->done[task])
        return;
    results->done[task] = 1;
    results->n_done++;
    results->fit_times[task] = result->fit_time;
    results->score_times[task] = result->score_time;
    results->warm_starts[task] = result->warm_start != 0 ? 1.0 : 0.0;

    for (size_t s = 0; s < results->n_scorers; s++) {
        double *test = &results->test_scores[task * results->n_scorers + s];
        *test = result->status == GCV_OK || !isnan(result->test_scores[s])
                    ? result->test_scores[s]
                    : failed_score;
        if (results->has_train) {
            double *train = &results->train_scores[task * results->n_scorers + s];
            *train = result->status == GCV_OK || !isnan(result->train_scores[s])
                         ? result->train_scores[s]
                         : failed_score;
        }
    }
    if (result->status != GCV_OK) {
        results->n_failed++;
        count_message(&results->failures, &results->n_failure_kinds, result->message);
    } else if (result->message[0] != '\0') {
        /* A successful fit's message is its warning (no convergence). */
        results->n_warned++;
        count_message(&results->warnings, &results->n_warning_kinds, result->message);
    }
}

/* Mean and std over the folds of each candidate, from a table laid out
 * [candidate][fold][stride]. */
static void reduce_folds(const struct gcv_results *results, const double *table, size_t stride,
                         size_t offset, double *mean, double *std)
{
    for (size_t c = 0; c < results->n_candidates; c++) {
        const double *row = table + c * results->n_folds * stride + offset;
        mean[c] = gcv_stats_mean(row, results->n_folds, stride);
        std[c] = gcv_stats_std(row, results->n_folds, stride);
    }
}

void gcv_results_finalize(struct gcv_results *results)
{
    size_t n = results->n_candidates;
    const int32_t *refit_ranks;

    reduce_folds(results, results->fit_times, 1, 0, results->mean_fit_time, results->std_fit_time);
    reduce_folds(results, results->score_times, 1, 0, results->mean_score_time,
                 results->std_score_time);

    for (size_t s = 0; s < results->n_scorers; s++) {
        reduce_folds(results, results->test_scores, results->n_scorers, s,
                     &results->mean_test[s * n], &results->std_test[s * n]);
        gcv_stats_rank_min(&results->mean_test[s * n], n, &results->rank_test[s * n]);
        if (results->has_train)
            reduce_folds(results, results->train_scores, results->n_scorers, s,
                         &results->mean_train[s * n], &results->std_train[s * n]);
    }

    /* The refit scorer's first candidate of rank 1 is the best, as numpy's
     * argmin of rank_test_<refit> picks it. */
    refit_ranks = &results->rank_test[results->refit_scorer * n];
    results->best_index = 0;
    for (size_t c = 0; c < n; c++)
        if (refit_ranks[c] < refit_ranks[results->best_index])
            results->best_index = c;
}

/* The column names of cv_results in scikit-learn's order. A score column
 * is "test_score" for a single scorer, "test_<name>" for a scoring list. */
static void score_key(const struct gcv_results *results, size_t s, const char *set, char *buf,
                      size_t len)
{
    if (!results->multimetric)
        snprintf(buf, len, "%s_score", set);
    else
        snprintf(buf, len, "%s_%s", set, results->scorer_names[s]);
}

enum gcv_column_kind {
    COLUMN_NUMBERS,  /* per candidate: numbers[c * stride + offset] */
    COLUMN_RANKS,
    COLUMN_PARAM,    /* param_<name> */
    COLUMN_PARAMS,   /* the params dict */
    COLUMN_INTEGERS, /* per candidate: integers[c] */
};

struct column {
    char name[128];
    enum gcv_column_kind kind;
    const double *numbers;
    const int32_t *ranks;
    const int64_t *integers;
    size_t stride;
    size_t offset;
    const char *param;
};

/* Lists every column of cv_results in scikit-learn's order. Returns the
 * count; columns must hold at least 8 + params + scorers * (2 folds + 5). */
static size_t list_columns(const struct gcv_results *results, const struct gcv_spec *spec,
                           struct column *columns)
{
    size_t n = 0, nc = results->n_candidates, nf = results->n_folds, ns = results->n_scorers;
    char key[100];

#define ADD_NUMBERS(label, array, array_stride, array_offset)                   \
    do {                                                                        \
        snprintf(columns[n].name, sizeof columns[n].name, "%s", (label));       \
        columns[n].kind = COLUMN_NUMBERS;                                       \
        columns[n].numbers = (array);                                           \
        columns[n].stride = (array_stride);                                     \
        columns[n].offset = (array_offset);                                     \
        n++;                                                                    \
    } while (0)

    /* A halving search's columns come first, as scikit-learn adds them. */
    for (int k = 0; k < 2 && results->iter != NULL; k++) {
        snprintf(columns[n].name, sizeof columns[n].name, k == 0 ? "iter" : "n_resources");
        columns[n].kind = COLUMN_INTEGERS;
        columns[n++].integers = k == 0 ? results->iter : results->n_resources;
    }
    ADD_NUMBERS("mean_fit_time", results->mean_fit_time, 1, 0);
    ADD_NUMBERS("std_fit_time", results->std_fit_time, 1, 0);
    ADD_NUMBERS("mean_score_time", results->mean_score_time, 1, 0);
    ADD_NUMBERS("std_score_time", results->std_score_time, 1, 0);
    for (size_t p = 0; p < spec->grid.n_param_names; p++) {
        snprintf(columns[n].name, sizeof columns[n].name, "param_%s", spec->grid.param_names[p]);
        columns[n].kind = COLUMN_PARAM;
        columns[n].param = spec->grid.param_names[p];
        n++;
    }
    snprintf(columns[n].name, sizeof columns[n].name, "params");
    columns[n++].kind = COLUMN_PARAMS;

    for (size_t s = 0; s < ns; s++) {
        char label[128];

        score_key(results, s, "test", key, sizeof key);
        for (size_t f = 0; f < nf; f++) {
            snprintf(label, sizeof label, "split%zu_%s", f, key);
            ADD_NUMBERS(label, results->test_scores, nf * ns, f * ns + s);
        }
        snprintf(label, sizeof label, "mean_%s", key);
        ADD_NUMBERS(label, results->mean_test, 1, s * nc);
        snprintf(label, sizeof label, "std_%s", key);
        ADD_NUMBERS(label, results->std_test, 1, s * nc);
        snprintf(columns[n].name, sizeof columns[n].name, "rank_%s", key);
        columns[n].kind = COLUMN_RANKS;
        columns[n].ranks = results->rank_test;
        columns[n].stride = 1;
        columns[n].offset = s * nc;
        n++;

        if (!results->has_train)
            continue;
        score_key(results, s, "train", key, sizeof key);
        for (size_t f = 0; f < nf; f++) {
            snprintf(label, sizeof label, "split%zu_%s", f, key);
            ADD_NUMBERS(label, results->train_scores, nf * ns, f * ns + s);
        }
        snprintf(label, sizeof label, "mean_%s", key);
        ADD_NUMBERS(label, results->mean_train, 1, s * nc);
        snprintf(label, sizeof label, "std_%s", key);
        ADD_NUMBERS(label, results->std_train, 1, s * nc);
    }

    /* Not in scikit-learn: which fits started from the fit before them. */
    for (size_t f = 0; spec->warm_start && f < nf; f++) {
        snprintf(key, sizeof key, "split%zu_warm_start", f);
        ADD_NUMBERS(key, results->warm_starts, nf, f);
    }
#undef ADD_NUMBERS
    return n;
}

static size_t max_columns(const struct gcv_results *results, const struct gcv_spec *spec)
{
    return 6 + spec->grid.n_param_names + results->n_scorers * (2 * results->n_folds + 6) +
           results->n_folds;
}

/* Writes a candidate's grid values as a JSON object. */
static void write_params_json(FILE *stream, const struct gcv_param_set *params)
{
    char text[512];

    fputc('{', stream);
    for (size_t i = 0; i < params->count; i++) {
        if (i > 0)
            fputs(", ", stream);
        gcv_output_json_string(stream, params->items[i].name);
        gcv_value_format_json(&params->items[i].value, text, sizeof text);
        fprintf(stream, ": %s", text);
    }
    fputc('}', stream);
}

static void write_cell_json(FILE *stream, const struct column *column, size_t c,
                            const struct gcv_spec *spec)
{
    const struct gcv_param *param;
    char text[512];

    switch (column->kind) {
    case COLUMN_NUMBERS:
        gcv_output_json_number(stream, column->numbers[c * column->stride + column->offset]);
        break;
    case COLUMN_RANKS:
        fprintf(stream, "%d", (int)column->ranks[column->offset + c]);
        break;
    case COLUMN_INTEGERS:
        fprintf(stream, "%lld", (long long)column->integers[c]);
        break;
    case COLUMN_PARAM:
        param = gcv_param_set_find(&spec->grid.candidates[c], column->param);
        if (param == NULL) {
            fputs("null", stream);
        } else {
            gcv_value_format_json(&param->value, text, sizeof text);
            fputs(text, stream);
        }
        break;
    case COLUMN_PARAMS:
        write_params_json(stream, &spec->grid.candidates[c]);
        break;
    }
}

static enum gcv_status write_json(const struct gcv_results *results, const struct gcv_spec *spec,
                                  const struct column *columns, size_t n_columns,
                                  const char *folder, struct gcv_error *err)
{
    struct gcv_output_file file;
    enum gcv_status status;

    if ((status = gcv_output_open(&file, folder, "cv_results.json", err)) != GCV_OK)
        return status;
    fputs("{\n", file.stream);
    for (size_t k = 0; k < n_columns; k++) {
        fputs("  ", file.stream);
        gcv_output_json_string(file.stream, columns[k].name);
        fputs(": [", file.stream);
        for (size_t c = 0; c < results->n_candidates; c++) {
            if (c > 0)
                fputs(", ", file.stream);
            write_cell_json(file.stream, &columns[k], c, spec);
        }
        fprintf(file.stream, "]%s\n", k + 1 < n_columns ? "," : "");
    }
    fputs("}\n", file.stream);
    return gcv_output_commit(&file, err);
}

/* Writes a cell as pandas' to_csv would: numbers plain, NaN empty, text
 * in double quotes with quotes doubled when it holds a comma or quote. */
static void write_cell_csv(FILE *stream, const struct column *column, size_t c,
                           const struct gcv_spec *spec)
{
    const struct gcv_param *param;
    char text[1024];
    double x;

    switch (column->kind) {
    case COLUMN_NUMBERS:
        x = column->numbers[c * column->stride + column->offset];
        if (isfinite(x)) {
            gcv_format_double(x, true, text, sizeof text);
            fputs(text, stream);
        }
        return;
    case COLUMN_RANKS:
        fprintf(stream, "%d", (int)column->ranks[column->offset + c]);
        return;
    case COLUMN_INTEGERS:
        fprintf(stream, "%lld", (long long)column->integers[c]);
        return;
    case COLUMN_PARAM:
        param = gcv_param_set_find(&spec->grid.candidates[c], column->param);
        if (param == NULL)
            return;
        if (param->value.kind == GCV_VALUE_STRING)
            snprintf(text, sizeof text, "%s", param->value.string);
        else
            gcv_value_format_python(&param->value, text, sizeof text);
        break;
    case COLUMN_PARAMS: {
        size_t used = 0;
        const struct gcv_param_set *params = &spec->grid.candidates[c];
        used += (size_t)snprintf(text, sizeof text, "{");
        for (size_t i = 0; i < params->count && used < sizeof text; i++) {
            used += (size_t)snprintf(text + used, sizeof text - used, "%s'%s': ",
                                     i > 0 ? ", " : "", params->items[i].name);
            if (used < sizeof text)
                used += (size_t)gcv_value_format_python(&params->items[i].value, text + used,
                                                        sizeof text - used);
        }
        if (used < sizeof text)
            snprintf(text + used, sizeof text - used, "}");
        break;
    }
    }

    if (strpbrk(text, ",\"\n") == NULL) {
        fputs(text, stream);
        return;
    }
    fputc('"', stream);
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '"')
            fputc('"', stream);
        fputc(*p, stream);
    }
    fputc('"', stream);
}

static enum gcv_status write_csv(const struct gcv_results *results, const struct gcv_spec *spec,
                                 const struct column *columns, size_t n_columns,
                                 const char *folder, struct gcv_error *err)
{
    struct gcv_output_file file;
    enum gcv_status status;

    if ((status = gcv_output_open(&file, folder, "cv_results.csv", err)) != GCV_OK)
        return status;
    for (size_t k = 0; k < n_columns; k++)
        fprintf(file.stream, "%s%s", k > 0 ? "," : "", columns[k].name);
    fputc('\n', file.stream);
    for (size_t c = 0; c < results->n_candidates; c++) {
        for (size_t k = 0; k < n_columns; k++) {
            if (k > 0)
                fputc(',', file.stream);
            write_cell_csv(file.stream, &columns[k], c, spec);
        }
        fputc('\n', file.stream);
    }
    return gcv_output_commit(&file, err);
}

enum gcv_status gcv_results_write(const struct gcv_results *results, const struct gcv_spec *spec,
                                  const char *folder, struct gcv_error *err)
{
    struct column *columns = calloc(max_columns(results, spec) + 2, sizeof *columns);
    size_t n_columns;
    enum gcv_status status;

    if (columns == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory writing cv_results");
    n_columns = list_columns(results, spec, columns);
    status = write_json(results, spec, columns, n_columns, folder, err);
    if (status == GCV_OK)
        status = write_csv(results, spec, columns, n_columns, folder, err);
    free(columns);
    return status;
}

void gcv_results_free(struct gcv_results *results)
{
    if (results == NULL)
        return;
    free(results->test_scores);
    free(results->train_scores);
    free(results->fit_times);
    free(results->score_times);
    free(results->done);
    free(results->warm_starts);
    free(results->failures);
    free(results->warnings);
    free(results->mean_test);
    free(results->std_test);
    free(results->rank_test);
    free(results->mean_train);
    free(results->std_train);
    free(results->mean_fit_time);
    free(results->std_fit_time);
    free(results->mean_score_time);
    free(results->std_score_time);
    memset(results, 0, sizeof *results);
}
