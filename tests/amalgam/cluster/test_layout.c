/* test_layout.c: properties of Amalgam's layout (services/amalgam/amlayout.h)
 * over every small geometry, and the thesis' figures 3.3 and 3.4 as
 * transcribed from the text. Exit 0 when everything holds; each failure is
 * printed with its geometry. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "amlayout.h"

static int failures;
static long long checks;

#define CHECK(cond, geo, ...)                                                                      \
    do {                                                                                           \
        checks++;                                                                                  \
        if (!(cond)) {                                                                             \
            if (failures++ < 20) {                                                                 \
                printf("FAIL g=%d f=%d w=%d M=%d stripes=%lld per_inst=%lld: ", (geo)->g,          \
                       (geo)->f, (geo)->w, (geo)->machines, (long long)(geo)->stripes,             \
                       (long long)(geo)->per_inst);                                                \
                printf(__VA_ARGS__);                                                               \
                printf("\n");                                                                      \
            }                                                                                      \
        }                                                                                          \
    } while (0)

/* No machine plays two positions of a stripe; aml_position inverts aml_machine. */
static void stripes_ok(const aml_geom *geo)
{
    int k = aml_width(geo);
    for (int64_t b = 0; b < geo->stripes; b++) {
        int used[64] = {0}, owner[256];
        memset(owner, -1, sizeof owner);
        for (int j = 0; j < k; j++) {
            int m = aml_machine(geo, b, j);
            CHECK(m >= 0 && m < geo->machines, geo, "stripe %lld position %d on machine %d",
                  (long long)b, j, m);
            if (m < 0 || m >= geo->machines) continue;
            CHECK(owner[m] < 0, geo, "stripe %lld: machine %d plays positions %d and %d",
                  (long long)b, m, owner[m], j);
            owner[m] = j;
            CHECK(aml_position(geo, b, m) == j, geo, "stripe %lld: position of machine %d",
                  (long long)b, m);
            int idx;
            aml_role r = aml_role_of_pid(geo, j, &idx);
            int by_role = r == AML_DATA     ? aml_data_machine(geo, b, idx)
                          : r == AML_PARITY ? aml_parity_machine(geo, b, idx)
                                            : aml_witness_machine(geo, b, idx);
            CHECK(by_role == m && aml_pid_of(geo, r, idx) == j, geo,
                  "stripe %lld: role %c%d is on machine %d, not %d", (long long)b,
                  aml_role_letter(r), idx, by_role, m);
            used[r]++;
        }
        for (int m = 0; m < geo->machines; m++)
            if (owner[m] < 0)
                CHECK(aml_position(geo, b, m) == -1, geo, "stripe %lld: idle machine %d",
                      (long long)b, m);
        CHECK(used[AML_DATA] == geo->g && used[AML_PARITY] == geo->f && used[AML_WITNESS] == geo->w,
              geo, "stripe %lld: role counts", (long long)b);
    }
    CHECK(aml_machine(geo, geo->stripes, 0) == -1 && aml_machine(geo, 0, k) == -1 &&
              aml_machine(geo, -1, 0) == -1,
          geo, "out of range machine queries");
}

/* Every stripe is in one instance at one block; the inverse finds it again;
 * an instance's stripes all give each machine the same pid. */
static void instances_ok(const aml_geom *geo)
{
    int64_t ni = aml_instances(geo);
    bool full = geo->stripes % ((int64_t)geo->machines * geo->per_inst) == 0;
    if (full) CHECK(ni == geo->stripes / geo->per_inst, geo, "%lld instances", (long long)ni);
    for (int64_t b = 0; b < geo->stripes; b++) {
        int64_t blk = -1, i = aml_instance_of(geo, b, &blk);
        CHECK(i >= 0 && i < ni && blk >= 0 && blk < geo->per_inst, geo,
              "stripe %lld: instance %lld block %lld", (long long)b, (long long)i, (long long)blk);
        CHECK(aml_stripe_of(geo, i, blk) == b, geo, "stripe %lld: inverse gives %lld", (long long)b,
              (long long)aml_stripe_of(geo, i, blk));
        for (int p = 0; p < aml_width(geo); p++)
            CHECK(aml_pid_machine(geo, i, p, NULL) == aml_machine(geo, b, p), geo,
                  "stripe %lld: pid %d of instance %lld", (long long)b, p, (long long)i);
    }
    for (int64_t i = 0; i < ni; i++) {
        for (int64_t blk = 0; blk < geo->per_inst; blk++) {
            int64_t b = aml_stripe_of(geo, i, blk), i2, blk2;
            if (full)
                CHECK(b >= 0, geo, "instance %lld block %lld is empty", (long long)i,
                      (long long)blk);
            if (b < 0) continue;
            i2 = aml_instance_of(geo, b, &blk2);
            CHECK(i2 == i && blk2 == blk, geo, "instance %lld block %lld", (long long)i,
                  (long long)blk);
        }
        aml_role r;
        CHECK(aml_pid_machine(geo, i, aml_width(geo), &r) == -1 && r == AML_RECONF, geo,
              "the reconfiguration service's pid");
    }
    CHECK(aml_instance_of(geo, geo->stripes, NULL) == -1 && aml_stripe_of(geo, ni, 0) == -1 &&
              aml_stripe_of(geo, 0, geo->per_inst) == -1,
          geo, "out of range instance queries");
}

