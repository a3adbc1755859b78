/* A plugin whose model declares a parameter schema that is not JSON. */
#include "blendsim_plugin.h"

static int32_t create(void *context, const char *json, void **instance, char *error, size_t capacity) {
    (void)context; (void)json; (void)error; (void)capacity;
    *instance = (void *)1;
    return BS_OK;
}
static void destroy(void *instance) { (void)instance; }
static int32_t plan(void *instance, const bs_week_context *week, bs_activity *activities, uint32_t capacity,
                    uint32_t *count, char *error, size_t error_capacity) {
    (void)instance; (void)week; (void)activities; (void)capacity; (void)error; (void)error_capacity;
    *count = 0;
    return BS_OK;
}

static const bs_model_descriptor model = {
    .struct_size = sizeof(bs_model_descriptor), .name = "bad-schema", .summary = "broken schema",
    .parameter_schema = "{not json", .create = create, .destroy = destroy, .plan_week = plan,
};
static const bs_model_descriptor *const models[] = {&model};
static const bs_plugin plugin = {
    .abi_major = BLENDSIM_ABI_MAJOR, .abi_minor = BLENDSIM_ABI_MINOR, .name = "blendsim-bad-schema",
    .version = "1.0.0", .model_count = 1, .models = models,
};

const bs_plugin *blendsim_plugin_v1(void) { return &plugin; }
