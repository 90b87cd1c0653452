"""The frontier lab's experiments (issue 16): what recent papers say about weight decay, each a
pure function whose numbers and sentences the lab's page shows and the tests recompute."""
