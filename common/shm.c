/* The node's shared copy of the data: see shm.h for the design.
 *
 * Every step below runs on every rank of a node in the same order, whether
 * or not an earlier step failed: the leader's outcome travels inside the
 * broadcasts, so no rank waits in a collective that another rank skipped. */
#include "shm.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "log.h"
#include "param.h"
#include "proto.h"

/* Fields of the leader's scan that the other ranks of its node receive,
 * as int64. */
enum scan_field {
    SCAN_STATUS,
    SCAN_LEADER,
    SCAN_ROWS,
    SCAN_FEATURES,
    SCAN_SHARDS,
    SCAN_CLASSIFICATION,
    SCAN_HOLDOUT,
    SCAN_TEST_FOLD,
    SCAN_SHARD_FOLDS,
    SCAN_GROUPS,
    SCAN_BLOCK_BYTES,
    SCAN_FIELDS
};

/* Fields that every rank contributes to the check across nodes (MPI_MAX). */
enum node_field {
    NODE_FAILED,       /* 1 when this rank failed */
    NODE_FINGERPRINT,  /* fingerprint of the data's sizes and labels */
    NODE_INVERSE,      /* ~fingerprint, so MAX also yields the minimum */
    NODE_SIZE,         /* ranks on this rank's node */
    NODE_FIELDS
};

/* Bytes of the class list sent in one broadcast. */
#define CLASS_CHUNK 65536

/* Broadcasts count items from the node leader, waiting without spinning. */
static enum gcv_status node_bcast(void *buf, int count, MPI_Datatype type, MPI_Comm node,
                                  struct gcv_error *err)
{
    MPI_Request request = MPI_REQUEST_NULL;
    int rc = MPI_Ibcast(buf, count, type, 0, node, &request);

    if (rc != MPI_SUCCESS)
        return gcv_proto_mpi_error(rc, "MPI_Ibcast", err);
    return gcv_proto_wait(&request, MPI_STATUS_IGNORE, err);
}

/* ----- class lists travel as bytes ---------------------------------------- */

/* Packs the label kind and the class list of data into a malloc'd buffer:
 * int64 kind, int64 n_classes, then n_classes int64 labels or n_classes
 * NUL-terminated strings. */
static enum gcv_status pack_classes(const struct gcv_dataset *data, char **out, size_t *len,
                                    struct gcv_error *err)
{
    int64_t head[2] = {(int64_t)data->label_kind, (int64_t)data->n_classes};
    size_t size = sizeof head;
    char *buf, *at;

    if (data->label_kind == GCV_LABELS_INTEGER)
        size += data->n_classes * sizeof(int64_t);
    if (data->label_kind == GCV_LABELS_STRING)
        for (size_t c = 0; c < data->n_classes; c++)
            size += strlen(data->class_strings[c]) + 1;
    buf = malloc(size);
    if (buf == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory packing %zu class labels",
                             data->n_classes);

    memcpy(buf, head, sizeof head);
    at = buf + sizeof head;
    for (size_t c = 0; c < data->n_classes && data->label_kind == GCV_LABELS_INTEGER; c++) {
        int64_t label = (int64_t)data->class_integers[c];
        memcpy(at, &label, sizeof label);
        at += sizeof label;
    }
    for (size_t c = 0; c < data->n_classes && data->label_kind == GCV_LABELS_STRING; c++) {
        size_t n = strlen(data->class_strings[c]) + 1;
        memcpy(at, data->class_strings[c], n);
        at += n;
    }
    *out = buf;
    *len = size;
    return GCV_OK;
}

/* Fills the label kind and an owned class list of data from a buffer made
 * by pack_classes. */
static enum gcv_status unpack_classes(const char *buf, size_t len, struct gcv_dataset *data,
                                      struct gcv_error *err)
{
    int64_t head[2];
    const char *at = buf + sizeof head, *end = buf + len;

