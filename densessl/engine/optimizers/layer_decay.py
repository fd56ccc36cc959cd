"""Layer-wise learning-rate decay for ViT fine-tuning (BEiT / MAE recipe)
on densessl's ``TimmBackbone`` ViTs, whose names mmseg's
``LayerDecayOptimizerConstructor`` does not parse (it accepts only its own
BEiT / MAE / ConvNeXt classes)."""
import re
from typing import List, Optional

from mmengine.optim import DefaultOptimWrapperConstructor
from torch import nn

from densessl.registry import OPTIM_WRAPPER_CONSTRUCTORS

#: parameters without weight decay besides 1-D ones (timm's no_weight_decay)
NO_DECAY = ('pos_embed', 'cls_token', 'reg_token', 'dist_token')
_BLOCK = re.compile(r'(^|\.)blocks\.(\d+)\.')


def vit_layer_id(name: str, num_layers: int) -> int:
    """0 for the embeddings, ``i + 1`` for ``blocks.i``, ``num_layers + 1``
    for everything after (final norm, decode heads)."""
    if re.search(r'(^|\.)(patch_embed|pos_embed|cls_token|reg_token)', name):
        return 0
    block = _BLOCK.search(name)
    if block:
        return int(block.group(2)) + 1
    return num_layers + 1


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class ViTLayerDecayOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """``lr = base_lr * layer_decay_rate ** (num_layers + 1 - layer_id)``
    per parameter (ids by :func:`vit_layer_id`; ``num_layers`` is the
    number of ViT blocks, read from the model); no weight decay on 1-D
    parameters and on position embeddings / class and register tokens.

    ``paramwise_cfg=dict(layer_decay_rate=0.65)`` (MAE ViT-B fine-tuning).
    """

    def add_params(self, params: List[dict], module: nn.Module,
                   prefix: str = '', is_dcn_module: Optional[int] = None
                   ) -> None:
        rate = self.paramwise_cfg.get('layer_decay_rate', 1.0)
        names = [n for n, _ in module.named_parameters()]
        blocks = {int(m.group(2)) for n in names
                  for m in [_BLOCK.search(n)] if m}
        if not blocks:
            raise ValueError('ViTLayerDecayOptimWrapperConstructor found no '
                             '"blocks.N." parameters: the model has no ViT')
        num_layers = max(blocks) + 1
        for name, param in module.named_parameters():
            if not param.requires_grad:
                continue
            layer = vit_layer_id(name, num_layers)
            no_decay = param.ndim == 1 or any(
                re.search(rf'(^|\.){key}$', name) for key in NO_DECAY)
            params.append(dict(
                params=[param],
                lr=self.base_lr * rate ** (num_layers + 1 - layer),
                weight_decay=0.0 if no_decay else self.base_wd,
                param_name=name, layer_id=layer))
