"""What the toy classifier's trained runs look like: accuracy, the training points and the
decision boundary, from a run's final weights (the Training page draws them)."""

from __future__ import annotations

import numpy as np
import torch

from core.train.tasks import ToyClassifier


def accuracy(task: ToyClassifier, final: dict, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Per run, the fraction of training and of test points on the right side of P = 0.5."""
    data = task.data(seed, torch.float64, torch.device("cpu"))
    params = {k: torch.tensor(v, dtype=torch.float64) for k, v in final.items()}  # a copy: cached arrays are read-only
    with torch.no_grad():
        right = [((task.forward(params, x) > 0).double() == y).double().mean(dim=(1, 2)).numpy()
                 for x, y in ((data.x_train, data.y_train), (data.x_test, data.y_test))]
    return right[0], right[1]


def training_points(task: ToyClassifier, seed: int) -> tuple:
    """The training inputs and labels as float64 numpy arrays, for scatter plots."""
    data = task.data(seed, torch.float64, torch.device("cpu"))
    return data.x_train.numpy(), data.y_train.numpy()


def decision_boundary(task: ToyClassifier, final: dict, resolution: int = 60, extent: float = 1.3):
    """P(class 1) of each run on a resolution x resolution grid over [-extent, extent]^2:
    (xs, ys, probs) with probs shaped (G, resolution, resolution), rows along y."""
    axis = torch.linspace(-extent, extent, resolution, dtype=torch.float64)
    gy, gx = torch.meshgrid(axis, axis, indexing="ij")
    grid = torch.stack([gx.flatten(), gy.flatten()], 1)
    params = {k: torch.tensor(v, dtype=torch.float64) for k, v in final.items()}  # a copy: results are read-only
    with torch.no_grad():
        probs = torch.sigmoid(task.forward(params, grid)).reshape(-1, resolution, resolution)
    return axis.numpy(), axis.numpy(), probs.numpy()
