"""Scheduling: the pure reminder planner, the job functions, and two clock drivers
(APScheduler on the real clock, a virtual clock for the simulator and tests)."""
