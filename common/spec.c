#include "spec.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "proto.h"
#include "suggest.h"

/* ---- Locating a value in the spec text ------------------------------- */

struct cursor {
    const char *p;
    int line;
    int column;
};

/* Steps past one byte. Columns count characters, as jansson's error
 * columns do, so the bytes that continue a UTF-8 sequence add none. */
static void advance(struct cursor *c)
{
    bool newline = *c->p == '\n';

    c->p++;
    if (newline) {
        c->line++;
        c->column = 1;
    } else if (((unsigned char)*c->p & 0xC0) != 0x80) {
        c->column++;
    }
}

static void skip_space(struct cursor *c)
{
    while (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')
        advance(c);
}

/* Skips a string literal; on return c is past the closing quote. The raw
 * text between the quotes is copied into key (escapes are kept as written,
 * which is enough to match the plain keys of a spec). */
static bool skip_string(struct cursor *c, char *key, size_t key_len)
{
    size_t n = 0;

    if (*c->p != '"')
        return false;
    advance(c);
    while (*c->p != '\0' && *c->p != '"') {
        if (*c->p == '\\' && c->p[1] != '\0') {
            if (key != NULL && n + 1 < key_len)
                key[n++] = *c->p;
            advance(c);
        }
        if (key != NULL && n + 1 < key_len)
            key[n++] = *c->p;
        advance(c);
    }
    if (key != NULL)
        key[n] = '\0';
    if (*c->p != '"')
        return false;
    advance(c);
    return true;
}

static bool skip_value(struct cursor *c);

/* Skips the members or elements of an object or array, c at the opener. */
static bool skip_container(struct cursor *c, char close)
{
    advance(c);
    skip_space(c);
    if (*c->p == close) {
        advance(c);
        return true;
    }
    for (;;) {
        if (close == '}') {
            if (!skip_string(c, NULL, 0))
                return false;
            skip_space(c);
            if (*c->p != ':')
                return false;
            advance(c);
        }
        if (!skip_value(c))
            return false;
        skip_space(c);
        if (*c->p == ',') {
            advance(c);
            skip_space(c);
            continue;
        }
        if (*c->p != close)
            return false;
        advance(c);
        return true;
    }
}

static bool skip_value(struct cursor *c)
{
    skip_space(c);
    if (*c->p == '{')
        return skip_container(c, '}');
    if (*c->p == '[')
        return skip_container(c, ']');
    if (*c->p == '"')
        return skip_string(c, NULL, 0);
    if (*c->p == '\0')
        return false;
    while (*c->p != '\0' && strchr(",]} \t\r\n", *c->p) == NULL)
        advance(c);
    return true;
}

/* Walks path (".key", "[index]" steps) from the value at c. */
static bool find_path(struct cursor *c, const char *path)
{
    skip_space(c);
    if (*path == '\0')
        return true;

    if (*path == '.') {
        char want[256], key[256];
        size_t n = strcspn(path + 1, ".[");
        if (n >= sizeof want || *c->p != '{')
            return false;
        memcpy(want, path + 1, n);
        want[n] = '\0';
        advance(c);
        skip_space(c);
        while (*c->p == '"') {
            if (!skip_string(c, key, sizeof key))
                return false;
            skip_space(c);
            if (*c->p != ':')
                return false;
            advance(c);
            if (strcmp(key, want) == 0)
                return find_path(c, path + 1 + n);
            if (!skip_value(c))
                return false;
            skip_space(c);
            if (*c->p != ',')
                return false;
            advance(c);
            skip_space(c);
        }
        return false;
    }

    if (*path == '[') {
        char *end;
        long index = strtol(path + 1, &end, 10);
        if (*end != ']' || *c->p != '[')
            return false;
        advance(c);
        for (long i = 0;; i++) {
            skip_space(c);
            if (*c->p == ']' || *c->p == '\0')
                return false;
            if (i == index)
                return find_path(c, end + 1);
            if (!skip_value(c))
                return false;
            skip_space(c);
            if (*c->p != ',')
                return false;
            advance(c);
        }
    }
    return false;
}

/* Moves c, at the start of text, to the value at path, written as in the
 * spec ("param_grid[0].C") or with a leading dot. Returns false when the
 * path is not found. */
static bool find_spec_path(struct cursor *c, const char *path)
{
    char dotted[512];

    if (path[0] != '.' && path[0] != '[') {
        snprintf(dotted, sizeof dotted, ".%s", path);
        path = dotted;
    }
    return find_path(c, path);
}

bool gcv_spec_locate(const char *text, const char *path, int *line, int *column)
{
    struct cursor c = {text, 1, 1};

    if (!find_spec_path(&c, path))
        return false;
    *line = c.line;
    *column = c.column;
    return true;
}

const char *gcv_spec_where(const char *text, const char *path, char *buf, size_t len)
{
    int line, column;

    if (text != NULL && gcv_spec_locate(text, path, &line, &column))
        snprintf(buf, len, "%s (line %d column %d)", path, line, column);
    else
        snprintf(buf, len, "%s", path);
    return buf;
}

/* Walks the value at c, whose path is in path, looking for the object key
 * whose closing quote ends at byte offset target of text. Returns true
 * with that key's path in path, or false with path as it was. */
static bool find_key_ending_at(struct cursor *c, const char *text, size_t target, char *path,
                               size_t size)
{
    size_t used = strlen(path);
    char key[256];
    bool is_object;

    skip_space(c);
    if (*c->p != '{' && *c->p != '[') {
        skip_value(c);
        return false;
    }
    is_object = *c->p == '{';
    advance(c);

    for (size_t index = 0;; index++) {
        skip_space(c);
        if (*c->p == '}' || *c->p == ']' || *c->p == '\0')
            break;
        if (is_object) {
            if (!skip_string(c, key, sizeof key))
                break;
            snprintf(path + used, size - used, "%s%s", used > 0 ? "." : "", key);
            if ((size_t)(c->p - text) == target)
                return true;
            skip_space(c);
            if (*c->p != ':')
                break;
            advance(c);
        } else {
            snprintf(path + used, size - used, "[%zu]", index);
        }
        if (find_key_ending_at(c, text, target, path, size))
            return true;
        skip_space(c);
        if (*c->p != ',')
            break;
        advance(c);
    }

    if (*c->p == '}' || *c->p == ']')
        advance(c);
    path[used] = '\0';
    return false;
}

/* ---- Parsing ----------------------------------------------------------- */

struct parser {
    const char *text;
    const char *file;
    struct gcv_error *err;
};

/* Writes "path (line L column C)" into buf for messages. */
static const char *where(const struct parser *ps, const char *path, char *buf, size_t len)
{
    return gcv_spec_where(ps->text, path, buf, len);
}

/* Starts a GCV_ERR_SPEC message of ps->err with the spec file and the
 * location of path, for the errors of callees that do not know where their
 * input comes from. Other statuses pass unchanged. Returns status. */
static enum gcv_status locate_error(const struct parser *ps, enum gcv_status status,
                                    const char *path)
{
    char location[600];

    if (status == GCV_ERR_SPEC)
        gcv_error_prefix(ps->err, "%s: %s: ", ps->file,
                         where(ps, path, location, sizeof location));
    return status;
}

/* The items of a list of the spec, walked one at a time for their
 * locations. Calling where() for each item would scan the spec from its
 * start every time, which is quadratic in the length of the list. A spec
 * with two lists of 20 000 values took 20 s to read that way, and 0.05 s
 * with the walk (gridcv check). */
struct list_walk {
    struct cursor c;    /* at the next item while in_list */
    const char *path;   /* the list's path, borrowed */
    bool in_list;       /* false once the walk has left the list */
};

static void list_walk_start(const struct parser *ps, const char *path, struct list_walk *walk)
{
    walk->c = (struct cursor){ps->text, 1, 1};
    walk->path = path;
    walk->in_list = find_spec_path(&walk->c, path) && *walk->c.p == '[';
    if (walk->in_list)
        advance(&walk->c);
}

/* Writes into buf the location of the list's next item, number item, as
 * where() writes it, and moves past that item. An item the walk cannot
 * find gets its path alone, as in where(). */
static const char *list_walk_next(struct list_walk *walk, size_t item, char *buf, size_t len)
{
    struct cursor *c = &walk->c;

    if (walk->in_list) {
        skip_space(c);
        walk->in_list = *c->p != ']' && *c->p != '\0';
    }
    if (!walk->in_list) {
        snprintf(buf, len, "%s[%zu]", walk->path, item);
        return buf;
    }
    snprintf(buf, len, "%s[%zu] (line %d column %d)", walk->path, item, c->line, c->column);
    walk->in_list = skip_value(c);
    if (walk->in_list) {
        skip_space(c);
        walk->in_list = *c->p == ',';
    }
    if (walk->in_list)
        advance(c);
    return buf;
}

static const char *json_type_name(const json_t *value)
{
    switch (json_typeof(value)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "a list";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "a value";
}

#define SPEC_FAIL(ps, path, ...)                                                  \
    do {                                                                          \
        char where_buf_[600], message_[GCV_ERROR_MAX];                            \
        snprintf(message_, sizeof message_, __VA_ARGS__);                         \
        return gcv_error_set((ps)->err, GCV_ERR_SPEC, "%s: %s: %s", (ps)->file,   \
                             where((ps), (path), where_buf_, sizeof where_buf_),  \
                             message_);                                           \
    } while (0)

/* Checks that every key of object is in allowed (a NULL-terminated list). */
static enum gcv_status check_keys(const struct parser *ps, const json_t *object,
                                  const char *prefix, const char *const *allowed)
{
    const char *key;
    json_t *value;

    json_object_foreach((json_t *)object, key, value) {
        bool known = false;
        char path[300], list[400] = "";

        for (size_t i = 0; allowed[i] != NULL; i++) {
            if (strcmp(key, allowed[i]) == 0)
                known = true;
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                     i > 0 ? ", " : "", allowed[i]);
        }
        if (!known) {
            const char *closest = NULL;
            size_t n_allowed = 0;
            char hint[100] = "";

            while (allowed[n_allowed] != NULL)
                n_allowed++;
            closest = gcv_suggest_closest(key, allowed, n_allowed);
            if (closest != NULL)
                snprintf(hint, sizeof hint, "did you mean \"%s\"? ", closest);
            snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "." : "", key);
            SPEC_FAIL(ps, path, "unknown key \"%s\"; %saccepted keys: %s", key, hint, list);
        }
    }
    return GCV_OK;
}

