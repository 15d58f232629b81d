"""Report of a learning benchmark: markdown tables and bar plots from the
results JSON written by the benchmark runner.

Input schema (``settings`` and ``regime`` are passed through as they are)::

    {"settings": {...}, "regime": {"<dataset>/<split>": {...}},
     "runs": [{"arm": "dense_fixmatch", "data_seed": 0, "split": "1-8",
               "seed": 0, "task": "seg" | "multitask",
               "mIoU": 55.1, "aAcc": 90.2, "per_class": {"road": 95.0},
               "bbox_mAP": 20.1, "bbox_mAP_50": 41.0,  # multitask only
               "train_secs": 120.0}, ...]}

Statistics: the runs of one (arm, data_seed, split) are first averaged over
their training seeds; the mean and sample std (``statistics.stdev``, None for
a single value) of a split are then taken over the data seeds (datasets).
A missing, None or NaN metric is skipped and counted as missing. Paired
changes are arm - reference per (data_seed, split) where both have the
metric; a "win" is a pair where the arm is strictly above its reference.
Each arm is compared with the reference arm of its task (``seg`` ->
``baseline``, ``multitask`` -> ``mt_baseline`` by default); extra rows
(``all_labels``, ``stage1`` by default, when present) are shown but not
compared.

Several results files (invocations of the benchmark with other arms or
datasets) make one report: their runs are merged, a run found in more than
one file (a finished run the runner reused) counted once.

    python tools/analysis_tools/benchmark_report.py RESULTS.json [MORE.json] \\
        --md OUT.md --png-prefix OUT_PREFIX \\
        [--arms a=Label b=Label ...] \\
        [--reference seg=baseline multitask=mt_baseline] \\
        [--extra all_labels stage1] [--title TITLE] [--threshold 5]
"""
import argparse
import json
import math
import os
import os.path as osp
import re
import statistics
import sys
import tempfile

REQUIRED_KEYS = ('arm', 'data_seed', 'split', 'task')
DEFAULT_REFERENCE = {'seg': 'baseline', 'multitask': 'mt_baseline'}
DEFAULT_EXTRA = ('all_labels', 'stage1')
# per task: the metrics of its table, in column order
TASK_METRICS = {'seg': ('mIoU',),
                'multitask': ('mIoU', 'bbox_mAP', 'bbox_mAP_50')}
METRIC_NAMES = {'mIoU': 'mIoU', 'aAcc': 'aAcc', 'bbox_mAP': 'mAP',
                'bbox_mAP_50': 'mAP50'}
TASK_TITLES = {'seg': 'Semi-supervised segmentation',
               'multitask': 'Multi-task (segmentation + detection)'}
DASH = '–'


# ---------------------------------------------------------------- loading
def _run_name(i, run):
    """``run #i (arm=..., data_seed=..., split=..., seed=...)`` with the
    identifying keys the run has."""
    keys = [f'{k}={run[k]!r}' for k in ('arm', 'data_seed', 'split', 'seed')
            if isinstance(run, dict) and k in run]
    return f'run #{i}' + (f' ({", ".join(keys)})' if keys else '')


def validate_runs(runs):
    """Check each run is a dict with the keys of ``REQUIRED_KEYS``; raises
    ValueError naming the run and the missing key."""
    if not isinstance(runs, list):
        raise ValueError(f'"runs" must be a list, got {type(runs).__name__}')
    for i, run in enumerate(runs):
        if not isinstance(run, dict):
            raise ValueError(f'{_run_name(i, run)} is not an object: {run!r}')
        for key in REQUIRED_KEYS:
            if run.get(key) is None:
                raise ValueError(
                    f'{_run_name(i, run)} has no {key!r} (required keys: '
                    f'{", ".join(REQUIRED_KEYS)})')
    return runs


def load_results(path):
    """The whole results JSON (``settings``, ``regime``, validated
    ``runs``)."""
    with open(path) as f:
        results = json.load(f)
    if not isinstance(results, dict) or 'runs' not in results:
        raise ValueError(f'{path}: no "runs" list at the top level')
    validate_runs(results['runs'])
    results.setdefault('settings', {})
    results.setdefault('regime', {})
    return results


RUN_KEY = ('arm', 'data_seed', 'split', 'seed', 'task')
RUN_VALUES = ('mIoU', 'aAcc', 'bbox_mAP', 'bbox_mAP_50', 'per_class')


