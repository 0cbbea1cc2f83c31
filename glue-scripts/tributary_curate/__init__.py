"""Tributary's curate job, apart from its entry point `curate.py`: pure planning (naming, flatten,
types, evolve, dedupe, manifests, args) and Spark / PostgreSQL I/O (reader, transform, iceberg, postgres)."""
