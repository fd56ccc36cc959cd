from typing import Optional, Union

from mmengine.model import BaseDataPreprocessor

from densessl.registry import MODELS
from densessl.structures.point_batch import collate_points


@MODELS.register_module()
class SparsePointDataPreprocessor(BaseDataPreprocessor):
    """Batch voxelised clouds for the sparse backbones: ``inputs`` becomes a
    point batch (see :func:`collate_points`), or a list of them, one per
    view, on the model's device."""

    def forward(self, data: dict, training: bool = False) -> dict:
        inputs: Union[dict, list] = data['inputs']
        if isinstance(inputs, dict):
            batch = collate_points(inputs)
        else:
            batch = [collate_points(view) for view in inputs]
        batch = self.cast_data(batch)
        samples: Optional[list] = data.get('data_samples')
        return dict(inputs=batch, data_samples=samples)
