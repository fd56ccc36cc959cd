import copy
from typing import Optional

import torch
from mmengine.hooks import Hook

from densessl.registry import HOOKS
from densessl.utils.model_state import batchnorm_layers, reestimating_bn
from .runner_model import runner_model


@HOOKS.register_module()
class BNRecalibrationHook(Hook):
    """Before every validation and test, re-estimate the running statistics
    of the BatchNorm layers in ``module`` (default: the classifier ``head``)
    from ``num_batches`` batches (default: one pass), with the rest of the
    model in eval mode (no dropout, no drop-path) and no gradient.

    ``views='test'`` (default) feeds the *training* samples through the
    *test* pipeline (the config's ``test_dataloader``, else
    ``val_dataloader``), so the statistics are those of test-time features
    without looking at test data; ``views='train'`` uses the training loader
    as it is (augmented views).

    Why: Point-MAE's classifier head is Linear-BN-ReLU-Dropout(0.5) twice.
    Its running statistics are gathered on augmented, dropped-out training
    features; over the official 300 epochs the network adapts to the
    difference, over a few hundred iterations it need not: a fine-tuned
    pretrained encoder scored ~30 points below what its own frozen features
    allow (docs/3d.md). Weights are not touched; only the BN buffers of
    ``module`` change.
    """

    priority = 'LOW'

    def __init__(self, module: Optional[str] = 'head',
                 num_batches: Optional[int] = None,
                 views: str = 'test') -> None:
        if views not in ('test', 'train'):
            raise ValueError(f'views must be "test" or "train", got '
                             f'"{views}"')
        self.module = module
        self.num_batches = num_batches
        self.views = views
        self._loader_built = None

    def _loader(self, runner):
        if self.views == 'train':
            return runner.train_dataloader
        if self._loader_built is None:  # built once, on first use
            from mmengine.runner import Runner
            cfg = copy.deepcopy(runner.cfg.train_dataloader)
            test = runner.cfg.get('test_dataloader') or \
                runner.cfg.get('val_dataloader')
            if not test:
                raise ValueError('BNRecalibrationHook(views="test") needs a '
                                 'test_dataloader or val_dataloader in the '
                                 'config for its pipeline')
            cfg['dataset']['pipeline'] = copy.deepcopy(
                test['dataset']['pipeline'])
            cfg.update(sampler=dict(type='DefaultSampler', shuffle=False),
                       persistent_workers=False)
            self._loader_built = Runner.build_dataloader(cfg,
                                                         seed=runner.seed)
        return self._loader_built

    def recalibrate(self, runner) -> int:
        """Re-estimate; returns how many samples were used."""
        model = runner_model(runner)
        target = model.get_submodule(self.module) if self.module else model
        layers = batchnorm_layers(target)
        if not layers:
            raise ValueError(f'BNRecalibrationHook: "{self.module}" has no '
                             'BatchNorm layer to recalibrate')
        model.eval()  # the rest of the model as at test time
        seen = 0
        try:
            with reestimating_bn(layers), torch.no_grad():
                for i, batch in enumerate(self._loader(runner)):
                    if self.num_batches is not None and i >= self.num_batches:
                        break
                    data = model.data_preprocessor(batch, False)
                    model._run_forward(data, mode='tensor')
                    seen += len(batch['inputs'])
        finally:
            model.eval()
        runner.logger.info(f'BNRecalibrationHook: {len(layers)} BatchNorm '
                           f'layers of "{self.module}" re-estimated on '
                           f'{seen} samples')
        return seen

    def before_val_epoch(self, runner) -> None:
        self.recalibrate(runner)

    def before_test_epoch(self, runner) -> None:
        self.recalibrate(runner)
