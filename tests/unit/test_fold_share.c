/* Tests of worker/fold_share.c: two processes, a parent and a forked
 * child, play two ranks of one node on a board in shared anonymous
 * memory, and fill the same value. */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../common/shm.h"
#include "../../worker/fold_share.h"

#define N_BLOCKS 12
#define BLOCK_VALUES 1000
#define N_ROWS 40
#define N_FEATURES 3

/* The context of a block computation: the key's rows, a count of the
 * blocks computed, and a pause per block to keep the value in progress. */
struct test_work {
    const double *rows;
    size_t computed;
    long pause_ns;
    int started_fd;     /* written once before the first block, or -1 */
};

static size_t block_start(size_t block, void *context)
{
    (void)context;
    return block * BLOCK_VALUES * sizeof(double);
}

static double expected_value(size_t i, const double *rows)
{
    return (double)i * 0.25 + rows[i % (N_ROWS * N_FEATURES)];
}

static void compute_block(size_t block, void *value, void *context)
{
    struct test_work *work = context;
    double *out = value;

    if (work->started_fd >= 0) {
        ck_assert_int_eq(write(work->started_fd, "s", 1), 1);
        work->started_fd = -1;
    }
    if (work->pause_ns > 0)
        nanosleep(&(struct timespec){0, work->pause_ns}, NULL);
    for (size_t i = block * BLOCK_VALUES; i < (block + 1) * BLOCK_VALUES; i++)
        out[i] = expected_value(i, work->rows);
    work->computed++;
}

static const size_t value_bytes = N_BLOCKS * BLOCK_VALUES * sizeof(double);

static void fill_rows(double *rows)
{
    for (size_t i = 0; i < N_ROWS * N_FEATURES; i++)
        rows[i] = (double)(i % 7) - 0.5 * (double)(i % 3);
}

static struct gcv_fold_share_key key_of(const double *rows)
{
    return (struct gcv_fold_share_key){
        .kind = 1,
        .param_bits = 0,
        .rows = rows,
        .rows_hash = 0x1234,
        .n_rows = N_ROWS,
        .n_features = N_FEATURES,
    };
}

static bool value_is_expected(const double *value, const double *rows)
{
    for (size_t i = 0; i < N_BLOCKS * BLOCK_VALUES; i++)
        if (value[i] != expected_value(i, rows))
            return false;
    return true;
}

