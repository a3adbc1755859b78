#ifndef BLENDSIM_CLIBYAML_SHIM_H
#define BLENDSIM_CLIBYAML_SHIM_H
#include <yaml.h>
#endif
