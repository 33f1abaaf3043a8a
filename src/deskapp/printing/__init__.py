"""Printouts: slips and other counter documents rendered for paper."""
