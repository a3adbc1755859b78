import Testing
@testable import BlendSimScenario

@Suite("YAML reader")
struct YAMLReaderTests {
    func parse(_ text: String) throws -> YAMLNode {
        try #require(try YAMLReader().parse(Array(text.utf8)))
    }

    func error(_ text: String) -> YAMLError? {
        do {
            _ = try YAMLReader().parse(Array(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test func buildsTreeWithOneBasedMarks() throws {
        let root = try parse("""
            name: demo
            groups:
              - name: a
                students: 30
            """)
        #expect(root.line == 1 && root.column == 1)
        #expect(root["name"]?.scalar == "demo")
        let groups = try #require(root["groups"]?.items)
        #expect(groups.count == 1)
        let students = try #require(groups[0]["students"])
        #expect(students.scalar == "30")
        #expect(students.line == 4)
        #expect(students.column == 15)
    }

    @Test func quotedScalarsAreNotPlain() throws {
        let root = try parse("a: '5'\nb: 5\n")
        guard case .scalar(_, let quotedPlain) = root["a"]!.content, case .scalar(_, let plain) = root["b"]!.content else {
            Issue.record("expected scalars")
            return
        }
        #expect(!quotedPlain)
        #expect(plain)
    }

    @Test func emptyDocumentIsNil() throws {
        #expect(try YAMLReader().parse([]) == nil)
        #expect(try YAMLReader().parse(Array("# only a comment\n".utf8)) == nil)
    }

    @Test func syntaxErrorIsLocated() throws {
        let e = try #require(error("a: [1, 2\nb: 3\n"))
        #expect(e.line == 2)
        #expect(e.message.contains("flow sequence"))
    }

    @Test func tabIndentationIsRefused() throws {
        let e = try #require(error("groups:\n\t- name: a\n"))
        #expect(e.line == 2)
        #expect(e.message.hasSuffix("(YAML does not allow tabs for indentation; use spaces)"))
    }

    @Test func duplicateKeysAreRefused() throws {
        let e = try #require(error("seed: 1\nname: x\nseed: 2\n"))
        #expect(e == YAMLError(message: "duplicate key 'seed' (first defined at line 1)", line: 3, column: 1))
    }

    @Test func aliasesExpandToCopies() throws {
        let root = try parse("base: &b {x: 1}\ncopy: *b\n")
        #expect(root["copy"]?["x"]?.scalar == "1")
        #expect(root["copy"]?.line == 2)
    }

    @Test func billionLaughsIsRefused() throws {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            text += "a\(level): &a\(level) [\(refs)]\n"
        }
        let e = try #require(error(text))
        #expect(e.message.contains("aliases expand to more than 100000 nodes"))
    }

    @Test func secondDocumentIsRefused() throws {
        let e = try #require(error("a: 1\n---\nb: 2\n"))
        #expect(e.message == "a scenario is one YAML document; found a second one")
        #expect(e.line == 2)
    }

    @Test func invalidUTF8IsRefused() throws {
        var bytes = Array("name: ".utf8)
        bytes += [0xC3, 0x28, 0x0A]
        #expect(throws: YAMLError.self) { try YAMLReader().parse(bytes) }
    }

    @Test func deepNestingIsRefused() throws {
        let text = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        let e = try #require(error(text))
        #expect(e.message == "nesting deeper than 64 levels")
    }

    /// Only plain YAML (the core schema): tags and %TAG directives would be ignored or change
    /// what a value means, so each is a located error.
    @Test func tagsAreRefused() throws {
        for (text, found, line, column) in [
            ("a: !!str 5\n", "!!str", 1, 4),
            ("a: !!binary aGVsbG8=\n", "!!binary", 1, 4),
            ("a: !!python/object/apply:os.system [ls]\n", "!!python/object/apply:os.system", 1, 4),
            ("a: !custom {b: 1}\n", "!custom", 1, 4),
            ("- !!seq [1]\n", "!!seq", 1, 3),
        ] {
            let problem = try #require(error(text), "\(text)")
            #expect(problem.message == "YAML tags are not accepted (found '\(found)'); write plain values", "\(text)")
            #expect(problem.line == line && problem.column == column, "\(text)")
        }
        let directive = try #require(error("%TAG ! tag:example.com,2000:\n---\na: 1\n"))
        #expect(directive.message == "%TAG directives are not accepted; write plain values")
    }

    /// Numbers are decimal, as YAML's core schema writes them; other forms Swift would read are not.
    @Test func onlyCoreSchemaNumbersAreNumbers() {
        #expect(YAMLNode.number("0.4") == 0.4 && YAMLNode.number("-1e3") == -1000 && YAMLNode.number(".5") == 0.5 && YAMLNode.number("7") == 7)
        #expect(YAMLNode.number("0x1p4") == nil && YAMLNode.number("0x10") == nil && YAMLNode.number("1_000") == nil)
        #expect(YAMLNode.number("1e") == nil && YAMLNode.number(".") == nil && YAMLNode.number("5 ") == nil)
        #expect(YAMLNode.number(".nan")?.isNaN == true && YAMLNode.number("-.inf") == -.infinity)
    }

    /// Mappings and lists of many entries are read in time linear in their size (keys are checked
    /// against a set; open collections are appended to in place): 60,000 keys and 200,000 items
    /// are read, and a duplicate among them is still found.
    @Test func largeCollectionsAreReadAndCheckedWhole() throws {
        var keys = ""
        for k in 0..<60_000 { keys += "k\(k): \(k)\n" }
        #expect(try parse(keys).pairs?.count == 60_000)
        let duplicated = try #require(error(keys + "k17: 1\n"))
        #expect(duplicated.message == "duplicate key 'k17' (first defined at line 18)")
        #expect(duplicated.line == 60_001)
        let list = "[" + (0..<200_000).map(String.init).joined(separator: ", ") + "]\n"
        #expect(try parse(list).items?.count == 200_000)
    }

    @Test func nonScalarKeysAreRefused() throws {
        let e = try #require(error("? [a, b]\n: 1\n"))
        #expect(e.message.contains("a mapping key must be a scalar"))
    }
}
