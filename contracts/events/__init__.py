"""Versioned event payloads. Import `registry` to decode any envelope into its current model."""
