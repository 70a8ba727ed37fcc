"""Orders: the state machine, history, cancellation, buyer and seller views, timers."""
