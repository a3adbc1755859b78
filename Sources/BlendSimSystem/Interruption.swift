import Glibc

/// SIGINT and SIGTERM end blendsim with 130 or 143 — after removing every temporary file a write
/// in progress has registered, so an interrupted command leaves the previous outputs or none,
/// never a part.
///
/// Temporary files register themselves (`StagedFile`); no caller lists them. The registry is a
/// fixed table of path buffers allocated once, so the handler reads it without allocating or
/// locking: it only calls `unlink` and `_exit`, which are async-signal-safe. A slot is active
/// while its first byte is non-zero; the path follows it.
public enum Interruption {
    static let slots = 64
    static let slotBytes = 4096
    nonisolated(unsafe) static let table: UnsafeMutablePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: slots * slotBytes)
        table.initialize(repeating: 0, count: slots * slotBytes)
        return table
    }()
    static let registrations = LockedValue(())

    /// A registered temporary path; `release()` once the file is moved into place or removed.
    public final class Registration: @unchecked Sendable {
        let slot: Int
        init(slot: Int) { self.slot = slot }

        /// Forgets the path.
        public func release() {
            Interruption.registrations.withLock { _ in Interruption.table[slot * Interruption.slotBytes] = 0 }
        }
    }

    /// Installs the handlers. Called once, when the command line starts.
    public static func install() {
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

    /// Registers `path` to be removed if a signal arrives; nil when the table is full or the path
    /// too long (the file is then only removed by the writer's own error handling).
    static func register(_ path: String) -> Registration? {
        let bytes = Array(path.utf8)
        guard bytes.count + 2 <= slotBytes else { return nil }
        return registrations.withLock { _ -> Registration? in
            for slot in 0..<slots where table[slot * slotBytes] == 0 {
                let base = table + slot * slotBytes
                for (index, byte) in bytes.enumerated() { base[1 + index] = byte }
                base[1 + bytes.count] = 0
                base[0] = 1
                return Registration(slot: slot)
            }
            return nil
        }
    }

    /// Runs `body` with SIGINT and SIGTERM held back: a signal that arrives meanwhile is handled
    /// when `body` returns, so a group of renames is one step.
    public static func deferred<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        var blocked = sigset_t(), previous = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGINT)
        sigaddset(&blocked, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return try body()
    }
}

private let handler: @convention(c) (Int32) -> Void = { signal in
    let table = Interruption.table
    for slot in 0..<Interruption.slots where table[slot * Interruption.slotBytes] != 0 {
        (table + slot * Interruption.slotBytes + 1).withMemoryRebound(to: CChar.self, capacity: Interruption.slotBytes - 1) {
            _ = unlink($0)
        }
    }
    _exit(128 + signal)
}
