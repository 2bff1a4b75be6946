/* Copies of cached items between the ranks of a node (see fold_share.h):
 * a seqlock-style entry per announced item on the node's board, and reads
 * of another rank's memory with process_vm_readv. */
#define _GNU_SOURCE /* process_vm_readv */
#include "fold_share.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "../common/shm.h"

#ifdef GCV_HAVE_MEMCHECK_H
#include <valgrind/memcheck.h>
#endif

/* The fields of a board entry, each a 64-bit word. */
enum field {
    FIELD_SEQUENCE,     /* 0 never used, odd while written or withdrawn, even when valid */
    FIELD_PID,
    FIELD_KIND,
    FIELD_PARAM,
    FIELD_VALUE,        /* address of the value in the owner's memory */
    FIELD_BYTES,
    FIELD_ROWS_HASH,
    FIELD_ROWS,         /* address of the rows in the owner's memory */
    FIELD_N_ROWS,
    FIELD_N_FEATURES,
    FIELD_OTHER_HASH,
    FIELD_OTHER,        /* address of the other rows, 0 when none */
    FIELD_N_OTHER,
    FIELD_STATE,        /* enum state */
    FIELD_NEXT_BLOCK,   /* low 32 bits of the sequence << 32 | the next block to compute */
    FIELD_DONE_BLOCKS,  /* blocks computed and written into the owner's value */
    N_FIELDS
};

enum state {
    STATE_COMPUTING,    /* ranks take blocks through FIELD_NEXT_BLOCK */
    STATE_COMPLETE,     /* every block is in the owner's value */
    STATE_FAILED,       /* a rank could not write its block: the owner computes them all */
};

/* 128 bytes, two cache lines, so that ranks writing their own entries
 * never write the same line. A rank's entries fill its
 * GCV_SHM_BOARD_BYTES_PER_RANK. */
struct entry {
    _Atomic uint64_t field[N_FIELDS];
};

_Static_assert(sizeof(struct entry) == 128, "a board entry is two cache lines");
_Static_assert(GCV_SHM_BOARD_BYTES_PER_RANK % sizeof(struct entry) == 0,
               "a rank's board bytes hold whole entries");

#define SLOTS_PER_RANK (GCV_SHM_BOARD_BYTES_PER_RANK / sizeof(struct entry))

/* Bytes of another rank's rows read per call when comparing them with
 * this rank's. */
#define COMPARE_CHUNK_BYTES ((size_t)1 << 20)

/* The wait between two looks at a counter that another rank advances. */
#define POLL_NANOSECONDS 20000L

/* gcv_fold_share_fill's value of join when it joined no other rank. */
#define NOT_JOINED SIZE_MAX

/* An entry's fields as one read saw them. */
struct snapshot {
    uint64_t value[N_FIELDS];
};

static struct {
    struct entry *entries;     /* [n_slots], the board, borrowed; NULL when off */
    size_t n_slots;
    size_t own_first;          /* this rank's entries: own_first .. + SLOTS_PER_RANK */
    uint64_t item[SLOTS_PER_RANK];      /* the item announced in each own entry, 0 if none */
    uint64_t published[SLOTS_PER_RANK]; /* publish_count when it was announced */
    uint64_t publish_count;
    bool failed;               /* a cross-memory read or write failed as it will again */
    char *chunk;               /* [COMPARE_CHUNK_BYTES] scratch, owned, or NULL */
} board;

static bool disabled_by_environment(void)
{
    const char *value = getenv(GCV_FOLD_SHARE_ENV);

    return value != NULL && strcmp(value, "0") == 0;
}

static uint64_t load(const struct entry *entry, enum field f)
{
    return atomic_load(&((struct entry *)entry)->field[f]);
}

static void store(struct entry *entry, enum field f, uint64_t value)
{
    atomic_store(&entry->field[f], value);
}

static void pause_briefly(void)
{
    struct timespec wait = {0, POLL_NANOSECONDS};

    nanosleep(&wait, NULL);
}

/* Marks own entry slot as withdrawn. The store is sequentially
 * consistent, so a reader that read the memory the entry pointed to after
 * the owner freed it loads the new sequence number in its check after the
 * read. */
static void withdraw_slot(size_t slot)
{
    struct entry *entry = &board.entries[board.own_first + slot];
    const uint64_t sequence = load(entry, FIELD_SEQUENCE);

    if (sequence != 0 && sequence % 2 == 0)
        store(entry, FIELD_SEQUENCE, sequence + 1);
    board.item[slot] = 0;
}

void gcv_fold_share_detach(void)
{
    if (board.entries != NULL)
        for (size_t slot = 0; slot < SLOTS_PER_RANK; slot++)
            if (board.item[slot] != 0)
                withdraw_slot(slot);
    free(board.chunk);
    memset(&board, 0, sizeof board);
}

