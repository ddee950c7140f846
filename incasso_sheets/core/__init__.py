"""The domain: issues, errors, money, the model, bookings, settings, identity."""