static enum gcv_status get_string(const struct parser *ps, const json_t *object,
                                  const char *key, const char *path, const char *fallback,
                                  char **out)
{
    const json_t *value = json_object_get(object, key);

    *out = NULL;
    if (value == NULL || (json_is_null(value) && fallback == NULL)) {
        if (fallback == NULL)
            return GCV_OK;
        *out = strdup(fallback);
    } else if (!json_is_string(value)) {
        SPEC_FAIL(ps, path, "must be a string, got %s", json_type_name(value));
    } else if (json_string_length(value) == 0) {
        SPEC_FAIL(ps, path, "must not be empty");
    } else {
        *out = strdup(json_string_value(value));
    }
    if (*out == NULL)
        return gcv_error_set(ps->err, GCV_ERR_NOMEM, "out of memory reading the spec");
    return GCV_OK;
}

/* Reads a string key that has no default. An absent key gives NULL (the
 * callers that require it check first), and null is rejected, because a
 * key that is written must name something. */
static enum gcv_status get_string_not_null(const struct parser *ps, const json_t *object,
                                           const char *key, const char *path, char **out)
{
    const json_t *value = json_object_get(object, key);

    *out = NULL;
    if (value != NULL && json_is_null(value))
        SPEC_FAIL(ps, path, "must be a string, got null");
    return get_string(ps, object, key, path, NULL, out);
}

static enum gcv_status get_bool(const struct parser *ps, const json_t *object, const char *key,
                                bool fallback, bool *out)
{
    const json_t *value = json_object_get(object, key);

    *out = fallback;
    if (value == NULL)
        return GCV_OK;
    if (!json_is_boolean(value))
        SPEC_FAIL(ps, key, "must be true or false, got %s", json_type_name(value));
    *out = json_is_true(value);
    return GCV_OK;
}

enum gcv_status gcv_spec_value_from_json(const struct json_t *json, struct gcv_value *out)
{
    memset(out, 0, sizeof *out);
    switch (json_typeof(json)) {
    case JSON_NULL:
        out->kind = GCV_VALUE_NULL;
        return GCV_OK;
    case JSON_TRUE:
    case JSON_FALSE:
        out->kind = GCV_VALUE_BOOL;
        out->boolean = json_is_true(json);
        return GCV_OK;
    case JSON_INTEGER:
        out->kind = GCV_VALUE_INT;
        out->integer = json_integer_value(json);
        out->real = (double)out->integer;
        return GCV_OK;
    case JSON_REAL:
        out->kind = GCV_VALUE_REAL;
        out->real = json_real_value(json);
        return GCV_OK;
    case JSON_STRING:
        out->kind = GCV_VALUE_STRING;
        out->string = strdup(json_string_value(json));
        return out->string != NULL ? GCV_OK : GCV_ERR_NOMEM;
    default:
        return GCV_ERR_SPEC;
    }
}

/* Converts a scalar JSON value into a typed value. */
static enum gcv_status to_value(const struct parser *ps, const json_t *json, const char *path,
                                struct gcv_value *out)
{
    enum gcv_status status = gcv_spec_value_from_json(json, out);

    if (status == GCV_ERR_NOMEM)
        return gcv_error_set(ps->err, GCV_ERR_NOMEM, "out of memory reading the spec");
    if (status != GCV_OK)
        SPEC_FAIL(ps, path, "must be a number, a string, a boolean or null, got %s",
                  json_type_name(json));
    return GCV_OK;
}

/* Joins a relative path to the spec file's folder, so a spec and its data
 * can move together. Takes ownership of path and stores the result in
 * *out. */
static enum gcv_status resolve_path(const struct parser *ps, char *path, char **out)
{
    size_t folder_len, len;
    char *joined;

    *out = path;
    if (path[0] == '/' || strrchr(ps->file, '/') == NULL)
        return GCV_OK;

    folder_len = (size_t)(strrchr(ps->file, '/') - ps->file);
    len = folder_len + 1 + strlen(path) + 1;
    joined = malloc(len);
    if (joined == NULL) {
        free(path);
        *out = NULL;
        return gcv_error_set(ps->err, GCV_ERR_NOMEM, "out of memory reading the spec");
    }
    snprintf(joined, len, "%.*s/%s", (int)folder_len, ps->file, path);
    free(path);
    *out = joined;
    return GCV_OK;
}

/* Reads data.path: one file or glob pattern, or a non-empty list of them
 * (the shards, in order). */
static enum gcv_status parse_data_paths(const struct parser *ps, const json_t *data,
                                        struct gcv_spec *spec)
{
    const json_t *value = json_object_get(data, "path");
    size_t n = json_is_array(value) ? json_array_size(value) : 1;
    enum gcv_status status;

    if (json_is_array(value) && n == 0)
        SPEC_FAIL(ps, "data.path", "must not be an empty list: give one or more HDF5 files or "
                  "glob patterns");
    if (!json_is_array(value) && !json_is_string(value))
        SPEC_FAIL(ps, "data.path", "must be a string or a list of strings (HDF5 files or glob "
                  "patterns), got %s", json_type_name(value));

    spec->data.paths = calloc(n, sizeof *spec->data.paths);
    if (spec->data.paths == NULL)
        return gcv_error_set(ps->err, GCV_ERR_NOMEM, "out of memory reading the spec");
    spec->data.n_paths = n;

    for (size_t i = 0; i < n; i++) {
        const json_t *entry = json_is_array(value) ? json_array_get(value, i) : value;
        char where_path[48];
        char *path;

        if (json_is_array(value))
            snprintf(where_path, sizeof where_path, "data.path[%zu]", i);
        else
            snprintf(where_path, sizeof where_path, "data.path");
        if (!json_is_string(entry))
            SPEC_FAIL(ps, where_path, "must be a string (an HDF5 file or glob pattern), got %s",
                      json_type_name(entry));
        if (json_string_length(entry) == 0)
            SPEC_FAIL(ps, where_path, "must not be empty");
        path = strdup(json_string_value(entry));
        if (path == NULL)
            return gcv_error_set(ps->err, GCV_ERR_NOMEM, "out of memory reading the spec");
        if ((status = resolve_path(ps, path, &spec->data.paths[i])) != GCV_OK)
            return status;
    }
    return GCV_OK;
}

static enum gcv_status parse_holdout_split(const struct parser *ps, const json_t *holdout,
                                           struct gcv_spec *spec);

static enum gcv_status parse_data(const struct parser *ps, const json_t *root,
                                  struct gcv_spec *spec)
{
    static const char *const keys[] = {"path", "X", "y", "holdout", "groups", NULL};
    const json_t *data = json_object_get(root, "data");
    enum gcv_status status;

    if (data == NULL)
        SPEC_FAIL(ps, "data", "missing key \"data\": an object with \"path\" to an HDF5 file");
    if (!json_is_object(data))
        SPEC_FAIL(ps, "data", "must be an object with \"path\", \"X\", \"y\", \"holdout\", got %s",
                  json_type_name(data));
    if ((status = check_keys(ps, data, "data", keys)) != GCV_OK)
        return status;
    if (json_object_get(data, "path") == NULL)
        SPEC_FAIL(ps, "data", "missing key \"path\": the HDF5 file with X and y, or a list "
                  "or glob pattern of shard files");
    if ((status = parse_data_paths(ps, data, spec)) != GCV_OK)
        return status;

    if ((status = get_string(ps, data, "X", "data.X", "X", &spec->data.X)) != GCV_OK)
        return status;
    if ((status = get_string(ps, data, "y", "data.y", "y", &spec->data.y)) != GCV_OK)
        return status;
    if ((status = get_string_not_null(ps, data, "groups", "data.groups", &spec->data.groups)) !=
        GCV_OK)
        return status;
    if (json_is_object(json_object_get(data, "holdout")))
        return parse_holdout_split(ps, json_object_get(data, "holdout"), spec);
    return get_string(ps, data, "holdout", "data.holdout", NULL, &spec->data.holdout);
}

static enum gcv_status parse_params(const struct parser *ps, const json_t *root,
                                    struct gcv_spec *spec)
{
    const json_t *params = json_object_get(root, "params");
    const char *key;
    json_t *json;

    if (params == NULL || json_is_null(params))
        return GCV_OK;
    if (!json_is_object(params))
        SPEC_FAIL(ps, "params", "must be an object of fixed estimator parameters, got %s",
                  json_type_name(params));

    json_object_foreach((json_t *)params, key, json) {
        char path[300], location[600];
        struct gcv_value value;
        enum gcv_status status;

        snprintf(path, sizeof path, "params.%s", key);
        if ((status = to_value(ps, json, path, &value)) != GCV_OK)
            return status;
        status = gcv_param_set_put(&spec->params, key, &value,
                                   where(ps, path, location, sizeof location), ps->err);
        gcv_value_clear(&value);
        if (status != GCV_OK)
            return status;
    }
    return GCV_OK;
}

