#include "search.h"

#include <cblas.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/dataset.h"
#include "../common/log.h"
#include "../common/proto.h"
#include "../common/shm.h"
#include "../common/spec.h"
#include "../common/split.h"
#include "../worker/fold_cache.h"
#include "../worker/fold_share.h"
#include "../worker/task.h"
#include "../worker/worker.h"
#include "evaluation.h"
#include "halving.h"
#include "journal.h"
#include "output.h"
#include "predict.h"
#include "results.h"
#include "scheduler.h"
#include "summary.h"

/* Everything one rank holds during a search; freed in reverse order. */
struct search {
    int rank;
    int size;
    char folder[4096];
    struct gcv_spec spec;
    enum gcv_estimator_kind kind;
    struct gcv_shm shm;    /* the node's shared copy of the data */
    struct gcv_dataset data; /* rows borrowed from shm */
    size_t *search_rows;   /* [n_search_rows] rows outside the holdout, owned */
    size_t n_search_rows;
    size_t *holdout_rows;  /* [n_holdout_rows] owned */
    size_t n_holdout_rows;
    struct gcv_splitter splitter;  /* the spec's, with an integer cv resolved */
    struct gcv_fold_plan plan;
    struct gcv_task_context ctx;
    struct gcv_results results;
    struct gcv_journal_contents resumed; /* rank 0, --resume: the journal as read */
    struct gcv_journal journal;          /* rank 0: open while the search runs */
    size_t n_abandoned;                  /* rank 0: fits still running when the grace
                                            after a stop ran out */
    char *hosts;         /* rank 0: [size * MPI_MAX_PROCESSOR_NAME] each rank's host
                            name, NUL-terminated, owned */
    int *blas_threads;   /* rank 0: [size] each rank's OpenBLAS threads, owned */
    struct gcv_fold_cache_stats fold_cache; /* rank 0: every rank's counters summed, the
                                               peak the largest of one rank */
    struct gcv_halving halving;          /* "search": "halving": its rounds */
};

/* Rank 0: reads and checks the whole spec, including every candidate's
 * parameters, before any other rank does work. */
static enum gcv_status read_spec(struct search *run, const char *path, struct gcv_error *err)
{
    struct gcv_task_context probe;
    char *text = NULL;
    enum gcv_status status;

    if ((status = gcv_spec_read_file(path, &text, err)) != GCV_OK)
        return status;
    status = gcv_spec_parse(text, path, &run->spec, err);
    free(text);
    if (status != GCV_OK)
        return status;
    if ((status = gcv_task_estimator_kind(&run->spec, &run->kind, err)) != GCV_OK)
        return status;
    if ((status = gcv_task_context_init(&probe, &run->spec, NULL, NULL, err)) != GCV_OK)
        return status;
    gcv_task_context_free(&probe);
    return GCV_OK;
}

/* Every rank: receives the spec text from rank 0 and parses it. */
static enum gcv_status share_spec(struct search *run, const char *path, struct gcv_error *err)
{
    char *text = run->rank == 0 ? run->spec.text : NULL;
    char *file = run->rank == 0 ? run->spec.file : (char *)path;
    enum gcv_status status;

    if ((status = gcv_proto_bcast_string(&text, MPI_COMM_WORLD, err)) != GCV_OK)
        return status;
    if ((status = gcv_proto_bcast_string(&file, MPI_COMM_WORLD, err)) != GCV_OK)
        return status;
    if (run->rank != 0) {
        status = gcv_spec_parse(text, file, &run->spec, err);
        if (status == GCV_OK)
            status = gcv_task_estimator_kind(&run->spec, &run->kind, err);
        free(text);
        free(file);
    }
    return status;
}

static bool folder_is_empty(const char *folder)
{
    DIR *dir = opendir(folder);
    struct dirent *entry;
    bool empty = true;

    if (dir == NULL)
        return true;
    while ((entry = readdir(dir)) != NULL)
        if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
            empty = false;
    closedir(dir);
    return empty;
}

/* Returns true when folder/spec.json holds exactly text. */
static bool folder_has_spec(const char *folder, const char *text)
{
    char path[4200];
    char *stored = NULL;
    struct gcv_error ignored;
    bool same;

    snprintf(path, sizeof path, "%s/spec.json", folder);
    if (gcv_spec_read_file(path, &stored, &ignored) != GCV_OK)
        return false;
    same = strcmp(stored, text) == 0;
    free(stored);
    return same;
}

/* Returns the status of an output folder that cannot be created or
 * written, from errno. A cause in the path the user gave (through a file,
 * no permission, a read-only file system) is bad input, exit 2; anything
 * else (a full disk, an I/O error) is a failure while running. */
static enum gcv_status folder_error_status(int error)
{
    switch (error) {
    case ENOTDIR:
    case EEXIST:
    case ENOENT:
    case EACCES:
    case EPERM:
    case EROFS:
    case ENAMETOOLONG:
    case ELOOP:
        return GCV_ERR_USAGE;
    default:
        return GCV_ERR_IO;
    }
}

