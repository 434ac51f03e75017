#!/usr/bin/env python3
"""README "Adding an action", run as written (issue 14).

Copies the workspace (its tracked and new files, not target/ or .venv/) to a scratch directory,
takes the `sh` blocks of the README section "Adding an action" verbatim and runs them there, in
order, with ACTION = the first action of api-spec/full/ (chosen at run time, so no action is
named here) and API_JSON = the official spec fixture. Then it checks what the section promises:

- the action moved from api-spec/full/ to api-spec/, and step 6 left api-spec/full/ exactly as
  before minus that action (idempotent and correct);
- the default build, built once before the steps as a user's checkout is, generates the
  action after them; the full-api build succeeds, and so do the golden, import and README
  figures tests;
- the generated code (golden file) has the action;
- a file added to api-spec/ is built by a plain `cargo build` (no block of the section touches
  build.rs), and touching api-spec/common.json reruns the build.

Builds go to target/add-an-action/ (kept between runs, so that only the workspace's own crates
are built again; the workspace's target/ itself is not touched). The scratch copy is removed on success and kept on
failure, for a look.

Usage: python3 .ci/add-an-action.py
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Adding an action"
FIXTURE = "codegen/tests/fixtures/redis-v20180412-api.json"


def fail(message: str) -> None:
    print(f"add-an-action: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def readme_blocks(readme: str) -> list[str]:
    """The `sh` code blocks of the section, dedented, in order."""
    start = readme.find("\n" + SECTION + "\n")
    if start < 0:
        fail(f"README.md has no section {SECTION!r}")
    rest = readme[start + len(SECTION) + 2 :]
    end = rest.find("\n## ")
    section = rest if end < 0 else rest[:end]
    blocks = []
    fence = re.compile(r"^( *)```sh\s*$")
    lines = section.split("\n")
    i = 0
    while i < len(lines):
        m = fence.match(lines[i])
        if not m:
            i += 1
            continue
        indent = len(m.group(1))
        body = []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
            i += 1
        blocks.append("\n".join(body))
        i += 1
    if not blocks:
        fail(f"README.md section {SECTION!r} has no ```sh block")
    return blocks


def copy_workspace(dest: Path) -> None:
    """The files git knows of (tracked or new, not ignored), symlinks kept as links."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        rel = name.decode()
        src, dst = ROOT / rel, dest / rel
        if not src.exists() and not src.is_symlink():
            continue  # deleted in the work tree
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            os.symlink(os.readlink(src), dst)
        else:
            # Fresh mtimes: cargo shares the workspace's units between copies (their hashes
            # do not depend on the path), so an older mtime could pass for an earlier copy's.
            shutil.copy(src, dst)


def run(cmd: str, cwd: Path, env: dict, log: Path, what: str) -> str:
    """Runs `cmd` with bash -euo pipefail; its output goes to `log` (and is returned)."""
    with open(log, "a") as out:
        out.write(f"\n$ {cmd}\n")
        out.flush()
        proc = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", cmd],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        out.write(proc.stdout)
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.splitlines()[-30:])
        fail(f"{what} exited with status {proc.returncode}:\n{cmd}\n--- last lines ---\n{tail}")
    return proc.stdout


def json_files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.glob("*.json"))}


def main() -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = readme_blocks(readme)
    if any("touch" in block for block in blocks):
        fail("a block of \"Adding an action\" touches a file: a new spec file must be built without it")
    scratch = Path(tempfile.mkdtemp(prefix="tc-redis-add-an-action-"))
    log = scratch.parent / (scratch.name + ".log")
    print(f"add-an-action: scratch copy {scratch}, log {log}")
    copy_workspace(scratch)

    full_before = json_files(scratch / "api-spec/full")
    if not full_before:
        fail("api-spec/full/ holds no action to move")
    action = next(iter(full_before)).removesuffix(".json")
    if (scratch / "api-spec" / f"{action}.json").exists():
        fail(f"{action} is in both api-spec/ and api-spec/full/ before the steps ran")
    print(f"add-an-action: moving {action} ({len(blocks)} README block(s))")

    env = dict(os.environ)
    env["CARGO_TARGET_DIR"] = str(ROOT / "target" / "add-an-action")
    env["CARGO_TERM_COLOR"] = "never"
    env["API_JSON"] = FIXTURE
    env["ACTION"] = action
    env.pop("TC_REDIS_BLESS", None)
    env.pop("TC_REDIS_API_SPEC", None)

    # A user follows the section in a checkout they have built before.
    run("cargo build -p tc-redis", scratch, env, log, "the default build before the steps")
    for n, block in enumerate(blocks, 1):
        run(block, scratch, env, log, f"README block {n} of {len(blocks)}")

    # What the steps promise.
    if not (scratch / "api-spec" / f"{action}.json").is_file():
        fail(f"api-spec/{action}.json was not written")
    full_after = json_files(scratch / "api-spec/full")
    expected = {k: v for k, v in full_before.items() if k != f"{action}.json"}
    if full_after.keys() != expected.keys():
        fail(
            f"api-spec/full/ holds {len(full_after)} files, expected {len(expected)} "
            f"({len(full_before)} before, minus {action}.json): "
            f"extra {sorted(full_after.keys() - expected.keys())}, "
            f"missing {sorted(expected.keys() - full_after.keys())}"
        )
    changed = sorted(k for k in expected if full_after[k] != expected[k])
    if changed:
        fail(f"re-importing the same spec changed {len(changed)} file(s) of api-spec/full/: {changed[:5]}")
    golden = (scratch / "codegen/tests/golden/api-spec.rs").read_text()
    if f"pub struct {action}Request" not in golden:
        fail(f"the blessed golden file has no `pub struct {action}Request`")

    # The default build the steps left behind generated the action (a build that did not rerun
    # build.rs would still hold the code of before).
    out = run(
        "cargo build -p tc-redis --message-format=json", scratch, env, log, "cargo build -p tc-redis"
    )
    out_dirs = [
        json.loads(line)["out_dir"]
        for line in out.splitlines()
        if '"build-script-executed"' in line and "tc-redis" in json.loads(line)["package_id"]
    ]
    if len(out_dirs) != 1:
        fail(f"expected one build-script output of tc-redis, found {out_dirs}")
    generated = (Path(out_dirs[0]) / "api.rs").read_text()
    if f"pub struct {action}Request" not in generated:
        fail(f"the default build after the steps has no {action}Request ({out_dirs[0]}/api.rs)")

    # The builds and tests the section stands for, whether or not its blocks ran them.
    for cmd in (
        "cargo build -p tc-redis",
        "cargo build -p tc-redis --features full-api",
        "cargo test -p tc-redis-codegen --test golden --test import --test readme_figures",
    ):
        run(cmd, scratch, env, log, cmd)

    # build.rs watches the spec directory: an edit anywhere in it reruns the build.
    os.utime(scratch / "api-spec/common.json")
    out = run("cargo build -p tc-redis -v", scratch, env, log, "the default build after touching common.json")
    if not re.search(r"^\s*Dirty tc-redis v", out, re.M):
        fail(f"touching api-spec/common.json did not rerun build.rs:\n{out[-2000:]}")

    shutil.rmtree(scratch)
    log.unlink()
    print(
        f"add-an-action: ok: {action} moved to api-spec/ by the README's {len(blocks)} block(s); "
        f"api-spec/full/ {len(full_before)} -> {len(full_after)} files; default and full-api build; "
        f"golden, import and README figures tests pass; the new file was built without a touch"
    )


if __name__ == "__main__":
    main()
