"""tools/mmcv_unity_sources.py: grouping mmcv's op files into unity files."""
import glob
import os
import os.path as osp
import re
import shutil
import subprocess
import sys
import tarfile

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(ROOT, 'tools'))

import mmcv_unity_sources as unity  # noqa: E402

# Two files defining the same file-local helper (as mmcv's RoI-align family
# does), one leaking a min macro (as mmcv's psamask.cpp does), one plain.
FAKE = {
    'a.cpp': '#include "helper.hpp"\n'
             'template <typename T> struct PreCalc { T w; };\n'
             'static int add(int a, int b) { return a + b; }\n'
             'int a_impl() { PreCalc<int> p{1}; return add(p.w, 2); }\n',
    'cpu/b.cpp': '#include "helper.hpp"\n'
                 'template <typename T> struct PreCalc { T w; T h; };\n'
                 'static int add(int a, int b) { return a - b; }\n'
                 'int b_impl() { PreCalc<int> p{1, 2}; '
                 'return add(p.h, 1); }\n',
    'cpu/c.cpp': '#include "helper.hpp"\n'
                 '#ifndef min\n#define min(a, b) ((a) < (b) ? (a) : (b))\n'
                 '#endif\n'
                 'int c_impl() { return min(3, 4); }\n',
    'd.cpp': '#include "helper.hpp"\n#include <algorithm>\n'
             '// a comment naming add(int a) { and struct PreCalc {\n'
             'int d_impl() { return std::min(5, 6) + helper(); }\n',
    'pybind.cpp': 'int a_impl(); int b_impl(); int c_impl(); int d_impl();\n'
                  'int main() { return a_impl() + b_impl() + c_impl() '
                  '+ d_impl() == 3 + 1 + 3 + 5 ? 0 : 1; }\n',
}


def fake_tree(root):
    base = osp.join(root, unity.PYTORCH_DIR)
    for path, text in FAKE.items():
        os.makedirs(osp.dirname(osp.join(base, path)), exist_ok=True)
        with open(osp.join(base, path), 'w') as f:
            f.write(text)
    common = osp.join(root, 'common')
    os.makedirs(common)
    with open(osp.join(common, 'helper.hpp'), 'w') as f:
        f.write('#pragma once\ninline int helper() { return 0; }\n')
    return base, common


def test_top_level_names_skip_bodies_comments_and_declarations():
    names = unity.top_level_names(
        '// void commented(int x) {\n'
        'template <typename T>\nstruct Box : Base { int f() { return 0; } };\n'
        'Tensor nms_impl(Tensor boxes, float thr);\n'
        'template <typename T>\nvoid bilinear(const int h,\n    T& w) {\n'
        '  if (h) { inner(h); }\n}\n')
    assert names == {'Box', 'bilinear'}


def test_files_sharing_a_helper_never_share_a_group():
    plan = unity.plan_groups({p: t for p, t in FAKE.items()
                              if p != 'pybind.cpp'}, groups=2)
    assert sorted(p for g in plan for p in g) == \
        ['a.cpp', 'cpu/b.cpp', 'cpu/c.cpp', 'd.cpp']
    assert not any({'a.cpp', 'cpu/b.cpp'} <= set(g) for g in plan)
    with pytest.raises(ValueError, match='more --groups'):
        unity.plan_groups({p: FAKE[p] for p in ('a.cpp', 'cpu/b.cpp')}, 1)


def cached_mmcv_sdist():
    """The sdist tools/install_transfer.sh kept beside the mmcv wheel it
    built (None when mmcv came from elsewhere)."""
    cache = os.environ.get('DENSESSL_WHEEL_CACHE', osp.expanduser(
        osp.join('~', '.cache', 'densessl', 'wheels')))
    found = sorted(glob.glob(osp.join(cache, 'mmcv-*', 'mmcv-*.tar.gz')))
    return found[-1] if found else None


@pytest.mark.skipif(cached_mmcv_sdist() is None,
                    reason='no mmcv sdist kept by tools/install_transfer.sh')
def test_real_mmcv_sources_keep_the_roi_align_family_apart(tmp_path):
    with tarfile.open(cached_mmcv_sdist()) as tar:
        tar.extractall(tmp_path, **({'filter': 'data'} if hasattr(
            tarfile, 'data_filter') else {}))
    (root,) = glob.glob(str(tmp_path / 'mmcv-*'))
    base = osp.join(root, unity.PYTORCH_DIR)
    paths = unity.op_sources(root)
    sources = {p: open(osp.join(base, p), encoding='utf-8').read()
               for p in paths}
    plan = unity.plan_groups(sources, groups=4)
    assert sorted(p for g in plan for p in g) == sorted(paths)
    assert 'pybind.cpp' not in paths and len(paths) > 60
    family = {'cpu/roi_align.cpp', 'cpu/roi_align_rotated.cpp',
              'cpu/bezier_align.cpp', 'cpu/rotated_feature_align.cpp'}
    assert family <= set(paths)
    for group in plan:
        assert len(family & set(group)) <= 1
    sizes = [sum(len(sources[p]) for p in g) for g in plan]
    assert max(sizes) < 1.5 * min(sizes)
    # the installed mmcv was built from exactly these groups (or file by
    # file: MMCV_UNITY=0 or the fallback)
    mmcv_ops = pytest.importorskip('mmcv.ops')
    installed = osp.join(osp.dirname(mmcv_ops.__file__), 'csrc', 'pytorch')
    if not osp.exists(osp.join(installed, 'unity_0.cpp')):
        assert osp.exists(osp.join(installed, 'nms.cpp'))
        return
    for k, group in enumerate(plan):
        with open(osp.join(installed, f'unity_{k}.cpp')) as f:
            included = re.findall(r'#include "(.+)\.unity"', f.read())
        assert included == group


@pytest.mark.skipif(shutil.which('g++') is None, reason='needs g++')
def test_grouped_tree_compiles_and_links_where_one_group_does_not(tmp_path):
    base, common = fake_tree(str(tmp_path / 'good'))
    assert unity.main([str(tmp_path / 'good'), '--groups', '2']) == 0
    left = sorted(f for f in os.listdir(base) if f.endswith('.cpp'))
    assert left == ['pybind.cpp', 'unity_0.cpp', 'unity_1.cpp']
    assert sorted(os.listdir(osp.join(base, 'cpu'))) == \
        ['b.cpp.unity', 'c.cpp.unity']
    exe = str(tmp_path / 'ops')
    subprocess.run(['g++', '-I', common, '-o', exe,
                    osp.join(base, 'unity_0.cpp'),
                    osp.join(base, 'unity_1.cpp'),
                    osp.join(base, 'pybind.cpp')], check=True)
    assert subprocess.run([exe]).returncode == 0
    # a second regrouping is refused with one line
    assert unity.main([str(tmp_path / 'good')]) == 1

    # the same files in one group do not compile: the grouping is what helps
    base, common = fake_tree(str(tmp_path / 'bad'))
    lines = [f'#include "{p}"' for p in FAKE if p != 'pybind.cpp']
    with open(osp.join(base, 'all.cpp'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    done = subprocess.run(['g++', '-I', common, '-fsyntax-only',
                           osp.join(base, 'all.cpp')], capture_output=True)
    assert done.returncode != 0 and b'redefinition' in done.stderr


def test_a_folder_without_mmcv_sources_is_one_line(tmp_path, capsys):
    assert unity.main([str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count('\n') == 0 and 'unpacked mmcv source folder' in err
