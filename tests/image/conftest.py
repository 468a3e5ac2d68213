"""The image the Dockerfile builds, run as Cloudron runs it.

`image.sh` builds the Dockerfile, unchanged, on a Debian stand-in for
cloudron/base (docs/image.md); buildah's layer cache makes every build after
the first take seconds. Each scenario starts the image's CMD in the bwrap
sandbox of tests/e2e/sandbox.py, on the image's own root file system.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

from support.inputs import RUNTIME_ENV
from support.processes import REPO
from support.sandbox import ImageRoot, Sandbox, cloudron_runtime, image_files

IMAGE_SH = REPO / "tests" / "image" / "image.sh"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Everything here starts the built image: `-m "not image"` (or "not
    # processes", the quick loop) leaves it out.
    for item in items:
        if Path(item.path).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.image)
            item.add_marker(pytest.mark.processes)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The figures the scenarios measured (record_property), one line each."""
    for report in terminalreporter.getreports("passed") + terminalreporter.getreports("failed"):
        for name, value in report.user_properties:
            terminalreporter.write_line(f"{report.nodeid.split('::')[-1]}: {name}: {value}")


def buildah(*args: str) -> str:
    """buildah on the project's image store (the one image.sh builds into)."""
    return subprocess.run(
        [str(IMAGE_SH), "buildah", *args], check=True, capture_output=True, text=True, timeout=300
    ).stdout.strip()


def build(context: Path, tag: str) -> None:
    # Cold, the first build fetches Debian and PyPI packages: minutes, not seconds.
    done = subprocess.run(
        [str(IMAGE_SH), "build", str(context), tag], check=False, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, f"the Dockerfile does not build:\n{done.stdout}{done.stderr}"


@contextmanager
def built(context: Path, tag: str) -> Iterator[ImageRoot]:
    """Build `context` as `tag`; yield the root of a container made from it."""
    build(context, tag)
    container = buildah("from", "--pull-never", tag)
    try:
        config = json.loads(buildah("inspect", "--type", "image", tag))["OCIv1"]["config"]
        yield ImageRoot(Path(buildah("mount", container)), config["Cmd"], config["WorkingDir"])
    finally:
        buildah("rm", container)
        buildah("rmi", tag)  # the tag only: the layers stay as the next build's cache


def build_context(folder: Path) -> Path:
    """A copy of what the image is built from, to change before building."""
    folder.mkdir()
    for source in [REPO / "Dockerfile", REPO / "CloudronManifest.json", *(source for source, _ in image_files())]:
        copy = shutil.copytree if source.is_dir() else shutil.copy2
        copy(source, folder / source.name)
    return folder


@pytest.fixture(scope="session")
def image() -> Iterator[ImageRoot]:
    """The repository's Dockerfile, built once per test session."""
    with built(REPO, f"localhost/mail-autoconfig:test-{os.getpid()}") as root:
        yield root


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """The localstorage addon's /app/data: empty at install."""
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


Start = Callable[..., AbstractContextManager[Sandbox]]


@pytest.fixture
def start(image: ImageRoot, data_dir: Path, tmp_path: Path) -> Start:
    """start(env=..., certs_dir=..., data=..., image=...): one container start,
    on this test's /app/data unless told otherwise."""

    def run(
        env: dict[str, str] | None = None,
        certs_dir: Path | None = None,
        data: Path = data_dir,
        image: ImageRoot = image,
    ) -> AbstractContextManager[Sandbox]:
        return cloudron_runtime(
            data, tmp_path, env=RUNTIME_ENV if env is None else env, certs_dir=certs_dir, image=image
        )

    return run
