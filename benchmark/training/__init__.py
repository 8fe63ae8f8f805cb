"""Training code for the models the benchmark ships (the MSRA character tagger)."""
