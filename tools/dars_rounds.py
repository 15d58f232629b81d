# Copyright (c) mmssl contributors.
"""DARS self-training rounds end to end, skipping finished steps.

Usage:
    python tools/dars_rounds.py CONFIG [--work-dir DIR] [--gpus N]
                                [--rounds K] [--round0-checkpoint CKPT]
                                [--cfg-options ...]

CONFIG is a round-k config of configs/dars/ (its ``dars`` dict names the
round-0 config and each round's alpha / beta_min / beta_max). Steps:

    round0/                 train the round-0 config (labeled only)
    round<k>/pseudo_labels/ tools/pseudo_label.py with round k-1's model,
                            alpha_k (summary.json marks it finished)
    round<k>/               train CONFIG from round k-1's weights on
                            labeled + pseudo-labeled data, scale range
                            [(1-beta_min) s_min, (1+beta_max) s_max]

Round k resumes from round k-1 as the authors' code does (sec. 3.1 "the
student model resumes from the teacher model"; tool/train.py lines
240-248 load the checkpoint's weights, epoch and optimizer state, and each
round's yaml trains to ``epochs: 200 (k+1)`` on one poly schedule):
``load_from`` = round k-1's checkpoint, its optimizer state through
``LoadOptimizerStateHook`` (``dars.resume_optimizer``), and the config's
poly schedule starting at ``lr * (1 - k/(k+1))^power``
(``dars.continue_poly``), where the authors' poly schedule over (k+1)
equal rounds is when round k begins.

A step is skipped when its output exists (final checkpoint, summary.json);
an interrupted pseudo-labeling step resumes. Round configs are written
atomically (temporary file + ``os.replace``). ``--round0-checkpoint`` takes
an existing round-0 model (a checkpoint of the round-0 config trained
elsewhere, e.g. the learning benchmark's supervised warm-up) instead of
training round0/. ``--cfg-options`` apply to the pseudo-labeling steps and
the round configs (not to round 0); with options, the merged CONFIG is
written to DIR/dars_config.py and pseudo-labeling reads that. ``--gpus N > 1`` runs every
step through the dist launchers (torchrun; gloo on a CPU host).
"""
import argparse
import os
import os.path as osp
import subprocess
import sys

from mmengine.config import Config, DictAction

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config')
    p.add_argument('--work-dir')
    p.add_argument('--gpus', type=int, default=1)
    p.add_argument('--rounds', type=int, help='default: all in the config')
    p.add_argument('--round0-checkpoint',
                   help='use this round-0 model instead of training '
                   'round0/ (it must be a checkpoint of dars.round0_config '
                   'on the same data and split)')
    p.add_argument('--cfg-options', nargs='+', action=DictAction,
                   help='applied to the pseudo-labeling steps and every '
                   'round config (not round 0)')
    return p.parse_args(argv)


def set_ratio_range(node, ratio_range) -> int:
    """Set ``ratio_range`` of every transform holding one (RandomResize)
    under ``node``; returns how many."""
    count = 0
    if isinstance(node, dict):
        if 'ratio_range' in node and 'type' in node:
            node['ratio_range'] = tuple(ratio_range)
            count += 1
        for v in node.values():
            count += set_ratio_range(v, ratio_range)
    elif isinstance(node, (list, tuple)):
        for v in node:
            count += set_ratio_range(v, ratio_range)
    return count


def scale_range(base, beta_min: float, beta_max: float):
    """``[(1 - beta_min) s_min, (1 + beta_max) s_max]`` (section 3.3)."""
    return ((1 - beta_min) * base[0], (1 + beta_max) * base[1])


def continued_poly_factor(k: int, power: float) -> float:
    """The authors' poly learning-rate factor when round k begins:
    ``poly_learning_rate(base_lr, curr_iter, max_iter)`` (authors' code:
    util/util.py, ``base_lr * (1 - curr_iter / max_iter) ** power``) with
    round k resuming at epoch ``200 k`` of ``max epochs 200 (k+1)``
    (train_..._round{1,2}.yaml ``epochs: 400`` / ``600``, "resume from 200
    epoch ckpt, this round actually has 200 epochs"): every round has the
    same number of epochs, so the factor is ``(1 - k / (k+1)) ** power``,
    whatever the iterations per epoch."""
    return (1.0 - k / (k + 1.0))**power


def poly_power(cfg: Config) -> float:
    polys = [s for s in cfg.get('param_scheduler') or []
             if s.get('type') == 'PolyLR']
    if len(polys) != 1:
        raise ValueError(f'{cfg.filename}: dars.continue_poly needs exactly '
                         'one PolyLR in param_scheduler, found '
                         f'{len(polys)}')
    return float(polys[0].get('power', 1.0))


def pseudo_part_is_marked(pipeline) -> bool:
    return any(t.get('type') == 'MarkPseudoLabeled' for t in pipeline or [])


def dump_atomic(cfg: Config, path: str) -> None:
    """``cfg.dump(path)`` through a temporary file and ``os.replace``."""
    from mmssl.pseudo_labeling.io import atomic_write_bytes
    atomic_write_bytes(path, cfg.pretty_text.encode('utf-8'))


def final_checkpoint(cfg: Config, work_dir: str) -> str:
    return osp.join(work_dir, f'iter_{cfg.train_cfg.max_iters}.pth')


def _run(cmd, log):
    print('[dars] ' + ' '.join(cmd), flush=True)
    with open(log, 'a') as f:
        proc = subprocess.run(cmd, cwd=ROOT, stdout=f,
                              stderr=subprocess.STDOUT)
    if proc.returncode:
        with open(log) as f:
            tail = f.read()[-3000:]
        raise SystemExit(f'[dars] step failed (exit {proc.returncode}), log '
                         f'{log}:\n{tail}')


