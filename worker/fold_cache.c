/* The fold cache (see fold_cache.h): items in one array, found by linear
 * scans (a search stores a few dozen items at most), evicted by a use
 * counter. */
#include "fold_cache.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "estimators/kernel.h"
#include "fold_share.h"

/* Rows of dot products computed per dgemm call. A block of
 * SQDIST_BLOCK_ROWS x n doubles is the scratch memory of the distances,
 * whether they are stored or turned into kernel values at once. */
#define SQDIST_BLOCK_ROWS 256

/* The side of the square tiles in which mirror_upper copies a symmetric
 * matrix. A tile of floats and its mirror take 2 x 16 KiB. */
#define MIRROR_TILE 64

/* The kind of a rows item; derived items use enum gcv_fold_cache_kind. */
#define ROWS_KIND 0

struct item {
    uint64_t id;
    int kind;                  /* ROWS_KIND or an enum gcv_fold_cache_kind */
    uint64_t owner;            /* derived: id of its rows item; rows: 0 */
    uint64_t other;            /* derived from two rows items: the second; else 0 */
    uint64_t param_bits;       /* derived: the bits of its double parameter */
    uint64_t hash;             /* rows: hash_rows of the values */
    struct gcv_fold_rows rows; /* rows items only */
    size_t *dataset_index;     /* rows items taken from the declared dataset: a copy of
                                  their index array, owned; else NULL */
    void *value;               /* owned; a rows item's X and norms in one block */
    size_t bytes;
    void (*release)(void *);
    size_t capacity;           /* bytes of value's block when new_block allocated it, so
                                  that reuse_block may give it to another item; else 0 */
    uint64_t last_used;        /* value of the use counter at the last use */
    uint64_t last_read;        /* value of the use counter at the last lookup, whether or
                                  not it counted as a use */
};

static struct {
    size_t budget;
    size_t used;              /* bytes of all items */
    struct item *items;       /* [capacity], the first n_items in use, owned */
    size_t n_items;
    size_t capacity;
    uint64_t use_counter;
    uint64_t retired_before;  /* items last read before this value of the use counter
                                 are retired (gcv_fold_cache_retire) */
    uint64_t next_id;
    const double *dataset;    /* [dataset_values] from gcv_fold_cache_set_dataset, or NULL */
    size_t dataset_values;
    struct gcv_fold_cache_stats stats;
} cache = {.budget = GCV_FOLD_CACHE_DEFAULT_BUDGET, .next_id = 1};

static uint64_t double_bits(double x)
{
    uint64_t bits;

    memcpy(&bits, &x, sizeof bits);
    return bits;
}

static const double *row_of(const double *X, const size_t *index, size_t r, size_t n_features)
{
    return X + (index != NULL ? index[r] : r) * n_features;
}

/* A 64-bit hash of the rows' bit patterns, in order. Equal hashes are
 * confirmed with same_rows, so the hash only needs to spread well. */
static uint64_t hash_rows(const double *X, const size_t *index, size_t n_rows, size_t n_features)
{
    uint64_t hash = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)n_rows * 0xC2B2AE3D27D4EB4FULL) ^
                    (uint64_t)n_features;

    for (size_t r = 0; r < n_rows; r++) {
        const double *row = row_of(X, index, r, n_features);
        for (size_t f = 0; f < n_features; f++) {
            hash ^= double_bits(row[f]) * 0xFF51AFD7ED558CCDULL;
            hash = ((hash << 31) | (hash >> 33)) * 0x9E3779B97F4A7C15ULL;
        }
    }
    return hash ^ (hash >> 29);
}

static bool same_rows(const struct item *item, const double *X, const size_t *index,
                      size_t n_rows, size_t n_features)
{
    const size_t row_bytes = n_features * sizeof *X;

    if (item->rows.n_rows != n_rows || item->rows.n_features != n_features)
        return false;
    for (size_t r = 0; r < n_rows; r++)
        if (memcmp(item->rows.X + r * n_features, row_of(X, index, r, n_features),
                   row_bytes) != 0)
            return false;
    return true;
}

static void touch(struct item *item)
{
    item->last_used = ++cache.use_counter;
    item->last_read = item->last_used;
}

static struct item *find_by_id(uint64_t id)
{
    for (size_t i = 0; i < cache.n_items; i++)
        if (cache.items[i].id == id)
            return &cache.items[i];
    return NULL;
}

