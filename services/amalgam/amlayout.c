/* amlayout.c: the rotation of Amalgam's roles over machines (amlayout.h). */
#include "amlayout.h"

#include <stdio.h>

#include "hoc_rt.h"

/* Stripes and instances are counted in int64_t; this bound keeps every
 * product below (a class's stripes times M, a chunk index times per_inst)
 * far from overflow. */
#define AML_MAX_STRIPES ((int64_t)1 << 48)
#define AML_MAX_MACHINES 1000000

int aml_check(const aml_geom *geo, char *err, size_t errcap)
{
    const char *why = NULL;
    if (geo->g < 1)
        why = "g must be at least 1";
    else if (geo->f < 1)
        why = "f must be at least 1";
    else if (geo->w < 0)
        why = "witnesses must be at least 0";
    else if (geo->g + geo->f + geo->w + 1 > HOC_MAXN)
        why = "g + f + witnesses + 1 (amalgam.ho's n) must be at most 64";
    else if (geo->machines < geo->g + geo->f + geo->w || geo->machines > AML_MAX_MACHINES)
        why = "machines must be at least g + f + witnesses (and at most 1000000)";
    else if (geo->stripes < 1 || geo->stripes > AML_MAX_STRIPES)
        why = "stripes must be 1 to 2^48";
    else if (geo->per_inst < 1 || geo->per_inst > AML_MAX_STRIPES)
        why = "per_inst must be 1 to 2^48";
    if (!why) return 0;
    snprintf(err, errcap, "%s", why);
    return -1;
}

int aml_width(const aml_geom *geo)
{
    return geo->g + geo->f + geo->w;
}

aml_role aml_role_of_pid(const aml_geom *geo, int pid, int *index)
{
    aml_role r = AML_NONE;
    int at = 0;
    if (pid < 0 || pid > aml_width(geo))
        r = AML_NONE;
    else if (pid < geo->g)
        r = AML_DATA, at = pid;
    else if (pid < geo->g + geo->f)
        r = AML_PARITY, at = pid - geo->g;
    else if (pid < aml_width(geo))
        r = AML_WITNESS, at = pid - geo->g - geo->f;
    else
        r = AML_RECONF;
    if (index) *index = r == AML_NONE ? -1 : at;
    return r;
}

int aml_pid_of(const aml_geom *geo, aml_role role, int index)
{
    switch (role) {
    case AML_DATA:
        return index >= 0 && index < geo->g ? index : -1;
    case AML_PARITY:
        return index >= 0 && index < geo->f ? geo->g + index : -1;
    case AML_WITNESS:
        return index >= 0 && index < geo->w ? geo->g + geo->f + index : -1;
    case AML_RECONF:
        return index == 0 ? aml_width(geo) : -1;
    default:
        return -1;
    }
}

int aml_class(const aml_geom *geo, int64_t b_or_i)
{
    if (b_or_i < 0) return -1;
    return (int)(b_or_i % geo->machines);
}

/* Figures 3.3/3.4 shift each stripe's roles one machine to the left: machine
 * m plays position (m + b) mod M, so position j sits on (j - b) mod M. */
int aml_machine(const aml_geom *geo, int64_t b, int j)
{
    if (b < 0 || b >= geo->stripes || j < 0 || j >= aml_width(geo)) return -1;
    int M = geo->machines;
    return (j - aml_class(geo, b) + M) % M;
}

int aml_data_machine(const aml_geom *geo, int64_t b, int s)
{
    int j = aml_pid_of(geo, AML_DATA, s);
    return j < 0 ? -1 : aml_machine(geo, b, j);
}

int aml_parity_machine(const aml_geom *geo, int64_t b, int r)
{
    int j = aml_pid_of(geo, AML_PARITY, r);
    return j < 0 ? -1 : aml_machine(geo, b, j);
}

int aml_witness_machine(const aml_geom *geo, int64_t b, int w)
{
    int j = aml_pid_of(geo, AML_WITNESS, w);
    return j < 0 ? -1 : aml_machine(geo, b, j);
}

int aml_position(const aml_geom *geo, int64_t b, int m)
{
    if (b < 0 || b >= geo->stripes || m < 0 || m >= geo->machines) return -1;
    int j = (m + aml_class(geo, b)) % geo->machines;
    return j < aml_width(geo) ? j : -1;
}

/* Stripes of rotation class t: b = t, t + M, ... below stripes. */
static int64_t class_stripes(const aml_geom *geo, int t)
{
    return t < geo->stripes ? (geo->stripes - t + geo->machines - 1) / geo->machines : 0;
}

int64_t aml_instances(const aml_geom *geo)
{
    int64_t most = class_stripes(geo, 0); /* class 0 has the most */
    return (int64_t)geo->machines * ((most + geo->per_inst - 1) / geo->per_inst);
}

int64_t aml_instance_of(const aml_geom *geo, int64_t b, int64_t *block)
{
    if (b < 0 || b >= geo->stripes) return -1;
    int64_t q = b / geo->machines; /* b's rank inside its class */
    if (block) *block = q % geo->per_inst;
    return (q / geo->per_inst) * geo->machines + aml_class(geo, b);
}

int64_t aml_stripe_of(const aml_geom *geo, int64_t i, int64_t block)
{
    if (i < 0 || i >= aml_instances(geo) || block < 0 || block >= geo->per_inst) return -1;
    int64_t q = (i / geo->machines) * geo->per_inst + block;
    int64_t b = q * geo->machines + aml_class(geo, i);
    return b < geo->stripes ? b : -1;
}

int aml_pid_machine(const aml_geom *geo, int64_t i, int p, aml_role *role)
{
    aml_role r = aml_role_of_pid(geo, p, NULL);
    if (role) *role = r;
    if (i < 0 || i >= aml_instances(geo) || r == AML_NONE || r == AML_RECONF) return -1;
    /* every stripe of the instance has i's class, so the class decides */
    int M = geo->machines;
    return (p - aml_class(geo, i) + M) % M;
}

int aml_server_pid(const aml_geom *geo, int m, aml_role role, int64_t i)
{
    if (m < 0 || m >= geo->machines || i < 0 || i >= aml_instances(geo)) return -1;
    int j = (m + aml_class(geo, i)) % geo->machines;
    return j < aml_width(geo) && aml_role_of_pid(geo, j, NULL) == role ? j : -1;
}

int64_t aml_load(const aml_geom *geo, int m, aml_role role)
{
    if (m < 0 || m >= geo->machines) return 0;
    int64_t n = 0;
    for (int t = 0; t < geo->machines; t++) {
        int j = (m + t) % geo->machines;
        if (j < aml_width(geo) && aml_role_of_pid(geo, j, NULL) == role) n += class_stripes(geo, t);
    }
    return n;
}

char aml_role_letter(aml_role role)
{
    switch (role) {
    case AML_DATA:
        return 'd';
    case AML_PARITY:
        return 'p';
    case AML_WITNESS:
        return 'w';
    case AML_RECONF:
        return 'r';
    default:
        return '-';
    }
}
