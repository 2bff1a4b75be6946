/* Suite "status": the status list (names, messages, exit codes) and the
 * error buffer (gcv_error_set, gcv_error_prefix, gcv_error_clear). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/status.h"

START_TEST(every_status_has_name_message_and_exit_code)
{
    for (int s = 0; s < GCV_STATUS_COUNT; s++) {
        const char *name = gcv_status_name((enum gcv_status)s);
        const char *message = gcv_status_message((enum gcv_status)s);
        int code = gcv_status_exit_code((enum gcv_status)s);

        ck_assert_msg(strncmp(name, "GCV_", 4) == 0, "status %d is named \"%s\"", s, name);
        ck_assert_msg(strlen(message) > 0, "status %d (%s) has an empty message", s, name);
        ck_assert_msg(code >= 0 && code <= 3, "status %s exits with %d", name, code);
        ck_assert_msg((code == 0) == (s == GCV_OK), "status %s exits with %d", name, code);

        for (int t = 0; t < s; t++)
            ck_assert_msg(strcmp(name, gcv_status_name((enum gcv_status)t)) != 0,
                          "statuses %d and %d are both named %s", t, s, name);
    }
}
END_TEST

START_TEST(status_names_match_enum)
{
    ck_assert_str_eq(gcv_status_name(GCV_OK), "GCV_OK");
    ck_assert_str_eq(gcv_status_name(GCV_ERR_USAGE), "GCV_ERR_USAGE");
    ck_assert_str_eq(gcv_status_name(GCV_ERR_SPEC), "GCV_ERR_SPEC");
    ck_assert_str_eq(gcv_status_name(GCV_ERR_DATA), "GCV_ERR_DATA");
    ck_assert_str_eq(gcv_status_name(GCV_ERR_PARAM), "GCV_ERR_PARAM");
    ck_assert_str_eq(gcv_status_name(GCV_ERR_IO), "GCV_ERR_IO");
    ck_assert_str_eq(gcv_status_name(GCV_ERR_NOMEM), "GCV_ERR_NOMEM");
    ck_assert_str_eq(gcv_status_name(GCV_ERR_MPI), "GCV_ERR_MPI");
    ck_assert_str_eq(gcv_status_name(GCV_ERR_FIT), "GCV_ERR_FIT");
    ck_assert_str_eq(gcv_status_name(GCV_ERR_INTERNAL), "GCV_ERR_INTERNAL");
    ck_assert_str_eq(gcv_status_message(GCV_ERR_SPEC), "invalid search spec");
    ck_assert_str_eq(gcv_status_message(GCV_OK), "success");
}
END_TEST

/* Bad input the user can fix exits with 2, a failure while running with
 * 1 and a search stopped early by a signal with 3, as `gridcv run --help`
 * documents. */
START_TEST(exit_codes_split_bad_input_from_failures)
{
    ck_assert_int_eq(gcv_status_exit_code(GCV_OK), 0);
    ck_assert_int_eq(gcv_status_exit_code(GCV_ERR_USAGE), 2);
    ck_assert_int_eq(gcv_status_exit_code(GCV_ERR_SPEC), 2);
    ck_assert_int_eq(gcv_status_exit_code(GCV_ERR_DATA), 2);
    ck_assert_int_eq(gcv_status_exit_code(GCV_ERR_PARAM), 2);
    ck_assert_int_eq(gcv_status_exit_code(GCV_ERR_IO), 1);
    ck_assert_int_eq(gcv_status_exit_code(GCV_ERR_NOMEM), 1);
    ck_assert_int_eq(gcv_status_exit_code(GCV_ERR_MPI), 1);
    ck_assert_int_eq(gcv_status_exit_code(GCV_ERR_FIT), 1);
    ck_assert_int_eq(gcv_status_exit_code(GCV_ERR_INTERNAL), 1);
    ck_assert_int_eq(gcv_status_exit_code(GCV_ERR_TIMEOUT), 1);
    ck_assert_int_eq(gcv_status_exit_code(GCV_STOPPED), 3);
}
END_TEST

START_TEST(unknown_status_is_named_and_fails)
{
    enum gcv_status outside = (enum gcv_status)GCV_STATUS_COUNT;
    enum gcv_status negative = (enum gcv_status)-1;

    ck_assert_str_eq(gcv_status_name(outside), "GCV_UNKNOWN");
    ck_assert_str_eq(gcv_status_name(negative), "GCV_UNKNOWN");
    ck_assert_str_eq(gcv_status_message(outside), "unknown status");
    ck_assert_int_eq(gcv_status_exit_code(outside), 1);
    ck_assert_int_eq(gcv_status_exit_code(negative), 1);
}
END_TEST

