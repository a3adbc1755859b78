import Glibc

/// A file-system failure, in a sentence that names the file.
public struct FileSystemError: Error, Sendable, CustomStringConvertible {
    /// The sentence, naming the file.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// The file operations blendsim uses: reading with a size limit, inspecting, listing, and writing
/// atomically. Every output is written to a temporary name in its directory, flushed, and renamed
/// into place; the temporary names are registered with `Interruption`, so SIGINT or SIGTERM in
/// the middle removes them and leaves the previous files or the new ones, never a part.
public enum FileSystem {
    /// What a read gives: the bytes, or why not.
    public enum ReadResult: Sendable {
        case bytes([UInt8])
        /// The file is larger than the limit.
        case tooLarge
        /// It could not be opened or read; the system's reason.
        case failed(String)
    }

    /// The system's text for the last error (`strerror(errno)`).
    public static var lastError: String { String(cString: strerror(errno)) }

    /// A file's bytes, refusing files over `limit` bytes and anything that is not a regular file.
    ///
    /// Every file blendsim reads goes through here. The path is opened without blocking
    /// (`O_NONBLOCK`, so opening a FIFO with no writer returns at once) and checked with `fstat` on
    /// the open descriptor before a byte is read: a FIFO, a socket, a device or a directory is
    /// refused, so no named file can make a read wait forever or run without end.
    public static func read(_ path: String, limit: Int) -> ReadResult {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return .failed(lastError) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return .failed(lastError) }
        guard status.st_mode & S_IFMT == S_IFREG else {
            let what = switch status.st_mode & S_IFMT {
            case S_IFDIR: "a directory"
            case S_IFIFO: "a FIFO (named pipe)"
            case S_IFSOCK: "a socket"
            case S_IFCHR, S_IFBLK: "a device"
            default: "not a regular file"
            }
            return .failed(what == "not a regular file" ? what : "it is \(what), not a regular file")
        }
        if status.st_size > limit { return .tooLarge }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, 65536) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failed(lastError)
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > limit { return .tooLarge }
        }
        return .bytes(bytes)
    }

    /// A file's bytes, or nil when it cannot be read or is over `limit` bytes.
    public static func contents(_ path: String, limit: Int) -> [UInt8]? {
        if case .bytes(let bytes) = read(path, limit: limit) { return bytes }
        return nil
    }

    /// What is at a path.
    public enum Kind: Sendable { case regular, directory, other }

    /// What `stat` says of a path that blendsim's checks use.
    public struct Status: Sendable {
        /// A regular file, a directory, or something else (link, FIFO, device).
        public var kind: Kind
        /// The owner's user id.
        public var owner: UInt32
        /// Whether the group may write it.
        public var groupWritable: Bool
        /// Whether others may write it.
        public var othersWritable: Bool
        /// The sticky bit (a shared directory such as /tmp where only owners may remove files).
        public var sticky: Bool
    }

    /// The status of `path`, following a final symlink when `followingLinks`; nil when absent.
    public static func status(_ path: String, followingLinks: Bool = true) -> Status? {
        var info = stat()
        guard (followingLinks ? stat(path, &info) : lstat(path, &info)) == 0 else { return nil }
        let type = info.st_mode & S_IFMT
        return Status(
            kind: type == S_IFREG ? .regular : type == S_IFDIR ? .directory : .other, owner: info.st_uid,
            groupWritable: info.st_mode & S_IWGRP != 0, othersWritable: info.st_mode & S_IWOTH != 0,
            sticky: info.st_mode & S_ISVTX != 0)
    }

    /// Whether anything (a file, directory or link) exists at `path`.
    public static func exists(_ path: String) -> Bool { status(path, followingLinks: false) != nil }

    /// The names in a directory, without `.` and `..`; nil when it cannot be listed.
    public static func entries(of directory: String) -> [String]? {
        guard let handle = opendir(directory) else { return nil }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The canonical absolute path (symlinks resolved), or nil.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The running executable's path (Linux: `/proc/self/exe`).
    public static func executablePath() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The current working directory.
    public static func currentDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The effective user id of this process.
    public static var effectiveUser: UInt32 { geteuid() }

    /// `path` made absolute against the current directory, with `.` and `..` resolved lexically
    /// (symbolic links are not followed).
    public static func absolute(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : (currentDirectory() ?? "") + "/" + path
        var parts: [Substring] = []
        for part in full.split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                if !parts.isEmpty { parts.removeLast() }
                continue
            }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// `path` relative to `directory` (both made absolute first): how a file that records it
    /// in `directory` finds it again, wherever the command that wrote it was run from.
    public static func relative(_ path: String, from directory: String) -> String {
        let target = absolute(path).split(separator: "/"), base = absolute(directory).split(separator: "/")
        var common = 0
        while common < min(target.count, base.count) && target[common] == base[common] { common += 1 }
        let up = Array(repeating: "..", count: base.count - common)
        let parts = up + target[common...].map(String.init)
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    /// `path` as recorded relative to `directory`, made usable from the current directory
    /// (an absolute `path` is returned as it is).
    public static func resolve(_ path: String, against directory: String) -> String {
        path.hasPrefix("/") ? path : absolute(directory + "/" + path)
    }

    /// Removes a file (not a directory); whether it was removed.
    @discardableResult public static func remove(_ path: String) -> Bool { unlink(path) == 0 }

    /// Removes an empty directory; whether it was removed.
    @discardableResult public static func removeDirectory(_ path: String) -> Bool { rmdir(path) == 0 }

    /// A new directory only this user can enter, named `prefix` and six random characters, in
    /// `directory` (default `$TMPDIR`, else /tmp); nil when none can be made.
    public static func makeTemporaryDirectory(prefix: String, in directory: String? = nil) -> String? {
        let base = directory ?? Process.environment("TMPDIR").flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((base + "/" + prefix + "XXXXXX").utf8CString)
        return template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let result = mkdtemp(buffer.baseAddress!) else { return nil }
            return String(cString: result)
        }
    }

    /// Removes `path` and, for a directory, everything in it, without following links; whether
    /// nothing is left.
    @discardableResult public static func removeTree(_ path: String) -> Bool {
        if let status = status(path, followingLinks: false), status.kind == .directory {
            for name in entries(of: path) ?? [] { removeTree(path + "/" + name) }
            return removeDirectory(path)
        }
        return remove(path)
    }

    /// Creates `directory` and any missing parents.
    public static func makeDirectories(_ directory: String) throws(FileSystemError) {
        var current = directory.hasPrefix("/") ? "" : "."
        for part in directory.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw FileSystemError("cannot create directory \(current): \(lastError)")
            }
        }
    }

    /// Outputs replace regular files only: a symlink, directory, FIFO or device at an output's
    /// name is refused, never replaced or written through.
    public static func checkReplaceable(_ path: String) throws(FileSystemError) {
        guard let existing = status(path, followingLinks: false) else { return }
        guard existing.kind == .regular else {
            throw FileSystemError("refusing to replace \(path): it is not a regular file (a symlink, directory, FIFO or device)")
        }
    }

    /// The hidden name a file is written under before it is renamed into place, unique to this
    /// process.
    public static func temporaryName(directory: String, name: String) -> String {
        (directory.isEmpty ? "" : directory + "/") + ".\(name).tmp-\(getpid())"
    }

    /// `path` split at its last `/` into directory ("" when there is none) and name.
    public static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    /// Writes `files` (each a path and its bytes): all are written in full to their temporary
    /// names and flushed, and only then renamed into place, as one step for SIGINT and SIGTERM
    /// (`Interruption.deferred`). If a file cannot be written, nothing is renamed and no temporary
    /// file is left. A rename that fails (rare: the directory changed under us) leaves the files
    /// renamed before it in place and removes the rest; results directories write their manifest
    /// last, so such a set is recognised as incomplete.
    public static func write(_ files: [(path: String, bytes: [UInt8])]) throws(FileSystemError) {
        for file in files { try checkReplaceable(file.path) }
        var staged: [(temporary: StagedFile, final: String)] = []
        for file in files {
            let (directory, name) = split(file.path)
            do throws(FileSystemError) {
                let stage = try StagedFile(temporaryName(directory: directory, name: name))
                staged.append((stage, file.path))
                try stage.append(file.bytes)
                try stage.flush()
            } catch {
                for stage in staged { stage.temporary.discard() }
                throw FileSystemError("cannot write \(file.path): \(error.message)")
            }
        }
        try Interruption.deferred { () throws(FileSystemError) in
            for (index, stage) in staged.enumerated() {
                do throws(FileSystemError) {
                    try stage.temporary.move(to: stage.final)
                } catch {
                    for remaining in staged[index...] { remaining.temporary.discard() }
                    throw FileSystemError("cannot move \(stage.final) into place: \(error.message)")
                }
            }
        }
    }

    /// Runs `body` holding an exclusive lock on `directory` (flock). Where the directory cannot
    /// be locked (a file system without locks — some network mounts answer ENOLCK) `body` runs
    /// unlocked; callers re-check what they need under the lock, so they stay correct without it.
    public static func withLock<T, E: Error>(directory: String, _ body: () throws(E) -> T) throws(E) -> T {
        let lock = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if lock >= 0 { _ = flock(lock, LOCK_EX) }
        defer { if lock >= 0 { close(lock) } }
        return try body()
    }
}

