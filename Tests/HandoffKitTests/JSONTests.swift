import Testing
@testable import HandoffKit

@Suite("JSON")
struct JSONTests {
    @Test("round-trips values and keeps key order")
    func roundTrip() throws {
        let text = #"{"z":1,"a":[true,false,null,-2.5,"x\ny\"\u00e9\ud83d\ude00"],"m":{"k":{}}}"#
        let value = try JSONValue.parse(text)
        #expect(value.objectValue?.keys == ["z", "a", "m"])
        #expect(value["a"]?.arrayValue?[4].stringValue == "x\ny\"é😀")
        #expect(try JSONValue.parse(value.compactText) == value)
        #expect(try JSONValue.parse(value.prettyText) == value)
    }

    @Test("rejects malformed input with an offset, never traps", arguments: [
        "", "{", "[1,", #"{"a" 1}"#, "tru", "01x", "\"abc", "{\"a\":1}x", "[\"\u{01}\"]", "nul", "-", "1.", "1e",
    ])
    func malformed(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test("bounds nesting depth")
    func depth() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect((try? JSONValue.parse(fine)) != nil)
    }

    @Test("binary bytes and lone surrogates become replacement characters, not crashes")
    func binary() throws {
        let value = try JSONValue.parse([0x22, 0xFF, 0xFE, 0x41, 0x22])
        #expect(value.stringValue?.hasSuffix("A") == true)
        #expect(try JSONValue.parse(#""\ud800x""#).stringValue == "\u{FFFD}x")
    }

    @Test("escapes control characters and line separators on output")
    func escapes() {
        let value = JSONValue.string("a\u{0}b\u{2028}c\t")
        #expect(value.compactText == #""a\u0000b\u2028c\t""#)
        #expect(!value.compactText.contains("\n"))
    }
}
