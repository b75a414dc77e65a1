"""Policy files: loaded, validated with file and key named, versioned by content."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from broker.config import PROJECT_ROOT
from broker.policy import PolicyError, check_policy, load_policy

SHIPPED = PROJECT_ROOT / "policies"


def broker_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 60
               ) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run([sys.executable, "-m", "broker", *args], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


@pytest.fixture
def policy_copy(tmp_path: Path) -> Path:
    target = tmp_path / "policies"
    shutil.copytree(SHIPPED, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


@pytest.fixture
def broken_policy(policy_copy: Path) -> Path:
    """A consent rule naming an unknown category, a duplicate category id, a string number."""
    edit(policy_copy / "consent.yaml", "  - category: justitie", "  - category: justice")
    edit(policy_copy / "categories.yaml", "{id: dagbesteding,", "{id: financien,")
    edit(policy_copy / "meldcode.yaml", "max_days: 28", 'max_days: "28"')
    return policy_copy


class TestShippedPolicy:
    def test_loads_with_a_sha256_version(self) -> None:
        policy = load_policy(SHIPPED)
        assert policy.version.startswith("sha256:") and len(policy.version) == 7 + 64
        assert policy.categories["gezondheid"].special == "art9"
        assert policy.categories["justitie"].special == "art10"
        assert policy.categories["onderwijs"].special is None
        assert {"huisarts", "school", "jggz", "woningcorporatie", "schuldhulpverlening",
                "wijkteam", "veilig_thuis", "gi", "raad", "gemeente"} <= set(policy.parties)

    def test_every_purpose_has_a_processing_activity(self) -> None:
        policy = load_policy(SHIPPED)
        covered = {p for a in policy.activities.values() for p in a.purposes}
        assert covered == set(policy.purposes)

    def test_version_changes_with_content_not_with_layout(self, policy_copy: Path) -> None:
        original = load_policy(SHIPPED).version
        edit(policy_copy / "purposes.yaml", "purposes:", "# a comment\npurposes:")
        assert load_policy(policy_copy).version == original
        edit(policy_copy / "meldcode.yaml", "max_days: 28", "max_days: 21")
        assert load_policy(policy_copy).version != original

    def test_cli_policy_check_exits_0(self) -> None:
        result = broker_cli("policy", "check", str(SHIPPED))
        assert result.returncode == 0, result.stderr
        assert load_policy(SHIPPED).version in result.stdout


class TestBrokenPolicy:
    def test_all_three_problems_named_with_file_and_key(self, broken_policy: Path) -> None:
        problems = {str(p) for p in check_policy(broken_policy)}
        assert "consent.yaml: rules[3].category: unknown category 'justice'" in problems
        assert "categories.yaml: categories[3].id: duplicate id 'financien'" in problems
        assert any(p.startswith("meldcode.yaml: override.max_days: ") and "integer" in p
                   for p in problems)

    def test_cli_policy_check_exits_2_naming_all_three(self, broken_policy: Path) -> None:
        result = broker_cli("policy", "check", str(broken_policy))
        assert result.returncode == 2
        assert "consent.yaml: rules[3].category" in result.stderr
        assert "categories.yaml: categories[3].id" in result.stderr
        assert "meldcode.yaml: override.max_days" in result.stderr

    def test_serve_refuses_to_start(self, broken_policy: Path, tmp_path: Path) -> None:
        result = broker_cli("serve", "--port", "1", env={
            "BROKER_POLICY_DIR": str(broken_policy),
            "BROKER_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
        assert result.returncode == 2
        assert "consent.yaml: rules[3].category" in result.stderr

    def test_load_raises_policy_error(self, broken_policy: Path) -> None:
        with pytest.raises(PolicyError) as caught:
            load_policy(broken_policy)
        assert len(caught.value.problems) >= 3

    def test_duplicate_yaml_key_is_an_error(self, policy_copy: Path) -> None:
        edit(policy_copy / "meldcode.yaml", "steps: 5", "steps: 5\nsteps: 5")
        assert any("duplicate key 'steps'" in str(p) for p in check_policy(policy_copy))

    def test_missing_file_is_an_error(self, policy_copy: Path) -> None:
        (policy_copy / "retention.yaml").unlink()
        assert "retention.yaml: (file): missing policy file" in {
            str(p) for p in check_policy(policy_copy)}

    def test_unknown_reference_in_processing_register(self, policy_copy: Path) -> None:
        edit(policy_copy / "processing.yaml", "retention: toestemming", "retention: nooit")
        assert ("processing.yaml: activities[3].retention: unknown retention period 'nooit'"
                in {str(p) for p in check_policy(policy_copy)})

    def test_unknown_field_is_an_error(self, policy_copy: Path) -> None:
        edit(policy_copy / "meldcode.yaml", "steps: 5", "steps: 5\nstepz: 5")
        assert any(str(p).startswith("meldcode.yaml: stepz:") for p in check_policy(policy_copy))