void gcv_fold_share_attach(void *entries, size_t board_bytes, int node_rank, int node_size)
{
    const size_t n_slots = board_bytes / sizeof(struct entry);

    gcv_fold_share_detach();
    if (entries == NULL || node_rank < 0 || node_rank >= node_size ||
        (size_t)node_rank >= n_slots / SLOTS_PER_RANK || disabled_by_environment())
        return;
    board.entries = entries;
    board.n_slots = n_slots;
    board.own_first = (size_t)node_rank * SLOTS_PER_RANK;
}

void gcv_fold_share_withdraw(uint64_t item_id)
{
    if (board.entries == NULL || item_id == 0)
        return;
    for (size_t slot = 0; slot < SLOTS_PER_RANK; slot++)
        if (board.item[slot] == item_id)
            withdraw_slot(slot);
}

/* Announces value[bytes] of key as item_id in state, in a free own entry
 * or the oldest one, and returns the entry. */
static struct entry *announce(uint64_t item_id, const struct gcv_fold_share_key *key,
                              const void *value, size_t bytes, enum state state)
{
    struct entry *entry;
    uint64_t sequence;
    size_t slot = 0;

    for (size_t s = 0; s < SLOTS_PER_RANK; s++) {
        if (board.item[s] == 0) {
            slot = s;
            break;
        }
        if (board.published[s] < board.published[slot])
            slot = s;
    }
    if (board.item[slot] != 0)
        withdraw_slot(slot);

    /* Odd while the fields change, even once they are complete. */
    entry = &board.entries[board.own_first + slot];
    sequence = load(entry, FIELD_SEQUENCE);
    if (sequence % 2 == 0)
        sequence++;
    store(entry, FIELD_SEQUENCE, sequence);
    store(entry, FIELD_PID, (uint64_t)getpid());
    store(entry, FIELD_KIND, (uint64_t)key->kind);
    store(entry, FIELD_PARAM, key->param_bits);
    store(entry, FIELD_VALUE, (uint64_t)(uintptr_t)value);
    store(entry, FIELD_BYTES, bytes);
    store(entry, FIELD_ROWS_HASH, key->rows_hash);
    store(entry, FIELD_ROWS, (uint64_t)(uintptr_t)key->rows);
    store(entry, FIELD_N_ROWS, key->n_rows);
    store(entry, FIELD_N_FEATURES, key->n_features);
    store(entry, FIELD_OTHER_HASH, key->other != NULL ? key->other_hash : 0);
    store(entry, FIELD_OTHER, (uint64_t)(uintptr_t)key->other);
    store(entry, FIELD_N_OTHER, key->other != NULL ? key->n_other : 0);
    store(entry, FIELD_STATE, state);
    store(entry, FIELD_NEXT_BLOCK, (sequence + 1) << 32);
    store(entry, FIELD_DONE_BLOCKS, 0);
    store(entry, FIELD_SEQUENCE, sequence + 1);

    board.item[slot] = item_id;
    board.published[slot] = ++board.publish_count;
    return entry;
}

/* Reads an entry's fields into *out; returns false when the entry is not
 * valid or changed during the read. */
static bool read_entry(const struct entry *entry, struct snapshot *out)
{
    const uint64_t sequence = load(entry, FIELD_SEQUENCE);

    if (sequence == 0 || sequence % 2 != 0)
        return false;
    out->value[FIELD_SEQUENCE] = sequence;
    for (int f = FIELD_SEQUENCE + 1; f < N_FIELDS; f++)
        out->value[f] = load(entry, (enum field)f);
    return load(entry, FIELD_SEQUENCE) == sequence;
}

/* Returns true when the snapshot announces an item of key and bytes. */
static bool matches(const struct snapshot *entry, const struct gcv_fold_share_key *key,
                    size_t bytes)
{
    const uint64_t *v = entry->value;

    return v[FIELD_KIND] == (uint64_t)key->kind && v[FIELD_PARAM] == key->param_bits &&
           v[FIELD_BYTES] == bytes && v[FIELD_ROWS_HASH] == key->rows_hash &&
           v[FIELD_N_ROWS] == key->n_rows && v[FIELD_N_FEATURES] == key->n_features &&
           (v[FIELD_OTHER] != 0) == (key->other != NULL) &&
           (key->other == NULL ||
            (v[FIELD_OTHER_HASH] == key->other_hash && v[FIELD_N_OTHER] == key->n_other));
}

/* Copies remote[bytes] of process pid into local (write false) or local
 * into remote (write true). A failure that another try would meet as well
 * (no permission, no such system call) turns the sharing off. */
