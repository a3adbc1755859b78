import BlendSimCore
import BlendSimPluginHost
import BlendSimPluginKit
import BlendSimRunner
import CBlendSimABI
import Foundation
import Testing

/// What is written twice by necessity agrees: the host's and the C header's random numbers, the
/// activity kinds of the core, the plugin kit and the ABI, and docs/MODEL.md's defaults and the
/// plugins' declared defaults.
@Suite("Agreement")
struct AgreementTests {
    /// Plugins draw reproducible numbers with the C header's `bs_random_uniform`; the host's
    /// `CounterRandom` must give the same numbers, or a plugin's draws and the host's would not
    /// be the same streams.
    @Test func counterRandomMatchesTheCHeader() {
        var stream: UInt64 = 0x1234_5678_9ABC_DEF0
        for counter: UInt64 in [0, 1, 2, 3, 63, 64, 1 << 20, UInt64.max - 1, UInt64.max] {
            stream = CounterRandom.mix(stream &+ counter)
            #expect(CounterRandom.uniform(stream, counter) == bs_random_uniform(stream, counter), "stream \(stream), counter \(counter)")
            #expect(CounterRandom.mix(stream) == bs_mix64(stream))
        }
    }

    /// The activity kinds: the core's and the plugin kit's raw values are the ABI's constants.
    @Test func activityKindsMatchTheABI() {
        let abi: [(BlendSimCore.ActivityKind, UInt32)] = [
            (.classroom, BS_ACTIVITY_CLASSROOM), (.onlineSync, BS_ACTIVITY_ONLINE_SYNC), (.onlineAsync, BS_ACTIVITY_ONLINE_ASYNC),
            (.siw, BS_ACTIVITY_SIW), (.siwt, BS_ACTIVITY_SIWT), (.assessment, BS_ACTIVITY_ASSESSMENT),
        ]
        #expect(BlendSimCore.ActivityKind.allCases.count == Int(BS_ACTIVITY_KIND_COUNT))
        #expect(BlendSimPluginKit.ActivityKind.allCases.count == Int(BS_ACTIVITY_KIND_COUNT))
        for (kind, constant) in abi {
            #expect(kind.rawValue == constant, "\(kind)")
            #expect(BlendSimPluginKit.ActivityKind(rawValue: constant).map { "\($0)" } == "\(kind)", "\(kind)")
        }
    }

    /// docs/MODEL.md's tables of models and policies name every parameter they mention with its
    /// default; each must be a parameter of that plugin, with that default.
    @Test func modelDocumentationStatesThePluginsDefaults() throws {
        let text = try String(contentsOfFile: TestPaths.root + "/docs/MODEL.md", encoding: .utf8)
        let host = try PluginResolution.host([TestPaths.products])
        var schemas: [String: [String: String]] = [:]
        for model in host.models { schemas[model.name] = Dictionary(model.schema.parameters.map { ($0.name, $0.defaultValue.serialized()) }) { a, _ in a } }
        for policy in host.policies { schemas[policy.name] = Dictionary(policy.schema.parameters.map { ($0.name, $0.defaultValue.serialized()) }) { a, _ in a } }
        let name = try Regex(#"`([a-z0-9_-]+)`"#)
        let pair = try Regex(#"`([a-z_]+)` \(?(-?[0-9]+(?:\.[0-9]+)?)\)?"#)
        var checked = 0
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 4, let plugin = cells[1].firstMatch(of: name).map({ String($0.output[1].substring ?? "") }),
                let schema = schemas[plugin]
            else { continue }
            let cell = cells[3]
            for match in cell.matches(of: name) {
                let parameter = String(match.output[1].substring ?? "")
                guard let value = schema[parameter] else {
                    // Conditions the policies change are written without backquotes; a backquoted
                    // word in these cells is one of the plugin's parameters.
                    Issue.record("docs/MODEL.md names '\(parameter)' for '\(plugin)', which has no such parameter")
                    continue
                }
                // The default stands after the name, in the cell (directly, or in brackets at the end).
                #expect(cell[match.range.upperBound...].contains(value), "docs/MODEL.md: '\(plugin).\(parameter)' should show its default \(value)")
                checked += 1
            }
            for match in cell.matches(of: pair) {
                let parameter = String(match.output[1].substring ?? "")
                let written = String(match.output[2].substring ?? "")
                if let value = schema[parameter], let number = Double(written) {
                    #expect(Double(value) == number, "docs/MODEL.md: '\(plugin).\(parameter)' is \(written), the plugin's default is \(value)")
                }
            }
        }
        #expect(checked >= 50, "only \(checked) defaults found in docs/MODEL.md's tables")
    }

    /// docs/ARCHITECTURE.md's table of modules names, for each target of Sources/, exactly the
    /// modules its files import (the system's own — Glibc, Dispatch, Synchronization, Foundation —
    /// aside).
    @Test func theModuleGraphMatchesTheImports() throws {
        let text = try String(contentsOfFile: TestPaths.root + "/docs/ARCHITECTURE.md", encoding: .utf8)
        let system: Set<String> = ["Glibc", "Dispatch", "Synchronization", "Foundation"]
        let sources = TestPaths.root + "/Sources"
        let targets = try FileManager.default.contentsOfDirectory(atPath: sources).filter { !$0.hasPrefix("C") }
        let importLine = try Regex(#"^(?:public |@testable |internal )?import ([A-Za-z]+)"#)
        var checked = 0
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 6 else { continue }
            let target = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            guard targets.contains(target) else { continue }
            // The documented imports: names outside parentheses, short names completed ("Core" is BlendSimCore).
            var documented = Set<String>()
            var depth = 0
            var word = ""
            for character in cells[4] + " " {
                if character == "(" { depth += 1 } else if character == ")" { depth -= 1 }
                if depth == 0, character.isLetter { word.append(character); continue }
                if !word.isEmpty {
                    documented.insert(targets.contains("BlendSim" + word) ? "BlendSim" + word : word)
                    word = ""
                }
            }
            var imported = Set<String>()
            let enumerator = FileManager.default.enumerator(atPath: sources + "/" + target)
            while let file = enumerator?.nextObject() as? String {
                guard file.hasSuffix(".swift") else { continue }
                for line in try String(contentsOfFile: sources + "/" + target + "/" + file, encoding: .utf8).split(separator: "\n") {
                    if let match = String(line).firstMatch(of: importLine), let name = match.output[1].substring {
                        imported.insert(String(name))
                    }
                }
            }
            #expect(documented == imported.subtracting(system), "\(target): documented \(documented.sorted()), imported \(imported.subtracting(system).sorted())")
            checked += 1
        }
        #expect(checked == targets.count, "docs/ARCHITECTURE.md describes \(checked) of the \(targets.count) targets")
    }
}