    if (len < sizeof head)
        return gcv_error_set(err, GCV_ERR_INTERNAL, "class list of %zu bytes is truncated", len);
    memcpy(head, buf, sizeof head);
    data->label_kind = (enum gcv_label_kind)head[0];
    data->n_classes = (size_t)head[1];

    if (data->label_kind == GCV_LABELS_INTEGER) {
        if ((size_t)(end - at) != data->n_classes * sizeof(int64_t))
            return gcv_error_set(err, GCV_ERR_INTERNAL, "class list of %zu bytes does not hold "
                                 "%zu labels", len, data->n_classes);
        data->class_integers = malloc((data->n_classes + 1) * sizeof *data->class_integers);
        if (data->class_integers == NULL)
            return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu class labels",
                                 data->n_classes);
        for (size_t c = 0; c < data->n_classes; c++, at += sizeof(int64_t)) {
            int64_t label;
            memcpy(&label, at, sizeof label);
            data->class_integers[c] = (long long)label;
        }
    }
    if (data->label_kind == GCV_LABELS_STRING) {
        data->class_strings = calloc(data->n_classes + 1, sizeof *data->class_strings);
        if (data->class_strings == NULL)
            return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu class labels",
                                 data->n_classes);
        for (size_t c = 0; c < data->n_classes; c++) {
            size_t n = strnlen(at, (size_t)(end - at));
            if (at + n >= end)
                return gcv_error_set(err, GCV_ERR_INTERNAL, "class list of %zu bytes is "
                                     "truncated at label %zu", len, c);
            data->class_strings[c] = strdup(at);
            if (data->class_strings[c] == NULL)
                return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu class labels",
                                     data->n_classes);
            at += n + 1;
        }
    }
    return GCV_OK;
}

/* ----- fingerprint ------------------------------------------------------- */

/* FNV-1a, 64 bits, continued from hash over len bytes. */
static uint64_t fnv1a(uint64_t hash, const void *bytes, size_t len)
{
    const unsigned char *p = bytes;

    for (size_t i = 0; i < len; i++) {
        hash ^= p[i];
        hash *= UINT64_C(0x100000001b3);
    }
    return hash;
}

/* Hashes what must agree between nodes: the shape, the shard sizes and the
 * class labels. The values of X are not hashed, so two nodes whose files
 * differ only in X values pass. */
static uint64_t fingerprint(const struct gcv_dataset *data)
{
    uint64_t words[6] = {data->n_rows, data->n_features, data->n_shards,
                         (uint64_t)data->is_classification, (uint64_t)data->label_kind,
                         data->n_classes};
    uint64_t hash = UINT64_C(0xcbf29ce484222325);

    hash = fnv1a(hash, words, sizeof words);
    if (data->shard_start != NULL)
        hash = fnv1a(hash, data->shard_start, (data->n_shards + 1) * sizeof *data->shard_start);
    for (size_t c = 0; c < data->n_classes && data->label_kind == GCV_LABELS_INTEGER; c++)
        hash = fnv1a(hash, &data->class_integers[c], sizeof data->class_integers[c]);
    for (size_t c = 0; c < data->n_classes && data->label_kind == GCV_LABELS_STRING; c++)
        hash = fnv1a(hash, data->class_strings[c], strlen(data->class_strings[c]) + 1);
    return hash;
}

/* ----- room for the window ---------------------------------------------- */

/* Writes into buf the folder where Open MPI creates the backing file of a
 * shared window: gcv_shm_backing_folder_known's, else its control
 * variable osc_sm_backing_directory, read through the MPI tool interface.
 * Returns false when it is unknown, as under another MPI library. */
/* True when the file at path mentions osc_sm_backing_directory, or exists
 * but cannot be read, so its setting is unknown. */
static bool file_may_set_backing(const char *path)
{
    char line[4096];
    bool mentioned = false;
    FILE *file = fopen(path, "r");

    if (file == NULL)
        return errno != ENOENT && errno != ENOTDIR;
    while (!mentioned && fgets(line, sizeof line, file) != NULL)
        mentioned = strstr(line, "osc_sm_backing_directory") != NULL;
    fclose(file);
    return mentioned;
}

