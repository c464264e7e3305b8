import ArgumentParser
import HandoffKit

struct MCPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the task store to an agent over the Model Context Protocol (stdio).",
        discussion: """
            Tools: create_task, update_task, list_tasks, store_memory. The Claude Code plugin and `handoff install --claude` register it as the MCP server "handoff"; the agent then files follow-ups as tool calls (mcp__handoff__create_task, or mcp__plugin_handoff_handoff__create_task through the plugin). The repository is $CLAUDE_PROJECT_DIR, else the current directory.

            Examples:
              claude mcp add handoff -- handoff mcp
              printf '%s\\n' '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' | handoff mcp
            """
    )

    func run() throws {
        let context = CLIContext.current()
        let project = WorktreeLocator.agentProjectDirectory(inputCWD: nil, environment: context.environment)
        let root = WorktreeLocator.worktreeRoot(startingAt: project, environment: context.environment)
        TaskMCPServer(root: root, environment: context.environment, version: HandoffVersion.current).serve()
    }
}
