import Foundation
import Testing

@testable import HandoffKit

/// The one process runner (git for facts and remotes, health checks, the doctor's probes): bounded in
/// time and memory, never hung by a pipe, and its deadline kills everything the child started.
@Suite("Process runner: deadline, output cap, process group, full pipes")
struct ProcessRunnerTests {
    var environment: [String: String] { ["PATH": "/usr/bin:/bin"] }

    /// The child writes 8 MB to each output while we still feed it 8 MB of input: a runner that reads
    /// or writes one pipe at a time deadlocks here.
    @Test func fullPipesInBothDirectionsNeverHang() {
        let input = [UInt8](repeating: 0x61, count: 8 * 1024 * 1024)
        let script = "head -c 8388608 /dev/zero >&2 & head -c 8388608 /dev/zero & wc -c; wait"
        var request = ProcessRunner.Request(["/bin/sh", "-c", script], environment: environment, input: input, timeout: 60)
        request.errorLimit = 1024
        let result = ProcessRunner.run(request)
        #expect(!result.timedOut)
        #expect(result.exitStatus == 0)
        #expect(result.standardError.count == 1024, "standard error capped at its limit")
        #expect(result.truncated)
        let text = String(decoding: result.standardOutput.filter { $0 != 0 }, as: UTF8.self).trimmed
        #expect(text == "8388608", "all the input reached the child: \(text)")
        #expect(result.standardOutput.count == 8 * 1024 * 1024 + text.utf8.count + 1)
    }

    @Test func theOutputCapKeepsTheHeadOrTheTail() {
        let script = "seq 1 100000"
        var head = ProcessRunner.Request(["/bin/sh", "-c", script], environment: environment, timeout: 30)
        head.outputLimit = 100
        let first = ProcessRunner.run(head)
        #expect(first.standardOutput.count == 100)
        #expect(String(decoding: first.standardOutput, as: UTF8.self).hasPrefix("1\n2\n3\n"))
        #expect(first.truncated)
        var tail = head
        tail.keepOutput = .tail
        let last = ProcessRunner.run(tail)
        #expect(last.standardOutput.count == 100)
        #expect(String(decoding: last.standardOutput, as: UTF8.self).hasSuffix("99999\n100000\n"))
        #expect(last.exitStatus == 0)
    }

    /// At the deadline the whole process group dies: the child and what it left running in the background.
    @Test func theDeadlineKillsTheProcessGroup() throws {
        let folder = NSTemporaryDirectory() + "/handoff-runner-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pidFile = folder + "/background.pid"
        let script = "sleep 300 & echo $! > '\(pidFile)'; sleep 300"
        let started = Date()
        let result = ProcessRunner.run(ProcessRunner.Request(["/bin/sh", "-c", script], environment: environment, timeout: 1))
        #expect(result.timedOut)
        #expect(result.exitStatus == nil)
        #expect(Date().timeIntervalSince(started) < 30, "bounded by the deadline")
        let background = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmed))
        // The background sleep got SIGKILL with its group: gone, or a zombie waiting to be reaped.
        var dead = false
        for _ in 0..<500 {
            let state = (try? String(contentsOfFile: "/proc/\(background)/stat", encoding: .utf8))?.split(separator: " ").dropFirst(2).first
            if state == nil || state == "Z" { dead = true; break }
            usleep(10_000)
        }
        #expect(dead, "the background process \(background) outlived the deadline")
    }

    /// A child that closes its outputs and keeps running is still bounded by the deadline.
    @Test func aChildThatClosesItsOutputsIsStillBounded() {
        let result = ProcessRunner.run(ProcessRunner.Request(["/bin/sh", "-c", "exec >&- 2>&-; sleep 300"], environment: environment, timeout: 1))
        #expect(result.timedOut)
        #expect(result.durationSeconds < 30)
    }

    @Test func aProgramThatCannotStartSaysWhy() {
        let result = ProcessRunner.run(ProcessRunner.Request(["/nonexistent/program"], environment: environment, timeout: 5))
        #expect(result.exitStatus == nil)
        #expect(result.startFailure?.contains("/nonexistent/program") == true)
        let missing = ProcessRunner.run(ProcessRunner.Request(["true"], directory: "/nonexistent-folder", environment: environment, timeout: 5))
        #expect(missing.startFailure?.contains("/nonexistent-folder") == true)
        // The health-check wrapper keeps its contract: exit 127 with the reason as the output.
        let check = CommandRunner.run(["/nonexistent/program"], in: "/", environment: Environment(environment), timeout: 5)
        #expect(check.exitStatus == 127)
        #expect(!check.succeeded)
    }

    @Test func exitStatusAndSignalsAreReported() {
        #expect(ProcessRunner.run(ProcessRunner.Request(["/bin/sh", "-c", "exit 7"], environment: environment, timeout: 5)).exitStatus == 7)
        // Killed by a signal this test process may ignore or block: the child gets default handling.
        let killed = ProcessRunner.run(ProcessRunner.Request(["/bin/sh", "-c", "kill -TERM $$; exit 3"], environment: environment, timeout: 5))
        #expect(killed.exitStatus == Int32(128 + 15))
        var merged = ProcessRunner.Request(["/bin/sh", "-c", "echo out; echo err >&2"], environment: environment, timeout: 5)
        merged.mergeStandardError = true
        let both = ProcessRunner.run(merged)
        #expect(String(decoding: both.standardOutput, as: UTF8.self) == "out\nerr\n")
        #expect(both.standardError.isEmpty)
    }
}
