/* Suite "journal": the search journal's records survive a write and a read
 * bit for bit, and a torn last record is dropped. A damaged record or
 * header is detected, and a header of another spec or other data is
 * rejected with a message that names which one changed. */
#include <check.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coordinator/journal.h"

static char folder[256];
static char path[300];

/* Each test makes its own folder, because Check runs each test in its own
 * process. */
static void make_folder(void)
{
    const char *tmp = getenv("TMPDIR");

    snprintf(folder, sizeof folder, "%s/gcv-journal-XXXXXX", tmp != NULL ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(folder));
    snprintf(path, sizeof path, "%s/%s", folder, GCV_JOURNAL_FILE);
}

static void remove_folder(void)
{
    unlink(path);
    rmdir(folder);
}

static const struct gcv_journal_header base_header = {
    .spec_hash = UINT64_C(0x0123456789abcdef),
    .data_hash = UINT64_C(0xfedcba9876543210),
    .n_candidates = 4,
    .n_folds = 3,
    .n_scorers = 2,
    .has_train = true,
};

/* Three results: two fits with train scores, one failed fit. */
static void sample_results(struct gcv_task_result results[3])
{
    memset(results, 0, 3 * sizeof *results);
    for (int i = 0; i < 3; i++) {
        for (int s = 0; s < GCV_MAX_SCORERS; s++)
            results[i].test_scores[s] = results[i].train_scores[s] = NAN;
        results[i].candidate = i + 1;
        results[i].fold = 2 - i;
        results[i].rank = 7 + i;
        results[i].fit_time = 0.125 * (i + 1) + 1e-9;
        results[i].score_time = 1.0 / 3.0 + i;
    }
    results[0].test_scores[0] = 0.9666666666666667;
    results[0].test_scores[1] = -0.0;
    results[0].train_scores[0] = 1.0;
    results[0].train_scores[1] = 5e-324;
    results[1].test_scores[0] = 0.1;
    results[1].test_scores[1] = 0.2;
    results[1].train_scores[0] = 0.3;
    results[1].train_scores[1] = 0.4;
    results[2].status = GCV_ERR_FIT;
    snprintf(results[2].message, sizeof results[2].message,
             "fit exceeded fit_timeout of 0.5 s");
}

static uint64_t bits_of(double value)
{
    uint64_t bits;

    memcpy(&bits, &value, sizeof bits);
    return bits;
}

/* Fails unless got equals expected in every field the journal stores, the
 * scores compared by their bits (NaN, -0.0 and subnormals included). */
static void assert_same_result(const struct gcv_task_result *got,
                               const struct gcv_task_result *expected, uint32_t n_scorers)
{
    ck_assert_int_eq(got->candidate, expected->candidate);
    ck_assert_int_eq(got->fold, expected->fold);
    ck_assert_int_eq(got->status, expected->status);
    ck_assert_int_eq(got->rank, expected->rank);
    ck_assert_msg(bits_of(got->fit_time) == bits_of(expected->fit_time), "fit_time %a != %a",
                  got->fit_time, expected->fit_time);
    ck_assert_msg(bits_of(got->score_time) == bits_of(expected->score_time),
                  "score_time %a != %a", got->score_time, expected->score_time);
    for (uint32_t s = 0; s < n_scorers; s++) {
        ck_assert_msg(bits_of(got->test_scores[s]) == bits_of(expected->test_scores[s]),
                      "test score %u: %a != %a", (unsigned)s, got->test_scores[s],
                      expected->test_scores[s]);
        ck_assert_msg(bits_of(got->train_scores[s]) == bits_of(expected->train_scores[s]),
                      "train score %u: %a != %a", (unsigned)s, got->train_scores[s],
                      expected->train_scores[s]);
    }
    ck_assert_str_eq(got->message, expected->message);
}

/* Writes the sample results into a new journal at path and closes it.
 * Fills ends[i] with the file size after record i. */
static void write_sample(struct gcv_task_result results[3], off_t ends[3])
{
    struct gcv_journal journal;
    struct gcv_error err = {GCV_OK, ""};
    struct stat info;

    sample_results(results);
    ck_assert_int_eq(gcv_journal_create(&journal, path, &base_header, &err), GCV_OK);
    for (int i = 0; i < 3; i++) {
        ck_assert_msg(gcv_journal_append(&journal, &results[i], &err) == GCV_OK, "%s",
                      err.message);
        ck_assert_int_eq(stat(path, &info), 0);
        ends[i] = info.st_size;
    }
    ck_assert_int_eq(gcv_journal_close(&journal, &err), GCV_OK);
}