/* Creates folder and its parents, as mkdir -p. */
static int make_folders(const char *folder)
{
    char path[4096];

    snprintf(path, sizeof path, "%s", folder);
    for (char *p = path + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

/* Returns true when folder holds a journal with at least one byte but no
 * best.json: a run that was stopped or killed before it finished. */
static bool folder_has_unfinished_journal(const char *folder)
{
    char path[4200];
    struct stat info;

    snprintf(path, sizeof path, "%s/best.json", folder);
    if (stat(path, &info) == 0)
        return false;
    snprintf(path, sizeof path, "%s/journal.bin", folder);
    return stat(path, &info) == 0 && info.st_size > 0;
}

/* Returns true when spec.json is the only entry of folder: what a run
 * leaves when its spec or data is rejected, so a corrected spec may reuse
 * the folder. */
static bool folder_holds_only_spec(const char *folder)
{
    DIR *dir = opendir(folder);
    struct dirent *entry;
    bool only_spec = true, has_spec = false;

    if (dir == NULL)
        return false;
    while ((entry = readdir(dir)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        if (strcmp(entry->d_name, "spec.json") == 0)
            has_spec = true;
        else
            only_spec = false;
    }
    closedir(dir);
    return has_spec && only_spec;
}

/* Rank 0, with --resume: reads the journal in the output folder into
 * run->resumed and checks that it was written for this spec text, before
 * anything in the folder changes. The data is checked once it is loaded
 * (open_journal). */
static enum gcv_status read_journal(struct search *run, const char **state,
                                    struct gcv_error *err)
{
    struct gcv_journal_header expected;
    struct stat info;
    char path[4200];
    enum gcv_status status;

    snprintf(path, sizeof path, "%s/%s", run->folder, GCV_JOURNAL_FILE);
    if (stat(path, &info) != 0)
        return gcv_error_set(err, GCV_ERR_USAGE, "--resume: output folder %s has no journal "
                             "(%s: %s), so there is nothing to resume; run without --resume "
                             "to start the search", run->folder, path, strerror(errno));
    if ((status = gcv_journal_read(path, &run->resumed, err)) != GCV_OK)
        return status;

    /* Only the spec can be compared before the data is loaded. */
    expected = run->resumed.header;
    expected.spec_hash = gcv_journal_hash_text(run->spec.text);
    if ((status = gcv_journal_check_header(&run->resumed.header, &expected, path, err)) != GCV_OK)
        return status;
    *state = "holds the journal of this spec: run --resume continues it";
    return GCV_OK;
}

/* Chooses the output folder and checks that run may write there: a folder
 * that contains another search's files is rejected unless forced. Sets *state
 * to a phrase saying what run does with the folder. Creates nothing. */
static enum gcv_status check_folder(struct search *run, const struct gcv_run_options *options,
                                    const char **state, struct gcv_error *err)
{
    if (options->out_dir != NULL) {
        snprintf(run->folder, sizeof run->folder, "%s", options->out_dir);
    } else {
        const char *name = strrchr(options->spec_path, '/');
        size_t len;
        name = name != NULL ? name + 1 : options->spec_path;
        len = strcspn(name, ".");
        snprintf(run->folder, sizeof run->folder, "gridcv-%.*s", (int)len, name);
    }

    /* With --resume the journal decides, so that a changed spec is reported
     * as such and not as another search's folder. */
    if (options->resume && run->spec.halving.enabled)
        return gcv_error_set(err, GCV_ERR_USAGE, "--resume: a halving search cannot be resumed, "
                             "because each round's candidates depend on the scores of the round "
                             "before; run it again without --resume");
    if (options->resume)
        return read_journal(run, state, err);

    if (folder_is_empty(run->folder)) {
        *state = "created or empty: run writes its files there";
        return GCV_OK;
    }
    if (folder_has_spec(run->folder, run->spec.text)) {
        /* Starting over would truncate the journal of fits that --resume
         * could keep, which is rarely what the user meant. */
        if (folder_has_unfinished_journal(run->folder) && !options->force)
            return gcv_error_set(err, GCV_ERR_USAGE, "output folder %s holds an unfinished run "
                                 "of this spec (journal.bin without best.json): pass --resume "
                                 "to continue it, or --force to start over", run->folder);
        *state = "holds an earlier run of this spec: run replaces its results";
        return GCV_OK;
    }
    if (folder_holds_only_spec(run->folder)) {
        *state = "holds only the spec of a run that stopped before its search: run replaces it";
        return GCV_OK;
    }
    if (!options->force)
        return gcv_error_set(err, GCV_ERR_USAGE, "output folder %s already holds files of "
                             "another search: choose another --out, or pass --force to "
                             "overwrite it", run->folder);
    *state = "holds another search: --force replaces its results";
    return GCV_OK;
}

/* Rank 0: chooses, checks and prepares the output folder (check_folder).
 * The files of a previous result are removed first, so none of them can
 * be mistaken for this run's, except on --resume. */
static enum gcv_status prepare_folder(struct search *run, const struct gcv_run_options *options,
                                      struct gcv_error *err)
{
    static const char *const outputs[] = {"cv_results.json", "cv_results.csv", "best.json",
                                          "spec.json", "heatmap.svg", "validation_curve.svg",
                                          "confusion_matrix.csv", "classification_report.csv",
                                          "roc_curve.csv", "precision_recall_curve.csv",
                                          "roc_curve.svg", "precision_recall_curve.svg",
                                          "holdout_cost.csv", "holdout_metrics.csv"};
    struct gcv_output_file file;
    struct stat info;
    const char *state;
    enum gcv_status status;

    if ((status = check_folder(run, options, &state, err)) != GCV_OK)
        return status;
    if (make_folders(run->folder) != 0)
        return gcv_error_set(err, folder_error_status(errno), "cannot create output folder %s: "
                             "%s; choose another --out", run->folder, strerror(errno));
    if (stat(run->folder, &info) != 0 || !S_ISDIR(info.st_mode))
        return gcv_error_set(err, GCV_ERR_USAGE, "output folder %s exists and is not a folder: "
                             "choose another --out", run->folder);
    if (access(run->folder, W_OK) != 0)
        return gcv_error_set(err, folder_error_status(errno), "output folder %s is not "
                             "writable: %s; choose another --out", run->folder, strerror(errno));

    /* A resumed run keeps the old files until its own replace them, since
     * its data check comes later and may still reject the resume; the
     * journal already proved that they belong to this spec. */
    for (size_t i = 0; i < sizeof outputs / sizeof outputs[0] && !options->resume; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", run->folder, outputs[i]);
        if (unlink(path) != 0 && errno != ENOENT)
            return gcv_error_set(err, GCV_ERR_IO, "cannot remove the old %s: %s", path,
                                 strerror(errno));
    }

    /* The spec is copied in, so the folder says which search it holds. */
    if ((status = gcv_output_open(&file, run->folder, "spec.json", err)) != GCV_OK)
        return status;
    fputs(run->spec.text, file.stream);
    return gcv_output_commit(&file, err);
}

static int compare_rows(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;

    return (x > y) - (x < y);
}

/* Every rank: draws the holdout as train_test_split does. The holdout rows
 * keep train_test_split's order (its X_test), while the search rows are
 * its train rows in file order, so the folds are those of a search over
 * the file's rows less the holdout, not over its shuffled X_train. */
static enum gcv_status split_holdout(struct search *run, struct gcv_error *err)
{
    struct gcv_fold split;
    enum gcv_status status;

    if (run->spec.data.holdout_split.stratify && run->data.y_class == NULL)
        return gcv_error_set(err, GCV_ERR_SPEC, "%s: data.holdout: stratify needs class labels, "
                             "but y holds regression targets; set stratify to false",
                             run->spec.file);
    status = gcv_split_train_test(&run->spec.data.holdout_split, run->data.n_rows,
                                  run->data.y_class, run->data.n_classes, &split, err);
    if (status != GCV_OK) {
        gcv_error_prefix(err, "%s: data.holdout: ", run->spec.file);
        return status;
    }
    qsort(split.train, split.n_train, sizeof *split.train, compare_rows);
    memcpy(run->search_rows, split.train, split.n_train * sizeof *split.train);
    memcpy(run->holdout_rows, split.test, split.n_test * sizeof *split.test);
    run->n_search_rows = split.n_train;
    run->n_holdout_rows = split.n_test;
    gcv_fold_free(&split);
    return GCV_OK;
}

/* Every rank: splits the loaded rows into search and holdout rows and the
 * search rows into folds. */
static enum gcv_status plan_folds(struct search *run, struct gcv_error *err)
{
    enum gcv_status status;

    run->splitter = run->spec.splitter;
    run->search_rows = malloc(run->data.n_rows * sizeof *run->search_rows);
    run->holdout_rows = malloc(run->data.n_rows * sizeof *run->holdout_rows);
    if (run->search_rows == NULL || run->holdout_rows == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu row indices",
                             run->data.n_rows);
    if (run->spec.data.has_holdout_split) {
        if ((status = split_holdout(run, err)) != GCV_OK)
            return status;
    } else {
        for (size_t i = 0; i < run->data.n_rows; i++) {
            if (run->data.holdout != NULL && run->data.holdout[i])
                run->holdout_rows[run->n_holdout_rows++] = i;
            else
                run->search_rows[run->n_search_rows++] = i;
        }
    }

    /* An integer cv means StratifiedKFold for a classifier and KFold for a
     * regressor, as scikit-learn's check_cv decides. */
    if (run->spec.cv_is_integer)
        run->splitter.kind = run->kind == GCV_ESTIMATOR_CLASSIFIER ? GCV_SPLIT_STRATIFIED_KFOLD
                                                                   : GCV_SPLIT_KFOLD;
    if (gcv_splitter_uses_classes(run->splitter.kind) && run->data.y_class == NULL)
        return gcv_error_set(err, GCV_ERR_SPEC, "%s: cv: %s needs class labels, but y holds "
                             "regression targets; use a splitter that does not stratify, such "
                             "as KFold", run->spec.file, gcv_splitter_name(run->splitter.kind));
    status = gcv_fold_plan_build(&run->splitter, run->search_rows, run->n_search_rows,
                                 run->data.y_class, run->data.n_classes, run->data.groups,
                                 run->data.test_fold, &run->plan, err);
    if (status != GCV_OK)
        gcv_error_prefix(err, "%s: cv: ", run->spec.file);
    return status;
}

/* The data the spec names; every pointer is borrowed from run->spec. */
static struct gcv_dataset_source data_source(const struct search *run)
{
    struct gcv_dataset_source source = {
        .paths = (const char *const *)run->spec.data.paths,
        .n_paths = run->spec.data.n_paths,
        .X = run->spec.data.X,
        .y = run->spec.data.y,
        .holdout = run->spec.data.holdout,
        .test_fold = run->spec.test_fold,
        .groups = run->spec.data.groups,
        .classification = run->kind == GCV_ESTIMATOR_CLASSIFIER,
    };
    return source;
}

/* Rewrites a data error that starts "data.path: " to name the spec file
 * and where data.path sits in it, as the spec's own errors do. Any other
 * message is left as it is. */
static void locate_data_path(const struct search *run, struct gcv_error *err)
{
    static const char key[] = "data.path: ";
    char reason[GCV_ERROR_MAX];
    int line, column;

    if (strncmp(err->message, key, sizeof key - 1) != 0 || run->spec.text == NULL ||
        !gcv_spec_locate(run->spec.text, "data.path", &line, &column))
        return;
    snprintf(reason, sizeof reason, "%s", err->message + sizeof key - 1);
    gcv_error_set(err, err->status, "%s: data.path (line %d column %d): %s", run->spec.file,
                  line, column, reason);
}

/* Every rank: loads the data and splits the search rows into folds. */
static enum gcv_status load_data(struct search *run, struct gcv_error *err)
{
    struct gcv_dataset_source source = data_source(run);
    enum gcv_status status;

    /* One copy per node. A node leader that cannot read the data ends
     * every rank, with its message. */
    status = gcv_shm_load(&run->shm, &source, &run->data, err);
    if ((status = gcv_proto_agree(status, err, MPI_COMM_WORLD)) != GCV_OK) {
        locate_data_path(run, err);
        return status;
    }
    return plan_folds(run, err);
}

/* Every rank: checks a halving search against the data and plans its
 * rounds. */
static enum gcv_status plan_halving(struct search *run, struct gcv_error *err)
{
    return gcv_halving_plan(&run->halving, &run->spec, &run->data, run->search_rows,
                            run->n_search_rows, run->plan.n_folds,
                            run->kind == GCV_ESTIMATOR_CLASSIFIER, err);
}

/* Rank 0: predicts the holdout rows with the refit model and writes the
 * evaluation report into the output folder. The positive class of the
 * curves is pos_label, else the greater label. With a tuned threshold
 * (threshold->done), the report also covers the labels it gives. */
static enum gcv_status evaluate_holdout(struct search *run, const void *model,
                                        const struct gcv_threshold_result *threshold,
                                        struct gcv_evaluation *evaluation, struct gcv_error *err)
{
    size_t n = run->n_holdout_rows;
    int32_t positive = run->ctx.pos_label_given ? run->ctx.pos_label : 1;
    double *predicted = malloc((n + 1) * sizeof *predicted);
    double *score = malloc((n + 1) * sizeof *score);
    int32_t *y_true = malloc((n + 1) * sizeof *y_true);
    int32_t *y_pred = malloc((n + 1) * sizeof *y_pred);
    bool has_score = false;
    enum gcv_status status;

    if (predicted == NULL || score == NULL || y_true == NULL || y_pred == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory evaluating %zu holdout rows",
                               n);
        goto cleanup;
    }
    status = gcv_task_predict(&run->ctx, model, run->holdout_rows, n, positive, predicted,
                              run->data.n_classes == 2 ? score : NULL, &has_score, err);
    if (status != GCV_OK)
        goto cleanup;

    /* A regressor: score holds the true targets. */
    if (!run->data.is_classification) {
        for (size_t i = 0; i < n; i++)
            score[i] = run->data.y_value[run->holdout_rows[i]];
        status = gcv_evaluation_compute_regression(score, predicted, n, evaluation, err);
        if (status == GCV_OK)
            status = gcv_evaluation_write(evaluation, &run->data, run->folder, err);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        y_true[i] = run->data.y_class[run->holdout_rows[i]];
        y_pred[i] = (int32_t)predicted[i];
    }
    status = gcv_evaluation_compute(y_true, y_pred, n, run->data.n_classes, positive,
                                    has_score ? score : NULL, run->ctx.cost_matrix, evaluation,
                                    err);

    /* The same rows cut at the tuned threshold; y_pred is reused. */
    if (status == GCV_OK && threshold->done && has_score) {
        for (size_t i = 0; i < n; i++)
            y_pred[i] = score[i] >= threshold->threshold ? threshold->positive
                                                         : threshold->negative;
        status = gcv_evaluation_add_threshold(evaluation, y_true, y_pred,
                                              threshold->default_threshold, threshold->threshold,
                                              run->ctx.cost_matrix, err);
    }
    if (status == GCV_OK)
        status = gcv_evaluation_write(evaluation, &run->data, run->folder, err);

cleanup:
    if (status != GCV_OK)
        gcv_error_prefix(err, "evaluation of the refit model on the holdout rows failed: ");
    free(y_pred);
    free(y_true);
    free(score);
    free(predicted);
    return status;
}

/* Rank 0: refits the best candidate on all search rows, scores the
 * holdout rows with it, writes their evaluation report and saves the
 * model with its holdout predictions. */
static enum gcv_status refit_best(struct search *run, struct gcv_refit_outcome *outcome,
                                  struct gcv_evaluation *evaluation, struct gcv_error *err)
{
    void *model = NULL;
    double start = gcv_task_clock();
    enum gcv_status status;

    memset(outcome, 0, sizeof *outcome);
    if (!run->spec.refit)
        return GCV_OK;

    status = gcv_task_fit(&run->ctx, (int32_t)run->results.best_index, run->search_rows,
                          run->n_search_rows, &model, err);
    outcome->refit_time = gcv_task_clock() - start;
    if (status != GCV_OK) {
        gcv_error_prefix(err, "refit of the best candidate failed: ");
        return status;
    }
    outcome->done = true;

    /* The decision threshold, tuned on the search folds before the holdout
     * rows are scored (coordinator/threshold.h). */
    if (run->ctx.threshold_objective != NULL) {
        status = gcv_threshold_tune(&run->ctx, (int32_t)run->results.best_index,
                                    &outcome->threshold, err);
        if (status != GCV_OK) {
            run->ctx.estimator->model_free(model);
            return status;
        }
    }

    if (run->n_holdout_rows > 0) {
        status = gcv_task_score_refit(&run->ctx, model, run->holdout_rows, run->n_holdout_rows,
                                      &outcome->holdout_score, err);
        if (status == GCV_OK) {
            outcome->has_holdout = true;
            outcome->n_holdout = run->n_holdout_rows;
        }
        if (status == GCV_OK)
            status = evaluate_holdout(run, model, &outcome->threshold, evaluation, err);
    }

    /* model.h5 and the refit model's holdout predictions. */
    if (status == GCV_OK)
        status = gcv_predict_save_refit(run->folder, &run->spec, run->results.best_index,
                                        run->ctx.estimator, model, &run->data, run->holdout_rows,
                                        run->n_holdout_rows, &outcome->threshold, err);
    run->ctx.estimator->model_free(model);
    return status;
}

/* Rank 0: makes the journal header of this search from the spec and the
 * loaded data. With --resume, checks the journal that read_journal read
 * against it and reopens that journal for appending. Without, creates a
 * new journal in place of any old one. */
static enum gcv_status open_journal(struct search *run, const struct gcv_run_options *options,
                                    struct gcv_error *err)
{
    struct gcv_journal_header header = {
        .spec_hash = gcv_journal_hash_text(run->spec.text),
        .data_hash = gcv_journal_hash_dataset(&run->data),
        .n_candidates = run->spec.grid.n_candidates,
        .n_folds = run->plan.n_folds,
        .n_scorers = (uint32_t)run->ctx.n_scorers,
        .has_train = run->spec.return_train_score,
    };
    char path[4200];
    enum gcv_status status;

    snprintf(path, sizeof path, "%s/%s", run->folder, GCV_JOURNAL_FILE);
    if (!options->resume)
        return gcv_journal_create(&run->journal, path, &header, err);

    if ((status = gcv_journal_check_header(&run->resumed.header, &header, path, err)) != GCV_OK)
        return status;
    if (run->resumed.dropped_bytes > 0)
        gcv_log_warn("journal %s: %llu bytes after its last intact record were dropped (%s); "
                     "their fits run again", path,
                     (unsigned long long)run->resumed.dropped_bytes,
                     run->resumed.damaged ? "a record fails its checksum"
                                          : "the last record was cut short");
    return gcv_journal_reopen(&run->journal, path, &run->resumed, err);
}

/* Rank 0: records the fits of the journal that --resume read, as if their
 * results had just arrived. A failed fit under error_score "raise" ends
 * the search again, as it ended the run that recorded it. */
static enum gcv_status replay_journal(struct search *run, struct gcv_error *err)
{
    for (size_t i = 0; i < run->resumed.n_records; i++) {
        const struct gcv_task_result *record = &run->resumed.records[i];

        gcv_results_record(&run->results, record, &run->spec);
        if (record->status != GCV_OK && run->spec.error_score == GCV_ERROR_SCORE_RAISE)
            return gcv_error_set(err, GCV_ERR_FIT, "fit of candidate %d on fold %d (rank %d, "
                                 "in the journal) failed: %s", (int)record->candidate,
                                 (int)record->fold, (int)record->rank, record->message);
    }
    return GCV_OK;
}

/* Rank 0: the search proper, while the workers fit. */
static enum gcv_status coordinate(struct search *run, const struct gcv_run_options *options,
                                  struct gcv_error *err)
{
    const char *scorer_names[GCV_MAX_SCORERS];
    struct gcv_progress progress;
    struct gcv_scheduler_options schedule = {
        .progress = gcv_progress_update,
        .journal = &run->journal,
        .stop_signal = options->stop_signal,
        .grace = options->grace,
    };
    enum gcv_status status;

    for (size_t s = 0; s < run->ctx.n_scorers; s++)
        scorer_names[s] = run->ctx.scorers[s]->name;
    status = gcv_results_init(&run->results, run->spec.grid.n_candidates, run->plan.n_folds,
                              run->ctx.n_scorers, scorer_names, run->spec.return_train_score, err);
    if (status == GCV_OK) {
        run->results.refit_scorer = run->ctx.refit_scorer;
        run->results.multimetric = run->spec.multimetric;
        status = replay_journal(run, err);
    }
    if (status != GCV_OK) {
        gcv_scheduler_stop_workers(MPI_COMM_WORLD);
        return status;
    }

    if (options->verbosity > 0) {
        gcv_summary_print_start(stdout, &run->spec, &run->data, run->n_search_rows,
                                run->plan.n_folds, run->size > 1 ? run->size - 1 : 1);
        gcv_shm_print_memory(stdout, &run->shm, &run->spec, &run->data, &run->plan,
                             run->size > 1 ? run->size - 1 : 1);
        if (run->hosts != NULL)
            gcv_summary_print_hosts(stdout, run->hosts, MPI_MAX_PROCESSOR_NAME,
                                    run->blas_threads, run->size);
    }
    gcv_progress_init(&progress, options->verbosity, &run->spec.grid);
    if (options->verbosity > 0 && options->resume)
        printf("resuming: %zu of %zu fits are in the journal, %zu run now\n",
               run->results.n_done, run->results.n_candidates * run->results.n_folds,
               run->results.n_candidates * run->results.n_folds - run->results.n_done);
    schedule.progress_arg = &progress;
    status = gcv_scheduler_run(&run->ctx, &run->spec, &run->results, &schedule, MPI_COMM_WORLD,
                               err);
    gcv_progress_finish(&progress);
    run->n_abandoned = schedule.n_abandoned;

    /* The journal is synced and closed on every path, so that --resume
     * finds every finished fit. */
    if (status == GCV_OK)
        status = gcv_journal_close(&run->journal, err);
    else
        gcv_journal_close(&run->journal, NULL);
    if (status == GCV_STOPPED) {
        char stopped[GCV_ERROR_MAX];
        memcpy(stopped, err->message, sizeof stopped);
        gcv_error_set(err, GCV_STOPPED, "%s; the journal %s/%s keeps them: finish with "
                      "`gridcv run --resume %s --out %s`", stopped, run->folder,
                      GCV_JOURNAL_FILE, options->spec_path, run->folder);
    }
    return status;
}

/* Every node leader: warns when the node's fitting ranks times their
 * OpenBLAS threads exceed its cores, so that fits would share cores. Rank
 * 0 does not count: it fits only the refit, after the workers are done. */
static void check_cores(const struct search *run, int blas_threads)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int fitting;

    if (!run->shm.has_node || run->shm.node_rank != 0 || cores < 1)
        return;
    fitting = run->shm.node_size - (run->shm.leader == 0 && run->size > 1 ? 1 : 0);
    if ((long)fitting * blas_threads > cores)
        gcv_log_warn("%d fitting ranks x %d OpenBLAS threads exceed the %ld cores of this node, "
                     "so fits share cores and run slower: start at most %ld workers per node, "
                     "or lower --blas-threads", fitting, blas_threads, cores,
                     cores / blas_threads > 0 ? cores / blas_threads : 1);
}

/* Collective: sums every rank's fold cache counters on rank 0, keeping the
 * largest peak. */
static enum gcv_status gather_fold_cache_stats(struct search *run, struct gcv_error *err)
{
    struct gcv_fold_cache_stats *stats = &run->fold_cache;
    /* The counters summed over the ranks. */
    uint64_t *const summed[] = {
        &stats->hits,
        &stats->stores,
        &stats->evictions,
        &stats->too_large,
        &stats->trees_reused,
        &stats->node_shared,
        &stats->kernels_replaced,
        &stats->kernels_copied,
        &stats->blocks_reused,
    };
    enum { N_SUMMED = sizeof summed / sizeof summed[0] };
    uint64_t counts[N_SUMMED], totals[N_SUMMED] = {0};
    unsigned long long peak, max_peak = 0;
    enum gcv_status status = GCV_OK;

    gcv_fold_cache_get_stats(stats);
    for (size_t i = 0; i < N_SUMMED; i++)
        counts[i] = *summed[i];
    peak = stats->peak_bytes;
    GCV_MPI_CHECK(MPI_Reduce(counts, totals, N_SUMMED, MPI_UINT64_T, MPI_SUM, 0,
                             MPI_COMM_WORLD));
    GCV_MPI_CHECK(MPI_Reduce(&peak, &max_peak, 1, MPI_UNSIGNED_LONG_LONG, MPI_MAX, 0,
                             MPI_COMM_WORLD));
    for (size_t i = 0; i < N_SUMMED; i++)
        *summed[i] = totals[i];
    stats->peak_bytes = (size_t)max_peak;
cleanup:
    return status;
}

/* Rank 0: prints the fold cache counters under the summary, when any fit
 * used the cache, with the counts that apply to some searches only (forest
 * trees, items shared by the ranks of a node, memory reused) when not 0. */
static void print_fold_cache(const struct gcv_fold_cache_stats *stats)
{
    const double mib = 1024.0 * 1024.0;
    const struct {
        uint64_t count;
        const char *label;
    } optional[] = {
        {stats->trees_reused, "forest trees reused instead of built"},
        {stats->node_shared, "items computed in part or whole by another rank of the node"},
        {stats->kernels_replaced, "kernel matrices written over another gamma's"},
        {stats->kernels_copied, "kernel matrices copied from another rank of the node"},
        {stats->blocks_reused, "items stored in the memory of an earlier fold's"},
    };

    if (stats->hits + stats->stores + stats->too_large == 0)
        return;
    printf("fold cache: %llu hits, %llu items computed and kept, %llu evicted, %llu too large "
           "to keep; peak %.1f MiB of %.0f MiB per rank (--fold-cache-mb)",
           (unsigned long long)stats->hits, (unsigned long long)stats->stores,
           (unsigned long long)stats->evictions, (unsigned long long)stats->too_large,
           (double)stats->peak_bytes / mib, (double)stats->budget / mib);
    for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++)
        if (optional[i].count > 0)
            printf("; %llu %s", (unsigned long long)optional[i].count, optional[i].label);
    printf("\n");
}