bool gcv_shm_backing_folder_known(char *buf, size_t len)
{
#if defined(OPEN_MPI) && defined(__linux__)
    const char *value = getenv("OMPI_MCA_osc_sm_backing_directory");
    const char *home = getenv("HOME");
    char path[4096];

    /* Set but empty is a value too: Open MPI then names its file after
     * "(null)", which fails, and the check must report it. */
    if (value != NULL) {
        snprintf(buf, len, "%s", value);
        return true;
    }

    /* Parameter files given to mpirun (--am, --tune) or in the
     * environment may set it. */
    if (getenv("OMPI_MCA_mca_base_param_files") != NULL ||
        getenv("OMPI_MCA_mca_base_param_file_prefix") != NULL ||
        getenv("OMPI_MCA_mca_base_envar_file_prefix") != NULL ||
        file_may_set_backing("/etc/openmpi/openmpi-mca-params.conf"))
        return false;
    if (home != NULL) {
        snprintf(path, sizeof path, "%s/.openmpi/mca-params.conf", home);
        if (file_may_set_backing(path))
            return false;
    }
    snprintf(buf, len, "/dev/shm");
    return true;
#else
    (void)buf;
    (void)len;
    return false;
#endif
}

static bool backing_folder(char *buf, size_t len)
{
    bool found = false;
#ifdef OPEN_MPI
    MPI_T_cvar_handle handle;
    int provided, index, count;
    char *value;

    if (gcv_shm_backing_folder_known(buf, len))
        return true;
    if (MPI_T_init_thread(MPI_THREAD_SINGLE, &provided) != MPI_SUCCESS)
        return false;
    if (MPI_T_cvar_get_index("osc_sm_backing_directory", &index) == MPI_SUCCESS &&
        MPI_T_cvar_handle_alloc(index, NULL, &handle, &count) == MPI_SUCCESS) {
        value = calloc((size_t)count + 1, 1);
        if (value != NULL && MPI_T_cvar_read(handle, value) == MPI_SUCCESS && value[0] != '\0') {
            snprintf(buf, len, "%s", value);
            found = true;
        }
        free(value);
        MPI_T_cvar_handle_free(&handle);
    }
    MPI_T_finalize();
#else
    (void)buf;
    (void)len;
#endif
    return found;
}

/* Leader: checks that the window's backing folder has room for bytes.
 * Open MPI only warns when it has not, and the allocation then fails on
 * the leader alone while the other ranks wait inside it for ever, so the
 * check must come before any rank calls MPI_Win_allocate_shared. */
static enum gcv_status check_backing_space(size_t bytes, struct gcv_error *err)
{
    /* Room for Open MPI's own header in the file, an estimate. */
    const unsigned long long margin = 1ULL << 20;
    char folder[1024];
    const char *reason = NULL;   /* why folder cannot be used, or NULL */
    struct stat kind;
    struct statvfs info;
    unsigned long long available;

    if (!backing_folder(folder, sizeof folder))
        return GCV_OK;

    /* Open MPI cannot create its file in a missing folder or in a path
     * that is no folder, and then fails on the leader alone as well. */
    if (folder[0] == '\0')
        reason = "empty value";
    else if (stat(folder, &kind) != 0)
        reason = strerror(errno);
    else if (!S_ISDIR(kind.st_mode))
        reason = "not a folder";
    else if (statvfs(folder, &info) != 0)
        reason = strerror(errno);
    if (reason != NULL)
        return gcv_error_set(err, GCV_ERR_DATA, "Open MPI's osc_sm_backing_directory \"%s\" "
                             "cannot hold the node's shared copy of the data (%s); pass --mca "
                             "osc_sm_backing_directory with an existing local folder to mpirun, "
                             "or leave it unset for /dev/shm", folder, reason);
    available = (unsigned long long)info.f_bavail * info.f_frsize;
    if (available >= (unsigned long long)bytes + margin)
        return GCV_OK;
    return gcv_error_set(err, GCV_ERR_NOMEM, "not enough room for the node's shared copy of the "
                         "data: %.1f MiB needed, %.1f MiB free in %s (Open MPI's "
                         "osc_sm_backing_directory); free space there, enlarge it (docker run "
                         "--shm-size), or pass --mca osc_sm_backing_directory with a larger "
                         "local folder to mpirun", (double)bytes / 1048576.0,
                         (double)available / 1048576.0, folder);
}

