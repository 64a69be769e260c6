"""Platform bridges: each turns platform events into `IncomingMessage`s for the core and
the core's `Outgoing` messages into platform calls. They hold no business rules."""
