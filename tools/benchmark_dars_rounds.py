"""DARS rounds benchmark: round 0 -> 1 -> 2 on the generated data sets.

Per data seed ``d`` (``--data-seeds``) and training seed ``s``
(``--seeds``; split ``s``), with the data, splits and supervised warm-ups of
``tools/benchmark_learning.py`` (run that first; ``data/synthetic`` for
d = 0, ``data/synthetic_data<d>`` otherwise):

* **round 0** is the learning benchmark's supervised warm-up checkpoint
  ``<warmup-dir>/warmup<W>_l<L>_data<d>_seed<s>/iter_<W>.pth``: the DARS demo
  config's ``dars.round0_config`` is the same supervised demo config, and
  ``W`` must be its iteration count (checked), so it is not trained again;
* **rounds 1..K**: ``tools/dars_rounds.py`` with the DARS demo config
  (``configs/dars/dars_deeplabv3plus_r18-d8_1xb8-explicit-cpu-100i_``
  ``synthcityscapes-8.py``: DARS pseudo-labels with alpha 0.2 / 0.5, scale
  range widened in round 2, ``--iters`` iterations of 4 labeled + 4
  pseudo-labeled crops per round from the previous round's weights),
  ``--round0-checkpoint`` and the data root / split / seed as
  ``--cfg-options`` (they reach the pseudo-labeling too);
* every round's model is evaluated with the stock ``tools/test.py`` (the
  DARS demo config, whose test pipeline is the warm-up config's).

Prints the mIoU per round and data seed, the mean, the changes against
round 0, per-class IoU changes (the rare classes by name and every class
moving by more than 5 points), KL(labeled || pseudo) and
KL(labeled || predicted) of each round's pseudo-labels (their summary
JSON), progress lines ``[bench-dars] data1 seed0 round1: step 25/100, eta
0:01:10`` with the benchmark's own step / ETA, and the wall times. Finished
steps are reused (dars_rounds.py skips them; a test result is reused while
newer than its checkpoint). Results: ``<work-dir>/results.json``, written
atomically after every evaluation.

Usage:
    python tools/benchmark_dars_rounds.py [--data-seeds 0 1 2] [--seeds 0]
        [--rounds 2] [--iters 100] [--warmup-iters 300]
        [--warmup-dir work_dirs/bench_demo] [--work-dir work_dirs/bench_dars]
        [--rare-classes bus pole person] [--log-interval 25]
"""
import argparse
import json
import math
import os
import os.path as osp
import statistics
import subprocess
import sys
import threading
import time

from mmengine.config import Config

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import benchmark_learning as bl  # noqa: E402

ROOT = bl.ROOT
DARS_CONFIG = ('configs/dars/dars_deeplabv3plus_r18-d8_1xb8-explicit-cpu-'
               '100i_synthcityscapes-8.py')
RARE = ('bus', 'pole', 'person')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--data-seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--seeds', type=int, nargs='+', default=[0],
                   help='training seeds; seed k uses split k')
    p.add_argument('--num-labeled', type=int, default=8)
    p.add_argument('--rounds', type=int, default=2)
    p.add_argument('--iters', type=int, default=100,
                   help='iterations per round')
    p.add_argument('--warmup-iters', type=int, default=300)
    p.add_argument('--warmup-dir', default='work_dirs/bench_demo',
                   help='work dir of tools/benchmark_learning.py')
    p.add_argument('--config', default=DARS_CONFIG)
    p.add_argument('--work-dir', default='work_dirs/bench_dars')
    p.add_argument('--rare-classes', nargs='+', default=list(RARE))
    p.add_argument('--log-interval', type=int,
                   help='logger interval of the rounds (progress lines)')
    return p.parse_args(argv)


