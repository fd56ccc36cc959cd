import torch
import torch.nn.functional as F
from torch import nn

from .dist import concat_all_gather


class FeatureQueue(nn.Module):
    """A FIFO memory bank of L2-normalised keys, ``dim x length``, as MoCo.

    The queue starts from normalised Gaussian noise (the official init). Keys
    are gathered from every process before they are enqueued, so all
    processes hold the same queue.
    """

    def __init__(self, dim: int, length: int) -> None:
        super().__init__()
        self.register_buffer('queue', F.normalize(torch.randn(dim, length),
                                                  dim=0))
        self.register_buffer('ptr', torch.zeros(1, dtype=torch.long))

    @property
    def length(self) -> int:
        return self.queue.shape[1]

    def negatives(self) -> torch.Tensor:
        """The current queue (``dim x length``), detached: a view, not a
        copy, so use it before :meth:`enqueue` overwrites it (the queue
        losses keep no reference to it for their backward)."""
        return self.queue.detach()

    @torch.no_grad()
    def enqueue(self, keys: torch.Tensor) -> None:
        """Write this step's keys (``N x dim``) of all processes."""
        keys = concat_all_gather(keys)
        batch = keys.shape[0]
        if self.length % batch != 0:
            raise ValueError(
                f'The queue length ({self.length}) must be a multiple of the '
                f'global batch size ({batch}); change `queue_len` in the '
                'model config or the batch size.')
        ptr = int(self.ptr)
        self.queue[:, ptr:ptr + batch] = keys.t().to(self.queue.dtype)
        self.ptr[0] = (ptr + batch) % self.length
