"""Simulated customers who know their goal and check it: the truth to hold analytics against."""
