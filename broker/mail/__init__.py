"""E-mail: messages are written to an outbox in the transaction that causes them and sent
after it commits, by a job, with retries."""