/* Frees item i and moves the last item into its slot. */
static void remove_at(size_t i)
{
    struct item *item = &cache.items[i];

    /* Other ranks of the node stop reading an announced value before it
     * is freed. Items never announced have no entry to withdraw. */
    gcv_fold_share_withdraw(item->id);
    if (item->release != NULL)
        item->release(item->value);
    free(item->dataset_index);
    cache.used -= item->bytes;
    cache.items[i] = cache.items[cache.n_items - 1];
    cache.n_items--;
}

/* Removes item i from the cache without freeing its value, and returns
 * the value, now the caller's. */
static void *detach_at(size_t i)
{
    void *value = cache.items[i].value;

    cache.items[i].release = NULL;
    remove_at(i);
    return value;
}

/* Evicts item i, and with a rows item every item derived from it, those
 * first, so that no entry on the node's board points at freed rows. */
static void evict_at(size_t i)
{
    const uint64_t id = cache.items[i].id;

    if (cache.items[i].kind == ROWS_KIND) {
        for (size_t k = 0; k < cache.n_items;) {
            if (cache.items[k].owner == id || cache.items[k].other == id) {
                remove_at(k);
                cache.stats.evictions++;
            } else {
                k++;
            }
        }
        i = (size_t)(find_by_id(id) - cache.items);
    }
    remove_at(i);
    cache.stats.evictions++;
}

static bool grow_items(void)
{
    struct item *grown;
    size_t capacity;

    if (cache.n_items < cache.capacity)
        return true;
    capacity = cache.capacity > 0 ? 2 * cache.capacity : 16;
    grown = realloc(cache.items, capacity * sizeof *grown);
    if (grown == NULL)
        return false;
    cache.items = grown;
    cache.capacity = capacity;
    return true;
}

/* Evicts least recently used items, never the items keep_a and keep_b (0
 * for none), until bytes more fit the budget. Returns false, evicting
 * nothing, when they cannot fit, or when no slot can be added. */
static bool make_room(size_t bytes, uint64_t keep_a, uint64_t keep_b)
{
    size_t kept = 0;

    if (!grow_items())
        return false;
    for (size_t i = 0; i < cache.n_items; i++)
        if (cache.items[i].id == keep_a || cache.items[i].id == keep_b)
            kept += cache.items[i].bytes;
    if (bytes > cache.budget || kept > cache.budget - bytes) {
        cache.stats.too_large++;
        return false;
    }

    while (cache.used > cache.budget - bytes) {
        size_t victim = cache.n_items;
        for (size_t i = 0; i < cache.n_items; i++) {
            const struct item *item = &cache.items[i];
            if (item->id == keep_a || item->id == keep_b)
                continue;
            if (victim == cache.n_items || item->last_used < cache.items[victim].last_used)
                victim = i;
        }
        evict_at(victim);
    }
    return true;
}

/* Appends an item; the slot exists after make_room. */
static struct item *add_item(int kind, void *value, size_t bytes, void (*release)(void *))
{
    struct item *item = &cache.items[cache.n_items++];

    memset(item, 0, sizeof *item);
    item->id = cache.next_id++;
    item->kind = kind;
    item->value = value;
    item->bytes = bytes;
    item->release = release;
    touch(item);
    cache.used += bytes;
    if (cache.used > cache.stats.peak_bytes)
        cache.stats.peak_bytes = cache.used;
    cache.stats.stores++;
    return item;
}

void gcv_fold_cache_retire(void)
{
    cache.retired_before = ++cache.use_counter;
}

void gcv_fold_cache_clear(void)
{
    /* Derived items first, as evict_at removes them. */
    for (size_t i = cache.n_items; i-- > 0;)
        if (cache.items[i].kind != ROWS_KIND)
            remove_at(i);
    while (cache.n_items > 0)
        remove_at(cache.n_items - 1);
    free(cache.items);
    cache.items = NULL;
    cache.capacity = 0;
    cache.used = 0;
    cache.dataset = NULL;
    cache.dataset_values = 0;
}

void gcv_fold_cache_set_dataset(const double *X, size_t n_values)
{
    cache.dataset = X;
    cache.dataset_values = X != NULL ? n_values : 0;
}

void gcv_fold_cache_configure(size_t budget_bytes)
{
    gcv_fold_cache_clear();
    cache.budget = budget_bytes;
    memset(&cache.stats, 0, sizeof cache.stats);
    cache.stats.budget = budget_bytes;
}

void gcv_fold_cache_count_reused_trees(size_t n_trees)
{
    cache.stats.trees_reused += n_trees;
}

void gcv_fold_cache_get_stats(struct gcv_fold_cache_stats *stats)
{
    *stats = cache.stats;
}

