/* Suite "spec": parsing a search spec into its fields, the defaults, the
 * resolution of data paths, the error of each kind of bad spec with its
 * key path, line and column, and gcv_spec_locate.
 *
 * Lines and columns are 1-based and count characters, as jansson counts
 * them in its own syntax errors. A spec error points at the first
 * character of the offending value. A JSON syntax error points where
 * jansson stopped, which is the last character of the token it rejected.
 * Every expected column below was counted by hand on the text above it. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/spec.h"

#define SPEC_FILE "test.json"

/* The first entry of data.path as parsed, resolved against the spec's
 * folder. */
static const char *data_path(const struct gcv_spec *spec)
{
    return spec->data.n_paths > 0 ? spec->data.paths[0] : NULL;
}

static void parse_ok(const char *text, const char *file, struct gcv_spec *spec)
{
    struct gcv_error err = {GCV_OK, ""};
    enum gcv_status status = gcv_spec_parse(text, file, spec, &err);

    ck_assert_msg(status == GCV_OK, "valid spec rejected: %s", err.message);
}

/* ---- a valid spec -------------------------------------------------------- */

static const char full_spec[] =
    "{\n"
    "  \"data\": {\"path\": \"iris.h5\", \"X\": \"features\", \"y\": \"labels\", "
    "\"holdout\": \"is_test\"},\n"
    "  \"estimator\": \"SVC\",\n"
    "  \"params\": {\"kernel\": \"rbf\", \"tol\": 0.001, \"shrinking\": true, "
    "\"class_weight\": null},\n"
    "  \"param_grid\": [\n"
    "    {\"C\": [1, 10.0], \"gamma\": [\"scale\", 0.1]},\n"
    "    {\"kernel\": [\"linear\"], \"C\": [0.5]}\n"
    "  ],\n"
    "  \"cv\": {\"splitter\": \"KFold\", \"n_splits\": 3, \"shuffle\": false, "
    "\"random_state\": null},\n"
    "  \"scoring\": \"accuracy\",\n"
    "  \"refit\": false,\n"
    "  \"return_train_score\": true,\n"
    "  \"error_score\": -1.5,\n"
    "  \"fit_timeout\": 30\n"
    "}\n";

START_TEST(full_spec_fills_every_field)
{
    struct gcv_spec spec;

    parse_ok(full_spec, "/data/specs/search.json", &spec);

    ck_assert_str_eq(spec.text, full_spec);
    ck_assert_str_eq(spec.file, "/data/specs/search.json");
    ck_assert_str_eq(data_path(&spec), "/data/specs/iris.h5");
    ck_assert_str_eq(spec.data.X, "features");
    ck_assert_str_eq(spec.data.y, "labels");
    ck_assert_str_eq(spec.data.holdout, "is_test");
    ck_assert_str_eq(spec.estimator, "SVC");

    /* Fixed params in the spec's order, each with its location: line 4 is
     * `  "params": {"kernel": "rbf", "tol": 0.001, ...`. */
    ck_assert_uint_eq(spec.params.count, 4);
    ck_assert_str_eq(spec.params.items[0].name, "kernel");
    ck_assert_int_eq(spec.params.items[0].value.kind, GCV_VALUE_STRING);
    ck_assert_str_eq(spec.params.items[0].value.string, "rbf");
    ck_assert_str_eq(spec.params.items[0].where, "params.kernel (line 4 column 24)");
    ck_assert_str_eq(spec.params.items[1].name, "tol");
    ck_assert_int_eq(spec.params.items[1].value.kind, GCV_VALUE_REAL);
    ck_assert_double_eq(spec.params.items[1].value.real, 0.001);
    ck_assert_str_eq(spec.params.items[1].where, "params.tol (line 4 column 38)");
    ck_assert_str_eq(spec.params.items[2].name, "shrinking");
    ck_assert_int_eq(spec.params.items[2].value.kind, GCV_VALUE_BOOL);
    ck_assert(spec.params.items[2].value.boolean);
    ck_assert_str_eq(spec.params.items[3].name, "class_weight");
    ck_assert_int_eq(spec.params.items[3].value.kind, GCV_VALUE_NULL);

    /* Candidates: object 0 with keys sorted (C, gamma) and gamma turning
     * fastest, then object 1 (C, kernel). */
    ck_assert_uint_eq(spec.grid.n_candidates, 5);
    ck_assert_uint_eq(spec.grid.n_param_names, 3);
    ck_assert_str_eq(spec.grid.param_names[0], "C");
    ck_assert_str_eq(spec.grid.param_names[1], "gamma");
    ck_assert_str_eq(spec.grid.param_names[2], "kernel");
    ck_assert_int_eq(spec.grid.candidates[0].items[0].value.kind, GCV_VALUE_INT);
    ck_assert_int_eq(spec.grid.candidates[0].items[0].value.integer, 1);
    ck_assert_str_eq(spec.grid.candidates[0].items[0].where, "param_grid[0].C[0] (line 6 column 12)");
    ck_assert_str_eq(spec.grid.candidates[0].items[1].value.string, "scale");
    ck_assert_double_eq(spec.grid.candidates[1].items[1].value.real, 0.1);
    ck_assert_int_eq(spec.grid.candidates[2].items[0].value.kind, GCV_VALUE_REAL);
    ck_assert_double_eq(spec.grid.candidates[2].items[0].value.real, 10.0);
    ck_assert_str_eq(spec.grid.candidates[4].items[0].name, "C");
    ck_assert_double_eq(spec.grid.candidates[4].items[0].value.real, 0.5);
    ck_assert_str_eq(spec.grid.candidates[4].items[1].name, "kernel");
    ck_assert_str_eq(spec.grid.candidates[4].items[1].value.string, "linear");
    ck_assert_str_eq(spec.grid.candidates[4].items[1].where,
                     "param_grid[1].kernel[0] (line 7 column 17)");

    ck_assert_int_eq(spec.splitter.kind, GCV_SPLIT_KFOLD);
    ck_assert_uint_eq(spec.splitter.n_splits, 3);
    ck_assert(!spec.cv_is_integer);
    ck_assert_ptr_null(spec.test_fold);
    ck_assert_uint_eq(spec.n_scoring, 1);
    ck_assert_str_eq(spec.scoring[0], "accuracy");
    ck_assert(!spec.multimetric);
    ck_assert(!spec.refit);
    ck_assert_ptr_null(spec.refit_scorer);
    ck_assert_int_eq(spec.pos_label.kind, GCV_VALUE_NULL);
    ck_assert(spec.return_train_score);
    ck_assert_int_eq(spec.error_score, GCV_ERROR_SCORE_VALUE);
    ck_assert_double_eq(spec.error_score_value, -1.5);
    ck_assert_double_eq(spec.fit_timeout, 30.0);

    gcv_spec_free(&spec);
    ck_assert_ptr_null(spec.text);
    gcv_spec_free(&spec);
    gcv_spec_free(NULL);
}
END_TEST