# ---------------------------------------------------------------- checks
def check_round0(config, warmup_iters):
    """The DARS config's round 0 is the learning benchmark's warm-up config
    with ``warmup_iters`` iterations (else its checkpoint is no round 0)."""
    cfg = Config.fromfile(osp.join(ROOT, config))
    r0 = osp.normpath(osp.join(osp.dirname(osp.join(ROOT, config)),
                               cfg.dars.round0_config))
    warm = osp.normpath(osp.join(ROOT, bl.WARMUP))
    if r0 != warm:
        raise SystemExit(f'{config}: dars.round0_config {r0} is not the '
                         f'learning benchmark warm-up config {warm}')
    r0_iters = Config.fromfile(r0).train_cfg.max_iters
    if r0_iters != warmup_iters:
        raise SystemExit(f'round 0 trains {r0_iters} iterations, the '
                         f'warm-up {warmup_iters}: not the same model')
    return cfg


def round_opts(cs_root, split, seed, iters, log_interval):
    """--cfg-options of the rounds: data, split, seed, schedule."""
    opts = [
        f'train_dataloader.dataset.labeled.data_root={cs_root}',
        f'train_dataloader.dataset.unlabeled.data_root={cs_root}',
        f'train_dataloader.dataset.labeled.ann_file={split}/labeled.txt',
        f'train_dataloader.dataset.unlabeled.ann_file={split}/unlabeled.txt',
        f'pseudo_label_cfg.labeled.data_root={cs_root}',
        f'pseudo_label_cfg.unlabeled.data_root={cs_root}',
        f'pseudo_label_cfg.labeled.ann_file={split}/labeled.txt',
        f'pseudo_label_cfg.unlabeled.ann_file={split}/unlabeled.txt',
        f'randomness.seed={seed}',
    ] + bl.eval_root_opts(cs_root) + bl.schedule_opts(iters)
    if log_interval:
        opts.append(f'default_hooks.logger.interval={log_interval}')
    return opts


# ------------------------------------------------------------- progress
class Progress:
    """Benchmark-wide step counter with an ETA from the mean step time."""

    def __init__(self, total):
        self.total, self.done, self.t0 = total, 0, time.time()

    def step(self, what):
        self.done += 1
        el = time.time() - self.t0
        left = self.total - self.done
        eta = bl.fmt_wall(el / self.done * left) if self.done else '?'
        print(f'[bench-dars] step {self.done}/{self.total} done: {what} '
              f'(elapsed {bl.fmt_wall(el)}, eta {eta})', flush=True)


def tail_training(work, label, stop, every=5.0):
    """Echo the Iter(train) progress of the round logs under ``work``."""
    offsets = {}
    while not stop.wait(every):
        for k in range(1, 100):
            log = osp.join(work, f'round{k}', 'train.log')
            if not osp.isfile(log):
                if k > 1 and not osp.isdir(osp.join(work, f'round{k}')):
                    break
                continue
            with open(log, errors='replace') as f:
                f.seek(offsets.get(log, 0))
                text = f.read()
                offsets[log] = f.tell()
            for line in text.splitlines():
                prog = bl.parse_progress(line)
                if prog:
                    print(f'[bench-dars] {label} round{k}: step '
                          f'{prog[0]}/{prog[1]}, eta {prog[2]}', flush=True)


