"""Peak memory of the pseudo-labeling statistics pass vs number of images.

Runs :meth:`OfflinePseudoLabeler.statistics` with a synthetic predictor
(random class probabilities, no model, no disk images) over N images and
reports the peak traced Python/numpy memory (tracemalloc) and the peak RSS
growth, for each N. The histograms are ``num_chunks x C x B`` whatever N.

    python tools/benchmark_pseudo_label_memory.py --images 100 1000
"""
import argparse
import resource
import tempfile
import time
import tracemalloc

import torch


class _FakeDataset:
    """N unlabeled "images" named by index (no files)."""
    img_suffix = '.png'
    seg_map_suffix = '_label.png'

    def __init__(self, n):
        self.n = n
        self.data_prefix = dict(img_path='img')

    def __len__(self):
        return self.n

    def get_data_info(self, i):
        return dict(img_path=f'img/{i:06d}.png')

    def __getitem__(self, i):
        return i


def run(n, args):
    from mmssl.pseudo_labeling import build_policy
    from mmssl.pseudo_labeling.offline import OfflinePseudoLabeler

    def predictor(i):
        g = torch.Generator().manual_seed(i)
        return torch.rand(args.classes, args.height, args.width,
                          generator=g).softmax(0)

    with tempfile.TemporaryDirectory() as out:
        labeler = OfflinePseudoLabeler(
            predictor, _FakeDataset(n), build_policy(dict(type='ST')),
            num_classes=args.classes, out_root=out, seg_map_prefix='lab',
            num_bins=args.bins, num_chunks=args.chunks)
        tracemalloc.start()
        t0 = time.time()
        hist = labeler.statistics()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return peak, time.time() - t0, int(hist.sum())


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--images', type=int, nargs='+', default=[100, 1000])
    p.add_argument('--classes', type=int, default=19)
    p.add_argument('--height', type=int, default=128)
    p.add_argument('--width', type=int, default=256)
    p.add_argument('--bins', type=int, default=1000)
    p.add_argument('--chunks', type=int, default=32)
    args = p.parse_args()
    torch.set_num_threads(1)
    run(2, args)  # warm-up: imports and allocator
    print(f'{"images":>8} {"pixels":>12} {"peak traced MiB":>16} '
          f'{"max RSS MiB":>12} {"time s":>8}')
    for n in args.images:
        peak, dt, pixels = run(n, args)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f'{n:>8} {pixels:>12} {peak / 2**20:>16.2f} {rss:>12.1f} '
              f'{dt:>8.1f}')


if __name__ == '__main__':
    main()
