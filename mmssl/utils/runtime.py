"""Runtime preparation shared by ``tools/train.py`` and ``tools/test.py``.

Two things the stock stack does not do on its own:

* run the GPU configs unchanged on a CPU-only host (CI, laptops): SyncBN has
  no CPU kernel, NCCL needs CUDA, and mmengine's ``init_dist`` calls
  ``torch.cuda.set_device``. On such a host we switch SyncBN to BN, use the
  gloo backend and initialise the process group ourselves;
* resume mmengine checkpoints with ``torch.load(weights_only=True)``, the
  default since torch 2.6 (see :mod:`mmssl.utils.checkpoint_safety`).
"""
import os

import torch
import torch.distributed as torch_dist
from mmengine.logging import print_log

from .checkpoint_safety import register_checkpoint_safe_globals


def replace_sync_bn(cfg_node, new_type='BN'):
    """Recursively replace ``SyncBN`` norm configs by ``new_type`` in place.

    Returns the number of replacements.
    """
    count = 0
    if isinstance(cfg_node, dict):
        if cfg_node.get('type') == 'SyncBN':
            cfg_node['type'] = new_type
            count += 1
        for value in cfg_node.values():
            count += replace_sync_bn(value, new_type)
    elif isinstance(cfg_node, (list, tuple)):
        for value in cfg_node:
            count += replace_sync_bn(value, new_type)
    return count


def _init_cpu_process_group(launcher):
    """Initialise gloo for ``--launcher pytorch`` on a host without CUDA."""
    if torch_dist.is_available() and torch_dist.is_initialized():
        return
    if launcher != 'pytorch':
        raise RuntimeError(
            f"launcher='{launcher}' needs CUDA; on a CPU-only host use "
            "tools/dist_train.sh (launcher 'pytorch', gloo backend).")
    torch_dist.init_process_group(
        backend='gloo',
        rank=int(os.environ['RANK']),
        world_size=int(os.environ['WORLD_SIZE']))


def prepare_runtime(cfg):
    """Adapt ``cfg`` and the process to this host before building a Runner."""
    register_checkpoint_safe_globals()
    if torch.cuda.is_available():
        return cfg
    n = replace_sync_bn(cfg.get('model', {}))
    if n:
        print_log(
            f'mmssl: no CUDA device, replaced {n} SyncBN config(s) by BN.',
            logger='current')
    env_cfg = cfg.setdefault('env_cfg', {})
    env_cfg.setdefault('dist_cfg', {})['backend'] = 'gloo'
    if cfg.get('launcher', 'none') != 'none':
        _init_cpu_process_group(cfg.launcher)
        # mmengine passes device_ids=[LOCAL_RANK] to DDP, which only GPU
        # modules accept; CPU modules need device_ids=None.
        wrapper = cfg.get('model_wrapper_cfg') or dict(
            type='MMDistributedDataParallel',
            broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))
        wrapper.setdefault('device_ids', None)
        cfg.model_wrapper_cfg = wrapper
    return cfg
