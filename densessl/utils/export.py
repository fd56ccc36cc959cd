"""Tensors-only backbone exports (load with ``torch.load(weights_only=True)``).

Layouts:

* ``mm``: keys ``backbone.timm_model.*`` — for densessl / mmseg / mmdet
  ``init_cfg=dict(type='Pretrained', checkpoint=..., prefix='backbone.')``;
* ``timm``: keys of the plain timm model (``conv1.weight``, ...), for
  ``timm.create_model(name).load_state_dict(sd, strict=False)`` (the
  classifier is not pretrained, hence ``strict=False``).
"""
import os
from collections import OrderedDict
from typing import Dict, Mapping, Optional

import torch

LAYOUTS = ('mm', 'timm')


def backbone_state_dict(model_state: Mapping[str, torch.Tensor],
                        prefix: str = 'backbone.'
                        ) -> 'OrderedDict[str, torch.Tensor]':
    """The online backbone's tensors of a full model state dict, with
    ``prefix`` removed."""
    out = OrderedDict((k[len(prefix):], v) for k, v in model_state.items()
                      if k.startswith(prefix))
    if not out:
        raise KeyError(f'No "{prefix}*" keys in the checkpoint; is it a '
                       'densessl training checkpoint?')
    return out


def to_layout(backbone: Mapping[str, torch.Tensor],
              layout: str) -> 'OrderedDict[str, torch.Tensor]':
    if layout == 'mm':
        return OrderedDict(('backbone.' + k, v) for k, v in backbone.items())
    if layout == 'timm':
        inner = 'timm_model.'
        return OrderedDict((k[len(inner):], v) for k, v in backbone.items()
                           if k.startswith(inner))
    raise ValueError(f'Unknown layout "{layout}"; choose from {LAYOUTS}')


def save_tensors_only(state_dict: Mapping[str, torch.Tensor], path: str,
                      meta: Optional[Dict[str, str]] = None) -> None:
    """Write ``{'state_dict': tensors, 'meta': {str: str}}`` atomically."""
    import io

    from densessl.engine.checkpoint import atomic_write_bytes
    clean = OrderedDict((k, v.detach().cpu().contiguous())
                        for k, v in state_dict.items())
    meta = {str(k): str(v) for k, v in (meta or {}).items()}
    buffer = io.BytesIO()
    torch.save({'state_dict': clean, 'meta': meta}, buffer)
    atomic_write_bytes(buffer.getvalue(), os.fspath(path))
