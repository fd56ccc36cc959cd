import os
import os.path as osp
from typing import List, Optional, Sequence

from densessl.registry import DATASETS
from .base import SeededDataset

IMG_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif',
                  '.tiff', '.webp')


def find_images(root: str,
                extensions: Sequence[str] = IMG_EXTENSIONS) -> List[str]:
    """All files under ``root`` (recursively, links followed) whose extension
    is one of ``extensions`` (case-insensitive), sorted."""
    exts = tuple(e.lower() for e in extensions)
    found = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        dirnames.sort()
        for name in sorted(filenames):
            if name.lower().endswith(exts) and not name.startswith('.'):
                found.append(osp.join(dirpath, name))
    return found


@DATASETS.register_module()
class ImageFolderDataset(SeededDataset):
    """Unlabeled images in a folder tree (ImageNet / COCO style).

    Every image under ``data_root / data_prefix['img_path']`` with a common
    extension is used; class sub-folders are allowed and ignored. Reading
    happens in the pipeline (``LoadImageFromFile``), which skips unreadable
    images with a warning by default (see its ``on_error``).
    """

    def __init__(self,
                 data_root: str = '',
                 data_prefix: Optional[dict] = None,
                 extensions: Sequence[str] = IMG_EXTENSIONS,
                 pipeline: Sequence = (),
                 **kwargs) -> None:
        self.extensions = tuple(extensions)
        super().__init__(data_root=data_root,
                         data_prefix=data_prefix or dict(img_path=''),
                         pipeline=list(pipeline), **kwargs)

    def load_data_list(self) -> List[dict]:
        root = self.data_prefix.get('img_path') or self.data_root
        if not osp.isdir(root):
            raise FileNotFoundError(
                f'Image folder "{root}" does not exist. Set `data_root` '
                '(and `data_prefix`) of the data set in your config.')
        paths = find_images(root, self.extensions)
        if not paths:
            raise FileNotFoundError(
                f'No images found under "{root}" (looked recursively for '
                f'{", ".join(self.extensions)}).')
        return [dict(img_path=p) for p in paths]
