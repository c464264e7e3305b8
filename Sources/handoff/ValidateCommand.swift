import ArgumentParser
import HandoffKit

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a state file against the handover contract.",
        discussion: """
            Checks .handoff/state.json (or FILE) against schema/state.v1.json and, for a handover (source manual-end), the handover rules: severity set, health captured, resume.next of the form "path:line action", resume.files an array, every failure with its root cause. Warnings: a vague resume, no watch-outs. Every finding names its JSON path.

            Exit codes:
              0   valid (warnings allowed)
              1   invalid
              2   unusable input (a missing file, not JSON)

            Examples:
              handoff validate
              handoff validate --json draft-state.json
            """
    )

    @Flag(help: "Print the findings as JSON.")
    var json = false

    @Argument(help: "The state file to check (default: .handoff/state.json).", completion: .file())
    var file: String?

    func run() throws {
        let context = CLIContext.current()
        let path: String
        if let file {
            path = Path.normalize(file, relativeTo: context.workingDirectory)
        } else {
            path = try context.existingStore().layout.stateFile
        }
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readBytes(path, limit: 64 * 1024 * 1024, regularOnly: false)
        } catch {
            printError("cannot read \(path): \(error); give the path of a state file")
            throw ExitCode(2)
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            printError("\(path) is not JSON (\(error)); fix it, or run `handoff repair` for the store's own state")
            throw ExitCode(2)
        }
        let report = StateValidator.validate(value)
        if json {
            let object: JSONValue = [
                "file": .string(path),
                "valid": .bool(report.isValid),
                "errors": .int(report.errors.count),
                "warnings": .int(report.warnings.count),
                "findings": .array(report.findings.map(\.json)),
            ]
            emit(object.prettyText)
        } else {
            for finding in report.findings {
                let label = finding.level == .error ? context.paint("error", "31") : context.paint("warning", "33")
                emit("\(label): \(finding.path): \(finding.message)")
            }
            let summary = report.isValid
                ? "\(path): valid" + (report.warnings.isEmpty ? "" : " (\(report.warnings.count) warning\(report.warnings.count == 1 ? "" : "s"))")
                : "\(path): invalid (\(report.errors.count) error\(report.errors.count == 1 ? "" : "s"))"
            emit(summary)
        }
        if !report.isValid { throw ExitCode(1) }
    }
}
