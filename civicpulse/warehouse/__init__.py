"""The DuckDB warehouse: where it lives and how it is opened (`connection`), the model runner
(`models`, `build`, `scoring`), the quality gate (`checks`), `export`, `publish`, and the one
rebuild-and-publish entry point every writer goes through (`lifecycle`)."""
