/*
 * microlearning: an example blendsim model written in plain C, against nothing but the ABI
 * header. It shows that the plugin boundary is language-neutral.
 *
 * The model: the online share of the contact time is delivered as short daily micro-lessons
 * (self-paced, submitted, with automatic feedback); the rest is classroom teaching. Short,
 * frequent sessions are assumed a little more effective per minute than one long block.
 *
 * Parameters (JSON, checked and completed with defaults by the host before create):
 *   sessions_per_week  integer 1..14, default 5
 *   session_bonus      number 0..1, default 0.1: extra effectiveness of short sessions
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blendsim_parameters.h"
#include "blendsim_plugin.h"

typedef struct {
    int sessions_per_week;
    double session_bonus;
} microlearning;

static void copy_error(char *error, size_t capacity, const char *message) {
    if (capacity == 0) return;
    snprintf(error, capacity, "%s", message);
}

static int32_t create(void *context, const char *parameters, void **instance, char *error, size_t capacity) {
    (void)context;
    microlearning *model = malloc(sizeof *model);
    if (!model) {
        copy_error(error, capacity, "out of memory");
        return BS_FAILED;
    }
    /* Typed lookup by exact name (blendsim_parameters.h); the host has checked every value
     * against the schema, so a failure here means a host and plugin out of step. */
    int64_t sessions;
    if (bs_parameter_integer(parameters, "sessions_per_week", &sessions) != BS_PARAMETER_OK ||
        bs_parameter_number(parameters, "session_bonus", &model->session_bonus) != BS_PARAMETER_OK) {
        free(model);
        copy_error(error, capacity, "parameters sessions_per_week and session_bonus are missing or of the wrong type");
        return BS_FAILED;
    }
    model->sessions_per_week = (int)sessions;
    *instance = model;
    return BS_OK;
}

static void destroy(void *instance) { free(instance); }

static int32_t plan_week(void *instance, const bs_week_context *week, bs_activity *activities, uint32_t capacity,
                         uint32_t *count, char *error, size_t error_capacity) {
    const microlearning *model = instance;
    const bs_group_info *group = week->group;
    double online = group->contact_minutes * group->online_share;
    uint32_t n = 0;
    if (capacity < 5) {
        copy_error(error, error_capacity, "the host offers fewer than 5 activity slots");
        return BS_FAILED;
    }
    activities[n++] = (bs_activity){BS_ACTIVITY_CLASSROOM, BS_SKILL_ALL, 0, 0, group->contact_minutes - online, 1.0, 0.3};
    if (online > 0) {
        /* One block of the week's micro-lessons: total minutes, effectiveness raised by the bonus
         * for each additional daily session up to five. */
        int spread = model->sessions_per_week < 5 ? model->sessions_per_week : 5;
        double effectiveness = 1.0 + model->session_bonus * (spread - 1) / 4.0;
        activities[n++] = (bs_activity){BS_ACTIVITY_ONLINE_ASYNC, BS_SKILL_ALL, BS_FLAG_SUBMITTED, 0, online, effectiveness, 0.5};
    }
    if (group->siwt_minutes > 0) activities[n++] = (bs_activity){BS_ACTIVITY_SIWT, BS_SKILL_ALL, 0, 0, group->siwt_minutes, 1.0, 0.5};
    if (group->siw_minutes > 0) activities[n++] = (bs_activity){BS_ACTIVITY_SIW, BS_SKILL_ALL, BS_FLAG_SUBMITTED, 0, group->siw_minutes, 1.0, 0.2};
    if (week->is_control_point) activities[n++] = (bs_activity){BS_ACTIVITY_ASSESSMENT, BS_SKILL_ALL, 0, 0, 60, 1.0, 0.5};
    *count = n;
    return BS_OK;
}

static const bs_model_descriptor model = {
    .struct_size = sizeof(bs_model_descriptor),
    .name = "microlearning",
    .summary = "online share as short daily micro-lessons (an example written in C)",
    .parameter_schema =
        "{\"parameters\":["
        "{\"name\":\"sessions_per_week\",\"type\":\"integer\",\"default\":5,\"minimum\":1,\"maximum\":14,"
        "\"unit\":\"1/week\",\"help\":\"micro-lessons per week\"},"
        "{\"name\":\"session_bonus\",\"type\":\"number\",\"default\":0.1,\"minimum\":0,\"maximum\":1,"
        "\"unit\":\"1\",\"help\":\"extra effectiveness of short, frequent sessions\"}]}",
    .context = NULL,
    .create = create,
    .destroy = destroy,
    .plan_week = plan_week,
    .decide_chunk = NULL,
};

static const bs_model_descriptor *const models[] = {&model};

static const bs_plugin plugin = {
    .abi_major = BLENDSIM_ABI_MAJOR,
    .abi_minor = BLENDSIM_ABI_MINOR,
    .name = "blendsim-example-microlearning",
    .version = "1.0.0",
    .model_count = 1,
    .policy_count = 0,
    .models = models,
    .policies = NULL,
};

/* The one exported symbol. */
const bs_plugin *blendsim_plugin_v1(void) { return &plugin; }
