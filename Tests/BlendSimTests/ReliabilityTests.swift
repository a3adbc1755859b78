import BlendSimCore
import Foundation
import Testing

@Suite("Reliability", .serialized)
struct ReliabilityTests {
    static let corpus = TestPaths.fixtures + "/bad-scenarios"

    /// Every file of the bad-input corpus gets its one expected, located error, exit status 1, no
    /// crash and no output.
    @Test func badInputCorpus() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpus).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.count >= 40)
        for file in files {
            let path = Self.corpus + "/" + file
            let expected = try String(contentsOfFile: path.replacingOccurrences(of: ".yaml", with: ".expected"), encoding: .utf8)
                .trimmingCharacters(in: .newlines)
            let directory = TemporaryDirectory()
            let out = directory.path + "/out"
            let command = file.hasPrefix("sweep-") ? "sweep" : "run"
            let output = try blendsim(command, path, "--out", out)
            #expect(output.status == 1, "\(file): status \(output.status)")
            let first = output.stderr.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let wanted = expected.hasPrefix("error:") ? expected : path + ":" + expected
            #expect(first.hasPrefix(wanted), "\(file):\n  got    \(first)\n  wanted \(wanted)")
            #expect(output.stdout.isEmpty, "\(file) printed results")
            #expect(!FileManager.default.fileExists(atPath: out), "\(file) left an output directory")
        }
    }
}
