"""Telegram front door (python-telegram-bot): its own issue; nothing here yet."""
