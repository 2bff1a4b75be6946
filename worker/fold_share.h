/* A fold's costliest cached items, computed once per node instead of once
 * per rank.
 *
 * Two ranks can fit candidates of the same fold, because the picker lets a
 * worker join a fold another worker prepared (coordinator/picker.h). Both
 * then need the fold's squared distances and the products of its test rows
 * with its training rows, at O(n^2 n_features) each. These values are
 * computed a block of rows at a time. The first rank to need one announces
 * it on the node's board, a small area of the shared data window
 * (common/shm.h), and computes its blocks in turn. Another rank of the
 * node may need the same value while it is computed. That rank takes the
 * blocks not yet started, computes them and writes them into the first
 * rank's copy. Once every block is done, it reads the rest. A rank that
 * needs the value after it is complete only reads it. A value computed in
 * one piece, such as a kernel matrix derived from the distances, is
 * published once complete and copied whole (gcv_fold_share_publish and
 * gcv_fold_share_copy). Reads and writes of another rank's memory go
 * through process_vm_readv and process_vm_writev (Linux cross-memory
 * attach, the single-copy mechanism of Open MPI 4.1's vader transport by
 * default, btl_vader_single_copy_mechanism=cma).
 *
 * A rank joins only a value that is exactly what it would compute: it
 * first compares the announcing rank's rows (and, for products, the
 * other rows) value by value with its own, so a hash collision cannot
 * pass. Every rank of a node runs the same binary with the same OpenBLAS
 * on the same processor and computes a block by the same calls. A block so
 * has the same bits whichever rank computed it, and the results do not
 * depend on which rank computed what.
 *
 * The announcing rank can evict a value while another rank reads it. Each
 * board entry carries a sequence number, odd while the entry is written or
 * after it was withdrawn, and the owner withdraws an entry before it frees
 * the memory the entry points to. A reader checks that the number did not
 * change from before to after its reads, and discards the copy otherwise.
 * A failed read or write (the system forbids cross-memory attach) turns
 * the sharing off for the rest of the run, and the rank computes its own
 * values, as without a board.
 *
 * NOTE: the board gives each rank's process id, so the ranks of a node
 * must see one another in one PID namespace. Where a container gives each
 * rank its own, the id can name another process: the comparison of the
 * rows then fails, or the read does, and the rank computes alone.
 *
 * Setting GRIDCV_FOLD_SHARE=0 turns the sharing off (to measure it, or to
 * compare results). One board per process, not thread-safe. */
#ifndef GCV_FOLD_SHARE_H
#define GCV_FOLD_SHARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GCV_FOLD_SHARE_ENV "GRIDCV_FOLD_SHARE"

/* The inputs of an item: its kind and parameter, and one or two rows items
 * of the fold cache (worker/fold_cache.h). */
struct gcv_fold_share_key {
    int kind;               /* enum gcv_fold_cache_kind */
    uint64_t param_bits;    /* the bits of the item's double parameter */
    const double *rows;     /* [n_rows * n_features], row-major, borrowed */
    uint64_t rows_hash;     /* hash of those values, equal on every rank for equal rows */
    size_t n_rows;
    size_t n_features;
    const double *other;    /* [n_other * n_features] second rows item, or NULL */
    uint64_t other_hash;
    size_t n_other;
};

/* Starts using board[board_bytes] (the node's board, zeroed by the node
 * leader, GCV_SHM_BOARD_BYTES_PER_RANK per rank) as rank node_rank of
 * node_size. A NULL board, or GRIDCV_FOLD_SHARE=0 in the environment,
 * leaves the sharing off. Withdraws the entries of an earlier board. */
void gcv_fold_share_attach(void *board, size_t board_bytes, int node_rank, int node_size);

/* Withdraws this rank's entries and stops using the board. Call before
 * the board's window is freed. */
void gcv_fold_share_detach(void);

/* A value computed block by block: block b fills the bytes
 * [block_start(b), block_start(b + 1)) of the value, with block_start(0)
 * = 0 and block_start(n_blocks) its size. compute_block writes only those
 * bytes and gives the same bits on every rank of the node. */
struct gcv_fold_share_work {
    size_t n_blocks;
    size_t (*block_start)(size_t block, void *context);
    void (*compute_block)(size_t block, void *value, void *context);
    void *context;
};

/* Fills value[bytes], computed from key by work, with the help of the
 * other ranks of the node or from their copy when they have one, and
 * announces it as the fold cache's item item_id. The value and the key's
 * rows must stay allocated and unchanged until
 * gcv_fold_share_withdraw(item_id) or gcv_fold_share_detach. When all of
 * this rank's entries are in use, the oldest one is withdrawn. Returns the
 * number of blocks this rank computed; fewer than work->n_blocks means
 * another rank computed the others. Without a board it computes them all. */
size_t gcv_fold_share_fill(uint64_t item_id, const struct gcv_fold_share_key *key, void *value,
                           size_t bytes, const struct gcv_fold_share_work *work);

/* Copies into value[bytes] the complete value of key that another rank of
 * the node published or filled, and returns true. Returns false when no
 * rank has it complete, without waiting for a value still in progress. */
bool gcv_fold_share_copy(const struct gcv_fold_share_key *key, void *value, size_t bytes);

/* Announces the complete value[bytes] of key as the fold cache's item
 * item_id, so that the other ranks of the node can copy it. The value and
 * the key's rows must stay as gcv_fold_share_fill requires. */
void gcv_fold_share_publish(uint64_t item_id, const struct gcv_fold_share_key *key,
                            const void *value, size_t bytes);

/* Withdraws the entry of item_id, if it has one. */
void gcv_fold_share_withdraw(uint64_t item_id);

#endif
