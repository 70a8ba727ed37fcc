"""Shoppable videos: upload, transcode, product tags, views and likes."""
