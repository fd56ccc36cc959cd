"""Wheels that let densessl run on a lent GPU machine with no package index.

    .venv/bin/python tools/gpu_bundle.py [--dest .whl] [--python-version 3.12]
        [--dry-run]

The lent machines (``device`` tool, image 'cuda') hold PyTorch, timm,
numpy, OpenCV, matplotlib, scikit-image, ... but not MMEngine and its small
pure-Python needs, and reach no index. This walks densessl's core
requirements through the metadata installed here, takes every package the
image lacks (and every requirement with an upper bound, since the image's
version of it is unknown) at the version installed here, and downloads
their wheels into ``--dest`` for the machine's Python. Then, with ``--dest``
carried:

    bash tools/gpu_device_run.sh [tools/gpu_check.py options]

installs them into ``/tmp/site`` there and runs ``tools/gpu_check.sh``,
report into ``$OUT`` (``docs/speed.md``).
"""
import argparse
import configparser
import importlib.metadata as md
import os
import os.path as osp
import platform
import re
import subprocess
import sys
from typing import Dict, Iterable, List, Optional

# packaging: a matplotlib requirement, so always installed with densessl
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

#: Python packages of the lent machines' image 'cuda', as
#: /work/.library/device/KINDS.md lists them (read there on 2026-11-17);
#: only names, the image's versions are not listed.
DEVICE_IMAGE = frozenset('''
absl-py accelerate aiofiles aiohappyeyeballs aiohttp aiosignal annotated-doc
anyio attrs botorch build certifi charset-normalizer chex click cloudpickle
cmake colorama contourpy coverage cuda-bindings cuda-core cuda-pathfinder
cuda-toolkit cupy-cuda13x cycler cython diffrax e3nn einops equinox etils
execnet filelock flatbuffers flax fonttools formulaic frozenlist fsspec
gpytorch grpcio h11 h5py hf-xet httpcore httpx huggingface-hub humanize
hypothesis idna imageio iniconfig interface-meta jax jax-cuda13-pjrt
jax-cuda13-plugin jaxlib jaxtyping jinja2 joblib kiwisolver lazy-loader
lightning lightning-utilities linear-operator lineax llvmlite lxml markdown
markdown-it-py markupsafe matplotlib mdurl meson ml-dtypes mpi4py mpmath
msgpack multidict multipledispatch mypy-extensions nanobind narwhals networkx
ninja numba numba-cuda numpy numpyro nvidia-ml-py onnx onnx-ir onnxruntime
onnxscript opencv-python-headless optax opt-einsum opt-einsum-fx optimistix
orbax-checkpoint packaging pandas pathspec patsy peft pillow pip pluggy
portalocker prometheus-client propcache protobuf psutil pyarrow pybind11
py-cpuinfo pygments pyparsing pyproject-hooks pyre-extensions pytest
pytest-benchmark pytest-cov pytest-mock pytest-timeout pytest-xdist
python-dateutil pytorch-lightning pyyaml regex requests rich sacrebleu
safetensors scikit-build-core scikit-image scikit-learn scipy seaborn
sentencepiece sentence-transformers setuptools shellingham simplejson six
sortedcontainers statsmodels sympy tabulate tensorboard
tensorboard-data-server tensorstore threadpoolctl tifffile tiktoken timm
tokenizers toolz torch torchaudio torchdiffeq torch-geometric torchmetrics
torchvision tqdm transformers treescope triton typer typing-extensions
typing-inspect urllib3 uvloop wadler-lindig werkzeug wheel wrapt xarray
xxhash yarl zipp
'''.split())

#: a requirement met by another distribution of the same module
PROVIDED_BY = {'opencv-python': 'opencv-python-headless'}  # both are cv2

#: what gpu_check needs besides densessl's install_requires: the real-photo
#: fixture of the test configs
EXTRA_ROOTS = ('scikit-image',)


def core_requirements() -> List[str]:
    """densessl's ``install_requires`` (setup.cfg) and ``EXTRA_ROOTS``."""
    cfg = configparser.ConfigParser()
    cfg.read(osp.join(ROOT, 'setup.cfg'))
    lines = cfg['options']['install_requires'].splitlines()
    reqs = [line.strip() for line in lines
            if line.strip() and not line.strip().startswith('#')]
    return reqs + list(EXTRA_ROOTS)


