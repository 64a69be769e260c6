"""In-process fakes of the chat platforms' servers, for tests that drive the real client libraries."""