/* Rank 0, after the search: the tables, the refit, the plot and the
 * summary. */
static enum gcv_status finish(struct search *run, double start, struct gcv_error *err)
{
    struct gcv_refit_outcome refit;
    struct gcv_evaluation evaluation = {0};
    double wall_time;
    enum gcv_status status;

    gcv_results_finalize(&run->results);
    if (run->spec.halving.enabled)
        gcv_halving_pick_best(&run->results);
    if ((status = gcv_results_write(&run->results, &run->spec, run->folder, err)) != GCV_OK)
        return status;

    /* As scikit-learn raises when every fit failed, there is no best
     * setting to refit; cv_results stays for inspection. */
    if (run->results.n_failed == run->results.n_candidates * run->results.n_folds &&
        run->results.n_failure_kinds > 0)
        return gcv_error_set(err, GCV_ERR_FIT, "all %zu fits failed (see %s/cv_results.csv); "
                             "the first error, %zu times: %s", run->results.n_failed,
                             run->folder, run->results.failures[0].count,
                             run->results.failures[0].message);
    if ((status = refit_best(run, &refit, &evaluation, err)) != GCV_OK)
        goto cleanup;

    wall_time = gcv_task_clock() - start;
    status = gcv_summary_write_best(&run->spec, &run->results, &refit, wall_time, run->folder, err);
    if (status != GCV_OK)
        goto cleanup;
    status = gcv_summary_finish(stdout, &run->spec, &run->results, &refit, wall_time,
                                run->folder, err);
    if (status == GCV_OK) {
        print_fold_cache(&run->fold_cache);
        gcv_evaluation_print(stdout, &evaluation, &run->data);
    }

cleanup:
    gcv_evaluation_free(&evaluation);
    return status;
}