def plan(roots: Iterable[str], image: Iterable[str],
         python_version: str = '3.12',
         requires=md.requires, version=md.version) -> Dict[str, str]:
    """``{name: version}`` of the wheels to carry.

    A requirement is followed when its marker holds on Linux at
    ``python_version`` with no extra asked for. One the image provides is
    not carried (nor its own requirements) unless it has an upper bound
    (``<``, ``<=``, ``==``, ``~=``): the image's version is unknown, so the
    version installed here goes along. ``requires`` / ``version`` read the
    installed metadata (``importlib.metadata``); a carried package that is
    not installed here is an error."""
    image = {canonicalize_name(n) for n in image}
    env = {'python_version': python_version,
           'python_full_version': python_version + '.0',
           'sys_platform': 'linux', 'platform_system': 'Linux',
           'os_name': 'posix', 'platform_machine': 'x86_64',
           'implementation_name': 'cpython',
           'platform_python_implementation': 'CPython', 'extra': ''}
    carry: Dict[str, str] = {}
    todo = list(roots)
    while todo:
        req = Requirement(todo.pop())
        if req.marker is not None and not req.marker.evaluate(env):
            continue
        name = canonicalize_name(req.name)
        bounded = any(s.operator in ('<', '<=', '==', '~=', '===')
                      for s in req.specifier)
        provided = name in image or PROVIDED_BY.get(name) in image
        if (provided and not bounded) or name in carry:
            continue
        try:
            have = version(req.name)
        except md.PackageNotFoundError:
            raise ValueError(
                f'{req.name} is needed on the device machine but is not '
                'installed here to take its version from: run '
                "'bash tools/install.sh' first") from None
        if req.specifier and not req.specifier.contains(have,
                                                        prereleases=True):
            raise ValueError(f'{req.name} {have} is installed here, but '
                             f'{req} is required: reinstall with '
                             "'bash tools/install.sh'")
        carry[name] = have
        todo.extend(requires(req.name) or [])
    return dict(sorted(carry.items()))


def download(carry: Dict[str, str], dest: str, python_version: str):
    """Binary wheels for CPython ``python_version`` on manylinux x86-64."""
    platforms = ['manylinux_2_28_x86_64', 'manylinux_2_17_x86_64',
                 'manylinux2014_x86_64', 'any']
    command = [sys.executable, '-m', 'pip', 'download', '--no-deps',
               '--only-binary=:all:', '--python-version', python_version,
               '--implementation', 'cp', '-d', dest, '-q']
    for tag in platforms:
        command += ['--platform', tag]
    command += [f'{name}=={ver}' for name, ver in carry.items()]
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ['no output'])[-1]
        raise OSError(f'pip could not download the wheels ({last}); this '
                      'needs PyPI to be reachable')


def parse_args(argv: Optional[List[str]] = None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--dest', default=osp.join(ROOT, '.whl'),
                        help='folder for the wheels, emptied of wheels '
                        'first (default: .whl, which git ignores)')
    parser.add_argument('--python-version', default='3.12',
                        help="the device machine's Python (3.12 on the "
                        "image 'cuda')")
    parser.add_argument('--dry-run', action='store_true',
                        help='print what would be carried, download nothing')
    args = parser.parse_args(argv)
    if not re.fullmatch(r'3\.\d+', args.python_version):
        parser.error('--python-version takes MAJOR.MINOR, e.g. 3.12')
    return args


def main(argv: Optional[List[str]] = None):
    args = parse_args(argv)
    carry = plan(core_requirements(), DEVICE_IMAGE, args.python_version)
    print('carried to the device machine: ' +
          ', '.join(f'{n} {v}' for n, v in carry.items()))
    if args.dry_run:
        return
    os.makedirs(args.dest, exist_ok=True)
    for old in os.listdir(args.dest):  # two versions of one stop pip there
        if old.endswith('.whl'):
            os.remove(osp.join(args.dest, old))
    download(carry, args.dest, args.python_version)
    wheels = sorted(f for f in os.listdir(args.dest) if f.endswith('.whl'))
    size = sum(osp.getsize(osp.join(args.dest, f)) for f in wheels)
    print(f'{len(wheels)} wheels, {size / 2**20:.1f} MiB in {args.dest} '
          f'(here: Python {platform.python_version()})')
    rel = osp.relpath(args.dest, ROOT)
    print(f"device run: carry ['{rel}'], command 'WHEELS={rel} bash "
          "tools/gpu_device_run.sh'")


if __name__ == '__main__':
    sys.path.insert(0, ROOT)
    from densessl.utils.cli import run_tool
    run_tool(main)
