"""Atomic local writes for MMEngine's checkpoints, chosen by a config.

torch >= 2.6 loads with ``weights_only=True`` by default and MMEngine 0.10.7
calls ``torch.load`` without the argument, so a full training checkpoint
fails to load with ``UnpicklingError``. densessl's policy, written in
``configs/_base_/default_runtime.py`` (``default_hooks.checkpoint``):

* training checkpoints are weights-only loadable: the only objects in them
  that the safe loader refuses (the message hub's history buffers and numpy
  values) are stored as tensors and plain containers by
  :class:`~densessl.engine.hooks.SafeCheckpointHook` and rebuilt on load;
* checkpoints are written atomically (temp file + rename) through the file
  backend registered here as ``atomic_local``, which that hook asks for, so
  an interruption while saving never leaves a truncated checkpoint.

Configs of other libraries (mmseg / mmdet transfer) get the same hook from
:func:`use_safe_checkpoints`.
"""
from mmengine.fileio import register_backend
from mmengine.fileio.backends import LocalBackend

from densessl.utils.io import atomic_write_bytes

#: the file backend ``SafeCheckpointHook`` writes through
ATOMIC_BACKEND = 'atomic_local'


class AtomicLocalBackend(LocalBackend):
    """MMEngine's local backend with atomic ``put`` / ``put_text``: an
    interrupted checkpoint save leaves the previous files intact."""

    def put(self, obj: bytes, filepath) -> None:
        atomic_write_bytes(obj, str(filepath))

    def put_text(self, obj: str, filepath, encoding: str = 'utf-8') -> None:
        atomic_write_bytes(obj.encode(encoding), str(filepath))


# under a name of its own: only runs whose config asks for it use it
register_backend(ATOMIC_BACKEND, AtomicLocalBackend, force=True)

def is_plain_checkpoint_hook(hook) -> bool:
    """Whether a hook config is MMEngine's own ``CheckpointHook`` (any
    scope prefix), whose checkpoints neither load weights-only nor are
    written atomically."""
    kind = hook.get('type', '') if isinstance(hook, dict) else ''
    return str(kind).split('.')[-1] == 'CheckpointHook'


def use_safe_checkpoints(cfg) -> bool:
    """Make the checkpoint default hook of a config written for another
    library (mmseg, mmdet) densessl's :class:`SafeCheckpointHook`, keeping
    its arguments; any other checkpoint hook is left alone. Returns whether
    the config changed."""
    checkpoint = (cfg.get('default_hooks') or {}).get('checkpoint')
    if not is_plain_checkpoint_hook(checkpoint):
        return False
    checkpoint['type'] = 'densessl.SafeCheckpointHook'
    return True
