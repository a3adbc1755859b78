import Glibc

/// A value behind a POSIX mutex. Used for process-wide caches that worker threads fill: a pthread
/// mutex is synchronisation ThreadSanitizer understands, so the sanitizer runs see such a cache as
/// race-free (the futex-based `Synchronization.Mutex` is invisible to it).
public final class LockedValue<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    /// A lock around `value`.
    public init(_ value: Value) {
        self.value = value
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value, holding the lock.
    public func withLock<T>(_ body: (inout Value) -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body(&value)
    }
}

/// A raw pointer slot of each thread's own (a pthread key), readable from a signal handler.
public struct ThreadSlot: @unchecked Sendable {
    private let key: pthread_key_t

    /// A new slot, empty on every thread. Slots are few and live for the process.
    public init() {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        self.key = key
    }

    /// The calling thread's value.
    public var value: UnsafeRawPointer? {
        get { pthread_getspecific(key).map { UnsafeRawPointer($0) } }
        nonmutating set { pthread_setspecific(key, newValue) }
    }
}

/// The machine's processors.
public enum ProcessorCount {
    /// Processors currently online.
    public static var active: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