/* Collective: brings each rank's host name (MPI_Get_processor_name) and
 * OpenBLAS thread count to rank 0, for the hosts line of the summary. When
 * rank 0 is out of memory for them, nothing is gathered and run->hosts
 * stays NULL. */
static enum gcv_status gather_hosts(struct search *run, struct gcv_error *err)
{
    char host[MPI_MAX_PROCESSOR_NAME] = "";
    int host_length = 0, threads = openblas_get_num_threads(), ready = 1;
    enum gcv_status status = GCV_OK;

    if (MPI_Get_processor_name(host, &host_length) != MPI_SUCCESS)
        snprintf(host, sizeof host, "unknown host");
    host[sizeof host - 1] = '\0';
    if (run->rank == 0) {
        run->hosts = malloc((size_t)run->size * sizeof host);
        run->blas_threads = malloc((size_t)run->size * sizeof *run->blas_threads);
        ready = run->hosts != NULL && run->blas_threads != NULL;
    }
    GCV_MPI_CHECK(MPI_Bcast(&ready, 1, MPI_INT, 0, MPI_COMM_WORLD));
    if (!ready)
        goto cleanup;
    GCV_MPI_CHECK(MPI_Gather(host, (int)sizeof host, MPI_CHAR, run->hosts, (int)sizeof host,
                             MPI_CHAR, 0, MPI_COMM_WORLD));
    GCV_MPI_CHECK(MPI_Gather(&threads, 1, MPI_INT, run->blas_threads, 1, MPI_INT, 0,
                             MPI_COMM_WORLD));

cleanup:
    if (!ready || status != GCV_OK) {
        free(run->hosts);
        free(run->blas_threads);
        run->hosts = NULL;
        run->blas_threads = NULL;
    }
    return status;
}