/* Finds the rows item of the dataset rows index[n_rows], a key item too
 * unless with_copy, marks it as just used and fills *out. */
static bool find_dataset_rows(const size_t *index, size_t n_rows, size_t n_features,
                              bool with_copy, struct gcv_fold_rows *out)
{
    for (size_t i = 0; i < cache.n_items; i++) {
        struct item *item = &cache.items[i];

        if (item->dataset_index != NULL && (item->rows.X != NULL || !with_copy) &&
            item->rows.n_rows == n_rows && item->rows.n_features == n_features &&
            memcmp(item->dataset_index, index, n_rows * sizeof *index) == 0) {
            touch(item);
            cache.stats.hits++;
            *out = item->rows;
            return true;
        }
    }
    return false;
}

/* gcv_fold_cache_rows, never evicting the item keep (0 for none). */
static bool find_or_copy_rows(const double *X, const size_t *index, size_t n_rows,
                              size_t n_features, uint64_t keep, struct gcv_fold_rows *out)
{
    const size_t n_values = n_rows * n_features + n_rows;
    const bool from_dataset = X == cache.dataset && index != NULL;
    uint64_t hash;
    double *block;           /* [n_rows * n_features] rows, then [n_rows] norms */
    size_t *index_copy = NULL; /* [n_rows] when from_dataset */
    size_t bytes;
    struct item *item;

    memset(out, 0, sizeof *out);
    if (cache.budget == 0 || n_rows == 0 || n_features == 0)
        return false;

    /* The same rows of the unchanging dataset have the same index array.
     * Key items (gcv_fold_cache_rows_key) contain no copy, so they do not
     * count here. */
    if (from_dataset && find_dataset_rows(index, n_rows, n_features, true, out))
        return true;

    hash = hash_rows(X, index, n_rows, n_features);
    for (size_t i = 0; i < cache.n_items; i++) {
        item = &cache.items[i];
        if (item->kind == ROWS_KIND && item->rows.X != NULL && item->hash == hash &&
            same_rows(item, X, index, n_rows, n_features)) {
            touch(item);
            cache.stats.hits++;
            *out = item->rows;
            return true;
        }
    }

    if (n_values / n_rows != n_features + 1 || n_values > SIZE_MAX / sizeof *block - n_rows)
        return false;
    bytes = n_values * sizeof *block + (from_dataset ? n_rows * sizeof *index_copy : 0);
    if (!make_room(bytes, keep, 0))
        return false;
    block = malloc(n_values * sizeof *block);
    if (from_dataset)
        index_copy = malloc(n_rows * sizeof *index_copy);
    if (block == NULL || (from_dataset && index_copy == NULL)) {
        free(block);
        free(index_copy);
        return false;
    }
    if (from_dataset)
        memcpy(index_copy, index, n_rows * sizeof *index_copy);
    for (size_t r = 0; r < n_rows; r++)
        memcpy(block + r * n_features, row_of(X, index, r, n_features),
               n_features * sizeof *block);
    gcv_kernel_row_norms(block, n_rows, n_features, block + n_rows * n_features);

    item = add_item(ROWS_KIND, block, bytes, free);
    item->hash = hash;
    item->dataset_index = index_copy;
    item->rows = (struct gcv_fold_rows){
        .id = item->id,
        .X = block,
        .norms = block + n_rows * n_features,
        .n_rows = n_rows,
        .n_features = n_features,
    };
    *out = item->rows;
    return true;
}

bool gcv_fold_cache_rows(const double *X, const size_t *index, size_t n_rows,
                         size_t n_features, struct gcv_fold_rows *out)
{
    return find_or_copy_rows(X, index, n_rows, n_features, 0, out);
}

bool gcv_fold_cache_rows_key(const double *X, const size_t *index, size_t n_rows,
                             size_t n_features, struct gcv_fold_rows *out)
{
    size_t *index_copy;   /* [n_rows] */
    struct item *item;

    if (X != cache.dataset || index == NULL)
        return gcv_fold_cache_rows(X, index, n_rows, n_features, out);
    memset(out, 0, sizeof *out);
    if (cache.budget == 0 || n_rows == 0 || n_features == 0)
        return false;
    if (find_dataset_rows(index, n_rows, n_features, false, out))
        return true;
    if (!make_room(n_rows * sizeof *index_copy, 0, 0) ||
        (index_copy = malloc(n_rows * sizeof *index_copy)) == NULL)
        return false;
    memcpy(index_copy, index, n_rows * sizeof *index_copy);
    item = add_item(ROWS_KIND, NULL, n_rows * sizeof *index_copy, NULL);
    item->dataset_index = index_copy;
    item->rows = (struct gcv_fold_rows){
        .id = item->id,
        .n_rows = n_rows,
        .n_features = n_features,
    };
    *out = item->rows;
    return true;
}

