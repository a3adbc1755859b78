/* A plugin built for an ABI major version this blendsim does not speak. */
#include "blendsim_plugin.h"

static const bs_plugin plugin = {
    .abi_major = 2, .abi_minor = 0, .name = "blendsim-wrong-abi", .version = "9.9.9",
    .model_count = 0, .policy_count = 0, .models = 0, .policies = 0,
};

const bs_plugin *blendsim_plugin_v1(void) { return &plugin; }
