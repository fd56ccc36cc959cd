"""Loading MMEngine training checkpoints under torch >= 2.6.

torch >= 2.6 loads with ``weights_only=True`` by default and MMEngine 0.10.7
calls ``torch.load`` without the argument, so a full training checkpoint
(message hub, optimizer state, metadata) fails to load with
``UnpicklingError``. densessl's policy:

* exported backbones (``tools/extract_backbone.py``) are tensors-only and
  load anywhere with ``weights_only=True``;
* to resume, the few non-tensor types that MMEngine writes into its own
  checkpoints are added to torch's explicit allow-list
  (``torch.serialization.add_safe_globals``). Loading stays restricted: any
  other pickled object is still refused. ``tools/train.py`` does this.
"""
from typing import List

import torch


def _mmengine_checkpoint_globals() -> List:
    import numpy as np
    from mmengine.logging.history_buffer import HistoryBuffer

    allowed = [HistoryBuffer, np.ndarray, np.dtype,
               np.core.multiarray._reconstruct, np.core.multiarray.scalar]
    # numpy >= 1.25 pickles dtypes as instances of per-type classes
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        allowed += [getattr(dtypes, name) for name in dir(dtypes)
                    if name.endswith('DType')]
    return allowed


def allow_mmengine_checkpoints() -> None:
    """Let ``torch.load(weights_only=True)`` read MMEngine checkpoints.

    Idempotent. A no-op on torch versions without safe globals.
    """
    add = getattr(torch.serialization, 'add_safe_globals', None)
    if add is not None:
        add(_mmengine_checkpoint_globals())
