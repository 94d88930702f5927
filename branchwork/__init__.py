"""Branchwork: the work of a Party branch and its committee, recorded once."""
