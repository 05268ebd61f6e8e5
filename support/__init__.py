"""Test doubles and harnesses shared by tests/ and bench/; imports from neither."""
