"""Point-batch structures (Pointcept's ``offset`` convention), sparse
tensors and data-sample fields, against hand-built batches."""
import pytest
import torch

from densessl.structures import (DataSample, SparseTensor, collate_points,
                                 sparse_cat, split_by_offset, stack_field,
                                 to_sparse_tensor)


def _clouds():
    # two clouds of 3 and 2 kept voxels, from 5 and 4 original points
    coord = [torch.arange(9.).view(3, 3), torch.arange(6.).view(2, 3) + 100]
    grid = [torch.tensor([[0, 0, 0], [1, 0, 0], [0, 1, 0]]),
            torch.tensor([[5, 5, 5], [6, 5, 5]])]
    feat = [torch.ones(3, 2), 2 * torch.ones(2, 2)]
    inverse = [torch.tensor([0, 1, 2, 2, 0]), torch.tensor([1, 0, 0, 1])]
    return dict(coord=coord, grid_coord=grid, feat=feat, inverse=inverse)


def test_collate_concatenates_and_shifts_inverse_by_cloud():
    batch = collate_points(_clouds())
    assert batch['offset'].tolist() == [3, 5]
    assert batch['full_offset'].tolist() == [5, 9]
    assert batch['batch'].tolist() == [0, 0, 0, 1, 1]
    # the second cloud's indices now point past the first cloud's 3 voxels
    assert batch['inverse'].tolist() == [0, 1, 2, 2, 0, 4, 3, 3, 4]
    # every original point maps to a voxel of its own cloud
    owner = batch['batch'][batch['inverse']]
    assert owner.tolist() == [0] * 5 + [1] * 4


def test_split_by_offset_undoes_the_concatenation():
    clouds = _clouds()
    batch = collate_points(clouds)
    parts = split_by_offset(batch['coord'], batch['offset'])
    assert len(parts) == 2
    for part, cloud in zip(parts, clouds['coord']):
        assert torch.equal(part, cloud)


def test_empty_cloud_is_refused_with_a_reason():
    clouds = _clouds()
    clouds['coord'][1] = torch.zeros(0, 3)
    with pytest.raises(ValueError, match='empty after its transforms'):
        collate_points(clouds)


def test_sparse_tensor_of_a_batch_keeps_cloud_index_and_voxels():
    batch = collate_points(_clouds())
    sparse = to_sparse_tensor(batch)
    assert sparse.coords.dtype == torch.long
    assert sparse.coords[:, 0].tolist() == [0, 0, 0, 1, 1]
    assert torch.equal(sparse.coords[3:, 1:], torch.tensor([[5, 5, 5],
                                                            [6, 5, 5]]))
    assert torch.equal(sparse.feats, batch['feat'])


def test_sparse_cat_joins_channels_on_the_same_sites_only():
    coords = torch.zeros(4, 4, dtype=torch.long)
    a = SparseTensor(torch.ones(4, 2), coords, stride=2)
    b = a.replace(torch.zeros(4, 3))
    joined = sparse_cat(a, b)
    assert joined.feats.shape == (4, 5) and joined.stride == 2
    assert joined.cache is a.cache  # kernel maps stay shared
    with pytest.raises(ValueError, match='different site sets'):
        sparse_cat(a, SparseTensor(torch.ones(4, 2), coords, stride=4))


def test_stack_field_batches_and_names_a_missing_field():
    samples = [DataSample(flips=torch.tensor([True, False])),
               DataSample(flips=torch.tensor([False, False]))]
    assert stack_field(samples, 'flips').shape == (2, 2)
    with pytest.raises(KeyError, match='data sample 0 has no "crop_boxes"'):
        stack_field(samples, 'crop_boxes')