/* Reads one grid object ({"C": [...], ...}) at path into object. */
static enum gcv_status parse_grid_object(const struct parser *ps, const json_t *json,
                                         const char *path, struct gcv_grid_object *object)
{
    const char *key;
    json_t *list;
    struct list_walk walk;

    if (!json_is_object(json))
        SPEC_FAIL(ps, path, "must be an object of parameter lists such as {\"C\": [1, 10]}, got %s",
                  json_type_name(json));

    object->axes = calloc(json_object_size(json) + 1, sizeof *object->axes);
    if (object->axes == NULL)
        return gcv_error_set(ps->err, GCV_ERR_NOMEM, "out of memory reading the spec");

    json_object_foreach((json_t *)json, key, list) {
        struct gcv_grid_axis *axis = &object->axes[object->n_axes];
        char axis_path[300];
        size_t n = json_array_size(list);

        snprintf(axis_path, sizeof axis_path, "%s.%s", path, key);
        if (!json_is_array(list))
            SPEC_FAIL(ps, axis_path, "must be a list of values, got %s (write [%s] for one value)",
                      json_type_name(list), json_is_string(list) ? "\"...\"" : "...");
        if (n == 0)
            SPEC_FAIL(ps, axis_path, "must be a non-empty list of values");

        axis->name = strdup(key);
        axis->values = calloc(n, sizeof *axis->values);
        axis->where = calloc(n, sizeof *axis->where);
        object->n_axes++;
        if (axis->name == NULL || axis->values == NULL || axis->where == NULL)
            return gcv_error_set(ps->err, GCV_ERR_NOMEM, "out of memory reading the spec");

        list_walk_start(ps, axis_path, &walk);
        for (size_t v = 0; v < n; v++) {
            char value_path[340], location[720];
            enum gcv_status status;

            snprintf(value_path, sizeof value_path, "%s[%zu]", axis_path, v);
            status = to_value(ps, json_array_get(list, v), value_path, &axis->values[v]);
            if (status != GCV_OK)
                return status;
            axis->n_values++;
            axis->where[v] = strdup(list_walk_next(&walk, v, location, sizeof location));
            if (axis->where[v] == NULL)
                return gcv_error_set(ps->err, GCV_ERR_NOMEM, "out of memory reading the spec");

            for (size_t u = 0; u < v; u++) {
                if (gcv_value_equal(&axis->values[u], &axis->values[v])) {
                    char text[128];
                    gcv_value_format_json(&axis->values[v], text, sizeof text);
                    SPEC_FAIL(ps, value_path, "duplicate value %s (also at index %zu): each "
                              "value of a parameter may appear once", text, u);
                }
            }
        }
    }
    return GCV_OK;
}

static enum gcv_status parse_grid(const struct parser *ps, const json_t *root,
                                  struct gcv_spec *spec)
{
    const json_t *grid = json_object_get(root, "param_grid");
    struct gcv_grid_object *objects = NULL;
    size_t n_objects = 0;
    enum gcv_status status = GCV_OK;

    if (grid == NULL)
        SPEC_FAIL(ps, "param_grid", "missing key \"param_grid\": an object such as "
                  "{\"C\": [1, 10]} or a list of such objects");

    if (json_is_array(grid)) {
        if (json_array_size(grid) == 0)
            SPEC_FAIL(ps, "param_grid", "must be a non-empty list of grid objects");
        n_objects = json_array_size(grid);
    } else if (json_is_object(grid)) {
        n_objects = 1;
    } else {
        SPEC_FAIL(ps, "param_grid", "must be an object or a list of objects, got %s",
                  json_type_name(grid));
    }

    objects = calloc(n_objects, sizeof *objects);
    if (objects == NULL)
        return gcv_error_set(ps->err, GCV_ERR_NOMEM, "out of memory reading the spec");

    for (size_t i = 0; i < n_objects && status == GCV_OK; i++) {
        char path[64];
        if (json_is_array(grid)) {
            snprintf(path, sizeof path, "param_grid[%zu]", i);
            status = parse_grid_object(ps, json_array_get(grid, i), path, &objects[i]);
        } else {
            status = parse_grid_object(ps, grid, "param_grid", &objects[i]);
        }
    }
    if (status == GCV_OK) {
        status = gcv_grid_expand(objects, n_objects, &spec->grid, ps->err);
        status = locate_error(ps, status, "param_grid");
    }

    for (size_t i = 0; i < n_objects; i++)
        gcv_grid_object_free(&objects[i]);
    free(objects);
    return status;
}

/* Reads the integer at key of object (path for messages) into *out when
 * it is present, checking that it is at least min. */
static enum gcv_status get_count(const struct parser *ps, const json_t *object, const char *key,
                                 const char *path, long long min, size_t *out)
{
    const json_t *value = json_object_get(object, key);

    if (value == NULL)
        return GCV_OK;
    if (!json_is_integer(value) || json_integer_value(value) < min)
        SPEC_FAIL(ps, path, "must be an integer >= %lld, got %s", min,
                  json_is_integer(value) ? "a smaller integer" : json_type_name(value));
    *out = (size_t)json_integer_value(value);
    return GCV_OK;
}

/* Reads a random_state: an integer seed of numpy's RandomState, 0 to
 * 2**32 - 1. *given is false when the key is absent or null. */
static enum gcv_status get_random_state(const struct parser *ps, const json_t *object,
                                        const char *path, bool *given, uint32_t *out)
{
    const json_t *value = json_object_get(object, "random_state");

    *given = false;
    if (value == NULL || json_is_null(value))
        return GCV_OK;
    if (!json_is_integer(value) || json_integer_value(value) < 0 ||
        json_integer_value(value) > (json_int_t)UINT32_MAX)
        SPEC_FAIL(ps, path, "must be an integer from 0 to 4294967295 (a seed of numpy's "
                  "RandomState), got %s", json_is_integer(value) ? "an integer out of range"
                                                                 : json_type_name(value));
    *given = true;
    *out = (uint32_t)json_integer_value(value);
    return GCV_OK;
}

/* Requires a random_state for a splitter or search that draws: scikit-learn
 * would draw from numpy's global state, different on every run and rank. */
static enum gcv_status require_random_state(const struct parser *ps, const json_t *object,
                                            const char *path, const char *what,
                                            uint32_t *out)
{
    char parent[300];
    bool given;
    enum gcv_status status = get_random_state(ps, object, path, &given, out);

    /* An absent key is reported at the object that lacks it. */
    snprintf(parent, sizeof parent, "%s", path);
    if (strrchr(parent, '.') != NULL)
        *strrchr(parent, '.') = '\0';
    if (status == GCV_OK && !given)
        SPEC_FAIL(ps, parent, "%s draws random numbers, so it needs an integer random_state "
                  "(0 to 4294967295): with scikit-learn's default null every run and every "
                  "rank would draw differently", what);
    return status;
}

/* Reads a test_size or train_size: an integer >= 1 (a number of rows), a
 * fraction in (0, 1), or null or absent for the default. Fractions are
 * checked against (0, 1) by the splitter, as scikit-learn checks them. */
static enum gcv_status get_split_size(const struct parser *ps, const json_t *object,
                                      const char *key, const char *path, bool fraction_allowed,
                                      struct gcv_split_size *out)
{
    const json_t *value = json_object_get(object, key);

    out->kind = GCV_SIZE_DEFAULT;
    if (value == NULL || json_is_null(value))
        return GCV_OK;
    if (json_is_integer(value) && json_integer_value(value) >= 1) {
        out->kind = GCV_SIZE_COUNT;
        out->count = (size_t)json_integer_value(value);
        return GCV_OK;
    }
    if (fraction_allowed && json_is_real(value)) {
        out->kind = GCV_SIZE_FRACTION;
        out->fraction = json_real_value(value);
        return GCV_OK;
    }
    if (!fraction_allowed)
        SPEC_FAIL(ps, path, "must be an integer >= 1 (a number of rows) or null, got %s",
                  json_is_integer(value) ? "an integer below 1" : json_type_name(value));
    SPEC_FAIL(ps, path, "must be an integer >= 1 (a number of rows), a fraction in (0, 1) "
              "written with a decimal point, or null, got %s",
              json_is_integer(value) ? "an integer below 1" : json_type_name(value));
}

/* A splitter name of the spec, its kind and the cv keys it takes. */
struct splitter_keys {
    const char *name;
    enum gcv_splitter_kind kind;
    const char *keys;   /* space-separated */
};

static const struct splitter_keys splitters[] = {
    {"KFold", GCV_SPLIT_KFOLD, "n_splits shuffle random_state"},
    {"StratifiedKFold", GCV_SPLIT_STRATIFIED_KFOLD, "n_splits shuffle random_state"},
    {"GroupKFold", GCV_SPLIT_GROUP_KFOLD, "n_splits"},
    {"StratifiedGroupKFold", GCV_SPLIT_STRATIFIED_GROUP_KFOLD, "n_splits shuffle random_state"},
    {"ShuffleSplit", GCV_SPLIT_SHUFFLE, "n_splits test_size train_size random_state"},
    {"StratifiedShuffleSplit", GCV_SPLIT_STRATIFIED_SHUFFLE,
     "n_splits test_size train_size random_state"},
    {"GroupShuffleSplit", GCV_SPLIT_GROUP_SHUFFLE, "n_splits test_size train_size random_state"},
    {"RepeatedKFold", GCV_SPLIT_REPEATED_KFOLD, "n_splits n_repeats random_state"},
    {"RepeatedStratifiedKFold", GCV_SPLIT_REPEATED_STRATIFIED_KFOLD,
     "n_splits n_repeats random_state"},
    {"LeaveOneOut", GCV_SPLIT_LEAVE_ONE_OUT, ""},
    {"LeavePOut", GCV_SPLIT_LEAVE_P_OUT, "p"},
    {"LeaveOneGroupOut", GCV_SPLIT_LEAVE_ONE_GROUP_OUT, ""},
    {"LeavePGroupsOut", GCV_SPLIT_LEAVE_P_GROUPS_OUT, "n_groups"},
    {"TimeSeriesSplit", GCV_SPLIT_TIME_SERIES, "n_splits max_train_size test_size gap"},
    {"PredefinedSplit", GCV_SPLIT_PREDEFINED, "test_fold"},
};