bool gcv_fold_cache_rows_by_id(uint64_t id, struct gcv_fold_rows *out)
{
    struct item *item = id != 0 ? find_by_id(id) : NULL;

    memset(out, 0, sizeof *out);
    if (item == NULL || item->kind != ROWS_KIND)
        return false;
    touch(item);
    *out = item->rows;
    return true;
}

/* Returns the derived item (kind, param) of the rows item rows_id and of
 * other_id, or NULL, without marking it as used. */
static struct item *match_derived(uint64_t rows_id, enum gcv_fold_cache_kind kind,
                                  uint64_t other_id, double param)
{
    const uint64_t bits = double_bits(param);

    for (size_t i = 0; i < cache.n_items; i++) {
        struct item *item = &cache.items[i];

        if (item->kind == (int)kind && item->owner == rows_id && item->other == other_id &&
            item->param_bits == bits)
            return item;
    }
    return NULL;
}

/* Finds a derived item as gcv_fold_cache_find, marking it as just used
 * only when refresh is true. */
static void *find_derived(const struct gcv_fold_rows *rows, enum gcv_fold_cache_kind kind,
                          uint64_t other_id, double param, bool refresh)
{
    struct item *item = match_derived(rows->id, kind, other_id, param);
    struct item *owner, *other;

    if (item == NULL)
        return NULL;
    item->last_read = ++cache.use_counter;
    if (refresh)
        touch(item);
    /* The rows items count as used too, so that they outlive their
     * derived items in the eviction order. */
    if ((owner = find_by_id(rows->id)) != NULL)
        touch(owner);
    if (other_id != 0 && (other = find_by_id(other_id)) != NULL)
        touch(other);
    cache.stats.hits++;
    return item->value;
}

void *gcv_fold_cache_find(const struct gcv_fold_rows *rows, enum gcv_fold_cache_kind kind,
                          uint64_t other_id, double param)
{
    return find_derived(rows, kind, other_id, param, true);
}

void *gcv_fold_cache_take(const struct gcv_fold_rows *rows, enum gcv_fold_cache_kind kind,
                          uint64_t other_id, double param)
{
    void *value = find_derived(rows, kind, other_id, param, false);

    if (value == NULL)
        return NULL;
    for (size_t i = 0; i < cache.n_items; i++) {
        if (cache.items[i].kind == (int)kind && cache.items[i].value == value) {
            detach_at(i);
            break;
        }
    }
    return value;
}

bool gcv_fold_cache_reserve(const struct gcv_fold_rows *rows, uint64_t other_id, size_t bytes)
{
    if (cache.budget == 0 || rows->id == 0)
        return false;
    return make_room(bytes, rows->id, other_id);
}

/* gcv_fold_cache_store, returning the new item. */
static struct item *store_derived(const struct gcv_fold_rows *rows, enum gcv_fold_cache_kind kind,
                                  uint64_t other_id, double param, void *value, size_t bytes,
                                  void (*release)(void *))
{
    struct item *item = add_item((int)kind, value, bytes, release);

    item->owner = rows->id;
    item->other = other_id;
    item->param_bits = double_bits(param);
    return item;
}

void gcv_fold_cache_store(const struct gcv_fold_rows *rows, enum gcv_fold_cache_kind kind,
                          uint64_t other_id, double param, void *value, size_t bytes,
                          void (*release)(void *))
{
    store_derived(rows, kind, other_id, param, value, bytes, release);
}

/* ----- memory of the large items ---------------------------------------- */

/* Allocates a block for a value of bytes, with a 64th more as headroom,
 * and sets *capacity to its size. The training sets of one split differ
 * by a row or so, so the headroom lets one fold's matrix take the block of
 * another fold's (reuse_block). Nothing writes the headroom, so it costs
 * address space only. */
static void *new_block(size_t bytes, size_t *capacity)
{
    void *block;

    *capacity = bytes <= SIZE_MAX - bytes / 64 ? bytes + bytes / 64 : bytes;
    if ((block = malloc(*capacity)) == NULL)
        *capacity = 0;
    return block;
}

