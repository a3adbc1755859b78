/* The ABI is header-only; this file gives the C target its one translation unit and checks that
 * the header compiles as plain C. */
#include "blendsim_plugin.h"

_Static_assert(sizeof(bs_activity) == 40, "bs_activity layout is part of ABI 1");