#define N_SPLITTERS (sizeof splitters / sizeof splitters[0])

/* Returns true when key is one of the space-separated words of keys. */
static bool has_word(const char *keys, const char *key)
{
    size_t len = strlen(key);

    for (const char *at = keys; (at = strstr(at, key)) != NULL; at += len)
        if ((at == keys || at[-1] == ' ') && (at[len] == ' ' || at[len] == '\0'))
            return true;
    return false;
}

/* Reads the parameters of the splitter named by entry from the cv object. */
static enum gcv_status parse_splitter_params(const struct parser *ps, const json_t *cv,
                                             const struct splitter_keys *entry,
                                             struct gcv_spec *spec)
{
    struct gcv_splitter *splitter = &spec->splitter;
    enum gcv_splitter_kind kind = entry->kind;
    const char *key;
    json_t *value;
    bool given;
    enum gcv_status status;

    /* Keys of the cv object that this splitter does not take. */
    json_object_foreach((json_t *)cv, key, value) {
        char path[300];

        if (strcmp(key, "splitter") == 0 || has_word(entry->keys, key))
            continue;
        snprintf(path, sizeof path, "cv.%s", key);
        if (kind == GCV_SPLIT_PREDEFINED && strcmp(key, "n_splits") == 0)
            SPEC_FAIL(ps, path, "PredefinedSplit takes its folds from \"test_fold\", not from "
                      "n_splits");
        if (strcmp(key, "test_fold") == 0)
            SPEC_FAIL(ps, path, "is only used by the PredefinedSplit splitter");
        SPEC_FAIL(ps, path, "%s does not take %s; it takes: %s", entry->name, key,
                  entry->keys[0] != '\0' ? entry->keys : "no parameters");
    }

    /* scikit-learn's defaults. */
    splitter->n_splits = kind == GCV_SPLIT_SHUFFLE || kind == GCV_SPLIT_STRATIFIED_SHUFFLE ? 10
                                                                                          : 5;
    splitter->n_repeats = 10;
    splitter->p = 0;

    if ((status = get_count(ps, cv, "n_splits", "cv.n_splits",
                            has_word("ShuffleSplit StratifiedShuffleSplit GroupShuffleSplit",
                                     entry->name) ? 1 : 2,
                            &splitter->n_splits)) != GCV_OK)
        return status;
    if ((status = get_count(ps, cv, "n_repeats", "cv.n_repeats", 1, &splitter->n_repeats)) !=
        GCV_OK)
        return status;
    if ((status = get_count(ps, cv, "p", "cv.p", 1, &splitter->p)) != GCV_OK)
        return status;
    if ((status = get_count(ps, cv, "n_groups", "cv.n_groups", 1, &splitter->p)) != GCV_OK)
        return status;
    if ((status = get_count(ps, cv, "gap", "cv.gap", 0, &splitter->gap)) != GCV_OK)
        return status;
    if (json_object_get(cv, "max_train_size") != NULL &&
        !json_is_null(json_object_get(cv, "max_train_size")) &&
        (status = get_count(ps, cv, "max_train_size", "cv.max_train_size", 1,
                            &splitter->max_train_size)) != GCV_OK)
        return status;
    if ((status = get_split_size(ps, cv, "test_size", "cv.test_size",
                                 kind != GCV_SPLIT_TIME_SERIES, &splitter->test_size)) != GCV_OK)
        return status;
    if ((status = get_split_size(ps, cv, "train_size", "cv.train_size", true,
                                 &splitter->train_size)) != GCV_OK)
        return status;
    if (kind == GCV_SPLIT_LEAVE_P_OUT && json_object_get(cv, "p") == NULL)
        SPEC_FAIL(ps, "cv", "LeavePOut needs \"p\": the number of rows each split leaves out");
    if (kind == GCV_SPLIT_LEAVE_P_GROUPS_OUT && json_object_get(cv, "n_groups") == NULL)
        SPEC_FAIL(ps, "cv", "LeavePGroupsOut needs \"n_groups\": the number of groups each "
                  "split leaves out");

    /* shuffle and random_state, as _BaseKFold checks them. */
    if (json_object_get(cv, "shuffle") != NULL) {
        const json_t *shuffle = json_object_get(cv, "shuffle");

        if (!json_is_boolean(shuffle))
            SPEC_FAIL(ps, "cv.shuffle", "must be true or false");
        splitter->shuffle = json_is_true(shuffle);
    }
    if (has_word(entry->keys, "shuffle") && !splitter->shuffle) {
        if ((status = get_random_state(ps, cv, "cv.random_state", &given,
                                       &splitter->random_state)) != GCV_OK)
            return status;
        if (given)
            SPEC_FAIL(ps, "cv.random_state", "has no effect without shuffle (scikit-learn "
                      "raises \"Setting a random_state has no effect since shuffle is "
                      "False\"); set shuffle to true, or random_state to null");
    } else if (has_word(entry->keys, "random_state")) {
        char what[80];

        snprintf(what, sizeof what, "%s%s", entry->name,
                 has_word(entry->keys, "shuffle") ? " with shuffle" : "");
        if ((status = require_random_state(ps, cv, "cv.random_state", what,
                                           &splitter->random_state)) != GCV_OK)
            return status;
    }

    if (kind == GCV_SPLIT_PREDEFINED) {
        if (json_object_get(cv, "test_fold") == NULL)
            SPEC_FAIL(ps, "cv", "PredefinedSplit needs \"test_fold\": the name of a 1-D "
                      "integer dataset giving each row's test fold (-1: always in training)");
        return get_string_not_null(ps, cv, "test_fold", "cv.test_fold", &spec->test_fold);
    }
    return GCV_OK;
}

static enum gcv_status parse_cv(const struct parser *ps, const json_t *root,
                                struct gcv_spec *spec)
{
    static const char *const keys[] = {"splitter", "n_splits", "test_fold", "shuffle",
                                       "random_state", "n_repeats", "test_size", "train_size",
                                       "p", "n_groups", "max_train_size", "gap", NULL};
    const json_t *cv = json_object_get(root, "cv");
    const struct splitter_keys *entry = NULL;
    char *splitter = NULL;
    char names[400] = "";
    enum gcv_status status;

    spec->splitter.kind = GCV_SPLIT_STRATIFIED_KFOLD;
    spec->splitter.n_splits = 5;
    spec->cv_is_integer = true;
    if (cv == NULL || json_is_null(cv))
        return GCV_OK;

    if (json_is_integer(cv)) {
        if (json_integer_value(cv) < 2)
            SPEC_FAIL(ps, "cv", "must be an integer >= 2 (the number of folds), got %lld",
                      (long long)json_integer_value(cv));
        spec->splitter.n_splits = (size_t)json_integer_value(cv);
        return GCV_OK;
    }
    if (!json_is_object(cv))
        SPEC_FAIL(ps, "cv", "must be an integer >= 2 or an object such as "
                  "{\"splitter\": \"KFold\", \"n_splits\": 5}, got %s", json_type_name(cv));

    spec->cv_is_integer = false;
    for (size_t i = 0; i < N_SPLITTERS; i++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i > 0 ? ", " : "",
                 splitters[i].name);
    if ((status = check_keys(ps, cv, "cv", keys)) != GCV_OK)
        return status;
    if (json_object_get(cv, "splitter") == NULL)
        SPEC_FAIL(ps, "cv", "missing key \"splitter\": one of %s", names);
    if ((status = get_string_not_null(ps, cv, "splitter", "cv.splitter", &splitter)) != GCV_OK)
        return status;
    for (size_t i = 0; i < N_SPLITTERS; i++)
        if (strcmp(splitter, splitters[i].name) == 0)
            entry = &splitters[i];
    if (entry == NULL) {
        char name[64], closest[64], hint[100] = "";

        snprintf(name, sizeof name, "%s", splitter);
        free(splitter);
        if (gcv_suggest_from_list(name, names, closest, sizeof closest) != NULL)
            snprintf(hint, sizeof hint, "did you mean \"%s\"? ", closest);
        SPEC_FAIL(ps, "cv.splitter", "unknown splitter \"%s\"; %saccepted: %s", name, hint,
                  names);
    }
    free(splitter);

    spec->splitter.kind = entry->kind;
    if ((status = parse_splitter_params(ps, cv, entry, spec)) != GCV_OK)
        return status;
    if (gcv_splitter_uses_groups(entry->kind) && spec->data.groups == NULL)
        SPEC_FAIL(ps, "cv.splitter", "%s needs group labels: name their dataset in "
                  "\"data.groups\" (a 1-D dataset of integers or strings, one per row)",
                  entry->name);
    return GCV_OK;
}

/* Reads one object of "param_distributions" at path into object: each key
 * a non-empty list of values (repeats allowed, as in scikit-learn) or a
 * scipy.stats distribution {"uniform": [loc, scale]}, {"loguniform": [a,
 * b]} or {"randint": [low, high]}, checked as scipy checks its arguments. */
static enum gcv_status parse_distribution_object(const struct parser *ps, const json_t *json,
                                                 const char *path,
                                                 struct gcv_grid_object *object)
{
    const char *key;
    json_t *entry;

    if (!json_is_object(json))
        SPEC_FAIL(ps, path, "must be an object such as {\"C\": {\"loguniform\": [0.01, 100]}, "
                  "\"kernel\": [\"rbf\", \"linear\"]}, got %s", json_type_name(json));
    object->axes = calloc(json_object_size(json) + 1, sizeof *object->axes);
    if (object->axes == NULL)
        return gcv_error_set(ps->err, GCV_ERR_NOMEM, "out of memory reading the spec");

