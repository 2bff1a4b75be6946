/* The journal of a search: an append-only file in the output folder that
 * records every finished (candidate, fold) task as its result reaches rank
 * 0. After the job was stopped or killed, `gridcv run --resume` reads it
 * and runs only the tasks it lacks.
 *
 * Layout (every integer little-endian, every double as its IEEE 754
 * binary64 bits, little-endian):
 *
 *   header, 60 bytes:
 *     0  char[8]  magic "GCVJRNL\n"
 *     8  u32      format version, 2
 *    12  u32      header size, 60
 *    16  u64      spec hash: FNV-1a 64 of the spec text
 *    24  u64      data hash: gcv_journal_hash_dataset
 *    32  u64      candidates
 *    40  u64      folds
 *    48  u32      scorers
 *    52  u32      flags: bit 0 set when train scores are recorded
 *    56  u32      CRC-32 of bytes 0..55
 *
 *   then one record per finished task:
 *     u32 payload length L, L payload bytes, u32 CRC-32 of the length
 *     field and the payload. The payload is
 *       i32 candidate, i32 fold, u32 outcome (0 fitted, 1 fit failed),
 *       i32 rank that ran the task, f64 fit_time, f64 score_time,
 *       u32 scorers S, f64 test_scores[S], f64 train_scores[S],
 *       u16 message length M, M bytes of the failure message (no NUL).
 *
 * A record is written with one pwrite(2), so a killed process leaves at
 * most its last record torn; the reader keeps the records before the
 * first short or failing record and reports the rest as dropped. */
#ifndef GCV_JOURNAL_H
#define GCV_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/dataset.h"
#include "../common/proto.h"
#include "../common/status.h"

/* The file name of the journal inside the output folder. */
#define GCV_JOURNAL_FILE "journal.bin"

/* The maximum age in seconds of the last fdatasync when a record is
 * appended: an older one makes the append call fdatasync. */
#define GCV_JOURNAL_SYNC_INTERVAL 0.5

/* The FNV-1a 64-bit offset basis, the starting value of a hash. */
#define GCV_JOURNAL_FNV_BASIS UINT64_C(0xcbf29ce484222325)

/* The identity of the search a journal belongs to. A search resumes a
 * journal only when its own header is equal in every field. */
struct gcv_journal_header {
    uint64_t spec_hash;     /* gcv_journal_hash_text of the spec text */
    uint64_t data_hash;     /* gcv_journal_hash_dataset of the loaded data */
    uint64_t n_candidates;
    uint64_t n_folds;
    uint32_t n_scorers;     /* <= GCV_MAX_SCORERS */
    bool has_train;         /* records carry train scores */
};

/* An open journal, written by rank 0 only. */
struct gcv_journal {
    int fd;                 /* -1 when closed */
    char path[4200];
    struct gcv_journal_header header;
    uint64_t size;          /* bytes of the header and the intact records,
                               where the next record goes */
    double sync_interval;   /* seconds; GCV_JOURNAL_SYNC_INTERVAL unless changed */
    double last_sync;       /* CLOCK_MONOTONIC seconds of the last fdatasync */
    bool unsynced;          /* records written since the last fdatasync */
};

/* The contents of a journal file, as gcv_journal_read returns them. */
struct gcv_journal_contents {
    struct gcv_journal_header header;
    struct gcv_task_result *records; /* [n_records] in file order, owned;
                                        status GCV_OK or GCV_ERR_FIT */
    size_t n_records;
    uint64_t valid_bytes;   /* the header and every intact record */
    uint64_t dropped_bytes; /* bytes after the last intact record */
    bool damaged;           /* the dropped bytes hold a record that fails its
                               checksum or length check, not just a short one */
};

/* Creates path (replacing any file there), writes the header, and syncs
 * the file and its folder so that the journal exists after a crash. On
 * success the journal is owned by the caller (gcv_journal_close). Errors
 * are GCV_ERR_IO with the path and the system's reason. */
enum gcv_status gcv_journal_create(struct gcv_journal *journal, const char *path,
                                   const struct gcv_journal_header *header,
                                   struct gcv_error *err);

