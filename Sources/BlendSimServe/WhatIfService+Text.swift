import BlendSimCore
import BlendSimPluginHost
import BlendSimRunner
import BlendSimSystem

/// What an answer may say: no path of the server's, counts written whole, names decoded.
extension WhatIfService {
    /// The server's own directories, named in no answer: the plugin path searched, the scenarios,
    /// the posterior's, the working directory.
    var serverPaths: [(path: String, shown: String)] {
        var paths: [(String, String)] = []
        if let host = try? PluginResolution.host(configuration.pluginDirectories) {
            paths += host.searchPath.map { ($0, "the server's plugin directory") }
        }
        if let directory = configuration.scenariosDirectory { paths.append((directory, "the server's scenarios")) }
        if let posterior = PosteriorSample.shippedPath() { paths.append((FileSystem.split(posterior).directory, "the server's posterior directory")) }
        paths.append((work, "the server's working directory"))
        return paths.filter { $0.0.count > 1 }.sorted { $0.0.count > $1.0.count }
    }

    static func withoutServerPaths(_ text: String, replacing paths: [(path: String, shown: String)]) -> String {
        var text = text
        for (path, shown) in paths where text.contains(path) { text = text.replacing(path, with: shown) }
        return text
    }

    /// A diagnostic with the server's staging paths replaced by the name the client knows
    /// (`scenario.yaml`) and its other directories by what they are: an answer says nothing of
    /// the server's files.
    func scrubbed(_ diagnostic: Diagnostic) -> Diagnostic {
        func scrub(_ text: String) -> String {
            var result = ""
            var rest = Substring(text)
            let prefix = work + "/request-"
            while let range = rest.firstRange(of: prefix) {
                result += rest[..<range.lowerBound]
                rest = rest[range.upperBound...]
                if let slash = rest.firstIndex(of: "/") { rest = rest[rest.index(after: slash)...] }
            }
            return Self.withoutServerPaths(result + rest, replacing: serverPaths)
        }
        var copy = diagnostic
        copy.message = scrub(copy.message)
        copy.sourceLine = copy.sourceLine.map(scrub)
        if let location = copy.location { copy.location = SourceLocation(file: scrub(location.file), line: location.line, column: location.column) }
        copy.others = copy.others.map(scrubbed)
        return copy
    }

    /// A path segment with its %XX escapes decoded, or nil when they are not valid UTF-8.
    static func percentDecoded(_ segment: String) -> String? {
        var bytes: [UInt8] = []
        var utf8 = segment.utf8[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2, let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// A count for a message, whole when it fits.
    static func count(_ value: Double) -> String {
        value.isFinite && abs(value) < 1e15 ? String(Int64(value.rounded())) : JSONValue.number(value).serialized()
    }
}