static void flip_byte(off_t offset)
{
    int fd = open(path, O_RDWR);
    unsigned char byte;

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(pread(fd, &byte, 1, offset), 1);
    byte ^= 0x10;
    ck_assert_int_eq(pwrite(fd, &byte, 1, offset), 1);
    close(fd);
}

START_TEST(crc32_matches_check_value)
{
    /* The standard check value of this CRC over "123456789"; Python's
     * zlib.crc32(b"123456789") returns it too. */
    ck_assert_uint_eq(gcv_journal_crc32(0, "123456789", 9), 0xCBF43926u);
    ck_assert_uint_eq(gcv_journal_crc32(gcv_journal_crc32(0, "1234", 4), "56789", 5),
                      0xCBF43926u);
    ck_assert_uint_eq(gcv_journal_crc32(0, "", 0), 0);
}
END_TEST

START_TEST(fnv1a_matches_reference_vectors)
{
    /* Expected values from an independent Python implementation of
     * FNV-1a 64 (offset basis 0xcbf29ce484222325, prime 0x100000001b3). */
    ck_assert_uint_eq(gcv_journal_hash_text(""), UINT64_C(0xcbf29ce484222325));
    ck_assert_uint_eq(gcv_journal_hash_text("a"), UINT64_C(0xaf63dc4c8601ec8c));
    ck_assert_uint_eq(gcv_journal_hash_text("foobar"), UINT64_C(0x85944171f73967e8));
}
END_TEST

START_TEST(word_hash_matches_reference_and_sees_every_bit)
{
    unsigned char data[70];
    const uint64_t basis = UINT64_C(0xcbf29ce484222325);
    uint64_t whole;

    /* Expected values from an independent Python implementation of the
     * four chains (little-endian words), on the bytes 0..69: two blocks
     * of 32 bytes and a tail of 6. */
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)i;
    whole = gcv_journal_hash_words(basis, data, sizeof data);
    ck_assert_uint_eq(whole, UINT64_C(0xd30dec2cadd1814b));
    ck_assert_uint_eq(gcv_journal_hash_words(basis, data, 0), UINT64_C(0x8e9e89129bdca2ed));

    /* One flipped bit anywhere, in a block or in the tail, changes it. */
    for (size_t bit = 0; bit < 8 * sizeof data; bit++) {
        data[bit / 8] ^= (unsigned char)(1u << (bit % 8));
        ck_assert_uint_ne(gcv_journal_hash_words(basis, data, sizeof data), whole);
        data[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    }
    ck_assert_uint_ne(gcv_journal_hash_words(basis, data, sizeof data - 1), whole);
}
END_TEST

START_TEST(records_round_trip)
{
    struct gcv_task_result results[3];
    struct gcv_journal_contents contents;
    struct gcv_error err = {GCV_OK, ""};
    off_t ends[3];

    make_folder();
    write_sample(results, ends);
    ck_assert_msg(gcv_journal_read(path, &contents, &err) == GCV_OK, "%s", err.message);

    ck_assert_uint_eq(contents.header.spec_hash, base_header.spec_hash);
    ck_assert_uint_eq(contents.header.data_hash, base_header.data_hash);
    ck_assert_uint_eq(contents.header.n_candidates, base_header.n_candidates);
    ck_assert_uint_eq(contents.header.n_folds, base_header.n_folds);
    ck_assert_uint_eq(contents.header.n_scorers, base_header.n_scorers);
    ck_assert(contents.header.has_train);
    ck_assert_uint_eq(contents.n_records, 3);
    for (int i = 0; i < 3; i++)
        assert_same_result(&contents.records[i], &results[i], base_header.n_scorers);
    ck_assert_uint_eq(contents.valid_bytes, (uint64_t)ends[2]);
    ck_assert_uint_eq(contents.dropped_bytes, 0);
    ck_assert(!contents.damaged);

    gcv_journal_contents_free(&contents);
    remove_folder();
}
END_TEST

/* A killed coordinator never closes its journal: every appended record
 * must already be in the file. */