    json_object_foreach((json_t *)json, key, entry) {
        struct gcv_grid_axis *axis = &object->axes[object->n_axes];
        char axis_path[300], location[720];
        struct list_walk walk;
        const char *name = NULL;
        const json_t *bounds = NULL;

        snprintf(axis_path, sizeof axis_path, "%s.%s", path, key);
        axis->name = strdup(key);
        object->n_axes++;
        if (axis->name == NULL)
            return gcv_error_set(ps->err, GCV_ERR_NOMEM, "out of memory reading the spec");

        /* A list: its values, each with its location. */
        if (json_is_array(entry)) {
            size_t n = json_array_size(entry);

            if (n == 0)
                SPEC_FAIL(ps, axis_path, "must be a non-empty list of values");
            axis->values = calloc(n, sizeof *axis->values);
            axis->where = calloc(n, sizeof *axis->where);
            if (axis->values == NULL || axis->where == NULL)
                return gcv_error_set(ps->err, GCV_ERR_NOMEM, "out of memory reading the spec");
            list_walk_start(ps, axis_path, &walk);
            for (size_t v = 0; v < n; v++) {
                char value_path[340];
                enum gcv_status status;

                snprintf(value_path, sizeof value_path, "%s[%zu]", axis_path, v);
                status = to_value(ps, json_array_get(entry, v), value_path, &axis->values[v]);
                if (status != GCV_OK)
                    return status;
                axis->n_values++;
                axis->where[v] = strdup(list_walk_next(&walk, v, location, sizeof location));
                if (axis->where[v] == NULL)
                    return gcv_error_set(ps->err, GCV_ERR_NOMEM, "out of memory reading the spec");
            }
            continue;
        }

        /* A distribution: one key naming it, with its two arguments. */
        if (json_is_object(entry) && json_object_size(entry) == 1) {
            json_object_foreach((json_t *)entry, name, bounds)
                break;
        }
        if (name == NULL || (strcmp(name, "uniform") != 0 && strcmp(name, "loguniform") != 0 &&
                             strcmp(name, "randint") != 0))
            SPEC_FAIL(ps, axis_path, "must be a list of values or a distribution: "
                      "{\"uniform\": [loc, scale]}, {\"loguniform\": [a, b]} or "
                      "{\"randint\": [low, high]}");
        snprintf(axis_path + strlen(axis_path), sizeof axis_path - strlen(axis_path), ".%s",
                 name);
        if (!json_is_array(bounds) || json_array_size(bounds) != 2 ||
            !json_is_number(json_array_get(bounds, 0)) ||
            !json_is_number(json_array_get(bounds, 1)))
            SPEC_FAIL(ps, axis_path, "must be a list of two numbers, as scipy.stats.%s takes "
                      "them", name);
        axis->where = calloc(1, sizeof *axis->where);
        if (axis->where == NULL ||
            (axis->where[0] = strdup(where(ps, axis_path, location, sizeof location))) == NULL)
            return gcv_error_set(ps->err, GCV_ERR_NOMEM, "out of memory reading the spec");
        axis->arguments[0] = json_number_value(json_array_get(bounds, 0));
        axis->arguments[1] = json_number_value(json_array_get(bounds, 1));

        if (strcmp(name, "uniform") == 0) {
            axis->distribution = GCV_DIST_UNIFORM;
            if (!(axis->arguments[1] >= 0) || !isfinite(axis->arguments[0]) ||
                !isfinite(axis->arguments[1]))
                SPEC_FAIL(ps, axis_path, "must be [loc, scale] with a finite loc and scale >= 0 "
                          "(values in [loc, loc + scale])");
        } else if (strcmp(name, "loguniform") == 0) {
            axis->distribution = GCV_DIST_LOGUNIFORM;
            if (!(axis->arguments[0] > 0) || !(axis->arguments[1] > axis->arguments[0]) ||
                !isfinite(axis->arguments[1]))
                SPEC_FAIL(ps, axis_path, "must be [a, b] with 0 < a < b, got [%g, %g]",
                          axis->arguments[0], axis->arguments[1]);
        } else {
            axis->distribution = GCV_DIST_RANDINT;
            if (!json_is_integer(json_array_get(bounds, 0)) ||
                !json_is_integer(json_array_get(bounds, 1)))
                SPEC_FAIL(ps, axis_path, "must be [low, high] with integers low < high");
            axis->bounds[0] = json_integer_value(json_array_get(bounds, 0));
            axis->bounds[1] = json_integer_value(json_array_get(bounds, 1));
            if (axis->bounds[0] >= axis->bounds[1])
                SPEC_FAIL(ps, axis_path, "must be [low, high] with low < high (values low to "
                          "high - 1), got [%lld, %lld]", axis->bounds[0], axis->bounds[1]);
        }
    }
    return GCV_OK;
}

/* Reads a randomized search: n_iter (default 10), random_state (required)
 * and param_distributions, an object or a non-empty list of objects, and
 * draws its candidates. */
static enum gcv_status parse_random_search(const struct parser *ps, const json_t *root,
                                           struct gcv_spec *spec)
{
    const json_t *distributions = json_object_get(root, "param_distributions");
    struct gcv_grid_object *objects = NULL;
    size_t n_objects = 0;
    enum gcv_status status;

    spec->random_search = true;
    spec->n_iter = 10;
    if (json_object_get(root, "param_grid") != NULL)
        SPEC_FAIL(ps, "param_grid", "a randomized search (\"search\": \"random\") draws from "
                  "\"param_distributions\"; rename param_grid to param_distributions");
    if ((status = get_count(ps, root, "n_iter", "n_iter", 1, &spec->n_iter)) != GCV_OK)
        return status;
    if ((status = require_random_state(ps, root, "random_state", "a randomized search",
                                       &spec->random_state)) != GCV_OK)
        return status;
    if (distributions == NULL)
        SPEC_FAIL(ps, "search", "a randomized search needs \"param_distributions\": an object "
                  "such as {\"C\": {\"loguniform\": [0.01, 100]}} or a list of such objects");
    if (json_is_array(distributions) && json_array_size(distributions) == 0)
        SPEC_FAIL(ps, "param_distributions", "must be a non-empty list of objects");
    n_objects = json_is_array(distributions) ? json_array_size(distributions) : 1;

    objects = calloc(n_objects, sizeof *objects);
    if (objects == NULL)
        return gcv_error_set(ps->err, GCV_ERR_NOMEM, "out of memory reading the spec");
    for (size_t i = 0; i < n_objects && status == GCV_OK; i++) {
        char path[64];

        if (json_is_array(distributions)) {
            snprintf(path, sizeof path, "param_distributions[%zu]", i);
            status = parse_distribution_object(ps, json_array_get(distributions, i), path,
                                               &objects[i]);
        } else {
            status = parse_distribution_object(ps, distributions, "param_distributions",
                                               &objects[i]);
        }
    }
    /* The memory check first, so that its error points at n_iter. */
    if (status == GCV_OK) {
        status = gcv_grid_check_sample_memory(objects, n_objects, spec->n_iter, ps->err);
        status = locate_error(ps, status, "n_iter");
    }
    if (status == GCV_OK) {
        status = gcv_grid_sample(objects, n_objects, spec->n_iter, spec->random_state,
                                 &spec->grid, ps->err);
        status = locate_error(ps, status, "param_distributions");
    }

    /* A halving search may draw again once it knows how many candidates
     * "exhaust" asks for, which depends on the data. */
    if (status == GCV_OK && spec->halving.enabled) {
        spec->halving.objects = objects;
        spec->halving.n_objects = n_objects;
        return GCV_OK;
    }
    for (size_t i = 0; i < n_objects; i++)
        gcv_grid_object_free(&objects[i]);
    free(objects);
    return status;
}

/* Reads min_resources or max_resources: one of the words of its kind, or
 * an integer >= 1. *word is the index of the word, or -1 for an integer,
 * stored in *count. */
static enum gcv_status get_halving_resources(const struct parser *ps, const json_t *root,
                                             const char *key, const char *const *words,
                                             const char *accepted, int *word, size_t *count)
{
    const json_t *value = json_object_get(root, key);

    if (value == NULL)
        return GCV_OK;
    for (int i = 0; words[i] != NULL; i++) {
        if (json_is_string(value) && strcmp(json_string_value(value), words[i]) == 0) {
            *word = i;
            return GCV_OK;
        }
    }
    if (!json_is_integer(value) || json_integer_value(value) <= 0)
        SPEC_FAIL(ps, key, "%s must be either %s (scikit-learn's message)", key, accepted);
    *word = -1;
    *count = (size_t)json_integer_value(value);
    return GCV_OK;
}

/* Reads a halving search (HalvingGridSearchCV from param_grid,
 * HalvingRandomSearchCV from param_distributions): factor, resource,
 * min_resources, max_resources, aggressive_elimination, random_state and,
 * for random candidates, n_candidates (or n_iter, the random search's name
 * for the same count). What depends on the data (max_resources "auto",
 * min_resources against max_resources) is checked when the rounds are
 * planned. */
static enum gcv_status parse_halving_search(const struct parser *ps, const json_t *root,
                                            struct gcv_spec *spec)
{
    static const char *const min_words[] = {"exhaust", "smallest", NULL};
    static const char *const max_words[] = {"auto", NULL};
    struct gcv_halving_spec *halving = &spec->halving;
    bool random = json_object_get(root, "param_distributions") != NULL;
    const json_t *factor = json_object_get(root, "factor");
    const json_t *n_candidates = json_object_get(root, "n_candidates");
    int min_word = random ? 1 : 0, max_word = 0;
    bool given = false;
    enum gcv_status status;

