"""environment.yml (for conda users, not runnable here) must agree with pyproject.toml."""

import re
from pathlib import Path

import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*$")


def parse(requirement: str):
    requirement = requirement.split(";")[0]  # drop environment markers
    name, spec = REQUIREMENT.match(requirement).groups()
    bounds = frozenset(part.replace(" ", "") for part in spec.split(",") if part.strip())
    return name.lower().replace("_", "-"), bounds


def pyproject_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"]) + list(project["optional-dependencies"]["test"])
    return dict(parse(r) for r in reqs if "python_version" not in r)


def conda_requirements():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    return env, dict(parse(d) for d in conda), pip


def test_same_packages_and_bounds():
    _, conda, _ = conda_requirements()
    python_bound = conda.pop("python")
    expected = pyproject_requirements()
    expected.pop("tomli", None)
    conda.pop("pip", None)
    assert conda == expected
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert python_bound == frozenset({requires})


def test_no_exact_pins():
    for name, bounds in pyproject_requirements().items():
        assert not any(b.startswith("==") for b in bounds), name


def test_environment_installs_the_package_itself():
    env, _, pip = conda_requirements()
    assert env["name"] and "conda-forge" in env["channels"]
    assert "-e ." in pip


def lower_bound_pins():
    """name -> version pinned with == in .ci/lower-bounds.txt (comments skipped)."""
    pins = {}
    for line in (ROOT / ".ci" / "lower-bounds.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"lower-bounds.txt: {line!r} is not of the form name==version"
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


def test_lower_bounds_file_pins_every_dependency_at_its_lower_bound():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"]) + list(project["optional-dependencies"]["test"])
    expected = {}
    for requirement in reqs:
        name, bounds = parse(requirement)
        lower = [b[2:] for b in bounds if b.startswith(">=")]
        assert len(lower) == 1, f"{name} needs exactly one >= lower bound, got {sorted(bounds)}"
        expected[name] = lower[0]
    pins = lower_bound_pins()
    assert sorted(pins) == sorted(expected), "lower-bounds.txt and pyproject.toml list different packages"
    for name, version in expected.items():
        # 1.24 and 1.24.0 are the same bound
        assert _release(pins[name]) == _release(version), \
            f"{name}: pyproject.toml says >={version} but lower-bounds.txt pins {pins[name]}"


def _release(version: str) -> tuple:
    parts = [int(p) for p in version.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))
