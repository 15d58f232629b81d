"""Resume is exact for every method (issue 16): 4 training steps straight
vs 2 steps + resume + 2 steps give bit-identical student, teacher, filter
buffers and optimizer state.

Real path: each method's shipped config (``tests/method_cfgs.py``: demo /
paper configs shrunk to a tiny model and 32x32 crops of the generated
data), mmengine ``Runner.from_cfg`` in process with ``IterBasedTrainLoop``,
``CheckpointHook(interval=2)``, and for the resume ``resume=True`` with
``load_from`` = the straight run's ``iter_2.pth`` (what ``tools/train.py
--resume`` does with the work dir's last checkpoint). Seeded
(``randomness.seed=0``), no dataloader workers.

Per method, one straight run and one resumed run of the config as
shipped. The data position (sampler and pipeline randomness, replayed by
mmengine's dataloader skip) and the teacher / EMA / filter state come back
with the checkpoint; the global torch RNG (dropout in the student's heads,
the mixing methods' masks and partners) comes back through mmssl's
``RNGStateHook`` (in ``configs/_base_/default_runtime.py``'s
``default_hooks``): mmengine's ``Runner.resume`` only re-seeds. Without
that hook every method diverged from step 3 on (measured when this test
was written: dropout and ``torch.rand`` / ``torch.randint`` draws).
"""
import uuid

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.logging import MessageHub

from method_cfgs import make_multitask_root, method_config, semi_data

from mmssl.models.core import HOOK_INFO_KEY

# dense_fixmatch_implicit: Dense FixMatch with ImplicitSemiSampler
# (mmengine's InfiniteSampler) instead of ExplicitSemiSampler
METHODS = ('dense_fixmatch', 'dense_fixmatch_implicit', 'classmix', 'cutmix',
           'dars', 'multitask')
STEPS, RESUME_AT = 4, 2


class Recorder(Hook):
    """Per step: the batch (image paths and uint8 inputs of both views),
    what the model published for hooks, and the logged losses."""
    priority = 'LOWEST'

    def __init__(self):
        self.steps = {}

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        info = MessageHub.get_current_instance().get_info(HOOK_INFO_KEY)
        samples = data_batch['data_samples']
        self.steps[runner.iter] = dict(
            paths=[(w.img_path, s.img_path)
                   for w, s in zip(samples['weak'], samples['strong'])],
            inputs={
                b: [x.clone() for x in data_batch['inputs'][b]]
                for b in ('weak', 'strong')
            },
            published={
                k: v.detach().clone()
                for k, v in info.items() if isinstance(v, torch.Tensor)
            },
            losses={k: float(v)
                    for k, v in (outputs or {}).items()})


def _train(cfg: Config, work_dir, resume_from=None):
    from mmengine.runner import Runner
    cfg = Config(cfg.to_dict())  # a fresh copy (Runner mutates it)
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = f'resume_{uuid.uuid4().hex}'
    if cfg.get('visualizer'):
        # mmseg's runtime names its visualizer 'visualizer': a global
        # instance that a second Runner would reuse with the first one's
        # save_dir
        cfg.visualizer['name'] = cfg.experiment_name
    if resume_from is not None:
        cfg.resume = True
        cfg.load_from = str(resume_from)
    runner = Runner.from_cfg(cfg)
    recorder = Recorder()
    runner.register_hook(recorder)
    runner.train()
    return recorder.steps


def _load(path):
    return torch.load(str(path), map_location='cpu')  # weights_only


@pytest.fixture(scope='module', autouse=True)
def _cheap_pretty_text():
    """mmengine formats the whole config with yapf (seconds for these
    configs) for the log, the work dir dump and every checkpoint's meta;
    none of that is compared here."""
    mp = pytest.MonkeyPatch()
    mp.setattr(Config, 'pretty_text', property(lambda self: self.text))
    yield
    mp.undo()


@pytest.fixture(scope='module')
def data(tiny_env, tmp_path_factory):
    return dict(
        semi_data(tiny_env),
        mt_root=make_multitask_root(str(tmp_path_factory.mktemp('mt'))))


@pytest.fixture(scope='module', params=METHODS)
def runs(request, data, tmp_path_factory):
    method = request.param
    base = tmp_path_factory.mktemp(f'resume_{method}')
    cfg = method_config(method.replace('_implicit', ''), data, str(base),
                        max_iters=STEPS, checkpoint_interval=RESUME_AT,
                        implicit=method.endswith('_implicit'))
    straight = _train(cfg, base / 'straight')
    ckpt = base / 'straight' / f'iter_{RESUME_AT}.pth'
    resumed = _train(cfg, base / 'resumed', resume_from=ckpt)
    return dict(
        method=method,
        steps=dict(straight=straight, resumed=resumed),
        mid=_load(ckpt)['state_dict'],
        rng_state=_load(ckpt).get('rng_state'),
        ckpts={
            name: _load(base / name / f'iter_{STEPS}.pth')
            for name in ('straight', 'resumed')
        })


