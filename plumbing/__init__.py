"""Plumbing every service needs and no domain logic: settings, logging, health, metrics,
the ordered log (outbox), the Kafka relay and the consumer loop with its inbox."""
