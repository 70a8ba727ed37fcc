"""Cross-border customs: declarations, duty tables, duties at checkout."""
