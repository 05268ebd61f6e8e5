"""Small adapters to the operating system."""
