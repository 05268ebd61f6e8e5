"""The review page's read models (overview, inbox, activity, models, data, intents, settings) and the
actions it sends (withdraw a correction, ignore messages, keep a dataset)."""
