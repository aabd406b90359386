"""finops-grader: grades MOD-304 "Cost Optimization & FinOps" submissions against recomputed figures."""

__version__ = "0.1.0"
