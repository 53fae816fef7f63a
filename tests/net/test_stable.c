/* test_stable.c: the replica's stable storage (runtime/stable.c) with
 * LastVoting's state, no sockets:
 *  - a steady load (a window of 64 instances sliding over 60,000, four
 *    rounds each) keeps the states on disk bounded: segments are replaced
 *    and ended instances' states leave;
 *  - reopening hands back every ended instance (with its decision) and the
 *    latest state and round of every live one, nothing else;
 *  - a torn record and one with a bad checksum at the end of the segment
 *    are cut and never loaded, and the store goes on from there;
 *  - a directory of another process, or a state layout from another
 *    build, is refused with a message;
 *  - so is a state whose checksum is good but whose fields hold what no
 *    run stores (a bool of 2), however often it is reopened. */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "last_voting.h"
#include "stable.h"

#include "hoc_check.h"

#define WINDOW 64
#define TOTAL 60000
#define ROUNDS 4

/* What the engine would hold: the live instances' states and rounds. */
typedef struct World {
    last_voting_state st[WINDOW];
    int64_t round[WINDOW];
    uint64_t first; /* live: first .. first + WINDOW - 1 */
    /* what a replay handed back */
    uint64_t ended, decided_ok, states, states_ok, bogus;
} World;

static const void *state_of(void *ctx, uint64_t inst, int64_t *round)
{
    World *w = ctx;
    if (inst < w->first || inst >= w->first + WINDOW) return NULL;
    *round = w->round[inst % WINDOW];
    return &w->st[inst % WINDOW];
}

static int on_ended(void *ctx, uint64_t inst, const uint8_t *v, size_t len, char *err, size_t n)
{
    (void)err, (void)n;
    World *w = ctx;
    w->ended++;
    if (v && len == 1 && v[0] == (uint8_t)(inst % 2)) w->decided_ok++;
    return 0;
}

static int on_state(void *ctx, uint64_t inst, int64_t round, const void *state, char *err, size_t n)
{
    (void)err, (void)n;
    World *w = ctx;
    w->states++;
    const last_voting_state *s = state;
    if (inst >= w->first && inst < w->first + WINDOW && round == w->round[inst % WINDOW] &&
        memcmp(s, &w->st[inst % WINDOW], sizeof *s) == 0)
        w->states_ok++;
    if (inst >= w->first + WINDOW) w->bogus++;
    return 0;
}

static hoc_stable *open_in(const char *dir, World *w, int id, char *err, size_t n)
{
    hoc_stable_owner o = {&last_voting_algo, 7, id, 5};
    hoc_stable_replay rp = {w, on_ended, on_state};
    hoc_logger log = {HOC_LOG_ERROR, id};
    return hoc_stable_open(dir, HOC_FSYNC_NEVER, &o, &log, &rp, state_of, w, err, n);
}

/* Bytes of the states.* files in dir, and how many there are. */
static uint64_t states_bytes(const char *dir, int *files)
{
    DIR *d = opendir(dir);
    uint64_t total = 0;
    *files = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (strncmp(e->d_name, "states.", 7) != 0) continue;
        char p[600];
        struct stat sb;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (stat(p, &sb) == 0) total += (uint64_t)sb.st_size, (*files)++;
    }
    if (d) closedir(d);
    return total;
}

static char *last_segment(const char *dir)
{
    static char best[900];
    char name[256] = "";
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));)
        if (strncmp(e->d_name, "states.", 7) == 0 && strcmp(e->d_name, name) > 0)
            snprintf(name, sizeof name, "%s", e->d_name);
    if (d) closedir(d);
    snprintf(best, sizeof best, "%s/%s", dir, name);
    return best;
}

