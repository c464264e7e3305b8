#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The process environment, captured once and passed in (never read from globals deep inside the kit),
/// so tests can run every decision with a made-up environment.
package struct Environment: Sendable {
    package var variables: [String: String]

    package init(_ variables: [String: String]) { self.variables = variables }

    package static func current() -> Environment {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return Environment(result)
    }

    package subscript(name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }

    /// `HANDOFF_DISABLED=1` (or true/yes) turns every hook off.
    package var handoffDisabled: Bool {
        guard let value = self["HANDOFF_DISABLED"]?.lowercased() else { return false }
        return value == "1" || value == "true" || value == "yes" || value == "on"
    }
}