def _merge_settings(named):
    """Settings of several results files: a key's value where the files
    that have it agree, else the list of their distinct values."""
    out = {}
    for key in dict.fromkeys(k for _, s in named for k in s):
        values = []
        for _, s in named:
            if key in s and s[key] not in values:
                values.append(s[key])
        out[key] = values[0] if len(values) == 1 else values
    return out


def _merge_regime(regimes):
    """Regime entries of several files per dataset/split: the first file's
    values, a missing or None one filled from a later file (one invocation
    may have run the all-label model, another not)."""
    out = {}
    for regime in regimes:
        for name, entry in regime.items():
            if not isinstance(entry, dict) or name not in out:
                out.setdefault(name, entry)
                continue
            for k, v in entry.items():
                if out[name].get(k) is None:
                    out[name][k] = v
    return out


def merge_results(paths):
    """One results dict from several results JSONs (e.g. invocations of the
    benchmark with different arms or datasets): their runs in order, a run
    present in several files (same arm, data seed, split, training seed and
    task: a finished run reused) kept once. ValueError naming both files
    when two such runs differ in a metric."""
    loaded = [(p, load_results(p)) for p in paths]
    runs, seen = [], {}
    for path, results in loaded:
        for run in results['runs']:
            key = tuple(run.get(k) for k in RUN_KEY)
            if key in seen:
                first_path, first = seen[key]
                diff = [k for k in RUN_VALUES if first.get(k) != run.get(k)]
                if diff:
                    raise ValueError(
                        f'{path} and {first_path} both have the run '
                        f'{dict(zip(RUN_KEY, key))} with different '
                        f'{", ".join(diff)}')
                continue
            seen[key] = (path, run)
            runs.append(run)
    return dict(
        settings=_merge_settings([(p, r['settings']) for p, r in loaded]),
        regime=_merge_regime([r['regime'] for _, r in loaded]), runs=runs)


def load_runs(path):
    """The list of run dicts of a results JSON; ValueError naming the run
    and the key when a run lacks one of ``REQUIRED_KEYS``."""
    return load_results(path)['runs']


# ---------------------------------------------------------------- helpers
def _value(x):
    """A finite float, or None for a missing / None / NaN / non-number."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    return None if math.isnan(x) or math.isinf(x) else float(x)


def _mean(values):
    return sum(values) / len(values) if values else None


def _std(values):
    """Sample std; None for fewer than two values."""
    return statistics.stdev(values) if len(values) > 1 else None


def _split_key(split):
    m = re.fullmatch(r'\s*1\s*[-_/:]\s*(\d+)\s*', str(split))
    return int(m.group(1)) if m else None


def split_order(runs):
    """The splits of ``runs``: fewest labels first (1-16, 1-8, 1-4, ...)
    when all read ``1-k``; else in order of first appearance."""
    splits = list(dict.fromkeys(r['split'] for r in runs))
    keys = [_split_key(s) for s in splits]
    if splits and all(k is not None for k in keys):
        splits.sort(key=lambda s: -_split_key(s))
    return splits


def arm_order(runs):
    """Arms in order of first appearance."""
    return list(dict.fromkeys(r['arm'] for r in runs))


def arm_tasks(runs):
    """``{arm: task}``; ValueError when an arm's runs have two tasks."""
    tasks = {}
    for r in runs:
        if tasks.setdefault(r['arm'], r['task']) != r['task']:
            raise ValueError(f'arm {r["arm"]!r} has runs of two tasks: '
                             f'{tasks[r["arm"]]!r} and {r["task"]!r}')
    return tasks


def cell_values(runs, arm, metric):
    """``({(data_seed, split): value}, missing)``: ``metric`` of ``arm``
    per dataset and split, averaged over training seeds; ``missing`` counts
    the runs of ``arm`` without the metric."""
    per_cell, missing = {}, 0
    for r in runs:
        if r['arm'] != arm:
            continue
        v = _value(r.get(metric))
        if v is None:
            missing += 1
            continue
        per_cell.setdefault((r['data_seed'], r['split']), []).append(v)
    return {k: _mean(v) for k, v in per_cell.items()}, missing