static bool transfer(pid_t pid, uint64_t remote, void *local, size_t bytes, bool write)
{
    size_t done = 0;

    while (done < bytes) {
        struct iovec here = {(char *)local + done, bytes - done};
        struct iovec there = {(void *)(uintptr_t)(remote + done), bytes - done};
        const ssize_t moved = write ? process_vm_writev(pid, &here, 1, &there, 1, 0)
                                    : process_vm_readv(pid, &here, 1, &there, 1, 0);

        if (moved <= 0) {
            if (moved < 0 && (errno == EPERM || errno == ENOSYS))
                board.failed = true;
            return false;
        }
        done += (size_t)moved;
    }
    return true;
}

/* Returns true when remote[bytes] of process pid has the bytes of local. */
static bool same_remote(pid_t pid, uint64_t remote, const void *local, size_t bytes)
{
    if (board.chunk == NULL && (board.chunk = malloc(COMPARE_CHUNK_BYTES)) == NULL)
        return false;
    for (size_t offset = 0; offset < bytes; offset += COMPARE_CHUNK_BYTES) {
        const size_t length = bytes - offset < COMPARE_CHUNK_BYTES ? bytes - offset
                                                                   : COMPARE_CHUNK_BYTES;
        if (!transfer(pid, remote + offset, board.chunk, length, false) ||
            memcmp(board.chunk, (const char *)local + offset, length) != 0)
            return false;
    }
    return true;
}

static size_t compute_all(void *value, const struct gcv_fold_share_work *work)
{
    for (size_t b = 0; b < work->n_blocks; b++)
        work->compute_block(b, value, work->context);
    return work->n_blocks;
}

/* Takes the next block of the entry announced with sequence, or returns
 * work->n_blocks when none is left or the entry changed. The sequence in
 * the high bits makes a claim on a withdrawn and reused entry fail. */
static size_t claim_block(struct entry *entry, uint64_t sequence, size_t n_blocks)
{
    uint64_t next = load(entry, FIELD_NEXT_BLOCK);

    for (;;) {
        const uint64_t block = next & 0xFFFFFFFFu;

        if (next >> 32 != (sequence & 0xFFFFFFFFu) || block >= n_blocks)
            return n_blocks;
        if (atomic_compare_exchange_weak(&entry->field[FIELD_NEXT_BLOCK], &next, next + 1))
            return (size_t)block;
    }
}

/* Waits until every block of the entry announced with sequence is done.
 * Returns false when the entry changed meanwhile. There is no time limit:
 * a rank that claimed a block computes it without waiting for anything,
 * and a rank that dies ends the whole MPI job. */
static bool wait_for_blocks(const struct entry *entry, uint64_t sequence, size_t n_blocks)
{
    for (;;) {
        const uint64_t done = load(entry, FIELD_DONE_BLOCKS);

        if (load(entry, FIELD_SEQUENCE) != sequence)
            return false;
        if (done >= n_blocks)
            return true;
        pause_briefly();
    }
}

/* Takes part in the computation that the entry found announces, writing
 * the blocks this rank computes into the owner's value, then reads the
 * others. Returns the blocks this rank computed, or NOT_JOINED. */
static size_t help(struct entry *entry, const struct snapshot *found, void *value,
                   const struct gcv_fold_share_work *work)
{
    const pid_t pid = (pid_t)found->value[FIELD_PID];
    const uint64_t sequence = found->value[FIELD_SEQUENCE];
    const uint64_t remote = found->value[FIELD_VALUE];
    const size_t n_blocks = work->n_blocks;
    uint8_t *mine = calloc(n_blocks, 1); /* [n_blocks] 1 for the blocks this rank computed */
    size_t computed = 0, block;

    if (mine == NULL)
        return NOT_JOINED;

    /* Blocks that no rank has started. This rank counts each block it
     * claimed as done, also one it could not write, so that the owner
     * does not wait for it. */
    while ((block = claim_block(entry, sequence, n_blocks)) < n_blocks) {
        const size_t start = work->block_start(block, work->context);
        const size_t length = work->block_start(block + 1, work->context) - start;
        bool written;

        work->compute_block(block, value, work->context);
        mine[block] = 1;
        computed++;
        written = transfer(pid, remote + start, (char *)value + start, length, true);
        if (!written)
            store(entry, FIELD_STATE, STATE_FAILED);
        atomic_fetch_add(&entry->field[FIELD_DONE_BLOCKS], 1);
        if (!written)
            break;
    }

    /* The blocks of the other ranks, read once all are done. A block that
     * cannot be read is computed here. */
    bool complete = !board.failed && wait_for_blocks(entry, sequence, n_blocks) &&
                    load(entry, FIELD_STATE) != STATE_FAILED;
    for (block = 0; block < n_blocks; block++) {
        const size_t start = work->block_start(block, work->context);
        const size_t length = work->block_start(block + 1, work->context) - start;

        if (mine[block])
            continue;
        if (complete)
            complete = transfer(pid, remote + start, (char *)value + start, length, false) &&
                       load(entry, FIELD_SEQUENCE) == sequence;
        if (!complete) {
            work->compute_block(block, value, work->context);
            computed++;
        }
    }
    free(mine);
    return computed;
}