int main(void)
{
    char dir[] = "/tmp/hoc-stable-XXXXXX", err[1024];
    if (!mkdtemp(dir)) return 2;
    World w = {0};
    hoc_stable *s = open_in(dir, &w, 1, err, sizeof err);
    CHECK(s != NULL);
    if (!s) return check_summary("net-stable");

    /* the load, with the disk measured as it goes */
    uint64_t most = 0;
    for (uint64_t i = 0; i < TOTAL; i++) {
        last_voting_state *st = &w.st[i % WINDOW];
        for (int r = 0; r < ROUNDS; r++) {
            memset(st, 0, sizeof *st);
            st->x = (int64_t)i, st->ts = r, st->vote = (int64_t)(i * 7);
            w.round[i % WINDOW] = r;
            CHECK(hoc_stable_state(s, i, r, st) == 0);
        }
        if (i + 1 >= WINDOW) { /* the oldest decides and ends */
            uint64_t old = i + 1 - WINDOW;
            uint8_t v = (uint8_t)(old % 2);
            CHECK(hoc_stable_decided(s, old, &v, 1) == 0);
            hoc_stable_forget(s, old);
            w.first = old + 1;
        }
        if (i % 50 == 0) {
            CHECK(hoc_stable_sync(s) == 0);
            int files;
            uint64_t b = states_bytes(dir, &files);
            if (b > most) most = b;
        }
    }
    CHECK(hoc_stable_sync(s) == 0);
    const hoc_stable_stats *stt = hoc_stable_get_stats(s);
    printf("%" PRIu64 " records, %" PRIu64 " segments; states on disk at most %" PRIu64
           " bytes (%" PRIu64 " appended)\n",
           stt->records, stt->segments, most, stt->bytes);
    CHECK(stt->segments > 3);       /* replaced as it went */
    CHECK(most <= 6 * 1024 * 1024); /* bounded: 4 MiB and twice the live states */
    CHECK(stt->bytes > 3 * most);   /* far more went through than stayed */
    hoc_stable_close(s);

    /* reopening: every ended instance, and the live ones' latest states */
    World r = w;
    r.ended = r.decided_ok = r.states = r.states_ok = 0;
    s = open_in(dir, &r, 1, err, sizeof err);
    CHECK(s != NULL);
    CHECK(r.ended == TOTAL - WINDOW + 1 && r.decided_ok == r.ended);
    CHECK(r.states == WINDOW - 1 && r.states_ok == r.states);
    hoc_stable_close(s);

    /* a torn record, then (after the cut) one with a bad checksum */
    for (int k = 0; k < 2; k++) {
        FILE *f = fopen(last_segment(dir), "ab");
        uint8_t rec[8 + 17 + sizeof(last_voting_state)] = {0};
        uint32_t len = 17 + sizeof(last_voting_state), crc = 12345;
        memcpy(rec, &len, 4), memcpy(rec + 4, &crc, 4);
        rec[8] = 2;                /* STATE */
        uint64_t inst = TOTAL + 5; /* never started */
        memcpy(rec + 9, &inst, 8);
        fwrite(rec, 1, k == 0 ? sizeof rec / 2 : sizeof rec, f); /* torn: half of it */
        fclose(f);
        r.ended = r.decided_ok = r.states = r.states_ok = r.bogus = 0;
        s = open_in(dir, &r, 1, err, sizeof err);
        CHECK(s != NULL);
        if (!s) break;
        CHECK(hoc_stable_get_stats(s)->cut == 1);
        CHECK(r.bogus == 0 && r.states == WINDOW - 1 && r.states_ok == r.states);
        hoc_stable_close(s);
    }

    /* another process's directory, another build's layout */
    s = open_in(dir, &r, 2, err, sizeof err);
    CHECK(s == NULL && strstr(err, "belongs to process 1 of 5, this is process 2 of 5"));
    hoc_algo other = last_voting_algo;
    other.state_size += 8;
    hoc_stable_owner o = {&other, 7, 1, 5};
    hoc_stable_replay rp = {&r, on_ended, on_state};
    hoc_logger log = {HOC_LOG_ERROR, 1};
    s = hoc_stable_open(dir, HOC_FSYNC_NEVER, &o, &log, &rp, state_of, &r, err, sizeof err);
    CHECK(s == NULL && strstr(err, "another build of this algorithm"));

    /* a state whose checksum is good but whose bool holds 2 (another
     * build's, or altered): refused, naming the field, and left on disk */
    s = open_in(dir, &r, 1, err, sizeof err);
    CHECK(s != NULL);
    if (s) {
        last_voting_state bad = w.st[w.first % WINDOW];
        memset(&bad.commit, 2, 1);
        CHECK(hoc_stable_state(s, w.first, 9, &bad) == 0);
        CHECK(hoc_stable_sync(s) == 0);
        hoc_stable_close(s);
        for (int k = 0; k < 2; k++) {
            s = open_in(dir, &r, 1, err, sizeof err);
            CHECK(s == NULL && strstr(err, "field 'commit' holds a value no run stores"));
            if (s) hoc_stable_close(s);
        }
    }

    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (failures == 0 && system(cmd) != 0) return 2;
    return check_summary("net-stable");
}