/* Takes out of the cache the least recently used retired item
 * (gcv_fold_cache_retire) whose block from new_block is at least bytes and
 * at most an eighth larger, and returns the block with its size in
 * *capacity. Items of the rows items rows_id and other_id (0 for none) do
 * not qualify. Returns NULL when no item does.
 * NOTE: a caller whose reservation then fails frees the block, so the
 * retired item is lost without use. That costs speed, not results. */
static void *reuse_block(size_t bytes, uint64_t rows_id, uint64_t other_id, size_t *capacity)
{
    size_t victim = cache.n_items;
    void *block;

    for (size_t i = 0; i < cache.n_items; i++) {
        const struct item *item = &cache.items[i];

        if (item->kind == ROWS_KIND || item->last_read >= cache.retired_before ||
            item->capacity < bytes || item->capacity - bytes > item->capacity / 8)
            continue;
        if (item->owner == rows_id || item->other == rows_id ||
            (other_id != 0 && (item->owner == other_id || item->other == other_id)))
            continue;
        if (victim == cache.n_items || item->last_used < cache.items[victim].last_used)
            victim = i;
    }
    if (victim == cache.n_items)
        return NULL;
    *capacity = cache.items[victim].capacity;
    block = detach_at(victim);
    cache.stats.blocks_reused++;
    return block;
}

/* Stores value[bytes], a block of capacity bytes from new_block or
 * reuse_block, as the derived item (kind, param) of rows and other_id, so
 * that reuse_block may later give the block to another item. */
static struct item *store_block(const struct gcv_fold_rows *rows, enum gcv_fold_cache_kind kind,
                                uint64_t other_id, double param, void *value, size_t bytes,
                                size_t capacity)
{
    struct item *item = store_derived(rows, kind, other_id, param, value, bytes, free);

    item->capacity = capacity;
    return item;
}

/* ----- copies between the ranks of a node -------------------------------- */

/* Fills *key for the derived item (kind, param) of the rows items rows_id
 * and other_id (0 for none), both cached with their values. */
static void share_key(uint64_t rows_id, enum gcv_fold_cache_kind kind, uint64_t other_id,
                      double param, struct gcv_fold_share_key *key)
{
    const struct item *rows = find_by_id(rows_id);
    const struct item *other = other_id != 0 ? find_by_id(other_id) : NULL;

    memset(key, 0, sizeof *key);
    key->kind = (int)kind;
    key->param_bits = double_bits(param);
    key->rows = rows->rows.X;
    key->rows_hash = rows->hash;
    key->n_rows = rows->rows.n_rows;
    key->n_features = rows->rows.n_features;
    if (other != NULL) {
        key->other = other->rows.X;
        key->other_hash = other->hash;
        key->n_other = other->rows.n_rows;
    }
}

/* Stores value[bytes], a block of capacity bytes from new_block, as the
 * derived item (kind, param) of rows and other_id, and fills it by work's
 * blocks with the other ranks of the node that need it too
 * (worker/fold_share.h). */
static void store_and_fill(const struct gcv_fold_rows *rows, enum gcv_fold_cache_kind kind,
                           uint64_t other_id, double param, void *value, size_t bytes,
                           size_t capacity, const struct gcv_fold_share_work *work)
{
    const uint64_t id = store_block(rows, kind, other_id, param, value, bytes, capacity)->id;
    struct gcv_fold_share_key key;

    share_key(rows->id, kind, other_id, param, &key);
    if (gcv_fold_share_fill(id, &key, value, bytes, work) < work->n_blocks)
        cache.stats.node_shared++;
}

/* ----- RBF kernel -------------------------------------------------------- */

/* Writes the dot products of rows [first, first + count) with rows
 * [first, n) into G[r * n + k] (r < count, k >= first), row-major with
 * leading dimension n. Both the stored distances and the direct kernel go
 * through this one call pattern, so their dot products are the same. */
static void dot_block(const struct gcv_fold_rows *rows, size_t first, size_t count, double *G)
{
    const size_t n = rows->n_rows;
    const size_t d = rows->n_features;
    const double *A = rows->X + first * d;

    /* G = A B^T: A is rows [first, first + count) and B rows [first, n),
     * both row-major with leading dimension d; ldc = n. */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)count, (int)(n - first), (int)d,
                1.0, A, (int)d, A, (int)d, 0.0, G + first, (int)n);
}

/* Copies the upper triangle of the row-major matrix A[n * n] onto its
 * lower triangle, one square tile at a time. An element-by-element copy
 * reads the upper triangle down a column, so each element costs a cache
 * miss. In a profile of a 6667-row fold, that copy took most of the kernel
 * preparation. */