# ------------------------------------------------------------ statistics
def summarize(runs, arms, metric):
    """Per arm and split the statistics of ``metric`` over data seeds:
    ``{arm: {split: {'mean', 'std', 'n', 'missing', 'values'}}}``.

    ``values`` are the per-dataset values (averaged over training seeds),
    ``std`` the sample std (None for one value), ``n`` the number of
    datasets with the metric, ``missing`` the runs without it. Splits are
    those the arm has runs in, in ``split_order``; an arm without runs maps
    to ``{}``."""
    order = split_order(runs)
    summary = {}
    for arm in arms:
        cells, _ = cell_values(runs, arm, metric)
        arm_runs = [r for r in runs if r['arm'] == arm]
        summary[arm] = {}
        for split in order:
            split_runs = [r for r in arm_runs if r['split'] == split]
            if not split_runs:
                continue
            values = [v for (d, s), v in sorted(
                cells.items(), key=lambda kv: str(kv[0][0])) if s == split]
            summary[arm][split] = dict(
                mean=_mean(values), std=_std(values), n=len(values),
                missing=sum(_value(r.get(metric)) is None
                            for r in split_runs),
                values=values)
    return summary


def paired_changes(runs, arm, reference, metric):
    """``arm - reference`` of ``metric`` per (data_seed, split) where both
    have it, and the wins (pairs where ``arm`` is strictly above)::

        {'pairs': {(data_seed, split): change},
         'per_split': {split: {'mean', 'wins', 'n'}},
         'mean': mean change over all pairs (None without pairs),
         'wins': int, 'n': int}
    """
    a, _ = cell_values(runs, arm, metric)
    b, _ = cell_values(runs, reference, metric)
    pairs = {k: a[k] - b[k] for k in a if k in b}
    per_split = {}
    for split in split_order(runs):
        ch = [c for (d, s), c in pairs.items() if s == split]
        if ch:
            per_split[split] = dict(mean=_mean(ch), n=len(ch),
                                    wins=sum(c > 0 for c in ch))
    changes = list(pairs.values())
    return dict(pairs=pairs, per_split=per_split, mean=_mean(changes),
                wins=sum(c > 0 for c in changes), n=len(changes))


def _per_class_cells(runs, arm):
    """``{(data_seed, split): {class: IoU}}`` averaged over training
    seeds; missing / NaN class values skipped."""
    acc = {}
    for r in runs:
        if r['arm'] != arm or not isinstance(r.get('per_class'), dict):
            continue
        cell = acc.setdefault((r['data_seed'], r['split']), {})
        for c, v in r['per_class'].items():
            v = _value(v)
            if v is not None:
                cell.setdefault(c, []).append(v)
    return {k: {c: _mean(v) for c, v in cell.items()}
            for k, cell in acc.items() if cell}


def class_changes(runs, arm, reference, threshold=5.0):
    """Per-class IoU change ``arm - reference``::

        {'mean': {class: mean change over the (data_seed, split) pairs
                  where both have the class},
         'n_pairs': number of pairs where both have per_class,
         'losers': [(class, mean change)] with mean change < -threshold,
                   worst first,
         'per_pair': {(data_seed, split): [(class, change)] losing more
                      than threshold, worst first}}
    """
    a = _per_class_cells(runs, arm)
    b = _per_class_cells(runs, reference)
    keys = [k for k in a if k in b]
    changes, per_pair = {}, {}
    for k in keys:
        ch = {c: a[k][c] - b[k][c] for c in a[k] if c in b[k]}
        for c, v in ch.items():
            changes.setdefault(c, []).append(v)
        per_pair[k] = sorted(((c, v) for c, v in ch.items()
                              if v < -threshold), key=lambda cv: cv[1])
    mean = {c: _mean(v) for c, v in changes.items()}
    losers = sorted(((c, v) for c, v in mean.items() if v < -threshold),
                    key=lambda cv: cv[1])
    return dict(mean=mean, n_pairs=len(keys), losers=losers,
                per_pair=per_pair)


# --------------------------------------------------------------- markdown
def fmt_cell(stats, n_expected=None):
    """``55.00 ± 1.00``; ``55.00`` for one value; ``–`` for none; ``(n=k)``
    appended when ``k`` differs from ``n_expected``."""
    if not stats or stats['mean'] is None:
        return DASH
    s = f'{stats["mean"]:.2f}'
    if stats['std'] is not None:
        s += f' ± {stats["std"]:.2f}'
    if n_expected is not None and stats['n'] != n_expected:
        s += f' (n={stats["n"]})'
    return s


def fmt_change(change):
    """``+1.30 (5/6)``: mean paired change and wins / pairs."""
    if not change or change['mean'] is None:
        return DASH
    return f'{change["mean"]:+.2f} ({change["wins"]}/{change["n"]})'


def _row(cells):
    return '| ' + ' | '.join(str(c) for c in cells) + ' |'


