/* A policy that changes nothing but has a per-student hook: its adjust_chunk leaves every
 * participation multiplier at 1. A group with it runs the kernel's general path, a group without
 * it the fast path; their results must be the same bits. */
#include "blendsim_plugin.h"

static int32_t create(void *context, const char *json, void **instance, char *error, size_t capacity) {
    (void)context; (void)json; (void)error; (void)capacity;
    *instance = (void *)1;
    return BS_OK;
}
static void destroy(void *instance) { (void)instance; }
static int32_t begin(void *instance, bs_week_context *week, char *error, size_t capacity) {
    (void)instance; (void)week; (void)error; (void)capacity;
    return BS_OK;
}
static int32_t adjust(const void *instance, const bs_week_context *week, bs_chunk *chunk, char *error, size_t capacity) {
    (void)instance; (void)week; (void)error; (void)capacity;
    /* Writes 1 where the host already put 1: the hook runs, nothing changes. */
    for (uint64_t i = 0; i < (uint64_t)chunk->activity_count * chunk->count; i++) chunk->participation[i] = 1.0f;
    return BS_OK;
}

static const bs_policy_descriptor policy = {
    .struct_size = sizeof(bs_policy_descriptor), .name = "ones-hook", .summary = "a per-student hook that changes nothing",
    .parameter_schema = "{\"parameters\":[]}", .create = create, .destroy = destroy, .begin_week = begin, .adjust_chunk = adjust,
};
static const bs_policy_descriptor *const policies[] = {&policy};
static const bs_plugin plugin = {
    .abi_major = BLENDSIM_ABI_MAJOR, .abi_minor = BLENDSIM_ABI_MINOR, .name = "blendsim-ones-hook",
    .version = "1.0.0", .policy_count = 1, .policies = policies,
};

const bs_plugin *blendsim_plugin_v1(void) { return &plugin; }
