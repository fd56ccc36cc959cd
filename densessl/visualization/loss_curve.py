import json
from typing import Dict, List, Optional, Sequence

import numpy as np


def read_scalars(path: str) -> Dict[str, List[tuple]]:
    """``{key: [(step, value), ...]}`` from MMEngine's ``scalars.json``."""
    series: Dict[str, List[tuple]] = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            record = json.loads(line)
            step = record.get('step', record.get('iter'))
            for key, value in record.items():
                if key.startswith('loss') and isinstance(value, (int, float)):
                    series.setdefault(key, []).append((step, value))
    return series


def plot_loss_curves(series: Dict[str, Sequence[tuple]], out_file: str,
                     title: str = 'training loss', smooth: int = 1,
                     extra: Optional[Dict[str, Sequence[tuple]]] = None
                     ) -> str:
    """Draw one line per loss key (optionally a moving average) to PNG;
    ``extra`` series (e.g. the dense feature measures) get one small panel
    each beside the losses."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    if not series:
        raise ValueError('No loss values to plot.')
    extra = {k: v for k, v in (extra or {}).items() if v}
    fig, axes = plt.subplots(1, 1 + len(extra), dpi=100, squeeze=False,
                             figsize=(7 + 3.2 * len(extra), 4))
    ax = axes[0, 0]
    for panel, key in zip(axes[0, 1:], sorted(extra)):
        steps, values = zip(*extra[key])
        panel.plot(steps, values, marker='o', linewidth=1.5)
        panel.set_title(key, fontsize=9)
        panel.set_xlabel('iteration')
        panel.grid(alpha=0.3)
    for key in sorted(series):
        steps, values = zip(*series[key])
        values = np.asarray(values, dtype=float)
        if smooth > 1 and len(values) >= smooth:
            kernel = np.ones(smooth) / smooth
            values = np.convolve(values, kernel, mode='valid')
            steps = steps[smooth - 1:]
        ax.plot(steps, values, label=key, linewidth=1.5)
    ax.set_xlabel('iteration')
    ax.set_ylabel('loss')
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out_file)
    plt.close(fig)
    return out_file
