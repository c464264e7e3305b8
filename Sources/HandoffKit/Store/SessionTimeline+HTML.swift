#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `handoff timeline --html`: the timeline as one page a person would rather look at than read. Self-
/// contained on purpose: inline style and SVG, a Content-Security-Policy that forbids every fetch and
/// every script, so the file can be mailed, attached to a review or opened offline and shows the same.
extension SessionTimeline {
    /// Colour and shape of each lane's marks (the page's legend and its SVG agree through this).
    static func color(_ kind: Kind) -> String {
        switch kind {
        case .start, .end: return "#64748b"
        case .commit: return "#2563eb"
        case .push: return "#0891b2"
        case .block: return "#dc2626"
        case .override: return "#9333ea"
        case .compaction: return "#d97706"
        case .handover: return "#16a34a"
        case .failure: return "#be123c"
        }
    }

    /// An SVG shape centred on (x, y).
    static func shape(_ kind: Kind, x: Double, y: Double) -> String {
        let fill = color(kind)
        func n(_ value: Double) -> String { String(Int((value * 10).rounded())).insertingDecimal() }
        switch kind {
        case .commit, .start, .end:
            return "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"7\" fill=\"\(fill)\"/>"
        case .push:
            return "<path d=\"M\(n(x)) \(n(y - 8)) L\(n(x + 8)) \(n(y + 6)) L\(n(x - 8)) \(n(y + 6)) Z\" fill=\"\(fill)\"/>"
        case .block:
            return "<rect x=\"\(n(x - 7))\" y=\"\(n(y - 7))\" width=\"14\" height=\"14\" rx=\"2\" fill=\"\(fill)\"/>"
        case .override:
            return "<rect x=\"\(n(x - 7))\" y=\"\(n(y - 7))\" width=\"14\" height=\"14\" rx=\"7\" fill=\"none\" stroke=\"\(fill)\" stroke-width=\"3\"/>"
        case .compaction:
            return "<path d=\"M\(n(x)) \(n(y - 8)) L\(n(x + 8)) \(n(y)) L\(n(x)) \(n(y + 8)) L\(n(x - 8)) \(n(y)) Z\" fill=\"\(fill)\"/>"
        case .handover:
            var points: [String] = []
            for index in 0..<10 {
                let radius = index % 2 == 0 ? 10.0 : 4.5
                let angle = Double(index) * Double.pi / 5 - Double.pi / 2
                points.append("\(n(x + radius * cos(angle))),\(n(y + radius * sin(angle)))")
            }
            return "<polygon points=\"\(points.joined(separator: " "))\" fill=\"\(fill)\"/>"
        case .failure:
            return "<path d=\"M\(n(x - 6)) \(n(y - 6)) L\(n(x + 6)) \(n(y + 6)) M\(n(x + 6)) \(n(y - 6)) L\(n(x - 6)) \(n(y + 6))\" stroke=\"\(fill)\" stroke-width=\"4\" stroke-linecap=\"round\"/>"
        }
    }

