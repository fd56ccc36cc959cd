"""tools/gpu_check.sh on the CPU: the fallback path (fp16 skipped), the
report, a failing check failing the run, a clear line without CUDA."""
import json
import os.path as osp
import subprocess

import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SMALL = ['--backbone', 'resnet18', '--size', '64', '--batch', '2',
         '--steps', '1', '--methods', 'mocov2', '--no-train']


def run(args):
    return subprocess.run(['bash', osp.join(ROOT, 'tools/gpu_check.sh'),
                           *args], cwd='/', capture_output=True, text=True)


def test_cpu_fallback_writes_a_report(tmp_path):
    out = tmp_path / 'report.json'
    proc = run(['--device', 'cpu', *SMALL, '--out', str(out)])
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(out.read_text())
    assert report['device'] == 'cpu' and report['ok'] is True
    assert 'fp16: CUDA only' in report['skipped']
    rows = {(r['method'], r['precision']): r for r in report['methods']}
    assert set(rows) == {('mocov2', 'fp32'), ('mocov2', 'bf16')}
    assert rows['mocov2', 'bf16']['all_finite']
    assert rows['mocov2', 'bf16']['rel_diff_vs_fp32'] < 0.05


def test_a_failed_check_fails_the_run(tmp_path):
    # no reduced precision can be within a negative tolerance
    proc = run(['--device', 'cpu', *SMALL, '--tolerance', '-1'])
    assert proc.returncode == 1
    assert 'FAILED' in proc.stdout and 'SOME CHECKS FAILED' in proc.stdout


def test_cuda_asked_without_cuda_is_one_line():
    if torch.cuda.is_available():
        return  # the check below is about machines without CUDA
    proc = run(['--device', 'cuda', *SMALL])
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith('error: ')
    assert 'no CUDA' in proc.stderr
