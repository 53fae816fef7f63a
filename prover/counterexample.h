/* counterexample.h: a failed obligation's model, as users read it. */
#ifndef HOC_COUNTEREXAMPLE_H
#define HOC_COUNTEREXAMPLE_H

#include "attempt.h"

/* The solver's model as readable text (malloc'd): the
 * parameters and the named processes' state; post: the round's before and
 * after and whom they heard. Values the model lacks print as "?". */
char *cex_text(Attempt *v, bool post);

#endif
