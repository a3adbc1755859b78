/* A model that breaks the activity contract in week 3: it plans NaN minutes. It also fails to
 * create when given {"fail_create": true}. Used to test that faults are named and contained. */
#include <math.h>
#include <string.h>
#include "blendsim_parameters.h"
#include "blendsim_plugin.h"

static int32_t create(void *context, const char *json, void **instance, char *error, size_t capacity) {
    (void)context;
    int fail = 0;
    if (bs_parameter_bool(json, "fail_create", &fail) == BS_PARAMETER_OK && fail) {
        strncpy(error, "refusing to create on purpose", capacity - 1);
        error[capacity - 1] = 0;
        return BS_FAILED;
    }
    *instance = (void *)1;
    return BS_OK;
}
static void destroy(void *instance) { (void)instance; }
static int32_t plan(void *instance, const bs_week_context *week, bs_activity *activities, uint32_t capacity,
                    uint32_t *count, char *error, size_t error_capacity) {
    (void)instance; (void)capacity; (void)error; (void)error_capacity;
    activities[0].kind = BS_ACTIVITY_CLASSROOM;
    activities[0].skills = BS_SKILL_ALL;
    activities[0].flags = 0;
    activities[0].reserved = 0;
    activities[0].minutes = week->week == 3 ? NAN : week->group->contact_minutes;
    activities[0].effectiveness = 1;
    activities[0].feedback = 0.3;
    *count = 1;
    return BS_OK;
}

static const bs_model_descriptor model = {
    .struct_size = sizeof(bs_model_descriptor), .name = "faulty", .summary = "plans NaN minutes in week 3",
    .parameter_schema = "{\"parameters\":[{\"name\":\"fail_create\",\"type\":\"boolean\",\"default\":false}]}",
    .create = create, .destroy = destroy, .plan_week = plan,
};
static const bs_model_descriptor *const models[] = {&model};
static const bs_plugin plugin = {
    .abi_major = BLENDSIM_ABI_MAJOR, .abi_minor = BLENDSIM_ABI_MINOR, .name = "blendsim-faulty",
    .version = "1.0.0", .model_count = 1, .models = models,
};

const bs_plugin *blendsim_plugin_v1(void) { return &plugin; }
