import Testing

@testable import HandoffKit

@Suite("Agent hooks: Framework Reflection parser")
struct AgentHooksReflectionTests {
    @Test func aCompleteBlockParses() throws {
        guard case .valid(let reflection) = Reflection.parse(validReflection) else {
            Issue.record("expected a valid reflection")
            return
        }
        #expect(reflection.outcome == .success)
        #expect(reflection.accomplishments == "added the parser and its tests")
        #expect(reflection.frictionPoints == "none")
        #expect(reflection.nextStep == "none")
        #expect(reflection.text.hasPrefix("## Framework Reflection"))
        #expect(reflection.text.hasSuffix("**Next step**: none"))
    }

    @Test func markupVariantsParse() {
        let text = """
            # Framework Reflection
            - **Outcome:** Partial.
            - **Accomplishments:**
              - wrote the lexer
              - wrote half the parser
            - **Friction points:** `none`
            - **Next step:** Sources/Parser.swift:40 finish the expression rules
            """
        guard case .valid(let reflection) = Reflection.parse(text) else {
            Issue.record("expected valid, got \(Reflection.parse(text))")
            return
        }
        #expect(reflection.outcome == .partial)
        #expect(reflection.accomplishments.contains("wrote the lexer"))
        #expect(reflection.accomplishments.contains("half the parser"))
        #expect(reflection.frictionPoints == "none")
    }

    @Test func noHeadingMeansAbsent() {
        #expect(Reflection.parse("All done. **Outcome**: success") == .absent)
        #expect(Reflection.parse("") == .absent)
    }

    @Test func theTemplateItselfIsRejected() {
        let template = """
            ## Framework Reflection

            **Outcome**: success|partial|failure
            **Accomplishments**: [What was completed this session]
            **Friction points**: [Issues encountered, or "none"]
            **Next step**: [Task IDs for follow-up work, or "none"]
            """
        guard case .invalid(let problems) = Reflection.parse(template) else {
            Issue.record("the template must not pass")
            return
        }
        #expect(problems.contains { $0.contains("Outcome") })
        #expect(problems.contains { $0.contains("Accomplishments") })
    }

    @Test func missingAndEmptyFieldsAreNamed() {
        let text = """
            ## Framework Reflection
            **Outcome**: success
            **Accomplishments**:
            **Next step**: none
            """
        guard case .invalid(let problems) = Reflection.parse(text) else {
            Issue.record("expected invalid")
            return
        }
        #expect(problems.contains("**Accomplishments**: is empty"))
        #expect(problems.contains("**Friction points**: is missing"))
    }

    @Test func partialOrFailureNeedARealNextStep() {
        for outcome in ["partial", "failure"] {
            guard case .invalid(let problems) = Reflection.parse(reflection(outcome: outcome, next: "none")) else {
                Issue.record("\(outcome) with next step none must be refused")
                continue
            }
            #expect(problems.contains { $0.contains("cannot be \"none\"") })
            #expect(Reflection.parse(reflection(outcome: outcome, next: "TASK-12 finish the parser")) != .absent)
            if case .valid = Reflection.parse(reflection(outcome: outcome, next: "TASK-12 finish the parser")) {} else {
                Issue.record("\(outcome) with a next step must pass")
            }
        }
        if case .valid = Reflection.parse(reflection(outcome: "success", next: "none")) {} else {
            Issue.record("success with none must pass")
        }
    }

    @Test func theLastBlockWins() {
        let text = """
            Here is the format I will use:
            ## Framework Reflection
            **Outcome**: success|partial|failure

            ...work...

            ## Framework Reflection
            **Outcome**: failure
            **Accomplishments**: reproduced the crash
            **Friction points**: no symbols
            **Next step**: ask for a debug build
            """
        guard case .valid(let reflection) = Reflection.parse(text) else {
            Issue.record("expected the last block to be valid")
            return
        }
        #expect(reflection.outcome == .failure)
    }

    @Test func aFollowingHeadingEndsTheBlock() {
        let text = """
            ## Framework Reflection
            **Outcome**: success
            **Accomplishments**: all of it
            ## Notes
            **Friction points**: none
            **Next step**: none
            """
        if case .invalid = Reflection.parse(text) {} else { Issue.record("fields under another heading do not count") }
    }

    @Test func hostileTextNeverTraps() {
        let samples = [
            String(repeating: "#", count: 10_000),
            "## Framework Reflection\n" + String(repeating: "**Outcome**:", count: 5_000),
            "## Framework Reflection\r\n**Outcome**: success\r\n**Accomplishments**: a\r\n**Friction points**: b\r\n**Next step**: c\r\n",
            "## Framework Reflection\n**:**\n:::\n**\n",
            String(decoding: (0..<4096).map { UInt8($0 % 256) }, as: UTF8.self),
        ]
        for sample in samples { _ = Reflection.parse(sample) }
        if case .valid = Reflection.parse(samples[2]) {} else { Issue.record("CRLF lines must parse") }
    }

    // MARK: Where the reflection stands (issue #12)

    static let block = """
        ## Framework Reflection

        **Outcome**: success
        **Accomplishments**: added the parser
        **Friction points**: none
        **Next step**: none
        """

    @Test func aReflectionInsideACodeFenceIsAnExampleNotAHandover() {
        let text = "I have not finished yet. When I do, I will print this:\n\n```markdown\n" + Self.block + "\n```\n"
        #expect(Reflection.parse(text) == .absent)
        let tilde = "Example:\n~~~\n" + Self.block + "\n~~~"
        #expect(Reflection.parse(tilde) == .absent)
    }

    @Test func aReflectionAfterAFencedExampleStillCounts() {
        let text = "The format:\n```\n## Framework Reflection\n**Outcome**: success|partial|failure\n```\n\n" + Self.block
        guard case .valid = Reflection.parse(text) else {
            Issue.record("a real block after a fenced example must count")
            return
        }
    }

    @Test func anAnnouncementOfNewWorkAfterTheReflectionIsRefused() {
        for follower in ["Let me also start refactoring the lexer.", "Now I'll run the benchmarks.", "I’m going to clean up the tests next."] {
            let parsed = Reflection.parse(Self.block + "\n\n" + follower)
            guard case .invalid(let problems) = parsed else {
                Issue.record("\(follower): accepted as a handover")
                continue
            }
            #expect(problems.contains { $0.contains("must end the message") && $0.contains(String(follower.prefix(20))) }, "\(problems)")
        }
        // A heading or a fence after it is more message, too.
        if case .valid = Reflection.parse(Self.block + "\n\n## Next\nMore text") { Issue.record("a heading after the block") }
        if case .valid = Reflection.parse(Self.block + "\n\n```sh\nmake\n```") { Issue.record("a fence after the block") }
    }

    @Test func aClosingConfirmationMayFollowTheReflection() {
        for closing in ["Handover complete. Session may now end.", "Handover complete.\nThanks!"] {
            guard case .valid = Reflection.parse(Self.block + "\n\n" + closing) else {
                Issue.record("\(closing): refused")
                continue
            }
        }
    }
}
