"""Tensors-only backbone exports (load with ``torch.load(weights_only=True)``).

Layouts:

* ``mm``: keys ``backbone.timm_model.*`` — for densessl / mmseg / mmdet
  ``init_cfg=dict(type='Pretrained', checkpoint=..., prefix='backbone.')``;
* ``timm``: keys of the plain timm model (``conv1.weight``, ...), for
  ``timm.create_model(name).load_state_dict(sd, strict=False)`` (the
  classifier is not pretrained, hence ``strict=False``).
* ``torchvision``: ResNet backbones only; keys of ``torchvision.models.resnet*``
  (timm's ResNet uses the same names), for
  ``torchvision.models.resnet50().load_state_dict(sd, strict=False)``;
* ``mm-resnet``: ``backbone.`` + the torchvision keys, for mmseg / mmdet
  configs that use their own ``ResNet`` (``type='ResNet'``, the stem of the
  paper protocols) with ``init_cfg=dict(type='Pretrained', checkpoint=...,
  prefix='backbone.')``.
"""
import os
from collections import OrderedDict
from typing import Dict, Mapping, Optional

import torch

LAYOUTS = ('mm', 'timm', 'torchvision', 'mm-resnet')


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
    inner = 'timm_model.'
    plain = OrderedDict((k[len(inner):], v) for k, v in backbone.items()
                        if k.startswith(inner))
    if layout == 'timm':
        return plain
    if layout in ('torchvision', 'mm-resnet'):
        _check_resnet_names(plain)
        if layout == 'torchvision':
            return plain
        return OrderedDict(('backbone.' + k, v) for k, v in plain.items())
    raise ValueError(f'Unknown layout "{layout}"; choose from {LAYOUTS}')


def _check_resnet_names(plain: Mapping[str, torch.Tensor]) -> None:
    """timm ResNets (``resnet18/34/50/101/152``) share torchvision's names; a
    deep-stem or non-ResNet model does not, and would load nothing."""
    is_resnet = ('conv1.weight' in plain and 'bn1.weight' in plain
                 and any(k.startswith('layer1.0.') for k in plain))
    if not is_resnet:
        sample = list(plain)[:4]
        raise ValueError(
            'The torchvision / mm-resnet layouts need a plain ResNet backbone '
            f'(conv1, bn1, layer1..4); this one has keys like {sample}. Use '
            "--layout mm or --layout timm instead.")


def _require_nonempty_file(path: str) -> None:
    if not os.path.isfile(path):
        raise FileNotFoundError(f'Checkpoint "{path}" not found.')
    if os.path.getsize(path) == 0:
        raise ValueError(f'"{path}" is empty (0 bytes): not a checkpoint')


def check_checkpoint_file(path: str) -> None:
    """Cheap checks of a checkpoint to resume from, before anything else
    runs: it exists, is not empty, and is a complete torch zip archive
    (a truncated copy has no zip directory). Raises ``ValueError`` /
    ``FileNotFoundError`` naming the file and what is wrong."""
    import zipfile
    _require_nonempty_file(path)
    with open(path, 'rb') as f:
        head = f.read(2)
    if head == b'PK' and zipfile.is_zipfile(path):
        return
    if head == b'PK':
        raise ValueError(f'"{path}" is truncated or damaged (its zip '
                         'directory is missing: an interrupted copy?); use '
                         'an intact checkpoint')
    if head[:1] == b'\x80':
        return  # torch's legacy (non-zip) format: torch.load will judge it
    raise ValueError(f'"{path}" is not a torch checkpoint (is it a text or '
                     'other file?)')


