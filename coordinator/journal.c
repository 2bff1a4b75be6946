#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAGIC "GCVJRNL\n"
#define FORMAT_VERSION 2
#define HEADER_SIZE 60
#define FLAG_TRAIN 1u

/* Outcome codes stored in a record. The file keeps its own codes because
 * enum gcv_status values shift when the status list grows. */
#define OUTCOME_FITTED 0
#define OUTCOME_FIT_FAILED 1

/* Payload bytes before the scores, and the largest payload: 8 scorers,
 * train scores and a message of GCV_RESULT_MESSAGE_MAX - 1 bytes. */
#define PAYLOAD_FIXED 36
#define PAYLOAD_MAX (PAYLOAD_FIXED + 2 * 8 * GCV_MAX_SCORERS + 2 + GCV_RESULT_MESSAGE_MAX)

/* ---- Checksums and hashes --------------------------------------------- */

/* The 256-entry table of the reflected CRC-32, built on first use. */
static uint32_t crc_table[256];
static bool crc_table_ready;

static void build_crc_table(void)
{
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int bit = 0; bit < 8; bit++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
    crc_table_ready = true;
}

uint32_t gcv_journal_crc32(uint32_t crc, const void *data, size_t len)
{
    const unsigned char *bytes = data;

    if (!crc_table_ready)
        build_crc_table();
    crc = ~crc;
    for (size_t i = 0; i < len; i++)
        crc = crc_table[(crc ^ bytes[i]) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

uint64_t gcv_journal_fnv1a(uint64_t hash, const void *data, size_t len)
{
    const unsigned char *bytes = data;

    for (size_t i = 0; i < len; i++) {
        hash ^= bytes[i];
        hash *= UINT64_C(0x100000001b3);
    }
    return hash;
}

uint64_t gcv_journal_hash_words(uint64_t hash, const void *data, size_t len)
{
    const unsigned char *bytes = data;
    uint64_t lanes[4];
    size_t i = 0;

    /* Four FNV-1a chains over 64-bit words, interleaved, so that the
     * multiplications of one chain need not wait for the others. */
    for (size_t k = 0; k < 4; k++)
        lanes[k] = hash + k * UINT64_C(0x9e3779b97f4a7c15);
    for (; i + 32 <= len; i += 32) {
        uint64_t words[4];

        memcpy(words, bytes + i, sizeof words);
        for (size_t k = 0; k < 4; k++)
            lanes[k] = (lanes[k] ^ words[k]) * UINT64_C(0x100000001b3);
    }
    hash = gcv_journal_fnv1a(hash, bytes + i, len - i);
    return gcv_journal_fnv1a(hash, lanes, sizeof lanes);
}

uint64_t gcv_journal_hash_text(const char *text)
{
    return gcv_journal_fnv1a(GCV_JOURNAL_FNV_BASIS, text, strlen(text));
}

/* Hashes a part's length, then its bytes. A NULL part hashes a length
 * that no real part has, so a missing part differs from an empty one. */
static uint64_t hash_part(uint64_t hash, const void *data, size_t len)
{
    uint64_t marker = data != NULL ? (uint64_t)len : UINT64_MAX;

    hash = gcv_journal_fnv1a(hash, &marker, sizeof marker);
    if (data != NULL)
        hash = gcv_journal_hash_words(hash, data, len);
    return hash;
}

uint64_t gcv_journal_hash_dataset(const struct gcv_dataset *data)
{
    uint64_t shape[3] = {data->n_rows, data->n_features, data->n_classes};
    uint64_t hash = GCV_JOURNAL_FNV_BASIS;
    size_t n = data->n_rows;

    hash = hash_part(hash, shape, sizeof shape);
    hash = hash_part(hash, data->X, n * data->n_features * sizeof *data->X);
    hash = hash_part(hash, data->y_class, data->y_class != NULL ? n * sizeof *data->y_class : 0);
    hash = hash_part(hash, data->y_value, data->y_value != NULL ? n * sizeof *data->y_value : 0);
    hash = hash_part(hash, data->class_integers,
                     data->class_integers != NULL ? data->n_classes * sizeof(long long) : 0);
    if (data->class_strings != NULL) {
        for (size_t c = 0; c < data->n_classes; c++)
            hash = hash_part(hash, data->class_strings[c], strlen(data->class_strings[c]));
    } else {
        hash = hash_part(hash, NULL, 0);
    }
    hash = hash_part(hash, data->holdout, data->holdout != NULL ? n : 0);
    hash = hash_part(hash, data->test_fold, data->test_fold != NULL ? n * sizeof(int32_t) : 0);
    hash = hash_part(hash, data->groups, data->groups != NULL ? n * sizeof(int32_t) : 0);
    return hash;
}

/* ---- Little-endian encoding ------------------------------------------- */

static void put_u16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_f64(unsigned char *p, double x)
{
    uint64_t bits;

    memcpy(&bits, &x, sizeof bits);
    put_u64(p, bits);
}

static uint16_t get_u16(const unsigned char *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v = 0;

    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static double get_f64(const unsigned char *p)
{
    uint64_t bits = get_u64(p);
    double x;

    memcpy(&x, &bits, sizeof x);
    return x;
}

static void encode_header(const struct gcv_journal_header *header, unsigned char *out)
{
    memcpy(out, MAGIC, 8);
    put_u32(out + 8, FORMAT_VERSION);
    put_u32(out + 12, HEADER_SIZE);
    put_u64(out + 16, header->spec_hash);
    put_u64(out + 24, header->data_hash);
    put_u64(out + 32, header->n_candidates);
    put_u64(out + 40, header->n_folds);
    put_u32(out + 48, header->n_scorers);
    put_u32(out + 52, header->has_train ? FLAG_TRAIN : 0);
    put_u32(out + 56, gcv_journal_crc32(0, out, 56));
}

/* Encodes result as a whole record (length, payload, checksum) into
 * out[PAYLOAD_MAX + 8]. Returns the record's size. */
static size_t encode_record(const struct gcv_task_result *result, uint32_t n_scorers,
                            unsigned char *out)
{
    unsigned char *p = out + 4;
    size_t message_len = strnlen(result->message, GCV_RESULT_MESSAGE_MAX - 1);
    size_t payload_len;

    put_u32(p, (uint32_t)result->candidate);
    put_u32(p + 4, (uint32_t)result->fold);
    put_u32(p + 8, result->status == GCV_OK ? OUTCOME_FITTED : OUTCOME_FIT_FAILED);
    put_u32(p + 12, (uint32_t)result->rank);
    put_f64(p + 16, result->fit_time);
    put_f64(p + 24, result->score_time);
    put_u32(p + 32, n_scorers);
    p += PAYLOAD_FIXED;
    for (uint32_t s = 0; s < n_scorers; s++, p += 8)
        put_f64(p, result->test_scores[s]);
    for (uint32_t s = 0; s < n_scorers; s++, p += 8)
        put_f64(p, result->train_scores[s]);
    put_u16(p, (uint16_t)message_len);
    memcpy(p + 2, result->message, message_len);
    p += 2 + message_len;

    payload_len = (size_t)(p - (out + 4));
    put_u32(out, (uint32_t)payload_len);
    put_u32(p, gcv_journal_crc32(0, out, 4 + payload_len));
    return 4 + payload_len + 4;
}

/* Decodes a payload whose checksum passed. Returns false when its layout
 * is inconsistent (a scorer count or message length that does not fit). */
static bool decode_payload(const unsigned char *p, size_t len, struct gcv_task_result *result)
{
    uint32_t n_scorers, outcome;
    size_t message_len, offset;

    if (len < PAYLOAD_FIXED + 2)
        return false;
    memset(result, 0, sizeof *result);
    result->candidate = (int32_t)get_u32(p);
    result->fold = (int32_t)get_u32(p + 4);
    outcome = get_u32(p + 8);
    result->rank = (int32_t)get_u32(p + 12);
    result->fit_time = get_f64(p + 16);
    result->score_time = get_f64(p + 24);
    n_scorers = get_u32(p + 32);
    if (outcome > OUTCOME_FIT_FAILED || n_scorers > GCV_MAX_SCORERS ||
        len < PAYLOAD_FIXED + 16 * (size_t)n_scorers + 2)
        return false;
    result->status = outcome == OUTCOME_FITTED ? GCV_OK : GCV_ERR_FIT;

    for (size_t s = 0; s < GCV_MAX_SCORERS; s++)
        result->test_scores[s] = result->train_scores[s] = NAN;
    offset = PAYLOAD_FIXED;
    for (uint32_t s = 0; s < n_scorers; s++, offset += 8)
        result->test_scores[s] = get_f64(p + offset);
    for (uint32_t s = 0; s < n_scorers; s++, offset += 8)
        result->train_scores[s] = get_f64(p + offset);
    message_len = get_u16(p + offset);
    offset += 2;
    if (message_len >= GCV_RESULT_MESSAGE_MAX || offset + message_len != len)
        return false;
    memcpy(result->message, p + offset, message_len);
    result->message[message_len] = '\0';
    return true;
}

/* ---- Writing ----------------------------------------------------------- */

static double monotonic_seconds(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
}

/* Writes all of buf at offset, retrying short writes and EINTR. */
static int write_all(int fd, const unsigned char *buf, size_t len, off_t offset)
{
    while (len > 0) {
        ssize_t written = pwrite(fd, buf, len, offset);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return -1;
        buf += written;
        len -= (size_t)written;
        offset += written;
    }
    return 0;
}

/* Syncs the folder of path, so that a newly created file's name survives
 * a crash. */
static int sync_folder(const char *path)
{
    char folder[4200];
    char *slash;
    int fd, rc;

    snprintf(folder, sizeof folder, "%s", path);
    slash = strrchr(folder, '/');
    if (slash == NULL)
        snprintf(folder, sizeof folder, ".");
    else if (slash == folder)
        folder[1] = '\0';
    else
        *slash = '\0';
    fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

static void journal_init(struct gcv_journal *journal, const char *path,
                         const struct gcv_journal_header *header)
{
    memset(journal, 0, sizeof *journal);
    journal->fd = -1;
    snprintf(journal->path, sizeof journal->path, "%s", path);
    journal->header = *header;
    journal->sync_interval = GCV_JOURNAL_SYNC_INTERVAL;
    journal->last_sync = monotonic_seconds();
}

enum gcv_status gcv_journal_create(struct gcv_journal *journal, const char *path,
                                   const struct gcv_journal_header *header,
                                   struct gcv_error *err)
{
    unsigned char bytes[HEADER_SIZE];
    enum gcv_status status = GCV_OK;

    journal_init(journal, path, header);
    if (header->n_scorers > GCV_MAX_SCORERS)
        return gcv_error_set(err, GCV_ERR_INTERNAL, "journal %s: %u scorers, at most %d allowed",
                             path, (unsigned)header->n_scorers, GCV_MAX_SCORERS);

    journal->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (journal->fd < 0)
        return gcv_error_set(err, GCV_ERR_IO, "cannot create the journal %s: %s", path,
                             strerror(errno));
    encode_header(header, bytes);
    if (write_all(journal->fd, bytes, sizeof bytes, 0) != 0 || fdatasync(journal->fd) != 0 ||
        sync_folder(path) != 0) {
        status = gcv_error_set(err, GCV_ERR_IO, "cannot write the journal header to %s: %s",
                               path, strerror(errno));
        goto cleanup;
    }
    journal->size = HEADER_SIZE;
    journal->last_sync = monotonic_seconds();

cleanup:
    if (status != GCV_OK) {
        close(journal->fd);
        journal->fd = -1;
    }
    return status;
}

enum gcv_status gcv_journal_reopen(struct gcv_journal *journal, const char *path,
                                   const struct gcv_journal_contents *contents,
                                   struct gcv_error *err)
{
    journal_init(journal, path, &contents->header);
    journal->fd = open(path, O_WRONLY | O_CLOEXEC);
    if (journal->fd < 0)
        return gcv_error_set(err, GCV_ERR_IO, "cannot open the journal %s for appending: %s",
                             path, strerror(errno));
    if (contents->dropped_bytes > 0 &&
        (ftruncate(journal->fd, (off_t)contents->valid_bytes) != 0 ||
         fdatasync(journal->fd) != 0)) {
        int saved = errno;
        close(journal->fd);
        journal->fd = -1;
        return gcv_error_set(err, GCV_ERR_IO, "cannot cut the damaged tail of the journal %s "
                             "at byte %llu: %s", path,
                             (unsigned long long)contents->valid_bytes, strerror(saved));
    }
    journal->size = contents->valid_bytes;
    return GCV_OK;
}

enum gcv_status gcv_journal_append(struct gcv_journal *journal,
                                   const struct gcv_task_result *result, struct gcv_error *err)
{
    unsigned char record[PAYLOAD_MAX + 8];
    size_t len;

    if (result->status != GCV_OK && result->status != GCV_ERR_FIT)
        return gcv_error_set(err, GCV_ERR_INTERNAL, "journal %s: cannot record candidate %d on "
                             "fold %d with status %s; only finished fits are recorded",
                             journal->path, (int)result->candidate, (int)result->fold,
                             gcv_status_name((enum gcv_status)result->status));
    len = encode_record(result, journal->header.n_scorers, record);
    if (write_all(journal->fd, record, len, (off_t)journal->size) != 0) {
        int saved = errno;
        /* Cut a partly written record off, so that later records, if any
         * can still be written, do not follow a torn one. */
        if (ftruncate(journal->fd, (off_t)journal->size) != 0)
            saved = errno;
        return gcv_error_set(err, GCV_ERR_IO, "cannot append to the journal %s: %s",
                             journal->path, strerror(saved));
    }
    journal->size += len;
    journal->unsynced = true;
    if (monotonic_seconds() - journal->last_sync >= journal->sync_interval)
        return gcv_journal_sync(journal, err);
    return GCV_OK;
}

enum gcv_status gcv_journal_sync(struct gcv_journal *journal, struct gcv_error *err)
{
    if (journal->fd < 0 || !journal->unsynced)
        return GCV_OK;
    if (fdatasync(journal->fd) != 0)
        return gcv_error_set(err, GCV_ERR_IO, "cannot sync the journal %s: %s", journal->path,
                             strerror(errno));
    journal->unsynced = false;
    journal->last_sync = monotonic_seconds();
    return GCV_OK;
}

enum gcv_status gcv_journal_close(struct gcv_journal *journal, struct gcv_error *err)
{
    struct gcv_error ignored;
    enum gcv_status status;

    if (journal->fd < 0)
        return GCV_OK;
    status = gcv_journal_sync(journal, err != NULL ? err : &ignored);
    if (close(journal->fd) != 0 && status == GCV_OK)
        status = gcv_error_set(err != NULL ? err : &ignored, GCV_ERR_IO,
                               "cannot close the journal %s: %s", journal->path,
                               strerror(errno));
    journal->fd = -1;
    return status;
}

/* ---- Reading ----------------------------------------------------------- */

/* Reads up to len bytes; returns the count read, short only at the end of
 * the file, or -1 on an error. */
static ssize_t read_full(FILE *stream, unsigned char *buf, size_t len)
{
    size_t got = fread(buf, 1, len, stream);

    if (got < len && ferror(stream))
        return -1;
    return (ssize_t)got;
}

static enum gcv_status read_header(FILE *stream, const char *path,
                                   struct gcv_journal_header *header, struct gcv_error *err)
{
    unsigned char bytes[HEADER_SIZE];
    ssize_t got = read_full(stream, bytes, sizeof bytes);
    uint32_t flags;

    if (got < 0)
        return gcv_error_set(err, GCV_ERR_IO, "cannot read the journal %s: %s", path,
                             strerror(errno));
    if (got < 8 || memcmp(bytes, MAGIC, 8) != 0)
        return gcv_error_set(err, GCV_ERR_DATA, "%s is not a gridcv journal (its first bytes "
                             "are not \"GCVJRNL\"); run with --force instead of --resume to start over", path);
    if (got < HEADER_SIZE)
        return gcv_error_set(err, GCV_ERR_DATA, "the journal %s ends inside its %d-byte header "
                             "(%zd bytes); run with --force instead of --resume to start over", path,
                             HEADER_SIZE, got);
    if (get_u32(bytes + 8) != FORMAT_VERSION || get_u32(bytes + 12) != HEADER_SIZE)
        return gcv_error_set(err, GCV_ERR_DATA, "the journal %s has format version %u, this "
                             "gridcv reads version %d; run with --force instead of --resume to start over",
                             path, (unsigned)get_u32(bytes + 8), FORMAT_VERSION);
    if (get_u32(bytes + 56) != gcv_journal_crc32(0, bytes, 56))
        return gcv_error_set(err, GCV_ERR_DATA, "the header of the journal %s fails its CRC-32 "
                             "check: the file is damaged; run with --force instead of --resume to start over",
                             path);

    header->spec_hash = get_u64(bytes + 16);
    header->data_hash = get_u64(bytes + 24);
    header->n_candidates = get_u64(bytes + 32);
    header->n_folds = get_u64(bytes + 40);
    header->n_scorers = get_u32(bytes + 48);
    flags = get_u32(bytes + 52);
    header->has_train = (flags & FLAG_TRAIN) != 0;
    if (header->n_scorers > GCV_MAX_SCORERS)
        return gcv_error_set(err, GCV_ERR_DATA, "the journal %s names %u scorers, at most %d "
                             "are allowed; run with --force instead of --resume to start over", path,
                             (unsigned)header->n_scorers, GCV_MAX_SCORERS);
    return GCV_OK;
}

static enum gcv_status keep_record(struct gcv_journal_contents *contents, size_t *capacity,
                                   const struct gcv_task_result *record, struct gcv_error *err)
{
    if (contents->n_records == *capacity) {
        size_t grown_capacity = *capacity > 0 ? 2 * *capacity : 256;
        struct gcv_task_result *grown =
            realloc(contents->records, grown_capacity * sizeof *grown);
        if (grown == NULL)
            return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory reading %zu journal records",
                                 grown_capacity);
        contents->records = grown;
        *capacity = grown_capacity;
    }
    contents->records[contents->n_records++] = *record;
    return GCV_OK;
}

enum gcv_status gcv_journal_read(const char *path, struct gcv_journal_contents *contents,
                                 struct gcv_error *err)
{
    unsigned char record[PAYLOAD_MAX + 8];
    size_t capacity = 0;
    uint64_t offset = HEADER_SIZE;
    FILE *stream = NULL;
    struct stat info;
    enum gcv_status status = GCV_OK;

    memset(contents, 0, sizeof *contents);
    stream = fopen(path, "rb");
    if (stream == NULL)
        return gcv_error_set(err, GCV_ERR_IO, "cannot open the journal %s: %s", path,
                             strerror(errno));
    if (fstat(fileno(stream), &info) != 0) {
        status = gcv_error_set(err, GCV_ERR_IO, "cannot read the journal %s: %s", path,
                               strerror(errno));
        goto cleanup;
    }
    if ((status = read_header(stream, path, &contents->header, err)) != GCV_OK)
        goto cleanup;

    /* Keep the records before the first one that is short (torn by a kill)
     * or fails its checks (damaged). Nothing after that one can be trusted
     * to start at a record boundary. */
    for (;;) {
        struct gcv_task_result result;
        ssize_t got = read_full(stream, record, 4);
        uint32_t len;

        if (got < 0)
            goto read_error;
        if (got < 4)
            break;
        len = get_u32(record);
        if (len < PAYLOAD_FIXED + 2 || len > PAYLOAD_MAX) {
            contents->damaged = true;
            break;
        }
        got = read_full(stream, record + 4, (size_t)len + 4);
        if (got < 0)
            goto read_error;
        if ((size_t)got < (size_t)len + 4)
            break;
        if (get_u32(record + 4 + len) != gcv_journal_crc32(0, record, 4 + (size_t)len) ||
            !decode_payload(record + 4, len, &result)) {
            contents->damaged = true;
            break;
        }
        if (result.candidate < 0 || (uint64_t)result.candidate >= contents->header.n_candidates ||
            result.fold < 0 || (uint64_t)result.fold >= contents->header.n_folds) {
            status = gcv_error_set(err, GCV_ERR_DATA, "the journal %s has a record at byte %llu "
                                   "for candidate %d on fold %d, outside its grid of %llu "
                                   "candidates and %llu folds; run with --force instead of "
                                   "--resume to start over", path, (unsigned long long)offset,
                                   (int)result.candidate, (int)result.fold,
                                   (unsigned long long)contents->header.n_candidates,
                                   (unsigned long long)contents->header.n_folds);
            goto cleanup;
        }
        if ((status = keep_record(contents, &capacity, &result, err)) != GCV_OK)
            goto cleanup;
        offset += 4 + (uint64_t)len + 4;
    }
    contents->valid_bytes = offset;
    contents->dropped_bytes = (uint64_t)info.st_size > offset ? (uint64_t)info.st_size - offset : 0;
    goto cleanup;

read_error:
    status = gcv_error_set(err, GCV_ERR_IO, "cannot read the journal %s: %s", path,
                           strerror(errno));
cleanup:
    fclose(stream);
    if (status != GCV_OK)
        gcv_journal_contents_free(contents);
    return status;
}

void gcv_journal_contents_free(struct gcv_journal_contents *contents)
{
    if (contents == NULL)
        return;
    free(contents->records);
    memset(contents, 0, sizeof *contents);
}

/* ---- Headers ----------------------------------------------------------- */

enum gcv_status gcv_journal_check_header(const struct gcv_journal_header *found,
                                         const struct gcv_journal_header *expected,
                                         const char *path, struct gcv_error *err)
{
    if (found->spec_hash != expected->spec_hash)
        return gcv_error_set(err, GCV_ERR_SPEC, "cannot resume: the spec changed since the "
                             "journal %s was written (spec text hash %016llx, the journal's "
                             "%016llx); resume with the original spec, or run with --force "
                             "instead of --resume to start over", path,
                             (unsigned long long)expected->spec_hash,
                             (unsigned long long)found->spec_hash);
    if (found->data_hash != expected->data_hash)
        return gcv_error_set(err, GCV_ERR_DATA, "cannot resume: the data changed since the "
                             "journal %s was written (X, y, holdout or test_fold differ: data "
                             "hash %016llx, the journal's %016llx); restore the original data, "
                             "or run with --force instead of --resume to start over", path,
                             (unsigned long long)expected->data_hash,
                             (unsigned long long)found->data_hash);
    if (found->n_candidates != expected->n_candidates || found->n_folds != expected->n_folds ||
        found->n_scorers != expected->n_scorers || found->has_train != expected->has_train)
        return gcv_error_set(err, GCV_ERR_DATA, "cannot resume: the journal %s was written for "
                             "%llu candidates, %llu folds, %u scorers%s, but this search has "
                             "%llu candidates, %llu folds, %u scorers%s; run with --force "
                             "instead of --resume to start over", path, (unsigned long long)found->n_candidates,
                             (unsigned long long)found->n_folds, (unsigned)found->n_scorers,
                             found->has_train ? " and train scores" : "",
                             (unsigned long long)expected->n_candidates,
                             (unsigned long long)expected->n_folds,
                             (unsigned)expected->n_scorers,
                             expected->has_train ? " and train scores" : "");
    return GCV_OK;
}