/* ----- the steps of a load ----------------------------------------------- */

/* Leader: scans the shards into layout and fills the scan fields. */
static enum gcv_status scan_on_leader(const struct gcv_dataset_source *source,
                                      struct gcv_dataset_layout *layout, int64_t *scan,
                                      struct gcv_error *err)
{
    enum gcv_status status = gcv_dataset_scan(source, layout, err);

    scan[SCAN_STATUS] = status;
    if (status != GCV_OK)
        return status;
    scan[SCAN_ROWS] = (int64_t)layout->n_rows;
    scan[SCAN_FEATURES] = (int64_t)layout->n_features;
    scan[SCAN_SHARDS] = (int64_t)layout->n_shards;
    scan[SCAN_CLASSIFICATION] = layout->classification;
    scan[SCAN_HOLDOUT] = layout->has_holdout;
    scan[SCAN_TEST_FOLD] = layout->has_test_fold;
    scan[SCAN_SHARD_FOLDS] = layout->shard_folds;
    scan[SCAN_GROUPS] = layout->has_groups;
    scan[SCAN_BLOCK_BYTES] = (int64_t)gcv_dataset_block_size(layout);
    if ((uint64_t)scan[SCAN_BLOCK_BYTES] > (uint64_t)PTRDIFF_MAX || scan[SCAN_SHARDS] >= INT_MAX)
        status = gcv_error_set(err, GCV_ERR_DATA, "data of %zu rows x %zu features in %zu shards "
                               "is too large for one shared window", layout->n_rows,
                               layout->n_features, layout->n_shards);
    else
        status = check_backing_space((size_t)scan[SCAN_BLOCK_BYTES], err);
    scan[SCAN_STATUS] = status;
    return status;
}

/* Other ranks: rebuilds the leader's layout from the scan fields, without
 * the file names and shard list, which only the leader needs. */
static void layout_from_scan(const int64_t *scan, struct gcv_dataset_layout *layout)
{
    memset(layout, 0, sizeof *layout);
    layout->n_rows = (size_t)scan[SCAN_ROWS];
    layout->n_features = (size_t)scan[SCAN_FEATURES];
    layout->n_shards = (size_t)scan[SCAN_SHARDS];
    layout->classification = scan[SCAN_CLASSIFICATION] != 0;
    layout->has_holdout = scan[SCAN_HOLDOUT] != 0;
    layout->has_test_fold = scan[SCAN_TEST_FOLD] != 0;
    layout->shard_folds = scan[SCAN_SHARD_FOLDS] != 0;
    layout->has_groups = scan[SCAN_GROUPS] != 0;
}

/* The offset of the board after data_bytes of row arrays: the next
 * multiple of 64, so that the board's entries start on a cache line. */
static size_t board_offset(size_t data_bytes)
{
    return (data_bytes + 63) / 64 * 64;
}

/* Every rank of the node: allocates the window (the leader's segment of
 * bytes contains the row arrays and the board, the others have none), finds
 * the leader's segment and opens a passive-target epoch on it that lasts
 * until gcv_shm_free. */
static enum gcv_status open_window(struct gcv_shm *shm, size_t bytes, void **base,
                                   struct gcv_error *err)
{
    MPI_Aint own = shm->node_rank == 0 ? (MPI_Aint)bytes : 0;
    MPI_Aint leader_size = 0;
    int disp_unit = 1;
    enum gcv_status status = GCV_OK;
    int rc;

