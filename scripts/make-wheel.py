#!/usr/bin/env python3
"""Writes handoff's wheel from the install tree that scripts/package.sh assembled.

The tree's bin/ files go to <name>.data/scripts/ as they are (the native executable, no Python shim:
pip copies a script that does not start with `#!python` unchanged and keeps its executable bit);
its share/ goes to <name>.data/data/share/ (installed at the environment's root, so <venv>/share/handoff
exists). Links cannot be stored in a wheel and are left out. Every zip entry carries the same date
(SOURCE_DATE_EPOCH) and the entries are sorted, so one tree gives the same bytes.
"""
import argparse
import base64
import hashlib
import os
import stat
import sys
import time
import zipfile


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tree", required=True)
    parser.add_argument("--project", required=True, help="the distribution name, normalized (handoff_hooks)")
    parser.add_argument("--version", required=True)
    parser.add_argument("--tag", required=True, help="py3-none-manylinux_X_Y_arch")
    parser.add_argument("--epoch", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    # Zip stores local time without a zone, from 1980 on; the epoch is read as UTC.
    date = time.gmtime(max(args.epoch, 315532800))[:6]
    data_dir = f"{args.project}-{args.version}.data"
    info_dir = f"{args.project}-{args.version}.dist-info"

    entries = []  # (archive path, bytes, mode)
    for top, target in (("bin", "scripts"), ("share", "data/share")):
        root = os.path.join(args.tree, top)
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(folder, name)
                if os.path.islink(path):
                    continue
                mode = os.stat(path).st_mode
                rel = os.path.relpath(path, root).replace(os.sep, "/")
                with open(path, "rb") as handle:
                    entries.append((f"{data_dir}/{target}/{rel}", handle.read(), 0o755 if mode & stat.S_IXUSR else 0o644))
    if not any(path == f"{data_dir}/scripts/handoff" for path, _, _ in entries):
        print("make-wheel.py: the tree has no bin/handoff", file=sys.stderr)
        return 1

    readme = (
        "handoff makes a coding agent's session end in an honest, structured handover: git hooks and\n"
        "Claude Code / Codex hooks (a stop gate, a compaction snapshot, a resume brief). This wheel carries\n"
        "the native `handoff` executable; after installing it, run `handoff install --claude` (or --codex),\n"
        "and `handoff install --git` inside each repository to opt in.\n"
    )
    metadata = (
        "Metadata-Version: 2.1\n"
        f"Name: {args.project.replace('_', '-')}\n"
        f"Version: {args.version}\n"
        "Summary: Honest, structured handovers for coding agents: git and agent hooks in one native executable\n"
        "License: MIT\n"
        "Classifier: Operating System :: POSIX :: Linux\n"
        "Classifier: Topic :: Software Development :: Version Control :: Git\n"
        "Description-Content-Type: text/markdown\n"
        "\n" + readme
    )
    wheel = (
        "Wheel-Version: 1.0\n"
        "Generator: handoff scripts/make-wheel.py\n"
        "Root-Is-Purelib: false\n"
        f"Tag: {args.tag}\n"
    )
    entries.append((f"{info_dir}/METADATA", metadata.encode(), 0o644))
    entries.append((f"{info_dir}/WHEEL", wheel.encode(), 0o644))

    record_lines = [f"{path},{record_hash(data)},{len(data)}" for path, data, _ in entries]
    record_lines.append(f"{info_dir}/RECORD,,")
    entries.append((f"{info_dir}/RECORD", ("\n".join(record_lines) + "\n").encode(), 0o644))

    temporary = args.out + ".tmp"
    with zipfile.ZipFile(temporary, "w") as archive:
        for path, data, mode in entries:
            info = zipfile.ZipInfo(path, date_time=date)
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.create_system = 3  # Unix, so the mode bits are read
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=9)
    os.replace(temporary, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
