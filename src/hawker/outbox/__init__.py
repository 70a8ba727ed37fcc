"""Events written in the business transaction, dispatched after commit to jobs and listeners."""