/* The defaults are GridSearchCV's: cv=5 (StratifiedKFold for a
 * classifier), scoring=None, refit=True, return_train_score=False and
 * error_score=nan. */
START_TEST(minimal_spec_takes_defaults)
{
    static const char text[] =
        "{\"data\": {\"path\": \"d.h5\"}, \"estimator\": \"SVC\", \"param_grid\": {\"C\": [1]}}";
    struct gcv_spec spec;

    parse_ok(text, SPEC_FILE, &spec);
    ck_assert_str_eq(data_path(&spec), "d.h5");
    ck_assert_str_eq(spec.data.X, "X");
    ck_assert_str_eq(spec.data.y, "y");
    ck_assert_ptr_null(spec.data.holdout);
    ck_assert_uint_eq(spec.params.count, 0);
    ck_assert_uint_eq(spec.grid.n_candidates, 1);
    ck_assert_int_eq(spec.splitter.kind, GCV_SPLIT_STRATIFIED_KFOLD);
    ck_assert_uint_eq(spec.splitter.n_splits, 5);
    ck_assert(spec.cv_is_integer);
    ck_assert_ptr_null(spec.test_fold);
    ck_assert_ptr_null(spec.scoring);
    ck_assert(spec.refit);
    ck_assert(!spec.return_train_score);
    ck_assert_int_eq(spec.error_score, GCV_ERROR_SCORE_NAN);
    ck_assert_double_eq(spec.fit_timeout, 0.0);
    gcv_spec_free(&spec);
}
END_TEST

/* null stands for the default where a key is optional. */
START_TEST(null_optional_keys_take_defaults)
{
    static const char text[] =
        "{\"data\": {\"path\": \"d.h5\", \"holdout\": null}, \"estimator\": \"SVC\", "
        "\"params\": null, \"param_grid\": {\"C\": [1]}, \"cv\": null, \"scoring\": null, "
        "\"fit_timeout\": null}";
    struct gcv_spec spec;

    parse_ok(text, SPEC_FILE, &spec);
    ck_assert_ptr_null(spec.data.holdout);
    ck_assert_uint_eq(spec.params.count, 0);
    ck_assert_int_eq(spec.splitter.kind, GCV_SPLIT_STRATIFIED_KFOLD);
    ck_assert_uint_eq(spec.splitter.n_splits, 5);
    ck_assert(spec.cv_is_integer);
    ck_assert_ptr_null(spec.scoring);
    ck_assert_double_eq(spec.fit_timeout, 0.0);
    gcv_spec_free(&spec);
}
END_TEST

/* Parses the minimal spec with the given "cv" value text. */
static void parse_with_cv(const char *cv, struct gcv_spec *spec)
{
    char text[512];

    snprintf(text, sizeof text, "{\"data\": {\"path\": \"d.h5\"}, \"estimator\": \"SVC\", "
             "\"param_grid\": {\"C\": [1]}, \"cv\": %s}", cv);
    parse_ok(text, SPEC_FILE, spec);
}

START_TEST(cv_forms_choose_splitter)
{
    struct gcv_spec spec;

    /* An integer keeps the splitter open: StratifiedKFold for a
     * classifier, KFold for a regressor, chosen once the estimator is
     * known. */
    parse_with_cv("3", &spec);
    ck_assert(spec.cv_is_integer);
    ck_assert_uint_eq(spec.splitter.n_splits, 3);
    gcv_spec_free(&spec);

    parse_with_cv("{\"splitter\": \"StratifiedKFold\"}", &spec);
    ck_assert(!spec.cv_is_integer);
    ck_assert_int_eq(spec.splitter.kind, GCV_SPLIT_STRATIFIED_KFOLD);
    ck_assert_uint_eq(spec.splitter.n_splits, 5);
    gcv_spec_free(&spec);

    parse_with_cv("{\"splitter\": \"KFold\", \"n_splits\": 10, \"shuffle\": false}", &spec);
    ck_assert_int_eq(spec.splitter.kind, GCV_SPLIT_KFOLD);
    ck_assert_uint_eq(spec.splitter.n_splits, 10);
    gcv_spec_free(&spec);

    parse_with_cv("{\"splitter\": \"PredefinedSplit\", \"test_fold\": \"fold\"}", &spec);
    ck_assert(!spec.cv_is_integer);
    ck_assert_int_eq(spec.splitter.kind, GCV_SPLIT_PREDEFINED);
    ck_assert_str_eq(spec.test_fold, "fold");
    gcv_spec_free(&spec);
}
END_TEST

/* Parses the minimal spec with the given "error_score" value text. */
static void parse_with_error_score(const char *value, struct gcv_spec *spec)
{
    char text[512];

    snprintf(text, sizeof text, "{\"data\": {\"path\": \"d.h5\"}, \"estimator\": \"SVC\", "
             "\"param_grid\": {\"C\": [1]}, \"error_score\": %s}", value);
    parse_ok(text, SPEC_FILE, spec);
}

/* scikit-learn's parameters and defaults for the splitters beyond k-fold. */
START_TEST(cv_reads_splitter_parameters)
{
    struct gcv_spec spec;

    parse_with_cv("{\"splitter\": \"KFold\", \"shuffle\": true, \"random_state\": 42}", &spec);
    ck_assert(spec.splitter.shuffle);
    ck_assert_uint_eq(spec.splitter.random_state, 42);
    gcv_spec_free(&spec);

    parse_with_cv("{\"splitter\": \"ShuffleSplit\", \"random_state\": 4294967295, "
                  "\"test_size\": 0.25, \"train_size\": 30}", &spec);
    ck_assert_int_eq(spec.splitter.kind, GCV_SPLIT_SHUFFLE);
    ck_assert_uint_eq(spec.splitter.n_splits, 10);
    ck_assert_uint_eq(spec.splitter.random_state, 4294967295u);
    ck_assert_int_eq(spec.splitter.test_size.kind, GCV_SIZE_FRACTION);
    ck_assert_double_eq(spec.splitter.test_size.fraction, 0.25);
    ck_assert_int_eq(spec.splitter.train_size.kind, GCV_SIZE_COUNT);
    ck_assert_uint_eq(spec.splitter.train_size.count, 30);
    gcv_spec_free(&spec);

    parse_with_cv("{\"splitter\": \"RepeatedStratifiedKFold\", \"random_state\": 1}", &spec);
    ck_assert_uint_eq(spec.splitter.n_splits, 5);
    ck_assert_uint_eq(spec.splitter.n_repeats, 10);
    gcv_spec_free(&spec);

    parse_with_cv("{\"splitter\": \"TimeSeriesSplit\", \"n_splits\": 3, \"max_train_size\": 20, "
                  "\"test_size\": 4, \"gap\": 1}", &spec);
    ck_assert_int_eq(spec.splitter.kind, GCV_SPLIT_TIME_SERIES);
    ck_assert_uint_eq(spec.splitter.max_train_size, 20);
    ck_assert_uint_eq(spec.splitter.test_size.count, 4);
    ck_assert_uint_eq(spec.splitter.gap, 1);
    gcv_spec_free(&spec);

    parse_with_cv("{\"splitter\": \"LeavePOut\", \"p\": 2}", &spec);
    ck_assert_uint_eq(spec.splitter.p, 2);
    gcv_spec_free(&spec);
}
END_TEST

