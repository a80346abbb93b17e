"""Open data (オープンデータ): CSV/JSON datasets under CC BY 4.0, their descriptions and a DCAT catalogue."""
