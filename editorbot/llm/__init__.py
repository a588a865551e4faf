"""Language-model text engines (Gemini, OpenAI-compatible) behind the `TextEngine` seam."""