static void mirror_upper(float *A, size_t n)
{
    for (size_t i0 = 0; i0 < n; i0 += MIRROR_TILE) {
        const size_t i1 = n - i0 < MIRROR_TILE ? n : i0 + MIRROR_TILE;

        for (size_t k0 = 0; k0 <= i0; k0 += MIRROR_TILE) {
            for (size_t i = i0; i < i1; i++) {
                const size_t k1 = k0 + MIRROR_TILE < i ? k0 + MIRROR_TILE : i;

                for (size_t k = k0; k < k1; k++)
                    A[i * n + k] = A[k * n + i];
            }
        }
    }
}

/* The squared distance of rows i < k from their dot product, as
 * gcv_kernel_column's RBF kernel forms it. */
static double sqdist_from_dot(const double *norms, size_t i, size_t k, double dot)
{
    return norms[i] + norms[k] - 2 * dot;
}

/* The offset of row i of an n x n upper triangle packed row by row
 * (GCV_FOLD_CACHE_SQDIST). The rows before it contain n, n - 1, ... values. */
static size_t packed_row(size_t n, size_t i)
{
    return i * n - i * (i - 1) / 2;
}

/* The values of an n x n upper triangle packed row by row. */
static size_t packed_size(size_t n)
{
    return n * (n + 1) / 2;
}

/* The blocks of the stored distances and products: SQDIST_BLOCK_ROWS rows
 * each, whose values are contiguous in both layouts. */
struct block_work {
    const struct gcv_fold_rows *rows;
    const struct gcv_fold_rows *train; /* products: the training rows */
    double *scratch;                   /* distances: [SQDIST_BLOCK_ROWS * n] */
};

static size_t n_row_blocks(size_t n_rows)
{
    return (n_rows + SQDIST_BLOCK_ROWS - 1) / SQDIST_BLOCK_ROWS;
}

static size_t first_row_of_block(size_t block, size_t n_rows)
{
    return block < n_row_blocks(n_rows) ? block * SQDIST_BLOCK_ROWS : n_rows;
}

static size_t sqdist_block_start(size_t block, void *context)
{
    const struct block_work *work = context;
    const size_t n = work->rows->n_rows;

    return packed_row(n, first_row_of_block(block, n)) * sizeof(double);
}

/* Fills the rows of block of D[packed_size(n)] with the squared distances
 * of the rows, the dot products from one dot_block call. */
static void sqdist_block(size_t block, void *value, void *context)
{
    const struct block_work *work = context;
    const struct gcv_fold_rows *rows = work->rows;
    const size_t n = rows->n_rows;
    const size_t first = first_row_of_block(block, n);
    const size_t count = first_row_of_block(block + 1, n) - first;
    double *D = value;

    dot_block(rows, first, count, work->scratch);
    for (size_t i = first; i < first + count; i++) {
        double *row = D + packed_row(n, i) - i; /* row[k], k >= i */
        const double *dots = work->scratch + (i - first) * n;

        row[i] = 0;
        for (size_t k = i + 1; k < n; k++)
            row[k] = sqdist_from_dot(rows->norms, i, k, dots[k]);
    }
}

/* Fills K[n * n] with (float)exp(-gamma D_ik), from the stored distances
 * D (packed, GCV_FOLD_CACHE_SQDIST) when not NULL, else a block of rows at
 * a time through scratch [SQDIST_BLOCK_ROWS * n]. */
static void rbf_rows(const struct gcv_fold_rows *rows, const double *D, double gamma,
                     double *scratch, float *K)
{
    const size_t n = rows->n_rows;

    for (size_t first = 0; first < n; first += SQDIST_BLOCK_ROWS) {
        const size_t count = n - first < SQDIST_BLOCK_ROWS ? n - first : SQDIST_BLOCK_ROWS;

        if (D == NULL)
            dot_block(rows, first, count, scratch);
        for (size_t i = first; i < first + count; i++) {
            K[i * n + i] = (float)exp(-gamma * 0.0);
            if (D != NULL) {
                const double *row = D + packed_row(n, i) - i; /* row[k], k >= i */
                for (size_t k = i + 1; k < n; k++)
                    K[i * n + k] = (float)exp(-gamma * row[k]);
            } else {
                const double *dots = scratch + (i - first) * n;
                for (size_t k = i + 1; k < n; k++)
                    K[i * n + k] =
                        (float)exp(-gamma * sqdist_from_dot(rows->norms, i, k, dots[k]));
            }
        }
    }

    mirror_upper(K, n);
}