/// A file being written under a temporary name: created exclusively (never through a symlink),
/// registered with `Interruption` while it exists, then moved into place or discarded.
public final class StagedFile: @unchecked Sendable {
    /// The temporary path it is written under.
    public let path: String
    private var descriptor: Int32
    private let registration: Interruption.Registration?
    /// Whether the file is gone from its temporary name (moved or removed).
    private var settled = false

    /// Creates `path` (a stale file of this process's name is removed first).
    public init(_ path: String) throws(FileSystemError) {
        self.path = path
        unlink(path)
        registration = Interruption.register(path)
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let reason = FileSystem.lastError
            registration?.release()
            settled = true
            throw FileSystemError(reason)
        }
    }

    deinit { discard() }

    /// Appends bytes.
    public func append(_ bytes: [UInt8]) throws(FileSystemError) {
        try writeAll(descriptor, bytes)
    }

    /// Flushes the file to disk.
    public func flush() throws(FileSystemError) {
        guard fsync(descriptor) == 0 else { throw FileSystemError(FileSystem.lastError) }
    }

    /// Closes the file and renames it to `final`.
    public func move(to final: String) throws(FileSystemError) {
        close(descriptor)
        descriptor = -1
        guard rename(path, final) == 0 else {
            let reason = FileSystem.lastError
            discard()
            throw FileSystemError(reason)
        }
        settled = true
        registration?.release()
    }

    /// Closes and removes the file (nothing when already moved or discarded).
    public func discard() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
        if !settled {
            unlink(path)
            settled = true
            registration?.release()
        }
    }
}

/// A journal that records are appended to (a sweep's checkpoint): opened for appending, never
/// through a symlink, and only if it is a regular file. Each `append` writes whole records in
/// one call, so an interruption leaves at most a torn last line, which readers skip. Appending
/// costs the same however long the journal is.
public final class AppendFile: @unchecked Sendable {
    /// The journal's path.
    public let path: String
    private var descriptor: Int32

    /// Opens `path` for appending, creating it if needed.
    public init(_ path: String) throws(FileSystemError) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileSystemError(FileSystem.lastError) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            descriptor = -1
            throw FileSystemError("not a regular file")
        }
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// Appends `bytes`.
    public func append(_ bytes: [UInt8]) throws(FileSystemError) {
        try writeAll(descriptor, bytes)
    }
}

/// Writes all of `bytes` to `descriptor`, retrying short and interrupted writes.
private func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) throws(FileSystemError) {
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        if written < 0 {
            if errno == EINTR { continue }
            throw FileSystemError(FileSystem.lastError)
        }
        offset += written
    }
}
