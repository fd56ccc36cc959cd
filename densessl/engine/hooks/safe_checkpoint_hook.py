import glob
import os
import os.path as osp
import re
import warnings
from typing import Any, Optional

import numpy as np
import torch
from mmengine.hooks import CheckpointHook
from mmengine.logging import HistoryBuffer

from densessl.registry import HOOKS
from densessl.utils.io import atomic_write_bytes
from ..checkpoint import ATOMIC_BACKEND

_MARK = '__history_buffer__'


def to_weights_only(value: Any) -> Any:
    """Replace what ``torch.load(weights_only=True)`` refuses in MMEngine's
    message hub: ``HistoryBuffer`` objects (they pickle bound methods) and
    numpy arrays / scalars."""
    if isinstance(value, HistoryBuffer):
        logs, counts = value.data
        return {_MARK: True, 'log_history': torch.from_numpy(
            np.asarray(logs, dtype=np.float64)),
            'count_history': torch.from_numpy(
                np.asarray(counts, dtype=np.float64)),
            'max_length': int(value.max_length)}
    if isinstance(value, np.ndarray):
        return torch.from_numpy(value.copy())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return type(value)((k, to_weights_only(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return type(value)(to_weights_only(v) for v in value)
    return value


def from_weights_only(value: Any) -> Any:
    """Undo :func:`to_weights_only` for the history buffers."""
    if isinstance(value, dict):
        if value.get(_MARK):
            return HistoryBuffer(value['log_history'].tolist(),
                                 value['count_history'].tolist(),
                                 value['max_length'])
        return type(value)((k, from_weights_only(v))
                           for k, v in value.items())
    return value


@HOOKS.register_module()
class SafeCheckpointHook(CheckpointHook):
    """MMEngine's ``CheckpointHook`` (same arguments) whose checkpoints load
    with ``weights_only=True`` and are written atomically.

    torch >= 2.6 loads with ``weights_only=True`` by default and MMEngine
    0.10.7 calls ``torch.load`` without the argument, so its own full
    checkpoints cannot be resumed. Only the message hub holds objects that
    the safe loader refuses; this hook stores it as plain tensors/containers
    on save and rebuilds it on load, so resuming needs no unsafe unpickling.
    Files go through the ``atomic_local`` backend unless ``backend_args``
    says otherwise. Before a run, a ``last_checkpoint`` that is empty or
    names a missing file (an interrupted save) is pointed at the newest
    checkpoint left in the work dir, with a warning.
    """

    def __init__(self, *args, backend_args: Optional[dict] = None,
                 file_client_args: Optional[dict] = None, **kwargs):
        if backend_args is None and file_client_args is None:
            backend_args = dict(backend=ATOMIC_BACKEND)
        super().__init__(*args, backend_args=backend_args,
                         file_client_args=file_client_args, **kwargs)

    def before_run(self, runner) -> None:
        super().before_run(runner)
        repair_last_checkpoint(runner.work_dir, runner.logger)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        for key in ('message_hub', 'meta'):
            if key in checkpoint:
                checkpoint[key] = to_weights_only(checkpoint[key])

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if 'message_hub' in checkpoint:
            checkpoint['message_hub'] = from_weights_only(
                checkpoint['message_hub'])


def _step(path: str) -> int:
    match = re.search(r'_(\d+)\.pth$', path)
    return int(match.group(1)) if match else -1


def repair_last_checkpoint(work_dir: str, logger=None) -> Optional[str]:
    """If ``work_dir/last_checkpoint`` exists but is empty or names a file
    that is gone, point it at the newest ``*_N.pth`` in ``work_dir`` (or
    remove it when there is none). Returns the path it now names."""
    marker = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(marker):
        return None
    with open(marker) as f:
        named = f.read().strip()
    if named and osp.isfile(named):
        return named
    found = sorted(glob.glob(osp.join(work_dir, '*_*.pth')), key=_step)
    found = [p for p in found if _step(p) >= 0]
    message = (f'{marker} is empty' if not named else
               f'{marker} names {named}, which does not exist')
    if found:
        atomic_write_bytes(found[-1].encode(), marker)
        message += f'; it now names {found[-1]}, the newest checkpoint there'
    else:
        os.remove(marker)
        message += '; no checkpoint is left there, so it was removed'
    if logger is not None:
        logger.warning(message)
    else:
        warnings.warn(message)
    return found[-1] if found else None
