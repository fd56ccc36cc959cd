import os

import numpy as np
import pytest
from PIL import Image

from densessl.datasets import (SCENE_SOURCES, ImageFolderDataset,
                               SceneDataset)


@pytest.mark.parametrize('source', sorted(SCENE_SOURCES))
def test_scene_generator_is_deterministic_and_labelled(source):
    src = SCENE_SOURCES[source]

    def generate(seed):
        return src.generate(seed, (160, 160), src.num_objects)

    a, b = generate(3), generate(3)
    assert np.array_equal(a['img'], b['img'])
    assert not np.array_equal(a['img'], generate(4)['img'])
    assert a['img'].shape == (160, 160, 3) and a['img'].dtype == np.uint8
    sem, inst = a['gt_seg_map'], a['gt_instance_map']
    assert sem.max() < len(src.classes)
    # every instance pixel carries its instance's class, background is 0
    assert ((sem == 0) == (inst == 0)).all()
    ids = [i for i in np.unique(inst) if i > 0]
    assert len(ids) == len(a['gt_labels']) == len(a['gt_bboxes'])
    for k, label, box in zip(ids, a['gt_labels'], a['gt_bboxes']):
        ys, xs = np.nonzero(inst == k)
        assert set(np.unique(sem[inst == k])) == {label}
        assert (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1) == tuple(box)


def test_scene_dataset_item_through_pipeline():
    ds = SceneDataset(num_images=5, image_size=(48, 48), seed=7, pipeline=[
        dict(type='MultiView', num_views=2, transforms=[
            dict(type='RandomResizedCropCoord', size=32)]),
        dict(type='PackMultiViewInputs')])
    assert len(ds) == 5
    item = ds[2]
    assert item['inputs'].shape == (2, 3, 32, 32)
    assert item['data_samples'].seed == 9
    with pytest.raises(ValueError, match='positive'):
        SceneDataset(num_images=0)


def write_images(root, names):
    for name in names:
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        Image.fromarray(np.zeros((20, 20, 3), np.uint8)).save(path)


PIPE = [dict(type='LoadImageFromFile'), dict(type='PackMultiViewInputs')]


def test_image_folder_recursive_and_extensions(tmp_path):
    write_images(tmp_path, ['a/x.jpg', 'b/c/y.PNG', 'z.png'])
    (tmp_path / 'notes.txt').write_text('not an image')
    ds = ImageFolderDataset(data_root=str(tmp_path), pipeline=PIPE)
    names = sorted(os.path.basename(ds.get_data_info(i)['img_path'])
                   for i in range(len(ds)))
    assert names == ['x.jpg', 'y.PNG', 'z.png']
    assert ds[0]['inputs'].shape == (3, 20, 20)


def test_image_folder_without_images_says_so(tmp_path):
    (tmp_path / 'notes.txt').write_text('x')
    with pytest.raises(FileNotFoundError, match='No images found'):
        ImageFolderDataset(data_root=str(tmp_path), pipeline=PIPE)
    with pytest.raises(FileNotFoundError, match='does not exist'):
        ImageFolderDataset(data_root=str(tmp_path / 'missing'), pipeline=PIPE)


def test_unreadable_image_skipped_with_warning_or_raised(tmp_path):
    write_images(tmp_path, ['good.png'])
    (tmp_path / 'bad.jpg').write_bytes(b'this is not a jpeg')
    ds = ImageFolderDataset(data_root=str(tmp_path), pipeline=PIPE)
    bad = [i for i in range(len(ds))
           if ds.get_data_info(i)['img_path'].endswith('bad.jpg')][0]
    with pytest.warns(UserWarning, match='Cannot read image .*bad.jpg'):
        item = ds[bad]  # another (readable) image is drawn instead
    assert item['data_samples'].img_path.endswith('good.png')

    strict = ImageFolderDataset(
        data_root=str(tmp_path),
        pipeline=[dict(type='LoadImageFromFile', on_error='raise'),
                  dict(type='PackMultiViewInputs')])
    with pytest.raises(OSError, match='bad.jpg'):
        strict[bad]


def test_tiny_images_are_counted_and_named(tmp_path):
    from densessl.datasets.transforms.loading import LoadImageFromFile
    load = LoadImageFromFile(min_size=16)
    paths = []
    for i, size in enumerate([(1, 1), (40, 40), (8, 30), (12, 12), (9, 9)]):
        path = tmp_path / f'{i}.png'
        Image.fromarray(np.zeros((*size, 3), np.uint8)).save(path)
        paths.append(str(path))
    with pytest.warns(UserWarning) as record:
        for path in paths + paths:  # a second epoch warns no more
            assert load(dict(img_path=path))['img'] is not None
    messages = [str(w.message) for w in record]
    # tiny images 1, 2, 3, 4: warnings at counts 1, 2 and 4
    assert [m.split(' image')[0] for m in messages] == ['1', '2', '4']
    assert '0.png' in messages[0] and '1x1' in messages[0]
