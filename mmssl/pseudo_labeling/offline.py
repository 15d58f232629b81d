"""Offline pseudo-labeling of an unlabeled split in two streaming passes.

1. Statistics: the model predicts every image (whole or slide inference as
   the config's ``test_cfg`` says, optional flip averaging of the logits,
   temperature); each image's (argmax class, confidence bin) counts go into
   the histogram of its chunk. Ranks take disjoint chunks and sum the
   histograms (``all_reduce``), so every rank holds the same
   ``[chunks, C, B]`` array; rank 0 saves it atomically. No probability map
   is ever stored.
2. Writing: the policy turns the summed histogram into a
   :class:`~.selection.SelectionPlan`; the model predicts every image again
   and writes its pseudo-label PNG (255 = ignore) in the dataset's own
   layout under the output root, through a temporary file and
   ``os.replace``. Each chunk records its progress (next image, running
   sample-set counts, pseudo-label class counts) atomically after every
   image, so an interrupted run continues where it stopped and writes the
   same bytes.

Images are sorted by name and cut into ``num_chunks`` contiguous chunks
(independent of the number of processes); chunk ``g`` runs on rank
``g % world_size``. Memory: ``num_chunks x C x B`` counts.
"""
import functools
import hashlib
import json
import os
import os.path as osp
import time
from contextlib import contextmanager, nullcontext
from typing import List, Optional

import numpy as np
import torch
from mmengine.dataset import pseudo_collate
from mmengine.dist import all_reduce, barrier, get_dist_info, get_rank
from mmengine.logging import print_log
from mmengine.utils import ProgressBar

from .class_distribution import kl_divergence, normalise
from .histogram import class_bin_counts, confidence_bins
from .io import (atomic_write_bytes, atomic_write_json, encode_label_png,
                 png_is_complete)
from .policies import PseudoLabelPolicy
from .selection import SelectionPlan, apply_plan

STATE_DIR = '.pseudo_label'


def all_reduce_numpy(arr: np.ndarray) -> np.ndarray:
    """Sum an int64 numpy array over ranks (mmengine's ``all_reduce``, which
    moves it to the communication device, e.g. CUDA for NCCL)."""
    if get_dist_info()[1] == 1:
        return arr
    t = torch.from_numpy(np.ascontiguousarray(arr))
    all_reduce(t, op='sum')
    return t.numpy()


