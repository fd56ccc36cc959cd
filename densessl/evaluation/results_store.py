"""The results store: one small JSON per finished evaluation run, committed
with the code, so that a comparison grows over several sittings and every
number in a table can be traced to its runs.

A record says what was run (``init``: ``random (...)`` or a method; ``seed``;
``data``; ``budget``: the pretraining budget; ``eval``: the evaluation
settings; ``config_hash``: the exact pretraining config), where and when
(``commit``, ``machine``, ``finished``), how long (``wall_seconds``) and what
came out (``metrics``). Runs with equal ``data``, ``budget`` and ``eval`` form
one table; the seeds of one ``init`` in it give mean +- std.
"""
import datetime
import glob
import hashlib
import json
import os
import os.path as osp
import platform
import re
import statistics
import subprocess
from typing import Dict, Iterable, List, Optional, Tuple

from densessl.utils.io import atomic_write_bytes

DEFAULT_STORE = 'benchmarks/results'
#: the papers' order: baselines before the dense methods built on them
METHOD_ORDER = ('mocov2', 'densecl', 'byol', 'pixpro', 'slotcon', 'detcon',
                'pointcontrast', 'point_cmae')
#: (better, worse) pairs the papers report; 'random' = that method's random
TARGET_PAIRS = (('densecl', 'mocov2'), ('mocov2', 'random'),
                ('pixpro', 'byol'), ('slotcon', 'byol'), ('byol', 'random'),
                ('detcon_b', 'byol'), ('detcon_s', 'mocov2'),
                ('densecl_vit', 'mocov2_vit'), ('pixpro_vit', 'byol_vit'),
                ('slotcon_vit', 'byol_vit'), ('detcon_b_vit', 'byol_vit'),
                ('mocov2_vit', 'random'), ('byol_vit', 'random'),
                ('pointcontrast', 'random'), ('point_cmae', 'random'))
METRICS = ('probe', 'knn', 'finetune')
METRIC_NAMES = dict(probe='probe', knn='kNN', finetune='fine-tuned')


def stable_hash(value) -> str:
    """SHA-1 of ``value``'s canonical JSON (sorted keys)."""
    text = json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()


