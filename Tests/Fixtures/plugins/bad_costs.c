/* A plugin whose policy declares its costs wrongly: the text of BAD_COSTS (a compiler define)
 * is its `costs` field, so one fixture gives every case. */
#include "blendsim_plugin.h"

#ifndef BAD_COSTS
#define BAD_COSTS "[{\"name\":\"licence\",\"basis\":\"student\",\"price\":-1,\"currency\":\"KZT\",\"source\":\"x\"}]"
#endif

static int32_t create(void *context, const char *json, void **instance, char *error, size_t capacity) {
    (void)context; (void)json; (void)error; (void)capacity;
    *instance = (void *)1;
    return BS_OK;
}
static void destroy(void *instance) { (void)instance; }
static int32_t begin_week(void *instance, bs_week_context *week, char *error, size_t capacity) {
    (void)instance; (void)week; (void)error; (void)capacity;
    return BS_OK;
}

static const bs_policy_descriptor policy = {
    .struct_size = sizeof(bs_policy_descriptor), .name = "bad-costs", .summary = "costs declared wrongly",
    .parameter_schema = "{\"parameters\":[]}", .create = create, .destroy = destroy, .begin_week = begin_week,
    .costs = BAD_COSTS,
};
static const bs_policy_descriptor *const policies[] = {&policy};
static const bs_plugin plugin = {
    .abi_major = BLENDSIM_ABI_MAJOR, .abi_minor = BLENDSIM_ABI_MINOR, .name = "blendsim-bad-costs",
    .version = "1.0.0", .policy_count = 1, .policies = policies,
};

const bs_plugin *blendsim_plugin_v1(void) { return &plugin; }