/* Collective: brings every rank's held warnings (gcv_log_take_held) and
 * host name to rank 0, which prints each distinct warning once. The cost
 * is one MPI_Allreduce when no rank holds a warning. */
static enum gcv_status gather_warnings(const struct search *run, struct gcv_error *err)
{
    char host[MPI_MAX_PROCESSOR_NAME + 1] = "";
    char *held = gcv_log_take_held();
    char *block = NULL;    /* host, NUL, held warnings, NUL; owned */
    char *gathered = NULL; /* rank 0: every rank's block in rank order, owned */
    int *lengths = NULL, *offsets = NULL;      /* rank 0: [size], owned */
    const char **texts = NULL, **hosts = NULL; /* rank 0: [size] into gathered, owned */
    int host_length = 0, length, held_total = 0, total = 0, ready = 0;
    enum gcv_status status = GCV_OK;

    length = held != NULL ? (int)strlen(held) : 0;
    GCV_MPI_CHECK(MPI_Allreduce(&length, &held_total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD));
    if (held_total == 0)
        goto cleanup;

    /* Each rank's block; rank 0 makes room for the lists. */
    if (MPI_Get_processor_name(host, &host_length) != MPI_SUCCESS)
        snprintf(host, sizeof host, "unknown host");
    length = (int)strlen(host) + 1 + (held != NULL ? (int)strlen(held) : 0) + 1;
    block = malloc((size_t)length);
    if (block != NULL) {
        memcpy(block, host, strlen(host) + 1);
        memcpy(block + strlen(host) + 1, held != NULL ? held : "",
               (size_t)length - strlen(host) - 1);
    }
    if (run->rank == 0) {
        lengths = malloc((size_t)run->size * sizeof *lengths);
        offsets = malloc((size_t)run->size * sizeof *offsets);
        texts = malloc((size_t)run->size * sizeof *texts);
        hosts = malloc((size_t)run->size * sizeof *hosts);
        ready = lengths != NULL && offsets != NULL && texts != NULL && hosts != NULL;
    }
    GCV_MPI_CHECK(MPI_Bcast(&ready, 1, MPI_INT, 0, MPI_COMM_WORLD));
    if (!ready)
        goto cleanup;

