"""Upstream Skyflo's sources at the tag skyflo installs, and what running them needs: the engine's
and MCP's virtualenvs (uv, from their lock files) and the UI's standalone Next.js build, all
cached outside the repository under ~/.cache/skyflo-product/<commit>/.

Sources come from SKYFLO_UPSTREAM_SRC (a folder or the .tar.gz), else ../shared/upstream beside
the repository, else a shallow clone of the tag; the commit is checked either way.
"""
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

TAG = "v0.7.0"
COMMIT = "12f61a68f70fe184d487f0593408594de75e9eaa"
ARCHIVE_SHA256 = "9a55bb2124f108a5e35287ee89a25b2f6721d6873b072939957d3f37a55b5419"
REPO_URL = "https://github.com/skyflo-ai/skyflo"
ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("SKYFLO_PRODUCT_CACHE", Path.home() / ".cache/skyflo-product")) / COMMIT


def log(msg):
    print(f"[upstream] {msg}", file=sys.stderr, flush=True)


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _from_archive(archive, dest):
    got = _sha256(archive)
    if got != ARCHIVE_SHA256:
        raise RuntimeError(f"{archive}: SHA-256 {got}, expected {ARCHIVE_SHA256} (git archive of {TAG} at {COMMIT})")
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    with tarfile.open(archive) as t:
        t.extractall(tmp, filter="data")
    (tmp / f"skyflo-{TAG}").rename(dest)
    tmp.rmdir()


def _from_git(src, dest):
    head = subprocess.run(["git", "-C", str(src), "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode != 0 or head.stdout.strip() != COMMIT:
        raise RuntimeError(f"{src}: commit {head.stdout.strip() or '?'}, expected {COMMIT} ({TAG})")
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".git", "node_modules", ".venv", ".next"))


def sources():
    """The unpacked tree (engine/, mcp/, ui/, deployment/), its commit checked."""
    dest = CACHE / "src"
    if (dest / "engine").is_dir():
        return dest
    CACHE.mkdir(parents=True, exist_ok=True)
    given = os.environ.get("SKYFLO_UPSTREAM_SRC")
    shared = ROOT.parent / "shared/upstream" / f"skyflo-{TAG}.tar.gz"
    if given:
        p = Path(given)
        if p.is_file():
            _from_archive(p, dest)
        elif (p / ".git").exists():
            _from_git(p, dest)
        else:
            raise RuntimeError(f"SKYFLO_UPSTREAM_SRC={given}: neither the tag's archive nor a git clone")
    elif shared.is_file():
        _from_archive(shared, dest)
    else:
        clone = CACHE / "clone"
        shutil.rmtree(clone, ignore_errors=True)
        log(f"no sources at hand: cloning {REPO_URL} at {TAG}")
        subprocess.run(["git", "clone", "--depth", "1", "--branch", TAG, REPO_URL, str(clone)], check=True)
        _from_git(clone, dest)
    log(f"sources of {TAG} ({COMMIT}) in {dest}")
    return dest


class _Lock:
    """One builder at a time per cache (tests run in parallel processes)."""

    def __init__(self, name):
        CACHE.mkdir(parents=True, exist_ok=True)
        self.f = open(CACHE / f".{name}.lock", "w")

    def __enter__(self):
        fcntl.flock(self.f, fcntl.LOCK_EX)

    def __exit__(self, *a):
        fcntl.flock(self.f, fcntl.LOCK_UN)


UV_VERSION = "0.13.10"


def _uv():
    """uv from PyPI in a venv of the cache (the machine's own, if any, is not used: one version
    everywhere)."""
    venv = CACHE.parent / f"uv-{UV_VERSION}"
    with _Lock("uv"):
        if not (venv / "bin/uv").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(venv / "bin/pip"), "install", "-q", f"uv=={UV_VERSION}"], check=True)
    return str(venv / "bin/uv")


def venv(component):
    """The virtualenv of `engine` or `mcp`, from the tag's uv.lock (no dev dependencies)."""
    src = sources() / component
    env_dir = CACHE / f"{component}-venv"
    with _Lock(component):
        if not (env_dir / ".done").exists():
            log(f"uv sync --frozen --no-dev for {component}")
            env = dict(os.environ, UV_PROJECT_ENVIRONMENT=str(env_dir))
            subprocess.run([_uv(), "sync", "--frozen", "--no-dev", "--python", sys.executable],
                           cwd=src, env=env, check=True, stdout=subprocess.DEVNULL)
            (env_dir / ".done").touch()
    return env_dir


# next/font/google downloads Inter's CSS and files at build time; offline, Next reads this map
# (NEXT_FONT_GOOGLE_MOCKED_RESPONSES) instead: every CSS URL answers with one local face.
_FONT_MOCK = """const path = require('path');
const face = path.join(__dirname, 'font.ttf');
const css = `@font-face { font-family: 'Inter'; font-style: normal; font-weight: 400; font-display: swap; src: url(${face}) format('truetype'); }`;
module.exports = new Proxy({}, { get: (_t, key) => (typeof key === 'string' && key.startsWith('https://fonts.googleapis.com/') ? css : undefined), has: () => true });
"""


def _yarn(args, cwd, env=None):
    subprocess.run(["npx", "--yes", "yarn@1.22.22", *args], cwd=cwd, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def ui_build():
    """The UI's standalone server folder (server.js, .next/static, public), built as the tag's
    ui/Dockerfile builds it (NEXT_PUBLIC_API_URL=/api/v1 baked in)."""
    out = CACHE / "ui-standalone"
    with _Lock("ui"):
        if (out / ".done").exists():
            return out
        work = CACHE / "ui-work"
        if not (work / "node_modules/.yarn-integrity").exists():
            shutil.rmtree(work, ignore_errors=True)
            shutil.copytree(sources() / "ui", work)
            log("yarn install --frozen-lockfile for the UI")
            _yarn(["install", "--frozen-lockfile", "--network-timeout", "600000"], work)
        mock = CACHE / "font-mock"
        mock.mkdir(exist_ok=True)
        (mock / "mock.js").write_text(_FONT_MOCK)
        shutil.copy(_font_file(), mock / "font.ttf")
        env = dict(os.environ, NEXT_TELEMETRY_DISABLED="1", NEXT_PUBLIC_APP_VERSION=TAG,
                   NEXT_PUBLIC_APP_NAME="Skyflo", NEXT_PUBLIC_API_URL="/api/v1",
                   NEXT_PUBLIC_ENABLE_ANALYTICS="false", NEXT_PUBLIC_ENABLE_FEEDBACK="false",
                   NEXT_FONT_GOOGLE_MOCKED_RESPONSES=str(mock / "mock.js"))
        log("yarn build for the UI (standalone)")
        _yarn(["build"], work, env)
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(work / ".next/standalone", out, symlinks=True)
        shutil.copytree(work / ".next/static", out / ".next/static")
        shutil.copytree(work / "public", out / "public")
        (out / ".done").touch()
    return out


def _font_file():
    """A real sans face from Debian's fonts (Chromium brings fonts-liberation), standing in for
    Inter, which cannot be downloaded here."""
    fonts = sorted(Path("/usr/share/fonts").rglob("*.ttf"))
    for p in fonts:
        if p.name == "LiberationSans-Regular.ttf":
            return p
    if fonts:
        return fonts[0]
    raise RuntimeError("no .ttf font in /usr/share/fonts for the UI build's font mock "
                       "(tests/run.sh installs Debian's chromium, which brings fonts-liberation)")
