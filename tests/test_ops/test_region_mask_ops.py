"""DetCon's mask reduction onto the feature grid, id sampling and pooling."""
import numpy as np
import torch

from densessl.ops import majority_vote_masks, pool_by_masks, sample_mask_ids


def test_majority_vote_matches_counting_per_cell():
    g = torch.Generator().manual_seed(0)
    maps = torch.randint(0, 6, (2, 12, 15), generator=g)
    maps[0, :4, :5] = 300  # wraps to 300 % 256 = 44, as uint8 masks
    masks = majority_vote_masks(maps, (3, 3), max_mask_id=256)
    assert masks.shape == (2, 256, 9)
    assert torch.equal(masks.sum(dim=1), torch.ones(2, 9))  # one per cell
    for n in range(2):
        for r in range(3):
            for c in range(3):
                cell = maps[n, 4 * r:4 * r + 4, 5 * c:5 * c + 5] % 256
                counts = np.bincount(cell.reshape(-1).numpy(),
                                     minlength=256)
                winner = int(np.argmax(counts))  # lowest id on ties
                assert masks[n, winner, 3 * r + c] == 1
    assert masks[0, 44, 0] == 1


def test_sampling_draws_only_existing_masks_with_replacement():
    masks = torch.zeros(2, 8, 4)
    masks[0, 3] = 1
    masks[1, 2, :2] = 1
    masks[1, 6, 2:] = 1
    ids = sample_mask_ids(masks, 16, torch.Generator().manual_seed(0))
    assert ids.shape == (2, 16)
    assert set(ids[0].tolist()) == {3}  # one mask: drawn 16 times
    assert set(ids[1].tolist()) <= {2, 6} and len(set(ids[1].tolist())) == 2


def test_pooling_averages_under_each_mask():
    feats = torch.arange(2 * 3 * 4, dtype=torch.float32).view(2, 3, 2, 2)
    masks = torch.zeros(2, 5, 4)
    masks[:, 1, :3] = 1
    masks[:, 4, 3] = 1
    pooled = pool_by_masks(feats, masks, torch.tensor([[1, 4, 0], [4, 4, 1]]))
    flat = feats.view(2, 3, 4)
    assert torch.allclose(pooled[0, 0], flat[0, :, :3].mean(dim=1))
    assert torch.allclose(pooled[0, 1], flat[0, :, 3])
    assert torch.equal(pooled[0, 2], torch.zeros(3))  # empty mask -> 0
    assert torch.allclose(pooled[1, 2], flat[1, :, :3].mean(dim=1))
