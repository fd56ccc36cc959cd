"""Build a densessl model from a config and load pretrained weights into it."""
import copy
from typing import List, Optional, Sequence, Union

import torch

# feature extraction lives low in the package; re-exported for models' users
from densessl.evaluation.features import (dense_features,  # noqa: F401
                                          recalibrate_bn)


def init_model(config, checkpoint: Optional[str] = None,
               device: Union[str, torch.device] = 'cpu',
               trust_checkpoint: bool = False) -> torch.nn.Module:
    """The config's ``model``, initialised, with ``checkpoint`` loaded if given
    (random init otherwise), on ``device`` in eval mode. A timm backbone is
    built with ``any_input_size``: a ViT trained on 128 px crops is then
    evaluated on images of any size (same weights).

    ``config`` is a path or an ``mmengine.Config``.
    """
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    from densessl.registry import MODELS
    from densessl.setup_env import register_all_modules
    from densessl.utils.config_check import check_model_config
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    model_cfg = copy.deepcopy(cfg.model)
    if str(model_cfg.get('backbone', {}).get('type', '')).endswith(
            'TimmBackbone'):
        # evaluation sizes differ from the training crop (ViTs are built
        # for one size unless told otherwise)
        model_cfg.backbone.any_input_size = True
    # build in densessl's scope even when an mmseg/mmdet scope is current
    with DefaultScope.overwrite_default_scope('densessl'):
        check_model_config(model_cfg)
        model = MODELS.build(model_cfg)
    if not getattr(model, 'is_init', False):
        # MMEngine logs one paragraph per parameter at INFO here: pages of
        # output before a tool's first line of its own
        from mmengine.logging import MMLogger
        logger = MMLogger.get_current_instance()
        level = logger.level
        logger.setLevel('WARNING')
        try:
            model.init_weights()
        finally:
            logger.setLevel(level)
    if checkpoint:
        load_weights(model, checkpoint, trust_checkpoint)
    return model.to(torch.device(device)).eval()


def request_levels(cfg, levels: Sequence[int]) -> List[int]:
    """Make ``cfg``'s timm backbone return the pyramid ``levels`` (indices
    into *all* its feature stages: ``-1`` = the deepest, C5 of a ResNet;
    ``-2`` = C4; ``0`` = the stem), whatever ``out_indices`` the config
    trains with; the weights do not depend on it. Returns the positions of
    ``levels`` in the outputs of the rebuilt backbone, for
    :func:`dense_features`. Other backbones are left alone and ``levels``
    index their outputs directly."""
    levels = [int(level) for level in levels]
    backbone = cfg.model.backbone
    if not str(backbone.get('type', '')).endswith('TimmBackbone'):
        return levels
    if len({level < 0 for level in levels}) > 1:
        raise ValueError(f'levels {levels}: use all negative (from the '
                         'deepest stage) or all non-negative indices')
    wanted = sorted(set(levels))
    backbone.out_indices = tuple(wanted)
    return [wanted.index(level) for level in levels]


def load_weights(model: torch.nn.Module, checkpoint: str,
                 trust_checkpoint: bool = False) -> None:
    """Load a densessl training checkpoint, or an exported backbone in the
    ``mm`` layout (``backbone.*`` keys; then also into the momentum copy,
    which SlotCon's transfer features come from).

    Raises ``ValueError`` when the file holds no backbone weights for ``model``.
    """
    from densessl.models.utils import BACKBONE_PREFIX
    from densessl.utils.export import load_checkpoint_file
    ckpt = load_checkpoint_file(checkpoint, trust_checkpoint)
    state = dict(ckpt.get('state_dict', ckpt))
    own = model.state_dict()
    online, teacher = BACKBONE_PREFIX['online'], BACKBONE_PREFIX['teacher']
    if not any(k.startswith('momentum_encoder.') for k in state):
        for key in list(state):
            if key.startswith(online):
                twin = teacher + key[len(online):]
                if twin in own:
                    state[twin] = state[key]
    matched = [k for k in state if k in own]
    if not any(k.startswith('backbone.') for k in matched):
        raise ValueError(
            f'"{checkpoint}" has no backbone weights for this model (expected '
            'keys like "backbone.timm_model.conv1.weight"). Export with '
            '`tools/extract_backbone.py CKPT OUT --layout mm`, and use the '
            'config the model was trained with.')
    shape_errors = [k for k in matched if state[k].shape != own[k].shape]
    if shape_errors:
        raise ValueError(
            f'"{checkpoint}" does not fit this config: {len(shape_errors)} '
            f'tensors differ in shape, e.g. {shape_errors[0]} '
            f'{tuple(state[shape_errors[0]].shape)} vs '
            f'{tuple(own[shape_errors[0]].shape)}. Use the config the model '
            'was trained with.')
    model.load_state_dict({k: state[k] for k in matched}, strict=False)
