public import BlendSimCore
public import BlendSimSystem

/// Writes `--trace` files: one CSV row per student per week, streamed to a temporary file in
/// blocks and renamed into place by `finish()` — never held in memory, never left half-written.
public final class TraceWriter: TraceSink, @unchecked Sendable {
    public static let header =
        "replication,group,week,student,active,listening,reading,writing,speaking,motivation,digital_competence,online_minutes,cheating,late\n"

    let path: String
    let file: StagedFile
    var buffer: [UInt8] = []
    var failure: String?

    /// Opens `path`'s temporary file.
    public init(path: String) throws(FileSystemError) {
        self.path = path
        let (directory, name) = FileSystem.split(path)
        try FileSystem.checkReplaceable(path)
        do {
            file = try StagedFile(FileSystem.temporaryName(directory: directory, name: name))
        } catch {
            throw FileSystemError("cannot write trace \(path): \(error.message)")
        }
        buffer.reserveCapacity(1 << 20)
        buffer.append(contentsOf: Self.header.utf8)
    }

    public func record(replication: Int, group: String, week: Int, cohort: Cohort) {
        let prefix = Array("\(replication + 1),\(Self.field(group)),\(week),".utf8)
        for i in 0..<cohort.count {
            buffer.append(contentsOf: prefix)
            Self.integer(i + 1, into: &buffer)
            buffer.append(UInt8(ascii: ","))
            Self.integer(Int(cohort.active[i]), into: &buffer)
            for column in [cohort.listening, cohort.reading, cohort.writing, cohort.speaking] {
                buffer.append(UInt8(ascii: ","))
                Self.fixed(column[i], decimals: 3, into: &buffer)
            }
            buffer.append(UInt8(ascii: ","))
            Self.fixed(cohort.motivation[i], decimals: 4, into: &buffer)
            buffer.append(UInt8(ascii: ","))
            Self.fixed(cohort.digitalCompetence[i], decimals: 4, into: &buffer)
            buffer.append(UInt8(ascii: ","))
            Self.fixed(cohort.onlineMinutes[i], decimals: 1, into: &buffer)
            buffer.append(UInt8(ascii: ","))
            Self.integer(Int(cohort.cheatingIncidents[i]), into: &buffer)
            buffer.append(UInt8(ascii: ","))
            Self.integer(Int(cohort.lateSubmissions[i]), into: &buffer)
            buffer.append(UInt8(ascii: "\n"))
            if buffer.count >= 1 << 20 { flush() }
        }
    }

    /// Writes what is buffered, flushes the file to disk and moves it into place.
    public func finish() throws(FileSystemError) {
        flush()
        if failure == nil {
            do { try file.flush() } catch { failure = error.message }
        }
        if let failure {
            file.discard()
            throw FileSystemError("cannot write trace \(path): \(failure)")
        }
        do {
            try file.move(to: path)
        } catch {
            throw FileSystemError("cannot move trace \(path) into place: \(error.message)")
        }
    }

    func flush() {
        guard failure == nil, !buffer.isEmpty else {
            buffer.removeAll(keepingCapacity: true)
            return
        }
        do { try file.append(buffer) } catch { failure = error.message }
        buffer.removeAll(keepingCapacity: true)
    }

    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
        return "\"" + text.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }

    static func integer(_ value: Int, into buffer: inout [UInt8]) {
        if value < 0 {
            buffer.append(UInt8(ascii: "-"))
            integer(-value, into: &buffer)
            return
        }
        if value >= 10 { integer(value / 10, into: &buffer) }
        buffer.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    /// A non-negative number with a fixed number of decimals, without building a String.
    static func fixed(_ value: Float, decimals: Int, into buffer: inout [UInt8]) {
        var scale = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int((Double(value) * Double(scale)).rounded())
        integer(scaled / scale, into: &buffer)
        guard decimals > 0 else { return }
        buffer.append(UInt8(ascii: "."))
        var fraction = scaled % scale
        var digits = [UInt8](repeating: UInt8(ascii: "0"), count: decimals)
        for index in stride(from: decimals - 1, through: 0, by: -1) {
            digits[index] = UInt8(ascii: "0") + UInt8(fraction % 10)
            fraction /= 10
        }
        buffer.append(contentsOf: digits)
    }
}
