"""Embedded rooms, scene / ModelNet40 / ShapeNetPart readers, scene-level
transforms, two-view packing and point batching."""
import json

import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate

from densessl.datasets import (ROOM_CLASSES, ModelNet40Dataset,
                               PointSceneFolderDataset, ShapeNetPartDataset,
                               SyntheticRoomDataset, generate_room)
from densessl.datasets.transforms import (FarthestPointSubsample,
                                          PointFeatures, PointMultiView,
                                          RandomRotate, SphereCrop)
from densessl.structures import collate_points, to_sparse_tensor


def test_rooms_are_deterministic_and_labelled():
    a, b, c = generate_room(3, 5000), generate_room(3, 5000), generate_room(4, 5000)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a['coord'], c['coord'])
    assert a['coord'].shape == (5000, 3) and a['color'].shape == (5000, 3)
    assert a['color'].min() >= 0 and a['color'].max() <= 1
    labels = set(np.unique(a['segment']))
    assert {0, 1} <= labels and labels <= set(range(len(ROOM_CLASSES)))
    assert len(labels) >= 3  # structure plus furniture
    floor = a['coord'][a['segment'] == 0]
    assert np.abs(floor[:, 2]).max() < 0.05  # the floor is at z = 0
    # every instance has one semantic class
    for inst in np.unique(a['instance']):
        assert len(np.unique(a['segment'][a['instance'] == inst])) == 1


def test_scene_folder_reads_pointcept_layout_and_rejects_bad_scenes(tmp_path):
    room = generate_room(0, 800)
    scene = tmp_path / 'train' / 'scene0000_00'
    scene.mkdir(parents=True)
    np.save(scene / 'coord.npy', room['coord'])
    np.save(scene / 'color.npy', (room['color'] * 255).astype(np.uint8))
    segment = room['segment'].copy()
    segment[:5] = -1
    np.save(scene / 'segment20.npy', segment)
    ds = PointSceneFolderDataset(str(tmp_path), classes=ROOM_CLASSES)
    info = ds.get_data_info(0)
    assert info['scene'] == 'scene0000_00'
    assert np.allclose(info['color'], room['color'], atol=1 / 255)
    assert (info['segment'][:5] == 255).all()
    assert np.array_equal(info['segment'][5:], room['segment'][5:])
    assert ds.metainfo['classes'] == ROOM_CLASSES

    bad = tmp_path / 'train' / 'scene0001_00'
    bad.mkdir()
    coord = room['coord'].copy()
    coord[3] = np.nan
    np.save(bad / 'coord.npy', coord)
    with pytest.raises(ValueError, match='NaN'):
        ds = PointSceneFolderDataset(str(tmp_path))
        ds.get_data_info(1)
    np.save(bad / 'coord.npy', np.zeros((0, 3), np.float32))
    with pytest.raises(ValueError, match='empty'):
        PointSceneFolderDataset(str(tmp_path)).get_data_info(1)
    with pytest.raises(FileNotFoundError, match='scene folder'):
        PointSceneFolderDataset(str(tmp_path), split='val')


def test_modelnet40_and_shapenetpart_layouts(tmp_path):
    rng = np.random.default_rng(0)
    mn = tmp_path / 'modelnet'
    (mn / 'chair').mkdir(parents=True)
    (mn / 'modelnet40_shape_names.txt').write_text('airplane\nchair\n')
    (mn / 'modelnet40_train.txt').write_text('chair_0001\n')
    rows = rng.normal(size=(50, 6))
    np.savetxt(mn / 'chair' / 'chair_0001.txt', rows, delimiter=',')
    ds = ModelNet40Dataset(str(mn), split='train',
                           pipeline=[dict(type='LoadPointCloud')])
    item = ds[0]
    assert item['label'] == 1 and ds.metainfo['classes'][1] == 'chair'
    assert np.allclose(item['coord'], rows[:, :3], atol=1e-5)
    with pytest.raises(FileNotFoundError, match='modelnet40_normal_resampled'):
        ModelNet40Dataset(str(mn), split='test')

    # ModelNet10 (or any K) naming, and plain shape_names.txt
    for prefix in ('modelnet10_', ''):
        other = tmp_path / f'other{prefix}'
        (other / 'sofa').mkdir(parents=True)
        (other / f'{prefix}shape_names.txt').write_text(
            'bed\nsofa\ntable\n')
        (other / f'{prefix}train.txt').write_text('sofa_0007\n')
        np.savetxt(other / 'sofa' / 'sofa_0007.txt', rows, delimiter=',')
        ds = ModelNet40Dataset(str(other), split='train',
                               pipeline=[dict(type='LoadPointCloud')])
        assert len(ds.metainfo['classes']) == 3 and ds[0]['label'] == 1

    sp = tmp_path / 'shapenetpart'
    (sp / '02691156').mkdir(parents=True)
    (sp / 'train_test_split').mkdir()
    (sp / 'synsetoffset2category.txt').write_text(
        'Airplane\t02691156\nBag\t02773838\n')
    (sp / 'train_test_split' / 'shuffled_train_file_list.json').write_text(
        json.dumps(['shape_data/02691156/abc']))
    rows = np.concatenate([rng.normal(size=(40, 6)),
                           rng.integers(0, 4, (40, 1))], 1)
    np.savetxt(sp / '02691156' / 'abc.txt', rows)
    item = ShapeNetPartDataset(str(sp), pipeline=[
        dict(type='LoadPointCloud')])[0]
    assert item['label'] == 0
    assert np.array_equal(item['part'], rows[:, 6].astype(np.int64))
    assert np.allclose(item['feat'], rows[:, 3:6], atol=1e-5)


