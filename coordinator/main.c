/* gridcv: scikit-learn's GridSearchCV for MPI clusters.
 *
 * The entry point parses the command line before MPI starts, so that
 * --help and usage errors need no MPI job, then runs the subcommand on
 * every rank and ends every rank through MPI_Finalize with one exit code. */
#include <cblas.h>
#include <ctype.h>
#include <getopt.h>
#include <math.h>
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/dataset.h"
#include "../common/log.h"
#include "../common/shm.h"
#include "../worker/task.h"
#include "predict.h"
#include "report.h"
#include "search.h"

#define GCV_VERSION "0.1.0"

static const char usage_main[] =
    "usage: gridcv [--help] [--version] COMMAND [ARGS]\n"
    "\n"
    "Grid search with cross-validation, as scikit-learn's GridSearchCV, on MPI.\n"
    "\n"
    "commands:\n"
    "  run SPEC      run the search described by the JSON spec file SPEC\n"
    "  check SPEC    check SPEC and its data and show what run would do,\n"
    "                without fitting anything\n"
    "  report DIR    print the summary of the search in output folder DIR\n"
    "                again and rewrite its plot\n"
    "  predict MODEL DATA\n"
    "                predict the rows of the HDF5 file DATA with MODEL, the\n"
    "                model.h5 that run saves in its output folder\n"
    "\n"
    "Run a search on several ranks with mpirun or srun, e.g.\n"
    "  mpirun -n 4 gridcv run search.json --out results\n"
    "Rank 0 coordinates; every other rank fits models. check and report\n"
    "need no MPI job: run them as `gridcv check search.json`.\n"
    "`gridcv COMMAND --help` lists a command's options.\n"
    "\n"
    "options:\n"
    "  -h, --help      show this help and exit\n"
    "  --version       print the version and exit\n";

static const char usage_run[] =
    "usage: gridcv run [options] SPEC\n"
    "\n"
    "Runs the grid search described by the JSON spec file SPEC and writes\n"
    "cv_results.csv, cv_results.json, best.json, a copy of the spec and a\n"
    "plot of the mean test scores (heatmap.svg when two parameters vary\n"
    "around the best setting, validation_curve.svg when one does) into the\n"
    "output folder.\n"
    "\n"
    "options:\n"
    "  -o, --out DIR   output folder (default: gridcv-NAME in the current\n"
    "                  folder, NAME being the spec file's name up to its\n"
    "                  first dot)\n"
    "  -f, --force     overwrite an output folder that holds another search\n"
    "  -q, --quiet     print no start line and no progress; the summary,\n"
    "                  warnings and errors still print (default: both print)\n"
    "  -v, --verbose   also print one line per fit on standard error, as\n"
    "                  scikit-learn's verbose=3 (default: off)\n"
    "  -r, --resume    continue the search journalled in the output folder\n"
    "                  (its journal.bin): run only the fits it lacks\n"
    "  -g, --grace SECONDS\n"
    "                  after SIGTERM or SIGUSR1, the time the running fits\n"
    "                  get to finish before gridcv exits with status 3\n"
    "                  (default 60)\n"
    "  --blas-threads N\n"
    "                  OpenBLAS threads of each rank (default:\n"
    "                  OPENBLAS_NUM_THREADS, else Slurm's SLURM_CPUS_PER_TASK,\n"
    "                  else 1); the workers of a node times N should not\n"
    "                  exceed its cores\n"
    "  --fold-cache-mb MB\n"
    "                  memory each rank may keep for work shared by the fits\n"
    "                  of one fold, such as kernel matrices (default 1024;\n"
    "                  0 turns the cache off)\n"
    "  --lockstep N    fits of one fold that differ only in C run together,\n"
    "                  up to N at a time, sharing their matrix products\n"
    "                  (LogisticRegression; same results; default 8, 1 runs\n"
    "                  each fit alone)\n"
    "  --data-check-timeout SECONDS\n"
    "                  time a separate process gets to read the data files'\n"
    "                  structure and labels before a file that crashes or\n"
    "                  hangs the HDF5 library is reported as damaged\n"
    "                  (default 60; 0 reads without that check)\n"
    "  -h, --help      show this help and exit\n"
    "\n"
    "exit status: 0 success, 2 bad input (command line, spec, data),\n"
    "1 failure while running, 3 stopped early by SIGTERM or SIGUSR1 (run\n"
    "again with --resume to finish).\n";