def run_rounds(args, work, label, ckpt0, opts, progress):
    """tools/dars_rounds.py for one (data seed, seed); returns the wall
    seconds of each of its steps (pseudo-labeling / training per round)."""
    cmd = [sys.executable, 'tools/dars_rounds.py', args.config, '--work-dir',
           work, '--rounds', str(args.rounds), '--round0-checkpoint', ckpt0,
           '--cfg-options', *opts]
    log = osp.join(ROOT, work + '.rounds.log')
    os.makedirs(osp.join(ROOT, work), exist_ok=True)
    stop = threading.Event()
    watcher = threading.Thread(
        target=tail_training, args=(osp.join(ROOT, work), label, stop),
        daemon=True)
    watcher.start()
    steps, cur, t_cur = [], None, time.time()
    n_label = n_train = 0
    env = dict(os.environ, PYTHONUNBUFFERED='1')
    with open(log, 'w') as f:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True,
                                errors='replace', env=env)
        for line in proc.stdout:
            f.write(line)
            f.flush()
            if not line.startswith('[dars]'):
                continue
            now = time.time()
            if cur is not None:
                steps.append(dict(step=cur, secs=now - t_cur))
                progress.step(f'{label} {cur}')
            cur, t_cur = None, now
            text = line[len('[dars] '):].strip()
            if 'pseudo_label' in text:
                n_label += 1
                cur = f'round{n_label} pseudo-labels'
            elif 'tools/train.py' in text or 'dist_train' in text:
                n_train += 1
                cur = f'round{n_train} train'
            elif text.startswith('reusing'):
                if text.endswith('.pth'):
                    n_train += 1
                    what = f'round{n_train} train reused'
                else:
                    n_label += 1
                    what = f'round{n_label} pseudo-labels reused'
                print(f'[bench-dars] {label}: {what} ({text})', flush=True)
                progress.step(f'{label} {what}')
            if cur:
                print(f'[bench-dars] {label}: {cur}', flush=True)
        rc = proc.wait()
    stop.set()
    watcher.join()
    if cur is not None and not rc:
        steps.append(dict(step=cur, secs=time.time() - t_cur))
        progress.step(f'{label} {cur}')
    if rc:
        with open(log) as f:
            tail = f.read()[-3000:]
        raise bl.RunFailed(f'dars_rounds failed ({rc}), log {log}:\n{tail}')
    return steps


def evaluate(config, ckpt, work_dir, cs_root):
    """tools/test.py on ckpt; reuses a stored result newer than ckpt."""
    out_json = osp.join(ROOT, work_dir + '.json')
    if (osp.isfile(out_json) and
            osp.getmtime(out_json) > osp.getmtime(osp.join(ROOT, ckpt))):
        with open(out_json) as f:
            rec = json.load(f)
        rec['reused'] = True
        return rec
    t0 = time.time()
    text = bl.run([sys.executable, 'tools/test.py', config, ckpt,
                   '--work-dir', work_dir, '--cfg-options',
                   *bl.eval_root_opts(cs_root)],
                  osp.join(ROOT, work_dir + '.log'))
    miou, aacc = bl.parse_test_metrics(text)
    table = bl.parse_class_table(text)
    rec = dict(mIoU=miou, aAcc=aacc, checkpoint=ckpt,
               per_class_iou={c: r.get('IoU', float('nan'))
                              for c, r in table.items()},
               test_secs=time.time() - t0)
    bl.write_json_atomic(out_json, rec)
    rec['reused'] = False
    return rec


def pseudo_summary(work, k):
    path = osp.join(ROOT, work, f'round{k}', 'pseudo_labels', 'summary.json')
    with open(path) as f:
        s = json.load(f)
    keep = ('policy', 'kl_labeled_pseudo', 'kl_labeled_predicted')
    out = {key: s.get(key) for key in keep}
    for key in ('pseudo_label_distribution', 'labeled_distribution',
                'predicted_distribution'):
        if key in s:
            out[key] = s[key]
    return out


