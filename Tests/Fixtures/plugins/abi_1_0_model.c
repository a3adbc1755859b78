/* A model built against ABI 1.0, before bs_model_descriptor.evidence and
 * bs_week_context.mean_course existed. Its descriptor has the 1.0 layout (72 bytes) and ends
 * exactly where an inaccessible page begins: a host that read past the plugin's struct_size
 * would crash instead of loading it. It plans the whole week as classroom teaching and fails if
 * the host's week context is smaller than ABI 1.0's. */
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
#include "blendsim_plugin.h"

/* bs_model_descriptor as ABI 1.0 defined it. */
typedef struct model_descriptor_1_0 {
    uint32_t struct_size;
    uint32_t reserved;
    const char *name;
    const char *summary;
    const char *parameter_schema;
    void *context;
    int32_t (*create)(void *, const char *, void **, char *, size_t);
    void (*destroy)(void *);
    int32_t (*plan_week)(void *, const bs_week_context *, bs_activity *, uint32_t, uint32_t *, char *, size_t);
    int32_t (*decide_chunk)(const void *, const bs_week_context *, bs_chunk *, char *, size_t);
} model_descriptor_1_0;
_Static_assert(sizeof(model_descriptor_1_0) == BS_MODEL_DESCRIPTOR_SIZE_1_0, "the 1.0 descriptor is 72 bytes");

static int32_t create(void *context, const char *json, void **instance, char *error, size_t capacity) {
    (void)context; (void)json; (void)error; (void)capacity;
    *instance = (void *)1;
    return BS_OK;
}
static void destroy(void *instance) { (void)instance; }
static int32_t plan(void *instance, const bs_week_context *week, bs_activity *activities, uint32_t capacity,
                    uint32_t *count, char *error, size_t error_capacity) {
    (void)instance; (void)capacity;
    if (week->struct_size < BS_WEEK_CONTEXT_SIZE_1_0) {
        const char message[] = "the host's week context is smaller than ABI 1.0's";
        size_t i;
        for (i = 0; i + 1 < error_capacity && i < sizeof message; i++) error[i] = message[i];
        error[i < error_capacity ? i : error_capacity - 1] = 0;
        return BS_FAILED;
    }
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

static bs_plugin plugin;
static const bs_model_descriptor *models[1];

const bs_plugin *blendsim_plugin_v1(void) {
    if (!models[0]) {
        long page = sysconf(_SC_PAGESIZE);
        unsigned char *base = mmap(NULL, (size_t)(2 * page), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (base == MAP_FAILED || mprotect(base + page, (size_t)page, PROT_NONE) != 0) return NULL;
        model_descriptor_1_0 *d = (model_descriptor_1_0 *)(base + page - sizeof(model_descriptor_1_0));
        d->struct_size = sizeof(model_descriptor_1_0);
        d->reserved = 0;
        d->name = "abi-one-zero";
        d->summary = "a model built against ABI 1.0";
        d->parameter_schema = "{\"parameters\":[]}";
        d->context = NULL;
        d->create = create;
        d->destroy = destroy;
        d->plan_week = plan;
        d->decide_chunk = NULL;
        models[0] = (const bs_model_descriptor *)d;
        plugin.abi_major = 1;
        plugin.abi_minor = 0;
        plugin.name = "blendsim-abi-one-zero";
        plugin.version = "1.0.0";
        plugin.model_count = 1;
        plugin.policy_count = 0;
        plugin.models = models;
        plugin.policies = NULL;
    }
    return &plugin;
}