    *base = NULL;
    rc = MPI_Win_allocate_shared(own, 1, MPI_INFO_NULL, shm->node, base, &shm->window);
    if (rc != MPI_SUCCESS) {
        status = gcv_proto_mpi_error(rc, "MPI_Win_allocate_shared", err);
        return gcv_error_prefix(err, "cannot share %zu bytes of data on this node (Open MPI backs "
                                "the window with a file in osc_sm_backing_directory, /dev/shm by "
                                "default: check its free space): ", bytes);
    }
    shm->has_window = true;
    GCV_MPI_CHECK(MPI_Win_set_errhandler(shm->window, MPI_ERRORS_RETURN));
    GCV_MPI_CHECK(MPI_Win_shared_query(shm->window, 0, &leader_size, &disp_unit, base));
    GCV_MPI_CHECK(MPI_Win_lock_all(MPI_MODE_NOCHECK, shm->window));
    if ((size_t)leader_size < bytes)
        status = gcv_error_set(err, GCV_ERR_MPI, "the shared window of the node leader has %zu "
                               "bytes, expected %zu", (size_t)leader_size, bytes);
cleanup:
    return status;
}

/* Every rank of the node: the leader sends its status and class list after
 * reading, the others receive them. The MPI_Win_sync on both sides, with
 * the broadcast between them, makes the leader's writes to the window
 * visible to the other ranks. */
static enum gcv_status share_outcome(struct gcv_shm *shm, enum gcv_status local,
                                     struct gcv_dataset *data, struct gcv_error *err)
{
    int64_t head[2] = {local, 0}; /* status, bytes of the class list */
    char *classes = NULL;
    size_t len = 0;
    enum gcv_status status = GCV_OK;

    if (shm->node_rank == 0 && local == GCV_OK) {
        local = pack_classes(data, &classes, &len, err);
        head[0] = local;
        head[1] = local == GCV_OK ? (int64_t)len : 0;
    }
    if (shm->has_window)
        GCV_MPI_CHECK(MPI_Win_sync(shm->window));

    if ((status = node_bcast(head, 2, MPI_INT64_T, shm->node, err)) != GCV_OK)
        goto cleanup;
    if (shm->node_rank != 0 && head[0] != GCV_OK && local == GCV_OK)
        local = gcv_error_set(err, (enum gcv_status)head[0], "the node leader (rank %d) could "
                              "not load the data", shm->leader);
    if (head[0] != GCV_OK) {
        status = local;
        goto cleanup;
    }

    len = (size_t)head[1];
    if (shm->node_rank != 0) {
        classes = malloc(len > 0 ? len : 1);
        if (classes == NULL)
            local = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory receiving the class list");
    }

    /* The list travels in chunks, so its length has no int limit and a
     * rank that could not allocate it still takes part, receiving into a
     * scratch chunk, and then reports its failure. */
    for (size_t offset = 0; offset < len; offset += CLASS_CHUNK) {
        static char scratch[CLASS_CHUNK];
        int count = (int)(len - offset < CLASS_CHUNK ? len - offset : CLASS_CHUNK);
        char *into = classes != NULL ? classes + offset : scratch;

        if ((status = node_bcast(into, count, MPI_CHAR, shm->node, err)) != GCV_OK)
            goto cleanup;
    }
    if (shm->has_window)
        GCV_MPI_CHECK(MPI_Win_sync(shm->window));
    if (shm->node_rank != 0 && local == GCV_OK)
        local = unpack_classes(classes, (size_t)head[1], data, err);
    status = local;

cleanup:
    free(classes);
    return status;
}

/* Every rank of the job: checks that all nodes loaded the same sizes and
 * labels, and learns how many nodes there are and how many ranks the
 * largest has. */