START_TEST(error_set_formats_and_returns_status)
{
    struct gcv_error err = {GCV_OK, ""};
    enum gcv_status status;

    status = gcv_error_set(&err, GCV_ERR_SPEC, "cv must be >= %d, got %d", 2, 1);
    ck_assert_int_eq(status, GCV_ERR_SPEC);
    ck_assert_int_eq(err.status, GCV_ERR_SPEC);
    ck_assert_str_eq(err.message, "cv must be >= 2, got 1");

    /* A second error replaces the first whole. */
    status = gcv_error_set(&err, GCV_ERR_IO, "disk full");
    ck_assert_int_eq(status, GCV_ERR_IO);
    ck_assert_int_eq(err.status, GCV_ERR_IO);
    ck_assert_str_eq(err.message, "disk full");
}
END_TEST

START_TEST(error_set_accepts_null_buffer)
{
    ck_assert_int_eq(gcv_error_set(NULL, GCV_ERR_DATA, "ignored %s", "text"), GCV_ERR_DATA);
}
END_TEST

START_TEST(error_set_truncates_long_message)
{
    struct gcv_error err = {GCV_OK, ""};
    char long_text[3 * GCV_ERROR_MAX];

    memset(long_text, 'x', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    long_text[0] = 'A';

    gcv_error_set(&err, GCV_ERR_SPEC, "%s", long_text);
    ck_assert_int_eq(err.status, GCV_ERR_SPEC);
    ck_assert_uint_eq(strlen(err.message), GCV_ERROR_MAX - 1);
    ck_assert_int_eq(err.message[0], 'A');
    ck_assert_int_eq(err.message[GCV_ERROR_MAX - 2], 'x');
}
END_TEST

START_TEST(error_prefix_prepends_and_keeps_status)
{
    struct gcv_error err = {GCV_OK, ""};
    enum gcv_status status;

    gcv_error_set(&err, GCV_ERR_DATA, "dataset \"X\" not found");
    status = gcv_error_prefix(&err, "%s: ", "spec.json");
    ck_assert_int_eq(status, GCV_ERR_DATA);
    ck_assert_int_eq(err.status, GCV_ERR_DATA);
    ck_assert_str_eq(err.message, "spec.json: dataset \"X\" not found");

    status = gcv_error_prefix(&err, "run %d: ", 3);
    ck_assert_int_eq(status, GCV_ERR_DATA);
    ck_assert_str_eq(err.message, "run 3: spec.json: dataset \"X\" not found");
}
END_TEST

/* When prefix and message overflow the buffer, the joined text is cut at
 * its end, so the prefix survives and the message's tail is lost. */
START_TEST(error_prefix_truncates_long_result)
{
    struct gcv_error err = {GCV_OK, ""};
    char long_prefix[GCV_ERROR_MAX + 100];
    char tail[GCV_ERROR_MAX];

    memset(long_prefix, 'p', sizeof long_prefix - 1);
    long_prefix[sizeof long_prefix - 1] = '\0';
    memset(tail, 'm', sizeof tail - 1);
    tail[sizeof tail - 1] = '\0';

    /* Message nearly full: prefix plus message exceed the buffer. */
    gcv_error_set(&err, GCV_ERR_FIT, "%s", tail);
    gcv_error_prefix(&err, "context: ");
    ck_assert_int_eq(err.status, GCV_ERR_FIT);
    ck_assert_uint_eq(strlen(err.message), GCV_ERROR_MAX - 1);
    ck_assert_int_eq(strncmp(err.message, "context: mmm", 12), 0);

    /* Prefix alone longer than the buffer. */
    gcv_error_set(&err, GCV_ERR_FIT, "short");
    gcv_error_prefix(&err, "%s", long_prefix);
    ck_assert_uint_eq(strlen(err.message), GCV_ERROR_MAX - 1);
    ck_assert_ptr_null(strchr(err.message, 's'));
}
END_TEST

START_TEST(error_clear_resets_status_and_message)
{
    struct gcv_error err = {GCV_OK, ""};

    gcv_error_set(&err, GCV_ERR_MPI, "MPI_Send failed");
    gcv_error_clear(&err);
    ck_assert_int_eq(err.status, GCV_OK);
    ck_assert_str_eq(err.message, "");
    gcv_error_clear(NULL);
}
END_TEST

static Suite *status_suite(void)
{
    Suite *suite = suite_create("status");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, every_status_has_name_message_and_exit_code);
    tcase_add_test(tc, status_names_match_enum);
    tcase_add_test(tc, exit_codes_split_bad_input_from_failures);
    tcase_add_test(tc, unknown_status_is_named_and_fails);
    tcase_add_test(tc, error_set_formats_and_returns_status);
    tcase_add_test(tc, error_set_accepts_null_buffer);
    tcase_add_test(tc, error_set_truncates_long_message);
    tcase_add_test(tc, error_prefix_prepends_and_keeps_status);
    tcase_add_test(tc, error_prefix_truncates_long_result);
    tcase_add_test(tc, error_clear_resets_status_and_message);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(status_suite());
    int n_failed;

    srunner_run_all(runner, CK_NORMAL);
    n_failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return n_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
