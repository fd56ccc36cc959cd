"""Command line shared by seg_transfer.py and det_transfer.py."""
import argparse
import os.path as osp
import sys

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def main(task: str, doc: str, headline_keys, argv=None):
    sys.path.insert(0, ROOT)
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(
        description=doc.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=doc)
    parser.add_argument('config')
    parser.add_argument('--pretrained', help='exported backbone (tensors '
                        'only); random init when left out')
    parser.add_argument('--work-dir')
    parser.add_argument('--max-iters', type=int,
                        help='shorten the schedule (every scheduler phase, '
                        'begin and end, and milestones scale with it)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    parser.add_argument('--device', choices=['cpu', 'auto'], default='auto')
    args = parser.parse_args(argv)
    from densessl.apis import run_transfer
    from densessl.apis.transfer import format_metrics
    try:
        metrics = run_transfer(args.config, task, args.pretrained,
                               args.work_dir, args.max_iters,
                               args.cfg_options, args.device)
    except (ImportError, ValueError, FileNotFoundError) as err:
        raise SystemExit(f'error: {err}')
    print('\n' + '=' * 60)
    print(f'{task} transfer of {args.pretrained or "random init"}: '
          + format_metrics(metrics, headline_keys))
    print('=' * 60)
    return metrics