/* Finds the stored distances of rows, or computes and stores them when
 * extra_bytes fit beside them, or returns NULL. A use does not count as
 * recent, because the distances only speed up the kernel matrix of each
 * new gamma. So when another item needs room, they go before any kernel
 * matrix. */
static const double *find_or_store_sqdist(const struct gcv_fold_rows *rows, size_t extra_bytes)
{
    const size_t n = rows->n_rows;
    double *D = find_derived(rows, GCV_FOLD_CACHE_SQDIST, 0, 0.0, false);
    double *scratch; /* [SQDIST_BLOCK_ROWS * n] */
    size_t bytes, capacity = 0;

    if (D != NULL)
        return D;
    if (n >= SIZE_MAX / sizeof *D / n)
        return NULL;
    bytes = packed_size(n) * sizeof *D;
    if (bytes > SIZE_MAX - extra_bytes)
        return NULL;
    D = reuse_block(bytes, rows->id, 0, &capacity);
    if (!gcv_fold_cache_reserve(rows, 0, bytes + extra_bytes)) {
        free(D);
        return NULL;
    }
    if (D == NULL)
        D = new_block(bytes, &capacity);
    scratch = malloc(SQDIST_BLOCK_ROWS * n * sizeof *scratch);
    if (D == NULL || scratch == NULL) {
        free(D);
        free(scratch);
        return NULL;
    }
    store_and_fill(rows, GCV_FOLD_CACHE_SQDIST, 0, 0.0, D, bytes, capacity,
                   &(struct gcv_fold_share_work){
                       .n_blocks = n_row_blocks(n),
                       .block_start = sqdist_block_start,
                       .compute_block = sqdist_block,
                       .context = &(struct block_work){.rows = rows, .scratch = scratch},
                   });
    free(scratch);
    return D;
}

/* Makes room for a kernel matrix of bytes beside rows, keeping the stored
 * distances of rows as well when the three fit the budget together (see
 * gcv_fold_cache_rbf in fold_cache.h), else as gcv_fold_cache_reserve. */
static bool reserve_kernel(const struct gcv_fold_rows *rows, size_t bytes)
{
    const struct item *owner = find_by_id(rows->id);
    const struct item *distances = match_derived(rows->id, GCV_FOLD_CACHE_SQDIST, 0, 0.0);

    if (owner != NULL && distances != NULL && bytes <= cache.budget &&
        owner->bytes + distances->bytes <= cache.budget - bytes)
        return make_room(bytes, rows->id, distances->id);
    return gcv_fold_cache_reserve(rows, 0, bytes);
}

/* Takes a kernel matrix of bytes of the rows item rows_id out of the
 * cache and returns its block with the block's size in *capacity, or
 * returns NULL when there is none. */
static float *detach_other_kernel(uint64_t rows_id, size_t bytes, size_t *capacity)
{
    for (size_t i = 0; i < cache.n_items; i++) {
        const struct item *item = &cache.items[i];

        if (item->kind == GCV_FOLD_CACHE_RBF_KERNEL && item->owner == rows_id &&
            item->bytes == bytes) {
            *capacity = item->capacity;
            cache.stats.kernels_replaced++;
            return detach_at(i);
        }
    }
    return NULL;
}