START_TEST(data_reads_groups_and_holdout_split)
{
    struct gcv_spec spec;

    parse_ok("{\"data\": {\"path\": \"d.h5\", \"groups\": \"g\", \"holdout\": {\"test_size\": "
             "0.2, \"random_state\": 7, \"stratify\": true}}, \"estimator\": \"SVC\", "
             "\"param_grid\": {\"C\": [1]}, \"cv\": {\"splitter\": \"LeaveOneGroupOut\"}}",
             SPEC_FILE, &spec);
    ck_assert_str_eq(spec.data.groups, "g");
    ck_assert_ptr_null(spec.data.holdout);
    ck_assert(spec.data.has_holdout_split);
    ck_assert_double_eq(spec.data.holdout_split.test_size.fraction, 0.2);
    ck_assert_int_eq(spec.data.holdout_split.train_size.kind, GCV_SIZE_DEFAULT);
    ck_assert_uint_eq(spec.data.holdout_split.random_state, 7);
    ck_assert(spec.data.holdout_split.stratify);
    ck_assert_int_eq(spec.splitter.kind, GCV_SPLIT_LEAVE_ONE_GROUP_OUT);
    gcv_spec_free(&spec);
}
END_TEST

/* A randomized search draws its candidates while the spec is parsed. The
 * grid suite checks drawn values against ParameterSampler, so this checks
 * the wiring: the count, the value kinds and the column names. */
START_TEST(random_search_draws_candidates)
{
    struct gcv_spec spec;

    parse_ok("{\"data\": {\"path\": \"d.h5\"}, \"estimator\": \"SVC\", \"search\": \"random\", "
             "\"n_iter\": 4, \"random_state\": 0, \"param_distributions\": {\"C\": "
             "{\"loguniform\": [0.001, 1000]}, \"degree\": {\"randint\": [1, 5]}, "
             "\"kernel\": [\"rbf\", \"poly\"]}}", SPEC_FILE, &spec);
    ck_assert(spec.random_search);
    ck_assert_uint_eq(spec.n_iter, 4);
    ck_assert_uint_eq(spec.grid.n_candidates, 4);
    ck_assert_uint_eq(spec.grid.n_param_names, 3);
    ck_assert_str_eq(spec.grid.param_names[0], "C");
    ck_assert_str_eq(spec.grid.param_names[1], "degree");
    ck_assert_str_eq(spec.grid.param_names[2], "kernel");
    for (size_t c = 0; c < 4; c++) {
        ck_assert_int_eq(spec.grid.candidates[c].items[0].value.kind, GCV_VALUE_REAL);
        ck_assert_int_eq(spec.grid.candidates[c].items[1].value.kind, GCV_VALUE_INT);
        ck_assert_int_eq(spec.grid.candidates[c].items[2].value.kind, GCV_VALUE_STRING);
    }
    gcv_spec_free(&spec);
}
END_TEST

/* Each grid value's location, found in one walk over its list, is the one
 * gcv_spec_locate gives for its path, also after strings that hold
 * commas, brackets and escaped quotes, and across lines. */
START_TEST(grid_value_locations_match_locate)
{
    static const char text[] =
        "{\"data\": {\"path\": \"d.h5\"}, \"estimator\": \"SVC\",\n"
        "  \"param_grid\": {\"kernel\": [\"r,b]f\", \"li\\\"n[ear\"  ,\n"
        "      \"poly\"], \"C\": [1,\n"
        "   2.5 ,\n"
        "      1e3]}}\n";
    static const char *const paths[] = {"param_grid.kernel[0]", "param_grid.kernel[1]",
                                        "param_grid.kernel[2]", "param_grid.C[0]",
                                        "param_grid.C[1]", "param_grid.C[2]"};
    struct gcv_spec spec;
    size_t found = 0;

    parse_ok(text, SPEC_FILE, &spec);
    for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++) {
        char expected[200];
        int line, column;

        ck_assert_msg(gcv_spec_locate(text, paths[p], &line, &column), "%s not found",
                      paths[p]);
        snprintf(expected, sizeof expected, "%s (line %d column %d)", paths[p], line, column);
        for (size_t c = 0; c < spec.grid.n_candidates; c++)
            for (size_t k = 0; k < spec.grid.candidates[c].count; k++)
                if (strcmp(spec.grid.candidates[c].items[k].where, expected) == 0)
                    found++;
    }
    /* 3 kernels x 3 values of C: each location appears in 3 candidates. */
    ck_assert_uint_eq(found, 18);
    gcv_spec_free(&spec);
}
END_TEST

/* A scoring list is scikit-learn's multi-metric scoring, refit names the
 * scorer that picks the best candidate, and pos_label keeps its JSON
 * type. */
START_TEST(scoring_list_refit_and_pos_label)
{
    static const char list[] =
        "{\"data\": {\"path\": \"d.h5\"}, \"estimator\": \"SVC\", \"param_grid\": {\"C\": [1]}, "
        "\"scoring\": [\"accuracy\", \"f1\", \"roc_auc\"], \"refit\": \"roc_auc\", "
        "\"pos_label\": \"malignant\"}";
    static const char list_of_one[] =
        "{\"data\": {\"path\": \"d.h5\"}, \"estimator\": \"SVC\", \"param_grid\": {\"C\": [1]}, "
        "\"scoring\": [\"f1\"], \"refit\": false, \"pos_label\": -1}";
    static const char named_single[] =
        "{\"data\": {\"path\": \"d.h5\"}, \"estimator\": \"SVC\", \"param_grid\": {\"C\": [1]}, "
        "\"scoring\": \"f1\", \"refit\": \"f1\"}";
    struct gcv_spec spec;

    parse_ok(list, SPEC_FILE, &spec);
    ck_assert_uint_eq(spec.n_scoring, 3);
    ck_assert_str_eq(spec.scoring[0], "accuracy");
    ck_assert_str_eq(spec.scoring[1], "f1");
    ck_assert_str_eq(spec.scoring[2], "roc_auc");
    ck_assert(spec.multimetric);
    ck_assert(spec.refit);
    ck_assert_str_eq(spec.refit_scorer, "roc_auc");
    ck_assert_int_eq(spec.pos_label.kind, GCV_VALUE_STRING);
    ck_assert_str_eq(spec.pos_label.string, "malignant");
    gcv_spec_free(&spec);

    parse_ok(list_of_one, SPEC_FILE, &spec);
    ck_assert_uint_eq(spec.n_scoring, 1);
    ck_assert(spec.multimetric);
    ck_assert(!spec.refit);
    ck_assert_ptr_null(spec.refit_scorer);
    ck_assert_int_eq(spec.pos_label.kind, GCV_VALUE_INT);
    ck_assert_int_eq(spec.pos_label.integer, -1);
    gcv_spec_free(&spec);

    /* A single name may be named by refit too, which is refit: true. */
    parse_ok(named_single, SPEC_FILE, &spec);
    ck_assert_uint_eq(spec.n_scoring, 1);
    ck_assert(!spec.multimetric);
    ck_assert(spec.refit);
    ck_assert_str_eq(spec.refit_scorer, "f1");
    gcv_spec_free(&spec);
}
END_TEST

