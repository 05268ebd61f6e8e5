"""Voice channels: join, leave, speak (one queue per guild), listen with opt-outs, hear spoken turns and audio
attachments, the wake name, and the voice log."""
