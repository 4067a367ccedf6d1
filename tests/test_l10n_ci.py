"""The CI packaging of issue 21, run the way its runners run it: the composite ``action.yml``
(each ``run:`` step through ``bash --noprofile --norc -eo pipefail`` with the inputs, step
outputs and ``$GITHUB_OUTPUT`` as GitHub's runner provides them; ``uses:`` steps recorded and
checked) on the example project ``tests/data/l10n/project``, and the ``.pre-commit-hooks.yaml``
hook (its entry on the files its ``files`` pattern selects; ``pre-commit try-repo`` when
pre-commit is installed)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml")
pytest.importorskip("translate.storage.pypo", reason="the l10n extra: pip install 'mtaudit[l10n]'")

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "tests" / "data" / "l10n" / "project"
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _value(expr: str, ctx: dict[str, Any]) -> Any:
    """One context lookup (``inputs.x``, ``steps.id.outputs.x``, ``github.action_path``)."""
    parts = expr.split(".")
    if parts[0] == "inputs":
        return ctx["inputs"].get(parts[1], "")
    if parts[0] == "steps":
        return ctx["steps"].get(parts[1], {}).get("outputs", {}).get(parts[3], "")
    if parts[0] == "github":
        return ctx["github"][parts[1]]
    if parts[0] == "runner":
        return {"os": "Linux"}[parts[1]]
    raise AssertionError(f"expression not handled by the test: {expr}")


def _evaluate(expr: str, ctx: dict[str, Any]) -> Any:
    """The subset of GitHub's expression language action.yml uses."""
    if expr.startswith("hashFiles("):
        return "hash"
    py = expr.replace("&&", " and ").replace("||", " or ").replace("always()", "True")
    py = re.sub(r"contains\(([^,]+),\s*([^)]+)\)", r"(\2 in \1)", py)
    py = re.sub(
        r"\b(?:inputs|steps|github|runner)(?:\.[\w-]+)+",
        lambda m: repr(_value(m.group(0), ctx)),
        py,
    )
    return eval(py, {"__builtins__": {}}, {})  # test-only: a fixed, known set of expressions


def _substitute(text: str, ctx: dict[str, Any]) -> str:
    return EXPR.sub(lambda m: str(_evaluate(m.group(1), ctx)), text)


def _shims(tmp: Path) -> Path:
    """``python`` (pip install is a no-op: the package under test is already importable) and the
    ``mtaudit`` console script (this checkout, with the model-free encoder for speed)."""
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    py = sys.executable
    (bin_dir / "python").write_text(
        "#!/usr/bin/env bash\n"
        'if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then echo "pip $*" >> "$SHIM_LOG"; exit 0; fi\n'
        f'exec "{py}" "$@"\n'
    )
    (bin_dir / "mtaudit").write_text(
        "#!/usr/bin/env bash\n"
        'echo "mtaudit $*" >> "$SHIM_LOG"\n'
        f'exec "{py}" -m mtaudit "$@" --encoder hashing\n'
    )
    for f in bin_dir.iterdir():
        f.chmod(0o755)
    return bin_dir


