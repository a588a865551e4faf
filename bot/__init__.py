"""Telegram front door (python-telegram-bot): receives notes, submits runs, relays decisions."""