static void *new_board(void)
{
    void *board = mmap(NULL, 2 * GCV_SHM_BOARD_BYTES_PER_RANK, PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    ck_assert_ptr_ne(board, MAP_FAILED);
    return board;
}

/* The child, rank 1: how it fills the value, and what it does after. */
struct child_plan {
    long pause_ns;      /* per block */
    bool withdraw;      /* withdraw the entry once filled */
    bool parent_off;    /* the parent fills with GRIDCV_FOLD_SHARE=0 */
    bool publish;       /* compute every block alone, then publish the value */
};

struct child {
    pid_t pid;
    int events;         /* read end: 's' at the first block, 'f' once filled */
    int go;             /* write end: one byte lets the child exit */
};

/* Forks a child that fills the value as rank 1 on board, reports, and
 * waits for the parent before it exits (its status 0 when its own value
 * was right). */
static struct child start_child(void *board, const struct child_plan *plan)
{
    int events[2], go[2];
    struct child child;

    ck_assert_int_eq(pipe(events), 0);
    ck_assert_int_eq(pipe(go), 0);
    child.pid = fork();
    ck_assert_int_ge(child.pid, 0);
    if (child.pid == 0) {
        double rows[N_ROWS * N_FEATURES];
        double *value = malloc(value_bytes);
        struct test_work work = {rows, 0, plan->pause_ns, events[1]};
        struct gcv_fold_share_key key;
        char byte;
        bool right;

        fill_rows(rows);
        key = key_of(rows);
        gcv_fold_share_attach(board, 2 * GCV_SHM_BOARD_BYTES_PER_RANK, 1, 2);
        if (plan->publish) {
            for (size_t b = 0; b < N_BLOCKS; b++)
                compute_block(b, value, &work);
            gcv_fold_share_publish(7, &key, value, value_bytes);
        } else {
            gcv_fold_share_fill(7, &key, value, value_bytes,
                                &(struct gcv_fold_share_work){N_BLOCKS, block_start,
                                                              compute_block, &work});
        }
        right = value_is_expected(value, rows);
        if (plan->withdraw)
            gcv_fold_share_withdraw(7);
        if (write(events[1], "f", 1) != 1 || read(go[0], &byte, 1) != 1)
            _exit(3);
        gcv_fold_share_detach();
        _exit(right ? 0 : 2);
    }
    close(events[1]);
    close(go[0]);
    child.events = events[0];
    child.go = go[1];
    return child;
}

static void wait_for_event(const struct child *child, char expected)
{
    char byte = 0;

    while (byte != expected)
        ck_assert_int_eq(read(child->events, &byte, 1), 1);
}

/* Lets the child exit and returns its exit status. */
static int finish_child(const struct child *child)
{
    int status;

    ck_assert_int_eq(write(child->go, "g", 1), 1);
    ck_assert_int_eq(waitpid(child->pid, &status, 0), child->pid);
    close(child->events);
    close(child->go);
    ck_assert(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* Fills the value as rank 0 with rows, and returns the blocks it computed. */
static size_t fill_as_parent(void *board, const double *rows, double *value)
{
    struct test_work work = {rows, 0, 0, -1};
    struct gcv_fold_share_key key = key_of(rows);
    size_t computed;

    gcv_fold_share_attach(board, 2 * GCV_SHM_BOARD_BYTES_PER_RANK, 0, 2);
    computed = gcv_fold_share_fill(9, &key, value, value_bytes,
                                   &(struct gcv_fold_share_work){N_BLOCKS, block_start,
                                                                 compute_block, &work});
    ck_assert_uint_eq(work.computed, computed);
    gcv_fold_share_detach();
    return computed;
}

START_TEST(without_board_computes_every_block)
{
    double rows[N_ROWS * N_FEATURES];
    double *value = malloc(value_bytes);

    fill_rows(rows);
    ck_assert_uint_eq(fill_as_parent(NULL, rows, value), N_BLOCKS);
    ck_assert(value_is_expected(value, rows));
    free(value);
}
END_TEST

/* The parent's step beside the child. */
enum parent_action { PARENT_FILLS, PARENT_COPIES };

/* Starts a child with plan, waits for its event ('s' or 'f'), and takes
 * the parent's step with rows. Checks the child's value, and the parent's
 * when it has one. Returns the blocks the parent computed when it fills,
 * or 1 when it got a copy and 0 when not. */
static size_t beside_child(const struct child_plan *plan, char event, const double *rows,
                           enum parent_action action)
{
    void *board = new_board();
    struct child child = start_child(board, plan);
    double *value = malloc(value_bytes);
    struct gcv_fold_share_key key = key_of(rows);
    size_t result;

    wait_for_event(&child, event);
    if (action == PARENT_FILLS) {
        if (plan->parent_off)
            setenv(GCV_FOLD_SHARE_ENV, "0", 1);
        result = fill_as_parent(board, rows, value);
        unsetenv(GCV_FOLD_SHARE_ENV);
        ck_assert(value_is_expected(value, rows));
    } else {
        gcv_fold_share_attach(board, 2 * GCV_SHM_BOARD_BYTES_PER_RANK, 0, 2);
        result = gcv_fold_share_copy(&key, value, value_bytes) ? 1 : 0;
        gcv_fold_share_detach();
        if (result == 1)
            ck_assert(value_is_expected(value, rows));
    }
    if (event != 'f')
        wait_for_event(&child, 'f');
    ck_assert_int_eq(finish_child(&child), 0);
    free(value);
    munmap(board, 2 * GCV_SHM_BOARD_BYTES_PER_RANK);
    return result;
}

static size_t fill_beside_child(const struct child_plan *plan, char event, const double *rows)
{
    return beside_child(plan, event, rows, PARENT_FILLS);
}

static bool copy_beside_child(const struct child_plan *plan, char event, const double *rows)
{
    return beside_child(plan, event, rows, PARENT_COPIES) == 1;
}

START_TEST(complete_value_copied)
{
    double rows[N_ROWS * N_FEATURES];

    fill_rows(rows);
    ck_assert_uint_eq(fill_beside_child(&(struct child_plan){0}, 'f', rows), 0);
}
END_TEST

START_TEST(other_rows_not_copied)
{
    double rows[N_ROWS * N_FEATURES];

    /* Same hash, sizes and kind as the child's key, one value apart. */
    fill_rows(rows);
    rows[N_ROWS * N_FEATURES - 1] += 1.0;
    ck_assert_uint_eq(fill_beside_child(&(struct child_plan){0}, 'f', rows),
                      N_BLOCKS);
}
END_TEST

START_TEST(withdrawn_value_not_copied)
{
    double rows[N_ROWS * N_FEATURES];

    fill_rows(rows);
    ck_assert_uint_eq(fill_beside_child(&(struct child_plan){.withdraw = true}, 'f', rows),
                      N_BLOCKS);
}
END_TEST

START_TEST(blocks_split_while_computed)
{
    double rows[N_ROWS * N_FEATURES];
    size_t computed;

    /* The child spends 20 ms per block, so the parent, which joins at the
     * child's first block, computes most of the others. Both values must
     * be whole, and the child's exit status reports on its own. */
    fill_rows(rows);
    computed = fill_beside_child(&(struct child_plan){.pause_ns = 20000000L}, 's', rows);
    ck_assert_uint_gt(computed, 0);
    ck_assert_uint_lt(computed, N_BLOCKS);
}
END_TEST

START_TEST(environment_turns_sharing_off)
{
    double rows[N_ROWS * N_FEATURES];

    fill_rows(rows);
    ck_assert_uint_eq(fill_beside_child(&(struct child_plan){.parent_off = true}, 'f', rows),
                      N_BLOCKS);
}
END_TEST

START_TEST(published_value_copied)
{
    double rows[N_ROWS * N_FEATURES];

    fill_rows(rows);
    ck_assert(copy_beside_child(&(struct child_plan){.publish = true}, 'f', rows));
}
END_TEST

START_TEST(filled_value_copied)
{
    double rows[N_ROWS * N_FEATURES];

    fill_rows(rows);
    ck_assert(copy_beside_child(&(struct child_plan){0}, 'f', rows));
}
END_TEST

START_TEST(other_rows_publication_not_copied)
{
    double rows[N_ROWS * N_FEATURES];

    fill_rows(rows);
    rows[0] -= 1.0;
    ck_assert(!copy_beside_child(&(struct child_plan){.publish = true}, 'f', rows));
}
END_TEST

START_TEST(withdrawn_publication_not_copied)
{
    double rows[N_ROWS * N_FEATURES];

    fill_rows(rows);
    ck_assert(!copy_beside_child(&(struct child_plan){.withdraw = true, .publish = true}, 'f',
                                 rows));
}
END_TEST

START_TEST(value_in_progress_not_copied)
{
    double rows[N_ROWS * N_FEATURES];

    /* The child is at the first of its 12 blocks of 20 ms. A copy must
     * neither wait for it nor take the unfinished value. */
    fill_rows(rows);
    ck_assert(!copy_beside_child(&(struct child_plan){.pause_ns = 20000000L}, 's', rows));
}
END_TEST

static Suite *fold_share_suite(void)
{
    Suite *suite = suite_create("fold_share");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, without_board_computes_every_block);
    tcase_add_test(tc, complete_value_copied);
    tcase_add_test(tc, other_rows_not_copied);
    tcase_add_test(tc, withdrawn_value_not_copied);
    tcase_add_test(tc, blocks_split_while_computed);
    tcase_add_test(tc, environment_turns_sharing_off);
    tcase_add_test(tc, published_value_copied);
    tcase_add_test(tc, filled_value_copied);
    tcase_add_test(tc, other_rows_publication_not_copied);
    tcase_add_test(tc, withdrawn_publication_not_copied);
    tcase_add_test(tc, value_in_progress_not_copied);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(fold_share_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
