import os.path as osp

from mmengine.dist import master_only
from mmengine.hooks import Hook

from densessl.registry import HOOKS


@HOOKS.register_module()
class LossCurveHook(Hook):
    """Write ``loss_curve.png`` (every logged loss key) into the work dir
    after every epoch and at the end of training."""

    def __init__(self, smooth: int = 1, out_file: str = 'loss_curve.png'
                 ) -> None:
        self.smooth = smooth
        self.out_file = out_file

    @master_only
    def _draw(self, runner) -> None:
        from densessl.visualization import plot_loss_curves
        series = {}
        for key, buffer in runner.message_hub.log_scalars.items():
            if key.startswith('train/loss'):
                values = buffer.data[0]
                series[key[len('train/'):]] = list(
                    zip(range(1, len(values) + 1), values.tolist()))
        if series:
            # DenseQualityHook's measures, when it runs, beside the losses
            extra = runner.message_hub.get_info('dense_quality_history')
            plot_loss_curves(series, osp.join(runner.work_dir, self.out_file),
                             title=runner.experiment_name,
                             smooth=self.smooth, extra=extra)

    def after_train_epoch(self, runner) -> None:
        self._draw(runner)

    def after_train(self, runner) -> None:
        self._draw(runner)
