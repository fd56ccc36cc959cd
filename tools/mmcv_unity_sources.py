"""Regroup an unpacked mmcv source tree's C++ ops into a few unity files.

``python tools/mmcv_unity_sources.py MMCV_SOURCE_DIR [--groups 4]``

Why: each of mmcv's ~80 op files spends most of its compile time parsing
torch's headers (``docs/install.md``: 84 % parsing, 3 % code generation for
``nms.cpp``), so compiling them a group at a time parses the headers once
per group instead of once per file. Same sources, same flags, same ops.

What it does: the ``.cpp`` files under ``mmcv/ops/csrc/pytorch/`` and its
``cpu/`` folder (the ones mmcv's ``setup.py`` globs for a CPU or CUDA build;
``pybind.cpp`` stays alone, it is the largest) are renamed in place to
``<name>.cpp.unity``, which no glob matches and which keeps every relative
include working, and ``pytorch/unity_<k>.cpp`` files include them. Files
defining the same file-scope name (``PreCalc``, ``add``,
``bilinear_interpolate_gradient`` in the RoI-align family) land in
different groups; the ``min``/``max`` macros ``cpu/psamask.cpp`` leaks are
undefined after every file. ``tools/install_transfer.sh`` falls back to
the file-by-file build if a grouped build fails, so a new mmcv version
costs time, not a broken install.
"""
import argparse
import os
import os.path as osp
import re
import sys
from collections import defaultdict

PYTORCH_DIR = osp.join('mmcv', 'ops', 'csrc', 'pytorch')
KEEP_ALONE = {'pybind.cpp'}
SUFFIX = '.unity'
_KEYWORDS = {'if', 'for', 'while', 'switch', 'return', 'catch', 'sizeof'}


def strip_comments(src: str) -> str:
    src = re.sub(r'/\*.*?\*/', ' ', src, flags=re.S)
    return re.sub(r'//[^\n]*', '', src)


def top_level_names(src: str) -> set:
    """Names of the structs, classes and functions a file defines at file
    scope (bodies dropped by brace depth; a crude C++ reading that only has
    to be conservative: a name shared by two files keeps them apart)."""
    src = strip_comments(src)
    kept, depth = [], 0
    for ch in src:
        if depth == 0:
            kept.append(ch)
        if ch == '{':
            depth += 1
        elif ch == '}':
            depth = max(depth - 1, 0)
    top = ''.join(kept)
    names = set(re.findall(r'\b(?:struct|class)\s+(\w+)\s*(?::[^{;]*)?\{',
                           top))
    for name in re.findall(r'\b(\w+)\s*\([^;{}]*\)\s*(?:const\s*)?\{', top):
        if name not in _KEYWORDS:
            names.add(name)
    return names


def op_sources(root: str) -> list:
    """Relative paths (to ``mmcv/ops/csrc/pytorch``) of the files to group."""
    base = osp.join(root, PYTORCH_DIR)
    if not osp.isdir(base):
        raise FileNotFoundError(f'{base} not found: pass the unpacked mmcv '
                                'source folder (the one with setup.py)')
    files = []
    for sub in ('', 'cpu'):
        folder = osp.join(base, sub)
        files += [osp.join(sub, f) if sub else f
                  for f in sorted(os.listdir(folder))
                  if f.endswith('.cpp') and not f.startswith('unity_')]
    return [f for f in files if f not in KEEP_ALONE]


def plan_groups(sources: dict, groups: int) -> list:
    """Split {path: source text} into ``groups`` lists: files sharing a
    file-scope name never share a group; otherwise the smallest group (by
    characters) takes the next largest file."""
    names = {path: top_level_names(src) for path, src in sources.items()}
    owners = defaultdict(set)
    for path, found in names.items():
        for name in found:
            owners[name].add(path)
    clashes = defaultdict(set)
    for paths in owners.values():
        if len(paths) > 1:
            for path in paths:
                clashes[path] |= paths - {path}
    plan = [[] for _ in range(groups)]
    sizes = [0] * groups
    # the most constrained files first, then the largest
    order = sorted(sources, key=lambda p: (-len(clashes[p]),
                                           -len(sources[p]), p))
    for path in order:
        free = [k for k in range(groups)
                if not clashes[path] & set(plan[k])]
        if not free:
            raise ValueError(f'{path} clashes with a file in every one of '
                             f'{groups} groups; use more --groups')
        k = min(free, key=lambda i: (sizes[i], i))
        plan[k].append(path)
        sizes[k] += len(sources[path])
    return [sorted(group) for group in plan if group]


def write_unity(root: str, groups: int = 4) -> list:
    """Rename the op sources out of the globs and write the unity files;
    returns the plan. Refuses a tree that was already regrouped."""
    base = osp.join(root, PYTORCH_DIR)
    paths = op_sources(root)
    if osp.exists(osp.join(base, 'unity_0.cpp')):
        raise FileExistsError(f'{base} has unity_0.cpp: this tree is '
                              'already regrouped')
    sources = {}
    for path in paths:
        with open(osp.join(base, path), encoding='utf-8') as f:
            sources[path] = f.read()
    plan = plan_groups(sources, groups)
    for path in paths:
        os.replace(osp.join(base, path), osp.join(base, path + SUFFIX))
    for k, group in enumerate(plan):
        lines = ['// generated by densessl tools/mmcv_unity_sources.py']
        for path in group:
            lines += [f'#include "{path}{SUFFIX}"',
                      '#undef min', '#undef max']
        with open(osp.join(base, f'unity_{k}.cpp'), 'w',
                  encoding='utf-8') as f:
            f.write('\n'.join(lines) + '\n')
    return plan


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('source', help='unpacked mmcv source folder')
    parser.add_argument('--groups', type=int, default=4,
                        help='number of unity files (default 4: two per '
                        'core on 2 cores, besides pybind.cpp)')
    args = parser.parse_args(argv)
    if args.groups < 1:
        parser.error('--groups must be at least 1')
    try:
        plan = write_unity(args.source, args.groups)
    except (OSError, ValueError) as exc:
        print(f'mmcv_unity_sources: {exc}', file=sys.stderr)
        return 1
    print(f'{sum(map(len, plan))} mmcv op files in {len(plan)} unity files '
          f'({", ".join(str(len(g)) for g in plan)})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
