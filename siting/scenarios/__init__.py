"""The scenarios that ship with siting (the Mörön default)."""
