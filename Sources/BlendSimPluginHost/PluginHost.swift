import BlendSimCore
import CBlendSimABI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plugin library that was loaded: what the manifest records about it.
public struct LoadedPlugin: Sendable, Hashable {
    /// The library's path as found on the plugin path.
    public var path: String
    /// The name and version the library reports.
    public var name: String
    public var version: String
    public var abiMajor: Int
    public var abiMinor: Int

    /// SHA-256 of the library file as it is now (read on demand: hashing every library on the
    /// path at every start would cost more than loading them).
    public var sha256: String { SHA256.hex(PluginLibrary.read(path)) }
}

/// A refused plugin, or a name nobody provides. The message names the file.
public struct PluginHostError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Finds plugin libraries on the plugin path, loads them with dlopen and keeps their models and
/// policies by name.
///
/// Libraries are loaded `RTLD_NOW | RTLD_LOCAL` (missing symbols fail at load, each plugin's
/// symbols stay its own) and never closed: unloading Swift images leaves dangling metadata.
public final class PluginHost: Sendable {
    /// File names the host considers on the plugin path.
    public static let filePrefix = "libblendsim-"
    #if canImport(Darwin)
    public static let fileSuffix = ".dylib"
    #else
    public static let fileSuffix = ".so"
    #endif

    /// The directories searched, in order.
    public let searchPath: [String]
    public let plugins: [LoadedPlugin]
    public let models: [ModelComponent]
    public let policies: [PolicyComponent]

    /// The standard plugin path: `--plugin-dir` directories, then `BLENDSIM_PLUGIN_PATH`
    /// (colon-separated), then the directory of the running executable.
    public static func standardSearchPath(pluginDirectories: [String]) -> [String] {
        var path = pluginDirectories
        if let environment = getenv("BLENDSIM_PLUGIN_PATH") {
            path += String(cString: environment).split(separator: ":").map(String.init)
        }
        if let executable = executableDirectory() { path.append(executable) }
        return path
    }

    /// The directory holding the running executable.
    public static func executableDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        let path = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = path.lastIndex(of: "/") else { return nil }
        return String(path[..<slash])
    }

    /// Loads every plugin library on `searchPath`.
    /// - Throws: `PluginHostError` for the first library that is refused.
    public init(searchPath: [String]) throws(PluginHostError) {
        self.searchPath = searchPath
        var seen: Set<String> = []
        var plugins: [LoadedPlugin] = []
        var models: [ModelComponent] = []
        var policies: [PolicyComponent] = []
        for directory in searchPath {
            for file in try Self.candidates(in: directory) {
                guard let real = realpath(file, nil) else { continue }
                let resolved = String(cString: real)
                free(real)
                guard seen.insert(resolved).inserted else { continue }
                try Self.checkAncestors(of: resolved, for: file)
                let library = try PluginLibrary(path: file, resolved: resolved)
                for model in library.models {
                    if let other = models.first(where: { $0.name == model.name }) {
                        throw PluginHostError(
                            "\(file): model '\(model.name)' is also defined by \(other.plugin.path); remove one of them from the plugin path")
                    }
                    models.append(model)
                }
                for policy in library.policies {
                    if let other = policies.first(where: { $0.name == policy.name }) {
                        throw PluginHostError(
                            "\(file): policy '\(policy.name)' is also defined by \(other.plugin.path); remove one of them from the plugin path")
                    }
                    policies.append(policy)
                }
                plugins.append(library.info)
            }
        }
        self.plugins = plugins
        self.models = models
        self.policies = policies
    }

    public func model(named name: String) -> ModelComponent? { models.first { $0.name == name } }
    public func policy(named name: String) -> PolicyComponent? { policies.first { $0.name == name } }

    /// "model 'x' not found; searched: …" with a suggestion when a known name is close.
    public func notFoundMessage(kind: String, name: String) -> String {
        let known = kind == "model" ? models.map(\.name) : policies.map(\.name)
        var message = "\(kind) '\(name)' not found"
        if let close = Suggestion.closest(to: name, in: known) { message += "; did you mean '\(close)'?" }
        let searched = searchPath.isEmpty ? "(nothing)" : searchPath.joined(separator: ", ")
        message += "; searched: \(searched)"
        if !known.isEmpty { message += "; available: \(known.joined(separator: ", "))" }
        return message
    }

    /// Like `ssh` with its key files: code is loaded only through directories that nobody but
    /// root and the current user can change. Every directory above the plugin's resolved path
    /// (symlinks followed) must be owned by root or the user and not writable by others — unless
    /// it is a sticky directory such as /tmp, where others cannot replace what is ours. (The
    /// plugin's own directory and file must not be writable by the group either.)
    static func checkAncestors(of resolved: String, for file: String) throws(PluginHostError) {
        let user = geteuid()
        var directory = resolved
        while let slash = directory.lastIndex(of: "/") {
            directory = slash == directory.startIndex ? "/" : String(directory[..<slash])
            var status = stat()
            guard stat(directory, &status) == 0 else {
                throw PluginHostError("\(file): cannot inspect \(directory): \(String(cString: strerror(errno)))")
            }
            if status.st_uid != 0 && status.st_uid != user {
                throw PluginHostError(
                    "\(file): \(directory), on the plugin's path, belongs to another user (uid \(status.st_uid)); refusing to load code through it")
            }
            let sticky = status.st_mode & S_ISVTX != 0
            if status.st_mode & S_IWOTH != 0 && !sticky {
                throw PluginHostError(
                    "\(file): \(directory), on the plugin's path, is writable by others; refusing to load code through it (chmod o-w '\(directory)')")
            }
            if directory == "/" { break }
        }
    }

    /// Plugin files in `directory`, sorted by name; none if it does not exist.
    static func candidates(in directory: String) throws(PluginHostError) -> [String] {
        var info = stat()
        guard stat(directory, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return [] }
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name.hasPrefix(filePrefix) && name.hasSuffix(fileSuffix) { names.append(name) }
        }
        guard !names.isEmpty else { return [] }
        if info.st_mode & (S_IWGRP | S_IWOTH) != 0 {
            throw PluginHostError(
                "\(directory): plugin directory is writable by group or others; refusing to load code from it (chmod go-w '\(directory)')")
        }
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        return names.sorted().map { base + $0 }
    }
}

