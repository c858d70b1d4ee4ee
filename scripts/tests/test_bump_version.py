"""scripts/bump-version.py on a copy of the repository: every place moves together, the lock files
stay valid for cargo and npm, nothing else is reformatted, and --check catches a stray version."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "bump-version.py"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)


class BumpVersion(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp())
        self.repo = self.tmp / "repo"
        files = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split("\0")
        for name in filter(None, files):
            source = ROOT / name
            if source.is_file():
                (self.repo / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, self.repo / name)
        for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "copy"]):
            subprocess.run(["git", *args], cwd=self.repo, check=True)
        self.version = run(sys.executable, str(SCRIPT), "--root", str(self.repo), cwd=self.repo).stdout.strip()

    def tearDown(self) -> None:
        shutil.rmtree(self.tmp)

    def bump(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run(sys.executable, str(SCRIPT), "--root", str(self.repo), *args, cwd=self.repo)

    def changed(self) -> set[str]:
        out = run("git", "diff", "--name-only", cwd=self.repo).stdout
        return set(out.split())

    def test_setting_the_current_version_changes_no_byte(self) -> None:
        result = self.bump(self.version)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.changed(), set())

    def test_a_new_version_reaches_every_package(self) -> None:
        result = self.bump("7.8.9-rc.1")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(
            self.changed(),
            {
                "Cargo.toml",
                "Cargo.lock",
                "fuzz/Cargo.lock",
                "CHANGELOG.md",
                "bookenrich-node/package.json",
                "bookenrich-node/package-lock.json",
                "bookenrich-node/index.js",
            },
        )
        self.assertEqual(self.bump("--check", "7.8.9-rc.1").returncode, 0)
        # cargo agrees: the lock file matches the manifests, and every member has the new version.
        meta = run("cargo", "metadata", "--locked", "--offline", "--no-deps", "--format-version", "1", cwd=self.repo)
        self.assertEqual(meta.returncode, 0, meta.stderr)
        versions = {p["name"]: p["version"] for p in json.loads(meta.stdout)["packages"]}
        self.assertEqual(versions["bookenrich-core"], "7.8.9-rc.1")
        self.assertEqual(versions["bookenrich-cli"], "7.8.9-rc.1")
        self.assertEqual(versions["bookenrich-py"], "7.8.9-rc.1")
        changelog = (self.repo / "CHANGELOG.md").read_text(encoding="utf-8")
        self.assertRegex(changelog, r"## \[Unreleased\]\n\n## \[7\.8\.9-rc\.1\] - \d{4}-\d{2}-\d{2}\n")
        index = (self.repo / "bookenrich-node/index.js").read_text(encoding="utf-8")
        self.assertNotIn(f"'{self.version}'", index)

    def test_check_names_the_file_that_disagrees(self) -> None:
        path = self.repo / "bookenrich-node/package.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        data["version"] = "9.9.9"
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        result = self.bump("--check", self.version)
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"bookenrich-node/package.json: 9.9.9, not {self.version}", result.stderr)

    def test_a_version_that_is_not_semver_is_refused(self) -> None:
        result = self.bump("v1.2")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("not a semantic version", result.stderr)
        self.assertEqual(self.changed(), set())


if __name__ == "__main__":
    unittest.main()
