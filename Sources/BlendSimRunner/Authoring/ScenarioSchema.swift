public import BlendSimCore
public import BlendSimPluginHost

/// `blendsim schema`: a JSON Schema (draft 2020-12) of scenario files, with every loaded model's
/// and policy's parameters, for editors (the YAML language server) to complete and check.
public enum ScenarioSchema {
    static func number(_ range: ClosedRange<Double>, _ description: String) -> JSONValue {
        .object([("type", .string("number")), ("minimum", .number(range.lowerBound)), ("maximum", .number(range.upperBound)),
                 ("description", .string(description))])
    }

    static func integer(_ range: ClosedRange<Int>, _ description: String) -> JSONValue {
        .object([("type", .string("integer")), ("minimum", .integer(range.lowerBound)), ("maximum", .integer(range.upperBound)),
                 ("description", .string(description))])
    }

    static func object(_ properties: [(String, JSONValue)], required: [String] = [], description: String? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [("type", .string("object"))]
        if let description { members.append(("description", .string(description))) }
        members.append(("properties", .object(properties)))
        if !required.isEmpty { members.append(("required", .array(required.map { .string($0) }))) }
        members.append(("additionalProperties", .bool(false)))
        return .object(members)
    }

    /// `costs:`: the currency, the teacher hour, marking, and a price for every declared item.
    static func costs(_ host: PluginHost) -> JSONValue {
        var items: [(String, JSONValue)] = []
        for (owner, declared) in host.models.map({ ($0.name, $0.costs) }) + host.policies.map({ ($0.name, $0.costs) }) {
            for item in declared {
                let unit = item.unit == .teacherHours ? "teacher hours" : "the scenario's currency"
                items.append((owner + "." + item.name, number(0...1e12, "\(item.help) (\(item.basis.phrase), in \(unit))")))
            }
        }
        return object([
            ("currency", .object([("type", .string("string")), ("pattern", .string("^[A-Z]{3}$")), ("description", .string("ISO 4217 code; every price is in it"))])),
            ("teacher_hour", number(0...1e12, "the price of one teacher hour")),
            ("marking_minutes", number(0...600, "marking per student and week")),
            ("prices", object(items)),
        ], description: "prices for the semester's costs (docs/COSTS.md)")
    }

    static func parameters(_ schema: ParameterSchema) -> JSONValue {
        object(schema.parameters.map { p in
            var members: [(String, JSONValue)] = [("description", .string(p.help + (p.unit.isEmpty || p.unit == "1" ? "" : " (\(p.unit))")))]
            switch p.type {
            case "number", "integer":
                members.append(("type", .string(p.type)))
                if let minimum = p.minimum { members.append(("minimum", .number(minimum))) }
                if let maximum = p.maximum { members.append(("maximum", .number(maximum))) }
            case "boolean":
                members.append(("type", .string("boolean")))
            default:
                members.append(("type", .string("string")))
                if let options = p.options { members.append(("enum", .array(options.map { .string($0) }))) }
            }
            members.append(("default", p.defaultValue))
            return (p.name, .object(members))
        })
    }

    /// A model or policy reference: its name, or `{name, parameters}` with that component's parameters.
    static func reference(_ components: [(name: String, summary: String, schema: ParameterSchema)], kind: String) -> JSONValue {
        var choices: [JSONValue] = [.object([
            ("type", .string("string")), ("enum", .array(components.map { .string($0.name) })),
            ("description", .string("a \(kind) on the plugin path")),
        ])]
        for component in components {
            choices.append(object([
                ("name", .object([("const", .string(component.name)), ("description", .string(component.summary))])),
                ("parameters", parameters(component.schema)),
            ], required: ["name"]))
        }
        return .object([("oneOf", .array(choices))])
    }

    static func trait(_ description: String) -> JSONValue {
        .object([("description", .string(description)), ("oneOf", .array([
            .object([("type", .string("number")), ("minimum", .number(0)), ("maximum", .number(1))]),
            object([("mean", number(0...1, "mean")), ("sd", number(0...0.5, "standard deviation"))], required: ["mean"]),
        ]))])
    }