static enum gcv_status compare_nodes(struct gcv_shm *shm, enum gcv_status local,
                                     const struct gcv_dataset *data, struct gcv_error *err)
{
    uint64_t mine[NODE_FIELDS] = {0}, most[NODE_FIELDS] = {0};
    int is_leader = shm->node_rank == 0, n_nodes = 0;
    MPI_Request requests[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
    enum gcv_status status = GCV_OK;

    mine[NODE_FAILED] = local != GCV_OK;
    mine[NODE_FINGERPRINT] = local == GCV_OK ? fingerprint(data) : 0;
    mine[NODE_INVERSE] = ~mine[NODE_FINGERPRINT];
    mine[NODE_SIZE] = (uint64_t)shm->node_size;
    GCV_MPI_CHECK(MPI_Iallreduce(mine, most, NODE_FIELDS, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD,
                                 &requests[0]));
    GCV_MPI_CHECK(MPI_Iallreduce(&is_leader, &n_nodes, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD,
                                 &requests[1]));
    if ((status = gcv_proto_wait(&requests[0], MPI_STATUS_IGNORE, err)) != GCV_OK)
        goto cleanup;
    if ((status = gcv_proto_wait(&requests[1], MPI_STATUS_IGNORE, err)) != GCV_OK)
        goto cleanup;

    shm->n_nodes = n_nodes;
    shm->max_node_size = (int)most[NODE_SIZE];
    status = local;
    if (most[NODE_FAILED] == 0 && most[NODE_FINGERPRINT] != ~most[NODE_INVERSE])
        status = gcv_error_set(err, GCV_ERR_DATA, "the %d nodes read different data from "
                               "data.path (sizes, shards or class labels differ): every node "
                               "must see the same files", n_nodes);
cleanup:
    return status;
}

/* Splits the node into groups of GCV_SHM_GROUP_ENV ranks when that
 * variable is set. Every rank must see the same value. */
static enum gcv_status split_for_testing(struct gcv_shm *shm, int world_rank,
                                         struct gcv_error *err)
{
    const char *text = getenv(GCV_SHM_GROUP_ENV);
    long group_size = text != NULL ? strtol(text, NULL, 10) : 0;
    MPI_Comm group;
    enum gcv_status status = GCV_OK;

    if (group_size <= 0)
        return GCV_OK;
    GCV_MPI_CHECK(MPI_Comm_split(shm->node, (int)(world_rank / group_size), world_rank, &group));
    MPI_Comm_free(&shm->node);
    shm->node = group;
cleanup:
    return status;
}

static void report_window(const struct gcv_shm *shm)
{
    const char *report = getenv(GCV_SHM_REPORT_ENV);

    if (report == NULL || strcmp(report, "1") != 0)
        return;
    gcv_log_write(GCV_LOG_INFO, "shared data window: node leader rank %d, node rank %d of %d, "
                  "own segment %zu bytes, node copy %zu bytes, %d node%s", shm->leader,
                  shm->node_rank, shm->node_size, shm->own_bytes, shm->node_bytes, shm->n_nodes,
                  shm->n_nodes == 1 ? "" : "s");
}

enum gcv_status gcv_shm_load(struct gcv_shm *shm, const struct gcv_dataset_source *source,
                             struct gcv_dataset *data, struct gcv_error *err)
{
    int64_t scan[SCAN_FIELDS] = {0};
    struct gcv_dataset_layout layout;
    void *base = NULL;
    size_t data_bytes;
    int world_rank;
    enum gcv_status status = GCV_OK, local = GCV_OK;

    memset(shm, 0, sizeof *shm);
    memset(&layout, 0, sizeof layout);
    memset(data, 0, sizeof *data);

    /* The ranks of this node, in world order, so its leader is its lowest
     * world rank. */
    GCV_MPI_CHECK(MPI_Comm_rank(MPI_COMM_WORLD, &world_rank));
    GCV_MPI_CHECK(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, world_rank,
                                      MPI_INFO_NULL, &shm->node));
    shm->has_node = true;
    if ((status = split_for_testing(shm, world_rank, err)) != GCV_OK)
        goto cleanup;
    GCV_MPI_CHECK(MPI_Comm_set_errhandler(shm->node, MPI_ERRORS_RETURN));
    GCV_MPI_CHECK(MPI_Comm_rank(shm->node, &shm->node_rank));
    GCV_MPI_CHECK(MPI_Comm_size(shm->node, &shm->node_size));

    /* Scan: the leader checks every shard and sends the sizes to the node. */
    if (shm->node_rank == 0) {
        local = scan_on_leader(source, &layout, scan, err);
        scan[SCAN_LEADER] = world_rank;
    }
    if ((status = node_bcast(scan, SCAN_FIELDS, MPI_INT64_T, shm->node, err)) != GCV_OK)
        goto cleanup;
    shm->leader = (int)scan[SCAN_LEADER];
    if (scan[SCAN_STATUS] != GCV_OK) {
        if (shm->node_rank != 0)
            local = gcv_error_set(err, (enum gcv_status)scan[SCAN_STATUS], "the node leader "
                                  "(rank %d) could not load the data", shm->leader);
        goto compare;
    }
    if (shm->node_rank != 0)
        layout_from_scan(scan, &layout);

    /* Window: the leader's segment is the node's copy, then the board. */
    data_bytes = board_offset((size_t)scan[SCAN_BLOCK_BYTES]);
    shm->board_bytes = (size_t)shm->node_size * GCV_SHM_BOARD_BYTES_PER_RANK;
    status = open_window(shm, data_bytes + shm->board_bytes, &base, err);
    if (status == GCV_OK)
        status = gcv_dataset_attach(data, &layout, base, GCV_DATASET_BORROWED, err);
    if (status == GCV_OK) {
        shm->own_bytes = shm->node_rank == 0 ? (size_t)scan[SCAN_BLOCK_BYTES] : 0;
        shm->node_bytes = (size_t)scan[SCAN_BLOCK_BYTES];
        shm->board = (char *)base + data_bytes;
        if (shm->node_rank == 0)
            memset(shm->board, 0, shm->board_bytes);
    }
    if (status != GCV_OK)
        local = status;

    /* Read: the leader fills the window, then the node learns the outcome
     * and the class list.
     * TODO(read): let every rank of the node read a share of the shards
     * straight into the window, since decompression is CPU-bound: two
     * readers halved the read time of gzip shards in docs/data.md. */
    if (shm->node_rank == 0 && local == GCV_OK)
        local = gcv_dataset_read(source, &layout, data, err);
    local = share_outcome(shm, local, data, err);

compare:
    /* Across nodes: every rank, failed or not. */
    status = compare_nodes(shm, local, data, err);
    if (status == GCV_OK)
        report_window(shm);

cleanup:
    if (status != GCV_OK)
        gcv_dataset_free(data);
    gcv_dataset_layout_free(&layout);
    return status;
}