def _reference_of(arm, tasks, reference):
    """The reference arm of ``arm``: ``reference`` itself when a name,
    else ``reference[task of arm]``."""
    if isinstance(reference, dict):
        return reference.get(tasks.get(arm))
    return reference


def markdown_table(runs, arms, metrics=('mIoU',), labels=None,
                   reference=None, extra=(), threshold=5.0):
    """The papers' layout for ``arms``: rows = arms (display ``labels``),
    columns = splits (per metric when several), cells ``mean ± std`` over
    data seeds, and per metric a ``vs ref (wins)`` column ``+1.30 (5/6)``
    (mean paired change, pairs above the reference / pairs).

    ``reference`` is an arm name or ``{task: arm}``; the reference row reads
    ``ref``, ``extra`` rows (and arms without a reference) ``–``. When
    ``mIoU`` is a metric, a line under the table names per compared arm the
    classes losing more than ``threshold`` IoU on average (or ``none``).
    Returns the markdown text."""
    labels = labels or {}
    reference = reference or {}
    tasks = arm_tasks(runs)
    splits = [s for s in split_order(runs)
              if any(r['split'] == s and r['arm'] in arms for r in runs)]
    summaries = {m: summarize(runs, arms, m) for m in metrics}
    n_expected = {m: max((st['n'] for a in arms
                          for st in summaries[m][a].values()), default=0)
                  for m in metrics}
    multi = len(metrics) > 1
    head = ['Arm']
    for s in splits:
        head += [f'{s} {METRIC_NAMES.get(m, m)}' if multi else s
                 for m in metrics]
    head += [f'vs ref {METRIC_NAMES.get(m, m)} (wins)' if multi
             else 'vs ref (wins)' for m in metrics]
    lines = [_row(head), _row(['---'] + [':---:'] * (len(head) - 1))]
    compared = []
    for arm in arms:
        label = labels.get(arm, arm)
        ref = _reference_of(arm, tasks, reference)
        row = [label]
        for s in splits:
            row += [fmt_cell(summaries[m][arm].get(s), n_expected[m])
                    for m in metrics]
        if arm == ref:
            row[0] = f'{label} (ref)'
            row += ['ref'] * len(metrics)
        elif arm in extra or not ref or not any(
                r['arm'] == ref for r in runs):
            row += [DASH] * len(metrics)
        else:
            compared.append((arm, ref))
            row += [fmt_change(paired_changes(runs, arm, ref, m))
                    for m in metrics]
        lines.append(_row(row))
    notes = []
    for m in metrics:
        miss = [(labels.get(a, a), sum(st['missing'] for st in
                                       summaries[m][a].values()))
                for a in arms]
        miss = [f'{a}: {k}' for a, k in miss if k]
        if miss:
            notes.append(f'Runs without {METRIC_NAMES.get(m, m)} (skipped): '
                         + ', '.join(miss) + '.')
    if 'mIoU' in metrics and compared:
        parts = []
        for arm, ref in compared:
            cc = class_changes(runs, arm, ref, threshold)
            if not cc['n_pairs']:
                what = 'no per-class results'
            elif cc['losers']:
                what = ', '.join(f'{c} ({v:+.2f})' for c, v in cc['losers'])
            else:
                what = 'none'
            parts.append(f'{labels.get(arm, arm)} vs '
                         f'{labels.get(ref, ref)}: {what}')
        notes.append(f'Classes losing > {threshold:g} IoU on average: '
                     + '; '.join(parts) + '.')
    return '\n'.join(lines) + ('\n\n' + '\n\n'.join(notes) if notes else '')


def _regime_table(regime):
    if not regime:
        return ''
    if not all(isinstance(v, dict) for v in regime.values()):
        return '```json\n' + json.dumps(regime, indent=2, default=str) \
            + '\n```'
    cols = list(dict.fromkeys(k for v in regime.values() for k in v))

    def show(x):  # a value not measured (None) reads as a missing one
        if x is None:
            return DASH
        return x if isinstance(x, (str, int, float)) else json.dumps(
            x, default=str)

    lines = [_row(['Regime'] + cols), _row(['---'] * (len(cols) + 1))]
    for name, v in regime.items():
        lines.append(_row([name] + [show(v.get(c, DASH)) for c in cols]))
    return '\n'.join(lines)


