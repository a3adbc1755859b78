public import BlendSimCore

/// summary.json: the results contract that reports, comparisons and outside tools read.
/// docs/RESULTS.md documents every field; fields are only ever added, never renamed.
public enum Summary {
    /// The summary document of a run.
    public static func document(_ run: RunDescription, _ result: SimulationResult) -> JSONValue {
        let outcomes = run.groups.indices.map { index in result.replications.map { $0.groups[index] } }
        let groups = run.groups.indices.map { index -> JSONValue in
            var json = group(run.groups[index], outcomes: outcomes[index], weeks: run.weeks, controlPoints: run.controlPoints)
            if let programme = run.programme, case .object(var members) = json {
                members.append(("programme", programme.json(group: index, outcomes: outcomes[index])))
                json = .object(members)
            }
            guard let pricing = run.groups[index].pricing, case .object(var members) = json else { return json }
            members.append(("cost", CostReport.json(pricing, outcomes: outcomes[index])))
            return .object(members)
        }
        var members: [(String, JSONValue)] = [
            ("scenario", .string(run.scenario)),
            ("seed", .integer(Int(truncatingIfNeeded: run.seed))),
            ("replications", .integer(run.replications)),
            ("weeks", .integer(run.weeks)),
            ("control_points", .array(run.controlPoints.map { .integer($0) })),
            ("groups", .array(groups)),
        ]
        if let uncertainty = run.uncertainty { members.insert(("uncertainty", uncertainty.json), at: 5) }
        if let programme = run.programme {
            // A programme: its semesters (each control point is a week of the first semester in
            // `control_points`; every semester's are in `programme.semesters`).
            members.insert(("programme", .object([
                ("semesters", .array(programme.semesters.map { semester in
                    .object([
                        ("name", .string(semester.name)), ("break_weeks", .integer(semester.breakWeeks)),
                        ("weeks", .integer(semester.weeks)), ("control_points", .array(semester.controlPoints.map { .integer($0) })),
                    ])
                })),
                ("target", programme.target.map { .string($0.key) } ?? .null),
            ])), at: members.firstIndex { $0.0 == "groups" }!)
        }
        if let stopping = run.stopping { members.insert(("replications_auto", stopping.json), at: 3) }
        if let baseline = run.baseline, let base = run.groups.firstIndex(where: { $0.name == baseline }) {
            members.append(("baseline", .string(baseline)))
            members.append(("gains", .array(run.groups.indices.filter { $0 != base }.map { index -> JSONValue in
                let json = gains(run.groups[index].name, outcomes[index], baseline: baseline, outcomes[base])
                guard let pricing = run.groups[index].pricing, let basePricing = run.groups[base].pricing,
                    case .object(var members) = json
                else { return json }
                members.append(("cost", CostReport.Effectiveness(pricing, outcomes[index], baseline: basePricing, outcomes[base]).json))
                return .object(members)
            })))
        }
        members.append(("evidence", Provenance.json(run)))
        return .object(members)
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

    /// The paper's three levels from the six bands: A2 and below, B1, B2 and above.
    public static let paperLevels: [(String, [LevelBand])] = [
        ("pre_intermediate", [.elementary, .preIntermediate]),
        ("intermediate", [.intermediate]),
        ("upper_intermediate", [.upperIntermediate, .advanced, .proficiency]),
    ]

    public static func paperShare(_ metrics: WeekMetrics, _ bands: [LevelBand]) -> Double {
        bands.reduce(0) { $0 + metrics.bandShares[$1.rawValue] }
    }

    static func group(_ group: RunDescription.Group, outcomes: [GroupOutcome], weeks: Int, controlPoints: [Int]) -> JSONValue {
        func bands(_ pick: (GroupOutcome) -> WeekMetrics) -> JSONValue {
            .object(LevelBand.allCases.map { band in (band.key, stat(outcomes.map { pick($0).bandShares[band.rawValue] })) })
        }
        let change = JSONValue.object(
            LevelBand.allCases.map { band in
                (band.key, stat(outcomes.map { $0.after.bandShares[band.rawValue] - $0.before.bandShares[band.rawValue] }))
            })
        func paper(_ pick: (GroupOutcome) -> Double) -> JSONValue { stat(outcomes.map(pick)) }
        let paperLevels = JSONValue.object([
            ("before", .object(Self.paperLevels.map { name, members in (name, paper { paperShare($0.before, members) }) })),
            ("after", .object(Self.paperLevels.map { name, members in (name, paper { paperShare($0.after, members) }) })),
            ("change", .object(Self.paperLevels.map { name, members in
                (name, paper { paperShare($0.after, members) - paperShare($0.before, members) })
            })),
        ])
        let skills = JSONValue.object(
            Skill.allCases.map { skill in
                (skill.name, .object(beforeAfter(outcomes) { $0.skills[skill.rawValue] }
                    + [("level_up_share", stat(outcomes.map { $0.after.levelUpShares[skill.rawValue] }))]))
            })
        var overall = beforeAfter(outcomes) { $0.overall }
        overall.append(("after_sd_students", stat(outcomes.map { $0.after.overallSD })))
        overall.append(("level_up_share", stat(outcomes.map { $0.after.levelUpShares[4] })))
        let assessments = JSONValue.array(
            controlPoints.map { week in
                .object([
                    ("week", .integer(week)),
                    ("measured", stat(outcomes.map { $0.weekly[week].measured })),
                    ("true", stat(outcomes.map { $0.weekly[week].overall })),
                ])
            })
        let students = Double(group.students)
        func semesterMean(_ value: (WeekMetrics) -> Double) -> JSONValue {
            stat(outcomes.map { outcome in outcome.weekly.dropFirst().reduce(0) { $0 + value($1) } / Double(max(weeks, 1)) })
        }
        return .object([
            ("name", .string(group.name)),
            ("model", .string(group.model)),
            ("online_share", .finite(group.onlineShare)),
            ("students", .integer(group.students)),
            ("policies", .array(group.policies.map { .string($0) })),
            ("levels", .object([("before", bands { $0.before }), ("after", bands { $0.after }), ("change", change)])),
            ("paper_levels", paperLevels),
            ("skills", skills),
            ("motivation", .object(beforeAfter(outcomes) { $0.motivation })),
            ("overall", .object(overall)),
            ("digital_competence", .object(beforeAfter(outcomes) { $0.digitalCompetence })),
            ("course_achievement", .object([
                ("mean", stat(outcomes.map { $0.after.course })),
                ("sd_students", stat(outcomes.map { $0.after.courseSD })),
                ("self_regulation_correlation", stat(outcomes.map { $0.after.regulationCourseCorrelation })),
            ])),
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
                ("cheater_share", stat(outcomes.map { $0.after.cheaterShare })),
                ("low_motivation_share", .object(beforeAfter(outcomes) { $0.lowMotivationShare })),
                ("without_device_share", semesterMean { $0.withoutDeviceShare }),
                ("poor_connection_share", semesterMean { $0.poorConnectionShare }),
                ("teacher_load", semesterMean { $0.teacherLoad }),
                ("assessment_inflation", stat(outcomes.map { outcome in
                    let weeks = controlPoints.filter { outcome.weekly[$0].measured.isFinite }
                    guard !weeks.isEmpty else { return .nan }
                    return weeks.reduce(0) { $0 + outcome.weekly[$1].measured - outcome.weekly[$1].overall } / Double(weeks.count)
                })),
            ])),
            ("online_minutes_per_student", stat(outcomes.map { $0.after.onlineMinutes })),
            ("planned_minutes_per_week", stat(outcomes.map { $0.plannedMinutes.reduce(0, +) / Double(max(weeks, 1)) })),
        ])
    }

    /// A group's gains over the baseline, replication by replication (both groups share each
    /// replication's random streams): per skill, the difference in the share of students who
    /// rose a band in that skill, in percentage points; for motivation, the difference of the
    /// two groups' changes as a percentage of the baseline's starting motivation. docs/MODEL.md
    /// explains this reading of the paper's percentages.
    static func gains(_ name: String, _ outcomes: [GroupOutcome], baseline: String, _ base: [GroupOutcome]) -> JSONValue {
        let pairs = Array(zip(outcomes, base))
        func levelUp(_ k: Int) -> JSONValue {
            stat(pairs.map { 100 * ($0.after.levelUpShares[k] - $1.after.levelUpShares[k]) })
        }
        return .object([
            ("group", .string(name)),
            ("baseline", .string(baseline)),
            ("skills", .object(Skill.allCases.map { ($0.name, levelUp($0.rawValue)) })),
            ("overall", levelUp(4)),
            ("motivation", stat(pairs.map { group, base in
                100 * ((group.after.motivation - group.before.motivation) - (base.after.motivation - base.before.motivation))
                    / base.before.motivation
            })),
            ("overall_score", stat(pairs.map { group, base in
                (group.after.overall - group.before.overall) - (base.after.overall - base.before.overall)
            })),
            ("course_achievement", .object([
                ("difference", stat(pairs.map { $0.after.course - $1.after.course })),
                ("hedges_g", stat(pairs.map { Outcomes.courseHedgesG($0, $1) })),
            ])),
            ("dropout_share", stat(pairs.map { group, base in
                Double(group.dropouts) / Double(max(group.enrolled, 1)) - Double(base.dropouts) / Double(max(base.enrolled, 1))
            })),
            ("cheater_share", stat(pairs.map { $0.after.cheaterShare - $1.after.cheaterShare })),
            ("cheating_ratio", stat(pairs.map { group, base in
                base.cheating > 0 ? Double(group.cheating) / Double(base.cheating) : .nan
            })),
        ])
    }
}
