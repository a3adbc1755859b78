import BlendSimCore
import CBlendSimABI
import BlendSimSystem

/// A plugin library that was loaded: what the manifest records about it.
public struct LoadedPlugin: Sendable, Hashable {
    /// The library's path as found on the plugin path.
    public var path: String
    /// The name and version the library reports.
    public var name: String
    /// Its semantic version.
    public var version: String
    /// The ABI major version it was built against (always this host's).
    public var abiMajor: Int
    /// The ABI minor version it was built against: older, equal or newer than this host's.
    public var abiMinor: Int

    /// SHA-256 of the library file as it is now (read on demand: hashing every library on the
    /// path at every start would cost more than loading them).
    public var sha256: String { SHA256.hex(FileSystem.contents(path, limit: 1 << 32) ?? []) }

    /// An example plugin (`libblendsim-example-*.so`): written to show how a plugin is made, not
    /// one of the models and policies the evidence base describes.
    public var isExample: Bool { name.hasPrefix("blendsim-example-") }

    /// Whether the plugin was built against a newer minor ABI than this host's.
    public var isNewerThanHost: Bool { abiMinor > Int(BLENDSIM_ABI_MINOR) }

    /// "1.1", or "1.2 (newer than this blendsim's 1.1; what 1.2 adds is not used)".
    public var abiDescription: String {
        let version = "\(abiMajor).\(abiMinor)"
        guard isNewerThanHost else { return version }
        return version + " (newer than this blendsim's \(BLENDSIM_ABI_MAJOR).\(BLENDSIM_ABI_MINOR); what \(version) adds is not used)"
    }
}

/// A refused plugin, or a name nobody provides. The message names the file.
public struct PluginHostError: Error, Sendable, CustomStringConvertible {
    /// The sentence, naming the file.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// Finds plugin libraries on the plugin path, loads them with dlopen and keeps their models and
/// policies by name.
///
/// Libraries are loaded `RTLD_NOW | RTLD_LOCAL` (missing symbols fail at load, each plugin's
/// symbols stay its own) and never closed (`DynamicLibrary`).
public final class PluginHost: Sendable {
    /// File names the host considers on the plugin path (Linux shared libraries).
    public static let filePrefix = "libblendsim-"
    /// The suffix of plugin files.
    public static let fileSuffix = ".so"
    /// This host's ABI version, "major.minor".
    public static let abiVersion = "\(BLENDSIM_ABI_MAJOR).\(BLENDSIM_ABI_MINOR)"

    /// The directories searched, in order.
    public let searchPath: [String]
    /// Every library loaded, in search order.
    public let plugins: [LoadedPlugin]
    /// Every model found, by library in search order.
    public let models: [ModelComponent]
    /// Every policy found.
    public let policies: [PolicyComponent]

    /// The standard plugin path: `--plugin-dir` directories, then `BLENDSIM_PLUGIN_PATH`
    /// (colon-separated), then the directory of the running executable, then `../lib/blendsim`
    /// beside it (where `scripts/install.sh` puts the plugins), if it exists.
    public static func standardSearchPath(pluginDirectories: [String]) -> [String] {
        var path = pluginDirectories
        if let environment = Process.environment("BLENDSIM_PLUGIN_PATH") {
            path += environment.split(separator: ":").map(String.init)
        }
        if let executable = executableDirectory() {
            path.append(executable)
            let installed = FileSystem.absolute(executable + "/../lib/blendsim")
            if FileSystem.status(installed)?.kind == .directory { path.append(installed) }
        }
        return path
    }