static const char usage_check[] =
    "usage: gridcv check [options] SPEC\n"
    "\n"
    "Checks the JSON spec file SPEC, the output folder and the data as\n"
    "`gridcv run` does, without fitting anything, and prints what the run\n"
    "would do: the data shape and classes, the folds and their sizes, the\n"
    "candidates and fits, and an estimate of the memory per node. Needs no\n"
    "MPI job; under mpirun only the first process prints.\n"
    "\n"
    "options:\n"
    "  -o, --out DIR   output folder to check, as for run (default:\n"
    "                  gridcv-NAME in the current folder, NAME being the\n"
    "                  spec file's name up to its first dot)\n"
    "  -f, --force     accept an output folder that holds another search,\n"
    "                  as run --force does (default: reject it)\n"
    "  --data-check-timeout SECONDS\n"
    "                  as for run (default 60)\n"
    "  -h, --help      show this help and exit\n"
    "\n"
    "exit status: 0 valid, 2 bad input (one error line on standard error),\n"
    "1 failure while reading.\n";

static const char usage_report[] =
    "usage: gridcv report [options] DIR\n"
    "\n"
    "Prints the summary of the search whose output folder is DIR again (best\n"
    "parameters and score, holdout score, table of mean test scores) and\n"
    "rewrites its plot, heatmap.svg or validation_curve.svg. A search that\n"
    "has not finished is reported from its journal, journal.bin: the fits\n"
    "recorded so far. Needs no MPI job; under mpirun only the first process\n"
    "prints.\n"
    "\n"
    "options:\n"
    "  -h, --help      show this help and exit\n"
    "\n"
    "exit status: 0 success, 2 DIR is not an output folder or its files are\n"
    "damaged (one error line on standard error), 1 failure while reading or\n"
    "writing.\n";

static const char usage_predict[] =
    "usage: gridcv predict [options] MODEL DATA\n"
    "\n"
    "Predicts every row of X in the HDF5 file DATA with MODEL, the model.h5\n"
    "that `gridcv run` writes into its output folder after the refit. DATA\n"
    "is read as run reads data; it needs no y. Writes, per row, the\n"
    "predicted label (or target), and the decision_function value of a\n"
    "two-class model and the predict_proba columns where the estimator has\n"
    "them. Runs in one process; under mpirun only the first process works.\n"
    "\n"
    "options:\n"
    "  --X NAME        dataset of the rows in DATA (default: X)\n"
    "  -o, --out FILE  write to FILE: CSV when FILE ends in .csv, else HDF5\n"
    "                  with datasets predictions, decision_function,\n"
    "                  predict_proba and classes (default: CSV on standard\n"
    "                  output)\n"
    "  --threads N     threads a forest may use, and OpenBLAS threads\n"
    "                  (default: as run counts them per rank:\n"
    "                  GRIDCV_CORES_PER_RANK, else SLURM_CPUS_PER_TASK, else\n"
    "                  the CPUs of the process divided by the ranks of the\n"
    "                  node; OpenBLAS as run's --blas-threads); at most the\n"
    "                  CPUs of the process\n"
    "  -h, --help      show this help and exit\n"
    "\n"
    "exit status: 0 success, 2 bad input (a missing or foreign model file, a\n"
    "newer model format, unreadable data, another number of features than\n"
    "the model's; one error line on standard error), 1 failure while\n"
    "predicting or writing.\n";

/* Returns true on the rank that should print before MPI starts: Open MPI
 * and Slurm tell each process its rank through the environment. */
