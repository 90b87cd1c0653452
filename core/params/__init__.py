"""The parameter explorer: models on the meta device, decay conventions, the parameter table,
safe checkpoint reading and search."""
