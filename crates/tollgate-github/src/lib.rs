//! Publishing to GitHub.
