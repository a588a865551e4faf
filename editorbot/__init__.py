"""EditorBot's kernel: settings, schemas, storage, dialects, templates and engine seams."""