START_TEST(records_readable_before_close)
{
    struct gcv_task_result results[3];
    struct gcv_journal journal;
    struct gcv_journal_contents contents;
    struct gcv_error err = {GCV_OK, ""};

    make_folder();
    sample_results(results);
    ck_assert_int_eq(gcv_journal_create(&journal, path, &base_header, &err), GCV_OK);
    ck_assert_int_eq(gcv_journal_append(&journal, &results[0], &err), GCV_OK);
    ck_assert_int_eq(gcv_journal_append(&journal, &results[1], &err), GCV_OK);

    ck_assert_int_eq(gcv_journal_read(path, &contents, &err), GCV_OK);
    ck_assert_uint_eq(contents.n_records, 2);
    assert_same_result(&contents.records[1], &results[1], base_header.n_scorers);

    gcv_journal_contents_free(&contents);
    gcv_journal_close(&journal, NULL);
    remove_folder();
}
END_TEST

START_TEST(torn_last_record_dropped_and_cut_on_reopen)
{
    struct gcv_task_result results[3];
    struct gcv_journal journal;
    struct gcv_journal_contents contents;
    struct gcv_error err = {GCV_OK, ""};
    off_t ends[3];

    make_folder();
    write_sample(results, ends);
    ck_assert_int_eq(truncate(path, ends[2] - 5), 0);

    ck_assert_int_eq(gcv_journal_read(path, &contents, &err), GCV_OK);
    ck_assert_uint_eq(contents.n_records, 2);
    ck_assert_uint_eq(contents.valid_bytes, (uint64_t)ends[1]);
    ck_assert_uint_eq(contents.dropped_bytes, (uint64_t)(ends[2] - 5 - ends[1]));
    ck_assert(!contents.damaged);

    /* Appending after a reopen starts where the torn record began. */
    ck_assert_int_eq(gcv_journal_reopen(&journal, path, &contents, &err), GCV_OK);
    gcv_journal_contents_free(&contents);
    ck_assert_int_eq(gcv_journal_append(&journal, &results[2], &err), GCV_OK);
    ck_assert_int_eq(gcv_journal_close(&journal, &err), GCV_OK);

    ck_assert_int_eq(gcv_journal_read(path, &contents, &err), GCV_OK);
    ck_assert_uint_eq(contents.n_records, 3);
    ck_assert_uint_eq(contents.dropped_bytes, 0);
    for (int i = 0; i < 3; i++)
        assert_same_result(&contents.records[i], &results[i], base_header.n_scorers);
    gcv_journal_contents_free(&contents);
    remove_folder();
}
END_TEST

START_TEST(torn_length_field_dropped)
{
    struct gcv_task_result results[3];
    struct gcv_journal_contents contents;
    struct gcv_error err = {GCV_OK, ""};
    off_t ends[3];

    make_folder();
    write_sample(results, ends);
    ck_assert_int_eq(truncate(path, ends[1] + 2), 0);

    ck_assert_int_eq(gcv_journal_read(path, &contents, &err), GCV_OK);
    ck_assert_uint_eq(contents.n_records, 2);
    ck_assert_uint_eq(contents.dropped_bytes, 2);
    ck_assert(!contents.damaged);
    gcv_journal_contents_free(&contents);
    remove_folder();
}
END_TEST

START_TEST(checksum_mismatch_detected)
{
    struct gcv_task_result results[3];
    struct gcv_journal_contents contents;
    struct gcv_error err = {GCV_OK, ""};
    off_t ends[3];

    make_folder();
    write_sample(results, ends);
    /* One bit inside the second record's fit_time (payload byte 20). */
    flip_byte(ends[0] + 4 + 20);

    ck_assert_int_eq(gcv_journal_read(path, &contents, &err), GCV_OK);
    ck_assert_uint_eq(contents.n_records, 1);
    assert_same_result(&contents.records[0], &results[0], base_header.n_scorers);
    ck_assert(contents.damaged);
    ck_assert_uint_eq(contents.valid_bytes, (uint64_t)ends[0]);
    ck_assert_uint_eq(contents.dropped_bytes, (uint64_t)(ends[2] - ends[0]));
    gcv_journal_contents_free(&contents);
    remove_folder();
}
END_TEST

START_TEST(damaged_header_rejected)
{
    struct gcv_task_result results[3];
    struct gcv_journal_contents contents;
    struct gcv_error err = {GCV_OK, ""};
    off_t ends[3];

    make_folder();
    write_sample(results, ends);
    flip_byte(20); /* inside the spec hash */

    ck_assert_int_eq(gcv_journal_read(path, &contents, &err), GCV_ERR_DATA);
    ck_assert_msg(strstr(err.message, "CRC-32") != NULL, "message: %s", err.message);
    ck_assert_msg(strstr(err.message, path) != NULL, "message: %s", err.message);
    ck_assert_ptr_null(contents.records);
    remove_folder();
}
END_TEST

