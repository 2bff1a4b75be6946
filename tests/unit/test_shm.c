/* Suite "shm": the folder of the node's shared window, as
 * gcv_shm_backing_folder_known finds it without MPI from the environment
 * and Open MPI's parameter files. Each test sets HOME to a scratch folder
 * of its own, so the user's own ~/.openmpi does not count. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/shm.h"

/* True when the system file, which the tests cannot change, mentions the
 * folder: then only the environment variable sets it without MPI. */
static bool system_file_sets_folder(void)
{
    char line[4096];
    bool found = false;
    FILE *file = fopen("/etc/openmpi/openmpi-mca-params.conf", "r");

    if (file == NULL)
        return false;
    while (!found && fgets(line, sizeof line, file) != NULL)
        found = strstr(line, "osc_sm_backing_directory") != NULL;
    fclose(file);
    return found;
}

/* A fresh HOME under /tmp, with no variable of Open MPI set. */
static char home[64];

static void setup(void)
{
    snprintf(home, sizeof home, "/tmp/gridcv-test-shm.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(home));
    setenv("HOME", home, 1);
    unsetenv("OMPI_MCA_osc_sm_backing_directory");
    unsetenv("OMPI_MCA_mca_base_param_files");
    unsetenv("OMPI_MCA_mca_base_param_file_prefix");
    unsetenv("OMPI_MCA_mca_base_envar_file_prefix");
}

static void teardown(void)
{
    char path[128];

    snprintf(path, sizeof path, "%s/.openmpi/mca-params.conf", home);
    unlink(path);
    snprintf(path, sizeof path, "%s/.openmpi", home);
    rmdir(path);
    rmdir(home);
}

START_TEST(environment_value_wins)
{
    char folder[256];

    setenv("OMPI_MCA_osc_sm_backing_directory", "/var/tmp", 1);
    ck_assert(gcv_shm_backing_folder_known(folder, sizeof folder));
    ck_assert_str_eq(folder, "/var/tmp");
}
END_TEST

START_TEST(empty_environment_value_is_kept)
{
    char folder[256] = "unchanged";

    /* Open MPI takes an empty value as given and fails on it, so the
     * free-space check must see it too. */
    setenv("OMPI_MCA_osc_sm_backing_directory", "", 1);
    ck_assert(gcv_shm_backing_folder_known(folder, sizeof folder));
    ck_assert_str_eq(folder, "");
}
END_TEST

START_TEST(default_is_dev_shm)
{
    char folder[256];

    if (system_file_sets_folder()) {
        ck_assert(!gcv_shm_backing_folder_known(folder, sizeof folder));
        return;
    }
    ck_assert(gcv_shm_backing_folder_known(folder, sizeof folder));
    ck_assert_str_eq(folder, "/dev/shm");
}
END_TEST

/* Writes text as the user's ~/.openmpi/mca-params.conf under the scratch
 * HOME. */
static void write_user_file(const char *text)
{
    char path[128];
    FILE *file;

    snprintf(path, sizeof path, "%s/.openmpi", home);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/.openmpi/mca-params.conf", home);
    file = fopen(path, "w");
    ck_assert_ptr_nonnull(file);
    fputs(text, file);
    fclose(file);
}

START_TEST(user_file_setting_folder_is_unknown)
{
    char folder[256];

    write_user_file("# local settings\nosc_sm_backing_directory = /scratch\n");
    ck_assert(!gcv_shm_backing_folder_known(folder, sizeof folder));
}
END_TEST

START_TEST(user_file_without_folder_keeps_default)
{
    char folder[256];

    if (system_file_sets_folder())
        return;
    write_user_file("btl = ^openib\n");
    ck_assert(gcv_shm_backing_folder_known(folder, sizeof folder));
    ck_assert_str_eq(folder, "/dev/shm");
}
END_TEST

START_TEST(extra_parameter_files_are_unknown)
{
    /* The variables behind a parameter file in the environment, mpirun
     * --am and mpirun --tune. */
    static const char *const names[] = {
        "OMPI_MCA_mca_base_param_files",
        "OMPI_MCA_mca_base_param_file_prefix",
        "OMPI_MCA_mca_base_envar_file_prefix",
    };
    char folder[256];

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        setenv(names[i], "/etc/site-mca.conf", 1);
        ck_assert_msg(!gcv_shm_backing_folder_known(folder, sizeof folder), "%s", names[i]);
        unsetenv(names[i]);
    }
}
END_TEST

static Suite *shm_suite(void)
{
    Suite *suite = suite_create("shm");
    TCase *folder = tcase_create("backing_folder");

    tcase_add_checked_fixture(folder, setup, teardown);
    tcase_add_test(folder, environment_value_wins);
    tcase_add_test(folder, empty_environment_value_is_kept);
    tcase_add_test(folder, default_is_dev_shm);
    tcase_add_test(folder, user_file_setting_folder_is_unknown);
    tcase_add_test(folder, user_file_without_folder_keeps_default);
    tcase_add_test(folder, extra_parameter_files_are_unknown);
    suite_add_tcase(suite, folder);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(shm_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