def train(config: str, work_dir: str, gpus: int, ckpt: str):
    if osp.isfile(ckpt):
        print(f'[dars] reusing {ckpt}', flush=True)
        return
    os.makedirs(work_dir, exist_ok=True)
    if gpus > 1:
        cmd = ['bash', 'tools/dist_train.sh', config, str(gpus),
               '--work-dir', work_dir]
    else:
        cmd = [sys.executable, 'tools/train.py', config, '--work-dir',
               work_dir]
    _run(cmd, osp.join(work_dir, 'train.log'))
    if not osp.isfile(ckpt):
        raise SystemExit(f'[dars] training {config} finished without {ckpt}')


def pseudo_label(config: str, ckpt: str, out: str, alpha: float, gpus: int):
    if osp.isfile(osp.join(out, 'summary.json')):
        print(f'[dars] reusing {out}', flush=True)
        return
    os.makedirs(out, exist_ok=True)
    args = [config, ckpt, '--out', out, '--alpha', str(alpha)]
    if gpus > 1:
        cmd = ['bash', 'tools/dist_pseudo_label.sh', args[0], args[1],
               str(gpus)] + args[2:]
    else:
        cmd = [sys.executable, 'tools/pseudo_label.py'] + args
    _run(cmd, osp.join(out, 'pseudo_label.log'))


def round_config(cfg: Config, k: int, spec: dict, prev_ckpt: str,
                 labels_root: str, out: str) -> str:
    """Write round k's config (from CONFIG) and return its path: round
    k-1's weights (``load_from``) and optimizer state, the continued poly
    schedule, the round's pseudo-labels and scale range."""
    cfg = Config(cfg.to_dict(), filename=cfg.filename)
    cfg.load_from = prev_ckpt
    seg_prefix = cfg.pseudo_label_cfg.get('seg_map_path')
    part = cfg.train_dataloader.dataset.unlabeled
    if not pseudo_part_is_marked(part.get('pipeline')):
        raise ValueError(
            f'{cfg.filename}: the pseudo-labeled part\'s pipeline '
            '(train_dataloader.dataset.unlabeled.pipeline) needs '
            "dict(type='MarkPseudoLabeled') after PackSegInputs, so that its "
            'loss is averaged on its own (eq. 2)')
    part.data_prefix.seg_map_path = osp.join(labels_root, seg_prefix)
    rng = scale_range(cfg.dars.get('scale_range', (0.5, 2.0)),
                      spec.get('beta_min', 0.0), spec.get('beta_max', 0.0))
    if not set_ratio_range(cfg.train_dataloader, rng):
        raise ValueError(f'{cfg.filename}: no transform with ratio_range in '
                         'train_dataloader; the scale range cannot be set')
    lr_factor = 1.0
    if cfg.dars.get('continue_poly', False):
        lr_factor = continued_poly_factor(k, poly_power(cfg))
        cfg.optim_wrapper.optimizer.lr = (
            cfg.optim_wrapper.optimizer.lr * lr_factor)
    if cfg.dars.get('resume_optimizer', False):
        hooks = [h for h in cfg.get('custom_hooks') or []
                 if h.get('type') != 'LoadOptimizerStateHook']
        cfg.custom_hooks = hooks + [
            dict(type='LoadOptimizerStateHook', checkpoint=prev_ckpt)
        ]
    cfg.dars_round = dict(k=k, scale_range=rng, lr_factor=lr_factor, **spec)
    path = osp.join(out, f'round{k}_config.py')
    dump_atomic(cfg, path)
    return path


def main(argv=None):
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if 'dars' not in cfg or not cfg.dars.get('round0_config'):
        raise KeyError(f'{args.config}: needs dars=dict(round0_config=..., '
                       'rounds=[dict(alpha=..., beta_min=..., beta_max=...)'
                       ', ...]) (see configs/dars/)')
    work = osp.abspath(args.work_dir or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0]))
    round0 = osp.normpath(
        osp.join(osp.dirname(osp.abspath(args.config)),
                 cfg.dars.round0_config))
    if not osp.isfile(round0):
        raise FileNotFoundError(f'{args.config}: dars.round0_config {round0} '
                                'does not exist')
    rounds = list(cfg.dars.rounds)[:args.rounds]
    label_config = args.config
    if args.cfg_options:  # the pseudo-labeling steps see them too
        os.makedirs(work, exist_ok=True)
        label_config = osp.join(work, 'dars_config.py')
        dump_atomic(cfg, label_config)
    if args.round0_checkpoint:
        ckpt = osp.abspath(args.round0_checkpoint)
        if not osp.isfile(ckpt):
            raise FileNotFoundError(
                f'--round0-checkpoint {args.round0_checkpoint} does not '
                'exist')
        print(f'[dars] round 0: {ckpt} (--round0-checkpoint)', flush=True)
    else:
        r0_dir = osp.join(work, 'round0')
        ckpt = final_checkpoint(Config.fromfile(round0), r0_dir)
        train(round0, r0_dir, args.gpus, ckpt)
    for k, spec in enumerate(rounds, 1):
        out = osp.join(work, f'round{k}')
        labels = osp.join(out, 'pseudo_labels')
        # pseudo-labels from round k-1, with this round's alpha
        pseudo_label(label_config, ckpt, labels, spec['alpha'], args.gpus)
        config_k = round_config(cfg, k, dict(spec), ckpt, labels, out)
        ckpt = final_checkpoint(cfg, out)
        train(config_k, out, args.gpus, ckpt)
    print(f'[dars] done: {ckpt}', flush=True)
    return ckpt


if __name__ == '__main__':
    main()
