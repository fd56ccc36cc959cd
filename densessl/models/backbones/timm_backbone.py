from typing import Optional, Sequence, Tuple

import torch
from mmengine.model import BaseModule

from densessl.registry import MODELS


@MODELS.register_module()
class TimmBackbone(BaseModule):
    """Any timm model with ``features_only`` support, as a dense backbone.

    The timm network lives in ``self.timm_model`` so parameter names match
    mmseg's / mmdet's ``TIMMBackbone`` (``timm_model.*``): a checkpoint
    exported from densessl loads downstream with
    ``init_cfg=dict(type='Pretrained', checkpoint=..., prefix='backbone.')``.

    Vision Transformers (and other timm models whose features come from
    ``forward_intermediates``) return patch maps ``N x C x H/p x W/p``
    without the class / register tokens; ``out_indices`` then counts blocks
    (``(-1,)``: the last one; ``(2, 5, 8, 11)``: four levels of a ViT-S/B),
    the blocks after the deepest one asked for are removed, and the input
    size is the config's ``img_size`` (or any with
    ``dynamic_img_size=True``). Their keys are ``timm_model.model.*``, as
    mmseg's ``TIMMBackbone`` builds them.

    Args:
        model_name: a timm model name, e.g. ``'resnet18'``,
            ``'vit_small_patch16_224'``.
        out_indices: feature levels to return (``(4,)`` gives C5 of a ResNet;
            block indices for a ViT).
        pretrained: timm hub weights. False by default: nothing is downloaded.
        in_channels: input channels.
        norm_eval: keep BatchNorm layers in eval mode during training.
        final_norm: ViTs: apply the final LayerNorm to every returned map
            (as DINO / DINOv2 evaluate patch tokens); False keeps the raw
            block outputs (timm's ``features_only`` default).
        frozen: no parameter takes a gradient and the whole network stays
            in eval mode (BN statistics, dropout, drop-path), as linear
            protocols on a frozen backbone want (DINOv2's ``BNHead``).
        channels_last: CNNs: keep conv weights and inputs in the NHWC memory
            layout (the same numbers; faster convolutions with oneDNN on a
            CPU and with tensor cores under AMP on a GPU: docs/speed.md).
        any_input_size: ViTs: built with timm's ``dynamic_img_size``, so any
            input size (a multiple of the patch) works, the position
            embeddings interpolated on the fly; the weights and their shapes
            are those of ``img_size``. The evaluation tools set it
            (``densessl.apis.init_model``); CNNs take any size anyway.
        **timm_kwargs: passed to ``timm.create_model`` (e.g.
            ``zero_init_last=False`` for ResNets, ``img_size=128`` or
            ``drop_path_rate=0.1`` for ViTs).
    """

    def __init__(self,
                 model_name: str,
                 out_indices: Sequence[int] = (4, ),
                 pretrained: bool = False,
                 in_channels: int = 3,
                 norm_eval: bool = False,
                 final_norm: bool = False,
                 frozen: bool = False,
                 channels_last: bool = False,
                 any_input_size: bool = False,
                 init_cfg: Optional[dict] = None,
                 **timm_kwargs) -> None:
        super().__init__(init_cfg=init_cfg)
        import timm
        if not timm.is_model(model_name):
            import difflib
            close = difflib.get_close_matches(model_name, timm.list_models(),
                                              n=5, cutoff=0.6)
            raise ValueError(f'Unknown timm model "{model_name}"; did you '
                             f'mean {", ".join(close) or "(nothing close)"}?'
                             ' timm.list_models("*pattern*") lists them all')

        def create(**kwargs):
            return timm.create_model(
                model_name, features_only=True,
                out_indices=tuple(out_indices), pretrained=pretrained,
                in_chans=in_channels, **kwargs)

        try:
            if any_input_size and 'dynamic_img_size' not in timm_kwargs:
                try:
                    # one build either way: the same weights from one seed
                    self.timm_model = create(**timm_kwargs,
                                             dynamic_img_size=True)
                    timm_kwargs = dict(timm_kwargs, dynamic_img_size=True)
                except TypeError as err:  # CNNs: any size already
                    if 'dynamic_img_size' not in str(err):
                        raise
                    self.timm_model = create(**timm_kwargs)
            else:
                self.timm_model = create(**timm_kwargs)
        except IndexError:
            levels = len(timm.create_model(
                model_name, features_only=True, pretrained=False,
                **timm_kwargs).feature_info.info)
            raise ValueError(
                f'out_indices {tuple(out_indices)} do not exist: {model_name} '
                f'has {levels} feature levels (0..{levels - 1}, or '
                f'-{levels}..-1 from the deepest)') from None
        except TypeError as err:
            if 'unexpected keyword argument' not in str(err):
                raise
            name = str(err).split('argument')[-1].strip()
            raise ValueError(
                f'{model_name} does not take {name}: remove it from '
                'model.backbone (zero_init_last and the like are ResNet-only '
                'arguments)') from None
        from timm.models._features import FeatureGetterNet
        self.is_token_model = isinstance(self.timm_model, FeatureGetterNet)
        if final_norm and not self.is_token_model:
            raise ValueError(f'final_norm applies to ViT-like models; '
                             f'{model_name} returns CNN feature maps')
        if final_norm:  # create_model cannot pass norm=True to the getter
            self.timm_model = FeatureGetterNet(
                timm.create_model(model_name, pretrained=pretrained,
                                  in_chans=in_channels, **timm_kwargs),
                out_indices=tuple(out_indices), norm=True)
        if channels_last and self.is_token_model:
            raise ValueError(f'channels_last applies to CNN backbones; '
                             f'{model_name} works on tokens')
        self.channels_last = channels_last
        if channels_last:
            # parameters keep the layout through init_weights, checkpoint
            # loading, .to(device) and the momentum copies (all copy in place
            # or preserve the format)
            self.timm_model.to(memory_format=torch.channels_last)
        self.norm_eval = norm_eval
        self.frozen = frozen
        if frozen:
            self.requires_grad_(False)
        # timm initialises its own weights; an init_cfg (e.g. Pretrained)
        # still applies through BaseModule.init_weights.
        if init_cfg is None:
            self._is_init = True

    @property
    def out_channels(self) -> Tuple[int, ...]:
        return tuple(self.timm_model.feature_info.channels())

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        return tuple(self.timm_model(x))

    def train(self, mode: bool = True):
        super().train(mode and not self.frozen)
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                    m.eval()
        return self
