"""bot.domain"""