void gcv_shm_free(struct gcv_shm *shm)
{
    if (shm == NULL)
        return;
    if (shm->has_window) {
        MPI_Win_unlock_all(shm->window);
        MPI_Win_free(&shm->window);
    }
    if (shm->has_node)
        MPI_Comm_free(&shm->node);
    memset(shm, 0, sizeof *shm);
}

/* ----- memory report ------------------------------------------------------ */

/* scikit-learn's default cache_size of its libsvm estimators, in MB. */
#define LIBSVM_DEFAULT_CACHE_MB 200.0

/* Returns the largest cache_size (MB) that the fixed parameters or any
 * candidate sets, the default when none does, or 0 for an estimator
 * without a kernel cache. */
static double kernel_cache_mb(const struct gcv_spec *spec)
{
    static const char *const libsvm_estimators[] = {"SVC", "NuSVC", "SVR", "NuSVR", NULL};
    const struct gcv_param *param = gcv_param_set_find(&spec->params, "cache_size");
    double most = -1.0, value;
    bool libsvm = false;

    for (size_t i = 0; libsvm_estimators[i] != NULL; i++)
        libsvm = libsvm || strcmp(spec->estimator, libsvm_estimators[i]) == 0;
    if (!libsvm)
        return 0.0;
    if (param != NULL && gcv_value_as_number(&param->value, &value))
        most = value;
    for (size_t c = 0; c < spec->grid.n_candidates; c++) {
        param = gcv_param_set_find(&spec->grid.candidates[c], "cache_size");
        if (param != NULL && gcv_value_as_number(&param->value, &value) && value > most)
            most = value;
    }
    if (most < 0.0)
        most = LIBSVM_DEFAULT_CACHE_MB;
    return most;
}