def test_rotation_crop_and_fps():
    rng = np.random.default_rng(0)
    coord = rng.normal(size=(500, 3)).astype(np.float32)
    out = RandomRotate(angle=(0.5, 0.5), axis='z')(dict(coord=coord.copy()))
    # a quarter turn about z: (x, y, z) -> (-y, x, z), norms kept
    assert np.allclose(out['coord'], np.stack(
        [-coord[:, 1], coord[:, 0], coord[:, 2]], 1), atol=1e-5)
    crop = SphereCrop(100, mode='center')(dict(coord=coord.copy(),
                                               segment=np.arange(500)))
    assert len(crop['coord']) == 100
    dist = np.linalg.norm(coord - (coord.min(0) + coord.max(0)) / 2, axis=1)
    assert set(crop['segment']) == set(np.argsort(dist)[:100])
    fps = FarthestPointSubsample(10)(dict(coord=coord.copy()))
    assert len(fps['coord']) == 10 and np.array_equal(fps['coord'][0],
                                                      coord[0])


def test_views_keep_origin_coords_and_batches_keep_offsets():
    room = generate_room(1, 3000)
    views = PointMultiView([
        dict(type='RandomRotate'),
        dict(type='GridSample', grid_size=0.1),
        dict(type='PointFeatures'),
    ])(dict(room))['views']
    assert len(views) == 2
    for view in views:
        # each kept point's origin_coord is one of the scene's own points
        # and its feature is its colour centred at zero
        index = {tuple(p) for p in room['coord']}
        assert all(tuple(p) in index for p in view['origin_coord'][:50])
        assert np.allclose(view['feat'], view['color'] - 0.5)
        assert np.allclose(np.linalg.norm(view['coord'][:, :2] -
                                          view['coord'][:, :2].mean(0), axis=1).max(),
                           np.linalg.norm(view['origin_coord'][:, :2] -
                                          view['origin_coord'][:, :2].mean(0),
                                          axis=1).max(), rtol=1e-4)
    with pytest.raises(KeyError, match='color'):
        PointFeatures()(dict(coord=room['coord']))

    ds = SyntheticRoomDataset(num_scenes=2, num_points=2000, pipeline=[
        dict(type='GridSample', grid_size=0.1, mode='test'),
        dict(type='PointFeatures'),
        dict(type='PackSparsePointInputs')])
    items = [ds[0], ds[1]]
    batch = collate_points(pseudo_collate(items)['inputs'])
    sizes = [len(i['inputs']['coord']) for i in items]
    assert batch['offset'].tolist() == np.cumsum(sizes).tolist()
    assert batch['full_offset'].tolist() == [2000, 4000]
    # inverse maps every original point to its own cloud's voxel
    assert torch.equal(batch['batch'][batch['inverse']],
                       torch.arange(2).repeat_interleave(2000))
    assert torch.equal(batch['segment'][batch['inverse'][:2000]].unique(),
                       torch.from_numpy(generate_room(0, 2000)['segment']).unique())
    sparse = to_sparse_tensor(batch)
    assert sparse.coords.shape == (sum(sizes), 4)
    assert sparse.feats.shape == (sum(sizes), 3)
    with pytest.raises(ValueError, match='empty'):
        collate_points(dict(coord=[torch.zeros(0, 3)]))
