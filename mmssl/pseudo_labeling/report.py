"""Bar plot of the labeled split's and the pseudo-labels' class
distributions (paper table 5 as a picture)."""
import os

import numpy as np


def class_bar_plot(path: str, class_names, bars, ylabel: str, title: str,
                   ylim=None) -> None:
    """Write a PNG (atomically) with one group of bars per class:
    ``bars`` is a list of ``(label, values)``, ``values`` one per class."""
    import io

    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    from .io import atomic_write_bytes
    n = len(class_names)
    x = np.arange(n)
    fig, ax = plt.subplots(figsize=(max(6, 0.5 * n + 2), 4))
    width = 0.8 / len(bars)
    for k, (name, values) in enumerate(bars):
        ax.bar(x + (k - (len(bars) - 1) / 2) * width, values, width,
               label=name)
    ax.set_xticks(x)
    ax.set_xticklabels(class_names, rotation=60, ha='right', fontsize=8)
    ax.set_ylabel(ylabel)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format='png', dpi=100)
    plt.close(fig)
    os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
    atomic_write_bytes(path, buf.getvalue())


def plot_distributions(path: str, class_names, summary: dict) -> None:
    """Write a PNG with one pair of bars per class (labeled, pseudo)."""
    bars = [('labeled split', summary.get('labeled_distribution')),
            ('pseudo-labels', summary.get('pseudo_label_distribution')),
            ('predicted (argmax)', summary.get('predicted_distribution'))]
    bars = [(k, v) for k, v in bars if v is not None]
    title = f"{summary['policy']['type']} pseudo-labels"
    if 'kl_labeled_pseudo' in summary:
        title += f", KL(labeled||pseudo) = {summary['kl_labeled_pseudo']:.4f}"
    class_bar_plot(path, class_names, bars, 'share of pixels', title)