# ---------------------------------------------------------------- report
def report(args, runs):
    rounds = list(range(args.rounds + 1))
    done = [r for r in runs if all(k in r['rounds'] for k in rounds)]
    print(f'\nDARS rounds, {args.num_labeled} labeled images, round 0 = '
          f'warm-up {args.warmup_iters} iterations, rounds of {args.iters} '
          'iterations (mIoU; change against round 0)')
    print(f'{"run":14s} ' + ' '.join(f'{"round " + str(k):>8s}'
                                     for k in rounds) +
          ' ' + ' '.join(f'{"r" + str(k) + "-r0":>7s}' for k in rounds[1:]))
    summary = dict(per_round={}, change={})
    for r in runs:
        m = {k: r['rounds'][k]['mIoU'] for k in rounds if k in r['rounds']}
        row = f'{r["label"]:14s} ' + ' '.join(
            f'{m[k]:8.2f}' if k in m else f'{"-":>8s}' for k in rounds)
        row += ' ' + ' '.join(
            f'{m[k] - m[0]:+7.2f}' if k in m and 0 in m else f'{"-":>7s}'
            for k in rounds[1:])
        print(row)
    if done:
        mean = {k: statistics.mean(r['rounds'][k]['mIoU'] for r in done)
                for k in rounds}
        print(f'{"mean (" + str(len(done)) + ")":14s} ' +
              ' '.join(f'{mean[k]:8.2f}' for k in rounds) + ' ' +
              ' '.join(f'{mean[k] - mean[0]:+7.2f}' for k in rounds[1:]))
        summary['per_round'] = mean
        summary['change'] = {k: mean[k] - mean[0] for k in rounds[1:]}
        summary['improves_over_round0'] = {
            k: sum(r['rounds'][k]['mIoU'] > r['rounds'][0]['mIoU']
                   for r in done) for k in rounds[1:]}
        print('runs where round k beats round 0: ' + ', '.join(
            f'round {k}: {n}/{len(done)}'
            for k, n in summary['improves_over_round0'].items()))
    # KL of the pseudo-labels
    print('\nKL(labeled || pseudo-labels) / KL(labeled || predicted) of '
          'round k\'s pseudo-labels (made by round k-1, natural log):')
    for r in runs:
        print(f'{r["label"]:14s} ' + '   '.join(
            f'round {k}: {s["kl_labeled_pseudo"]:.4f} / '
            f'{s["kl_labeled_predicted"]:.4f}'
            for k, s in sorted(r.get('pseudo', {}).items())))
    # per class
    classes = None
    per_class = {}
    for r in done:
        ious = {k: r['rounds'][k]['per_class_iou'] for k in rounds}
        classes = classes or list(ious[0])
        chg = {k: bl.class_changes(ious[0], ious[k]) for k in rounds[1:]}
        per_class[r['label']] = dict(iou=ious, change=chg)
    if classes:
        mean_iou = {k: {c: bl.nanmean([per_class[lb]['iou'][k].get(c)
                                       for lb in per_class])
                        for c in classes} for k in rounds}
        mean_chg = {k: {c: bl.nanmean([per_class[lb]['change'][k].get(c)
                                       for lb in per_class])
                        for c in classes} for k in rounds[1:]}
        per_class['mean'] = dict(iou=mean_iou, change=mean_chg)
        print('\nper-class IoU (mean over runs) and change against round 0:')
        print(f'{"class":15s} ' + ' '.join(f'{"round " + str(k):>8s}'
                                           for k in rounds) + ' ' +
              ' '.join(f'{"r" + str(k) + "-r0":>7s}' for k in rounds[1:]))
        for c in classes:
            print(f'{c[:15]:15s} ' + ' '.join(
                f'{mean_iou[k][c]:8.2f}' for k in rounds) + ' ' + ' '.join(
                f'{mean_chg[k][c]:+7.2f}' for k in rounds[1:]))
        print(f'\nrare classes ({", ".join(args.rare_classes)}), IoU per run '
              'round 0 -> ' + ' -> '.join(f'round {k}' for k in rounds[1:]))
        for lb, pc in per_class.items():
            print(f'{lb:14s} ' + '   '.join(
                f'{c} ' + ' -> '.join(
                    f'{pc["iou"][k].get(c, float("nan")):.2f}'
                    for k in rounds) for c in args.rare_classes))
        for lb, pc in per_class.items():
            for k in rounds[1:]:
                big = bl.big_changes(pc['change'][k])
                print(f'  {lb} round {k}: classes changing by more than '
                      f'{bl.BIG_CHANGE:g} points: ' +
                      (', '.join(f'{c} {v:+.2f}' for c, v in big)
                       if big else 'none'))
    summary['per_class'] = per_class
    return summary


