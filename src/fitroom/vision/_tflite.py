"""A thin holder for one TFLite model run with ai-edge-litert on the CPU."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from ai_edge_litert.interpreter import Interpreter

from fitroom._closing import Closeable
from fitroom.assets import model_path


@contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """Silence the native runtime's start-up chatter ("Created TensorFlow Lite XNNPACK delegate").

    The message is written by C++ straight to file descriptor 2, so Python's sys.stderr cannot
    catch it; the descriptor is pointed at /dev/null only while the interpreter is created.
    """
    try:
        saved = os.dup(2)
    except OSError:  # no usable stderr (e.g. a daemon): nothing to silence
        yield
        return
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
            try:
                yield
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)


class TFLiteModel(Closeable):
    """Loads a shipped model once and runs it; a context manager that frees it on ``close()``.

    ``run`` returns the outputs in the model's output order, as copies (the interpreter reuses its
    buffers on the next call).

    Args:
        name: the shipped model's name (:func:`fitroom.assets.model_path`).
        num_threads: CPU threads of a run.
        path: a model file to load instead of the shipped one.
        burst_threads: also keep an interpreter with this many threads, used by
            ``run(..., burst=True)`` when the caller knows other cores are idle (a live stream
            between frames); None: no second interpreter.
    """

    def __init__(
        self,
        name: str,
        *,
        num_threads: int = 2,
        path: Path | None = None,
        burst_threads: int | None = None,
    ) -> None:
        self.name = name
        resolved = str(path if path is not None else model_path(name))
        self._interpreter: Any = self._load(resolved, num_threads)
        # Thread count is fixed when an interpreter is made: a second one is the only way to
        # run the same model on more cores at times (its packed weights cost a few MB).
        self._burst: Any = None
        if burst_threads is not None and burst_threads != num_threads:
            self._burst = self._load(resolved, burst_threads)
        self._inputs = self._interpreter.get_input_details()
        self._outputs = self._interpreter.get_output_details()

    @staticmethod
    def _load(path: str, num_threads: int) -> Any:
        with _quiet_native_stderr():
            interpreter = Interpreter(model_path=path, num_threads=num_threads)
            interpreter.allocate_tensors()
        return interpreter

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Shape of the first input tensor, e.g. (1, 256, 256, 3)."""
        return tuple(int(v) for v in self._inputs[0]["shape"])

    @property
    def output_shapes(self) -> list[tuple[int, ...]]:
        """Shapes of the output tensors, in output order."""
        return [tuple(int(v) for v in d["shape"]) for d in self._outputs]

    def run(
        self, *inputs: npt.NDArray[np.float32], burst: bool = False
    ) -> list[npt.NDArray[np.float32]]:
        """Run the model on float32 inputs shaped like ``input_shape``.

        With ``burst`` (and ``burst_threads`` given), on the interpreter with more threads.
        """
        interpreter = self._burst if burst and self._burst is not None else self._interpreter
        if interpreter is None:
            raise RuntimeError(f"model {self.name} was closed")
        for detail, value in zip(self._inputs, inputs, strict=True):
            interpreter.set_tensor(detail["index"], value)
        interpreter.invoke()
        return [interpreter.get_tensor(d["index"]) for d in self._outputs]

    def close(self) -> None:
        """Release the interpreters."""
        self._interpreter = None
        self._burst = None
