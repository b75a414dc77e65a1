"""The layers of DESIGN.md are enforced by import-linter in `make lint`: an import that runs
up the layers fails it (issue 17, acceptance 3)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from broker.config import PROJECT_ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tree, text=True,
                          capture_output=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(tree)})


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the package and its contracts, to plant imports in."""
    shutil.copytree(PROJECT_ROOT / "broker", tmp_path / "broker",
                    ignore=shutil.ignore_patterns("__pycache__", "static", "i18n"))
    shutil.copy(PROJECT_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _plant(tree: Path, module: str, line: str) -> None:
    path = tree / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text() + f"\n{line}\n")


def test_the_tree_as_it_is_keeps_every_contract(tree: Path) -> None:
    result = _lint(tree)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(("module", "line", "contract"), [
    ("broker.clock", "import broker.meetings.service  # noqa", "The kernel imports nothing"),
    ("broker.vault.service", "from broker.observations import service  # noqa",
     "Audit, vault, identity"),
    ("broker.audit.recording", "import broker.disclosure.door  # noqa", "Audit, vault, identity"),
    ("broker.disclosure.facts", "from broker.meldcode import service  # noqa",
     "Disclosure reads domain models only"),
    ("broker.plans.service", "import broker.plans.api  # noqa", "Domain services never"),
    ("broker.meldcode.service", "from broker.vault.opening import open_or_none  # noqa",
     "Sealed text opens only"),
    ("broker.meetings.api", "import broker.households.api  # noqa", "Routes never import"),
], ids=["kernel", "vault", "audit", "disclosure", "service", "sealed", "routes"])
def test_an_import_up_the_layers_fails_lint(tree: Path, module: str, line: str,
                                             contract: str) -> None:
    _plant(tree, module, line)
    result = _lint(tree)
    assert result.returncode != 0
    broken = [line for line in result.stdout.splitlines() if line.endswith(" BROKEN")]
    assert any(line.startswith(contract) for line in broken), result.stdout
