from typing import List, Optional, Sequence, Tuple

from densessl.registry import DATASETS
from .base import SeededDataset
from .scene_generator import SCENE_CLASSES
from .scene_sources import scene_source


@DATASETS.register_module()
class SceneDataset(SeededDataset):
    """The embedded scene data set (no download).

    Image ``i`` is scene ``seed + i`` of ``source``, generated when it is read,
    so the data set costs no disk and is identical on every machine.
    ``tools/generate_scenes.py`` writes the same images to disk as an image
    folder + PNG masks for tools that read files (e.g. mmseg).

    Args:
        num_images: data set length.
        image_size: ``(H, W)`` of the generated scenes.
        seed: seed of image 0.
        num_objects: inclusive range of objects per scene (default: the
            source's, 2-6 procedural, 1-4 photos).
        source: ``'procedural'`` (generated shapes) or ``'photos'`` (real
            photographs shipped with scikit-image, ``photo_scenes``).
    """

    METAINFO = dict(classes=SCENE_CLASSES)

    def __init__(self,
                 num_images: int = 2000,
                 image_size: Sequence[int] = (160, 160),
                 seed: int = 0,
                 num_objects: Optional[Sequence[int]] = None,
                 source: str = 'procedural',
                 pipeline: Sequence = (),
                 **kwargs) -> None:
        if num_images <= 0:
            raise ValueError(f'num_images must be positive, got {num_images}')
        self.num_images = int(num_images)
        self.image_size: Tuple[int, int] = (int(image_size[0]),
                                            int(image_size[1]))
        self.seed = int(seed)
        self.source = scene_source(source)
        self.source_name = source
        num_objects = num_objects or self.source.num_objects
        self.num_objects = (int(num_objects[0]), int(num_objects[1]))
        kwargs.setdefault('metainfo', dict(classes=self.source.classes))
        super().__init__(pipeline=list(pipeline), **kwargs)

    def load_data_list(self) -> List[dict]:
        return [dict(seed=self.seed + i, img_path=f'scene://{self.seed + i}')
                for i in range(self.num_images)]

    def get_data_info(self, idx: int) -> dict:
        info = super().get_data_info(idx)
        info.update(self.source.generate(info['seed'], self.image_size,
                                         self.num_objects))
        info['ori_shape'] = self.image_size
        return info
