"""Where commands write: one rule for every output option of the CLI.

An output file's missing folders are created; a path that is an existing folder, or that runs
through a file, is refused with one line (exit 2) before any work is done. An output folder is
created when missing and refused when it is a file.
"""

from __future__ import annotations

from pathlib import Path

from fitroom.errors import InputError


def _create_folder(folder: Path, option: str, target: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next(
            (p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), folder
        )
        raise InputError(
            f"{option} {target}: {blocker} is a file, so the folder {folder} cannot be made; "
            "give another path"
        ) from None
    except OSError as exc:
        raise InputError(
            f"{option} {target}: the folder {folder} cannot be made ({exc.strerror or exc})"
        ) from None


def output_file(path: str | Path, option: str) -> Path:
    """The file ``option`` names, its folder created; refused when it is a folder.

    >>> output_file("/", "-o")
    Traceback (most recent call last):
    ...
    fitroom.errors.InputError: -o /: is a folder; give a file path inside it, e.g. /result.png
    """
    target = Path(path)
    if target.is_dir():
        example = target / "result.png"
        raise InputError(
            f"{option} {target}: is a folder; give a file path inside it, e.g. {example}"
        )
    _create_folder(target.parent, option, target)
    return target


def output_folder(path: str | Path, option: str) -> Path:
    """The folder ``option`` names, created when missing; refused when it is a file."""
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise InputError(
            f"{option} {target}: is a file, not a folder; give a folder (it is created when "
            "missing)"
        )
    _create_folder(target, option, target)
    return target


__all__ = ["output_file", "output_folder"]
