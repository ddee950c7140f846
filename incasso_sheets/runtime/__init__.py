"""Process concerns: durable writes, the output plan, faults, progress, input guards."""
