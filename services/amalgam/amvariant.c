/* amvariant.c: picking the amalgam.ho build a cluster file needs. */
#include "amvariant.h"

#include <stdio.h>
#include <string.h>

const amv_variant *amv_for(const amc_cluster *c, const char *path, char *err, size_t errn)
{
    for (int i = 0; i < amv_count; i++)
        if (amv_table[i].block == c->block && amv_table[i].per_inst == c->geo.per_inst)
            return &amv_table[i];
    char have[512] = "";
    size_t k = 0;
    for (int i = 0; i < amv_count && k < sizeof have; i++)
        k += (size_t)snprintf(have + k, sizeof have - k, "%s%lld B x %lld", i ? ", " : "",
                              (long long)amv_table[i].block, (long long)amv_table[i].per_inst);
    snprintf(err, errn,
             "%s:%d: no build of amalgam.ho has block %lld B with blocks-per-instance %lld: "
             "this amalgam serves (block x blocks-per-instance) %s; add the pair "
             "with cmake -DAMALGAM_VARIANTS=BLOCK:NB (services/amalgam/CMakeLists.txt) and rebuild",
             path, c->block_line, (long long)c->block, (long long)c->geo.per_inst, have);
    return NULL;
}