static int is_first_process(void)
{
    const char *rank = getenv("OMPI_COMM_WORLD_RANK");
    if (rank == NULL)
        rank = getenv("PMIX_RANK");
    if (rank == NULL)
        rank = getenv("SLURM_PROCID");
    return rank == NULL || strcmp(rank, "0") == 0;
}

/* True for the process of local rank 0 under mpirun, the node leader of
 * common/shm.c, and for a process whose launcher sets no local rank. */
static bool is_node_leader(void)
{
    const char *local_rank = getenv("OMPI_COMM_WORLD_LOCAL_RANK");

    return local_rank == NULL || strcmp(local_rank, "0") == 0;
}

/* Returns code, for main to return before MPI_Init once a usage error is
 * printed. Under a launcher every process parses the same command line
 * and gets here. mpirun kills the rest of a job as soon as one process
 * exits non-zero, which can kill the first process before its message is
 * out. So a process that a launcher started joins MPI and leaves it
 * together with the others, after the first process has printed. */
static int end_before_mpi(int code)
{
    int launched = getenv("OMPI_COMM_WORLD_RANK") != NULL || getenv("PMIX_RANK") != NULL ||
                   getenv("SLURM_PROCID") != NULL;

    if (code != 0 && launched && MPI_Init(NULL, NULL) == MPI_SUCCESS) {
        MPI_Barrier(MPI_COMM_WORLD);
        MPI_Finalize();
    }
    return code;
}

/* The number of the signal that asked the search to stop early, 0 until
 * one arrives. Only request_stop writes it. */
static volatile sig_atomic_t stop_signal;

static void request_stop(int signal_number)
{
    stop_signal = signal_number;
}

/* Makes SIGTERM and SIGUSR1 request an early stop instead of ending the
 * process. Called before MPI_Init, so that a signal during start-up is
 * caught too; Open MPI 4.1 leaves handlers installed before MPI_Init in
 * place. SA_RESTART keeps file reads and writes from failing with EINTR. */
static int install_stop_handlers(void)
{
    struct sigaction action;

    memset(&action, 0, sizeof action);
    action.sa_handler = request_stop;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    if (sigaction(SIGTERM, &action, NULL) != 0 || sigaction(SIGUSR1, &action, NULL) != 0)
        return -1;
    return 0;
}

/* Returns the OpenBLAS threads per rank when --blas-threads is not
 * given: OPENBLAS_NUM_THREADS when the user set it, else the cores Slurm
 * gave each task (SLURM_CPUS_PER_TASK), so that a batch script's
 * --cpus-per-task reaches the fits, else 1. */
static int default_blas_threads(void)
{
    static const char *const sources[] = {"OPENBLAS_NUM_THREADS", "SLURM_CPUS_PER_TASK"};

    for (size_t i = 0; i < sizeof sources / sizeof sources[0]; i++) {
        const char *text = getenv(sources[i]);
        char *end;
        long count;

        if (text == NULL || *text == '\0')
            continue;
        count = strtol(text, &end, 10);
        if (*end == '\0' && count >= 1 && count <= 1024)
            return (int)count;
    }
    return 1;
}

/* Parses optarg, the value of the run option name, as an integer in
 * [low, high] into *out. Returns 0, or 2 with the error printed. what
 * names the value in the message ("an integer"). */
static int parse_count(const char *name, const char *what, long long low, long long high,
                       long long *out)
{
    char *end;
    long long count = strtoll(optarg, &end, 10);

    /* strtoll also takes leading spaces and a plus sign; the value may
     * only be digits, with a minus sign to report a negative one. */
    if (end == optarg || *end != '\0' || count < low || count > high ||
        !(isdigit((unsigned char)optarg[0]) || optarg[0] == '-')) {
        if (is_first_process())
            fprintf(stderr, "gridcv: error: run: %s must be %s in [%lld, %lld], got \"%s\"\n",
                    name, what, low, high, optarg);
        return 2;
    }
    *out = count;
    return 0;
}

/* Applies --data-check-timeout of command. Returns 0, or 2 with the error
 * printed for a value that is not a number of seconds >= 0. */