    halving->enabled = true;
    halving->factor = 3;
    if (factor != NULL && (!json_is_number(factor) || !(json_number_value(factor) > 1) ||
                           !isfinite(json_number_value(factor))))
        SPEC_FAIL(ps, "factor", "must be a number > 1 (the rate at which candidates are cut "
                  "and resources grow), got %s", json_is_number(factor) ? "a smaller number"
                                                                      : json_type_name(factor));
    if (factor != NULL)
        halving->factor = json_number_value(factor);
    if ((status = get_string(ps, root, "resource", "resource", "n_samples",
                             &halving->resource)) != GCV_OK)
        return status;
    if ((status = get_halving_resources(ps, root, "min_resources", min_words,
                                        "'smallest', 'exhaust', or a positive integer no "
                                        "greater than max_resources.", &min_word,
                                        &halving->min_resources)) != GCV_OK)
        return status;
    halving->min_kind = min_word == 0 ? GCV_HALVING_MIN_EXHAUST
                        : min_word == 1 ? GCV_HALVING_MIN_SMALLEST : GCV_HALVING_MIN_COUNT;
    if ((status = get_halving_resources(ps, root, "max_resources", max_words,
                                        "'auto' or a positive integer", &max_word,
                                        &halving->max_resources)) != GCV_OK)
        return status;
    if (max_word == 0)
        halving->max_resources = 0;
    if (max_word == 0 && strcmp(halving->resource, "n_samples") != 0)
        SPEC_FAIL(ps, "resource", "resource can only be 'n_samples' when max_resources='auto' "
                  "(scikit-learn's message); give max_resources, the largest value of %s",
                  halving->resource);
    if ((status = get_bool(ps, root, "aggressive_elimination", false,
                           &halving->aggressive_elimination)) != GCV_OK)
        return status;

    /* The subsampling of rows and the draw of random candidates need a
     * seed; a grid whose resource is a parameter draws nothing. */
    if (random || strcmp(halving->resource, "n_samples") == 0) {
        if ((status = require_random_state(ps, root, "random_state", "a halving search over "
                                           "n_samples or random candidates",
                                           &spec->random_state)) != GCV_OK)
            return status;
    } else if ((status = get_random_state(ps, root, "random_state", &given,
                                          &spec->random_state)) != GCV_OK) {
        return status;
    }

    if (!random) {
        if (n_candidates != NULL || json_object_get(root, "n_iter") != NULL)
            SPEC_FAIL(ps, n_candidates != NULL ? "n_candidates" : "n_iter", "is only used by "
                      "a halving search over random candidates (\"param_distributions\")");
        return parse_grid(ps, root, spec);
    }
    if (n_candidates != NULL && json_object_get(root, "n_iter") != NULL)
        SPEC_FAIL(ps, "n_iter", "gives the number of candidates, as n_candidates does; "
                  "give only one of them");
    halving->exhaust_candidates = n_candidates == NULL && json_object_get(root, "n_iter") == NULL;
    if (n_candidates != NULL && !(json_is_string(n_candidates) &&
                                  strcmp(json_string_value(n_candidates), "exhaust") == 0)) {
        if (!json_is_integer(n_candidates) || json_integer_value(n_candidates) <= 0)
            SPEC_FAIL(ps, "n_candidates", "n_candidates must be either 'exhaust' or a positive "
                      "integer (scikit-learn's message)");
        halving->n_candidates = (size_t)json_integer_value(n_candidates);
    } else if (n_candidates != NULL) {
        halving->exhaust_candidates = true;
    }
    if (halving->exhaust_candidates && halving->min_kind == GCV_HALVING_MIN_EXHAUST)
        SPEC_FAIL(ps, "min_resources", "n_candidates and min_resources cannot be both set to "
                  "'exhaust' (scikit-learn's message)");

    /* Drawn here to check the candidates' parameters early; the rounds draw
     * again with the final count. */
    if ((status = parse_random_search(ps, root, spec)) != GCV_OK)
        return status;
    if (!halving->exhaust_candidates && json_object_get(root, "n_iter") == NULL)
        spec->n_iter = halving->n_candidates;
    if (!halving->exhaust_candidates)
        halving->n_candidates = spec->n_iter;
    return GCV_OK;
}

/* Reads "search": "grid" (the default) expands param_grid as GridSearchCV,
 * "random" draws candidates as RandomizedSearchCV. */
static enum gcv_status parse_search(const struct parser *ps, const json_t *root,
                                    struct gcv_spec *spec)
{
    static const char *const random_keys[] = {"param_distributions", "n_iter", "random_state"};
    static const char *const halving_keys[] = {"factor", "resource", "min_resources",
                                               "max_resources", "aggressive_elimination",
                                               "n_candidates", NULL};
    const json_t *search = json_object_get(root, "search");

    if (json_is_string(search) && strcmp(json_string_value(search), "halving") == 0)
        return parse_halving_search(ps, root, spec);
    for (size_t i = 0; halving_keys[i] != NULL; i++)
        if (json_object_get(root, halving_keys[i]) != NULL)
            SPEC_FAIL(ps, halving_keys[i], "is only used by a halving search; add \"search\": "
                      "\"halving\"");
    if (json_is_string(search) && strcmp(json_string_value(search), "random") == 0)
        return parse_random_search(ps, root, spec);
    if (search != NULL && !json_is_null(search) &&
        !(json_is_string(search) && strcmp(json_string_value(search), "grid") == 0)) {
        static const char *const searches[] = {"grid", "random", "halving"};
        const char *closest = json_is_string(search)
                                  ? gcv_suggest_closest(json_string_value(search), searches, 3)
                                  : NULL;
        char hint[64] = "";

        if (closest != NULL)
            snprintf(hint, sizeof hint, "; did you mean \"%s\"?", closest);
        SPEC_FAIL(ps, "search", "must be \"grid\" (GridSearchCV, the default), \"random\" "
                  "(RandomizedSearchCV) or \"halving\" (HalvingGridSearchCV, or "
                  "HalvingRandomSearchCV with param_distributions)%s", hint);
    }
    for (size_t i = 0; i < sizeof random_keys / sizeof random_keys[0]; i++)
        if (json_object_get(root, random_keys[i]) != NULL)
            SPEC_FAIL(ps, random_keys[i], "is only used by a randomized search; add \"search\": "
                      "\"random\"");
    return parse_grid(ps, root, spec);
}

/* Reads data.holdout given as an object: the arguments of
 * train_test_split, whose test rows become the holdout. */
static enum gcv_status parse_holdout_split(const struct parser *ps, const json_t *holdout,
                                           struct gcv_spec *spec)
{
    static const char *const keys[] = {"test_size", "train_size", "random_state", "stratify",
                                       NULL};
    struct gcv_train_test *split = &spec->data.holdout_split;
    enum gcv_status status;

    spec->data.has_holdout_split = true;
    if ((status = check_keys(ps, holdout, "data.holdout", keys)) != GCV_OK)
        return status;
    if ((status = get_split_size(ps, holdout, "test_size", "data.holdout.test_size", true,
                                 &split->test_size)) != GCV_OK)
        return status;
    if ((status = get_split_size(ps, holdout, "train_size", "data.holdout.train_size", true,
                                 &split->train_size)) != GCV_OK)
        return status;
    if ((status = require_random_state(ps, holdout, "data.holdout.random_state",
                                       "a holdout drawn by train_test_split",
                                       &split->random_state)) != GCV_OK)
        return status;
    if (json_object_get(holdout, "stratify") != NULL &&
        !json_is_boolean(json_object_get(holdout, "stratify")))
        SPEC_FAIL(ps, "data.holdout.stratify", "must be true (stratify on y) or false");
    split->stratify = json_is_true(json_object_get(holdout, "stratify"));
    return GCV_OK;
}

static enum gcv_status parse_error_score(const struct parser *ps, const json_t *root,
                                         struct gcv_spec *spec)
{
    const json_t *value = json_object_get(root, "error_score");

    spec->error_score = GCV_ERROR_SCORE_NAN;
    if (value == NULL)
        return GCV_OK;
    if (json_is_number(value)) {
        spec->error_score = GCV_ERROR_SCORE_VALUE;
        spec->error_score_value = json_number_value(value);
        return GCV_OK;
    }
    if (json_is_string(value) && strcmp(json_string_value(value), "nan") == 0)
        return GCV_OK;
    if (json_is_string(value) && strcmp(json_string_value(value), "raise") == 0) {
        spec->error_score = GCV_ERROR_SCORE_RAISE;
        return GCV_OK;
    }
    SPEC_FAIL(ps, "error_score", "must be \"nan\", \"raise\" or a number");
}

/* fit_timeout: the seconds one cross-validation fit may take before it is
 * recorded as failed. Absent or null means no limit. */
static enum gcv_status parse_fit_timeout(const struct parser *ps, const json_t *root,
                                         struct gcv_spec *spec)
{
    const json_t *value = json_object_get(root, "fit_timeout");

    spec->fit_timeout = 0;
    if (value == NULL || json_is_null(value))
        return GCV_OK;
    if (!json_is_number(value))
        SPEC_FAIL(ps, "fit_timeout", "must be a number of seconds > 0, or null for no limit; "
                  "got %s", json_type_name(value));
    if (!(json_number_value(value) > 0))
        SPEC_FAIL(ps, "fit_timeout", "must be a number of seconds > 0, or null for no limit; "
                  "got %g", json_number_value(value));
    spec->fit_timeout = json_number_value(value);
    return GCV_OK;
}

/* Reads "scoring": absent or null for the estimator's default, one scorer
 * name, or a list of 1 to GCV_MAX_SCORERS distinct names (scikit-learn's
 * multi-metric scoring). The names are checked against the scorers once
 * the estimator is known (worker/task.c). */
static enum gcv_status parse_scoring(const struct parser *ps, const json_t *root,
                                     struct gcv_spec *spec)
{
    const json_t *value = json_object_get(root, "scoring");
    size_t n;

