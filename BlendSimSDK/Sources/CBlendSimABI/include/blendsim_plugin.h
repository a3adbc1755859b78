/*
 * blendsim plugin ABI, version 1.2.
 *
 * The one contract between the blendsim host and its model and policy plugins. It is plain C so
 * that a plugin can be written in any language that can export a C function, and so that host and
 * plugin never share Swift type metadata. docs/PLUGINS.md is the reference for every field.
 *
 * Versioning: a plugin exports `blendsim_plugin_v1` returning a `bs_plugin`. The host refuses a
 * plugin whose `abi_major` differs from its own and loads every minor version of its major, older
 * or newer. Minor versions only add fields at the end of a struct; every struct that can grow
 * starts with `struct_size`, the size its writer was built with, and the size of each struct in
 * each minor version is frozen below (BS_*_SIZE_1_n). A reader uses a field only when the
 * writer's `struct_size` covers it, so a 1.1 host runs 1.0 plugins (their descriptors end before
 * the 1.1 fields) and a 1.0 plugin runs under a 1.1 host (it never looks past the 1.0 fields);
 * what a newer minor adds is ignored by an older reader.
 *
 * 1.0  the structs below without the fields marked "1.1".
 * 1.1  bs_week_context.mean_course; bs_model_descriptor.evidence and
 *      bs_policy_descriptor.evidence.
 * 1.2  bs_model_descriptor.costs and bs_policy_descriptor.costs.
 *
 * Memory: everything a plugin returns (descriptors, names, schemas) must stay valid until the
 * process exits; the host never unloads a plugin. Everything the host passes in is valid only for
 * the duration of the call.
 *
 * Threads: `create`, `destroy`, `plan_week` and `begin_week` are called on one thread at a time
 * per instance. `decide_chunk` and `adjust_chunk` are called concurrently for disjoint chunks of
 * one instance; the instance must be treated as read-only in them.
 */
#ifndef BLENDSIM_PLUGIN_H
#define BLENDSIM_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BLENDSIM_ABI_MAJOR 1u
#define BLENDSIM_ABI_MINOR 3u
#define BLENDSIM_ENTRY_SYMBOL "blendsim_plugin_v1"

/* Status codes returned by every fallible plugin function. */
#define BS_OK 0
#define BS_FAILED 1

/* Activity kinds. */
#define BS_ACTIVITY_CLASSROOM 0u    /* face-to-face teaching in the classroom */
#define BS_ACTIVITY_ONLINE_SYNC 1u  /* live online session (video class, webinar) */
#define BS_ACTIVITY_ONLINE_ASYNC 2u /* self-paced online work (videos, e-course, platform tasks) */
#define BS_ACTIVITY_SIW 3u          /* students' independent work */
#define BS_ACTIVITY_SIWT 4u         /* students' independent work with a teacher */
#define BS_ACTIVITY_ASSESSMENT 5u   /* a test at a control point */
#define BS_ACTIVITY_KIND_COUNT 6u

/* Skill focus bits. */
#define BS_SKILL_LISTENING 1u
#define BS_SKILL_READING 2u
#define BS_SKILL_WRITING 4u
#define BS_SKILL_SPEAKING 8u
#define BS_SKILL_ALL 15u

/* Activity flags. */
#define BS_FLAG_SUBMITTED 1u /* the work is handed in by a deadline: can be late, can be copied */
#define BS_FLAG_ONLINE 2u    /* an assessment taken online (unsupervised unless proctored) */
#define BS_FLAG_ON_CAMPUS 4u /* online work on the institution's devices and network: the
                              * student's own PC and connection do not matter */

/* One block of learning activity in a week, the same for every student of the group unless a
 * chunk hook scales it per student through `bs_chunk.participation`. */