def load_checkpoint_file(path: str, trust: bool = False) -> dict:
    """Load a densessl checkpoint (training or exported) on the CPU.

    densessl writes checkpoints that load with ``weights_only=True``; anything
    else (e.g. a plain MMEngine checkpoint) needs ``trust=True``, and the error
    says so instead of torch's unpickling trace.
    """
    import pickle
    _require_nonempty_file(path)
    with open(path, 'rb') as f:
        if f.read(6) == b'\x93NUMPY':
            return load_numpy_checkpoint(path, trust)
    try:
        ckpt = torch.load(path, map_location='cpu', weights_only=not trust)
    except pickle.UnpicklingError as err:
        if 'invalid load key' in str(err) or 'STACK_GLOBAL' in str(err):
            raise ValueError(f'"{path}" is not a torch checkpoint (is it a '
                             'text or other file?)') from None
        raise ValueError(
            f'"{path}" holds Python objects that are not loaded safely: it was '
            'not written by densessl (or by an older version). If you trust '
            'its source, pass --trust-checkpoint.\n'
            f'({str(err).splitlines()[0]})') from None
    except KeyError:  # the legacy loader reading a non-pickle file
        raise ValueError(f'"{path}" is not a torch checkpoint (is it a '
                         'text or other file?)') from None
    except (RuntimeError, EOFError) as err:  # a truncated zip / pickle
        raise ValueError(f'"{path}" cannot be read as a torch checkpoint: '
                         'it is truncated or damaged (an interrupted copy?): '
                         f'{str(err).split(". ")[0]}') from None
    if not isinstance(ckpt, dict):
        raise ValueError(f'"{path}" holds a {type(ckpt).__name__}, not a '
                         'checkpoint dict')
    return ckpt


def _flatten(obj, prefix: str, out: dict) -> dict:
    import numpy as np
    if isinstance(obj, Mapping):
        for key, value in obj.items():
            _flatten(value, f'{prefix}{key}/', out)
    elif isinstance(obj, (np.ndarray, np.generic)) and \
            obj.dtype.kind in 'fiub':
        out[prefix[:-1]] = torch.from_numpy(np.array(obj))
    return out


def load_numpy_checkpoint(path: str, trust: bool = False) -> dict:
    """A ``.npy`` checkpoint (the JAX releases of DetCon / BYOL: a pickled
    dict of nested parameter dicts) as one flat dict of tensors, nested
    names joined with ``/``. Unpickling runs code, so it needs
    ``trust``."""
    import numpy as np
    try:
        content = np.load(path, allow_pickle=trust)
    except ValueError as err:
        if 'allow_pickle' in str(err):
            raise ValueError(
                f'"{path}" is a pickled numpy file (the JAX releases are): '
                'loading it runs code from the file. If you trust its '
                'source, pass --trust-checkpoint.') from None
        raise ValueError(f'"{path}" cannot be read as a numpy file: '
                         f'{err}') from None
    except (OSError, EOFError) as err:
        raise ValueError(f'"{path}" cannot be read as a numpy file (is it '
                         f'truncated?): {err}') from None
    if content.dtype == object and content.shape == ():
        content = content.item()
    if not isinstance(content, Mapping):
        raise ValueError(f'"{path}" holds a {type(content).__name__}, not a '
                         'dict of parameters')
    state = _flatten(content, '', OrderedDict())
    if not state:
        raise ValueError(f'"{path}" holds no numeric arrays')
    return state


def save_tensors_only(state_dict: Mapping[str, torch.Tensor], path: str,
                      meta: Optional[Dict[str, str]] = None) -> None:
    """Write ``{'state_dict': tensors, 'meta': {str: str}}`` atomically."""
    import io

    from densessl.utils.io import atomic_write_bytes
    clean = OrderedDict((k, v.detach().cpu().contiguous())
                        for k, v in state_dict.items())
    meta = {str(k): str(v) for k, v in (meta or {}).items()}
    buffer = io.BytesIO()
    torch.save({'state_dict': clean, 'meta': meta}, buffer)
    if os.path.isdir(path):
        raise IsADirectoryError(f'"{path}" is a folder; give a file name '
                                'for the output, e.g. backbone.pth')
    atomic_write_bytes(buffer.getvalue(), os.fspath(path))