    if (value == NULL || json_is_null(value))
        return GCV_OK;
    if (!json_is_string(value) && !json_is_array(value))
        SPEC_FAIL(ps, "scoring", "must be a scorer name or a list of scorer names, got %s",
                  json_type_name(value));
    n = json_is_array(value) ? json_array_size(value) : 1;
    if (n == 0)
        SPEC_FAIL(ps, "scoring", "must not be an empty list: give one or more scorer names, "
                  "such as [\"accuracy\", \"f1_macro\"]");
    if (n > GCV_MAX_SCORERS)
        SPEC_FAIL(ps, "scoring", "lists %zu scorers, but at most %d are accepted", n,
                  GCV_MAX_SCORERS);

    spec->scoring = calloc(n, sizeof *spec->scoring);
    if (spec->scoring == NULL)
        return gcv_error_set(ps->err, GCV_ERR_NOMEM, "out of memory reading the spec");
    spec->multimetric = json_is_array(value);
    for (size_t i = 0; i < n; i++) {
        const json_t *entry = json_is_array(value) ? json_array_get(value, i) : value;
        char path[32];

        if (json_is_array(value))
            snprintf(path, sizeof path, "scoring[%zu]", i);
        else
            snprintf(path, sizeof path, "scoring");
        if (!json_is_string(entry))
            SPEC_FAIL(ps, path, "must be a scorer name (a string), got %s",
                      json_type_name(entry));
        if (json_string_length(entry) == 0)
            SPEC_FAIL(ps, path, "must not be empty");
        for (size_t j = 0; j < i; j++)
            if (strcmp(spec->scoring[j], json_string_value(entry)) == 0)
                SPEC_FAIL(ps, path, "duplicate scorer \"%s\" (also at index %zu): each scorer "
                          "may appear once", spec->scoring[j], j);
        spec->scoring[i] = strdup(json_string_value(entry));
        if (spec->scoring[i] == NULL)
            return gcv_error_set(ps->err, GCV_ERR_NOMEM, "out of memory reading the spec");
        spec->n_scoring++;
    }
    return GCV_OK;
}

/* Writes the scorer names of the spec, comma-separated, into buf. */
static const char *scoring_names(const struct gcv_spec *spec, char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < spec->n_scoring && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i > 0 ? ", " : "",
                                 spec->scoring[i]);
    return buf;
}

/* Reads "refit": true, false, or the name of the scorer that picks the
 * best candidate, which must be in "scoring". As scikit-learn's
 * GridSearchCV requires, a scoring list takes a name or false, because
 * true does not say which of its scorers picks. */
static enum gcv_status parse_refit(const struct parser *ps, const json_t *root,
                                   struct gcv_spec *spec)
{
    const json_t *value = json_object_get(root, "refit");
    char names[GCV_MAX_SCORERS * 64];
    const char *name;

    spec->refit = true;
    if (value == NULL && spec->multimetric)
        SPEC_FAIL(ps, "scoring", "is a list, so \"refit\" must name the scorer that picks the "
                  "best candidate (one of %s), or be false",
                  scoring_names(spec, names, sizeof names));
    if (value == NULL)
        return GCV_OK;
    if (json_is_boolean(value)) {
        spec->refit = json_is_true(value);
        if (spec->refit && spec->multimetric)
            SPEC_FAIL(ps, "refit", "must name the scorer that picks the best candidate (one of "
                      "%s), or be false: with a scoring list, true does not say which",
                      scoring_names(spec, names, sizeof names));
        return GCV_OK;
    }
    if (!json_is_string(value))
        SPEC_FAIL(ps, "refit", "must be true, false or a scorer name, got %s",
                  json_type_name(value));

    name = json_string_value(value);
    for (size_t i = 0; i < spec->n_scoring; i++) {
        if (strcmp(spec->scoring[i], name) == 0) {
            spec->refit_scorer = strdup(name);
            if (spec->refit_scorer == NULL)
                return gcv_error_set(ps->err, GCV_ERR_NOMEM, "out of memory reading the spec");
            return GCV_OK;
        }
    }
    if (spec->n_scoring == 0)
        SPEC_FAIL(ps, "refit", "names scorer \"%s\", but \"scoring\" names none; list it in "
                  "\"scoring\", or set refit to true", name);
    SPEC_FAIL(ps, "refit", "names scorer \"%s\", which is not in \"scoring\" (%s)", name,
              scoring_names(spec, names, sizeof names));
}

/* Reads "pos_label": absent or null, or a class label of y, a string or an
 * integer. Whether y has that class is checked once the data is read. */
static enum gcv_status parse_pos_label(const struct parser *ps, const json_t *root,
                                       struct gcv_spec *spec)
{
    const json_t *value = json_object_get(root, "pos_label");

    if (value == NULL || json_is_null(value))
        return GCV_OK;
    if (!json_is_string(value) && !json_is_integer(value))
        SPEC_FAIL(ps, "pos_label", "must be a class label of y, a string or an integer, got %s",
                  json_type_name(value));
    if (json_is_string(value) && json_string_length(value) == 0)
        SPEC_FAIL(ps, "pos_label", "must not be empty");
    return to_value(ps, value, "pos_label", &spec->pos_label);
}

/* Reads "threshold": absent or null; a scorer name; or an object whose only
 * key, "objective", names the scorer (default "balanced_accuracy", as
 * scikit-learn's TunedThresholdClassifierCV). The scorer is checked
 * against the estimator and the classes later (worker/task.c). */
static enum gcv_status parse_threshold(const struct parser *ps, const json_t *root,
                                       struct gcv_spec *spec)
{
    static const char *const keys[] = {"objective", NULL};
    const json_t *value = json_object_get(root, "threshold");
    const char *objective = "balanced_accuracy";
    enum gcv_status status;

    if (value == NULL || json_is_null(value))
        return GCV_OK;
    if (json_is_object(value)) {
        const json_t *name = json_object_get(value, "objective");

        if ((status = check_keys(ps, value, "threshold", keys)) != GCV_OK)
            return status;
        if (name != NULL && !json_is_string(name))
            SPEC_FAIL(ps, "threshold.objective", "must be a scorer name such as \"f1\" or "
                      "\"neg_mean_cost\", got %s", json_type_name(name));
        if (name != NULL)
            objective = json_string_value(name);
    } else if (json_is_string(value)) {
        objective = json_string_value(value);
    } else {
        SPEC_FAIL(ps, "threshold", "must be a scorer name such as \"f1\", or an object "
                  "{\"objective\": name}, got %s", json_type_name(value));
    }
    if (!spec->refit)
        SPEC_FAIL(ps, "threshold", "tunes the decision threshold of the refit model, and "
                  "\"refit\" is false; remove threshold or set refit");
    spec->threshold_objective = strdup(objective);
    if (spec->threshold_objective == NULL)
        return gcv_error_set(ps->err, GCV_ERR_NOMEM, "out of memory reading the spec");
    return GCV_OK;
}

/* Reads "cost_matrix": absent or null, or a square list of lists of
 * finite numbers, the cost of predicting class j (column) for a row of
 * class i (row). Whether it has one row per class of y is checked once the
 * data is read. */
static enum gcv_status parse_cost_matrix(const struct parser *ps, const json_t *root,
                                         struct gcv_spec *spec)
{
    const json_t *value = json_object_get(root, "cost_matrix");
    size_t n;

    if (value == NULL || json_is_null(value))
        return GCV_OK;
    if (!json_is_array(value) || json_array_size(value) == 0)
        SPEC_FAIL(ps, "cost_matrix", "must be a non-empty list of rows, one per class, such as "
                  "[[0, 1], [10, 0]]; got %s", json_is_array(value) ? "an empty list"
                                                                    : json_type_name(value));
    n = json_array_size(value);
    spec->cost_matrix = calloc(n * n, sizeof *spec->cost_matrix);
    if (spec->cost_matrix == NULL)
        return gcv_error_set(ps->err, GCV_ERR_NOMEM, "out of memory reading the spec");
    spec->n_cost_classes = n;
    for (size_t i = 0; i < n; i++) {
        const json_t *row = json_array_get(value, i);
        char path[64];

        snprintf(path, sizeof path, "cost_matrix[%zu]", i);
        if (!json_is_array(row))
            SPEC_FAIL(ps, path, "must be a list of %zu costs, one per predicted class; got %s",
                      n, json_type_name(row));
        if (json_array_size(row) != n)
            SPEC_FAIL(ps, path, "must be a list of %zu costs, one per predicted class, so that "
                      "the matrix is square; got %zu", n, json_array_size(row));
        for (size_t j = 0; j < n; j++) {
            const json_t *cost = json_array_get(row, j);

            snprintf(path, sizeof path, "cost_matrix[%zu][%zu]", i, j);
            if (!json_is_number(cost))
                SPEC_FAIL(ps, path, "must be a number, got %s", json_type_name(cost));
            if (!isfinite(json_number_value(cost)))
                SPEC_FAIL(ps, path, "must be a finite number, got %g", json_number_value(cost));
            spec->cost_matrix[i * n + j] = json_number_value(cost);
        }
    }
    return GCV_OK;
}

/* Reads "estimator": a class name, or a non-empty list of class names
 * that make a pipeline, stored as "make_pipeline(A, B)", the name the
 * estimator registry resolves. */
static enum gcv_status parse_estimator(const struct parser *ps, const json_t *root,
                                       struct gcv_spec *spec)
{
    const json_t *value = json_object_get(root, "estimator");
    size_t len = sizeof "make_pipeline()";
    char *joined;

    if (value == NULL)
        SPEC_FAIL(ps, "estimator", "missing key \"estimator\": a scikit-learn class name such "
                  "as \"SVC\", or a list of them such as [\"StandardScaler\", \"SVC\"]");
    if (!json_is_array(value))
        return get_string_not_null(ps, root, "estimator", "estimator", &spec->estimator);
    if (json_array_size(value) == 0)
        SPEC_FAIL(ps, "estimator", "must not be an empty list: give the pipeline's steps, such "
                  "as [\"StandardScaler\", \"SVC\"]");

