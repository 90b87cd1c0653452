"""Training many runs at once: tasks, the batched trainer and its pieces, sweeps, schedules,
closed forms, and the claims made about their results."""
