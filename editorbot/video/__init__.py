"""The video stage's kernel: render plans, their subtitle files and ffmpeg arguments."""
