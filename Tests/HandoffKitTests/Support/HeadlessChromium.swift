import Foundation
import Testing

/// Debian's `chromium`, headless, for tests that check a page the way a person would see it. `.ci/run`
/// installs it; where it is missing the test fails saying so (it never passes without having looked).
/// Every run has its own profile folder and HOME inside the sandbox, and no network: the host
/// resolver maps every name to nothing, and background fetches (updates, sync, metrics) are off.
struct HeadlessChromium {
    let executable: String
    let sandbox: Sandbox

    init(_ sandbox: Sandbox) throws {
        self.sandbox = sandbox
        let environment = ProcessInfo.processInfo.environment
        let candidates = [environment["HANDOFF_CHROMIUM"]].compactMap { $0 }
            + ["chromium", "chromium-browser"].flatMap { name in
                (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/\(name)" }
            }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw SandboxError("headless Chromium is needed to check the HTML page and was not found (looked for chromium and chromium-browser on PATH, and HANDOFF_CHROMIUM); install it with `apt-get install chromium` (.ci/run does)")
        }
        executable = found
    }

    /// Flags for a throw-away, offline, headless browser.
    func arguments(_ extra: [String], profile: String) -> [String] {
        ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile)", "--no-first-run",
         "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-extensions", "--metrics-recording-only", "--hide-scrollbars",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--force-color-profile=srgb", "--force-device-scale-factor=1"] + extra
    }

    private func run(_ extra: [String]) throws -> ProcessResult {
        let profile = sandbox.path("chromium-profile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: profile, withIntermediateDirectories: true)
        var environment = sandbox.environment
        environment["XDG_CONFIG_HOME"] = sandbox.path("xdg-config")
        environment["XDG_CACHE_HOME"] = sandbox.path("xdg-cache")
        let result = try launch(executable, arguments(extra, profile: profile), directory: sandbox.root, environment: environment, timeout: 180)
        guard result.status == 0 else {
            throw SandboxError("chromium exited \(result.status): \(result.stderr.suffix(2000))")
        }
        return result
    }

    /// The DOM after the page loaded and laid out, as Chromium serialises it.
    func dumpDOM(_ file: String) throws -> String {
        try run(["--dump-dom", "file://\(file)"]).stdout
    }

    /// A PNG of the page in a `width`×`height` window.
    func screenshot(_ file: String, width: Int = 1200, height: Int = 900) throws -> String {
        let png = sandbox.path("screenshot-\(UUID().uuidString).png")
        _ = try run(["--window-size=\(width),\(height)", "--screenshot=\(png)", "file://\(file)"])
        guard FileManager.default.fileExists(atPath: png) else { throw SandboxError("chromium wrote no screenshot at \(png)") }
        return png
    }
}

/// What a screenshot shows, counted by Python's standard library (zlib and struct decode the PNG; no
/// imaging package needed): its size, how many pixels differ from the page's background (the top-left
/// pixel), and how many have exactly each of `colors` (hex `#rrggbb`).
struct PixelCensus {
    var width: Int
    var height: Int
    var nonBackground: Int
    var colorCounts: [String: Int]

    static let decoder = #"""
        import json, struct, sys, zlib
        data = open(sys.argv[1], "rb").read()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
        pos, idat, header = 8, b"", None
        while pos < len(data):
            length, kind = struct.unpack(">I4s", data[pos:pos + 8])
            body = data[pos + 8:pos + 8 + length]
            if kind == b"IHDR": header = struct.unpack(">IIBBBBB", body)
            if kind == b"IDAT": idat += body
            pos += 12 + length
        width, height, depth, color, _, _, interlace = header
        assert depth == 8 and interlace == 0 and color in (2, 6), "unexpected PNG format %r" % (header,)
        channels = 4 if color == 6 else 3
        raw = zlib.decompress(idat)
        stride = width * channels
        rows, previous, at = [], bytearray(stride), 0
        for _ in range(height):
            kind = raw[at]; line = bytearray(raw[at + 1:at + 1 + stride]); at += 1 + stride
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b = previous[i]
                c = previous[i - channels] if i >= channels else 0
                if kind == 1: line[i] = (line[i] + a) & 255
                elif kind == 2: line[i] = (line[i] + b) & 255
                elif kind == 3: line[i] = (line[i] + (a + b) // 2) & 255
                elif kind == 4:
                    p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            rows.append(line); previous = line
        wanted = {bytes.fromhex(h[1:]): h for h in sys.argv[2:]}
        counts = {h: 0 for h in sys.argv[2:]}
        background = bytes(rows[0][0:3])
        other = 0
        for line in rows:
            for x in range(0, stride, channels):
                rgb = bytes(line[x:x + 3])
                if rgb != background: other += 1
                if rgb in wanted: counts[wanted[rgb]] += 1
        print(json.dumps({"width": width, "height": height, "non_background": other, "colors": counts}))
        """#

    init(png: String, colors: [String], sandbox: Sandbox) throws {
        let script = sandbox.path("pixel-census.py")
        try Self.decoder.write(toFile: script, atomically: true, encoding: .utf8)
        let result = try launch("/usr/bin/env", ["python3", script, png] + colors, directory: sandbox.root, environment: sandbox.environment, timeout: 300)
        guard result.status == 0, let data = result.stdout.data(using: .utf8),
              let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw SandboxError("could not decode \(png): \(result.stderr)")
        }
        width = object["width"] as? Int ?? 0
        height = object["height"] as? Int ?? 0
        nonBackground = object["non_background"] as? Int ?? 0
        colorCounts = object["colors"] as? [String: Int] ?? [:]
    }
}