START_TEST(error_score_forms)
{
    struct gcv_spec spec;

    parse_with_error_score("\"nan\"", &spec);
    ck_assert_int_eq(spec.error_score, GCV_ERROR_SCORE_NAN);
    gcv_spec_free(&spec);

    parse_with_error_score("\"raise\"", &spec);
    ck_assert_int_eq(spec.error_score, GCV_ERROR_SCORE_RAISE);
    gcv_spec_free(&spec);

    parse_with_error_score("0", &spec);
    ck_assert_int_eq(spec.error_score, GCV_ERROR_SCORE_VALUE);
    ck_assert_double_eq(spec.error_score_value, 0.0);
    gcv_spec_free(&spec);

    parse_with_error_score("-1e3", &spec);
    ck_assert_int_eq(spec.error_score, GCV_ERROR_SCORE_VALUE);
    ck_assert_double_eq(spec.error_score_value, -1000.0);
    gcv_spec_free(&spec);
}
END_TEST

/* A list of class names is a pipeline, stored as "make_pipeline(A, B)",
 * the name the estimator registry resolves. The parser does not look the
 * names up. */
START_TEST(estimator_list_is_pipeline)
{
    static const char text[] =
        "{\"data\": {\"path\": \"d.h5\"}, \"estimator\": [\"StandardScaler\", \"SVC\"], "
        "\"param_grid\": {\"svc__C\": [1]}}";
    struct gcv_spec spec;

    parse_ok(text, SPEC_FILE, &spec);
    ck_assert_str_eq(spec.estimator, "make_pipeline(StandardScaler, SVC)");
    ck_assert_str_eq(spec.grid.param_names[0], "svc__C");
    gcv_spec_free(&spec);
}
END_TEST

/* ---- data paths ---------------------------------------------------------- */

/* Parses the minimal spec with data.path set to path, read from file. */
static void parse_with_path(const char *path, const char *file, struct gcv_spec *spec)
{
    char text[512];

    snprintf(text, sizeof text, "{\"data\": {\"path\": \"%s\"}, \"estimator\": \"SVC\", "
             "\"param_grid\": {\"C\": [1]}}", path);
    parse_ok(text, file, spec);
}

/* A relative data.path is relative to the folder of the spec file, so a
 * spec and its data move together; an absolute one is kept. */
