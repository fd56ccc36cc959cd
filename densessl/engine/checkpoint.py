"""Loading MMEngine training checkpoints under torch >= 2.6.

torch >= 2.6 loads with ``weights_only=True`` by default and MMEngine 0.10.7
calls ``torch.load`` without the argument, so a full training checkpoint
(message hub, optimizer state, metadata) fails to load with
``UnpicklingError``. densessl's policy:

* exported backbones (``tools/extract_backbone.py``) are tensors-only and
  load anywhere with ``weights_only=True``;
* training checkpoints are made weights-only loadable too: the only
  objects in them that the safe loader refuses (the message hub's history
  buffers and numpy values) are stored as tensors and plain containers by
  :class:`~densessl.engine.hooks.SafeCheckpointHook` and rebuilt on load, so
  resuming never needs ``weights_only=False`` or an allow-list;
* checkpoints are written atomically (temp file + rename), so an
  interruption while saving never leaves a truncated checkpoint.

``tools/train.py`` applies the policy through :func:`setup_checkpointing`.
"""


def _atomic_local_backend():
    from mmengine.fileio.backends import LocalBackend

    from densessl.utils.io import atomic_write_bytes

    class AtomicLocalBackend(LocalBackend):
        """MMEngine's local backend with atomic ``put`` / ``put_text``: an
        interrupted checkpoint save leaves the previous files intact."""

        def put(self, obj: bytes, filepath) -> None:
            atomic_write_bytes(obj, str(filepath))

        def put_text(self, obj: str, filepath, encoding: str = 'utf-8'
                     ) -> None:
            atomic_write_bytes(obj.encode(encoding), str(filepath))

    return AtomicLocalBackend


def use_atomic_local_writes() -> None:
    """Make MMEngine write local files (checkpoints, ``last_checkpoint``)
    atomically. Idempotent."""
    from mmengine.fileio import register_backend
    register_backend('local', _atomic_local_backend(), force=True,
                     prefixes='')


def setup_checkpointing(cfg) -> None:
    """Apply densessl's checkpoint policy (see the module docstring) to a
    runner config: atomic local writes and a :class:`SafeCheckpointHook`."""
    use_atomic_local_writes()
    hooks = cfg.get('custom_hooks') or []
    if not any(h.get('type') in ('SafeCheckpointHook',
                                 'densessl.SafeCheckpointHook')
               for h in hooks):
        hooks.append(dict(type='densessl.SafeCheckpointHook'))
    cfg.custom_hooks = hooks