    /* The lengths, then the blocks. A rank out of memory sends nothing;
     * if rank 0 is, every rank sends nothing. */
    if (block == NULL)
        length = 0;
    GCV_MPI_CHECK(MPI_Gather(&length, 1, MPI_INT, lengths, 1, MPI_INT, 0, MPI_COMM_WORLD));
    if (run->rank == 0) {
        for (int r = 0; r < run->size; r++) {
            offsets[r] = total;
            total += lengths[r];
        }
        gathered = malloc((size_t)total + 1);
        ready = gathered != NULL;
    }
    GCV_MPI_CHECK(MPI_Bcast(&ready, 1, MPI_INT, 0, MPI_COMM_WORLD));
    if (!ready)
        goto cleanup;
    GCV_MPI_CHECK(MPI_Gatherv(block, length, MPI_CHAR, gathered, lengths, offsets, MPI_CHAR, 0,
                              MPI_COMM_WORLD));

    if (run->rank == 0) {
        for (int r = 0; r < run->size; r++) {
            hosts[r] = lengths[r] > 0 ? gathered + offsets[r] : NULL;
            texts[r] = lengths[r] > 0 ? hosts[r] + strlen(hosts[r]) + 1 : NULL;
        }
        gcv_log_print_gathered(stderr, texts, hosts, run->size);
    }

cleanup:
    free(hosts);
    free(texts);
    free(gathered);
    free(offsets);
    free(lengths);
    free(block);
    free(held);
    return status;
}