typedef struct bs_activity {
    uint32_t kind;        /* BS_ACTIVITY_* */
    uint32_t skills;      /* BS_SKILL_* bits; the time is shared equally among them */
    uint32_t flags;       /* BS_FLAG_* bits */
    uint32_t reserved;    /* zero */
    double minutes;       /* per student in this week, [0, 3000] */
    double effectiveness; /* quality of the activity, [0, 3]; 1 = an ordinary classroom lesson */
    double feedback;      /* share of the work that receives feedback, [0, 1] */
} bs_activity;

/* The teaching conditions of a group in a week. Each week starts from the defaults below; the
 * group's policies change them in `begin_week`; the learning kernel reads them. */
typedef struct bs_conditions {
    uint32_t struct_size;
    uint32_t reserved;
    double online_quality;        /* multiplier on the effectiveness of online activities; 1 */
    double feedback_quality;      /* multiplier on teacher feedback; 1 */
    double feedback_channel;      /* [0,1] extra feedback on online/independent work (chat-bots); 0 */
    double integrity_enforcement; /* [0,1] chance that an attempt to copy is caught and prevented; 0 */
    double deadline_enforcement;  /* [0,1] reduction of the propensity to miss deadlines; 0 */
    double device_loan_share;     /* [0,1] share of students without a PC who are lent one; 0 */
    double connectivity_floor;    /* [0,1] connectivity is at least this (campus internet); 0 */
    double classroom_equipment;   /* multiplier on classroom effectiveness (technical aids); 1 */
    double extra_siw_minutes;     /* minutes of independent work added per week; 0 */
    double motivation_support;    /* [0,1] weekly pull of motivation towards its target; 0 */
} bs_conditions;

/* A group as the plugins see it. */
typedef struct bs_group_info {
    uint32_t struct_size;
    uint32_t index;          /* position of the group in the scenario, 0-based */
    const char *name;        /* UTF-8, NUL-terminated */
    uint64_t students;       /* students enrolled at the start */
    double online_share;     /* [0,1] share of the teaching time that is online */
    double contact_minutes;  /* teaching minutes per week (classroom + online) */
    double siwt_minutes;     /* independent work with a teacher, minutes per week */
    double siw_minutes;      /* independent work, minutes per week */
    double students_per_teacher; /* students each teacher gives feedback to */
} bs_group_info;

/* The week being simulated, for one group. */
typedef struct bs_week_context {
    uint32_t struct_size;
    uint32_t week;             /* 1-based */
    uint32_t weeks;            /* weeks in the semester */
    uint32_t is_control_point; /* 1 when the week ends with an assessment */
    uint64_t replication;      /* 0-based */
    uint64_t stream;           /* random stream key for this call; see bs_random_uniform */
    uint64_t group_stream;     /* random stream key of the group in this replication, the same
                                * every week: for decisions that last the whole semester */
    const bs_group_info *group;
    bs_conditions *conditions; /* writable in begin_week only */
    double mean_motivation;    /* group means at the end of the previous week (active students) */
    double mean_skill;
    double active_share;
    uint32_t control_point_count; /* assessment weeks in the semester */
    uint32_t reserved;
    /* 1.1 */
    double mean_course;        /* group mean course achievement at the end of the previous week
                                * (docs/MODEL.md; 0 in week 1) */
    /* 1.3 */
    uint32_t semester;         /* 1-based semester of a programme (docs/SCENARIO.md); 1 for a
                                * scenario of one semester */
    uint32_t semesters;        /* semesters in the programme; 1 for a scenario of one semester */
} bs_week_context;

/* A contiguous slice of a group's students, as read-only columns, plus the per-student
 * participation multipliers a hook may write. */
typedef struct bs_chunk {
    uint32_t struct_size;
    uint32_t count;              /* students in the chunk */
    uint64_t first_student;      /* index of the first one within its group */
    const float *listening;      /* Cambridge English Scale */
    const float *reading;
    const float *writing;
    const float *speaking;
    const float *motivation;     /* [0,1] */
    const float *self_regulation;
    const float *digital_competence;
    const float *connectivity;
    const float *integrity;
    const uint8_t *device_access; /* 1 = has a personal PC */
    const uint8_t *active;        /* 0 = dropped out */
    uint32_t activity_count;
    uint32_t reserved;
    const bs_activity *activities; /* the week's plan */
    /* activity_count rows of count floats: participation[a * count + i] scales activity a's
     * minutes for student i. Starts at 1 for every entry; valid values are [0, 8]. */
    float *participation;
} bs_chunk;