START_TEST(data_path_resolves_against_spec_folder)
{
    static const struct {
        const char *path;
        const char *file;
        const char *resolved;
    } cases[] = {
        {"d.h5", "spec.json", "d.h5"},
        {"d.h5", "runs/spec.json", "runs/d.h5"},
        {"d.h5", "/srv/runs/a/spec.json", "/srv/runs/a/d.h5"},
        {"../data/d.h5", "/srv/runs/spec.json", "/srv/runs/../data/d.h5"},
        {"sub/d.h5", "./spec.json", "./sub/d.h5"},
        {"d.h5", "/spec.json", "/d.h5"},
        {"/abs/d.h5", "/srv/runs/spec.json", "/abs/d.h5"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct gcv_spec spec;

        parse_with_path(cases[i].path, cases[i].file, &spec);
        ck_assert_msg(strcmp(data_path(&spec), cases[i].resolved) == 0,
                      "%s in %s resolved to %s, expected %s", cases[i].path, cases[i].file,
                      data_path(&spec), cases[i].resolved);
        gcv_spec_free(&spec);
    }
}
END_TEST

/* A list gives the shards in order, each entry resolved as a single path
 * is, glob patterns included (they are expanded when the data is read). */
START_TEST(data_path_list_resolves_each_entry)
{
    static const char text[] =
        "{\"data\": {\"path\": [\"a.h5\", \"/abs/b.h5\", \"parts/*.h5\"]}, "
        "\"estimator\": \"SVC\", \"param_grid\": {\"C\": [1]}}";
    struct gcv_spec spec;

    parse_ok(text, "runs/spec.json", &spec);
    ck_assert_uint_eq(spec.data.n_paths, 3);
    ck_assert_str_eq(spec.data.paths[0], "runs/a.h5");
    ck_assert_str_eq(spec.data.paths[1], "/abs/b.h5");
    ck_assert_str_eq(spec.data.paths[2], "runs/parts/*.h5");
    gcv_spec_free(&spec);
}
END_TEST

/* ---- bad specs ----------------------------------------------------------- */

/* Most bad specs are this valid spec with one more line 5; a value on
 * line 5 `  "KEY": VALUE` starts at column strlen(KEY) + 7. */
#define WITH_LINE5(line)                                                         \
    "{\n  \"data\": {\"path\": \"d.h5\"},\n  \"estimator\": \"SVC\",\n"        \
    "  \"param_grid\": {\"C\": [1, 10]},\n" line "\n}\n"

/* Specs whose line 2 is `  "data": VALUE,` (VALUE at column 11). */
#define WITH_DATA(value)                                                         \
    "{\n  \"data\": " value ",\n  \"estimator\": \"SVC\",\n"                    \
    "  \"param_grid\": {\"C\": [1, 10]}\n}\n"

/* Specs whose line 3 is `  "estimator": VALUE,` (VALUE at column 16). */
#define WITH_ESTIMATOR(value)                                                    \
    "{\n  \"data\": {\"path\": \"d.h5\"},\n  \"estimator\": " value ",\n"      \
    "  \"param_grid\": {\"C\": [1, 10]}\n}\n"

/* Specs whose line 4 is `  "param_grid": VALUE` (VALUE at column 17). */
#define WITH_GRID(value)                                                         \
    "{\n  \"data\": {\"path\": \"d.h5\"},\n  \"estimator\": \"SVC\",\n"        \
    "  \"param_grid\": " value "\n}\n"

struct bad_spec {
    const char *name;
    const char *text;
    const char *location;  /* expected right after "test.json: " */
    const char *reason;    /* expected later in the message */
};

static const struct bad_spec bad_specs[] = {
    /* JSON syntax, reported by jansson. */
    {"trailing comma", WITH_LINE5("  \"cv\": 5,"), "line 6 column 1: invalid JSON",
     "expected"},
    /* `  "cv": 5 "refit": true`: the rejected token "refit" ends at 17. */
    {"missing comma", WITH_LINE5("  \"cv\": 5 \"refit\": true"),
     "line 5 column 17: invalid JSON", "expected"},
    /* `  "scoring": "accuracy` runs into the newline after column 22. */
    {"unterminated string", WITH_LINE5("  \"scoring\": \"accuracy"),
     "line 5 column 22: invalid JSON", "newline"},
    /* A duplicate key is named by its path, at the column where its
     * second occurrence ends. The second "estimator" spans columns 3 to 13
     * of line 5. */
    {"duplicate top-level key", WITH_LINE5("  \"estimator\": \"SVC\""),
     "estimator (line 5 column 13): invalid JSON", "duplicate object key"},
    /* `  "param_grid": {"C": [1], "C": [2]}`: the second "C" ends at 30. */
    {"duplicate grid key", WITH_GRID("{\"C\": [1], \"C\": [2]}"),
     "param_grid.C (line 4 column 30): invalid JSON", "duplicate object key"},
    /* `  "param_grid": [{"C": [1]}, {"gamma": [1], "gamma": [2]}]`: the
     * second "gamma" ends at 51. */
    {"duplicate key in grid list", WITH_GRID("[{\"C\": [1]}, {\"gamma\": [1], \"gamma\": [2]}]"),
     "param_grid[1].gamma (line 4 column 51): invalid JSON", "duplicate object key"},
    /* `  "data": {"path": "a.h5", "path": "b.h5"}`: the second "path" ends at 33. */
    {"duplicate data key", WITH_DATA("{\"path\": \"a.h5\", \"path\": \"b.h5\"}"),
     "data.path (line 2 column 33): invalid JSON", "duplicate object key"},
    {"root is a list", "[1, 2]\n", "the spec must be a JSON object", "got a list"},

    /* Unknown keys. */
    {"unknown top-level key", WITH_LINE5("  \"n_jobs\": 4"), "n_jobs (line 5 column 13): ",
     "unknown key \"n_jobs\""},
    /* `  "data": {"path": "d.h5", "Y": "y"}`: "y" at 33. */
    {"unknown data key", WITH_DATA("{\"path\": \"d.h5\", \"Y\": \"y\"}"),
     "data.Y (line 2 column 33): ", "unknown key \"Y\""},
    /* `  "cv": {"splitter": "KFold", "groups": "g"}`: "g" at 41. */
    {"unknown cv key", WITH_LINE5("  \"cv\": {\"splitter\": \"KFold\", \"groups\": \"g\"}"),
     "cv.groups (line 5 column 41): ", "unknown key \"groups\""},

    /* Missing keys have no value to point at. */
    {"missing data",
     "{\n  \"estimator\": \"SVC\",\n  \"param_grid\": {\"C\": [1]}\n}\n", "data: ",
     "missing key \"data\""},
    {"missing estimator",
     "{\n  \"data\": {\"path\": \"d.h5\"},\n  \"param_grid\": {\"C\": [1]}\n}\n", "estimator: ",
     "missing key \"estimator\""},
    {"missing param_grid",
     "{\n  \"data\": {\"path\": \"d.h5\"},\n  \"estimator\": \"SVC\"\n}\n", "param_grid: ",
     "missing key \"param_grid\""},
    {"missing data.path", WITH_DATA("{\"X\": \"X\"}"), "data (line 2 column 11): ",
     "missing key \"path\""},

    /* Wrong types, key by key. */
    {"data not an object", WITH_DATA("\"d.h5\""), "data (line 2 column 11): ",
     "must be an object"},
    /* `  "data": {"path": 5}`: 5 at 20. */
    {"data.path a number", WITH_DATA("{\"path\": 5}"), "data.path (line 2 column 20): ",
     "got an integer"},
    {"data.path null", WITH_DATA("{\"path\": null}"), "data.path (line 2 column 20): ",
     "got null"},
    {"data.path empty", WITH_DATA("{\"path\": \"\"}"), "data.path (line 2 column 20): ",
     "must not be empty"},
    {"data.path empty list", WITH_DATA("{\"path\": []}"), "data.path (line 2 column 20): ",
     "must not be an empty list"},
    /* `  "data": {"path": ["a.h5", 5]}`: 5 at 29. */
    {"data.path entry a number", WITH_DATA("{\"path\": [\"a.h5\", 5]}"),
     "data.path[1] (line 2 column 29): ", "got an integer"},
    {"data.path entry empty", WITH_DATA("{\"path\": [\"a.h5\", \"\"]}"),
     "data.path[1] (line 2 column 29): ", "must not be empty"},
    /* `  "data": {"path": "d.h5", "X": 1}`: 1 at 33. */
    {"data.X a number", WITH_DATA("{\"path\": \"d.h5\", \"X\": 1}"),
     "data.X (line 2 column 33): ", "must be a string, got an integer"},
    {"data.X null", WITH_DATA("{\"path\": \"d.h5\", \"X\": null}"),
     "data.X (line 2 column 33): ", "must be a string, got null"},
    {"data.y empty", WITH_DATA("{\"path\": \"d.h5\", \"y\": \"\"}"),
     "data.y (line 2 column 33): ", "must not be empty"},
    /* `  "data": {"path": "d.h5", "holdout": true}`: true at 39. */
    {"data.holdout a boolean", WITH_DATA("{\"path\": \"d.h5\", \"holdout\": true}"),
     "data.holdout (line 2 column 39): ", "must be a string, got a boolean"},
    {"estimator a number", WITH_ESTIMATOR("5"), "estimator (line 3 column 16): ",
     "must be a string, got an integer"},
    {"estimator null", WITH_ESTIMATOR("null"), "estimator (line 3 column 16): ",
     "must be a string, got null"},
    {"estimator empty", WITH_ESTIMATOR("\"\""), "estimator (line 3 column 16): ",
     "must not be empty"},
    {"estimator empty list", WITH_ESTIMATOR("[]"), "estimator (line 3 column 16): ",
     "must not be an empty list"},
    /* `  "estimator": ["StandardScaler", 5],`: 5 at 35. */
    {"pipeline step a number", WITH_ESTIMATOR("[\"StandardScaler\", 5]"),
     "estimator[1] (line 3 column 35): ", "must be a string (a scikit-learn class name), got an "
     "integer"},
    {"pipeline step with arguments", WITH_ESTIMATOR("[\"SVC(C=1)\"]"),
     "estimator[0] (line 3 column 17): ", "must be a scikit-learn class name"},
    {"pipeline step empty", WITH_ESTIMATOR("[\"\"]"), "estimator[0] (line 3 column 17): ",
     "must be a scikit-learn class name"},
    {"params a list", WITH_LINE5("  \"params\": [1]"), "params (line 5 column 13): ",
     "must be an object"},
    /* `  "params": {"C": [1, 2]}`: [ at 19. */
    {"params value a list", WITH_LINE5("  \"params\": {\"C\": [1, 2]}"),
     "params.C (line 5 column 19): ", "must be a number, a string, a boolean or null, got a list"},
    /* `  "params": {"kernel": {"name": "rbf"}}`: { at 24. */
    {"params value an object", WITH_LINE5("  \"params\": {\"kernel\": {\"name\": \"rbf\"}}"),
     "params.kernel (line 5 column 24): ", "got an object"},
    {"param_grid a number", WITH_GRID("5"), "param_grid (line 4 column 17): ",
     "must be an object or a list of objects, got an integer"},
    {"param_grid empty list", WITH_GRID("[]"), "param_grid (line 4 column 17): ",
     "non-empty list"},
    /* `  "param_grid": [{"C": [1]}, 5]`: 5 at 30. */
    {"param_grid item a number", WITH_GRID("[{\"C\": [1]}, 5]"),
     "param_grid[1] (line 4 column 30): ", "must be an object"},
    /* `  "param_grid": {"C": 1}`: 1 at 23. */
    {"grid values not a list", WITH_GRID("{\"C\": 1}"), "param_grid.C (line 4 column 23): ",
     "must be a list of values, got an integer (write [...] for one value)"},
    {"grid string not a list", WITH_GRID("{\"kernel\": \"rbf\"}"),
     "param_grid.kernel (line 4 column 28): ", "(write [\"...\"] for one value)"},
    {"grid values empty", WITH_GRID("{\"C\": []}"), "param_grid.C (line 4 column 23): ",
     "non-empty list"},
    /* `  "param_grid": {"C": [1, 10, 1]}`: the second 1 at 31. */
    {"duplicate grid integer", WITH_GRID("{\"C\": [1, 10, 1]}"),
     "param_grid.C[2] (line 4 column 31): ", "duplicate value 1 (also at index 0)"},
    /* `  "param_grid": [{"kernel": ["rbf", "rbf"]}]`: the second "rbf" at 37. */
    {"duplicate grid string", WITH_GRID("[{\"kernel\": [\"rbf\", \"rbf\"]}]"),
     "param_grid[0].kernel[1] (line 4 column 37): ", "duplicate value \"rbf\""},
    /* `  "param_grid": [{"C": [1]}, {"gamma": [0.1, 0.1]}]`: the second 0.1 at 46. */
    {"duplicate grid real", WITH_GRID("[{\"C\": [1]}, {\"gamma\": [0.1, 0.1]}]"),
     "param_grid[1].gamma[1] (line 4 column 46): ", "duplicate value 0.1"},
    /* `  "param_grid": {"C": [[1, 2]]}`: the inner [ at 24. */
    {"grid value a list", WITH_GRID("{\"C\": [[1, 2]]}"), "param_grid.C[0] (line 4 column 24): ",
     "got a list"},
    {"grid value an object", WITH_GRID("{\"C\": [{\"v\": 1}]}"),
     "param_grid.C[0] (line 4 column 24): ", "got an object"},
    {"cv below two", WITH_LINE5("  \"cv\": 1"), "cv (line 5 column 9): ",
     "must be an integer >= 2 (the number of folds), got 1"},
    {"cv negative", WITH_LINE5("  \"cv\": -3"), "cv (line 5 column 9): ", "got -3"},
    {"cv a string", WITH_LINE5("  \"cv\": \"5\""), "cv (line 5 column 9): ", "got a string"},
    {"cv a real", WITH_LINE5("  \"cv\": 5.0"), "cv (line 5 column 9): ", "got a number"},
    /* `  "cv": {"splitter": "ShuffleSplit"}`: the splitter name at 22. */
    {"unknown splitter", WITH_LINE5("  \"cv\": {\"splitter\": \"ShuffleSplits\"}"),
     "cv.splitter (line 5 column 22): ", "unknown splitter"},
    {"splitter a number", WITH_LINE5("  \"cv\": {\"splitter\": 5}"),
     "cv.splitter (line 5 column 22): ", "must be a string, got an integer"},
    {"splitter null", WITH_LINE5("  \"cv\": {\"splitter\": null}"),
     "cv.splitter (line 5 column 22): ", "must be a string, got null"},
    {"splitter missing", WITH_LINE5("  \"cv\": {\"n_splits\": 3}"), "cv (line 5 column 9): ",
     "missing key \"splitter\""},
    /* `  "cv": {"splitter": "KFold", "n_splits": 1}`: 1 at 43. */
    {"n_splits below two", WITH_LINE5("  \"cv\": {\"splitter\": \"KFold\", \"n_splits\": 1}"),
     "cv.n_splits (line 5 column 43): ", "must be an integer >= 2"},
    {"n_splits a string", WITH_LINE5("  \"cv\": {\"splitter\": \"KFold\", \"n_splits\": \"3\"}"),
     "cv.n_splits (line 5 column 43): ", "must be an integer >= 2"},
    {"PredefinedSplit without test_fold",
     WITH_LINE5("  \"cv\": {\"splitter\": \"PredefinedSplit\"}"), "cv (line 5 column 9): ",
     "PredefinedSplit needs \"test_fold\""},
    /* `  "cv": {"splitter": "PredefinedSplit", "n_splits": 3, ...`: 3 at 53. */
    {"PredefinedSplit with n_splits",
     WITH_LINE5("  \"cv\": {\"splitter\": \"PredefinedSplit\", \"n_splits\": 3, "
                "\"test_fold\": \"f\"}"),
     "cv.n_splits (line 5 column 53): ", "not from n_splits"},
    /* `  "cv": {"splitter": "PredefinedSplit", "test_fold": 3}`: 3 at 54. */
    {"test_fold a number",
     WITH_LINE5("  \"cv\": {\"splitter\": \"PredefinedSplit\", \"test_fold\": 3}"),
     "cv.test_fold (line 5 column 54): ", "must be a string, got an integer"},
    {"test_fold null",
     WITH_LINE5("  \"cv\": {\"splitter\": \"PredefinedSplit\", \"test_fold\": null}"),
     "cv.test_fold (line 5 column 54): ", "must be a string, got null"},
    /* `  "cv": {"splitter": "KFold", "test_fold": "f"}`: "f" at 44. */
    {"test_fold with KFold", WITH_LINE5("  \"cv\": {\"splitter\": \"KFold\", \"test_fold\": \"f\"}"),
     "cv.test_fold (line 5 column 44): ", "only used by the PredefinedSplit splitter"},
    /* `  "cv": {"splitter": "KFold", "shuffle": true}`: true at 42. */
    {"shuffle without random_state",
     WITH_LINE5("  \"cv\": {\"splitter\": \"KFold\", \"shuffle\": true}"),
     "cv (line 5 column 9): ", "KFold with shuffle draws random numbers, so it needs an integer "
     "random_state"},
    /* `  "cv": {"splitter": "ShuffleSplit", "random_state": -1}`: -1 at 54. */
    {"random_state negative",
     WITH_LINE5("  \"cv\": {\"splitter\": \"ShuffleSplit\", \"random_state\": -1}"),
     "cv.random_state (line 5 column 54): ", "must be an integer from 0 to 4294967295"},
    /* `  "cv": {"splitter": "GroupKFold", "shuffle": true}`: true at 47. */
    {"key the splitter does not take",
     WITH_LINE5("  \"cv\": {\"splitter\": \"GroupKFold\", \"shuffle\": true}"),
     "cv.shuffle (line 5 column 47): ", "GroupKFold does not take shuffle; it takes: n_splits"},
    {"GroupKFold without data.groups", WITH_LINE5("  \"cv\": {\"splitter\": \"GroupKFold\"}"),
     "cv.splitter (line 5 column 22): ", "GroupKFold needs group labels"},
    {"LeavePOut without p", WITH_LINE5("  \"cv\": {\"splitter\": \"LeavePOut\"}"),
     "cv (line 5 column 9): ", "LeavePOut needs \"p\""},
    /* `  "cv": {"splitter": "ShuffleSplit", "test_size": 0, ...`: 0 at 51. */
    {"test_size zero",
     WITH_LINE5("  \"cv\": {\"splitter\": \"ShuffleSplit\", \"test_size\": 0, "
                "\"random_state\": 0}"),
     "cv.test_size (line 5 column 51): ", "must be an integer >= 1 (a number of rows), a "
     "fraction"},
    /* `  "search": "random", "param_grid": ...`: the spec's own param_grid. */
    {"search unknown", WITH_LINE5("  \"search\": \"bayesian\""), "search (line 5 column 13): ",
     "must be \"grid\""},
    {"n_iter without random search", WITH_LINE5("  \"n_iter\": 5"), "n_iter (line 5 column 13): ",
     "only used by a randomized search"},
    {"shuffle a string", WITH_LINE5("  \"cv\": {\"splitter\": \"KFold\", \"shuffle\": \"no\"}"),
     "cv.shuffle (line 5 column 42): ", "must be true or false"},
    /* `  "cv": {"splitter": "KFold", "random_state": 0}`: 0 at 47. */
    {"random_state without shuffle",
     WITH_LINE5("  \"cv\": {\"splitter\": \"KFold\", \"random_state\": 0}"),
     "cv.random_state (line 5 column 47): ", "has no effect without shuffle"},
    {"scoring a number", WITH_LINE5("  \"scoring\": 5"), "scoring (line 5 column 14): ",
     "must be a scorer name or a list of scorer names, got an integer"},
    {"scoring empty", WITH_LINE5("  \"scoring\": \"\""), "scoring (line 5 column 14): ",
     "must not be empty"},
    {"scoring empty list", WITH_LINE5("  \"scoring\": []"), "scoring (line 5 column 14): ",
     "must not be an empty list"},
    /* `  "scoring": ["f1", 3]`: 3 at 21. */
    {"scoring list of a number", WITH_LINE5("  \"scoring\": [\"f1\", 3]"),
     "scoring[1] (line 5 column 21): ", "must be a scorer name (a string), got an integer"},
    {"scoring list duplicate", WITH_LINE5("  \"scoring\": [\"f1\", \"f1\"]"),
     "scoring[1] (line 5 column 21): ", "duplicate scorer \"f1\" (also at index 0)"},
    {"scoring list of nine", WITH_LINE5("  \"scoring\": [\"a\", \"b\", \"c\", \"d\", \"e\", "
                                        "\"f\", \"g\", \"h\", \"i\"], \"refit\": false"),
     "scoring (line 5 column 14): ", "lists 9 scorers, but at most 8 are accepted"},
    {"scoring list without refit", WITH_LINE5("  \"scoring\": [\"f1\", \"accuracy\"]"),
     "scoring (line 5 column 14): ", "is a list, so \"refit\" must name the scorer that picks "
     "the best candidate (one of f1, accuracy), or be false"},
    /* `  "scoring": ["f1", "accuracy"], "refit": true`: true at 43. */
    {"scoring list with refit true",
     WITH_LINE5("  \"scoring\": [\"f1\", \"accuracy\"], \"refit\": true"),
     "refit (line 5 column 43): ", "must name the scorer that picks the best candidate (one of "
     "f1, accuracy), or be false"},
    {"refit names a missing scorer",
     WITH_LINE5("  \"scoring\": [\"f1\", \"accuracy\"], \"refit\": \"roc_auc\""),
     "refit (line 5 column 43): ", "names scorer \"roc_auc\", which is not in \"scoring\" "
     "(f1, accuracy)"},
    {"refit a string", WITH_LINE5("  \"refit\": \"yes\""), "refit (line 5 column 12): ",
     "names scorer \"yes\", but \"scoring\" names none"},
    {"refit a number", WITH_LINE5("  \"refit\": 1"), "refit (line 5 column 12): ",
     "must be true, false or a scorer name, got an integer"},
    /* `  "pos_label": 1.5`: 1.5 at 16. */
    {"pos_label a real", WITH_LINE5("  \"pos_label\": 1.5"), "pos_label (line 5 column 16): ",
     "must be a class label of y, a string or an integer, got a number"},
    {"pos_label a list", WITH_LINE5("  \"pos_label\": [1]"), "pos_label (line 5 column 16): ",
     "got a list"},
    {"pos_label empty", WITH_LINE5("  \"pos_label\": \"\""), "pos_label (line 5 column 16): ",
     "must not be empty"},
    {"return_train_score a number", WITH_LINE5("  \"return_train_score\": 1"),
     "return_train_score (line 5 column 25): ", "must be true or false, got an integer"},
    {"error_score unknown string", WITH_LINE5("  \"error_score\": \"ignore\""),
     "error_score (line 5 column 18): ", "must be \"nan\", \"raise\" or a number"},
    {"error_score a boolean", WITH_LINE5("  \"error_score\": true"),
     "error_score (line 5 column 18): ", "must be \"nan\", \"raise\" or a number"},
    {"error_score null", WITH_LINE5("  \"error_score\": null"),
     "error_score (line 5 column 18): ", "must be \"nan\", \"raise\" or a number"},
    {"fit_timeout zero", WITH_LINE5("  \"fit_timeout\": 0"), "fit_timeout (line 5 column 18): ",
     "must be a number of seconds > 0, or null for no limit; got 0"},
    {"fit_timeout negative", WITH_LINE5("  \"fit_timeout\": -2.5"),
     "fit_timeout (line 5 column 18): ", "got -2.5"},
    {"fit_timeout a string", WITH_LINE5("  \"fit_timeout\": \"60\""),
     "fit_timeout (line 5 column 18): ", "got a string"},
};

#define N_BAD_SPECS (sizeof bad_specs / sizeof bad_specs[0])

/* Checks bad spec _i, the loop test's index: GCV_ERR_SPEC, a message
 * that starts with the file and the location, and the reason. */
START_TEST(bad_spec_names_key_and_position)
{
    const struct bad_spec *bad = &bad_specs[_i];
    struct gcv_error err = {GCV_OK, ""};
    struct gcv_spec spec;
    char start[256];
    enum gcv_status status;

    status = gcv_spec_parse(bad->text, SPEC_FILE, &spec, &err);
    ck_assert_msg(status == GCV_ERR_SPEC, "%s: status %s, message: %s", bad->name,
                  gcv_status_name(status), err.message);
    ck_assert_int_eq(err.status, GCV_ERR_SPEC);

    snprintf(start, sizeof start, "%s: %s", SPEC_FILE, bad->location);
    ck_assert_msg(strncmp(err.message, start, strlen(start)) == 0,
                  "%s: message \"%s\" does not start with \"%s\"", bad->name, err.message, start);
    ck_assert_msg(strstr(err.message + strlen(start), bad->reason) != NULL,
                  "%s: message \"%s\" does not give the reason \"%s\"", bad->name, err.message,
                  bad->reason);
    ck_assert_msg(strchr(err.message, '\n') == NULL, "%s: message has a newline", bad->name);

    /* A failed parse leaves nothing to free. */
    ck_assert_ptr_null(spec.text);
    ck_assert_ptr_null(spec.estimator);
    ck_assert_uint_eq(spec.grid.n_candidates, 0);
}
END_TEST

/* Columns count characters, as jansson's do, so a spec error and a syntax
 * error after a non-ASCII string point at the same column. In
 * `{"scoring": "café", "cv": 1,` the value 1 is character 27 (byte 28). */
START_TEST(columns_count_utf8_characters)
{
    static const char spec_error[] =
        "{\"scoring\": \"caf\xc3\xa9\", \"cv\": 1,\n"
        " \"data\": {\"path\": \"d.h5\"}, \"estimator\": \"SVC\", \"param_grid\": {\"C\": [1]}}";
    static const char syntax_error[] = "{\"scoring\": \"caf\xc3\xa9\", \"cv\": ?}";
    struct gcv_error err = {GCV_OK, ""};
    struct gcv_spec spec;
    int line = 0, column = 0;

    ck_assert(gcv_spec_locate(spec_error, "cv", &line, &column));
    ck_assert_int_eq(line, 1);
    ck_assert_int_eq(column, 27);

    ck_assert_int_eq(gcv_spec_parse(spec_error, SPEC_FILE, &spec, &err), GCV_ERR_SPEC);
    ck_assert_msg(strstr(err.message, "test.json: cv (line 1 column 27): ") == err.message, "%s",
                  err.message);

    ck_assert_int_eq(gcv_spec_parse(syntax_error, SPEC_FILE, &spec, &err), GCV_ERR_SPEC);
    ck_assert_msg(strstr(err.message, "test.json: line 1 column 27: invalid JSON") == err.message,
                  "%s", err.message);
}
END_TEST

/* ---- gcv_spec_locate ----------------------------------------------------- */

/* Line 2 contains a string with brackets, braces and an escaped quote,
 * line 3 a string ending in an escaped backslash, and line 4 nested lists. */
static const char locate_text[] =
    "{\n"
    "  \"a\": {\"b\": [10, {\"c\": \"x[1]\\\"}\"}, 7],\n"
    "        \"d\": \"]\\\\\"},\n"
    "  \"e\": [[1, 2], [3, [4, 5]]]\n"
    "}\n";

static void check_locate(const char *path, int want_line, int want_column)
{
    int line = 0, column = 0;

    ck_assert_msg(gcv_spec_locate(locate_text, path, &line, &column), "%s not found", path);
    ck_assert_msg(line == want_line && column == want_column,
                  "%s at line %d column %d, expected line %d column %d", path, line, column,
                  want_line, want_column);
}

START_TEST(locate_finds_nested_values)
{
    check_locate("a", 2, 8);
    check_locate("a.b", 2, 14);
    check_locate("a.b[0]", 2, 15);
    check_locate("a.b[1]", 2, 19);
    check_locate("a.b[1].c", 2, 25);
    check_locate("a.b[2]", 2, 37);
    check_locate("a.d", 3, 14);
    check_locate("e", 4, 8);
    check_locate("e[0]", 4, 9);
    check_locate("e[1][1][0]", 4, 22);
    check_locate("e[1][1][1]", 4, 25);
    check_locate(".e[1][0]", 4, 18);
}
END_TEST

START_TEST(locate_misses_absent_paths)
{
    static const char *const absent[] = {
        "z", "a.x", "a.b[3]", "e[2]", "a.b[1].c.d", "e[0].x", "a[0]", "e.x", "b", "c",
    };
    int line = -1, column = -1;

    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
        ck_assert_msg(!gcv_spec_locate(locate_text, absent[i], &line, &column),
                      "%s found at line %d column %d", absent[i], line, column);
    ck_assert_int_eq(line, -1);
    ck_assert_int_eq(column, -1);
}
END_TEST

/* Keys are matched whole, not by prefix, and a key that appears only
 * inside a string value is not a key. */
START_TEST(locate_matches_whole_keys)
{
    static const char text[] = "{\"Cx\": 1, \"s\": \"\\\"C\\\": 2\", \"C\": 3}";
    int line = 0, column = 0;

    ck_assert(gcv_spec_locate(text, "C", &line, &column));
    ck_assert_int_eq(line, 1);
    ck_assert_int_eq(column, 33);
}
END_TEST

static Suite *spec_suite(void)
{
    Suite *suite = suite_create("spec");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, full_spec_fills_every_field);
    tcase_add_test(tc, minimal_spec_takes_defaults);
    tcase_add_test(tc, null_optional_keys_take_defaults);
    tcase_add_test(tc, cv_forms_choose_splitter);
    tcase_add_test(tc, cv_reads_splitter_parameters);
    tcase_add_test(tc, data_reads_groups_and_holdout_split);
    tcase_add_test(tc, random_search_draws_candidates);
    tcase_add_test(tc, grid_value_locations_match_locate);
    tcase_add_test(tc, scoring_list_refit_and_pos_label);
    tcase_add_test(tc, error_score_forms);
    tcase_add_test(tc, estimator_list_is_pipeline);
    tcase_add_test(tc, data_path_resolves_against_spec_folder);
    tcase_add_test(tc, data_path_list_resolves_each_entry);
    tcase_add_loop_test(tc, bad_spec_names_key_and_position, 0, (int)N_BAD_SPECS);
    tcase_add_test(tc, columns_count_utf8_characters);
    tcase_add_test(tc, locate_finds_nested_values);
    tcase_add_test(tc, locate_misses_absent_paths);
    tcase_add_test(tc, locate_matches_whole_keys);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(spec_suite());
    int n_failed;

    srunner_run_all(runner, CK_NORMAL);
    n_failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return n_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
