import io
import os

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub

from densessl.engine import use_atomic_local_writes
from densessl.utils.io import atomic_write_bytes
from densessl.engine.hooks.safe_checkpoint_hook import SafeCheckpointHook


def test_message_hub_round_trips_through_weights_only_load():
    hub = MessageHub.get_instance('test-safe-ckpt')
    for i in range(5):
        hub.update_scalar('train/loss', float(i), count=2)
    hub.update_info('eta', np.float64(3.5))
    checkpoint = dict(message_hub=hub.state_dict(), meta=dict(seed=0))
    SafeCheckpointHook().before_save_checkpoint(None, checkpoint)
    buffer = io.BytesIO()
    torch.save(checkpoint, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=True)  # would fail otherwise
    SafeCheckpointHook().after_load_checkpoint(None, loaded)
    restored = loaded['message_hub']['log_scalars']['train/loss']
    assert isinstance(restored, HistoryBuffer)
    original = hub.get_scalar('train/loss')
    assert restored is not original
    assert restored.data[0].tolist() == original.data[0].tolist()
    assert restored.data[1].tolist() == original.data[1].tolist() == [2] * 5
    assert restored.mean() == original.mean()
    assert restored.max_length == original.max_length
    assert loaded['message_hub']['runtime_info']['eta'] == 3.5


def test_plain_mmengine_message_hub_is_refused_by_safe_loader():
    hub = MessageHub.get_instance('test-unsafe-ckpt')
    hub.update_scalar('train/loss', 1.0)
    buffer = io.BytesIO()
    torch.save(dict(message_hub=hub.state_dict()), buffer)
    buffer.seek(0)
    with pytest.raises(Exception, match='HistoryBuffer'):
        torch.load(buffer, weights_only=True)


def test_interrupted_write_keeps_old_file(tmp_path, monkeypatch):
    target = tmp_path / 'epoch_1.pth'
    atomic_write_bytes(b'old', str(target))

    real_fdopen = os.fdopen

    class Exploding:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, data):
            self.f.write(data[:1])
            raise KeyboardInterrupt('interrupted mid-write')

    monkeypatch.setattr(os, 'fdopen',
                        lambda fd, mode: Exploding(real_fdopen(fd, mode)))
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(b'new content', str(target))
    assert target.read_bytes() == b'old'
    assert os.listdir(tmp_path) == ['epoch_1.pth']  # no temp file left


def test_mmengine_local_backend_writes_atomically(tmp_path):
    from mmengine.fileio import get_file_backend
    use_atomic_local_writes()
    backend = get_file_backend(str(tmp_path / 'x.pth'))
    assert type(backend).__name__ == 'AtomicLocalBackend'
    backend.put(b'abc', str(tmp_path / 'sub' / 'x.pth'))
    assert (tmp_path / 'sub' / 'x.pth').read_bytes() == b'abc'
    backend.put_text('hello', str(tmp_path / 'last_checkpoint'))
    assert (tmp_path / 'last_checkpoint').read_text() == 'hello'