# ---------------------------------------------------------------- compare
def _diff_tree(a, b, where, out):
    """Append to ``out`` the paths where two nested checkpoint structures
    differ (tensors by ``torch.equal``, dtypes included)."""
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)
                and a.dtype == b.dtype and a.shape == b.shape
                and torch.equal(a, b)):
            out.append(where)
    elif isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            out.append(f'{where} keys {sorted(set(a) ^ set(b), key=str)}')
        for k in set(a) & set(b):
            _diff_tree(a[k], b[k], f'{where}.{k}', out)
    elif isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if len(a) != len(b):
            out.append(f'{where} length')
        for i, (x, y) in enumerate(zip(a, b)):
            _diff_tree(x, y, f'{where}[{i}]', out)
    elif a != b:
        out.append(where)


def _checkpoint_diffs(a, b):
    out = []
    assert a['meta']['iter'] == b['meta']['iter'] == STEPS
    _diff_tree(a['state_dict'], b['state_dict'], 'state_dict', out)
    _diff_tree(a['optimizer'], b['optimizer'], 'optimizer', out)
    _diff_tree(a['param_schedulers'], b['param_schedulers'],
               'param_schedulers', out)
    return out


def _step_diffs(straight, resumed, keys=('paths', 'inputs', 'published',
                                         'losses')):
    out = []
    assert sorted(resumed) == list(range(RESUME_AT, STEPS))
    for it in range(RESUME_AT, STEPS):
        for key in keys:
            _diff_tree(straight[it][key], resumed[it][key],
                       f'step {it + 1} {key}', out)
    return out


def _summary(diffs, n=10):
    """The per-step differences first (where the runs part), then the
    state dict, then the rest."""
    order = ('step', 'state_dict', '')
    ranked = sorted(diffs, key=lambda d: (
        [d.startswith(p) for p in order].index(True), d))
    return f'{len(diffs)} differences: {ranked[:n]}'


def _tensors_checked(ckpt):
    sd = ckpt['state_dict']
    return (sum(k.startswith('student.') for k in sd),
            sum(k.startswith('teacher.') for k in sd),
            len(ckpt['optimizer']['state']))


# ------------------------------------------------------------------ tests
def test_resume_restores_data_position_and_teacher(runs):
    """After the resume the loop sees the same samples with the same
    augmentations (the ExplicitSemiSampler stream and the pipeline's numpy
    RNG are replayed by mmengine's dataloader skip), and at the first
    resumed step the teacher (restored EMA weights and BN statistics, DARS
    histogram and step-seeded sampling) produces the same weak-view labels
    and pseudo-labels (mixed ones included)."""
    straight, resumed = runs['steps']['straight'], runs['steps']['resumed']
    diffs = _step_diffs(straight, resumed, keys=('paths', 'inputs'))
    assert not diffs, _summary(diffs)
    first = RESUME_AT
    for key in ('weak_labels', 'pseudo_labels', 'student_inputs'):
        assert torch.equal(straight[first]['published'][key],
                           resumed[first]['published'][key]), key
    if runs['method'] == 'dars':
        # the filter really removed pseudo-labels at that step
        labels = resumed[first]['published']['pseudo_labels']
        assert (labels == 255).float().mean() > 0.2


def test_resume_is_exact(runs):
    """4 straight steps == 2 + resume + 2, bitwise: every tensor of the
    final state dict (student, teacher, filter buffers), the optimizer
    state, the schedulers, and every resumed step's batch, published
    pseudo-labels / mixed inputs and losses."""
    a, b = runs['ckpts']['straight'], runs['ckpts']['resumed']
    diffs = _checkpoint_diffs(a, b)
    diffs += _step_diffs(runs['steps']['straight'], runs['steps']['resumed'])
    assert not diffs, _summary(diffs)
    # the shipped config checkpoints one torch RNG state per rank
    assert len(runs['rng_state']) == 1
    assert torch.is_tensor(runs['rng_state'][0]['torch'])
    n_student, n_teacher, n_opt = _tensors_checked(a)
    assert n_student == n_teacher > 0 and n_opt > 0
    sd = a['state_dict']
    if runs['method'] == 'dars':
        assert int(sd['pseudo_label_filter.step']) == STEPS
        assert sd['pseudo_label_filter.hist'].sum() > 0
    # the comparison has teeth: the resumed part trained (teacher and
    # student moved between steps 2 and 4)
    mid = runs['mid']
    assert any(not torch.equal(v, mid[k]) for k, v in sd.items()
               if k.startswith('teacher.') and v.is_floating_point())
    assert any(not torch.equal(v, mid[k]) for k, v in sd.items()
               if k.startswith('student.') and v.is_floating_point())