/* Looks for another rank's entry of key. Copies its value when complete,
 * and helps compute it when in progress unless work is NULL. Returns the
 * blocks this rank computed, or NOT_JOINED when no entry served. */
static size_t join(const struct gcv_fold_share_key *key, void *value, size_t bytes,
                   const struct gcv_fold_share_work *work)
{
    const size_t row_bytes = key->n_features * sizeof *key->rows;

    for (size_t s = 0; s < board.n_slots && !board.failed; s++) {
        struct entry *entry = &board.entries[s];
        struct snapshot found;
        pid_t pid;

        if (s - board.own_first < SLOTS_PER_RANK || !read_entry(entry, &found) ||
            !matches(&found, key, bytes) || found.value[FIELD_STATE] == STATE_FAILED)
            continue;
        pid = (pid_t)found.value[FIELD_PID];

        /* The owner's rows, value by value. */
        if (!same_remote(pid, found.value[FIELD_ROWS], key->rows, key->n_rows * row_bytes))
            continue;
        if (key->other != NULL &&
            !same_remote(pid, found.value[FIELD_OTHER], key->other, key->n_other * row_bytes))
            continue;

        if (found.value[FIELD_STATE] == STATE_COMPUTING) {
            if (work == NULL)
                continue;
            return help(entry, &found, value, work);
        }

        /* Complete: the value, then a look at the sequence. Unchanged, the
         * owner did not withdraw the entry, so it freed nothing meanwhile. */
        if (transfer(pid, found.value[FIELD_VALUE], value, bytes, false) &&
            load(entry, FIELD_SEQUENCE) == found.value[FIELD_SEQUENCE])
            return 0;
    }
    return NOT_JOINED;
}

/* Announces the value as in progress, computes the blocks no other rank
 * takes, and waits for the others. */
static size_t compute_announced(uint64_t item_id, const struct gcv_fold_share_key *key,
                                void *value, size_t bytes,
                                const struct gcv_fold_share_work *work)
{
    struct entry *entry;
    uint64_t sequence;
    size_t computed = 0, block;

    /* Other ranks write some blocks with process_vm_writev, which memcheck
     * does not see. Without memcheck.h, zeroing the value first keeps
     * memcheck from reporting those blocks as uninitialised. */
#ifndef GCV_HAVE_MEMCHECK_H
    memset(value, 0, bytes);
#endif
    entry = announce(item_id, key, value, bytes, STATE_COMPUTING);
    sequence = load(entry, FIELD_SEQUENCE);

    while ((block = claim_block(entry, sequence, work->n_blocks)) < work->n_blocks) {
        work->compute_block(block, value, work->context);
        computed++;
        atomic_fetch_add(&entry->field[FIELD_DONE_BLOCKS], 1);
    }
    wait_for_blocks(entry, sequence, work->n_blocks);
#ifdef GCV_HAVE_MEMCHECK_H
    /* Every block is written now, also those of the other ranks. */
    VALGRIND_MAKE_MEM_DEFINED(value, bytes);
#endif
    if (load(entry, FIELD_STATE) == STATE_FAILED) {
        computed = compute_all(value, work);
        gcv_fold_share_withdraw(item_id);
        return computed;
    }
    store(entry, FIELD_STATE, STATE_COMPLETE);
    return computed;
}

size_t gcv_fold_share_fill(uint64_t item_id, const struct gcv_fold_share_key *key, void *value,
                           size_t bytes, const struct gcv_fold_share_work *work)
{
    size_t computed;

    if (board.entries == NULL || board.failed || bytes == 0 || item_id == 0 ||
        work->n_blocks >= 0xFFFFFFFFu)
        return compute_all(value, work);
    if ((computed = join(key, value, bytes, work)) != NOT_JOINED) {
        if (!board.failed)
            announce(item_id, key, value, bytes, STATE_COMPLETE);
        return computed;
    }
    return compute_announced(item_id, key, value, bytes, work);
}

bool gcv_fold_share_copy(const struct gcv_fold_share_key *key, void *value, size_t bytes)
{
    if (board.entries == NULL || board.failed || bytes == 0)
        return false;
    return join(key, value, bytes, NULL) == 0;
}

void gcv_fold_share_publish(uint64_t item_id, const struct gcv_fold_share_key *key,
                            const void *value, size_t bytes)
{
    if (board.entries == NULL || board.failed || bytes == 0 || item_id == 0)
        return;
    announce(item_id, key, value, bytes, STATE_COMPLETE);
}
