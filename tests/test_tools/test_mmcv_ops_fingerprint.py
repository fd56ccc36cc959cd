"""tools/mmcv_ops_fingerprint.py: comparing two mmcv builds' op results."""
import os.path as osp
import sys

import numpy as np
import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(ROOT, 'tools'))


def test_ops_fingerprint_repeats_and_catches_a_difference(tmp_path, capsys):
    pytest.importorskip('mmcv.ops')
    import mmcv_ops_fingerprint as fp
    first, second = str(tmp_path / 'a.npz'), str(tmp_path / 'b.npz')
    assert fp.main([first]) == 0
    assert fp.main([second, '--compare', first]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sum(line.startswith('equal') for line in lines) == 15
    with np.load(first) as saved:
        changed = dict(saved)
    changed['roi_align_grad'] = changed['roi_align_grad'] + 1e-6
    del changed['nms']
    report = fp.compare(fp.fingerprint(), changed)
    assert [line.split()[1] for line in report
            if line.startswith('DIFFERS')] == ['nms:', 'roi_align_grad:']
