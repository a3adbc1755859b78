/* A policy that claims ABI 1.4, a minor version newer than the host's: its descriptor has the
 * 1.3 fields and one more that only a 1.4 host would know. The host must load it, read the 1.3
 * fields (the evidence line, no costs) and ignore the rest. Each week it raises the motivation support by
 * 0.2, and it reads mean_course only where the host's week context has it. */
#include <stddef.h>
#include <stdint.h>
#include "blendsim_plugin.h"

/* bs_policy_descriptor as a hypothetical ABI 1.4 would define it. */
typedef struct policy_descriptor_1_4 {
    bs_policy_descriptor base;  /* every field of 1.3 */
    const char *added_in_1_4;   /* a host of 1.3 never reads this */
} policy_descriptor_1_4;

static int32_t create(void *context, const char *json, void **instance, char *error, size_t capacity) {
    (void)context; (void)json; (void)error; (void)capacity;
    *instance = (void *)1;
    return BS_OK;
}
static void destroy(void *instance) { (void)instance; }
static int32_t begin_week(void *instance, bs_week_context *week, char *error, size_t capacity) {
    (void)instance; (void)error; (void)capacity;
    double course = week->struct_size >= BS_WEEK_CONTEXT_SIZE_1_1 ? week->mean_course : 0;
    (void)course;
    week->conditions->motivation_support += 0.2;
    if (week->conditions->motivation_support > 1) week->conditions->motivation_support = 1;
    return BS_OK;
}

static const policy_descriptor_1_4 policy = {
    .base = {
        .struct_size = sizeof(policy_descriptor_1_4), .name = "abi-future", .summary = "a policy from ABI 1.4",
        .parameter_schema = "{\"parameters\":[]}", .create = create, .destroy = destroy, .begin_week = begin_week,
        .evidence = "Fixture (2026), a source named through the 1.1 evidence field",
    },
    .added_in_1_4 = "not for a 1.3 host",
};
static const bs_policy_descriptor *const policies[] = {&policy.base};
static const bs_plugin plugin = {
    .abi_major = 1, .abi_minor = 4, .name = "blendsim-abi-future", .version = "0.3.0",
    .policy_count = 1, .policies = policies,
};

const bs_plugin *blendsim_plugin_v1(void) { return &plugin; }
