/* model.h: a failed obligation's model as concrete values (VcModel), so
 * that hoc verify can run it in the generated C before calling it failed. */
#ifndef HOC_MODEL_H
#define HOC_MODEL_H

#include "attempt.h"

/* The solver's current model of attempt v at obligation ob as values, or
 * NULL when the model lacks some (n beyond HOC_MAXN, a value it does not
 * give) or the state has what a VcModel cannot hold (arrays, bytes). */
VcModel *model_read(Attempt *v, const VcObligation *ob);

#endif
