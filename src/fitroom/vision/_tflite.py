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
    """

    def __init__(self, name: str, *, num_threads: int = 2, path: Path | None = None) -> None:
        self.name = name
        resolved = str(path if path is not None else model_path(name))
        with _quiet_native_stderr():
            self._interpreter: Any = Interpreter(model_path=resolved, num_threads=num_threads)
            self._interpreter.allocate_tensors()
        self._inputs = self._interpreter.get_input_details()
        self._outputs = self._interpreter.get_output_details()

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Shape of the first input tensor, e.g. (1, 256, 256, 3)."""
        return tuple(int(v) for v in self._inputs[0]["shape"])

    @property
    def output_shapes(self) -> list[tuple[int, ...]]:
        """Shapes of the output tensors, in output order."""
        return [tuple(int(v) for v in d["shape"]) for d in self._outputs]

    def run(self, *inputs: npt.NDArray[np.float32]) -> list[npt.NDArray[np.float32]]:
        """Run the model on float32 inputs shaped like ``input_shape``."""
        if self._interpreter is None:
            raise RuntimeError(f"model {self.name} was closed")
        for detail, value in zip(self._inputs, inputs, strict=True):
            self._interpreter.set_tensor(detail["index"], value)
        self._interpreter.invoke()
        return [self._interpreter.get_tensor(d["index"]) for d in self._outputs]

    def close(self) -> None:
        """Release the interpreter."""
        self._interpreter = None