    public static func document(host: PluginHost) -> JSONValue {
        let models = host.models.map { ($0.name, $0.summary, $0.schema) }
        let policies = host.policies.map { ($0.name, $0.summary, $0.schema) }
        let population = object([
            ("motivation", trait("motivation to learn English")),
            ("self_regulation", trait("planning and keeping up self-paced work")),
            ("digital_competence", trait("skill with digital tools")),
            ("device_access", number(0...1, "share of students with a personal PC")),
            ("connectivity", trait("quality of the internet connection")),
            ("integrity", trait("resistance to copying")),
            ("skill_spread", number(0...30, "sd of each skill around the overall level (points)")),
            ("aptitude_sd", number(0...1, "sd of the individual learning-rate multiplier")),
        ])
        let kernel = object(KernelParameters.catalog.map { ($0.key, number($0.range, "\($0.summary) (\($0.unit))")) })
        // Shares (0–1) or head-counts, by level name or CEFR label (docs/SCENARIO.md).
        let levels = object(
            LevelBand.allCases.flatMap { band in
                [band.key, band.cefr].map { ($0, number(0...100_000_000, "share (0–1) or head-count starting in \(band.cefr)")) }
            })
        let column: JSONValue = .object([("oneOf", .array([
            .object([("type", .string("string")), ("description", .string("a column of the file, with its default scale"))]),
            .object([("type", .string("object")), ("required", .array([.string("column")])),
                     ("description", .string("{column, scale, labels} (docs/SCENARIO.md)"))]),
        ]))])
        let cohort: JSONValue = .object([
            ("description", .string("the university's own students from a CSV file, instead of 'levels' (docs/SCENARIO.md)")),
            ("oneOf", .array([
                .object([("type", .string("string")), ("description", .string("a CSV file mapped by its header"))]),
                object([
                    ("file", .object([("type", .string("string")), ("description", .string("the CSV file, relative to the scenario"))])),
                    ("mapping", .object([("type", .string("string")), ("description", .string("a YAML file with the mapping keys"))])),
                    ("bootstrap", .object([("type", .string("boolean"))])),
                    ("select", object([("column", .object([("type", .string("string"))])), ("equals", .object([]))], required: ["column", "equals"])),
                    ("id", column), ("level", column), ("overall", column),
                    ("skills", object(Skill.allCases.map { ($0.name, column) })),
                    ("traits", object(["motivation", "self_regulation", "digital_competence", "connectivity", "integrity", "device_access"].map { ($0, column) })),
                ], required: ["file"]),
            ])),
        ])
        let hours = object([
            ("contact", number(0...40, "teaching hours per week")),
            ("siwt", number(0...40, "independent work with a teacher, hours per week")),
            ("siw", number(0...40, "independent work, hours per week")),
        ])
        var groupProperties: [(String, JSONValue)] = [
            ("name", .object([("type", .string("string")), ("minLength", .integer(1))])),
            ("students", integer(1...100_000_000, "students enrolled at the start")),
            ("levels", levels),
            ("cohort", cohort),
            ("model", reference(models, kind: "model")),
            ("online_share", number(0...1, "share of teaching time online (0.4 = 40/60)")),
            ("hours", hours),
            ("students_per_teacher", number(1...500, "students each teacher gives feedback to")),
            ("policies", .object([("type", .string("array")), ("items", reference(policies, kind: "policy"))])),
            ("population", population),
        ]
        let group = object(groupProperties, required: ["name", "model"])
        groupProperties.removeFirst()
        let defaults: (([(name: String, summary: String, schema: ParameterSchema)]) -> JSONValue) = { components in
            object(components.map { ($0.name, parameters($0.schema)) })
        }
        let semester = object([
            ("weeks", integer(1...52, "weeks in the semester")),
            ("control_points", .object([("type", .string("array")), ("items", integer(1...52, "an assessment week"))])),
        ])
        // A programme's semesters: each the one before with its changes (docs/SCENARIO.md).
        let taught = groupProperties.filter { ["online_share", "model", "policies", "hours", "students_per_teacher"].contains($0.0) }
        let semesterEntry = object(
            [("name", .object([("type", .string("string"))])),
             ("break", object([("weeks", integer(0...52, "weeks between this semester and the one before"))], required: ["weeks"])),
             ("semester", semester),
             ("groups", .object([("type", .string("object")), ("additionalProperties", object(taught))]))] + taught)
        let programmeProperties: [(String, JSONValue)] = [
            ("target", .object([
                ("enum", .array(LevelBand.allCases.flatMap { [JSONValue.string($0.key), .string($0.cefr)] })),
                ("description", .string("the level the students should reach by the programme's end")),
            ])),
            ("semesters", .object([
                ("type", .string("array")), ("minItems", .integer(1)), ("maxItems", .integer(12)), ("items", semesterEntry),
                ("description", .string("the first is the scenario's own semester; each later one needs 'break'")),
            ])),
        ]
        let programme = object(programmeProperties, required: ["semesters"])
        let variant = object(
            [("name", .object([("type", .string("string"))])),
             ("groups", .object([("type", .string("object")), ("additionalProperties", object(groupProperties))])),
             ("kernel", kernel), ("model_defaults", defaults(models)), ("policy_defaults", defaults(policies)), ("programme", object(programmeProperties))]
                + groupProperties.filter { ["online_share", "model", "policies", "hours", "students_per_teacher", "population", "students", "levels"].contains($0.0) },
            required: ["name"])
        let stringOrList = JSONValue.object([("oneOf", .array([
            .object([("type", .string("string"))]), .object([("type", .string("array")), ("items", .object([("type", .string("string"))]))]),
        ]))])
        var root = object([
            ("name", .object([("type", .string("string"))])),
            ("description", .object([("type", .string("string"))])),
            ("include", stringOrList),
            ("seed", integer(0...Int.max, "root of every random stream")),
            ("replications", integer(1...100_000, "independent replications")),
            ("semester", semester),
            ("population", population),
            ("kernel", kernel),
            ("model_defaults", defaults(models)),
            ("policy_defaults", defaults(policies)),
            ("baseline", .object([("type", .string("string"))])),
            ("groups", .object([("type", .string("array")), ("minItems", .integer(1)), ("items", group)])),
            ("variants", .object([("type", .string("array")), ("items", variant)])),
            ("costs", costs(host)),
            ("programme", programme),
        ], required: ["groups"], description: "A blendsim scenario (docs/SCENARIO.md)")
        if case .object(var members) = root {
            members.insert(("$schema", .string("https://json-schema.org/draft/2020-12/schema")), at: 0)
            members.insert(("title", .string("blendsim scenario")), at: 1)
            root = .object(members)
        }
        return root
    }
}