/// One dlopen'ed library and what it registered.
struct PluginLibrary {
    let info: LoadedPlugin
    let models: [ModelComponent]
    let policies: [PolicyComponent]

    /// Loads the library at `resolved` (its real path, symlinks followed), reporting as `path`.
    init(path: String, resolved: String? = nil) throws(PluginHostError) {
        let target = resolved ?? path
        var status = stat()
        guard stat(target, &status) == 0 else {
            throw PluginHostError("\(path): cannot read plugin: \(String(cString: strerror(errno)))")
        }
        if status.st_mode & (S_IWGRP | S_IWOTH) != 0 {
            throw PluginHostError("\(path): plugin file is writable by group or others; refusing to load it (chmod go-w '\(path)')")
        }
        if status.st_uid != 0 && status.st_uid != geteuid() {
            throw PluginHostError("\(path): plugin file belongs to another user (uid \(status.st_uid)); refusing to load it")
        }
        guard let handle = dlopen(target, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            throw PluginHostError("\(path): not a loadable plugin library: \(reason)")
        }
        guard let symbol = dlsym(handle, BLENDSIM_ENTRY_SYMBOL) else {
            throw PluginHostError("\(path): no entry symbol '\(BLENDSIM_ENTRY_SYMBOL)'; is it a blendsim plugin?")
        }
        let entry = unsafeBitCast(symbol, to: bs_plugin_entry.self)
        guard let plugin = entry() else {
            throw PluginHostError("\(path): '\(BLENDSIM_ENTRY_SYMBOL)' returned no descriptor")
        }
        let descriptor = plugin.pointee
        guard descriptor.abi_major == BLENDSIM_ABI_MAJOR else {
            throw PluginHostError(
                "\(path): plugin ABI \(descriptor.abi_major).\(descriptor.abi_minor) is not supported; this blendsim loads ABI \(BLENDSIM_ABI_MAJOR).x plugins")
        }
        let name = descriptor.name.map { String(cString: $0) } ?? ""
        let version = descriptor.version.map { String(cString: $0) } ?? ""
        guard !name.isEmpty, !version.isEmpty else {
            throw PluginHostError("\(path): the plugin descriptor has no name or version")
        }
        info = LoadedPlugin(
            path: path, name: name, version: version, abiMajor: Int(descriptor.abi_major),
            abiMinor: Int(descriptor.abi_minor))
        var models: [ModelComponent] = []
        for index in 0..<Int(descriptor.model_count) {
            guard let model = descriptor.models?[index] else {
                throw PluginHostError("\(path): model descriptor \(index + 1) is missing")
            }
            models.append(try ModelComponent(model, plugin: info))
        }
        var policies: [PolicyComponent] = []
        for index in 0..<Int(descriptor.policy_count) {
            guard let policy = descriptor.policies?[index] else {
                throw PluginHostError("\(path): policy descriptor \(index + 1) is missing")
            }
            policies.append(try PolicyComponent(policy, plugin: info))
        }
        self.models = models
        self.policies = policies
    }

    static func read(_ path: String) -> [UInt8] {
        guard let file = fopen(path, "rb") else { return [] }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, 1 << 16, file) }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }

    /// Names are lowercase letters, digits and '-', starting with a letter.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }
}
