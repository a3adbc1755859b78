import BlendSimCore
import Testing

@Suite("Statistics and encodings")
struct StatisticsTests {
    @Test(arguments: [(1.0, 12.706204736), (2, 4.302652730), (5, 2.570581836), (10, 2.228138852), (49, 2.009575237), (1000, 1.962339081)])
    func studentTQuantiles(df: Double, expected: Double) {
        #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: df) - expected) < 1e-6)
    }

    @Test func statisticOfValues() throws {
        let s = Statistic([1, 2, 3, 4, 5])
        #expect(s.mean == 3)
        #expect(abs(try #require(s.sd) - 1.5811388300841898) < 1e-12)
        let ci = try #require(s.ci95)
        #expect(abs(ci.lower - (3 - 2.776445105 * 1.5811388300841898 / 5.0.squareRoot())) < 1e-6)
        #expect(s.n == 5)
    }

    @Test func singleValueHasNoSpread() {
        let s = Statistic([7])
        #expect(s.mean == 7 && s.sd == nil && s.ci95 == nil && s.n == 1)
    }

    @Test func sha256Vectors() {
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex(Array(repeating: UInt8(ascii: "a"), count: 1_000_000))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func jsonRoundTripsAndKeepsOrder() throws {
        let value = JSONValue.object([
            ("z", .integer(1)), ("a", .number(0.1)), ("s", .string("q\"\\\n")), ("l", .array([.bool(true), .null])),
        ])
        let text = value.serialized()
        #expect(text == #"{"z":1,"a":0.1,"s":"q\"\\\n","l":[true,null]}"#)
        #expect(try JSONValue.parse(text) == value)
        #expect(JSONValue.finite(.nan) == .null)
        // Strings with and without escapes; a surrogate pair is one scalar, a lone one U+FFFD.
        #expect(try JSONValue.parse(#"["plain é", "a\u00e9b", "\ud83d\ude00", "\ud83dx", "\/"]"#)
            == .array([.string("plain é"), .string("aéb"), .string("😀"), .string("\u{FFFD}x"), .string("/")]))
        #expect(throws: JSONParseError.self) { try JSONValue.parse("\"tab\tinside\"") }
        // Indented to a depth, compact below it.
        let nested = JSONValue.object([("points", .array([.object([("a", .array([.integer(1), .integer(2)]))])]))])
        #expect(nested.serialized(indentedLevels: 2) == "{\n  \"points\": [\n    {\"a\":[1,2]}\n  ]\n}\n")
        #expect(nested.serialized(indentedLevels: .max) == nested.serialized(pretty: true))
    }

    @Test func jsonErrorsAreReported() {
        #expect(throws: JSONParseError.self) { try JSONValue.parse("{\"a\": }") }
        #expect(throws: JSONParseError.self) { try JSONValue.parse("[1, 2") }
        #expect(throws: JSONParseError.self) { try JSONValue.parse("{} x") }
    }

    @Test func suggestionsFindTypos() {
        #expect(Suggestion.closest(to: "onlin_share", in: ["online_share", "students"]) == "online_share")
        #expect(Suggestion.closest(to: "zzz", in: ["online_share", "students"]) == nil)
    }

    @Test func counterRandomIsUniformAndReproducible() {
        let n = 100_000
        var sum = 0.0
        for i in 0..<n { sum += CounterRandom.uniform(12345, UInt64(i)) }
        #expect(abs(sum / Double(n) - 0.5) < 0.005)
        #expect(CounterRandom.uniform(1, 2) == CounterRandom.uniform(1, 2))
        #expect(CounterRandom.uniform(1, 2) != CounterRandom.uniform(2, 2))
    }
}