bool gcv_fold_cache_rbf(const double *X, const size_t *index, size_t n_rows, size_t n_features,
                        double gamma, struct gcv_fold_rbf *out)
{
    struct gcv_fold_rows rows;
    const double *D;
    double *scratch = NULL; /* [SQDIST_BLOCK_ROWS * n], without stored distances */
    float *K;
    size_t kernel_bytes, capacity = 0;
    struct gcv_fold_share_key key;
    uint64_t id;

    memset(out, 0, sizeof *out);
    if (!gcv_fold_cache_rows(X, index, n_rows, n_features, &rows))
        return false;
    out->rows_id = rows.id;
    out->norms = rows.norms;
    out->n_rows = n_rows;
    out->gamma = gamma;
    if (n_rows > SIZE_MAX / sizeof *K / n_rows)
        return false;
    kernel_bytes = n_rows * n_rows * sizeof *K;

    if ((K = gcv_fold_cache_find(&rows, GCV_FOLD_CACHE_RBF_KERNEL, 0, gamma)) != NULL) {
        out->kernel = K;
        return true;
    }

    /* The block of another gamma's matrix of the same rows (see
     * gcv_fold_cache_rbf in fold_cache.h), else of a retired item. */
    K = detach_other_kernel(rows.id, kernel_bytes, &capacity);
    if (K == NULL)
        K = reuse_block(kernel_bytes, rows.id, 0, &capacity);

    /* The distances first, when they fit beside the kernel matrix, so the
     * next gamma costs only the exponentials. */
    find_or_store_sqdist(&rows, kernel_bytes);
    if (!reserve_kernel(&rows, kernel_bytes)) {
        free(K);
        return false;
    }

    /* Reserving may have evicted the distances: look them up again. */
    D = find_derived(&rows, GCV_FOLD_CACHE_SQDIST, 0, 0.0, false);
    if (K == NULL)
        K = new_block(kernel_bytes, &capacity);
    if (D == NULL)
        scratch = malloc(SQDIST_BLOCK_ROWS * n_rows * sizeof *scratch);
    if (K == NULL || (D == NULL && scratch == NULL)) {
        free(K);
        free(scratch);
        return false;
    }
    /* Copied from another rank of the node that has the matrix complete,
     * else computed here, then published for the other ranks. Two workers
     * that split one gamma's fits reach its matrix one after the other, so
     * a copy does not wait for a matrix still in progress. */
    share_key(rows.id, GCV_FOLD_CACHE_RBF_KERNEL, 0, gamma, &key);
    if (gcv_fold_share_copy(&key, K, kernel_bytes))
        cache.stats.kernels_copied++;
    else
        rbf_rows(&rows, D, gamma, scratch, K);
    id = store_block(&rows, GCV_FOLD_CACHE_RBF_KERNEL, 0, gamma, K, kernel_bytes, capacity)->id;
    gcv_fold_share_publish(id, &key, K, kernel_bytes);
    free(scratch);
    out->kernel = K;
    return true;
}

/* ----- products with the training rows ----------------------------------- */

static size_t cross_block_start(size_t block, void *context)
{
    const struct block_work *work = context;

    return first_row_of_block(block, work->rows->n_rows) * work->train->n_rows * sizeof(double);
}

/* Fills the rows of block of dots[n_rows * n_train], row-major, with the
 * dot products of those rows and every training row, in one call: A is
 * the block, B the training rows, both row-major with leading dimension
 * n_features; ldc = n_train. */
static void cross_block(size_t block, void *value, void *context)
{
    const struct block_work *work = context;
    const size_t first = first_row_of_block(block, work->rows->n_rows);
    const size_t count = first_row_of_block(block + 1, work->rows->n_rows) - first;
    const size_t n_train = work->train->n_rows;
    const size_t d = work->rows->n_features;
    double *dots = value;

    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)count, (int)n_train, (int)d, 1.0,
                work->rows->X + first * d, (int)d, work->train->X, (int)d, 0.0,
                dots + first * n_train, (int)n_train);
}

bool gcv_fold_cache_cross(const double *X, const size_t *index, size_t n_rows,
                          size_t n_features, uint64_t train_id, struct gcv_fold_cross *out)
{
    struct gcv_fold_rows rows, train;
    double *dots; /* [n_rows * train.n_rows] */
    size_t bytes, capacity = 0;

    /* Copying the test rows in never evicts the training rows that the
     * products need. */
    memset(out, 0, sizeof *out);
    if (find_by_id(train_id) == NULL ||
        !find_or_copy_rows(X, index, n_rows, n_features, train_id, &rows) ||
        !gcv_fold_cache_rows_by_id(train_id, &train) || train.n_features != n_features)
        return false;
    out->norms = rows.norms;
    out->n_rows = n_rows;
    out->n_train = train.n_rows;

    if ((out->dots = gcv_fold_cache_find(&rows, GCV_FOLD_CACHE_CROSS_DOT, train_id, 0.0)) != NULL)
        return true;
    if (train.n_rows > SIZE_MAX / sizeof *dots / n_rows)
        return false;
    bytes = n_rows * train.n_rows * sizeof *dots;
    dots = reuse_block(bytes, rows.id, train_id, &capacity);
    if (!gcv_fold_cache_reserve(&rows, train_id, bytes)) {
        free(dots);
        return false;
    }
    if (dots == NULL && (dots = new_block(bytes, &capacity)) == NULL)
        return false;

    store_and_fill(&rows, GCV_FOLD_CACHE_CROSS_DOT, train_id, 0.0, dots, bytes, capacity,
                   &(struct gcv_fold_share_work){
                       .n_blocks = n_row_blocks(n_rows),
                       .block_start = cross_block_start,
                       .compute_block = cross_block,
                       .context = &(struct block_work){.rows = &rows, .train = &train},
                   });
    out->dots = dots;
    return true;
}
