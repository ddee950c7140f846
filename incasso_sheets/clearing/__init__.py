"""Clearing the suspense account: bank files -> events -> bookings. No I/O here."""
