#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a run's files into a directory all together or not at all.
///
/// Every file is first written in full to a temporary name in the same directory and flushed to
/// disk; only when all of them are written are they renamed into place. A rename within one
/// directory is atomic, so a reader sees either the previous file or the new one, never a part.
public struct OutputDirectory: Sendable {
    public let path: String

    /// Files whose presence means the directory already holds results.
    public static let resultFiles = ["summary.json", "weekly.csv", "manifest.json"]

    public init(path: String) { self.path = path }

    /// The temporary name a file is written under before it is renamed into place: hidden, and
    /// unique to this process (the interruption handler removes exactly these).
    public static func temporaryName(directory: String, name: String) -> String {
        (directory.isEmpty ? "" : directory + "/") + ".\(name).tmp-\(getpid())"
    }

    /// Whether the directory already holds results of an earlier run.
    public var holdsResults: Bool {
        Self.resultFiles.contains { access(path + "/" + $0, F_OK) == 0 }
    }

    /// Writes `files` (name → contents) atomically. Writers of one directory take turns (an
    /// exclusive lock on the directory), and unless `replacing`, a writer that finds results
    /// another has written meanwhile is refused — two runs into one `--out` never both succeed.
    /// - Throws: a message naming the file that could not be written; nothing is renamed then.
    public func write(_ files: [(name: String, contents: String)], replacing: Bool = true) throws(OutputError) {
        try makeDirectory(path)
        // A file system without locks (some network mounts answer ENOLCK) is written unlocked:
        // the re-check below still catches a writer that finished first.
        let lock = open(path, O_RDONLY | O_DIRECTORY)
        if lock >= 0 { _ = flock(lock, LOCK_EX) }
        defer { if lock >= 0 { close(lock) } }
        if !replacing && holdsResults {
            throw OutputError(message: "\(path) already holds results (another run wrote them meanwhile); choose another --out or pass --force to replace them")
        }
        for file in files { try Self.checkReplaceable(path + "/" + file.name) }
        var staged: [(temporary: String, final: String)] = []
        for file in files {
            let final = path + "/" + file.name
            let temporary = Self.temporaryName(directory: path, name: file.name)
            do {
                try Self.writeFile(temporary, Array(file.contents.utf8))
            } catch {
                for stage in staged { unlink(stage.temporary) }
                unlink(temporary)
                throw error
            }
            staged.append((temporary, final))
        }
        // The renames are one step for signals: SIGINT and SIGTERM wait until all are done, so an
        // interruption leaves the previous set or the new one, never a mix.
        var blocked = sigset_t(), previous = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGINT)
        sigaddset(&blocked, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        for stage in staged {
            guard rename(stage.temporary, stage.final) == 0 else {
                let reason = String(cString: strerror(errno))
                for remaining in staged { unlink(remaining.temporary) }
                throw OutputError(message: "cannot move \(stage.final) into place: \(reason)")
            }
        }
    }

    func makeDirectory(_ directory: String) throws(OutputError) {
        var parts: [Substring] = []
        var current = directory.hasPrefix("/") ? "" : "."
        for part in directory.split(separator: "/") {
            parts.append(part)
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw OutputError(message: "cannot create directory \(current): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Outputs replace regular files only: a symlink, directory, FIFO or device at an output's
    /// name is refused, never replaced or written through.
    public static func checkReplaceable(_ path: String) throws(OutputError) {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw OutputError(message: "refusing to replace \(path): it is not a regular file (a symlink, directory, FIFO or device)")
        }
    }

    /// Creates a file that did not exist (a stale one of this process's name is removed first),
    /// without following a symlink at its name, and writes `bytes` to it.
    static func writeFile(_ path: String, _ bytes: [UInt8]) throws(OutputError) {
        unlink(path)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else {
            throw OutputError(message: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw OutputError(message: "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        guard fsync(descriptor) == 0 else {
            throw OutputError(message: "cannot flush \(path): \(String(cString: strerror(errno)))")
        }
    }
}

public struct OutputError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
