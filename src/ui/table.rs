//! Tables (filled in with status).