/* Writes bytes in KiB, MiB or GiB into buf. */
static const char *format_bytes(double bytes, char *buf, size_t len)
{
    if (bytes >= 1024.0 * 1024.0 * 1024.0)
        snprintf(buf, len, "%.1f GiB", bytes / (1024.0 * 1024.0 * 1024.0));
    else if (bytes >= 1024.0 * 1024.0)
        snprintf(buf, len, "%.1f MiB", bytes / (1024.0 * 1024.0));
    else
        snprintf(buf, len, "%.1f KiB", bytes / 1024.0);
    return buf;
}

void gcv_shm_print_memory(FILE *stream, const struct gcv_shm *shm, const struct gcv_spec *spec,
                          const struct gcv_dataset *data, const struct gcv_fold_plan *plan,
                          int n_workers)
{
    const double row_bytes = (double)data->n_features * sizeof(double);
    double cache_mb = kernel_cache_mb(spec);
    double train_rows = 0.0, plan_bytes = 0.0, cache_bytes, copies, worker_bytes, node_bytes;
    int ranks_per_node = shm->max_node_size > 0 ? shm->max_node_size : 1;
    int workers_per_node = n_workers < ranks_per_node ? n_workers : ranks_per_node;
    char data_text[32], worker_text[32], train_text[32], cache_text[32], node_text[32];

    for (size_t f = 0; f < plan->n_folds; f++) {
        if ((double)plan->folds[f].n_train > train_rows)
            train_rows = (double)plan->folds[f].n_train;
        plan_bytes += (double)(plan->folds[f].n_train + plan->folds[f].n_test) * sizeof(size_t);
    }

    /* A libsvm estimator keeps two copies of the fold's training rows (its
     * gathered copy and the solver's copy of a class pair). It fills its
     * kernel cache up to cache_size, or up to the whole float kernel matrix
     * when that is smaller. Other estimators are counted with one copy. */
    copies = cache_mb > 0.0 ? 2.0 : 1.0;
    cache_bytes = cache_mb * 1024.0 * 1024.0;
    if (cache_bytes > train_rows * train_rows * sizeof(float))
        cache_bytes = train_rows * train_rows * sizeof(float);
    worker_bytes = copies * train_rows * row_bytes + cache_bytes + plan_bytes;
    node_bytes = (double)shm->node_bytes + (double)workers_per_node * worker_bytes;

    format_bytes((double)shm->node_bytes, data_text, sizeof data_text);
    format_bytes(worker_bytes, worker_text, sizeof worker_text);
    format_bytes(train_rows * row_bytes, train_text, sizeof train_text);
    format_bytes(cache_bytes, cache_text, sizeof cache_text);
    format_bytes(node_bytes, node_text, sizeof node_text);
    fprintf(stream, "memory per node: data %s (one copy shared by the node's ranks) + %d "
            "worker%s x about %s (training rows %.0f x %s, kernel cache up to %s) = about %s\n",
            data_text, workers_per_node, workers_per_node == 1 ? "" : "s", worker_text, copies,
            train_text, cache_text, node_text);
    fflush(stream);
}
