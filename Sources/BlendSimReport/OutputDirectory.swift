public import BlendSimSystem

/// A results directory, written all together or not at all.
///
/// Every file is first written in full to a temporary name in the same directory and flushed to
/// disk; only when all of them are written are they renamed into place (`FileSystem.write`). A
/// rename within one directory is atomic, so a reader sees either the previous file or the new
/// one, never a part; the temporary files register themselves for removal on SIGINT and SIGTERM.
public struct OutputDirectory: Sendable {
    public let path: String

    /// Files whose presence means the directory already holds results.
    public static let resultFiles = ["summary.json", "weekly.csv", "manifest.json"]

    /// Every file a command's results may hold: what replacing one command's results with
    /// another's must not leave behind.
    public static let commandFiles = ["summary.json", "weekly.csv", "runs.csv", "sensitivity.json", "designs.csv", "report.html", "manifest.json"]

    public init(path: String) { self.path = path }

    /// Whether the directory already holds results of an earlier run.
    public var holdsResults: Bool {
        Self.resultFiles.contains { FileSystem.exists(path + "/" + $0) }
    }

    /// Writes `files` (name → contents) atomically. Writers of one directory take turns (an
    /// exclusive lock on the directory), and unless `replacing`, a writer that finds results
    /// another has written meanwhile is refused — two runs into one `--out` never both succeed.
    /// - Throws: a message naming the file that could not be written; nothing is renamed then.
    /// - Parameter mayReplace: unless `replacing`, decides under the lock whether the results
    ///   found there may be replaced anyway (given the directory's path): the same result written
    ///   again.
    /// - Parameter whole: `files` are a command's whole results: once they are in place and
    ///   `replacing`, any other of `commandFiles` left by an earlier command (a sweep's runs.csv
    ///   under a run's results, a report of the old results) is removed, so the directory
    ///   describes one result.
    public func write(
        _ files: [(name: String, contents: String)], replacing: Bool = true, mayReplace: ((String) -> Bool)? = nil, whole: Bool = false
    ) throws(FileSystemError) {
        try FileSystem.makeDirectories(path)
        try FileSystem.withLock(directory: path) { () throws(FileSystemError) in
            if !replacing && holdsResults && !(mayReplace?(path) ?? false) {
                throw FileSystemError("\(path) already holds results (another run wrote them meanwhile); choose another --out or pass --force to replace them")
            }
            try FileSystem.write(files.map { (path + "/" + $0.name, Array($0.contents.utf8)) })
            // (The same result written again without --force keeps what it had, its report too.)
            guard whole && replacing else { return }
            let written = Set(files.map(\.name))
            for name in Self.commandFiles where !written.contains(name) && FileSystem.exists(path + "/" + name) {
                FileSystem.remove(path + "/" + name)
            }
        }
    }

    /// Writes one file atomically. Unless `replacing`, a file already at `path` — found under an
    /// exclusive lock on its directory, so of two writers only one succeeds — is refused.
    public static func writeFile(_ path: String, _ contents: String, replacing: Bool = true) throws(FileSystemError) {
        let (directory, _) = FileSystem.split(path)
        if !directory.isEmpty { try FileSystem.makeDirectories(directory) }
        try FileSystem.withLock(directory: directory.isEmpty ? "." : directory) { () throws(FileSystemError) in
            if !replacing && FileSystem.exists(path) {
                throw FileSystemError("\(path) exists (another calibration wrote it meanwhile); pass --force to replace it")
            }
            try FileSystem.write([(path, Array(contents.utf8))])
        }
    }
}
