import BlendSimCore
import BlendSimPluginHost
import CBlendSimABI
import Foundation
import Testing

/// blendsim_parameters.h: C plugins' typed lookup of the parameters object `create` receives.
@Suite("C parameter lookup")
struct ParameterLookupTests {
    func number(_ json: String, _ name: String) -> (Int32, Double) {
        var value = -1.0
        let status = bs_parameter_number(json, name, &value)
        return (status, value)
    }

    func string(_ json: String, _ name: String, capacity: Int = 64) -> (Int32, String) {
        var buffer = [CChar](repeating: 0, count: capacity)
        let status = bs_parameter_string(json, name, &buffer, capacity)
        return (status, status == BS_PARAMETER_OK ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "")
    }

    /// A name matches a whole key, never part of one or text inside a value — what `strstr` gets
    /// wrong.
    @Test func namesMatchWholeKeysOnly() {
        let json = #"{"label":"\"rate\":9","growth_rate":0.25,"rate":1.5e-2}"#
        #expect(number(json, "rate") == (BS_PARAMETER_OK, 0.015))
        #expect(number(json, "growth_rate") == (BS_PARAMETER_OK, 0.25))
        #expect(number(json, "rat").0 == BS_PARAMETER_MISSING)
        #expect(number(json, "label").0 == BS_PARAMETER_WRONG_TYPE)
        #expect(string(json, "label") == (BS_PARAMETER_OK, #""rate":9"#))
    }

    @Test func typesAreChecked() {
        let json = #"{ "n": 3, "x": -2.5, "on": true, "off": false, "mode": "fast", "nothing": null }"#
        var integer: Int64 = 0
        #expect(bs_parameter_integer(json, "n", &integer) == BS_PARAMETER_OK && integer == 3)
        #expect(bs_parameter_integer(json, "x", &integer) == BS_PARAMETER_WRONG_TYPE && integer == 3)
        var flag: Int32 = -1
        #expect(bs_parameter_bool(json, "on", &flag) == BS_PARAMETER_OK && flag == 1)
        #expect(bs_parameter_bool(json, "off", &flag) == BS_PARAMETER_OK && flag == 0)
        #expect(bs_parameter_bool(json, "n", &flag) == BS_PARAMETER_WRONG_TYPE)
        #expect(number(json, "x") == (BS_PARAMETER_OK, -2.5))
        #expect(number(json, "nothing").0 == BS_PARAMETER_WRONG_TYPE)
        #expect(string(json, "mode") == (BS_PARAMETER_OK, "fast"))
        #expect(string(json, "mode", capacity: 4).0 == BS_PARAMETER_TOO_LONG)
        #expect(string(json, "mode", capacity: 5) == (BS_PARAMETER_OK, "fast"))
    }

    /// Values no C type holds are refused, not converted with undefined behaviour; keys of any
    /// length are found; a string with U+0000 is not cut short silently.
    @Test func edgesAreRefusedOrHandled() {
        var integer: Int64 = 7
        for text in ["1e300", "1e999", "2e19", "-2e19", "9223372036854775807", "1.5"] {
            #expect(bs_parameter_integer("{\"k\":\(text)}", "k", &integer) == BS_PARAMETER_WRONG_TYPE, "\(text)")
        }
        #expect(integer == 7)
        #expect(bs_parameter_integer(#"{"k":-9007199254740992}"#, "k", &integer) == BS_PARAMETER_OK && integer == -9_007_199_254_740_992)
        let long = String(repeating: "k", count: 600)
        #expect(number("{\"\(long)\":5}", long) == (BS_PARAMETER_OK, 5))
        #expect(number("{\"\(long)\":5}", String(long.dropLast())).0 == BS_PARAMETER_MISSING)
        #expect(string(#"{"s":"a\u0000b"}"#, "s").0 == BS_PARAMETER_WRONG_TYPE)
        #expect(number(#"{"k":1.5x}"#, "k").0 == BS_PARAMETER_MALFORMED)
        // Correctly rounded, on and off the exact fast path.
        for value in [0.1, 1.30484, 1e-05, 2.2250738585072014e-308, 1.7976931348623157e308, 123456789.123456789] {
            #expect(number("{\"k\":\(value)}", "k") == (BS_PARAMETER_OK, value), "\(value)")
        }
    }

    @Test func escapesAreDecoded() {
        let json = #"{"a\u0062c":"tab\there \u00e9 \ud83d\ude00 \\ \/","n":1}"#
        #expect(string(json, "abc") == (BS_PARAMETER_OK, "tab\there é 😀 \\ /"))
        #expect(number(json, "n") == (BS_PARAMETER_OK, 1))
    }

    @Test func malformedTextIsReported() {
        for json in ["", "[1]", #"{"a":1"#, #"{"a" 1}"#, #"{"a":"unterminated}"#, #"{"a":1,}"#, #"{"a":"\ud800"}"#] {
            #expect(number(json, "b").0 == BS_PARAMETER_MALFORMED, "\(json)")
        }
        #expect(number("{}", "a").0 == BS_PARAMETER_MISSING)
    }

    /// Every shipped component's parameters object, as the host serialises it for `create`, reads
    /// back through the header with the same values.
    @Test func readsWhatTheHostSends() throws {
        let host = try PluginHost(searchPath: [TestPaths.products])
        let schemas = host.models.map(\.schema) + host.policies.map(\.schema)
        var checked = 0
        for schema in schemas {
            let json = try schema.resolve([]).serialized()
            for parameter in schema.parameters {
                switch parameter.type {
                case "number", "integer":
                    #expect(number(json, parameter.name) == (BS_PARAMETER_OK, parameter.defaultValue.doubleValue!), "\(json)")
                case "boolean":
                    var flag: Int32 = -1
                    #expect(bs_parameter_bool(json, parameter.name, &flag) == BS_PARAMETER_OK)
                    #expect((flag == 1) == (parameter.defaultValue == .bool(true)))
                default:
                    #expect(string(json, parameter.name, capacity: 256) == (BS_PARAMETER_OK, parameter.defaultValue.stringValue!))
                }
                checked += 1
            }
        }
        #expect(checked >= 20)
    }

    /// docs/PLUGINS.md's example of the parameters object is what the host sends.
    @Test func theDocumentedExampleIsWhatTheHostSends() throws {
        let host = try PluginHost(searchPath: [TestPaths.products])
        let flipped = try #require(host.model(named: "flipped-classroom"))
        let sent = try flipped.schema.resolve([("practice_feedback", .number(0.8))]).serialized()
        let docs = try String(contentsOfFile: TestPaths.root + "/docs/PLUGINS.md", encoding: .utf8)
        #expect(docs.contains("`" + sent + "`"), "\(sent)")
    }
}
