"""Mixed precision on any device: ``--amp`` on a CPU.

MMEngine's ``AmpOptimWrapper`` refuses to start without a GPU (it is built
around fp16 loss scaling). bfloat16 has fp32's exponent range, so it needs
no loss scaling; this wrapper only runs the forward under
``torch.autocast`` on the model's device. Losses that sum over many terms
(the InfoNCE against a queue) cast themselves back to float32.
"""
from contextlib import contextmanager
from typing import Union

import torch
from mmengine.optim import OptimWrapper
from torch import nn

from densessl.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class AutocastOptimWrapper(OptimWrapper):
    """``OptimWrapper`` whose ``optim_context`` autocasts to ``dtype``
    (``'bfloat16'`` by default) on the device of the model's parameters."""

    def __init__(self, dtype: Union[str, torch.dtype] = 'bfloat16',
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.cast_dtype = getattr(torch, dtype) if isinstance(dtype, str) \
            else dtype
        if self.cast_dtype not in (torch.bfloat16, torch.float16):
            raise ValueError(f'dtype must be bfloat16 or float16, got {dtype}')

    @contextmanager
    def optim_context(self, model: nn.Module):
        device = next(model.parameters()).device.type
        with super().optim_context(model), torch.autocast(
                device_type=device, dtype=self.cast_dtype):
            yield
