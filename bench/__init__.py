"""Benchmarks (`make bench`): our event store and relay against raw baselines, side by side.

Not part of `make test`: figures depend on the machine, so they are printed, never asserted.
"""