static int set_data_check_timeout(const char *command, const char *text)
{
    char *end;
    double seconds = strtod(text, &end);

    if (end == text || *end != '\0' || !isfinite(seconds) || seconds < 0) {
        if (is_first_process())
            fprintf(stderr, "gridcv: error: %s: --data-check-timeout must be a number of "
                    "seconds >= 0 (0 turns the check off), got \"%s\"\n", command, text);
        return 2;
    }
    gcv_dataset_set_check_timeout(seconds);
    return 0;
}

/* Parses `run` options. Returns 0 to run, -1 after --help, 2 on a usage
 * error. */
static int parse_run(int argc, char **argv, struct gcv_run_options *options)
{
    static const struct option long_options[] = {
        {"out", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, 'f'},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"resume", no_argument, NULL, 'r'},
        {"grace", required_argument, NULL, 'g'},
        {"blas-threads", required_argument, NULL, 'B'},
        {"fold-cache-mb", required_argument, NULL, 'M'},
        {"lockstep", required_argument, NULL, 'L'},
        {"data-check-timeout", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int option;
    char *end;
    long long count;

    memset(options, 0, sizeof *options);
    options->verbosity = 1;
    options->grace = 60;
    options->blas_threads = default_blas_threads();
    options->fold_cache_mb = 1024;
    options->lockstep = GCV_TASK_DEFAULT_BATCH;
    opterr = 0;
    optind = 1;
    while ((option = getopt_long(argc, argv, "o:fqvrg:h", long_options, NULL)) != -1) {
        switch (option) {
        case 'o':
            options->out_dir = optarg;
            break;
        case 'f':
            options->force = true;
            break;
        case 'q':
            options->verbosity = 0;
            break;
        case 'v':
            options->verbosity = 2;
            break;
        case 'r':
            options->resume = true;
            break;
        case 'g':
            options->grace = strtod(optarg, &end);
            if (end == optarg || *end != '\0' || !isfinite(options->grace) ||
                options->grace < 0) {
                if (is_first_process())
                    fprintf(stderr, "gridcv: error: run: --grace must be a number of seconds "
                            ">= 0, got \"%s\"\n", optarg);
                return 2;
            }
            break;
        case 'B':
            if (parse_count("--blas-threads", "an integer", 1, 1024, &count) != 0)
                return 2;
            options->blas_threads = (int)count;
            break;
        case 'M':
            if (parse_count("--fold-cache-mb", "an integer number of megabytes", 0, 1LL << 30,
                            &count) != 0)
                return 2;
            options->fold_cache_mb = (size_t)count;
            break;
        case 'L':
            if (parse_count("--lockstep", "an integer", 1, 1024, &count) != 0)
                return 2;
            options->lockstep = (size_t)count;
            break;
        case 'T':
            if (set_data_check_timeout("run", optarg) != 0)
                return 2;
            break;
        case 'h':
            if (is_first_process())
                fputs(usage_run, stdout);
            return -1;
        default:
            if (is_first_process())
                fprintf(stderr, "gridcv: error: run: unknown or incomplete option \"%s\"; see "
                        "`gridcv run --help`\n", argv[optind - 1]);
            return 2;
        }
    }
    if (optind != argc - 1) {
        if (is_first_process())
            fprintf(stderr, "gridcv: error: run: expected one spec file, got %d arguments; see "
                    "`gridcv run --help`\n", argc - optind);
        return 2;
    }
    if (options->resume && options->force) {
        if (is_first_process())
            fprintf(stderr, "gridcv: error: run: --resume continues the journalled search and "
                    "--force starts over; pass only one of them\n");
        return 2;
    }
    options->spec_path = argv[optind];
    return 0;
}

/* Parses the options of check (with_folder) or report. Returns 0 to go on,
 * -1 after --help, 2 on a usage error. */
static int parse_offline(const char *command, const char *usage, bool with_folder, int argc,
                         char **argv, struct gcv_run_options *options)
{
    static const struct option long_options[] = {
        {"out", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, 'f'},
        {"data-check-timeout", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int option;

    memset(options, 0, sizeof *options);
    opterr = 0;
    optind = 1;
    while ((option = getopt_long(argc, argv, with_folder ? "o:fh" : "h", long_options, NULL)) !=
           -1) {
        if (option == 'h') {
            fputs(usage, stdout);
            return -1;
        }
        if (option == 'o' && with_folder) {
            options->out_dir = optarg;
        } else if (option == 'f' && with_folder) {
            options->force = true;
        } else if (option == 'T' && with_folder) {
            if (set_data_check_timeout(command, optarg) != 0)
                return 2;
        } else {
            fprintf(stderr, "gridcv: error: %s: unknown or incomplete option \"%s\"; see "
                    "`gridcv %s --help`\n", command, argv[optind - 1], command);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "gridcv: error: %s: expected one %s, got %d arguments; see "
                "`gridcv %s --help`\n", command, with_folder ? "spec file" : "output folder",
                argc - optind, command);
        return 2;
    }
    options->spec_path = argv[optind];
    return 0;
}

/* Runs check or report. Neither calls MPI_Init: both read files in one
 * process, so they start at once on a login node, and under mpirun the
 * processes other than the first end at once, silent. */
static int run_offline(const char *command, int argc, char **argv)
{
    bool is_check = strcmp(command, "check") == 0;
    struct gcv_run_options options;
    int code;

    if (!is_first_process())
        return 0;
    code = parse_offline(command, is_check ? usage_check : usage_report, is_check, argc, argv,
                         &options);
    if (code != 0)
        return code < 0 ? 0 : code;
    gcv_log_init(0, GCV_LOG_WARN);
    return is_check ? gcv_search_check(&options) : gcv_report_run(options.spec_path);
}

/* Parses `predict` options. Returns 0 to go on, -1 after --help, 2 on a
 * usage error. *threads is 0 unless --threads is given. */
static int parse_predict(int argc, char **argv, struct gcv_predict_options *options,
                         long *threads)
{
    static const struct option long_options[] = {
        {"X", required_argument, NULL, 'X'},
        {"out", required_argument, NULL, 'o'},
        {"threads", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int option;
    char *end;

    memset(options, 0, sizeof *options);
    options->X_name = "X";
    *threads = 0;
    opterr = 0;
    optind = 1;
    while ((option = getopt_long(argc, argv, "o:h", long_options, NULL)) != -1) {
        switch (option) {
        case 'X':
            options->X_name = optarg;
            break;
        case 'o':
            options->out_path = optarg;
            break;
        case 't':
            *threads = strtol(optarg, &end, 10);
            if (end == optarg || *end != '\0' || *threads < 1 || *threads > 1024) {
                fprintf(stderr, "gridcv: error: predict: --threads must be an integer in "
                        "[1, 1024], got \"%s\"\n", optarg);
                return 2;
            }
            break;
        case 'h':
            fputs(usage_predict, stdout);
            return -1;
        default:
            fprintf(stderr, "gridcv: error: predict: unknown or incomplete option \"%s\"; see "
                    "`gridcv predict --help`\n", argv[optind - 1]);
            return 2;
        }
    }
    if (optind != argc - 2) {
        fprintf(stderr, "gridcv: error: predict: expected a model file and a data file, got "
                "%d argument%s%s; see `gridcv predict --help`\n", argc - optind,
                argc - optind == 1 ? "" : "s",
                argc - optind > 2 ? " (to predict several shards, quote their pattern, "
                                    "'shard_*.h5', so that gridcv expands it)" : "");
        return 2;
    }
    options->model_path = argv[optind];
    options->data_path = argv[optind + 1];
    if (options->model_path[0] == '\0' || options->data_path[0] == '\0' ||
        options->X_name[0] == '\0') {
        fprintf(stderr, "gridcv: error: predict: %s is empty; see `gridcv predict --help`\n",
                options->model_path[0] == '\0'  ? "the model file argument"
                : options->data_path[0] == '\0' ? "the data file argument"
                                                : "--X");
        return 2;
    }
    return 0;
}

/* Runs predict in one process without MPI, as check and report run; under
 * mpirun the processes other than the first end at once, silent. The
 * threads follow run's budget per rank, so that ranks times threads stay
 * within the cores. */
static int run_predict(int argc, char **argv)
{
    struct gcv_predict_options options;
    long threads, cpus = sysconf(_SC_NPROCESSORS_ONLN);
    char text[32];
    int code;

    if (!is_first_process())
        return 0;
    code = parse_predict(argc, argv, &options, &threads);
    if (code != 0)
        return code < 0 ? 0 : code;
    if (threads > 0) {
        if (cpus > 0 && threads > cpus)
            threads = cpus;
        snprintf(text, sizeof text, "%ld", threads);
        setenv("GRIDCV_CORES_PER_RANK", text, 1);
        openblas_set_num_threads((int)threads);
    } else {
        openblas_set_num_threads(default_blas_threads());
    }
    gcv_log_init(0, GCV_LOG_WARN);
    return gcv_predict_run(&options);
}

int main(int argc, char **argv)
{
    struct gcv_run_options options;
    int code, rank = 0, thread_level = MPI_THREAD_SINGLE, tool_level = MPI_THREAD_SINGLE;
    bool tool_interface = false;
    char backing[1024];       /* the shared window's folder, when known without MPI */

    if (argc < 2) {
        if (is_first_process())
            fputs(usage_main, stderr);
        return end_before_mpi(2);
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        if (is_first_process())
            fputs(usage_main, stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        if (is_first_process())
            printf("gridcv %s\n", GCV_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "check") == 0 || strcmp(argv[1], "report") == 0)
        return run_offline(argv[1], argc - 1, argv + 1);
    if (strcmp(argv[1], "predict") == 0)
        return run_predict(argc - 1, argv + 1);
    if (strcmp(argv[1], "run") != 0) {
        if (is_first_process())
            fprintf(stderr, "gridcv: error: unknown command \"%s\"; commands: run, check, "
                    "report, predict (see `gridcv --help`)\n", argv[1]);
        return end_before_mpi(2);
    }

    code = parse_run(argc - 1, argv + 1, &options);
    if (code != 0)
        return end_before_mpi(code < 0 ? 0 : code);
    options.stop_signal = &stop_signal;
    if (install_stop_handlers() != 0) {
        fprintf(stderr, "gridcv: error: cannot install the SIGTERM and SIGUSR1 handlers\n");
        return 1;
    }

    /* The node leader needs Open MPI's osc_sm_backing_directory before it
     * shares the data (common/shm.c). Where no MCA source sets it, it is
     * known without MPI. Otherwise it is read through the MPI tool
     * interface, and Open MPI 4.1 opens every component on the first
     * MPI_T_init_thread: 0.21 s after MPI_Init on a 2-core AMD EPYC, less
     * when it comes first, since MPI_Init then reuses the opened
     * components. The leader is local rank 0 under mpirun. */
    if (is_node_leader() && !gcv_shm_backing_folder_known(backing, sizeof backing))
        tool_interface = MPI_T_init_thread(MPI_THREAD_SINGLE, &tool_level) == MPI_SUCCESS;

    /* Forests build trees on threads of their own, but only the main
     * thread calls MPI, which is what MPI_THREAD_FUNNELED promises. */
    if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &thread_level) != MPI_SUCCESS) {
        fprintf(stderr, "gridcv: error: MPI_Init_thread failed\n");
        return 1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    gcv_log_init(rank, GCV_LOG_WARN);

    /* OpenBLAS would otherwise start a thread per core in every rank, and
     * the ranks of a node would compete for the same cores. */
    openblas_set_num_threads(options.blas_threads);

    code = gcv_search_run(&options);

    if (tool_interface)
        MPI_T_finalize();
    MPI_Finalize();
    return code;
}