/* Collective: agrees on the status of a step (gcv_proto_agree), then has
 * rank 0 print the warnings every rank raised so far, before any error. */
static enum gcv_status agree(const struct search *run, enum gcv_status status,
                             struct gcv_error *err)
{
    struct gcv_error gather_err = {GCV_OK, ""};
    enum gcv_status gathered;

    status = gcv_proto_agree(status, err, MPI_COMM_WORLD);
    gathered = gather_warnings(run, &gather_err);
    if (status == GCV_OK && gathered != GCV_OK) {
        *err = gather_err;
        return gathered;
    }
    return status;
}

static void search_free(struct search *run)
{
    free(run->blas_threads);
    free(run->hosts);
    if (run->journal.path[0] != '\0')
        gcv_journal_close(&run->journal, NULL);
    gcv_journal_contents_free(&run->resumed);
    gcv_results_free(&run->results);
    gcv_halving_free(&run->halving);
    gcv_task_context_free(&run->ctx);
    gcv_fold_plan_free(&run->plan);
    free(run->holdout_rows);
    free(run->search_rows);
    gcv_dataset_free(&run->data);
    gcv_fold_share_detach();
    gcv_shm_free(&run->shm);
    gcv_spec_free(&run->spec);
}

/* Makes glibc's malloc keep the memory this rank frees, to serve its next
 * allocations. By default it maps each block of 32 MiB or more on its own
 * and unmaps it on free. Every fold's distances, kernel matrices and
 * products then took new pages, and their first touch cost 0.4 to 1.6 s
 * per GiB on the virtual machine of docs/benchmarks.md, which gives the
 * gain (about 4% on case 2, with identical cv_results). A rank's resident
 * size so stays near its peak until the search ends. */
static void keep_freed_memory(void)
{
#if defined(M_MMAP_MAX) && defined(M_TRIM_THRESHOLD)
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
}

/* Returns the number of ranks that share this rank's machine (its MPI
 * shared-memory domain), or 1 when MPI cannot split by it. Collective over
 * MPI_COMM_WORLD. gcv_shm_load splits the same way later, after the spec
 * is read, but the spec's memory check needs the count first. */
static int ranks_on_this_machine(void)
{
    MPI_Comm machine;
    int ranks = 1;

    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL,
                            &machine) != MPI_SUCCESS)
        return 1;
    MPI_Comm_size(machine, &ranks);
    MPI_Comm_free(&machine);
    return ranks;
}

