public import BlendSimCore

/// summary.json: the results contract that reports, comparisons and outside tools read.
/// docs/RESULTS.md documents every field; fields are only ever added, never renamed.
public enum Summary {
    /// The summary document of a run.
    public static func document(_ run: RunDescription, _ result: SimulationResult) -> JSONValue {
        let groups = run.groups.indices.map { index in
            group(run.groups[index], outcomes: result.replications.map { $0.groups[index] }, weeks: run.weeks,
                  controlPoints: run.controlPoints)
        }
        return .object([
            ("scenario", .string(run.scenario)),
            ("seed", .integer(Int(truncatingIfNeeded: run.seed))),
            ("replications", .integer(run.replications)),
            ("weeks", .integer(run.weeks)),
            ("control_points", .array(run.controlPoints.map { .integer($0) })),
            ("groups", .array(groups)),
        ])
    }

    /// The JSON form of a statistic: `{"mean", "sd", "ci95": [lo, hi], "n"}`; unknown values
    /// are null.
    public static func json(_ s: Statistic) -> JSONValue {
        .object([
            ("mean", .finite(s.mean)),
            ("sd", s.sd.map { .finite($0) } ?? .null),
            ("ci95", s.ci95.map { .array([.finite($0.lower), .finite($0.upper)]) } ?? .null),
            ("n", .integer(s.n)),
        ])
    }

    static func stat(_ values: [Double]) -> JSONValue { json(Statistic(values)) }

    static func beforeAfter(_ outcomes: [GroupOutcome], _ value: (WeekMetrics) -> Double) -> [(String, JSONValue)] {
        let before = outcomes.map { value($0.before) }
        let after = outcomes.map { value($0.after) }
        return [
            ("before", stat(before)),
            ("after", stat(after)),
            ("change", stat(zip(after, before).map { $0 - $1 })),
        ]
    }

    static func group(_ group: RunDescription.Group, outcomes: [GroupOutcome], weeks: Int, controlPoints: [Int]) -> JSONValue {
        func bands(_ pick: (GroupOutcome) -> WeekMetrics) -> JSONValue {
            .object(LevelBand.allCases.map { band in (band.key, stat(outcomes.map { pick($0).bandShares[band.rawValue] })) })
        }
        let change = JSONValue.object(
            LevelBand.allCases.map { band in
                (band.key, stat(outcomes.map { $0.after.bandShares[band.rawValue] - $0.before.bandShares[band.rawValue] }))
            })
        let skills = JSONValue.object(
            Skill.allCases.map { skill in
                (skill.name, .object(beforeAfter(outcomes) { $0.skills[skill.rawValue] }))
            })
        var overall = beforeAfter(outcomes) { $0.overall }
        overall.append(("after_sd_students", stat(outcomes.map { $0.after.overallSD })))
        let assessments = JSONValue.array(
            controlPoints.map { week in
                .object([
                    ("week", .integer(week)),
                    ("measured", stat(outcomes.map { $0.weekly[week].measured })),
                    ("true", stat(outcomes.map { $0.weekly[week].overall })),
                ])
            })
        let students = Double(group.students)
        return .object([
            ("name", .string(group.name)),
            ("model", .string(group.model)),
            ("online_share", .finite(group.onlineShare)),
            ("students", .integer(group.students)),
            ("policies", .array(group.policies.map { .string($0) })),
            ("levels", .object([("before", bands { $0.before }), ("after", bands { $0.after }), ("change", change)])),
            ("skills", skills),
            ("motivation", .object(beforeAfter(outcomes) { $0.motivation })),
            ("overall", .object(overall)),
            ("assessments", assessments),
            ("incidents", .object([
                ("cheating", stat(outcomes.map { Double($0.cheating) })),
                ("late_submissions", stat(outcomes.map { Double($0.lateSubmissions) })),
                ("dropouts", stat(outcomes.map { Double($0.dropouts) })),
            ])),
            ("rates", .object([
                ("cheating_per_student", stat(outcomes.map { Double($0.cheating) / students })),
                ("late_submissions_per_student", stat(outcomes.map { Double($0.lateSubmissions) / students })),
                ("dropout_share", stat(outcomes.map { Double($0.dropouts) / students })),
            ])),
            ("online_minutes_per_student", stat(outcomes.map { $0.after.onlineMinutes })),
            ("planned_minutes_per_week", stat(outcomes.map { $0.plannedMinutes.reduce(0, +) / Double(max(weeks, 1)) })),
        ])
    }
}
