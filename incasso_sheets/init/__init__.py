"""`incasso init`: a new administration folder."""
