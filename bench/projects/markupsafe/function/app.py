"""Escapes the event's text with MarkupSafe, naming the compiled module that did it."""
import markupsafe


def handler(event, context=None):
    return {"escaped": str(markupsafe.escape(event.get("text", "<b>"))), "speedups": markupsafe._speedups.__file__.rsplit("/", 1)[-1]}