def git_commit(root: str = '.') -> str:
    """The checked-out commit (``+dirty`` with local changes), or
    ``unknown`` outside a git checkout."""
    try:
        commit = subprocess.run(['git', 'rev-parse', '--short=12', 'HEAD'],
                                cwd=root, capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = subprocess.run(['git', 'status', '--porcelain',
                                '--untracked-files=no'], cwd=root,
                               capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return 'unknown'
    return commit + ('+dirty' if dirty else '')


def machine_info(device: str = 'cpu') -> Dict[str, object]:
    """What ran it: CPU model and cores, GPU name when ``device`` is one."""
    import torch
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            names = re.findall(r'model name\s*:\s*(.+)', f.read())
        cpu = names[0].strip() if names else cpu
    except OSError:
        pass
    gpu = None
    if str(device).startswith('cuda') and torch.cuda.is_available():
        gpu = torch.cuda.get_device_name(torch.device(device))
    return dict(device=str(device), cpu=cpu, cores=os.cpu_count(), gpu=gpu,
                torch=torch.__version__, python=platform.python_version())


#: top-level config keys that cannot change a run's numbers (where it is
#: written, how it logs) and the seed (a record field of its own)
PLUMBING_KEYS = ('work_dir', 'randomness', 'log_processor', 'visualizer',
                 'vis_backends', 'log_level', 'env_cfg')
#: default hooks that only save, time, log or seed
PLUMBING_HOOKS = ('checkpoint', 'logger', 'timer', 'step_seed')
#: samplers that give the same order as another, named by that one (the
#: seeded one only fixes each view's random numbers, for exact resume)
SAME_ORDER_SAMPLERS = {'SeededSampler': 'DefaultSampler'}
#: custom hooks that only save, draw or log (tested not to change the run)
PLUMBING_HOOK_TYPES = ('SafeCheckpointHook', 'LossCurveHook',
                       'SimilarityMapHook', 'DenseQualityHook')


def config_fingerprint(cfg: dict) -> str:
    """16 hex digits naming what in a pretraining config decides its
    numbers: the config less its plumbing (``PLUMBING_*``: where files go,
    how checkpoints are saved, what is logged or drawn), so that a change
    of checkpointing or logging does not orphan the stored runs."""
    def plumbing_hook(hook) -> bool:
        kind = str(hook.get('type', '')) if isinstance(hook, dict) else ''
        return kind.split('.')[-1] in PLUMBING_HOOK_TYPES
    kept = {k: v for k, v in cfg.items() if k not in PLUMBING_KEYS}
    if isinstance(kept.get('default_hooks'), dict):
        kept['default_hooks'] = {k: v for k, v in kept['default_hooks'].items()
                                 if k not in PLUMBING_HOOKS}
    if isinstance(kept.get('custom_hooks'), list):
        kept['custom_hooks'] = [h for h in kept['custom_hooks']
                                if not plumbing_hook(h)]
    for name, loader in list(kept.items()):
        if not (name.endswith('_dataloader') and isinstance(loader, dict)):
            continue
        sampler = loader.get('sampler')
        if isinstance(sampler, dict) and \
                sampler.get('type') in SAME_ORDER_SAMPLERS:
            sampler = dict(sampler, type=SAME_ORDER_SAMPLERS[sampler['type']])
            kept[name] = dict(loader, sampler=sampler)
    return stable_hash(kept)[:16]


def rekey_records(store: str, new_hashes: Dict[str, str]) -> int:
    """Give stored records whose ``config_hash`` is a key of ``new_hashes``
    the new hash (and so a new key and file name), for a change of how
    configs are fingerprinted; numbers and every other field unchanged.
    Each record is written anew before its old file is removed. Returns
    how many were re-keyed."""
    moved = 0
    for path in sorted(glob.glob(osp.join(store, '**', '*.json'),
                                 recursive=True)):
        with open(path) as f:
            record = json.load(f)
        new = new_hashes.get(record.get('config_hash'))
        if new is None or new == record['config_hash']:
            continue
        rewrite_record(store, path, record, config_hash=new)
        moved += 1
    return moved


def rewrite_record(store: str, path: str, record: dict, **changes) -> str:
    """Store ``record`` (read from ``path``) with ``changes`` to fields of
    its identity (``init``, ``config_hash``, ...): its key is recomputed,
    the new file written before the old one is removed. Numbers and every
    other field stay. Returns the new path."""
    record.update(changes)
    record['key'] = run_key(record['init'], record['seed'], record['data'],
                            record['budget'], record['eval'],
                            record['config_hash'])
    new_path = write_record(store, record)
    if osp.abspath(new_path) != osp.abspath(path):
        os.remove(path)
    return new_path


def apply_migrations(store: str, path: str) -> int:
    """Re-key the records of ``store`` by the fingerprint changes listed
    in the JSON file ``path`` (``{reason: {old: new}}``; keys starting
    with ``_`` are comments), following chains; a missing file is no
    change. Returns how many records moved."""
    if not osp.isfile(path):
        return 0
    with open(path) as f:
        table = json.load(f)
    mapping = {}
    for reason, pairs in table.items():
        if not reason.startswith('_'):
            mapping.update(pairs)
    moved = 0
    for _ in range(len(table) + 1):  # a chain a -> b -> c takes 2 passes
        step = rekey_records(store, mapping)
        moved += step
        if not step:
            break
    return moved


def run_key(init: str, seed: int, data: str, budget: dict, eval_cfg: dict,
            config_hash: str) -> str:
    """The identity of a run: equal keys mean the same run."""
    return stable_hash(dict(init=init, seed=seed, data=data, budget=budget,
                            eval=eval_cfg, config_hash=config_hash))[:16]


def _slug(text: str) -> str:
    return re.sub(r'[^A-Za-z0-9]+', '-', text).strip('-').lower()


def record_path(store: str, record: dict) -> str:
    return osp.join(store, _slug(record['data']),
                    f'{_slug(record["init"])}_seed{record["seed"]}_'
                    f'{record["key"]}.json')


def make_record(init: str, seed: int, data: str, budget: dict,
                eval_cfg: dict, config_hash: str, metrics: dict,
                wall_seconds: dict, device: str = 'cpu',
                root: str = '.', label_free: Optional[dict] = None) -> dict:
    """One run's record. ``label_free``: the label-free dense measures of
    the evaluated network (``rank_label_free.py``), kept with the run so the
    ranking needs no checkpoint later; not part of the run's key."""
    record = dict(
        schema=1, key=run_key(init, seed, data, budget, eval_cfg,
                              config_hash),
        init=init, seed=int(seed), data=data, budget=budget, eval=eval_cfg,
        config_hash=config_hash, commit=git_commit(root),
        machine=machine_info(device), wall_seconds=wall_seconds,
        metrics=metrics,
        finished=datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec='seconds'))
    if label_free is not None:
        record['label_free'] = label_free
    return record


def write_record(store: str, record: dict) -> str:
    """Write ``record`` atomically (an interrupted write leaves no file);
    returns its path."""
    path = record_path(store, record)
    atomic_write_bytes((json.dumps(record, indent=1) + '\n').encode(), path)
    return path


def load_records(store: str) -> List[dict]:
    """Every record under ``store``; a file that is not a record is named in
    a ``ValueError``."""
    records = []
    for path in sorted(glob.glob(osp.join(store, '**', '*.json'),
                                 recursive=True)):
        try:
            with open(path) as f:
                record = json.load(f)
        except (OSError, json.JSONDecodeError) as err:
            raise ValueError(f'{path} is not a readable result record '
                             f'({err}); delete or fix it') from None
        if not isinstance(record, dict) or 'key' not in record:
            raise ValueError(f'{path} is not a result record (no "key")')
        records.append(record)
    return records


def find_record(store: str, key: str) -> Optional[dict]:
    for path in glob.glob(osp.join(store, '**', f'*_{key}.json'),
                          recursive=True):
        with open(path) as f:
            return json.load(f)
    return None


def _init_rank(init: str) -> Tuple[int, str]:
    if init.startswith('random'):
        return (-1, init)
    return (METHOD_ORDER.index(init) if init in METHOD_ORDER
            else len(METHOD_ORDER), init)


def mean_std(values: Iterable[float]) -> Tuple[float, float, int]:
    values = list(values)
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return statistics.mean(values), std, len(values)


def _is_random(record: dict) -> bool:
    return record['init'].startswith('random')


def headline(metric: dict) -> float:
    """The number a table shows for one evaluation of a run: its ``score``
    (3D object accuracy), else its mIoU."""
    return metric['score'] if 'score' in metric else metric['mIoU']


def group_records(records: List[dict]) -> List[dict]:
    """Tables: one per (data, budget, eval) of pretrained runs, each
    ``dict(data, budget, eval, rows={init: {metric: (mean, std, n)}},
    seeds={init: [seeds]}, machines)``, rows in the papers' order. Random
    networks have no budget: their runs join, first, every table of their
    data and evaluation that holds a pretrained run of a method they are
    the init of (a ViT's random network never joins a ResNet table); one
    whose methods have no such run yet gets a table of its own."""
    tables: Dict[str, dict] = {}

    def own_table(record: dict) -> dict:
        key = stable_hash([record['data'], record['budget'],
                           record['eval']])
        return tables.setdefault(key, dict(data=record['data'],
                                           budget=record['budget'],
                                           eval=record['eval'], runs={}))

    for record in records:
        if not _is_random(record):
            own_table(record)['runs'].setdefault(record['init'],
                                                 []).append(record)
    for record in filter(_is_random, records):
        members = set(random_members(record['init']))
        homes = [table for table in tables.values()
                 if (table['data'], table['eval']) == (record['data'],
                                                       record['eval'])
                 and members & set(table['runs'])] or [own_table(record)]
        for table in homes:
            table['runs'].setdefault(record['init'], []).append(record)
    out = []
    for table in tables.values():
        rows, seeds, machines = {}, {}, set()
        for init in sorted(table['runs'], key=_init_rank):
            runs = sorted(table['runs'][init], key=lambda r: r['seed'])
            seeds[init] = [r['seed'] for r in runs]
            rows[init] = {m: mean_std(headline(r['metrics'][m]) for r in runs)
                          for m in METRICS
                          if all(m in r['metrics'] for r in runs)}
            for r in runs:
                machine = r.get('machine', {})
                machines.add(machine.get('gpu') or
                             f'{machine.get("cores")}-core CPU')
        out.append(dict(data=table['data'], budget=table['budget'],
                        eval=table['eval'], rows=rows, seeds=seeds,
                        machines=sorted(machines)))
    return sorted(out, key=lambda t: (t['data'], json.dumps(t['budget'],
                                                            sort_keys=True)))


def random_members(init: str) -> List[str]:
    """The methods named by a random row, ``random (a/b init)`` -> a, b."""
    inner = init[len('random ('):]
    return inner[:-len(' init)')].split('/') if inner.endswith(' init)') \
        else []


def _random_row(rows: Dict[str, dict], method: str) -> Optional[str]:
    for init in rows:
        if init.startswith('random') and method in random_members(init):
            return init
    return None


def target_checks(table: dict) -> List[Tuple[str, str, str, float, float,
                                             bool]]:
    """The papers' orderings present in ``table``: ``(better, worse,
    metric, gap, 2 * larger std, holds)`` where holds = gap > 2 std, or
    None while either side has fewer than 2 seeds (no std to judge by)."""
    rows = table['rows']
    checks = []
    for better, worse in TARGET_PAIRS:
        if worse == 'random':
            worse = _random_row(rows, better)
        if better not in rows or worse not in rows:
            continue
        for metric in METRICS:
            if metric in rows[better] and metric in rows[worse]:
                (mb, sb, nb), (mw, sw, nw) = rows[better][metric], \
                    rows[worse][metric]
                margin = 2 * max(sb, sw)
                holds = mb - mw > margin if min(nb, nw) >= 2 else None
                checks.append((better, worse, metric, mb - mw, margin,
                               holds))
    return checks


def describe_budget(budget: dict) -> str:
    return ', '.join(f'{k} {v}' for k, v in budget.items())


def markdown_tables(tables: List[dict]) -> str:
    """The tables as markdown: mean +- std (n seeds) per init and metric,
    then which of the papers' orderings hold by more than 2 std."""
    parts = []
    for table in tables:
        ev = table['eval']
        shown = [m for m in METRICS if any(m in row for row in
                                           table['rows'].values())]
        parts += [f'#### {table["data"]}: pretraining '
                  f'{describe_budget(table["budget"])}', '',
                  f'Evaluation: {describe_budget(ev)}; machine: '
                  f'{", ".join(table["machines"])}.', '',
                  '| init | ' + ''.join(
                      f'{METRIC_NAMES[m]} {ev.get("score", "mIoU")} | '
                      for m in shown) + 'seeds |',
                  '|---' * (len(shown) + 2) + '|']
        for init, metrics in table['rows'].items():
            cells = [f'{metrics[m][0]:.2f} ± {metrics[m][1]:.2f}'
                     if m in metrics else '–' for m in shown]
            parts.append(f'| {init} | ' + ''.join(c + ' | ' for c in cells)
                         + f'{",".join(map(str, table["seeds"][init]))} |')
        checks = target_checks(table)
        if checks:
            parts += ['', 'Papers\' order (gap > 2 × the larger std):', '']
            marks = {True: '✓', False: '✗', None: '(too few seeds to judge)'}
            parts += [f'- {b} > {w} ({m}): {gap:+.2f} vs {margin:.2f} '
                      f'{marks[ok]}' for b, w, m, gap, margin, ok in checks]
        parts.append('')
    return '\n'.join(parts)