typedef struct bs_model_descriptor {
    uint32_t struct_size;
    uint32_t reserved;
    const char *name;             /* e.g. "flipped-classroom": lowercase, digits and '-' */
    const char *summary;          /* one line */
    const char *parameter_schema; /* JSON object, see docs/PLUGINS.md */
    void *context;                /* passed back to create */
    int32_t (*create)(void *context, const char *parameters_json, void **instance,
                      char *error, size_t error_capacity);
    void (*destroy)(void *instance);
    int32_t (*plan_week)(void *instance, const bs_week_context *week, bs_activity *activities,
                         uint32_t capacity, uint32_t *count, char *error, size_t error_capacity);
    /* Optional (NULL): per-student decisions over a chunk. */
    int32_t (*decide_chunk)(const void *instance, const bs_week_context *week, bs_chunk *chunk,
                            char *error, size_t error_capacity);
    /* 1.1 */
    const char *evidence; /* NULL, or the sources of the model's figures (citations, one line) */
    /* 1.2 */
    const char *costs;    /* NULL, or a JSON array of the model's cost items (docs/PLUGINS.md) */
} bs_model_descriptor;

typedef struct bs_policy_descriptor {
    uint32_t struct_size;
    uint32_t reserved;
    const char *name;
    const char *summary;
    const char *parameter_schema;
    void *context;
    int32_t (*create)(void *context, const char *parameters_json, void **instance,
                      char *error, size_t error_capacity);
    void (*destroy)(void *instance);
    int32_t (*begin_week)(void *instance, bs_week_context *week, char *error,
                          size_t error_capacity);
    /* Optional (NULL): per-student adjustments over a chunk, after the model's decisions. */
    int32_t (*adjust_chunk)(const void *instance, const bs_week_context *week, bs_chunk *chunk,
                            char *error, size_t error_capacity);
    /* 1.1 */
    const char *evidence; /* NULL, or the sources of the policy's figures (citations, one line) */
    /* 1.2 */
    const char *costs;    /* NULL, or a JSON array of the policy's cost items (docs/PLUGINS.md) */
} bs_policy_descriptor;

/* What `blendsim_plugin_v1` returns. */
typedef struct bs_plugin {
    uint32_t abi_major;
    uint32_t abi_minor;
    const char *name;    /* the library's name, e.g. "blendsim-flipped-classroom" */
    const char *version; /* semantic version of the plugin */
    uint32_t model_count;
    uint32_t policy_count;
    const bs_model_descriptor *const *models;
    const bs_policy_descriptor *const *policies;
} bs_plugin;

typedef const bs_plugin *(*bs_plugin_entry)(void);

/* Frozen sizes: each growable struct as each minor version of ABI 1 defines it (LP64). A
 * `struct_size` below the 1.0 size is refused; between two sizes, the fields of the older version
 * are read. */
