import BlendSimCore
import BlendSimPluginKit
import Testing

/// `@Parameter`: each parameter declared once, and everything about it derived from that.
@Suite struct ParameterDeclarationTests {
    struct Declared: PluginParameters {
        @Parameter(range: 0...3, unit: "min", help: "an ordinary number")
        var contentEffectiveness: Double = 1.25
        @Parameter(range: 1...8, help: "a whole number")
        var sessionInterval: Int = 2
        @Parameter(help: "a switch")
        var enabled: Bool = true
        @Parameter(options: ["a", "b"], help: "a choice")
        var mode: String = "b"
        @Parameter(range: 0...1, help: "an acronym")
        var extraSIWMinutes: Double = 0.5
        @Parameter(range: 0...1, help: "a plural acronym")
        var numberOfPCs: Double = 0.1
        @Parameter(range: 0...1, help: "a digit")
        var week2Score: Double = 0.2
        @Parameter(name: "legacy_name", range: 0...1, help: "named explicitly")
        var renamed: Double = 0.3
    }

    /// The schema lists every parameter in declaration order, with the snake_case name, type,
    /// default, range or options, unit and help of its one declaration.
    @Test func theSchemaDerivesFromTheDeclarations() throws {
        let schema = try JSONValue.parse(Declared.schemaJSON)
        guard case .array(let entries)? = schema["parameters"] else {
            Issue.record("no parameters in \(Declared.schemaJSON)")
            return
        }
        #expect(entries.compactMap { $0["name"]?.stringValue } == [
            "content_effectiveness", "session_interval", "enabled", "mode", "extra_siw_minutes", "number_of_pcs",
            "week2_score", "legacy_name",
        ])
        #expect(entries.compactMap { $0["type"]?.stringValue } == ["number", "integer", "boolean", "string", "number", "number", "number", "number"])
        #expect(entries[0]["default"]?.doubleValue == 1.25)
        #expect(entries[0]["minimum"]?.doubleValue == 0)
        #expect(entries[0]["maximum"]?.doubleValue == 3)
        #expect(entries[0]["unit"] == .string("min"))
        #expect(entries[0]["help"] == .string("an ordinary number"))
        #expect(entries[1]["default"]?.doubleValue == 2)
        #expect(entries[2]["default"] == .bool(true))
        #expect(entries[3]["enum"] == .array([.string("a"), .string("b")]))
        #expect(entries[3]["default"] == .string("b"))
        #expect(entries[2]["minimum"] == nil)
    }

    /// The values blendsim passes under the scenario's names reach the properties, including an
    /// explicitly named one.
    @Test func decodingMapsScenarioNamesToProperties() throws {
        let decoded = try Declared.decode(json: """
            {"content_effectiveness": 2.5, "session_interval": 4, "enabled": false, "mode": "a", "extra_siw_minutes": 0.75,
             "number_of_pcs": 0.9, "week2_score": 0.6, "legacy_name": 0.45}
            """)
        #expect(decoded.contentEffectiveness == 2.5)
        #expect(decoded.sessionInterval == 4)
        #expect(decoded.enabled == false)
        #expect(decoded.mode == "a")
        #expect(decoded.extraSIWMinutes == 0.75)
        #expect(decoded.numberOfPCs == 0.9)
        #expect(decoded.week2Score == 0.6)
        #expect(decoded.renamed == 0.45)
        #expect(Declared().contentEffectiveness == 1.25)
    }

    struct Undeclared: PluginParameters {
        @Parameter(range: 0...1, help: "fine")
        var fine: Double = 0.5
        var forgotten: Double = 1
    }

    struct Unbounded: PluginParameters {
        @Parameter(range: 0...Double.infinity, help: "no upper bound")
        var open: Double = 1
    }

    struct OutOfRange: PluginParameters {
        @Parameter(range: 0...1, help: "default above the range")
        var share: Double = 2
    }

    /// Declarations blendsim cannot use give a schema that names the problem — which the host
    /// refuses with that sentence — instead of a crash at load.
    @Test func unusableDeclarationsAreNamedNotFatal() throws {
        func refusal(_ json: String) throws -> String? { try JSONValue.parse(json)["error"]?.stringValue }
        #expect(try refusal(Undeclared.schemaJSON)?.contains("Undeclared.forgotten is not declared with @Parameter") == true)
        #expect(try refusal(Unbounded.schemaJSON)?.contains("Unbounded.open: the range's upper bound is not a finite number") == true)
        #expect(try refusal(OutOfRange.schemaJSON)?.contains("OutOfRange.share: the default 2.0 is above the range") == true)
        #expect(try refusal(Declared.schemaJSON) == nil)
        #expect(try JSONValue.parse(NoParameters.schemaJSON)["parameters"] == .array([]))
    }
}
