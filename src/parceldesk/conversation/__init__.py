"""The conversation engine: understanding (language, intent, slots), dialogue and responses.

Behaviour is data: ``data/`` holds, per language, the expressions the engine understands.
"""
