from typing import Dict, Optional

import torch
from mmengine.hooks import Hook

from densessl.registry import HOOKS
from .runner_model import runner_model

#: scenes no pretraining or evaluation split uses
HOOK_SCENE_SEED = 3_000_000


@HOOKS.register_module()
class DenseQualityHook(Hook):
    """Every ``interval`` iterations, measure the dense features on a fixed
    held-out batch, without labels for training: **dense alignment** and
    **uniformity** (``densessl.evaluation.dense_alignment``) of the backbone
    maps of two augmented views (positions matched by their crop boxes), and
    **prompt-point segmentation** mIoU of the unaugmented images (one
    prompt per object; the instance maps only score it). The numbers go to
    the log and ``scalars.json`` as ``dense/alignment``,
    ``dense/uniformity`` and ``dense/prompt_mIoU``, and into
    ``loss_curve.png`` (a panel each) when ``LossCurveHook`` runs. Off by default; one
    config line turns it on::

        custom_hooks = [..., dict(type='DenseQualityHook', interval=50)]

    The batch: ``num_images`` scenes of the training data set's kind from
    seed ``HOOK_SCENE_SEED`` on (held out from every split), through the
    training pipeline once with a fixed random state, so every measurement
    sees the same views. Needs a :class:`SceneDataset` and views that carry
    ``crop_boxes`` (every 2D multi-view pipeline of densessl does).

    On the embedded rooms (:class:`SyntheticRoomDataset`, a 3D method such
    as PointContrast) the same hook measures alignment over the points of
    the two views matched by ``origin_coord`` (within ``match_radius``) and
    uniformity over all their per-voxel features; prompt-point
    segmentation is 2D only.
    """

    priority = 'LOW'

    def __init__(self, interval: int = 50, num_images: int = 16,
                 level: int = -1, seed: int = 0,
                 match_radius: float = 0.075) -> None:
        if interval <= 0 or num_images < 1:
            raise ValueError('interval and num_images must be positive')
        self.match_radius = match_radius
        self.interval = interval
        self.num_images = num_images
        self.level = level
        self.seed = seed
        self._batch = None

    def _held_out(self, dataset):
        from densessl.datasets import SceneDataset, SyntheticRoomDataset
        if isinstance(dataset, SyntheticRoomDataset):
            return SyntheticRoomDataset(
                num_scenes=self.num_images, num_points=dataset.num_points,
                seed=HOOK_SCENE_SEED, pipeline=dataset.pipeline.transforms)
        if not isinstance(dataset, SceneDataset):
            raise TypeError('DenseQualityHook needs a SceneDataset as the '
                            f'training data set, got {type(dataset).__name__}')
        return SceneDataset(num_images=self.num_images,
                            image_size=dataset.image_size,
                            seed=HOOK_SCENE_SEED, source=dataset.source_name,
                            num_objects=dataset.num_objects,
                            pipeline=dataset.pipeline.transforms)

    def held_out_batch(self, dataset) -> Dict[str, object]:
        """The fixed batch: held-out scenes of ``dataset``'s kind through
        its pipeline (views drawn with this hook's own random state), their
        unaugmented images and instance maps."""
        import random

        import numpy as np
        from mmengine.dataset import pseudo_collate
        held_out = self._held_out(dataset)
        states = (random.getstate(), np.random.get_state(),
                  torch.get_rng_state())
        random.seed(self.seed)
        np.random.seed(self.seed)
        torch.manual_seed(self.seed)
        try:  # the views are drawn once; the run's random state is kept
            views = pseudo_collate([held_out[i]
                                    for i in range(self.num_images)])
        finally:
            random.setstate(states[0])
            np.random.set_state(states[1])
            torch.set_rng_state(states[2])
        if not hasattr(held_out, 'image_size'):  # rooms: views only
            return dict(views=views)
        infos = [held_out.get_data_info(i) for i in range(self.num_images)]
        images = torch.stack([torch.from_numpy(d['img']).permute(2, 0, 1)
                              for d in infos])
        instances = torch.stack([torch.from_numpy(
            d['gt_instance_map'].astype('int64')) for d in infos])
        return dict(views=views, images=images, instances=instances)

    @torch.no_grad()
    def measure_points(self, model, batch) -> Dict[str, float]:
        from densessl.evaluation.dense_alignment import \
            point_alignment_uniformity
        from densessl.models.losses import match_by_origin
        from densessl.utils.model_state import evaluating
        with evaluating(model):
            views = model.data_preprocessor(batch['views'], False)['inputs']
            if not isinstance(views, (list, tuple)) or len(views) < 2:
                raise ValueError('DenseQualityHook needs two views per scene')
            feats = [model.extract_feat(v).float().cpu() for v in views[:2]]
        pairs = match_by_origin(views[0]['origin_coord'], views[0]['offset'],
                                views[1]['origin_coord'], views[1]['offset'],
                                self.match_radius).cpu()
        scores = point_alignment_uniformity(*feats, pairs)
        return dict(alignment=scores['alignment'],
                    uniformity=scores['uniformity'])

    @torch.no_grad()
    def measure(self, model, batch) -> Dict[str, float]:
        if 'images' not in batch:
            return self.measure_points(model, batch)
        from densessl.evaluation.features import dense_features
        from densessl.evaluation.dense_alignment import (
            dense_alignment_uniformity, prompt_point_segmentation)
        from densessl.structures import stack_field
        from densessl.utils.model_state import evaluating
        with evaluating(model):
            data = model.data_preprocessor(batch['views'], False)
            views = data['inputs']
            if not isinstance(views, (list, tuple)) or len(views) < 2:
                raise ValueError('DenseQualityHook needs two views per image')
            maps = [model.extract_feat(v)[self.level] for v in views[:2]]
        boxes = stack_field(data['data_samples'], 'crop_boxes').to(
            maps[0].device)
        scores = dense_alignment_uniformity(maps[0].float().cpu(),
                                            maps[1].float().cpu(),
                                            boxes[:, 0].cpu(),
                                            boxes[:, 1].cpu())
        feats = dense_features(model, batch['images'], self.level)
        prompt = prompt_point_segmentation(feats.cpu(), batch['instances'])
        return dict(alignment=scores['alignment'],
                    uniformity=scores['uniformity'],
                    prompt_mIoU=prompt['mIoU'])

    def _log(self, runner, step: int) -> None:
        model = runner_model(runner)
        if self._batch is None:
            self._batch = self.held_out_batch(
                runner.train_dataloader.dataset)
        hub = runner.message_hub
        history = hub.get_info('dense_quality_history') or {}
        for name, value in self.measure(model, self._batch).items():
            hub.update_scalar(f'train/dense/{name}', value)
            history.setdefault(f'dense/{name}', []).append(
                (step, value))
        # LossCurveHook draws these beside the losses
        hub.update_info('dense_quality_history', history)

    def before_train(self, runner) -> None:
        self._log(runner, runner.iter)  # the starting point

    def after_train_iter(self, runner, batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        if self.every_n_train_iters(runner, self.interval):
            self._log(runner, runner.iter + 1)  # iterations done