def chunk_bounds(num_images: int, num_chunks: int) -> List[tuple]:
    """``[start, end)`` image indices of each chunk (contiguous, sizes
    differing by at most one; empty chunks when images < chunks)."""
    return [(g * num_images // num_chunks, (g + 1) * num_images // num_chunks)
            for g in range(num_chunks)]


def flip_averaged_logits(encode_decode, inputs: torch.Tensor,
                         batch_img_metas) -> torch.Tensor:
    """``(f(x) + flip(f(flip(x)))) / 2`` for a segmentor's ``encode_decode``
    ``f``: the logits of an input and of its horizontal mirror, averaged
    BEFORE any temperature or softmax. The authors' code does this for every
    sliding window (tool/gen_pseudo_label_utils.py ``net_process``:
    ``input = torch.cat([input, input.flip(3)], 0)`` ... ``output =
    (output[0] + output[1].flip(2)) / 2``, its ``flip=True`` default, logits
    with the softmax commented out), and so in evaluation
    (util/validate_full_size.py)."""
    logits = encode_decode(inputs, batch_img_metas)
    mirrored = encode_decode(inputs.flip(-1), batch_img_metas)
    return (logits + mirrored.flip(-1)) / 2


@contextmanager
def flipping(model):
    """Within the block ``model.predict`` / ``inference`` average every
    window's logits with its mirror's (:func:`flip_averaged_logits`): whole
    inference flips the image, slide inference each crop, as the authors."""
    plain = model.encode_decode
    model.encode_decode = functools.partial(flip_averaged_logits, plain)
    try:
        yield model
    finally:
        del model.encode_decode  # the class's method again


class SegmentorPredictor:
    """Class probabilities of one image at its original size from an mmseg
    segmentor: ``predict`` (whole or slide inference per the model's
    ``test_cfg``, logits resized to the original size), optionally with
    every window's logits averaged with its mirror's (``flip``), then
    ``softmax(logits / temperature)``."""

    def __init__(self, model, flip: bool = False, temperature: float = 1.0):
        self.model = model.eval()
        self.flip = bool(flip)
        self.temperature = float(temperature)

    @torch.no_grad()
    def __call__(self, sample: dict) -> torch.Tensor:
        data = self.model.data_preprocessor(pseudo_collate([sample]), False)
        inputs, data_samples = data['inputs'], data['data_samples']
        # a segmentor that flips at test time itself (test_cfg.flip of
        # SelfTrainingEncoderDecoder) is not wrapped a second time
        wrap = self.flip and not getattr(self.model, 'test_flip', False)
        with (flipping(self.model) if wrap else nullcontext()):
            logits = self.model.predict(inputs, data_samples)[0]
        return (logits.seg_logits.data.float() / self.temperature).softmax(0)


class OfflinePseudoLabeler:
    """Two-pass, resumable, distributed pseudo-labeling (module docstring).

    Args:
        predictor: callable ``sample -> probs [C, H, W]``.
        dataset: the unlabeled mmseg dataset, its pipeline loading the
            image and packing it (``PackSegInputs``).
        policy: a :class:`PseudoLabelPolicy`.
        target: the labeled split's class distribution (DA / DARS), or None.
        out_root: output root; PNGs go to
            ``out_root/seg_map_prefix/<stem><seg_map_suffix>``.
        seg_map_prefix: the dataset's label folder, e.g. ``gtFine/train``.
        num_bins, num_chunks, seed: histogram bins, fixed image chunks,
            global seed of the random pixel sampling.
        fingerprint: what identifies the run (model, data, settings); a
            resumed run must match it.
        labeled_counts: labeled split's pixel counts per class (report).
    """

    def __init__(self,
                 predictor,
                 dataset,
                 policy: PseudoLabelPolicy,
                 num_classes: int,
                 out_root: str,
                 seg_map_prefix: str,
                 target: Optional[np.ndarray] = None,
                 num_bins: int = 1000,
                 num_chunks: int = 32,
                 seed: int = 0,
                 fingerprint: Optional[dict] = None,
                 labeled_counts: Optional[np.ndarray] = None,
                 class_names: Optional[List[str]] = None,
                 device='cpu',
                 ignore_index: int = 255):
        if num_classes > ignore_index:
            raise ValueError(f'{num_classes} classes do not fit below the '
                             f'ignore index {ignore_index} in a uint8 PNG')
        self.predictor = predictor
        self.dataset = dataset
        self.policy = policy
        self.num_classes = int(num_classes)
        self.out_root = out_root
        self.seg_map_prefix = seg_map_prefix
        self.target = target
        self.num_bins = int(num_bins)
        self.num_chunks = int(num_chunks)
        self.seed = int(seed)
        self.labeled_counts = labeled_counts
        self.class_names = class_names or [str(j) for j in range(num_classes)]
        self.device = device
        self.ignore_index = ignore_index
        self.state_dir = osp.join(out_root, STATE_DIR)
        self.items = self._sorted_items()
        self.fingerprint = dict(
            fingerprint or {},
            images=len(self.items),
            image_list_sha1=hashlib.sha1('\n'.join(
                s for s, _ in self.items).encode()).hexdigest(),
            num_bins=self.num_bins,
            num_chunks=self.num_chunks,
            seed=self.seed,
            policy=policy.config(),
            target=None if target is None else [float(x) for x in target],
            seg_map_prefix=seg_map_prefix)
        self.bounds = chunk_bounds(len(self.items), self.num_chunks)

    # ------------------------------------------------------------ data
    def _sorted_items(self):
        """``(stem, dataset index)`` sorted by stem, the fixed image order."""
        ds = self.dataset
        img_dir = ds.data_prefix.get('img_path', '')
        sfx = ds.img_suffix
        items = []
        for i in range(len(ds)):
            path = ds.get_data_info(i)['img_path']
            rel = osp.relpath(path, img_dir).replace(os.sep, '/')
            if not rel.endswith(sfx):
                raise ValueError(f'image {path} does not end with the '
                                 f"dataset's img_suffix {sfx!r}")
            items.append((rel[:-len(sfx)], i))
        if not items:
            raise ValueError('the unlabeled split is empty')
        return sorted(items)

    def label_path(self, stem: str) -> str:
        return osp.join(self.out_root, self.seg_map_prefix,
                        stem + self.dataset.seg_map_suffix)

    def _predict(self, index: int):
        stem, ds_index = self.items[index]
        probs = self.predictor(self.dataset[ds_index])
        if probs.shape[0] != self.num_classes:
            raise ValueError(f'the model predicts {probs.shape[0]} classes, '
                             f'the dataset has {self.num_classes}')
        conf, labels = probs.max(0)
        return stem, labels, conf, confidence_bins(conf, self.num_bins)

    def _my_chunks(self):
        rank, world = get_dist_info()
        return [g for g in range(self.num_chunks) if g % world == rank]

    def _progress(self, total: int, title: str):
        rank = get_rank()
        if rank == 0 and total:
            print_log(f'{title}: {total} images on this rank',
                      logger='current')
            return ProgressBar(total)
        return None

    # ------------------------------------------------------------ state
    def _check_run_state(self):
        path = osp.join(self.state_dir, 'run.json')
        rank = get_rank()
        if osp.isfile(path):
            with open(path) as f:
                old = json.load(f)
            diff = sorted(k for k in set(old) | set(self.fingerprint)
                          if old.get(k) != self.fingerprint.get(k))
            if diff:
                raise ValueError(
                    f'{path} describes a different pseudo-labeling run '
                    f'(differs in: {", ".join(diff)}); resume only with the '
                    'same model, split and settings, or write to a new '
                    '--out (or delete that folder)')
        elif rank == 0:
            atomic_write_json(path, self.fingerprint)
        barrier()

    # ------------------------------------------------------- statistics
    @property
    def stats_path(self) -> str:
        return osp.join(self.state_dir, 'stats.npz')

    def statistics(self) -> np.ndarray:
        """``[num_chunks, C, B]`` int64 histograms (loaded when a finished
        statistics pass of this run is on disk)."""
        if osp.isfile(self.stats_path):
            with np.load(self.stats_path) as f:
                hist = f['hist']
            print_log(f'statistics pass: reusing {self.stats_path}',
                      logger='current')
            return hist
        hist = np.zeros((self.num_chunks, self.num_classes, self.num_bins),
                        np.int64)
        chunks = self._my_chunks()
        bar = self._progress(
            sum(self.bounds[g][1] - self.bounds[g][0] for g in chunks),
            'statistics pass')
        for g in chunks:
            start, end = self.bounds[g]
            for i in range(start, end):
                _, labels, _, bins = self._predict(i)
                hist[g] += class_bin_counts(labels, bins, self.num_classes,
                                            self.num_bins).cpu().numpy()
                if bar is not None:
                    bar.update()
        if bar is not None:
            print()
        hist = all_reduce_numpy(hist)
        if get_rank() == 0:
            import io as _io
            buf = _io.BytesIO()
            np.savez(buf, hist=hist)
            atomic_write_bytes(self.stats_path, buf.getvalue())
        barrier()
        return hist

    # ---------------------------------------------------------- writing
    def _chunk_state_path(self, g: int) -> str:
        return osp.join(self.state_dir, f'chunk_{g:05d}.json')

    def _load_chunk_state(self, g: int, prefix: np.ndarray) -> dict:
        fresh = dict(
            next=0, running=prefix.tolist(),
            counts=[0] * self.num_classes)
        path = self._chunk_state_path(g)
        if not osp.isfile(path):
            return fresh
        with open(path) as f:
            state = json.load(f)
        start, _ = self.bounds[g]
        done = all(
            png_is_complete(self.label_path(self.items[i][0]))
            for i in range(start, start + state['next']))
        if not done:
            print_log(f'{path}: an output PNG of this chunk is missing or '
                      'incomplete; rewriting the chunk', logger='current')
            return fresh
        return state

    def write(self, hist: np.ndarray, plan: SelectionPlan) -> None:
        """The writing pass over this rank's chunks (resumes per chunk)."""
        per_chunk = plan.sample_set_counts(hist)  # [G, C]
        prefixes = np.cumsum(per_chunk, axis=0) - per_chunk
        chunks = self._my_chunks()
        states = {g: self._load_chunk_state(g, prefixes[g]) for g in chunks}
        todo = sum(self.bounds[g][1] - self.bounds[g][0] - states[g]['next']
                   for g in chunks)
        bar = self._progress(todo, 'writing pass')
        for g in chunks:
            start, end = self.bounds[g]
            state = states[g]
            running = np.asarray(state['running'], np.int64)
            counts = np.asarray(state['counts'], np.int64)
            for i in range(start + state['next'], end):
                stem, labels, conf, bins = self._predict(i)
                label = apply_plan(plan, labels.cpu().numpy(),
                                   conf.cpu().numpy(), bins.cpu().numpy(),
                                   running, stem, self.seed,
                                   self.ignore_index)
                atomic_write_bytes(self.label_path(stem),
                                   encode_label_png(label))
                counts += np.bincount(
                    label.reshape(-1), minlength=256)[:self.num_classes]
                atomic_write_json(
                    self._chunk_state_path(g),
                    dict(next=i + 1 - start, running=running.tolist(),
                         counts=counts.tolist()))
                if bar is not None:
                    bar.update()
        if bar is not None:
            print()
        barrier()

    # ---------------------------------------------------------- summary
    def pseudo_counts(self) -> np.ndarray:
        counts = np.zeros(self.num_classes, np.int64)
        for g in range(self.num_chunks):
            start, end = self.bounds[g]
            if start == end:
                continue
            with open(self._chunk_state_path(g)) as f:
                state = json.load(f)
            if state['next'] != end - start:
                raise RuntimeError(f'{self._chunk_state_path(g)}: chunk not '
                                   'finished')
            counts += np.asarray(state['counts'], np.int64)
        return counts

    def summarize(self, hist: np.ndarray, plan: SelectionPlan,
                  elapsed: float) -> dict:
        """Write ``summary.json`` and ``class_distribution.png`` (rank 0)."""
        total = hist.sum(0)
        pixels = int(total.sum())
        predicted = total.sum(1)
        pseudo = self.pseudo_counts()
        summary = dict(
            policy=self.policy.config(),
            images=len(self.items),
            pixels=pixels,
            num_bins=self.num_bins,
            num_chunks=self.num_chunks,
            seed=self.seed,
            classes=self.class_names,
            labeled_ratio=float(pseudo.sum()) / max(pixels, 1),
            thresholds=plan.info.get('thresholds'),
            plan=plan.info,
            predicted_counts=predicted.tolist(),
            pseudo_label_counts=pseudo.tolist(),
            pseudo_label_distribution=(normalise(pseudo).tolist()
                                       if pseudo.sum() else None),
            predicted_distribution=normalise(predicted).tolist(),
            elapsed_s=round(elapsed, 2),
            fingerprint=self.fingerprint)
        if self.target is not None:
            summary['labeled_distribution'] = [float(x) for x in self.target]
        if self.labeled_counts is not None:
            summary['labeled_counts'] = [int(x) for x in self.labeled_counts]
        if self.target is not None and pseudo.sum():
            summary['kl_labeled_pseudo'] = kl_divergence(self.target, pseudo)
            summary['kl_labeled_predicted'] = kl_divergence(
                self.target, predicted)
        if get_rank() == 0:
            atomic_write_json(osp.join(self.out_root, 'summary.json'), summary)
            from .report import plot_distributions
            plot_distributions(
                osp.join(self.out_root, 'class_distribution.png'),
                self.class_names, summary)
        return summary

    def run(self) -> dict:
        """Statistics pass, plan, writing pass, summary; resumable."""
        t0 = time.time()
        self._check_run_state()
        hist = self.statistics()
        plan = self.policy.plan(hist.sum(0), self.target)
        if get_rank() == 0:
            atomic_write_json(osp.join(self.state_dir, 'plan.json'),
                              plan.to_dict())
        self.write(hist, plan)
        summary = self.summarize(hist, plan, time.time() - t0)
        barrier()
        return summary