START_TEST(other_file_rejected)
{
    struct gcv_journal_contents contents;
    struct gcv_error err = {GCV_OK, ""};
    FILE *file;

    make_folder();
    file = fopen(path, "w");
    ck_assert_ptr_nonnull(file);
    fputs("{\"not\": \"a journal\"}\n", file);
    fclose(file);

    ck_assert_int_eq(gcv_journal_read(path, &contents, &err), GCV_ERR_DATA);
    ck_assert_msg(strstr(err.message, "not a gridcv journal") != NULL, "message: %s",
                  err.message);
    remove_folder();
}
END_TEST

START_TEST(record_outside_grid_rejected)
{
    struct gcv_task_result results[3];
    struct gcv_journal journal;
    struct gcv_journal_contents contents;
    struct gcv_error err = {GCV_OK, ""};

    make_folder();
    sample_results(results);
    results[0].candidate = (int32_t)base_header.n_candidates;
    ck_assert_int_eq(gcv_journal_create(&journal, path, &base_header, &err), GCV_OK);
    ck_assert_int_eq(gcv_journal_append(&journal, &results[0], &err), GCV_OK);
    ck_assert_int_eq(gcv_journal_close(&journal, &err), GCV_OK);

    ck_assert_int_eq(gcv_journal_read(path, &contents, &err), GCV_ERR_DATA);
    ck_assert_msg(strstr(err.message, "candidate 4") != NULL, "message: %s", err.message);
    remove_folder();
}
END_TEST

START_TEST(header_mismatch_names_spec)
{
    struct gcv_journal_header expected = base_header;
    struct gcv_error err = {GCV_OK, ""};

    ck_assert_int_eq(gcv_journal_check_header(&base_header, &expected, "out/journal.bin", &err),
                     GCV_OK);
    expected.spec_hash ^= 1;
    expected.data_hash ^= 1; /* the spec is named first when both changed */
    ck_assert_int_eq(gcv_journal_check_header(&base_header, &expected, "out/journal.bin", &err),
                     GCV_ERR_SPEC);
    ck_assert_msg(strstr(err.message, "the spec changed") != NULL, "message: %s", err.message);
    ck_assert_msg(strstr(err.message, "out/journal.bin") != NULL, "message: %s", err.message);
}
END_TEST

START_TEST(header_mismatch_names_data)
{
    struct gcv_journal_header expected = base_header;
    struct gcv_error err = {GCV_OK, ""};

    expected.data_hash ^= UINT64_C(1) << 63;
    ck_assert_int_eq(gcv_journal_check_header(&base_header, &expected, "out/journal.bin", &err),
                     GCV_ERR_DATA);
    ck_assert_msg(strstr(err.message, "the data changed") != NULL, "message: %s", err.message);
}
END_TEST

START_TEST(header_mismatch_names_counts)
{
    struct gcv_journal_header expected = base_header;
    struct gcv_error err = {GCV_OK, ""};

    expected.n_folds = 5;
    ck_assert_int_eq(gcv_journal_check_header(&base_header, &expected, "out/journal.bin", &err),
                     GCV_ERR_DATA);
    ck_assert_msg(strstr(err.message, "3 folds") != NULL, "message: %s", err.message);
    ck_assert_msg(strstr(err.message, "5 folds") != NULL, "message: %s", err.message);
}
END_TEST

START_TEST(append_rejects_unfinished_task)
{
    struct gcv_task_result results[3];
    struct gcv_journal journal;
    struct gcv_journal_contents contents;
    struct gcv_error err = {GCV_OK, ""};

    make_folder();
    sample_results(results);
    results[0].status = GCV_ERR_NOMEM;
    ck_assert_int_eq(gcv_journal_create(&journal, path, &base_header, &err), GCV_OK);
    ck_assert_int_eq(gcv_journal_append(&journal, &results[0], &err), GCV_ERR_INTERNAL);
    ck_assert_int_eq(gcv_journal_close(&journal, &err), GCV_OK);

    ck_assert_int_eq(gcv_journal_read(path, &contents, &err), GCV_OK);
    ck_assert_uint_eq(contents.n_records, 0);
    gcv_journal_contents_free(&contents);
    remove_folder();
}
END_TEST