def main(argv=None):
    t_start = time.time()
    args = parse_args(argv)
    check_round0(args.config, args.warmup_iters)
    work_root = osp.join(ROOT, args.work_dir)
    os.makedirs(work_root, exist_ok=True)
    results_path = osp.join(work_root, 'results.json')
    pairs = [(d, s) for d in args.data_seeds for s in args.seeds]
    # per pair: pseudo-label + train per round, then the round evaluations
    progress = Progress(len(pairs) * (3 * args.rounds + 1))
    runs, failed = [], []
    settings = dict(vars(args), warmup_config=bl.WARMUP,
                    data_roots={d: bl.data_root_for(d)[1]
                                for d in args.data_seeds})

    def save(done=False, summary=None):
        bl.write_json_atomic(results_path, dict(
            settings=settings, runs=runs, failed=failed, complete=done,
            summary=summary, wall_secs=time.time() - t_start))

    for d, s in pairs:
        label = f'data{d} seed{s}'
        _, cs_root = bl.data_root_for(d)
        split = f'splits/{args.num_labeled}/split{s}'
        ckpt0 = osp.join(args.warmup_dir, f'warmup{args.warmup_iters}_l'
                         f'{args.num_labeled}_data{d}_seed{s}',
                         f'iter_{args.warmup_iters}.pth')
        rec = dict(label=label, data_seed=d, seed=s, round0=ckpt0,
                   rounds={}, pseudo={})
        runs.append(rec)
        print(f'\n[bench-dars] {label}: round 0 = {ckpt0}', flush=True)
        missing = [p for p in (ckpt0, osp.join(cs_root, split, 'labeled.txt'))
                   if not osp.isfile(osp.join(ROOT, p))]
        if missing:
            msg = (f'missing {missing}: run tools/benchmark_learning.py '
                   f'--warmup-iters {args.warmup_iters} --data-seeds {d} '
                   f'--seeds {s} --work-dir {args.warmup_dir} first')
            print(f'[bench-dars] {label}: FAILED: {msg}', flush=True)
            failed.append(dict(run=label, error=msg))
            save()
            continue
        work = osp.join(args.work_dir, f'data{d}_seed{s}')
        t0 = time.time()
        try:
            rec['steps'] = run_rounds(
                args, work, label, osp.join(ROOT, ckpt0),
                round_opts(cs_root, split, s, args.iters, args.log_interval),
                progress)
            rec['rounds_secs'] = time.time() - t0
            for k in range(args.rounds + 1):
                ckpt = ckpt0 if k == 0 else osp.join(
                    work, f'round{k}', f'iter_{args.iters}.pth')
                print(f'[bench-dars] {label}: testing round {k}', flush=True)
                res = evaluate(args.config, ckpt,
                               osp.join(work, f'test_round{k}'), cs_root)
                rec['rounds'][k] = res
                if k:
                    rec['pseudo'][k] = pseudo_summary(work, k)
                progress.step(f'{label} test round {k}')
                print(f'[bench-dars] {label} round {k}: mIoU '
                      f'{res["mIoU"]:.2f} aAcc {res["aAcc"]:.2f}' +
                      (f', KL(labeled||pseudo) '
                       f'{rec["pseudo"][k]["kl_labeled_pseudo"]:.4f}'
                       if k else '') + (' (reused)' if res['reused'] else ''),
                      flush=True)
                save()
        except (bl.RunFailed, IndexError, OSError, KeyError) as e:
            print(f'[bench-dars] {label}: FAILED\n{e}', flush=True)
            failed.append(dict(run=label, error=str(e)))
            save()
            continue
        rec['secs'] = time.time() - t0
        steps = ', '.join('{} {:.0f}s'.format(x['step'], x['secs'])
                          for x in rec['steps']) or 'all reused'
        print(f'[bench-dars] {label}: {bl.fmt_wall(rec["secs"])} ({steps})',
              flush=True)
    summary = report(args, runs)
    wall = time.time() - t_start
    save(done=not failed, summary=summary)
    if failed:
        print(f'\n[bench-dars] {len(failed)} run(s) failed: ' +
              ', '.join(f['run'] for f in failed))
    print(f'\n[bench-dars] total wall time {bl.fmt_wall(wall)} ({wall:.0f}s)'
          f'; results in {osp.join(args.work_dir, "results.json")}',
          flush=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
