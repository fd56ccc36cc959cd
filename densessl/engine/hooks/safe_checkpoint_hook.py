from typing import Any

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.logging import HistoryBuffer

from densessl.registry import HOOKS

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
class SafeCheckpointHook(Hook):
    """Make training checkpoints loadable with ``weights_only=True``.

    torch >= 2.6 loads with ``weights_only=True`` by default and MMEngine
    0.10.7 calls ``torch.load`` without the argument, so its own full
    checkpoints cannot be resumed. Only the message hub holds objects that
    the safe loader refuses; this hook stores it as plain tensors/containers
    on save and rebuilds it on load, so resuming needs no unsafe unpickling.
    ``tools/train.py`` adds this hook to every run.
    """

    priority = 'VERY_LOW'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        for key in ('message_hub', 'meta'):
            if key in checkpoint:
                checkpoint[key] = to_weights_only(checkpoint[key])

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if 'message_hub' in checkpoint:
            checkpoint['message_hub'] = from_weights_only(
                checkpoint['message_hub'])
