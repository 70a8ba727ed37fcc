"""Live rooms: sessions, ingest hooks, the real-time channel, moderation, stats, replays."""