/* A 3 x 2 classification dataset with string labels, a holdout mask and
 * PredefinedSplit folds. Every array belongs to the struct. */
struct small_dataset {
    double X[6];
    int32_t y[3];
    char label_a[4], label_b[4];
    char *labels[2];
    uint8_t holdout[3];
    int32_t test_fold[3];
    struct gcv_dataset data;
};

static void small_dataset_init(struct small_dataset *s)
{
    static const double X[6] = {1.0, 2.0, 3.0, 4.0, 5.0, 6.0};

    memset(s, 0, sizeof *s);
    memcpy(s->X, X, sizeof X);
    s->y[0] = 0;
    s->y[1] = 1;
    s->y[2] = 0;
    strcpy(s->label_a, "cat");
    strcpy(s->label_b, "dog");
    s->labels[0] = s->label_a;
    s->labels[1] = s->label_b;
    s->holdout[2] = 1;
    s->test_fold[0] = 0;
    s->test_fold[1] = 1;
    s->test_fold[2] = -1;
    s->data = (struct gcv_dataset){
        .n_rows = 3,
        .n_features = 2,
        .X = s->X,
        .is_classification = true,
        .y_class = s->y,
        .n_classes = 2,
        .label_kind = GCV_LABELS_STRING,
        .class_strings = s->labels,
        .holdout = s->holdout,
        .test_fold = s->test_fold,
    };
}

START_TEST(dataset_hash_sees_every_part)
{
    struct small_dataset a, b;
    uint64_t reference;

    small_dataset_init(&a);
    small_dataset_init(&b);
    reference = gcv_journal_hash_dataset(&a.data);
    ck_assert_uint_eq(gcv_journal_hash_dataset(&b.data), reference);

    b.X[5] = nextafter(6.0, 7.0);
    ck_assert_uint_ne(gcv_journal_hash_dataset(&b.data), reference);
    small_dataset_init(&b);
    b.y[2] = 1;
    ck_assert_uint_ne(gcv_journal_hash_dataset(&b.data), reference);
    small_dataset_init(&b);
    b.label_b[0] = 'h';
    ck_assert_uint_ne(gcv_journal_hash_dataset(&b.data), reference);
    small_dataset_init(&b);
    b.holdout[1] = 1;
    ck_assert_uint_ne(gcv_journal_hash_dataset(&b.data), reference);
    small_dataset_init(&b);
    b.test_fold[2] = 0;
    ck_assert_uint_ne(gcv_journal_hash_dataset(&b.data), reference);

    /* A missing part differs from any present one. */
    small_dataset_init(&b);
    b.data.holdout = NULL;
    ck_assert_uint_ne(gcv_journal_hash_dataset(&b.data), reference);
    small_dataset_init(&b);
    b.data.test_fold = NULL;
    ck_assert_uint_ne(gcv_journal_hash_dataset(&b.data), reference);
}
END_TEST

static Suite *journal_suite(void)
{
    Suite *suite = suite_create("journal");
    TCase *checksums = tcase_create("checksums");
    TCase *records = tcase_create("records");
    TCase *headers = tcase_create("headers");

    tcase_add_test(checksums, crc32_matches_check_value);
    tcase_add_test(checksums, fnv1a_matches_reference_vectors);
    tcase_add_test(checksums, word_hash_matches_reference_and_sees_every_bit);
    tcase_add_test(checksums, dataset_hash_sees_every_part);
    suite_add_tcase(suite, checksums);

    tcase_add_test(records, records_round_trip);
    tcase_add_test(records, records_readable_before_close);
    tcase_add_test(records, torn_last_record_dropped_and_cut_on_reopen);
    tcase_add_test(records, torn_length_field_dropped);
    tcase_add_test(records, checksum_mismatch_detected);
    tcase_add_test(records, record_outside_grid_rejected);
    tcase_add_test(records, append_rejects_unfinished_task);
    suite_add_tcase(suite, records);

    tcase_add_test(headers, damaged_header_rejected);
    tcase_add_test(headers, other_file_rejected);
    tcase_add_test(headers, header_mismatch_names_spec);
    tcase_add_test(headers, header_mismatch_names_data);
    tcase_add_test(headers, header_mismatch_names_counts);
    suite_add_tcase(suite, headers);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(journal_suite());
    int n_failed;

    srunner_run_all(runner, CK_NORMAL);
    n_failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return n_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
