public import BlendSimCore
public import BlendSimPluginHost
import BlendSimScenario
import BlendSimSystem

/// `blendsim init`: a commented starting scenario that runs as it is.
public enum ScenarioTemplate {
    /// The template; with `cohort`, both groups read their students from that file (the same
    /// students taught two ways), mapped by what its columns hold, with the file summarised in
    /// comments.
    public static func text(model: String, host: PluginHost, cohort: String? = nil) throws(Diagnostic) -> String {
        guard let component = host.model(named: model) else { throw Diagnostic(host.notFoundMessage(kind: "model", name: model)) }
        let share = model == "traditional" ? "0.0" : model == "fully-online" ? "1.0" : "0.4"
        var parameters = ""
        for p in component.schema.parameters {
            let unit = p.unit.isEmpty || p.unit == "1" ? "" : " \(p.unit)"
            parameters += "      #   \(p.name): \(p.defaultValue.serialized())\(unit)  — \(p.help)\n"
        }
        let policies = host.policies.map(\.name).joined(separator: ", ")
        var students = """
                students: 50
                levels: {pre_intermediate: 0.68, intermediate: 0.22, upper_intermediate: 0.10}
            """
        var summary = ""
        if let cohort {
            let (block, comments) = try CohortTemplate.block(path: cohort)
            students = block
            summary = comments
        }
        return """
            # A blendsim scenario (docs/SCENARIO.md lists every key with its default and range).
            # Run it:      blendsim run my.yaml --out results/my --report
            # Check it:    blendsim validate my.yaml
            \(summary)name: my-course
            seed: 1                       # same seed, same results
            replications: 30              # every figure gets a 95% confidence interval over these
            baseline: classroom           # the other groups' gains are reported against this one

            semester:
              weeks: 15
              control_points: [8, 15]     # weeks that end with an assessment

            population:                   # the students' traits (defaults shown)
              motivation: {mean: 0.55, sd: 0.15}
              self_regulation: {mean: 0.5, sd: 0.15}
              digital_competence: {mean: 0.6, sd: 0.18}
              device_access: 0.8          # share with a personal PC
              connectivity: {mean: 0.65, sd: 0.2}
              integrity: {mean: 0.7, sd: 0.18}

            groups:
              - name: classroom
            \(students)
                model: traditional
                online_share: 0.0
                hours: {contact: 4, siwt: 1, siw: 3}

              - name: blended
            \(students)
                model:
                  name: \(model)
                  parameters: {}
                  # \(component.summary); its parameters and defaults:
            \(parameters)    online_share: \(share)             # 0.4 = 40% online, 60% classroom
                hours: {contact: 4, siwt: 1, siw: 3}
                policies: []                # e.g. [teacher-it-training, {name: anti-plagiarism, parameters: {detection: 0.8}}]
                # available policies: \(policies)

            """
    }
}
