/* One read-only copy of the data per node, shared by every rank of the node
 * through an MPI-3 shared-memory window. This is the only module that uses
 * MPI windows.
 *
 * MPI_Comm_split_type(MPI_COMM_TYPE_SHARED) groups the ranks of each node.
 * The node leader (rank 0 of that group, its lowest world rank) scans the
 * HDF5 shards and allocates the window with MPI_Win_allocate_shared at the
 * size of the row arrays (0 bytes on the other ranks). It then reads the
 * shards straight into the window and encodes the labels. The other ranks
 * find the leader's segment with MPI_Win_shared_query. Every node leader
 * reads its whole copy, and because the encoding sorts the labels, every
 * node gets the same class codes from the same files.
 *
 * While the leader reads, the other ranks of its node wait in a
 * non-blocking broadcast polled with sleeps, so they leave the cores to
 * the reader. */
#ifndef GCV_SHM_H
#define GCV_SHM_H

#include <mpi.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "dataset.h"
#include "spec.h"
#include "split.h"
#include "status.h"

/* Setting this environment variable to 1 makes every rank log its node,
 * the size of its own window segment and of the node's copy. */
#define GCV_SHM_REPORT_ENV "GRIDCV_SHM_REPORT"

/* Setting this environment variable to N > 0 splits each node into groups
 * of N consecutive world ranks that each share their own copy, as if every
 * group were a node. It exists to test several node leaders on one
 * machine. */
#define GCV_SHM_GROUP_ENV "GRIDCV_SHM_RANKS_PER_NODE"

/* Bytes of the node board per rank of the node. The board is a zeroed
 * area after the data in the leader's segment, where the ranks of a node
 * announce items that the others may copy (worker/fold_share.h). */
#define GCV_SHM_BOARD_BYTES_PER_RANK 1024

/* A node's shared copy of the data, from one rank's view. */
struct gcv_shm {
    bool has_node;        /* node was created */
    MPI_Comm node;        /* ranks on this node */
    int node_rank;        /* 0 on the node leader */
    int node_size;
    int leader;           /* world rank of the node leader */
    bool has_window;      /* window was allocated */
    MPI_Win window;
    size_t own_bytes;     /* this rank's share of the row arrays: the node's copy on the
                             leader, else 0 (the leader's segment holds the board too) */
    size_t node_bytes;    /* the node's copy of the row arrays */
    void *board;          /* [board_bytes] in the leader's segment, NULL until loaded */
    size_t board_bytes;   /* node_size * GCV_SHM_BOARD_BYTES_PER_RANK */
    int n_nodes;          /* nodes in the job, once loaded */
    int max_node_size;    /* max ranks on one node, once loaded */
};

/* Collective over MPI_COMM_WORLD: loads the data of source into one shared
 * window per node and makes data's row arrays and shard list borrow it
 * (GCV_DATASET_BORROWED). The class lists are each rank's own. Every rank
 * takes part in the same collectives whatever fails, so the caller can
 * agree on the outcome with gcv_proto_agree afterwards. A failed
 * scan or read returns the leader's error (GCV_ERR_DATA naming the shard)
 * on the leader and GCV_ERR_DATA naming the leader on the other ranks of
 * its node; ranks on other nodes return GCV_OK. Nodes that read files of
 * different sizes or labels all return GCV_ERR_DATA. shm must be freed with
 * gcv_shm_free after data, on success or failure. */
enum gcv_status gcv_shm_load(struct gcv_shm *shm, const struct gcv_dataset_source *source,
                             struct gcv_dataset *data, struct gcv_error *err);

/* Collective over the node: frees the window and the node communicator.
 * Datasets that borrow the window must not be used afterwards. Accepts a
 * zeroed or never-loaded shm. */
void gcv_shm_free(struct gcv_shm *shm);

/* Writes into buf[len] the folder where Open MPI creates the backing file
 * of a shared window, when it can be known without MPI. That is the value
 * of OMPI_MCA_osc_sm_backing_directory when set, even empty. Otherwise it
 * is /dev/shm, Open MPI's Linux default, when no parameter file can set
 * it: neither /etc/openmpi/openmpi-mca-params.conf nor
 * ~/.openmpi/mca-params.conf mentions it, and no file is given by
 * OMPI_MCA_mca_base_param_files or mpirun --am or --tune. Returns false when it cannot tell, and the folder must be
 * read through the MPI tool interface, whose first call costs 0.2 s
 * (Open MPI opens every component). Needs no MPI. */
bool gcv_shm_backing_folder_known(char *buf, size_t len);

/* Prints, on one line, the memory a search needs per node: the node's copy
 * of the data and an estimate of each worker's working set. The estimate
 * counts copies of the largest fold's training rows, the fold lists, and
 * the kernel cache bound of estimators with scikit-learn's cache_size
 * parameter. */
void gcv_shm_print_memory(FILE *stream, const struct gcv_shm *shm, const struct gcv_spec *spec,
                          const struct gcv_dataset *data, const struct gcv_fold_plan *plan,
                          int n_workers);

#endif