    /// The page. `generatedAt` is shown in its footer.
    package static func html(_ timeline: Timeline, generatedAt: Timestamp) -> String {
        let first = timeline.first, last = timeline.last
        let session = html(timeline.session)
        var page = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="generator" content="handoff timeline">
            <title>Session \(session) · handoff timeline</title>
            <style>
            :root { color-scheme: light dark; --bg: #f8fafc; --card: #ffffff; --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; }
            @media (prefers-color-scheme: dark) { :root { --bg: #0b1120; --card: #111827; --ink: #e5e7eb; --muted: #94a3b8; --line: #1f2937; } }
            * { box-sizing: border-box; }
            body { margin: 0; background: var(--bg); color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
            main { max-width: 1100px; margin: 0 auto; padding: 32px 24px 48px; }
            header h1 { font-size: 22px; margin: 0 0 4px; font-weight: 650; }
            header h1 code { font-size: 18px; }
            .when { color: var(--muted); margin: 0 0 20px; }
            .counts { display: flex; flex-wrap: wrap; gap: 12px; margin: 0 0 24px; padding: 0; list-style: none; }
            .counts li { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 10px 16px; min-width: 110px; border-top: 4px solid var(--accent); }
            .counts b { display: block; font-size: 26px; line-height: 1.1; }
            .counts span { color: var(--muted); font-size: 13px; }
            .card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 16px; margin-bottom: 24px; overflow-x: auto; }
            svg { display: block; width: 100%; height: auto; min-width: 640px; }
            svg text { fill: var(--muted); font: 12px system-ui, sans-serif; }
            svg .lane text { fill: var(--ink); font-weight: 600; }
            svg .grid { stroke: var(--line); }
            h2 { font-size: 17px; margin: 0 0 12px; }
            table { width: 100%; border-collapse: collapse; }
            td { padding: 7px 10px; border-top: 1px solid var(--line); vertical-align: top; }
            td.time { white-space: nowrap; font-variant-numeric: tabular-nums; color: var(--muted); }
            td.what { overflow-wrap: anywhere; }
            .pill { display: inline-block; padding: 1px 9px; border-radius: 999px; color: #fff; font-size: 12px; font-weight: 600; white-space: nowrap; }
            footer { color: var(--muted); font-size: 13px; }
            </style>
            </head>
            <body>
            <main>
            <header>
            <h1>Session <code>\(session)</code></h1>

            """
        if let first, let last {
            page += "<p class=\"when\">\(clock(first, date: true)) → \(clock(last, date: !sameDay(first, last))) UTC · \(duration(last.milliseconds - first.milliseconds))</p>\n"
        } else {
            page += "<p class=\"when\">No moment of this session carries a readable time.</p>\n"
        }
        page += "</header>\n<ul class=\"counts\">\n"
        for kind in Kind.allCases where kind != .start && kind != .end {
            let count = timeline.count(kind)
            page += "<li style=\"--accent: \(color(kind))\" data-kind=\"\(kind.rawValue)\"><b>\(count)</b><span>\(count == 1 ? singular(kind) : kind.lane)</span></li>\n"
        }
        page += "</ul>\n"
        if let first, let last {
            page += "<section class=\"card\" aria-label=\"time axis\">\n" + svg(timeline, first: first, last: last) + "</section>\n"
        }
        page += "<section class=\"card\">\n<h2>Every moment</h2>\n<table>\n"
        for mark in timeline.marks {
            let time = mark.at.map { clock($0, date: first.map { !sameDay($0, mark.at!) } ?? false) } ?? "time unknown"
            let offset = mark.at.flatMap { at in first.map { "+" + duration(at.milliseconds - $0.milliseconds) } } ?? ""
            page += "<tr data-kind=\"\(mark.kind.rawValue)\"><td class=\"time\">\(time)</td><td class=\"time\">\(offset)</td>"
            page += "<td><span class=\"pill\" style=\"background: \(color(mark.kind))\">\(kindLabel(mark.kind))</span></td>"
            page += "<td class=\"what\">\(html(mark.summary))</td></tr>\n"
        }
        if timeline.marks.isEmpty { page += "<tr><td>No commit, push, block, compaction, handover or failure recorded.</td></tr>\n" }
        page += "</table>\n</section>\n<footer>"
        if timeline.otherEvents > 0 {
            page += "\(timeline.otherEvents) other event\(timeline.otherEvents == 1 ? "" : "s") of this session (tool runs, edits, …) are not shown: <code>handoff events --all</code>. "
        }
        page += "Generated by <code>handoff timeline</code> at \(clock(generatedAt, date: true)) UTC.</footer>\n</main>\n</body>\n</html>\n"
        return page
    }

    /// Lanes of marks on a shared time axis, with ticks at round times.
    static func svg(_ timeline: Timeline, first: Timestamp, last: Timestamp) -> String {
        let kinds = Kind.allCases.filter { $0 != .start && $0 != .end && timeline.count($0) > 0 }
        let left = 130.0, right = 1040.0, top = 34.0, laneHeight = 44.0
        let height = top + Double(max(kinds.count, 1)) * laneHeight + 16
        let span = Double(max(last.milliseconds - first.milliseconds, 1))
        func x(_ at: Timestamp) -> Double {
            last.milliseconds == first.milliseconds ? (left + right) / 2 : left + (right - left) * Double(at.milliseconds - first.milliseconds) / span
        }
        func n(_ value: Double) -> String { String(Int((value * 10).rounded())).insertingDecimal() }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1060 \(n(height))\" role=\"img\" aria-label=\"timeline of session \(html(timeline.session))\">\n"
        // Ticks at a round interval giving four to ten of them.
        let steps: [Int64] = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800].map { $0 * 1000 }
        let spanMilliseconds = last.milliseconds - first.milliseconds
        let step = steps.first { spanMilliseconds / $0 <= 8 } ?? 604_800_000
        if spanMilliseconds > 0 {
            var tick = (first.milliseconds / step + 1) * step
            var drawn = 0
            while tick < last.milliseconds, drawn < 12 {
                let at = Timestamp(milliseconds: tick)
                out += "<line class=\"grid\" x1=\"\(n(x(at)))\" y1=\"\(n(top - 6))\" x2=\"\(n(x(at)))\" y2=\"\(n(height - 12))\"/>"
                out += "<text x=\"\(n(x(at)))\" y=\"\(n(top - 12))\" text-anchor=\"middle\">\(clock(at, date: false, seconds: step < 60_000))</text>\n"
                tick += step
                drawn += 1
            }
        }
        // The session's own bounds.
        let seconds = spanMilliseconds < 600_000
        for (at, label, anchor) in [(first, "start", "start"), (last, "end", "end")] where label == "start" || last != first {
            out += "<line x1=\"\(n(x(at)))\" y1=\"\(n(top - 6))\" x2=\"\(n(x(at)))\" y2=\"\(n(height - 12))\" stroke=\"#64748b\" stroke-dasharray=\"4 4\"/>"
            out += "<text x=\"\(n(x(at)))\" y=\"\(n(height - 1))\" text-anchor=\"\(anchor)\">\(label) \(clock(at, date: false, seconds: seconds))</text>\n"
        }
        for (index, kind) in kinds.enumerated() {
            let y = top + laneHeight * (Double(index) + 0.5)
            out += "<g class=\"lane\" data-kind=\"\(kind.rawValue)\"><text x=\"0\" y=\"\(n(y + 4))\">\(kind.lane)</text>"
            out += "<line class=\"grid\" x1=\"\(n(left))\" y1=\"\(n(y))\" x2=\"\(n(right))\" y2=\"\(n(y))\"/>\n"
            for mark in timeline.marks where mark.kind == kind {
                guard let at = mark.at else { continue }
                out += "<g class=\"mark\"><title>\(clock(at, date: false)) \(html(mark.summary))</title>\(shape(kind, x: x(at), y: y))</g>\n"
            }
            out += "</g>\n"
        }
        return out + "</svg>\n"
    }

    /// Text for HTML: controls shown as visible escapes (as in the terminal), markup characters escaped.
    static func html(_ text: String) -> String {
        var out = ""
        for character in TerminalText.escape(text) {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}

extension String {
    /// "1234" → "123.4", "-5" → "-0.5": tenths written without Foundation's formatters.
    func insertingDecimal() -> String {
        let negative = hasPrefix("-")
        var digits = negative ? String(dropFirst()) : self
        while digits.count < 2 { digits = "0" + digits }
        return (negative ? "-" : "") + digits.dropLast() + "." + digits.suffix(1)
    }
}