/* The inverse: which pid each machine's server plays in each instance. */
static void servers_ok(const aml_geom *geo)
{
    static const aml_role roles[] = {AML_DATA, AML_PARITY, AML_WITNESS};
    for (int64_t i = 0; i < aml_instances(geo); i++) {
        int plays[64] = {0};
        for (int m = 0; m < geo->machines; m++) {
            int n = 0;
            for (int k = 0; k < 3; k++) {
                int p = aml_server_pid(geo, m, roles[k], i);
                if (p < 0) continue;
                n++;
                aml_role r;
                CHECK(aml_pid_machine(geo, i, p, &r) == m && r == roles[k], geo,
                      "instance %lld: machine %d's %c server plays pid %d", (long long)i, m,
                      aml_role_letter(roles[k]), p);
                if (p < 64) plays[p]++;
            }
            CHECK(n <= 1, geo, "instance %lld: machine %d plays %d pids", (long long)i, m, n);
        }
        for (int p = 0; p < aml_width(geo); p++)
            CHECK(plays[p] == 1, geo, "instance %lld: pid %d played %d times", (long long)i, p,
                  plays[p]);
    }
}

/* Loads counted stripe by stripe agree with aml_load and are balanced:
 * exactly when every instance is full, within an instance's worth otherwise. */
static void loads_ok(const aml_geom *geo)
{
    static const aml_role roles[] = {AML_DATA, AML_PARITY, AML_WITNESS};
    const int per_stripe[] = {geo->g, geo->f, geo->w};
    bool full = geo->stripes % ((int64_t)geo->machines * geo->per_inst) == 0;
    for (int k = 0; k < 3; k++) {
        int64_t lo = -1, hi = -1, total = 0;
        for (int m = 0; m < geo->machines; m++) {
            int64_t n = 0;
            for (int64_t b = 0; b < geo->stripes; b++) {
                int j = aml_position(geo, b, m);
                n += j >= 0 && aml_role_of_pid(geo, j, NULL) == roles[k];
            }
            CHECK(aml_load(geo, m, roles[k]) == n, geo, "machine %d's %c load %lld, counted %lld",
                  m, aml_role_letter(roles[k]), (long long)aml_load(geo, m, roles[k]),
                  (long long)n);
            lo = lo < 0 || n < lo ? n : lo;
            hi = n > hi ? n : hi;
            total += n;
        }
        CHECK(total == geo->stripes * per_stripe[k], geo, "%c blocks in all",
              aml_role_letter(roles[k]));
        CHECK(hi - lo <= per_stripe[k] * geo->per_inst, geo, "%c load %lld..%lld",
              aml_role_letter(roles[k]), (long long)lo, (long long)hi);
        if (full)
            CHECK(hi == lo, geo, "%c load %lld..%lld with full instances",
                  aml_role_letter(roles[k]), (long long)lo, (long long)hi);
    }
}

/* The figures of the thesis, one row a stripe, one column a machine, as
 * printed there (1-based d<stripe,shard> and p<stripe,row>, w a witness). */
static void figure(const char *name, int g, int f, int w, int M, const char *const *rows, int nrows)
{
    aml_geom geo = {.g = g, .f = f, .w = w, .machines = M, .stripes = nrows, .per_inst = 1};
    for (int b = 0; b < nrows; b++) {
        char got[256] = "";
        for (int m = 0; m < M; m++) {
            int idx, j = aml_position(&geo, b, m);
            aml_role r = aml_role_of_pid(&geo, j, &idx);
            char cell[48];
            if (r == AML_WITNESS)
                snprintf(cell, sizeof cell, "%sw", m ? " " : "");
            else
                snprintf(cell, sizeof cell, "%s%c%d,%d", m ? " " : "", aml_role_letter(r), b + 1,
                         idx + 1);
            strcat(got, cell);
        }
        CHECK(strcmp(got, rows[b]) == 0, &geo, "%s row %d: '%s', the thesis has '%s'", name, b + 1,
              got, rows[b]);
    }
}

int main(void)
{
    static const char *const fig33[] = {
        "d1,1 d1,2 d1,3 p1,1 p1,2",
        "d2,2 d2,3 p2,1 p2,2 d2,1",
        "d3,3 p3,1 p3,2 d3,1 d3,2",
        "p4,1 p4,2 d4,1 d4,2 d4,3",
    };
    static const char *const fig34[] = {
        "d1,1 d1,2 d1,3 p1,1 p1,2 w w", "d2,2 d2,3 p2,1 p2,2 w w d2,1",
        "d3,3 p3,1 p3,2 w w d3,1 d3,2", "p4,1 p4,2 w w d4,1 d4,2 d4,3",
        "p5,2 w w d5,1 d5,2 d5,3 p5,1", "w w d6,1 d6,2 d6,3 p6,1 p6,2",
    };
    figure("figure 3.3", 3, 2, 0, 5, fig33, 4);
    figure("figure 3.4", 3, 2, 2, 7, fig34, 6);
    int geometries = 0;
    for (int g = 1; g <= 4; g++)
        for (int f = 1; f <= 3; f++)
            for (int w = 0; w <= 2; w++)
                for (int M = g + f + w; M <= g + f + w + 3; M++)
                    for (int per = 1; per <= 3; per++)
                        for (int64_t s = 1; s <= 2 * M * per + 1; s++) {
                            aml_geom geo = {g, f, w, M, s, per};
                            char err[128];
                            CHECK(aml_check(&geo, err, sizeof err) == 0, &geo, "rejected");
                            stripes_ok(&geo);
                            instances_ok(&geo);
                            servers_ok(&geo);
                            loads_ok(&geo);
                            geometries++;
                        }
    aml_geom narrow = {3, 2, 1, 5, 10, 1};
    char err[128];
    CHECK(aml_check(&narrow, err, sizeof err) != 0, &narrow, "6 roles on 5 machines accepted");
    aml_geom wide = {40, 20, 4, 64, 64, 1};
    CHECK(aml_check(&wide, err, sizeof err) != 0, &wide, "n = 65 accepted");
    printf("%d geometries, %lld checks, %d failures\n", geometries, checks, failures);
    return failures ? 1 : 0;
}
