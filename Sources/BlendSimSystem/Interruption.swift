import Glibc
import Synchronization

/// SIGINT and SIGTERM end blendsim with 130 or 143 — after removing every temporary file a write
/// in progress has registered, so an interrupted command leaves the previous outputs or none,
/// never a part.
///
/// Temporary files register themselves (`StagedFile`); no caller lists them. The registry is a
/// fixed table allocated by `install()`, before any handler can run, so the handler reads it
/// without allocating or locking: atomic loads, a copy onto its own stack, `unlink` and `_exit`,
/// all async-signal-safe. Each slot carries a word: a generation that grows with every
/// registration, and a state (free, being written, registered); the handler uses a path only if
/// the word was "registered" and unchanged across its copy, so it never uses a torn path.
public enum Interruption {
    static let slots = 64
    static let slotBytes = 4096

    /// The table: per slot a word (generation × 4 + state) and a path buffer, and the buffer a
    /// handler copies a path into (allocated here: a handler must not allocate — an interrupted
    /// `malloc` on the same thread would be corrupted).
    struct Table: @unchecked Sendable {
        let sequence: UnsafeMutablePointer<Atomic<Int>>
        let paths: UnsafeMutablePointer<CChar>
        let copy: UnsafeMutablePointer<CChar>
    }

    static let table: Table = {
        let sequence = UnsafeMutablePointer<Atomic<Int>>.allocate(capacity: slots)
        for slot in 0..<slots { (sequence + slot).initialize(to: Atomic(0)) }
        let paths = UnsafeMutablePointer<CChar>.allocate(capacity: slots * slotBytes)
        paths.initialize(repeating: 0, count: slots * slotBytes)
        let copy = UnsafeMutablePointer<CChar>.allocate(capacity: slotBytes)
        copy.initialize(repeating: 0, count: slotBytes)
        return Table(sequence: sequence, paths: paths, copy: copy)
    }()

    /// Taken by the first thread that removes the registered files as the process ends (its
    /// `pthread_self`, plus one); any other thread waits for the process to end (the first one
    /// ends it), and the same thread, re-entering from a second signal, goes on to end it.
    static let removing = Atomic<UInt>(0)

    /// Set while a group of renames is in progress: a handler running on another thread waits
    /// for it, so the renames stay one step.
    static let renaming = Atomic<Int>(0)

    static let registrations = LockedValue(())

    /// A slot's states (the low two bits of its word).
    static let free = 0, writing = 1, registered = 2

    /// A registered temporary path; `release()` once the file is moved into place or removed.
    public final class Registration: @unchecked Sendable {
        let slot: Int
        init(slot: Int) { self.slot = slot }

        /// Forgets the path.
        public func release() {
            Interruption.registrations.withLock { _ in
                let word = Interruption.table.sequence[slot].load(ordering: .relaxed)
                Interruption.table.sequence[slot].store(word & ~3, ordering: .releasing)
            }
        }
    }

    /// Installs the handlers. Called once, when the command line starts.
    public static func install() {
        _ = table  // allocated here, never in the handler
        _ = renaming.load(ordering: .relaxed)
        _ = removing.load(ordering: .relaxed)
        // A parent may start us with these signals blocked or ignored (some process launchers
        // do); take them back.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handler
        // While one of them is handled, the other waits: a second Ctrl-C or a SIGTERM after a
        // SIGINT does not re-enter the handler.
        sigemptyset(&action.sa_mask)
        sigaddset(&action.sa_mask, SIGINT)
        sigaddset(&action.sa_mask, SIGTERM)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        sigaction(SIGTERM, &action, nil)
    }

    /// Registers `path` to be removed if a signal arrives; nil when the table is full or the path
    /// too long (the file is then only removed by the writer's own error handling).
    static func register(_ path: String) -> Registration? {
        let bytes = Array(path.utf8)
        guard bytes.count + 1 < slotBytes else { return nil }
        return registrations.withLock { _ -> Registration? in
            let table = self.table
            for slot in 0..<slots {
                let word = table.sequence[slot].load(ordering: .acquiring)
                guard word & 3 == free else { continue }
                let generation = (word >> 2) &+ 1
                table.sequence[slot].store(generation << 2 | writing, ordering: .sequentiallyConsistent)
                let base = table.paths + slot * slotBytes
                for (index, byte) in bytes.enumerated() { base[index] = CChar(bitPattern: byte) }
                base[bytes.count] = 0
                table.sequence[slot].store(generation << 2 | registered, ordering: .releasing)
                return Registration(slot: slot)
            }
            return nil
        }
    }

    /// Removes every registered temporary file now (async-signal-safe): for a process that ends
    /// otherwise than by returning (a plugin's `exit()`, a crash).
    public static func removeRegistered() {
        let table = self.table
        let me = UInt(pthread_self()) &+ 1
        let claim = removing.compareExchange(expected: 0, desired: me, ordering: .sequentiallyConsistent)
        if !claim.exchanged {
            // This thread already removed them (a second signal during its exit): let it end.
            if claim.original == me { return }
            // Another thread is removing them and will end the process.
            while true { pause() }
        }
        let copy = table.copy
        for slot in 0..<slots {
            let before = table.sequence[slot].load(ordering: .acquiring)
            guard before & 3 == registered else { continue }
            let source = table.paths + slot * slotBytes
            var index = 0
            while index < slotBytes - 1 && source[index] != 0 {
                copy[index] = source[index]
                index += 1
            }
            copy[index] = 0
            // Only a path that did not change while it was copied.
            guard table.sequence[slot].load(ordering: .acquiring) == before else { continue }
            _ = unlink(copy)
        }
    }

    /// Runs `body` with SIGINT and SIGTERM held back on this thread, and a handler running on any
    /// other thread waiting for it: a signal that arrives meanwhile is handled when `body`
    /// returns, so a group of renames is one step.
    public static func deferred<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        var blocked = sigset_t(), previous = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGINT)
        sigaddset(&blocked, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        renaming.add(1, ordering: .sequentiallyConsistent)
        defer {
            renaming.subtract(1, ordering: .sequentiallyConsistent)
            pthread_sigmask(SIG_SETMASK, &previous, nil)
        }
        return try body()
    }
}

private let handler: @convention(c) (Int32) -> Void = { signal in
    // Renames in progress on another thread finish first (this thread is not the renaming one:
    // that one has the signals blocked).
    while Interruption.renaming.load(ordering: .sequentiallyConsistent) != 0 {}
    Interruption.removeRegistered()
    _exit(128 + signal)
}
