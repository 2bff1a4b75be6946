/* The search spec: the JSON file a user writes, checked whole and turned
 * into typed fields. This is the only module that uses the JSON library.
 *
 * Every error names the key (as a path such as "param_grid[0].C[2]"), its
 * line and column in the file, the value, and what is accepted. */
#ifndef GCV_SPEC_H
#define GCV_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grid.h"
#include "param.h"
#include "split.h"
#include "status.h"

struct json_t; /* jansson's value */

enum gcv_error_score {
    GCV_ERROR_SCORE_NAN,    /* a failed fit scores NaN */
    GCV_ERROR_SCORE_RAISE,  /* a failed fit ends the search */
    GCV_ERROR_SCORE_VALUE,  /* a failed fit scores error_score_value */
};

struct gcv_data_spec {
    char **paths;     /* [n_paths] HDF5 files or glob(3) patterns of shards, in the
                         spec's order, each resolved against the spec's folder, owned */
    size_t n_paths;   /* >= 1 */
    char *X;          /* dataset name of X, owned; default "X" */
    char *y;          /* dataset name of y, owned; default "y" */
    char *holdout;    /* dataset name of the holdout mask, owned; NULL when none */
    bool has_holdout_split;              /* "holdout" is an object: train_test_split */
    struct gcv_train_test holdout_split; /* when has_holdout_split */
    char *groups;     /* dataset name of the group labels, owned; NULL when none */
};

/* How a halving search chooses its first round's resources. */
enum gcv_halving_min {
    GCV_HALVING_MIN_EXHAUST,   /* as large as lets the last round use max_resources */
    GCV_HALVING_MIN_SMALLEST,  /* 2 * n_splits (* n_classes for a classifier) rows, or 1 */
    GCV_HALVING_MIN_COUNT,     /* the spec's integer */
};

/* The settings of "search": "halving", as scikit-learn 1.2.1's
 * HalvingGridSearchCV and HalvingRandomSearchCV take them. The rounds
 * themselves are planned once the data is loaded (coordinator/halving.c). */
struct gcv_halving_spec {
    bool enabled;
    double factor;                  /* > 1: each round keeps 1/factor of the candidates */
    char *resource;                 /* "n_samples" or an estimator parameter, owned */
    enum gcv_halving_min min_kind;
    size_t min_resources;           /* GCV_HALVING_MIN_COUNT only, >= 1 */
    size_t max_resources;           /* >= 1; 0 for "auto": the number of search rows */
    bool aggressive_elimination;
    bool exhaust_candidates;        /* random: n_candidates "exhaust" */
    size_t n_candidates;            /* random, unless exhaust_candidates: candidates to draw */
    struct gcv_grid_object *objects; /* random: [n_objects] param_distributions, owned */
    size_t n_objects;
};

struct gcv_spec {
    char *text;             /* the spec file's JSON text, owned */
    char *file;             /* the spec file's path as given, owned */

    struct gcv_data_spec data;
    char *estimator;                /* scikit-learn class name, owned */
    struct gcv_param_set params;    /* fixed constructor parameters */
    struct gcv_grid grid;           /* candidates in scikit-learn's order: ParameterGrid's,
                                       or ParameterSampler's draws for a random search */
    bool random_search;             /* "search": "random" (RandomizedSearchCV) */
    size_t n_iter;                  /* random search: candidates to draw */
    uint32_t random_state;          /* random search: ParameterSampler's seed; halving
                                       search: also the seed of its row subsampling */

    struct gcv_splitter splitter;
    bool cv_is_integer;     /* "cv": N, so the splitter follows the estimator kind */
    char *test_fold;        /* PredefinedSplit's dataset name, owned; NULL otherwise */

    char **scoring;         /* [n_scoring] scorer names in the spec's order, owned; NULL
                               means the estimator's default scorer */
    size_t n_scoring;       /* 0 to GCV_MAX_SCORERS (common/proto.h) */
    bool multimetric;       /* "scoring" is a list, even of one name: the results name
                               their score columns after the scorers */
    bool refit;             /* refit the best candidate on all search rows */
    char *refit_scorer;     /* the scorer "refit" names, owned, which picks the best
                               candidate; NULL picks by the first scorer */
    struct gcv_value pos_label; /* the positive class of binary scorers: GCV_VALUE_INT or
                                   GCV_VALUE_STRING, GCV_VALUE_NULL when not given */
    double *cost_matrix;    /* [n_cost_classes * n_cost_classes] row-major, rows true class,
                               columns predicted, in the order of the sorted classes;
                               owned; NULL when "cost_matrix" is not given */
    size_t n_cost_classes;
    bool return_train_score;
    enum gcv_error_score error_score;
    double error_score_value;   /* GCV_ERROR_SCORE_VALUE only */
    double fit_timeout;         /* seconds one cross-validation fit may take; 0 for no limit */
    char *threshold_objective;  /* the scorer that the refit binary classifier's decision
                                   threshold is tuned for, owned; NULL when "threshold" is not
                                   given */
    struct gcv_halving_spec halving; /* "search": "halving" when halving.enabled */
    bool warm_start;            /* fit the candidates that differ only in the estimator's
                                   path parameter as chains of warm starts (worker/chain.h) */
};

/* Converts a JSON scalar (null, boolean, integer, real or string) into
 * *out, as the spec's parameter values are read; a string is copied, owned
 * by out (gcv_value_clear). Returns GCV_ERR_SPEC for an array or object and
 * GCV_ERR_NOMEM, without a message: the caller names the value. */
enum gcv_status gcv_spec_value_from_json(const struct json_t *json, struct gcv_value *out);

/* Reads the spec file at path into *text (owned by the caller, freed with
 * free). Errors are GCV_ERR_SPEC naming the file and the system's reason. */
enum gcv_status gcv_spec_read_file(const char *path, char **text, struct gcv_error *err);

/* Parses and checks text, the contents of the spec file named file (used
 * to resolve data.path and in messages). On success spec owns copies of
 * both and is freed with gcv_spec_free. Estimator parameters are checked
 * only for their JSON shape here; each estimator checks their values. */
enum gcv_status gcv_spec_parse(const char *text, const char *file, struct gcv_spec *spec,
                               struct gcv_error *err);

/* Frees everything the spec owns and zeroes it. Accepts NULL. */
void gcv_spec_free(struct gcv_spec *spec);

/* Finds the line and column (1-based) of the value at a JSON path such as
 * "param_grid[0].C[2]" in text. Returns false when the path is not found. */
bool gcv_spec_locate(const char *text, const char *path, int *line, int *column);

/* Writes "path (line L column C)" into buf of size len, as spec errors
 * name a key, or path alone when text is NULL or lacks it. Returns buf. */
const char *gcv_spec_where(const char *text, const char *path, char *buf, size_t len);

#endif
