/// The git-hook entries handoff installs, byte for byte the files under `hooks/git/` in the source
/// tree (a test keeps them identical). Embedded so that an installed `handoff` needs no data files.
///
/// `@HANDOFF_BINARY@` is replaced by the shell-quoted absolute path of the `handoff` executable.
enum GitHookTemplates {
    static let binaryPlaceholder = "@HANDOFF_BINARY@"

    static let postCommit = """
        #!/bin/sh
        # handoff-managed-hook v1
        # Installed by `handoff install --git`; `handoff uninstall --git` removes it and puts back the hook
        # that was here before (kept beside it as post-commit.pre-handoff).
        #
        # 1. The previous hook runs first, with git's arguments; its exit status is this hook's status.
        # 2. `handoff hook post-commit` records the commit. It cannot fail the commit (which already exists).
        # Absolute path: GUI git clients run hooks without the user's PATH.
        handoff=@HANDOFF_BINARY@
        previous="${0%/*}/post-commit.pre-handoff"
        status=0
        if [ -x "$previous" ]; then
            "$previous" "$@"
            status=$?
        elif [ -x "$handoff" ]; then
            # Nothing to chain, and git ignores this hook's status: one process less.
            exec "$handoff" hook post-commit "$@"
        fi
        if [ -x "$handoff" ]; then
            "$handoff" hook post-commit "$@" || :
        fi
        exit $status

        """

    static let postMerge = """
        #!/bin/sh
        # handoff-managed-hook v1
        # Installed by `handoff install --git`; `handoff uninstall --git` removes it and puts back the hook
        # that was here before (kept beside it as post-merge.pre-handoff).
        #
        # git runs post-merge, not post-commit, after a `git merge` or `git pull` that merged without a
        # conflict to resolve; its one argument is 1 for a squash merge (no commit made), else 0.
        # 1. The previous hook runs first, with git's arguments; its exit status is this hook's status.
        # 2. `handoff hook post-merge` records HEAD when this merge created it as a merge commit:
        #    never for a fast-forward (HEAD moved to commits made elsewhere), a squash, or a commit that
        #    is already recorded. It cannot fail the merge (which is already made).
        # Absolute path: GUI git clients run hooks without the user's PATH.
        handoff=@HANDOFF_BINARY@
        previous="${0%/*}/post-merge.pre-handoff"
        status=0
        if [ -x "$previous" ]; then
            "$previous" "$@"
            status=$?
        elif [ -x "$handoff" ]; then
            # Nothing to chain, and git ignores this hook's status: one process less.
            exec "$handoff" hook post-merge "$@"
        fi
        if [ -x "$handoff" ]; then
            "$handoff" hook post-merge "$@" || :
        fi
        exit $status

        """

    static let prePush = """
        #!/bin/sh
        # handoff-managed-hook v1
        # Installed by `handoff install --git`; `handoff uninstall --git` removes it and puts back the hook
        # that was here before (kept beside it as pre-push.pre-handoff).
        #
        # 1. The previous hook runs first, with git's arguments and exactly git's stdin (kept in memory,
        #    never in a temporary file that a full disk or a file-size limit could cut short); when it
        #    fails, the push fails with its status and handoff records nothing.
        # 2. `handoff hook pre-push` records the push. Only its opt-in block policy (exit 1) can refuse the push;
        #    any other failure of ours lets the push go on.
        # Absolute path: GUI git clients run hooks without the user's PATH.
        handoff=@HANDOFF_BINARY@
        previous="${0%/*}/pre-push.pre-handoff"

        run_handoff() {
            "$handoff" hook pre-push "$@"
            [ $? -eq 1 ] && exit 1
            exit 0
        }

        if [ ! -x "$previous" ]; then
            # Nothing to chain: handoff reads git's stdin itself, no copy needed.
            if [ -x "$handoff" ]; then run_handoff "$@"; fi
            cat >/dev/null
            exit 0
        fi

        # git's ref lines are text (no NUL); the trailing "." keeps their final newline through $(...).
        refs=$(cat; echo .)
        refs=${refs%.}
        printf '%s' "$refs" | "$previous" "$@"
        status=$?
        [ $status -ne 0 ] && exit $status
        if [ -x "$handoff" ]; then
            printf '%s' "$refs" | run_handoff "$@"
            exit $?
        fi
        exit 0

        """
}