int gcv_search_run(const struct gcv_run_options *options)
{
    struct search run;
    struct gcv_error err = {GCV_OK, ""};
    double start = gcv_task_clock();
    enum gcv_status status = GCV_OK;

    memset(&run, 0, sizeof run);
    keep_freed_memory();
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &run.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &run.size);
    gcv_log_hold_warnings(true);
    gcv_fold_cache_configure(options->fold_cache_mb << 20);
    gcv_task_configure_batches(options->lockstep);
    gcv_grid_set_memory_limit(0, ranks_on_this_machine());

    /* Spec: read and checked on rank 0, then shared. */
    if (run.rank == 0)
        status = read_spec(&run, options->spec_path, &err);
    if ((status = agree(&run, status, &err)) != GCV_OK)
        goto cleanup;
    if ((status = share_spec(&run, options->spec_path, &err)) != GCV_OK)
        status = gcv_proto_agree(status, &err, MPI_COMM_WORLD);
    else
        status = gcv_proto_agree(GCV_OK, &err, MPI_COMM_WORLD);
    if (status != GCV_OK)
        goto cleanup;

    /* Output folder: checked before the data is read, so a refused folder
     * costs nothing. */
    if (run.rank == 0)
        status = prepare_folder(&run, options, &err);
    if ((status = agree(&run, status, &err)) != GCV_OK)
        goto cleanup;

    /* Data and folds, on every rank. */
    status = load_data(&run, &err);
    if (status == GCV_OK && run.spec.halving.enabled)
        status = plan_halving(&run, &err);
    if (status == GCV_OK)
        status = gcv_task_context_init(&run.ctx, &run.spec, &run.data, &run.plan, &err);
    if (status == GCV_OK) {
        check_cores(&run, options->blas_threads);
        /* The shared copy of the data does not change until the search ends. */
        gcv_fold_cache_set_dataset(run.data.X, run.data.n_rows * run.data.n_features);
        gcv_fold_share_attach(run.shm.board, run.shm.board_bytes, run.shm.node_rank,
                              run.shm.node_size);
    }
    if ((status = agree(&run, status, &err)) != GCV_OK)
        goto cleanup;

    /* The search. Warnings of the fits are printed before the summary. */
    status = gather_hosts(&run, &err);
    if (run.rank == 0 && status == GCV_OK && !run.spec.halving.enabled)
        status = open_journal(&run, options, &err);
    if ((status = agree(&run, status, &err)) != GCV_OK)
        goto cleanup;
    if (run.spec.halving.enabled) {
        status = gcv_halving_run(&run.halving, &run.spec, &run.ctx, &run.results, &run.data,
                                 &run.plan, options, MPI_COMM_WORLD, &err);
        run.n_abandoned = run.halving.n_abandoned;
    } else if (run.rank == 0) {
        status = coordinate(&run, options, &err);
    } else {
        status = gcv_worker_run(&run.ctx, MPI_COMM_WORLD, &err);
    }

    /* Workers still fitting after the grace cannot take part in the
     * collective below, so the job ends here, the journal already closed. */
    if (run.rank == 0 && run.n_abandoned > 0) {
        fprintf(stderr, "gridcv: %s\n", err.message);
        fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, gcv_status_exit_code(GCV_STOPPED));
    }
    if ((status = agree(&run, status, &err)) != GCV_OK)
        goto cleanup;
    status = gather_fold_cache_stats(&run, &err);
    if ((status = agree(&run, status, &err)) != GCV_OK)
        goto cleanup;

    /* Tables, refit, plot and summary, on rank 0. The other ranks wait in
     * a barrier that sleeps, so that the refit has their cores. */
    if (run.rank == 0)
        status = finish(&run, start, &err);
    if (status == GCV_OK)
        status = gcv_proto_idle_barrier(MPI_COMM_WORLD, &err);
    else
        gcv_proto_idle_barrier(MPI_COMM_WORLD, &(struct gcv_error){GCV_OK, ""});
    status = agree(&run, status, &err);

cleanup:
    if (status != GCV_OK && run.rank == 0) {
        fprintf(stderr, "gridcv: %s%s\n", status == GCV_STOPPED ? "" : "error: ", err.message);
        fflush(stderr);
    }
    gcv_log_hold_warnings(false);
    search_free(&run);
    gcv_fold_cache_clear();
    return gcv_status_exit_code(status);
}

/* check: prints what the run would do, from the loaded data and plan. */
static void print_check(struct search *run, const struct gcv_dataset_layout *layout,
                        const char *folder_state)
{
    struct gcv_check_report report = {
        .spec = &run->spec,
        .data = &run->data,
        .search_rows = run->search_rows,
        .n_search_rows = run->n_search_rows,
        .plan = &run->plan,
        .splitter = run->splitter.kind,
        .scorer_name = run->ctx.scorers[run->ctx.refit_scorer]->name,
        .shm = &run->shm,
        .folder = run->folder,
        .folder_state = folder_state,
    };

    /* The memory estimate reads the size of a node's copy from shm, which
     * check never maps: it is set here and cleared before search_free. */
    run->shm.node_bytes = gcv_dataset_block_size(layout);
    run->shm.max_node_size = 1;
    gcv_summary_print_check(stdout, &report);
    memset(&run->shm, 0, sizeof run->shm);
}

int gcv_search_check(const struct gcv_run_options *options)
{
    struct search run;
    struct gcv_dataset_source source;
    struct gcv_dataset_layout layout;
    struct gcv_error err = {GCV_OK, ""};
    const char *folder_state = "";
    char *held;
    enum gcv_status status;

    memset(&run, 0, sizeof run);
    memset(&layout, 0, sizeof layout);
    run.size = 1;
    gcv_log_hold_warnings(true);

    /* The steps of gcv_search_run up to the first fit, in this process
     * alone: the data is read into its own memory, not a node's window,
     * and no folder is created. */
    status = read_spec(&run, options->spec_path, &err);
    if (status == GCV_OK)
        status = check_folder(&run, options, &folder_state, &err);
    if (status == GCV_OK) {
        source = data_source(&run);
        status = gcv_dataset_scan(&source, &layout, &err);
    }

    /* The rows of the layout just scanned, as gcv_dataset_load reads them,
     * without a second scan (and a second check process). */
    if (status == GCV_OK) {
        void *block = malloc(gcv_dataset_block_size(&layout));

        if (block == NULL)
            status = gcv_error_set(&err, GCV_ERR_NOMEM, "out of memory for %zu rows x %zu "
                                   "features", layout.n_rows, layout.n_features);
        else if ((status = gcv_dataset_attach(&run.data, &layout, block, GCV_DATASET_OWNED,
                                              &err)) != GCV_OK)
            free(block);
        else
            status = gcv_dataset_read(&source, &layout, &run.data, &err);
    }
    if (status != GCV_OK)
        locate_data_path(&run, &err);
    if (status == GCV_OK)
        status = plan_folds(&run, &err);
    if (status == GCV_OK && run.spec.halving.enabled)
        status = plan_halving(&run, &err);
    if (status == GCV_OK)
        status = gcv_task_context_init(&run.ctx, &run.spec, &run.data, &run.plan, &err);

    /* Warnings first, as run prints them, then the report or the error. */
    held = gcv_log_take_held();
    gcv_log_print_gathered(stderr, (const char *const *)&held, NULL, 1);
    free(held);
    gcv_log_hold_warnings(false);
    if (status == GCV_OK) {
        print_check(&run, &layout, folder_state);
        if (run.spec.halving.enabled)
            gcv_halving_print_plan(stdout, &run.halving, &run.spec);
    } else {
        fprintf(stderr, "gridcv: error: %s\n", err.message);
        fflush(stderr);
    }

    gcv_dataset_layout_free(&layout);
    search_free(&run);
    return gcv_status_exit_code(status);
}