    for (size_t i = 0; i < json_array_size(value); i++) {
        const json_t *step = json_array_get(value, i);
        char path[48];

        snprintf(path, sizeof path, "estimator[%zu]", i);
        if (!json_is_string(step))
            SPEC_FAIL(ps, path, "must be a string (a scikit-learn class name), got %s",
                      json_type_name(step));
        if (json_string_length(step) == 0 || strpbrk(json_string_value(step), ",()") != NULL)
            SPEC_FAIL(ps, path, "must be a scikit-learn class name such as \"StandardScaler\", "
                      "got \"%s\"", json_string_value(step));
        len += json_string_length(step) + 2;
    }

    joined = malloc(len);
    if (joined == NULL)
        return gcv_error_set(ps->err, GCV_ERR_NOMEM, "out of memory reading the spec");
    strcpy(joined, "make_pipeline(");
    for (size_t i = 0; i < json_array_size(value); i++) {
        if (i > 0)
            strcat(joined, ", ");
        strcat(joined, json_string_value(json_array_get(value, i)));
    }
    strcat(joined, ")");
    spec->estimator = joined;
    return GCV_OK;
}

/* Rejects what scikit-learn's halving searches reject in scoring and refit:
 * a list of scorers, and a refit that is not true or false. */
static enum gcv_status check_halving_scoring(const struct parser *ps, const json_t *root,
                                             const struct gcv_spec *spec)
{
    const json_t *refit = json_object_get(root, "refit");

    if (!spec->halving.enabled)
        return GCV_OK;
    if (spec->multimetric)
        SPEC_FAIL(ps, "scoring", "scoring parameter must be a string, a callable or None. "
                  "Multimetric scoring is not supported. (scikit-learn's message for a halving "
                  "search); give one scorer name");
    if (refit != NULL && !json_is_boolean(refit))
        SPEC_FAIL(ps, "refit", "refit is expected to be a boolean (scikit-learn's message for a "
                  "halving search), got %s", json_type_name(refit));
    return GCV_OK;
}

static enum gcv_status parse_root(const struct parser *ps, const json_t *root,
                                  struct gcv_spec *spec)
{
    static const char *const keys[] = {"data", "estimator", "params", "param_grid", "cv",
                                       "scoring", "refit", "pos_label", "return_train_score",
                                       "error_score", "fit_timeout", "search", "param_distributions",
                                       "n_iter", "random_state", "cost_matrix", "threshold", "warm_start",
                                       "factor", "resource", "min_resources", "max_resources",
                                       "aggressive_elimination", "n_candidates", NULL};
    enum gcv_status status;

    if (!json_is_object(root))
        return gcv_error_set(ps->err, GCV_ERR_SPEC, "%s: the spec must be a JSON object, got %s",
                             ps->file, json_type_name(root));
    if ((status = check_keys(ps, root, "", keys)) != GCV_OK)
        return status;
    if ((status = parse_data(ps, root, spec)) != GCV_OK)
        return status;

    if ((status = parse_estimator(ps, root, spec)) != GCV_OK)
        return status;
    if ((status = parse_params(ps, root, spec)) != GCV_OK)
        return status;
    if ((status = parse_search(ps, root, spec)) != GCV_OK)
        return status;
    if ((status = parse_cv(ps, root, spec)) != GCV_OK)
        return status;
    if ((status = parse_scoring(ps, root, spec)) != GCV_OK)
        return status;
    if ((status = check_halving_scoring(ps, root, spec)) != GCV_OK)
        return status;
    if ((status = parse_refit(ps, root, spec)) != GCV_OK)
        return status;
    if ((status = parse_pos_label(ps, root, spec)) != GCV_OK)
        return status;
    if ((status = parse_threshold(ps, root, spec)) != GCV_OK)
        return status;
    if ((status = parse_cost_matrix(ps, root, spec)) != GCV_OK)
        return status;
    /* HalvingGridSearchCV's return_train_score defaults to true. */
    if ((status = get_bool(ps, root, "return_train_score", spec->halving.enabled,
                           &spec->return_train_score)) != GCV_OK)
        return status;
    if ((status = parse_error_score(ps, root, spec)) != GCV_OK)
        return status;
    if ((status = get_bool(ps, root, "warm_start", false, &spec->warm_start)) != GCV_OK)
        return status;

    /* A warm-started fit goes on from the previous fit of its chain, so it
     * would run past a round's budget of an estimator parameter such as
     * max_iter. */
    if (spec->warm_start && spec->halving.enabled && spec->halving.resource != NULL &&
        strcmp(spec->halving.resource, "n_samples") != 0)
        SPEC_FAIL(ps, "warm_start", "cannot be combined with a halving search whose resource is "
                  "the estimator parameter %s, since each warm-started fit would go on past the "
                  "round's %s; use resource \"n_samples\" or warm_start false",
                  spec->halving.resource, spec->halving.resource);
    return parse_fit_timeout(ps, root, spec);
}

enum gcv_status gcv_spec_parse(const char *text, const char *file, struct gcv_spec *spec,
                               struct gcv_error *err)
{
    struct parser ps;
    json_error_t json_err;
    json_t *root;
    enum gcv_status status;

    /* A UTF-8 byte order mark is skipped, as Python's "utf-8-sig" codec
     * does, so positions in later messages count from the first character
     * after it. */
    if (strncmp(text, "\xEF\xBB\xBF", 3) == 0)
        text += 3;
    ps = (struct parser){text, file, err};

    memset(spec, 0, sizeof *spec);
    root = json_loads(text, JSON_REJECT_DUPLICATES, &json_err);
    if (root == NULL) {
        struct cursor start = {text, 1, 1};
        char path[300] = "";
        /* jansson reports column 0 when the text ends before any
         * character, but columns count from 1. */
        int line = json_err.line < 1 ? 1 : json_err.line;
        int column = json_err.column < 1 ? 1 : json_err.column;

        /* jansson names a duplicate key but not the object that contains it,
         * so the key's path is found from where jansson stopped: right
         * after the key. */
        if (strncmp(json_err.text, "duplicate object key", 20) == 0 && json_err.position > 0 &&
            find_key_ending_at(&start, text, (size_t)json_err.position, path, sizeof path))
            return gcv_error_set(err, GCV_ERR_SPEC, "%s: %s (line %d column %d): invalid JSON: "
                                 "%s", file, path, line, column, json_err.text);
        return gcv_error_set(err, GCV_ERR_SPEC, "%s: line %d column %d: invalid JSON: %s",
                             file, line, column, json_err.text);
    }

    spec->text = strdup(text);
    spec->file = strdup(file);
    if (spec->text == NULL || spec->file == NULL)
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory reading the spec");
    else
        status = parse_root(&ps, root, spec);

    json_decref(root);
    if (status != GCV_OK)
        gcv_spec_free(spec);
    return status;
}

enum gcv_status gcv_spec_read_file(const char *path, char **text, struct gcv_error *err)
{
    FILE *file = NULL;
    char *buffer = NULL;
    struct stat info;
    long size;
    enum gcv_status status = GCV_OK;

    *text = NULL;
    file = fopen(path, "rb");
    if (file == NULL)
        return gcv_error_set(err, GCV_ERR_SPEC, "cannot open spec file %s: %s", path,
                             strerror(errno));
    /* fopen opens a folder for reading too; ftell then gives no usable
     * size. */
    if (fstat(fileno(file), &info) == 0 && S_ISDIR(info.st_mode)) {
        status = gcv_error_set(err, GCV_ERR_SPEC, "spec file %s is a folder: give the path of "
                               "the JSON spec file", path);
        goto cleanup;
    }
    if (fseek(file, 0, SEEK_END) != 0 || (size = ftell(file)) < 0 || fseek(file, 0, SEEK_SET) != 0) {
        status = gcv_error_set(err, GCV_ERR_SPEC, "cannot read spec file %s: %s", path,
                               strerror(errno));
        goto cleanup;
    }
    buffer = malloc((size_t)size + 1);
    if (buffer == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory reading spec file %s", path);
        goto cleanup;
    }
    if (fread(buffer, 1, (size_t)size, file) != (size_t)size) {
        status = gcv_error_set(err, GCV_ERR_SPEC, "cannot read spec file %s", path);
        goto cleanup;
    }
    buffer[size] = '\0';
    if (strlen(buffer) != (size_t)size) {
        status = gcv_error_set(err, GCV_ERR_SPEC, "spec file %s contains a NUL byte: it must "
                               "be JSON text", path);
        goto cleanup;
    }
    *text = buffer;
    buffer = NULL;

cleanup:
    free(buffer);
    fclose(file);
    return status;
}

void gcv_spec_free(struct gcv_spec *spec)
{
    if (spec == NULL)
        return;
    free(spec->text);
    free(spec->file);
    for (size_t i = 0; i < spec->data.n_paths && spec->data.paths != NULL; i++)
        free(spec->data.paths[i]);
    free(spec->data.paths);
    free(spec->data.X);
    free(spec->data.y);
    free(spec->data.holdout);
    free(spec->data.groups);
    free(spec->estimator);
    gcv_param_set_clear(&spec->params);
    gcv_grid_free(&spec->grid);
    free(spec->halving.resource);
    for (size_t i = 0; i < spec->halving.n_objects; i++)
        gcv_grid_object_free(&spec->halving.objects[i]);
    free(spec->halving.objects);
    free(spec->test_fold);
    for (size_t i = 0; i < spec->n_scoring; i++)
        free(spec->scoring[i]);
    free(spec->scoring);
    free(spec->refit_scorer);
    gcv_value_clear(&spec->pos_label);
    free(spec->cost_matrix);
    free(spec->threshold_objective);
    memset(spec, 0, sizeof *spec);
}