def run_action(workdir: Path, inputs: dict[str, str], tmp: Path) -> dict[str, Any]:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    given = {k: v.get("default", "") for k, v in action["inputs"].items()}
    for k, v in action["inputs"].items():
        assert not v.get("required") or k in inputs, f"required input {k} not given"
    given.update(inputs)
    ctx: dict[str, Any] = {
        "inputs": given,
        "steps": {},
        "github": {"action_path": str(ROOT), "workspace": str(workdir)},
    }
    log = tmp / "shim.log"
    bin_dir = _shims(tmp)
    ran: list[dict[str, Any]] = []
    failed = None
    for step in action["runs"]["steps"]:
        cond = step.get("if")
        if cond is not None and not _evaluate(cond, ctx):
            ran.append({"name": step["name"], "skipped": True})
            continue
        if "uses" in step:
            ran.append(
                {
                    "name": step["name"],
                    "uses": step["uses"],
                    "with": {k: _substitute(str(v), ctx) for k, v in step.get("with", {}).items()},
                }
            )
            continue
        assert step["shell"] == "bash"
        out_file = tmp / f"output-{len(ran)}"
        out_file.write_text("")
        env = {
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "GITHUB_OUTPUT": str(out_file),
            "SHIM_LOG": str(log),
            "PYTHONPATH": str(ROOT),
        }
        env.update({k: _substitute(str(v), ctx) for k, v in step.get("env", {}).items()})
        proc = subprocess.run(
            [
                "bash",
                "--noprofile",
                "--norc",
                "-eo",
                "pipefail",
                "-c",
                _substitute(step["run"], ctx),
            ],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        outputs = dict(
            line.split("=", 1) for line in out_file.read_text().splitlines() if "=" in line
        )
        if "id" in step:
            ctx["steps"][step["id"]] = {"outputs": outputs}
        ran.append(
            {
                "name": step["name"],
                "rc": proc.returncode,
                "stdout": proc.stdout,
                "stderr": proc.stderr,
            }
        )
        if proc.returncode != 0:
            failed = step["name"]
            break
    return {
        "steps": ran,
        "failed": failed,
        "ctx": ctx,
        "log": log.read_text() if log.exists() else "",
    }


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    dest = tmp_path / "work"
    shutil.copytree(PROJECT, dest)
    return dest


def test_action_audits_the_project_uploads_sarif_and_gates(project, tmp_path):
    res = run_action(
        project,
        {
            "paths": "locale docs/en:docs/de",
            "policy": "mtaudit.toml",
            "format": "sarif,json",
            "profile": "fast",
        },
        tmp_path,
    )
    by_name = {s["name"]: s for s in res["steps"]}
    # it installs the action's own checkout, with the extras
    assert f"pip -m pip install --quiet {ROOT}[l10n,fluency]" in res["log"]
    audit = by_name["Audit"]
    assert audit["rc"] == 0, audit["stderr"]
    assert res["ctx"]["steps"]["audit"]["outputs"]["exit-code"] == "1"  # fr breaks a placeholder
    # the SARIF upload gets the folder of reports
    upload = by_name["Upload SARIF"]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    sarif_dir = project / upload["with"]["sarif_file"]
    sarifs = sorted(sarif_dir.rglob("*.sarif"))
    assert {p.relative_to(sarif_dir).as_posix() for p in sarifs} == {
        "1/items/de/LC_MESSAGES/notebook.sarif",
        "1/items/fr/LC_MESSAGES/notebook.sarif",
        "2/items/sync.sarif",
    }
    fr = json.loads((sarif_dir / "1/items/fr/LC_MESSAGES/notebook.sarif").read_text())
    po = project / "locale/fr/LC_MESSAGES/notebook.po"
    line = next(k for k, t in enumerate(po.read_text().splitlines(), 1) if "%(heure)s" in t)
    hits = [
        r["locations"][0]["physicalLocation"]
        for r in fr["runs"][0]["results"]
        if r["ruleId"] == "printf_mismatch"
    ]
    assert hits and hits[0]["region"]["startLine"] == line
    assert hits[0]["artifactLocation"]["uri"].endswith("locale/fr/LC_MESSAGES/notebook.po")
    docs = json.loads((sarif_dir / "2/items/sync.sarif").read_text())
    assert any(r["ruleId"] == "markdown_mismatch" for r in docs["runs"][0]["results"])
    # the gate step fails the job with the audit's exit code
    assert res["failed"] == "Gate" and by_name["Gate"]["rc"] == 1


def test_action_passes_on_a_clean_tree_and_skips_the_gate(project, tmp_path):
    shutil.rmtree(project / "locale" / "fr")
    res = run_action(
        project,
        {"paths": "locale", "format": "json", "profile": "fast", "upload-sarif": "true"},
        tmp_path,
    )
    by_name = {s["name"]: s for s in res["steps"]}
    assert res["failed"] is None
    assert res["ctx"]["steps"]["audit"]["outputs"]["exit-code"] == "0"
    assert by_name["Upload SARIF"].get("skipped")  # no sarif format asked for
    assert by_name["Gate"].get("skipped")
    assert (project / "mtaudit-out/1/index.json").is_file()


def test_action_reports_a_bad_path_as_exit_2(project, tmp_path):
    res = run_action(project, {"paths": "no-such-folder", "profile": "fast"}, tmp_path)
    assert res["ctx"]["steps"]["audit"]["outputs"]["exit-code"] == "2"
    assert res["failed"] == "Gate"


# --------------------------------------------------------------------------- pre-commit


def _hook() -> dict[str, Any]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["mtaudit-l10n"]
    return hooks[0]


def _files_for(hook: dict[str, Any], root: Path) -> list[str]:
    rx = re.compile(hook["files"])
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and rx.search(p.relative_to(root).as_posix())
    )


def test_pre_commit_hook_entry_on_the_files_it_selects(project):
    hook = _hook()
    files = _files_for(hook, project)
    assert "locale/fr/LC_MESSAGES/notebook.po" in files and "docs/de/sync.md" in files
    assert "mtaudit.toml" not in files
    entry = hook["entry"].split()
    assert entry[:2] == ["python", "-m"]
    args = ["--policy", "mtaudit.toml", "--map", "/de/:/en/", "--encoder", "hashing"]
    proc = subprocess.run(
        [sys.executable, *entry[1:], *args, *files],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 1, proc.stderr
    assert "locale/fr/LC_MESSAGES/notebook.po:18: critical printf_mismatch" in proc.stdout
    assert "docs/de/sync.md:9: major markdown_mismatch [p@9]" in proc.stdout
    assert "locale/de/" not in proc.stdout  # the German catalogue is clean


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pre-commit") is None, reason="pre-commit is not installed")
def test_pre_commit_try_repo(project, tmp_path):
    """``pre-commit try-repo`` installs mtaudit from this checkout into its own environment
    (numpy, the encoders …: minutes), hence slow."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT, repo, ignore=shutil.ignore_patterns(".venv*", ".git", "out"))
    for cmd in (
        ["git", "init", "-q"],
        ["git", "add", "-A"],
        ["git", "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "x"],
    ):
        subprocess.run(cmd, cwd=repo, check=True)
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run(["git", "add", "-A"], cwd=project, check=True)
    proc = subprocess.run(
        ["pre-commit", "try-repo", str(repo), "mtaudit-l10n", "--all-files", "--verbose"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert proc.returncode == 1 and "printf_mismatch" in proc.stdout
