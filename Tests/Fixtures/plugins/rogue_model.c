/* A model that misbehaves in the ways a native plugin can, one per value of its `mode`
 * parameter: 1 prints to standard output every week, 2 calls exit(0) in week 2, 3 writes NaN into
 * the week's conditions while planning, 4 writes into the read-only motivation column from its
 * per-student hook, 5 dereferences a null pointer in its per-student hook in week 3 (a crash on
 * a worker thread). Used to test that each is contained or named. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "blendsim_parameters.h"
#include "blendsim_plugin.h"

static int32_t create(void *context, const char *json, void **instance, char *error, size_t capacity) {
    (void)context; (void)error; (void)capacity;
    int64_t mode = 0;
    bs_parameter_integer(json, "mode", &mode);
    *instance = (void *)(mode + 1);
    return BS_OK;
}
static long mode_of(const void *instance) { return (long)instance - 1; }
static void destroy(void *instance) { (void)instance; }
static int32_t plan(void *instance, const bs_week_context *week, bs_activity *activities, uint32_t capacity,
                    uint32_t *count, char *error, size_t error_capacity) {
    (void)capacity; (void)error; (void)error_capacity;
    long mode = mode_of(instance);
    if (mode == 1) { printf("rogue plugin says hello in week %u\n", week->week); fflush(stdout); }
    if (mode == 2 && week->week == 2) exit(0);
    if (mode == 3 && week->week == 2) ((bs_conditions *)week->conditions)->online_quality = NAN;
    activities[0].kind = BS_ACTIVITY_CLASSROOM;
    activities[0].skills = BS_SKILL_ALL;
    activities[0].flags = 0;
    activities[0].reserved = 0;
    activities[0].minutes = week->group->contact_minutes;
    activities[0].effectiveness = 1;
    activities[0].feedback = 0.3;
    *count = 1;
    return BS_OK;
}
static int32_t decide(const void *instance, const bs_week_context *week, bs_chunk *chunk, char *error, size_t capacity) {
    (void)error; (void)capacity;
    if (mode_of(instance) == 4 && week->week == 3 && chunk->count > 0) ((float *)chunk->motivation)[0] = 2.18e10f;
    if (mode_of(instance) == 5 && week->week == 3 && chunk->first_student > 0) {
        volatile float *nothing = NULL;
        *nothing = 1;
    }
    return BS_OK;
}

static const bs_model_descriptor model = {
    .struct_size = sizeof(bs_model_descriptor), .name = "rogue", .summary = "misbehaves on purpose",
    .parameter_schema = "{\"parameters\":[{\"name\":\"mode\",\"type\":\"integer\",\"default\":0,\"minimum\":0,\"maximum\":5}]}",
    .create = create, .destroy = destroy, .plan_week = plan, .decide_chunk = decide,
};
static const bs_model_descriptor *const models[] = {&model};
static const bs_plugin plugin = {
    .abi_major = BLENDSIM_ABI_MAJOR, .abi_minor = BLENDSIM_ABI_MINOR, .name = "blendsim-rogue",
    .version = "1.0.0", .model_count = 1, .models = models,
};

const bs_plugin *blendsim_plugin_v1(void) { return &plugin; }
