//! Progress reporting (filled in with install).
