import os
import os.path as osp
from typing import Optional, Sequence, Tuple

from mmengine.dist import master_only
from mmengine.hooks import Hook

from densessl.registry import HOOKS
from .runner_model import runner_model


@HOOKS.register_module()
class SimilarityMapHook(Hook):
    """Every ``interval`` iterations, draw dense similarity maps of a fixed
    image pair into ``WORK_DIR/similarity/iter_N.png``, to watch dense
    features form during pretraining. Not in any config by default; add

        custom_hooks = [..., dict(type='SimilarityMapHook', interval=500)]

    Args:
        interval: iterations between two drawings (also drawn after training).
        scene_seeds: the embedded scenes used as images A and B, unless
            ``images`` gives two image files.
        images: optional paths of two images (A, B).
        queries: query pixels ``(x, y)`` in A after resizing to
            ``image_size``; by default the centres of A's largest objects.
        image_size: images are resized to a square of this size.
        level: which backbone output to use.
    """

    priority = 'LOW'

    def __init__(self, interval: int = 500, scene_seeds: Tuple[int, int] = (0, 1),
                 images: Optional[Sequence[str]] = None,
                 queries: Optional[Sequence[Tuple[float, float]]] = None,
                 image_size: int = 224, level: int = -1,
                 out_dir: str = 'similarity') -> None:
        if interval <= 0:
            raise ValueError(f'interval must be positive, got {interval}')
        if images is not None and len(images) != 2:
            raise ValueError('images must name exactly two files (A and B)')
        self.interval = interval
        self.scene_seeds = tuple(scene_seeds)
        self.images = images
        self.queries = queries
        self.image_size = image_size
        self.level = level
        self.out_dir = out_dir
        self._pair = None

    def _load_pair(self):
        import numpy as np
        from PIL import Image
        size = (self.image_size, self.image_size)
        if self.images is not None:
            arrays = []
            for path in self.images:
                with Image.open(path) as img:
                    arrays.append(np.asarray(img.convert('RGB').resize(
                        size, Image.BICUBIC)))
            queries = self.queries or [((self.image_size - 1) / 2, ) * 2]
            return arrays, list(queries)
        from densessl.datasets import generate_scene
        from densessl.visualization.similarity import largest_object_centres
        scenes = [generate_scene(s, size) for s in self.scene_seeds]
        queries = list(self.queries or largest_object_centres(
            scenes[0]['gt_instance_map']))
        return [s['img'] for s in scenes], queries

    @master_only
    def _draw(self, runner, tag: str) -> None:
        from densessl.visualization.similarity import visualize_pair
        if self._pair is None:
            self._pair = self._load_pair()
        (image_a, image_b), queries = self._pair
        model = runner_model(runner)
        out_dir = osp.join(runner.work_dir, self.out_dir)
        os.makedirs(out_dir, exist_ok=True)
        out_file = osp.join(out_dir, f'{tag}.png')
        visualize_pair(model, image_a, image_b, queries, out_file, self.level,
                       title=f'{runner.experiment_name} {tag}')
        runner.logger.info(f'similarity maps written to {out_file}')

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        if self.every_n_train_iters(runner, self.interval):
            self._draw(runner, f'iter_{runner.iter + 1}')

    def after_train(self, runner) -> None:
        self._draw(runner, f'iter_{runner.iter}')
