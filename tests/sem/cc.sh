#!/bin/sh
# cc.sh: the C compiler semdiff compiles generated code with: hoc's own
# command line ($HOC_SEM_CC, the compiler hoc was built with), with warnings
# silenced and, unless $HOC_SEM_OPT says otherwise, -O0. Random programs hit
# the known class of generated C that does not compile warning-free (issue
# 13, "small holes"); the differential test is about what the code computes,
# so it must not stop at a warning. -O0 compiles three times faster than
# hoc's -O2, and generated code has no undefined behaviour for the
# optimizer to read differently (the ASan+UBSan build checks that).
exec "${HOC_SEM_CC:-cc}" "$@" -Wno-error -w ${HOC_SEM_OPT:--O0}