/* Reads the journal at path into contents, which the caller owns on success
 * (gcv_journal_contents_free). A torn or damaged tail is not an error: the
 * records before it are returned and the tail is counted in dropped_bytes.
 * Errors: GCV_ERR_IO when the file cannot be read, GCV_ERR_DATA when the
 * header is not a journal header of this version, fails its checksum, or a
 * record that passes its checksum names a task outside the header's grid. */
enum gcv_status gcv_journal_read(const char *path, struct gcv_journal_contents *contents,
                                 struct gcv_error *err);

/* Opens the journal at path for appending after the intact records that
 * contents describes: a dropped tail is cut off first, so new records never
 * follow a broken one. On success the journal is owned by the caller. */
enum gcv_status gcv_journal_reopen(struct gcv_journal *journal, const char *path,
                                   const struct gcv_journal_contents *contents,
                                   struct gcv_error *err);

/* Compares the header of a journal found at path with the one this search
 * would write, and names the first difference: GCV_ERR_SPEC when the spec
 * text changed, GCV_ERR_DATA when the data or the fold count changed.
 * Returns GCV_OK when they are equal. */
enum gcv_status gcv_journal_check_header(const struct gcv_journal_header *found,
                                         const struct gcv_journal_header *expected,
                                         const char *path, struct gcv_error *err);

/* Appends one finished task with one pwrite(2), continued after a partial
 * write, then calls fdatasync when the last one is sync_interval or more
 * seconds old. Only GCV_OK and GCV_ERR_FIT results can be recorded (others
 * are GCV_ERR_INTERNAL), since any other status means the task must run
 * again. Errors are GCV_ERR_IO. */
enum gcv_status gcv_journal_append(struct gcv_journal *journal,
                                   const struct gcv_task_result *result, struct gcv_error *err);

/* Calls fdatasync when records were written since the last one. */
enum gcv_status gcv_journal_sync(struct gcv_journal *journal, struct gcv_error *err);

/* Syncs and closes the journal. Accepts a closed journal (fd -1). err may
 * be NULL when the caller is already failing. */
enum gcv_status gcv_journal_close(struct gcv_journal *journal, struct gcv_error *err);

/* Frees the records and zeroes contents. Accepts NULL. */
void gcv_journal_contents_free(struct gcv_journal_contents *contents);

/* Continues the CRC-32 crc (0 to start) over data[len]: the CRC of ISO-HDLC
 * and IEEE 802.3, generator polynomial 0x04C11DB7 processed bit-reflected
 * (0xEDB88320), initial value and final XOR 0xFFFFFFFF, as zlib's crc32.
 * The CRC of the ASCII bytes "123456789" is 0xCBF43926. */
uint32_t gcv_journal_crc32(uint32_t crc, const void *data, size_t len);

/* Continues the FNV-1a 64-bit hash (Fowler, Noll and Vo; prime
 * 0x100000001b3) from hash over data[len]. Start from
 * GCV_JOURNAL_FNV_BASIS. */
uint64_t gcv_journal_fnv1a(uint64_t hash, const void *data, size_t len);

/* Continues hash over data[len] with four interleaved FNV-1a chains, one
 * step per 64-bit word (word i into chain i mod 4, as the machine reads
 * it), then folds the trailing bytes and the four chains into hash with
 * FNV-1a. Each step is a bijection of its chain, so changing one word
 * always changes that chain. It serves the data hash of the header: 5.4
 * GB/s against gcv_journal_fnv1a's 0.75 GB/s on 256 MB, one core of the
 * benchmark machine. */
uint64_t gcv_journal_hash_words(uint64_t hash, const void *data, size_t len);

/* Returns the FNV-1a 64 hash of a NUL-terminated text, NUL excluded. */
uint64_t gcv_journal_hash_text(const char *text);

/* Returns the FNV-1a 64 hash of the dataset as loaded: its shape, X, the
 * class codes and labels or the targets, the holdout mask and the
 * PredefinedSplit folds. Each part is preceded by its length, so a missing
 * part differs from an empty one. Every byte is read once, one at a time
 * (0.64 GB/s measured on one core of an AMD EPYC virtual machine). */
uint64_t gcv_journal_hash_dataset(const struct gcv_dataset *data);

#endif
