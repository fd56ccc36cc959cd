"""DenseCLHead: normalisation, matching and loss weighting against a
re-derivation from the pure losses."""
import torch
import torch.nn.functional as F

from densessl.models.losses import (dense_argmax_match, densecl_dense_loss,
                                    info_nce_with_queue)


def test_densecl_head_normalises_matches_and_weights_losses():
    """The head takes raw outputs: its losses equal the formulas on the
    normalised ones, with the match taken from the backbone maps."""
    from densessl.models.heads import DenseCLHead
    torch.manual_seed(0)
    q, k = torch.randn(2, 4) * 3, torch.randn(2, 4) * 0.5
    gq, gk = torch.randn(2, 4, 6) * 2, torch.randn(2, 4, 6)
    bq, bk = torch.randn(2, 5, 2, 3), torch.randn(2, 5, 2, 3) * 7
    queue = F.normalize(torch.randn(4, 8), dim=0)
    losses = DenseCLHead(0.2, 0.3).loss(
        query=q, key=k, query_grid=gq, key_grid=gk, query_backbone=bq,
        key_backbone=bk, queue=queue, dense_queue=queue.flip(1))
    match = dense_argmax_match(F.normalize(bq.flatten(2), dim=1),
                               F.normalize(bk.flatten(2), dim=1))
    sim = torch.einsum('ncs,nct->nst', bq.flatten(2), bk.flatten(2)) / (
        bq.flatten(2).norm(dim=1)[:, :, None] *
        bk.flatten(2).norm(dim=1)[:, None, :])
    assert torch.equal(match, sim.argmax(2))
    single = info_nce_with_queue(F.normalize(q, dim=1), F.normalize(k, dim=1),
                                 queue, 0.2)
    dense = densecl_dense_loss(F.normalize(gq, dim=1), F.normalize(gk, dim=1),
                               match, queue.flip(1), 0.2)
    assert torch.allclose(losses['loss_single'], 0.7 * single)
    assert torch.allclose(losses['loss_dense'], 0.3 * dense)
