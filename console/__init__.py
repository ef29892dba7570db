"""The user's face: command line, Textual console, headless runner."""
