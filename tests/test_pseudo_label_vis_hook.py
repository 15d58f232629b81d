"""PseudoLabelVisualizationHook: reads only what the model published for the
current step, skips what is missing, and reports the class distribution to
the visualizer backends."""
from types import SimpleNamespace
from unittest import mock

import numpy as np
import pytest
import torch
from mmengine.logging import MessageHub

import mmssl  # noqa: F401
from mmssl.engine.hooks import PseudoLabelVisualizationHook
from mmssl.models.core import HOOK_INFO_KEY, SemiBaseModel

PALETTE = [[255, 0, 0], [0, 255, 0], [0, 0, 255]]


def fake_runner(interval_hit=True, classes=('a', 'b', 'c')):
    runner = SimpleNamespace(
        iter=9 if interval_hit else 10,
        model=torch.nn.Module(),  # provides no student
        visualizer=mock.MagicMock(),
        train_dataloader=SimpleNamespace(
            dataset=SimpleNamespace(
                metainfo=dict(classes=list(classes), palette=PALETTE))))
    return runner


def batch(n=2, h=4, w=6):
    imgs = [torch.full((3, h, w), 10 * k, dtype=torch.uint8)
            for k in range(n)]
    return dict(inputs=dict(weak=imgs, strong=imgs))


def test_no_published_info_draws_nothing():
    MessageHub.get_current_instance().update_info(
        HOOK_INFO_KEY, {}, resumed=False)
    runner = fake_runner()
    PseudoLabelVisualizationHook(interval=10).after_train_iter(
        runner, 9, batch())
    runner.visualizer.add_image.assert_not_called()
    runner.visualizer.add_scalars.assert_not_called()


def test_panels_skip_what_the_model_does_not_provide():
    labels = torch.tensor([[[0, 1, 2, 255, 0, 1]] * 4, [[2] * 6] * 4])
    # no weak labels, no student inputs: weak | matched over strong | strong
    SemiBaseModel.publish(dict(index=[0, 1], pseudo_labels=labels))
    runner = fake_runner()
    PseudoLabelVisualizationHook(interval=10).after_train_iter(
        runner, 9, batch())
    names = [c.args[0] for c in runner.visualizer.add_image.call_args_list]
    assert names == ['pseudo_labels_0', 'pseudo_labels_1']
    panel = runner.visualizer.add_image.call_args_list[0].args[1]
    assert panel.shape == (4, 3 * 6, 3)
    # no class counts published: no distribution reported
    runner.visualizer.add_scalars.assert_not_called()


def test_class_distribution_accumulates_between_reports():
    hook = PseudoLabelVisualizationHook(interval=10)
    counts = [torch.tensor([1, 0, 3]), torch.tensor([5, 0, 1])]
    for k, c in enumerate(counts):
        SemiBaseModel.publish(
            dict(index=[], class_counts=c, num_classes=3))
        runner = fake_runner(interval_hit=(k == 1))
        hook.after_train_iter(runner, k, batch())
    scalars = runner.visualizer.add_scalars.call_args.args[0]
    assert scalars == pytest.approx({
        'pseudo_label_class/a': 0.6,
        'pseudo_label_class/b': 0.0,
        'pseudo_label_class/c': 0.4
    })
    image_names = [c.args[0] for c in runner.visualizer.add_image.call_args_list]
    assert image_names == ['pseudo_label_classes']
    bars = runner.visualizer.add_image.call_args.args[1]
    assert bars.ndim == 3 and bars.shape[2] == 3 and bars.dtype == np.uint8
    # the next report starts from zero
    SemiBaseModel.publish(
        dict(index=[], class_counts=torch.tensor([0, 2, 0]), num_classes=3))
    runner = fake_runner()
    hook.after_train_iter(runner, 0, batch())
    scalars = runner.visualizer.add_scalars.call_args.args[0]
    assert scalars['pseudo_label_class/b'] == pytest.approx(1.0)