    /// The directory holding the running executable.
    public static func executableDirectory() -> String? {
        guard let path = FileSystem.executablePath(), let slash = path.lastIndex(of: "/") else { return nil }
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
                guard let resolved = FileSystem.realPath(file) else { continue }
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

    /// The model called `name`, if any library provides it.
    public func model(named name: String) -> ModelComponent? { models.first { $0.name == name } }
    /// The policy called `name`, if any library provides it.
    public func policy(named name: String) -> PolicyComponent? { policies.first { $0.name == name } }

    /// "model 'x' not found; searched: …" with a suggestion when a known name is close.
    public func notFoundMessage(kind: String, name: String) -> String {
        let known = kind == "model" ? models.map(\.name) : policies.map(\.name)
        var message = "\(kind) '\(name)' not found"
        if let close = Suggestion.closest(to: name, in: known) { message += "; did you mean '\(close)'?" }
        let searched = searchPath.isEmpty ? "(nothing)" : searchPath.joined(separator: ", ")
        message += "; searched: \(searched)"
        if !known.isEmpty { message += "; available: \(known.joined(separator: ", "))" }
        message += "; plugin libraries (libblendsim-*.so) are looked for in --plugin-dir DIR, then the directories of BLENDSIM_PLUGIN_PATH, then the blendsim executable's directory and ../lib/blendsim beside it"
        return message
    }

    /// Like `ssh` with its key files: code is loaded only through directories that nobody but
    /// root and the current user can change. Every directory above the plugin's resolved path
    /// (symlinks followed) must be owned by root or the user and not writable by others — unless
    /// it is a sticky directory such as /tmp, where others cannot replace what is ours. (The
    /// plugin's own directory and file must not be writable by the group either.)
    static func checkAncestors(of resolved: String, for file: String) throws(PluginHostError) {
        let user = FileSystem.effectiveUser
        var directory = resolved
        while let slash = directory.lastIndex(of: "/") {
            directory = slash == directory.startIndex ? "/" : String(directory[..<slash])
            guard let status = FileSystem.status(directory) else {
                throw PluginHostError("\(file): cannot inspect \(directory): \(FileSystem.lastError)")
            }
            if status.owner != 0 && status.owner != user {
                throw PluginHostError(
                    "\(file): \(directory), on the plugin's path, belongs to another user (uid \(status.owner)); refusing to load code through it")
            }
            if status.othersWritable && !status.sticky {
                throw PluginHostError(
                    "\(file): \(directory), on the plugin's path, is writable by others; refusing to load code through it (chmod o-w '\(directory)')")
            }
            if directory == "/" { break }
        }
    }

    /// Plugin files in `directory`, sorted by name; none if it does not exist.
    static func candidates(in directory: String) throws(PluginHostError) -> [String] {
        guard let info = FileSystem.status(directory), info.kind == .directory,
            let entries = FileSystem.entries(of: directory)
        else { return [] }
        let names = entries.filter { $0.hasPrefix(filePrefix) && $0.hasSuffix(fileSuffix) }
        guard !names.isEmpty else { return [] }
        if info.groupWritable || info.othersWritable {
            throw PluginHostError(
                "\(directory): plugin directory is writable by group or others; refusing to load code from it (chmod go-w '\(directory)')")
        }
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        return names.sorted().map { base + $0 }
    }
}

/// One dlopen'ed library and what it registered.
struct PluginLibrary {
    /// The open library; never closed (see `DynamicLibrary`).
    let library: DynamicLibrary
    let info: LoadedPlugin
    let models: [ModelComponent]
    let policies: [PolicyComponent]

    /// Loads the library at `resolved` (its real path, symlinks followed), reporting as `path`.
    init(path: String, resolved: String? = nil) throws(PluginHostError) {
        let target = resolved ?? path
        guard let status = FileSystem.status(target) else {
            throw PluginHostError("\(path): cannot read plugin: \(FileSystem.lastError)")
        }
        if status.groupWritable || status.othersWritable {
            throw PluginHostError("\(path): plugin file is writable by group or others; refusing to load it (chmod go-w '\(path)')")
        }
        if status.owner != 0 && status.owner != FileSystem.effectiveUser {
            throw PluginHostError("\(path): plugin file belongs to another user (uid \(status.owner)); refusing to load it")
        }
        do {
            library = try DynamicLibrary(path: target)
        } catch {
            throw PluginHostError("\(path): not a loadable plugin library: \(error.message)")
        }
        guard let symbol = library.symbol(BLENDSIM_ENTRY_SYMBOL) else {
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

    /// Names are lowercase letters, digits and '-', starting with a letter.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }
}
