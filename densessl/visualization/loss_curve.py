import json
from typing import Dict, List, Sequence

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
                     title: str = 'training loss', smooth: int = 1) -> str:
    """Draw one line per loss key (optionally a moving average) to PNG."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    if not series:
        raise ValueError('No loss values to plot.')
    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
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
