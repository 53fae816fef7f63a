/* ledger.h: what a replica remembers of instances that are not live: which
 * ended decided, with their decision (as hoc_value_encode writes it, to
 * forward to late peers), which ended undecided, and a floor below which it
 * forgot them all. Instance ids are unbounded (64-bit); memory is what the
 * remembered instances take, and a service that has applied a prefix of its
 * log forgets it with hoc_ledger_forget_below.
 *
 * The ledger is memory only. A service that must keep its decisions across
 * restarts writes them to its own log (a write-ahead log, docs/services.md)
 * and puts them back here when it starts. */
#ifndef HOC_LEDGER_H
#define HOC_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

typedef struct hoc_ledger hoc_ledger;

/* An empty ledger (floor 0); NULL when memory runs out. */
hoc_ledger *hoc_ledger_new(void);
/* Frees l and every value; NULL is a no-op. */
void hoc_ledger_free(hoc_ledger *l);

/* Records that inst ended decided with value v[0..len) (copied). Returns 1
 * if recorded, 0 if inst is below the floor or known already (nothing
 * changes), -1 when memory runs out (nothing recorded). */
int hoc_ledger_decide(hoc_ledger *l, uint64_t inst, const uint8_t *v, size_t len);
/* Records that inst ended here without a decision (it is not run again);
 * ignored below the floor, for an instance known already, or out of memory. */
void hoc_ledger_end(hoc_ledger *l, uint64_t inst);
/* HOC_INST_DECIDED with the value (valid until the entry is forgotten),
 * HOC_INST_IGNORE for one that ended undecided or lies below the floor,
 * HOC_INST_NEW for one the ledger does not know. */
hoc_inst_status hoc_ledger_get(const hoc_ledger *l, uint64_t inst, const uint8_t **v, size_t *len);
/* Forgets every instance below floor (which only rises); never fails. */
void hoc_ledger_forget_below(hoc_ledger *l, uint64_t floor);
/* The floor; instances remembered; bytes their values take. */
uint64_t hoc_ledger_floor(const hoc_ledger *l);
size_t hoc_ledger_count(const hoc_ledger *l);
size_t hoc_ledger_bytes(const hoc_ledger *l);

#endif
