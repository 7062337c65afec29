//! Headless PNG plots of pushforward.
