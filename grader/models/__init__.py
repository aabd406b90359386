"""Pydantic models at the bottom of the stack: every layer may import them."""
