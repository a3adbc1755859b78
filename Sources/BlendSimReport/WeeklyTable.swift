public import BlendSimCore

/// weekly.csv: one tidy row per group × week × metric × statistic, over replications.
public enum WeeklyTable {
    public static let header = "group,week,metric,statistic,value"

    typealias Reader = @Sendable (WeekMetrics) -> Double

    /// The metrics written per week, with how to read each from a week's metrics.
    static let metrics: [(String, Reader)] = {
        var list: [(String, Reader)] = []
        for skill in Skill.allCases {
            let index = skill.rawValue
            list.append((skill.name, { $0.skills[index] }))
        }
        list.append(("overall", { $0.overall }))
        list.append(("overall_sd_students", { $0.overallSD }))
        list.append(("motivation", { $0.motivation }))
        list.append(("active_share", { $0.activeShare }))
        list.append(("online_minutes", { $0.onlineMinutes }))
        list.append(("cheating", { Double($0.cheating) }))
        list.append(("late_submissions", { Double($0.late) }))
        list.append(("dropouts", { Double($0.dropouts) }))
        list.append(("measured_score", { $0.measured }))
        for band in LevelBand.allCases {
            let index = band.rawValue
            list.append(("share_\(band.key)", { $0.bandShares[index] }))
        }
        for skill in Skill.allCases {
            let index = skill.rawValue
            list.append(("level_up_\(skill.name)", { $0.levelUpShares[index] }))
        }
        list.append(("level_up_overall", { $0.levelUpShares[4] }))
        list.append(("digital_competence", { $0.digitalCompetence }))
        list.append(("low_motivation_share", { $0.lowMotivationShare }))
        list.append(("without_device_share", { $0.withoutDeviceShare }))
        list.append(("poor_connection_share", { $0.poorConnectionShare }))
        list.append(("teacher_load", { $0.teacherLoad }))
        return list
    }()

    /// A programme's weekly.csv: each row says its semester, and `week` is the week within it.
    public static let programmeHeader = "group,semester,week,metric,statistic,value"

    public static func csv(_ run: RunDescription, _ result: SimulationResult) -> String {
        var lines = [run.programme == nil ? header : programmeHeader]
        rows(run, result, prefix: "", into: &lines)
        return lines.joined(separator: "\n") + "\n"
    }

    /// A comparison's weekly.csv: the same rows with the variant's name first.
    public static let variantsHeader = "variant," + header

    public static func csv(variants: [(name: String, run: RunDescription, result: SimulationResult)]) -> String {
        var lines = [variants.contains { $0.run.programme != nil } ? "variant," + programmeHeader : variantsHeader]
        for variant in variants { rows(variant.run, variant.result, prefix: quote(variant.name) + ",", into: &lines) }
        return lines.joined(separator: "\n") + "\n"
    }

    static func rows(_ run: RunDescription, _ result: SimulationResult, prefix first: String, into lines: inout [String]) {
        for (index, group) in run.groups.enumerated() {
            let outcomes = result.replications.map { $0.groups[index] }
            let name = first + quote(group.name)
            let rows = run.programme?.rows ?? (0...run.weeks).map { (semester: 0, week: $0, row: $0) }
            for (semester, week, row) in rows {
                for (metric, read) in metrics {
                    let values = outcomes.map { read($0.weekly[row]) }
                    guard values.contains(where: { $0.isFinite }) else { continue }
                    let s = Statistic(values)
                    let prefix = run.programme == nil ? "\(name),\(week),\(metric)," : "\(name),\(semester),\(week),\(metric),"
                    lines.append(prefix + "mean," + number(s.mean))
                    lines.append(prefix + "sd," + (s.sd.map(number) ?? ""))
                    lines.append(prefix + "ci95_lo," + (s.ci95.map { number($0.lower) } ?? ""))
                    lines.append(prefix + "ci95_hi," + (s.ci95.map { number($0.upper) } ?? ""))
                    lines.append(prefix + "n,\(s.n)")
                }
            }
        }
    }

    public static func number(_ value: Double) -> String { value.isFinite ? JSONValue.number(value).serialized() : "" }

    /// RFC 4180 quoting where a field needs it.
    public static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
