/* amvariant.h: the builds of amalgam.ho linked into this program. Block
 * size and blocks a shard per instance are consts of the .ho, so each
 * supported pair is compiled separately (services/amalgam/CMakeLists.txt,
 * AMALGAM_VARIANTS) and the cluster file picks one at start-up. */
#ifndef HOC_AMVARIANT_H
#define HOC_AMVARIANT_H

#include <stddef.h>
#include <stdint.h>

#include "amcluster.h"
#include "hoc_rt.h"

typedef struct amv_variant {
    int64_t block;        /* EC_BLOCK: bytes a block */
    int64_t per_inst;     /* NB: blocks a shard one instance holds */
    const hoc_algo *algo; /* the compiled protocol */
} amv_variant;

/* The builds, generated (gen/amvariants.c). */
extern const amv_variant amv_table[];
extern const int amv_count;

/* The build for the cluster's block and blocks-per-instance: it, or NULL
 * with "FILE:LINE: ..." in err naming the sizes built and how to add one. */
const amv_variant *amv_for(const amc_cluster *c, const char *path, char *err, size_t errn);

#endif
