#!/usr/bin/env bash
# Generates the "large" benchmark repository: 100,000 files in 1,000 folders, 5,000 commits.
#
#   bench/make-large-repo.sh [DEST]     (default: bench/.cache/large-repo)
#
# Built with `git fast-import` from a stream written by awk (no per-commit git process), then
# checked out once. Commit 1 adds all 100,000 files (d000/f00.txt … d999/f99.txt); commits
# 2…5000 each change one or two files, spread over the folders, so history and trees are real.
# Deterministic (fixed dates and contents). Idempotent: an existing, complete DEST is kept.
# Takes ~30-60 s on 2 cores; the result is ~0.5 GB on disk (mostly the checked-out worktree).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
dest=${1:-"$here/.cache/large-repo"}
folders=1000
per_folder=100
commits=5000

if [ -f "$dest/.git/bench-complete" ]; then
    echo "large repo: cached at $dest"
    exit 0
fi

rm -rf "$dest"
mkdir -p "$dest"
git -C "$dest" init -q -b main
git -C "$dest" config user.name Bench
git -C "$dest" config user.email bench@example.invalid
git -C "$dest" config gc.auto 0

start=$(date +%s)
awk -v folders="$folders" -v per="$per_folder" -v commits="$commits" '
function data(text) { printf "data %d\n%s\n", length(text), text }
function commit(n, message,   t) {
    t = 1700000000 + n * 60
    printf "commit refs/heads/main\nmark :%d\n", n
    printf "author Bench <bench@example.invalid> %d +0000\n", t
    printf "committer Bench <bench@example.invalid> %d +0000\n", t
    data(message)
}
BEGIN {
    commit(1, "initial import: " folders * per " files")
    for (d = 0; d < folders; d++) {
        for (f = 0; f < per; f++) {
            path = sprintf("d%03d/f%02d.txt", d, f)
            printf "M 100644 inline %s\n", path
            data(sprintf("file %s\nrevision 0\nsome content to make the blob look like a small source file\n", path))
        }
    }
    print ""
    for (n = 2; n <= commits; n++) {
        commit(n, sprintf("change %d", n))
        printf "from :%d\n", n - 1
        # One or two files per commit, walking the folders so every folder sees history.
        for (k = 0; k < 1 + (n % 2); k++) {
            d = (n * 7 + k * 13) % folders
            f = (n * 3 + k) % per
            path = sprintf("d%03d/f%02d.txt", d, f)
            printf "M 100644 inline %s\n", path
            data(sprintf("file %s\nrevision %d\nsome content to make the blob look like a small source file\n", path, n))
        }
        print ""
    }
    print "done"
}' | git -C "$dest" fast-import --quiet --done
imported=$(date +%s)

# Populate the worktree and index once (git checks out with parallel workers where it can).
git -C "$dest" -c checkout.workers=0 checkout -q -f main
git -C "$dest" update-index --refresh -q >/dev/null || true
git -C "$dest" status --porcelain >/dev/null
touch "$dest/.git/bench-complete"
files=$(git -C "$dest" ls-files | wc -l)
count=$(git -C "$dest" rev-list --count HEAD)
echo "large repo: $files files, $count commits at $dest (import $((imported - start)) s, checkout $(( $(date +%s) - imported )) s)"