def markdown_report(results, arms=None, labels=None, reference=None,
                    extra=None, title='Learning benchmark', images=None,
                    threshold=5.0):
    """The whole report: settings, regimes, one table per task (seg: mIoU;
    multitask: mIoU, bbox mAP and mAP50) with its per-class line, and the
    ``images`` (``{task: [relative png path]}``) under each table."""
    runs = results['runs']
    arms, labels, reference, extra = resolve_spec(
        runs, arms, labels, reference, extra)
    tasks = arm_tasks(runs)
    out = [f'# {title}', '']
    if results.get('settings'):
        out += ['## Settings', '']
        out += [f'- {k}: `{json.dumps(v, default=str)}`'
                for k, v in results['settings'].items()]
        out.append('')
    if results.get('regime'):
        out += ['## Regimes', '', _regime_table(results['regime']), '']
    out += ['Cells: mean ± sample std over data seeds (datasets); '
            'vs ref: mean paired change over (dataset, split) pairs '
            '(pairs above the reference / pairs).', '']
    for task in list(TASK_METRICS) + sorted(
            set(tasks.values()) - set(TASK_METRICS)):
        task_arms = [a for a in arms if tasks.get(a) == task]
        if not task_arms:
            continue
        ref = reference.get(task)
        out += [f'## {TASK_TITLES.get(task, task)}'
                + (f' (reference: {labels.get(ref, ref)})' if ref else ''),
                '', markdown_table(runs, task_arms,
                                   TASK_METRICS.get(task, ('mIoU',)),
                                   labels, reference, extra, threshold), '']
        for png in (images or {}).get(task, []):
            out += [f'![{osp.basename(png)}]({png})', '']
    absent = [a for a in arms if a not in tasks]
    if absent:
        out += ['No runs for: ' + ', '.join(absent) + '.', '']
    hidden = [a for a in arm_order(runs) if a not in arms]
    if hidden:
        out += ['Arms in the results not shown: ' + ', '.join(hidden)
                + '.', '']
    return '\n'.join(out).rstrip('\n') + '\n'


# ------------------------------------------------------------------ plots
def _atomic_target(path):
    d = osp.dirname(osp.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=d, prefix='.' + osp.basename(path) + '.',
                               suffix='.tmp')
    os.close(fd)
    return tmp


def write_text_atomic(path, text):
    """Write ``text`` to a temp file beside ``path``, then ``os.replace``."""
    tmp = _atomic_target(path)
    try:
        with open(tmp, 'w') as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise


def plot_bars(summary, out_png, metric, title, labels=None, references=()):
    """Grouped bar plot of a ``summarize`` result: groups = splits, bars =
    arms (height mean, error bar std); ``references`` arms are hatched.
    The PNG is written atomically; returns ``out_png``."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    labels = labels or {}
    arms = list(summary)
    splits = list(dict.fromkeys(s for a in arms for s in summary[a]))
    width = 0.8 / max(len(arms), 1)
    fig, ax = plt.subplots(figsize=(max(4.0, 1.2 + 1.0 * len(splits)
                                        * max(1, len(arms)) * 0.45) + 3.2,
                                    3.6))
    try:
        for i, arm in enumerate(arms):
            xs, hs, es = [], [], []
            for j, s in enumerate(splits):
                st = summary[arm].get(s)
                if not st or st['mean'] is None:
                    continue
                xs.append(j - 0.4 + width * (i + 0.5))
                hs.append(st['mean'])
                es.append(st['std'] or 0.0)
            label = labels.get(arm, arm)
            ref = arm in references
            ax.bar(xs, hs, width, yerr=es, capsize=3,
                   label=label + (' (ref)' if ref else ''),
                   hatch='//' if ref else None,
                   edgecolor='black' if ref else None,
                   color=plt.get_cmap('tab20')(i % 20))
        ax.set_xticks(range(len(splits)))
        ax.set_xticklabels([str(s) for s in splits])
        ax.set_xlabel('split')
        ax.set_ylabel(METRIC_NAMES.get(metric, metric))
        ax.set_title(title)
        ax.grid(axis='y', alpha=0.3)
        if arms:  # beside the bars, never over them
            ax.legend(fontsize='small', loc='upper left',
                      bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
        fig.tight_layout()
        tmp = _atomic_target(out_png)
        try:
            fig.savefig(tmp, format='png', dpi=100)
            os.replace(tmp, out_png)
        except BaseException:
            if osp.exists(tmp):
                os.remove(tmp)
            raise
    finally:
        plt.close(fig)
    return out_png


# ----------------------------------------------------------------- report
def resolve_spec(runs, arms=None, labels=None, reference=None, extra=None):
    """Defaults: arms in order of first appearance, label = arm name,
    reference ``DEFAULT_REFERENCE`` per task where that arm has runs, extra
    rows ``DEFAULT_EXTRA`` that have runs. ``arms`` may be a list or an
    ordered ``{arm: label}``. Returns ``(arms, labels, reference, extra)``."""
    present = arm_order(runs)
    if isinstance(arms, dict):
        labels = {**arms, **(labels or {})}
        arms = list(arms)
    arms = list(arms) if arms else present
    labels = {a: (labels or {}).get(a) or a for a in arms}
    if reference is None:
        reference = {t: a for t, a in DEFAULT_REFERENCE.items()
                     if a in present}
    if extra is None:
        extra = tuple(a for a in DEFAULT_EXTRA if a in present)
    return arms, labels, dict(reference), tuple(extra)


def write_report(results_json, out_md, out_png_prefix=None, arms=None,
                 labels=None, reference=None, extra=None,
                 title='Learning benchmark', threshold=5.0):
    """Read ``results_json`` (a path, or a list of paths merged by
    ``merge_results``), write the bar plots
    ``<out_png_prefix>_<task>_<metric>.png`` (when a prefix is given) and the
    markdown ``out_md`` (atomically). Returns ``{'md': path, 'png':
    [paths]}``."""
    paths = ([results_json] if isinstance(results_json, str)
             else list(results_json))
    results = (load_results(paths[0]) if len(paths) == 1
               else merge_results(paths))
    runs = results['runs']
    arms, labels, reference, extra = resolve_spec(
        runs, arms, labels, reference, extra)
    tasks = arm_tasks(runs)
    images, pngs = {}, []
    md_dir = osp.dirname(osp.abspath(out_md))
    for task in sorted(set(tasks[a] for a in arms if a in tasks)):
        task_arms = [a for a in arms if tasks.get(a) == task]
        for metric in (TASK_METRICS.get(task, ('mIoU',))
                       if out_png_prefix else ()):
            summary = summarize(runs, task_arms, metric)
            if not any(st['n'] for a in summary for st in
                       summary[a].values()):
                continue
            png = f'{out_png_prefix}_{task}_{metric}.png'
            plot_bars(summary, png, metric,
                      f'{TASK_TITLES.get(task, task)}: '
                      f'{METRIC_NAMES.get(metric, metric)}',
                      labels, references=[reference.get(task)])
            pngs.append(png)
            images.setdefault(task, []).append(
                osp.relpath(osp.abspath(png), md_dir))
    text = markdown_report(results, arms, labels, reference, extra, title,
                           images, threshold)
    write_text_atomic(out_md, text)
    return dict(md=out_md, png=pngs)


def _pairs(items, what):
    out = {}
    for item in items or ():
        key, sep, value = item.partition('=')
        if not key or (what == 'reference' and not (sep and value)):
            raise argparse.ArgumentTypeError(
                f'--{what} expects KEY=VALUE, got {item!r}')
        out[key] = value or key
    return out


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('results', nargs='+',
                        help='results JSON(s) of the benchmark; several are '
                        'merged (a run in more than one is kept once)')
    parser.add_argument('--md', required=True, help='markdown file to write')
    parser.add_argument('--png-prefix',
                        help='bar plots go to PREFIX_<task>_<metric>.png')
    parser.add_argument('--arms', nargs='+', metavar='ARM[=LABEL]',
                        help='arms to show, in order, with display labels '
                        '(default: all, in order of first appearance)')
    parser.add_argument('--reference', nargs='+', metavar='TASK=ARM',
                        help='reference arm per task (default: '
                        'seg=baseline multitask=mt_baseline when present)')
    parser.add_argument('--extra', nargs='*', metavar='ARM',
                        help='rows shown but not compared (default: '
                        f'{" ".join(DEFAULT_EXTRA)} when present)')
    parser.add_argument('--title', default='Learning benchmark')
    parser.add_argument('--threshold', type=float, default=5.0,
                        help='IoU loss that names a class (default 5)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        arms = _pairs(args.arms, 'arms') if args.arms else None
        reference = (_pairs(args.reference, 'reference')
                     if args.reference else None)
        out = write_report(args.results, args.md, args.png_prefix,
                           arms=arms, reference=reference, extra=args.extra,
                           title=args.title, threshold=args.threshold)
    except (ValueError, OSError, argparse.ArgumentTypeError) as e:
        print(f'benchmark_report: error: {e}', file=sys.stderr)
        return 1
    print(f'wrote {out["md"]}' + ''.join(f'\nwrote {p}' for p in out['png']))
    return 0


if __name__ == '__main__':
    sys.exit(main())
