"""Where authors and editors write, preview, publish and delete posts."""
