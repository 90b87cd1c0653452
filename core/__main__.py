"""`python -m core`: the seed experiment printed like the notebook, to check numbers from a shell."""

from __future__ import annotations

import numpy as np
import torch

from core.step import StepConfig, run_step


def main() -> None:
    np.set_printoptions(8, suppress=True)
    for wd in (0.0, 1.0):
        result = run_step(StepConfig("sgd", lr=0.1, weight_decay=wd))
        if wd == 0.0:
            print("Original weights", torch.tensor(result.w_before))
        else:
            print("Reset Original weights", torch.tensor(result.w_before))
        print(f"{wd:g} weight decay", torch.tensor(result.w_after))
        print(f"  (written-out rule vs torch.optim: max |diff| = {result.oracle_max_abs_diff:.3g})")


if __name__ == "__main__":
    main()
