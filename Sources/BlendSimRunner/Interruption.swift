import BlendSimReport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGINT and SIGTERM end blendsim with 130 or 143 — after removing the temporary files of any
/// write in progress, so an interrupted run leaves the previous results or none, never a part.
///
/// The handler only calls `unlink` and `_exit`, which are async-signal-safe; the paths it unlinks
/// are prepared as C strings before any signal can ask for them.
public enum Interruption {
    nonisolated(unsafe) static var paths: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
    nonisolated(unsafe) static var count = 0

    /// Installs the handlers; `temporaryFiles` are removed if a signal arrives.
    public static func protect(temporaryFiles: [String]) {
        let list = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: max(temporaryFiles.count, 1))
        for (index, path) in temporaryFiles.enumerated() {
            let utf8 = Array(path.utf8CString)
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count)
            buffer.initialize(from: utf8, count: utf8.count)
            list[index] = buffer
        }
        paths = list
        count = temporaryFiles.count
        // A parent may start us with these signals blocked or ignored (some process launchers
        // do); take them back.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handler
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        sigaction(SIGTERM, &action, nil)
    }

    /// The temporary name of one output file at `path` (directory and name split at the last `/`).
    public static func temporaryName(of path: String) -> String {
        let slash = path.lastIndex(of: "/")
        return temporaryName(
            directory: slash.map { String(path[..<$0]) } ?? "", name: slash.map { String(path[path.index(after: $0)...]) } ?? path)
    }

    /// The temporary name `OutputDirectory` and `TraceWriter` use for `name` in `directory`.
    public static func temporaryName(directory: String, name: String) -> String {
        OutputDirectory.temporaryName(directory: directory, name: name)
    }
}

private let handler: @convention(c) (Int32) -> Void = { signal in
    if let paths = Interruption.paths {
        for index in 0..<Interruption.count {
            if let path = paths[index] { unlink(path) }
        }
    }
    _exit(128 + signal)
}