#define BS_CONDITIONS_SIZE_1_0 88u
#define BS_GROUP_INFO_SIZE_1_0 64u
#define BS_WEEK_CONTEXT_SIZE_1_0 88u
#define BS_WEEK_CONTEXT_SIZE_1_1 96u
#define BS_WEEK_CONTEXT_SIZE_1_3 104u
#define BS_CHUNK_SIZE_1_0 128u
#define BS_MODEL_DESCRIPTOR_SIZE_1_0 72u
#define BS_MODEL_DESCRIPTOR_SIZE_1_1 80u
#define BS_MODEL_DESCRIPTOR_SIZE_1_2 88u
#define BS_POLICY_DESCRIPTOR_SIZE_1_0 72u
#define BS_POLICY_DESCRIPTOR_SIZE_1_1 80u
#define BS_POLICY_DESCRIPTOR_SIZE_1_2 88u

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L && UINTPTR_MAX == 0xFFFFFFFFFFFFFFFFu
_Static_assert(sizeof(bs_conditions) == BS_CONDITIONS_SIZE_1_0, "bs_conditions changed size");
_Static_assert(sizeof(bs_group_info) == BS_GROUP_INFO_SIZE_1_0, "bs_group_info changed size");
_Static_assert(offsetof(bs_week_context, mean_course) == BS_WEEK_CONTEXT_SIZE_1_0, "1.0 prefix of bs_week_context changed");
_Static_assert(offsetof(bs_week_context, semester) == BS_WEEK_CONTEXT_SIZE_1_1, "1.1 prefix of bs_week_context changed");
_Static_assert(sizeof(bs_week_context) == BS_WEEK_CONTEXT_SIZE_1_3, "bs_week_context changed size");
_Static_assert(sizeof(bs_chunk) == BS_CHUNK_SIZE_1_0, "bs_chunk changed size");
_Static_assert(offsetof(bs_model_descriptor, evidence) == BS_MODEL_DESCRIPTOR_SIZE_1_0, "1.0 prefix of bs_model_descriptor changed");
_Static_assert(offsetof(bs_model_descriptor, costs) == BS_MODEL_DESCRIPTOR_SIZE_1_1, "1.1 prefix of bs_model_descriptor changed");
_Static_assert(sizeof(bs_model_descriptor) == BS_MODEL_DESCRIPTOR_SIZE_1_2, "bs_model_descriptor changed size");
_Static_assert(offsetof(bs_policy_descriptor, evidence) == BS_POLICY_DESCRIPTOR_SIZE_1_0, "1.0 prefix of bs_policy_descriptor changed");
_Static_assert(offsetof(bs_policy_descriptor, costs) == BS_POLICY_DESCRIPTOR_SIZE_1_1, "1.1 prefix of bs_policy_descriptor changed");
_Static_assert(sizeof(bs_policy_descriptor) == BS_POLICY_DESCRIPTOR_SIZE_1_2, "bs_policy_descriptor changed size");
#endif

/* Copies a struct that starts with `struct_size` (written by the other side, perhaps built
 * against another minor version) into `destination` of `destination_size` bytes: the bytes both
 * versions have are copied, fields the writer does not have are zeroed, fields only the writer
 * has are not read. Returns the writer's struct_size. */
static inline uint32_t bs_read_struct(void *destination, size_t destination_size, const void *source) {
    uint32_t size;
    size_t common;
    memcpy(&size, source, sizeof size);
    common = size < destination_size ? size : destination_size;
    memcpy(destination, source, common);
    if (common < destination_size) memset((unsigned char *)destination + common, 0, destination_size - common);
    return size;
}

/* Writes a struct back into one the other side owns (which starts with its struct_size): only
 * the bytes both versions have, after struct_size itself. */
static inline void bs_write_struct(void *destination, const void *source, size_t source_size) {
    uint32_t size;
    size_t end;
    memcpy(&size, destination, sizeof size);
    end = size < source_size ? size : source_size;
    if (end > sizeof size) memcpy((unsigned char *)destination + sizeof size, (const unsigned char *)source + sizeof size, end - sizeof size);
}

/* The counter-based generator used by the host, for plugins that want reproducible draws:
 * a uniform double in [0, 1) from a stream key and a counter. SplitMix64's finaliser. */
static inline uint64_t bs_mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline double bs_random_uniform(uint64_t stream, uint64_t counter) {
    uint64_t bits = bs_mix64(stream + (counter + 1u) * 0x9E3779B97F4A7C15ull);
    return (double)(bits >> 11) * 0x1.0p-53;
}

#ifdef __cplusplus
}
#endif

#endif /* BLENDSIM_PLUGIN_H */
